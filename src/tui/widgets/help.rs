//! The help overlay: the key table, with the step and what the numbers mean.

use crate::tui::app::App;
use crate::tui::keys::HELP;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let popup = area.centered(
        Constraint::Length(64),
        Constraint::Length(HELP.len() as u16 + 8),
    );
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::raw(format!("  {keys:<14}")).bold(),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(format!(
        "  The step is {} (--step). Lowering lets in-flight",
        app.step
    )));
    lines.push(Line::from(
        "  drain to the new limit; it never climbs over it.",
    ));
    lines.push(Line::from(
        "  Pause: in-flight drains to 0 and nothing new starts.",
    ));
    lines.push(Line::from(""));
    lines.push(Line::from(
        "  q or ^C stops the run; any other key closes this".dark_gray(),
    ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys ".bold())),
        popup,
    );
}
