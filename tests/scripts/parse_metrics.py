"""Parses a /metrics scrape (stdin) with prometheus_client's OpenMetrics parser; prints the
sum of sluice_requests_total and the count of the sluice_latency_seconds histogram (and, given
a step's name, that step's)."""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

requests = None
latency_count = None
text = sys.stdin.read()
for family in text_string_to_metric_families(text):
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
# With a step's name as the argument (a --scenario run): that step's responses
# (sluice_step_requests_total{outcome="ok"}) and its latency histogram's count.
if len(sys.argv) > 1:
    step, ok, count = sys.argv[1], None, None
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.labels.get("step") != step:
                continue
            if s.name == "sluice_step_requests_total" and s.labels["outcome"] == "ok":
                ok = s.value
            if s.name == "sluice_step_latency_seconds_count":
                count = s.value
    assert ok is not None and count is not None, "step metrics missing"
    print(int(ok), int(count))
