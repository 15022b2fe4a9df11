"""Options, modes and the run over the chosen scenarios."""

import argparse
import os
import signal
import subprocess
import sys
import tempfile

from .clocks import DEFAULT_CLOCK
from .netns_lab import NODES, NamespaceLab
from .programs import ROOT
from .proc import log, stop_owned
from .remote_lab import REMOTE_SCENARIOS, RemoteLab
from .scenarios import SCENARIOS, run_scenario


def director(text):
    name, sep, host = text.partition("=")
    if not sep or not name or not host:
        raise argparse.ArgumentTypeError(f"--director wants NAME=HOST, not {text!r}")
    return name, host


def parse(doc, argv):
    ap = argparse.ArgumentParser(description=" ".join(doc.split("\n\n")[0].split()),
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Modes and examples: doc/failover-testing.md")
    ap.add_argument("--scenario", default="hard", choices=SCENARIOS + ["all"])
    ap.add_argument("--prefix", default=os.environ.get("FAILOVER_LAB_PREFIX", "fl"),
                    help="names this run's namespaces (netns) and client files (remote)")
    ap.add_argument("--vigild", default=os.path.join(ROOT, "build", "bin", "vigild"))
    ap.add_argument("--advert-int", default=None,
                    help="VRRP advert interval, seconds (netns 0.1, guest 1)")
    ap.add_argument("--garp-from", default="auto", choices=["auto", "tcpdump", "neigh"],
                    help="how GARPs are seen: tcpdump on the client LAN or the client's "
                    "neighbour entry (auto: tcpdump when the client has it)")
    ap.add_argument("--keep-logs", default=None, help="write each director's stamped log here")
    remote = ap.add_argument_group("remote mode")
    remote.add_argument("--remote", action="store_true", help="drive two existing directors")
    remote.add_argument("--director", type=director, action="append", default=[],
                        metavar="NAME=HOST", help="twice: the master (failed), then the backup")
    remote.add_argument("--vip", help="the virtual address the client polls")
    remote.add_argument("--port", type=int, default=80,
                        help="TCP port the client polls on the VIP (default 80)")
    remote.add_argument("--exec", default="ssh root@{host}",
                        help="command prefix that runs a shell on a director ({host})")
    remote.add_argument("--client-exec", default="",
                        help="command prefix for the client machine (default: this one)")
    remote.add_argument("--client-iface", default="any", help="tcpdump's interface")
    remote.add_argument("--log", default="journalctl -u vigil -f -n 0 -o short-unix",
                        help="follows a director's log ({name}, {host}); lines that start "
                        "with a stamp (epoch, ISO 8601, HH:MM:SS.fff) are timed by it")
    remote.add_argument("--clock", default=DEFAULT_CLOCK,
                        help="prints a director's clock: epoch seconds [+HHMM] ({name}, {host})")
    remote.add_argument("--start", default="systemctl start vigil",
                        help="starts a director; must do nothing to a running one")
    remote.add_argument("--fail-hard", default="systemctl kill -s KILL vigil")
    remote.add_argument("--fail-graceful", default="systemctl stop vigil")
    remote.add_argument("--fail-link", default="", help="e.g. 'ip link set eth1 down'")
    remote.add_argument("--restore-link", default="", help="e.g. 'ip link set eth1 up'")
    remote.add_argument("--sessions", type=int, default=0,
                        help="hold N echo connections through the VIP across the failure")
    remote.add_argument("--sessions-port", type=int, default=9000)
    remote.add_argument("--expect-vip-expiry", action="store_true",
                        help="hard: the killed master's VIP must leave by itself (vip_lifetime)")
    guest = ap.add_argument_group("guest mode")
    guest.add_argument("--guest", action="store_true",
                       help="the kernel-IPVS lab in the qemu guest (every scenario)")
    guest.add_argument("--conns", type=int, default=100, help="guest: sessions held")
    guest.add_argument("--vm-timeout", type=int, default=None,
                       help="guest: seconds (default 400 a scenario)")
    args = ap.parse_args(argv)
    if args.remote and args.guest:
        ap.error("--remote and --guest exclude each other")
    if args.remote and (len(args.director) != 2 or not args.vip):
        ap.error("--remote needs two --director NAME=HOST and --vip")
    return args


def scenario_names(args, supported):
    names = supported if args.scenario == "all" else [args.scenario]
    for n in names:
        if n not in supported:
            sys.exit(f"failover-lab: scenario {n} is not available in this mode "
                     f"({', '.join(supported)})")
    return names


def lab_factory(args):
    if args.remote:
        return REMOTE_SCENARIOS, lambda: RemoteLab(args)
    if args.garp_from == "auto":
        args.garp_from = "tcpdump" if subprocess.run(
            ["sh", "-c", "command -v tcpdump"], capture_output=True).returncode == 0 else "neigh"
    return SCENARIOS, lambda: NamespaceLab(args, tempfile.mkdtemp(prefix=f"{args.prefix}-lab-"))


def on_signal(args):
    def handler(signo, _frame):
        stop_owned(1.0)
        if not args.remote:
            for n in NODES:
                subprocess.run(["ip", "netns", "del", f"{args.prefix}-{n}"], capture_output=True)
        sys.exit(128 + signo)
    return handler


def main(doc):
    args = parse(doc, sys.argv[1:])
    if args.guest:
        from .guest import run_guest
        sys.exit(run_guest(args))
    if os.geteuid() != 0 and not args.remote:
        sys.exit("failover-lab: needs root (network namespaces)")
    if not args.remote and not os.access(args.vigild, os.X_OK):
        sys.exit(f"failover-lab: no vigild at {args.vigild} (build first or pass --vigild)")
    signal.signal(signal.SIGINT, on_signal(args))
    signal.signal(signal.SIGTERM, on_signal(args))

    supported, make_lab = lab_factory(args)
    reports = [run_scenario(args, n, make_lab) for n in scenario_names(args, supported)]
    total = sum(len(r.errors) for r in reports)
    log(f"\nfailover-lab: {len(reports)} scenario(s), {total} error(s)")
    sys.exit(1 if total else 0)
