//! `--scenario` runs added up: steps by name (a step only some runs had is added at the end,
//! in its order, as checks are), every count added, each step's histograms decoded, checked
//! against the step's own counts and added exactly, so the merged ladders are those of one
//! run over all the requests; the sessions' counts and durations likewise.

use super::sums::add;
use crate::process::untrusted::{QUOTED_CHARS, quoted};
use crate::report::hdr;
use crate::report::latency::LatencyMs;
use crate::report::steps::{self, EncodedSessions, EncodedStep, SessionsSummary, StepSummary};
use crate::stats::by_step::{
    ScenarioHistograms, SessionFigures, StepFigures, StepHistograms, new_step_histogram,
};
use crate::stats::latency::{LatencySummary, Sums};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

/// The most request steps a summary may name (a scenario's own bound).
pub const MOST_STEPS: usize = 1000;
/// The most characters of a step's name a summary may give.
pub const MOST_NAME_CHARS: usize = 4096;

/// One merged step: its summary's counts, its histograms, the sums behind its means.
#[derive(Debug, Clone)]
struct Step {
    counts: StepSummary,
    histograms: StepHistograms,
    sums: [Sums; 3],
}

/// The sessions merged.
#[derive(Debug, Clone)]
struct Sessions {
    counts: SessionsSummary,
    durations: Histogram<u64>,
    sums: Sums,
}

/// Runs' steps and sessions, added one run at a time.
#[derive(Debug, Clone, Default)]
pub struct StepsSum {
    steps: Vec<Step>,
    sessions: Option<Sessions>,
}

impl StepsSum {
    /// Adds one run's steps and sessions (all or nothing); Err (one line, without the run's
    /// name) when a figure is out of bounds, a histogram does not decode or does not hold
    /// what its step counted, or a sum overflows.
    pub fn add(
        &mut self,
        steps: &[StepSummary],
        sessions: Option<&SessionsSummary>,
    ) -> Result<(), String> {
        let one = StepsSum::of_run(steps, sessions)?;
        self.add_sum(&one)
    }

    /// One run's steps and sessions, checked and their histograms decoded (a fleet keeps a
    /// worker's, decoded once, and adds them up each second).
    pub fn of_run(
        steps: &[StepSummary],
        sessions: Option<&SessionsSummary>,
    ) -> Result<StepsSum, String> {
        if steps.len() > MOST_STEPS {
            return Err(format!(
                "it names {} steps, more than a scenario has ({MOST_STEPS})",
                steps.len()
            ));
        }
        let mut one = StepsSum::default();
        for s in steps {
            one.add_step(s)
                .map_err(|e| format!("its step {}: {e}", shown(&s.name)))?;
        }
        if let Some(s) = sessions {
            one.add_sessions(s)
                .map_err(|e| format!("its sessions: {e}"))?;
        }
        Ok(one)
    }

    /// Adds what another sum holds, step by step by name; Err when a sum overflows (what
    /// was added so far stays: a merge then gives up, and a fleet's workers' counts are
    /// bounded so that theirs never overflow).
    pub fn add_sum(&mut self, other: &StepsSum) -> Result<(), String> {
        let sum = self;
        for o in &other.steps {
            let at = sum.place(&o.counts.name)?;
            let m = &mut sum.steps[at];
            let overflows = |what: String| {
                let name = shown(&o.counts.name);
                format!(
                    "its step {name}: its {what} cannot be added to the others' (the sum overflows)"
                )
            };
            add_step_counts(&mut m.counts, &o.counts).map_err(overflows)?;
            for (into, from) in m.sums.iter_mut().zip(o.sums) {
                *into = sums_plus(*into, from).map_err(overflows)?;
            }
            let (h, from) = (&mut m.histograms, &o.histograms);
            for (into, from) in [
                (&mut h.latency, &from.latency),
                (&mut h.service, &from.service),
                (&mut h.ttfb, &from.ttfb),
            ] {
                into.add(from)
                    .map_err(|e| overflows(format!("histograms ({e:?})")))?;
            }
        }
        if let Some(o) = &other.sessions {
            let m = sum.sessions_mut();
            let c = &mut m.counts;
            add(&mut c.started, o.counts.started, "started")
                .and_then(|()| add(&mut c.completed, o.counts.completed, "completed"))
                .and_then(|()| add(&mut c.failed, o.counts.failed, "failed"))
                .map_err(|what| {
                    format!("its sessions' {what} cannot be added (the sum overflows)")
                })?;
            m.sums = sums_plus(m.sums, o.sums).map_err(|e| format!("its sessions: {e}"))?;
            m.durations
                .add(&o.durations)
                .map_err(|e| format!("its sessions: {e:?}"))?;
        }
        Ok(())
    }

