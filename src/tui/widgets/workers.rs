//! In a fleet view: one compact row per worker (up or down, req/s, in flight, errors), so
//! a worker that falls behind or disappears shows at once.

use crate::tui::app::App;
use crate::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The columns before the worker's address.
const FIGURES: &str = "state    req/s  in-flight  err ";

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let workers = &app.snapshot.workers;
    let down = workers.iter().filter(|w| !w.up).count();
    let title = match down {
        0 => format!("Workers ({})", workers.len()),
        n => format!("Workers ({}, {n} down)", workers.len()),
    };
    let inner = super::panel(frame, area, &title);
    let mut lines = vec![Line::from(format!("{FIGURES}worker").dark_gray())];
    let fit = usize::from(inner.height).saturating_sub(1);
    let name_width = usize::from(inner.width)
        .saturating_sub(FIGURES.len())
        .max(8);
    for w in workers.iter().take(fit) {
        let state = Span::raw(format!("{:<8}", w.state));
        let state = match w.up {
            true => state.green(),
            false => state.red().bold(),
        };
        lines.push(Line::from(vec![
            state,
            Span::raw(format!("{:>6}", fixed_width::rate(w.rps))).bold(),
            Span::raw(format!("{:>6}/{:<4}", w.in_flight, w.limit)),
            Span::raw(format!("{:>4} ", fixed_width::rate(w.failed as f64))).red(),
            Span::raw(fixed_width::cut_front(&w.name, name_width)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
