//! The condition grammar `--until` and `--fail-if` share: `p99>250ms`, `errors>1%`,
//! `errors>0`, `non2xx>0%`, `rps<1000`. Parsing and judging only; what is measured comes in.

use crate::process::untrusted::{QUOTED_CHARS, quoted};
use crate::stats::latency::LatencySummary;
use crate::units;

/// The latency rungs a condition can name, as typed and as a quantile.
const RUNGS: [(&str, Rung); 9] = [
    ("p50", Rung::Quantile(0.50)),
    ("p75", Rung::Quantile(0.75)),
    ("p90", Rung::Quantile(0.90)),
    ("p95", Rung::Quantile(0.95)),
    ("p99", Rung::Quantile(0.99)),
    ("p99.9", Rung::Quantile(0.999)),
    ("p99.99", Rung::Quantile(0.9999)),
    ("mean", Rung::Mean),
    ("max", Rung::Max),
];

/// One rung of the latency ladder.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rung {
    Quantile(f64),
    Mean,
    Max,
}

impl Rung {
    /// The rung's value in a summary, in microseconds.
    fn of(self, l: &LatencySummary) -> f64 {
        match self {
            Rung::Mean => l.mean_us,
            Rung::Max => l.max_us as f64,
            Rung::Quantile(q) => l.at_quantile(q) as f64,
        }
    }
}

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Metric {
    /// A latency rung, compared in milliseconds.
    Latency(Rung),
    /// Failed requests: a count, or a percentage of all that ended.
    Errors { percent: bool },
    /// Requests that did not end in a 2xx response (failures included): a count, or a
    /// percentage of all that ended.
    Non2xx { percent: bool },
    /// Responses a second.
    Rps,
    /// `--check` evaluations that passed, a percentage of all evaluations.
    Checks,
}

/// `N%` (0 to 100: a share of the requests) or `N` (a whole number of requests, as a run
/// counts them, k and m allowed), for the condition `text`.
fn count_or_percent(text: &str, value: &str) -> Result<(bool, f64), String> {
    let shown = || quoted(text, QUOTED_CHARS);
    if let Some(number) = value.strip_suffix('%') {
        return match number.parse::<f64>() {
            Ok(n) if (0.0..=100.0).contains(&n) => Ok((true, n)),
            Ok(n) if n.is_finite() => Err(format!(
                "'{}': {}% is not a share of the requests (0 to 100%)",
                shown(),
                units::figure(n)
            )),
            _ => Err(Condition::help(text)),
        };
    }
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    let count = units::parse_count(value).map_err(|_| match digits {
        true => format!(
            "'{}': {} is more requests than a run counts ({})",
            shown(),
            quoted(value, QUOTED_CHARS),
            u64::MAX
        ),
        false => Condition::help(text),
    })?;
    Ok((false, count as f64))
}

/// `N%` for `checks`: a share of the check evaluations, 0 to 100.
fn check_share(text: &str, value: &str) -> Result<f64, String> {
    match count_or_percent(text, value)? {
        (true, share) => Ok(share),
        (false, _) => Err(format!(
            "'{}': checks takes a share of the check evaluations that passed, as checks<99.9%",
            quoted(text, QUOTED_CHARS)
        )),
    }
}

/// What a condition is judged on: a tick, or the whole run.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'a> {
    pub latency: &'a LatencySummary,
    /// Responses (any status).
    pub ok: u64,
    pub failed: u64,
    /// Responses with a status outside 200..=299.
    pub non2xx_responses: u64,
    pub rps: f64,
    /// `--check` evaluations (one per check and judged response) that passed and failed.
    pub checks_passed: u64,
    pub checks_failed: u64,
}

impl<'a> Measured<'a> {
    /// What one tick measured (`--until` and the autopilot judge ticks alone).
    pub fn of_tick(tick: &'a crate::stats::window::TickSummary) -> Measured<'a> {
        Measured {
            latency: &tick.latency,
            ok: tick.ok,
            failed: tick.failed,
            non2xx_responses: tick.non2xx,
            rps: tick.rps,
            checks_passed: tick.checks_passed,
            checks_failed: tick.checks_failed,
        }
    }
}

/// A parsed condition: a metric, a comparison and a threshold in the metric's unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    text: String,
    metric: Metric,
    above: bool,
    threshold: f64,
}

