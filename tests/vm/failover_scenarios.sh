# shellcheck shell=bash
# Hitless reload, link failure, split brain, a real server's death and
# graceful stop on kernel IPVS, in one guest boot under one client (the boot
# and the lab cost more than the steps): two vigild directors (VRRP, TCP
# checkers, NAT, the kernel sync daemon following VRRP) and FL_CONNS
# long-lived connections through the VIP, held across all five steps:
#   reload    four SIGHUPs to the master d1, alternating a file with one more
#             excluded VIP and one more virtual service, each applied by both
#             workers before the next: no VRRP transition on either director,
#             the VIP never on d2, every connection kept (none reset)
#   link      d1's client-LAN link down: the VIP moves to d2, every connection
#             kept; link up: d1 preempts, the VIP is back on d1 only, every
#             connection kept
#   rs        rs1's echo server dies: both directors' checkers take rs1 out
#             of IPVS, the connections to rs2 are kept (those to rs1 end),
#             fresh connections all reach rs2; rs1's server returns: both
#             put it back and fresh connections reach it again; no VRRP
#             transition
#   split     neither director hears VRRP (a tc filter on each eth0): both
#             become MASTER and hold the VIP; the cut is lifted: d1 (150,
#             preempt) is the one MASTER holding the VIP, d2 BACKUP, every
#             connection still open kept; then, within 15 s, the client's
#             and real servers' neighbour entries name d1
#             (vrrp_garp_master_refresh) and 4 of 4 fresh connections echo
#   graceful  SIGTERM to d1's vigild: it exits, the VIP moves to d2 and leaves
#             d1, every connection kept (the staged stop releases the VIP
#             before the IPVS services behind it go: no reset)
# advert_int 1 by default (FL_ADV): the reload step asserts that nothing
# flapped, and 0.5 s flapped on a starved guest (doc/failover-testing.md).
# Lab: tests/vm/guest/failover_lab.sh.
# vm-timeout: 540
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
export FL_ADV=${FL_ADV:-1}
# The split step's heal relies on the masters' periodic GARPs (see there);
# only this script sets them, so the other failover figures stay as before.
export FL_GARP_REFRESH=${FL_GARP_REFRESH:-2}
conns=${FL_CONNS:-100}
# The client's connections still open (fs_open) and those the rs step ended
# with rs1's server (fs_ended: the client counts them as reset).
fs_open=$conns fs_ended=0

