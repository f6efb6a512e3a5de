#!/usr/bin/env bash
# Regenerates everything derived from pkg/apis: deepcopy and register code, the typed clientset
# with apply configurations, listers and informers (pkg/generated), and the CRD
# (artifacts/crds). Generators are built from vendor/, so this works offline.
set -o errexit
set -o nounset
set -o pipefail

SCRIPT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${SCRIPT_ROOT}"

CODEGEN_PKG="${CODEGEN_PKG:-${SCRIPT_ROOT}/vendor/k8s.io/code-generator}"
# Generators go to bin/codegen, not to the user's GOPATH/bin.
export GOBIN="${GOBIN:-${SCRIPT_ROOT}/bin/codegen}"
mkdir -p "${GOBIN}"

# shellcheck source=/dev/null
source "${CODEGEN_PKG}/kube_codegen.sh"

THIS_PKG="github.com/kmm-operator/kmm-operator"

kube::codegen::gen_helpers \
    --boilerplate "${SCRIPT_ROOT}/hack/boilerplate.go.txt" \
    "${SCRIPT_ROOT}/pkg/apis"

kube::codegen::gen_register \
    --boilerplate "${SCRIPT_ROOT}/hack/boilerplate.go.txt" \
    "${SCRIPT_ROOT}/pkg/apis"

kube::codegen::gen_client \
    --with-watch \
    --with-applyconfig \
    --output-dir "${SCRIPT_ROOT}/pkg/generated" \
    --output-pkg "${THIS_PKG}/pkg/generated" \
    --boilerplate "${SCRIPT_ROOT}/hack/boilerplate.go.txt" \
    "${SCRIPT_ROOT}/pkg/apis"

# The CRD is generated from the Go types and their +kmm markers.
go run ./hack/crdgen --output "${SCRIPT_ROOT}/artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml"
