//! Latency: percentiles for the last tick and the whole run, and p50/p99 over time.

use super::trend::{self, Series};
use crate::stats::window::LatencySummary;
use crate::tui::app::App;
use crate::tui::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.snapshot;
    let inner = super::panel(frame, area, "Latency");
    let [table, chart] =
        Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(inner);
    let header = Line::from(
        ["", "p50", "p90", "p99", "p99.9", "max"]
            .iter()
            .enumerate()
            .map(|(i, h)| Span::raw(cell(h, i)).dark_gray())
            .collect::<Vec<_>>(),
    );
    let rows = vec![
        header,
        row("last 1s", &s.last_tick.latency),
        row("whole run", &s.cumulative),
    ];
    frame.render_widget(Paragraph::new(rows), table);
    let series = [
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
    trend::render(frame, chart, &s.recent, s.elapsed, &series, |us| {
        text::latency(us as u64)
    });
}

/// Pads a cell: the row label is wider than the numbers.
fn cell(text: &str, column: usize) -> String {
    if column == 0 {
        format!("{text:<10}")
    } else {
        format!("{text:>9}")
    }
}

fn row(label: &str, l: &LatencySummary) -> Line<'static> {
    let values = [l.p50_us, l.p90_us, l.p99_us, l.p99_9_us, l.max_us];
    let mut spans = vec![Span::raw(cell(label, 0))];
    spans.extend(values.iter().enumerate().map(|(i, us)| {
        let t = if l.count == 0 {
            "-".to_string()
        } else {
            text::latency(*us)
        };
        let span = Span::raw(cell(&t, i + 1));
        match i {
            0 => span.cyan(),
            2 => span.magenta(),
            _ => span,
        }
    }));
    Line::from(spans)
}
