//! From the ticks the aggregator closes to what the law reads: the tick's histograms are
//! added up until they hold enough requests for a p99 to mean something (a tick of a few
//! requests has a p99 that is its slowest one), then the worst condition's margin. In rate
//! mode a backlog that grows is latency to come: a latency bar's margin counts what it
//! would add over the next `HORIZON_S` (the latency of an overloaded open loop grows with
//! time, so the seconds that first overload still read under the bar). The backlog is read
//! off the mean latency (it averages every response: in flight at one instant is noisier)
//! and the lag of what has not started.

use super::law::Reading;
use crate::stats::condition::{Condition, Measured};
use crate::stats::latency::{LatencySummary, Sums, new_histogram};
use crate::stats::window::{Histograms, TickSummary};
use hdrhistogram::Histogram;

/// Requests that must have ended before a reading is made...
pub const ENOUGH_ENDED: u64 = 50;
/// ...or ticks gathered, whichever comes first.
pub const MOST_TICKS: u32 = 3;
/// How far ahead a growing backlog counts against a latency bar, in seconds...
pub const HORIZON_S: f64 = 20.0;
/// ...past the growth a second that noise alone makes, in seconds a second.
pub const GROWTH_NOISE: f64 = 0.005;

/// The load at a tick's end: what is in flight, how late the oldest request not yet
/// started is, and the rate (None in concurrency mode).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Load {
    pub in_flight: usize,
    pub lag_s: f64,
    pub rate: Option<f64>,
}

/// What a reading's backlog is measured against at the next: its mean latency and lag.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Backlog {
    mean_s: f64,
    lag_s: f64,
}

/// Ticks added up since the last reading, and the load at the last reading's end.
#[derive(Debug, Clone)]
pub struct Gather {
    latency: Histogram<u64>,
    sums: Sums,
    ok: u64,
    failed: u64,
    non2xx: u64,
    /// `--check` evaluations that passed and failed (for a `checks>99%` bar).
    checks: (u64, u64),
    ticks: u32,
    read_at: Option<Backlog>,
}

impl Default for Gather {
    fn default() -> Self {
        Gather {
            latency: new_histogram(),
            sums: Sums::default(),
            ok: 0,
            failed: 0,
            non2xx: 0,
            checks: (0, 0),
            ticks: 0,
            read_at: None,
        }
    }
}

impl Gather {
    /// Adds a tick (its latency histogram, when the snapshot has it); returns the reading
    /// once enough has gathered (and starts again), judged by `conditions`. Nothing ended
    /// while requests were in flight is a reading too: every one waited the whole span.
    pub fn add(
        &mut self,
        tick: &TickSummary,
        histograms: Option<&Histograms>,
        load: Load,
        conditions: &[Condition],
    ) -> Option<Reading> {
        match histograms {
            Some(h) => {
                let _ = self.latency.add(&h.latency);
            }
            None => record_ladder(&mut self.latency, &tick.latency),
        }
        let l = &tick.latency;
        self.sums = self
            .sums
            .plus(Sums::of_moments(l.count, l.mean_us, l.stdev_us));
        self.ok += tick.ok;
        self.failed += tick.failed;
        self.non2xx += tick.non2xx;
        self.checks.0 = self.checks.0.saturating_add(tick.checks_passed);
        self.checks.1 = self.checks.1.saturating_add(tick.checks_failed);
        self.ticks += 1;
        let ended = self.ok + self.failed;
        if ended < ENOUGH_ENDED && self.ticks < MOST_TICKS {
            return None;
        }
        let backlog = (ended > 0 && load.rate.is_some()).then(|| Backlog {
            mean_s: self.sums.us as f64 / self.ok.max(1) as f64 / 1e6,
            lag_s: load.lag_s,
        });
        let growing = self.backlog_growth(backlog);
        let served = load
            .rate
            .map(|_| self.ok as f64 / f64::from(self.ticks.max(1)));
        let reading = match ended {
            0 if load.in_flight > 0 => stalled(conditions, self.ticks),
            _ => self
                .margin(conditions, growing)
                .map(|margin| Reading { margin, served }),
        };
        *self = Gather {
            read_at: backlog,
            ..Gather::default()
        };
        reading
    }

    /// How fast the backlog grew since the last reading, in seconds a second past what
    /// noise makes (0 in concurrency mode, and when it shrank).
    fn backlog_growth(&self, now: Option<Backlog>) -> f64 {
        let (Some(before), Some(now)) = (self.read_at, now) else {
            return 0.0;
        };
        let grown = (now.mean_s + now.lag_s) - (before.mean_s + before.lag_s);
        (grown / f64::from(self.ticks.max(1)) - GROWTH_NOISE).max(0.0)
    }

