//! Many workers' statuses as one snapshot, so the fleet shows the same dashboard (and
//! progress lines) as a single run: counts and gauges added, histograms added exactly.
//! Every figure was checked (`checked`) to be within what one honest run reaches, so no sum
//! of `MAX_WORKERS` of them overflows; sums saturate all the same.

use super::checked::Reported;
use super::poller::WorkerView;
use crate::engine::generator::plan::Plan;
use crate::engine::outcome::ErrorKind;
use crate::engine::steer::{Gauges, RunState};
use crate::report::latency::LatencyMs;
use crate::stats::latency::{LatencySummary, Sums};
use crate::stats::snapshot::Snapshot;
use crate::stats::window::{Counts, Histograms, TickSummary};
use crate::view::tui::fleet_rows::{WorkerRow, WorkerState};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// Merged tick summaries kept for the charts.
const RING_TICKS: usize = 300;

/// The fleet's running view: the charts' ring of merged ticks.
#[derive(Default)]
pub struct Merger {
    recent: VecDeque<TickSummary>,
    peak_open_files: u64,
}

/// The workers' checked statuses, by what each counts in.
struct Counted<'a> {
    /// Every worker seen and not left out: the totals.
    seen: Vec<&'a Reported>,
    /// Those that answered the last poll (finished ones too): the limits that stand.
    answering: Vec<&'a Reported>,
    /// Those up and still running: the gauges now and the last tick.
    live: Vec<&'a Reported>,
}

impl<'a> Counted<'a> {
    fn of(views: &'a [WorkerView]) -> Counted<'a> {
        let with = |keep: fn(&WorkerView) -> bool| {
            views
                .iter()
                .filter(|v| keep(v))
                .filter_map(WorkerView::counted)
                .collect()
        };
        Counted {
            seen: with(|_| true),
            answering: with(|v| v.up),
            live: with(|v| v.up && !v.finished),
        }
    }
}

impl Merger {
    /// One snapshot of the fleet: every worker seen so far counts in the totals; only those
    /// up count in the gauges and the last tick; a worker left out counts nowhere.
    pub fn snapshot(&mut self, views: &[WorkerView]) -> Snapshot {
        let c = Counted::of(views);
        let elapsed_s = c
            .seen
            .iter()
            .map(|r| r.status.elapsed_s)
            .fold(0.0, f64::max);
        let elapsed = Duration::from_secs_f64(elapsed_s);
        let run = added(c.seen.iter().map(|r| r.run.as_ref()));
        let tick = added(c.live.iter().map(|r| r.last_tick.as_ref()));
        let mut last_tick = last_tick(&c.live, &tick, elapsed);
        last_tick.target_rps = optional_sum(c.live.iter().map(|r| r.status.last_tick.target_rps));
        if self.recent.len() == RING_TICKS {
            self.recent.pop_front();
        }
        self.recent.push_back(last_tick.clone());
        let open_files = self.open_files(&c);
        Snapshot {
            elapsed,
            counts: counts(&c.seen),
            last_tick,
            cumulative: summary(
                &run.latency,
                c.seen.iter().map(|r| ok_and(r, r.status.latency_ms)),
            ),
            cumulative_service: summary(
                &run.service,
                c.seen.iter().map(|r| ok_and(r, r.status.service_ms)),
            ),
            cumulative_ttfb: summary(
                &run.ttfb,
                c.seen.iter().map(|r| ok_and(r, r.status.ttfb_ms)),
            ),
            cumulative_connect: summary(
                &run.connect,
                c.seen.iter().map(|r| {
                    let connects = r.status.connects;
                    (connects.opened, connects.connect_ms)
                }),
            ),
            last_tick_histograms: Some(Arc::new(tick)),
            run_histograms: Some(Arc::new(run)),
            recent: self.recent.iter().cloned().collect(),
            gauges: gauges(views, &c),
            open_files,
            peak_open_files: self.peak_open_files,
            ..scenario(&c.seen)
        }
    }

