//! Counting outcomes: HDR histograms for the current tick and the whole run, a ring of tick
//! summaries for charts. Pure: time is passed in, nothing here reads a clock.

use super::by_step::{BySteps, SessionFigures, StepFigures, StepSpec};
use super::by_target::{ByTarget, TargetFigures};
use super::checks::{self, CheckTally};
use super::latency::{LatencySummary, MAX_LATENCY_US, Sums, new_histogram};
use super::step_ticks::{self, StepTick, StepTicks};
use crate::engine::outcome::{ErrorKind, Outcome, Verdict};
use hdrhistogram::Histogram;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// HTTP status codes hyper accepts are 100..=999; one counter each.
const STATUS_SLOTS: usize = 1000;

/// What happened during one tick.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TickSummary {
    /// Run time at the end of the tick.
    pub end: Duration,
    /// Responses (any status) received in the tick.
    pub ok: u64,
    /// Failed requests in the tick.
    pub failed: u64,
    /// Responses in the tick with a status outside 200..=299.
    pub non2xx: u64,
    /// Responses (any status) per second over the tick; failures are not throughput.
    pub rps: f64,
    /// From when each request was due (its start, in concurrency mode).
    pub latency: LatencySummary,
    /// From each actual send: the server's part.
    pub service: LatencySummary,
    /// From each send to the response's head, connecting excluded.
    pub ttfb: LatencySummary,
    /// The target rate at the end of the tick (rate mode), requests a second.
    pub target_rps: Option<f64>,
    /// `--check` evaluations in the tick that passed and that failed, over all checks.
    pub checks_passed: u64,
    pub checks_failed: u64,
    /// `--scenario`: each step's figures over the tick, in step order (shared: a snapshot's
    /// clone is a count); None without, and in the ring, which keeps whole ticks only.
    pub steps: Option<Arc<[StepTick]>>,
}

/// Running totals by kind; fixed size whatever the request count.
#[derive(Debug, Clone)]
pub struct Counts {
    pub ok: u64,
    pub failed: u64,
    pub aborted: u64,
    /// Body bytes of the responses.
    pub bytes: u64,
    /// Bytes of the responses' heads (status lines and headers).
    pub head_bytes: u64,
    /// Requests that started late (rate mode: after they were due, past the timer's slack),
    /// counted by the generator as each starts (a late one may still be in flight).
    pub late_starts: u64,
    /// The latest any request started after it was due, in microseconds.
    pub max_late_us: u64,
    /// Connections opened (TCP, TLS, a proxy's CONNECT done), by any request.
    pub connects_opened: u64,
    status: Box<[u64; STATUS_SLOTS]>,
    errors: [u64; ErrorKind::ALL.len()],
    /// Each `--check`, in the order given (empty without).
    pub checks: Vec<CheckTally>,
    /// `-r`: redirects followed (hops, over all requests).
    pub redirects_followed: u64,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            ok: 0,
            failed: 0,
            aborted: 0,
            bytes: 0,
            head_bytes: 0,
            late_starts: 0,
            max_late_us: 0,
            connects_opened: 0,
            status: Box::new([0; STATUS_SLOTS]),
            errors: [0; ErrorKind::ALL.len()],
            checks: Vec::new(),
            redirects_followed: 0,
        }
    }
}

impl Counts {
    /// Requests that ended with a response or an error (aborted ones are not counted).
    pub fn total(&self) -> u64 {
        self.ok + self.failed
    }

    /// Responses per status code, only codes that were seen.
    pub fn status_codes(&self) -> BTreeMap<u16, u64> {
        self.status
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(code, n)| (code as u16, *n))
            .collect()
    }

    /// Hints for the kinds of failure seen so far that have one.
    pub fn hints(&self) -> impl Iterator<Item = &'static str> + '_ {
        ErrorKind::ALL
            .iter()
            .filter(|k| self.errors_of(**k) > 0)
            .filter_map(|k| k.hint())
    }

    /// Failures of one kind.
    pub fn errors_of(&self, kind: ErrorKind) -> u64 {
        self.errors[kind.index()]
    }

    /// Failures by kind, only kinds that were seen, in `ErrorKind::ALL` order.
    pub fn errors(&self) -> impl Iterator<Item = (ErrorKind, u64)> + '_ {
        ErrorKind::ALL
            .into_iter()
            .map(|k| (k, self.errors_of(k)))
            .filter(|(_, n)| *n > 0)
    }

    /// Adds `n` responses of status `code` (another process's counts, in a fleet).
    pub fn add_status(&mut self, code: u16, n: u64) {
        self.status[usize::from(code).min(STATUS_SLOTS - 1)] += n;
    }

    /// Adds `n` failures of `kind` (another process's counts, in a fleet).
    pub fn add_errors(&mut self, kind: ErrorKind, n: u64) {
        self.errors[kind.index()] += n;
    }
}

