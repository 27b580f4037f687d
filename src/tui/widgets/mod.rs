//! One panel a file; each has one `render(frame, area, &App)` and draws nothing else.

pub mod header;
pub mod help;
pub mod in_flight;
pub mod key_bar;
pub mod latency;
pub mod open_files;
pub mod responses;
pub mod throughput;
pub mod trend;
pub mod urls;
pub mod workers;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::widgets::Block;

/// Draws a panel's border with its title; returns the area inside for its content.
pub fn panel(frame: &mut Frame, area: Rect, title: &str) -> Rect {
    let block = Block::bordered().title(format!(" {title} ").bold());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
