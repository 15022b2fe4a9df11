# Guest half of tests/bench/ipvs_program (run that, not this): in the qemu
# guest, vigild and then keepalived (the host's, chrooted) program the same
# generated configuration of SERVICES virtual servers x DESTS real servers
# (no checkers: every real server is up) into an empty kernel IPVS table; the
# time from the daemon's start until `ipvsadm -Ln` shows the complete table is
# the programming time. Then one destination's weight changes in the file and
# the daemon is sent SIGHUP; the time until `ipvsadm -Ln` shows that weight is
# the change time. Reports figures; fails only when a daemon never gets there.
# Parameters: $VM_BUILD/bench/ipvs_program.env (written by ./run).
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
services=1000 dests=10 repeat=1 impls="vigil keepalived" limit=600 logs=0
params=$VM_BUILD/bench/ipvs_program.env
# shellcheck disable=SC1090
[[ -f $params ]] && . "$params"
vigild=$VM_BUILD/bin/vigild
[[ -x $vigild ]] || vm_fail "$vigild not built"
vm_load_ipvs
vm_host_chroot true # binds /proc, /sys, /dev, /run, /tmp into /host for keepalived
work=/tmp/bench
mkdir -p "$work"

# config WEIGHTED: the configuration; service WEIGHTED (1-based, 0 = none)
# has its first real server at weight 5, every other one at weight 1.
config() {
  awk -v vs="$services" -v rs="$dests" -v w="$1" 'BEGIN {
    print "global_defs {\n  router_id bench_ipvs_program\n}"
    for (v = 1; v <= vs; v++) {
      printf "virtual_server 10.100.%d.%d 80 {\n", int(v / 250), v % 250 + 1
      print "  lb_algo rr\n  lb_kind NAT\n  protocol TCP"
      for (r = 1; r <= rs; r++) {
        printf "  real_server 192.168.%d.%d 8080 {\n    weight %d\n  }\n", int(r / 250), r % 250 + 1,
          (v == w && r == 1) ? 5 : 1
      }
      print "}"
    }
  }'
}
# The service whose destination changes: the middle one.
changed=$(((services + 1) / 2))
changed_vip=10.100.$((changed / 250)).$((changed % 250 + 1)):80
changed_rs=192.168.0.2:8080

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
seconds() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1e6 }'; }

# table_counts: "SERVICES DESTINATIONS" in `ipvsadm -Ln` right now.
table_counts() {
  ipvsadm -Ln | awk '/^(TCP|UDP|SCTP|FWM) / { s++ } $1 == "->" && $2 != "RemoteAddress:Port" { d++ }
    END { print s + 0, d + 0 }'
}

# wait_complete T0: polls the table every 0.2 s until it has every service and
# destination, then confirms with `ipvsadm -Ln`; prints "COMPLETE_US FIRST_US
# POLL_US" (microseconds after T0: complete table, first service seen; how
# long the last poll took, i.e. the resolution), or fails after $limit
# seconds. A poll counts the lines of /proc/net/ip_vs (the same table, three
# header lines, then one line per service and per destination, read in one
# go): `ipvsadm -Ln` dumps each service's destinations with a request of its
# own and takes seconds under TCG with 1,000 services. The pause leaves the
# guest's only CPU to the daemon being measured.
wait_complete() {
  local t0=$1 first="" before after lines want="$services $((services * dests))"
  while :; do
    before=$(now)
    lines=$(wc -l </proc/net/ip_vs)
    after=$(now)
    ((lines <= 3)) || [[ -n $first ]] || first=$((after - t0))
    if ((lines == 3 + services * (1 + dests))); then
      [[ $(table_counts) == "$want" ]] || vm_fail "/proc/net/ip_vs and ipvsadm -Ln disagree"
      echo "$((after - t0)) $first $((after - before))"
      return 0
    fi
    ((after - t0 < limit * 1000000)) || return 1
    sleep 0.2
  done
}

