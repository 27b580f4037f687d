//! The top line: target (marked when it is the demo target), progress, state and the two
//! knobs, the one the keys steer marked.

use crate::generator::{RunState, ScheduleState};
use crate::tui::app::{App, Knob, Phase};
use crate::tui::fixed_width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    // Wide separators where they fit, narrow ones where the terminal is narrow (80).
    let wide = line(app, "  │  ", "  ");
    let fits = wide.width() <= usize::from(area.width);
    let chosen = if fits { wide } else { line(app, " │ ", " ") };
    frame.render_widget(Paragraph::new(chosen), area);
}

/// The whole line, with `sep` between its parts and `gap` between the knobs.
fn line(app: &App, sep: &'static str, gap: &'static str) -> Line<'static> {
    let sep = || Span::raw(sep).dark_gray();
    let mut spans = vec![
        Span::raw(" sluice ").bold().black().on_cyan(),
        Span::raw(" "),
    ];
    if app.demo {
        spans.push(Span::raw("demo target ").yellow());
    }
    spans.extend([
        Span::raw(app.target.clone()).bold(),
        sep(),
        Span::raw(progress(app)),
        sep(),
        state_badge(app),
        sep(),
    ]);
    let limit = app.live.gauges.limit.to_string();
    let rate = app
        .live
        .gauges
        .rate
        .map_or("off".to_string(), |r| format!("{}/s", fixed_width::rate(r)));
    spans.extend(knob(app, Knob::Limit, limit));
    spans.push(Span::raw(gap));
    spans.extend(knob(app, Knob::Rate, rate));
    Line::from(spans)
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

/// Elapsed time, plus how far through -z or -n the run is.
fn progress(app: &App) -> String {
    let live = &app.live;
    let mut out = fixed_width::elapsed(live.elapsed);
    if let Some(d) = app.plan.duration {
        out.push_str(&format!(" / {}", fixed_width::elapsed(d)));
    }
    if let Some(n) = app.plan.max_requests {
        let ended = app.snapshot.counts.total() + app.snapshot.counts.aborted;
        let pct = 100.0 * ended as f64 / n.max(1) as f64;
        out.push_str(&format!("  {ended}/{n} req ({pct:.0}%)"));
    }
    match (app.schedule, app.live.gauges.schedule) {
        (Some(name), ScheduleState::Playing { step, of }) => {
            out.push_str(&format!("  {name} {step}/{of}"));
        }
        (Some(_), ScheduleState::Manual) => out.push_str("  manual"),
        (Some(name), ScheduleState::Ended) => out.push_str(&format!("  {name}s done")),
        (None, _) | (Some(_), ScheduleState::None) => {
            if app.plan.duration.is_none() && app.plan.max_requests.is_none() {
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
