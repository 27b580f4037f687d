//! A line chart of recent ticks against seconds-before-now, shared by throughput and latency;
//! it spans what has elapsed, up to two minutes.

use crate::stats::window::TickSummary;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
use std::time::Duration;

/// How far back the charts look at most.
pub const CHART_SECS: f64 = 120.0;
/// The shortest span, and the step the span grows by, so the axis does not move each tick.
const SPAN_STEP_SECS: f64 = 10.0;

/// The seconds a chart spans: what has elapsed (rounded up to a step), up to `CHART_SECS`.
pub fn span_secs(elapsed: Duration) -> f64 {
    ((elapsed.as_secs_f64() / SPAN_STEP_SECS).ceil() * SPAN_STEP_SECS)
        .clamp(SPAN_STEP_SECS, CHART_SECS)
}

/// An axis label for `secs` before now: `-2m`, `-30s`, `-15s`.
fn ago(secs: f64) -> String {
    if secs >= 60.0 && secs % 60.0 == 0.0 {
        format!("-{}m", secs / 60.0)
    } else {
        format!("-{secs:.0}s")
    }
}

/// One line of a chart: its name, colour and the value it takes from each tick.
pub struct Series {
    pub name: &'static str,
    pub color: Color,
    pub value: fn(&TickSummary) -> f64,
}

/// Points (seconds before `now`, value) for the ticks within the chart's span; a tick
/// without a value (NaN) is left out.
pub fn points(
    ticks: &[TickSummary],
    now: Duration,
    value: fn(&TickSummary) -> f64,
) -> Vec<(f64, f64)> {
    ticks
        .iter()
        .map(|t| (t.end.as_secs_f64() - now.as_secs_f64(), value(t)))
        .filter(|(x, y)| *x >= -span_secs(now) && y.is_finite())
        .collect()
}

/// Draws the series; `y_label` renders the top of the y axis.
pub fn render(
    frame: &mut ratatui::Frame,
    area: Rect,
    ticks: &[TickSummary],
    now: Duration,
    series: &[Series],
    y_label: fn(f64) -> String,
) {
    let data: Vec<Vec<(f64, f64)>> = series.iter().map(|s| points(ticks, now, s.value)).collect();
    let top = data
        .iter()
        .flatten()
        .map(|(_, y)| *y)
        .fold(0.0_f64, f64::max)
        .max(1.0)
        * 1.15;
    let datasets = series
        .iter()
        .zip(&data)
        .map(|(s, d)| {
            Dataset::default()
                .name(s.name)
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(s.color))
                .data(d)
        })
        .collect();
    let span = span_secs(now);
    let x_axis = Axis::default()
        .bounds([-span, 0.0])
        .style(Style::new().dark_gray())
        .labels([
            Span::raw(ago(span)),
            Span::raw(ago(span / 2.0)),
            Span::raw("now"),
        ]);
    let y_axis = Axis::default()
        .bounds([0.0, top])
        .style(Style::new().dark_gray())
        .labels([Span::raw("0"), Span::raw(y_label(top))]);
    // The legend shows whenever it takes at most half the chart (ratatui's default: a quarter).
    let half = ratatui::layout::Constraint::Ratio(1, 2);
    let mut chart = Chart::new(datasets)
        .x_axis(x_axis)
        .y_axis(y_axis)
        .hidden_legend_constraints((half, half));
    if series.len() < 2 {
        chart = chart.legend_position(None);
    }
    frame.render_widget(chart, area);
}
