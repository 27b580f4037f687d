//! `--replay run.json`: another run's timeline (from its JSON summary) played as this run's
//! schedule, so a session at the keyboard becomes a repeatable headless run.

use super::{Played, Script};
use crate::engine::steer::{Change, Source, check_limit, check_rate_or_zero};
use crate::process::untrusted;
use crate::report::read;
use crate::report::summary::{Moved, TimelineEntry};
use crate::units;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// A recorded run: its start values, its changes and how long it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub start_limit: Option<usize>,
    pub start_rate: Option<f64>,
    /// Changes after the start, in order.
    pub changes: Vec<(Duration, Change)>,
    /// The recorded run's duration: the replay ends there.
    pub duration: Duration,
}

/// What a replay reads of a summary: how long the run lasted and how it was steered.
#[derive(Debug, Clone, Deserialize)]
pub struct Recorded {
    pub duration_s: f64,
    pub timeline: Vec<TimelineEntry>,
}

impl Replay {
    /// Reads the timeline of a JSON summary written by `sluice --output-format json`.
    pub fn read(path: &Path) -> Result<Replay, String> {
        let recorded: Recorded = read::from_file(path, "--replay")?;
        let shown = untrusted::escaped(&path.to_string_lossy()).into_owned();
        Replay::of(&recorded).map_err(|e| format!("--replay: '{shown}': {e}"))
    }

    /// The replay of a recorded run; its times and values checked.
    pub fn of(recorded: &Recorded) -> Result<Replay, String> {
        let duration =
            units::seconds(recorded.duration_s).map_err(|why| format!("its duration_s: {why}"))?;
        if duration.is_zero() {
            return Err("its duration_s is 0: nothing to replay".into());
        }
        let mut replay = Replay {
            start_limit: None,
            start_rate: None,
            changes: Vec::new(),
            duration,
        };
        for entry in &recorded.timeline {
            let (at, change) = change_of(entry)?;
            match (entry.source, change) {
                (Source::Start, Change::Limit(n)) => replay.start_limit = Some(n),
                (Source::Start, Change::Rate(r)) => replay.start_rate = r,
                _ => replay.changes.push((at, change)),
            }
        }
        Ok(replay)
    }
}

/// One timeline entry as a change at its time, both within the bounds a run itself keeps
/// (`engine::steer`), as `-q`, `-c` and the control API are.
fn change_of(e: &TimelineEntry) -> Result<(Duration, Change), String> {
    let out_of_bounds = |why: String| format!("a timeline entry {}: {why}", quoted(e));
    let at = units::seconds(e.t_s).map_err(|why| out_of_bounds(format!("t_s {why}")))?;
    let change = match (e.knob, e.value) {
        (Moved::Limit, Some(v)) => {
            Change::Limit(check_limit(v).map_err(|why| out_of_bounds(format!("the limit {why}")))?)
        }
        (Moved::Limit, None) => return Err(out_of_bounds("a limit needs a value".into())),
        (Moved::Rate, None) => Change::Rate(None),
        (Moved::Rate, Some(v)) => Change::Rate(Some(
            check_rate_or_zero(v).map_err(|why| out_of_bounds(format!("the rate {why}")))?,
        )),
        (Moved::Pause, _) => Change::Pause,
        (Moved::Resume, _) => Change::Resume,
    };
    Ok((at, change))
}

/// An entry as a refusal quotes it: JSON, cut to a line's length.
fn quoted(e: &TimelineEntry) -> String {
    let entry = serde_json::to_string(e).unwrap_or_default();
    untrusted::quoted(&entry, untrusted::QUOTED_CHARS)
}

/// A replay playing: each change at its time, every one recorded.
pub struct ReplayScript {
    replay: Replay,
    next: usize,
}

impl ReplayScript {
    pub fn new(replay: Replay) -> ReplayScript {
        ReplayScript { replay, next: 0 }
    }
}

