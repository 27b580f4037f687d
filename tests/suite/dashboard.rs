//! Whole-screen snapshots of the dashboard on ratatui's TestBackend, with fixed data.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::outcome::{ErrorKind, Outcome, Verdict};
use sluicegate::engine::steer::{Gauges, RunState};
use sluicegate::process::probe::fd::FdUsage;
use sluicegate::stats::snapshot::Snapshot;
use sluicegate::stats::window::Window;
use sluicegate::view::tui::app::{App, Live, Msg, update};
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
                late_us: 0,
                verdict,
                bytes: 13,
                head_bytes: 0,
                target: 0,
            });
        }
        if t % 10 == 0 {
            w.record(&Outcome {
                latency_us: 30_000_000,
                late_us: 0,
                verdict: Verdict::Error(ErrorKind::Timeout),
                bytes: 0,
                head_bytes: 0,
                target: 0,
            });
        }
        w.rotate(Duration::from_secs(t));
    }
    let last_tick = *w.recent().back().expect("a tick");
    Snapshot {
        elapsed: Duration::from_secs(ticks),
        counts: w.counts().clone(),
        last_tick,
        recent: w.recent().iter().copied().collect(),
        cumulative: w.cumulative(),
        cumulative_service: w.cumulative_service(),
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

fn screen(app: &App, width: u16, height: u16) -> String {
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
        late_us: 0,
        verdict: Verdict::Error(ErrorKind::AddressUnavailable),
        bytes: 0,
        head_bytes: 0,
        target: 0,
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
                head_bytes: 0,
                target: 0,
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
        last_tick: *w.recent().back().expect("a tick"),
        recent: w.recent().iter().copied().collect(),
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
    let counts = [(1u16, 30u64), (2, 300), (3, 120)];
    for (target, n) in counts {
        for i in 0..n {
            let verdict = match (target, i % 10) {
                (3, 0) => Verdict::Error(ErrorKind::ConnectionReset),
                _ => Verdict::Status(200),
            };
            w.record(&Outcome {
                latency_us: 1_000 * u64::from(target),
                late_us: 0,
                verdict,
                bytes: 13,
                head_bytes: 0,
                target,
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
        (1u16, Verdict::Status(200)),
        (2, Verdict::Status(404)),
        (3, Verdict::Error(ErrorKind::ConnectionReset)),
        (3, Verdict::Status(200)),
    ] {
        for _ in 0..(40 + u64::from(target)) {
            w.record(&Outcome {
                latency_us: 1_000,
                late_us: 0,
                verdict,
                bytes: 13,
                head_bytes: 0,
                target,
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
    for target in [1u16, 2] {
        w.record(&Outcome {
            latency_us: 1_000,
            late_us: 0,
            verdict: Verdict::Status(200),
            bytes: 0,
            head_bytes: 0,
            target,
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
