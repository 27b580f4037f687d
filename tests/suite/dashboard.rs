//! Whole-screen snapshots of the dashboard on ratatui's TestBackend, with fixed data.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::outcome::{ErrorKind, Outcome, Verdict};
use sluicegate::engine::steer::{Gauges, RunState, ScheduleState};
use sluicegate::process::probe::fd::FdUsage;
use sluicegate::schedule::autopilot::Shown;
use sluicegate::stats::by_target::TargetFigures;
use sluicegate::stats::latency::LatencySummary;
use sluicegate::stats::snapshot::Snapshot;
use sluicegate::stats::window::{TickSummary, Window};
use sluicegate::view::tui::app::{App, LimitChange, Live, Msg, update};
use sluicegate::view::tui::fleet_rows::{WorkerRow, WorkerState};
use sluicegate::view::tui::ui;
use std::time::Duration;

/// A run of 90 one-second ticks: 200s (with a 503 now and then) at rising latency, a few timeouts.
fn snapshot_after(ticks: u64) -> Snapshot {
    let mut w = Window::new(300);
    for t in 1..=ticks {
        for i in 0..(400 + t * 5) {
            let verdict = if i % 97 == 0 {
                Verdict::Status(503)
            } else {
                Verdict::Status(200)
            };
            w.record(&Outcome {
                latency_us: 2_000 + (i % 50) * 200 + t * 30,
                verdict,
                bytes: 13,
                // The head comes 1.2 ms before the last byte; the first tick opens the
                // 50 connections.
                ttfb_us: (800 + (i % 50) * 200 + t * 30) as u32,
                connect_us: (250 + i * 7) as u32,
                opened: u8::from(t == 1 && i < 50),
                ..Outcome::aborted()
            });
        }
        if t % 10 == 0 {
            w.record(&Outcome {
                latency_us: 30_000_000,
                verdict: Verdict::Error(ErrorKind::Timeout),
                ..Outcome::aborted()
            });
        }
        w.rotate(Duration::from_secs(t));
    }
    let last_tick = w.recent().back().expect("a tick").clone();
    Snapshot {
        elapsed: Duration::from_secs(ticks),
        counts: w.counts().clone(),
        last_tick,
        recent: w.recent().iter().cloned().collect(),
        cumulative: w.cumulative(),
        cumulative_service: w.cumulative_service(),
        cumulative_ttfb: w.cumulative_ttfb(),
        cumulative_connect: w.cumulative_connect(),
        gauges: Gauges {
            state: RunState::Running,
            limit: 50,
            in_flight: 42,
            peak_in_flight: 50,
            ..Gauges::default()
        },
        open_files: FdUsage {
            open: 800,
            soft_limit: 1024,
            hard_limit: 4096,
        },
        peak_open_files: 812,
        targets: Vec::new(),
        ..Snapshot::default()
    }
}

fn app_with_data() -> App {
    let plan = Plan {
        max_requests: None,
        duration: Some(Duration::from_secs(300)),
    };
    let mut app = App::new("http://127.0.0.1:8080/".into(), false, plan, 50, 10, false);
    update(&mut app, Msg::Snapshot(Box::new(snapshot_after(89))));
    update(&mut app, Msg::Snapshot(Box::new(snapshot_after(90))));
    update(
        &mut app,
        Msg::Frame(Live {
            elapsed: Duration::from_millis(90_400),
            gauges: Gauges {
                limit: 50,
                cap: 10_000,
                capped: None,
                in_flight: 42,
                peak_in_flight: 50,
                state: RunState::Running,
                ..Gauges::default()
            },
        }),
    );
    app
}

/// The dashboard for `app` drawn on a `width` x `height` test terminal, as text.
pub(crate) fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|frame| ui::draw(frame, app)).expect("draw");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[test]
fn dashboard_at_100x30() {
    insta::assert_snapshot!(screen(&app_with_data(), 100, 30));
}

#[test]
fn dashboard_at_160x45() {
    insta::assert_snapshot!(screen(&app_with_data(), 160, 45));
}

#[test]
fn a_limit_change_shows_at_once_with_its_time() {
    let mut app = app_with_data();
    press(&mut app, KeyCode::Char('['));
    let s = screen(&app, 100, 30);
    assert!(s.contains("limit 25"), "{s}");
    assert!(s.contains("50 → 25 at 1m30s, draining…"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn typing_a_limit_shows_the_entry() {
    let mut app = app_with_data();
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('2'));
    let s = screen(&app, 100, 30);
    assert!(s.contains("set limit: 12▏"), "{s}");
}

#[test]
fn paused_shows_in_the_header_and_the_in_flight_panel() {
    let mut app = app_with_data();
    press(&mut app, KeyCode::Char('p'));
    let s = screen(&app, 100, 30);
    assert!(s.contains("PAUSED"), "{s}");
    assert!(s.contains("paused: draining 42 in flight"), "{s}");
}

#[test]
fn a_limit_above_the_open_file_cap_says_so() {
    let mut app = app_with_data();
    app.live.gauges.cap = 60;
    press(&mut app, KeyCode::Char(']'));
    let s = screen(&app, 100, 30);
    assert!(s.contains("limit 60"), "{s}");
    assert!(s.contains("capped by open files (60)"), "{s}");
    let s = screen(&app, 80, 24);
    assert!(s.contains("capped by open files (60)"), "at 80x24 too: {s}");
}

#[test]
fn the_help_overlay_lists_the_keys() {
    let mut app = app_with_data();
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app, 100, 30));
}

