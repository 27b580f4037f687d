//! `--stages "30s:1000,1m:1000,30s:0"`: each stage moves the knob linearly from where it
//! stands to its target over its duration (k6's semantics); `0s:500` is a jump.

use super::{Knob, Played, Script};
use crate::units;
use std::time::Duration;

/// How often a stage's value is recorded in the timeline at most (it is applied more often).
const RECORD_EVERY: Duration = Duration::from_secs(1);

/// One stage: reach `target` after `duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub duration: Duration,
    pub target: f64,
}

/// The stages of a run, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Stages(pub Vec<Stage>);

impl Stages {
    /// Parses `DURATION:VALUE,...` (`30s:1000`, `0s:2k`, `1m:0`).
    pub fn parse(text: &str) -> Result<Stages, String> {
        let stages = text
            .split(',')
            .map(|part| {
                let (d, v) = part.trim().split_once(':').ok_or_else(|| {
                    format!("'{part}' is not a stage: use DURATION:VALUE, like 30s:1000")
                })?;
                let duration = units::parse_duration_or_zero(d)?;
                let target = match v.trim() {
                    "0" => 0.0,
                    v => units::parse_rate(v)?,
                };
                Ok(Stage { duration, target })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let total = stages
            .iter()
            .try_fold(Duration::ZERO, |sum, s| sum.checked_add(s.duration))
            .filter(|d| *d <= units::MAX_DURATION);
        match total {
            None => Err(format!(
                "'{text}': the stages take longer than the longest run sluice takes, 1y"
            )),
            Some(d) if d.is_zero() => Err(format!("'{text}': the stages take no time")),
            Some(_) => Ok(Stages(stages)),
        }
    }

    /// How long all the stages take.
    pub fn total(&self) -> Duration {
        self.0.iter().map(|s| s.duration).sum()
    }

    /// The stage playing at `t` and the knob's value then, starting from `start`; None
    /// once the last stage has ended.
    pub fn at(&self, start: f64, t: Duration) -> Option<(usize, f64)> {
        let (mut from, mut begun) = (start, Duration::ZERO);
        for (i, stage) in self.0.iter().enumerate() {
            if t < begun + stage.duration {
                let part = (t - begun).as_secs_f64() / stage.duration.as_secs_f64();
                return Some((i, from + (stage.target - from) * part));
            }
            from = stage.target;
            begun += stage.duration;
        }
        None
    }
}

/// Stages playing on a knob: the value applied at every step of the driver, recorded at
/// most once per `RECORD_EVERY` and whenever a new stage begins.
pub struct StagesScript {
    stages: Stages,
    knob: Knob,
    start: f64,
    applied: Option<f64>,
    recorded: Option<(Duration, usize)>,
}

impl StagesScript {
    /// `stages` moving `knob` from `start`.
    pub fn new(stages: Stages, knob: Knob, start: f64) -> StagesScript {
        StagesScript {
            stages,
            knob,
            start,
            // The start value is in the timeline already.
            applied: Some(start),
            recorded: None,
        }
    }
}

impl Script for StagesScript {
    fn at(&mut self, t: Duration) -> Option<Played> {
        let (stage, value) = self.stages.at(self.start, t)?;
        // Whole values above 10 (a limit, or a rate in requests a second); finer below.
        let value = if value >= 10.0 {
            value.round()
        } else {
            (value * 100.0).round() / 100.0
        };
        let of = self.stages.0.len() as u16;
        let step = stage as u16 + 1;
        if self.applied == Some(value) {
            return Some(Played {
                changes: Vec::new(),
                step,
                of,
            });
        }
        self.applied = Some(value);
        let record = match self.recorded {
            None => true,
            Some((at, s)) => s != stage || t.saturating_sub(at) >= RECORD_EVERY,
        };
        if record {
            self.recorded = Some((t, stage));
        }
        Some(Played {
            changes: vec![(self.knob.change(value), record)],
            step,
            of,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::steer::Change;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn stages_ramp_linearly_and_zero_durations_jump() {
        let s = Stages::parse("10s:1000,0s:200,5s:200,10s:0").expect("stages");
        assert_eq!(s.total(), secs(25.0));
        assert_eq!(s.at(0.0, secs(0.0)), Some((0, 0.0)));
        assert_eq!(s.at(0.0, secs(5.0)), Some((0, 500.0)));
        assert_eq!(s.at(0.0, secs(10.0)), Some((2, 200.0)), "the jump");
        assert_eq!(s.at(0.0, secs(20.0)), Some((3, 100.0)));
        assert_eq!(s.at(0.0, secs(25.0)), None);
        assert_eq!(
            s.at(100.0, secs(5.0)),
            Some((0, 550.0)),
            "from the start value"
        );
    }

    #[test]
    fn bad_stages_are_refused() {
        for bad in ["", "30s", "30s:fast", "soon:100", "0s:100", "1s:-3"] {
            assert!(Stages::parse(bad).is_err(), "{bad}");
        }
        for long in [
            "200d:10,200d:20",
            "18446744073709551615s:10,18446744073709551615s:20",
        ] {
            let err = Stages::parse(long).expect_err(long);
            assert!(err.contains("longer than"), "{long}: {err}");
        }
        assert!(Stages::parse("180d:10,180d:20").is_ok());
        assert!(Stages::parse("1m:2k, 30s:0").is_ok());
    }

    #[test]
    fn a_ramp_is_recorded_once_a_second_and_at_each_stage() {
        let stages = Stages::parse("3s:300,0s:50,2s:50").expect("stages");
        let mut script = StagesScript::new(stages, Knob::Limit, 0.0);
        let mut recorded = Vec::new();
        let mut applied = 0;
        for tenth in 0..50 {
            let played = script.at(secs(f64::from(tenth) / 10.0)).expect("playing");
            for (change, record) in played.changes {
                applied += 1;
                if record {
                    recorded.push((tenth, change));
                }
            }
        }
        assert!(applied > 25, "applied every step: {applied}");
        let times: Vec<_> = recorded.iter().map(|(t, _)| *t).collect();
        assert_eq!(times, vec![1, 11, 21, 30], "{recorded:?}");
        assert_eq!(recorded[3].1, Change::Limit(50));
        assert!(script.at(secs(5.0)).is_none());
    }
}