/// A tick's or a run's histograms, shared with what writes them out (HDR log, summary).
#[derive(Debug, Clone)]
pub struct Histograms {
    /// From when each request was due (its start, in concurrency mode).
    pub latency: Histogram<u64>,
    /// From each actual send.
    pub service: Histogram<u64>,
    /// From each send to the response's head, connecting excluded.
    pub ttfb: Histogram<u64>,
    /// Opening each new connection.
    pub connect: Histogram<u64>,
}

impl Histograms {
    /// Four empty histograms.
    pub fn empty() -> Histograms {
        Histograms {
            latency: new_histogram(),
            service: new_histogram(),
            ttfb: new_histogram(),
            connect: new_histogram(),
        }
    }
}

/// One clock's histograms: the current tick and the whole run.
struct Recorder {
    tick: Histogram<u64>,
    total: Histogram<u64>,
    /// Sums of what is in `tick` and `total`, for their means and deviations.
    tick_sums: Sums,
    total_sums: Sums,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            tick: new_histogram(),
            total: new_histogram(),
            tick_sums: Sums::default(),
            total_sums: Sums::default(),
        }
    }

    /// Into the tick only: the run's total takes the whole tick when it closes (one add a
    /// second instead of a second record a request, ~100 instructions a request each).
    fn record(&mut self, us: u64) {
        let us = us.clamp(1, MAX_LATENCY_US);
        self.tick.saturating_record(us);
        self.tick_sums.add(us);
    }

    /// Records `us` `n` times (a request that opened several connections).
    fn record_n(&mut self, us: u64, n: u8) {
        (0..n).for_each(|_| self.record(us));
    }

    /// The tick's summary and histogram; the tick starts again empty.
    fn close_tick(&mut self) -> (LatencySummary, Histogram<u64>) {
        let summary = LatencySummary::of(&self.tick, self.tick_sums);
        // Both have the same bounds, so the add cannot fail.
        let _ = self.total.add(&self.tick);
        self.total_sums = self.total_sums.plus(std::mem::take(&mut self.tick_sums));
        (summary, std::mem::replace(&mut self.tick, new_histogram()))
    }

    /// The run so far: the closed ticks, and the open one if anything is in it (read
    /// between ticks, a copy; a snapshot reads it right after a tick closed).
    fn total(&self) -> std::borrow::Cow<'_, Histogram<u64>> {
        if self.tick.is_empty() {
            return std::borrow::Cow::Borrowed(&self.total);
        }
        let mut total = self.total.clone();
        let _ = total.add(&self.tick);
        std::borrow::Cow::Owned(total)
    }

    fn cumulative(&self) -> LatencySummary {
        LatencySummary::of(&self.total(), self.total_sums.plus(self.tick_sums))
    }
}

/// The histograms, counters and tick ring of a run.
pub struct Window {
    latency: Recorder,
    service: Recorder,
    ttfb: Recorder,
    connect: Recorder,
    tick_ok: u64,
    tick_failed: u64,
    tick_non2xx: u64,
    /// `--check` evaluations in the tick: passed, failed.
    tick_checks: (u64, u64),
    tick_start: Duration,
    /// The histograms of the tick that closed last.
    last_histograms: Arc<Histograms>,
    target_rps: Option<f64>,
    ring: VecDeque<TickSummary>,
    ring_len: usize,
    counts: Counts,
    /// Per URL, with `--urls-from-file`.
    by_target: ByTarget,
    /// Per step and session, with `--scenario`.
    by_step: BySteps,
    /// Per step over the open tick, with `--scenario`.
    step_ticks: StepTicks,
}

