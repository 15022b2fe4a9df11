# shellcheck shell=bash
# Failover lab for VM-tier guest scripts: two IPVS directors in front of two
# real servers, a client holding long-lived TCP connections through the VIP,
# and a hard failure of the master. Source it after "$VM_LIB":
#
#   . "$VM_LIB"; . "$VM_SRC/tests/vm/guest/failover_lab.sh"
#   fl_lab_up                               # namespaces, LANs, echo servers
#   fl_director d1 vigild MASTER 150        # or keepalived
#   fl_director d2 keepalived BACKUP 100
#   fl_wait_master d1; fl_wait_ready d1; fl_wait_ready d2
#   fl_client_start                         # FL_CONNS connections, ready
#   fl_wait_synced d2                       # the backup has every connection
#   fl_fail d1 d2                           # unplug + SIGKILL; waits for the VIP on d2
#   fl_client_mark                          # (optional) figures so far, then
#                                           #   fail another director (FL_DIRECTORS=3)
#   fl_client_stop                          # let it run FL_HOLD_S more, collect
#   fl_report "label"                       # one "failover:" line; FL_* results
#   fl_lab_down                             # ready for another fl_lab_up
# Other failures (tests/vm/failover_scenarios.sh): fl_reload_configs /
# fl_reload (reload under load), fl_echo_kill / fl_echo_start (a real
# server's death and return; fl_rs_in, fl_rs_out, fl_rs_conns,
# fl_rs_scheduled and fl_probe observe it), fl_cut_vrrp / fl_heal_vrrp (a
# director stops hearing VRRP: both cut is a split brain; fl_vrrp_state).
#
# Topology (the reference recipe in ../shared/reference/ipvs-guest):
#   brc  client LAN 10.0.1.0/24: c .2, d1 .11, d2 .12 (d3 .13), VIP 10.0.1.100
#   brs  server LAN 10.0.2.0/24: d1 .1, d2 .2, rs1 .11, rs2 .12; the real
#        servers route through the floating gateway 10.0.2.254 (NAT)
#   brsy sync LAN   10.0.9.0/24: d1 .1, d2 .2 (kernel IPVS sync daemon, id 7)
# A hard failure unplugs all three of the master's links (node death: the
# killed director's addresses stay configured, so a link left on the server
# LAN would keep answering ARP for the gateway).
# Both directors read tests/vm/data/failover_director.conf.in: one VRRP
# instance with both floating addresses, NAT to rs1/rs2 port 9000 with TCP
# checkers, lvs_sync_daemon eth2 following VI_1. The client and the echo
# servers are tests/vm/data/failover_tcp.py (host python3, chrooted).
#
# Settings (environment, read by fl_director / fl_client_start):
#   FL_ADV (0.5) advert_int, FL_VRRPV (3) vrrp_version, FL_CONNS (100),
#   FL_HOLD_S (3) seconds the client keeps running after the VIP moved,
#   FL_DEBUG (0) 1 = directors log at debug level, FL_DIRECTORS (2) 3 adds d3
#   (one cluster of three directors: two failovers with the same client),
#   FL_GARP_REFRESH (unset) vrrp_garp_master_refresh seconds, none when unset,
#   FL_TRACE (0) 1 = fl_pair_failover captures the client and server LANs
#   from just before the failure and fl_report adds "timeline:" lines (the
#   old master's last advert, the GARPs, the client's retransmissions, the
#   new master's first forwarded segment, its sync-daemon log lines; see
#   tests/bench/ipvs_failover/timeline.py). The captures cost guest CPU.
# Results (set by fl_fail / fl_client_mark / fl_client_stop): FL_VIP_MS (failure -> VIP on the
# backup), FL_KILL_MS (how long unplugging and killing took: a slow guest
# shows here), FL_KEPT, FL_RESET, FL_LOST, FL_FAILED, FL_STALL_MS (longest gap
# between two echoes on any connection), FL_STALL_END_MS (when that gap
# ended, from the failure), FL_RESULT (the client's JSON).

fl_data=$VM_SRC/tests/vm/data
fl_dir=/tmp/fl
fl_pids=() # every background process the lab started, killed by fl_lab_down