    /// Where step `name` is, made at the end if it is new.
    fn place(&mut self, name: &str) -> Result<usize, String> {
        if let Some(i) = self.steps.iter().position(|m| m.counts.name == name) {
            return Ok(i);
        }
        if self.steps.len() == MOST_STEPS {
            return Err(format!(
                "the runs name over {MOST_STEPS} steps between them, more than a scenario has"
            ));
        }
        self.steps.push(Step {
            counts: empty_step(name),
            histograms: StepHistograms::empty(),
            sums: [Sums::default(); 3],
        });
        Ok(self.steps.len() - 1)
    }

    /// The sessions' sum, made empty if there was none.
    fn sessions_mut(&mut self) -> &mut Sessions {
        self.sessions.get_or_insert_with(|| Sessions {
            counts: SessionsSummary {
                started: 0,
                completed: 0,
                failed: 0,
                duration_ms: None,
                histograms: None,
            },
            durations: new_step_histogram(),
            sums: Sums::default(),
        })
    }

    fn add_step(&mut self, s: &StepSummary) -> Result<(), String> {
        check_step(s)?;
        let decoded = decoded_step(s)?;
        let at = self.place(&s.name)?;
        let m = &mut self.steps[at];
        add_step_counts(&mut m.counts, s).map_err(|what| {
            format!("its {what} cannot be added to the other runs' (the sum overflows)")
        })?;
        let ladders = [&s.latency_ms, &s.service_ms, &s.ttfb_ms];
        for (sums, l) in m.sums.iter_mut().zip(ladders) {
            *sums = sums_plus(*sums, steps::sums_of(s.ok, l.as_ref()))?;
        }
        if let Some(d) = decoded {
            let h = &mut m.histograms;
            for (into, from) in [
                (&mut h.latency, d.latency),
                (&mut h.service, d.service),
                (&mut h.ttfb, d.ttfb),
            ] {
                into.add(from)
                    .map_err(|e| format!("its histograms: {e:?}"))?;
            }
        }
        Ok(())
    }

    fn add_sessions(&mut self, s: &SessionsSummary) -> Result<(), String> {
        let ended = s
            .completed
            .checked_add(s.failed)
            .ok_or("its counts overflow")?;
        let text = s.histograms.as_ref().map(|h| h.duration.as_str());
        let decoded = decoded_one(text, ended, "duration", "completed + failed")?;
        let m = self.sessions_mut();
        let c = &mut m.counts;
        add(&mut c.started, s.started, "started")
            .and_then(|()| add(&mut c.completed, s.completed, "completed"))
            .and_then(|()| add(&mut c.failed, s.failed, "failed"))
            .map_err(|what| format!("its {what} cannot be added (the sum overflows)"))?;
        m.sums = sums_plus(m.sums, steps::sums_of(ended, s.duration_ms.as_ref()))?;
        if let Some(d) = decoded {
            m.durations.add(d).map_err(|e| format!("{e:?}"))?;
        }
        Ok(())
    }

    /// The merged steps, in order, and sessions (None when no run had any), with their
    /// ladders read off the added histograms and encoded again.
    pub fn summaries(&self) -> (Vec<StepSummary>, Option<SessionsSummary>) {
        let steps = self.steps.iter().map(|m| {
            let h = &m.histograms;
            let any = !h.latency.is_empty();
            StepSummary {
                latency_ms: ms(&h.latency, m.sums[0]),
                service_ms: ms(&h.service, m.sums[1]),
                ttfb_ms: ms(&h.ttfb, m.sums[2]),
                histograms: any.then(|| EncodedStep {
                    latency: hdr::encode(&h.latency),
                    service: hdr::encode(&h.service),
                    ttfb: hdr::encode(&h.ttfb),
                }),
                ..m.counts.clone()
            }
        });
        let sessions = self.sessions.as_ref().map(|m| SessionsSummary {
            duration_ms: ms(&m.durations, m.sums),
            histograms: (!m.durations.is_empty()).then(|| EncodedSessions {
                duration: hdr::encode(&m.durations),
            }),
            ..m.counts.clone()
        });
        (steps.collect(), sessions)
    }

