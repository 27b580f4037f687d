//! The top line: target (marked when it is the demo target), progress, state and the two
//! knobs, the one the keys steer marked. A narrow terminal cuts the URL, never the state or
//! the knobs.

use crate::engine::steer::Knob;
use crate::engine::steer::{RunState, ScheduleState};
use crate::process::untrusted;
use crate::view::tui::app::{self, App, Phase};
use crate::view::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// How much of the line a terminal's width allows, widest first.
struct Fit {
    /// Between the parts, and between the two knobs.
    sep: &'static str,
    gap: &'static str,
    /// The ` sluice ` badge.
    badge: bool,
    /// What marks the demo target.
    demo: &'static str,
    /// How much of the progress: in full (`(until stopped)`, `done/N req (pct%)`), short
    /// (`pct%`), or only the times.
    progress: Progress,
}

#[derive(Clone, Copy, PartialEq)]
enum Progress {
    Full,
    Short,
    Times,
}

const FITS: [Fit; 5] = [
    Fit {
        sep: "  │  ",
        gap: "  ",
        badge: true,
        demo: "demo target ",
        progress: Progress::Full,
    },
    Fit {
        sep: " │ ",
        gap: " ",
        badge: true,
        demo: "demo target ",
        progress: Progress::Full,
    },
    Fit {
        sep: " │ ",
        gap: " ",
        badge: true,
        demo: "demo ",
        progress: Progress::Short,
    },
    Fit {
        sep: " │ ",
        gap: " ",
        badge: false,
        demo: "",
        progress: Progress::Short,
    },
    // Where the widest knobs leave the URL no room: the times only.
    Fit {
        sep: " │ ",
        gap: " ",
        badge: false,
        demo: "",
        progress: Progress::Times,
    },
];

/// A URL is cut no shorter than this while a tighter fit can make room for more of it.
const MIN_URL_CHARS: usize = 20;

/// The widest fit that shows the whole URL; else the URL is cut (from the middle), never the
/// state or the knobs: the first narrow fit that leaves it `MIN_URL_CHARS`, or the tightest.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let target = untrusted::escaped(&app.target);
    let url_chars = target.chars().count();
    let width = usize::from(area.width);
    let rooms: Vec<usize> = FITS
        .iter()
        .map(|fit| width.saturating_sub(line(app, fit, String::new()).width()))
        .collect();
    let chosen = (0..FITS.len())
        .find(|i| rooms[*i] >= url_chars)
        .or_else(|| (1..FITS.len()).find(|i| rooms[*i] >= MIN_URL_CHARS))
        .unwrap_or(FITS.len() - 1);
    let url = fixed_width::cut_middle(&target, rooms[chosen]);
    frame.render_widget(Paragraph::new(line(app, &FITS[chosen], url)), area);
}

/// The whole line as `fit` lays it out, with `url` as the target.
fn line(app: &App, fit: &Fit, url: String) -> Line<'static> {
    let sep = || Span::raw(fit.sep).dark_gray();
    let mut spans = Vec::with_capacity(12);
    if fit.badge {
        spans.extend([
            Span::raw(" sluice ").bold().black().on_cyan(),
            Span::raw(" "),
        ]);
    }
    if app.demo && !fit.demo.is_empty() {
        spans.push(Span::raw(fit.demo).yellow());
    }
    spans.extend([
        Span::raw(url).bold(),
        sep(),
        Span::raw(progress(app, fit.progress)),
        sep(),
        state_badge(app),
        sep(),
    ]);
    if let Some(auto) = autopilot(app) {
        spans.extend([Span::raw(auto).bold().magenta(), Span::raw(fit.gap)]);
    }
    let limit = app.live.gauges.limit.to_string();
    let rate = app
        .live
        .gauges
        .rate
        .map_or("off".to_string(), |r| format!("{}/s", fixed_width::rate(r)));
    spans.extend(knob(app, Knob::Limit, limit));
    spans.push(Span::raw(fit.gap));
    spans.extend(knob(app, Knob::Rate, rate));
    Line::from(spans)
}

/// `auto p99<200ms` while the autopilot holds the knobs (the knob's value follows).
fn autopilot(app: &App) -> Option<String> {
    let line = app.hold.line().filter(|_| app::auto_holds(app))?;
    Some(format!("auto {}", untrusted::escaped(&line)))
}

/// A knob's name and value; the one the keys steer is marked ▸ and reversed.
fn knob(app: &App, which: Knob, value: String) -> [Span<'static>; 2] {
    let name = which.as_str();
    if app.knob == which {
        [
            Span::raw(format!("▸{name} ")).bold().yellow(),
            Span::raw(value).bold().black().on_yellow(),
        ]
    } else {
        [Span::raw(format!(" {name} ")), Span::raw(value).bold()]
    }
}

/// Elapsed time (and the -z), plus how far through -n the run is and its schedule's step
/// (`Full`: with the counts and "(until stopped)"; `Times`: neither).
fn progress(app: &App, how: Progress) -> String {
    let live = &app.live;
    let mut out = fixed_width::elapsed(live.elapsed);
    if let Some(d) = app.plan.duration {
        out.push_str(&format!(" / {}", fixed_width::elapsed(d)));
    }
    if how == Progress::Times {
        return out;
    }
    let full = how == Progress::Full;
    if let Some(n) = app.plan.max_requests {
        let ended = app.snapshot.counts.total() + app.snapshot.counts.aborted;
        // --scenario: -n counts sessions.
        let (ended, what) = match &app.snapshot.sessions {
            Some(sessions) => (sessions.started, "sessions"),
            None => (ended, "req"),
        };
        let pct = 100.0 * ended as f64 / n.max(1) as f64;
        match full {
            true => out.push_str(&format!("  {ended}/{n} {what} ({pct:.0}%)")),
            false => out.push_str(&format!("  {pct:.0}%")),
        }
    }
    match (app.schedule, app.live.gauges.schedule) {
        (Some(name), ScheduleState::Playing { step, of }) => {
            out.push_str(&format!("  {name} {step}/{of}"));
        }
        (Some(_), ScheduleState::Manual) => out.push_str("  manual"),
        (Some(name), ScheduleState::Ended) => out.push_str(&format!("  {name}s done")),
        (None, _) | (Some(_), ScheduleState::None) => {
            if full && app.plan.duration.is_none() && app.plan.max_requests.is_none() {
                out.push_str("  (until stopped)");
            }
        }
    }
    out
}

fn state_badge(app: &App) -> Span<'static> {
    let (word, color) = match (app.phase, app.live.gauges.state) {
        (_, RunState::Done) | (Phase::Finished | Phase::Exit, _) => ("DONE", Color::Cyan),
        (Phase::Quitting, _) | (_, RunState::Stopping) => ("STOPPING", Color::Magenta),
        (_, RunState::Paused) => ("PAUSED", Color::Yellow),
        (_, RunState::Running) => ("RUNNING", Color::Green),
    };
    Span::styled(word, Style::new().fg(color).add_modifier(Modifier::BOLD))
}
