"""Shared pieces of the VRRP benchmarks (tests/bench/vrrp_*).

A lab is a bridge in its own namespace (<prefix>-sw) with directors d1, d2 and
a client cl plugged into it; nothing is configured in the root namespace. The
same lab and the same keepalived.conf text run either vigild or keepalived, so
every figure has its anchor measured in the same run.

Everything here is bounded in time, kills only processes it started (by PID or
by the process group it created), and deletes its namespaces on exit, also on
SIGINT/SIGTERM and on exceptions.
"""

import atexit
import datetime
import os
import random
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

SUBNET = "10.77.0"
VIP = "10.77.0.50"
SERVICE_PORT = 8080
HOSTS = {  # name: (address, MAC)
    "d1": ("10.77.0.11", "02:00:0a:4d:00:0b"),
    "d2": ("10.77.0.12", "02:00:0a:4d:00:0c"),
    "cl": ("10.77.0.100", "02:00:0a:4d:00:64"),
}
PRIORITY = {"d1": 150, "d2": 100}
LIB_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(LIB_DIR, "..", "..", ".."))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, check=True, timeout=30, **kw):
    """Runs a short command (argv list), bounded in time."""
    return subprocess.run(cmd, check=check, timeout=timeout, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------- processes we own
class Owned:
    """Every process the benchmark starts, each in a process group of its own,
    so cleanup can SIGKILL exactly what we started and nothing else."""

    procs = []

    @classmethod
    def spawn(cls, argv, log_path=None, env=None):
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True, env=env)
        if log_path:
            out.close()
        cls.procs.append(p)
        return p

    @classmethod
    def kill(cls, p, sig=signal.SIGKILL, wait=5.0):
        """Signals p's process group (ours: start_new_session) and reaps p."""
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=5)
        if p in cls.procs:
            cls.procs.remove(p)

    @classmethod
    def kill_all(cls):
        for p in list(cls.procs):
            cls.kill(p, signal.SIGKILL, wait=2.0)


_labs = []
_cleaned = False


def _cleanup():
    global _cleaned
    if _cleaned:
        return
    _cleaned = True
    Owned.kill_all()
    for lab in list(_labs):
        lab.down()


def install_cleanup():
    """Cleanup on normal exit, exceptions, SIGINT, SIGTERM and SIGHUP."""
    atexit.register(_cleanup)

    def on_signal(signo, _frame):
        raise SystemExit(128 + signo)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)


def require_root():
    if os.geteuid() != 0:
        sys.exit("run as root (network namespaces)")


