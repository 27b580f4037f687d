//! Throughput: responses a second in the last tick (until the run is over), the run's
//! average, in rate mode the target with late starts and lag, and a chart of up to the last
//! two minutes (with the target as a second line).

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
    let rate_line = rate_spans(app);
    let number_rows = if rate_line.is_empty() { 1 } else { 2 };
    let [numbers, chart] =
        Layout::vertical([Constraint::Length(number_rows), Constraint::Fill(1)]).areas(inner);
    let avg = s.average_rps();
    let now = match app.over() {
        true => vec![Span::raw("run over").bold().cyan(), Span::raw("   ")],
        false => vec![
            Span::raw(fixed_width::rate(s.last_tick.rps)).bold().green(),
            Span::raw(" req/s now   "),
        ],
    };
    let line = Line::from(
        [
            now,
            vec![
                Span::raw(fixed_width::rate(avg)).bold(),
                Span::raw(" avg   "),
                Span::raw(s.counts.total().to_string()).bold(),
                Span::raw(" done"),
            ],
        ]
        .concat(),
    );
    frame.render_widget(Paragraph::new(vec![line, Line::from(rate_line)]), numbers);
    trend::render(frame, chart, app, series, fixed_width::rate);
}

/// Rate mode: the target, late starts so far and how far behind the schedule is now; a
/// rate switched off says so, with the late starts it had.
fn rate_spans(app: &App) -> Vec<Span<'static>> {
    let late = app.snapshot.counts.late_starts;
    let late_span = match late {
        0 => Span::raw("0").bold(),
        n => Span::raw(n.to_string()).bold().red(),
    };
    let Some(rate) = app.live.gauges.rate else {
        return match late {
            0 => Vec::new(),
            _ => vec![
                Span::raw("target "),
                Span::raw("off").bold(),
                Span::raw("   late starts "),
                late_span,
            ],
        };
    };
    let lag = app.live.gauges.lag;
    let lag_span = Span::raw(fixed_width::latency(lag.as_micros() as u64));
    vec![
        Span::raw("target "),
        Span::raw(format!("{}/s", fixed_width::rate(rate)))
            .bold()
            .yellow(),
        Span::raw("   late starts "),
        late_span,
        Span::raw("   lag "),
        match lag.is_zero() {
            true => lag_span.bold(),
            false => lag_span.bold().red(),
        },
    ]
}
