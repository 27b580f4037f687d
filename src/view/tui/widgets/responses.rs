//! Status codes and error kinds: totals and the rate over the last tick (once the run is
//! over, over the whole run).

use crate::view::tui::app::{App, RateRow};
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// Colour by status class: 2xx green, 3xx cyan, 4xx yellow, 5xx red.
pub fn status_color(code: u16) -> Color {
    match code {
        200..=299 => Color::Green,
        300..=399 => Color::Cyan,
        400..=499 => Color::Yellow,
        _ => Color::Red,
    }
}

/// Columns of a row's count (at least; a space before it always) and rate.
const COUNT_WIDTH: usize = 9;
/// A space, up to six characters of rate (`123.4k`) and `/s`.
const RATE_WIDTH: usize = 3 + fixed_width::RATE_CHARS;

/// What a row shows.
struct Row {
    label: String,
    color: Color,
    total: u64,
    per_s: f64,
}

/// One row in `width` columns, its count in `count_width`: the label is cut (with …)
/// rather than the row wrapped or a number cut.
fn row(r: Row, count_width: usize, width: usize) -> Line<'static> {
    let label_width = width.saturating_sub(count_width + RATE_WIDTH).clamp(6, 24);
    let label = match r.label.chars().count() > label_width {
        true => r.label.chars().take(label_width - 1).chain(['…']).collect(),
        false => r.label,
    };
    Line::from(vec![
        Span::styled(format!("{label:<label_width$}"), Style::new().fg(r.color)),
        Span::raw(format!(" {:>w$}", r.total, w = count_width - 1)).bold(),
        Span::raw(format!(
            " {:>w$}/s",
            fixed_width::rate(r.per_s),
            w = RATE_WIDTH - 3
        ))
        .dark_gray(),
    ])
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let block = Block::bordered().title(" Status codes & errors ".bold());
    let width = usize::from(block.inner(area).width);
    let mut heading = vec![Span::raw("Status codes").underlined()];
    if app.over() {
        heading.push(Span::raw("  (/s: whole run)").dark_gray());
    }
    let mut lines = vec![Line::from(heading)];
    if app.statuses.is_empty() {
        lines.push(Line::from("  no responses yet".dark_gray()));
    }
    // One width for every count, so they line up: the widest and a space.
    let widest = app.statuses.iter().map(|r| r.total);
    let widest = widest.chain(app.errors.iter().map(|r| r.total)).max();
    let count_width = COUNT_WIDTH.max(widest.unwrap_or(0).to_string().len() + 1);
    let line = |label: String, color: Color, total: u64, per_s: f64| {
        let cells = Row {
            label,
            color,
            total,
            per_s,
        };
        row(cells, count_width, width)
    };
    lines.extend(app.statuses.iter().map(|r: &RateRow<u16>| {
        line(format!(" {}", r.key), status_color(r.key), r.total, r.per_s)
    }));
    lines.push(Line::from(""));
    lines.push(Line::from("Errors".underlined()));
    if app.errors.is_empty() {
        lines.push(Line::from("  none".dark_gray()));
    }
    lines.extend(
        app.errors
            .iter()
            .map(|r| line(format!(" {}", r.key.as_str()), Color::Red, r.total, r.per_s)),
    );
    for hint in app.snapshot.counts.hints() {
        lines.push(Line::from(""));
        lines.push(Line::from(hint.yellow()));
    }
    let text = Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .block(block);
    frame.render_widget(text, area);
}
