"""Adds the latency histograms (or others: --field) of sluice JSON summaries with HdrHistogram_py (no code shared
with sluice) and prints: total count, then p50 p90 p99 p99.9 at rank ceil(q n) and the max,
in microseconds (the rank and the highest equivalent value, as the Rust and Java libraries)."""

import json
import math
import sys

from hdrh.histogram import HdrHistogram

# `--field steps.0.histograms.latency` first: that histogram of each summary instead (a
# step's, of two significant figures: added into the first one read, as precise as they are).
args = sys.argv[1:]
field = ["histograms", "latency"]
total = HdrHistogram(1, 3_600_000_000, 3)
if args and args[0] == "--field":
    field, args, total = args[1].split("."), args[2:], None
for path in args:
    with open(path, encoding="utf-8") as f:
        value = json.load(f)
    for key in field:
        value = value[int(key)] if isinstance(value, list) else value[key]
    h = HdrHistogram.decode(value)
    if total is None:
        total = h
    else:
        total.add(h)

n = total.get_total_count()
values = []
for q in (0.50, 0.90, 0.99, 0.999):
    rank, seen = max(1, math.ceil(q * n)), 0
    for step in total.get_recorded_iterator():
        seen += step.count_at_value_iterated_to
        if seen >= rank:
            values.append(step.value_iterated_to)
            break
print(n, *values, total.get_max_value())