impl Window {
    /// An empty window that keeps the last `ring_len` tick summaries.
    pub fn new(ring_len: usize) -> Window {
        Window {
            latency: Recorder::new(),
            service: Recorder::new(),
            ttfb: Recorder::new(),
            connect: Recorder::new(),
            tick_ok: 0,
            tick_failed: 0,
            tick_non2xx: 0,
            tick_checks: (0, 0),
            tick_start: Duration::ZERO,
            last_histograms: Arc::new(Histograms::empty()),
            target_rps: None,
            ring: VecDeque::with_capacity(ring_len),
            ring_len: ring_len.max(1),
            counts: Counts::default(),
            by_target: ByTarget::default(),
            by_step: BySteps::default(),
            step_ticks: StepTicks::default(),
        }
    }

    /// The same window counting each step of a scenario (`--scenario`) and its sessions.
    pub fn with_steps(mut self, specs: Vec<StepSpec>) -> Window {
        self.step_ticks = StepTicks::new(&specs);
        self.by_step = BySteps::new(specs);
        self
    }

    /// Each step's figures so far (empty without `--scenario`).
    pub fn steps(&self) -> Vec<StepFigures> {
        self.by_step.figures()
    }

    /// The sessions so far (None without `--scenario`).
    pub fn sessions(&self) -> Option<SessionFigures> {
        self.by_step.sessions()
    }

    /// The step and session histograms so far (None without `--scenario`), for exact merges.
    pub fn scenario_histograms(&self) -> Option<crate::stats::by_step::ScenarioHistograms> {
        self.by_step.histograms()
    }

    /// The same window counting the `--check`s of `texts` (their canonical texts, in order).
    pub fn with_checks(mut self, texts: &[String]) -> Window {
        self.counts.checks = texts.iter().map(|t| CheckTally::new(t)).collect();
        self
    }

    /// Counts one outcome; only responses go into the latency histograms.
    pub fn record(&mut self, o: &Outcome) {
        if o.target > 0 {
            self.by_target.record(o);
        }
        if self.by_step.is_kept() {
            self.by_step.record(o);
            self.step_ticks.record(o);
        }
        if o.late_us > 0 {
            self.counts.max_late_us = self.counts.max_late_us.max(o.late_us);
        }
        if o.opened > 0 {
            self.counts.connects_opened += u64::from(o.opened);
            self.connect.record_n(u64::from(o.connect_us), o.opened);
        }
        match o.verdict {
            Verdict::Status(code) => {
                self.counts.ok += 1;
                self.counts.bytes += o.bytes;
                self.counts.head_bytes += u64::from(o.head_bytes);
                self.counts.status[usize::from(code).min(STATUS_SLOTS - 1)] += 1;
                self.tick_ok += 1;
                self.tick_non2xx += u64::from(!(200..300).contains(&code));
                self.latency.record(o.latency_us);
                self.service.record(o.service_us());
                self.ttfb.record(u64::from(o.ttfb_us));
                if !self.counts.checks.is_empty() {
                    self.judged(o.checks_failed);
                }
            }
            Verdict::Error(kind) => {
                self.counts.failed += 1;
                self.counts.errors[kind.index()] += 1;
                self.tick_failed += 1;
            }
            Verdict::Aborted => self.counts.aborted += 1,
        }
        if o.redirects > 0 {
            self.counts.redirects_followed += u64::from(o.redirects);
        }
    }

    /// Counts a response's checks, `failed` a bit each.
    fn judged(&mut self, failed: u32) {
        let failures = checks::record(&mut self.counts.checks, failed);
        let evaluated = self.counts.checks.len() as u64;
        self.tick_checks.0 += evaluated - failures;
        self.tick_checks.1 += failures;
    }

    /// Counts `n` requests aborted at the end without an outcome of their own.
    pub fn add_aborted(&mut self, n: u64) {
        self.counts.aborted += n;
    }

    /// Notes the target rate in force (None: concurrency mode) for the ticks that close next.
    pub fn note_target_rate(&mut self, rate: Option<f64>) {
        self.target_rps = rate;
    }

    /// Notes how many requests have started late so far, as the generator counted them.
    pub fn note_late_starts(&mut self, late_starts: u64) {
        self.counts.late_starts = late_starts;
    }

