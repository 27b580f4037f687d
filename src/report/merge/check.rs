//! A summary from a file (or a worker) checked before it is added to others: every time and
//! figure one that a run of sluice could have written, so that the sums cannot overflow and
//! the merged run's span is a real one.

use crate::report::Summary;
use crate::report::latency::LatencyMs;
use crate::report::series::SeriesEntry;
use crate::report::summary::{Hold, TimelineEntry};
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
            units::figure(s.started_at_unix_s)
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
    checks(s).map_err(bad)?;
    times(s).map_err(bad)
}

/// Each check judged at most every response once: its passes and failures add up to no
/// more than `requests.ok`.
fn checks(s: &Summary) -> Result<(), String> {
    for c in &s.checks {
        let judged = c.passed.checked_add(c.failed);
        if judged.is_none_or(|n| n > s.requests.ok) {
            return Err(format!(
                "the check {} was judged {} times, more than the {} responses (requests.ok)",
                crate::process::untrusted::quoted(
                    &c.check,
                    crate::process::untrusted::QUOTED_CHARS
                ),
                judged.map_or("past 2^64".to_string(), |n| n.to_string()),
                s.requests.ok
            ));
        }
    }
    Ok(())
}

/// The most requests a second any figure may say (a tick's rate, a run's throughput, a
/// target, a timeline's value): far above what a fleet of machines answers, far below
/// where an axis or a sum stops being a number.
const MOST_PER_SECOND: f64 = 1e12;

/// The rates and latencies: finite and not negative; latencies within what sluice records.
fn figures(s: &Summary) -> Result<(), String> {
    let rates = [
        ("throughput_rps", Some(s.throughput_rps)),
        ("rate.initial", s.rate.initial),
        ("rate.final", s.rate.last),
        ("rate.achieved", Some(s.rate.achieved)),
    ];
    for (what, v) in rates {
        a_rate(what, v)?;
    }
    non_negative("transfer_bytes_per_s", Some(s.transfer_bytes_per_s))?;
    non_negative("rate.max_lag_ms", Some(s.rate.max_lag_ms))?;
    let ladders = [
        ("latency_ms", s.latency_ms),
        ("service_ms", s.service_ms),
        ("ttfb_ms", s.ttfb_ms),
        ("connects.connect_ms", s.connects.connect_ms),
    ];
    for (what, l) in ladders {
        l.map_or(Ok(()), |l| latency(what, &l))?;
    }
    step_ladders(s)
}

/// Scenarios: every step's ladders, and the sessions', within what sluice records.
fn step_ladders(s: &Summary) -> Result<(), String> {
    let steps = s.steps.iter().flat_map(|st| {
        [
            ("a step's latency_ms", st.latency_ms),
            ("a step's service_ms", st.service_ms),
            ("a step's ttfb_ms", st.ttfb_ms),
        ]
    });
    let sessions = s
        .sessions
        .iter()
        .map(|x| ("sessions.duration_ms", x.duration_ms));
    for (what, l) in steps.chain(sessions) {
        l.map_or(Ok(()), |l| latency(what, &l))?;
    }
    Ok(())
}

/// A series as a run writes it: each tick's time within a run's length, its rates within
/// `MOST_PER_SECOND`, its latencies within what sluice records. `merge` and `plot` both
/// check what they read with it.
pub fn series(entries: &[SeriesEntry]) -> Result<(), String> {
    for e in entries {
        units::seconds(e.t_s).map_err(|why| format!("a series t_s: {why}"))?;
        a_rate("a series rps", Some(e.rps))?;
        a_rate("a series rate_target", e.rate_target)?;
        for v in [e.p50_ms, e.p99_ms] {
            in_latency_bounds("a series p50_ms/p99_ms", v)?;
        }
    }
    Ok(())
}

/// A timeline as a run writes it: each change's time within a run's length, its value a
/// limit or a rate (`merge` and `plot` both check what they read with it).
pub fn timeline(entries: &[TimelineEntry]) -> Result<(), String> {
    for e in entries {
        units::seconds(e.t_s).map_err(|why| format!("a timeline t_s: {why}"))?;
        a_rate("a timeline value", e.value)?;
    }
    Ok(())
}

/// The times of the series and the timeline, as `units::seconds` bounds every time read.
fn times(s: &Summary) -> Result<(), String> {
    series(&s.series)?;
    timeline(&s.timeline)?;
    s.hold.as_ref().map_or(Ok(()), hold)
}

/// A hold as a run writes it: a share from 0 to 1, a settled value a limit or a rate, at a
/// time within a run's length (`merge` and `plot` both check what they read with it).
pub fn hold(h: &Hold) -> Result<(), String> {
    if !(0.0..=1.0).contains(&h.held_share) {
        return Err(format!(
            "hold.held_share {} is not a share from 0 to 1",
            units::figure(h.held_share)
        ));
    }
    let Some(settled) = &h.settled else {
        return Ok(());
    };
    a_rate("hold.settled.value", Some(settled.value))?;
    units::seconds(settled.at_s)
        .map(|_| ())
        .map_err(|why| format!("hold.settled.at_s: {why}"))
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
            "{what} {} is not a latency from 0 to {most_ms} ms (an hour, the most sluice records)",
            units::figure(v)
        )),
        _ => Ok(()),
    }
}

/// A figure in requests a second (or a limit): not negative, at most `MOST_PER_SECOND`.
pub fn a_rate(what: &str, v: Option<f64>) -> Result<(), String> {
    match v {
        Some(v) if !(0.0..=MOST_PER_SECOND).contains(&v) => Err(format!(
            "{what} {} is not a figure a run has (0 to {})",
            units::figure(v),
            units::figure(MOST_PER_SECOND)
        )),
        _ => Ok(()),
    }
}

fn non_negative(what: &str, v: Option<f64>) -> Result<(), String> {
    match v {
        Some(v) if !v.is_finite() || v < 0.0 => Err(format!(
            "{what} {} is not a figure a run has",
            units::figure(v)
        )),
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
            with(&|s| {
                s.checks.push(crate::report::summary::CheckSummary {
                    check: "status == 200".into(),
                    passed: s.requests.ok,
                    failed: 1,
                })
            }),
        ];
        for line in refusals {
            assert!(line.starts_with("'a.json': "), "{line}");
        }
    }
}