#[test]
fn a_finished_run_says_done_and_asks_for_a_key() {
    let mut app = app_with_data();
    let mut last = snapshot_after(90);
    last.gauges.state = RunState::Done;
    update(&mut app, Msg::Snapshot(Box::new(last)));
    let s = screen(&app, 100, 30);
    assert!(s.contains("DONE"), "{s}");
    assert!(
        s.contains("press any key to leave and print the summary"),
        "{s}"
    );
}

#[test]
fn port_exhaustion_shows_its_hint_under_the_errors() {
    let mut app = app_with_data();
    let mut w = Window::new(4);
    w.record(&Outcome {
        latency_us: 1,
        verdict: Verdict::Error(ErrorKind::AddressUnavailable),
        ..Outcome::aborted()
    });
    let mut s = snapshot_after(91);
    s.counts = w.counts().clone();
    update(&mut app, Msg::Snapshot(Box::new(s)));
    let screen = screen(&app, 100, 30);
    assert!(screen.contains("address_unavailable"), "{screen}");
    assert!(screen.contains("ephemeral ports exhausted"), "{screen}");
}

#[test]
fn dashboard_at_80x24() {
    insta::assert_snapshot!(screen(&app_with_data(), 80, 24));
}

#[test]
fn the_demo_target_is_named_in_the_header() {
    let mut app = app_with_data();
    app.demo = true;
    assert!(screen(&app, 100, 30).contains("demo target http://127.0.0.1:8080/"));
}

#[test]
fn charts_span_what_has_elapsed_up_to_two_minutes() {
    let mut app = app_with_data();
    let mut s = snapshot_after(30);
    s.elapsed = Duration::from_secs(30);
    update(&mut app, Msg::Snapshot(Box::new(s)));
    let screen = screen(&app, 100, 30);
    assert!(
        screen.contains("-30s") && screen.contains("-15s"),
        "{screen}"
    );
    assert!(!screen.contains("-2m"), "{screen}");
}

#[test]
fn paused_with_nothing_in_flight_does_not_say_draining() {
    let mut app = app_with_data();
    press(&mut app, KeyCode::Char('p'));
    app.live.gauges.in_flight = 0;
    let s = screen(&app, 100, 30);
    assert!(s.contains("paused: nothing in flight"), "{s}");
    assert!(!s.contains("draining"), "{s}");
}

#[test]
fn after_done_the_now_figures_say_the_run_is_over() {
    let mut app = app_with_data();
    let mut last = snapshot_after(90);
    last.gauges.state = RunState::Done;
    update(&mut app, Msg::Snapshot(Box::new(last)));
    let s = screen(&app, 100, 30);
    assert!(s.contains("run over"), "{s}");
    assert!(s.contains("the run is over"), "{s}");
    assert!(!s.contains("req/s now"), "{s}");
    assert!(!s.contains("steer:"), "{s}");
}

#[test]
fn a_seven_digit_count_and_its_rate_stay_apart() {
    let mut app = app_with_data();
    app.statuses[0].total = 4_544_405;
    app.statuses[0].per_s = 123_300.0;
    let s = screen(&app, 80, 24);
    assert!(s.contains("4544405 123.3k/s"), "{s}");
}

#[test]
fn at_80x24_every_column_and_the_whole_key_bar_fit() {
    let s = screen(&app_with_data(), 80, 24);
    assert!(s.contains("max"), "the latency max column: {s}");
    assert!(s.contains("quit"), "the key bar's quit: {s}");
    assert!(s.contains("841/s"), "a status rate on its row: {s}");
}

/// A rate-mode run's minute: the target at 500/s, a freeze two-thirds in that made starts late.
fn rate_mode_snapshot() -> Snapshot {
    let mut w = Window::new(300);
    for t in 1..=60u64 {
        w.note_target_rate(Some(500.0));
        let frozen = (40..42).contains(&t);
        let answered = if frozen { 20 } else { 500 };
        for i in 0..answered {
            let late_us = if t == 42 { 1_000_000 - i * 900 } else { 0 };
            w.record(&Outcome {
                latency_us: 1_500 + (i % 20) * 100 + late_us,
                late_us,
                verdict: Verdict::Status(200),
                bytes: 13,
                ..Outcome::aborted()
            });
        }
        w.rotate(Duration::from_secs(t));
    }
    // The generator counts late starts as they start: the 500 of second 42.
    w.note_late_starts(500);
    Snapshot {
        elapsed: Duration::from_secs(60),
        open_files: FdUsage {
            open: 240,
            soft_limit: 1024,
            hard_limit: 4096,
        },
        peak_open_files: 251,
        counts: w.counts().clone(),
        last_tick: w.recent().back().expect("a tick").clone(),
        recent: w.recent().iter().cloned().collect(),
        cumulative: w.cumulative(),
        cumulative_service: w.cumulative_service(),
        ..Snapshot::default()
    }
}

