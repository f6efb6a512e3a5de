#!/usr/bin/env bash
# Fails when the generated code under pkg/ or the CRD under artifacts/crds is not what
# hack/update-codegen.sh produces from the current types. It regenerates into a scratch copy of
# the repository, so the working tree is never touched.
set -o errexit
set -o nounset
set -o pipefail

SCRIPT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT

# Copy what generation reads and writes (not .git, bin, .local or the tools module).
(cd "${SCRIPT_ROOT}" && tar -cf - --exclude=./.git --exclude=./bin --exclude=./.local --exclude=./hack/tools . ) | (cd "${TMP}" && tar -xf -)

# Reuse the generator binaries built for this checkout.
GOBIN="${SCRIPT_ROOT}/bin/codegen" "${TMP}/hack/update-codegen.sh" >"${TMP}/.codegen.log" 2>&1 || {
    cat "${TMP}/.codegen.log" >&2
    echo "verify-codegen: hack/update-codegen.sh failed" >&2
    exit 1
}

# Compare only generated output: other files may be edited while this runs.
status=0
diff -Naupr "${SCRIPT_ROOT}/pkg/generated" "${TMP}/pkg/generated" || status=1
diff -Naupr "${SCRIPT_ROOT}/artifacts/crds" "${TMP}/artifacts/crds" || status=1
while read -r f; do
    rel="${f#"${TMP}"/}"
    diff -Naup "${SCRIPT_ROOT}/${rel}" "${f}" || status=1
done < <(find "${TMP}/pkg/apis" -name 'zz_generated.*.go')
while read -r f; do
    rel="${f#"${SCRIPT_ROOT}"/}"
    [ -e "${TMP}/${rel}" ] || { echo "stale generated file: ${rel}"; status=1; }
done < <(find "${SCRIPT_ROOT}/pkg/apis" -name 'zz_generated.*.go')
if [ "${status}" -ne 0 ]; then
    echo "verify-codegen: generated files are out of date; run hack/update-codegen.sh (make codegen)" >&2
    exit 1
fi
echo "verify-codegen: generated code and CRD are up to date"
