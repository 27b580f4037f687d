//! Latency: percentiles for the last tick and the whole run, and p50/p99 over time. In
//! rate mode latency counts from when each request was due, and the service time (from
//! each send) is shown beside it. Below, the whole run's time to first byte and the time
//! new connections took to open: a slow server against a slow network.

use super::fit;
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
    // The connect row only where the chart keeps its height (not at 80x24).
    let rows_before = 4 + u16::from(with_service);
    let with_connect = inner.height >= rows_before + 1 + MIN_CHART_ROWS;
    let rows_needed = rows_before + u16::from(with_connect);
    let [table, chart] =
        Layout::vertical([Constraint::Length(rows_needed), Constraint::Fill(1)]).areas(inner);
    let width = usize::from(table.width);
    let kept = kept_columns(width);
    let pad = column_width(width, kept.iter().filter(|k| **k).count());
    let table_line = |label: &str, cells: [Span<'static>; 5]| -> Line<'static> {
        let mut spans = vec![Span::raw(format!("{label:<LABEL_WIDTH$}"))];
        let padded = cells.map(|c| Span::styled(format!("{:>pad$}", c.content), c.style));
        spans.extend(fit::kept(padded, &kept));
        Line::from(spans)
    };
    let header = table_line("", RUNGS.map(|h| Span::raw(h).dark_gray()));
    let last = match app.over() {
        true => Line::from(vec![
            Span::raw(format!("{:<LABEL_WIDTH$}", "last 1s")),
            Span::raw("the run is over").dark_gray(),
        ]),
        false => table_line("last 1s", cells(&s.last_tick.latency)),
    };
    let mut rows = vec![header, last, table_line("whole run", cells(&s.cumulative))];
    if with_service {
        rows.push(table_line("service", cells(&s.cumulative_service)).dark_gray());
    }
    rows.push(table_line("ttfb", cells(&s.cumulative_ttfb)).dark_gray());
    if with_connect {
        rows.push(table_line("connect", cells(&s.cumulative_connect)).dark_gray());
    }
    frame.render_widget(Paragraph::new(rows), table);
    trend::render(frame, chart, app, &SERIES, |us| {
        fixed_width::latency(us as u64)
    });
}

/// The table's columns, and the order they go in when the panel is narrow: the tails
/// that p99 and max already bound first.
const RUNGS: [&str; 5] = ["p50", "p90", "p99", "p99.9", "max"];
const DROP_ORDER: [usize; 4] = [3, 1, 4, 2];

/// The chart's least height (its axis included) before the table gives up its connect row.
const MIN_CHART_ROWS: u16 = 8;

/// Width of the row labels, their gap included.
const LABEL_WIDTH: usize = 10;
/// A number column: the widest latency and a space, up to 9 where there is room.
const NARROWEST: usize = fixed_width::LATENCY_CHARS + 1;
const WIDEST: usize = 9;

/// Which columns fit in `table_width` at their narrowest.
fn kept_columns(table_width: usize) -> Vec<bool> {
    let room = table_width.saturating_sub(LABEL_WIDTH);
    fit::columns(&[NARROWEST; 5], &DROP_ORDER, room)
}

/// Width of each of `columns` number columns: what the room shares out, within bounds.
fn column_width(table_width: usize, columns: usize) -> usize {
    (table_width.saturating_sub(LABEL_WIDTH) / columns.max(1)).clamp(NARROWEST, WIDEST)
}

/// A row's cells, p50 cyan and p99 magenta as in the chart; `-` before any response.
fn cells(l: &LatencySummary) -> [Span<'static>; 5] {
    let values = [l.p50_us, l.p90_us, l.p99_us, l.p99_9_us, l.max_us];
    std::array::from_fn(|i| {
        let span = match l.count {
            0 => Span::raw("-"),
            _ => Span::raw(fixed_width::latency(values[i])),
        };
        match i {
            0 => span.cyan(),
            2 => span.magenta(),
            _ => span,
        }
    })
}
