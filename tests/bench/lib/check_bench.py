"""Shared pieces of the checker benchmarks (tests/bench/check_*).

A lab is two namespaces joined by one veth pair: <prefix>-d runs the checker
(vigild -C or keepalived -C), <prefix>-rs holds the real servers. rs routes
all of 10.78.0.0/16 to itself (an AnyIP `local` route), so one listening port
answers for up to 65,000 real-server addresses without configuring any.

keepalived's checker needs IPVS: it runs with check_ipvs_shim.c preloaded
(built into the run's work directory), which logs the IPVS commands it would
have sent. vigild runs with `dataplane none` unless told otherwise. Both write lvs_notify_fifo
lines, read and timestamped here by one thread per run.

Process handling, cleanup and figures come from vrrp_bench (Owned, cleanup
on exit and signals, cpu_sample, rss_kb, machine_line).
"""

import os
import signal
import subprocess
import threading
import time

import vrrp_bench as vb

D_ADDR, RS_ADDR = "10.79.0.1", "10.79.0.2"
VIP = "10.79.0.100"
RS_NET = "10.78.0.0/16"


def rs_address(index):
    """Real server address number index (0-based) inside RS_NET."""
    return f"10.78.{index // 250}.{index % 250 + 1}"


class CheckLab:
    def __init__(self, prefix):
        self.prefix = prefix
        vb._labs.append(self)  # vrrp_bench's cleanup calls down() on exit

    def ns(self, host):
        return f"{self.prefix}-{host}"

    def ip(self, host, *args, check=True):
        return vb.run(["ip", "-n", self.ns(host), *args], check=check)

    def exec_argv(self, host, argv):
        return ["ip", "netns", "exec", self.ns(host), *argv]

    def up(self):
        self.down()
        for h in ("d", "rs"):
            vb.run(["ip", "netns", "add", self.ns(h)])
            self.ip(h, "link", "set", "lo", "up")
        vb.run(["ip", "-n", self.ns("d"), "link", "add", "eth0", "type", "veth", "peer", "name", "eth0",
                "netns", self.ns("rs")])
        for h, addr in (("d", D_ADDR), ("rs", RS_ADDR)):
            self.ip(h, "addr", "add", f"{addr}/24", "dev", "eth0")
            self.ip(h, "link", "set", "eth0", "up")
        self.ip("d", "route", "add", RS_NET, "via", RS_ADDR)
        self.ip("rs", "route", "add", "local", RS_NET, "dev", "lo")
        # Many short connections: let TIME_WAIT sockets be reused and not cap anything.
        for h in ("d", "rs"):
            vb.run(self.exec_argv(h, ["sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1",
                                      "net.ipv4.ip_local_port_range=1024 65000"]), check=False)

    def down(self):
        for h in ("d", "rs"):
            ns = self.ns(h)
            if not os.path.exists(f"/var/run/netns/{ns}"):
                continue
            for pid in vb.run(["ip", "netns", "pids", ns], check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)  # only ours live in our namespaces
                except (ProcessLookupError, ValueError):
                    pass
            vb.run(["ip", "netns", "del", ns], check=False)

    def nft(self, script):
        """Runs an nft script in rs (used to make a host silent)."""
        return subprocess.run(self.exec_argv("rs", ["nft", "-f", "-"]), input=script, text=True,
                              capture_output=True, timeout=10, check=True)

    def steer_receive(self, checker_cpus, target_cpus):
        """Receive Packet Steering on both ends of the veth: frames for the
        targets are processed (SYN to SYN-ACK, accept) on target_cpus, frames
        for the checker (SYN-ACK to connect completion) on checker_cpus. Without
        it the targets' side of every handshake runs on the checker's CPU, in
        the context of its send."""
        for host, cpus in (("d", checker_cpus), ("rs", target_cpus)):
            mask = f"{sum(1 << c for c in cpus):x}"
            vb.run(self.exec_argv(host, ["sh", "-c", f"for q in /sys/class/net/eth0/queues/rx-*; do "
                                                     f"echo {mask} > $q/rps_cpus; done"]))

    def server(self, workdir, mode, port, extra=()):
        argv = [vb.sys.executable, os.path.join(vb.LIB_DIR, "check_server.py"), mode, str(port), *map(str, extra)]
        return vb.Owned.spawn(self.exec_argv("rs", argv), os.path.join(workdir, f"server-{mode}-{port}.log"))


