//! With `--check`: each check's share of passes over the run and its failures, a row each;
//! the share of all evaluations in the title, over the run and over the last second.

use crate::process::untrusted;
use crate::stats::checks::{CheckTally, totals};
use crate::view::tui::app::App;
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Columns of a share (`100%`, `99.95%`) and a count of failures, each with its space.
const SHARE: usize = 7;
const FAILED: usize = fixed_width::COUNT_CHARS + 1;

/// Rows the panel wants for `checks`: one each, and its borders.
pub fn rows_wanted(checks: &[CheckTally]) -> u16 {
    (checks.len() as u16).saturating_add(2)
}

/// `passed` of `judged` as a percentage (`100%`, `99.95%`, `-` before any).
pub fn share(passed: u64, judged: u64) -> String {
    match (judged, passed == judged) {
        (0, _) => "-".to_string(),
        (_, true) => "100%".to_string(),
        // Floored: 99.999% passed is not shown as 100%.
        _ => format!(
            "{:.2}%",
            (10_000.0 * passed as f64 / judged as f64).floor() / 100.0
        ),
    }
}

/// All passed green, a few failed yellow (99% or more passed), more red.
pub fn color(passed: u64, judged: u64) -> Color {
    match judged {
        0 => Color::DarkGray,
        _ if passed == judged => Color::Green,
        _ if 100 * passed >= 99 * judged => Color::Yellow,
        _ => Color::Red,
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let checks = &app.snapshot.counts.checks;
    let (passed, failed) = totals(checks);
    let judged = passed.saturating_add(failed);
    let mut title = vec![
        " Checks ".bold(),
        Span::styled(
            share(passed, judged),
            Style::new().fg(color(passed, judged)),
        ),
    ];
    let tick = &app.snapshot.last_tick;
    let tick_judged = tick.checks_passed.saturating_add(tick.checks_failed);
    if !app.over() && tick_judged > 0 {
        title.push(Span::raw(format!(
            " · {} now",
            share(tick.checks_passed, tick_judged)
        )));
    }
    title.push(Span::raw(" "));
    let inner = super::panel_titled(frame, area, Line::from(title));
    let text_width = usize::from(inner.width).saturating_sub(SHARE + FAILED + 2);
    let lines: Vec<Line> = checks
        .iter()
        .map(|c| {
            let judged = c.passed.saturating_add(c.failed);
            let text = untrusted::escaped(&c.check);
            Line::from(vec![
                Span::styled(
                    format!("{:>SHARE$}", share(c.passed, judged)),
                    Style::new().fg(color(c.passed, judged)).bold(),
                ),
                Span::styled(
                    format!("{:>FAILED$}", fixed_width::count(c.failed)),
                    super::errors_style(c.failed),
                ),
                Span::raw("  "),
                Span::raw(fixed_width::cut_middle(&text, text_width)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_never_rounded_up_to_all() {
        assert_eq!(share(0, 0), "-");
        assert_eq!(share(10, 10), "100%");
        assert_eq!(share(99_999, 100_000), "99.99%");
        assert_eq!(share(1, 3), "33.33%");
        assert_eq!(share(0, 7), "0.00%");
        assert_eq!(color(99, 100), Color::Yellow);
        assert_eq!(color(98, 100), Color::Red);
    }
}
