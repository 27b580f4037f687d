//! Throughput: responses a second in the last tick (until the run is over), the run's
//! average, in rate mode the target with late starts and lag, and a chart of up to the last
//! two minutes (with the target as a second line).

use super::trend::{self, Series};
use crate::generator::RunState;
use crate::tui::app::App;
use crate::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.snapshot;
    let inner = super::panel(frame, area, "Throughput");
    let rate_line = rate_spans(app);
    let number_rows = if rate_line.is_empty() { 1 } else { 2 };
    let [numbers, chart] =
        Layout::vertical([Constraint::Length(number_rows), Constraint::Fill(1)]).areas(inner);
    let avg = s.average_rps();
    let now = match s.gauges.state {
        RunState::Done => vec![Span::raw("run over").bold().cyan(), Span::raw("   ")],
        _ => vec![
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
    let achieved = Series {
        name: "req/s",
        color: Color::Green,
        value: |t| t.rps,
    };
    let target = Series {
        name: "target",
        color: Color::Yellow,
        value: |t| t.target_rps.unwrap_or(f64::NAN),
    };
    let series = match s.recent.iter().any(|t| t.target_rps.is_some()) {
        true => vec![achieved, target],
        false => vec![achieved],
    };
    trend::render(
        frame,
        chart,
        &s.recent,
        s.elapsed,
        &series,
        fixed_width::rate,
    );
}

/// Rate mode: the target, late starts so far and how far behind the schedule is now.
fn rate_spans(app: &App) -> Vec<Span<'static>> {
    let Some(rate) = app.live.gauges.rate else {
        return Vec::new();
    };
    let lag = app.live.gauges.lag;
    let late = app.snapshot.counts.late_starts;
    let lag_span = Span::raw(fixed_width::latency(lag.as_micros() as u64));
    vec![
        Span::raw("target "),
        Span::raw(format!("{}/s", fixed_width::rate(rate)))
            .bold()
            .yellow(),
        Span::raw("   late starts "),
        match late {
            0 => Span::raw("0").bold(),
            n => Span::raw(n.to_string()).bold().red(),
        },
        Span::raw("   lag "),
        match lag.is_zero() {
            true => lag_span.bold(),
            false => lag_span.bold().red(),
        },
    ]
}