    /// The worst margin of `conditions` over what gathered, a latency bar's with what a
    /// backlog `growing` (seconds a second) adds over `HORIZON_S`.
    fn margin(&self, conditions: &[Condition], growing: f64) -> Option<f64> {
        let latency = LatencySummary::of(&self.latency, self.sums);
        let m = Measured {
            latency: &latency,
            ok: self.ok,
            failed: self.failed,
            non2xx_responses: self.non2xx,
            rps: self.ok as f64 / f64::from(self.ticks.max(1)),
            checks_passed: self.checks.0,
            checks_failed: self.checks.1,
        };
        let ahead = |c: &Condition| match c.latency_ms() {
            Some(bar) if bar > 0.0 => growing * HORIZON_S * 1000.0 / bar,
            _ => 0.0,
        };
        conditions
            .iter()
            .filter_map(|c| c.margin(&m).map(|margin| margin + ahead(c)))
            .reduce(f64::max)
    }
}

/// Nothing answered for `ticks` seconds while requests were in flight: each latency bar is
/// at least that span over its threshold.
fn stalled(conditions: &[Condition], ticks: u32) -> Option<Reading> {
    let span_ms = f64::from(ticks) * 1000.0;
    conditions
        .iter()
        .filter_map(Condition::latency_ms)
        .map(|bar| match bar {
            b if b > 0.0 => span_ms / b,
            _ => f64::INFINITY,
        })
        .reduce(f64::max)
        .map(|margin| Reading {
            margin,
            served: None,
        })
}

/// A ladder recorded as a rough histogram, where a snapshot brings no histogram.
fn record_ladder(h: &mut Histogram<u64>, l: &LatencySummary) {
    if l.count == 0 {
        return;
    }
    let share = |q: f64| ((l.count as f64) * q).round() as u64;
    let rungs = [
        (l.p50_us, 0.5),
        (l.p90_us, 0.4),
        (l.p99_us, 0.09),
        (l.max_us, 0.01),
    ];
    for (us, q) in rungs {
        let _ = h.record_n(us.max(1), share(q).max(1));
    }
}

