//! Throughput: responses a second in the last tick (until the run is over), the run's
//! average, and a chart of up to the last two minutes.

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
    let [numbers, chart] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
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
    frame.render_widget(Paragraph::new(line), numbers);
    let series = [Series {
        name: "req/s",
        color: Color::Green,
        value: |t| t.rps,
    }];
    trend::render(
        frame,
        chart,
        &s.recent,
        s.elapsed,
        &series,
        fixed_width::rate,
    );
}
