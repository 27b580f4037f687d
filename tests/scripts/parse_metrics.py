"""Parses a /metrics scrape (stdin) with prometheus_client's OpenMetrics parser; prints the
sum of sluice_requests_total and the count of the sluice_latency_seconds histogram."""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

requests = None
latency_count = None
for family in text_string_to_metric_families(sys.stdin.read()):
    if family.name == "sluice_requests":
        assert family.type == "counter", family.type
        requests = sum(s.value for s in family.samples if s.name == "sluice_requests_total")
    if family.name == "sluice_latency_seconds":
        assert family.type == "histogram", family.type
        buckets = [s for s in family.samples if s.name.endswith("_bucket")]
        assert buckets[-1].labels["le"] == "+Inf", buckets[-1]
        counts = [s.value for s in buckets]
        assert counts == sorted(counts), "buckets are cumulative"
        latency_count = next(s.value for s in family.samples if s.name.endswith("_count"))
assert requests is not None and latency_count is not None, "metrics missing"
print(int(requests), int(latency_count))
