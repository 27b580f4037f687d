//! With `--scenario`: a row a step (its req/s, p50 and p99 over the last second, its p99,
//! failures, skipped requests and checks over the whole run), the sessions in the title.

use super::checks::{color as checks_color, share};
use super::fit::{self, Item};
use crate::process::untrusted;
use crate::stats::by_step::StepFigures;
use crate::stats::checks::totals;
use crate::stats::step_ticks::StepTick;
use crate::view::tui::app::App;
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The figures' columns, each with its gap: req/s, p50 and p99 of the last second, p99 of
/// the run, failed, skipped, checks.
const RATE: usize = fixed_width::RATE_CHARS + 1;
const MS: usize = fixed_width::LATENCY_CHARS + 1;
const RUN_MS: usize = MS + 1;
const FAILED: usize = fixed_width::COUNT_CHARS + 2;
const SKIPPED: usize = fixed_width::COUNT_CHARS + 3;
const CHECKS: usize = 7;
const WIDTHS: [usize; 7] = [RATE, MS, MS, RUN_MS, FAILED, SKIPPED, CHECKS];
const HEADINGS: [&str; 7] = [
    "req/s", "p50 1s", "p99 1s", "p99 run", "failed", "skipped", "checks",
];
/// Where the panel is narrow: skipped, p50, the run's p99, failed go first, before a step's
/// name is cut under `MIN_NAME`.
const DROP_ORDER: [usize; 4] = [5, 1, 3, 4];
const MIN_NAME: usize = 10;
/// After the longest name.
const NAME_GAP: usize = 2;
/// The most spaces added before each column where the panel is wide.
const MOST_SPREAD: usize = 3;

/// Rows the panel wants for `steps` steps: one each, the headings and the borders.
pub fn rows_wanted(steps: usize) -> u16 {
    u16::try_from(steps).unwrap_or(u16::MAX).saturating_add(3)
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.snapshot;
    let room = usize::from(area.height.saturating_sub(3));
    let inner = super::panel_titled(frame, area, title(app, room, usize::from(area.width)));
    let names: Vec<String> = app
        .steps
        .iter()
        .map(|n| untrusted::escaped(n).into_owned())
        .collect();
    let width = usize::from(inner.width);
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let kept = fit::columns(
        &WIDTHS,
        &DROP_ORDER,
        width.saturating_sub(longest.min(MIN_NAME)),
    );
    let figures = fit::kept_width(&WIDTHS, &kept);
    // The names as wide as the longest (and a gap), the figures beside them, not far off.
    let name_width = (longest + NAME_GAP)
        .max(MIN_NAME)
        .min(width.saturating_sub(figures));
    // Room left over spreads the columns a little.
    let columns = kept.iter().filter(|k| **k).count().max(1);
    let spread = (width.saturating_sub(name_width + figures) / columns).min(MOST_SPREAD);
    let padded = |cells: Vec<Span<'static>>| -> Vec<Span<'static>> {
        let pad = |c: Span<'static>| Span::styled(format!("{:spread$}{}", "", c.content), c.style);
        cells.into_iter().map(pad).collect()
    };
    let mut heading = vec![Span::raw(format!("{:<name_width$}", "step"))];
    let headings = HEADINGS
        .iter()
        .zip(WIDTHS)
        .map(|(h, w)| Span::raw(format!("{h:>w$}")));
    heading.extend(padded(fit::kept(headings, &kept)));
    let mut lines = vec![Line::from(heading).dark_gray()];
    let ticks = s.last_tick.steps.as_deref().unwrap_or(&[]);
    let none = StepFigures::default();
    for (i, name) in names.iter().take(room).enumerate() {
        let run = s.steps.get(i).unwrap_or(&none);
        let tick = ticks.get(i).filter(|_| !app.over());
        let mut spans = vec![Span::raw(format!(
            "{:<name_width$}",
            fixed_width::cut_middle(name, name_width.saturating_sub(NAME_GAP))
        ))];
        spans.extend(padded(fit::kept(cells(run, tick), &kept)));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// ` Steps `, how many are shown of how many where not all fit, and the sessions, in `width`.
fn title(app: &App, room: usize, width: usize) -> Line<'static> {
    let steps = app.steps.len();
    let shown = match room < steps {
        true => format!(" Steps ({room} of {steps}) "),
        false => " Steps ".to_string(),
    };
    let mut items = vec![Item::one(vec![Span::raw(shown).bold()])];
    if let Some(n) = &app.snapshot.sessions {
        let number = |v: u64| Span::raw(fixed_width::count(v)).bold();
        let failed = Span::styled(fixed_width::count(n.failed), super::errors_style(n.failed));
        items.push(Item(vec![
            vec![
                Span::raw("· sessions "),
                number(n.started),
                Span::raw(" started · "),
                number(n.completed),
                Span::raw(" completed · "),
                failed.clone(),
                Span::raw(" failed "),
            ],
            vec![
                Span::raw("· "),
                number(n.started),
                Span::raw(" started "),
                number(n.completed),
                Span::raw(" done "),
                failed,
                Span::raw(" failed "),
            ],
        ]));
    }
    fit::line(&items, &[""], width.saturating_sub(2))
}

/// A step's cells: its last second (None: none to show) and its whole run.
fn cells(run: &StepFigures, tick: Option<&StepTick>) -> [Span<'static>; 7] {
    let ms = |us: u64, any: bool, w: usize| match any {
        true => format!("{:>w$}", fixed_width::latency(us)),
        false => format!("{:>w$}", "-"),
    };
    let now = tick.copied().unwrap_or_default();
    let any_now = tick.is_some_and(|t| t.latency.count > 0);
    let rate = match tick {
        Some(t) => format!("{:>RATE$}", fixed_width::rate(t.rps)),
        None => format!("{:>RATE$}", "-"),
    };
    let (passed, failed) = totals(&run.checks);
    let judged = passed.saturating_add(failed);
    let checks = match run.checks.is_empty() {
        true => Span::raw(format!("{:>CHECKS$}", "")),
        false => Span::styled(
            format!("{:>CHECKS$}", share(passed, judged)),
            Style::new().fg(checks_color(passed, judged)),
        ),
    };
    let skipped = format!("{:>SKIPPED$}", fixed_width::count(run.skipped));
    [
        Span::raw(rate).bold(),
        Span::raw(ms(now.latency.p50_us, any_now, MS)).cyan(),
        Span::raw(ms(now.latency.p99_us, any_now, MS)).magenta(),
        Span::raw(ms(run.latency.p99_us, run.latency.count > 0, RUN_MS)),
        Span::styled(
            format!("{:>FAILED$}", fixed_width::count(run.failed)),
            super::errors_style(run.failed),
        ),
        match run.skipped {
            0 => Span::raw(skipped).dark_gray(),
            _ => Span::raw(skipped).yellow(),
        },
        checks,
    ]
}
