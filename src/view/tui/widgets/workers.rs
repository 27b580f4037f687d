//! In a fleet view: one compact row per worker (up or down, req/s, in flight, errors), so
//! a worker that falls behind or disappears shows at once.

use super::fit;
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

/// A state is shown in this many characters at least (`stopping`, `left out`).
const STATE: usize = 8;
/// The columns after the state, each with its gap: req/s, in flight of the limit, errors.
const RPS: usize = fixed_width::RATE_CHARS + 1;
const ERR: usize = fixed_width::COUNT_CHARS + 1;
/// Where the panel is narrow, in flight goes first, then errors, then req/s, before the
/// name is cut under `MIN_NAME`: a row must say which worker it is.
const DROP_ORDER: [usize; 3] = [2, 3, 1];
const MIN_NAME: usize = 12;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let workers = &app.workers;
    let down = workers.iter().filter(|w| !w.state.is_up()).count();
    let title = match down {
        0 => format!("Workers ({})", workers.len()),
        n => format!("Workers ({}, {n} down)", workers.len()),
    };
    let inner = super::panel(frame, area, &title);
    let width = usize::from(inner.width);
    let states: Vec<String> = workers
        .iter()
        .map(|w| w.state.as_str().to_string())
        .collect();
    let names: Vec<String> = workers
        .iter()
        .map(|w| untrusted::escaped(&w.name).into_owned())
        .collect();
    let gauges: Vec<String> = workers
        .iter()
        .map(|w| format!("{}/{}", w.in_flight, w.limit))
        .collect();
    let widest = |texts: &[String], least: usize| {
        texts
            .iter()
            .map(|t| t.chars().count())
            .fold(least, usize::max)
    };
    let state_width = widest(&states, STATE);
    let gauge_width = widest(&gauges, "in-flight".len()) + 2;
    let widths = [state_width, RPS, gauge_width, ERR];
    let room = width.saturating_sub(1 + widest(&names, 0).min(MIN_NAME));
    let kept = fit::columns(&widths, &DROP_ORDER, room);
    let figures = fit::kept_width(&widths, &kept);
    let name_width = width.saturating_sub(figures + 1);
    let heading = [
        format!("{:<state_width$}", "state"),
        format!("{:>RPS$}", "req/s"),
        format!("{:>gauge_width$}", "in-flight"),
        format!("{:>ERR$}", "err"),
    ];
    let mut heading = fit::kept(heading.map(Span::raw), &kept);
    heading.push(Span::raw(" worker"));
    let mut lines = vec![Line::from(heading).dark_gray()];
    let fit = usize::from(inner.height).saturating_sub(1);
    let names = fixed_width::cut_apart(&names[..fit.min(names.len())], name_width);
    for (i, w) in workers.iter().enumerate().take(fit) {
        let cells = [
            Span::styled(format!("{:<state_width$}", states[i]), state_style(w)),
            Span::raw(format!("{:>RPS$}", fixed_width::rate(w.rps))).bold(),
            Span::raw(format!("{:>gauge_width$}", gauges[i])),
            Span::styled(
                format!("{:>ERR$}", fixed_width::count(w.failed)),
                super::errors_style(w.failed),
            ),
        ];
        let mut spans = fit::kept(cells, &kept);
        spans.push(Span::raw(" "));
        spans.push(Span::raw(names[i].clone()));
        lines.push(Line::from(spans));
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
