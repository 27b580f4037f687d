//! A worker's status checked before any of it is used: every number within what an honest
//! run could reach (so it can become a `Duration`, a count or a sum), its state a run's,
//! its histograms decoded and within the fleet's own. An answer that fails is bad, and the
//! worker is left out.

use crate::control::status::{PlanStatus, Status};
use crate::engine::steer::MAX_RATE;
use crate::engine::steer::{MAX_LIMIT, RunState};
use crate::report::hdr::{self, EncodedHistograms};
use crate::report::latency::LatencyMs;
use crate::report::merge::steps::StepsSum;
use crate::stats::latency::new_histogram;
use crate::stats::window::Histograms;
use crate::units::figure;

/// The most workers a fleet follows; with `MAX_COUNT` each, their counts add up in a u64.
pub const MAX_WORKERS: usize = 1024;
/// The most requests, responses or bytes one worker may claim: 2^53 (ten million a second
/// for 28 years), and exact as a JSON number.
pub const MAX_COUNT: u64 = 1 << 53;
/// The longest a run may claim to have lasted, or to last: about 31 years.
pub const MAX_SECONDS: f64 = 1e9;
/// The most responses a second a worker may claim in a tick.
const MAX_RPS: f64 = 1e9;
/// The longest latency (ms) a status may name: the histograms' top is an hour.
const MAX_LATENCY_MS: f64 = 3.6e6 * 1.01;

/// A status that passed, with its histograms decoded.
#[derive(Debug, Clone)]
pub struct Reported {
    pub status: Status,
    /// The run's so far, and the last tick's; None before the first tick.
    pub run: Option<Histograms>,
    pub last_tick: Option<Histograms>,
    /// `--scenario`: its steps and sessions with their histograms decoded; None otherwise.
    pub steps: Option<StepsSum>,
}

impl Reported {
    /// The run state it names (checked to be one).
    pub fn state(&self) -> RunState {
        self.status.state
    }
}

/// `status` checked, or what is wrong with it (one line, without the worker's own words).
pub fn status(status: Status) -> Result<Reported, String> {
    let s = &status;
    seconds("elapsed_s", s.elapsed_s)?;
    seconds("last_tick.end_s", s.last_tick.end_s)?;
    within("lag_ms", s.lag_ms, MAX_SECONDS * 1000.0)?;
    within("last_tick.rps", s.last_tick.rps, MAX_RPS)?;
    for (name, rate) in [
        ("rate", s.rate),
        ("last_tick.target_rps", s.last_tick.target_rps),
    ] {
        rate.map_or(Ok(()), |r| within(name, r, MAX_RATE))?;
    }
    plan(&s.plan)?;
    for (name, n) in [("limit", s.limit), ("in_flight", s.in_flight)] {
        (n <= MAX_LIMIT)
            .then_some(())
            .ok_or(format!("its {name} is over {MAX_LIMIT}"))?;
    }
    (s.peak_in_flight <= MAX_LIMIT)
        .then_some(())
        .ok_or("its peak_in_flight is over the most a run may have")?;
    counts(s)?;
    checks(s)?;
    for (name, l) in [
        ("latency_ms", s.latency_ms),
        ("service_ms", s.service_ms),
        ("last_tick.latency_ms", s.last_tick.latency_ms),
        ("last_tick.service_ms", s.last_tick.service_ms),
        ("ttfb_ms", s.ttfb_ms),
        ("last_tick.ttfb_ms", s.last_tick.ttfb_ms),
        ("connects.connect_ms", s.connects.connect_ms),
    ] {
        l.map_or(Ok(()), |l| ladder(name, &l))?;
    }
    if let Some(shard) = s.shard
        && shard.index >= shard.count
    {
        return Err("its shard is not I/N with I < N".into());
    }
    let steps = scenario(s)?;
    let run = decoded("run", s.histograms.run.as_ref())?;
    let last_tick = decoded("last_tick", s.histograms.last_tick.as_ref())?;
    Ok(Reported {
        status,
        run,
        last_tick,
        steps,
    })
}