    /// Open files now against the limits that stand, both of every worker answering
    /// (finished or not: its process still holds them); the peak is the most seen open at
    /// once over the fleet, and never under one worker's own (a short run can end between
    /// two polls).
    fn open_files(&mut self, c: &Counted) -> crate::process::probe::fd::FdUsage {
        let files = |r: &&Reported| r.status.open_files;
        let open = saturating_sum(c.answering.iter().map(|r| files(r).open));
        let own_peak = c.seen.iter().map(|r| files(r).peak).max().unwrap_or(0);
        self.peak_open_files = self.peak_open_files.max(open).max(own_peak);
        crate::process::probe::fd::FdUsage {
            open,
            soft_limit: saturating_sum(c.answering.iter().map(|r| files(r).soft_limit)),
            hard_limit: saturating_sum(c.answering.iter().map(|r| files(r).hard_limit)),
        }
    }
}

/// Scenarios (issue 26): the workers' steps by name and their sessions, added exactly from
/// what `checked` decoded (each count bounded, so no sum overflows); the rest empty.
fn scenario(seen: &[&Reported]) -> Snapshot {
    if seen.iter().all(|r| r.steps.is_none()) {
        return Snapshot::default();
    }
    let mut sum = crate::report::merge::steps::StepsSum::default();
    for steps in seen.iter().filter_map(|r| r.steps.as_ref()) {
        let _ = sum.add_sum(steps);
    }
    let (steps, sessions, histograms) = sum.figures();
    Snapshot {
        steps,
        sessions,
        scenario_histograms: Some(Arc::new(histograms)),
        ..Snapshot::default()
    }
}

/// How long the workers run, as the fleet shows it: the longest -z, and the -n added,
/// each only when every worker that answered has one.
pub fn plan(views: &[WorkerView]) -> Plan {
    let plans: Vec<_> = views
        .iter()
        .filter_map(WorkerView::counted)
        .map(|r| r.status.plan)
        .collect();
    if plans.is_empty() {
        return Plan::default();
    }
    let durations: Option<Vec<f64>> = plans.iter().map(|p| p.duration_s).collect();
    let counts: Option<Vec<u64>> = plans.iter().map(|p| p.max_requests).collect();
    Plan {
        duration: durations.map(|d| Duration::from_secs_f64(d.into_iter().fold(0.0, f64::max))),
        max_requests: counts.map(|n| saturating_sum(n.into_iter())),
    }
}

fn saturating_sum(each: impl Iterator<Item = u64>) -> u64 {
    each.fold(0, u64::saturating_add)
}

fn saturating_usize(each: impl Iterator<Item = usize>) -> usize {
    each.fold(0, usize::saturating_add)
}

/// A worker's responses and one of its ladders.
fn ok_and(r: &Reported, l: Option<LatencyMs>) -> (u64, Option<LatencyMs>) {
    (r.status.requests.ok, l)
}

/// The decoded histograms added up (each is within the fleet's range: `checked`).
fn added<'a>(each: impl Iterator<Item = Option<&'a Histograms>>) -> Histograms {
    let mut all = Histograms::empty();
    for h in each.flatten() {
        let _ = all.latency.add(&h.latency);
        let _ = all.service.add(&h.service);
        let _ = all.ttfb.add(&h.ttfb);
        let _ = all.connect.add(&h.connect);
    }
    all
}

/// The percentiles of the added histogram; the mean and deviation put back together from
/// each worker's count, mean and deviation.
fn summary(
    h: &hdrhistogram::Histogram<u64>,
    each: impl Iterator<Item = (u64, Option<LatencyMs>)>,
) -> LatencySummary {
    let sums = each
        .filter_map(|(n, l)| l.map(|l| Sums::of_moments(n, l.mean * 1000.0, l.stdev * 1000.0)))
        .fold(Sums::default(), |a, b| Sums {
            us: a.us.saturating_add(b.us),
            squares_us2: a.squares_us2.saturating_add(b.squares_us2),
        });
    LatencySummary::of(h, sums)
}

/// The workers' last ticks as one.
fn last_tick(live: &[&Reported], h: &Histograms, elapsed: Duration) -> TickSummary {
    let tick = |r: &&Reported| r.status.last_tick;
    TickSummary {
        end: elapsed,
        ok: saturating_sum(live.iter().map(|r| tick(r).ok)),
        failed: saturating_sum(live.iter().map(|r| tick(r).failed)),
        non2xx: saturating_sum(live.iter().map(|r| tick(r).non2xx)),
        // Folded from +0: an empty f64 sum is -0.0, which prints as "-0".
        rps: live.iter().map(|r| tick(r).rps).fold(0.0, |a, b| a + b),
        latency: summary(
            &h.latency,
            live.iter().map(|r| (tick(r).ok, tick(r).latency_ms)),
        ),
        service: summary(
            &h.service,
            live.iter().map(|r| (tick(r).ok, tick(r).service_ms)),
        ),
        ttfb: summary(&h.ttfb, live.iter().map(|r| (tick(r).ok, tick(r).ttfb_ms))),
        target_rps: None,
        checks_passed: saturating_sum(live.iter().map(|r| tick(r).checks_passed)),
        checks_failed: saturating_sum(live.iter().map(|r| tick(r).checks_failed)),
        steps: None,
    }
}

