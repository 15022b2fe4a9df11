# Host-built binaries run in the guest: the build directory's vigild checks a
# sample director configuration against the host's shared libraries, and its
# exit codes (0 valid, 4 errors) reach the script.
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
vigild=$VM_BUILD/bin/vigild
[[ -x $vigild ]] || vm_fail "$vigild not built (build the vigild target first)"
conf=$VM_SRC/tests/vm/data/director.conf

vm_host_run "$vigild" --version
vm_host_run "$vigild" -t -f "$conf" || vm_fail "vigild -t rejected $conf"
dump=$(vm_host_run "$vigild" --dump-config -f "$conf")
grep -q '192.0.2.100' <<<"$dump" || vm_fail "dumped configuration lacks the virtual server"

printf 'vrrp_instance broken {\n  virtual_router_id 999\n}\n' >/tmp/broken.conf
rc=0
vm_host_run "$vigild" -t -f /tmp/broken.conf || rc=$?
[[ $rc == 4 ]] || vm_fail "vigild -t on a broken config exited $rc, want 4"
vm_log "vigild_runs: ok"
