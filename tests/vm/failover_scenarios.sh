# shellcheck shell=bash
# Hitless reload, link failure and graceful stop on kernel IPVS, in one guest
# boot under one client: two vigild directors (VRRP, TCP checkers, NAT, the
# kernel sync daemon following VRRP) and FL_CONNS long-lived connections
# through the VIP, held across all three steps:
#   reload    four SIGHUPs to the master d1, alternating a file with one more
#             excluded VIP and one more virtual service, each applied by both
#             workers before the next: no VRRP transition on either director,
#             the VIP never on d2, every connection kept (none reset)
#   link      d1's client-LAN link down: the VIP moves to d2, every connection
#             kept; link up: d1 preempts, the VIP is back on d1 only, every
#             connection kept
#   graceful  SIGTERM to d1's vigild: it exits, the VIP moves to d2 and leaves
#             d1, every connection kept (the staged stop releases the VIP
#             before the IPVS services behind it go: no reset)
# advert_int 1 by default (FL_ADV): the reload step asserts that nothing
# flapped, and 0.5 s flapped on a starved guest (doc/failover-testing.md).
# Lab: tests/vm/guest/failover_lab.sh.
# vm-timeout: 420
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
export FL_ADV=${FL_ADV:-1}
conns=${FL_CONNS:-100}

# fs_sessions_kept STEP: the client's figures so far (fl_client_mark) must
# show every connection open and none reset, lost or failed.
fs_sessions_kept() {
  fl_client_mark
  fl_report "$1 (v${FL_VRRPV:-3}, advert_int $FL_ADV)"
  ((FL_KEPT == conns && FL_RESET == 0 && FL_LOST == 0 && FL_FAILED == 0)) ||
    fl_die "$1: $FL_KEPT of $conns connections kept ($FL_RESET reset): $FL_RESULT"
}
# fs_no_transitions STEP NAME...: none of NAME logged a VRRP state since
# FL_FAIL_AT_US.
fs_no_transitions() {
  local step=$1 d line
  shift
  for d in "$@"; do
    line=$(fl_transitions "$d")
    echo "$line"
    [[ $line == "transitions: $d none" ]] || fl_die "$step: $d changed VRRP state: $line"
  done
}
fs_vip_only_on() { fl_has_vip "$1" && ! fl_has_vip "$2"; }
fs_stopped() { ! kill -0 "$1" 2>/dev/null; }

vm_load_ipvs
fl_lab_up
fl_director d1 vigild MASTER 150
fl_wait_master d1
fl_director d2 vigild BACKUP 100
fl_wait_ready d1
fl_wait_ready d2
fl_client_start
fl_wait_synced d2

# reload: hitless, no VRRP transition anywhere, no session touched.
fl_reload_configs d1
FL_FAIL_AT_US=$(fl_now_us)
for ((i = 1; i <= 4; i++)); do
  if ((i % 2)); then fl_reload d1 extra; else fl_reload d1 base; fi
done
FL_VIP_MS=- FL_KILL_MS=0
vm_log "reload: 4 SIGHUPs to d1 applied in $((($(fl_now_us) - FL_FAIL_AT_US) / 1000)) ms"
fs_sessions_kept "reload under load"
fs_no_transitions reload d1 d2
! fl_vip_added d2 >/dev/null || fl_die "reload: d2 took the VIP during d1's reloads"

# link: FAULT on d1, the VIP on d2; then d1 preempts back.
FL_FAIL_AT_US=$(fl_now_us)
ip -n d1 link set eth0 down
vm_wait_for 30 fl_vip_added d2 >/dev/null || fl_die "link: d2 did not take the VIP within 30 s of d1's link down"
FL_VIP_MS=$((($(fl_vip_added d2) - FL_FAIL_AT_US) / 1000)) FL_KILL_MS=0
vm_log "link: VIP on d2 $FL_VIP_MS ms after d1's eth0 went down"
fs_sessions_kept "link down on d1"
FL_FAIL_AT_US=$(fl_now_us)
ip -n d1 link set eth0 up
vm_wait_for 30 fs_vip_only_on d1 d2 || fl_die "link: the VIP was not back on d1 alone within 30 s of its link up"
FL_VIP_MS=$((($(fl_now_us) - FL_FAIL_AT_US) / 1000))
vm_log "link: VIP back on d1 alone $FL_VIP_MS ms (at most) after its eth0 came up"
fs_sessions_kept "d1 preempts back after link up"

# graceful: SIGTERM; d1 leaves nothing behind that answers for the VIP.
fl_wait_synced d2
pid=$(cat /run/fl-d1.pid)
FL_FAIL_AT_US=$(fl_now_us)
kill -TERM "$pid"
vm_wait_for 30 fl_vip_added d2 >/dev/null || fl_die "graceful: d2 did not take the VIP within 30 s of d1's SIGTERM"
FL_VIP_MS=$((($(fl_vip_added d2) - FL_FAIL_AT_US) / 1000)) FL_KILL_MS=0
vm_log "graceful: VIP on d2 $FL_VIP_MS ms after the SIGTERM to d1"
vm_wait_for 30 fs_vip_only_on d2 d1 || fl_die "graceful: d1 kept the VIP after its stop"
vm_wait_for 30 fs_stopped "$pid" || fl_die "graceful: d1's vigild still runs 30 s after SIGTERM"
fl_client_stop
fl_report "graceful stop of d1 (v${FL_VRRPV:-3}, advert_int $FL_ADV)"
((FL_KEPT == conns && FL_RESET == 0 && FL_LOST == 0 && FL_FAILED == 0)) ||
  fl_die "graceful: $FL_KEPT of $conns connections kept ($FL_RESET reset): $FL_RESULT"
vm_log "failover_scenarios: ok"