def build_shim(workdir):
    out = os.path.join(workdir, "check_ipvs_shim.so")
    vb.run(["cc", "-O2", "-shared", "-fPIC", "-o", out, os.path.join(vb.LIB_DIR, "check_ipvs_shim.c"), "-ldl"],
           timeout=60)
    return out


class NotifyFifo:
    """Reads an lvs_notify_fifo in a thread: (epoch, words) per line."""

    def __init__(self, path):
        self.path = path
        if os.path.exists(path):
            os.unlink(path)
        os.mkfifo(path, 0o600)
        # O_RDWR: the reader never sees EOF when a writer closes or restarts.
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self.lines = []
        self.lock = threading.Lock()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        import select
        pending = b""
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        while not self.stopped:
            if not poller.poll(200):
                continue
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            now = time.time()
            pending += data
            *complete, pending = pending.split(b"\n")
            with self.lock:
                self.lines.extend((now, line.decode(errors="replace").split()) for line in complete)

    def first(self, address, state, after):
        """Time of the first RS line for address:port ('10.78.1.1:9001') in state after `after`."""
        ip, port = address.rsplit(":", 1)
        with self.lock:
            for t, w in self.lines:
                if len(w) < 3:
                    continue
                rs = w[1].replace("[", "").replace("]", "")
                if t >= after and w[0] == "RS" and w[-1] == state \
                        and rs.startswith(ip + ":") and rs.endswith(":" + port):
                    return t
        return None

    def count(self, state, after=0.0):
        with self.lock:
            return sum(1 for t, w in self.lines if t >= after and w and w[0] == "RS" and w[-1] == state)

    def close(self):
        self.stopped = True
        self.thread.join(timeout=2)
        os.close(self.fd)


def first_shim_op(log_path, command, address, after):
    """Time of the first IPVS `command` for address:port in the shim log after `after`."""
    try:
        with open(log_path) as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[1] == command and w[2] == f"rs={address}" and float(w[0]) >= after:
                    return float(w[0])
    except OSError:
        pass
    return None


class _FifoProcess:
    """What Checker and FloorChecker share: a process of their own (proc) and the
    lvs_notify_fifo it writes (fifo); stop() ends the one and closes the other."""

    proc = None
    fifo = None

    def stop(self):
        if self.proc:
            vb.Owned.kill(self.proc, signal.SIGTERM, wait=10.0)
            self.proc = None
        if self.fifo:
            self.fifo.close()
            self.fifo = None


class Checker(_FifoProcess):
    """vigild -C or keepalived -C in the lab's d namespace, own process group."""

    def __init__(self, kind, lab, workdir, vigild, shim, dataplane="none"):
        """dataplane: vigild's `dataplane` keyword (none, or userspace: the check
        worker syncs an in-memory table on every health change, as it would a
        kernel's)."""
        self.kind, self.lab, self.vigild, self.shim = kind, lab, vigild, shim
        self.dataplane = dataplane
        self.dir = os.path.join(workdir, kind)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "check.conf")
        self.log = os.path.join(self.dir, "daemon.log")
        self.shim_log = os.path.join(self.dir, "ipvs.log")
        self.fifo_path = os.path.join(self.dir, "lvs.fifo")
        self.proc = None
        self.fifo = None
        self.sched_argv = []  # e.g. taskset and nice (sched_argv()), run before the daemon

    def global_defs(self):
        lines = ["global_defs {", f"    router_id vcb-{self.kind}", f"    lvs_notify_fifo {self.fifo_path}"]
        if self.kind == "vigil":
            lines.append(f"    dataplane {self.dataplane}")
        return "\n".join(lines + ["}"]) + "\n"

    def write_conf(self, body):
        with open(self.conf, "w") as f:
            f.write(self.global_defs() + body)

    def pid_file(self, name):
        return os.path.join(self.dir, f"{name}.pid")

    def argv(self):
        pid = self.pid_file
        if self.kind == "vigil":
            return [self.vigild, "-C", "-n", "-l", "-f", self.conf, "-p", pid("main"), "-c", pid("check")]
        return ["keepalived", "-C", "-n", "-l", "-D", "-f", self.conf, "-p", pid("main"), "-c", pid("check"),
                "-r", pid("vrrp"), "-b", pid("bfd")]

    def start(self):
        for f in os.listdir(self.dir):
            if f.endswith(".pid"):
                os.unlink(os.path.join(self.dir, f))
        self.fifo = NotifyFifo(self.fifo_path)
        env = dict(os.environ, TMPDIR=self.dir)
        if self.kind == "vigil":
            # Its own control socket, not /run/vigil/vigild.sock another run may hold.
            env.update(VIGIL_CONTROL_SOCKET=self.control_socket())
        if self.kind == "keepalived":
            env.update(LD_PRELOAD=self.shim, CHECK_SHIM_LOG=self.shim_log)
        self.proc = vb.Owned.spawn(self.lab.exec_argv("d", self.sched_argv + self.argv()), self.log, env)

    def control_socket(self):
        return os.path.join(self.dir, "control.sock")

    def pids(self):
        """Every process of the daemon (its process group)."""
        out = []
        if not self.proc:
            return out
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[2]) == self.proc.pid:
                            out.append(int(d))
                except (OSError, IndexError, ValueError):
                    pass
        return sorted(out)

    def checker_pid(self):
        """The process running the checks: from the check pid file, else the
        only process of the group."""
        try:
            pid = int(open(self.pid_file("check")).read().split()[0])
            if os.path.exists(f"/proc/{pid}"):
                return pid
        except (OSError, ValueError, IndexError):
            pass
        pids = self.pids()
        return pids[-1] if pids else None


