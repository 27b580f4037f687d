//! The autopilot (`--hold p99<200ms`, the `a` key, `POST /hold`): each tick it moves the
//! steered knob towards the most load at which every condition holds, and keeps it there
//! as the service changes. `law` is the control law, `reading` what it reads of a tick,
//! `record` what the summary says of the hold; the `Pilot` is what every hand shares (the
//! keys, the control API, the fleet) and `fly` the task that reads the ticks.
//!
//! It steers as a hand among the others: its moves go through `Steer` as `Source::Auto`,
//! and the last hand to touch a knob holds it, so a key (or the API) that moves a knob
//! takes over, and the autopilot, engaged, takes over from a schedule.

pub mod law;
pub mod reading;
pub mod record;

use crate::engine::steer::{Change, Gauges, Knob, MAX_LIMIT, MAX_RATE, RunState, Source, Steer};
use crate::process::untrusted::{QUOTED_CHARS, quoted};
use crate::report::summary::Hold;
use crate::stats::condition::Condition;
use crate::stats::snapshot::Snapshot;
use law::Law;
use reading::{Gather, Load};
use record::Second;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The least rate the autopilot sets, in requests a second (a limit's least is 1).
pub const LEAST_RATE: f64 = 1.0;

/// The most conditions one hold keeps.
pub const MOST_CONDITIONS: usize = 8;

/// Parses the conditions of one hold: each a bar (`Condition::parse_bar`), one at least.
pub fn parse_conditions<'a>(
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Condition>, String> {
    let conditions = texts
        .into_iter()
        .map(Condition::parse_held)
        .collect::<Result<Vec<_>, _>>()?;
    match conditions.len() {
        0 => Err("a hold needs a condition: p99<200ms, errors<1%, ...".into()),
        n if n > MOST_CONDITIONS => Err(format!(
            "a hold keeps {MOST_CONDITIONS} conditions at most, not {n}"
        )),
        _ => Ok(conditions),
    }
}

/// What a view shows of the autopilot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shown {
    /// Whether it holds a knob now (until its next tick notices a hand that took over).
    pub engaged: bool,
    /// The conditions it holds, or would hold (`--hold`'s, or the last asked for), as typed.
    pub conditions: Vec<String>,
}

impl Shown {
    /// The conditions as one line (`p99<200ms errors<1%`); None without any.
    pub fn line(&self) -> Option<String> {
        (!self.conditions.is_empty()).then(|| self.conditions.join(" "))
    }
}

/// What `GET /status` says of the hold: the summary's facts so far, whether the autopilot
/// holds the knob now, and which knob it holds (or held last).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Holding {
    pub engaged: bool,
    pub knob: Knob,
    #[serde(flatten)]
    pub hold: Hold,
}

/// The autopilot a run (or a fleet) shares between its hands and its task; cheap to clone.
#[derive(Clone, Default)]
pub struct Pilot {
    flight: Arc<Mutex<Flight>>,
}

/// Everything the autopilot knows.
#[derive(Default)]
struct Flight {
    /// The conditions held without being named again (`--hold`'s, then the last asked for).
    standing: Vec<Condition>,
    course: Option<Course>,
    /// Every second it held the knob, for the summary, and the conditions it held last.
    seconds: Vec<Second>,
    held_knob: Option<Knob>,
    /// Responses a second in the last tick: where a rate switched on starts.
    last_rps: f64,
    /// The run has no `--check`: a `checks>99%` bar would have nothing to read.
    no_checks: bool,
}

/// A hold in progress.
struct Course {
    knob: Knob,
    conditions: Vec<Condition>,
    /// Made at the first tick it reads (the value in force, the cap then).
    law: Option<Law>,
    gather: Gather,
    /// Engaged during a tick (not at its start): that tick mixes two hands.
    mid_tick: bool,
}

impl Pilot {
    /// An autopilot that `--hold` gave `standing` conditions (maybe none).
    pub fn new(standing: Vec<Condition>) -> Pilot {
        let pilot = Pilot::default();
        pilot.lock().standing = standing;
        pilot
    }

