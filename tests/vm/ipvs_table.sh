# vigild programs kernel IPVS from a keepalived-syntax configuration that uses
# every scheduler, every forwarding method and tunnel type, fwmark and IPv6
# services, persistence with a netmask, the sh/mh flags, thresholds, a
# persistence engine and a virtual_server_group
# (tests/vm/data/ipvs_table.conf). Once every service is there, `ipvsadm
# -Ln`, `-Ln --thresholds` and `-Ln --tun-info` must be exactly
# tests/vm/data/ipvs_table.expected (trailing blanks stripped), and still be
# a second later. The `twos`
# service cannot exist on the guest's 6.1 kernel: vigild must log the
# kernel's refusal naming that service and keep the rest.
# Run: tests/vm/run tests/vm/ipvs_table.sh 240
# vm-timeout: 240
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
vigild=$VM_BUILD/bin/vigild
[[ -x $vigild ]] || vm_fail "$vigild not built (build the vigild target first)"
conf=$VM_SRC/tests/vm/data/ipvs_table.conf
expected=$VM_SRC/tests/vm/data/ipvs_table.expected
vm_load_ipvs
[[ ! -e /sys/module/ip_vs_twos ]] || vm_fail "this kernel has ip_vs_twos: add its service to the expected table"

# The three views of the table that together show every field vigild sets.
table_text() {
  local view
  for view in "" --thresholds --tun-info; do
    echo "== ipvsadm -Ln${view:+ $view}"
    ipvsadm -Ln $view | sed 's/[[:space:]]*$//'
  done
}
services() { ipvsadm -Ln | grep -cE '^(TCP|UDP|SCTP|FWM) ' || true; }

# Services in the first view (`ipvsadm -Ln`) of the expected text.
want_services=$(awk '/^== / { view++ } view == 1 && /^(TCP|UDP|SCTP|FWM) / { n++ } END { print n }' "$expected")
vm_host_run "$vigild" -n -l -f "$conf" -p /run/vigild.pid -r /run/vigild-vrrp.pid \
  -c /run/vigild-check.pid >/tmp/vigild.log 2>&1 &
vigild_pid=$!
trap 'echo "--- vigild log"; tail -n 40 /tmp/vigild.log' EXIT
start=$(cut -d' ' -f1 /proc/uptime)

# Bounded: every service appears, then the three views must equal the
# expected text; one more read a second later (a full retry cycle of the
# refused twos service) must still equal it, so a table that is still moving
# cannot pass. Starting vigild in the guest (its binary read over 9p, TCG)
# takes 5-30 s; under load one read of the three views takes 1-7 s.
all_there() { (($(services) >= want_services)); }
vm_wait_for 60 all_there || vm_fail "vigild programmed $(services) of $want_services services"
deadline=$(($(date +%s) + 30))
until [[ $(table_text) == "$(cat "$expected")" ]] || (($(date +%s) >= deadline)); do sleep 0.5; done
sleep 1
kill -0 "$vigild_pid" || vm_fail "vigild exited"
if ! diff -u "$expected" <(table_text); then
  vm_fail "ipvsadm -Ln differs from $expected (- expected, + kernel)"
fi
vm_log "ipvsadm -Ln matches $(wc -l <"$expected") expected lines ($want_services services)" \
  "$(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime) s after vigild started"

# twos: refused by the kernel, reported with the service it belongs to.
refusals=$(grep -E 'add service TCP +10\.10\.0\.14:80 twos' /tmp/vigild.log || true)
grep -q 'no "twos" scheduler' <<<"$refusals" ||
  vm_fail "vigild did not log why the twos service 10.10.0.14:80 is missing"
head -n1 <<<"$refusals"
kill "$vigild_pid"
trap - EXIT
vm_log "ipvs_table: ok"