    /// Closes the current tick at run time `now`, pushes its summary on the ring and returns it.
    pub fn rotate(&mut self, now: Duration) -> TickSummary {
        let secs = now.saturating_sub(self.tick_start).as_secs_f64();
        let (latency, latency_histogram) = self.latency.close_tick();
        let (service, service_histogram) = self.service.close_tick();
        let (ttfb, ttfb_histogram) = self.ttfb.close_tick();
        let (_, connect_histogram) = self.connect.close_tick();
        let steps = self.step_ticks.close(secs);
        // A scenario's checks are its steps' own (`--check` is not taken with it).
        let (step_passed, step_failed) = steps.as_deref().map_or((0, 0), step_ticks::checks_of);
        let summary = TickSummary {
            end: now,
            ok: self.tick_ok,
            failed: self.tick_failed,
            non2xx: self.tick_non2xx,
            rps: crate::units::per_second(self.tick_ok, secs),
            latency,
            service,
            ttfb,
            target_rps: self.target_rps,
            checks_passed: self.tick_checks.0 + step_passed,
            checks_failed: self.tick_checks.1 + step_failed,
            steps,
        };
        self.tick_checks = (0, 0);
        self.last_histograms = Arc::new(Histograms {
            latency: latency_histogram,
            service: service_histogram,
            ttfb: ttfb_histogram,
            connect: connect_histogram,
        });
        self.tick_ok = 0;
        self.tick_failed = 0;
        self.tick_non2xx = 0;
        self.tick_start = now;
        if self.ring.len() == self.ring_len {
            self.ring.pop_front();
        }
        self.ring.push_back(TickSummary {
            steps: None,
            ..summary.clone()
        });
        summary
    }

    /// Each URL's figures so far (with `--urls-from-file`; else empty).
    pub fn targets(&self) -> Vec<TargetFigures> {
        self.by_target.figures()
    }

    /// The histograms of the tick that closed last (empty before the first).
    pub fn last_tick_histograms(&self) -> Arc<Histograms> {
        Arc::clone(&self.last_histograms)
    }

    /// The whole run's histograms so far.
    pub fn run_histograms(&self) -> Histograms {
        Histograms {
            latency: self.latency.total().into_owned(),
            service: self.service.total().into_owned(),
            ttfb: self.ttfb.total().into_owned(),
            connect: self.connect.total().into_owned(),
        }
    }

    /// Latency percentiles over the whole run so far.
    pub fn cumulative(&self) -> LatencySummary {
        self.latency.cumulative()
    }

    /// Service-time percentiles over the whole run so far.
    pub fn cumulative_service(&self) -> LatencySummary {
        self.service.cumulative()
    }

    /// Time-to-first-byte percentiles over the whole run so far.
    pub fn cumulative_ttfb(&self) -> LatencySummary {
        self.ttfb.cumulative()
    }

    /// Connect-time percentiles over the whole run so far, one a connection opened.
    pub fn cumulative_connect(&self) -> LatencySummary {
        self.connect.cumulative()
    }

    /// The last tick summaries, oldest first.
    pub fn recent(&self) -> &VecDeque<TickSummary> {
        &self.ring
    }

