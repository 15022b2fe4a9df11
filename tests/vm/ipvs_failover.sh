# shellcheck shell=bash
# Failover with sessions kept: two vigild directors (VRRP + TCP checkers +
# kernel IPVS NAT + the kernel sync daemon following VRRP) in front of two
# echo servers; 100 long-lived TCP connections through the VIP; the master
# fails hard (unplugged from its three LANs, then SIGKILL by PID). Every
# connection must survive; the VIP move time and the longest client stall
# are printed. Lab: tests/vm/guest/failover_lab.sh.
# vm-timeout: 240
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
vm_load_ipvs
fl_lab_up
fl_director d1 vigild MASTER 150
fl_wait_master d1
fl_director d2 vigild BACKUP 100
fl_wait_ready d1
fl_wait_ready d2
fl_client_start
fl_wait_synced d2
fl_fail d1 d2
fl_client_stop
fl_report "vigild -> vigild (v${FL_VRRPV:-3}, advert_int ${FL_ADV:-0.5})"
((FL_KEPT == ${FL_CONNS:-100})) || fl_die "only $FL_KEPT of ${FL_CONNS:-100} connections survived: $FL_RESULT"
vm_log "ipvs_failover: ok"
