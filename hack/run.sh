#!/usr/bin/env bash
# `make run`: the one-command demo. Brings the local control plane up (hack/cluster, built on
# first use), installs the CRD and the RBAC, builds bin/kmm-operator and runs it in the foreground,
# out of cluster, as the non-admin user of .local/operator.kubeconfig; applies the minimal example
# and shows it become Ready. Ctrl-C stops the operator; the cluster stays up (make cluster-down,
# or hack/cluster/cluster.sh down, stops it).
#
#   hack/run.sh [operator flags...]     e.g. hack/run.sh -v=2
#
# Environment:
#   KMM_RUN_NAMESPACE (default: default)   namespace of the example; the operator watches it
#   STRIMZI_NAMESPACE                      namespaces the operator watches instead (e.g. '*': all;
#                                          do not use '*' while the e2e tests run on the cluster)
#   KMM_RUN_EXAMPLE (default: artifacts/examples/kafka-mirror-maker.yaml)
#   KMM_RUN_HTTP_PORT (default: the first free port from 8080): /healthz, /readyz, /metrics
#   KMM_RUN_READY_TIMEOUT (default: 300)   seconds to wait for the example to become Ready
#   VERSION                                version stamped into the binary (default: git describe)
# Every other operator setting can be given as a flag or as its variable (kmm-operator run --help).
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT_DIR}"

NAMESPACE="${KMM_RUN_NAMESPACE:-default}"
WATCH="${STRIMZI_NAMESPACE:-${NAMESPACE}}"
EXAMPLE="${KMM_RUN_EXAMPLE:-artifacts/examples/kafka-mirror-maker.yaml}"
READY_TIMEOUT="${KMM_RUN_READY_TIMEOUT:-300}"
ADMIN_KUBECONFIG=".local/kubeconfig"
OPERATOR_KUBECONFIG=".local/operator.kubeconfig"
BINARY="bin/kmm-operator"
NODE="kwok-node-0"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() { echo "run: $*"; }
die() { echo "run: ERROR: $*" >&2; exit 1; }
kubectl_admin() { bin/kubectl --kubeconfig "${ADMIN_KUBECONFIG}" "$@"; }

# port_in_use <port>: something accepts connections on 127.0.0.1:<port>.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_ok <port> <path>: GET answered with 200 (bash only, no curl needed).
http_ok() {
  local reply
  reply="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    timeout 5 head -n 1 <&3
  )" || return 1
  [[ "${reply}" == *" 200 "* ]]
}

command -v go >/dev/null 2>&1 || die "Go is required (see go.mod for the version)"
[[ -f "${EXAMPLE}" ]] || die "example ${EXAMPLE} not found"

# ---------------------------------------------------------------------------------------------
step "1/4 Local control plane (hack/cluster/cluster.sh up; the first run builds it: ~12 minutes on 2 cores)"
hack/cluster/cluster.sh up

# ---------------------------------------------------------------------------------------------
step "2/4 CRD and RBAC"
# `cluster.sh up` has just applied artifacts/crds and artifacts/install (ClusterRole kmm-operator)
# and bound the ClusterRole to the token user of ${OPERATOR_KUBECONFIG}; show what is installed.
kubectl_admin get crd kafkamirrormakers.kafka.strimzi.io \
  -o custom-columns='CRD:.metadata.name,ESTABLISHED:.status.conditions[?(@.type=="Established")].status'
kubectl_admin get clusterrole kmm-operator -o custom-columns='CLUSTERROLE:.metadata.name,RULES:.rules[*].resources'
kubectl_admin get clusterrolebinding kmm-operator-local-user \
  -o custom-columns='BINDING:.metadata.name,ROLE:.roleRef.name,USER:.subjects[*].name'
if ! kubectl_admin get namespace "${NAMESPACE}" >/dev/null 2>&1; then
  kubectl_admin create namespace "${NAMESPACE}"
fi

# ---------------------------------------------------------------------------------------------
step "3/4 Build ${BINARY}"
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
GOFLAGS=-mod=vendor CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/kmm-operator/kmm-operator/pkg/version.Version=${version}" \
  -o "${BINARY}" ./cmd/kmm-operator
say "built $("${BINARY}" version)"

# ---------------------------------------------------------------------------------------------
port="${KMM_RUN_HTTP_PORT:-}"
if [[ -z "${port}" ]]; then
  for port in $(seq 8080 8099); do
    port_in_use "${port}" || break
  done
fi
port_in_use "${port}" && die "port ${port} is in use; choose another with KMM_RUN_HTTP_PORT=<port>"

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "${p}" 2>/dev/null || true; done
}
trap cleanup EXIT