/// The dashboard of that run, a moment after its last tick.
fn rate_mode_app() -> App {
    let plan = Plan {
        max_requests: None,
        duration: Some(Duration::from_secs(120)),
    };
    let app = App::new(
        "http://127.0.0.1:8080/".into(),
        false,
        plan,
        1000,
        10,
        false,
    );
    let mut app = app.with_rate(Some(500.0), None);
    update(&mut app, Msg::Snapshot(Box::new(rate_mode_snapshot())));
    let gauges = Gauges {
        limit: 1000,
        cap: 10_000,
        in_flight: 3,
        peak_in_flight: 180,
        rate: Some(500.0),
        lag: Duration::from_micros(2_500),
        ..Gauges::default()
    };
    update(
        &mut app,
        Msg::Frame(Live {
            elapsed: Duration::from_millis(60_300),
            gauges,
        }),
    );
    app
}

#[test]
fn rate_mode_shows_target_late_starts_lag_and_service_time() {
    let app = rate_mode_app();
    let s = screen(&app, 120, 36);
    assert!(s.contains("▸rate 500/s"), "the rate knob is marked: {s}");
    assert!(s.contains("target 500/s"), "{s}");
    assert!(s.contains("late starts 500"), "{s}");
    assert!(s.contains("lag 2.50ms"), "{s}");
    assert!(s.contains("service"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn several_urls_get_a_table_busiest_first() {
    let mut w = Window::new(300);
    let counts = [(1u32, 30u64), (2, 300), (3, 120)];
    for (target, n) in counts {
        for i in 0..n {
            let verdict = match (target, i % 10) {
                (3, 0) => Verdict::Error(ErrorKind::ConnectionReset),
                _ => Verdict::Status(200),
            };
            w.record(&Outcome {
                latency_us: 1_000 * u64::from(target),
                verdict,
                bytes: 13,
                target,
                ..Outcome::aborted()
            });
        }
    }
    let mut snapshot = snapshot_after(90);
    snapshot.targets = w.targets();
    let urls = ["/rare", "/busy", "/failing"].map(|p| format!("http://127.0.0.1:8080{p}"));
    let mut app = app_with_data().with_urls(urls.to_vec());
    update(&mut app, Msg::Snapshot(Box::new(snapshot)));
    let text = screen(&app, 120, 36);
    assert!(text.contains("URLs (3)"), "{text}");
    let at = |p: &str| {
        text.find(&format!("8080{p}"))
            .unwrap_or_else(|| panic!("{p}: {text}"))
    };
    assert!(
        at("/busy") < at("/failing") && at("/failing") < at("/rare"),
        "busiest first: {text}"
    );
    let failing = text.lines().find(|l| l.contains("/failing")).expect("row");
    assert!(
        failing.contains("120") && failing.contains(" 12 "),
        "requests and errors: {failing}"
    );
    assert!(
        failing.contains("3.01ms"),
        "p50 (two significant figures): {failing}"
    );
    // A run with one URL has no table.
    assert!(!screen(&app_with_data(), 120, 36).contains("URLs ("));
}

/// The screen's buffer, for the colours of its cells.
fn buffer(app: &App, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|frame| ui::draw(frame, app)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The foreground colour of the cell `offset` characters after `text`'s start, in the right
/// column of panels (from x = `RIGHT_COLUMN`), on the first row of `buf` that holds `row`.
fn fg_at(buf: &ratatui::buffer::Buffer, row: &str, text: &str, offset: usize) -> Color {
    const RIGHT_COLUMN: u16 = 72;
    let area = buf.area;
    for y in 0..area.height {
        let cells: String = (RIGHT_COLUMN..area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if !cells.contains(row) {
            continue;
        }
        if let Some(at) = cells.find(text) {
            let column = RIGHT_COLUMN as usize + cells[..at].chars().count() + offset;
            return buf[(column as u16, y)].fg;
        }
    }
    panic!("no row with {row:?} and {text:?}");
}

/// The header line of a screen.
fn header(screen: &str) -> String {
    screen.lines().next().expect("a header").to_string()
}

const LONG_URL: &str = "https://api.staging.example.com/v2/catalogue/items?page=2&sort=price";

#[test]
fn at_80_columns_a_long_url_is_cut_and_the_knobs_and_state_stay() {
    let mut app = app_with_data();
    app.target = LONG_URL.into();
    let s = screen(&app, 80, 24);
    let top = header(&s);
    assert!(top.contains("▸limit 50"), "the steered knob: {top}");
    assert!(top.contains("rate off"), "{top}");
    assert!(top.contains("RUNNING"), "{top}");
    assert!(top.contains("https://api"), "the URL's front: {top}");
    assert!(top.contains("…"), "cut in the middle: {top}");
    assert!(top.contains("&sort=price"), "the URL's end: {top}");
    insta::assert_snapshot!(s);
    // Tab gives visible feedback: the marker moves to the rate.
    press(&mut app, KeyCode::Tab);
    let top = header(&screen(&app, 80, 24));
    assert!(top.contains("▸rate off"), "{top}");
    assert!(top.contains(" limit 50"), "{top}");
}

#[test]
fn at_80_columns_the_demo_target_keeps_its_knobs_and_its_state() {
    let mut app = App::new(
        "http://127.0.0.1:46043/".into(),
        true,
        Plan::default(),
        100,
        10,
        false,
    );
    update(&mut app, Msg::Snapshot(Box::new(snapshot_after(24))));
    let gauges = Gauges {
        limit: 100,
        cap: 10_000,
        in_flight: 100,
        peak_in_flight: 100,
        ..Gauges::default()
    };
    let elapsed = Duration::from_millis(24_300);
    update(&mut app, Msg::Frame(Live { elapsed, gauges }));
    let s = screen(&app, 80, 24);
    let top = header(&s);
    assert!(top.contains("▸limit 100"), "{top}");
    assert!(top.contains("rate off"), "{top}");
    assert!(top.contains("demo"), "{top}");
    insta::assert_snapshot!(s);
    let mut last = snapshot_after(24);
    last.gauges.state = RunState::Done;
    update(&mut app, Msg::Snapshot(Box::new(last)));
    let top = header(&screen(&app, 80, 24));
    assert!(top.contains("DONE") && top.contains("▸limit 100"), "{top}");
    // Narrower still, the state and the knobs are the last to go.
    for width in [60, 64, 70] {
        let top = header(&screen(&app, width, 24));
        assert!(
            top.contains("DONE") && top.contains("rate off"),
            "{width}: {top}"
        );
    }
}

#[test]
fn the_legend_is_in_the_title_and_the_newest_points_show() {
    // Latency rises every tick: the newest p99 is the highest, at the top right.
    let app = app_with_data();
    let s = screen(&app, 120, 36);
    let latency_title = s.lines().find(|l| l.contains("Latency")).expect("title");
    assert!(
        latency_title.contains("━ p50") && latency_title.contains("━ p99"),
        "{latency_title}"
    );
    // p99 is named in the title and the table's head, nowhere in the chart.
    let named = s.lines().filter(|l| l.contains("p99")).count();
    assert_eq!(named, 2, "a legend inside the chart: {s}");
    let mut rate = rate_mode_app();
    rate.snapshot.recent.iter_mut().for_each(|t| t.rps += 1.0);
    let s = screen(&rate, 120, 36);
    let title = s.lines().find(|l| l.contains("Throughput")).expect("title");
    assert!(
        title.contains("━ req/s") && title.contains("━ target"),
        "{title}"
    );
    assert!(!s.contains("│req/s"), "no legend box: {s}");
}

#[test]
fn a_finished_run_shows_the_whole_runs_rates_not_the_last_ticks() {
    let mut app = app_with_data();
    let mut last = snapshot_after(90);
    last.gauges.state = RunState::Done;
    update(&mut app, Msg::Snapshot(Box::new(last)));
    let s = screen(&app, 100, 30);
    let ok = app.statuses[0].total;
    let whole_run = format!("{:.0}/s", ok as f64 / 90.0);
    let row = s
        .lines()
        .find(|l| l.contains(" 200 "))
        .expect("the 200 row");
    assert!(row.contains(&whole_run), "{whole_run} expected: {row}");
    assert!(!row.contains("841/s"), "the last tick's rate: {row}");
    assert!(s.contains("(/s: whole run)"), "{s}");
    assert!(
        s.contains("end") && !s.contains(" now"),
        "a chart says now: {s}"
    );
}

#[test]
fn before_the_first_tick_open_files_are_not_zero_of_zero() {
    let app = App::new(
        "http://127.0.0.1:8080/".into(),
        false,
        Plan::default(),
        50,
        10,
        false,
    );
    let s = screen(&app, 100, 30);
    assert!(!s.contains("0 / 0"), "{s}");
    assert!(s.contains("… / …"), "{s}");
}

#[test]
fn a_12_second_run_fills_its_charts() {
    let mut app = app_with_data();
    let mut last = snapshot_after(12);
    last.elapsed = Duration::from_millis(12_004);
    last.gauges.state = RunState::Done;
    update(&mut app, Msg::Snapshot(Box::new(last)));
    let s = screen(&app, 100, 30);
    let axis = s
        .lines()
        .find(|l| l.contains("end"))
        .expect("an x axis ending at the end");
    assert!(axis.contains("-12s") && axis.contains("-6s"), "{axis}");
    assert!(!s.contains("-20s") && !s.contains("-10s"), "{s}");
}

#[test]
fn a_rate_switched_off_reads_off_with_the_late_starts_it_left() {
    let mut app = rate_mode_app();
    press(&mut app, KeyCode::Char('0'));
    press(&mut app, KeyCode::Enter);
    let s = screen(&app, 120, 36);
    assert!(header(&s).contains("▸rate off"), "{s}");
    assert!(s.contains("target off   late starts 500"), "{s}");
    assert!(!s.contains("target 500/s"), "{s}");
}

#[test]
fn a_url_answering_404_shows_its_code_and_only_errors_are_red() {
    let mut w = Window::new(300);
    for (target, verdict) in [
        (1u32, Verdict::Status(200)),
        (2, Verdict::Status(404)),
        (3, Verdict::Error(ErrorKind::ConnectionReset)),
        (3, Verdict::Status(200)),
    ] {
        for _ in 0..(40 + u64::from(target)) {
            w.record(&Outcome {
                latency_us: 1_000,
                verdict,
                bytes: 13,
                target,
                ..Outcome::aborted()
            });
        }
    }
    let mut snapshot = snapshot_after(90);
    snapshot.targets = w.targets();
    let urls = ["/fine", "/missing", "/flaky"].map(|p| format!("http://127.0.0.1:8080{p}"));
    let mut app = app_with_data().with_urls(urls.to_vec());
    update(&mut app, Msg::Snapshot(Box::new(snapshot)));
    let s = screen(&app, 120, 36);
    let row = |p: &str| {
        s.lines()
            .find(|l| l.contains(&format!("8080{p}")))
            .unwrap_or_else(|| panic!("{p}: {s}"))
            .to_string()
    };
    assert!(row("/missing").contains(" 404 "), "{}", row("/missing"));
    assert!(row("/fine").contains(" 200 "), "{}", row("/fine"));
    let buf = buffer(&app, 120, 36);
    assert_eq!(fg_at(&buf, "/missing", "404", 0), Color::Yellow);
    // /fine's error count, 0, is grey; /flaky's, 43, red.
    assert_eq!(fg_at(&buf, "/fine", "     0 ", 5), Color::DarkGray);
    assert_eq!(fg_at(&buf, "/flaky", "    43 ", 5), Color::Red);
}

#[test]
fn what_came_from_outside_is_shown_escaped() {
    let hostile = "http://127.0.0.1:8080/\u{1b}]0;PWNED\u{7}\u{202e}gnp.exe";
    let mut app = app_with_data().with_urls(vec![hostile.into(), "http://127.0.0.1:8080/b".into()]);
    app.target = hostile.into();
    let mut w = Window::new(10);
    for target in [1u32, 2] {
        w.record(&Outcome {
            latency_us: 1_000,
            verdict: Verdict::Status(200),
            target,
            ..Outcome::aborted()
        });
    }
    let mut snapshot = snapshot_after(90);
    snapshot.targets = w.targets();
    update(&mut app, Msg::Snapshot(Box::new(snapshot)));
    let s = screen(&app, 160, 45);
    assert!(s.contains("\\x1b]0;PWNED\\x07\\u{202e}"), "{s}");
    assert!(!s.contains('\u{202e}'), "a raw bidi override: {s}");
    // A fleet's workers: their names came from outside too (a state is one of the words).
    let mut fleet = app_with_data();
    update(&mut fleet, Msg::Snapshot(Box::new(snapshot_after(90))));
    let row = WorkerRow {
        name: "w1:9090\u{202e}".into(),
        state: WorkerState::Run(RunState::Running),
        rps: 0.0,
        in_flight: 0,
        limit: 0,
        failed: 0,
    };
    update(&mut fleet, Msg::Workers(vec![row]));
    let s = screen(&fleet, 160, 45);
    assert!(
        s.contains("running") && s.contains("w1:9090\\u{202e}"),
        "{s}"
    );
    assert!(!s.contains('\u{202e}'), "{s}");
}

// ---- Every panel whole at 80x24: the widest values each can show, none cut ----

/// Latencies of 100-999 ms and in seconds, as the hostile tester's run had them.
fn slow(p50: u64, p90: u64, p99: u64, p99_9: u64, max: u64) -> LatencySummary {
    LatencySummary {
        count: 1_000,
        min_us: 1_000,
        mean_us: p50 as f64,
        p50_us: p50,
        p75_us: p90,
        p90_us: p90,
        p95_us: p99,
        p99_us: p99,
        p99_9_us: p99_9,
        p99_99_us: max,
        max_us: max,
        ..LatencySummary::default()
    }
}

/// The widest gauges: 7-digit limits and peaks, a 10M/s rate, lag in seconds, a schedule.
fn widest_gauges() -> Gauges {
    Gauges {
        state: RunState::Running,
        limit: 1_000_000,
        cap: 1_000_000,
        capped: Some(1_000_000),
        in_flight: 987_654,
        peak_in_flight: 999_999,
        rate: Some(9_999_999.0),
        lag: Duration::from_millis(3_600),
        started: 12_345_678_901,
        schedule: ScheduleState::Playing { step: 12, of: 20 },
        hand: sluicegate::engine::steer::Source::Stage,
    }
}

/// One URL of the widest kind: billions of requests, millions of errors, seconds.
fn widest_target(ok: u64, failed: u64, code: u16, p50_us: u64) -> TargetFigures {
    TargetFigures {
        ok,
        failed,
        status_codes: [(200, ok), (code, failed)].into_iter().collect(),
        latency: slow(p50_us, p50_us * 2, 9_990_000, 12_340_000, 3_600_000_000),
        ..TargetFigures::default()
    }
}

/// A snapshot with every figure at its widest: counts in the billions, rates in the
/// millions, latencies in seconds, millions of open files.
fn widest_snapshot() -> Snapshot {
    let mut counts = sluicegate::stats::window::Counts::default();
    counts.ok = 12_345_678_901;
    counts.failed = 9_876_543_210;
    counts.late_starts = 9_876_543_210;
    counts.add_status(200, 12_345_678_901);
    counts.add_status(503, 1_234_567_890);
    counts.add_status(404, 999_999);
    counts.add_errors(ErrorKind::Timeout, 9_876_543_210);
    counts.add_errors(ErrorKind::ConnectionReset, 123_456);
    let tick = |t: u64| TickSummary {
        end: Duration::from_secs(3_600 + t),
        ok: 1_234_567,
        rps: 1_234_567.0 + t as f64 * 1_000.0,
        latency: slow(335_900, 530_900, 1_560_000, 9_990_000, 12_340_000),
        target_rps: Some(9_999_999.0),
        ..TickSummary::default()
    };
    Snapshot {
        elapsed: Duration::from_secs(3_723),
        counts,
        last_tick: tick(123),
        recent: (1..=123).map(tick).collect(),
        cumulative: slow(208_800, 371_700, 395_300, 399_400, 399_400),
        cumulative_service: slow(999_400, 999_600, 3_599_000, 3_600_000_000, 3_600_000_000),
        cumulative_ttfb: slow(998_900, 999_100, 3_598_000, 3_600_000_000, 3_600_000_000),
        cumulative_connect: slow(105_000, 999_000, 3_000_000, 9_990_000, 3_600_000_000),
        gauges: widest_gauges(),
        open_files: FdUsage {
            open: 1_048_576,
            soft_limit: 1_048_576,
            hard_limit: 1_073_741_816,
        },
        peak_open_files: 1_048_576,
        ..Snapshot::default()
    }
}

/// The dashboard of that run: a long URL, -z and -n, a stepped schedule, a step of a
/// million, the limit just lowered by one.
fn widest_app() -> App {
    let plan = Plan {
        max_requests: Some(99_999_999_999),
        duration: Some(Duration::from_secs(6_000)),
    };
    let mut app = App::new(LONG_URL.into(), false, plan, 1_000_000, 1_000_000, false)
        .with_rate(Some(9_999_999.0), None)
        .with_schedule(Some("stage"));
    update(&mut app, Msg::Snapshot(Box::new(widest_snapshot())));
    let elapsed = Duration::from_millis(3_723_400);
    let gauges = widest_gauges();
    update(&mut app, Msg::Frame(Live { elapsed, gauges }));
    app.last_change = Some(LimitChange {
        from: 1_000_000,
        to: 999_999,
        at: Duration::from_secs(3_700),
        drained_at: Some(Duration::from_secs(3_701)),
    });
    app
}

/// The same with four long URLs of a file, the busiest in the billions.
fn widest_urls_app() -> App {
    let urls: Vec<String> = [
        "items?page=2&sort=price",
        "basket/checkout",
        "search?q=a",
        "x",
    ]
    .iter()
    .map(|p| format!("https://api.staging.example.com/v2/catalogue/{p}"))
    .collect();
    let mut app = widest_app().with_urls(urls);
    let mut s = widest_snapshot();
    s.targets = vec![
        widest_target(12_345_678_901, 9_876_543_210, 503, 335_900),
        widest_target(999_999, 999_999, 404, 999_400),
        widest_target(99_999, 9_999, 502, 12_340_000),
        widest_target(1, 0, 200, 420),
    ];
    update(&mut app, Msg::Snapshot(Box::new(s)));
    app
}

/// The same as a fleet's view, its workers at their widest.
fn widest_fleet_app() -> App {
    let mut app = widest_app();
    // A fleet's next tick: the same totals again (the tick's rates read 0/s).
    update(&mut app, Msg::Snapshot(Box::new(widest_snapshot())));
    let worker = |name: &str, state: WorkerState| WorkerRow {
        name: name.into(),
        state,
        rps: 1_234_567.0,
        in_flight: 999_999,
        limit: 1_000_000,
        failed: 12_345_678_901,
    };
    update(
        &mut app,
        Msg::Workers(vec![
            worker(
                "worker-0.loadgen.staging.example.com:9090",
                WorkerState::Run(RunState::Stopping),
            ),
            worker(
                "worker-1.loadgen.staging.example.com:9090",
                WorkerState::LeftOut,
            ),
            worker("10.20.30.40:9090", WorkerState::Run(RunState::Running)),
        ]),
    );
    app
}

/// Cuts a screen into its words: runs of characters between blanks, box lines, chart
/// dots and gauge blocks, their surrounding punctuation trimmed.
fn words(screen: &str) -> Vec<String> {
    let apart = |c: char| {
        c.is_whitespace()
            || c == '"'
            || ('\u{2500}'..='\u{259f}').contains(&c)
            || ('\u{2800}'..='\u{28ff}').contains(&c)
    };
    screen
        .split(apart)
        .map(|w| w.trim_matches(|c: char| "()[],;".contains(c)).to_string())
        .filter(|w| !w.is_empty())
        // A URL or an address is cut on purpose (with …), and is no figure.
        .filter(|w| !w.contains('…') && !w.contains(':') && !w.starts_with('/'))
        .collect()
}

/// Whether `w`, a word holding a digit, reads as one whole value: a count, a decimal with
/// its unit, a rate, a share, a run time, a fraction, or a label like p99.9 or 0-9.
fn one_value(w: &str) -> bool {
    let number = |n: &str| {
        !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit() || c == '.')
            && n.matches('.').count() <= 1
            && !n.starts_with('.')
            && !n.ends_with('.')
    };
    let integer = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit());
    let (ago, w) = match w.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, w),
    };
    if ago {
        // A chart's axis: -90s, -2m.
        return w.strip_suffix('s').is_some_and(integer)
            || w.strip_suffix('m').is_some_and(integer);
    }
    let units = [
        "k/s", "M/s", "/s", "ms", "s", "k", "M", "G", "T", "P", "E", "%", "+",
    ];
    let with_unit = units.iter().any(|u| w.strip_suffix(u).is_some_and(&number));
    let run_time = |sep: char, end: char| {
        w.strip_suffix(end)
            .and_then(|r| r.split_once(sep))
            .is_some_and(|(a, b)| integer(a) && b.len() == 2 && integer(b))
    };
    let fraction = w
        .split_once('/')
        .is_some_and(|(a, b)| integer(a) && integer(b));
    let label = w.strip_prefix('p').is_some_and(number) || w == "0-9" || w == "×2" || w == "÷2";
    integer(w) || with_unit || run_time('m', 's') || run_time('h', 'm') || fraction || label
}

/// Asserts that `app` at `width`x`height` shows every figure whole: each word with a digit
/// reads as one value (no two run together, no unit lost), and each number in it, and each
/// word, is one the same app shows on a screen where everything fits (none cut short).
fn assert_whole(app: &App, width: u16, height: u16) -> String {
    let small = screen(app, width, height);
    let roomy = screen(app, 400, 120);
    let roomy_words: std::collections::HashSet<String> = words(&roomy).into_iter().collect();
    let roomy_numbers: std::collections::HashSet<&str> =
        roomy_words.iter().flat_map(|w| w.split('/')).collect();
    for w in words(&small) {
        if !w.chars().any(|c| c.is_ascii_digit()) {
            assert!(
                roomy_words.contains(&w),
                "{w:?} is cut at {width}x{height}:\n{small}"
            );
            continue;
        }
        assert!(
            one_value(&w),
            "{w:?} is not one whole value at {width}x{height}:\n{small}"
        );
        for n in w
            .split('/')
            .filter(|n| n.chars().any(|c| c.is_ascii_digit()))
        {
            assert!(
                roomy_numbers.contains(n),
                "{n:?} (in {w:?}) is cut at {width}x{height}:\n{small}\nwhole:\n{roomy}"
            );
        }
    }
    small
}

#[test]
fn the_helper_catches_what_the_tester_saw() {
    for cut in ["335.9ms530.9ms", "2.60", "10.5m", "208.8ms371.7ms"] {
        assert!(!one_value(cut), "{cut}");
    }
    for whole in [
        "336ms",
        "1.56s",
        "10.00M/s",
        "503+",
        "1h02m",
        "5m00s",
        "-90s",
        "-2m",
        "78%",
        "p99.9",
        "987654/1000000",
    ] {
        assert!(one_value(whole), "{whole}");
    }
}

/// The widest dashboards in each of their moments: running, paused (draining), typing a
/// limit, over.
fn widest_moments() -> Vec<(&'static str, App)> {
    let mut paused = widest_app();
    press(&mut paused, KeyCode::Char('p'));
    let mut typing = widest_app();
    press(&mut typing, KeyCode::Tab);
    for _ in 0..7 {
        press(&mut typing, KeyCode::Char('9'));
    }
    let mut over = widest_urls_app();
    let mut last = widest_snapshot();
    last.gauges.state = RunState::Done;
    update(&mut over, Msg::Snapshot(Box::new(last)));
    vec![
        ("one URL", widest_app()),
        ("URLs", widest_urls_app()),
        ("fleet", widest_fleet_app()),
        ("paused", paused),
        ("typing", typing),
        ("over", over),
    ]
}

#[test]
fn every_panel_at_its_widest_is_whole_at_80x24_and_100x30() {
    for (name, app) in widest_moments() {
        for (w, h) in [(80, 24), (100, 30)] {
            let s = assert_whole(&app, w, h);
            assert!(
                s.contains("quit") || s.contains("leave"),
                "{name} {w}x{h}: the key bar: {s}"
            );
            assert!(
                s.contains("RUNNING") || s.contains("PAUSED") || s.contains("DONE"),
                "{name}: {s}"
            );
        }
    }
}

#[test]
fn at_80x24_the_widest_values_keep_their_columns_units_and_rows_apart() {
    let s = screen(&widest_app(), 80, 24);
    let row = |label: &str| {
        s.lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label}: {s}"))
            .to_string()
    };
    // Was `335.9ms530.9ms  1.56s` and `208.8ms371.7ms395.3ms399.4ms399.4ms`.
    assert!(
        row("last 1s").contains(" 336ms  531ms  1.56s "),
        "{}",
        row("last 1s")
    );
    assert!(
        row("whole run").contains(" 209ms  372ms  395ms  399ms  399ms "),
        "{}",
        row("whole run")
    );
    // Was `lag 2.60`, its unit gone.
    assert!(s.contains("lag 3.60s"), "{s}");
    // Was `step 100000` for a step of a million: whole, or not there at all.
    assert!(!s.contains("step 1") || s.contains("step 1000000 "), "{s}");
    insta::assert_snapshot!("widest_at_80x24", s);
    // Was `251 0 200 3.41ms 10.5m`: no URL, and a latency that read as minutes.
    let s = screen(&widest_urls_app(), 80, 24);
    let urls: Vec<&str> = s.lines().filter(|l| l.contains("9.99s  …")).collect();
    assert_eq!(urls.len(), 3, "{s}");
    for (u, end) in urls
        .iter()
        .zip(["sort=price", "basket/checkout", "search?q=a"])
    {
        assert!(u.contains(end), "the URL column: {u}");
    }
    insta::assert_snapshot!("widest_urls_at_80x24", s);
    // Workers that differ in the middle of their names still differ once cut.
    let s = screen(&widest_fleet_app(), 80, 24);
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("1.23M")).collect();
    let names: std::collections::HashSet<&str> = rows
        .iter()
        .map(|r| r.rsplit(' ').next().unwrap_or_default())
        .collect();
    assert_eq!((rows.len(), names.len()), (3, 3), "{s}");
    insta::assert_snapshot!("widest_fleet_at_80x24", s);
}

