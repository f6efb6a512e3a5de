# shellcheck shell=bash
# The local cluster's real node (see hack/cluster/README.md, "The real node"): kubelet and
# kube-proxy v1.37.2 from hack/tools, Debian's containerd and runc, Debian's CNI plugins (ptp,
# host-local, loopback) and offline images. Sourced by cluster.sh, which owns the processes (spawn,
# alive, stop_component) and the order: node_net_up before kube-apiserver (it advertises the node
# address), node_up after the control plane, node_down before it stops.
#
# Everything the node adds to the host is listed here and removed by node_down:
#   - bridge kmm0 with ${NODE_IP}/32: the node's address, where the API server is advertised (a
#     forwarder, apiserver-forwarder, carries ${NODE_IP}:6443 to the API server on 127.0.0.1) and
#     where tests listen for pods (Kafka clusters for the mirrors);
#   - containerd's and kubelet's state in ${NODE_STATE_DIR} and ${NODE_RUN_DIR} (and containerd's
#     fixed shim socket directory /run/containerd/s), with every mount under them;
#   - the pods' network namespaces (cni-*), the veth pairs and routes ptp made;
#   - the cgroups kubelet and runc made (kubepods in every v1 hierarchy);
#   - the iptables chains kube-proxy and kubelet made (KUBE-*), IPv4 and IPv6;
#   - the sysctls kubelet and ptp set (saved at node_up, restored at node_down).

NODE_IP="${KMM_NODE_IP:-10.250.0.1}"
NODE_BRIDGE="kmm0"
REAL_NODE_NAME="kmm-node"
POD_CIDR="${KMM_POD_CIDR:-10.88.0.0/16}"
NODE_STATE_DIR="/var/lib/kmm-node"   # containerd root, kubelet root, pod logs, CNI state
NODE_RUN_DIR="/run/kmm-node"         # containerd state and socket, runc state
NODE_CFG_DIR="${STATE_DIR}/node"     # generated configuration, the saved sysctls
IMAGES_DIR="${KMM_IMAGES_DIR:-${STATE_DIR}/images}"
CONTAINERD_SOCK="${NODE_RUN_DIR}/containerd/containerd.sock"
NO_PULL_PROXY="http://127.0.0.1:9" # nothing listens there (see node_up)
# The label and taint that keep every pod off the real node unless it asks for it.
REAL_NODE_LABEL="node.kmm-operator.dev/real"
NODE_COMPONENTS=(containerd kubelet apiserver-forwarder kube-proxy)
NODE_TOOLS=(kubelet kube-proxy)
# Set by kubelet (protectKernelDefaults: false) and by ptp (ip_forward); restored by node_down.
NODE_SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet)
# Debian packages the node needs (installed when missing; Go modules and Debian packages only).
NODE_PACKAGES=(containerd runc containernetworking-plugins iptables socat)

# real_node_enabled: KMM_REAL_NODE=0 runs the control plane with the kwok node only.
real_node_enabled() { [[ "${KMM_REAL_NODE:-1}" != "0" ]]; }

# exe_of <component>: the binary a component runs (for spawn and the pid-reuse check in alive).
exe_of() {
  case "$1" in
    containerd) command -v containerd ;;
    apiserver-forwarder) command -v socat ;;
    *) echo "${BIN_DIR}/$1" ;;
  esac
}

ctr_node() { ctr --address "${CONTAINERD_SOCK}" --namespace k8s.io "$@"; }

node_prereqs() {
  local missing=() c
  for c in containerd runc socat iptables-save; do command -v "${c}" >/dev/null 2>&1 || missing+=("${c}"); done
  [[ -x /usr/lib/cni/ptp && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] || missing+=(cni-plugins)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ "$(id -u)" == 0 ]] || die "the real node needs root and the Debian packages ${NODE_PACKAGES[*]} (missing: ${missing[*]}); KMM_REAL_NODE=0 runs without it"
  log "installing Debian packages for the real node: ${NODE_PACKAGES[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${NODE_PACKAGES[@]}" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# The node address. A bridge with no ports is enough to hold a local address (the kernel has no
