//! Open files against the soft limit (green, yellow past 70%, red past 90%), and whether
//! the limit is capped by them.

use super::fit::{self, Item};
use crate::view::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
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
    let width = usize::from(inner.width);
    let [gauge, limits, cap] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    // No limit read yet (before the first tick): nothing to show against.
    let (bar, line) = match files.soft_limit {
        0 => (None, Line::from("peak …")),
        soft => (
            Some(files.open as f64 / soft as f64),
            limits_line(app.snapshot.peak_open_files, soft, files.hard_limit, width),
        ),
    };
    match bar {
        Some(ratio) => {
            frame.render_widget(usage(files.open, files.soft_limit, ratio, width), gauge)
        }
        None => frame.render_widget(Paragraph::new("… / …".dark_gray()).centered(), gauge),
    }
    let warning = app.live.gauges.capped.map(|n| {
        let forms = [
            format!("limit capped by open files ({n})"),
            format!("capped by open files ({n})"),
            format!("capped by files ({n})"),
            format!("capped ({n})"),
        ];
        let item = Item(forms.map(|f| vec![Span::raw(f).yellow()]).to_vec());
        fit::line(&[item], &[""], width)
    });
    // Where there is no third row (80x24), a warning takes the limits' place.
    match (warning, cap.height) {
        (Some(w), 0) => frame.render_widget(Paragraph::new(w), limits),
        (warning, _) => {
            frame.render_widget(Paragraph::new(line.dark_gray()), limits);
            if let Some(w) = warning {
                frame.render_widget(Paragraph::new(w), cap);
            }
        }
    }
}

/// `peak P   soft S   hard H` in `width`: narrower gaps, then without the hard limit.
fn limits_line(peak: u64, soft: u64, hard: u64, width: usize) -> Line<'static> {
    let items = [("peak", peak), ("soft", soft), ("hard", hard)]
        .map(|(name, n)| Item::one(vec![Span::raw(format!("{name} {n}"))]));
    fit::line(&items, &["   ", " "], width)
}

/// The gauge of `open` files out of `soft`, coloured by how full it is; its label as much
/// of `open / soft (pct%)` as `width` holds whole.
fn usage(open: u64, soft: u64, ratio: f64, width: usize) -> Gauge<'static> {
    let ratio = ratio.clamp(0.0, 1.0);
    let pct = format!("{:.0}%", ratio * 100.0);
    let label = [
        format!("{open} / {soft} ({pct})"),
        format!("{open}/{soft} {pct}"),
        format!("{open}/{soft}"),
        pct,
    ]
    .into_iter()
    .find(|l| l.chars().count() <= width)
    .unwrap_or_default();
    Gauge::default()
        .gauge_style(Style::new().fg(color_for(ratio)).bg(Color::Black))
        .ratio(ratio)
        .label(label)
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
