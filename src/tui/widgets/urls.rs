//! With several URLs: a compact table, the busiest first, as many rows as fit.

use crate::tui::app::App;
use crate::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Columns of the figures before the URL: requests, errors, p50 and p99.
const FIGURES: &str = "   req   err      p50      p99  ";

/// A latency in 8 columns (`0.42ms`), `-` when no response came.
fn ms(us: u64, any: bool) -> String {
    match any {
        true => format!("{:>8}", fixed_width::latency(us)),
        false => format!("{:>8}", "-"),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let inner = super::panel(frame, area, &format!("URLs ({})", app.urls.len()));
    let width = usize::from(inner.width);
    let mut rows: Vec<_> = app.snapshot.targets.iter().zip(&app.urls).collect();
    // The busiest first; the file's order among equals.
    rows.sort_by_key(|(f, _)| std::cmp::Reverse(f.ok + f.failed));
    let url_width = width.saturating_sub(FIGURES.len()).max(8);
    let mut lines = vec![Line::from(format!("{FIGURES}url").dark_gray())];
    let fit = usize::from(inner.height).saturating_sub(1);
    for (f, url) in rows.into_iter().take(fit) {
        let any = f.latency.count > 0;
        // Cut from the front: URLs of one run mostly differ at their ends (paths).
        let url = fixed_width::cut_front(url, url_width);
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:>6}",
                fixed_width::rate((f.ok + f.failed) as f64)
            ))
            .bold(),
            Span::raw(format!("{:>6}", fixed_width::rate(f.failed as f64))).red(),
            Span::raw(format!(
                " {}{}  ",
                ms(f.latency.p50_us, any),
                ms(f.latency.p99_us, any)
            )),
            Span::raw(url),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