/// The dashboard of `app_with_data` judging three checks: one always passed, one failed
/// now and then, one failing more than a percent; the last second worse than the run.
fn app_with_checks() -> App {
    use sluicegate::stats::checks::CheckTally;
    let mut s = snapshot_after(90);
    let ok = s.counts.ok;
    let tally = |check: &str, failed: u64| CheckTally {
        check: check.into(),
        passed: ok - failed,
        failed,
    };
    s.counts.checks = vec![
        tally("status in 200..399", 0),
        tally("header content-type contains \"json\"", 12),
        tally("json /items/0/name == \"a very long expected name\"", 2_600),
    ];
    (s.last_tick.checks_passed, s.last_tick.checks_failed) = (1_300, 50);
    let mut app = app_with_data();
    update(&mut app, Msg::Snapshot(Box::new(s)));
    app
}

/// The dashboard with the autopilot holding `p99<200ms` (the knob moved by it last).
fn app_on_autopilot() -> App {
    let mut app = app_with_data();
    update(
        &mut app,
        Msg::Hold(Shown {
            engaged: true,
            conditions: vec!["p99<200ms".into()],
        }),
    );
    let mut live = app.live;
    live.gauges.hand = sluicegate::engine::steer::Source::Auto;
    update(&mut app, Msg::Frame(live));
    app
}

