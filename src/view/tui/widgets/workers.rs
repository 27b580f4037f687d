//! In a fleet view: one compact row per worker (up or down, req/s, in flight, errors), so
//! a worker that falls behind or disappears shows at once.

use crate::engine::steer::RunState;
use crate::process::untrusted;
use crate::view::tui::app::App;
use crate::view::tui::fixed_width;
use crate::view::tui::fleet_rows::{WorkerRow, WorkerState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The columns before the worker's address.
const FIGURES: &str = "state    req/s  in-flight  err ";

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let workers = &app.workers;
    let down = workers.iter().filter(|w| !w.state.is_up()).count();
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
        let failed = format!("{:>4} ", fixed_width::rate(w.failed as f64));
        lines.push(Line::from(vec![
            Span::styled(format!("{:<8}", w.state.as_str()), state_style(w)),
            Span::raw(format!("{:>6}", fixed_width::rate(w.rps))).bold(),
            Span::raw(format!("{:>6}/{:<4}", w.in_flight, w.limit)),
            Span::styled(failed, super::errors_style(w.failed)),
            Span::raw(fixed_width::cut_front(
                &untrusted::escaped(&w.name),
                name_width,
            )),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Down in bold red, running green, paused yellow; one that has finished (or not started)
/// is grey: it no longer makes load.
fn state_style(w: &WorkerRow) -> Style {
    match w.state {
        WorkerState::Down | WorkerState::LeftOut => Style::new().red().bold(),
        WorkerState::Run(RunState::Running) => Style::new().green(),
        WorkerState::Run(RunState::Paused) => Style::new().yellow(),
        WorkerState::Run(_) => Style::new().dark_gray(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::errors_style;
    use super::*;
    use ratatui::style::Color;

    fn worker(state: WorkerState) -> WorkerRow {
        WorkerRow {
            name: "127.0.0.1:9090".into(),
            state,
            rps: 0.0,
            in_flight: 0,
            limit: 0,
            failed: 0,
        }
    }

    #[test]
    fn only_a_running_worker_is_green_and_only_errors_are_red() {
        let fg = |state: WorkerState| state_style(&worker(state)).fg;
        assert_eq!(fg(WorkerState::Run(RunState::Running)), Some(Color::Green));
        assert_eq!(fg(WorkerState::Run(RunState::Paused)), Some(Color::Yellow));
        assert_eq!(fg(WorkerState::Run(RunState::Done)), Some(Color::DarkGray));
        assert_eq!(fg(WorkerState::Down), Some(Color::Red));
        assert_eq!(fg(WorkerState::LeftOut), Some(Color::Red));
        assert_eq!(errors_style(0).fg, Some(Color::DarkGray));
        assert_eq!(errors_style(3).fg, Some(Color::Red));
    }
}
