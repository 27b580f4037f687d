//! Throughput: responses a second in the last tick (until the run is over), the run's
//! average, in rate mode the target with late starts and lag, and a chart of up to the last
//! two minutes (with the target as a second line).

use super::fit::{self, Item};
use super::trend::{self, Series};
use crate::view::tui::app::App;
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Responses a second, and in rate mode the target.
const SERIES: [Series; 2] = [
    Series {
        name: "req/s",
        color: Color::Green,
        value: |t| t.rps,
    },
    Series {
        name: "target",
        color: Color::Yellow,
        value: |t| t.target_rps.unwrap_or(f64::NAN),
    },
];

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.snapshot;
    // The target line only once a tick had one.
    let with_target = s.recent.iter().any(|t| t.target_rps.is_some());
    let series = &SERIES[..if with_target { 2 } else { 1 }];
    let inner = super::panel_titled(frame, area, trend::titled("Throughput", series));
    let width = usize::from(inner.width);
    let rate_line = rate_line(app, width);
    let number_rows = if rate_line.spans.is_empty() { 1 } else { 2 };
    let [numbers, chart] =
        Layout::vertical([Constraint::Length(number_rows), Constraint::Fill(1)]).areas(inner);
    let avg = s.average_rps();
    let now = match app.over() {
        true => Item::one(vec![Span::raw("run over").bold().cyan()]),
        false => {
            let rps = || Span::raw(fixed_width::rate(s.last_tick.rps)).bold().green();
            Item(vec![
                vec![rps(), Span::raw(" req/s now")],
                vec![rps(), Span::raw("/s now")],
            ])
        }
    };
    let items = [
        now,
        Item::one(vec![
            Span::raw(fixed_width::rate(avg)).bold(),
            Span::raw(" avg"),
        ]),
        Item::one(vec![
            Span::raw(s.counts.total().to_string()).bold(),
            Span::raw(" done"),
        ]),
    ];
    let line = fit::line(&items, &GAPS, width);
    frame.render_widget(Paragraph::new(vec![line, rate_line]), numbers);
    trend::render(frame, chart, app, series, fixed_width::rate);
}

/// The gaps between the figures: wide where there is room, one space where not.
const GAPS: [&str; 2] = ["   ", " "];

/// Rate mode: the target, late starts so far and how far behind the schedule is now; a
/// rate switched off says so, with the late starts it had. Empty in concurrency mode.
fn rate_line(app: &App, width: usize) -> Line<'static> {
    let late = app.snapshot.counts.late_starts;
    let late_span = || match late {
        0 => Span::raw("0").bold(),
        n => Span::raw(n.to_string()).bold().red(),
    };
    let late = Item(vec![
        vec![Span::raw("late starts "), late_span()],
        vec![Span::raw("late "), late_span()],
    ]);
    let Some(rate) = app.live.gauges.rate else {
        return match app.snapshot.counts.late_starts {
            0 => Line::default(),
            _ => {
                let off = Item::one(vec![Span::raw("target "), Span::raw("off").bold()]);
                fit::line(&[off, late], &GAPS, width)
            }
        };
    };
    let lag = app.live.gauges.lag;
    let lag_span = Span::raw(fixed_width::latency(lag.as_micros() as u64));
    let target = Item::one(vec![
        Span::raw("target "),
        Span::raw(format!("{}/s", fixed_width::rate(rate)))
            .bold()
            .yellow(),
    ]);
    let lag = Item::one(vec![
        Span::raw("lag "),
        match lag.is_zero() {
            true => lag_span.bold(),
            false => lag_span.bold().red(),
        },
    ]);
    fit::line(&[target, late, lag], &GAPS, width)
}
