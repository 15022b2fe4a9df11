"""The namespace lab: a two-director vigild cluster with two real servers and
a client, all in network namespaces PREFIX-* on this machine.

  PREFIX-sw  holds two bridges: brc (client LAN 10.88.1.0/24) and brs (server
             LAN 10.88.2.0/24)
  PREFIX-d1  director d1: eth0 10.88.1.1 (VRRP, VIP 10.88.1.100), eth1 10.88.2.1
             (VIP 10.88.2.100)
  PREFIX-d2  director d2: eth0 10.88.1.2, eth1 10.88.2.2
  PREFIX-rs1 / PREFIX-rs2  real servers 10.88.2.11 / .12: TCP port 80 (what
             the directors check) and an echo service on port 9000
  PREFIX-cl  client 10.88.1.10, polls the VIP every ~20 ms
Each director runs vigild (VRRP v3, dataplane none: this lab needs no IPVS)
and a small TCP responder on port 80 that answers with the director's name,
so the client sees which director holds the VIP.

Sessions: the directors also forward as plain routers (ip_forward on, no NAT,
no IPVS). The client reaches the server LAN through the VIP 10.88.1.100 as its
gateway, and the real servers reach the client LAN through 10.88.2.100, the
VIP of the same instance on the server side; so each of the client's
long-lived echo connections to rs1 goes through whichever director holds the
VIPs, and survives a failover because its TCP state lives on the two
endpoints only. This is not IPVS connection sync (that needs kernel IPVS and
its sync daemon: --guest, tests/bench/ipvs_failover), and the report says so.
"""

import re
import signal
import subprocess
import time

from .clocks import ClockOffset, line_stamp, local_lines
from .machine import ClientSide, Machine
from .programs import RESPONDER, python_script, sessions_program
from .proc import Stamped, sh, stop_owned, wait_until
from .report import ms
from .scenarios import add_outage, outage, transitions

VIP = "10.88.1.100"
SERVER_VIP = "10.88.2.100"  # the real servers' gateway back to the client LAN
SESSIONS_SERVER = "10.88.2.11"  # rs1's echo service, reached through the VIPs
SESSIONS_PORT = 9000
SESSIONS = 20
PRIORITY = {"d1": 150, "d2": 100}
NODES = ["sw", "d1", "d2", "rs1", "rs2", "cl"]


