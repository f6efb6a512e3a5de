#!/usr/bin/env bash
# Runs Helm, built from its Go module (hack/tools/helm: helm.sh/helm/v4, its cmd/helm) into
# bin/helm the first time and whenever hack/tools/helm/go.mod or go.sum is newer than bin/helm.
# No prebuilt binary is downloaded; after the first build (which fills the Go module cache) it
# works offline.
#
#   hack/helm.sh template kmm-operator artifacts/helm/kmm-operator -n kmm-operator
#   hack/helm.sh lint --strict artifacts/helm/kmm-operator
#   hack/helm.sh --build-only     # only make sure bin/helm is current (test/helm's TestMain)
#
# The first build with a cold Go build cache takes a few minutes (measured: 3 min 27 s on 2 cores,
# the modules already downloaded; the download itself about 10 s); `go build` is incremental after
# that, and an up-to-date bin/helm is used at once.
#
# Environment: BIN_DIR (default <repo>/bin), FORCE=1 rebuilds unconditionally. Helm itself reads
# its usual variables (KUBECONFIG, HELM_CACHE_HOME, ...).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
BIN_DIR="${BIN_DIR:-${ROOT}/bin}"
TOOL="${BIN_DIR}/helm"
TOOL_DIR="${ROOT}/hack/tools/helm"

build() {
  command -v go >/dev/null 2>&1 || { echo "hack/helm.sh: 'go' not found in PATH" >&2; return 1; }
  # The tool module is not vendored: drop any -mod= flag inherited from the caller (the Makefile
  # exports GOFLAGS=-mod=vendor for the operator's module), and never stamp VCS information.
  local gf="" f version ldflags start
  for f in $(go env GOFLAGS 2>/dev/null || true); do
    case "${f}" in -mod=* | -buildvcs=*) ;; *) gf+=" ${f}" ;; esac
  done
  export GOFLAGS="${gf# } -mod=readonly -buildvcs=false" GOWORK=off
  # The version stamps of upstream's Makefile, so `helm version` reports the release it is.
  version="$(cd "${TOOL_DIR}" && go list -m -f '{{.Version}}' helm.sh/helm/v4)"
  ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=${version}"
  ldflags+=" -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  echo "building helm ${version} (hack/tools/helm; the first build takes a few minutes)..." >&2
  start=${SECONDS}
  mkdir -p "${BIN_DIR}"
  # Build to a temporary name so an interrupted or concurrent build never leaves a half-written
  # binary behind.
  (cd "${TOOL_DIR}" && CGO_ENABLED=0 go build -trimpath -ldflags="${ldflags}" -o "${TOOL}.tmp.$$" helm.sh/helm/v4/cmd/helm)
  mv -f "${TOOL}.tmp.$$" "${TOOL}"
  echo "built helm in $((SECONDS - start))s -> ${TOOL}" >&2
}

if [[ "${FORCE:-0}" == "1" || ! -x "${TOOL}" || "${TOOL_DIR}/go.mod" -nt "${TOOL}" || "${TOOL_DIR}/go.sum" -nt "${TOOL}" ]]; then
  (build)
fi

if [[ "${1:-}" == "--build-only" ]]; then
  exit 0
fi
exec "${TOOL}" "$@"
