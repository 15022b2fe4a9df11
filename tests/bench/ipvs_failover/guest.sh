# shellcheck shell=bash
# Guest side of tests/bench/ipvs_failover/run: the failover lab
# (tests/vm/guest/failover_lab.sh) once per setting, repetition and director
# pair, all in one guest boot, so the vigild pair and the keepalived pair see
# the same kernel, topology, load and settings. Prints one "failover:" line
# per run; the host script tabulates them. Settings come from the file the
# host script writes into the build directory.
# shellcheck source=tests/vm/guest/lib.sh
. "$VM_LIB"
# shellcheck source=tests/vm/guest/failover_lab.sh
. "$VM_SRC/tests/vm/guest/failover_lab.sh"
# shellcheck disable=SC1091
. "$VM_BUILD/ipvs_failover_bench.env" # BENCH_SETTINGS, BENCH_REPS, BENCH_PAIRS
vm_load_ipvs
# --globals: extra global_defs lines for every director, vigild and keepalived
# alike (e.g. vrrp_rt_priority), in a copy of the lab's data directory.
if [[ -n ${BENCH_GLOBALS:-} ]]; then
  cp -r "$fl_data" /tmp/bench-data
  fl_data=/tmp/bench-data
  printf '%s\n' "$BENCH_GLOBALS" >/tmp/bench-globals
  sed -i '/^global_defs {/r /tmp/bench-globals' "$fl_data/failover_director.conf.in"
  vm_log "global_defs for every director: $(tr '\n' ';' </tmp/bench-globals)"
fi
# Whole outputs captured first: "| head -1" under pipefail fails on SIGPIPE.
version=$(vm_host_chroot keepalived --version 2>&1 || true)
vm_log "keepalived: ${version%%$'\n'*}"
version=$(vm_host_run "$VM_BUILD/bin/vigild" --version 2>&1 || true)
vm_log "vigild: ${version%%$'\n'*}"
for setting in $BENCH_SETTINGS; do # v2-1 = vrrp_version 2, advert_int 1
  export FL_VRRPV=${setting%%-*} FL_ADV=${setting#*-}
  FL_VRRPV=${FL_VRRPV#v}
  for ((rep = 1; rep <= BENCH_REPS; rep++)); do
    for pair in $BENCH_PAIRS; do # vigild-vigild keepalived-keepalived ...
      fl_pair_failover "${pair%%-*}" "${pair#*-}"
      fl_report "pair=$pair setting=$setting rep=$rep"
      fl_lab_down
    done
  done
done
vm_log "ipvs_failover bench: done"
