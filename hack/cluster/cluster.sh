#!/usr/bin/env bash
# Local Kubernetes control plane for development and end-to-end tests (see hack/cluster/README.md).
#
#   hack/cluster/cluster.sh up       start (builds missing binaries first); returns at once if already healthy
#   hack/cluster/cluster.sh down     stop the recorded processes and delete the cluster state
#   hack/cluster/cluster.sh status   show processes and health; exit 0 only when healthy
#   hack/cluster/cluster.sh restart-kwok   re-write the kwok stage directory and restart kwok
#   hack/cluster/cluster.sh load-images    load the images of .local/images (make images) into the real node
#
# The control plane runs as plain local processes on 127.0.0.1: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok, which simulates one node (kwok-node-0) and the
# lifecycle of the pods scheduled to it (their containers never run). Next to it, node.sh starts
# a real node (kmm-node: kubelet, kube-proxy, containerd, runc) for the pods that ask for it.
#
# All component flags live in the start_* functions below. State lives in .local/ at the repo root:
#   .local/logs/<component>.log   .local/pids/<component>.pid   .local/certs/   .local/etcd/
#   .local/kwok/stages/*.yaml     .local/kubeconfig (admin)     .local/operator.kubeconfig (user kmm-operator)
#
# Environment overrides:
#   KMM_ETCD_PORT (2379) KMM_ETCD_PEER_PORT (2380) KMM_APISERVER_PORT (6443)
#   KMM_KCM_PORT (10257) KMM_SCHEDULER_PORT (10259) KMM_KWOK_PORT (10247)
#   KMM_CRD_DIR (artifacts/crds)        every *.yaml there is applied at `up`, then waited on until Established
#   KMM_INSTALL_DIR (artifacts/install) RBAC manifests applied at `up`
#   KMM_KWOK_EXTRA_STAGES_DIR           optional directory of extra kwok Stage *.yaml files
#   KMM_UP_TIMEOUT (120)                seconds to wait for each readiness step
#   KMM_REAL_NODE (1)                   0: no real node (see node.sh for its own variables)
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="${ROOT_DIR}/hack/cluster"
BIN_DIR="${ROOT_DIR}/bin"
STATE_DIR="${ROOT_DIR}/.local"
LOG_DIR="${STATE_DIR}/logs"
PID_DIR="${STATE_DIR}/pids"
CERT_DIR="${STATE_DIR}/certs"
ETCD_DIR="${STATE_DIR}/etcd"
KWOK_STAGES_DIR="${STATE_DIR}/kwok/stages"
CLUSTER_ENV="${STATE_DIR}/cluster.env"          # ports of the running cluster
ADMIN_KUBECONFIG="${STATE_DIR}/kubeconfig"
OPERATOR_KUBECONFIG="${STATE_DIR}/operator.kubeconfig"

CRD_DIR="${KMM_CRD_DIR:-${ROOT_DIR}/artifacts/crds}"
INSTALL_DIR="${KMM_INSTALL_DIR:-${ROOT_DIR}/artifacts/install}"
UP_TIMEOUT="${KMM_UP_TIMEOUT:-120}"

NODE_NAME="kwok-node-0"
OPERATOR_USER="kmm-operator"
OPERATOR_CLUSTERROLE="kmm-operator"
# Start order; `down` stops in reverse order.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwok-stages keygen)

# shellcheck source=hack/cluster/node.sh
source "${CLUSTER_DIR}/node.sh"

