//! The autopilot on the plot: each latency bar it held, a dashed level across the latency
//! panel; and where it settled, a dashed level on its knob's panel from when it settled.

use super::run_record::RunRecord;
use super::shown::cut;
use super::style::{Pen, Plane, text};
use crate::engine::steer::Knob;
use crate::stats::condition::Condition;
use plotters::prelude::*;

/// The bar's level and the settled value's.
pub const BAR: Pen = Pen::narrow(RGBColor(148, 103, 189));
pub const SETTLED: Pen = Pen::narrow(RGBColor(148, 103, 189));
/// A legend's characters at most for the conditions (they come from the file).
const CONDITION_CHARS: usize = 40;

/// What the plot draws of a hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Levels {
    /// Each latency bar, in milliseconds, with its condition as typed.
    pub bars: Vec<(f64, String)>,
    /// The knob it settled, the value and from when.
    pub settled: Option<(Knob, f64, f64)>,
}

impl Levels {
    /// The levels of `r`'s hold (none without one); a condition that does not parse, or is
    /// no latency, draws nothing.
    pub fn of(r: &RunRecord) -> Levels {
        let Some(hold) = &r.hold else {
            return Levels::default();
        };
        let bars = hold
            .conditions
            .iter()
            .filter_map(|text| {
                let ms = Condition::parse_bar(text).ok()?.latency_ms()?;
                Some((ms, cut(text, CONDITION_CHARS)))
            })
            .collect();
        let settled = hold.settled.as_ref().map(|s| (s.knob, s.value, s.at_s));
        Levels { bars, settled }
    }

    /// The legend's words for the settled value on `knob`'s panel, if it settled there.
    pub fn settled_on(&self, knob: Knob) -> Option<String> {
        let (k, value, at_s) = self.settled.filter(|s| s.0 == knob)?;
        Some(format!("auto settled: {k} {value} from {at_s:.0} s"))
    }
}

/// A dashed level at `y`, from `from_s` to the end of `chart`'s time axis.
pub fn level<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Plane>,
    from_s: f64,
    y: f64,
    pen: Pen,
) -> Result<(), String> {
    let xs = chart.x_range();
    let ends = vec![(from_s.clamp(xs.start, xs.end), y), (xs.end, y)];
    let line = DashedLineSeries::new(ends, 10, 6, pen.colour.stroke_width(pen.width));
    chart.draw_series(line).map_err(text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::{Hold, Requests, Settled};

    fn held(conditions: &[&str], settled: Option<Settled>) -> RunRecord {
        RunRecord {
            target: "http://t/".into(),
            duration_s: 60.0,
            requests: Requests {
                total: 1,
                ok: 1,
                failed: 0,
                aborted: 0,
            },
            throughput_rps: 1.0,
            series: Vec::new(),
            timeline: Vec::new(),
            hold: Some(Hold {
                conditions: conditions.iter().map(|c| c.to_string()).collect(),
                settled,
                held_share: 0.9,
            }),
        }
    }

    #[test]
    fn each_latency_bar_is_a_level_and_the_settled_value_one_on_its_knob() {
        let settled = Settled {
            knob: Knob::Limit,
            value: 84.0,
            at_s: 11.0,
        };
        let levels = Levels::of(&held(
            &["p99<500ms", "errors<1%", "p50 < 0.2s"],
            Some(settled),
        ));
        assert_eq!(
            levels.bars,
            [
                (500.0, "p99<500ms".to_string()),
                (200.0, "p50 < 0.2s".to_string())
            ]
        );
        assert_eq!(
            levels.settled_on(Knob::Limit).as_deref(),
            Some("auto settled: limit 84 from 11 s")
        );
        assert_eq!(levels.settled_on(Knob::Rate), None);
        let none = Levels::of(&held(&["not a bar"], None));
        assert_eq!(none, Levels::default(), "what does not parse draws nothing");
    }
}
