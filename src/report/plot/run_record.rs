//! What a plot reads from a JSON summary: the series, the timeline, a few totals.

use crate::engine::steer::{Knob, Source};
use crate::process::untrusted;
use crate::report::merge::check;
use crate::report::read;
use crate::report::series::SeriesEntry;
use crate::report::summary::{Hold, Moved, Requests, TimelineEntry};
use crate::units;
use serde::Deserialize;
use std::path::Path;

/// The target's characters at most in the default title.
const TARGET_CHARS: usize = 60;

/// The parts of a summary a plot draws.
#[derive(Debug, Clone, Deserialize)]
pub struct RunRecord {
    pub target: String,
    pub duration_s: f64,
    pub requests: Requests,
    pub throughput_rps: f64,
    pub series: Vec<SeriesEntry>,
    pub timeline: Vec<TimelineEntry>,
    /// The autopilot's, if it held a knob.
    #[serde(default)]
    pub hold: Option<Hold>,
}

impl RunRecord {
    /// Reads a JSON summary; one line saying what is wrong if it is not one with a series.
    pub fn read(path: &Path) -> Result<RunRecord, String> {
        let record: RunRecord = read::from_file(path, "plot")?;
        let shown = untrusted::escaped(&path.to_string_lossy()).into_owned();
        if record.series.is_empty() {
            return Err(format!(
                "plot: '{shown}' has an empty series: nothing to draw"
            ));
        }
        record
            .check_times()
            .map_err(|why| format!("plot: '{shown}': {why}"))?;
        Ok(record)
    }

    /// The run's duration, series and timeline checked as `merge` checks them (the same
    /// bounds on times, rates and latencies), and its throughput: axes are drawn from them.
    fn check_times(&self) -> Result<(), String> {
        units::seconds(self.duration_s).map_err(|why| format!("duration_s: {why}"))?;
        check::series(&self.series)?;
        check::timeline(&self.timeline)?;
        self.hold.as_ref().map_or(Ok(()), check::hold)?;
        check::a_rate("throughput_rps", Some(self.throughput_rps))
    }

    /// The default title: the target (escaped, and cut to leave room for the rest), the
    /// length of the run and its requests.
    pub fn title(&self) -> String {
        format!(
            "{}: {:.0} s, {} requests ({} failed), {:.0} req/s",
            super::shown::cut(&self.target, TARGET_CHARS),
            self.duration_s,
            self.requests.total,
            self.requests.failed,
            self.throughput_rps
        )
    }

    /// A knob's value over the run as a step line: runs of (time, value) corners from the
    /// start to the end of the run, a gap where it was off (a rate switched off: no target,
    /// not a target of 0); empty if the knob was never set. Pauses are left out.
    pub fn steps_of(&self, knob: Knob) -> Vec<Vec<(f64, f64)>> {
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for step in self.timeline.iter().filter(|s| s.knob.knob() == Some(knob)) {
            let run = runs.last_mut().expect("one at least");
            if let Some(&(_, last)) = run.last() {
                run.push((step.t_s, last));
            }
            match step.value {
                Some(value) => run.push((step.t_s, value)),
                None => runs.push(Vec::new()),
            }
        }
        if let Some(run) = runs.last_mut()
            && let Some(&(_, last)) = run.last()
        {
            run.push((self.end_s(), last));
        }
        runs.retain(|run| !run.is_empty());
        runs
    }

    /// Changes made by hand or from outside (keys, the control API, a replay, pauses):
    /// marked on the plot; a schedule's own ramps and the autopilot's moves show in the
    /// step lines instead.
    pub fn marks(&self) -> Vec<(f64, String)> {
        self.timeline
            .iter()
            .filter(|s| !matches!(s.source, Source::Start | Source::Stage | Source::Auto))
            .map(|s| {
                let value = match (s.value, s.knob) {
                    (Some(v), _) => format!(" {v}"),
                    (None, Moved::Rate) => " off".to_string(),
                    (None, _) => String::new(),
                };
                (s.t_s, format!("{}{value}", s.knob.as_str()))
            })
            .collect()
    }

    /// Responses a second at each tick's end, leaving out a last tick shorter than half a
    /// second (the stub between the last whole second and the end), whose rate is noise.
    pub fn rates(&self) -> Vec<(f64, f64)> {
        let mut previous = 0.0;
        let mut points = Vec::with_capacity(self.series.len());
        for (i, e) in self.series.iter().enumerate() {
            let stub = i + 1 == self.series.len() && i > 0 && e.t_s - previous < 0.5;
            if !stub {
                points.push((e.t_s, e.rps));
            }
            previous = e.t_s;
        }
        points
    }

    /// The end of the time axis: the run's duration, or its last tick if later.
    pub fn end_s(&self) -> f64 {
        let last_tick = self.series.last().map_or(0.0, |e| e.t_s);
        self.duration_s.max(last_tick).max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(timeline: &[(f64, &str, Option<f64>, &str)]) -> RunRecord {
        RunRecord {
            target: "http://127.0.0.1/".into(),
            duration_s: 10.0,
            requests: Requests {
                total: 1,
                ok: 1,
                failed: 0,
                aborted: 0,
            },
            throughput_rps: 1.0,
            series: Vec::new(),
            hold: None,
            timeline: timeline
                .iter()
                .map(|(t_s, knob, value, source)| TimelineEntry {
                    t_s: *t_s,
                    knob: serde_json::from_value((*knob).into()).expect("a knob's word"),
                    value: *value,
                    source: serde_json::from_value((*source).into()).expect("a source's word"),
                })
                .collect(),
        }
    }

    #[test]
    fn a_knob_becomes_a_step_line_and_hand_changes_become_marks() {
        let r = record(&[
            (0.0, "limit", Some(10.0), "start"),
            (2.0, "limit", Some(20.0), "stage"),
            (5.0, "pause", None, "key"),
            (5.5, "limit", Some(7.0), "auto"),
            (6.0, "limit", Some(5.0), "key"),
        ]);
        assert_eq!(
            r.steps_of(Knob::Limit),
            [[
                (0.0, 10.0),
                (2.0, 10.0),
                (2.0, 20.0),
                (5.5, 20.0),
                (5.5, 7.0),
                (6.0, 7.0),
                (6.0, 5.0),
                (10.0, 5.0)
            ]]
        );
        assert!(r.steps_of(Knob::Rate).is_empty());
        let marks: Vec<String> = r.marks().into_iter().map(|(_, m)| m).collect();
        assert_eq!(marks, ["pause", "limit 5"]);
    }

    #[test]
    fn a_rate_switched_off_is_a_gap_and_a_mark_that_says_off() {
        let r = record(&[
            (0.0, "rate", Some(100.0), "start"),
            (4.0, "rate", None, "key"),
            (8.0, "rate", Some(50.0), "key"),
        ]);
        assert_eq!(
            r.steps_of(Knob::Rate),
            [
                vec![(0.0, 100.0), (4.0, 100.0)],
                vec![(8.0, 50.0), (10.0, 50.0)]
            ]
        );
        let marks: Vec<String> = r.marks().into_iter().map(|(_, m)| m).collect();
        assert_eq!(marks, ["rate off", "rate 50"]);
    }
}
