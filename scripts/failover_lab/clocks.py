"""Another machine's clock, mapped onto this one's.

A remote director's log lines carry its own stamps (journalctl -o
short-unix's epoch, or vigild -l's local time of day). Stamped on arrival
here they would carry the log transport's delay (journald, ssh, tail); read
from the line and mapped onto this machine's clock they do not, and the
only error left is that of the clock offset.

The offset is measured the min-RTT way (Cristian's algorithm): through one
shell kept open on the machine, `samples` times, this side notes t_send,
the machine prints its clock t_remote, this side notes t_recv. The remote
stamp was taken somewhere in [t_send, t_recv], so offset = t_remote -
(t_send + t_recv) / 2 is right within RTT / 2; the sample with the smallest
RTT gives the tightest bound, and that bound is reported with every figure
that used it.
"""

import os
import re
import select
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime

# Prints the machine's clock: epoch seconds, then its UTC offset (+HHMM),
# which places a log's time-of-day stamps on the machine's local day.
DEFAULT_CLOCK = "date +'%s.%N %z'"


@dataclass
class ClockOffset:
    offset: float  # machine clock minus this machine's clock, seconds
    uncertainty: float  # |error| of offset is at most this: the best RTT / 2
    rtt: float
    samples: int
    utc_offset: float = 0.0  # the machine's local time minus UTC, seconds

    def to_local(self, remote_epoch):
        return remote_epoch - self.offset

    def describe(self):
        return (f"{self.offset * 1000:+.1f} ms \u00b1 {self.uncertainty * 1000:.1f} ms "
                f"(best RTT {self.rtt * 1000:.1f} ms of {self.samples})")


def parse_clock(text):
    """(epoch, utc offset seconds) from the clock command's line."""
    parts = text.split()
    epoch = float(parts[0])
    utc = 0.0
    if len(parts) > 1:
        m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", parts[1])
        if m:
            utc = (int(m.group(2)) * 3600 + int(m.group(3)) * 60) * (1 if m.group(1) == "+" else -1)
    return epoch, utc


def _read_line(fd, buf, deadline):
    while b"\n" not in buf:
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise RuntimeError("the clock command printed nothing within 10 s")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise RuntimeError("the machine's shell ended while measuring its clock")
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line.decode(errors="replace"), rest


def measure_offset(argv, clock_cmd=DEFAULT_CLOCK, samples=10):
    """The offset of the clock of the machine `argv` (`PREFIX sh -s`)
    reaches, from the best of `samples` round trips through one shell (a
    first, unused one pays for the connection)."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    best = None
    buf = b""
    try:
        for i in range(samples + 1):
            t_send = time.time()
            proc.stdin.write((clock_cmd + "\n").encode())
            proc.stdin.flush()
            line, buf = _read_line(proc.stdout.fileno(), buf, time.time() + 10)
            t_recv = time.time()
            remote, utc = parse_clock(line)
            rtt = t_recv - t_send
            if i > 0 and (best is None or rtt < best.rtt):
                best = ClockOffset(remote - (t_send + t_recv) / 2, rtt / 2, rtt, samples, utc)
    finally:
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return best


_EPOCH = re.compile(r"(\d{9,}\.\d+)\s")
_ISO = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z)?)\s")
_TIME_OF_DAY = re.compile(r"(\d\d):(\d\d):(\d\d(?:\.\d+)?)\s")


def line_stamp(line, arrived, clock):
    """The machine's own epoch for a log line, or None when the line carries
    no stamp. Understood at the start of the line: an epoch (journalctl -o
    short-unix), ISO 8601 (-o short-iso-precise) or a local time of day
    HH:MM:SS.fff (vigild -l), placed on the machine's day nearest the
    line's arrival."""
    m = _EPOCH.match(line)
    if m:
        return float(m.group(1))
    m = _ISO.match(line)
    if m:
        text = m.group(1).replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed.timestamp() if parsed.tzinfo else _naive(parsed, clock)
    m = _TIME_OF_DAY.match(line)
    if m:
        tod = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        remote_now = arrived + clock.offset + clock.utc_offset  # the machine's local time
        midnight = remote_now - remote_now % 86400
        t = midnight + tod
        if t - remote_now > 43200:
            t -= 86400
        elif remote_now - t > 43200:
            t += 86400
        return t - clock.utc_offset
    return None


def _naive(parsed, clock):
    """A stamp without a zone is the machine's local time."""
    seconds = (parsed - datetime(1970, 1, 1)).total_seconds()
    return seconds - clock.utc_offset


def local_lines(lines, clock):
    """(this machine's epoch, text) for a machine's stamped log lines: its
    own stamp mapped through `clock` where the line has one, else the
    arrival stamp."""
    out = []
    for arrived, text in lines:
        own = line_stamp(text, arrived, clock) if clock else None
        out.append((arrived if own is None else clock.to_local(own), text))
    return out
