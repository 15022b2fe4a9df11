# Checker results reach kernel IPVS without a reload: vigild runs
# tests/vm/data/checker_changes.conf (one NAT service, two real servers whose
# MISC_CHECKs exit with a code this script controls, delay_loop 1 s). A
# failing check takes its real server out of `ipvsadm -Ln` (or to weight 0
# with inhibit_on_failure), a passing one puts it back, and a misc_dynamic
# exit code sets the weight ipvsadm shows.
# Each change must show within one check period plus a generous margin for
# TCG (the bound below); the time measured is printed.
# Run: tests/vm/run tests/vm/ipvs_checker_changes.sh 240
# vm-timeout: 240
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
vigild=$VM_BUILD/bin/vigild
[[ -x $vigild ]] || vm_fail "$vigild not built (build the vigild target first)"
delay_loop=1 # as in checker_changes.conf
bound=$((delay_loop + 14))
vm_load_ipvs

uptime_s() { cut -d' ' -f1 /proc/uptime; }
cp "$VM_SRC/tests/vm/data/checker_changes_check.sh" /tmp/checker_changes_check.sh
echo 0 >/tmp/rs1.rc
echo 0 >/tmp/rs2.rc
echo 0 >/tmp/rs3.rc
vm_host_run "$vigild" -n -l -f "$VM_SRC/tests/vm/data/checker_changes.conf" -p /run/vigild.pid \
  -r /run/vigild-vrrp.pid -c /run/vigild-check.pid >/tmp/vigild.log 2>&1 &
vigild_pid=$!
started=$(uptime_s)
trap 'echo "--- vigild log"; tail -n 40 /tmp/vigild.log; ipvsadm -Ln || true' EXIT

# The service's destinations as "ADDR:PORT FORWARD WEIGHT" lines, sorted.
destinations() {
  local table
  table=$(ipvsadm -Ln) || return 1
  awk '/^TCP  10\.10\.0\.1:80 wrr$/ { inside = 1; next }
       /^(TCP|UDP|SCTP|FWM) / { inside = 0 }
       inside && $1 == "->" { print $2, $3, $4 }' <<<"$table" | sort
}
table_is() { [[ $(destinations) == "$(printf '%s\n' "$@")" ]]; }

# change WHAT RS CODE DEST...: writes CODE for RS's check and waits, bounded,
# until the service's destinations are exactly DEST...; prints the time.
change() {
  local what=$1 rs=$2 code=$3 t0 took
  shift 3
  t0=$(uptime_s)
  echo "$code" >"/tmp/$rs.rc"
  vm_wait_for "$bound" table_is "$@" ||
    vm_fail "$what: not in ipvsadm -Ln after ${bound}s; destinations now: $(destinations | tr '\n' ';')"
  took=$(awk -v t0="$t0" '{ printf "%.2f", $1 - t0 }' /proc/uptime)
  # When the first check that saw the new code ran (checker_runs.log).
  ran=$(awk -v rs="$rs" -v t0="$t0" -v code="$code" \
    '$1 == rs && $2 >= t0 && $3 == code { printf "%.2f", $2 - t0; exit }' /tmp/checker_runs.log)
  vm_log "$what: in ipvsadm -Ln after ${took}s, checked after ${ran:-?}s" \
    "(delay_loop ${delay_loop}s, bound ${bound}s)"
}

# Starting vigild in the guest (its binary read over 9p, TCG) takes 5-30 s.
vm_wait_for 60 table_is "10.20.0.1:80 Masq 5" "10.20.0.2:80 Masq 3" "10.20.0.3:80 Masq 4" ||
  vm_fail "vigild did not program the real servers: $(destinations | tr '\n' ';')"
vm_log "all three real servers programmed $(awk -v t0="$started" '{ printf "%.1f", $1 - t0 }' /proc/uptime)s after vigild started"
# A check period is delay_loop plus the script's own run time, which TCG
# stretches: measure one run for the figures below.
t0=$(uptime_s)
/bin/sh /tmp/checker_changes_check.sh rs1
vm_log "one run of the check script: $(awk -v t0="$t0" '{ printf "%.2f", $1 - t0 }' /proc/uptime)s"

rs3=("10.20.0.3:80 Masq 4")
change "rs2 check fails: rs2 removed" rs2 1 "10.20.0.1:80 Masq 5" "${rs3[@]}"
change "rs1 misc_dynamic exit 12: weight 10" rs1 12 "10.20.0.1:80 Masq 10" "${rs3[@]}"
change "rs2 check passes: rs2 back" rs2 0 "10.20.0.1:80 Masq 10" "10.20.0.2:80 Masq 3" "${rs3[@]}"
change "rs1 misc_dynamic exit 4: weight 2" rs1 4 "10.20.0.1:80 Masq 2" "10.20.0.2:80 Masq 3" "${rs3[@]}"
rest=("10.20.0.1:80 Masq 2" "10.20.0.2:80 Masq 3")
change "rs3 check fails: inhibited to weight 0" rs3 1 "${rest[@]}" "10.20.0.3:80 Masq 0"
change "rs3 check passes: weight 4 again" rs3 0 "${rest[@]}" "10.20.0.3:80 Masq 4"
kill -0 "$vigild_pid" || vm_fail "vigild exited"
kill "$vigild_pid"
trap - EXIT
vm_log "ipvs_checker_changes: ok"
