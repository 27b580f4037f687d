//! One panel a file; each has one `render(frame, area, &App)` and draws nothing else.

pub mod checks;
pub mod fit;
pub mod header;
pub mod help;
pub mod in_flight;
pub mod key_bar;
pub mod latency;
pub mod open_files;
pub mod responses;
pub mod steps;
pub mod throughput;
pub mod trend;
pub mod urls;
pub mod workers;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::Block;

/// Draws a panel's border with its title; returns the area inside for its content.
pub fn panel(frame: &mut Frame, area: Rect, title: &str) -> Rect {
    panel_titled(frame, area, Line::from(format!(" {title} ").bold()))
}

/// The same with a title of several spans (a chart's legend).
pub fn panel_titled(frame: &mut Frame, area: Rect, title: Line<'static>) -> Rect {
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A count of errors stands out in red only when there are some.
pub fn errors_style(failed: u64) -> Style {
    match failed {
        0 => Style::new().dark_gray(),
        _ => Style::new().red(),
    }
}