def build_http_floor(workdir):
    """Compiles tests/bench/http_floor.cpp (the least CPU an HTTP_GET check costs) into workdir."""
    out = os.path.join(workdir, "http_floor")
    src = os.path.join(vb.LIB_DIR, "..", "http_floor.cpp")
    vb.run(["c++", "-O2", "-std=c++20", "-o", out, src], timeout=120)
    return out


class FloorChecker(_FifoProcess):
    """http_floor in the lab's d namespace, with Checker's interface (start, stop,
    pids, checker_pid, fifo, proc, log): it GETs each target of `targets`
    ((address, port) pairs) every delay_loop seconds and writes RS DOWN / UP lines
    on its FIFO as the daemons do. mode: None (vigil's packets), "fin" (keepalived's:
    no SO_LINGER 0, no TCP_QUICKACK 0), "reuse" (vigil's, from sockets kept and reset
    with connect(AF_UNSPEC)), "withheld" or "eager" (reuse's variants, http_floor.cpp). max_seconds: the floor exits on its own after that
    long (its --max-seconds), so one left behind by a killed caller stops."""

    def __init__(self, lab, workdir, binary, mode=None, max_seconds=0):
        self.lab, self.binary, self.mode, self.max_seconds = lab, binary, mode, max_seconds
        self.dir = os.path.join(workdir, "floor")
        os.makedirs(self.dir, exist_ok=True)
        self.targets = os.path.join(self.dir, "targets")
        self.log = os.path.join(self.dir, "floor.log")
        self.fifo_path = os.path.join(self.dir, "lvs.fifo")
        self.delay_loop, self.timeout = 1.0, 1.0
        self.sched_argv = []  # as Checker's
        self.proc = None
        self.fifo = None

    def write_targets(self, targets, delay_loop, timeout):
        with open(self.targets, "w") as f:
            f.writelines(f"{address} {port}\n" for address, port in targets)
        self.delay_loop, self.timeout = delay_loop, timeout

    def start(self):
        self.fifo = NotifyFifo(self.fifo_path)
        argv = [self.binary, self.targets, "--delay-loop", f"{self.delay_loop:g}", "--timeout",
                f"{self.timeout:g}", "--fifo", self.fifo_path, "--max-seconds", str(int(self.max_seconds))]
        argv += [f"--{self.mode}"] if self.mode else []
        self.proc = vb.Owned.spawn(self.lab.exec_argv("d", self.sched_argv + argv), self.log)

    def pids(self):
        """The floor's process (`ip netns exec` execs it, keeping the pid)."""
        return [self.proc.pid] if self.proc and os.path.exists(f"/proc/{self.proc.pid}") else []

    def checker_pid(self):
        pids = self.pids()
        return pids[0] if pids else None


