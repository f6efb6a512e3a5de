#!/usr/bin/env bash
# Installs kmm-operator in the local cluster as real pods on its real node, the way users install
# it: `kubectl apply -k` of artifacts/install (or artifacts/install/namespaced), through the overlay
# in hack/deploy/ that only sets the image and selects the real node.
#
#   hack/deploy.sh                 # = make deploy: all namespaces (artifacts/install)
#   hack/deploy.sh namespaced      # = make deploy DEPLOY_VARIANT=namespaced: namespace "kafka" only
#
# It brings the cluster up if needed, builds the images (make images) and loads them into the real
# node's containerd, applies, and waits for the rollout. Remove it with
# `bin/kubectl --kubeconfig .local/kubeconfig delete namespace kmm-operator` (plus the
# ClusterRoleBinding kmm-operator, or the namespaced Role and RoleBinding in "kafka"); the CRD and
# the ClusterRole stay, the local cluster's own operator user is bound to that ClusterRole.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VARIANT="${1:-${DEPLOY_VARIANT:-cluster-wide}}"
VERSION="${VERSION:-$(git -C "${ROOT_DIR}" describe --tags --always --dirty 2>/dev/null || echo dev)}"
KUBECTL=("${ROOT_DIR}/bin/kubectl" --kubeconfig "${ROOT_DIR}/.local/kubeconfig")

case "${VARIANT}" in
  cluster-wide | namespaced) ;;
  *) echo "deploy: unknown variant '${VARIANT}' (cluster-wide or namespaced)" >&2; exit 2 ;;
esac

"${ROOT_DIR}/hack/cluster/cluster.sh" up >/dev/null
VERSION="${VERSION}" "${ROOT_DIR}/hack/images.sh"
"${ROOT_DIR}/hack/cluster/cluster.sh" load-images

# The tag of this build: a kustomization of the committed overlay, generated under .local/.
out="${ROOT_DIR}/.local/deploy/${VARIANT}"
mkdir -p "${out}"
cat >"${out}/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../../hack/deploy/${VARIANT}
images:
- name: kmm.local/kmm-operator
  newTag: "${VERSION}"
YAML

if [[ "${VARIANT}" == namespaced ]]; then
  # artifacts/install/namespaced watches "kafka", which must exist.
  "${KUBECTL[@]}" create namespace kafka --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f - >/dev/null
fi
"${KUBECTL[@]}" apply -k "${out}"
"${KUBECTL[@]}" -n kmm-operator rollout status deployment/kmm-operator --timeout=180s
"${KUBECTL[@]}" -n kmm-operator get pods -o wide
