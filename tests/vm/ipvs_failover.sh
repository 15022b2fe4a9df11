# shellcheck shell=bash
# Failover with sessions kept: two vigild directors (VRRP + TCP checkers +
# kernel IPVS NAT + the kernel sync daemon following VRRP) in front of two
# echo servers; 100 long-lived TCP connections through the VIP; the master
# fails hard (unplugged from its three LANs, then SIGKILL by PID). Every
# connection must survive, and the new master must run the master sync
# daemon with the 100 connections still counted on its real servers (nothing
# rebuilt the service at the takeover); the VIP move time and the longest
# client stall are printed. Lab: tests/vm/guest/failover_lab.sh.
# vm-timeout: 240
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
vm_load_ipvs
fl_pair_failover vigild vigild
fl_report "vigild -> vigild (v${FL_VRRPV:-3}, advert_int ${FL_ADV:-0.5})"
((FL_KEPT == ${FL_CONNS:-100})) || fl_die "only $FL_KEPT of ${FL_CONNS:-100} connections survived: $FL_RESULT"
# The new master took over the sync role and kept the synced connections:
# nothing after the takeover rebuilt the service or its destinations.
grep -q '^master sync daemon (mcast=eth2, syncid=7' <<<"$(vm_nsx d2 ipvsadm -L --daemon)" ||
  fl_die "d2 is MASTER but runs no master sync daemon"
# (The client has closed them by now: active plus inactive, per real server.)
bound=$(vm_nsx d2 ipvsadm -Ln -t 10.0.1.100:9000 | awk '/->.*Masq/ { n += $5 + $6 } END { print n + 0 }')
((bound >= ${FL_CONNS:-100})) || fl_die "d2's real servers hold $bound of ${FL_CONNS:-100} connections after the takeover"
vm_log "ipvs_failover: ok"
