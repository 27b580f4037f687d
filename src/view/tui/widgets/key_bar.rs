//! The bottom line: every key, from the key table; or, once the run is done, how to leave.

use crate::view::tui::app::{App, Phase};
use crate::view::tui::keys::KEY_BAR;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    if app.phase == Phase::Finished {
        let line = Line::from(vec![
            Span::raw(" the run is done ").black().on_cyan(),
            Span::raw("  press any key to leave and print the summary").bold(),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    // Three spaces between keys where they fit, one where the terminal is narrow (80).
    let width = |gap: usize| -> usize {
        KEY_BAR
            .iter()
            .map(|(k, w)| k.chars().count() + w.chars().count() + 3 + gap)
            .sum()
    };
    let gap = if width(3) <= usize::from(area.width) {
        3
    } else {
        1
    };
    let mut spans = Vec::with_capacity(KEY_BAR.len() * 2);
    for (keys, what) in KEY_BAR {
        spans.push(Span::raw(format!(" {keys} ")).black().on_gray());
        spans.push(Span::raw(format!(" {what}{:gap$}", "")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
