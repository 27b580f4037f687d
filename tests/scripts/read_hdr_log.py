"""Reads an HdrHistogram interval log with HdrHistogram_py, an implementation that shares no
code with sluice's, and prints: intervals, total count, its own p99, and the p99 at rank
ceil(0.99 n) (the rank the Rust crate and the Java library use; HdrHistogram_py rounds the
rank to the nearest instead), all values in the log's unit."""

import math
import sys

from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogReader

LOWEST, HIGHEST, DIGITS = 1, 3_600_000_000, 3

reader = HistogramLogReader(sys.argv[1], HdrHistogram(LOWEST, HIGHEST, DIGITS))
total = HdrHistogram(LOWEST, HIGHEST, DIGITS)
intervals = 0
while True:
    interval = reader.get_next_interval_histogram()
    if interval is None:
        break
    total.add(interval)
    intervals += 1

rank = max(1, math.ceil(0.99 * total.get_total_count()))
seen, p99_at_ceil_rank = 0, 0
for step in total.get_recorded_iterator():
    seen += step.count_at_value_iterated_to
    if seen >= rank:
        p99_at_ceil_rank = step.value_iterated_to
        break
print(intervals, total.get_total_count(), total.get_value_at_percentile(99.0), p99_at_ceil_rank)
