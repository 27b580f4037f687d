//! Many runs' series as one: each entry placed by wall-clock time (its run's start plus its
//! `t_s`) into the merged run's seconds, and the entries of one second added.

use super::sums::{add as sum, overflow};
use crate::report::series::SeriesEntry;
use crate::report::summary::Summary;
use std::collections::BTreeMap;

/// The runs' series on one clock that starts at `start_unix_s`: one entry per second that any
/// run has an entry in. Counts, rates, in-flight and limits add (a sum that overflows refuses
/// the run that made it, named); p50 and p99 are the highest of the runs' (an upper bound:
/// exact percentiles of a second need its histograms).
pub fn align(runs: &[(String, Summary)], start_unix_s: f64) -> Result<Vec<SeriesEntry>, String> {
    let mut seconds: BTreeMap<u64, SeriesEntry> = BTreeMap::new();
    for (file, run) in runs {
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
            add(slot, e).map_err(|what| overflow(file, &format!("series {what}")))?;
        }
    }
    Ok(seconds.into_values().collect())
}

/// Adds one run's entry into the merged second; Err names what overflowed.
fn add(slot: &mut SeriesEntry, e: &SeriesEntry) -> Result<(), String> {
    let highest = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    sum(&mut slot.rps, e.rps, "rps")?;
    slot.rps = (slot.rps * 10.0).round() / 10.0;
    sum(&mut slot.ok, e.ok, "ok")?;
    sum(&mut slot.failed, e.failed, "failed")?;
    slot.p50_ms = highest(slot.p50_ms, e.p50_ms);
    slot.p99_ms = highest(slot.p99_ms, e.p99_ms);
    sum(&mut slot.in_flight, e.in_flight, "in_flight")?;
    sum(&mut slot.limit, e.limit, "limit")?;
    slot.rate_target = crate::units::add_optional(slot.rate_target, e.rate_target);
    match slot.rate_target {
        Some(r) if !r.is_finite() => Err("rate_target".into()),
        _ => Ok(()),
    }
}