/// Whether every condition held over one tick alone (a condition with no value in it, such
/// as a latency in a second without responses, did not).
pub fn tick_held(conditions: &[Condition], tick: &TickSummary) -> bool {
    let m = Measured::of_tick(tick);
    conditions
        .iter()
        .all(|c| c.measure(&m).is_some_and(|v| c.holds_for(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(texts: &[&str]) -> Vec<Condition> {
        texts
            .iter()
            .map(|t| Condition::parse_bar(t).expect(t))
            .collect()
    }

    /// Concurrency mode, `in_flight` requests in flight.
    fn busy(in_flight: usize) -> Load {
        Load {
            in_flight,
            ..Load::default()
        }
    }

    #[test]
    fn in_rate_mode_a_growing_backlog_is_latency_to_come() {
        let conditions = bars(&["p99<500ms", "errors<1%"]);
        let mut g = Gather::default();
        let rate = |lag_s| Load {
            in_flight: 20,
            lag_s,
            rate: Some(200.0),
        };
        let (t, h) = tick(200, 100, 0);
        let first = g.add(&t, Some(&h), rate(0.0), &conditions).expect("read");
        assert!(
            (first.margin - 0.2).abs() < 0.01,
            "nothing to compare yet: {first:?}"
        );
        let steady = g.add(&t, Some(&h), rate(0.0), &conditions).expect("read");
        assert!((steady.margin - 0.2).abs() < 0.01, "{steady:?}");
        // 30 ms more latency a second, 25 past the noise: 0.5 s in 20 s against 500 ms.
        let (slower, slower_h) = tick(200, 130, 0);
        let behind = g
            .add(&slower, Some(&slower_h), rate(0.0), &conditions)
            .expect("read");
        assert!((behind.margin - (0.26 + 1.0)).abs() < 0.01, "{behind:?}");
        let late = g
            .add(&slower, Some(&slower_h), rate(0.1), &conditions)
            .expect("read");
        assert!(
            (late.margin - (0.26 + 3.8)).abs() < 0.01,
            "not started, later: {late:?}"
        );
        let draining = g.add(&t, Some(&h), rate(0.0), &conditions).expect("read");
        assert!((draining.margin - 0.2).abs() < 0.01, "{draining:?}");
        let mut closed = Gather::default();
        closed.add(&t, Some(&h), busy(20), &conditions);
        let slower_closed = closed.add(&slower, Some(&slower_h), busy(20), &conditions);
        let margin = slower_closed.expect("read").margin;
        assert!(
            (margin - 0.26).abs() < 0.01,
            "a closed loop's latency is its own: {margin}"
        );
    }

    /// A tick of `ok` responses at `ms` each and `failed` failures, with its histogram.
    fn tick(ok: u64, ms: u64, failed: u64) -> (TickSummary, Histograms) {
        let mut latency = new_histogram();
        let mut sums = Sums::default();
        for _ in 0..ok {
            latency.saturating_record(ms * 1000);
            sums.add(ms * 1000);
        }
        let summary = TickSummary {
            ok,
            failed,
            rps: ok as f64,
            latency: LatencySummary::of(&latency, sums),
            ..TickSummary::default()
        };
        let histograms = Histograms {
            latency,
            ..Histograms::empty()
        };
        (summary, histograms)
    }

    #[test]
    fn a_busy_tick_is_read_at_once_and_its_worst_condition_counts() {
        let conditions = bars(&["p99<50ms", "errors<10%"]);
        let mut g = Gather::default();
        let (t, h) = tick(190, 40, 10);
        let r = g
            .add(&t, Some(&h), busy(5), &conditions)
            .expect("read at once");
        assert!((r.margin - 0.8).abs() < 0.01, "p99 40 of 50: {r:?}");
        let (t, h) = tick(100, 10, 50);
        let r = g.add(&t, Some(&h), busy(5), &conditions).expect("read");
        assert!(
            (r.margin - 100.0 / 30.0).abs() < 0.01,
            "a third failed: {r:?}"
        );
        assert!(!tick_held(&conditions, &t));
    }

    #[test]
    fn quiet_ticks_are_added_up_until_their_p99_means_something() {
        let conditions = bars(&["p99<50ms"]);
        let mut g = Gather::default();
        let (t, h) = tick(40, 10, 0);
        assert_eq!(g.add(&t, Some(&h), busy(1), &conditions), None);
        let (slow, slow_h) = tick(1, 200, 0);
        assert_eq!(g.add(&slow, Some(&slow_h), busy(1), &conditions), None);
        assert!(
            !tick_held(&conditions, &slow),
            "alone, its p99 is its slowest"
        );
        let (more, more_h) = tick(60, 10, 0);
        let r = g
            .add(&more, Some(&more_h), busy(1), &conditions)
            .expect("enough");
        assert!(
            r.margin < 0.3,
            "one slow request in 101 is not the p99: {r:?}"
        );
    }

    #[test]
    fn nothing_answered_while_requests_wait_misses_a_latency_bar() {
        let conditions = bars(&["p99<200ms", "errors<1%"]);
        let mut g = Gather::default();
        let empty = TickSummary::default();
        assert_eq!(g.add(&empty, None, busy(3), &conditions), None);
        assert_eq!(g.add(&empty, None, busy(3), &conditions), None);
        let r = g
            .add(&empty, None, busy(3), &conditions)
            .expect("three ticks");
        assert_eq!(r.margin, 15.0, "3 s over 200 ms");
        let mut idle = Gather::default();
        for _ in 0..3 {
            assert_eq!(
                idle.add(&empty, None, busy(0), &conditions),
                None,
                "nothing asked"
            );
        }
        assert!(!tick_held(&conditions, &empty));
    }

    #[test]
    fn a_checks_bar_reads_the_share_that_failed_over_what_gathered() {
        let conditions = bars(&["p99<500ms", "checks>99%"]);
        let mut g = Gather::default();
        let (mut quiet, quiet_h) = tick(30, 100, 0);
        (quiet.checks_passed, quiet.checks_failed) = (29, 1);
        assert_eq!(g.add(&quiet, Some(&quiet_h), busy(5), &conditions), None);
        let (mut t, h) = tick(170, 100, 0);
        (t.checks_passed, t.checks_failed) = (168, 2);
        let r = g
            .add(&t, Some(&h), busy(5), &conditions)
            .expect("200 ended");
        assert!(
            (r.margin - 1.5).abs() < 1e-9,
            "3 of 200 failed, 1% allowed: {r:?}"
        );
        assert!(!tick_held(&conditions, &quiet), "1 of 30 failed alone");
        (t.checks_passed, t.checks_failed) = (170, 0);
        assert!(tick_held(&conditions, &t));
    }

    #[test]
    fn a_tick_without_histograms_is_read_off_its_ladder() {
        let conditions = bars(&["p99<50ms"]);
        let (t, _) = tick(200, 60, 0);
        let r = Gather::default()
            .add(&t, None, busy(5), &conditions)
            .expect("read");
        assert!((r.margin - 1.2).abs() < 0.01, "{r:?}");
    }
}
