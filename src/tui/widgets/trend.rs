//! A line chart of recent ticks against seconds-before-now, shared by throughput and latency.

use crate::stats::window::TickSummary;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
use std::time::Duration;

/// How far back the charts look.
pub const CHART_SECS: f64 = 120.0;

/// One line of a chart: its name, colour and the value it takes from each tick.
pub struct Series {
    pub name: &'static str,
    pub color: Color,
    pub value: fn(&TickSummary) -> f64,
}

/// Points (seconds before `now`, value) for the ticks within the chart's span.
pub fn points(
    ticks: &[TickSummary],
    now: Duration,
    value: fn(&TickSummary) -> f64,
) -> Vec<(f64, f64)> {
    ticks
        .iter()
        .map(|t| (t.end.as_secs_f64() - now.as_secs_f64(), value(t)))
        .filter(|(x, _)| *x >= -CHART_SECS)
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
    let x_axis = Axis::default()
        .bounds([-CHART_SECS, 0.0])
        .style(Style::new().dark_gray())
        .labels([Span::raw("-2m"), Span::raw("-1m"), Span::raw("now")]);
    let y_axis = Axis::default()
        .bounds([0.0, top])
        .style(Style::new().dark_gray())
        .labels([Span::raw("0"), Span::raw(y_label(top))]);
    let mut chart = Chart::new(datasets).x_axis(x_axis).y_axis(y_axis);
    if series.len() < 2 {
        chart = chart.legend_position(None);
    }
    frame.render_widget(chart, area);
}
