#!/usr/bin/env python3
"""Tabulates the "failover:" lines of tests/bench/ipvs_failover/run (stdin):
per setting and director pair, VIP move time and longest client stall
(min / median / max over the repetitions) and connections kept."""
import re
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in sys.stdin:
    if not line.startswith("failover: "):
        continue
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    runs[(fields["setting"], fields["pair"])].append(fields)


def spread(values):
    values = sorted(values)
    return "%d / %d / %d" % (values[0], statistics.median(values), values[-1])


print("\n| setting | pair | runs | VIP moved after, ms (min / median / max) "
      "| longest client stall, ms (min / median / max) | connections kept |")
print("|---|---|---|---|---|---|")
for (setting, pair), rs in sorted(runs.items()):
    kept = sum(int(r["kept"].split("/")[0]) for r in rs)
    total = sum(int(r["kept"].split("/")[1]) for r in rs)
    print("| %s | %s | %d | %s | %s | %d / %d (%.0f %%) |" % (
        setting, pair, len(rs), spread(int(r["vip_moved_ms"]) for r in rs),
        spread(int(r["max_stall_ms"]) for r in rs), kept, total, 100.0 * kept / total))