# wait_weight T0 WEIGHT: polls the changed service alone until its changed
# destination has WEIGHT; prints microseconds after T0, or fails after $limit.
wait_weight() {
  local t0=$1 want=$2 line after
  while :; do
    line=$(ipvsadm -Ln -t "$changed_vip" 2>/dev/null | awk -v rs="$changed_rs" '$2 == rs { print $4 }')
    after=$(now)
    if [[ $line == "$want" ]]; then
      echo "$((after - t0))"
      return 0
    fi
    ((after - t0 < limit * 1000000)) || return 1
    sleep 0.1
  done
}

# table_lines: every destination of `ipvsadm -Ln` as "SERVICE SCHEDULER
# DEST FORWARD WEIGHT", sorted; expected_lines WEIGHTED: the same from the
# configuration (see config).
table_lines() {
  ipvsadm -Ln | awk '/^(TCP|UDP|SCTP|FWM) / { svc = $1 " " $2 " " $3 }
    $1 == "->" && $2 != "RemoteAddress:Port" { print svc, $2, $3, $4 }' | sort
}
expected_lines() {
  awk -v vs="$services" -v rs="$dests" -v w="$1" 'BEGIN {
    for (v = 1; v <= vs; v++)
      for (r = 1; r <= rs; r++)
        printf "TCP 10.100.%d.%d:80 rr 192.168.%d.%d:8080 Masq %d\n", int(v / 250), v % 250 + 1,
          int(r / 250), r % 250 + 1, (v == w && r == 1) ? 5 : 1
  }' | sort
}
# verify IMPL WEIGHTED: the table is exactly the configuration's.
verify() {
  local diffs
  diffs=$(diff <(expected_lines "$2") <(table_lines) | head -n 10) ||
    vm_fail "$1: the table differs from the configuration:"$'\n'"$diffs"
}

