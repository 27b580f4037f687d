//! With several URLs: a compact table, the busiest first, as many rows as fit, each with
//! the status code that tells it apart (a URL answering 404 shows 404).

use super::fit;
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

/// The columns before the URL (requests, errors, the code, p50, p99), each with its gap:
/// every value in them is whole (`fixed_width`), and a space always parts two.
const REQ: usize = fixed_width::COUNT_CHARS;
const ERR: usize = fixed_width::COUNT_CHARS + 1;
const CODE: usize = 4;
const MS: usize = fixed_width::LATENCY_CHARS + 1;
const WIDTHS: [usize; 5] = [REQ, ERR, CODE + 1, MS, MS];
/// Where the panel is narrow, the columns go in this order (p50, errors, the code, p99)
/// before the URL is cut under `MIN_URL`: a row must say which URL it is.
const DROP_ORDER: [usize; 4] = [3, 1, 2, 4];
const MIN_URL: usize = 16;
/// Between the figures and the URL.
const URL_GAP: &str = "  ";

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
    let urls: Vec<String> = rows
        .iter()
        .map(|(_, u)| untrusted::escaped(u).into_owned())
        .collect();
    let longest = urls.iter().map(|u| u.chars().count()).max().unwrap_or(0);
    let room = width.saturating_sub(URL_GAP.len() + longest.min(MIN_URL));
    let kept = fit::columns(&WIDTHS, &DROP_ORDER, room);
    let figures = fit::kept_width(&WIDTHS, &kept);
    let url_width = width.saturating_sub(figures + URL_GAP.len());
    let heading = [
        format!("{:>REQ$}", "req"),
        format!("{:>ERR$}", "err"),
        format!(" {:<CODE$}", "code"),
        format!("{:>MS$}", "p50"),
        format!("{:>MS$}", "p99"),
    ];
    let mut heading = fit::kept(heading.map(Span::raw), &kept);
    heading.push(Span::raw(format!("{URL_GAP}url")));
    let mut lines = vec![Line::from(heading).dark_gray()];
    let fit = usize::from(inner.height).saturating_sub(1);
    let urls = fixed_width::cut_apart(&urls[..fit.min(urls.len())], url_width);
    for ((f, _), url) in rows.into_iter().zip(urls) {
        let any = f.latency.count > 0;
        let cells = [
            Span::raw(format!("{:>REQ$}", fixed_width::count(f.ok + f.failed))).bold(),
            Span::styled(
                format!("{:>ERR$}", fixed_width::count(f.failed)),
                super::errors_style(f.failed),
            ),
            code(&f.status_codes),
            Span::raw(ms(f.latency.p50_us, any)),
            Span::raw(ms(f.latency.p99_us, any)),
        ];
        let mut spans = fit::kept(cells, &kept);
        spans.push(Span::raw(URL_GAP));
        spans.push(Span::raw(url));
        lines.push(Line::from(spans));
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
