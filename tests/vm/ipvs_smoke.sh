# shellcheck shell=bash
# The guest kernel has IPVS: ipvsadm (from the Debian archive, in the image)
# programs a service and reads it back, and the "IPVS" generic-netlink family
# that vigil's kernel backend talks to is registered.
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
vm_load_ipvs

ipvsadm -A -t 10.0.0.1:80 -s wrr
ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.11:80 -m -w 3
ipvsadm -A -u '[2001:db8::1]:53' -s sh
table=$(ipvsadm -Ln)
echo "$table"
grep -q 'TCP  10.0.0.1:80 wrr' <<<"$table" || vm_fail "TCP service not read back"
grep -q -- '-> 10.0.1.11:80 *Masq *3' <<<"$table" || vm_fail "destination not read back"
grep -q 'UDP  \[2001:db8::1\]:53 sh' <<<"$table" || vm_fail "IPv6 UDP service not read back"

# The generic-netlink controller knows the family by name (iproute2's genl).
grep -q 'Name: IPVS' <<<"$(genl ctrl get name IPVS)" || vm_fail "no IPVS genetlink family"
grep -q '^IP Virtual Server' /proc/net/ip_vs || vm_fail "/proc/net/ip_vs unreadable"
ipvsadm -C
# Whole output first, then count: grep -c exits 1 on no match, which under
# set -E and pipefail would fire the ERR trap (a false FAIL line) on success.
table=$(ipvsadm -Ln)
[[ $(grep -c '^[TU]' <<<"$table" || true) == 0 ]] || vm_fail "flush left services"
vm_log "ipvs_smoke: ok"
