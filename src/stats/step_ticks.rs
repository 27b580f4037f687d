//! With `--scenario`: each step's figures over the current tick (counts, checks, a cheap
//! latency histogram), closed with the tick for `--until`, the dashboard's Steps panel and
//! the per-step conditions. A run without scenarios keeps none and allocates nothing.

use super::by_step::StepSpec;
use super::latency::{LatencySummary, MAX_LATENCY_US, Sums};
use crate::engine::outcome::{Outcome, Verdict};
use hdrhistogram::Histogram;
use std::sync::Arc;

/// Two significant figures (1%), as the run's per-step ladders: ~25 KB a step, made at the
/// step's first response and reset, not remade, each tick.
const SIGFIGS: u8 = 2;

/// What one step did in one tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepTick {
    /// Responses (any status).
    pub ok: u64,
    pub failed: u64,
    /// Responses with a status outside 200..=299.
    pub non2xx: u64,
    /// Responses a second over the tick.
    pub rps: f64,
    /// The step's check evaluations that passed and failed.
    pub checks_passed: u64,
    pub checks_failed: u64,
    /// From when each of the step's requests was due.
    pub latency: LatencySummary,
}

/// One step's open tick.
struct Open {
    figures: StepTick,
    /// Checks the step has (each response is judged on all).
    checks: u64,
    histogram: Option<Box<Histogram<u64>>>,
    sums: Sums,
}

/// Every step's open tick, by step number; empty without scenarios.
#[derive(Default)]
pub struct StepTicks {
    open: Vec<Open>,
}

impl StepTicks {
    /// Open ticks for `specs` (none: nothing kept).
    pub fn new(specs: &[StepSpec]) -> StepTicks {
        let open = specs
            .iter()
            .map(|s| Open {
                figures: StepTick::default(),
                checks: s.checks.len() as u64,
                histogram: None,
                sums: Sums::default(),
            })
            .collect();
        StepTicks { open }
    }

    /// Counts `o` into its step's tick (an unknown step is ignored).
    pub fn record(&mut self, o: &Outcome) {
        let Some(t) = self.open.get_mut(usize::from(o.step)) else {
            return;
        };
        match o.verdict {
            Verdict::Status(code) => {
                t.figures.ok += 1;
                t.figures.non2xx += u64::from(!(200..300).contains(&code));
                let failures = u64::from(o.checks_failed.count_ones()).min(t.checks);
                t.figures.checks_failed += failures;
                t.figures.checks_passed += t.checks - failures;
                let us = o.latency_us.clamp(1, MAX_LATENCY_US);
                let h = t.histogram.get_or_insert_with(|| {
                    Box::new(
                        Histogram::new_with_bounds(1, MAX_LATENCY_US, SIGFIGS)
                            .expect("static histogram bounds"),
                    )
                });
                h.saturating_record(us);
                t.sums.add(us);
            }
            Verdict::Error(_) => t.figures.failed += 1,
            Verdict::Aborted => {}
        }
    }

    /// Each step's figures over the tick that closes now, `secs` long; every step starts
    /// again at zero. None without scenarios.
    pub fn close(&mut self, secs: f64) -> Option<Arc<[StepTick]>> {
        if self.open.is_empty() {
            return None;
        }
        let closed = self.open.iter_mut().map(|t| {
            let mut figures = std::mem::take(&mut t.figures);
            figures.rps = crate::units::per_second(figures.ok, secs);
            if let Some(h) = t.histogram.as_mut().filter(|h| !h.is_empty()) {
                figures.latency = LatencySummary::of(h, std::mem::take(&mut t.sums));
                h.reset();
            }
            figures
        });
        Some(closed.collect())
    }
}

/// The checks that passed and failed over all of `steps` (a tick's, in a scenario run).
pub fn checks_of(steps: &[StepTick]) -> (u64, u64) {
    steps.iter().fold((0, 0), |(p, f), s| {
        (
            p.saturating_add(s.checks_passed),
            f.saturating_add(s.checks_failed),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(checks: usize) -> StepSpec {
        StepSpec {
            name: "s".into(),
            checks: vec!["status == 200".into(); checks],
            later: 0..0,
        }
    }

    fn at(step: u16, verdict: Verdict, latency_us: u64) -> Outcome {
        Outcome {
            step,
            verdict,
            latency_us,
            ..Outcome::aborted()
        }
    }

    #[test]
    fn each_step_s_tick_is_its_own_and_starts_again_at_zero() {
        let mut ticks = StepTicks::new(&[spec(2), spec(0)]);
        for _ in 0..99 {
            ticks.record(&at(0, Verdict::Status(200), 2_000));
        }
        ticks.record(&Outcome {
            checks_failed: 0b10,
            ..at(0, Verdict::Status(503), 90_000)
        });
        ticks.record(&at(
            1,
            Verdict::Error(crate::engine::outcome::ErrorKind::Timeout),
            1,
        ));
        ticks.record(&at(7, Verdict::Status(200), 1));
        let closed = ticks.close(0.5).expect("kept");
        let (login, item) = (&closed[0], &closed[1]);
        assert_eq!((login.ok, login.failed, login.non2xx), (100, 0, 1));
        assert_eq!((login.checks_passed, login.checks_failed), (199, 1));
        assert_eq!(login.rps, 200.0);
        assert_eq!(login.latency.count, 100);
        assert!(login.latency.p50_us.abs_diff(2_000) <= 20, "{login:?}");
        assert!(login.latency.max_us.abs_diff(90_000) <= 900, "{login:?}");
        assert_eq!((item.ok, item.failed, item.latency.count), (0, 1, 0));
        assert_eq!(checks_of(&closed), (199, 1));
        ticks.record(&at(0, Verdict::Status(200), 50_000));
        let next = ticks.close(1.0).expect("kept");
        assert_eq!((next[0].ok, next[0].latency.count), (1, 1));
        assert!(
            next[0].latency.min_us > 49_000,
            "the old tick leaked: {next:?}"
        );
        assert_eq!(next[1], StepTick::default());
    }

    #[test]
    fn a_run_without_scenarios_keeps_nothing() {
        let mut ticks = StepTicks::default();
        ticks.record(&at(0, Verdict::Status(200), 1));
        assert!(ticks.close(1.0).is_none());
        assert_eq!(ticks.open.capacity(), 0);
    }
}