impl Condition {
    /// Parses `p99>200ms` (any rung of the ladder, `mean`, `max`), `errors>1%`, `errors>0`,
    /// `non2xx>0%`, `rps<500`.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let t = text.trim().to_ascii_lowercase().replace(' ', "");
        let (name, above, value) = match (t.split_once('>'), t.split_once('<')) {
            (Some((n, v)), None) => (n, true, v),
            (None, Some((n, v))) => (n, false, v),
            _ => return Err(Self::help(text)),
        };
        let (metric, threshold) = match name {
            "errors" => {
                let (percent, n) = count_or_percent(text, value)?;
                (Metric::Errors { percent }, n)
            }
            "non2xx" => {
                let (percent, n) = count_or_percent(text, value)?;
                (Metric::Non2xx { percent }, n)
            }
            "rps" => (Metric::Rps, units::parse_rate(value)?),
            "checks" => (Metric::Checks, check_share(text, value)?),
            _ => {
                let rung = RUNGS.iter().find(|(n, _)| *n == name);
                let (_, rung) = rung.ok_or_else(|| Self::help(text))?;
                let d = units::parse_duration_or_zero(value)?;
                (Metric::Latency(*rung), d.as_secs_f64() * 1000.0)
            }
        };
        Ok(Condition {
            text: text.trim().to_string(),
            metric,
            above,
            threshold,
        })
    }

    /// The help, the condition quoted escaped and cut (it may hold anything).
    fn help(text: &str) -> String {
        let text = quoted(text, QUOTED_CHARS);
        format!(
            "'{text}' is not a condition: use a latency (p50, p75, p90, p95, p99, p99.9, \
             p99.99, mean, max) with a duration (p99>200ms), errors>N or errors>N%, \
             non2xx>N or non2xx>N%, rps<N, or checks<N% (checks>N%)"
        )
    }

    /// The metric's value in `m`, in its unit (milliseconds, a count, a percentage, req/s);
    /// None where it has no value: a latency without responses, a share of no requests.
    pub fn measure(&self, m: &Measured) -> Option<f64> {
        let ended = m.ok + m.failed;
        let share = |n: u64, percent: bool| match percent {
            false => Some(n as f64),
            true => (ended > 0).then(|| 100.0 * n as f64 / ended as f64),
        };
        match self.metric {
            Metric::Latency(rung) => (m.latency.count > 0).then(|| rung.of(m.latency) / 1000.0),
            Metric::Errors { percent } => share(m.failed, percent),
            Metric::Non2xx { percent } => share(m.non2xx_responses + m.failed, percent),
            Metric::Rps => Some(m.rps),
            Metric::Checks => {
                let judged = m.checks_passed.saturating_add(m.checks_failed);
                (judged > 0).then(|| 100.0 * m.checks_passed as f64 / judged as f64)
            }
        }
    }

    /// Whether a measured value is past the threshold.
    pub fn holds_for(&self, value: f64) -> bool {
        match self.above {
            true => value > self.threshold,
            false => value < self.threshold,
        }
    }

    /// A condition the autopilot keeps (`--hold`, `POST /hold`): `parse`, and a bar that
    /// more load can only break: written with `<` (`p99<200ms`, `errors<1%`), or for the
    /// share of checks passed, which load lowers, with `>` (`checks>99%`).
    pub fn parse_bar(text: &str) -> Result<Condition, String> {
        let condition = Condition::parse(text)?;
        match (condition.above, condition.metric) {
            (false, Metric::Checks) => Err(format!(
                "'{}' is not a bar to hold: more load lowers the share of checks passed, \
                 so hold it from below, like checks>99%",
                quoted(text, QUOTED_CHARS)
            )),
            (false, _) | (true, Metric::Checks) => Ok(condition),
            (true, _) => Err(format!(
                "'{}' is not a bar to hold: the autopilot keeps what more load breaks, \
                 written with <, like p99<200ms or errors<1% (or checks>99%)",
                quoted(text, QUOTED_CHARS)
            )),
        }
    }

    /// How close `m` is to breaking a bar: the measured value over the threshold (under 1
    /// holds, 0 is as far as it gets; a `checks>N%` bar measures the share that failed
    /// against the 100 - N% it allows); None where the metric has no value in `m`.
    pub fn margin(&self, m: &Measured) -> Option<f64> {
        let measured = self.measure(m)?;
        let (value, threshold) = match self.above {
            // Only checks are a bar from below (`parse_bar`): a share, at most 100%.
            true => (100.0 - measured, 100.0 - self.threshold),
            false => (measured, self.threshold),
        };
        Some(match threshold {
            t if t > 0.0 => value / t,
            _ if value > 0.0 || !self.holds_for(measured) => f64::INFINITY,
            _ => 0.0,
        })
    }

    /// A latency bar's threshold in milliseconds; None for the other metrics.
    pub fn latency_ms(&self) -> Option<f64> {
        matches!(self.metric, Metric::Latency(_)).then_some(self.threshold)
    }

    /// The unit `measure` gives: "ms", "%", "requests" or "req/s".
    pub fn unit(&self) -> &'static str {
        match self.metric {
            Metric::Latency(_) => "ms",
            Metric::Errors { percent: true } | Metric::Non2xx { percent: true } => "%",
            Metric::Checks => "%",
            Metric::Errors { percent: false } | Metric::Non2xx { percent: false } => "requests",
            Metric::Rps => "req/s",
        }
    }

    /// Whether it looks at `--check`s (and so needs some).
    pub fn needs_checks(&self) -> bool {
        self.metric == Metric::Checks
    }

    /// The condition as typed.
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(latency: &LatencySummary, ok: u64, failed: u64, non2xx: u64) -> Measured<'_> {
        Measured {
            latency,
            ok,
            failed,
            non2xx_responses: non2xx,
            rps: ok as f64,
            checks_passed: 0,
            checks_failed: 0,
        }
    }

    fn holds(text: &str, m: &Measured) -> Option<bool> {
        let c = Condition::parse(text).expect(text);
        c.measure(m).map(|v| c.holds_for(v))
    }

    #[test]
    fn every_metric_is_measured_in_its_unit() {
        let l = LatencySummary {
            count: 10,
            p50_us: 1_000,
            p95_us: 4_000,
            p99_us: 5_000,
            p99_99_us: 9_000,
            mean_us: 1_500.0,
            max_us: 9_500,
            ..LatencySummary::default()
        };
        let m = measured(&l, 97, 3, 2);
        assert_eq!(holds("p99>4ms", &m), Some(true));
        assert_eq!(holds("p99>5ms", &m), Some(false));
        assert_eq!(holds("p95 > 3ms", &m), Some(true));
        assert_eq!(holds("p99.99>8.9ms", &m), Some(true));
        assert_eq!(holds("mean>1ms", &m), Some(true));
        assert_eq!(holds("max<9ms", &m), Some(false));
        assert_eq!(holds("errors>2%", &m), Some(true), "3 of 100");
        assert_eq!(holds("errors>3", &m), Some(false));
        assert_eq!(holds("errors>0", &m), Some(true));
        assert_eq!(
            holds("non2xx>4%", &m),
            Some(true),
            "2 responses + 3 failures"
        );
        assert_eq!(holds("non2xx>5", &m), Some(false));
        assert_eq!(holds("rps<100", &m), Some(true));
        let c = Condition::parse("p99>4ms").expect("p99");
        assert_eq!(c.measure(&m), Some(5.0));
        assert_eq!(c.unit(), "ms");
    }

    #[test]
    fn checks_are_the_share_of_evaluations_that_passed() {
        let l = LatencySummary::default();
        let m = Measured {
            checks_passed: 998,
            checks_failed: 2,
            ..measured(&l, 10, 0, 0)
        };
        assert_eq!(holds("checks<99.9%", &m), Some(true), "99.8%");
        assert_eq!(holds("checks<99.8%", &m), Some(false));
        assert_eq!(holds("checks>99%", &m), Some(true));
        assert_eq!(
            holds("checks < 99%", &measured(&l, 10, 0, 0)),
            None,
            "none judged"
        );
        let c = Condition::parse("checks<99.9%").expect("checks");
        assert_eq!((c.unit(), c.needs_checks()), ("%", true));
        assert!(
            !Condition::parse("errors>1%")
                .expect("errors")
                .needs_checks()
        );
        let err = Condition::parse("checks<99").expect_err("a count");
        assert!(err.contains("checks takes a share"), "{err}");
        let err = Condition::parse("checks<101%").expect_err("over 100");
        assert!(err.contains("is not a share"), "{err}");
    }

    #[test]
    fn nothing_measured_is_no_value() {
        let empty = LatencySummary::default();
        let m = measured(&empty, 0, 0, 0);
        assert_eq!(holds("p99>1ms", &m), None);
        assert_eq!(holds("errors>1%", &m), None);
        assert_eq!(holds("errors>0", &m), Some(false));
        assert_eq!(holds("rps<10", &m), Some(true));
    }

    #[test]
    fn a_bar_to_hold_is_written_with_less_than_and_measured_as_a_margin() {
        let l = LatencySummary {
            count: 10,
            p99_us: 40_000,
            ..LatencySummary::default()
        };
        let m = measured(&l, 98, 2, 0);
        let bar = |t: &str| Condition::parse_bar(t).expect(t);
        assert_eq!(bar("p99<50ms").margin(&m), Some(0.8));
        assert_eq!(bar("errors<4%").margin(&m), Some(0.5));
        assert_eq!(bar("errors<0%").margin(&m), Some(f64::INFINITY));
        let none = measured(&l, 100, 0, 0);
        assert_eq!(
            bar("errors<0%").margin(&none),
            Some(f64::INFINITY),
            "0 < 0 fails"
        );
        assert_eq!(bar("errors<1").margin(&none), Some(0.0));
        let empty = LatencySummary::default();
        assert_eq!(bar("p99<1s").margin(&measured(&empty, 0, 0, 0)), None);
        for above in ["p99>50ms", "errors>1%"] {
            let err = Condition::parse_bar(above).expect_err(above);
            assert!(err.contains("not a bar to hold"), "{err}");
        }
    }

    #[test]
    fn a_checks_bar_is_held_from_below_its_margin_the_share_that_failed() {
        let l = LatencySummary::default();
        let checked = |passed, failed| Measured {
            checks_passed: passed,
            checks_failed: failed,
            ..measured(&l, 10, 0, 0)
        };
        let bar = Condition::parse_bar("checks>99%").expect("a bar from below");
        let margin = |m: &Measured| bar.margin(m).expect("judged");
        assert_eq!(margin(&checked(1000, 0)), 0.0, "none failed");
        assert!(
            (margin(&checked(995, 5)) - 0.5).abs() < 1e-9,
            "half the 1% allowed"
        );
        assert!((margin(&checked(900, 100)) - 10.0).abs() < 1e-9);
        assert_eq!(bar.margin(&checked(0, 0)), None, "nothing judged");
        let never = Condition::parse_bar("checks>100%").expect("a bar");
        assert_eq!(
            never.margin(&checked(1000, 0)),
            Some(f64::INFINITY),
            "never holds"
        );
        let none_failed = Condition::parse_bar("checks>0%").expect("a bar");
        assert_eq!(none_failed.margin(&checked(0, 10)), Some(1.0), "at the bar");
        let err = Condition::parse_bar("checks<99%").expect_err("load only lowers it");
        assert!(err.contains("hold it from below, like checks>99%"), "{err}");
    }

    #[test]
    fn bad_conditions_are_refused_with_the_forms() {
        for bad in [
            "",
            "p99",
            "p98>1ms",
            "p99>fast",
            "errors>x%",
            "errors>-1",
            "latency>1ms",
            "p99>1<2",
        ] {
            let err = Condition::parse(bad).expect_err(bad);
            assert!(err.contains("is not"), "{bad}: {err}");
        }
    }

    #[test]
    fn shares_above_all_and_counts_past_a_run_s_own_are_refused() {
        for (bad, why) in [
            ("errors>101%", "101% is not a share"),
            ("non2xx>100.0000001%", "is not a share"),
            (
                "errors>18446744073709551616",
                "more requests than a run counts",
            ),
            ("errors>1.5", "is not a condition"),
        ] {
            let err = Condition::parse(bad).expect_err(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
        for good in [
            "errors>100%",
            "errors<0%",
            "errors>18446744073709551615",
            "errors>2k",
        ] {
            assert!(Condition::parse(good).is_ok(), "{good}");
        }
    }
}
