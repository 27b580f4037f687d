//! `--replay run.json`: another run's timeline (from its JSON summary) played as this run's
//! schedule, so a session at the keyboard becomes a repeatable headless run.

use super::{Played, Script};
use crate::generator::timeline::{Change, Source};
use serde_json::Value;
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

impl Replay {
    /// Reads the timeline of a JSON summary written by `sluice --output-format json`.
    pub fn read(path: &Path) -> Result<Replay, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--replay: cannot read '{}': {e}", path.display()))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| format!("--replay: '{}' is not a JSON summary: {e}", path.display()))?;
        Replay::from_summary(&json).map_err(|e| format!("--replay: '{}': {e}", path.display()))
    }

    /// The replay in a parsed JSON summary.
    pub fn from_summary(json: &Value) -> Result<Replay, String> {
        let entries = json["timeline"]
            .as_array()
            .ok_or("it has no timeline (written by an older sluice?)")?;
        let duration = json["duration_s"]
            .as_f64()
            .filter(|d| d.is_finite() && *d > 0.0)
            .ok_or("it has no duration_s")?;
        let mut replay = Replay {
            start_limit: None,
            start_rate: None,
            changes: Vec::new(),
            duration: Duration::from_secs_f64(duration),
        };
        for entry in entries {
            let (at, change, source) = parse_entry(entry)?;
            match (source, change) {
                (Source::Start, Change::Limit(n)) => replay.start_limit = Some(n),
                (Source::Start, Change::Rate(r)) => replay.start_rate = r,
                _ => replay.changes.push((at, change)),
            }
        }
        Ok(replay)
    }
}

/// One timeline entry: `{"t_s", "knob", "value", "source"}`.
fn parse_entry(e: &Value) -> Result<(Duration, Change, Source), String> {
    let bad = || format!("a timeline entry is not understood: {e}");
    let at = e["t_s"].as_f64().filter(|t| *t >= 0.0).ok_or_else(bad)?;
    let value = e["value"].as_f64();
    let change = match (e["knob"].as_str(), value) {
        (Some("limit"), Some(v)) if v >= 1.0 => Change::Limit(v as usize),
        (Some("rate"), v) => Change::Rate(v.filter(|v| *v >= 0.0)),
        (Some("pause"), _) => Change::Pause,
        (Some("resume"), _) => Change::Resume,
        _ => return Err(bad()),
    };
    let source = e["source"]
        .as_str()
        .and_then(Source::parse)
        .ok_or_else(bad)?;
    Ok((Duration::from_secs_f64(at), change, source))
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
        let json: Value = serde_json::from_str(
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
        let replay = Replay::from_summary(&json).expect("replay");
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
    fn a_file_without_a_timeline_is_refused() {
        let json: Value = serde_json::from_str(r#"{"duration_s": 3.0}"#).expect("json");
        assert!(
            Replay::from_summary(&json)
                .unwrap_err()
                .contains("no timeline")
        );
        let json: Value = serde_json::from_str(
            r#"{"duration_s": 3.0, "timeline": [{"t_s": 1, "knob": "speed", "value": 1, "source": "key"}]}"#,
        )
        .expect("json");
        assert!(Replay::from_summary(&json).is_err());
    }
}