/// A time in seconds a run could take.
fn seconds(name: &str, s: f64) -> Result<(), String> {
    within(name, s, MAX_SECONDS)
}

/// A finite figure from 0 to `max`.
fn within(name: &str, x: f64, max: f64) -> Result<(), String> {
    match x.is_finite() && (0.0..=max).contains(&x) {
        true => Ok(()),
        false => Err(format!(
            "its {name} of {} is not from 0 to {}",
            figure(x),
            figure(max)
        )),
    }
}

/// The worker's -z and -n.
fn plan(p: &PlanStatus) -> Result<(), String> {
    p.duration_s
        .map_or(Ok(()), |d| seconds("plan.duration_s", d))?;
    match p.max_requests {
        Some(n) if n > MAX_COUNT => Err(format!("its plan.max_requests is over {MAX_COUNT}")),
        _ => Ok(()),
    }
}

/// Every count at most `MAX_COUNT`; the requests add up (total = ok + failed).
fn counts(s: &Status) -> Result<(), String> {
    let r = &s.requests;
    let t = &s.last_tick;
    let named = [
        ("requests.total", r.total),
        ("requests.ok", r.ok),
        ("requests.failed", r.failed),
        ("requests.aborted", r.aborted),
        ("late_starts", s.late_starts),
        ("connects.opened", s.connects.opened),
        ("bytes_received", s.bytes_received),
        ("body_bytes_received", s.body_bytes_received),
        ("last_tick.ok", t.ok),
        ("last_tick.failed", t.failed),
        ("last_tick.non2xx", t.non2xx),
    ];
    let by_code = s.status_codes.values();
    let by_error = s.errors.values();
    let over = named
        .into_iter()
        .chain(by_code.map(|n| ("status_codes", *n)))
        .chain(by_error.map(|n| ("errors", *n)))
        .find(|(_, n)| *n > MAX_COUNT);
    if let Some((name, n)) = over {
        return Err(format!("its {name} of {n} is over {MAX_COUNT}"));
    }
    if r.ok + r.failed != r.total {
        return Err("its requests do not add up (total = ok + failed)".into());
    }
    for code in s.status_codes.keys() {
        code.parse::<u16>()
            .ok()
            .filter(|c| (100..=999).contains(c))
            .ok_or("a status code of it is not one")?;
    }
    Ok(())
}

/// The most characters of a check's text a worker may send (its screen cuts it anyway).
const MAX_CHECK_CHARS: usize = 4096;

/// At most a run's number of checks, each named in a bounded text, its counts (and the
/// tick's evaluations, and the redirects) at most `MAX_COUNT`.
fn checks(s: &Status) -> Result<(), String> {
    use crate::engine::checks::MAX_CHECKS;
    if s.checks.len() > MAX_CHECKS {
        return Err(format!("it names over {MAX_CHECKS} checks"));
    }
    if s.checks
        .iter()
        .any(|c| c.check.chars().count() > MAX_CHECK_CHARS)
    {
        return Err(format!(
            "a check of it is named in over {MAX_CHECK_CHARS} characters"
        ));
    }
    let t = &s.last_tick;
    let named = [
        ("last_tick.checks_passed", t.checks_passed),
        ("last_tick.checks_failed", t.checks_failed),
        ("redirects_followed", s.redirects_followed),
    ];
    let each = s
        .checks
        .iter()
        .flat_map(|c| [("checks", c.passed), ("checks", c.failed)]);
    match named.into_iter().chain(each).find(|(_, n)| *n > MAX_COUNT) {
        Some((name, n)) => Err(format!("its {name} of {n} is over {MAX_COUNT}")),
        None => Ok(()),
    }
}

