#!/usr/bin/env bash
# Refreshes the Helm chart's copy of the monitoring objects. artifacts/monitoring is their single
# source (`kubectl apply -k artifacts/monitoring`); Helm cannot read files outside a chart, so
# artifacts/helm/kmm-operator/files/monitoring holds an exact copy of the files its
# templates/monitoring.yaml reads: every object file (*.yaml but kustomization.yaml) and
# dashboards/*.json. test/helm (TestMonitoringFilesAreCopies) fails when the copy is stale.
#
#   hack/sync-chart-monitoring.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SRC="${ROOT}/artifacts/monitoring"
DST="${ROOT}/artifacts/helm/kmm-operator/files/monitoring"

rm -rf "${DST}"
mkdir -p "${DST}/dashboards"
for f in "${SRC}"/*.yaml; do
  [[ "$(basename "${f}")" == kustomization.yaml ]] || cp "${f}" "${DST}/"
done
cp "${SRC}"/dashboards/*.json "${DST}/dashboards/"
echo "copied artifacts/monitoring to ${DST#"${ROOT}/"}"
