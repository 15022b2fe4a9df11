# shellcheck shell=bash
# Mixed pair: vigild and keepalived directing one cluster (same VRRP
# instance, same IPVS service, the kernel sync daemon on every director),
# failing over each way under the same 100 long-lived connections: d1 vigild
# (priority 150) fails hard and d2 keepalived (100) takes over, then d2 fails
# hard and d3 vigild (50) takes over. Every connection must survive both.
# Lab: tests/vm/guest/failover_lab.sh, with a third director.
# vm-timeout: 300
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
export FL_DIRECTORS=3
conns=${FL_CONNS:-100}
vm_load_ipvs
fl_lab_up
fl_director d1 vigild MASTER 150
fl_wait_master d1
fl_director d2 keepalived BACKUP 100
fl_director d3 vigild BACKUP 50
fl_wait_ready d1
fl_wait_ready d2
fl_wait_ready d3
fl_client_start
fl_wait_synced d2
fl_wait_synced d3

fl_fail d1 d2
fl_client_mark
fl_report "vigild -> keepalived (v${FL_VRRPV:-3}, advert_int ${FL_ADV:-0.5})"
((FL_KEPT == conns)) || fl_die "vigild -> keepalived: $FL_KEPT of $conns connections survived: $FL_RESULT"

fl_wait_synced d3 # now from keepalived's master sync daemon
fl_fail d2 d3
fl_client_stop
fl_report "keepalived -> vigild (v${FL_VRRPV:-3}, advert_int ${FL_ADV:-0.5})"
((FL_KEPT == conns)) || fl_die "keepalived -> vigild: $FL_KEPT of $conns connections survived: $FL_RESULT"
vm_log "ipvs_mixed_pair: ok"
