//! Latency: percentiles for the last tick and the whole run, and p50/p99 over time. In
//! rate mode latency counts from when each request was due, and the service time (from
//! each send) is shown beside it.

use super::trend::{self, Series};
use crate::stats::latency::LatencySummary;
use crate::view::tui::app::App;
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The chart's two lines, in the table's colours.
const SERIES: [Series; 2] = [
    Series {
        name: "p50",
        color: Color::Cyan,
        value: |t| t.latency.p50_us as f64,
    },
    Series {
        name: "p99",
        color: Color::Magenta,
        value: |t| t.latency.p99_us as f64,
    },
];

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.snapshot;
    let inner = super::panel_titled(frame, area, trend::titled("Latency", &SERIES));
    let with_service = app.live.gauges.rate.is_some() || s.counts.late_starts > 0;
    let rows_needed = if with_service { 4 } else { 3 };
    let [table, chart] =
        Layout::vertical([Constraint::Length(rows_needed), Constraint::Fill(1)]).areas(inner);
    let width = column_width(table.width);
    let header = Line::from(
        ["", "p50", "p90", "p99", "p99.9", "max"]
            .iter()
            .enumerate()
            .map(|(i, h)| Span::raw(cell(h, i, width)).dark_gray())
            .collect::<Vec<_>>(),
    );
    let last = match app.over() {
        true => Line::from(vec![
            Span::raw(cell("last 1s", 0, width)),
            Span::raw("the run is over").dark_gray(),
        ]),
        false => row("last 1s", &s.last_tick.latency, width),
    };
    let mut rows = vec![header, last, row("whole run", &s.cumulative, width)];
    if with_service {
        rows.push(row("service", &s.cumulative_service, width).dark_gray());
    }
    frame.render_widget(Paragraph::new(rows), table);
    trend::render(frame, chart, app, &SERIES, |us| {
        fixed_width::latency(us as u64)
    });
}

/// Width of the row labels.
const LABEL_WIDTH: usize = 10;

/// Width of a number column: 9 where there is room, down to 7 (`99.9ms` and a gap) so that
/// all five fit in an 80-column terminal.
fn column_width(table_width: u16) -> usize {
    ((usize::from(table_width).saturating_sub(LABEL_WIDTH)) / 5).clamp(7, 9)
}

/// Pads a cell: the row label is wider than the numbers.
fn cell(text: &str, column: usize, width: usize) -> String {
    if column == 0 {
        format!("{text:<LABEL_WIDTH$}")
    } else {
        format!("{text:>width$}")
    }
}

fn row(label: &str, l: &LatencySummary, width: usize) -> Line<'static> {
    let values = [l.p50_us, l.p90_us, l.p99_us, l.p99_9_us, l.max_us];
    let mut spans = vec![Span::raw(cell(label, 0, width))];
    spans.extend(values.iter().enumerate().map(|(i, us)| {
        let t = if l.count == 0 {
            "-".to_string()
        } else {
            fixed_width::latency(*us)
        };
        let span = Span::raw(cell(&t, i + 1, width));
        match i {
            0 => span.cyan(),
            2 => span.magenta(),
            _ => span,
        }
    }));
    Line::from(spans)
}
