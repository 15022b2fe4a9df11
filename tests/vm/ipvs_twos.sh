# The "twos" scheduler (ip_vs_twos, Linux 6.2 and later) driven by vigild,
# on whichever kernel the guest boots (tests/vm/data/twos.conf): a VRRP
# MASTER director with two NAT services on its VIP over the same two real
# servers, port 80 with twos and port 8080 with rr.
#   - On a kernel with ip_vs_twos (VIGIL_VM_KERNEL=backports: 6.12),
#     `ipvsadm -Ln` must equal the expected text with both services, 20
#     requests through the twos service must all be answered, by both real
#     servers, and vigild must count no dataplane failure.
#   - On a kernel without it (Debian 12's 6.1, the default): vigild must log
#     an error naming the service and the missing scheduler module, count the
#     refusal (`vigilctl check --json`: dataplane_failures, last_error), and
#     leave everything else alone: `ipvsadm -Ln` equals the expected text
#     with the rr service alone, which serves traffic, and requests to the
#     twos port are refused.
# Either way the rr service alternates between the real servers, and the
# VRRP instance stays MASTER with its VIP and makes no transition while the
# dataplane works or fails.
# Run: tests/vm/run tests/vm/ipvs_twos.sh 240
#      VIGIL_VM_KERNEL=backports tests/vm/run tests/vm/ipvs_twos.sh 240
# vm-timeout: 240
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/traffic_lib.sh
. "$VM_SRC/tests/vm/guest/traffic_lib.sh"
vigild=$VM_BUILD/bin/vigild
vigilctl=$VM_BUILD/bin/vigilctl
[[ -x $vigild && -x $vigilctl ]] || vm_fail "vigild and vigilctl must be built first"
vm_load_ipvs
has_twos=0
[[ -e /sys/module/ip_vs_twos ]] && has_twos=1
vm_log "kernel $(uname -r): ip_vs_twos $( ((has_twos)) && echo present || echo absent)"

traffic_netns c d rs1 rs2
traffic_bridge brc
traffic_plug c eth0 10.0.1.2/24 brc
traffic_plug d eth0 10.0.1.1/24 brc
traffic_nat_server_lan
traffic_apply
vm_nsx d sysctl -qw net.ipv4.ip_forward=1
traffic_httpd rs1 rs1
traffic_httpd rs2 rs2

ip netns exec d env LD_LIBRARY_PATH="$vm_host_libs" "$vigild" -n -l -f "$VM_SRC/tests/vm/data/twos.conf" \
  -p /run/vigild.pid -r /run/vigild-vrrp.pid -c /run/vigild-check.pid >/tmp/vigild.log 2>&1 &
vigild_pid=$!
trap 'echo "--- vigild log"; tail -n 40 /tmp/vigild.log; vm_nsx d ipvsadm -Ln || true' EXIT

# vigilctl's JSON, one field: "NAME": VALUE (the first one).
json_field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n1; }
vrrp_field() { vm_host_run "$vigilctl" vrrp --json | json_field "$1"; }
check_field() { vm_host_run "$vigilctl" check --json | json_field "$1"; }
vip_on_d() { [[ $(vm_nsx d ip -o addr show dev eth0) == *" 10.0.1.100/32 "* ]]; }
master() { [[ $(vrrp_field state 2>/dev/null) == MASTER ]] && vip_on_d; }
vm_wait_for 30 master || vm_fail "the VRRP instance did not become MASTER with its VIP"
transitions=$(vrrp_field transitions)
vm_log "VRRP MASTER with the VIP ($transitions transitions)"

