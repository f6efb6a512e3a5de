#!/usr/bin/env bash
# The complete test suite (`make test`): brings the local control plane up (building it on first
# use), runs every Go test with the race detector against it, runs the model's fuzz test for a
# bounded time, and stops the control plane again if it was not running before.
set -o errexit
set -o nounset
set -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${ROOT}"
CLUSTER=hack/cluster/cluster.sh
FUZZTIME="${FUZZTIME:-20s}"

was_up=false
if "${CLUSTER}" status >/dev/null 2>&1; then
    was_up=true
fi
"${CLUSTER}" up
if [ "${was_up}" = false ]; then
    trap '"${CLUSTER}" down' EXIT
fi

# Tests that need a cluster fail (never skip) when KMM_REQUIRE_CLUSTER is set.
export KMM_REQUIRE_CLUSTER=1
export KMM_TEST_KUBECONFIG="${ROOT}/.local/kubeconfig"
export KMM_TEST_OPERATOR_KUBECONFIG="${ROOT}/.local/operator.kubeconfig"
export GOFLAGS=-mod=vendor

# The end-to-end suite restarts the API server (Test12ControlPlaneRestart), so it runs on its own,
# after every other package.
go test -race -count=1 -timeout 40m $(go list ./... | grep -v '/test/e2e$')
go test -race -count=1 -timeout 30m ./test/e2e
go test -run '^$' -fuzz '^FuzzRender$' -fuzztime "${FUZZTIME}" ./pkg/model
