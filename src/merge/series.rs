//! Many runs' series as one: each entry placed by wall-clock time (its run's start plus its
//! `t_s`) into the merged run's seconds, and the entries of one second added.

use crate::report::series::SeriesEntry;
use crate::report::summary::Summary;
use std::collections::BTreeMap;

/// The runs' series on one clock that starts at `start_unix_s`: one entry per second that any
/// run has an entry in. Counts, rates, in-flight and limits add; p50 and p99 are the highest
/// of the runs' (an upper bound: exact percentiles of a second need its histograms).
pub fn align(runs: &[&Summary], start_unix_s: f64) -> Vec<SeriesEntry> {
    let mut seconds: BTreeMap<u64, SeriesEntry> = BTreeMap::new();
    for run in runs {
        let offset = run.started_at_unix_s - start_unix_s;
        for e in &run.series {
            // A tick ends just after its second; round to the second it closes.
            let second = (offset + e.t_s).round().max(0.0) as u64;
            let slot = seconds.entry(second).or_insert(SeriesEntry {
                t_s: second as f64,
                rps: 0.0,
                ok: 0,
                failed: 0,
                p50_ms: None,
                p99_ms: None,
                in_flight: 0,
                limit: 0,
                rate_target: None,
            });
            add(slot, e);
        }
    }
    seconds.into_values().collect()
}

/// Adds one run's entry into the merged second.
fn add(slot: &mut SeriesEntry, e: &SeriesEntry) {
    let highest = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    slot.rps = ((slot.rps + e.rps) * 10.0).round() / 10.0;
    slot.ok += e.ok;
    slot.failed += e.failed;
    slot.p50_ms = highest(slot.p50_ms, e.p50_ms);
    slot.p99_ms = highest(slot.p99_ms, e.p99_ms);
    slot.in_flight += e.in_flight;
    slot.limit += e.limit;
    slot.rate_target = crate::units::add_optional(slot.rate_target, e.rate_target);
}