service_rr() { traffic_table_has d 'TCP  10.0.1.100:8080 rr' '10.0.2.11:80 Masq 1' '10.0.2.12:80 Masq 1'; }
service_twos() { traffic_table_has d 'TCP  10.0.1.100:80 twos' '10.0.2.11:80 Masq 1' '10.0.2.12:80 Masq 1'; }
refusal_logged() { grep -E 'add service TCP +10\.0\.1\.100:80 twos: .*no "twos" scheduler \(ip_vs_twos\)' /tmp/vigild.log; }
vm_wait_for 30 service_rr || vm_fail "vigild did not program the rr service"
if ((has_twos)); then
  vm_wait_for 30 service_twos || vm_fail "vigild did not program the twos service"
else
  vm_wait_for 30 refusal_logged >/dev/null || vm_fail "no logged error names the twos service and ip_vs_twos"
  refusal_logged | head -n1
fi

# The table as text: header, then the services ipvsadm sorts by address.
table() { vm_nsx d ipvsadm -Ln | sed 's/[[:space:]]*$//'; }
expected=$(
  printf '%s\n' 'IP Virtual Server version 1.2.1 (size=4096)' 'Prot LocalAddress:Port Scheduler Flags' \
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
  if ((has_twos)); then
    printf '%s\n' 'TCP  10.0.1.100:80 twos' '  -> 10.0.2.11:80                 Masq    1      0          0' \
      '  -> 10.0.2.12:80                 Masq    1      0          0'
  fi
  printf '%s\n' 'TCP  10.0.1.100:8080 rr' '  -> 10.0.2.11:80                 Masq    1      0          0' \
    '  -> 10.0.2.12:80                 Masq    1      0          0'
)
diff -u <(echo "$expected") <(table) || vm_fail "ipvsadm -Ln differs from the expected text (- expected, + kernel)"
vm_log "ipvsadm -Ln matches the expected $(wc -l <<<"$expected") lines"

answers=$(traffic_requests c 10.0.1.100 10 8080)
traffic_assert_rr "rr service" "$answers" rs1 rs2
if ((has_twos)); then
  # twos takes two real servers at random by weight and the less loaded of
  # the two, so the order is not fixed; every request must be answered and
  # both servers must take some (all 20 on one is about 2^-20 even for a
  # coin, and the inactive connections push twos to the other server).
  answers=$(traffic_requests c 10.0.1.100 20 80)
  n1=$(grep -o 'rs1' <<<"$answers" | wc -l)
  n2=$(grep -o 'rs2' <<<"$answers" | wc -l)
  ((n1 + n2 == 20)) || vm_fail "twos service: not every request was answered: $answers"
  ((n1 > 0 && n2 > 0)) || vm_fail "twos service: one real server took every request: $answers"
  vm_log "twos service: rs1 $n1, rs2 $n2: $answers"
  vm_nsx d ipvsadm -Ln --stats
  failures=$(check_field dataplane_failures)
  [[ $failures == 0 ]] || vm_fail "vigild counted $failures dataplane failures on a kernel with twos"
else
  answers=$(traffic_requests c 10.0.1.100 2 80)
  [[ $answers == "- -" ]] || vm_fail "requests to the refused twos service were answered: $answers"
  failures=$(check_field dataplane_failures)
  last_error=$(vm_host_run "$vigilctl" check --json | grep '"last_error"' | sed 's/^ *//' || true)
  ((failures >= 1)) || vm_fail "vigild counted no dataplane failure for the refused service"
  [[ $last_error == *'no \"twos\" scheduler'* ]] || vm_fail "last_error does not name twos: $last_error"
  vm_log "refusal counted: dataplane_failures $failures, $last_error"
fi

# VRRP went on regardless of the dataplane: still MASTER with the VIP, and
# no transition since.
master || vm_fail "the VRRP instance is no longer MASTER with its VIP"
[[ $(vrrp_field transitions) == "$transitions" ]] ||
  vm_fail "VRRP made $(($(vrrp_field transitions) - transitions)) transitions"
kill -0 "$vigild_pid" || vm_fail "vigild exited"
trap - EXIT
vm_log "ipvs_twos: ok (twos $( ((has_twos)) && echo scheduled || echo refused))"