    /// Totals so far.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(latency_us: u64) -> Outcome {
        Outcome {
            latency_us,
            verdict: Verdict::Status(200),
            bytes: 13,
            ..Outcome::aborted()
        }
    }

    #[test]
    fn percentiles_of_known_latencies() {
        let mut w = Window::new(4);
        for ms in 1..=1000 {
            w.record(&ok(ms * 1000));
        }
        let all = w.cumulative();
        assert_eq!(all.count, 1000);
        let within = |got: u64, want_ms: u64| {
            let want = want_ms * 1000;
            got.abs_diff(want) <= want / 500 // HDR with 3 digits: within 0.2%
        };
        assert!(within(all.min_us, 1), "min {}", all.min_us);
        assert!(within(all.p50_us, 500), "p50 {}", all.p50_us);
        assert!(within(all.p90_us, 900), "p90 {}", all.p90_us);
        assert!(within(all.p99_us, 990), "p99 {}", all.p99_us);
        assert!(within(all.p99_9_us, 999), "p99.9 {}", all.p99_9_us);
        assert!(within(all.max_us, 1000), "max {}", all.max_us);
        assert_eq!(
            all.mean_us, 500_500.0,
            "the mean is exact, not read off buckets"
        );
    }

    #[test]
    fn rotation_closes_a_tick_and_keeps_the_run_total() {
        let mut w = Window::new(2);
        for _ in 0..10 {
            w.record(&ok(2_000));
        }
        let first = w.rotate(Duration::from_millis(500));
        assert_eq!(first.ok, 10);
        assert!((first.rps - 20.0).abs() < 1e-9, "rps {}", first.rps);
        assert!(first.latency.p50_us.abs_diff(2_000) <= 4);

        w.record(&ok(9_000));
        let second = w.rotate(Duration::from_millis(1500));
        assert_eq!(second.ok, 1);
        assert!((second.rps - 1.0).abs() < 1e-9);
        assert!(
            second.latency.min_us >= 8_990,
            "the old tick leaked into the new one"
        );
        assert_eq!(
            second.latency.mean_us, 9_000.0,
            "the tick's mean is its own"
        );
        assert_eq!(w.cumulative().count, 11);
        assert_eq!(w.cumulative().mean_us, 29_000.0 / 11.0);

        w.rotate(Duration::from_millis(2500));
        let ends: Vec<_> = w.recent().iter().map(|t| t.end.as_millis()).collect();
        assert_eq!(
            ends,
            vec![1500, 2500],
            "the ring keeps only the last two ticks"
        );
    }

    #[test]
    fn a_late_start_counts_in_latency_but_not_in_service_time() {
        let mut w = Window::new(2);
        w.record(&Outcome {
            latency_us: 900_000,
            late_us: 899_000,
            verdict: Verdict::Status(200),
            ..Outcome::aborted()
        });
        w.record(&ok(1_000));
        let tick = w.rotate(Duration::from_secs(1));
        assert!(tick.latency.max_us.abs_diff(900_000) < 1_000, "{tick:?}");
        assert!(tick.service.max_us.abs_diff(1_000) <= 2, "{tick:?}");
        assert_eq!(w.cumulative_service().count, 2);
        assert_eq!(w.counts().late_starts, 0, "counted at the start, not here");
        assert_eq!(w.counts().max_late_us, 899_000);
        assert!(w.cumulative().p99_us > 800_000);
    }

    #[test]
    fn ttfb_goes_with_responses_and_connects_with_whoever_opened_one() {
        let mut w = Window::new(2);
        w.record(&Outcome {
            ttfb_us: 300,
            connect_us: 2_000,
            opened: 1,
            ..ok(9_000)
        });
        w.record(&Outcome {
            ttfb_us: 500,
            ..ok(9_000)
        });
        w.record(&Outcome {
            verdict: Verdict::Error(ErrorKind::ConnectionReset),
            connect_us: 4_000,
            opened: 2,
            ..Outcome::aborted()
        });
        assert_eq!(w.counts().connects_opened, 3);
        let connect = w.cumulative_connect();
        assert_eq!(connect.count, 3, "one a connection, a failed request's too");
        assert!(connect.max_us.abs_diff(4_000) <= 4, "{connect:?}");
        let ttfb = w.cumulative_ttfb();
        assert_eq!((ttfb.count, ttfb.min_us, ttfb.max_us), (2, 300, 500));
        let tick = w.rotate(Duration::from_secs(1));
        assert_eq!(tick.ttfb.count, 2);
        let run = w.run_histograms();
        assert_eq!((run.ttfb.len(), run.connect.len()), (2, 3));
        assert_eq!(w.last_tick_histograms().connect.len(), 3);
    }

    #[test]
    fn errors_and_aborts_are_counted_apart_from_responses() {
        let mut w = Window::new(2);
        w.record(&ok(100));
        w.record(&Outcome {
            latency_us: 5,
            late_us: 0,
            verdict: Verdict::Status(503),
            ..Outcome::aborted()
        });
        w.record(&Outcome {
            latency_us: 30_000_000,
            late_us: 0,
            verdict: Verdict::Error(ErrorKind::Timeout),
            ..Outcome::aborted()
        });
        w.record(&Outcome {
            latency_us: 1,
            late_us: 0,
            verdict: Verdict::Aborted,
            ..Outcome::aborted()
        });
        let c = w.counts();
        assert_eq!((c.ok, c.failed, c.aborted, c.total()), (2, 1, 1, 3));
        assert_eq!(c.errors_of(ErrorKind::Timeout), 1);
        assert_eq!(c.bytes, 13);
        let codes: Vec<_> = c.status_codes().into_iter().collect();
        assert_eq!(codes, vec![(200, 1), (503, 1)]);
        assert_eq!(
            w.cumulative().count,
            2,
            "failures stay out of the latency histogram"
        );
    }
}
