#!/usr/bin/env bash
# Fails when go.mod, go.sum or vendor/ is stale: `go mod tidy` would change go.mod/go.sum, or
# `go mod vendor` would change vendor/. Tidy needs the module graph, so on a fresh machine this
# check downloads modules from the Go module proxy into the module cache; builds and tests never do.
set -o errexit
set -o nounset
set -o pipefail

SCRIPT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${SCRIPT_ROOT}"

status=0
GOFLAGS=-mod=mod go mod tidy -diff || status=1

TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT
cp go.mod go.sum "${TMP}/"
mkdir -p "${TMP}/src" && tar -cf - --exclude=./.git --exclude=./bin --exclude=./.local --exclude=./hack/tools --exclude=./vendor . | (cd "${TMP}/src" && tar -xf -)
(cd "${TMP}/src" && GOFLAGS=-mod=mod go mod vendor)
diff -r -q vendor "${TMP}/src/vendor" || status=1

if [ "${status}" -ne 0 ]; then
    echo "verify-vendor: go.mod, go.sum or vendor/ is stale; run: go mod tidy && go mod vendor" >&2
    exit 1
fi
echo "verify-vendor: go.mod, go.sum and vendor/ are up to date"
