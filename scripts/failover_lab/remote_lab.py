"""The remote lab: two directors that already exist (real machines, or
anything a command prefix reaches), driven by commands, observed from a
client machine. Nothing is built or torn down; each scenario starts the
directors (idempotent `--start`), fails the master with the scenario's
command and starts it again afterwards, so the pair is whole for the next.

Commands are shell text run on a director through `--exec` (with {host} the
director's host) and may name {name} and {host}; the directors' logs are
followed with `--log`. A log line's time is the director's own stamp on it
(journalctl -o short-unix, vigild -l), mapped onto this machine's clock by
an offset measured over `--exec` when each scenario starts (clocks.py); the
offset's uncertainty is printed beside the figures that used it. A line
without a stamp of its own is timed by its arrival here.
"""

from .clocks import line_stamp, local_lines, measure_offset, parse_clock
from .machine import ClientSide, Machine, prefix_for
from .netns_lab import parse_states
from .proc import stop_owned, wait_until

REMOTE_SCENARIOS = ["hard", "graceful", "link"]


class RemoteLab:
    extra_scenarios = {}

    def __init__(self, args):
        self.args = args
        (self.master, master_host), (self.backup, backup_host) = args.director
        self.hosts = {self.master: master_host, self.backup: backup_host}
        self.machines = {d: Machine(d, prefix_for(args.exec, h)) for d, h in self.hosts.items()}
        client = Machine("client", prefix_for(args.client_exec, "client"))
        garp_from = args.garp_from
        if garp_from == "auto":
            found = client.run("command -v tcpdump", check=False).returncode == 0
            garp_from = "tcpdump" if found else "neigh"
        self.client = ClientSide(client, args.vip, args.port, args.client_iface, garp_from,
                                 args.prefix)
        self.sessions = args.sessions
        self.sessions_port = args.sessions_port
        self.sessions_host = None  # the VIP
        self.vip_expires = args.expect_vip_expiry
        self.logs = {}
        self.clocks = {}

    def command(self, d, template):
        return template.replace("{name}", d).replace("{host}", self.hosts[d])

    def run(self, d, template):
        self.machines[d].run(self.command(d, template))

    def up(self):
        for d in (self.master, self.backup):
            self.clocks[d] = measure_offset(self.machines[d].argv(),
                                            self.command(d, self.args.clock))
            self.logs[d] = self.machines[d].follow("exec " + self.command(d, self.args.log), d)
        self.client.start_garp(None)

    def start_directors(self):
        for d in (self.master, self.backup):
            self.run(d, self.args.start)

    def ready(self):
        return self.has_vip(self.master) and not self.has_vip(self.backup)

    def down(self):
        # Leave the pair whole: the failed master gets started again, and is
        # given the bounded time a preempting master needs to hold the VIP.
        self.machines[self.master].run(self.command(self.master, self.args.start), check=False)
        wait_until(self.ready, 20, step=0.2)
        stop_owned()

    def clock_rows(self):
        return [(f"clock offset {d}:", self.clocks[d].describe()) for d in self.clocks]

    def director_lines(self, d):
        return local_lines(self.logs[d].snapshot(), self.clocks.get(d)) if d in self.logs else []

    def stamp_note(self, d, more=0.0):
        """How d's transition times were taken, and their uncertainty (plus
        `more`: that of the time they are measured from)."""
        entering = [(t, l) for t, l in self.logs[d].snapshot() if "Entering " in l] \
            if d in self.logs else []
        clock = self.clocks.get(d)
        if clock and entering and all(line_stamp(l, t, clock) is not None for t, l in entering):
            return f" \u00b1 {(clock.uncertainty + more) * 1000:.1f} ms ({d}'s own log stamps)"
        return f" ({d}'s log stamped on arrival)" if entering else ""

    def states(self, d, since=0.0):
        return parse_states(self.director_lines(d), since)

    def state(self, d):
        s = self.states(d)
        return s[-1][1] if s else ("MASTER" if self.has_vip(d) else None)

    def has_vip(self, d):
        return self.machines[d].has_address(self.args.vip)

    def fail(self, d, template):
        """Runs a failure on d, preceded there by d's clock: the failure's
        time on this machine's clock and its uncertainty, free of the time
        the command took to get there (an ssh connection, a shell)."""
        clock = self.clocks[d]
        r = self.machines[d].run(self.command(d, self.args.clock) + "\n" + self.command(d, template))
        first = r.stdout.split("\n", 1)[0]
        return clock.to_local(parse_clock(first)[0]), clock.uncertainty

    def fail_hard(self, d):
        return self.fail(d, self.args.fail_hard)

    def fail_graceful(self, d):
        return self.fail(d, self.args.fail_graceful)

    def fail_link(self, d):
        if not self.args.fail_link:
            raise RuntimeError("the link scenario needs --fail-link (and --restore-link)")
        return self.fail(d, self.args.fail_link)

    def restore_link(self, d):
        if self.args.restore_link:
            self.run(d, self.args.restore_link)

    def sessions_how(self):
        return ""  # the directors' business (IPVS sync, routing ...): not known here

    def sessions_note(self):
        return None if self.sessions else "not measured (--sessions N --sessions-port P)"
