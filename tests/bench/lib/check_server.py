"""Targets for the checker benchmarks: one listening port that answers for
every address routed to the namespace (the lab adds an AnyIP `local` route).

    check_server.py tcp PORT [PROCESSES]     accept, close (TCP_CHECK targets)
    check_server.py http PORT FLAGFILE       HTTP/1.0: 200 "ok", or 404 while
                                             FLAGFILE exists (HTTP_GET targets)

PROCESSES > 1 forks that many acceptors sharing the port (SO_REUSEPORT), so a
single Python loop does not cap the accept rate. Runs until killed; the lab
kills every process of its namespaces on exit.
"""

import os
import select
import socket
import sys


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("0.0.0.0", port))
    s.listen(65535)
    s.setblocking(False)
    return s


def serve_tcp(ls):
    ep = select.epoll()
    ep.register(ls.fileno(), select.EPOLLIN)
    while True:
        ep.poll()
        while True:  # drain the accept queue before sleeping again
            try:
                c, _ = ls.accept()
            except BlockingIOError:
                break
            except OSError:
                break
            c.close()


def serve_http(ls, flag):
    ep = select.epoll()
    ep.register(ls.fileno(), select.EPOLLIN)
    conns = {}
    while True:
        for fd, _ in ep.poll():
            if fd == ls.fileno():
                while True:
                    try:
                        c, _ = ls.accept()
                    except OSError:
                        break
                    c.setblocking(False)
                    conns[c.fileno()] = [c, b""]
                    ep.register(c.fileno(), select.EPOLLIN)
                continue
            c, buf = conns[fd]
            try:
                data = c.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            buf += data
            conns[fd][1] = buf
            if data and b"\r\n\r\n" not in buf:
                continue
            if data:
                if os.path.exists(flag):
                    reply = b"HTTP/1.0 404 Not Found\r\nContent-Length: 4\r\n\r\nnone"
                else:
                    reply = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
                try:
                    c.send(reply)
                except OSError:
                    pass
            ep.unregister(fd)
            del conns[fd]
            c.close()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "http":
        serve_http(listener(port), sys.argv[3])
        return
    processes = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    for _ in range(processes - 1):
        if os.fork() == 0:
            break
    serve_tcp(listener(port))


if __name__ == "__main__":
    main()