# ---------------------------------------------------------------- the lab
class Lab:
    """Namespaces <prefix>-sw (bridge br0), <prefix>-d1, -d2, -cl."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.built = False
        _labs.append(self)

    def ns(self, host):
        return f"{self.prefix}-{host}"

    def ip(self, host, *args, check=True):
        return run(["ip", "-n", self.ns(host), *args], check=check)

    def exec_argv(self, host, argv):
        return ["ip", "netns", "exec", self.ns(host), *argv]

    def up(self):
        self.down()  # a previous run that was SIGKILLed may have left ours behind
        self.built = True
        for h in ["sw", *HOSTS]:
            run(["ip", "netns", "add", self.ns(h)])
            self.ip(h, "link", "set", "lo", "up")
        self.ip("sw", "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0")
        self.ip("sw", "link", "set", "br0", "up")
        for h, (addr, mac) in HOSTS.items():
            run(["ip", "-n", self.ns("sw"), "link", "add", f"p-{h}", "type", "veth", "peer", "name",
                 "eth0", "netns", self.ns(h)])
            self.ip("sw", "link", "set", f"p-{h}", "master", "br0", "up")
            self.ip(h, "link", "set", "eth0", "address", mac)
            self.ip(h, "addr", "add", f"{addr}/24", "dev", "eth0")
            # IPv6 labs (--family 6): the link-local adverts leave from is usable at once.
            run(self.exec_argv(h, ["sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0"]))
            self.ip(h, "link", "set", "eth0", "up")
        for d in ("d1", "d2"):
            Owned.spawn(self.exec_argv(d, [sys.executable, os.path.join(LIB_DIR, "service.py"),
                                           str(SERVICE_PORT), d]))

    def down(self):
        for h in ["sw", *HOSTS]:
            ns = self.ns(h)
            if not os.path.exists(f"/var/run/netns/{ns}"):
                continue
            # Only processes inside our own namespaces: all started by us.
            pids = run(["ip", "netns", "pids", ns], check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run(["ip", "netns", "del", ns], check=False)

    def unplug(self, host):
        self.ip("sw", "link", "set", f"p-{host}", "down")

    def plug(self, host):
        self.ip("sw", "link", "set", f"p-{host}", "up")

    def vips(self, host, family=4):
        """Addresses on host's eth0 other than its own (IPv6: its global ones)."""
        if family == 6:
            out = self.ip(host, "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global").stdout
            return {w.split("/")[0] for line in out.splitlines() for w in line.split()[3:4]}
        out = self.ip(host, "-4", "-o", "addr", "show", "dev", "eth0").stdout
        own = HOSTS[host][0]
        return {w.split("/")[0] for line in out.splitlines() for w in line.split()[3:4]} - {own}

    def clear_vips(self, host):
        self.ip(host, "-6", "addr", "flush", "dev", "eth0", "scope", "global", check=False)
        for a in self.vips(host):
            self.ip(host, "addr", "del", f"{a}/32" if not a.startswith(SUBNET + ".") else f"{a}/24",
                    "dev", "eth0", check=False)
        if self.vips(host):
            self.ip(host, "addr", "flush", "dev", "eth0", check=False)
            self.ip(host, "addr", "add", f"{HOSTS[host][0]}/24", "dev", "eth0", check=False)

    def client_sees(self, timeout=0.3):
        """Which director answers a TCP connect to the VIP ('' if none)."""
        code = ("import socket,sys\n"
                "s=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=float(sys.argv[3]))\n"
                "s.settimeout(float(sys.argv[3]));print(s.recv(16).decode().strip())\n")
        r = run(self.exec_argv("cl", [sys.executable, "-c", code, VIP, str(SERVICE_PORT), str(timeout)]),
                check=False, timeout=5)
        return r.stdout.strip()


def vip_for(index, family=4):
    """Instance 1 floats the lab VIP the client reaches; others get 10.77.2.x.
    IPv6 (VRRPv3 only): fd00:77::<index>/64, adverts from the link-locals."""
    if family == 6:
        return f"fd00:77::{index:x}"
    return VIP if index == 1 else f"10.77.{2 + index // 250}.{index % 250}"