fl_now_us() { echo "${EPOCHREALTIME/./}"; }

# The directors: d1 d2, or FL_DIRECTORS=3 for d1 d2 d3 (d3: .13 / .3 / .3).
fl_directors() {
  local i
  for ((i = 1; i <= ${FL_DIRECTORS:-2}; i++)); do echo "d$i"; done
}

fl_lab_up() {
  mkdir -p "$fl_dir"
  rm -f "$fl_dir"/*
  vm_host_chroot true # binds /proc, /sys, /dev, /run, /tmp into /host once
  local n
  vm_ns c rs1 rs2
  for n in brc brs brsy; do vm_bridge "$n"; done
  vm_attach c eth0 10.0.1.2/24 brc
  for n in $(fl_directors); do
    vm_ns "$n"
    vm_attach "$n" eth0 "10.0.1.1${n#d}/24" brc
    vm_attach "$n" eth1 "10.0.2.${n#d}/24" brs
    vm_attach "$n" eth2 "10.0.9.${n#d}/24" brsy
    vm_nsx "$n" sysctl -qw net.ipv4.ip_forward=1
  done
  vm_attach rs1 eth0 10.0.2.11/24 brs
  vm_attach rs2 eth0 10.0.2.12/24 brs
  for n in rs1 rs2; do
    ip -n "$n" route add default via 10.0.2.254
    fl_echo_start "$n" # rs1's is fl_pids[0] (scripts/failover_lab/guest.sh kills it)
  done
}

# fl_echo_start RS / fl_echo_kill RS: starts or SIGKILLs (by PID, with its
# children) the echo server of real server RS (rs1 or rs2). A killed echo
# server's connections end (the kernel closes its sockets) and new ones to
# RS are refused: a real server's death as its clients see it.
declare -gA fl_echo_pid=()
fl_echo_start() {
  vm_nsx "$1" chroot /host python3 "$fl_data/failover_tcp.py" echo 0.0.0.0 9000 \
    >>"$fl_dir/echo-$1.log" 2>&1 &
  fl_echo_pid[$1]=$!
  fl_pids+=($!)
}
fl_echo_kill() { fl_kill_tree "${fl_echo_pid[$1]}"; }

# fl_rs_conns RS: how many connections from the client RS's echo server
# holds (established on port 9000, seen from RS's namespace).
fl_rs_conns() {
  local t
  t=$(vm_nsx "$1" ss -Htn state established '( sport = :9000 )') || return 1
  grep -c ' 10\.0\.1\.2:[0-9]*' <<<"$t" || true
}

# fl_rs_in NAME RS / fl_rs_out NAME RS: RS (rs1 or rs2) is, or is not, a
# destination of the VIP's service in NAME's kernel IPVS.
fl_rs_in() {
  local t
  t=$(vm_nsx "$1" ipvsadm -Ln -t 10.0.1.100:9000 2>/dev/null) || return 1
  grep -q -- "-> 10\.0\.2\.1${2#rs}:9000 " <<<"$t"
}
fl_rs_out() {
  local t
  t=$(vm_nsx "$1" ipvsadm -Ln -t 10.0.1.100:9000 2>/dev/null) || return 1
  ! grep -q -- "-> 10\.0\.2\.1${2#rs}:9000 " <<<"$t"
}
# fl_rs_listening RS: RS's echo server accepts connections (a restarted
# python takes seconds to start under TCG).
fl_rs_listening() {
  local t
  t=$(vm_nsx "$1" ss -Hltn '( sport = :9000 )') || return 1
  [[ -n $t ]]
}
# fl_rs_scheduled NAME RS: how many connections NAME's IPVS has scheduled
# to RS so far (its Conns counter; 0 when RS is not in the table). The
# kernel sums these counters only every 2 s (its rate estimator): wait for
# a change rather than read it once.
fl_rs_scheduled() {
  local t
  t=$(vm_nsx "$1" ipvsadm -Ln --stats --exact -t 10.0.1.100:9000) || return 1
  awk -v rs="10.0.2.1${2#rs}:9000" '$2 == rs { n = $3 } END { print n + 0 }' <<<"$t"
}

# fl_probe N [TIMEOUT_S]: opens N fresh connections from the client through
# the VIP, one after the other, each sending a line and waiting for its echo
# (TIMEOUT_S, 10 by default, per socket operation: room for SYN
# retransmits); prints one line per
# connection, "PORT ok" or "PORT ERROR" (PORT: its client source port). A
# connection scheduled to a real server whose echo server is dead is
# refused.
fl_probe() {
  local py='import socket, sys
for i in range(int(sys.argv[1])):
    s = socket.socket()
    s.settimeout(float(sys.argv[2]))
    try:
        s.connect(("10.0.1.100", 9000))
        s.sendall(b"probe %d\n" % i)
        got = b""
        while not got.endswith(b"\n"):
            d = s.recv(100)
            if not d: break
            got += d
        res = "ok" if got == b"probe %d\n" % i else "bad-echo"
    except OSError as e:
        res = type(e).__name__
    print(s.getsockname()[1], res, flush=True)
    s.close()'
  vm_nsx c chroot /host python3 -c "$py" "$1" "${2:-10}"
}
# fl_cut_vrrp NAME / fl_heal_vrrp NAME: NAME stops / starts again hearing
# VRRP (IP protocol 112) on its client LAN: a tc ingress filter on its eth0
# drops it. (nftables, bridge and ip family alike, could not cut VRRP in the
# guest; doc/failover-testing.md.) Cutting both directors is a split brain.
fl_cut_vrrp() {
  tc -n "$1" qdisc add dev eth0 ingress
  tc -n "$1" filter add dev eth0 parent ffff: protocol ip u32 match ip protocol 112 0xff action drop
}
fl_heal_vrrp() { tc -n "$1" qdisc del dev eth0 ingress; }

# fl_vrrp_state NAME: the VRRP state NAME logged last (MASTER, BACKUP ...).
fl_vrrp_state() {
  local t
  t=$(grep -o 'Entering [A-Z]* STATE' "$fl_dir/$1.log") || return 0
  t=${t##*$'\n'}
  t=${t#Entering }
  echo "${t% STATE}"
}

# fl_director NAME vigild|keepalived STATE PRIORITY: starts a director in
# namespace NAME, in the foreground, with its pid files under /run and its
# log in /tmp/fl/NAME.log; also stamps NAME's address changes (for fl_fail).
fl_director() {
  local name=$1 impl=$2 conf=$fl_dir/$1.conf
  # FL_GARP_REFRESH (seconds, unset by default): keep the
  # vrrp_garp_master_refresh line, else drop it.
  local garp=(-e "/@GARP_REFRESH@/d")
  [[ -n ${FL_GARP_REFRESH:-} ]] && garp=(-e "s/@GARP_REFRESH@/$FL_GARP_REFRESH/")
  sed -e "s/@NAME@/$name/" -e "s/@STATE@/$3/" -e "s/@PRIO@/$4/" \
    -e "s/@ADV@/${FL_ADV:-0.5}/" -e "s/@VRRPV@/${FL_VRRPV:-3}/" "${garp[@]}" \
    "$fl_data/failover_director.conf.in" >"$conf"
  local pids=(-p "/run/fl-$name.pid" -r "/run/fl-$name-vrrp.pid" -c "/run/fl-$name-check.pid")
  local debug=()
  case $impl in
    vigild)
      [[ ${FL_DEBUG:-0} == 1 ]] && debug=(-D)
      vm_nsx "$name" env LD_LIBRARY_PATH="$vm_host_libs" "$VM_BUILD/bin/vigild" \
        -n -l "${debug[@]}" -i "$name" -f "$conf" "${pids[@]}" >"$fl_dir/$name.log" 2>&1 &
      ;;
    keepalived)
      [[ ${FL_DEBUG:-0} == 1 ]] && debug=(-D)
      vm_nsx "$name" chroot /host keepalived -n -l "${debug[@]}" -i "$name" -f "$conf" \
        "${pids[@]}" >"$fl_dir/$name.log" 2>&1 &
      ;;
    *) vm_fail "fl_director: unknown implementation $impl" ;;
  esac
  fl_pids+=($!)
  echo "$impl" >"$fl_dir/$name.impl"
  # ip stamps each notification itself: a shell loop stamping the lines it
  # reads was late under load and cost CPU per event, and vigild's VIPs
  # (installed with a lifetime and refreshed) send several events a second
  # where keepalived's send none, so it cost the vigild pair alone.
  vm_nsx "$name" ip -ts -o monitor address >"$fl_dir/mon-$name.log" 2>&1 &
  fl_pids+=($!)
}

fl_has_vip() {
  local a
  a=$(ip -n "$1" -o addr show dev eth0) || return 1
  grep -q ' 10\.0\.1\.100/' <<<"$a"
}
fl_wait_master() {
  vm_wait_for 60 fl_has_vip "$1" || fl_die "$1 never took the VIP"
  vm_log "$1 ($(cat "$fl_dir/$1.impl")) holds the VIP"
}

# fl_wait_ready NAME: NAME's kernel IPVS has the service with both real
# servers (its checkers found them up).
fl_ipvs_ready() {
  local t
  t=$(vm_nsx "$1" ipvsadm -Ln -t 10.0.1.100:9000 2>/dev/null) || return 1
  [[ $(grep -c -- '-> 10\.0\.2\.1[12]:9000 *Masq' <<<"$t" || true) == 2 ]]
}
fl_wait_ready() { vm_wait_for 60 fl_ipvs_ready "$1" || fl_die "$1: IPVS never got both real servers"; }

# fl_client_start: FL_CONNS connections from c through the VIP; returns when
# each has had its first echo.
fl_client_start() {
  local conns=${FL_CONNS:-100}
  rm -f "$fl_dir/ready" "$fl_dir/stop"
  vm_nsx c chroot /host python3 "$fl_data/failover_tcp.py" client --conns "$conns" \
    --ready-file "$fl_dir/ready" --stop-file "$fl_dir/stop" --pid-file "$fl_dir/client.pid" >"$fl_dir/client.json" 2>"$fl_dir/client.err" &
  fl_client_pid=$!
  fl_pids+=("$fl_client_pid")
  vm_wait_for 90 test -e "$fl_dir/ready" || fl_die "the client did not open its connections"
  local opened
  opened=$(cat "$fl_dir/ready")
  ((opened == conns)) || fl_die "the client opened $opened of $conns connections"
  vm_log "client: $opened connections open through the VIP"
}

# fl_wait_synced NAME [COUNT]: NAME's IPVS holds (from the sync daemon) an
# ESTABLISHED entry for every client connection.
fl_synced_count() {
  local t
  t=$(vm_nsx "$1" ipvsadm -Lnc 2>/dev/null) || return 1
  grep -c 'ESTABLISHED *10\.0\.1\.2:[0-9]* *10\.0\.1\.100:9000' <<<"$t" || true
}
# COUNT (default FL_CONNS): how many must be there, e.g. fewer once a real
# server's death ended some.
fl_synced() {
  local n
  n=$(fl_synced_count "$1") || return 1
  ((${n:-0} >= $2))
}
fl_wait_synced() {
  local want=${2:-${FL_CONNS:-100}}
  vm_wait_for 30 fl_synced "$1" "$want" || fl_die "$1 has $(fl_synced_count "$1") of $want connections synced"
  vm_log "$1 has all $want connections from the sync daemon"
}

# fl_reload_configs NAME: NAME.base.conf (its file as started) and
# NAME.extra.conf (the same plus 10.0.1.101 in virtual_ipaddress_excluded and
# a virtual service 10.0.1.101:9000) for reloads of a live pair: an excluded
# address is not advertised, so the peer's address-list check is untouched
# (doc/reload.md).
fl_reload_configs() {
  local conf=$fl_dir/$1
  cp "$conf.conf" "$conf.base.conf"
  awk '{ print } /^  advert_int/ {
    print "  virtual_ipaddress_excluded {"; print "    10.0.1.101/24 dev eth0"; print "  }" }' \
    "$conf.base.conf" >"$conf.extra.conf"
  cat >>"$conf.extra.conf" <<'CONF'
virtual_server 10.0.1.101 9000 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 10.0.2.11 9000 {
    TCP_CHECK {
      connect_timeout 2
    }
  }
}
CONF
}

# fl_reload NAME base|extra: NAME runs that file after a SIGHUP to its
# supervisor; waits until both workers applied it: the check worker's
# service 10.0.1.101:9000 and the VRRP worker's excluded address 10.0.1.101
# are both there (extra) or both gone (base).
# Each command's output is read whole before grep -q looks at it: with
# pipefail, "ip ... | grep -q" fails when grep's early exit makes ip die of
# SIGPIPE on the lines after the match, so a present address read as absent.
fl_has_extra() {
  local t a
  t=$(vm_nsx "$1" ipvsadm -Ln 2>/dev/null) || return 1
  a=$(ip -n "$1" -o addr show dev eth0) || return 1
  grep -q 'TCP  10\.0\.1\.101:9000' <<<"$t" && grep -q ' 10\.0\.1\.101/' <<<"$a"
}
fl_lacks_extra() {
  local t a
  t=$(vm_nsx "$1" ipvsadm -Ln 2>/dev/null) || return 1
  a=$(ip -n "$1" -o addr show dev eth0) || return 1
  ! grep -q 'TCP  10\.0\.1\.101:9000' <<<"$t" && ! grep -q ' 10\.0\.1\.101/' <<<"$a"
}
fl_reload() {
  cp "$fl_dir/$1.$2.conf" "$fl_dir/$1.conf"
  kill -HUP "$(cat "/run/fl-$1.pid")"
  local want=fl_has_extra
  [[ $2 == base ]] && want=fl_lacks_extra
  vm_wait_for 30 "$want" "$1" || fl_die "$1 did not apply its $2 file within 30 s of the SIGHUP"
}

# fl_fail MASTER BACKUP: a hard failure of MASTER. Its three links leave their
# bridges first (no priority-0 advert or goodbye can escape), then every
# process of its director gets SIGKILL by PID, the supervisor first so it
# cannot respawn a worker. Waits for the VIP on BACKUP; FL_VIP_MS.
fl_fail() {
  local master=$1 backup=$2 i f pid
  FL_FAIL_AT_US=$(fl_now_us)
  for i in eth0 eth1 eth2; do vm_unplug "$master" "$i"; done
  for f in "/run/fl-$master.pid" "/run/fl-$master-vrrp.pid" "/run/fl-$master-check.pid"; do
    pid=$(cat "$f" 2>/dev/null) || continue
    kill -KILL "$pid" 2>/dev/null || true
  done
  FL_KILL_MS=$((($(fl_now_us) - FL_FAIL_AT_US) / 1000))
  vm_log "$master ($(cat "$fl_dir/$master.impl")) failed hard: unplugged and SIGKILLed in $FL_KILL_MS ms"
  vm_wait_for 30 fl_vip_added "$backup" >/dev/null || fl_die "$backup did not take the VIP within 30 s"
  local added
  added=$(fl_vip_added "$backup") || fl_die "$backup's VIP stamp vanished"
  FL_VIP_MS=$(((added - FL_FAIL_AT_US) / 1000))
  vm_log "VIP on $backup ($(cat "$fl_dir/$backup.impl")) ${FL_VIP_MS} ms after the failure"
}

# fl_pair_failover IMPL1 IMPL2: the two-director run: the lab up, d1 (IMPL1,
# vigild or keepalived) MASTER at 150, d2 (IMPL2) BACKUP at 100, both with
# the real servers in IPVS, the client's connections through the VIP synced
# to d2, then d1 fails hard and the client stops (FL_KEPT, FL_RESULT;
# fl_report prints them).
fl_pair_failover() {
  fl_lab_up
  fl_director d1 "$1" MASTER 150
  fl_wait_master d1
  fl_director d2 "$2" BACKUP 100
  fl_wait_ready d1
  fl_wait_ready d2
  fl_client_start
  fl_wait_synced d2
  [[ ${FL_TRACE:-0} == 1 ]] && fl_trace_start
  fl_fail d1 d2
  fl_client_stop
  [[ ${FL_TRACE:-0} == 1 ]] && fl_trace_stop
  return 0
}

# fl_trace_start / fl_trace_stop: tcpdump on the client and server LANs
# (VRRP, ARP and the client's port), headers only, to pcap files.
fl_trace_start() {
  local b
  fl_trace_pids=()
  for b in brc brs; do
    vm_host_chroot tcpdump -i "$b" -s 96 -U -w "$fl_dir/$b.pcap" 'vrrp or arp or tcp port 9000' \
      2>"$fl_dir/tcpdump-$b.err" &
    fl_trace_pids+=($!)
    fl_pids+=($!)
  done
  vm_wait_for 20 grep -q listening "$fl_dir/tcpdump-brs.err" || vm_log "tcpdump did not start"
}
fl_trace_stop() {
  local pid
  for pid in "${fl_trace_pids[@]}"; do fl_kill_tree "$pid"; done
}

# fl_vip_added NAME: prints when (epoch us) the VIP was first added on NAME
# after the failure; fails when it was not. The monitor's stamps are
# "[YYYY-MM-DDTHH:MM:SS.uuuuuu]" in the guest's time zone, UTC: the time of
# day is put on the failure's day (the day after when it wrapped).
fl_vip_added() {
  awk -v t="$FL_FAIL_AT_US" '/ 10\.0\.1\.100\/24/ && !/Deleted/ {
      split(substr($1, 13), a, /[^0-9]+/)
      us = t - t % 86400000000 + ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000000 + a[4]
      if (us < t - 43200000000) us += 86400000000
      if (us > t) { printf "%.0f\n", us; found = 1; exit } }
    END { exit !found }' "$fl_dir/mon-$1.log"
}

# fl_client_mark: asks the running client for its figures so far (SIGUSR1:
# it prints them and starts measuring stalls afresh), after FL_HOLD_S more
# seconds of traffic; sets FL_KEPT ... like fl_client_stop. For a lab that
# fails more than one director under the same client.
fl_client_mark() {
  sleep "${FL_HOLD_S:-3}" # traffic after the takeover: the outage must have ended
  local lines
  lines=$(wc -l <"$fl_dir/client.json")
  kill -USR1 "$(cat "$fl_dir/client.pid")" # python itself, not the subshell in fl_client_pid
  fl_client_printed() { (($(wc -l <"$fl_dir/client.json") > lines)); }
  vm_wait_for 30 fl_client_printed || fl_die "the client did not answer SIGUSR1"
  fl_client_parse
}

# fl_client_stop: lets the client run FL_HOLD_S more seconds, stops it and
# reads its figures.
fl_client_stop() {
  sleep "${FL_HOLD_S:-3}" # traffic after the takeover: the outage must have ended
  touch "$fl_dir/stop"
  local deadline=$((SECONDS + 60))
  while kill -0 "$fl_client_pid" 2>/dev/null; do
    ((SECONDS < deadline)) || fl_die "the client did not stop"
    sleep 0.2
  done
  fl_client_parse
}

# fl_client_parse: FL_RESULT = the client's last JSON line, and its fields.
fl_client_parse() {
  FL_RESULT=$(tail -1 "$fl_dir/client.json")
  [[ -n $FL_RESULT ]] || fl_die "the client printed nothing: $(cat "$fl_dir/client.err")"
  local py='import json,sys
d=json.load(sys.stdin); f=int(sys.argv[1])/1e6
print(d["kept"], d["reset"], d["lost"], d["failed"], d["max_stall_ms"], round((d["stall_end"]-f)*1000))'
  read -r FL_KEPT FL_RESET FL_LOST FL_FAILED FL_STALL_MS FL_STALL_END_MS \
    < <(vm_host_chroot python3 -c "$py" "$FL_FAIL_AT_US" <<<"$FL_RESULT")
}

# fl_report LABEL: one line with every figure, for tests and the benchmark.
fl_report() {
  echo "failover: $1 vip_moved_ms=$FL_VIP_MS kept=$FL_KEPT/${FL_CONNS:-100}" \
    "reset=$FL_RESET lost=$FL_LOST failed=$FL_FAILED max_stall_ms=$FL_STALL_MS" \
    "stall_end_after_failure_ms=$FL_STALL_END_MS unplug_kill_ms=$FL_KILL_MS"
  [[ ${FL_TRACE:-0} == 1 && -e $fl_dir/brc.pcap ]] && fl_trace_report
  return 0
}

# fl_trace_report: the captures and d2's log (when d2 runs vigild) as a
# timeline in ms after the failure.
fl_trace_report() {
  local b log=()
  for b in brc brs; do
    vm_host_chroot tcpdump -r "$fl_dir/$b.pcap" -tt -n -e >"$fl_dir/$b.txt" 2>/dev/null || true
  done
  [[ $(cat "$fl_dir/d2.impl") == vigild ]] && log=("$fl_dir/d2.log")
  tail -1 "$fl_dir/client.json" >"$fl_dir/client-last.json"
  vm_host_chroot python3 "$VM_SRC/tests/bench/ipvs_failover/timeline.py" "$FL_FAIL_AT_US" \
    "$fl_dir/client-last.json" "$fl_dir/brc.txt" "$fl_dir/brs.txt" "${log[@]}" || true
}

# fl_die MSG: prints what the lab knows (director logs, IPVS tables), fails.
fl_die() {
  fl_dump
  vm_fail "$*"
}
fl_dump() {
  local n
  for n in $(fl_directors); do
    [[ -e $fl_dir/$n.log ]] || continue
    echo "--- $n ($(cat "$fl_dir/$n.impl")): last log lines"
    tail -25 "$fl_dir/$n.log"
    echo "--- $n: ipvsadm -Ln / --daemon"
    vm_nsx "$n" ipvsadm -Ln 2>&1 || true
    vm_nsx "$n" ipvsadm -L --daemon 2>&1 || true
  done
  [[ -e $fl_dir/client.err ]] && { echo "--- client stderr"; tail -5 "$fl_dir/client.err"; }
  return 0
}

# fl_kill_tree PID: SIGKILL to PID and its descendants (the monitors are
# pipelines under a bash), found by parent PID in /proc.
fl_kill_tree() {
  local stat f
  for stat in /proc/[0-9]*/stat; do
    read -r -a f 2>/dev/null <"$stat" || continue # gone meanwhile
    if [[ ${f[3]} == "$1" ]]; then fl_kill_tree "${f[0]}"; fi
  done
  kill -KILL "$1" 2>/dev/null || true
}

