"""A client that keeps trying TCP connects to the VIP and records who answered.

    probe.py IP PORT INTERVAL_MS TIMEOUT_MS SECONDS OUT

A new non-blocking connect starts every INTERVAL_MS (several are in flight at
once, so one lost SYN does not hide the moment the new master answers); each
gives up after TIMEOUT_MS. One line per attempt to OUT, written at the end:
    start_epoch connected_epoch|- answer|TIMEOUT|REFUSED|ERR
Bounded by SECONDS and by SIGTERM.
"""

import errno
import select
import signal
import socket
import sys
import time

stop = False


def on_term(_s, _f):
    global stop
    stop = True


def main():
    ip, port = sys.argv[1], int(sys.argv[2])
    interval, timeout = float(sys.argv[3]) / 1000, float(sys.argv[4]) / 1000
    seconds, out = float(sys.argv[5]), sys.argv[6]
    signal.signal(signal.SIGTERM, on_term)
    ep = select.epoll()
    live = {}  # fd: [sock, start, connected, answer]
    done = []
    begin = time.monotonic()
    next_start = begin
    while not stop and time.monotonic() - begin < seconds:
        now = time.monotonic()
        if now >= next_start:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            rec = [s, time.time(), None, None, now]
            err = s.connect_ex((ip, port))
            if err not in (0, errno.EINPROGRESS):
                rec[3] = "ERR"
                done.append(rec)
                s.close()
            else:
                live[s.fileno()] = rec
                ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLIN)
            next_start += interval
        wait = max(0.0, min(next_start - time.monotonic(), 0.005))
        for fd, ev in ep.poll(wait):
            rec = live.get(fd)
            if rec is None:
                continue
            s = rec[0]
            if rec[2] is None:
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    rec[3] = "REFUSED" if e == errno.ECONNREFUSED else "ERR"
                else:
                    rec[2] = time.time()
                    ep.modify(fd, select.EPOLLIN)
                    continue
            else:
                try:
                    rec[3] = s.recv(16).decode(errors="replace").strip() or "NODATA"
                except OSError:
                    rec[3] = "ERR"
            ep.unregister(fd)
            s.close()
            done.append(live.pop(fd))
        now = time.monotonic()
        for fd, rec in list(live.items()):
            if now - rec[4] > timeout:
                rec[3] = rec[3] or "TIMEOUT"
                ep.unregister(fd)
                rec[0].close()
                done.append(live.pop(fd))
    for rec in live.values():
        rec[3] = rec[3] or "TIMEOUT"
        done.append(rec)
    with open(out, "w") as f:
        for _, start, connected, answer, _ in sorted(done, key=lambda r: r[1]):
            c = "-" if connected is None else f"{connected:.6f}"
            f.write(f"{start:.6f} {c} {answer}\n")


if __name__ == "__main__":
    main()
