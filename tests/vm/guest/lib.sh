# Helpers for VM-tier guest scripts. Source it first:
#   . "$VM_LIB"
# The guest is a throwaway machine that runs one script, so namespaces,
# bridges and veths need no unique prefixes and no cleanup: the guest powers
# off when the script ends. Paths: $VM_SRC (source tree, read-only),
# $VM_BUILD (build directory, read-write), /host (host root, read-only).
set -Eeuo pipefail
# With set -e a failing command ends the script silently: say which one.
trap 'echo "FAIL: ${BASH_SOURCE[0]}:$LINENO: $BASH_COMMAND exited $?" >&2' ERR

vm_log() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }
vm_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# vm_load_ipvs: loads IPVS and every scheduler/helper module the guest
# kernel ships (6.1 has no ip_vs_twos: that scheduler arrived in 6.2), then
# checks that /proc/net/ip_vs appeared. libcrc32c (needed by nf_conntrack,
# which ip_vs uses) wants a crc32c provider loaded first.
vm_load_ipvs() {
  modprobe crc32c_generic
  modprobe ip_vs
  local m
  for m in /lib/modules/"$(uname -r)"/kernel/net/netfilter/ipvs/ip_vs_*.ko; do
    m=${m##*/}
    modprobe "${m%.ko}" || vm_fail "cannot load ${m%.ko}"
  done
  [[ -e /proc/net/ip_vs ]] || vm_fail "ip_vs loaded but /proc/net/ip_vs is missing"
}

# vm_host_run PROGRAM [ARGS...]: runs a host-built binary (e.g. from
# $VM_BUILD/bin) with the host's shared libraries from /host, so it needs
# nothing from the image but the dynamic loader (the image's loader is the
# host's, copied when the image was built; the image is rebuilt when the
# host's libc changes).
vm_host_libs=/host/usr/lib/x86_64-linux-gnu:/host/lib/x86_64-linux-gnu
vm_host_run() { LD_LIBRARY_PATH=$vm_host_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$@"; }

# vm_host_chroot PROGRAM [ARGS...]: runs PROGRAM chrooted into the host root
# (for host tools the image lacks: keepalived, python3, tcpdump ...). The
# guest's /proc, /sys, /dev, /run and /tmp are bound in on first use; the
# source and build trees are visible at their usual paths.
vm_host_chroot() {
  local d
  if ! grep -q ' /host/proc ' /proc/mounts; then
    for d in proc sys dev run tmp; do mount --rbind "/$d" "/host/$d"; done
  fi
  chroot /host "$@"
}

vm_nsx() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}
# vm_ns NAME...: creates network namespaces with loopback up.
vm_ns() {
  local ns
  for ns; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
}
# vm_veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces
# ("-" for the root namespace; ADDR "-" for none), both ends up.
vm_veth() {
  local tmp="vmv$RANDOM"
  ip link add "$tmp.a" type veth peer name "$tmp.b"
  _vm_place "$1" "$tmp.a" "$2" "$3"
  _vm_place "$4" "$tmp.b" "$5" "$6"
}
_vm_place() { # NS TMPNAME NAME ADDR
  local ipn=(ip)
  if [[ $1 != - ]]; then
    ip link set "$2" netns "$1"
    ipn=(ip -n "$1")
  fi
  "${ipn[@]}" link set "$2" name "$3"
  [[ $4 == - ]] || "${ipn[@]}" addr add "$4" dev "$3"
  "${ipn[@]}" link set "$3" up
}
# vm_bridge NAME: a bridge in the root namespace, up.
vm_bridge() {
  ip link add "$1" type bridge
  ip link set "$1" up
}
# vm_attach NS IF ADDR BRIDGE: plugs NS into BRIDGE with interface IF/ADDR;
# the root-namespace end is called NS-IF (vm_unplug NS IF pulls it out).
vm_attach() {
  vm_veth "$1" "$2" "$3" - "$1-$2" -
  ip link set "$1-$2" master "$4"
}
vm_unplug() { ip link set "$1-$2" nomaster; }

# vm_wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it
# succeeds; fails after SECONDS.
vm_wait_for() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.1
  done
}

# vm_gtest BINARY FILTER [ARGS...]: runs a host-built gtest binary (e.g.
# "$VM_BUILD/bin/integration_tests") on the guest kernel with a test filter.
# Fails when the binary fails, when the filter matched no test, or when any
# matched test skipped itself: a test that skips where its kernel feature
# is missing must not pass silently in the guest, which has it.
vm_gtest() {
  local bin=$1 filter=$2 out rc=0
  shift 2
  [[ -x $bin ]] || vm_fail "$bin not built"
  out=$(vm_host_run "$bin" --gtest_filter="$filter" --gtest_color=no "$@" 2>&1) || rc=$?
  echo "$out"
  ((rc == 0)) || vm_fail "$bin --gtest_filter=$filter exited $rc"
  grep -q '^\[  PASSED  \] [1-9]' <<<"$out" || vm_fail "$bin: filter $filter ran no test"
  ! grep -q '^\[  SKIPPED \]' <<<"$out" || vm_fail "$bin: tests skipped in the guest"
}
