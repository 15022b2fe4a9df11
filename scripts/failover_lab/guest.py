"""Guest mode: the failover lab's scenarios on the VM tier's kernel-IPVS lab
in the qemu guest.

The lab itself is tests/vm/guest/failover_lab.sh (the one behind the vm
tests ipvs_failover and ipvs_mixed_pair), booted by tests/vm/run with
guest.sh, which runs the chosen scenarios one after the other (each on a
lab built afresh); this side passes the settings, shows the guest's progress
and turns what guest.sh prints into one report per scenario, in the format
of every other mode.
"""

import os
import re
import subprocess

from .programs import ROOT
from .proc import log
from .report import Report, sessions_row

HERE = os.path.dirname(os.path.abspath(__file__))

# advert_int 1, not 0.5: on a host loaded enough to starve the TCG guest (load
# ~18 on 2 cores), d2 missed 3 x 0.5 s + skew of d1's adverts twice in one rs
# run and flapped to MASTER. Starvation of the whole guest delays every timer
# in it alike, which no priority inside the guest cures (vrrp_rt_priority was
# worse: doc/failover-testing.md); a longer Master_Down_Interval tolerates it.
# --advert-int 0.5 still measures the faster setting.
GUEST_ADVERT_INT = "1"

GUEST_SCENARIOS = ["hard", "graceful", "link", "rs", "reload", "split"]

TITLES = {
    "hard": "hard (qemu guest, kernel IPVS + sync daemon)",
    "graceful": "graceful (qemu guest, kernel IPVS + sync daemon)",
    "link": "link (qemu guest, kernel IPVS + sync daemon)",
    "rs": "rs (qemu guest, kernel IPVS)",
    "reload": "reload (qemu guest, kernel IPVS, sessions held)",
    "split": "split (qemu guest, VRRP dropped on d2)",
}


def parse_failover(line):
    """The key=value fields of failover_lab.sh's "failover:" line."""
    return dict(re.findall(r"(\w+)=(\S+)", line))


def failover_rows(rep, name, f, conns):
    if f["vip_moved_ms"] not in ("", "-"):
        rep.add("VIP moved to d2:", "yes")
        rep.add("VIP move time:", f"{f['vip_moved_ms']} ms (VIP added on d2, ip monitor)")
        if name == "hard":
            rep.add("unplug + SIGKILL took:", f"{f['unplug_kill_ms']} ms")
    kept = int(f["kept"].split("/")[0])
    sessions_row(rep, {"kept": kept, "reset": f["reset"], "lost": f["lost"],
                       "failed": f["failed"], "max_stall_ms": f["max_stall_ms"]}, conns,
                 "kernel IPVS NAT, connections synced to the backup by the IPVS sync daemon")
    since = "the failure" if name != "reload" else "the first SIGHUP"
    rep.add("client-visible outage:", f"{f['max_stall_ms']} ms longest stall of a session, "
            f"ended {f['stall_end_after_failure_ms']} ms after {since}")


def guest_reports(output, conns, names):
    """One Report per scenario guest.sh started, from its output lines."""
    reports = []
    rep = name = None
    for line in output:
        m = re.match(r"(scenario|end|failover|row|error|transitions): (.*)", line)
        if not m:
            continue
        kind, rest = m.groups()
        if kind == "scenario":
            name = rest.strip()
            rep = Report(TITLES.get(name, name))
            reports.append(rep)
        elif rep is None:
            continue
        elif kind == "failover":
            failover_rows(rep, name, parse_failover(rest), conns)
        elif kind == "row":
            key, _, value = rest.partition(" | ")
            rep.add(key + ":", value)
        elif kind == "error":
            rep.expect(False, rest)
        elif kind == "transitions":
            d, _, states = rest.partition(" ")
            rep.add(f"transitions {d}:", states + ("" if states == "none" else
                                                   f" ({d}'s own log stamps)"))
        elif kind == "end":
            rep = None
    if rep is not None:
        rep.expect(False, "the guest script stopped inside this scenario (see the guest's output)")
    for n in names[len(reports):]:
        missing = Report(TITLES.get(n, n))
        missing.expect(False, "did not run: the guest script stopped before it")
        reports.append(missing)
    return reports


def run_guest(args):
    names = GUEST_SCENARIOS if args.scenario == "all" else [args.scenario]
    build = os.path.dirname(os.path.dirname(os.path.abspath(args.vigild)))
    with open(os.path.join(build, "failover-lab-guest.env"), "w") as f:
        f.write(f"export FL_ADV={args.advert_int or GUEST_ADVERT_INT} FL_CONNS={args.conns} "
                f"FL_SCENARIOS='{' '.join(names)}'\n")
    argv = [os.path.join(ROOT, "tests", "vm", "run"), os.path.join(HERE, "guest.sh"),
            str(args.vm_timeout or 400 * len(names))]
    proc = subprocess.Popen(argv, env=dict(os.environ, VIGIL_BUILD_DIR=build),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    output = []
    for line in proc.stdout:
        line = line.rstrip("\n")
        output.append(line)
        if re.match(r"\[[0-9.]+\] |FAIL|vm: |scenario: |error: ", line):  # progress, failures
            log(f"  guest: {line}")
    rc = proc.wait()
    reports = guest_reports(output, args.conns, names)
    for rep in reports:
        rep.print()
    errors = sum(len(r.errors) for r in reports)
    if rc != 0 and errors == 0:
        errors = 1
        log(f"  the guest script failed (tests/vm/run exit {rc})")
    log(f"\nfailover-lab: {len(reports)} scenario(s), {errors} error(s)")
    return 1 if errors else 0
