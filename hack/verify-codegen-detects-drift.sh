#!/usr/bin/env bash
# Proves that hack/verify-codegen.sh can fail: in a scratch copy of the repository it adds a
# field to the API types without regenerating, and requires verify-codegen to reject the copy.
set -o errexit
set -o nounset
set -o pipefail

SCRIPT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT

(cd "${SCRIPT_ROOT}" && tar -cf - --exclude=./.git --exclude=./bin --exclude=./.local --exclude=./hack/tools . ) | (cd "${TMP}" && tar -xf -)
mkdir -p "${TMP}/bin" && ln -s "${SCRIPT_ROOT}/bin/codegen" "${TMP}/bin/codegen"

# A new optional field in the spec, with no regeneration.
python3 - "${TMP}/pkg/apis/kafka/v1beta2/types.go" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
anchor = "\tReadinessProbe *Probe `json:\"readinessProbe,omitempty\"`\n"
assert anchor in s, "anchor not found in types.go"
s = s.replace(anchor, anchor + "\t// Added by the drift self-test.\n\tDriftSelfTest *DriftSelfTestOptions `json:\"driftSelfTest,omitempty\"`\n")
s += "\n// DriftSelfTestOptions is added by the drift self-test.\ntype DriftSelfTestOptions struct {\n\tEnabled *bool `json:\"enabled,omitempty\"`\n}\n"
open(p, "w").write(s)
PY

if "${TMP}/hack/verify-codegen.sh" >"${TMP}/.verify.log" 2>&1; then
    cat "${TMP}/.verify.log" >&2
    echo "verify-codegen-detects-drift: verify-codegen.sh passed although types.go changed without regeneration" >&2
    exit 1
fi
grep -q "out of date" "${TMP}/.verify.log" || { cat "${TMP}/.verify.log" >&2; echo "verify-codegen-detects-drift: verify-codegen failed for another reason" >&2; exit 1; }
echo "verify-codegen-detects-drift: a type change without regeneration is rejected"
