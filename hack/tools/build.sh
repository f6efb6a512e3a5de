#!/usr/bin/env bash
# Builds the local control-plane tools into <repo>/bin from Go modules (no downloads of prebuilt binaries).
#
#   hack/tools/build.sh                 # build every tool that is missing or out of date
#   hack/tools/build.sh kubectl kwok    # build only these
#   hack/tools/build.sh --list          # print the tool names
#
# Tools: etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok, kubelet and
# kube-proxy (the real node, hack/cluster/node.sh), and two helpers
# used by hack/cluster/cluster.sh: kwok-stages (writes kwok's embedded stages) and keygen
# (service-account key pair, so openssl is not needed).
# A tool is skipped when bin/<tool> is newer than its module's go.mod/go.sum and its sources,
# so repeated calls return at once. `go build` is incremental through the Go build cache; the
# first (cold-cache) build of everything takes ~12 minutes on 2 cores.
#
# Environment: BIN_DIR (default <repo>/bin), FORCE=1 rebuilds unconditionally.
# The Go proxy / checksum database come from the machine's `go env` defaults.
set -euo pipefail

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${TOOLS_DIR}/../.." && pwd)"
BIN_DIR="${BIN_DIR:-${ROOT_DIR}/bin}"
KWOK_DIR="${TOOLS_DIR}/kwok"

K8S_VERSION="v1.37.2"   # k8s.io/kubernetes in hack/tools/go.mod; kubectl is k8s.io/kubectl v0.37.2
ALL_TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwok-stages keygen kubelet kube-proxy)

# These modules are not vendored: drop any -mod= flag inherited from the caller (the Makefile
# exports GOFLAGS=-mod=vendor for the operator's module), and never stamp VCS information.
gf=""
for f in $(go env GOFLAGS 2>/dev/null || true); do
  case "${f}" in -mod=* | -buildvcs=*) ;; *) gf+=" ${f}" ;; esac
done
export GOFLAGS="${gf# } -mod=readonly -buildvcs=false"
export GOWORK=off
unset gf f

# Version stamps (as upstream's hack/lib/version.sh does), so `kubectl version` and /version
# report the real release instead of v0.0.0-master.
version_ldflags() {
  local v="${K8S_VERSION#v}" major minor f=""
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor}"
    f+=" -X ${pkg}.gitTreeState=clean"
  done
  echo "${f}"
}

# tool -> "<module dir>|<package>|<source dir (relative to module dir) or empty>|<note>"
spec() {
  case "$1" in
    etcd)                    echo "${TOOLS_DIR}|./cmd/etcd|cmd/etcd|" ;;
    kube-apiserver)          echo "${TOOLS_DIR}|./cmd/kube-apiserver|cmd/kube-apiserver| (first build takes several minutes)" ;;
    kube-controller-manager) echo "${TOOLS_DIR}|./cmd/kube-controller-manager|cmd/kube-controller-manager| (first build takes several minutes)" ;;
    kube-scheduler)          echo "${TOOLS_DIR}|./cmd/kube-scheduler|cmd/kube-scheduler| (first build can take a few minutes)" ;;
    kubectl)                 echo "${TOOLS_DIR}|./cmd/kubectl|cmd/kubectl| (first build can take a few minutes)" ;;
    kwok)                    echo "${KWOK_DIR}|sigs.k8s.io/kwok/cmd/kwok|| (first build takes a minute or two)" ;;
    kwok-stages)             echo "${KWOK_DIR}|./cmd/kwok-stages|cmd/kwok-stages|" ;;
    keygen)                  echo "${TOOLS_DIR}|./cmd/keygen|cmd/keygen|" ;;
    kubelet)                 echo "${TOOLS_DIR}|./cmd/kubelet|cmd/kubelet| (first build takes several minutes)" ;;
    kube-proxy)              echo "${TOOLS_DIR}|./cmd/kube-proxy|cmd/kube-proxy| (first build can take a few minutes)" ;;
    *) return 1 ;;
  esac
}

# up_to_date <output> <module dir> <source dir>
up_to_date() {
  local out="$1" mod="$2" src="$3"
  [[ -x "${out}" ]] || return 1
  [[ "${out}" -nt "${mod}/go.mod" && "${out}" -nt "${mod}/go.sum" ]] || return 1
  if [[ -n "${src}" ]] && [[ -n "$(find "${mod}/${src}" -type f -newer "${out}" -print -quit)" ]]; then
    return 1
  fi
  return 0
}

build_one() {
  local name="$1" s mod pkg src note ldflags start
  s="$(spec "${name}")" || { echo "build.sh: unknown tool '${name}' (known: ${ALL_TOOLS[*]})" >&2; return 2; }
  IFS='|' read -r mod pkg src note <<<"${s}"
  local out="${BIN_DIR}/${name}"
  if [[ "${FORCE:-0}" != "1" ]] && up_to_date "${out}" "${mod}" "${src}"; then
    return 0
  fi
  ldflags="-s -w"
  if [[ "${mod}" == "${TOOLS_DIR}" && "${name}" != "etcd" && "${name}" != "keygen" ]]; then
    ldflags+="$(version_ldflags)"
  fi
  echo "building ${name}${note}..."
  start=${SECONDS}
  mkdir -p "${BIN_DIR}"
  # Build to a temporary name so an interrupted build never leaves a half-written binary behind.
  ( cd "${mod}" && go build -ldflags="${ldflags}" -o "${out}.tmp" "${pkg}" )
  mv -f "${out}.tmp" "${out}"
  echo "built ${name} in $((SECONDS - start))s -> ${out#"${ROOT_DIR}"/}"
}

main() {
  if [[ "${1:-}" == "--list" ]]; then
    printf '%s\n' "${ALL_TOOLS[@]}"
    return 0
  fi
  command -v go >/dev/null 2>&1 || { echo "build.sh: 'go' not found in PATH" >&2; return 1; }
  local names=("$@")
  if [[ ${#names[@]} -eq 0 ]]; then
    names=("${ALL_TOOLS[@]}")
  fi
  local n
  for n in "${names[@]}"; do
    build_one "${n}"
  done
}

main "$@"
