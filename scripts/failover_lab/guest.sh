# shellcheck shell=bash
# Guest side of `scripts/failover-lab --guest` (failover_lab/guest.py): the
# VM tier's failover lab (tests/vm/guest/failover_lab.sh: two vigild
# directors with kernel IPVS NAT and the sync daemon, FL_CONNS long-lived
# connections through the VIP) and a hard failure of the master. Prints the
# lab's "failover:" line and each director's transitions; the host side
# turns them into the lab's report. Settings come from the file guest.py
# writes into the build directory.
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
# shellcheck disable=SC1091
. "$VM_BUILD/failover-lab-guest.env" # FL_ADV, FL_CONNS
[[ -x $VM_BUILD/bin/vigild ]] || vm_fail "$VM_BUILD/bin/vigild not built"
vm_load_ipvs
fl_pair_failover vigild vigild
fl_report "guest"
fl_transitions d1
fl_transitions d2
