//! In-flight against the limit: a gauge, the peak, the last change of the limit or the entry.

use crate::engine::steer::Knob;
use crate::engine::steer::RunState;
use crate::view::tui::app::App;
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let live = &app.live;
    let inner = super::panel(frame, area, "In-flight");
    let [gauge, peak, note] = Layout::vertical([Constraint::Length(1); 3]).areas(inner);
    let ratio = (live.gauges.in_flight as f64 / live.gauges.limit.max(1) as f64).clamp(0.0, 1.0);
    let g = Gauge::default()
        .gauge_style(Style::new().fg(Color::Blue).bg(Color::Black))
        .ratio(ratio)
        .label(format!("{} / {}", live.gauges.in_flight, live.gauges.limit));
    frame.render_widget(g, gauge);
    let peak_line = Line::from(vec![
        Span::raw("peak "),
        Span::raw(live.gauges.peak_in_flight.to_string()).bold(),
        Span::raw("   limit "),
        Span::raw(live.gauges.limit.to_string()).bold(),
        Span::raw(format!("   step {}", app.step)).dark_gray(),
    ]);
    frame.render_widget(Paragraph::new(peak_line), peak);
    frame.render_widget(Paragraph::new(note_line(app)), note);
}

/// The entry being typed, else the end of the run, else pause, else the last change of the
/// limit (or how to steer).
fn note_line(app: &App) -> Line<'static> {
    if let Some(entry) = &app.entry {
        let knob = match app.knob {
            Knob::Limit => "set limit: ",
            Knob::Rate => "set rate/s: ",
        };
        return Line::from(vec![
            Span::raw(knob).yellow(),
            Span::raw(format!("{entry}▏")).bold().yellow(),
            Span::raw(" ⏎ set, Esc cancel").dark_gray(),
        ]);
    }
    match app.live.gauges.state {
        RunState::Done => return Line::from("the run is over".dark_gray()),
        RunState::Paused if app.live.gauges.in_flight == 0 => {
            return Line::from("paused: nothing in flight".yellow());
        }
        RunState::Paused => {
            return Line::from(
                format!("paused: draining {} in flight", app.live.gauges.in_flight).yellow(),
            );
        }
        RunState::Running | RunState::Stopping => {}
    }
    match &app.last_change {
        None => Line::from("steer: + - ] [ or 0-9 ⏎".dark_gray()),
        Some(c) => {
            let mut spans = vec![
                Span::raw(format!("{} → {}", c.from, c.to)).bold(),
                Span::raw(format!(" at {}", fixed_width::elapsed(c.at))),
            ];
            match c.drained_at {
                Some(t) if c.to < c.from => {
                    spans.push(
                        Span::raw(format!(", in effect {}", fixed_width::elapsed(t))).dark_gray(),
                    );
                }
                None => spans.push(Span::raw(", draining…").yellow()),
                Some(_) => {}
            }
            Line::from(spans)
        }
    }
}