    /// The merged steps and sessions as views are given them (a fleet's live ones): the
    /// figures, and the histograms in the same order.
    pub fn figures(&self) -> (Vec<StepFigures>, Option<SessionFigures>, ScenarioHistograms) {
        let steps = self.steps.iter().map(|m| {
            let h = &m.histograms;
            StepFigures {
                latency: LatencySummary::of(&h.latency, m.sums[0]),
                service: LatencySummary::of(&h.service, m.sums[1]),
                ttfb: LatencySummary::of(&h.ttfb, m.sums[2]),
                ..steps::counts_of(&m.counts)
            }
        });
        let sessions = self.sessions.as_ref().map(|m| SessionFigures {
            started: m.counts.started,
            completed: m.counts.completed,
            failed: m.counts.failed,
            duration: LatencySummary::of(&m.durations, m.sums),
        });
        (steps.collect(), sessions, self.histograms())
    }

    /// The merged histograms, in the merged steps' order.
    fn histograms(&self) -> ScenarioHistograms {
        ScenarioHistograms {
            steps: self
                .steps
                .iter()
                .map(|m| (!m.histograms.latency.is_empty()).then(|| m.histograms.clone()))
                .collect(),
            durations: self.sessions.as_ref().map(|m| m.durations.clone()),
        }
    }
}

/// A name (a step's, a file's) as a line shows it: quoted, escaped, cut.
fn shown(name: &str) -> String {
    format!("'{}'", quoted(name, QUOTED_CHARS))
}

/// The ladder of `h` (None when empty), its mean and deviation from `sums`.
fn ms(h: &Histogram<u64>, sums: Sums) -> Option<LatencyMs> {
    (!h.is_empty()).then(|| LatencyMs::from(&LatencySummary::of(h, sums)))
}

/// Both sums added, or a refusal when they overflow.
fn sums_plus(a: Sums, b: Sums) -> Result<Sums, String> {
    Ok(Sums {
        us: a.us.checked_add(b.us).ok_or("its latencies overflow")?,
        squares_us2: a
            .squares_us2
            .checked_add(b.squares_us2)
            .ok_or("its latencies overflow")?,
    })
}

/// A step named `name` that counted nothing yet.
fn empty_step(name: &str) -> StepSummary {
    StepSummary {
        name: name.to_string(),
        requests: 0,
        ok: 0,
        failed: 0,
        skipped: 0,
        status_codes: BTreeMap::new(),
        errors: BTreeMap::new(),
        checks: Vec::new(),
        latency_ms: None,
        service_ms: None,
        ttfb_ms: None,
        histograms: None,
    }
}

/// A step as a run writes it: a bounded name, `requests` = `ok` + `failed`, each check
/// judged at most each response once.
fn check_step(s: &StepSummary) -> Result<(), String> {
    if s.name.chars().count() > MOST_NAME_CHARS {
        return Err(format!("its name is over {MOST_NAME_CHARS} characters"));
    }
    if s.ok.checked_add(s.failed) != Some(s.requests) {
        return Err(format!(
            "requests {} is not ok {} plus failed {}",
            s.requests, s.ok, s.failed
        ));
    }
    if s.checks.len() > crate::engine::checks::MAX_CHECKS {
        return Err("it names more checks than a step has".into());
    }
    for c in &s.checks {
        if c.passed.checked_add(c.failed).is_none_or(|n| n > s.ok) {
            return Err(format!(
                "its check {} was judged more times than its {} responses",
                shown(&c.check),
                s.ok
            ));
        }
    }
    Ok(())
}

/// A step's three histograms decoded, each holding its `ok` responses; None when it had
/// no response (and no histograms).
fn decoded_step(s: &StepSummary) -> Result<Option<StepHistograms>, String> {
    let text = |pick: fn(&EncodedStep) -> &String| s.histograms.as_ref().map(|h| pick(h).as_str());
    let one = |pick, what| decoded_one(text(pick), s.ok, what, "ok");
    let (latency, service, ttfb) = (
        one(|h| &h.latency, "latency")?,
        one(|h| &h.service, "service")?,
        one(|h| &h.ttfb, "ttfb")?,
    );
    Ok(match (latency, service, ttfb) {
        (Some(latency), Some(service), Some(ttfb)) => Some(StepHistograms {
            latency,
            service,
            ttfb,
        }),
        _ => None,
    })
}

