#!/usr/bin/env python3
"""Timeline of one failover of the lab (tests/vm/guest/failover_lab.sh, FL_TRACE=1).

  timeline.py FAIL_AT_US CLIENT_JSON BRC_TXT BRS_TXT [NEW_MASTER_LOG]

BRC_TXT / BRS_TXT are `tcpdump -tt -n -e` of the client and server LANs, taken
from before the failure to the end of the run; CLIENT_JSON is the client's
last JSON line; NEW_MASTER_LOG is the new master's log when it is vigild's
(HH:MM:SS.mmm stamps, UTC). Prints every event in ms after the failure
(the start of the unplugging), in time order.
"""
import json
import re
import sys

VIP, GATEWAY, OLD_MASTER, CLIENT = "10.0.1.100", "10.0.2.254", "10.0.1.11", "10.0.1.2"
LINE = re.compile(r"(\d+\.\d+) (\S+) > (\S+), ethertype (\w+) .*?: (.*)$")


def packets(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                kind = "ARP " if m.group(4) == "ARP" else ""
                yield float(m.group(1)), m.group(2), m.group(3), kind + m.group(5)


def client_lan(path, fail, until, events):
    last_old_advert = new_mac = None
    seen, retrans, firsts = set(), [], set()

    def first(t, what):  # the first event of its kind only
        if what not in firsts:
            firsts.add(what)
            events.append((t, what))

    for t, src, dst, what in packets(path):
        if "VRRP" in what and what.startswith(OLD_MASTER + " >"):
            last_old_advert = t
        elif "VRRP" in what and t > fail:  # it may precede the new master's first GARP
            first(t, "new master's first advert")
        elif t > fail and new_mac is None and "ARP" in what and f"who-has {VIP}" in what and f"tell {VIP}" in what:
            new_mac = src
            events.append((t, f"first gratuitous ARP for the VIP (from {src})"))
        m = re.match(rf"{re.escape(CLIENT)}\.(\d+) > {re.escape(VIP)}\.9000: Flags \[P\.\], seq (\d+):", what)
        if m:
            key = m.groups()
            if key in seen and fail < t < until:
                retrans.append(t)
            seen.add(key)
            if new_mac and dst == new_mac:
                first(t, "first client segment to the new master")
        elif new_mac and src == new_mac and what.startswith(VIP + ".9000 >"):
            first(t, "new master's first reply to the client")
    if last_old_advert:
        events.append((last_old_advert, "old master's last advert"))
    bursts = []
    for t in sorted(retrans):
        if not bursts or t - bursts[-1][-1] > 0.3:
            bursts.append([t])
        else:
            bursts[-1].append(t)
    for b in bursts:
        span = (b[-1] - b[0]) * 1000
        events.append((b[0], f"client retransmits: {len(b)} segments within {span:.0f} ms"))


def server_lan(path, fail, events):
    for t, src, _dst, what in packets(path):
        if t > fail and "ARP" in what and f"who-has {GATEWAY}" in what and f"tell {GATEWAY}" in what:
            events.append((t, "first gratuitous ARP for the real servers' gateway"))
            return


def vigild_log(path, fail, events):
    day = fail - fail % 86400
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"(\d\d):(\d\d):(\d\d\.\d+) \S+ \w+: (.*)", line)
            if not m:
                continue
            t = day + int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            if t > fail and ("sync daemon" in m.group(4) or "STATE" in m.group(4) or "real server" in m.group(4)):
                events.append((t, "log: " + m.group(4)))


def main():
    fail = int(sys.argv[1]) / 1e6
    result = json.loads(open(sys.argv[2], encoding="utf-8").read().strip().splitlines()[-1])
    events = []
    client_lan(sys.argv[3], fail, result["stall_end"] + 0.5, events)
    server_lan(sys.argv[4], fail, events)
    if len(sys.argv) > 5:
        vigild_log(sys.argv[5], fail, events)
    events.append((result["stall_start"], "longest stall starts (last echo before it)"))
    events.append((result["stall_end"], f"longest stall ends ({result['max_stall_ms']} ms)"))
    for t, what in sorted(events, key=lambda e: e[0]):  # stable: same-time events keep their order
        print(f"timeline: {(t - fail) * 1000:8.0f} ms  {what}")


if __name__ == "__main__":
    main()
