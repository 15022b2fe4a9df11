"""Guest mode: the kernel-IPVS failover lab in the VM tier's qemu guest.

The lab itself is tests/vm/guest/failover_lab.sh (the one behind the vm
tests ipvs_failover and ipvs_mixed_pair), booted by tests/vm/run with
guest.sh; this side passes the settings, shows the guest's progress and
prints the guest's figures as the lab's report. Only `hard` runs there.
"""

import os
import re
import subprocess

from .programs import ROOT
from .proc import log
from .report import Report, sessions_row

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_failover(line):
    """The key=value fields of failover_lab.sh's "failover:" line."""
    return dict(re.findall(r"(\w+)=(\S+)", line))


def guest_report(output, conns, rc):
    rep = Report("hard (qemu guest, kernel IPVS + sync daemon)")
    line = next((l for l in output if l.startswith("failover: ")), None)
    if line is None:
        rep.expect(False, f"the guest run ended without figures (tests/vm/run exit {rc})")
        return rep
    f = parse_failover(line)
    rep.add("VIP moved to d2:", "yes")
    rep.add("VIP move time:", f"{f['vip_moved_ms']} ms (VIP added on d2, ip monitor)")
    rep.add("unplug + SIGKILL took:", f"{f['unplug_kill_ms']} ms")
    kept = int(f["kept"].split("/")[0])
    sessions_row(rep, {"kept": kept, "reset": f["reset"], "lost": f["lost"],
                       "failed": f["failed"], "max_stall_ms": f["max_stall_ms"]}, conns)
    rep.add("client-visible outage:", f"{f['max_stall_ms']} ms longest stall of a session, "
            f"ended {f['stall_end_after_failure_ms']} ms after the failure")
    for l in output:
        m = re.match(r"transitions: (\S+) (.*)", l)
        if m:
            rep.add(f"transitions {m.group(1)}:", m.group(2))
    rep.expect(rc == 0, f"the guest script failed (tests/vm/run exit {rc})")
    return rep


def run_guest(args):
    if args.scenario != "hard":
        log("failover-lab: --guest runs the hard scenario only")
        return 2
    build = os.path.dirname(os.path.dirname(os.path.abspath(args.vigild)))
    with open(os.path.join(build, "failover-lab-guest.env"), "w") as f:
        f.write(f"export FL_ADV={args.advert_int or '0.5'} FL_CONNS={args.conns}\n")
    argv = [os.path.join(ROOT, "tests", "vm", "run"), os.path.join(HERE, "guest.sh"),
            str(args.vm_timeout)]
    proc = subprocess.Popen(argv, env=dict(os.environ, VIGIL_BUILD_DIR=build),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    output = []
    for line in proc.stdout:
        line = line.rstrip("\n")
        output.append(line)
        if re.match(r"\[[0-9.]+\] |FAIL|vm: ", line):  # the guest's progress, failures
            log(f"  guest: {line}")
    rc = proc.wait()
    rep = guest_report(output, args.conns, rc)
    rep.print()
    log(f"\nfailover-lab: 1 scenario(s), {len(rep.errors)} error(s)")
    return 1 if rep.errors else 0
