#!/usr/bin/env bash
# Builds the project's images without a container engine (`make images`): the static binaries,
# then docker-archive tarballs of kmm-operator, kmm-mirror and the local node's pause image,
# through bin/kmm-images (hack/tools/images). Reproducible: the same tree gives the same tarballs.
#
#   hack/images.sh                                   # -> .local/images/{kmm-operator,kmm-mirror,pause}.tar
#   ctr -n k8s.io images import .local/images/kmm-operator.tar
#
# Environment: VERSION (the tag; default git describe, as the Makefile), OUT_DIR (default
# .local/images; the binaries go to OUT_DIR/bin), SOURCE_DATE_EPOCH (default the commit time),
# IMAGES_ARGS (extra flags for kmm-images, e.g. "-only kmm-mirror").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${ROOT}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
OUT_DIR="${OUT_DIR:-${ROOT}/.local/images}"
BIN_DIR="${OUT_DIR}/bin"
TOOL="${ROOT}/bin/kmm-images"
TOOL_DIR="${ROOT}/hack/tools/images"
PAUSE_VERSION="3.10.2"
K8S_VERSION="v1.37.2" # k8s.io/kubernetes of hack/tools/go.mod, whose build/pause/linux/pause.c is the pause image

mkdir -p "${BIN_DIR}" "${ROOT}/bin"

# The binaries, as the Makefile's build target, but without VCS stamps (as the Dockerfile's build,
# which has no .git): the images then depend on the sources and VERSION only, whoever calls this.
for cmd in kmm-operator kmm-mirror; do
  CGO_ENABLED=0 GOFLAGS="-mod=vendor -buildvcs=false" go build -trimpath \
    -ldflags "-s -w -X github.com/kmm-operator/kmm-operator/pkg/version.Version=${VERSION}" \
    -o "${BIN_DIR}/${cmd}" "./cmd/${cmd}"
done

# pause, as upstream's build/pause/Makefile (which adds a -<git rev> to the version and strips).
pause_dir="$(cd "${TOOL_DIR}" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
gcc -Os -Wall -Werror -static -DVERSION="v${PAUSE_VERSION}" -o "${BIN_DIR}/pause" "${pause_dir}/build/pause/linux/pause.c"
strip "${BIN_DIR}/pause"

# The tool, rebuilt only when a file of its module is newer.
if [[ ! -x "${TOOL}" || -n "$(find "${TOOL_DIR}" -type f -newer "${TOOL}" -print -quit)" ]]; then
  (cd "${TOOL_DIR}" && GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" go build -o "${TOOL}.tmp" ./cmd/kmm-images)
  mv -f "${TOOL}.tmp" "${TOOL}"
fi

# shellcheck disable=SC2086 # IMAGES_ARGS is a list of flags
"${TOOL}" -bin-dir "${BIN_DIR}" -out "${OUT_DIR}" -tag "${VERSION}" \
  -source-date-epoch "${SOURCE_DATE_EPOCH}" ${IMAGES_ARGS:-}
