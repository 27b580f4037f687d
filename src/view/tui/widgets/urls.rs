//! With several URLs: a compact table, the busiest first, as many rows as fit, each with
//! the status code that tells it apart (a URL answering 404 shows 404).

use super::responses::status_color;
use crate::process::untrusted;
use crate::view::tui::app::App;
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::BTreeMap;

/// Columns of requests, errors, the code, p50 and p99; then two spaces and the URL.
const REQ: usize = 6;
const ERR: usize = 6;
const CODE: usize = 4;
const MS: usize = 7;
const FIGURES: usize = REQ + ERR + 1 + CODE + MS + MS + 2;

/// A latency in `MS` columns (`0.42ms`), `-` when no response came.
fn ms(us: u64, any: bool) -> String {
    match any {
        true => format!("{:>MS$}", fixed_width::latency(us)),
        false => format!("{:>MS$}", "-"),
    }
}

/// The code a URL's row shows: its most frequent code outside 2xx if it had any, else its
/// most frequent; with a `+` when it had others too. Only a code outside 2xx is coloured.
fn code(codes: &BTreeMap<u16, u64>) -> Span<'static> {
    let busiest = |non_2xx: bool| {
        codes
            .iter()
            .filter(|(c, _)| non_2xx != (200..300).contains(*c))
            .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
            .map(|(c, _)| *c)
    };
    let Some(shown) = busiest(true).or_else(|| busiest(false)) else {
        return Span::raw(format!(" {:<CODE$}", "-")).dark_gray();
    };
    let more = if codes.len() > 1 { "+" } else { "" };
    let text = format!(" {:<CODE$}", format!("{shown}{more}"));
    match (200..300).contains(&shown) {
        true => Span::raw(text).dark_gray(),
        false => Span::styled(text, Style::new().fg(status_color(shown)).bold()),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let inner = super::panel(frame, area, &format!("URLs ({})", app.urls.len()));
    let width = usize::from(inner.width);
    let mut rows: Vec<_> = app.snapshot.targets.iter().zip(&app.urls).collect();
    // The busiest first; the file's order among equals.
    rows.sort_by_key(|(f, _)| std::cmp::Reverse(f.ok + f.failed));
    let url_width = width.saturating_sub(FIGURES).max(8);
    let heading = format!(
        "{:>REQ$}{:>ERR$} {:<CODE$}{:>MS$}{:>MS$}  url",
        "req", "err", "code", "p50", "p99"
    );
    let mut lines = vec![Line::from(heading.dark_gray())];
    let fit = usize::from(inner.height).saturating_sub(1);
    for (f, url) in rows.into_iter().take(fit) {
        let any = f.latency.count > 0;
        // Cut from the front: URLs of one run mostly differ at their ends (paths).
        let url = fixed_width::cut_front(&untrusted::escaped(url), url_width);
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:>REQ$}",
                fixed_width::rate((f.ok + f.failed) as f64)
            ))
            .bold(),
            Span::styled(
                format!("{:>ERR$}", fixed_width::rate(f.failed as f64)),
                super::errors_style(f.failed),
            ),
            code(&f.status_codes),
            Span::raw(format!(
                "{}{}  ",
                ms(f.latency.p50_us, any),
                ms(f.latency.p99_us, any)
            )),
            Span::raw(url),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(codes: &[(u16, u64)]) -> String {
        code(&codes.iter().copied().collect())
            .content
            .trim()
            .to_string()
    }

    #[test]
    fn a_code_outside_2xx_is_the_one_shown() {
        assert_eq!(shown(&[]), "-");
        assert_eq!(shown(&[(200, 90)]), "200");
        assert_eq!(shown(&[(404, 90)]), "404");
        assert_eq!(shown(&[(200, 900), (404, 3), (503, 5)]), "503+");
        assert_eq!(shown(&[(204, 5), (200, 5)]), "200+");
    }
}