/// Every worker's counts added.
fn counts(seen: &[&Reported]) -> Counts {
    let mut c = Counts::default();
    let mut codes: BTreeMap<u16, u64> = BTreeMap::new();
    let mut errors = [0u64; ErrorKind::ALL.len()];
    for r in seen {
        let s = &r.status;
        let add = |into: &mut u64, n: u64| *into = into.saturating_add(n);
        add(&mut c.ok, s.requests.ok);
        add(&mut c.failed, s.requests.failed);
        add(&mut c.aborted, s.requests.aborted);
        add(&mut c.bytes, s.body_bytes_received);
        add(
            &mut c.head_bytes,
            s.bytes_received.saturating_sub(s.body_bytes_received),
        );
        add(&mut c.late_starts, s.late_starts);
        add(&mut c.connects_opened, s.connects.opened);
        add(&mut c.redirects_followed, s.redirects_followed);
        for check in &s.checks {
            crate::stats::checks::add(&mut c.checks, &check.check, check.passed, check.failed);
        }
        for (code, n) in &s.status_codes {
            if let Ok(code) = code.parse() {
                add(codes.entry(code).or_default(), *n);
            }
        }
        for (kind, n) in &s.errors {
            let kind = ErrorKind::parse(kind).unwrap_or(ErrorKind::Other);
            add(&mut errors[kind.index()], *n);
        }
    }
    // One addition each into an empty count: none can overflow.
    codes
        .into_iter()
        .for_each(|(code, n)| c.add_status(code, n));
    for (kind, n) in ErrorKind::ALL.into_iter().zip(errors) {
        c.add_errors(kind, n);
    }
    c
}

/// Optional figures added (None only when all are).
fn optional_sum(each: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    each.fold(None, crate::units::add_optional)
}

/// The gauges of the workers running, added; once none runs, the limits they ended with
/// (the DONE screen shows the limit and peak the run had, not zeros). The fleet runs while
/// any worker does.
fn gauges(views: &[WorkerView], c: &Counted) -> Gauges {
    let states: Vec<RunState> = c.live.iter().map(|r| r.state()).collect();
    let state = [RunState::Running, RunState::Paused, RunState::Stopping]
        .into_iter()
        .find(|s| states.contains(s))
        .unwrap_or(match views.iter().any(|v| v.pending(false)) {
            true => RunState::Running,
            false => RunState::Done,
        });
    let knobs = match c.live.is_empty() {
        true => &c.answering,
        false => &c.live,
    };
    Gauges {
        state,
        limit: saturating_usize(knobs.iter().map(|r| r.status.limit)),
        cap: saturating_usize(knobs.iter().map(|r| r.status.cap)),
        capped: None,
        // The fleet's own hand is its steer's (`FleetSteer::gauges`).
        hand: crate::engine::steer::Source::Start,
        in_flight: saturating_usize(c.live.iter().map(|r| r.status.in_flight)),
        peak_in_flight: saturating_usize(c.seen.iter().map(|r| r.status.peak_in_flight)),
        rate: optional_sum(knobs.iter().map(|r| r.status.rate)),
        lag: Duration::from_secs_f64(
            c.live.iter().map(|r| r.status.lag_ms).fold(0.0, f64::max) / 1000.0,
        ),
        started: saturating_sum(c.live.iter().map(|r| {
            let s = &r.status;
            s.requests
                .total
                .saturating_add(s.requests.aborted)
                .saturating_add(s.in_flight as u64)
        })),
        schedule: Default::default(),
    }
}

