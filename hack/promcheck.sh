#!/usr/bin/env bash
# Checks the monitoring artifacts (artifacts/monitoring: the PrometheusRule and the Grafana
# dashboards) with Prometheus' own rule parser and query engine, through bin/promcheck
# (hack/tools/promcheck): the rules as `promtool check rules` does, every alert's runbook_url
# against docs/alerts.md, every expression and dashboard query parsed, and, given scrapes of the
# real processes, evaluated on them: an alert or a panel that names a metric or a label that no
# scrape has fails the check.
#
#   hack/promcheck.sh                                            # syntax and structure only
#   hack/promcheck.sh --scrape operator=operator.prom --scrape mirror=mirror.prom
#
# A scrape is a GET of /metrics (Prometheus text format). Its series get the target labels the
# PodMonitors of artifacts/monitoring would add: scrapes named operator* those of the operator
# pods (job kmm-operator, namespace kmm-operator, pod, ...), scrapes named mirror* those of a
# mirror pod (job kafka-mirror-maker, namespace, pod, kafka_mirror_maker, ...). Other names, or
# other labels, with --target NAME=label=value,... . Every other argument goes to promcheck
# (bin/promcheck -h). Exit code 1: problems (printed as <file>: <alert or panel>: <message>).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${ROOT}"
TOOL="${ROOT}/bin/promcheck"
TOOL_DIR="${ROOT}/hack/tools/promcheck"

mkdir -p "${ROOT}/bin"
# The tool, rebuilt only when a file of its module is newer.
if [[ ! -x "${TOOL}" || -n "$(find "${TOOL_DIR}" -type f -newer "${TOOL}" -print -quit)" ]]; then
  (cd "${TOOL_DIR}" && GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" go build -o "${TOOL}.tmp" ./cmd/promcheck)
  mv -f "${TOOL}.tmp" "${TOOL}"
fi

# Default target labels for each --scrape, as the PodMonitors' relabelings make them.
targets=()
add_target() {
  local name="$1" suffix
  suffix="$(printf '%s' "${name}" | tr -c 'a-z0-9\n' '-')"
  case "${name}" in
  operator*)
    targets+=(--target "${name}=job=kmm-operator,namespace=kmm-operator,pod=kmm-operator-${suffix},container=kmm-operator,endpoint=http,instance=${name}:8080,node=node-0")
    ;;
  mirror*)
    targets+=(--target "${name}=job=kafka-mirror-maker,namespace=kafka,pod=my-mirror-maker-mirror-maker-${suffix},container=my-mirror-maker-mirror-maker,endpoint=tcp-prometheus,instance=${name}:9404,node=node-0,kafka_mirror_maker=my-mirror-maker,strimzi_io_cluster=my-mirror-maker,strimzi_io_kind=KafkaMirrorMaker,strimzi_io_name=my-mirror-maker-mirror-maker,strimzi_io_component_type=kafka-mirror-maker")
    ;;
  esac
}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
  --scrape | -scrape) [[ $((i + 1)) -lt ${#args[@]} ]] && add_target "${args[i + 1]%%=*}" ;;
  --scrape=* | -scrape=*) v="${args[i]#*=}" && add_target "${v%%=*}" ;;
  esac
done

# The defaults first: a --target given on the command line for the same name wins.
exec "${TOOL}" --dir artifacts/monitoring --runbooks docs/alerts.md ${targets[@]+"${targets[@]}"} "$@"
