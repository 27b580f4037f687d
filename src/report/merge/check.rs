//! A summary from a file (or a worker) checked before it is added to others: every time and
//! figure one that a run of sluice could have written, so that the sums cannot overflow and
//! the merged run's span is a real one.

use crate::report::Summary;
use crate::report::latency::LatencyMs;
use crate::stats::latency::MAX_LATENCY_US;
use crate::units;

/// The latest start a summary may give: the end of the year 9999, in Unix seconds.
const LATEST_START_UNIX_S: f64 = 253_402_300_799.0;

/// Refuses a summary whose times or figures no run of sluice writes: a start outside the
/// calendar, a duration or a time in its series or timeline that is negative, not finite
/// or longer than the longest run, a negative or unbounded rate or latency, a total that
/// is not its ok plus its failed. `name` is the file (or the worker) it came from.
pub fn check(name: &str, s: &Summary) -> Result<(), String> {
    let bad = |why: String| format!("'{name}': {why}");
    if !(0.0..=LATEST_START_UNIX_S).contains(&s.started_at_unix_s) {
        return Err(bad(format!(
            "started_at_unix_s {} is not a time from 1970 to 9999",
            s.started_at_unix_s
        )));
    }
    units::seconds(s.duration_s).map_err(|why| bad(format!("duration_s: {why}")))?;
    let r = &s.requests;
    if r.ok.checked_add(r.failed) != Some(r.total) {
        return Err(bad(format!(
            "requests.total {} is not ok {} plus failed {}",
            r.total, r.ok, r.failed
        )));
    }
    figures(s).map_err(bad)?;
    times(s).map_err(bad)
}

/// The rates and latencies: finite and not negative; latencies within what sluice records.
fn figures(s: &Summary) -> Result<(), String> {
    let rates = [
        ("throughput_rps", Some(s.throughput_rps)),
        ("transfer_bytes_per_s", Some(s.transfer_bytes_per_s)),
        ("rate.initial", s.rate.initial),
        ("rate.final", s.rate.last),
        ("rate.achieved", Some(s.rate.achieved)),
        ("rate.max_lag_ms", Some(s.rate.max_lag_ms)),
    ];
    for (what, v) in rates {
        non_negative(what, v)?;
    }
    for (what, l) in [("latency_ms", s.latency_ms), ("service_ms", s.service_ms)] {
        l.map_or(Ok(()), |l| latency(what, &l))?;
    }
    for e in &s.series {
        non_negative("series rps", Some(e.rps))?;
        non_negative("series rate_target", e.rate_target)?;
        for v in [e.p50_ms, e.p99_ms] {
            in_latency_bounds("series p50_ms/p99_ms", v)?;
        }
    }
    Ok(())
}

/// The times of the series and the timeline, as `units::seconds` bounds every time read.
fn times(s: &Summary) -> Result<(), String> {
    for t in s.series.iter().map(|e| e.t_s) {
        units::seconds(t).map_err(|why| format!("a series t_s: {why}"))?;
    }
    for e in &s.timeline {
        units::seconds(e.t_s).map_err(|why| format!("a timeline t_s: {why}"))?;
        non_negative("a timeline value", e.value)?;
    }
    Ok(())
}

/// Every rung of a latency ladder within what sluice records (0 to an hour).
fn latency(what: &str, l: &LatencyMs) -> Result<(), String> {
    let rungs = [
        l.min, l.mean, l.stdev, l.p50, l.p75, l.p90, l.p95, l.p99, l.p99_9, l.p99_99, l.max,
    ];
    rungs
        .into_iter()
        .try_for_each(|v| in_latency_bounds(what, Some(v)))
}

fn in_latency_bounds(what: &str, ms: Option<f64>) -> Result<(), String> {
    let most_ms = MAX_LATENCY_US as f64 / 1000.0;
    match ms {
        Some(v) if !(0.0..=most_ms).contains(&v) => Err(format!(
            "{what} {v} is not a latency from 0 to {most_ms} ms (an hour, the most sluice records)"
        )),
        _ => Ok(()),
    }
}

fn non_negative(what: &str, v: Option<f64>) -> Result<(), String> {
    match v {
        Some(v) if !v.is_finite() || v < 0.0 => {
            Err(format!("{what} {v} is not a figure a run has"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_times_and_figures_are_refused_with_the_file_named() {
        let good: Summary =
            serde_json::from_str(crate::report::merge::tests::SUMMARY).expect("summary");
        assert_eq!(check("a.json", &good), Ok(()));
        let with = |change: &dyn Fn(&mut Summary)| {
            let mut s = good.clone();
            change(&mut s);
            check("a.json", &s).expect_err("refused")
        };
        let refusals = [
            with(&|s| s.started_at_unix_s = 1e300),
            with(&|s| s.started_at_unix_s = -1.0),
            with(&|s| s.duration_s = 1e300),
            with(&|s| s.duration_s = -3.0),
            with(&|s| s.requests.total += 1),
            with(&|s| s.rate.achieved = -1.0),
            with(&|s| s.series[0].t_s = 1e19),
            with(&|s| s.series[0].p99_ms = Some(1e300)),
            with(&|s| s.timeline[0].t_s = -1.0),
            with(&|s| s.latency_ms.as_mut().expect("latency").max = 1e300),
        ];
        for line in refusals {
            assert!(line.starts_with("'a.json': "), "{line}");
        }
    }
}
