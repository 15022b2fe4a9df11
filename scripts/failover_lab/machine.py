"""A machine the lab drives: a director, the client, or this machine.

`prefix` is the argv that runs a program there (`ip netns exec NS`,
`ssh root@HOST`, or empty for here); every command goes as a script on the
stdin of `PREFIX sh -s` (programs.py says why).
"""

import json
import re
import shlex

from .programs import POLLER, python_script, sessions_program
from .proc import Stamped, clock_offset, leading_epoch, sh, wait_until


# A session without an echo for this long counts as lost; the runner holds
# the sessions longer than that after a failover, so a session counted kept
# echoed after the VIP moved.
SESSION_LOST_AFTER_S = 3


class Machine:
    def __init__(self, name, prefix):
        self.name = name
        self.prefix = list(prefix)

    def argv(self):
        return self.prefix + ["sh", "-s"]

    def run(self, script, check=True, timeout=30):
        return sh(self.argv(), check=check, script=script + "\n", timeout=timeout)

    def follow(self, script, name, keep_stdin=False):
        """Starts a long-running script there; its output lines are stamped."""
        return Stamped(self.argv(), name, script=script + "\n", keep_stdin=keep_stdin)

    def has_address(self, addr):
        r = self.run("ip -o addr show", check=False)
        return re.search(rf"\sinet6? {re.escape(addr)}/", r.stdout) is not None


def prefix_for(template, host):
    """The argv of an --exec template like `ssh root@{host}` for one host."""
    return shlex.split(template.replace("{host}", host)) if template else []


class ClientSide:
    """What a client next to the directors sees: polls of VIP:PORT, ARP on
    its LAN, and (optionally) long-lived connections through the VIP."""

    def __init__(self, machine, vip, port, iface, garp_from, tag):
        self.machine = machine
        self.vip = vip
        self.port = port
        self.iface = iface
        self.garp_from = garp_from  # "tcpdump" or "neigh"
        self.tag = tag  # names the sessions client's files on that machine
        self.polls = None
        self.garp = None
        self.sessions = None

    # --- polls ----------------------------------------------------------
    def start_polls(self):
        self.polls = self.machine.follow(python_script(POLLER, [self.vip, str(self.port)]),
                                         "client")

    def answers(self, since, until):
        """(local epoch, answer) of every poll made in [since, until]."""
        offset = clock_offset(self.polls, leading_epoch)
        out = []
        for _, line in self.polls.snapshot():
            parts = line.split()
            if len(parts) == 2 and leading_epoch(line) is not None:
                t = float(parts[0]) + offset
                if since <= t <= until:
                    out.append((t, parts[1]))
        return out

    # --- gratuitous ARP -------------------------------------------------
    def start_garp(self, initial_mac=None):
        """tcpdump on the client LAN, or the client's neighbour entry for the
        VIP changing away from `initial_mac` (the master's)."""
        self.initial_mac = initial_mac
        if self.garp_from == "tcpdump":
            script = f"exec tcpdump -i {shlex.quote(self.iface)} -n -l -tt arp"
        else:
            script = "exec ip monitor neigh"
        self.garp = self.machine.follow(script, self.garp_from)

    def vip_mac(self):
        r = self.machine.run(f"ip neigh show {shlex.quote(self.vip)}", check=False)
        m = re.search(r"lladdr (\S+)", r.stdout)
        return m.group(1) if m else None

    def first_garp(self, since):
        if self.garp_from != "tcpdump":
            return self._first_neigh_change(since)
        offset = clock_offset(self.garp, leading_epoch)
        for _, line in self.garp.snapshot():
            t = leading_epoch(line)
            if t is None or t + offset < since:
                continue
            if f"who-has {self.vip} tell {self.vip}" in line or f"Reply {self.vip} is-at" in line:
                return t + offset
        return None

    def _first_neigh_change(self, since):
        last = self.initial_mac
        for t, line in self.garp.snapshot():
            m = re.match(rf"{re.escape(self.vip)} dev \S+ lladdr (\S+)", line)
            if not m:
                continue
            if m.group(1) != last and t >= since:
                return t
            last = m.group(1)
        return None

    # --- sessions -------------------------------------------------------
    def _file(self, what):
        return f"/tmp/failover-lab-{self.tag}.{what}"

    def start_sessions(self, conns, port, host=None):
        """Opens `conns` echo connections to host:port (the VIP when host is
        None); True once each had its first echo (bounded: 20 s)."""
        ready, stop = self._file("ready"), self._file("stop")
        self.machine.run(f"rm -f {ready} {stop}")
        self.sessions_conns = conns
        args = ["client", "--host", host or self.vip, "--port", str(port), "--conns", str(conns),
                "--ready-file", ready, "--stop-file", stop, "--lost-after", str(SESSION_LOST_AFTER_S),
                "--max-seconds", "120"]
        self.sessions = self.machine.follow(python_script(sessions_program(), args), "sessions")
        return wait_until(lambda: self.machine.run(f"cat {ready}", check=False).stdout.strip()
                          == str(conns), 20, step=0.2)

    def stop_sessions(self):
        """The sessions client's figures (kept, reset, lost, failed,
        max_stall_ms ...), or None when it printed none within 30 s."""
        self.machine.run(f"touch {self._file('stop')}", check=False)
        wait_until(lambda: self.sessions.proc.poll() is not None, 30, step=0.1)
        self.machine.run(f"rm -f {self._file('ready')} {self._file('stop')}", check=False)
        for _, line in reversed(self.sessions.snapshot()):
            if line.startswith("{"):
                return json.loads(line)
        return None

