//! The help overlay: the key table, with the step and what the numbers mean.

use crate::view::tui::app::App;
use crate::view::tui::keys::HELP;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let popup = area.centered(
        Constraint::Length(64),
        Constraint::Length(HELP.len() as u16 + 9),
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
    let rate_step = app
        .rate_step
        .map_or("10%".to_string(), |r| format!("{r}/s"));
    lines.push(Line::from(format!(
        "  Steps: limit {} (--step), rate {rate_step} (--rate-step).",
        app.step
    )));
    lines.push(Line::from(
        "  Lowering the limit lets in-flight drain to it.",
    ));
    lines.push(Line::from(
        "  A rate counts latency from when each request was due.",
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
