"""Small programs the lab runs on its machines, and how it runs them.

Every command reaches a machine as a shell script on the stdin of
`EXEC sh -s`, where EXEC is the machine's command prefix (`ip netns exec NS`,
`ssh root@HOST`, or nothing for this machine). A script on stdin needs no
quoting that differs between ssh (which joins its arguments into one shell
line) and exec-style prefixes (which keep them apart). Python programs travel
inside the script as a here-document read on fd 3, which leaves the
program's own stdin free (the sessions client waits for its EOF).
"""

import os
import shlex

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Answers every TCP connection with NAME and a newline, then closes it: on
# each namespace director, so the client sees who holds the VIP.
RESPONDER = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[2]))); s.listen(128)
name = (sys.argv[1] + "\n").encode()
while True:
    c, _ = s.accept()
    try: c.sendall(name)
    except OSError: pass
    c.close()
"""

# A connect to VIP:PORT every ~20 ms (timeout 200 ms); one line per attempt:
# "EPOCH ANSWER", ANSWER being the first line the service sent (a director's
# name in the namespace lab), "OK" for a connection that sent nothing, or ERR.
POLLER = r"""
import socket, sys, time
vip, port = sys.argv[1], int(sys.argv[2])
while True:
    t = time.time(); ans = "ERR"
    try:
        c = socket.create_connection((vip, port), timeout=0.2)
        c.settimeout(0.2)
        try: ans = c.recv(64).decode(errors="replace").split("\n")[0].strip() or "OK"
        except socket.timeout: ans = "OK"
        c.close()
    except OSError:
        pass
    print("%.6f %s" % (t, ans.replace(" ", "_")), flush=True)
    time.sleep(max(0.0, 0.02 - (time.time() - t)))
"""

# The long-lived connections of the sessions measurement are the VM tier's
# client (one program for both labs): N connections, a line echoed on each
# every 100 ms, one JSON object of kept/reset/lost at the end.
SESSIONS_PATH = os.path.join(ROOT, "tests", "vm", "data", "failover_tcp.py")

HEREDOC_END = "__FAILOVER_LAB_PROGRAM__"


def python_script(program, args, stdin_from=None):
    """A shell script that runs `program` (text) with `args` in place of the
    shell; the program's stdin stays the script's stdin unless redirected."""
    redirect = f" <{shlex.quote(stdin_from)}" if stdin_from else ""
    return (f"exec python3 -u /dev/fd/3 {shlex.join(args)}{redirect} 3<<'{HEREDOC_END}'\n"
            f"{program}\n{HEREDOC_END}\n")


def sessions_program():
    with open(SESSIONS_PATH) as f:
        return f.read()