def sched_argv(cpu, nice, rt=None):
    """Command prefix running a daemon on one CPU, at a nice value or a realtime
    (SCHED_RR) priority; its children (the checker process) inherit them, and
    neither daemon changes them unless configured to (checker_cpu_affinity,
    checker_priority, checker_rt_priority)."""
    out = [] if cpu is None else ["taskset", "-c", str(cpu)]
    out += [] if nice is None else ["nice", "-n", str(nice)]
    return out + ([] if rt is None else ["chrt", "-r", str(rt)])


def set_sched(pid, nice, rt=None):
    """What sched_argv() does, for a running process."""
    if nice is not None:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    if rt is not None:
        os.sched_setscheduler(pid, os.SCHED_RR, os.sched_param(rt))


def sched_of(pid):
    """'C nice N' or 'C rr P' (C: the CPUs it may run on) of a running process (what it really got)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        nice, rt_priority, policy = int(rest[16]), int(rest[37]), int(rest[38])
        with open(f"/proc/{pid}/status") as f:
            cpus = next(line.split()[1] for line in f if line.startswith("Cpus_allowed_list:"))
        level = {1: f"fifo {rt_priority}", 2: f"rr {rt_priority}"}.get(policy, f"nice {nice}")
        return f"{cpus} {level}"
    except (OSError, StopIteration, IndexError, ValueError):
        return None


def cpu_times():
    """Per CPU: (busy, softirq, total) jiffies from /proc/stat (busy excludes idle and iowait)."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            w = line.split()
            if w[0].startswith("cpu") and w[0] != "cpu":
                v = [int(x) for x in w[1:9]]  # user nice system idle iowait irq softirq steal
                out[int(w[0][3:])] = (sum(v) - v[3] - v[4], v[6], sum(v))
    return out


def cpu_share(before, after, cpus):
    """(busy %, softirq %) of the given CPUs between two cpu_times() samples."""
    busy = sum(after[c][0] - before[c][0] for c in cpus)
    soft = sum(after[c][1] - before[c][1] for c in cpus)
    total = sum(after[c][2] - before[c][2] for c in cpus) or 1
    return busy * 100.0 / total, soft * 100.0 / total


def frames_processed():
    """Per CPU: frames its network receive processing took (softnet_stat's first column,
    a row per online CPU in order)."""
    with open("/proc/net/softnet_stat") as f:
        rows = [line.split() for line in f]
    return {int(w[12], 16) if len(w) > 12 else i: int(w[0], 16) for i, w in enumerate(rows)}


def ksoftirqd_pids():
    """CPU -> pid of its ksoftirqd thread (read only: its CPU time and run delay)."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/comm") as f:
                    name = f.read().strip()
            except OSError:
                continue
            if name.startswith("ksoftirqd/"):
                out[int(name.split("/")[1])] = int(d)
    return out


def run_delay_ns(pids):
    """Nanoseconds the pids' threads waited on a run queue (schedstat's second field)."""
    total = 0
    for p in pids:
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/schedstat") as f:
                    total += int(f.read().split()[1])
        except OSError:
            pass
    return total


def tcp_checks_seen(pid):
    """Checks the targets in pid's namespace have seen: Tcp PassiveOpens (handshakes
    completed) plus AttemptFails (a SYN-ACK answered by a RST). A keepalived check or a
    `tcp_check_mode handshake` one completes the handshake; vigil's default connect mode
    and syn mode reset the connection before the final ACK, so they count as failed
    attempts. Each check is one of the two, never both."""
    with open(f"/proc/{pid}/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Tcp:")]
    return int(rows[1][rows[0].index("PassiveOpens")]) + int(rows[1][rows[0].index("AttemptFails")])


def listen_drops(pid):
    with open(f"/proc/{pid}/net/netstat") as f:
        rows = [line.split() for line in f if line.startswith("TcpExt:")]
    return int(rows[1][rows[0].index("ListenDrops")])


def cpu_ns_of(pids):
    """On-CPU nanoseconds (schedstat) summed over pids."""
    total = 0
    for p in pids:
        try:
            total += vb.cpu_sample(p)[1]
        except OSError:
            pass
    return total

