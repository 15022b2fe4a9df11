# shellcheck shell=bash
# What a stopping vigild leaves in the kernel's IPVS table (keepalived's
# rule, keepalived.conf(5) lvs_flush_on_stop): by default, and with
# `lvs_flush_on_stop VS`, it removes only the virtual servers it configured,
# so services added by ipvsadm before it started and while it ran survive;
# with `lvs_flush_on_stop` (no argument) the whole table is flushed. One
# vigild per case in namespace d: a service it does not manage is added with
# ipvsadm before it starts (its first sync must leave it alone), another once
# its own services are in the kernel, vigild gets SIGTERM, and `ipvsadm -Ln`
# is read after it has exited. About 25 s in the guest (50 s on a loaded host).
# Run: tests/vm/run tests/vm/ipvs_flush_on_stop.sh 150
# vm-timeout: 150
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
vigild=$VM_BUILD/bin/vigild
[[ -x $vigild ]] || vm_fail "$vigild not built (build the vigild target first)"
vm_load_ipvs
vm_ns d

# conf OPTION: the configuration with OPTION in global_defs (may be empty).
conf() {
  cat <<CONF
global_defs {
  router_id flush_on_stop
  dataplane kernel
  $1
}
virtual_server 10.0.0.100 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.0.0.50 80 {
    weight 1
  }
}
virtual_server 10.0.0.101 53 {
  lb_algo wlc
  lb_kind DR
  protocol UDP
  real_server 10.0.0.51 53 {
    weight 2
  }
}
CONF
}

# The table without its 3 title lines and ipvsadm's trailing blanks.
table() { vm_nsx d ipvsadm -Ln 2>/dev/null | tail -n +4 | sed 's/ *$//'; }
# grep -c exits 1 on no match: "|| true" keeps the ERR trap (set -E) quiet.
ours_programmed() {
  local t
  t=$(table) || return 1
  [[ $(grep -c -e '10\.0\.0\.100:80' -e '10\.0\.0\.101:53' <<<"$t" || true) == 2 ]]
}
gone() { ! kill -0 "$1" 2>/dev/null; }

# stop_case OPTION EXPECTED: a service vigild does not manage is added with
# ipvsadm, vigild runs with OPTION until its own services are in the kernel
# (the first service must still be there), another foreign one is added,
# vigild gets SIGTERM, and once it has exited the table must be EXPECTED.
stop_case() {
  local option=$1 expected=$2 pid after rc=0
  vm_nsx d ipvsadm -C
  vm_nsx d ipvsadm -A -t 10.9.9.8:80 -s rr
  vm_nsx d ipvsadm -a -t 10.9.9.8:80 -r 10.0.0.61:80 -g -w 1
  conf "$option" >/tmp/flush.conf
  vm_nsx d env LD_LIBRARY_PATH="$vm_host_libs" "$vigild" -n -l -f /tmp/flush.conf \
    -p /run/flush.pid -r /run/flush-vrrp.pid -c /run/flush-check.pid >/tmp/flush.log 2>&1 &
  vm_wait_for 30 ours_programmed || { cat /tmp/flush.log; vm_fail "[$option] vigild did not program its services"; }
  # Its first sync has run (it programmed both services in one apply).
  grep -q '10\.9\.9\.8:80' <<<"$(table)" || { table; vm_fail "[$option] vigild's start-up deleted a service it does not configure"; }
  vm_nsx d ipvsadm -A -t 10.9.9.9:80 -s rr
  vm_nsx d ipvsadm -a -t 10.9.9.9:80 -r 10.0.0.60:80 -g -w 1
  pid=$(cat /run/flush.pid)
  kill -TERM "$pid"
  vm_wait_for 30 gone "$pid" || vm_fail "[$option] vigild did not stop within 30 s"
  wait $! || rc=$?
  after=$(table)
  if [[ $after != "$expected" ]]; then
    echo "--- expected"; echo "$expected"; echo "--- ipvsadm -Ln after the stop"; echo "$after"
    echo "--- vigild log (exit code $rc)"; tail -n 30 /tmp/flush.log
    vm_fail "[${option:-default}] the table after the stop is not the expected one"
  fi
  vm_log "[${option:-default}] the table after the stop is the expected one"
}

foreign='TCP  10.9.9.8:80 rr
  -> 10.0.0.61:80                 Route   1      0          0
TCP  10.9.9.9:80 rr
  -> 10.0.0.60:80                 Route   1      0          0'
stop_case "" "$foreign"
stop_case "lvs_flush_on_stop VS" "$foreign"
stop_case "lvs_flush_on_stop" ""
vm_log "ipvs_flush_on_stop: ok"
