# Traffic through kernel IPVS programmed by vigild: one director namespace
# runs vigild (dataplane kernel, TCP_CHECK on every real server) with a NAT
# service and a DR service of two real servers each; a client namespace makes
# 20 short HTTP requests to each VIP and every real server answers with its
# own name. Both services must alternate strictly between their two real
# servers (round-robin). Then one NAT real server stops: its checker takes it
# out of the kernel table and every request goes to the other; when it comes
# back, the checker puts it back. Topology and config: tests/vm/data/traffic.conf.
# Servers are busybox httpd, the client is bash's /dev/tcp (one process for
# all requests). No veth checksum-offload workaround (ethtool -K tx off; the
# image has no ethtool) is needed here: NAT and DR both pass without it.
# Run: tests/vm/run tests/vm/ipvs_traffic.sh 240
# vm-timeout: 240
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/traffic_lib.sh
. "$VM_SRC/tests/vm/guest/traffic_lib.sh"
vigild=$VM_BUILD/bin/vigild
[[ -x $vigild ]] || vm_fail "$vigild not built (build the vigild target first)"
requests=20
vm_load_ipvs

traffic_netns c d rs1 rs2 rs3 rs4
# Client LAN: the client, the director (both VIPs) and the DR real servers.
traffic_bridge brc
traffic_plug c eth0 10.0.1.2/24 brc
traffic_plug d eth0 10.0.1.1/24 brc
traffic_in d addr add 10.0.1.100/32 dev eth0
traffic_in d addr add 10.0.1.200/32 dev eth0
traffic_plug rs3 eth0 10.0.1.13/24 brc
traffic_plug rs4 eth0 10.0.1.14/24 brc
# DR: the real servers accept the VIP locally (sysctls below keep them from
# answering ARP for it, so the client's frames for the VIP go to the director).
traffic_in rs3 addr add 10.0.1.200/32 dev lo
traffic_in rs4 addr add 10.0.1.200/32 dev lo
# Server LAN: the director and the NAT real servers, whose replies must come
# back through the director to be un-NATed.
traffic_nat_server_lan
traffic_apply
vm_nsx d sysctl -qw net.ipv4.ip_forward=1
for r in rs3 rs4; do
  vm_nsx "$r" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
    net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
done
declare -A httpd
for r in rs1 rs2 rs3 rs4; do
  traffic_httpd "$r" "$r"
  httpd[$r]=$traffic_pid
done
vm_log "topology ready; starting vigild"

ip netns exec d env LD_LIBRARY_PATH="$vm_host_libs" "$vigild" -n -l -f "$VM_SRC/tests/vm/data/traffic.conf" \
  -p /run/vigild.pid -r /run/vigild-vrrp.pid -c /run/vigild-check.pid >/tmp/vigild.log 2>&1 &
vigild_pid=$!
trap 'echo "--- vigild log"; tail -n 40 /tmp/vigild.log; vm_nsx d ipvsadm -Ln || true' EXIT

nat_up() { traffic_table_has d 'TCP  10.0.1.100:80 rr' '10.0.2.11:80 Masq 1' '10.0.2.12:80 Masq 1'; }
dr_up() { traffic_table_has d 'TCP  10.0.1.200:80 rr' '10.0.1.13:80 Route 1' '10.0.1.14:80 Route 1'; }
vm_wait_for 30 nat_up || vm_fail "vigild did not program the NAT service with both real servers"
vm_wait_for 30 dr_up || vm_fail "vigild did not program the DR service with both real servers"
kill -0 "$vigild_pid" || vm_fail "vigild exited"
vm_log "vigild programmed both services"
vm_nsx d ipvsadm -Ln

answers=$(traffic_requests c 10.0.1.100 "$requests")
traffic_assert_rr "NAT" "$answers" rs1 rs2
answers=$(traffic_requests c 10.0.1.200 "$requests")
traffic_assert_rr "DR" "$answers" rs3 rs4
vm_nsx d ipvsadm -Ln --stats

# The health path: rs2 stops answering, its TCP_CHECK fails and vigild takes
# it out of the table; the client is then served by rs1 alone.
kill "${httpd[rs2]}"
nat_rs1_only() { traffic_table_has d 'TCP  10.0.1.100:80 rr' '10.0.2.11:80 Masq 1'; }
vm_wait_for 30 nat_rs1_only || vm_fail "rs2 stopped but stayed in the NAT service"
vm_log "rs2 down: removed from the NAT service"
answers=$(traffic_requests c 10.0.1.100 4)
[[ $answers == "rs1 rs1 rs1 rs1" ]] || vm_fail "with rs2 down the NAT service answered: $answers"

traffic_httpd rs2 rs2
vm_wait_for 30 nat_up || vm_fail "rs2 is back but was not put back in the NAT service"
answers=$(traffic_requests c 10.0.1.100 4)
traffic_assert_rr "NAT after rs2 came back" "$answers" rs1 rs2

kill -0 "$vigild_pid" || vm_fail "vigild exited"
trap - EXIT
vm_log "ipvs_traffic: ok"
