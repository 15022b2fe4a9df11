"""Processes the lab starts, their stamped output, and bounded waits.

Every process runs in a session of its own and is recorded in OWNED, so the
lab can end exactly the processes it started (by pid and process group), also
on Ctrl-C. Output lines are stamped with the local epoch they arrived: that
is the one clock every figure of a report is measured on.
"""

import os
import shlex
import signal
import subprocess
import threading
import time

OWNED = []  # every Stamped the lab started, in start order


def log(msg):
    print(msg, flush=True)


class Stamped:
    """A process whose output lines are stamped with the epoch they arrived.

    `script`, when given, is written to the process's stdin (a shell reading
    `sh -s`); `keep_stdin` leaves stdin open afterwards so close_stdin() can
    tell the process to finish (an EOF it waits for)."""

    def __init__(self, argv, name, script=None, keep_stdin=False):
        self.name = name
        self.lines = []  # (epoch, text)
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL if script is None else subprocess.PIPE,
                                     start_new_session=True, text=True, errors="replace")
        OWNED.append(self)
        if script is not None:
            self.proc.stdin.write(script)
            self.proc.stdin.flush()
            if not keep_stdin:
                self.close_stdin()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append((time.time(), line.rstrip("\n")))

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except (OSError, AttributeError):
            pass

    def signal(self, signo, group=False):
        if self.proc.poll() is not None:
            return
        try:
            if group:
                os.killpg(self.proc.pid, signo)
            else:
                os.kill(self.proc.pid, signo)
        except ProcessLookupError:
            pass

    def stop(self, timeout=5.0):
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM, group=True)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL, group=True)
                self.proc.wait(5)
        # Leftover children of the group (a worker whose supervisor died).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def stop_owned(timeout=5.0):
    for s in reversed(OWNED):
        s.stop(timeout)
    OWNED.clear()


def sh(cmd, check=True, script=None, timeout=30):
    r = subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True,
                       timeout=timeout, input=script)
    if check and r.returncode != 0:
        shown = cmd if isinstance(cmd, str) else shlex.join(cmd)
        raise RuntimeError(f"{shown}: {(r.stderr or r.stdout).strip()}")
    return r


def wait_until(pred, limit, step=0.01):
    end = time.time() + limit
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def clock_offset(stamped, parse):
    """Local epoch minus a process's own clock, for a process that prints
    its own timestamps (the client, tcpdump -tt), maybe on another machine
    with another clock. The smallest (arrival - own stamp) is the skew plus
    the least transport delay: adding it maps that process's stamps onto
    the local clock, keeping their own spacing (arrival stamps bunch up
    when a transport like ssh buffers)."""
    best = None
    for arrived, line in stamped.snapshot():
        t = parse(line)
        if t is not None and (best is None or arrived - t < best):
            best = arrived - t
    return best or 0.0


def leading_epoch(line):
    try:
        return float(line.split(None, 1)[0])
    except (ValueError, IndexError):
        return None
