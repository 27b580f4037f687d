//! The screen layout. `draw` is pure: it reads `&App` and nothing else.
//!
//! ```text
//!  sluice  http://target/  │  12.3s / 30s  │  RUNNING  │  limit 50         <- header
//! ┌ Throughput ──────────────────────┐┌ In-flight ─────────────────┐
//! │ 812 req/s now  795 avg  9750 done ││ ████████████░░░ 42 / 50    │
//! │ ⡀⠤⠒⠉ chart, last 2 minutes       ││ peak 50  limit 50  step 10 │
//! │                                  │└────────────────────────────┘
//! │                                  │┌ Open files ────────────────┐
//! │                                  ││ ██░░░░░ 120 / 1024 (12%)   │
//! └──────────────────────────────────┘└────────────────────────────┘
//! ┌ Latency ─────────────────────────┐┌ Status codes & errors ─────┐
//! │        p50  p90  p99  p99.9  max ││ 200        9750   812/s    │
//! │ chart of p50 and p99             ││ Errors: timeout  3  0/s    │
//! └──────────────────────────────────┘└────────────────────────────┘
//!  + - ↑ ↓ limit ± step   ] [ ×2 ÷2   0-9 ⏎ set   p pause   ? help   q quit  <- key bar
//! ```
//!
//! With `--check`, a Checks panel (a row a check) takes the foot of the codes' column; with
//! `--scenario`, a Steps panel (a row a step) the foot of the screen, up to a third of it.

use super::app::{App, Overlay};
use super::widgets::{
    checks, header, help, in_flight, key_bar, latency, open_files, responses, steps, throughput,
    urls, workers,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

/// Shares of the height for the top band (throughput, gauges) and the middle (latency, codes).
const TOP_SHARE: u16 = 2;
const MIDDLE_SHARE: u16 = 3;
/// Rows of the in-flight panel, borders included.
const IN_FLIGHT_ROWS: u16 = 5;
/// Rows the open-files panel needs to say anything, borders included.
const MIN_FILES_ROWS: u16 = 3;
/// Share of the width the charts get, in percent.
const LEFT_PERCENT: u16 = 60;

/// The body's bands: the charts and gauges, latency and codes, and with `--scenario` the
/// Steps panel at the foot (a third of the body at most).
fn bands(app: &App, body: Rect) -> (Rect, Rect, Option<Rect>) {
    let steps_rows = match app.sessions() {
        true => steps::rows_wanted(app.steps.len()).min(body.height / 3),
        false => 0,
    };
    // Its borders and headings alone would show no step.
    let steps_rows = if steps_rows < steps::rows_wanted(1) {
        0
    } else {
        steps_rows
    };
    let [top, middle, steps_area] = Layout::vertical([
        Constraint::Fill(TOP_SHARE),
        Constraint::Fill(MIDDLE_SHARE),
        Constraint::Length(steps_rows),
    ])
    .areas(body);
    (top, middle, (steps_rows > 0).then_some(steps_area))
}

/// The in-flight panel and under it the open files; where the Steps panel leaves the open
/// files no room for a line, the in-flight panel keeps it all.
fn gauges_of(gauges: Rect) -> (Rect, Option<Rect>) {
    let [in_flight, files] =
        Layout::vertical([Constraint::Length(IN_FLIGHT_ROWS), Constraint::Fill(1)]).areas(gauges);
    match files.height < MIN_FILES_ROWS {
        true => (gauges, None),
        false => (in_flight, Some(files)),
    }
}

/// Draws the whole dashboard for `app`.
pub fn draw(frame: &mut Frame, app: &App) {
    let [head, body, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let (top, middle, steps_area) = bands(app, body);
    let columns = || {
        Layout::horizontal([
            Constraint::Percentage(LEFT_PERCENT),
            Constraint::Percentage(100 - LEFT_PERCENT),
        ])
    };
    let [throughput_area, gauges] = columns().areas(top);
    let (in_flight_area, files_area) = gauges_of(gauges);
    let [latency_area, right] = columns().areas(middle);
    // With --check, their panel takes the foot of the right column (at most half of it).
    let (right, checks_area) = match app.snapshot.counts.checks.is_empty() {
        true => (right, None),
        false => {
            let rows = checks::rows_wanted(&app.snapshot.counts.checks).min(right.height / 2);
            let [rest, foot] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(rows)]).areas(right);
            (rest, Some(foot))
        }
    };
    // With several URLs (or a fleet's workers), the codes panel shares its column with
    // their table.
    let (responses_area, urls_area) = match app.urls.is_empty() && app.workers.is_empty() {
        true => (right, None),
        false => {
            let [codes, urls] =
                Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(right);
            (codes, Some(urls))
        }
    };

    header::render(frame, head, app);
    throughput::render(frame, throughput_area, app);
    in_flight::render(frame, in_flight_area, app);
    if let Some(area) = files_area {
        open_files::render(frame, area, app);
    }
    latency::render(frame, latency_area, app);
    responses::render(frame, responses_area, app);
    match urls_area {
        Some(area) if !app.workers.is_empty() => workers::render(frame, area, app),
        Some(area) => urls::render(frame, area, app),
        None => {}
    }
    if let Some(area) = checks_area {
        checks::render(frame, area, app);
    }
    if let Some(area) = steps_area {
        steps::render(frame, area, app);
    }
    key_bar::render(frame, keys, app);
    if app.overlay == Overlay::Help {
        help::render(frame, frame.area(), app);
    }
}
