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
    /// `p99[login]>200ms`: the one step judged; None: all steps together.
    step: Option<StepPick>,
}

impl Condition {
    /// Parses `p99>200ms` (any rung of the ladder, `mean`, `max`), `errors>1%`, `errors>0`,
    /// `non2xx>0%`, `rps<500`.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let (t, step) = without_step(text)?;
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
            step: step.map(StepPick::named),
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

// Per step (issue 26): `p99[login]>200ms`, `errors[item]>1%`, `checks[item]<99%`.

/// The step a condition judges alone: its name as typed, and its number among the
/// scenario's steps once they are known (`Condition::resolve_step`).
#[derive(Debug, Clone, PartialEq)]
struct StepPick {
    name: String,
    index: Option<u16>,
}

impl StepPick {
    fn named(name: String) -> StepPick {
        StepPick { name, index: None }
    }
}

/// `text` as the grammar reads it (lowercase, no spaces) without its `[step]`, and the step
/// named in the brackets as typed (spaces around it aside): the brackets follow the metric.
fn without_step(text: &str) -> Result<(String, Option<String>), String> {
    let bare = |t: &str| t.trim().to_ascii_lowercase().replace(' ', "");
    let Some(open) = text.find('[') else {
        return Ok((bare(text), None));
    };
    let shown = || quoted(text, QUOTED_CHARS);
    let close = text.rfind(']').filter(|c| *c > open).ok_or_else(|| {
        format!(
            "'{}': a step in brackets is closed by ], as p99[login]>200ms",
            shown()
        )
    })?;
    let (metric, after) = (&text[..open], text[close + 1..].trim_start());
    if metric.contains(['<', '>']) || !after.starts_with(['<', '>']) {
        return Err(format!(
            "'{}': the step goes in brackets right after the metric, as p99[login]>200ms",
            shown()
        ));
    }
    let name = text[open + 1..close].trim();
    if name.is_empty() {
        return Err(format!("'{}': the brackets name no step", shown()));
    }
    Ok((bare(&format!("{metric}{after}")), Some(name.to_string())))
}

impl<'a> Measured<'a> {
    /// What one step measured over the whole run, `secs` long.
    pub fn of_step(step: &'a crate::stats::by_step::StepFigures, secs: f64) -> Measured<'a> {
        let (checks_passed, checks_failed) = crate::stats::checks::totals(&step.checks);
        Measured {
            latency: &step.latency,
            ok: step.ok,
            failed: step.failed,
            non2xx_responses: step
                .status_codes
                .iter()
                .filter(|(code, _)| !(200..300).contains(*code))
                .map(|(_, n)| *n)
                .fold(0, u64::saturating_add),
            rps: units::per_second(step.ok, secs),
            checks_passed,
            checks_failed,
        }
    }

    /// What one step measured in one tick.
    fn of_step_tick(step: &'a crate::stats::step_ticks::StepTick) -> Measured<'a> {
        Measured {
            latency: &step.latency,
            ok: step.ok,
            failed: step.failed,
            non2xx_responses: step.non2xx,
            rps: step.rps,
            checks_passed: step.checks_passed,
            checks_failed: step.checks_failed,
        }
    }
}

impl Condition {
    /// The step it judges alone, as typed; None: all steps together.
    pub fn step_name(&self) -> Option<&str> {
        self.step.as_ref().map(|s| s.name.as_str())
    }

    /// Its step's number among the scenario's, once resolved; None for all steps.
    pub fn step_index(&self) -> Option<usize> {
        self.step.as_ref()?.index.map(usize::from)
    }

    /// Finds its step among `names` (the scenario's steps, in step order); a name the
    /// scenario does not have, or has more than once, is refused.
    pub fn resolve_step(&mut self, names: &[&str]) -> Result<(), String> {
        let text = quoted(&self.text, QUOTED_CHARS);
        let Some(step) = &mut self.step else {
            return Ok(());
        };
        let mut found = names.iter().enumerate().filter(|(_, n)| **n == step.name);
        let shown = || quoted(&step.name, QUOTED_CHARS);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => {
                step.index = u16::try_from(i).ok();
                Ok(())
            }
            (Some(_), Some(_)) => Err(format!(
                "'{text}': the scenario has several steps named {}: name them apart",
                shown()
            )),
            (None, _) => Err(format!(
                "'{text}': the scenario has no step named {} (its steps: {})",
                shown(),
                quoted(&names.join(", "), QUOTED_CHARS)
            )),
        }
    }

    /// A bar for the autopilot (`parse_bar`) over all steps together: a hold reads the
    /// whole tick's histograms, so a step's bar is refused with the form it takes.
    pub fn parse_held(text: &str) -> Result<Condition, String> {
        let bar = Condition::parse_bar(text)?;
        match bar.step_name() {
            None => Ok(bar),
            Some(_) => Err(format!(
                "'{}': the autopilot holds bars over all steps together, not one step's: \
                 write it without the [step]",
                quoted(text, QUOTED_CHARS)
            )),
        }
    }

    /// What it judges of `tick`: the whole tick, or its step's part (None: the tick has no
    /// figures for its step, or its step is not resolved).
    pub fn measured_in<'a>(
        &self,
        tick: &'a crate::stats::window::TickSummary,
    ) -> Option<Measured<'a>> {
        let Some(step) = &self.step else {
            return Some(Measured::of_tick(tick));
        };
        let steps = tick.steps.as_deref()?;
        steps
            .get(usize::from(step.index?))
            .map(Measured::of_step_tick)
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