/// One encoded histogram decoded and checked to hold `count` values (`says`: the count's
/// name); none is allowed only for a count of zero.
fn decoded_one(
    text: Option<&str>,
    count: u64,
    what: &str,
    says: &str,
) -> Result<Option<Histogram<u64>>, String> {
    let Some(text) = text else {
        return match count {
            0 => Ok(None),
            n => Err(format!(
                "no histograms for its {n} values ({says}): it cannot be merged exactly"
            )),
        };
    };
    let h = hdr::decode(text).map_err(|e| format!("its {what} histogram: {e}"))?;
    if h.len() != count {
        return Err(format!(
            "its {what} histogram holds {} values, but {says} says {count}",
            h.len()
        ));
    }
    Ok(Some(h))
}

/// Adds one run's counts of a step into the merged one's.
fn add_step_counts(m: &mut StepSummary, s: &StepSummary) -> Result<(), String> {
    add(&mut m.requests, s.requests, "requests")?;
    add(&mut m.ok, s.ok, "ok")?;
    add(&mut m.failed, s.failed, "failed")?;
    add(&mut m.skipped, s.skipped, "skipped")?;
    for (into, from, what) in [
        (&mut m.status_codes, &s.status_codes, "status_codes"),
        (&mut m.errors, &s.errors, "errors"),
    ] {
        for (k, n) in from {
            add(into.entry(k.clone()).or_default(), *n, what)?;
        }
    }
    for c in &s.checks {
        let at = match m.checks.iter().position(|x| x.check == c.check) {
            Some(i) => i,
            None => {
                m.checks.push(steps::StepCheck {
                    check: c.check.clone(),
                    passed: 0,
                    failed: 0,
                });
                m.checks.len() - 1
            }
        };
        add(&mut m.checks[at].passed, c.passed, "checks")?;
        add(&mut m.checks[at].failed, c.failed, "checks")?;
    }
    Ok(())
}