# rss_kb PID: resident KiB of PID and its children (the daemons' workers).
rss_kb() {
  local total=0 p ppid rss
  for p in /proc/[0-9]*; do
    ppid=$(awk '/^PPid:/ { print $2 }' "$p/status" 2>/dev/null) || continue
    [[ ${p#/proc/} == "$1" || $ppid == "$1" ]] || continue
    rss=$(awk '/^VmRSS:/ { print $2 }' "$p/status" 2>/dev/null) || continue
    total=$((total + ${rss:-0}))
  done
  echo "$total"
}

# cpu_ticks PID: user + system clock ticks (1/100 s) of PID and its children.
cpu_ticks() {
  local total=0 p stat fields
  for p in /proc/[0-9]*; do
    stat=$(cat "$p/stat" 2>/dev/null) || continue
    read -ra fields <<<"${stat##*) }" # after "pid (comm) ": state ppid ... utime(12) stime(13)
    [[ ${p#/proc/} == "$1" || ${fields[1]} == "$1" ]] || continue
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

# start IMPL CONF: starts the daemon on CONF in the background; $daemon_pid
# is its own PID (env and chroot exec it).
start() {
  case $1 in
    vigil)
      env LD_LIBRARY_PATH="$vm_host_libs" "$vigild" -n -l -C -f "$2" -p "$work/vigild.pid" \
        -c "$work/vigild-check.pid" >"$work/vigil.log" 2>&1 &
      ;;
    keepalived)
      chroot /host keepalived -n -l -G -C -f "$2" -p "$work/ka.pid" -c "$work/ka-check.pid" \
        >"$work/keepalived.log" 2>&1 &
      ;;
  esac
  daemon_pid=$!
}

# stop: SIGTERM to the daemon started last, bounded wait, then an empty table
# for the next run whatever the daemon left.
stop() {
  kill -TERM "$daemon_pid" 2>/dev/null || true
  vm_wait_for 120 bash -c "! kill -0 $daemon_pid 2>/dev/null" || {
    vm_log "daemon $daemon_pid ignored SIGTERM for 120 s; killing it"
    kill -KILL "$daemon_pid" 2>/dev/null || true
  }
  wait "$daemon_pid" 2>/dev/null || true
  ipvsadm -C
}

config 0 >"$work/base.conf"
config "$changed" >"$work/changed.conf"
vm_log "config: $services services x $dests destinations, $(wc -l <"$work/base.conf") lines"

declare -A program first change resolution rss parse dump idle
# parse_time IMPL: seconds for `-t` (parse and validate, nothing programmed)
# of the same file: how much of start and reload is reading the configuration.
parse_time() {
  local t0 t1
  t0=$(now)
  case $1 in
    vigil) env LD_LIBRARY_PATH="$vm_host_libs" "$vigild" -t -f "$work/base.conf" >/dev/null 2>&1 ;;
    keepalived) chroot /host keepalived -t -G -f "$work/base.conf" >/dev/null 2>&1 ;;
  esac || vm_fail "$1 -t rejected the configuration"
  t1=$(now)
  seconds $((t1 - t0))
}
run_one() { # IMPL
  local impl=$1 conf=$work/$1.conf t0 got
  parse[$impl]+=" $(parse_time "$impl")"
  cp "$work/base.conf" "$conf"
  ipvsadm -C
  t0=$(now)
  start "$impl" "$conf"
  got=$(wait_complete "$t0") || {
    tail -n 20 "$work/$impl.log"
    vm_fail "$impl: no complete table after $limit s (now $(table_counts))"
  }
  read -r p f r <<<"$got"
  program[$impl]+=" $(seconds "$p")"
  first[$impl]+=" $(seconds "$f")"
  resolution[$impl]+=" $(seconds "$r")"
  rss[$impl]+=" $(($(rss_kb "$daemon_pid") / 1024))"
  verify "$impl" 0
  # CPU while nothing changes, over 10 s: what keeping the table costs.
  local c0
  c0=$(cpu_ticks "$daemon_pid")
  sleep 10
  idle[$impl]+=" $((($(cpu_ticks "$daemon_pid") - c0) / 10))"
  # What reading the whole table back costs (a full reconcile reads it).
  t0=$(now)
  ipvsadm -Ln >/dev/null
  dump[$impl]+=" $(seconds $(($(now) - t0)))"

  cp "$work/changed.conf" "$conf.new"
  mv "$conf.new" "$conf"
  t0=$(now)
  kill -HUP "$daemon_pid"
  got=$(wait_weight "$t0" 5) || {
    tail -n 20 "$work/$impl.log"
    vm_fail "$impl: the changed weight never reached the table after $limit s"
  }
  change[$impl]+=" $(seconds "$got")"
  verify "$impl" "$changed"
  stop
  if ((logs)); then
    echo "--- $impl log"
    cat "$work/$impl.log"
  fi
  vm_log "$impl: programmed in $(seconds "$p") s (first service after $(seconds "$f") s)," \
    "one-destination change in $(seconds "$got") s"
}

for ((i = 0; i < repeat; i++)); do
  for impl in $impls; do run_one "$impl"; done
done

echo
echo "ipvs_program: $services services x $dests destinations in kernel IPVS (qemu TCG guest)," \
  "$repeat run(s) each$( ((repeat == 1)) || echo " (median, then every run)"), guest $(nproc) vCPU, $(uname -r)"
# row LABEL ARRAY UNIT: "LABEL: vigil MEDIAN UNIT (RUNS), keepalived ...".
row() {
  local -n values=$2
  local line="$1:" impl median
  for impl in $impls; do
    median=$(tr ' ' '\n' <<<"${values[$impl]}" | grep . | sort -n | awk '{ v[NR] = $1 }
      END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    line+=" $impl $median $3"
    ((repeat == 1)) || line+=" (${values[$impl]# })"
    line+=","
  done
  echo "${line%,}"
}
row "program from empty (complete in ipvsadm -Ln)" program s
row "first service visible" first s
row "one-destination change (SIGHUP reload)" change s
row "one /proc/net/ip_vs poll (resolution)" resolution s
row "config check of the same file (-t)" parse s
row "one full ipvsadm -Ln of the programmed table" dump s
row "CPU over 10 s with the table programmed and nothing changing" idle "% of a vCPU"
row "RSS with the table programmed" rss MiB
vm_log "ipvs_program: done"
