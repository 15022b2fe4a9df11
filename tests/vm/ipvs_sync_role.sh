# lvs_sync_daemon follows the VRRP role (doc/dataplane.md): two vigild
# directors on one bridge, each in its own namespace (the kernel's sync
# daemons are per namespace). d1 alone is MASTER and runs the master sync
# daemon; d2 (higher priority) starts, takes over and runs the master daemon
# while d1 falls back to the backup daemon. d1 also proves lvs_timeouts and
# lvs_flush: the kernel's timeouts are the configured ones and a service
# left in its table before start-up is gone.
# Run: tests/vm/run tests/vm/ipvs_sync_role.sh 300
# vm-timeout: 300
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
vigild=$VM_BUILD/bin/vigild
[[ -x $vigild ]] || vm_fail "$vigild not built (build the vigild target first)"
vm_load_ipvs

vm_bridge br0
vm_ns d1 d2
vm_attach d1 eth0 10.0.0.1/24 br0
vm_attach d2 eth0 10.0.0.2/24 br0

# director NAME PRIORITY: writes /tmp/NAME/vigild.conf.
director() {
  mkdir -p "/tmp/$1"
  cat >"/tmp/$1/vigild.conf" <<CONF
global_defs {
  router_id $1
  dataplane kernel
  control_socket /tmp/$1/vigil.sock
  lvs_sync_daemon eth0 VI_1 id 7
  lvs_timeouts tcp 901 tcpfin 31 udp 301
  lvs_flush
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $2
  version 3
  advert_int 0.3
  virtual_ipaddress {
    10.0.0.100/24
  }
}
virtual_server 10.0.0.100 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.0.0.50 80 {
    weight 1
  }
}
CONF
}

# start NAME: vigild in namespace NAME, logging to /tmp/NAME/log.
start() {
  vm_nsx "$1" env LD_LIBRARY_PATH="$vm_host_libs" "$vigild" -n -l -f "/tmp/$1/vigild.conf" \
    -p "/tmp/$1/vigild.pid" -r "/tmp/$1/vrrp.pid" -c "/tmp/$1/check.pid" \
    >"/tmp/$1/log" 2>&1 &
}

# daemons NAME: the namespace's sync daemons as `ipvsadm -L --daemon` says.
daemons() { vm_nsx "$1" ipvsadm -L --daemon 2>/dev/null || true; }
# runs NAME ROLE: only the ROLE ("master" or "backup") daemon runs, on eth0
# with sync id 7.
runs() {
  local out
  out=$(daemons "$1")
  grep -q "^$2 sync daemon (mcast=eth0, syncid=7" <<<"$out" && (($(wc -l <<<"$out") == 1))
}
show() {
  local n
  for n in d1 d2; do
    echo "--- $n: ipvsadm -L --daemon"
    daemons "$n"
    echo "--- $n: log"
    tail -n 30 "/tmp/$n/log" || true
  done
}
trap 'show' EXIT

director d1 100
director d2 200
vm_nsx d1 ipvsadm -A -t 10.9.9.9:80 -s rr # must go: lvs_flush

start d1
vm_wait_for 90 runs d1 master || vm_fail "d1 alone: no master sync daemon"
vm_log "d1 MASTER: $(daemons d1)"
vm_wait_for 30 bash -c 'ip netns exec d1 ipvsadm -L --timeout | grep -q "901 31 301"' ||
  vm_fail "lvs_timeouts not applied"
vm_wait_for 30 bash -c 'ip netns exec d1 ipvsadm -Ln | grep -q 10.0.0.100:80' ||
  vm_fail "d1 did not program its virtual server"
! grep -q 10.9.9.9 <<<"$(vm_nsx d1 ipvsadm -Ln)" || vm_fail "lvs_flush left the stray service"

start d2
vm_wait_for 90 runs d2 master || vm_fail "d2 took over but runs no master sync daemon"
vm_wait_for 30 runs d1 backup || vm_fail "d1 lost MASTER but runs no backup sync daemon"
vm_log "after takeover: d1 $(daemons d1); d2 $(daemons d2)"

# Graceful stop of the new master: d2's daemons stop, d1 is master again.
kill -TERM "$(cat /tmp/d2/vigild.pid)"
vm_wait_for 30 runs d1 master || vm_fail "d1 back to MASTER without the master sync daemon"
vm_wait_for 30 bash -c '[[ -z $(ip netns exec d2 ipvsadm -L --daemon) ]]' ||
  vm_fail "d2 stopped but left a sync daemon running"
trap - EXIT
vm_log "ipvs_sync_role: ok"