/// What to say of runs whose steps differ (in names or order) or of which only some have
/// steps (each step is merged over the runs that have it); None when they agree.
pub fn note<'a>(runs: impl Iterator<Item = (&'a str, &'a [StepSummary])>) -> Option<String> {
    let runs: Vec<(&str, Vec<&str>)> = runs
        .map(|(file, steps)| (file, steps.iter().map(|s| s.name.as_str()).collect()))
        .collect();
    let (plain, with): (Vec<_>, Vec<_>) = runs.iter().partition(|(_, names)| names.is_empty());
    let first = with.first()?;
    let differ: Vec<_> = with
        .iter()
        .filter(|(_, n)| *n != first.1)
        .copied()
        .collect();
    let named = |runs: &[&(&str, Vec<&str>)]| {
        let mut files: Vec<String> = runs.iter().take(3).map(|(f, _)| shown(f)).collect();
        if runs.len() > 3 {
            files.push(format!("{} more", runs.len() - 3));
        }
        files.join(", ")
    };
    let mut said = Vec::new();
    if !plain.is_empty() {
        said.push(format!(
            "{} ran no --scenario: the merged steps and sessions are those of the runs that \
             did (the totals, all the runs')",
            named(&plain)
        ));
    }
    if !differ.is_empty() {
        said.push(format!(
            "the steps of {} are not those of {} (by name and order): each step is merged \
             over the runs that have it",
            named(&differ),
            shown(first.0)
        ));
    }
    (!said.is_empty()).then(|| said.join("; "))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::outcome::{
        ErrorKind, Outcome, SESSION_COMPLETED, SESSION_FAILED, SESSION_STARTED, Verdict,
    };
    use crate::stats::by_step::{BySteps, StepSpec};

    /// Two steps, login then item; session `n`'s login takes `n` ms and its item `3n` µs,
    /// every seventh session fails at its login.
    pub(crate) fn run(sessions: std::ops::Range<u64>) -> BySteps {
        let spec = |name: &str, later| StepSpec {
            name: name.into(),
            checks: vec!["status == 200".into()],
            later,
        };
        let mut by = BySteps::new(vec![spec("login", 1..2), spec("item", 2..2)]);
        for n in sessions {
            let step = |step, verdict, session, latency_us| Outcome {
                step,
                verdict,
                session,
                latency_us,
                session_us: (n * 1_003) as u32,
                checks_failed: u32::from(n % 5 == 0),
                ..Outcome::aborted()
            };
            if n % 7 == 0 {
                let failed = Verdict::Error(ErrorKind::CaptureMissing);
                by.record(&step(0, failed, SESSION_STARTED | SESSION_FAILED, 0));
                continue;
            }
            by.record(&step(0, Verdict::Status(200), SESSION_STARTED, n * 1_000));
            let code = if n % 3 == 0 { 500 } else { 200 };
            by.record(&step(1, Verdict::Status(code), SESSION_COMPLETED, n * 3));
        }
        by
    }

    pub(crate) fn summaries(by: &BySteps) -> (Vec<StepSummary>, Option<SessionsSummary>) {
        let h = by.histograms();
        steps::of_run(&by.figures(), by.sessions().as_ref(), h.as_ref())
    }

    #[test]
    fn two_runs_merge_into_the_counts_and_ladders_of_one_run_over_both() {
        let (a, b) = (summaries(&run(1..400)), summaries(&run(400..1000)));
        let (union_steps, union_sessions) = summaries(&run(1..1000));
        let mut sum = StepsSum::default();
        sum.add(&a.0, a.1.as_ref()).expect("a");
        sum.add(&b.0, b.1.as_ref()).expect("b");
        let (steps, sessions) = sum.summaries();
        assert_eq!(steps.len(), 2);
        for (m, u) in steps.iter().zip(&union_steps) {
            assert_eq!(
                (&m.name, m.requests, m.ok, m.failed, m.skipped),
                (&u.name, u.requests, u.ok, u.failed, u.skipped)
            );
            assert_eq!(
                (&m.status_codes, &m.errors, &m.checks),
                (&u.status_codes, &u.errors, &u.checks)
            );
            for (ml, ul) in [(m.latency_ms, u.latency_ms), (m.ttfb_ms, u.ttfb_ms)] {
                let (ml, ul) = (ml.expect("merged"), ul.expect("union"));
                let rungs = |l: LatencyMs| [l.min, l.p50, l.p90, l.p99, l.p99_9, l.max];
                assert_eq!(rungs(ml), rungs(ul), "{}", m.name);
                assert!((ml.mean - ul.mean).abs() < 1e-6 && (ml.stdev - ul.stdev).abs() < 1e-6);
            }
            let decoded = |s: &StepSummary| hdr::decode(&s.histograms.as_ref().expect("h").latency);
            assert_eq!(decoded(m), decoded(u));
        }
        let (m, u) = (sessions.expect("merged"), union_sessions.expect("union"));
        assert_eq!(
            (m.started, m.completed, m.failed),
            (u.started, u.completed, u.failed)
        );
        assert_eq!(m.duration_ms.map(|l| l.p99), u.duration_ms.map(|l| l.p99));
        assert_eq!(m.histograms, u.histograms);
    }

    #[test]
    fn a_histogram_that_disagrees_with_its_counts_is_refused() {
        let (mut steps, sessions) = summaries(&run(1..50));
        let mut sum = StepsSum::default();
        steps[1].ok += 1;
        steps[1].requests += 1;
        let why = sum.add(&steps, sessions.as_ref()).expect_err("refused");
        assert!(
            why.contains("step 'item'") && why.contains("but ok says"),
            "{why}"
        );
        let (steps, mut sessions) = summaries(&run(1..50));
        sessions.as_mut().expect("sessions").completed += 2;
        let why = sum.add(&steps, sessions.as_ref()).expect_err("refused");
        assert!(
            why.contains("sessions") && why.contains("completed + failed"),
            "{why}"
        );
        let (mut steps, _) = summaries(&run(1..50));
        steps[0].histograms = None;
        let why = StepsSum::default().add(&steps, None).expect_err("refused");
        assert!(why.contains("no histograms"), "{why}");
    }

    #[test]
    fn differing_steps_and_runs_without_steps_are_said_in_one_line() {
        let (a, _) = summaries(&run(1..5));
        let mut b = a.clone();
        b.reverse();
        let same = [("a.json", a.as_slice()), ("b.json", a.as_slice())];
        assert_eq!(note(same.into_iter()), None);
        let plain: &[StepSummary] = &[];
        assert_eq!(
            note([("a.json", plain), ("b.json", plain)].into_iter()),
            None
        );
        let differ = note([("a.json", a.as_slice()), ("b.json", b.as_slice())].into_iter());
        assert!(
            differ
                .expect("said")
                .contains("'b.json' are not those of 'a.json'")
        );
        let mixed = note([("p.json", plain), ("a.json", a.as_slice())].into_iter());
        assert!(
            mixed
                .expect("said")
                .starts_with("'p.json' ran no --scenario")
        );
    }
}
