# vigilctl's IPVS views against ipvsadm's on the same kernel table: vigild
# (dataplane kernel) programs a NAT service of two real servers, a client
# makes 10 requests through it, then `vigilctl ipvs -Ln --stats --exact`
# must print what `ipvsadm -Ln --stats --exact` prints (after the first line,
# which names vigild instead of the IPVS version), and `vigilctl ipvs -Lnc`
# the same connections as `ipvsadm -Lnc` (expiry times aside). The check
# worker reads the counters every 2 s (and the kernel sums its per-CPU
# counters every 2 s), so the comparison is retried until the kernel shows
# the 10 connections and both agree (at most 30 s). Topology: tests/vm/data/stats.conf.
# Run: tests/vm/run tests/vm/ipvs_stats.sh 200
# vm-timeout: 200
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/traffic_lib.sh
. "$VM_SRC/tests/vm/guest/traffic_lib.sh"
vigild=$VM_BUILD/bin/vigild
vigilctl=$VM_BUILD/bin/vigilctl
[[ -x $vigild && -x $vigilctl ]] || vm_fail "vigild and vigilctl must be built first"
vm_load_ipvs

traffic_netns c d rs1 rs2
traffic_bridge brc
traffic_plug c eth0 10.0.1.2/24 brc
traffic_plug d eth0 10.0.1.1/24 brc
traffic_in d addr add 10.0.1.100/32 dev eth0
traffic_nat_server_lan
traffic_apply
vm_nsx d sysctl -qw net.ipv4.ip_forward=1
traffic_httpd rs1 rs1
traffic_httpd rs2 rs2

export VIGIL_CONTROL_SOCKET=/run/vigil-stats/vigild.sock
ip netns exec d env LD_LIBRARY_PATH="$vm_host_libs" "$vigild" -n -l \
  -f "$VM_SRC/tests/vm/data/stats.conf" -p /run/vigild.pid -r /run/vigild-vrrp.pid \
  -c /run/vigild-check.pid >/tmp/vigild.log 2>&1 &
vigild_pid=$!
trap 'echo "--- vigild log"; tail -n 40 /tmp/vigild.log; vm_nsx d ipvsadm -Ln --stats || true' EXIT

nat_up() { traffic_table_has d 'TCP  10.0.1.100:80 rr' '10.0.2.11:80 Masq 1' '10.0.2.12:80 Masq 1'; }
vm_wait_for 30 nat_up || vm_fail "vigild did not program the NAT service with both real servers"
answers=$(traffic_requests c 10.0.1.100 10)
traffic_assert_rr "NAT" "$answers" rs1 rs2

ours() { vm_host_run "$vigilctl" ipvs -Ln --stats --exact | tail -n +2; }
kernels() { vm_nsx d ipvsadm -Ln --stats --exact | tail -n +2; }
# The kernel sums its per-CPU counters every 2 s (its rate estimator), so
# both start at 0 after the traffic; wait for the kernel's 10 connections.
counted() { (($(kernels | awk '$1 == "TCP" { print $3 }') >= 10)); }
same_stats() { counted && [[ "$(ours)" == "$(kernels)" ]]; }
if ! vm_wait_for 30 same_stats; then
  echo "--- vigilctl"; ours; echo "--- ipvsadm"; kernels
  vm_fail "vigilctl ipvs -Ln --stats --exact differs from ipvsadm's"
fi
vm_log "stats match ipvsadm's:"
ours

# Connections: protocol, state and the three endpoints (the expiry ticks).
columns() { awk 'NR > 2 { print $1, $3, $4, $5, $6 }' | sort; }
ours_conn=$(vm_host_run "$vigilctl" ipvs -Lnc | columns)
kernel_conn=$(vm_nsx d ipvsadm -Lnc | columns)
[[ -n $kernel_conn ]] || vm_fail "ipvsadm -Lnc lists no connection after 10 requests"
[[ $ours_conn == "$kernel_conn" ]] ||
  vm_fail "vigilctl ipvs -Lnc: $ours_conn; ipvsadm -Lnc: $kernel_conn"
vm_log "connections match ipvsadm's ($(wc -l <<<"$kernel_conn") entries)"

kill -0 "$vigild_pid" || vm_fail "vigild exited"
trap - EXIT
vm_log "ipvs_stats: ok"
