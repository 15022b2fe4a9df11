"""The service on the VIP: accepts on 0.0.0.0:PORT, answers NAME, closes.

    service.py PORT NAME     (runs until killed; the lab kills it by PID)
"""

import socket
import sys


def main():
    port, name = int(sys.argv[1]), sys.argv[2].encode() + b"\n"
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(4096)
    while True:
        c, _ = ls.accept()
        try:
            c.send(name)
        except OSError:
            pass
        c.close()


if __name__ == "__main__":
    main()