class NamespaceLab:
    master, backup = "d1", "d2"
    sessions = SESSIONS
    sessions_port = SESSIONS_PORT
    sessions_host = SESSIONS_SERVER
    vip_expires = True  # the lab's config has vip_lifetime 2

    def __init__(self, args, workdir):
        self.p = args.prefix
        self.args = args
        self.workdir = workdir
        self.ns = {n: f"{self.p}-{n}" for n in NODES}
        self.machines = {n: Machine(n, ["ip", "netns", "exec", self.ns[n]]) for n in NODES}
        self.directors = {}
        self.servers = {}
        self.extra = False  # the reload scenario's alternate config
        self.client = ClientSide(self.machines["cl"], VIP, 80, "eth0", args.garp_from, self.p)
        self.extra_scenarios = {"rs": scenario_rs, "reload": scenario_reload,
                                "split": scenario_split}

    # --- topology -------------------------------------------------------
    def exec_argv(self, node, argv):
        return ["ip", "netns", "exec", self.ns[node]] + argv

    def plug(self, node, ifname, bridge, addr):
        sw = self.ns["sw"]
        port = f"{node}{ifname[-1]}"
        sh(f"ip -n {sw} link add {port} type veth peer name {ifname} netns {self.ns[node]}")
        sh(f"ip -n {sw} link set {port} master {bridge} up")
        sh(f"ip -n {self.ns[node]} addr add {addr} dev {ifname}")
        sh(f"ip -n {self.ns[node]} link set {ifname} up")

    def port_state(self, node, ifname, up):
        sh(f"ip -n {self.ns['sw']} link set {node}{ifname[-1]} {'up' if up else 'down'}")

    def up(self):
        self.down_namespaces()
        for n in self.ns.values():
            sh(f"ip netns add {n}")
            sh(f"ip -n {n} link set lo up")
        for br in ["brc", "brs"]:
            sh(f"ip -n {self.ns['sw']} link add {br} type bridge")
            sh(f"ip -n {self.ns['sw']} link set {br} up")
        for i, d in ((1, "d1"), (2, "d2")):
            self.plug(d, "eth0", "brc", f"10.88.1.{i}/24")
            self.plug(d, "eth1", "brs", f"10.88.2.{i}/24")
        self.plug("rs1", "eth0", "brs", "10.88.2.11/24")
        self.plug("rs2", "eth0", "brs", "10.88.2.12/24")
        self.plug("cl", "eth0", "brc", "10.88.1.10/24")
        self.route_through_vips()
        for rs in ["rs1", "rs2"]:
            self.start_server(rs)
            self.machines[rs].follow(python_script(sessions_program(),
                                                   ["echo", "0.0.0.0", str(SESSIONS_PORT)]),
                                     f"echo-{rs}")
        for d in ["d1", "d2"]:
            self.machines[d].follow(python_script(RESPONDER, [d, "80"]), f"web-{d}")
        self.client.start_garp(self.mac("d1"))

    def route_through_vips(self):
        """The directors forward between the LANs; the client and the real
        servers each reach the other LAN through the VIP on their side."""
        for d in ["d1", "d2"]:
            self.machines[d].run("echo 1 > /proc/sys/net/ipv4/ip_forward")
        sh(f"ip -n {self.ns['cl']} route add 10.88.2.0/24 via {VIP}")
        for rs in ["rs1", "rs2"]:
            sh(f"ip -n {self.ns[rs]} route add 10.88.1.0/24 via {SERVER_VIP}")

    def mac(self, d):
        r = sh(f"ip -n {self.ns[d]} -o link show dev eth0")
        return r.stdout.split("link/ether ")[1].split()[0]

    def start_server(self, rs):
        self.servers[rs] = self.machines[rs].follow(python_script(RESPONDER, [rs, "80"]), rs)

    def down_namespaces(self):
        for n in self.ns.values():
            subprocess.run(["ip", "netns", "del", n], capture_output=True, timeout=30)

    def down(self):
        stop_owned()
        self.down_namespaces()

    # --- directors ------------------------------------------------------
    def config(self, d):
        adv = self.args.advert_int or "0.1"
        # The reload scenario's extra VIP is excluded from adverts: a VIP list
        # that differs between the directors makes each drop the other's
        # adverts (address_list_mismatch), as keepalived does, and so flap.
        excluded = "\n        10.88.1.101/24 dev eth0" if self.extra else ""
        servers = ["10.88.2.11", "10.88.2.12"] + (["10.88.2.13"] if self.extra else [])
        rs = "".join(f"""
    real_server {ip} 80 {{
        weight 1
        TCP_CHECK {{
            connect_timeout 0.5
        }}
    }}""" for ip in servers)
        text = f"""global_defs {{
    router_id lab-{d}
    dataplane none
    vip_lifetime 2
}}
vrrp_instance VI_1 {{
    state {"MASTER" if d == "d1" else "BACKUP"}
    interface eth0
    virtual_router_id 88
    priority {PRIORITY[d]}
    advert_int {adv}
    version 3
    virtual_ipaddress {{
        {VIP}/24 dev eth0
        {SERVER_VIP}/24 dev eth1
    }}
    virtual_ipaddress_excluded {{{excluded}
    }}
}}
virtual_server {VIP} 80 {{
    delay_loop 0.3
    lb_algo rr
    lb_kind NAT
    protocol TCP{rs}
}}
"""
        path = f"{self.workdir}/{d}.conf"
        with open(path, "w") as f:
            f.write(text)
        return path

    def start_directors(self):
        for d in ["d1", "d2"]:
            conf = self.config(d)
            run = f"{self.workdir}/{d}"
            self.directors[d] = Stamped(self.exec_argv(d, [
                self.args.vigild, "-n", "-l", "-f", conf, "-p", f"{run}.pid",
                "-r", f"{run}-vrrp.pid", "-c", f"{run}-check.pid"]), d)

    def director_lines(self, d):
        """d's log lines timed by vigild's own -l stamp where a line has one.
        The VRRP worker takes that stamp (CLOCK_REALTIME, this machine's
        clock) when it logs the transition; the arrival stamp comes later by
        the pipe and this reader's thread (tens of ms under load). The own
        stamp has 1 ms resolution, truncated: never later than the event."""
        lines = self.directors[d].snapshot() if d in self.directors else []
        return local_lines(lines, THIS_MACHINE)

    def clock_rows(self):
        return []  # one machine, one clock

    def stamp_note(self, d, _more=0.0):
        entering = [(t, l) for t, l in self.directors[d].snapshot() if "Entering " in l] \
            if d in self.directors else []
        if entering and all(line_stamp(l, t, THIS_MACHINE) is not None for t, l in entering):
            return f" ({d}'s own log stamps, 1 ms resolution)"
        return f" ({d}'s log stamped on arrival)" if entering else ""

    def states(self, d, since=0.0):
        """(epoch, STATE) for each transition d logged after `since`."""
        return parse_states(self.director_lines(d), since)

    def state(self, d):
        s = self.states(d)
        return s[-1][1] if s else None

    def has_vip(self, d):
        r = sh(f"ip -n {self.ns[d]} -o addr show dev eth0", check=False)
        return f" {VIP}/" in r.stdout

    def ready(self):
        return self.state("d1") == "MASTER" and self.has_vip("d1") and self.state("d2") == "BACKUP"

    # --- failures -------------------------------------------------------
    def fail_hard(self, d):
        # Kill first, so the dying master never sees its link go (no FAULT line).
        self.directors[d].signal(signal.SIGKILL, group=True)
        self.port_state(d, "eth0", False)
        self.port_state(d, "eth1", False)

    def fail_graceful(self, d):
        self.directors[d].signal(signal.SIGTERM)

    def fail_link(self, d):
        sh(f"ip -n {self.ns[d]} link set eth0 down")

    def restore_link(self, d):
        sh(f"ip -n {self.ns[d]} link set eth0 up")

    def sessions_how(self):
        fwd = ", ".join(f"{d} {self.forwarded(d)}" for d in ["d1", "d2"])
        return (f"plain routing through the VIP gateways {VIP} / {SERVER_VIP} (TCP state on "
                f"the endpoints; packets forwarded: {fwd}); no IPVS in namespace mode, "
                "no connection sync")

    def forwarded(self, d):
        """Packets d has forwarded as a router (Ip ForwDatagrams)."""
        lines = [l.split() for l in sh(f"ip netns exec {self.ns[d]} cat /proc/net/snmp")
                 .stdout.splitlines() if l.startswith("Ip:")]
        return int(lines[1][lines[0].index("ForwDatagrams")])

    def sessions_note(self):
        return None  # held through hard, graceful and link; their row says how


