//! `--until 'p99>200ms'`: a condition on the last second (p50, p90, p99, p99.9 latency,
//! `errors>1%`, `rps<N`); the run stops at the first tick where it holds, and the knee is
//! the last value of the steered knob at which it did not.

use super::Knob;
use crate::generator::Handle;
use crate::report::summary::{Knee, Until};
use crate::stats::snapshot::Snapshot;
use crate::stats::window::TickSummary;
use crate::units;
use tokio::sync::mpsc;

/// What a condition looks at in a tick.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Metric {
    /// A latency percentile (0.5, 0.9, 0.99, 0.999), in microseconds.
    Latency(f64),
    /// Failed requests as a percentage of all that ended.
    ErrorsPercent,
    /// Responses a second.
    Rps,
}

/// A parsed `--until` condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    text: String,
    metric: Metric,
    above: bool,
    threshold: f64,
}

impl Condition {
    /// Parses `p99>200ms`, `p50>20ms`, `p99.9>1s`, `errors>1%`, `rps<500`.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let t = text.trim().to_ascii_lowercase().replace(' ', "");
        let (name, above, value) = match (t.split_once('>'), t.split_once('<')) {
            (Some((n, v)), None) => (n.to_string(), true, v.to_string()),
            (None, Some((n, v))) => (n.to_string(), false, v.to_string()),
            _ => return Err(Self::help(text)),
        };
        let (metric, threshold) = match name.as_str() {
            "p50" | "p90" | "p99" | "p99.9" => {
                let q = name[1..].parse::<f64>().map_err(|_| Self::help(text))? / 100.0;
                let d = units::parse_duration_or_zero(&value)?;
                (Metric::Latency(q), d.as_micros() as f64)
            }
            "errors" => {
                let pct = value.strip_suffix('%').ok_or_else(|| Self::help(text))?;
                let pct = pct.parse::<f64>().map_err(|_| Self::help(text))?;
                (Metric::ErrorsPercent, pct)
            }
            "rps" => (Metric::Rps, units::parse_rate(&value)?),
            _ => return Err(Self::help(text)),
        };
        Ok(Condition {
            text: text.trim().to_string(),
            metric,
            above,
            threshold,
        })
    }

    fn help(text: &str) -> String {
        format!(
            "'{text}' is not a condition: use p50, p90, p99 or p99.9 with > and a duration \
             (p99>200ms), errors>N%, or rps<N"
        )
    }

    /// Whether the condition holds over `tick` (a tick with no requests holds nothing).
    pub fn holds(&self, tick: &TickSummary) -> bool {
        if tick.ok + tick.failed == 0 {
            return false;
        }
        let value = match self.metric {
            Metric::Latency(q) => {
                let l = &tick.latency;
                (match q {
                    q if q < 0.6 => l.p50_us,
                    q if q < 0.95 => l.p90_us,
                    q if q < 0.995 => l.p99_us,
                    _ => l.p99_9_us,
                }) as f64
            }
            Metric::ErrorsPercent => 100.0 * tick.failed as f64 / (tick.ok + tick.failed) as f64,
            Metric::Rps => tick.rps,
        };
        match self.above {
            true => value > self.threshold,
            false => value < self.threshold,
        }
    }

    /// The condition as typed.
    pub fn text(&self) -> &str {
        &self.text
    }
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
        if condition.holds(&s.last_tick) {
            generator.stop();
            return Until {
                condition: condition.text,
                met_at_s: Some(s.last_tick.end.as_secs_f64()),
                knee,
            };
        }
        knee = Some(Knee {
            knob: knob.as_str(),
            value,
        });
        in_force_next = Some(read_now);
    }
    Until {
        condition: condition.text,
        met_at_s: None,
        knee: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::window::LatencySummary;

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
    fn conditions_parse_and_hold_over_a_tick() {
        let p99 = Condition::parse("p99>200ms").expect("p99");
        assert!(p99.holds(&tick(250, 100, 0)));
        assert!(!p99.holds(&tick(150, 100, 0)));
        assert!(!p99.holds(&tick(250, 0, 0)), "an empty tick holds nothing");
        let errors = Condition::parse("errors>1%").expect("errors");
        assert!(errors.holds(&tick(1, 97, 3)));
        assert!(!errors.holds(&tick(1, 100, 1)));
        let rps = Condition::parse("rps<500").expect("rps");
        assert!(rps.holds(&tick(1, 400, 0)));
        assert!(Condition::parse("p99.9 > 1s").is_ok());
    }

    #[test]
    fn bad_conditions_are_refused_with_the_forms() {
        for bad in [
            "",
            "p99",
            "p98>1ms",
            "p99>fast",
            "errors>1",
            "latency>1ms",
            "p99>1<2",
        ] {
            let err = Condition::parse(bad).expect_err(bad);
            assert!(!err.is_empty(), "{bad}");
        }
    }
}