# fs_sessions_kept STEP: the client's figures so far (fl_client_mark) must
# show every connection still open kept and none reset (beyond those the rs
# step ended), lost or failed.
fs_sessions_kept() {
  fl_client_mark
  fs_check_kept "$1"
}
fs_check_kept() {
  fl_report "$1 (v${FL_VRRPV:-3}, advert_int $FL_ADV)"
  ((FL_KEPT == fs_open && FL_RESET == fs_ended && FL_LOST == 0 && FL_FAILED == 0)) ||
    fl_die "$1: $FL_KEPT of $fs_open open connections kept ($FL_RESET reset, $fs_ended of them by rs1's death): $FL_RESULT"
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
fs_ms_since() { echo $((($(fl_now_us) - $1) / 1000)); }
# fs_rs_seen out|in RS SINCE_WHAT: waits (30 s each) until RS is out of / in both
# directors' IPVS tables; prints when each showed it.
fs_rs_seen() {
  local d where=in
  [[ $1 == out ]] && where="out of"
  for d in d1 d2; do
    vm_wait_for 30 "fl_rs_$1" "$d" "$2" || fl_die "rs: $2 not $where $d's ipvsadm -Ln within 30 s"
    vm_log "rs: $2 $where $d's ipvsadm -Ln $(fs_ms_since "$FL_FAIL_AT_US") ms after $3"
  done
}
# fs_masters: how many directors logged MASTER last and hold the VIP.
fs_masters() {
  local d n=0
  for d in d1 d2; do
    [[ $(fl_vrrp_state "$d") == MASTER ]] && fl_has_vip "$d" && n=$((n + 1))
  done
  echo "$n"
}
fs_split() { (($(fs_masters) == 2)); }
# fs_probe N WHEN: N fresh connections through the VIP must all echo.
fs_probe() {
  local out ok
  out=$(fl_probe "$1")
  ok=$(grep -c ' ok$' <<<"$out" || true)
  vm_log "rs: $ok of $1 new connections echoed $2"
  ((ok == $1)) || fl_die "rs: $ok of $1 new connections echoed $2 (client port, result): ${out//$'\n'/, }"
}
# fs_via HOST ADDR DEV: which director HOST's neighbour entry for ADDR names
# (by the MAC of that director's DEV): where HOST sends ADDR's traffic.
fs_via() {
  local n m d
  n=$(ip -n "$1" neigh show "$2") || return 0
  for d in d1 d2; do
    m=$(ip -n "$d" -o link show dev "$3") || continue
    m=${m#*link/ether }
    [[ $n == *"lladdr ${m%% *}"* ]] && { echo "$d"; return 0; }
  done
  echo "none (${n:-no entry})"
}
fs_healed() { [[ $(fl_vrrp_state d2) == BACKUP ]] && fs_vip_only_on d1 d2 && (($(fs_masters) == 1)); }

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
added=$(fl_vip_added d2) || fl_die "link: d2's VIP stamp vanished"
FL_VIP_MS=$(((added - FL_FAIL_AT_US) / 1000)) FL_KILL_MS=0
vm_log "link: VIP on d2 $FL_VIP_MS ms after d1's eth0 went down"
fs_sessions_kept "link down on d1"
FL_FAIL_AT_US=$(fl_now_us)
ip -n d1 link set eth0 up
vm_wait_for 30 fs_vip_only_on d1 d2 || fl_die "link: the VIP was not back on d1 alone within 30 s of its link up"
FL_VIP_MS=$((($(fl_now_us) - FL_FAIL_AT_US) / 1000))
vm_log "link: VIP back on d1 alone $FL_VIP_MS ms (at most) after its eth0 came up"
fs_sessions_kept "d1 preempts back after link up"

# rs: rs1's server dies and returns, d1 MASTER throughout. The check period
# is delay_loop 1 s plus 3 retries 0.5 s apart (failover_director.conf.in):
# about 2.5 s to take a refused real server out, 1 s to put it back.
n1=$(fl_rs_conns rs1) || fl_die "rs: ss failed in rs1"
n2=$(fl_rs_conns rs2) || fl_die "rs: ss failed in rs2"
vm_log "rs: the client's connections: $n1 on rs1, $n2 on rs2"
((n1 + n2 == fs_open && n1 > 0 && n2 > 0)) || fl_die "rs: $n1 + $n2 connections on the real servers, $fs_open open"
rs_at=$(fl_now_us) FL_FAIL_AT_US=$rs_at FL_VIP_MS=- FL_KILL_MS=0
fl_echo_kill rs1
fs_rs_seen out rs1 'its server died'
fs_probe 10 "with rs1 dead"
fs_open=$n2 fs_ended=$n1
fs_sessions_kept "rs1 dead: its $n1 connections ended, rs2's kept"
fl_echo_start rs1
vm_wait_for 60 fl_rs_listening rs1 || fl_die "rs: rs1's echo server did not start within 60 s"
FL_FAIL_AT_US=$(fl_now_us)
fs_rs_seen in rs1 'its server listened again'
before=$(fl_rs_scheduled d1 rs1) || fl_die "rs: ipvsadm --stats failed in d1"
fs_probe 4 "with rs1 back"
# A failed read (empty) counts as no change: the poll goes on.
fs_rs1_scheduled() {
  local n
  n=$(fl_rs_scheduled d1 rs1) || return 1
  ((${n:-0} > before))
}
vm_wait_for 30 fs_rs1_scheduled || fl_die "rs: rs1 is back but d1 scheduled none of 4 new connections to it (Conns $before)"
after=$(fl_rs_scheduled d1 rs1) || fl_die "rs: ipvsadm --stats failed in d1"
vm_log "rs: d1 scheduled $((${after:-0} - before)) of the 4 to rs1"
fs_sessions_kept "rs1 back"
FL_FAIL_AT_US=$rs_at
fs_no_transitions rs d1 d2

# split: neither director hears the other: both MASTER with the VIP (both
# re-GARP every FL_GARP_REFRESH s, so the traffic flips between them; d1 has
# every connection in its own table, d2 from the sync daemon);
# healed, d1 (priority 150, preempting) is the one MASTER, d2 BACKUP, and
# every connection still echoes.
FL_FAIL_AT_US=$(fl_now_us) FL_VIP_MS=- FL_KILL_MS=0
fl_cut_vrrp d1
fl_cut_vrrp d2
vm_wait_for 30 fs_split || fl_die "split: $(fs_masters) of 2 directors MASTER with the VIP 30 s after VRRP was cut"
vm_log "split: both directors MASTER with the VIP after $(fs_ms_since "$FL_FAIL_AT_US") ms (masters: $(fs_masters))"
fl_client_mark # the split's own figures, for the record: traffic follows the last GARP
fl_report "split brain, both MASTER (not asserted)"
fs_split || fl_die "split: $(fs_masters) of 2 directors MASTER before the heal"
heal=$(fl_now_us)
fl_heal_vrrp d1
fl_heal_vrrp d2
vm_wait_for 30 fs_healed || fl_die "split: 30 s after the heal: d1 $(fl_vrrp_state d1), d2 $(fl_vrrp_state d2), $(fs_masters) MASTER with the VIP"
vm_log "split: healed after $(fs_ms_since "$heal") ms: d1 the one MASTER with the VIP, d2 BACKUP"
fl_transitions d1
fl_transitions d2
[[ $(fl_transitions d1) == "transitions: d1 none" ]] || fl_die "split: d1 left MASTER"
fs_sessions_kept "split healed, d1 MASTER"
# The client and the real servers must send to d1 again: d1 GARPs on its
# own after a heal only when it hears one of d2's lower-priority adverts;
# when d2 heard d1 first and yielded, their neighbour entries kept naming d2
# (kept fresh by the traffic d2 routes on to d1), where a fresh connection's
# reply finds no entry. FL_GARP_REFRESH (vrrp_garp_master_refresh 2) re-announces
# the VIPs, so within 15 s (room for a starved guest) the client's and rs2's
# entries (both carry the open connections) name d1 and rs1's (idle since
# the rs step) no longer names d2; then fresh connections echo.
fs_via_d1() {
  [[ $(fs_via c 10.0.1.100 eth0) == d1 && $(fs_via rs2 10.0.2.254 eth1) == d1 &&
    $(fs_via rs1 10.0.2.254 eth1) != d2 ]]
}
vm_wait_for 15 fs_via_d1 ||
  fl_die "split: $(fs_ms_since "$heal") ms after the heal the client sends the VIP's traffic to $(fs_via c 10.0.1.100 eth0), rs2 and rs1 their replies to $(fs_via rs2 10.0.2.254 eth1) and $(fs_via rs1 10.0.2.254 eth1)"
vm_log "split: the neighbour entries name d1 (rs1: $(fs_via rs1 10.0.2.254 eth1)) $(fs_ms_since "$heal") ms after the heal"
out=$(fl_probe 4 3)
ok=$(grep -c ' ok$' <<<"$out" || true)
vm_log "split: after the heal $ok of 4 new connections echoed"
((ok == 4)) || fl_die "split: after the heal $ok of 4 new connections echoed (client port, result): ${out//$'\n'/, }"

# graceful: SIGTERM; d1 leaves nothing behind that answers for the VIP.
fl_wait_synced d2 "$fs_open"
pid=$(cat /run/fl-d1.pid) || fl_die "graceful: no pid file for d1's vigild"
FL_FAIL_AT_US=$(fl_now_us)
kill -TERM "$pid"
vm_wait_for 30 fl_vip_added d2 >/dev/null || fl_die "graceful: d2 did not take the VIP within 30 s of d1's SIGTERM"
added=$(fl_vip_added d2) || fl_die "graceful: d2's VIP stamp vanished"
FL_VIP_MS=$(((added - FL_FAIL_AT_US) / 1000)) FL_KILL_MS=0
vm_log "graceful: VIP on d2 $FL_VIP_MS ms after the SIGTERM to d1"
vm_wait_for 30 fs_vip_only_on d2 d1 || fl_die "graceful: d1 kept the VIP after its stop"
vm_wait_for 30 fs_stopped "$pid" || fl_die "graceful: d1's vigild still runs 30 s after SIGTERM"
fl_client_stop
fs_check_kept "graceful stop of d1"
vm_log "failover_scenarios: ok"
