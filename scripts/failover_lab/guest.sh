# shellcheck shell=bash
# Guest side of `scripts/failover-lab --guest` (failover_lab/guest.py): the
# lab's scenarios on the VM tier's kernel-IPVS lab
# (tests/vm/guest/failover_lab.sh: two vigild directors with kernel IPVS NAT
# and the sync daemon, FL_CONNS long-lived connections through the VIP).
# Each scenario builds the lab afresh and tears it down after. What it prints
# the host side turns into the lab's report:
#   scenario: NAME        a scenario starts
#   failover: ...         fl_report's line (VIP move, sessions)
#   row: KEY | VALUE      one more row of the report
#   error: TEXT           something the scenario expected did not happen
#   transitions: D ...    D's VRRP states since the failure (its own log stamps)
#   end: NAME             the scenario finished
# Settings come from the file guest.py writes into the build directory:
# FL_ADV, FL_CONNS, FL_SCENARIOS (names, in order).
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
# shellcheck disable=SC1091
. "$VM_BUILD/failover-lab-guest.env" # FL_ADV, FL_CONNS, FL_SCENARIOS
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
vm_load_ipvs

gl_row() { echo "row: $1 | $2"; }
gl_error() { echo "error: $*"; }
gl_ms_since() { echo $((($(fl_now_us) - $1) / 1000)); }

# gl_pair_up [client]: the lab with d1 MASTER (150) and d2 BACKUP (100), both
# with the real servers in IPVS; with "client", FL_CONNS connections through
# the VIP, synced to d2.
gl_pair_up() {
  fl_lab_up
  fl_director d1 vigild MASTER 150
  fl_wait_master d1
  fl_director d2 vigild BACKUP 100
  fl_wait_ready d1
  fl_wait_ready d2
  if [[ ${1:-} == client ]]; then
    fl_client_start
    fl_wait_synced d2
  fi
}

gl_transitions() {
  fl_transitions d1
  fl_transitions d2
}

# gl_last_state NAME: the VRRP state NAME logged last.
gl_last_state() {
  { grep -o 'Entering [A-Z]* STATE' "$fl_dir/$1.log" || true; } | tail -1 | cut -d' ' -f2
}
gl_in_state() { [[ $(gl_last_state "$1") == "$2" ]]; }
gl_vip_on() { fl_has_vip "$1"; }
# gl_vip_off NAME: NAME's eth0 lists no VIP (unlike ! gl_vip_on, an ip that
# failed does not count as the VIP gone).
gl_vip_off() {
  local a
  a=$(ip -n "$1" -o addr show dev eth0) || return 1
  ! grep -q ' 10\.0\.1\.100/' <<<"$a"
}

# gl_move_to_d2 WHAT: after a failure of d1 at FL_FAIL_AT_US, waits for the
# VIP on d2 (FL_VIP_MS), runs the client on and prints the failover line.
gl_move_to_d2() {
  vm_log "d1: $1"
  vm_wait_for 30 fl_vip_added d2 || fl_die "d2 did not take the VIP within 30 s"
  FL_VIP_MS=$((($(fl_vip_added d2) - FL_FAIL_AT_US) / 1000))
  vm_log "VIP on d2 ${FL_VIP_MS} ms after the failure"
  fl_client_stop
  fl_report "guest" # the host side expects every session kept
}

scenario_hard() {
  fl_pair_failover vigild vigild
  fl_report "guest"
}

# graceful: SIGTERM to d1's supervisor; d1 says goodbye (priority 0).
scenario_graceful() {
  gl_pair_up client
  FL_FAIL_AT_US=$(fl_now_us)
  kill -TERM "$(cat /run/fl-d1.pid)"
  FL_KILL_MS=0
  gl_move_to_d2 "SIGTERM to vigild"
  vm_wait_for 30 gl_vip_off d1 ||
    gl_error "d1 kept the VIP after a graceful stop"
}

# link: d1's client-LAN link goes down (FAULT), then up again: d1 preempts.
scenario_link() {
  gl_pair_up client
  FL_FAIL_AT_US=$(fl_now_us)
  ip -n d1 link set eth0 down
  FL_KILL_MS=$(gl_ms_since "$FL_FAIL_AT_US")
  gl_move_to_d2 "eth0 down"
  local up_at
  up_at=$(fl_now_us)
  ip -n d1 link set eth0 up
  if vm_wait_for 30 gl_vip_on d1; then
    gl_row "d1 preempted back after link up" "yes, VIP on d1 after $(gl_ms_since "$up_at") ms"
  else
    gl_row "d1 preempted back after link up" "NO"
    gl_error "d1 did not take the VIP back after its link came up"
  fi
}