/// Scenarios (issue 26): every count of the steps and sessions at most `MAX_COUNT`, their
/// status codes ones, their ladders within range, their histograms decoded and holding
/// what their counts say (as a merge of summaries checks them); None without steps.
fn scenario(s: &Status) -> Result<Option<StepsSum>, String> {
    if s.steps.is_empty() && s.sessions.is_none() {
        return Ok(None);
    }
    let steps = s.steps.iter().flat_map(|st| {
        let counts = [st.requests, st.ok, st.failed, st.skipped].into_iter();
        let checks = st.checks.iter().flat_map(|c| [c.passed, c.failed]);
        counts
            .chain(st.status_codes.values().copied())
            .chain(st.errors.values().copied())
            .chain(checks)
    });
    let sessions = s
        .sessions
        .iter()
        .flat_map(|x| [x.started, x.completed, x.failed]);
    if steps.chain(sessions).any(|n| n > MAX_COUNT) {
        return Err(format!(
            "a count of its steps or sessions is over {MAX_COUNT}"
        ));
    }
    for st in &s.steps {
        let codes = st.status_codes.keys();
        if codes
            .map(|c| c.parse::<u16>())
            .any(|c| !c.is_ok_and(|c| (100..=999).contains(&c)))
        {
            return Err("a status code of its steps is not one".into());
        }
        for l in [st.latency_ms, st.service_ms, st.ttfb_ms].iter().flatten() {
            ladder("a step's ladder", l)?;
        }
    }
    if let Some(l) = s.sessions.as_ref().and_then(|x| x.duration_ms) {
        ladder("sessions.duration_ms", &l)?;
    }
    StepsSum::of_run(&s.steps, s.sessions.as_ref())
        .map(Some)
        .map_err(|e| format!("its steps: {}", crate::process::untrusted::escaped(&e)))
}

/// A latency ladder: finite milliseconds within the histograms' range.
fn ladder(name: &str, l: &LatencyMs) -> Result<(), String> {
    let all = [
        l.min, l.mean, l.stdev, l.p50, l.p75, l.p90, l.p95, l.p99, l.p99_9, l.p99_99, l.max,
    ];
    all.into_iter()
        .try_for_each(|ms| within(name, ms, MAX_LATENCY_MS))
}