# The directors run here: their clock is this one, offset 0, in this
# machine's time zone (vigild -l stamps local time of day).
THIS_MACHINE = ClockOffset(offset=0.0, uncertainty=0.0, rtt=0.0, samples=0,
                           utc_offset=time.localtime().tm_gmtoff)


def parse_states(lines, since):
    out = []
    for t, line in lines:
        m = re.search(r"Entering (\w+) STATE", line)
        if m and t >= since:
            out.append((t, m.group(1)))
    return out


def scenario_rs(lab, rep):
    t0 = time.time()
    lab.servers["rs1"].stop()
    pat = "disabling real server [10.88.2.11]"

    def seen(d):
        return next((t for t, l in lab.director_lines(d) if t >= t0 and pat in l), None)
    ok = wait_until(lambda: seen("d1") and seen("d2"), 10)
    for d in ["d1", "d2"]:
        t = seen(d)
        rep.add(f"rs1 down seen by {d}:", ms(t - t0) if t else "NOT within 10 s")
    rep.expect(ok, "a checker did not disable rs1")
    t1 = time.time()
    lab.start_server("rs1")
    pat_up = "enabling real server [10.88.2.11]"
    ok = wait_until(lambda: all(any(t >= t1 and pat_up in l for t, l in lab.director_lines(d))
                                for d in ["d1", "d2"]), 10)
    rep.add("rs1 back up seen by both:", ms(time.time() - t1) if ok else "NOT within 10 s")
    rep.expect(ok, "a checker did not enable rs1 again")
    gap, errs, who, n = outage(lab, t0, time.time())
    rep.add("client-visible outage:", f"{ms(gap)} longest gap ({errs} failed of {n} polls)")
    for d, tr in transitions(lab, t0).items():
        rep.add(f"transitions {d}:", tr)
        rep.expect(tr == "none", f"{d} changed VRRP state when a real server died")


def scenario_reload(lab, rep):
    t0 = time.time()
    count = 30
    for _ in range(count):
        lab.extra = not lab.extra
        lab.config("d1")
        lab.directors["d1"].signal(signal.SIGHUP)
        time.sleep(0.3)
    time.sleep(1.0)
    rep.add("SIGHUPs sent to d1:",
            f"{count}, every 0.3 s, alternating +1 VIP (excluded) / +1 real server")
    rep.expect(lab.directors["d1"].proc.poll() is None, "d1's vigild died during the reloads")
    errs, who = add_outage(rep, lab, t0, time.time())
    rep.expect(errs == 0, f"{errs} client polls failed during the reloads")
    rep.expect(who.get("d2", 0) == 0, "d2 answered for the VIP during d1's reloads")
    for d, tr in transitions(lab, t0).items():
        rep.add(f"transitions {d}:", tr)
        rep.expect(tr == "none", f"{d} changed VRRP state during the reloads")


def scenario_split(lab, rep):
    sw = lab.ns["sw"]
    table = f"{lab.p}split"
    nft = (f"ip netns exec {sw} nft -f - <<'EOF'\n"
           f"table bridge {table} {{ chain vrrpcut {{ type filter hook forward priority 0;"
           " ip protocol 112 drop; }; }\nEOF")
    t0 = time.time()
    sh(nft)
    both = wait_until(lambda: lab.state("d1") == "MASTER" and lab.state("d2") == "MASTER", 10)
    t_both = time.time()
    rep.add("split: both MASTER after:", ms(t_both - t0) if both else "NO")
    rep.expect(both, "d2 did not become MASTER when the VRRP link was cut")
    time.sleep(1.0)
    t1 = time.time()
    sh(f"ip netns exec {sw} nft delete table bridge {table}")
    one = wait_until(lambda: lab.state("d1") == "MASTER" and lab.state("d2") == "BACKUP", 10)
    rep.add("heal: one MASTER again after:", ms(time.time() - t1) if one else "NO")
    rep.expect(one, "the split did not heal to d1 MASTER, d2 BACKUP")
    time.sleep(0.5)
    t_garp = lab.client.first_garp(t0)
    rep.add("GARP on client LAN (split):", ms(t_garp - t0) if t_garp else "none seen")
    add_outage(rep, lab, t0, time.time())
    for d, tr in transitions(lab, t0).items():
        rep.add(f"transitions {d}:", tr)