# rs: rs1's echo server dies and comes back; both directors' checkers must
# take it out of IPVS and put it back, with no VRRP transition.
# Each command's output is read whole before grep -q looks at it: with
# pipefail, "ipvsadm ... | grep -q" fails when grep's early exit makes
# ipvsadm die of SIGPIPE, so a listed rs1 read as absent (and gl_rs1_out,
# its negation, as gone). fl_rs_in / fl_rs_out do the same for any RS.
gl_rs1_in() { fl_rs_in "$1" rs1; }
gl_rs1_out() { fl_rs_out "$1" rs1; }
gl_rs1_seen() { # STATE WHAT: waits for rs1 STATE (in/out) on d1 and d2
  local d
  for d in d1 d2; do
    if vm_wait_for 30 "gl_rs1_$1" "$d"; then
      gl_row "rs1 $2 seen by $d" "$(gl_ms_since "$3") ms (its IPVS table)"
    else
      gl_row "rs1 $2 seen by $d" "NOT within 30 s"
      gl_error "$d's checker did not see rs1 $2"
    fi
  done
}
scenario_rs() {
  gl_pair_up
  FL_FAIL_AT_US=$(fl_now_us)
  fl_kill_tree "${fl_pids[0]}" # fl_lab_up starts rs1's echo server first
  gl_rs1_seen out down "$FL_FAIL_AT_US"
  local back
  back=$(fl_now_us)
  vm_nsx rs1 chroot /host python3 "$fl_data/failover_tcp.py" echo 0.0.0.0 9000 \
    >"$fl_dir/echo-rs1b.log" 2>&1 &
  fl_pids+=($!)
  gl_rs1_seen in "back up" "$back"
  gl_expect_no_transitions "a real server died"
}

gl_expect_no_transitions() {
  local d line
  for d in d1 d2; do
    line=$(fl_transitions "$d")
    [[ $line == "transitions: $d none" ]] || gl_error "$d changed VRRP state when $1"
  done
}

# reload: SIGHUPs to d1, alternating its file with one that has one more
# VIP (excluded from adverts) and one more virtual service; each reload is
# waited for until both workers applied it (fl_reload).
scenario_reload() {
  local count=${FL_RELOADS:-10} i
  gl_pair_up client
  fl_reload_configs d1
  FL_FAIL_AT_US=$(fl_now_us)
  for ((i = 1; i <= count; i++)); do
    if ((i % 2)); then fl_reload d1 extra; else fl_reload d1 base; fi
  done
  gl_row "SIGHUPs sent to d1" "$count in $(gl_ms_since "$FL_FAIL_AT_US") ms, each applied before the next, alternating +1 VIP (excluded) +1 service"
  kill -0 "$(cat /run/fl-d1.pid)" 2>/dev/null || gl_error "d1's vigild died during the reloads"
  fl_client_stop
  FL_VIP_MS=- FL_KILL_MS=0
  fl_report "guest"
  fl_vip_added d2 >/dev/null && gl_error "d2 took the VIP during d1's reloads"
  gl_expect_no_transitions "d1 reloaded"
}

# split: d2 stops hearing VRRP (a tc ingress filter on its eth0 drops IP
# protocol 112; nft, bridge and ip family alike, failed in the guest),
# so both are MASTER (d1 ignores d2's lower-priority adverts); the filter is
# removed and d2 yields.
gl_cut_vrrp() {
  tc -n d2 qdisc add dev eth0 ingress &&
    tc -n d2 filter add dev eth0 parent ffff: protocol ip u32 match ip protocol 112 0xff action drop
}
scenario_split() {
  gl_pair_up
  FL_FAIL_AT_US=$(fl_now_us)
  local err
  if ! err=$(gl_cut_vrrp 2>&1); then
    gl_error "tc could not drop VRRP in d2: ${err//$'\n'/ }"
    return 0
  fi
  if vm_wait_for 30 gl_in_state d2 MASTER; then
    gl_row "split: both MASTER after" "$(gl_ms_since "$FL_FAIL_AT_US") ms (d2's log)"
  else
    gl_row "split: both MASTER after" "NO"
    gl_error "d2 did not become MASTER when VRRP was cut"
  fi
  gl_in_state d1 MASTER || gl_error "d1 left MASTER during the split"
  sleep 2
  local heal
  heal=$(fl_now_us)
  tc -n d2 qdisc del dev eth0 ingress
  if vm_wait_for 30 gl_in_state d2 BACKUP; then
    gl_row "heal: one MASTER again after" "$(gl_ms_since "$heal") ms (d2's log)"
  else
    gl_row "heal: one MASTER again after" "NO"
    gl_error "the split did not heal to d1 MASTER, d2 BACKUP"
  fi
  vm_wait_for 10 gl_vip_on d1 || gl_error "d1 lost the VIP"
  gl_vip_on d2 && gl_error "d2 kept the VIP after the heal"
  return 0
}

# The veths' root-namespace ends go with their namespaces, but the kernel
# deletes namespaces asynchronously: the next lab must not find them.
gl_links_gone() {
  local l
  l=$(ip -o link show) || return 1
  ! grep -qE ': (c|d[0-9]|rs[12])-eth[0-9]@' <<<"$l"
}

for name in ${FL_SCENARIOS:-hard}; do
  echo "scenario: $name"
  "scenario_$name"
  gl_transitions
  echo "end: $name"
  fl_lab_down
  vm_wait_for 60 gl_links_gone || vm_fail "the last lab's links are still there after 60 s"
done