/// Both histograms of `which` decoded, each added into one of the fleet's own (so its
/// values are within the fleet's range).
fn decoded(which: &str, e: Option<&EncodedHistograms>) -> Result<Option<Histograms>, String> {
    let Some(e) = e else {
        return Ok(None);
    };
    let one = |text: &str, name: &str| {
        let bad = |why: String| format!("its {which} {name} histogram: {why}");
        let h = hdr::decode(text).map_err(bad)?;
        let mut own = new_histogram();
        own.add(&h).map_err(|e| bad(format!("{e:?}")))?;
        match own.len() <= MAX_COUNT {
            true => Ok(own),
            false => Err(bad(format!("it counts over {MAX_COUNT}"))),
        }
    };
    Ok(Some(Histograms {
        latency: one(&e.latency, "latency")?,
        service: one(&e.service, "service")?,
        ttfb: one(&e.ttfb, "ttfb")?,
        connect: one(&e.connect, "connect")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::status::{About, StatusHistograms};
    use crate::engine::steer::Gauges;
    use crate::stats::snapshot::Snapshot;

    fn good() -> Status {
        let mut h = new_histogram();
        h.record(1_500).unwrap();
        let hs = Histograms {
            latency: h.clone(),
            service: h.clone(),
            ttfb: h,
            connect: new_histogram(),
        };
        let snapshot = Snapshot {
            run_histograms: Some(std::sync::Arc::new(hs)),
            ..Snapshot::default()
        };
        let mut s = Status::of(
            &snapshot,
            &Gauges::default(),
            2,
            StatusHistograms::of(&snapshot),
            &About::default(),
        );
        s.requests.ok = 1;
        s.requests.total = 1;
        s
    }

    #[test]
    fn an_absurd_figure_is_named_in_a_short_line() {
        assert_eq!(
            within("elapsed_s", 1e300, MAX_SECONDS).unwrap_err(),
            "its elapsed_s of 1e300 is not from 0 to 1e9"
        );
        assert!(within("lag_ms", -2.5, 10.0).unwrap_err().contains("-2.5"));
    }

    #[test]
    fn an_honest_status_passes_with_its_histograms_decoded() {
        let r = status(good()).expect("a real status");
        assert_eq!(r.run.expect("decoded").latency.len(), 1);
        assert!(r.last_tick.is_none());
    }

    #[test]
    fn absurd_numbers_unknown_words_and_broken_histograms_are_refused() {
        type Spoil = Box<dyn Fn(&mut Status)>;
        let cases: Vec<(&str, Spoil)> = vec![
            ("elapsed_s", Box::new(|s| s.elapsed_s = 1e300)),
            ("elapsed_s", Box::new(|s| s.elapsed_s = -1.0)),
            ("lag_ms", Box::new(|s| s.lag_ms = f64::INFINITY)),
            ("rps", Box::new(|s| s.last_tick.rps = 1e300)),
            ("rate", Box::new(|s| s.rate = Some(1e300))),
            ("duration_s", Box::new(|s| s.plan.duration_s = Some(1e300))),
            (
                "max_requests",
                Box::new(|s| s.plan.max_requests = Some(u64::MAX)),
            ),
            ("limit", Box::new(|s| s.limit = usize::MAX)),
            ("in_flight", Box::new(|s| s.in_flight = usize::MAX)),
            ("requests.ok", Box::new(|s| s.requests.ok = u64::MAX)),
            ("add up", Box::new(|s| s.requests.total = 7)),
            ("bytes_received", Box::new(|s| s.bytes_received = u64::MAX)),
            (
                "status code",
                Box::new(|s| {
                    s.status_codes.insert("9999".into(), 1);
                }),
            ),
            (
                "errors",
                Box::new(|s| {
                    s.errors.insert("x".into(), u64::MAX);
                }),
            ),
            (
                "shard",
                Box::new(|s| {
                    s.shard = Some(crate::engine::shard::Shard { index: 3, count: 3 });
                }),
            ),
            (
                "latency_ms",
                Box::new(|s| {
                    s.latency_ms = Some(LatencyMs {
                        p99: 1e300,
                        ..LatencyMs::from(&crate::stats::latency::LatencySummary::default())
                    });
                }),
            ),
            (
                "histogram",
                Box::new(|s| {
                    if let Some(run) = s.histograms.run.as_mut() {
                        run.latency = "bm90IGEgaGlzdG9ncmFt".into();
                    }
                }),
            ),
        ];
        for (what, spoil) in cases {
            let mut s = good();
            spoil(&mut s);
            let why = status(s).expect_err(what);
            assert!(!why.contains('\u{1b}'), "{why}");
        }
    }

    #[test]
    fn too_many_checks_or_counts_past_a_run_s_are_refused() {
        let check = |text: &str, passed: u64| crate::report::summary::CheckSummary {
            check: text.into(),
            passed,
            failed: 0,
        };
        let mut s = good();
        s.checks = vec![check("status == 200", 5)];
        assert!(status(s.clone()).is_ok());
        s.checks[0].passed = u64::MAX;
        assert!(status(s.clone()).expect_err("a count").contains("checks"));
        s.checks = vec![check("x", 0); 33];
        assert!(
            status(s.clone())
                .expect_err("33")
                .contains("over 32 checks")
        );
        s.checks = vec![check(&"x".repeat(5000), 0)];
        assert!(status(s).expect_err("a long name").contains("characters"));
    }

    #[test]
    fn a_state_outside_the_contract_s_words_is_no_status_at_all() {
        let mut hostile = serde_json::to_value(good()).expect("a status as JSON");
        hostile["state"] = "\u{1b}[2J".into();
        assert!(serde_json::from_value::<Status>(hostile).is_err());
    }
}