log() { echo "cluster: $*"; }
die() { echo "cluster: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Ports: from the running cluster's record if there is one, else from the environment.
load_ports() {
  unset ETCD_PORT ETCD_PEER_PORT APISERVER_PORT KCM_PORT SCHEDULER_PORT KWOK_PORT
  if [[ -f "${CLUSTER_ENV}" ]]; then
    # shellcheck disable=SC1090
    source "${CLUSTER_ENV}"
  fi
  ETCD_PORT="${ETCD_PORT:-${KMM_ETCD_PORT:-2379}}"
  ETCD_PEER_PORT="${ETCD_PEER_PORT:-${KMM_ETCD_PEER_PORT:-2380}}"
  APISERVER_PORT="${APISERVER_PORT:-${KMM_APISERVER_PORT:-6443}}"
  KCM_PORT="${KCM_PORT:-${KMM_KCM_PORT:-10257}}"
  SCHEDULER_PORT="${SCHEDULER_PORT:-${KMM_SCHEDULER_PORT:-10259}}"
  KWOK_PORT="${KWOK_PORT:-${KMM_KWOK_PORT:-10247}}"
}

save_ports() {
  cat >"${CLUSTER_ENV}" <<EOF
ETCD_PORT=${ETCD_PORT}
ETCD_PEER_PORT=${ETCD_PEER_PORT}
APISERVER_PORT=${APISERVER_PORT}
KCM_PORT=${KCM_PORT}
SCHEDULER_PORT=${SCHEDULER_PORT}
KWOK_PORT=${KWOK_PORT}
EOF
}

# port_in_use <port>: true when something accepts TCP connections on 127.0.0.1:<port>.
port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_ports_free() {
  local spec port name var busy=0
  for spec in "${ETCD_PORT}:etcd client:KMM_ETCD_PORT" "${ETCD_PEER_PORT}:etcd peer:KMM_ETCD_PEER_PORT" \
    "${APISERVER_PORT}:kube-apiserver:KMM_APISERVER_PORT" "${KCM_PORT}:kube-controller-manager:KMM_KCM_PORT" \
    "${SCHEDULER_PORT}:kube-scheduler:KMM_SCHEDULER_PORT" "${KWOK_PORT}:kwok:KMM_KWOK_PORT"; do
    IFS=: read -r port name var <<<"${spec}"
    if port_in_use "${port}"; then
      echo "cluster: ERROR: port ${port} (${name}) is already in use by another process on this machine;" \
        "stop that process or choose another port with ${var}=<port>" >&2
      busy=1
    fi
  done
  [[ ${busy} -eq 0 ]] || exit 1
}

# ---------------------------------------------------------------------------------------------
# Processes. A pid file holds the pid of the component binary itself (not of a wrapper).
pid_of() { [[ -f "${PID_DIR}/$1.pid" ]] && cat "${PID_DIR}/$1.pid"; }

# running <pid>: the process exists and is not a zombie (an exited component stays a zombie
# until init reaps it, as it is no child of ours).
running() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0 # no /proc: trust kill -0
  stat="${stat##*) }"
  [[ "${stat:0:1}" != "Z" ]]
}

# alive <component>: the recorded pid is running and is still our binary (guards against pid reuse).
alive() {
  local pid exe
  pid="$(pid_of "$1")" || return 1
  [[ -n "${pid}" ]] && running "${pid}" || return 1
  exe="$(readlink "/proc/${pid}/exe" 2>/dev/null || true)"
  [[ -z "${exe}" || "${exe}" == "$(exe_of "$1")"* ]]
}

# spawn <component> <args...>: start the component's binary (exe_of) in its own session, in the
# background.
spawn() {
  local name="$1" exe; shift
  exe="$(exe_of "${name}")"
  mkdir -p "${LOG_DIR}" "${PID_DIR}"
  echo "==== $(date -u +%FT%TZ) starting ${name} $*" >>"${LOG_DIR}/${name}.log"
  # setsid: the component must not get the terminal's Ctrl-C / hang-up once `up` has returned.
  # (setsid only forks when it is a process-group leader, which a background job of a
  # non-interactive shell is not, so $! is the component's own pid.)
  # (9>&-: the component must not inherit the lock held by this script, see lock())
  setsid "${exe}" "$@" >>"${LOG_DIR}/${name}.log" 2>&1 </dev/null 9>&- &
  local pid=$! i
  echo "${pid}" >"${PID_DIR}/${name}.pid"
  # Until the exec of the component, /proc/<pid>/exe is still bash or setsid; `alive` would
  # take that for a reused pid, so wait for the exec (bounded).
  for ((i = 0; i < 100; i++)); do
    [[ "$(readlink "/proc/${pid}/exe" 2>/dev/null)" == "${exe}"* ]] && return 0
    running "${pid}" || return 0 # exited already: the caller's wait_for reports it with the log
    sleep 0.05
  done
}

