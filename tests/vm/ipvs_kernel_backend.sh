# vigil's kernel IPVS backend (src/ipvs/kernel) against the guest's real
# kernel: the KernelIpvs suite of the host-built integration_tests binary
# programs every scheduler the kernel ships, NAT/DR/TUN, fwmark and IPv6
# services over generic netlink, compares the table with `ipvsadm -Ln`, checks
# that applying it again sends only the reads, and drives the sync daemon,
# timeouts, stats and flush. Each test works in a network namespace of its own.
# Run: tests/vm/run tests/vm/ipvs_kernel_backend.sh 240
# vm-timeout: 240
. "$VM_LIB"
vm_load_ipvs
vm_gtest "$VM_BUILD/bin/integration_tests" 'KernelIpvs.*'
vm_log "ipvs_kernel_backend: ok"
