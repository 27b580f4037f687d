"""Adds the latency histograms of sluice JSON summaries with HdrHistogram_py (no code shared
with sluice) and prints: total count, then p50 p90 p99 p99.9 at rank ceil(q n) and the max,
in microseconds (the rank and the highest equivalent value, as the Rust and Java libraries)."""

import json
import math
import sys

from hdrh.histogram import HdrHistogram

total = HdrHistogram(1, 3_600_000_000, 3)
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        total.add(HdrHistogram.decode(json.load(f)["histograms"]["latency"]))

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
