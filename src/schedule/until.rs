//! `--until 'p99>200ms'`: a condition (the grammar of `crate::stats::condition`) on the last
//! second; the run stops at the first tick where it holds, and the knee is the last value
//! of the steered knob at which it did not.

use super::Knob;
use crate::engine::generator::Handle;
use crate::report::summary::{Knee, Until};
use crate::stats::condition::Condition;
use crate::stats::snapshot::Snapshot;
use crate::stats::window::TickSummary;
use tokio::sync::mpsc;

/// Whether `condition` holds over `tick`, or over its step's part of it (a tick with no
/// requests, of its step for a step's, holds nothing, nor does a metric it has no value for).
pub fn holds(condition: &Condition, tick: &TickSummary) -> bool {
    // `p99[login]>200ms`: its step's part of the tick, judged the same way.
    let Some(measured) = condition.measured_in(tick) else {
        return false;
    };
    if measured.ok + measured.failed == 0 {
        return false;
    }
    condition
        .measure(&measured)
        .is_some_and(|v| condition.holds_for(v))
}

/// The steered knob and its value at a snapshot: the rate in rate mode, else the limit.
fn knob_at(s: &Snapshot) -> (Knob, f64) {
    let value = s.gauges.rate.unwrap_or(s.gauges.limit as f64);
    (Knob::steered(s.gauges.rate), value)
}

/// Reads every snapshot until the condition holds (then stops the run) or the run ends;
/// returns what the summary says of it.
pub async fn watch(
    condition: Condition,
    mut snapshots: mpsc::UnboundedReceiver<Snapshot>,
    generator: Handle,
) -> Until {
    // A snapshot's gauges are read as its tick ends: the value in force during a tick is
    // the one the snapshot before it read.
    let (mut knee, mut in_force_next) = (None, None);
    while let Some(s) = snapshots.recv().await {
        let read_now = knob_at(&s);
        let (knob, value) = in_force_next.unwrap_or(read_now);
        if holds(&condition, &s.last_tick) {
            generator.stop();
            return Until {
                condition: condition.text().to_string(),
                met_at_s: Some(s.last_tick.end.as_secs_f64()),
                knee,
            };
        }
        knee = Some(Knee { knob, value });
        in_force_next = Some(read_now);
    }
    Until {
        condition: condition.text().to_string(),
        met_at_s: None,
        knee: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::latency::LatencySummary;

    fn tick(p99_ms: u64, ok: u64, failed: u64) -> TickSummary {
        TickSummary {
            ok,
            failed,
            rps: ok as f64,
            latency: LatencySummary {
                count: ok,
                p99_us: p99_ms * 1000,
                ..LatencySummary::default()
            },
            ..TickSummary::default()
        }
    }

    #[test]
    fn conditions_hold_over_a_tick() {
        let c = |t: &str| Condition::parse(t).expect(t);
        assert!(holds(&c("p99>200ms"), &tick(250, 100, 0)));
        assert!(!holds(&c("p99>200ms"), &tick(150, 100, 0)));
        assert!(
            !holds(&c("p99>200ms"), &tick(250, 0, 0)),
            "an empty tick holds nothing"
        );
        assert!(holds(&c("errors>1%"), &tick(1, 97, 3)));
        assert!(!holds(&c("errors>1%"), &tick(1, 100, 1)));
        assert!(holds(&c("rps<500"), &tick(1, 400, 0)));
        let mut some_5xx = tick(1, 100, 0);
        some_5xx.non2xx = 3;
        assert!(holds(&c("non2xx>2%"), &some_5xx));
        assert!(!holds(&c("non2xx>2%"), &tick(1, 100, 0)));
        let mut failing = tick(1, 100, 0);
        (failing.checks_passed, failing.checks_failed) = (97, 3);
        assert!(holds(&c("checks<99%"), &failing));
        assert!(!holds(&c("checks<97%"), &failing));
        assert!(
            !holds(&c("checks<99%"), &tick(1, 100, 0)),
            "a tick without evaluations holds nothing"
        );
    }

    #[test]
    fn a_step_s_condition_holds_over_its_part_of_the_tick_alone() {
        use crate::stats::step_ticks::StepTick;
        let step = |t: TickSummary| StepTick {
            ok: t.ok,
            rps: t.rps,
            latency: t.latency,
            ..StepTick::default()
        };
        let resolved = |text: &str| {
            let mut c = Condition::parse(text).expect(text);
            c.resolve_step(&["login", "item"]).expect("a step");
            c
        };
        let ticked = |login: TickSummary, item: TickSummary| TickSummary {
            steps: Some(vec![step(login), step(item)].into()),
            ..tick(250, 200, 0)
        };
        let slow_login = ticked(tick(250, 100, 0), tick(1, 100, 0));
        assert!(holds(&resolved("p99[login]>200ms"), &slow_login));
        assert!(!holds(&resolved("p99[item]>200ms"), &slow_login));
        assert!(
            holds(&c_of("p99>200ms"), &slow_login),
            "all steps: the tick's"
        );
        let no_items = ticked(tick(250, 100, 0), tick(0, 0, 0));
        assert!(
            !holds(&resolved("rps[item]<10"), &no_items),
            "a step without requests in the tick holds nothing"
        );
        assert!(holds(&resolved("rps[login]<101"), &no_items));
        let unresolved = Condition::parse("p99[login]>200ms").expect("parsed");
        assert!(!holds(&unresolved, &slow_login), "no step found: nothing");
    }

    fn c_of(text: &str) -> Condition {
        Condition::parse(text).expect(text)
    }
}