#[test]
fn checks_show_each_pass_share_at_100x30() {
    let text = screen(&app_with_checks(), 100, 30);
    for shown in [" Checks ", "100%", "99.97%", " now", "status in 200..399"] {
        assert!(text.contains(shown), "{shown} missing from\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn checks_at_80x24() {
    insta::assert_snapshot!(screen(&app_with_checks(), 80, 24));
}

#[test]
fn the_header_says_when_the_autopilot_holds_the_knob_and_its_value() {
    let app = app_on_autopilot();
    for (width, height) in [(80, 24), (100, 30)] {
        let s = screen(&app, width, height);
        let header = s.lines().next().unwrap_or_default();
        assert!(header.contains("auto p99<200ms"), "{header}");
        assert!(header.contains("▸limit 50"), "{header}");
        assert!(header.contains("RUNNING"), "{header}");
    }
    let mut taken = app_on_autopilot();
    let mut live = taken.live;
    live.gauges.hand = sluicegate::engine::steer::Source::Key;
    update(&mut taken, Msg::Frame(live));
    let s = screen(&taken, 100, 30);
    assert!(
        !s.lines().next().unwrap_or_default().contains("auto"),
        "{s}"
    );
}

#[test]
fn a_hold_condition_is_typed_in_the_in_flight_panel_and_a_refusal_shown_there() {
    let mut app = app_with_data();
    press(&mut app, KeyCode::Char('a'));
    for c in "p99<f".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let s = screen(&app, 100, 30);
    assert!(s.contains("hold: p99<f▏ ⏎ hold, Esc cancel"), "{s}");
    assert!(screen(&app, 80, 24).contains("hold p99<f▏ ⏎ / Esc"));
    press(&mut app, KeyCode::Enter);
    let s = screen(&app, 100, 30);
    assert!(s.contains("'f' is not"), "the refusal: {s}");
    assert_eq!(app.hold_entry.as_deref(), Some("p99<f"), "the entry stays");
    assert_eq!(app.hold_order, None);
    press(&mut app, KeyCode::Backspace);
    assert!(
        screen(&app, 100, 30).contains("hold: p99<▏"),
        "a key: back to the entry"
    );
}
