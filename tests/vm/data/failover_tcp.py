#!/usr/bin/env python3
"""Long-lived TCP traffic for the VM tier's failover lab (tests/vm/guest/failover_lab.sh).

  failover_tcp.py echo ADDRESS PORT
      echoes every byte back on any number of connections at once (busybox
      `nc -ll -e cat` accepts one connection at a time).

  failover_tcp.py client --ready-file F --stop-file F [--pid-file F --host H --port P
                         --conns N --interval S --lost-after S --max-seconds S]
      opens N connections, then on each sends one short line every S seconds
      and waits for its echo, until the stop file appears. Prints one JSON
      object:
        kept       connections still echoing correctly at the end
        reset      connections ended by a reset or an EOF from the far side
        lost       connections silent for --lost-after seconds
        failed     connections that never opened
        max_stall_ms, stalls_ms (sorted, one per connection)
                   the longest time between two consecutive echoes on a
                   connection: the client's view of an outage (about the
                   interval when nothing happened)
        stall_start, stall_end
                   wall clock (epoch s) of the longest stall, to set against
                   the moment of the failure
      SIGUSR1 prints the same object for the time so far (connections still
      open count as kept) and starts the stall figures afresh.
      The ready file gets the number of open connections once every
      connection has had its first echo (or failed to): the caller fails the
      master after that.

A plain selectors loop, not asyncio: under qemu TCG on one vCPU, asyncio's
per-event cost made 1,000 echoes a second too slow to measure outages with.
"""
import argparse
import errno
import heapq
import json
import os
import random
import selectors
import signal
import socket
import sys
import time


