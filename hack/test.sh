#!/usr/bin/env bash
# The complete test suite (`make test`): brings the local control plane up (building it on first
# use), runs every Go test with the race detector against it, runs the model's fuzz test for a
# bounded time and the benchmarks' quick modes (the operator's and kmm-mirror's), and stops the control plane again if it was not
# running before.
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

# The images (make images) are reproducible: two builds give the same tarballs byte for byte.
hack/test-images.sh

# Tests that need a cluster fail (never skip) when KMM_REQUIRE_CLUSTER is set.
export KMM_REQUIRE_CLUSTER=1
export KMM_TEST_KUBECONFIG="${ROOT}/.local/kubeconfig"
export KMM_TEST_OPERATOR_KUBECONFIG="${ROOT}/.local/operator.kubeconfig"
export GOFLAGS=-mod=vendor

# The end-to-end suite restarts the API server (Test12ControlPlaneRestart), so it runs on its own,
# after every other package. kmm-mirror's packages need no cluster but keep both cores busy with
# in-process Kafka brokers; they run on their own too, so that they do not slow the tests that
# wait for the control plane's events.
# One of them checks the consumer group against librdkafka, through kcat (a Debian package).
if ! command -v kcat >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat
fi
mirror_pkgs='/cmd/kmm-mirror$|/pkg/mirror(/|$)|/test/mirror'
go test -race -count=1 -timeout 40m $(go list ./... | grep -v -E "/test/e2e$|/test/incluster$|${mirror_pkgs}")
go test -race -count=1 -timeout 20m $(go list ./... | grep -E "${mirror_pkgs}")
go test -race -count=1 -timeout 30m ./test/e2e
# The operator installed in the cluster as real pods on the real node (make deploy, and the Helm
# chart), and mirrors copying records there: last of the cluster suites, since that operator
# watches every namespace. It saves scrapes of a real operator's and a real mirror's /metrics.
rm -f .local/scrapes/operator.prom .local/scrapes/mirror.prom
go test -race -count=1 -timeout 30m ./test/incluster
# The alerts and dashboards (artifacts/monitoring): promcheck's own tests, then the rules and
# every query checked with Prometheus' parser and engine against those scrapes, so no alert or
# panel names a metric or label the processes do not export.
(cd hack/tools/promcheck && GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" go test -count=1 ./...)
hack/promcheck.sh --scrape operator=.local/scrapes/operator.prom --scrape mirror=.local/scrapes/mirror.prom
go test -run '^$' -fuzz '^FuzzRender$' -fuzztime "${FUZZTIME}" ./pkg/model

# The benchmark's quick mode keeps the harness from rotting: it must complete and write every
# figure to .local/bench/results.json. Its figures are not asserted here (they depend on the
# machine and its load); docs/benchmarks.md records full runs.
BENCH_N=50 go run ./test/bench
python3 - "${ROOT}/.local/bench/results.json" <<'PY'
import json, sys
keys = """n all_ready_seconds baseline_ready_seconds ready_ratio writes_per_resource_create
requests_per_steady_cycle writes_after_restart rss_mib_steady rss_mib_peak rss_mib_with_secrets
secret_rotation_p50_ms secret_rotation_p99_ms spec_change_p50_ms spec_change_p99_ms
failover_kill_seconds failover_graceful_seconds startup_seconds startup_writes rss_mib_empty
kib_per_resource rss_mib_standby_warm rss_mib_standby_cold""".split()
with open(sys.argv[1]) as f:
    res = json.load(f)
bad = sorted((set(keys) ^ set(res)) | {k for k in keys if not isinstance(res.get(k), (int, float)) or isinstance(res.get(k), bool)})
if bad or res["n"] != 50:
    sys.exit("bench quick mode: results.json keys or values wrong: %s (n=%s)" % (bad, res.get("n")))
print("bench quick mode: results.json has all %d figures" % len(keys))
PY

# kmm-mirror's benchmark, quick mode (20,000 records on in-process kfake clusters): it must
# complete and write every figure to .local/bench/mirror-results.json; docs/benchmarks.md records
# full runs (make bench-mirror).
BENCH_MIRROR_QUICK=1 go run ./test/benchmirror
python3 - "${ROOT}/.local/bench/mirror-results.json" <<'PY'
import json, sys
keys = """n record_bytes partitions mirror_records_per_sec mirror_mb_per_sec limit_records_per_sec
limit_mb_per_sec throughput_ratio rss_mib_peak rss_mib_median latency_p50_ms latency_p99_ms
latency_rate_per_sec duplicates_after_kill kill_records_total kill_lost_records""".split()
with open(sys.argv[1]) as f:
    res = json.load(f)
bad = sorted(k for k in keys if not isinstance(res.get(k), (int, float)) or isinstance(res.get(k), bool))
if bad or res["n"] != 20000:
    sys.exit("bench-mirror quick mode: results.json keys or values wrong: %s (n=%s)" % (bad, res.get("n")))
if res["kill_lost_records"] != 0:
    sys.exit("bench-mirror quick mode: %d records lost after the SIGKILL" % res["kill_lost_records"])
print("bench-mirror quick mode: mirror-results.json has all %d figures, no record lost" % len(keys))
PY

# Stop the cluster this run started: `down` fails when the real node left anything on the host.
if [ "${was_up}" = false ]; then
    trap - EXIT
    "${CLUSTER}" down
fi
