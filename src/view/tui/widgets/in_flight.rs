//! In-flight against the limit: a gauge, the peak, the last change of the limit or the entry.

use super::fit::{self, Item};
use crate::engine::steer::Knob;
use crate::engine::steer::RunState;
use crate::process::untrusted;
use crate::view::tui::app::{App, LimitChange};
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

/// The gaps between a line's items: wide where there is room, one space where not.
const GAPS: [&str; 2] = ["   ", " "];

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let live = &app.live;
    let title = match app.sessions() {
        true => "Sessions in flight",
        false => "In-flight",
    };
    let inner = super::panel(frame, area, title);
    let width = usize::from(inner.width);
    let [gauge, peak, note] = Layout::vertical([Constraint::Length(1); 3]).areas(inner);
    let ratio = (live.gauges.in_flight as f64 / live.gauges.limit.max(1) as f64).clamp(0.0, 1.0);
    let (in_flight, limit) = (live.gauges.in_flight, live.gauges.limit);
    let label = [
        format!("{in_flight} / {limit}"),
        format!("{in_flight}/{limit}"),
    ]
    .into_iter()
    .find(|l| l.chars().count() <= width)
    .unwrap_or_default();
    let g = Gauge::default()
        .gauge_style(Style::new().fg(Color::Blue).bg(Color::Black))
        .ratio(ratio)
        .label(label);
    frame.render_widget(g, gauge);
    let number = |n: usize| Span::raw(n.to_string()).bold();
    // The step goes first where room is short (the help shows it), then the limit (the
    // gauge shows it); the peak is said nowhere else.
    let items = [
        Item::one(vec![Span::raw("peak "), number(live.gauges.peak_in_flight)]),
        Item::one(vec![Span::raw("limit "), number(limit)]),
        Item::one(vec![Span::raw(format!("step {}", app.step)).dark_gray()]),
    ];
    frame.render_widget(Paragraph::new(fit::line(&items, &GAPS, width)), peak);
    frame.render_widget(Paragraph::new(note_line(app, width)), note);
}

/// The entry being typed, else the end of the run, else pause, else the last change of the
/// limit (or how to steer), in `width`.
fn note_line(app: &App, width: usize) -> Line<'static> {
    if let Some(line) = hold_line(app, width) {
        return line;
    }
    if let Some(entry) = &app.entry {
        let knob = match app.knob {
            Knob::Limit => "limit",
            Knob::Rate => "rate/s",
        };
        let typed = || Span::raw(format!("{entry}▏")).bold().yellow();
        let items = [
            Item(vec![
                vec![Span::raw(format!("set {knob}: ")).yellow(), typed()],
                vec![Span::raw(format!("{knob} ")).yellow(), typed()],
            ]),
            Item(vec![
                vec![Span::raw(" ⏎ set, Esc cancel").dark_gray()],
                vec![Span::raw(" ⏎ / Esc").dark_gray()],
            ]),
        ];
        return fit::line(&items, &[""], width);
    }
    let in_flight = app.live.gauges.in_flight;
    match app.live.gauges.state {
        RunState::Done => return Line::from("the run is over".dark_gray()),
        RunState::Paused if in_flight == 0 => {
            return Line::from("paused: nothing in flight".yellow());
        }
        RunState::Paused => {
            let forms = [
                format!("paused: draining {in_flight} in flight"),
                format!("paused: draining {in_flight}"),
                format!("draining {in_flight}"),
            ];
            let item = Item(forms.map(|f| vec![Span::raw(f).yellow()]).to_vec());
            return fit::line(&[item], &[""], width);
        }
        RunState::Running | RunState::Stopping => {}
    }
    match &app.last_change {
        None => Line::from("steer: + - ] [ 0-9 ⏎, a: auto".dark_gray()),
        Some(c) => fit::line(&change_items(c), &[""], width),
    }
}

/// The hold conditions being typed, or why a hold was refused.
fn hold_line(app: &App, width: usize) -> Option<Line<'static>> {
    if let Some(note) = &app.hold_note {
        let shown = untrusted::escaped(note).into_owned();
        return Some(Line::from(Span::raw(shown).red()));
    }
    let entry = untrusted::escaped(app.hold_entry.as_ref()?).into_owned();
    let typed = || Span::raw(format!("{entry}▏")).bold().yellow();
    let items = [
        Item(vec![
            vec![Span::raw("hold: ").magenta(), typed()],
            vec![Span::raw("hold ").magenta(), typed()],
        ]),
        Item(vec![
            vec![Span::raw(" ⏎ hold, Esc cancel").dark_gray()],
            vec![Span::raw(" ⏎ / Esc").dark_gray()],
        ]),
    ];
    Some(fit::line(&items, &[""], width))
}

/// The last change of the limit: from and to, when, and when it took effect (or that it
/// is still draining).
fn change_items(c: &LimitChange) -> Vec<Item> {
    let mut items = vec![
        Item::one(vec![Span::raw(format!("{} → {}", c.from, c.to)).bold()]),
        Item::one(vec![Span::raw(format!(
            " at {}",
            fixed_width::elapsed(c.at)
        ))]),
    ];
    match c.drained_at {
        Some(t) if c.to < c.from => items.push(Item(vec![
            vec![Span::raw(format!(", in effect {}", fixed_width::elapsed(t))).dark_gray()],
            vec![Span::raw(format!(", done {}", fixed_width::elapsed(t))).dark_gray()],
        ])),
        None => items.push(Item::one(vec![Span::raw(", draining…").yellow()])),
        Some(_) => {}
    }
    items
}