# Node heartbeat: kube-controller-manager marks every Pod of a node NotReady when the node's
# heartbeat is older than 50 s. kwok renews a node Lease only when started with
# --node-lease-duration-seconds; without it, kwok-node-0 turns Unknown every ~55 s and its Pods
# stay NotReady for good. Until the cluster renews the Lease itself, renew it here while the
# operator runs (a Lease renewed by someone else is left alone).
lease_guard() {
  local renew annotated uid age now
  while true; do
    now="$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)"
    if ! renew="$(kubectl_admin -n kube-node-lease get lease "${NODE}" \
      -o jsonpath='{.spec.renewTime}|{.metadata.annotations.kmm-run/node-lease-guard}' 2>/dev/null)"; then
      uid="$(kubectl_admin get node "${NODE}" -o jsonpath='{.metadata.uid}' 2>/dev/null)" || { sleep 5; continue; }
      kubectl_admin create -f - >/dev/null 2>&1 <<EOF || true
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: ${NODE}
  namespace: kube-node-lease
  annotations:
    kmm-run/node-lease-guard: "renewed by hack/run.sh until kwok maintains the node Lease"
  ownerReferences: [{apiVersion: v1, kind: Node, name: ${NODE}, uid: ${uid}}]
spec: {holderIdentity: ${NODE}, leaseDurationSeconds: 40, renewTime: "${now}"}
EOF
    else
      annotated="${renew#*|}"
      renew="${renew%%|*}"
      age=999
      [[ -n "${renew}" ]] && age=$(($(date -u +%s) - $(date -u -d "${renew}" +%s 2>/dev/null || echo 0)))
      if [[ -n "${annotated}" || ${age} -gt 20 ]]; then
        kubectl_admin -n kube-node-lease patch lease "${NODE}" --type=merge \
          -p "{\"spec\":{\"renewTime\":\"${now}\"}}" >/dev/null 2>&1 || true
      fi
    fi
    sleep 10
  done
}
lease_guard &
pids+=($!)

# Once the operator is ready: apply the example, wait until it is Ready, show it.
show_example() {
  local i name
  for ((i = 0; i < 120; i++)); do
    http_ok "${port}" /readyz && break
    sleep 0.5
  done
  http_ok "${port}" /readyz || { say "the operator did not become ready; see its log above"; return 1; }
  step "Applying ${EXAMPLE} in namespace ${NAMESPACE}"
  name="$(kubectl_admin -n "${NAMESPACE}" apply -f "${EXAMPLE}" -o name | grep -i kafkamirrormaker | head -n 1)"
  [[ -n "${name}" ]] || { say "no KafkaMirrorMaker in ${EXAMPLE}"; return 1; }
  say "applied ${name}; waiting for it to become Ready"
  # (polled with short requests rather than `kubectl wait`, so that Ctrl-C leaves nothing behind)
  local deadline=$((SECONDS + READY_TIMEOUT)) status="" observed="" generation=""
  while ((SECONDS < deadline)); do
    IFS=/ read -r status observed generation < <(kubectl_admin -n "${NAMESPACE}" get "${name}" \
      -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}/{.status.observedGeneration}/{.metadata.generation}{"\n"}' 2>/dev/null || echo) || true
    [[ "${status}" == True && -n "${observed}" && "${observed}" == "${generation}" ]] && break
    sleep 1
  done
  if ! [[ "${status}" == True && -n "${observed}" && "${observed}" == "${generation}" ]]; then
    say "${name} did not become Ready within ${READY_TIMEOUT}s:"
    kubectl_admin -n "${NAMESPACE}" get "${name}" -o jsonpath='{range .status.conditions[*]}  {.type}={.status} {.reason} {.message}{"\n"}{end}'
    return 1
  fi
  step "${name#*/} is Ready"
  kubectl_admin -n "${NAMESPACE}" get kmm
  echo
  kubectl_admin -n "${NAMESPACE}" get deployment,pods -l strimzi.io/kind=KafkaMirrorMaker -o wide
  cat <<EOF

Try (in another terminal):
  bin/kubectl --kubeconfig ${ADMIN_KUBECONFIG} -n ${NAMESPACE} scale kmm/${name#*/} --replicas=2
  bin/kubectl --kubeconfig ${ADMIN_KUBECONFIG} -n ${NAMESPACE} get kmm,deployment,pods
  bin/kubectl --kubeconfig ${ADMIN_KUBECONFIG} -n ${NAMESPACE} describe kmm/${name#*/}
  curl -s http://127.0.0.1:${port}/metrics | grep strimzi_
(Pods are simulated by kwok: no container runs.) Press Ctrl-C to stop the operator.

EOF
}
show_example &
pids+=($!)

step "4/4 Running the operator: ${BINARY} run --kubeconfig ${OPERATOR_KUBECONFIG} --watch-namespaces ${WATCH} (Ctrl-C stops it)"
rc=0
"${BINARY}" run --kubeconfig "${OPERATOR_KUBECONFIG}" --watch-namespaces "${WATCH}" \
  --http-address "127.0.0.1:${port}" "$@" || rc=$?
cleanup
echo
say "operator stopped (exit code ${rc}). The cluster is still up:"
say "  bin/kubectl --kubeconfig ${ADMIN_KUBECONFIG} get kmm -A"
say "  make cluster-down (hack/cluster/cluster.sh down) stops it"
exit "${rc}"
