# shellcheck shell=bash
# Mixed pair: vigild and keepalived as the two directors of one cluster
# (same VRRP instance, same IPVS service, the kernel sync daemon on both),
# failing over each way: vigild master -> keepalived backup, then a fresh lab
# with keepalived master -> vigild backup. The master fails hard (unplugged,
# then SIGKILL); all 100 long-lived connections must survive each time.
# Lab: tests/vm/guest/failover_lab.sh.
# vm-timeout: 360
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
vm_load_ipvs

# one_way MASTER_IMPL BACKUP_IMPL
one_way() {
  fl_lab_up
  fl_director d1 "$1" MASTER 150
  fl_wait_master d1
  fl_director d2 "$2" BACKUP 100
  fl_wait_ready d1
  fl_wait_ready d2
  fl_client_start
  fl_wait_synced d2
  fl_fail d1 d2
  fl_client_stop
  fl_report "$1 -> $2 (v${FL_VRRPV:-3}, advert_int ${FL_ADV:-0.5})"
  ((FL_KEPT == ${FL_CONNS:-100})) || fl_die "$1 -> $2: only $FL_KEPT of ${FL_CONNS:-100} connections survived: $FL_RESULT"
  fl_lab_down
}
one_way vigild keepalived
one_way keepalived vigild
vm_log "ipvs_mixed_pair: ok"