def serve_echo(address, port):
    sel = selectors.DefaultSelector()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(512)
    sel.register(listener, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is listener:
                sock, _ = listener.accept()
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(sock, selectors.EVENT_READ)
                continue
            sock = key.fileobj
            try:
                data = sock.recv(4096)
                if data:
                    sock.sendall(data)  # a few bytes: always fits the socket buffer
                    continue
            except OSError:
                pass
            sel.unregister(sock)
            sock.close()


class Conn:
    def __init__(self, index):
        self.index = index
        self.sock = None
        self.state = "connecting"  # connecting, greeting, open, kept, reset, lost, failed
        self.error = ""
        self.expect = b""
        self.buf = b""
        self.sent_at = 0.0  # monotonic time of the unanswered line, 0 when none
        self.seq = 0
        self.last_echo = 0.0
        self.max_gap = 0.0
        self.gap_end_wall = 0.0


class Client:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        self.conns = [Conn(i) for i in range(args.conns)]
        self.due = []  # heap of (monotonic send time, index)
        self.mark_requested = False
        signal.signal(signal.SIGUSR1, self.request_mark)

    def request_mark(self, signum, frame):
        self.mark_requested = True  # acted on in run(), between two events

    def end(self, conn, state, error=""):
        if conn.sock is not None:
            self.sel.unregister(conn.sock)
            conn.sock.close()
            conn.sock = None
        conn.state, conn.error = state, error

    def send(self, conn, line):
        conn.expect = line
        conn.sent_at = time.monotonic()
        try:
            conn.sock.sendall(line)
        except OSError as e:
            self.end(conn, "reset" if conn.state == "open" else "failed", repr(e))

    def open_all(self):
        for conn in self.conns:
            conn.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            conn.sock.setblocking(False)
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.sock.connect_ex((self.args.host, self.args.port))
            self.sel.register(conn.sock, selectors.EVENT_WRITE, conn)
        deadline = time.monotonic() + self.args.lost_after
        pending = lambda: [c for c in self.conns if c.state in ("connecting", "greeting")]
        while pending() and time.monotonic() < deadline:
            for key, _ in self.sel.select(0.1):
                conn = key.data
                if conn.state == "connecting":
                    err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        self.end(conn, "failed", os.strerror(err))
                        continue
                    conn.state = "greeting"
                    self.sel.modify(conn.sock, selectors.EVENT_READ, conn)
                    self.send(conn, b"hello %d\n" % conn.index)
                else:
                    self.receive(conn)
        for conn in pending():
            self.end(conn, "failed", "not open after %ss" % self.args.lost_after)
        now = time.monotonic()
        for conn in self.conns:
            if conn.state == "open":
                conn.last_echo = now
                # Random phase: the connections do not all send in the same instant.
                heapq.heappush(self.due, (now + random.uniform(0, self.args.interval), conn.index))

    def receive(self, conn):
        try:
            data = conn.sock.recv(4096)
        except OSError as e:
            self.end(conn, "reset" if conn.state == "open" else "failed", repr(e))
            return
        if not data:
            self.end(conn, "reset" if conn.state == "open" else "failed", "EOF")
            return
        conn.buf += data
        if b"\n" not in conn.buf:
            return
        line, conn.buf = conn.buf.split(b"\n", 1)
        if line + b"\n" != conn.expect:
            self.end(conn, "reset", "bad echo %r != %r" % (line, conn.expect))
            return
        conn.sent_at = 0.0
        if conn.state == "greeting":
            conn.state = "open"
            return
        now = time.monotonic()
        if now - conn.last_echo > conn.max_gap:
            conn.max_gap = now - conn.last_echo
            conn.gap_end_wall = time.time()
        conn.last_echo = now
        heapq.heappush(self.due, (now + self.args.interval, conn.index))

    def run(self, started):
        next_stop_check = 0.0
        while True:
            now = time.monotonic()
            if now >= next_stop_check:
                if os.path.exists(self.args.stop_file) or now - started > self.args.max_seconds:
                    break
                next_stop_check = now + 0.05
                self.expire(now)
                if self.mark_requested:
                    self.mark_requested = False
                    self.mark()
            while self.due and self.due[0][0] <= now:
                _, index = heapq.heappop(self.due)
                conn = self.conns[index]
                if conn.state == "open":
                    conn.seq += 1
                    self.send(conn, b"%d %d\n" % (index, conn.seq))
            wait = min(next_stop_check, self.due[0][0] if self.due else next_stop_check) - now
            for key, _ in self.sel.select(max(0.0, wait)):
                self.receive(key.data)
        for conn in self.conns:
            if conn.state == "open":
                self.end(conn, "kept")

    def mark(self):
        print(json.dumps(self.report()), flush=True)
        for conn in self.conns:
            conn.max_gap, conn.gap_end_wall = 0.0, 0.0

    def expire(self, now):
        for conn in self.conns:
            if conn.state == "open" and conn.sent_at and now - conn.sent_at > self.args.lost_after:
                self.end(conn, "lost", "no echo for %ss" % self.args.lost_after)

    def report(self):
        conns = self.conns
        counts = {s: sum(1 for c in conns if c.state == s) for s in ("kept", "reset", "lost", "failed")}
        counts["kept"] += sum(1 for c in conns if c.state == "open")  # a mark while running
        worst = max(conns, key=lambda c: c.max_gap)
        return {
            "connections": len(conns),
            **counts,
            "max_stall_ms": round(worst.max_gap * 1000),
            "stall_start": round(worst.gap_end_wall - worst.max_gap, 3),
            "stall_end": round(worst.gap_end_wall, 3),
            "stalls_ms": sorted(round(c.max_gap * 1000) for c in conns),
            "errors": sorted({c.error for c in conns if c.error})[:5],
        }


def run_client(args):
    started = time.monotonic()
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    client = Client(args)
    client.open_all()
    opened = sum(1 for c in client.conns if c.state == "open")
    with open(args.ready_file + ".tmp", "w") as f:
        f.write("%d\n" % opened)
    os.rename(args.ready_file + ".tmp", args.ready_file)
    client.run(started)
    print(json.dumps(client.report()), flush=True)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "echo":
        serve_echo(sys.argv[2], int(sys.argv[3]))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["client"])
    p.add_argument("--host", default="10.0.1.100")
    p.add_argument("--port", type=int, default=9000)
    p.add_argument("--conns", type=int, default=100)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--lost-after", type=float, default=20.0)
    p.add_argument("--max-seconds", type=float, default=300.0)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--pid-file", help="where to write this process's PID (for SIGUSR1)")
    run_client(p.parse_args())


if __name__ == "__main__":
    main()
