//! A line chart of recent ticks against seconds-before-now, shared by throughput and latency;
//! it spans what has elapsed, up to two minutes. Its legend goes in the panel's title, so it
//! never covers the newest points.

use crate::stats::window::TickSummary;
use crate::view::tui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style, Stylize};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
use std::time::Duration;

/// How far back the charts look at most.
pub const CHART_SECS: f64 = 120.0;
/// The span is a whole number of these, so the middle label is a whole second.
const SPAN_STEP_SECS: f64 = 2.0;
/// A tick closes a little after its second: a run of 12.01 s spans 12 s, not 14.
const TICK_LATENESS_SECS: f64 = 0.25;

/// The seconds a chart spans: what has elapsed (to the next step), up to `CHART_SECS`.
pub fn span_secs(elapsed: Duration) -> f64 {
    let secs = (elapsed.as_secs_f64() - TICK_LATENESS_SECS).max(0.0);
    ((secs / SPAN_STEP_SECS).ceil() * SPAN_STEP_SECS).clamp(SPAN_STEP_SECS, CHART_SECS)
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

/// A panel title with the legend of `series` after it: ` Latency  ━ p50  ━ p99 `.
pub fn titled(title: &str, series: &[Series]) -> Line<'static> {
    let mut spans = vec![Span::raw(format!(" {title} ")).bold()];
    if series.len() > 1 {
        for s in series {
            spans.push(Span::raw(format!(" ━ {} ", s.name)).fg(s.color));
        }
    }
    Line::from(spans)
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

/// Draws the series of `app`'s recent ticks, no legend (`titled` gives it); `y_label`
/// renders the top of the y axis.
pub fn render(
    frame: &mut ratatui::Frame,
    area: Rect,
    app: &App,
    series: &[Series],
    y_label: fn(f64) -> String,
) {
    let (ticks, now) = (&app.snapshot.recent, app.snapshot.elapsed);
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
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(s.color))
                .data(d)
        })
        .collect();
    let span = span_secs(now);
    // Once the run is over, the right end is its end, not a moving now.
    let right = if app.over() { "end" } else { "now" };
    let x_axis = Axis::default()
        .bounds([-span, 0.0])
        .style(Style::new().dark_gray())
        .labels([
            Span::raw(ago(span)),
            Span::raw(ago(span / 2.0)),
            Span::raw(right),
        ]);
    let y_axis = Axis::default()
        .bounds([0.0, top])
        .style(Style::new().dark_gray())
        .labels([Span::raw("0"), Span::raw(y_label(top))]);
    let chart = Chart::new(datasets)
        .x_axis(x_axis)
        .y_axis(y_axis)
        .legend_position(None);
    frame.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_span_is_what_has_elapsed_in_whole_even_seconds() {
        let span = |ms: u64| span_secs(Duration::from_millis(ms));
        assert_eq!(span(0), 2.0);
        assert_eq!(span(1_000), 2.0);
        assert_eq!(span(12_010), 12.0, "a 12 s run fills its chart");
        assert_eq!(span(12_300), 14.0);
        assert_eq!(span(13_000), 14.0);
        assert_eq!(span(90_400), 92.0);
        assert_eq!(span(600_000), CHART_SECS);
    }
}