# fl_lab_down: ends every process the lab started (by PID: the directors by
# their pid files, the rest by the PIDs it recorded), then removes the
# namespaces and bridges.
fl_lab_down() {
  local f pid n
  # Supervisors first, so none respawns a worker killed after it.
  for f in /run/fl-d[0-9].pid /run/fl-d[0-9]-*.pid; do
    [[ -e $f ]] || continue
    if pid=$(cat "$f" 2>/dev/null); then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
  for pid in "${fl_pids[@]}"; do fl_kill_tree "$pid"; done
  for pid in "${fl_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  fl_pids=()
  for n in c $(fl_directors) rs1 rs2; do ip netns del "$n" 2>/dev/null || true; done
  for n in brc brs brsy; do ip link del "$n" 2>/dev/null || true; done
}

# fl_transitions NAME: one line "transitions: NAME STATE at +MS ms, ..." of
# the VRRP states NAME logged after the failure (fl_fail), timed by the
# log's own HH:MM:SS.mmm stamps (vigild's format; the guest's clock is UTC).
fl_transitions() {
  local fail_ms=$(((FL_FAIL_AT_US / 1000) % 86400000))
  awk -v f="$fail_ms" -v n="$1" 'match($0, /Entering [A-Z]+ STATE/) {
      split($1, a, /[:.]/); t = ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]
      if (t >= f) { s = substr($0, RSTART + 9, RLENGTH - 15); out = out (out ? ", " : "") s " at +" (t - f) " ms" } }
    END { print "transitions: " n " " (out ? out : "none") }' "$fl_dir/$1.log"
}
