#!/usr/bin/env bash
# Checks that `make images` is reproducible: hack/images.sh twice, into two directories (binaries
# rebuilt too), must give byte-identical tarballs; then runs kmm-images' own tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${ROOT}"
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

OUT_DIR="${tmp}/a" hack/images.sh >/dev/null
OUT_DIR="${tmp}/b" hack/images.sh >/dev/null
n=0
for f in "${tmp}"/a/*.tar "${tmp}"/a/images.txt; do
  a="$(sha256sum <"${f}")" b="$(sha256sum <"${tmp}/b/${f##*/}")"
  if [[ "${a}" != "${b}" ]]; then
    echo "test-images: ${f##*/} differs between two builds (${a%% *} vs ${b%% *})" >&2
    exit 1
  fi
  n=$((n + 1))
done
[[ ${n} -eq 4 ]] || { echo "test-images: expected 3 tarballs and images.txt, found ${n} files" >&2; exit 1; }

if ! out="$(cd hack/tools/images && GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" go test -count=1 ./... 2>&1)"; then
  echo "${out}" >&2
  echo "test-images: kmm-images tests failed" >&2
  exit 1
fi
echo "test-images: ok: 3 image tarballs byte-identical across two builds, kmm-images tests pass"