def keepalived_conf(node, version, advert_int, instances=1, family=4):
    """The one keepalived.conf text both implementations read."""
    state = "MASTER" if node == "d1" else "BACKUP"
    lines = ["global_defs {", f"    router_id vvb-{node}", f"    vrrp_version {version}", "}"]
    for i in range(1, instances + 1):
        vip = vip_for(i, family)
        plen = "64" if family == 6 else "24" if vip.startswith(SUBNET + ".") else "32"
        lines += [
            f"vrrp_instance VI_{i} {{",
            f"    state {state}",
            "    interface eth0",
            f"    virtual_router_id {i}",
            f"    priority {PRIORITY[node]}",
            f"    advert_int {advert_int}",
            "    virtual_ipaddress {",
            f"        {vip}/{plen} dev eth0",
            "    }",
            "}",
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- directors
class Director:
    """One vigild or keepalived (VRRP only) in a lab host, in its own process
    group: a hard failure SIGKILLs the whole group."""

    def __init__(self, kind, lab, host, workdir, vigild):
        self.kind, self.lab, self.host = kind, lab, host
        self.dir = os.path.join(workdir, f"{lab.prefix}-{kind}-{host}")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "director.conf")
        self.log = os.path.join(self.dir, "director.log")
        self.vigild = vigild
        self.proc = None

    def control_socket(self):
        return os.path.join(self.dir, "control.sock")

    def write_conf(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def argv(self):
        pid = lambda name: os.path.join(self.dir, f"{name}.pid")
        if self.kind == "vigil":
            # Its own control socket: two directors on /run/vigil's would take it from each other.
            return [self.vigild, "-n", "-l", "-P", "-i", self.host, "-f", self.conf, "-p", pid("main"),
                    "-r", pid("vrrp"), "-c", pid("check"), "--control-socket", self.control_socket()]
        return ["keepalived", "-P", "-n", "-l", "-D", "-G", "-f", self.conf, "-p", pid("main"),
                "-r", pid("vrrp"), "-c", pid("check"), "-b", pid("bfd")]

    def start(self):
        for f in os.listdir(self.dir):
            if f.endswith(".pid"):
                os.unlink(os.path.join(self.dir, f))
        env = dict(os.environ, TMPDIR=self.dir)
        self.proc = Owned.spawn(self.lab.exec_argv(self.host, self.argv()), self.log, env)

    def kill_hard(self):
        """SIGKILL of every process of this director (its process group)."""
        if self.proc:
            Owned.kill(self.proc, signal.SIGKILL)
            self.proc = None

    def stop(self):
        if self.proc:
            Owned.kill(self.proc, signal.SIGTERM, wait=5.0)
            self.proc = None

    def pids(self):
        """The director's processes: members of its process group."""
        if not self.proc:
            return []
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    rest = f.read().rsplit(")", 1)[1].split()
                if int(rest[2]) == self.proc.pid:
                    out.append(int(d))
            except (OSError, IndexError):
                pass
        return sorted(out)


def pair(kind, lab, workdir, vigild):
    return Director(kind, lab, "d1", workdir, vigild), Director(kind, lab, "d2", workdir, vigild)


def wait_until(pred, limit, step=0.05):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def wait_master_d1(lab, instances=1, limit=30, family=4):
    """d1 holds every VIP, d2 none, and the client reaches d1 on the VIP
    (IPv6: the client is not asked)."""
    def ready():
        return (len(lab.vips("d1", family)) == instances and not lab.vips("d2", family)
                and (family == 6 or lab.client_sees() == "d1"))
    return wait_until(ready, limit, 0.1)


def start_pair(kind, lab, workdir, vigild, version, advert_int, instances=1, family=4):
    d1, d2 = pair(kind, lab, workdir, vigild)
    for d in (d1, d2):
        d.write_conf(keepalived_conf(d.host, version, advert_int, instances, family))
        lab.clear_vips(d.host)
    d2.start()
    d1.start()
    if not wait_master_d1(lab, instances, family=family):
        raise RuntimeError(f"{kind}: d1 did not become the only MASTER (logs: {d1.log}, {d2.log})")
    return d1, d2


# ---------------------------------------------------------------- captures
class Capture:
    """tcpdump on the lab bridge (sees every frame of the LAN), pcap file."""

    FILTER = f"arp or ip proto 112 or (tcp and src host {VIP})"

    def __init__(self, lab, path, limit_s):
        self.path = path
        argv = ["timeout", str(int(limit_s)), "tcpdump", "-i", "br0", "-n", "-U", "-s", "128",
                "-B", "4096", "-w", path, self.FILTER]
        self.proc = Owned.spawn(lab.exec_argv("sw", argv), path + ".log")
        # tcpdump says "listening on" once the socket is attached.
        wait_until(lambda: os.path.exists(path + ".log") and "listening" in open(path + ".log").read(), 5)

    def stop(self):
        time.sleep(0.1)
        Owned.kill(self.proc, signal.SIGINT, wait=5.0)
        return read_pcap(self.path)


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


def read_pcap(path):
    """Frames as dicts: t, src (MAC), kind ('vrrp'|'arp'|'tcp') and fields."""
    frames = []
    try:
        data = open(path, "rb").read()
    except OSError:
        return frames
    if len(data) < 24:
        return frames
    magic = struct.unpack("<I", data[:4])[0]
    endian, nano = {0xA1B2C3D4: ("<", False), 0xA1B23C4D: ("<", True),
                    0xD4C3B2A1: (">", False), 0x4D3CB2A1: (">", True)}[magic]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        t = sec + frac / (1e9 if nano else 1e6)
        f = decode_frame(pkt)
        if f:
            f["t"] = t
            frames.append(f)
    return frames


def decode_frame(pkt):
    if len(pkt) < 14:
        return None
    src = mac_str(pkt[6:12])
    etype = struct.unpack("!H", pkt[12:14])[0]
    body = pkt[14:]
    if etype == 0x0806 and len(body) >= 28:
        op = struct.unpack("!H", body[6:8])[0]
        spa = ".".join(map(str, body[14:18]))
        tpa = ".".join(map(str, body[24:28]))
        return {"kind": "arp", "src": src, "op": op, "spa": spa, "tpa": tpa}
    if etype != 0x0800 or len(body) < 20:
        return None
    ihl = (body[0] & 0x0F) * 4
    proto = body[9]
    ipsrc = ".".join(map(str, body[12:16]))
    l4 = body[ihl:]
    if proto == 112 and len(l4) >= 4:
        return {"kind": "vrrp", "src": src, "ipsrc": ipsrc, "vrid": l4[1], "prio": l4[2]}
    if proto == 6 and len(l4) >= 14:
        return {"kind": "tcp", "src": src, "ipsrc": ipsrc, "flags": l4[13]}
    return None


class AddrMonitor:
    """`ip -ts monitor address` in a host: when the kernel added an address."""

    def __init__(self, lab, host, path, limit_s):
        self.path = path
        # Real-time priority: -ts stamps a notification when ip reads it, so
        # it must not wait behind the directors for a CPU.
        argv = ["timeout", str(int(limit_s)), "chrt", "-f", "20", "ip", "-ts", "monitor", "address",
                "dev", "eth0"]
        self.proc = Owned.spawn(lab.exec_argv(host, argv), path)
        time.sleep(0.05)

    def stop(self):
        Owned.kill(self.proc, signal.SIGTERM, wait=5.0)
        events = []  # (t, added, address)
        for line in open(self.path, errors="replace"):
            if not line.startswith("["):
                continue
            stamp, rest = line[1:].split("]", 1)
            t = datetime.datetime.fromisoformat(stamp).timestamp()
            words = rest.split()
            added = not rest.lstrip().startswith("Deleted")
            if "inet" in words:
                events.append((t, added, words[words.index("inet") + 1].split("/")[0]))
        return events


# ---------------------------------------------------------------- figures
def cpu_sample(pid):
    """(utime+stime ticks, on-CPU ns from schedstat) of one process."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    ticks = int(rest[11]) + int(rest[12])
    with open(f"/proc/{pid}/schedstat") as f:
        ns = int(f.read().split()[0])
    return ticks, ns


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def median(values):
    return statistics.median(values) if values else None


def fmt_ms(v, width=10):
    return f"{'n/a':>{width}}" if v is None else f"{v:{width}.1f}"


def skew_time(version, advert_int, priority):
    """RFC 3768 (v2): (256-Priority)/256 s; RFC 5798 (v3): scaled by the interval."""
    return (256 - priority) / 256.0 * (1.0 if version == 2 else advert_int)


def master_down_interval(version, advert_int, priority):
    return 3 * advert_int + skew_time(version, advert_int, priority)


def make_workdir(name):
    return tempfile.mkdtemp(prefix=f"vvb-{name}-", dir="/tmp")


def remove_workdir(path, keep):
    if keep:
        log(f"captures and logs kept in {path}")
    else:
        shutil.rmtree(path, ignore_errors=True)


def find_vigild(explicit):
    candidates = [explicit] if explicit else [os.environ.get("VIGILD", ""),
                                              os.path.join(REPO_ROOT, "build", "bin", "vigild")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return os.path.abspath(c)
    sys.exit(f"vigild not found (tried {candidates}); build it or pass --vigild PATH")


def machine_line():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ka = run(["keepalived", "--version"], check=False).stderr.splitlines()
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs ({cpu}), "
            f"kernel {os.uname().release}, {ka[0] if ka else 'keepalived ?'}")


def random_phase(advert_int):
    time.sleep(random.uniform(0, min(advert_int, 1.0)))