log_tail() {
  local name="$1" f="${LOG_DIR}/$1.log"
  if [[ -f "${f}" ]]; then
    echo "---- last 25 lines of ${f#"${ROOT_DIR}"/} ----" >&2
    tail -n 25 "${f}" >&2
    echo "----" >&2
  fi
}

# wait_for <description> <component whose log to show on failure> <command...>
wait_for() {
  local what="$1" comp="$2"; shift 2
  local deadline=$((SECONDS + UP_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "${comp}" ]] && ! alive "${comp}"; then
      echo "cluster: ERROR: ${comp} exited while waiting for ${what}" >&2
      log_tail "${comp}"
      echo "cluster: logs are in ${LOG_DIR#"${ROOT_DIR}"/}/; run 'hack/cluster/cluster.sh down' to clean up" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "cluster: ERROR: timed out after ${UP_TIMEOUT}s waiting for ${what}" >&2
      [[ -n "${comp}" ]] && log_tail "${comp}"
      echo "cluster: logs are in ${LOG_DIR#"${ROOT_DIR}"/}/; run 'hack/cluster/cluster.sh down' to clean up" >&2
      exit 1
    fi
    sleep 0.5
  done
}

kubectl_admin() { "${BIN_DIR}/kubectl" --kubeconfig "${ADMIN_KUBECONFIG}" "$@"; }

# http_ok <port> <path>: plain-HTTP GET on 127.0.0.1 answered with 200 (bash only, no curl needed).
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