impl Script for ReplayScript {
    fn at(&mut self, t: Duration) -> Option<Played> {
        if t >= self.replay.duration {
            return None;
        }
        let due = self.replay.changes[self.next..]
            .iter()
            .take_while(|(at, _)| *at <= t)
            .count();
        let changes = self.replay.changes[self.next..self.next + due]
            .iter()
            .map(|(_, c)| (*c, true))
            .collect();
        self.next += due;
        Some(Played {
            changes,
            step: self.next as u16,
            of: self.replay.changes.len() as u16,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_is_read_and_played_at_its_times() {
        let json: Recorded = serde_json::from_str(
            r#"{"duration_s": 10.0, "timeline": [
                {"t_s": 0.0, "knob": "limit", "value": 50, "source": "start"},
                {"t_s": 0.0, "knob": "rate", "value": 100, "source": "start"},
                {"t_s": 2.5, "knob": "rate", "value": 200, "source": "key"},
                {"t_s": 4.0, "knob": "pause", "value": null, "source": "key"},
                {"t_s": 5.0, "knob": "resume", "value": null, "source": "key"},
                {"t_s": 6.0, "knob": "rate", "value": null, "source": "stage"}
            ]}"#,
        )
        .expect("json");
        let replay = Replay::of(&json).expect("replay");
        assert_eq!(replay.start_limit, Some(50));
        assert_eq!(replay.start_rate, Some(100.0));
        let mut script = ReplayScript::new(replay);
        let at = |s: &mut ReplayScript, t: f64| {
            s.at(Duration::from_secs_f64(t))
                .map(|p| p.changes.into_iter().map(|(c, _)| c).collect::<Vec<_>>())
        };
        assert_eq!(at(&mut script, 2.4), Some(vec![]));
        assert_eq!(at(&mut script, 2.5), Some(vec![Change::Rate(Some(200.0))]));
        assert_eq!(
            at(&mut script, 5.5),
            Some(vec![Change::Pause, Change::Resume])
        );
        assert_eq!(at(&mut script, 6.0), Some(vec![Change::Rate(None)]));
        assert_eq!(at(&mut script, 10.0), None);
    }

    #[test]
    fn a_file_without_a_timeline_or_with_a_word_outside_it_is_refused() {
        let err = read::from_bytes::<Recorded>(br#"{"duration_s": 3.0}"#, "'x'").unwrap_err();
        assert!(err.contains("timeline"), "{err}");
        let speed = br#"{"duration_s": 3.0, "timeline": [{"t_s": 1, "knob": "speed", "value": 1, "source": "key"}]}"#;
        assert!(read::from_bytes::<Recorded>(speed, "'x'").is_err());
        let long = format!(
            r#"{{"duration_s": 3.0, "timeline": [{{"t_s": 1, "knob": "{}", "source": "key"}}]}}"#,
            "x".repeat(5000)
        );
        let err = read::from_bytes::<Recorded>(long.as_bytes(), "'x'").unwrap_err();
        assert!(err.len() < 400, "cut to a line: {}", err.len());
    }

    #[test]
    fn times_and_values_outside_a_run_s_own_bounds_are_refused() {
        let with = |duration: &str, entry: &str| {
            let text = format!(r#"{{"duration_s": {duration}, "timeline": [{entry}]}}"#);
            let json: Recorded = serde_json::from_str(&text).expect("json");
            Replay::of(&json)
        };
        let rate = |t: &str, v: &str| {
            format!(r#"{{"t_s": {t}, "knob": "rate", "value": {v}, "source": "key"}}"#)
        };
        let limit =
            |v: &str| format!(r#"{{"t_s": 1, "knob": "limit", "value": {v}, "source": "key"}}"#);
        for d in ["1e300", "-5", "0", "31557601"] {
            let err = with(d, &rate("1", "10")).expect_err(d);
            assert!(err.contains("duration_s"), "{d}: {err}");
        }
        for t in ["1e300", "-1", "1e19"] {
            let err = with("10", &rate(t, "10")).expect_err(t);
            assert!(err.contains("t_s"), "{t}: {err}");
        }
        for v in ["1e300", "-3", "0.001"] {
            let err = with("10", &rate("1", v)).expect_err(v);
            assert!(err.contains("the rate"), "{v}: {err}");
        }
        for v in ["1e300", "0", "2.5", "2000000"] {
            let err = with("10", &limit(v)).expect_err(v);
            assert!(err.contains("the limit"), "{v}: {err}");
        }
        assert!(with("10", &rate("1", "0")).is_ok(), "rate 0: nothing due");
        assert!(with("10", &rate("1", "null")).is_ok(), "rate off");
        assert!(with("10", &limit("1000000")).is_ok());
    }
}