    /// The same, for a run without `--check`: a hold on checks is refused.
    pub fn without_checks(self) -> Pilot {
        self.lock().no_checks = true;
        self
    }

    /// Why `conditions` cannot be held in this run (a checks bar without `--check`), if so.
    pub fn unmeasured(&self, conditions: &[Condition]) -> Option<String> {
        let unmeasured = conditions.iter().find(|c| c.needs_checks());
        let c = unmeasured.filter(|_| self.lock().no_checks)?;
        Some(format!(
            "'{}' measures the --check evaluations, but the run has no --check",
            quoted(c.text(), QUOTED_CHARS)
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Flight> {
        self.flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Engages on `knob` with `conditions` (None: the standing ones), taking the knob from
    /// whoever held it (a schedule stops); `at_start` when no tick has begun under another
    /// hand. Refused without conditions, or once the run has ended.
    pub fn hold(
        &self,
        knob: Knob,
        conditions: Option<Vec<Condition>>,
        steer: &impl Steer,
        at_start: bool,
    ) -> Result<(), String> {
        let now = steer.gauges();
        if matches!(now.state, RunState::Stopping | RunState::Done) {
            return Err("the run has ended: nothing to hold".into());
        }
        if let Some(why) = conditions.as_deref().and_then(|c| self.unmeasured(c)) {
            return Err(why);
        }
        let mut flight = self.lock();
        let conditions = match conditions {
            Some(c) => c,
            None if flight.standing.is_empty() => {
                return Err("no condition to hold: name one, like p99<200ms".into());
            }
            None => flight.standing.clone(),
        };
        flight.standing = conditions.clone();
        let value = match knob {
            Knob::Limit => now.limit as f64,
            Knob::Rate => now.rate.unwrap_or(flight.last_rps.max(LEAST_RATE)),
        };
        flight.course = Some(Course {
            knob,
            conditions,
            law: None,
            gather: Gather::default(),
            mid_tick: !at_start,
        });
        flight.held_knob = Some(knob);
        drop(flight);
        // The hand is taken by a move to where the knob stands (a rate off is switched on).
        steer.steer(knob.change(value), Source::Auto);
        Ok(())
    }

    /// Lets go of the knob: it stays where it is, for the next hand.
    pub fn release(&self) {
        self.lock().course = None;
    }

    /// What a view shows.
    pub fn shown(&self) -> Shown {
        let flight = self.lock();
        let conditions = match &flight.course {
            Some(course) => &course.conditions,
            None => &flight.standing,
        };
        Shown {
            engaged: flight.course.is_some(),
            conditions: conditions.iter().map(|c| c.text().to_string()).collect(),
        }
    }

    /// Reads one tick's snapshot, with the gauges as they are now: the move to make, if any.
    /// A hand other than the autopilot's that moved a knob since has taken over: it lets go.
    pub fn on_snapshot(&self, s: &Snapshot, now: &Gauges) -> Option<Change> {
        let mut flight = self.lock();
        flight.last_rps = s.last_tick.rps;
        let course = flight.course.as_mut()?;
        if now.hand != Source::Auto || s.gauges.state == RunState::Done {
            flight.course = None;
            return None;
        }
        if s.gauges.state != RunState::Running {
            return None;
        }
        let in_force = match course.knob {
            Knob::Limit => s.gauges.limit as f64,
            Knob::Rate => s.gauges.rate.unwrap_or(0.0),
        };
        let ceiling = match course.knob {
            Knob::Limit => now.cap.min(MAX_LIMIT) as f64,
            Knob::Rate => MAX_RATE,
        };
        let floor = match course.knob {
            Knob::Limit => 1.0,
            Knob::Rate => LEAST_RATE,
        };
        let law = course
            .law
            .get_or_insert_with(|| Law::new(in_force, floor, ceiling));
        law.set_ceiling(ceiling);
        if std::mem::take(&mut course.mid_tick) {
            return None;
        }
        let held = reading::tick_held(&course.conditions, &s.last_tick);
        let histograms = s.last_tick_histograms.as_deref();
        let load = Load {
            in_flight: s.gauges.in_flight,
            lag_s: s.gauges.lag.as_secs_f64(),
            rate: s.gauges.rate,
        };
        let read = course
            .gather
            .add(&s.last_tick, histograms, load, &course.conditions);
        let before = law.value();
        let next = read.map_or(before, |r| law.next(r));
        let knob = course.knob;
        let second = Second {
            t_s: s.elapsed.as_secs_f64(),
            value: in_force,
            held,
        };
        flight.seconds.push(second);
        // Against the value it set last, not the one read: a fleet reads its workers late.
        let change = knob.change(rounded(knob, next));
        (change != knob.change(rounded(knob, before))).then_some(change)
    }

    /// What the summary says of the hold; None when the autopilot never held a knob.
    pub fn summary(&self) -> Option<Hold> {
        self.holding().map(|h| h.hold)
    }

    /// The hold so far, as `/status` shows it; None when the autopilot never held a knob.
    pub fn holding(&self) -> Option<Holding> {
        let flight = self.lock();
        let knob = flight.held_knob?;
        let conditions = flight
            .standing
            .iter()
            .map(|c| c.text().to_string())
            .collect();
        Some(Holding {
            engaged: flight.course.is_some(),
            knob,
            hold: record::hold_of(conditions, knob, &flight.seconds),
        })
    }
}

/// A value as the knob takes it: a limit whole, a rate whole above 10 a second.
fn rounded(knob: Knob, value: f64) -> f64 {
    match knob {
        Knob::Limit => value.round(),
        Knob::Rate if value >= 10.0 => value.round(),
        Knob::Rate => (value * 100.0).round() / 100.0,
    }
}

/// Reads every snapshot and makes the autopilot's moves through `steer`, until the run ends.
pub async fn fly(
    pilot: Pilot,
    steer: impl Steer,
    mut snapshots: mpsc::UnboundedReceiver<Snapshot>,
) {
    while let Some(s) = snapshots.recv().await {
        if let Some(change) = pilot.on_snapshot(&s, &steer.gauges()) {
            steer.steer(change, Source::Auto);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::latency::{LatencySummary, Sums, new_histogram};
    use crate::stats::window::{Histograms, TickSummary};
    use std::time::Duration;

    /// A run's knobs, and every change made to them.
    #[derive(Default)]
    struct Knobs {
        gauges: Mutex<Gauges>,
        made: Mutex<Vec<(Change, Source)>>,
    }

    impl Steer for Knobs {
        fn gauges(&self) -> Gauges {
            *self.gauges.lock().expect("gauges")
        }

        fn steer(&self, change: Change, source: Source) {
            let mut g = self.gauges.lock().expect("gauges");
            match change {
                Change::Limit(n) => g.limit = n,
                Change::Rate(r) => g.rate = r,
                _ => {}
            }
            g.hand = source;
            self.made.lock().expect("made").push((change, source));
        }
    }

    fn knobs(limit: usize) -> Knobs {
        let knobs = Knobs::default();
        *knobs.gauges.lock().expect("gauges") = Gauges {
            limit,
            cap: 1000,
            ..Gauges::default()
        };
        knobs
    }

    /// Second `t` of a run: 500 responses at `ms` each, with the gauges now.
    fn second(t: u64, ms: u64, gauges: Gauges) -> Snapshot {
        let mut latency = new_histogram();
        let mut sums = Sums::default();
        for _ in 0..500 {
            latency.saturating_record(ms * 1000);
            sums.add(ms * 1000);
        }
        Snapshot {
            elapsed: Duration::from_secs(t),
            last_tick: TickSummary {
                ok: 500,
                rps: 500.0,
                latency: LatencySummary::of(&latency, sums),
                ..TickSummary::default()
            },
            last_tick_histograms: Some(Arc::new(Histograms {
                latency,
                ..Histograms::empty()
            })),
            gauges,
            ..Snapshot::default()
        }
    }

    fn bars() -> Vec<Condition> {
        parse_conditions(["p99<200ms"]).expect("bars")
    }

    #[test]
    fn engaged_it_moves_the_knob_each_tick_and_a_key_takes_it_over() {
        let (pilot, run) = (Pilot::new(bars()), knobs(10));
        assert_eq!(pilot.summary(), None, "never engaged");
        pilot.hold(Knob::Limit, None, &run, true).expect("engaged");
        assert_eq!(run.gauges().hand, Source::Auto, "it took the knob");
        assert!(pilot.shown().engaged);
        for t in 1..=3 {
            let change = pilot.on_snapshot(&second(t, 20, run.gauges()), &run.gauges());
            let change = change.expect("far under the bar: up");
            run.steer(change, Source::Auto);
        }
        assert_eq!(run.gauges().limit, 34, "10 → 15 → 23 → 34");
        run.steer(Change::Limit(50), Source::Key);
        assert_eq!(
            pilot.on_snapshot(&second(4, 20, run.gauges()), &run.gauges()),
            None
        );
        assert!(!pilot.shown().engaged, "the key took over");
        let hold = pilot.summary().expect("it held");
        assert_eq!(hold.conditions, ["p99<200ms"]);
        assert_eq!(hold.settled, None, "three seconds are too few to settle");
        assert_eq!(hold.held_share, 1.0, "and the bar held in every one");
        let sources: Vec<Source> = run.made.lock().expect("made").iter().map(|m| m.1).collect();
        assert_eq!(sources.last(), Some(&Source::Key));
    }

    #[test]
    fn engaged_mid_tick_it_skips_that_tick_and_a_rate_off_starts_at_the_throughput() {
        let (pilot, run) = (Pilot::new(Vec::new()), knobs(1000));
        let err = pilot
            .hold(Knob::Rate, None, &run, false)
            .expect_err("no conditions");
        assert!(err.contains("no condition"), "{err}");
        pilot.on_snapshot(&second(1, 20, run.gauges()), &run.gauges());
        pilot
            .hold(Knob::Rate, Some(bars()), &run, false)
            .expect("engaged");
        assert_eq!(
            run.gauges().rate,
            Some(500.0),
            "the rate switched on at the throughput"
        );
        let first = pilot.on_snapshot(&second(2, 20, run.gauges()), &run.gauges());
        assert_eq!(first, None, "the tick it was engaged in mixes two hands");
        let next = pilot.on_snapshot(&second(3, 20, run.gauges()), &run.gauges());
        assert_eq!(next, Some(Change::Rate(Some(750.0))));
        pilot.release();
        assert!(!pilot.shown().engaged);
        assert_eq!(
            pilot.shown().line().as_deref(),
            Some("p99<200ms"),
            "it would hold them again"
        );
        let mut ended = run.gauges();
        ended.state = RunState::Stopping;
        *run.gauges.lock().expect("gauges") = ended;
        assert!(
            pilot.hold(Knob::Rate, None, &run, false).is_err(),
            "nothing to hold"
        );
    }

    #[test]
    fn a_run_without_checks_refuses_a_checks_bar_and_holds_the_rest() {
        let (pilot, run) = (Pilot::new(bars()).without_checks(), knobs(10));
        let checks = parse_conditions(["p99<200ms", "checks>99%"]).expect("bars");
        let err = pilot
            .hold(Knob::Limit, Some(checks.clone()), &run, true)
            .expect_err("nothing to read");
        assert!(
            err.contains("'checks>99%' measures the --check evaluations"),
            "{err}"
        );
        assert!(!pilot.shown().engaged);
        assert_eq!(pilot.shown().line().as_deref(), Some("p99<200ms"), "kept");
        pilot
            .hold(Knob::Limit, None, &run, true)
            .expect("p99 alone");
        assert_eq!(
            Pilot::new(Vec::new()).unmeasured(&checks),
            None,
            "with checks"
        );
    }
}