    #[test]
    fn a_step_in_brackets_is_judged_alone_and_named_as_typed() {
        use crate::stats::step_ticks::StepTick;
        use crate::stats::window::TickSummary;
        let c = Condition::parse(" p99[Log In] > 200ms ").expect("stepped");
        assert_eq!(
            (c.text(), c.step_name()),
            ("p99[Log In] > 200ms", Some("Log In"))
        );
        let mut resolved = c.clone();
        resolved.resolve_step(&["home", "Log In"]).expect("known");
        assert_eq!(resolved.step_index(), Some(1));
        let slow = LatencySummary {
            count: 5,
            p99_us: 300_000,
            ..LatencySummary::default()
        };
        let fast = LatencySummary {
            count: 5,
            p99_us: 1_000,
            ..LatencySummary::default()
        };
        let step = |latency| StepTick {
            ok: 5,
            latency,
            ..StepTick::default()
        };
        let tick = TickSummary {
            ok: 10,
            latency: fast,
            steps: Some(vec![step(fast), step(slow)].into()),
            ..TickSummary::default()
        };
        let judged = |c: &Condition| c.measured_in(&tick).and_then(|m| c.measure(&m));
        assert_eq!(judged(&resolved), Some(300.0));
        assert_eq!(judged(&c), None, "not resolved: no value");
        let mut home = Condition::parse("p99[home]>200ms").expect("home");
        home.resolve_step(&["home", "Log In"]).expect("known");
        assert_eq!(judged(&home), Some(1.0));
        let whole = Condition::parse("p99>200ms").expect("whole");
        assert_eq!((judged(&whole), whole.step_name()), (Some(1.0), None));
        let errors = Condition::parse("errors[item]>1%").expect("errors");
        assert_eq!((errors.step_name(), errors.unit()), (Some("item"), "%"));
    }

    #[test]
    fn step_names_the_scenario_lacks_or_brackets_misplaced_are_refused() {
        let mut c = Condition::parse("p99[nope]>1ms").expect("parsed");
        let err = c.resolve_step(&["login", "item"]).expect_err("unknown");
        assert!(
            err.contains("no step named nope (its steps: login, item)"),
            "{err}"
        );
        let mut twice = Condition::parse("p99[a]>1ms").expect("parsed");
        let err = twice.resolve_step(&["a", "a"]).expect_err("twice");
        assert!(err.contains("several steps named a"), "{err}");
        for (bad, why) in [
            ("p99[login>1ms", "closed by ]"),
            ("p99>1ms[login]", "right after the metric"),
            ("p99[]>1ms", "name no step"),
            ("p99[ ]>1ms", "name no step"),
            ("p99[login]x>1ms", "right after the metric"),
            ("p98[login]>1ms", "is not a condition"),
        ] {
            let err = Condition::parse(bad).expect_err(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
        let err = Condition::parse_held("p99[login]<200ms").expect_err("a step's bar");
        assert!(err.contains("over all steps together"), "{err}");
        assert!(Condition::parse_held("p99<200ms").is_ok());
        let odd = Condition::parse("p99[a]b]>1ms").expect("the last ] closes");
        assert_eq!(odd.step_name(), Some("a]b"));
    }
}
