//! Open files against the soft limit (green, yellow past 70%, red past 90%), and whether
//! the limit is capped by them.

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

/// The gauge colour for a fraction of the limit in use.
pub fn color_for(ratio: f64) -> Color {
    if ratio > 0.9 {
        Color::Red
    } else if ratio > 0.7 {
        Color::Yellow
    } else {
        Color::Green
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let files = &app.snapshot.open_files;
    let inner = super::panel(frame, area, "Open files");
    let [gauge, limits, cap] = Layout::vertical([Constraint::Length(1); 3]).areas(inner);
    let ratio = (files.open as f64 / files.soft_limit.max(1) as f64).clamp(0.0, 1.0);
    let g = Gauge::default()
        .gauge_style(Style::new().fg(color_for(ratio)).bg(Color::Black))
        .ratio(ratio)
        .label(format!(
            "{} / {} ({:.0}%)",
            files.open,
            files.soft_limit,
            ratio * 100.0
        ));
    frame.render_widget(g, gauge);
    let line = Line::from(format!(
        "peak {}   soft {}   hard {}",
        app.snapshot.peak_open_files, files.soft_limit, files.hard_limit
    ))
    .dark_gray();
    frame.render_widget(Paragraph::new(line), limits);
    if let Some(n) = app.live.gauges.capped {
        let warning = Line::from(format!("limit capped by open files ({n})")).yellow();
        frame.render_widget(Paragraph::new(warning), cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauge_turns_yellow_past_70_and_red_past_90_percent() {
        assert_eq!(color_for(0.5), Color::Green);
        assert_eq!(color_for(0.70), Color::Green);
        assert_eq!(color_for(0.71), Color::Yellow);
        assert_eq!(color_for(0.90), Color::Yellow);
        assert_eq!(color_for(0.91), Color::Red);
    }
}
