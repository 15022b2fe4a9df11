"""Schedule drift of a checker, seen from the targets (tests/bench/check_scale).

SynCapture records every SYN that reaches the real-server namespace (tcpdump on
its end of the veth, inbound SYNs without ACK, 42 bytes each: enough for the
destination address, the source port and the sequence number). analyse() turns
the capture into, per target address, the intervals between consecutive checks
(a retransmitted SYN, same port and sequence number, is not a new check) and
per one-second window the checks started. A checker that keeps its schedule
shows intervals at delay_loop with a narrow spread, the same at the start and
the end of the window, and the same count every second; one that drifts shows
intervals above delay_loop, growing through the run, or uneven seconds.
"""

import mmap
import os
import signal
import struct
import sys
import time
from collections import Counter

import vrrp_bench as vb

SNAPLEN = 42  # Ethernet 14 + IPv4 20 + TCP ports 4 + sequence number 4
SYN_FILTER = "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"


class SynCapture:
    """tcpdump in the lab's rs namespace, written to a pcap file."""

    def __init__(self, lab, path, limit_s):
        self.path = path
        self.log = path + ".log"
        argv = ["timeout", str(int(limit_s)), "tcpdump", "-i", "eth0", "-Q", "in", "-n", "-s", str(SNAPLEN),
                "-B", "65536", "--time-stamp-precision=nano", "-w", path, SYN_FILTER]
        self.proc = vb.Owned.spawn(lab.exec_argv("rs", argv), self.log)
        if not vb.wait_until(lambda: os.path.exists(self.log) and "listening" in open(self.log).read(), 5):
            vb.Owned.kill(self.proc, signal.SIGINT, wait=2.0)
            text = open(self.log).read().strip() if os.path.exists(self.log) else "(no log)"
            sys.exit(f"tcpdump did not start in the rs namespace ({self.log}): {text}")

    def stop(self):
        """Stops the capture; returns the packets the kernel dropped (None if not reported).
        tcpdump reads its ring a block at a time (a block is handed over when full or
        after 1 s): wait for the last one before the SIGINT, which drops a partial block."""
        time.sleep(1.5)
        vb.Owned.kill(self.proc, signal.SIGINT, wait=10.0)
        for line in open(self.log):
            if "dropped by kernel" in line:
                return int(line.split()[0])
        return None


def read_syns(path):
    """Yields (epoch seconds, destination address as int, source port, sequence number) per SYN."""
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(f.fileno()).st_size else b""
    if len(data) < 24:
        return
    scale = 1e-9 if struct.unpack_from("<I", data, 0)[0] == 0xA1B23C4D else 1e-6
    pos, rec, syn = 24, struct.Struct("<IIII"), struct.Struct("!IH2xI")
    while pos + 16 <= len(data):
        sec, frac, incl, _ = rec.unpack_from(data, pos)
        pkt = pos + 16
        if incl >= SNAPLEN and pkt + SNAPLEN <= len(data):
            yield (sec + frac * scale, *syn.unpack_from(data, pkt + 30))
        pos = pkt + incl


class Histogram:
    """Intervals in 0.1 ms buckets: percentiles without keeping millions of values."""

    def __init__(self):
        self.buckets = Counter()
        self.n = 0
        self.max = None

    def add(self, ms):
        self.buckets[int(ms * 10)] += 1
        self.n += 1
        self.max = ms if self.max is None or ms > self.max else self.max

    def summary(self):
        out = {"n": self.n, "max": self.max}
        for key, q in (("p01", 0.01), ("p50", 0.5), ("p99", 0.99)):
            out[key] = None
            rank, seen = q * self.n, 0
            for bucket in sorted(self.buckets):
                seen += self.buckets[bucket]
                if seen > rank:
                    out[key] = (bucket + 0.5) / 10
                    break
        return out


def analyse(path, t0, t1, block_s):
    """Figures of the checks that started in [t0, t1): per-second rates, intervals
    (ms) over the whole window and per block of block_s seconds, and the mean
    per-target period (first to last check of each target in the window).
    None if there is no capture file (tcpdump wrote none): the rows show n/a."""
    if not os.path.exists(path):
        return None
    last = {}  # dst -> (time, sport, seq) of its previous check
    seconds = int(t1 - t0)
    per_second = [0] * max(seconds, 1)
    blocks = [Histogram() for _ in range(max(1, -(-seconds // block_s)))]
    whole = Histogram()
    spans = {}  # dst -> [first, checks, last] in the window
    retransmits = 0
    for t, dst, sport, seq in read_syns(path):
        prev = last.get(dst)
        if prev is not None and prev[1] == sport and prev[2] == seq:
            retransmits += 1
            continue
        last[dst] = (t, sport, seq)
        if not t0 <= t < t1:
            continue
        sec = int(t - t0)
        if sec < seconds:
            per_second[sec] += 1
        span = spans.setdefault(dst, [t, 0, t])
        span[1] += 1
        span[2] = t
        if prev is not None:
            ms = (t - prev[0]) * 1e3
            whole.add(ms)
            blocks[min(len(blocks) - 1, int((t - t0) // block_s))].add(ms)
    periods = [(last_t - first) / (n - 1) * 1e3 for first, n, last_t in spans.values() if n > 1]
    out = whole.summary()
    out.update(targets=len(spans), retransmits=retransmits, per_second=per_second[:seconds],
               period_mean=sum(periods) / len(periods) if periods else None,
               blocks=[dict(b.summary(), start=i * block_s, rates=per_second[i * block_s:(i + 1) * block_s])
                       for i, b in enumerate(blocks)])
    return out


def print_blocks(label, drift, delay_loop, block_s):
    """Per block: checks/s (slowest-fastest second) and intervals p1/p50/p99/max."""
    print(f"{label}: per {block_s:g} s of the window, checks started per second (slowest-fastest) and the "
          f"check-to-check interval per target (delay_loop {delay_loop * 1e3:.0f} ms)")
    print(f"{'  seconds':<12}{'checks/s':>14}{'p1 ms':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for b in drift["blocks"]:
        rates = b["rates"]
        span = f"{min(rates)}-{max(rates)}" if rates else "n/a"
        end = b["start"] + len(rates)
        cells = "".join("{:>10}".format("n/a" if b[k] is None else f"{b[k]:.1f}") for k in ("p01", "p50", "p99", "max"))
        print(f"  {b['start']:>3}-{end:<5}{span:>14}{cells}")