# dummy interfaces); it exists before kube-apiserver starts, which advertises it (the `kubernetes`
# Service's endpoint) and puts it in its self-signed certificate.
node_net_up() {
  ip link show "${NODE_BRIDGE}" >/dev/null 2>&1 || ip link add "${NODE_BRIDGE}" type bridge
  ip addr replace "${NODE_IP}/32" dev "${NODE_BRIDGE}"
  ip link set "${NODE_BRIDGE}" up
}

node_net_down() {
  ip link show "${NODE_BRIDGE}" >/dev/null 2>&1 && ip link del "${NODE_BRIDGE}"
  return 0
}

# ---------------------------------------------------------------------------------------------
# Configuration files (regenerated at every node_up).
write_node_config() {
  mkdir -p "${NODE_CFG_DIR}" "${NODE_STATE_DIR}/cni/net.d" "${NODE_RUN_DIR}"
  # containerd 1.6 (Debian 12). restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so no
  # process may lower its oom_score_adj, which containerd does for sandboxes by default.
  cat >"${NODE_CFG_DIR}/containerd.toml" <<EOF
version = 2
root = "${NODE_STATE_DIR}/containerd"
state = "${NODE_RUN_DIR}/containerd"
[grpc]
  address = "${CONTAINERD_SOCK}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${NODE_STATE_DIR}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10.2"
  restrict_oom_score_adj = true
  disable_hugetlb_controller = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "${NODE_RUN_DIR}/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${NODE_STATE_DIR}/cni/net.d"
    max_conf_num = 1
EOF
  # ptp: a veth pair per pod and a /32 route, no bridge and no masquerading (pods reach only the
  # node address and ClusterIPs, both on this host).
  cat >"${NODE_STATE_DIR}/cni/net.d/10-kmm-pods.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kmm-pods",
  "plugins": [
    {"type": "ptp", "ipMasq": false,
     "ipam": {"type": "host-local", "dataDir": "${NODE_STATE_DIR}/cni/networks",
              "ranges": [[{"subnet": "${POD_CIDR}"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "loopback"}
  ]
}
EOF
  cat >"${NODE_CFG_DIR}/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This host mounts cgroup v1 (hybrid), which kubelet refuses by default since 1.35.
failCgroupV1: false
# containerd 1.6 does not answer the RuntimeConfig call; kubelet 1.37 then uses this driver.
cgroupDriver: cgroupfs
cgroupsPerQOS: true
cgroupRoot: /
containerRuntimeEndpoint: unix://${CONTAINERD_SOCK}
address: ${NODE_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
# The API server calls kubelet (logs, exec, port-forward) on ${NODE_IP} only, which nothing off
# this host can reach; a test node, so no client certificates.
authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
failSwapOn: false
evictionHard: {memory.available: "100Mi"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
localStorageCapacityIsolation: false
podLogsDir: ${NODE_STATE_DIR}/pod-logs
resolvConf: /etc/resolv.conf
clusterDomain: cluster.local
maxPods: 110
registerWithTaints:
- {key: ${REAL_NODE_LABEL}, value: "true", effect: NoSchedule}
EOF
  cat >"${NODE_CFG_DIR}/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: ${ADMIN_KUBECONFIG}}
hostnameOverride: ${REAL_NODE_NAME}
mode: iptables
clusterCIDR: ${POD_CIDR}
detectLocalMode: ClusterCIDR
bindAddress: ${NODE_IP}
iptables: {localhostNodePorts: false}
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# Leave the host's conntrack sysctls alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

save_sysctls() {
  local k
  [[ -f "${NODE_CFG_DIR}/sysctl.saved" ]] && return 0 # keep the values from before the first up
  for k in "${NODE_SYSCTLS[@]}"; do
    echo "${k}=$(sysctl -n "${k}" 2>/dev/null)" >>"${NODE_CFG_DIR}/sysctl.saved"
  done
}

restore_sysctls() {
  local line
  [[ -f "${NODE_CFG_DIR}/sysctl.saved" ]] || return 0
  while IFS= read -r line; do
    [[ -n "${line#*=}" ]] && sysctl -q -w "${line}" >/dev/null 2>&1 || true
  done <"${NODE_CFG_DIR}/sysctl.saved"
  rm -f "${NODE_CFG_DIR}/sysctl.saved"
}

# ---------------------------------------------------------------------------------------------
containerd_ready() { ctr --address "${CONTAINERD_SOCK}" version; }
real_node_ready() {
  [[ "$(kubectl_admin get node "${REAL_NODE_NAME}" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == "True" ]]
}
kubernetes_service_routed() { iptables-save -t nat 2>/dev/null | grep -q 'default/kubernetes:https'; }

# import_images: every docker-archive of ${IMAGES_DIR} (make images) into containerd's CRI
# namespace; the pause image is the sandbox image, so no pod ever pulls from a registry.
import_images() {
  local f n=0
  [[ -f "${IMAGES_DIR}/pause.tar" ]] || die "no ${IMAGES_DIR#"${ROOT_DIR}"/}/pause.tar: run 'make images' first"
  for f in "${IMAGES_DIR}"/*.tar; do
    ctr_node images import --platform linux/amd64 "${f}" >/dev/null || die "importing ${f} into containerd failed"
    n=$((n + 1))
  done
  log "loaded ${n} images from ${IMAGES_DIR#"${ROOT_DIR}"/} into containerd: $(cut -d' ' -f2 "${IMAGES_DIR}/images.txt" 2>/dev/null | tr '\n' ' ')"
}

node_up() {
  node_prereqs
  "${ROOT_DIR}/hack/tools/build.sh" "${NODE_TOOLS[@]}"
  write_node_config
  save_sysctls
  local start=${SECONDS}

  log "starting containerd ($(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}'))"
  mkdir -p "${NODE_STATE_DIR}/containerd" "${NODE_RUN_DIR}/containerd"
  # The node never pulls: containerd sends every registry request to a proxy on a closed port of
  # loopback, so an image that was not loaded (make images) fails at once with ErrImagePull, with
  # no name lookup and no connection off this host.
  HTTP_PROXY="${NO_PULL_PROXY}" HTTPS_PROXY="${NO_PULL_PROXY}" NO_PROXY="" \
    spawn containerd --config "${NODE_CFG_DIR}/containerd.toml"
  wait_for "containerd" containerd containerd_ready
  import_images

  log "starting kubelet for node ${REAL_NODE_NAME} (${NODE_IP})"
  spawn kubelet \
    --config="${NODE_CFG_DIR}/kubelet.yaml" \
    --kubeconfig="${ADMIN_KUBECONFIG}" \
    --hostname-override="${REAL_NODE_NAME}" \
    --node-ip="${NODE_IP}" \
    --node-labels="${REAL_NODE_LABEL}=true" \
    --root-dir="${NODE_STATE_DIR}/kubelet" \
    --v=1
  # Pods reach the API server at the `kubernetes` Service: kube-proxy sends them to ${NODE_IP}:6443,
  # the forwarder carries that to 127.0.0.1 (the API server listens on loopback only).
  spawn apiserver-forwarder "TCP-LISTEN:${APISERVER_PORT},bind=${NODE_IP},reuseaddr,fork" "TCP:127.0.0.1:${APISERVER_PORT}"
  spawn kube-proxy --config="${NODE_CFG_DIR}/kube-proxy.yaml" --v=1
  wait_for "node ${REAL_NODE_NAME} to be Ready" kubelet real_node_ready
  wait_for "kube-proxy to route the kubernetes Service" kube-proxy kubernetes_service_routed
  log "real node ${REAL_NODE_NAME} Ready in $((SECONDS - start))s"
}

node_healthy() {
  local c
  for c in "${NODE_COMPONENTS[@]}"; do alive "${c}" || return 1; done
  real_node_ready
}

# node_remove_pods: the real node's pods, while kubelet still runs, so kubelet and containerd
# tear their sandboxes down (network namespaces, veths, mounts, cgroups) the normal way.
node_remove_pods() {
  alive kubelet && alive kube-apiserver || return 0
  kubectl_admin delete pods --all-namespaces --field-selector "spec.nodeName=${REAL_NODE_NAME}" \
    --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    ctr_node tasks ls 2>/dev/null | grep -q RUNNING || return 0
    sleep 0.5
  done
  log "pods on ${REAL_NODE_NAME} did not stop within 30s; removing what is left"
}

# remove_kube_chains <iptables-save> <iptables>: every KUBE-* chain and every rule jumping to one.
remove_kube_chains() {
  local save="$1" ipt="$2" table rule chain
  command -v "${save}" >/dev/null 2>&1 || return 0
  for table in filter nat mangle raw; do
    while IFS= read -r rule; do
      # shellcheck disable=SC2086
      [[ -n "${rule}" ]] && eval "${ipt} -t ${table} -D ${rule#-A }" 2>/dev/null || true
    done < <("${save}" -t "${table}" 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' || true)
    for chain in $("${save}" -t "${table}" 2>/dev/null | awk '/^:KUBE-/ {print substr($1, 2)}'); do
      "${ipt}" -t "${table}" -F "${chain}" 2>/dev/null || true
    done
    for chain in $("${save}" -t "${table}" 2>/dev/null | awk '/^:KUBE-/ {print substr($1, 2)}'); do
      "${ipt}" -t "${table}" -X "${chain}" 2>/dev/null || true
    done
  done
}

node_down() {
  node_remove_pods
  local c i
  for ((i = ${#NODE_COMPONENTS[@]} - 1; i >= 0; i--)); do
    c="${NODE_COMPONENTS[i]}"
    [[ "${c}" == containerd ]] && continue # after the containers it runs
    stop_component "${c}"
  done
  # Containers whose pods were not removed (kubelet gone): kill their tasks through containerd.
  if alive containerd; then
    for c in $(ctr_node tasks ls -q 2>/dev/null); do ctr_node tasks kill -s KILL "${c}" >/dev/null 2>&1 || true; done
    sleep 0.5
    for c in $(ctr_node tasks ls -q 2>/dev/null); do ctr_node tasks delete -f "${c}" >/dev/null 2>&1 || true; done
  fi
  stop_component containerd
  # shims that outlive containerd (they re-parent to init): only ours, found by their -address.
  for c in $(pgrep -f "containerd-shim-runc-v2 .*-address ${CONTAINERD_SOCK}" 2>/dev/null || true); do
    kill -KILL "${c}" 2>/dev/null || true
  done
  remove_kube_chains iptables-save iptables
  remove_kube_chains ip6tables-save ip6tables
  # Mounts under the node's directories, deepest first.
  local m
  for m in $(findmnt -rn -o TARGET 2>/dev/null | grep -E "^(${NODE_STATE_DIR}|${NODE_RUN_DIR}|/run/containerd)(/|$)" | sort -r); do
    umount -l "${m}" 2>/dev/null || true
  done
  # Pod network namespaces (named cni-<id> by containerd); deleting one deletes its veth pair.
  for m in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do ip netns del "${m}" 2>/dev/null || true; done
  # cgroups, deepest first, in every v1 hierarchy (kubelet's kubepods, and containerd's own).
  for m in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/k8s.io; do
    [[ -d "${m}" ]] && find "${m}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "${NODE_STATE_DIR}" "${NODE_RUN_DIR}" /run/containerd/s 2>/dev/null || true
  rmdir /run/containerd 2>/dev/null || true
  restore_sysctls
  node_net_down
  local left
  left="$(node_leftovers)"
  [[ -z "${left}" ]] || die "the real node left this on the host:"$'\n'"${left}"
}

# node_leftovers: what node_down should have removed and did not, one line each.
node_leftovers() {
  local c m
  for c in "${NODE_COMPONENTS[@]}"; do alive "${c}" && echo "process ${c} (pid $(pid_of "${c}"))"; done
  pgrep -f "containerd-shim-runc-v2 .*-address ${CONTAINERD_SOCK}" 2>/dev/null | sed 's/^/process containerd-shim-runc-v2 pid /'
  findmnt -rn -o TARGET 2>/dev/null | grep -E "^(${NODE_STATE_DIR}|${NODE_RUN_DIR}|/run/containerd)(/|$)" | sed 's/^/mount /'
  ip netns list 2>/dev/null | awk '/^cni-/ {print "network namespace " $1}'
  ip link show "${NODE_BRIDGE}" >/dev/null 2>&1 && echo "interface ${NODE_BRIDGE}"
  for m in /sys/fs/cgroup/*/kubepods; do [[ -d "${m}" ]] && echo "cgroup ${m}"; done
  for c in iptables-save ip6tables-save; do
    command -v "${c}" >/dev/null 2>&1 && "${c}" 2>/dev/null | grep -E '^:KUBE-' | sed "s/^:/${c%-save} chain /; s/ .*\[.*//"
  done
  for m in "${NODE_STATE_DIR}" "${NODE_RUN_DIR}"; do [[ -e "${m}" ]] && echo "directory ${m}"; done
  return 0
}