# https_healthz <port>: GET /healthz of a component's secure port (always allowed without authn).
https_healthz() {
  # (a dummy token keeps kubectl from prompting for credentials)
  [[ "$("${BIN_DIR}/kubectl" --kubeconfig=/dev/null --server="https://127.0.0.1:$1" --token=healthz \
    --insecure-skip-tls-verify=true --request-timeout=5s get --raw /healthz </dev/null 2>/dev/null)" == "ok" ]]
}

apiserver_ready() { [[ "$(kubectl_admin --request-timeout=5s get --raw /readyz 2>/dev/null)" == "ok" ]]; }
etcd_ready() { http_ok "${ETCD_PORT}" /health; }
kwok_ready() { http_ok "${KWOK_PORT}" /healthz; }
node_ready() {
  [[ "$(kubectl_admin get node "${NODE_NAME}" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == "True" ]]
}
# node-lifecycle lifts the node.kubernetes.io/not-ready taint that admission puts on new nodes;
# until then nothing schedules.
node_untainted() {
  local taints
  taints="$(kubectl_admin get node "${NODE_NAME}" -o jsonpath='{.spec.taints[*].key}')" || return 1
  [[ "${taints}" != *node.kubernetes.io/not-ready* && "${taints}" != *node.kubernetes.io/unreachable* ]]
}
crds_established() {
  local n
  for n in "$@"; do
    [[ "$(kubectl_admin get "${n}" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" == "True" ]] \
      || return 1
  done
}
default_sa_exists() { kubectl_admin -n default get serviceaccount default; }

# ---------------------------------------------------------------------------------------------
# Certificates, tokens, kubeconfigs.
random_token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

write_kubeconfig() {
  local file="$1" user="$2" token="$3"
  # ca.crt is the CA of the API server's self-signed serving certificate (see extract_apiserver_ca).
  cat >"${file}" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kmm-local
  cluster:
    server: https://127.0.0.1:${APISERVER_PORT}
    certificate-authority: ${CERT_DIR}/ca.crt
users:
- name: ${user}
  user:
    token: ${token}
contexts:
- name: kmm-local-${user}
  context:
    cluster: kmm-local
    user: ${user}
    namespace: default
current-context: kmm-local-${user}
EOF
  chmod 600 "${file}"
}

prepare_state() {
  mkdir -p "${LOG_DIR}" "${PID_DIR}" "${CERT_DIR}" "${ETCD_DIR}"
  chmod 700 "${CERT_DIR}" "${ETCD_DIR}"
  "${BIN_DIR}/keygen" "${CERT_DIR}/sa.key" "${CERT_DIR}/sa.pub"
  local admin_token operator_token
  admin_token="$(random_token)"
  operator_token="$(random_token)"
  # token,user,uid[,"groups"]: admin is in system:masters; the operator has no groups
  # (apart from system:authenticated, which every authenticated user gets), so only its
  # ClusterRoleBinding grants it anything.
  {
    echo "${admin_token},admin,admin,system:masters"
    echo "${operator_token},${OPERATOR_USER},${OPERATOR_USER}"
  } >"${CERT_DIR}/tokens.csv"
  chmod 600 "${CERT_DIR}/tokens.csv"
  write_kubeconfig "${ADMIN_KUBECONFIG}" admin "${admin_token}"
  write_kubeconfig "${OPERATOR_KUBECONFIG}" "${OPERATOR_USER}" "${operator_token}"
}

# With --cert-dir, kube-apiserver self-signs its serving certificate (for 127.0.0.1, localhost and
# the service IP) at start-up: apiserver.crt holds the serving certificate followed by the CA that
# signed it. The CA alone goes to ca.crt, the trust anchor of the kubeconfigs and of
# kube-controller-manager's --root-ca-file (published as kube-root-ca.crt).
apiserver_cert_written() { [[ "$(grep -c 'END CERTIFICATE' "${CERT_DIR}/apiserver.crt" 2>/dev/null)" -ge 2 ]]; }
extract_apiserver_ca() {
  awk '/BEGIN CERTIFICATE/ { n++ } n >= 2' "${CERT_DIR}/apiserver.crt" >"${CERT_DIR}/ca.crt"
  grep -q 'END CERTIFICATE' "${CERT_DIR}/ca.crt" || die "no CA certificate found in ${CERT_DIR}/apiserver.crt"
}

# kwok stages: kwok's own embedded stages (written by bin/kwok-stages from the kwok module, so
# they always match the kwok version), then the repo's extra stages (hack/cluster/stages), then
# the optional KMM_KWOK_EXTRA_STAGES_DIR. kwok gets one --config per file.
write_kwok_stages() {
  rm -rf "${KWOK_STAGES_DIR}"
  mkdir -p "${KWOK_STAGES_DIR}"
  "${BIN_DIR}/kwok-stages" "${KWOK_STAGES_DIR}"
  local f
  for f in "${CLUSTER_DIR}"/stages/*.yaml ${KMM_KWOK_EXTRA_STAGES_DIR:+"${KMM_KWOK_EXTRA_STAGES_DIR}"/*.yaml}; do
    [[ -f "${f}" ]] && cp "${f}" "${KWOK_STAGES_DIR}/"
  done
  return 0
}

# ---------------------------------------------------------------------------------------------
# Components: all flags are here.
start_etcd() {
  spawn etcd \
    --data-dir="${ETCD_DIR}" \
    --listen-client-url="http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-url="http://127.0.0.1:${ETCD_PEER_PORT}" \
    --log-level=warn
}

start_kube_apiserver() {
  # With the real node, the API server is advertised (the `kubernetes` Service's endpoint, a SAN of
  # its certificate) on the node address, and calls kubelet there.
  local advertise=()
  real_node_enabled && advertise=(--advertise-address="${NODE_IP}" --kubelet-preferred-address-types=InternalIP)
  spawn kube-apiserver \
    --etcd-servers="http://127.0.0.1:${ETCD_PORT}" \
    --bind-address=127.0.0.1 \
    --secure-port="${APISERVER_PORT}" \
    --cert-dir="${CERT_DIR}" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="${CERT_DIR}/sa.pub" \
    --service-account-signing-key-file="${CERT_DIR}/sa.key" \
    --token-auth-file="${CERT_DIR}/tokens.csv" \
    --authorization-mode=RBAC \
    --service-cluster-ip-range=10.0.0.0/24 \
    ${advertise[@]+"${advertise[@]}"} \
    --profiling=false
}

start_kube_controller_manager() {
  # nodelifecycle must stay on (it lifts the not-ready taint of new nodes); the garbage collector,
  # deployment and replicaset controllers are part of "*". Unknown controller names make it exit.
  spawn kube-controller-manager \
    --kubeconfig="${ADMIN_KUBECONFIG}" \
    --leader-elect=false \
    --controllers='*,-nodeipam,-persistentvolume-binder,-attachdetach' \
    --service-account-private-key-file="${CERT_DIR}/sa.key" \
    --root-ca-file="${CERT_DIR}/ca.crt" \
    --bind-address=127.0.0.1 \
    --secure-port="${KCM_PORT}" \
    --profiling=false
}

start_kube_scheduler() {
  spawn kube-scheduler \
    --kubeconfig="${ADMIN_KUBECONFIG}" \
    --leader-elect=false \
    --bind-address=127.0.0.1 \
    --secure-port="${SCHEDULER_PORT}" \
    --profiling=false
}

# kwok renews the node's Lease (--node-lease-duration-seconds); without it node-lifecycle marks
# the node Unknown after ~50 s and every pod on it NotReady for good.
start_kwok() {
  local configs=() f
  for f in "${KWOK_STAGES_DIR}"/*.yaml; do
    configs+=("--config=${f}")
  done
  spawn kwok \
    --kubeconfig="${ADMIN_KUBECONFIG}" \
    "${configs[@]}" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --manage-nodes-with-label-selector= \
    --node-lease-duration-seconds=40 \
    --server-address="127.0.0.1:${KWOK_PORT}"
}

create_node() {
  kubectl_admin apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: ${NODE_NAME}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: ${NODE_NAME}
    type: kwok
EOF
}

# ---------------------------------------------------------------------------------------------
# Manifests: CRDs, the operator's RBAC and its binding to the kmm-operator token user.
apply_crds() {
  [[ -d "${CRD_DIR}" ]] || { log "no CRD directory ${CRD_DIR#"${ROOT_DIR}"/}, skipping CRDs"; return 0; }
  local files=("${CRD_DIR}"/*.yaml)
  [[ -f "${files[0]}" ]] || { log "no CRDs in ${CRD_DIR#"${ROOT_DIR}"/}, skipping CRDs"; return 0; }
  # Apply, then wait on every CRD those files define (not on CRDs created by others).
  local names f args=()
  for f in "${files[@]}"; do args+=(-f "${f}"); done
  names="$(kubectl_admin apply --server-side --force-conflicts --field-manager=kmm-cluster-sh \
    "${args[@]}" -o name)" || die "applying the CRDs in ${CRD_DIR} failed"
  names="$(grep '^customresourcedefinition' <<<"${names}" || true)"
  if [[ -n "${names}" ]]; then
    # (polled here: `kubectl wait` fails at once on a CRD that has no status.conditions yet)
    # shellcheck disable=SC2086
    wait_for "CRDs to be Established" kube-apiserver crds_established ${names}
    log "CRDs installed and Established: $(echo ${names//customresourcedefinition.apiextensions.k8s.io\//})"
  fi
}

apply_rbac() {
  local files=("${INSTALL_DIR}"/*.yaml) f args=()
  if [[ -f "${files[0]}" ]]; then
    for f in "${files[@]}"; do args+=(-f "${f}"); done
    kubectl_admin apply --server-side --force-conflicts --field-manager=kmm-cluster-sh "${args[@]}" >/dev/null \
      || die "applying ${INSTALL_DIR} failed"
  else
    log "no manifests in ${INSTALL_DIR#"${ROOT_DIR}"/}"
  fi
  # The binding to the token user is a local-cluster concern, so it is not in artifacts/install.
  kubectl_admin apply --server-side --force-conflicts --field-manager=kmm-cluster-sh -f - >/dev/null <<EOF \
    || die "creating the ClusterRoleBinding for user ${OPERATOR_USER} failed"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kmm-operator-local-user
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ${OPERATOR_CLUSTERROLE}
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: ${OPERATOR_USER}
EOF
}

# ---------------------------------------------------------------------------------------------
healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do alive "${c}" || return 1; done
  [[ -f "${ADMIN_KUBECONFIG}" && -f "${OPERATOR_KUBECONFIG}" ]] || return 1
  apiserver_ready && node_ready || return 1
  ! real_node_enabled || node_healthy
}

any_alive() {
  local c
  for c in "${COMPONENTS[@]}" "${NODE_COMPONENTS[@]}"; do alive "${c}" && return 0; done
  return 1
}

print_summary() {
  local rel="${STATE_DIR#"${ROOT_DIR}"/}"
  cat <<EOF
cluster: up at https://127.0.0.1:${APISERVER_PORT} (node ${NODE_NAME} is simulated by kwok$(real_node_enabled && echo "; node ${REAL_NODE_NAME} is real, for pods tolerating ${REAL_NODE_LABEL}"))
  admin kubeconfig:     ${rel}/kubeconfig           e.g. bin/kubectl --kubeconfig ${rel}/kubeconfig get nodes
  operator kubeconfig:  ${rel}/operator.kubeconfig  (user ${OPERATOR_USER}, ClusterRole ${OPERATOR_CLUSTERROLE} only)
  logs:                 ${rel}/logs/<component>.log
  stop:                 hack/cluster/cluster.sh down
EOF
}

cmd_up() {
  load_ports
  if healthy; then
    log "already up and healthy"
    apply_crds
    apply_rbac
    print_summary
    return 0
  fi
  if any_alive || [[ -d "${PID_DIR}" ]]; then
    log "found an incomplete or unhealthy cluster; stopping it and starting from scratch"
    cmd_down
    load_ports
  fi

  command -v setsid >/dev/null 2>&1 || die "'setsid' (util-linux) is required"
  local start=${SECONDS}
  check_ports_free
  "${ROOT_DIR}/hack/tools/build.sh" "${TOOLS[@]}"
  if real_node_enabled; then
    node_prereqs
    node_net_up
    # The images to load (make images), unless KMM_IMAGES_DIR names a directory of built ones.
    [[ -n "${KMM_IMAGES_DIR:-}" ]] || "${ROOT_DIR}/hack/images.sh"
  fi

  # Fresh state for everything the cluster owns (other .local/ content is left alone).
  rm -rf "${LOG_DIR}" "${PID_DIR}" "${CERT_DIR}" "${ETCD_DIR}" "${STATE_DIR}/kwok" \
    "${ADMIN_KUBECONFIG}" "${OPERATOR_KUBECONFIG}" "${CLUSTER_ENV}"
  prepare_state
  save_ports
  write_kwok_stages

  log "starting etcd on 127.0.0.1:${ETCD_PORT}"
  start_etcd
  wait_for "etcd to be healthy" etcd etcd_ready

  log "starting kube-apiserver on 127.0.0.1:${APISERVER_PORT}"
  start_kube_apiserver
  wait_for "kube-apiserver's serving certificate" kube-apiserver apiserver_cert_written
  extract_apiserver_ca
  wait_for "kube-apiserver /readyz" kube-apiserver apiserver_ready

  log "starting kube-controller-manager, kube-scheduler and kwok"
  start_kube_controller_manager
  start_kube_scheduler
  start_kwok
  wait_for "kube-controller-manager /healthz" kube-controller-manager https_healthz "${KCM_PORT}"
  wait_for "kube-scheduler /healthz" kube-scheduler https_healthz "${SCHEDULER_PORT}"
  wait_for "kwok /healthz" kwok kwok_ready

  log "creating node ${NODE_NAME}"
  create_node
  wait_for "node ${NODE_NAME} to be Ready" kwok node_ready
  wait_for "node ${NODE_NAME} to lose its not-ready taint (node-lifecycle controller)" kube-controller-manager node_untainted
  wait_for "the default ServiceAccount" kube-controller-manager default_sa_exists

  real_node_enabled && node_up

  apply_crds
  apply_rbac
  log "ready in $((SECONDS - start))s"
  print_summary
}

# stop_component <component>: TERM, wait up to 10 s, then KILL.
stop_component() {
  local name="$1" pid i
  alive "${name}" || return 0
  pid="$(pid_of "${name}")"
  kill -TERM "${pid}" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    running "${pid}" || { log "stopped ${name} (pid ${pid})"; return 0; }
    sleep 0.1
  done
  log "${name} (pid ${pid}) did not stop within 10s; killing it"
  kill -KILL "${pid}" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    running "${pid}" || return 0
    sleep 0.1
  done
  echo "cluster: WARNING: ${name} (pid ${pid}) is still running" >&2
}

cmd_down() {
  local i
  node_down
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "${COMPONENTS[i]}"
  done
  for i in "${COMPONENTS[@]}"; do
    if alive "${i}"; then
      die "${i} (pid $(pid_of "${i}")) is still running; state in ${STATE_DIR} kept"
    fi
  done
  rm -rf "${LOG_DIR}" "${PID_DIR}" "${CERT_DIR}" "${ETCD_DIR}" "${STATE_DIR}/kwok" \
    "${ADMIN_KUBECONFIG}" "${OPERATOR_KUBECONFIG}" "${CLUSTER_ENV}"
  log "down (cluster state under ${STATE_DIR#"${ROOT_DIR}"/}/ removed)"
}

cmd_status() {
  load_ports
  local c ok=0 components=("${COMPONENTS[@]}")
  real_node_enabled && components+=("${NODE_COMPONENTS[@]}")
  for c in "${components[@]}"; do
    if alive "${c}"; then
      printf '  %-24s running (pid %s)\n' "${c}" "$(pid_of "${c}")"
    else
      printf '  %-24s not running\n' "${c}"
      ok=1
    fi
  done
  if [[ -f "${ADMIN_KUBECONFIG}" ]] && apiserver_ready; then
    printf '  %-24s ok (https://127.0.0.1:%s)\n' "apiserver /readyz" "${APISERVER_PORT}"
    if node_ready; then
      printf '  %-24s Ready\n' "node ${NODE_NAME}"
    else
      printf '  %-24s not Ready\n' "node ${NODE_NAME}"
      ok=1
    fi
    if real_node_enabled; then
      if real_node_ready; then
        printf '  %-24s Ready\n' "node ${REAL_NODE_NAME}"
      else
        printf '  %-24s not Ready\n' "node ${REAL_NODE_NAME}"
        ok=1
      fi
    fi
  else
    printf '  %-24s not ready\n' "apiserver /readyz"
    ok=1
  fi
  if [[ ${ok} -eq 0 ]]; then log "healthy"; else log "not healthy"; fi
  return ${ok}
}

cmd_load_images() {
  load_ports
  real_node_enabled && alive containerd || die "the real node is not running (hack/cluster/cluster.sh up)"
  import_images
}

cmd_restart_kwok() {
  load_ports
  alive kube-apiserver || die "the cluster is not up"
  "${ROOT_DIR}/hack/tools/build.sh" kwok kwok-stages
  stop_component kwok
  write_kwok_stages
  start_kwok
  wait_for "kwok /healthz" kwok kwok_ready
  log "kwok restarted with stages: $(cd "${KWOK_STAGES_DIR}" && echo *.yaml)"
}

# up/down/restart-kwok hold a lock, so that concurrent callers (e.g. test packages run in
# parallel by `go test ./...`) wait for one another instead of starting two clusters.
lock() {
  mkdir -p "${STATE_DIR}"
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"${STATE_DIR}/cluster.lock"
  if ! flock -n 9; then
    log "waiting for another hack/cluster/cluster.sh to finish..."
    flock -w 1800 9 || die "timed out waiting for the lock ${STATE_DIR}/cluster.lock"
  fi
}

case "${1:-}" in
  up) lock; cmd_up ;;
  down) lock; load_ports; cmd_down ;;
  status) cmd_status ;;
  restart-kwok) lock; cmd_restart_kwok ;;
  load-images) lock; cmd_load_images ;;
  *)
    echo "usage: $0 up|down|status|restart-kwok|load-images" >&2
    exit 2
    ;;
esac