/// Each worker's row, in the order given; one left out reads "left out".
pub fn rows(names: &[String], views: &[WorkerView]) -> Vec<WorkerRow> {
    names
        .iter()
        .zip(views)
        .map(|(name, v)| {
            let s = v.counted().map(|r| &r.status);
            let running = v.up && !v.finished;
            let state = match s {
                _ if v.left_out.is_some() => WorkerState::LeftOut,
                Some(s) if v.up || v.finished => WorkerState::Run(s.state),
                _ => WorkerState::Down,
            };
            WorkerRow {
                name: crate::process::untrusted::escaped(name).into_owned(),
                state,
                rps: s.filter(|_| running).map_or(0.0, |s| s.last_tick.rps),
                in_flight: s.filter(|_| running).map_or(0, |s| s.in_flight),
                limit: s.map_or(0, |s| s.limit),
                failed: s.map_or(0, |s| s.requests.failed),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::status::{About, Status, StatusHistograms};

    /// A worker that answered, at `rps` in its last tick, with `in_flight` of `limit` 20.
    fn worker(state: RunState, rps: f64, in_flight: usize, finished: bool) -> WorkerView {
        let gauges = Gauges {
            state,
            limit: 20,
            in_flight,
            peak_in_flight: 20,
            ..Gauges::default()
        };
        let about = About {
            target: "http://t/".into(),
            plan: Plan {
                duration: Some(Duration::from_secs(40)),
                max_requests: None,
            },
            ..About::default()
        };
        let snapshot = Snapshot::default();
        let histograms = StatusHistograms::of(&snapshot);
        let mut status = Status::of(&snapshot, &gauges, 3, histograms, &about);
        status.last_tick.rps = rps;
        status.open_files.soft_limit = 1024;
        status.open_files.open = 9;
        status.open_files.peak = match finished {
            true => 31,
            false => 12,
        };
        status.requests.ok = 100;
        status.requests.total = 100;
        let reported = super::super::checked::status(status).expect("a good status");
        WorkerView {
            status: Some(Arc::new(reported)),
            up: true,
            finished,
            ..WorkerView::default()
        }
    }

    #[test]
    fn a_finished_worker_counts_in_the_totals_not_in_the_live_figures() {
        let views = [
            worker(RunState::Running, 1800.0, 20, false),
            worker(RunState::Done, 1750.0, 0, true),
        ];
        let names = ["a".to_string(), "b".to_string()];
        let s = Merger::default().snapshot(&views);
        let rows = rows(&names, &views);
        assert_eq!(s.counts.ok, 200, "what it did still counts");
        assert_eq!(s.last_tick.rps, 1800.0, "its last tick is not now");
        assert_eq!((s.gauges.limit, s.gauges.in_flight), (20, 20));
        assert_eq!(s.gauges.state, RunState::Running);
        assert_eq!(rows[1].rps, 0.0);
        assert_eq!(rows[1].state, WorkerState::Run(RunState::Done));
        assert_eq!(
            s.open_files.soft_limit, 2048,
            "its process limit still stands"
        );
        let mut gone = views.clone();
        gone[1].up = false;
        let s = Merger::default().snapshot(&gone);
        assert_eq!(
            s.open_files.soft_limit, 1024,
            "a worker down is not counted"
        );
    }

    /// A running worker whose status carries the steps of `sessions` (as in the merge's tests).
    fn with_steps(sessions: std::ops::Range<u64>) -> Result<WorkerView, String> {
        use crate::report::merge::steps::tests::{run, summaries};
        let mut v = worker(RunState::Running, 10.0, 1, false);
        let mut status = v.status.as_ref().expect("a status").status.clone();
        (status.steps, status.sessions) = summaries(&run(sessions));
        v.status = Some(Arc::new(super::super::checked::status(status)?));
        Ok(v)
    }

    #[test]
    fn the_workers_steps_add_up_by_name_into_one_runs_ladders_live() {
        let views = [
            with_steps(1..100).expect("a"),
            with_steps(100..300).expect("b"),
        ];
        let s = Merger::default().snapshot(&views);
        let one = crate::report::merge::steps::tests::run(1..300);
        let (steps, sessions) = (one.figures(), one.sessions().expect("sessions"));
        assert_eq!(s.steps.len(), 2);
        for (got, want) in s.steps.iter().zip(&steps) {
            assert_eq!(
                (&got.name, got.ok, got.failed),
                (&want.name, want.ok, want.failed)
            );
            assert_eq!(got.status_codes, want.status_codes);
            assert_eq!(got.latency.p99_us, want.latency.p99_us);
            assert_eq!(got.latency.max_us, want.latency.max_us);
        }
        let got = s.sessions.expect("sessions");
        assert_eq!(
            (got.started, got.failed),
            (sessions.started, sessions.failed)
        );
        assert_eq!(got.duration.p50_us, sessions.duration.p50_us);
        let h = s.scenario_histograms.expect("histograms");
        assert_eq!(
            h.steps[1].as_ref().map(|h| h.latency.len()),
            Some(steps[1].ok)
        );
        let plain = Merger::default().snapshot(&[worker(RunState::Running, 1.0, 1, false)]);
        assert!(plain.steps.is_empty() && plain.sessions.is_none());
    }

    #[test]
    fn a_worker_whose_step_histogram_disagrees_with_its_counts_is_refused() {
        let mut v = with_steps(1..50).expect("good");
        let mut status = v.status.take().expect("a status").status.clone();
        status.steps[0].ok += 1;
        status.steps[0].requests += 1;
        let why = super::super::checked::status(status).expect_err("refused");
        assert!(why.starts_with("its steps: its step 'login'"), "{why}");
    }

    #[test]
    fn the_workers_checks_add_up_by_their_text_live() {
        use crate::report::summary::CheckSummary;
        let with_checks = |checks: &[(&str, u64, u64)], tick: (u64, u64)| {
            let mut v = worker(RunState::Running, 10.0, 1, false);
            let mut r = (**v.status.as_ref().expect("a status")).clone();
            r.status.checks = checks
                .iter()
                .map(|(check, passed, failed)| CheckSummary::new(check, *passed, *failed))
                .collect();
            (
                r.status.last_tick.checks_passed,
                r.status.last_tick.checks_failed,
            ) = tick;
            r.status.redirects_followed = 3;
            v.status = Some(Arc::new(r));
            v
        };
        let views = [
            with_checks(&[("status == 200", 90, 10)], (9, 1)),
            with_checks(
                &[("json /id exists", 100, 0), ("status == 200", 99, 1)],
                (20, 0),
            ),
        ];
        let s = Merger::default().snapshot(&views);
        let got: Vec<_> = s
            .counts
            .checks
            .iter()
            .map(|c| (c.check.as_str(), c.passed, c.failed))
            .collect();
        assert_eq!(
            got,
            [("status == 200", 189, 11), ("json /id exists", 100, 0)]
        );
        assert_eq!(
            (s.last_tick.checks_passed, s.last_tick.checks_failed),
            (29, 1)
        );
        assert_eq!(s.counts.redirects_followed, 6);
    }

    #[test]
    fn when_every_worker_has_finished_the_limits_and_peaks_are_still_theirs() {
        let views = [
            worker(RunState::Done, 0.0, 0, true),
            worker(RunState::Done, 0.0, 0, true),
        ];
        let s = Merger::default().snapshot(&views);
        assert_eq!(
            s.open_files.soft_limit, 2048,
            "the fleet's last line read peak N/0"
        );
        assert_eq!(
            s.peak_open_files, 31,
            "a run over between two polls read peak 0/N"
        );
        assert_eq!(s.gauges.state, RunState::Done);
        assert!(
            s.last_tick.rps.is_sign_positive(),
            "an empty sum printed -0"
        );
        assert!(
            s.open_files.open > 0,
            "the fleet's line read open files 0/N"
        );
        assert_eq!(
            (s.gauges.limit, s.gauges.peak_in_flight, s.gauges.in_flight),
            (40, 40, 0),
            "the DONE screen read limit 0, 0 / 0 and peak 0"
        );
    }

    #[test]
    fn a_worker_left_out_counts_nowhere_and_its_row_says_so() {
        let mut views = [
            worker(RunState::Running, 1800.0, 20, false),
            worker(RunState::Running, 1800.0, 20, false),
        ];
        views[1].left_out = Some("its elapsed_s of 1e300 is not from 0 to 1e9".into());
        views[1].up = false;
        let s = Merger::default().snapshot(&views);
        let rows = rows(&["a".into(), "b\u{1b}[2J".into()], &views);
        assert_eq!(s.counts.ok, 100);
        assert_eq!((s.gauges.limit, s.last_tick.rps), (20, 1800.0));
        assert_eq!(rows[1].state, WorkerState::LeftOut);
        assert!(!rows[1].state.is_up());
        assert_eq!(rows[1].name, "b\\x1b[2J", "a name is shown escaped");
        assert_eq!(plan(&views).duration, Some(Duration::from_secs(40)));
    }

    #[test]
    fn the_fleets_plan_is_the_longest_duration_and_the_requests_added() {
        let mut views = [
            worker(RunState::Running, 0.0, 0, false),
            worker(RunState::Running, 0.0, 0, false),
        ];
        let set = |v: &mut WorkerView, d: Option<f64>, n: Option<u64>| {
            let mut r = (**v.status.as_ref().unwrap()).clone();
            r.status.plan.duration_s = d;
            r.status.plan.max_requests = n;
            v.status = Some(Arc::new(r));
        };
        set(&mut views[0], Some(40.0), Some(1000));
        set(&mut views[1], Some(30.0), Some(999));
        let p = plan(&views);
        assert_eq!(p.duration, Some(Duration::from_secs(40)));
        assert_eq!(p.max_requests, Some(1999));
        set(&mut views[1], None, None);
        assert_eq!(plan(&views), Plan::default(), "one runs until stopped");
        assert_eq!(plan(&[]), Plan::default());
    }
}
