//! `--fail-if`: conditions judged on the whole run; any that holds fails the run's bar
//! (exit code 3), and each is reported with what was measured.

use crate::stats::condition::{Condition, Measured};
use serde::{Deserialize, Serialize};

/// One `--fail-if` condition and how the run fared against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// As typed.
    pub condition: String,
    /// The metric over the whole run in `unit`; None (null) when it has no value (a
    /// latency without responses), which does not pass.
    pub measured: Option<f64>,
    /// "ms", "%", "requests" or "req/s".
    pub unit: String,
    /// True when the condition does not hold.
    pub passed: bool,
}

/// Each condition judged on `m`.
pub fn judge(conditions: &[Condition], m: &Measured) -> Vec<Threshold> {
    judge_each(conditions, |_| Some(*m))
}

/// Each condition judged on what `measured` gives for it (the whole run, or a step's part
/// of it); None has no value, which does not pass.
pub fn judge_each<'a>(
    conditions: &[Condition],
    measured: impl Fn(&Condition) -> Option<Measured<'a>>,
) -> Vec<Threshold> {
    conditions
        .iter()
        .map(|c| {
            let measured = measured(c)
                .and_then(|m| c.measure(&m))
                .map(|v| (v * 1000.0).round() / 1000.0);
            Threshold {
                condition: c.text().to_string(),
                measured,
                unit: c.unit().to_string(),
                passed: measured.is_some_and(|v| !c.holds_for(v)),
            }
        })
        .collect()
}

/// Whether any threshold failed.
pub fn any_failed(thresholds: &[Threshold]) -> bool {
    thresholds.iter().any(|t| !t.passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::latency::LatencySummary;

    #[test]
    fn each_condition_is_reported_with_its_measure() {
        let latency = LatencySummary {
            count: 10,
            p99_us: 5_210,
            ..LatencySummary::default()
        };
        let m = Measured {
            latency: &latency,
            ok: 10,
            failed: 0,
            non2xx_responses: 0,
            rps: 2_000.0,
            checks_passed: 0,
            checks_failed: 0,
        };
        let conditions: Vec<Condition> = ["p99>1ms", "errors>0", "rps<1000"]
            .iter()
            .map(|t| Condition::parse(t).expect(t))
            .collect();
        let judged = judge(&conditions, &m);
        assert_eq!(judged[0].measured, Some(5.21));
        assert!(!judged[0].passed);
        assert!(judged[1].passed && judged[2].passed);
        assert!(any_failed(&judged));
        assert!(!any_failed(&judged[1..]));
        let none = LatencySummary::default();
        let judged = judge(
            &conditions[..1],
            &Measured {
                latency: &none,
                ..m
            },
        );
        assert_eq!((judged[0].measured, judged[0].passed), (None, false));
    }
}
