//! End to end: the real binary in a pseudo-terminal, keys pressed, and a server that counts
//! concurrent requests checks that the limit follows every key.

use crate::common::{Behaviour, Seen, TestServer, http_call, spawn_worker, status_of, wait_until};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

/// The screen as a terminal would show it, kept up to date from the pty's output.
type Screen = Arc<Mutex<vt100::Parser>>;

fn contents(screen: &Screen) -> String {
    screen.lock().expect("screen lock").screen().contents()
}

/// After a key changed the limit from `from` to `to`: the dashboard shows it, and the server
/// sees exactly `to` at once and never more (after a lower, once the dashboard says it is in
/// effect: in-flight has drained to it).
fn expect_limit(seen: &Seen, screen: &Screen, from: usize, to: usize) {
    let header = format!("limit {to} ");
    wait_until(&format!("the header to show {header:?}"), WAIT, || {
        let c = contents(screen);
        let first = c.lines().next().unwrap_or_default();
        first.contains(&header)
    });
    if to < from {
        let note = format!("{from} → {to} at");
        wait_until(&format!("{note:?} to be in effect"), WAIT, || {
            let c = contents(screen);
            c.contains(&note) && c.contains(", in effect")
        });
    }
    seen.reset_max();
    wait_until(&format!("the server to see {to} at once"), WAIT, || {
        seen.current() == to
    });
    let served = seen.requests();
    wait_until("40 more requests", WAIT, || seen.requests() >= served + 40);
    assert!(
        seen.max() <= to,
        "limit {to}, but the server saw {}",
        seen.max()
    );
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("non-zero")
}

/// The real binary on a 100x30 pseudo-terminal, its screen parsed as it draws.
struct PtyRun {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    keys: Box<dyn Write + Send>,
    screen: Screen,
    raw: Arc<Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
}

impl PtyRun {
    fn spawn(args: &[&str]) -> PtyRun {
        PtyRun::spawn_with_env(args, &[])
    }

    fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> PtyRun {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sluice"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn sluice");
        drop(pair.slave);
        let screen: Screen = Arc::new(Mutex::new(vt100::Parser::new(nonzero(30), nonzero(100), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut output = pair.master.try_clone_reader().expect("pty reader");
        let (screen_sink, raw_sink) = (Arc::clone(&screen), Arc::clone(&raw));
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = output.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen_sink.lock().expect("screen lock").process(&buf[..n]);
                raw_sink
                    .lock()
                    .expect("raw lock")
                    .extend_from_slice(&buf[..n]);
            }
        });
        let keys = pair.master.take_writer().expect("pty writer");
        PtyRun {
            child,
            master: pair.master,
            keys,
            screen,
            raw,
            reader,
        }
    }

    fn press(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).expect("write keys");
        self.keys.flush().expect("flush keys");
    }

    fn wait_for_text(&self, text: &str) {
        wait_until(&format!("{text:?} on screen"), WAIT, || {
            contents(&self.screen).contains(text)
        });
    }

    /// Waits for the exit; returns whether it succeeded and everything the program wrote.
    fn finish(mut self) -> (bool, String) {
        wait_until("sluice to exit", WAIT, || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        });
        let status = self.child.wait().expect("exit status");
        drop(self.master);
        let _ = self.reader.join();
        let out = String::from_utf8_lossy(&self.raw.lock().expect("raw lock")).to_string();
        (status.success(), out)
    }
}

/// The part of the output after the terminal was restored; panics if it never was.
fn after_restore(out: &str) -> &str {
    let at = out
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was left");
    &out[at..]
}

#[test]
fn keys_steer_the_limit_the_server_sees_and_q_prints_the_summary() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(50)));
    let seen = Arc::clone(&server.seen);
    let mut run = PtyRun::spawn(&[&server.url(), "-c", "10", "--step", "5"]);
    let screen = Arc::clone(&run.screen);

    run.wait_for_text("In-flight");
    expect_limit(&seen, &screen, 10, 10);
    run.press(b"]");
    expect_limit(&seen, &screen, 10, 20);
    run.press(b"[");
    expect_limit(&seen, &screen, 20, 10);
    run.press(b"+");
    expect_limit(&seen, &screen, 10, 15);
    run.press(b"-");
    expect_limit(&seen, &screen, 15, 10);
    run.press(b"7\r");
    expect_limit(&seen, &screen, 10, 7);
    run.press(b"25");
    run.wait_for_text("set limit: 25");
    run.press(b"\x1b"); // Esc cancels the entry: the limit stays 7
    wait_until("the entry to be cancelled", WAIT, || {
        !contents(&screen).contains("set limit: 25")
    });
    expect_limit(&seen, &screen, 7, 7);
    run.press(b"12\r");
    expect_limit(&seen, &screen, 7, 12);

    run.press(b"q");
    let (ok, out) = run.finish();
    assert!(ok, "sluice did not exit 0");
    let summary = after_restore(&out);
    assert!(summary.contains("Summary: http://127.0.0.1:"), "{summary}");
    assert!(summary.contains("200: "), "{summary}");
    assert!(summary.contains("final 12"), "{summary}");
}

/// Requests a second the server counts over the next `secs` seconds.
fn server_rate(seen: &Seen, secs: u64) -> f64 {
    let (from, start) = (seen.requests(), std::time::Instant::now());
    let window = Duration::from_secs(secs);
    wait_until("the counting window", window * 2, || {
        start.elapsed() >= window
    });
    (seen.requests() - from) as f64 / start.elapsed().as_secs_f64()
}

#[test]
fn keys_steer_the_rate_then_tab_and_the_limit() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(200)));
    let seen = Arc::clone(&server.seen);
    let mut run = PtyRun::spawn(&[&server.url(), "-q", "100", "-c", "60"]);
    let screen = Arc::clone(&run.screen);
    run.wait_for_text("▸rate 100/s");
    run.press(b"]");
    run.wait_for_text("▸rate 200/s");
    // The first second after the change is still settling: count over the next three.
    server_rate(&seen, 1);
    let rate = server_rate(&seen, 3);
    assert!(
        (180.0..=220.0).contains(&rate),
        "after ] the server saw {rate:.0}/s, not about 200"
    );
    // 200/s at 200 ms each needs 40 in flight: halving the limit to 30 binds.
    run.press(b"\t");
    run.wait_for_text("▸limit 60");
    run.press(b"[");
    expect_limit(&seen, &screen, 60, 30);

    run.press(b"q");
    let (ok, out) = run.finish();
    assert!(ok, "sluice did not exit 0");
    let summary = after_restore(&out);
    assert!(
        summary.contains("Rate:         target 100/s at the start, 200/s at the end"),
        "{summary}"
    );
    assert!(summary.contains("rate 200/s (key)"), "{summary}");
}

#[test]
fn a_key_during_stages_takes_over_from_the_schedule() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let mut run = PtyRun::spawn(&[&server.url(), "-q", "100", "--stages", "20s:1000"]);
    run.wait_for_text("stage 1/1");
    let screen = Arc::clone(&run.screen);
    wait_until("the ramp to move the rate", WAIT, || {
        let c = contents(&screen);
        c.contains("▸rate") && !c.contains("▸rate 100/s")
    });
    run.press(b"5000\r");
    run.wait_for_text("manual");
    run.wait_for_text("▸rate 5000/s");
    run.press(b"q");
    let (ok, out) = run.finish();
    assert!(ok, "sluice did not exit 0");
    let summary = after_restore(&out);
    assert!(summary.contains("rate 5000/s (key)"), "{summary}");
    assert!(summary.contains("(stage)"), "{summary}");
}

#[test]
fn a_run_that_ends_by_itself_waits_for_a_key_then_prints_the_summary() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let mut run = PtyRun::spawn(&[&server.url(), "-n", "500", "-c", "5"]);
    run.wait_for_text("press any key to leave and print the summary");
    assert!(contents(&run.screen).contains("DONE"));
    assert!(
        run.child.try_wait().expect("try_wait").is_none(),
        "it left without a key"
    );
    run.press(b"x");
    let (ok, out) = run.finish();
    assert!(ok);
    let summary = after_restore(&out);
    assert!(summary.contains("500 total: 500 ok"), "{summary}");
}

#[test]
fn exit_on_done_leaves_without_a_key() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let run = PtyRun::spawn(&[&server.url(), "-n", "300", "-c", "5", "--exit-on-done"]);
    let (ok, out) = run.finish();
    assert!(ok);
    assert!(after_restore(&out).contains("300 total: 300 ok"));
}

#[test]
fn sigterm_restores_the_terminal_and_prints_the_summary() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(10)));
    let run = PtyRun::spawn(&[&server.url(), "-c", "5"]);
    run.wait_for_text("In-flight");
    wait_until("traffic", WAIT, || server.seen.requests() >= 50);
    let pid = run.child.process_id().expect("pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let (ok, out) = run.finish();
    assert!(ok, "exit after SIGTERM was not 0");
    let restored = after_restore(&out);
    assert!(
        restored.contains("Summary: http://127.0.0.1:"),
        "{restored}"
    );
}

#[test]
fn a_panic_in_the_dashboard_restores_the_terminal_and_prints_the_summary() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(10)));
    let run = PtyRun::spawn_with_env(
        &[&server.url(), "-c", "5"],
        &[
            ("SLUICE_INJECT_PANIC", "dashboard"),
            ("RUST_BACKTRACE", "0"),
        ],
    );
    let (ok, out) = run.finish();
    assert!(!ok, "a panic must end with a non-zero exit");
    let restored = after_restore(&out);
    assert!(
        restored.contains("Summary: http://127.0.0.1:"),
        "{restored}"
    );
    assert!(restored.contains("internal error: panic at"), "{restored}");
}

#[test]
fn a_fleet_doubles_every_workers_limit_with_one_key_and_shows_a_killed_worker_down() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(50)));
    let url = server.url();
    let mut workers: Vec<_> = (0..3)
        .map(|i| {
            let shard = format!("{i}/3");
            crate::common::spawn_worker(&[&url, "-c", "18", "-z", "60s", "--shard", &shard], "tok")
        })
        .collect();
    let mut args = vec!["fleet", "--control-token", "tok"];
    let addrs: Vec<String> = workers.iter().map(|w| w.addr.clone()).collect();
    args.extend(addrs.iter().map(String::as_str));
    let mut run = PtyRun::spawn(&args);
    let screen = Arc::clone(&run.screen);
    run.wait_for_text("Workers (3)");
    expect_total(&server.seen, 18);
    wait_until("the header to show the total limit 18", WAIT, || {
        contents(&screen)
            .lines()
            .next()
            .unwrap_or_default()
            .contains("limit 18 ")
    });
    run.press(b"]");
    expect_total(&server.seen, 36);
    wait_until("the header to show limit 36", WAIT, || {
        contents(&screen)
            .lines()
            .next()
            .unwrap_or_default()
            .contains("limit 36 ")
    });

    let killed = workers.pop().expect("a worker");
    drop(killed); // killed, not stopped
    run.wait_for_text("Workers (3, 1 down)");
    run.wait_for_text("down");
    expect_total(&server.seen, 24);

    run.press(b"q");
    let (ok, out) = run.finish();
    assert!(ok, "the fleet did not exit 0");
    let summary = after_restore(&out);
    assert!(
        summary.contains("Workers:        2 runs merged"),
        "{summary}"
    );
    assert!(summary.contains("left no summary"), "{summary}");
}

/// The server sees `n` in flight at once (across all workers), and never more for a while.
fn expect_total(seen: &Seen, n: usize) {
    wait_until(&format!("the server to see {n} at once"), WAIT, || {
        seen.current() == n
    });
    seen.reset_max();
    let served = seen.requests();
    wait_until("60 more requests", WAIT, || seen.requests() >= served + 60);
    assert!(seen.max() <= n, "the server saw {} over {n}", seen.max());
}

/// Requests started so far, by a worker's status: ended, aborted or in flight.
fn started(status: &serde_json::Value) -> u64 {
    let n = |v: &serde_json::Value| v.as_u64().expect("a count");
    n(&status["requests"]["total"]) + n(&status["requests"]["aborted"]) + n(&status["in_flight"])
}

#[test]
fn late_starts_are_counted_as_they_start_and_stop_rising_once_starts_are_on_time() {
    // Answers take 1.5 s and 10 may be in flight: at 40/s, starts fall behind at once.
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1500)));
    let token = "late-starts";
    let run = spawn_worker(&[&server.url(), "-q", "40", "-c", "10", "-z", "40s"], token);
    let addr = run.addr.as_str();
    wait_until("starts a second behind", WAIT, || {
        status_of(addr)["lag_ms"].as_f64().expect("lag") > 1000.0
    });
    // Room for all: the backlog starts now (late), then 2/s start on time.
    let bearer = format!("Authorization: Bearer {token}");
    for (path, body) in [
        ("/limit", r#"{"value": 1000}"#),
        ("/rate", r#"{"value": 2}"#),
    ] {
        let (code, answer) = http_call(addr, "POST", path, &[&bearer], body.as_bytes());
        assert_eq!(code, 200, "{path}: {answer}");
    }
    // The counts are the last tick's (the lag is live): wait for a tick after the change.
    let tick = status_of(addr)["tick"].as_u64().expect("tick");
    let mut caught_up = serde_json::Value::Null;
    wait_until("a later tick with the lag at 0", WAIT, || {
        caught_up = status_of(addr);
        caught_up["tick"].as_u64() > Some(tick) && caught_up["lag_ms"] == 0.0
    });
    let (late, by_then) = (&caught_up["late_starts"], started(&caught_up));
    // Counted as they started: more late starts than requests that have ended (counted at
    // the end, they could be no more), and at least the backlog of ten started at once.
    let ended = caught_up["requests"]["total"].as_u64().expect("ended");
    let late_n = late.as_u64().expect("late");
    assert!(late_n > ended && late_n >= 10, "{caught_up}");
    // The late ones were still in flight; once every request started by then has ended,
    // no more were late, and none was counted.
    let mut after = serde_json::Value::Null;
    wait_until("the requests in flight to end", WAIT, || {
        after = status_of(addr);
        let ended = &after["requests"];
        ended["total"].as_u64().unwrap_or(0) + ended["aborted"].as_u64().unwrap_or(0) >= by_then
    });
    let rose = after["late_starts"].as_u64().expect("late") - late.as_u64().expect("late");
    assert!(
        rose <= 2,
        "late starts rose by {rose} while the lag read 0: {late} then {}",
        after["late_starts"]
    );
}

/// The limit the header shows, if it shows one.
fn header_limit(screen: &Screen) -> Option<u64> {
    let c = contents(screen);
    let header = c.lines().next()?.to_string();
    let after = header.split("limit ").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

#[test]
fn a_asks_for_a_bar_the_autopilot_holds_it_and_a_key_takes_over() {
    let server = crate::autopilot::knee_server();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("run.json").display().to_string();
    let args = [
        &server.url(),
        "-c",
        "10",
        "-o",
        &out,
        "--output-format",
        "json",
    ];
    let mut run = PtyRun::spawn(&args);
    let screen = Arc::clone(&run.screen);
    run.wait_for_text("In-flight");
    run.press(b"a");
    run.wait_for_text("hold: ");
    run.press(b"p99<500ms\r");
    run.wait_for_text("auto p99<500ms");
    wait_until("the autopilot to raise the limit", WAIT, || {
        header_limit(&screen).is_some_and(|l| l > 15)
    });
    run.press(b"+");
    wait_until("the key to take over", WAIT, || {
        let c = contents(&screen);
        !c.lines().next().unwrap_or_default().contains("auto")
    });
    run.press(b"q");
    let (ok, _) = run.finish();
    assert!(ok, "sluice did not exit 0");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the summary")).expect("json");
    let sources: Vec<&str> = summary["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["source"].as_str())
        .collect();
    let last_auto = sources
        .iter()
        .rposition(|s| *s == "auto")
        .expect("auto moves");
    let key = sources
        .iter()
        .rposition(|s| *s == "key")
        .expect("the key's move");
    assert!(last_auto < key, "auto, then key: {sources:?}");
    assert_eq!(
        summary["hold"]["conditions"],
        serde_json::json!(["p99<500ms"])
    );
}

/// A fleet of scenario workers draws their steps and counts sessions, as one run would.
#[test]
fn a_fleet_of_scenario_workers_shows_their_steps_and_sessions() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let dir = tempfile::tempdir().expect("dir");
    let flow = dir.path().join("flow.yaml");
    let url = server.url();
    let text = format!(
        "flow:\n  - name: home\n    get: \"{url}\"\n  - name: page\n    get: \"{url}page\"\n"
    );
    std::fs::write(&flow, text).expect("write the flow");
    let flow = flow.to_str().expect("utf-8 path");
    let workers: Vec<_> = ["0/2", "1/2"]
        .iter()
        .map(|shard| {
            let args = ["--scenario", flow, "-c", "2", "-z", "60s", "--shard", shard];
            crate::common::spawn_worker(&args, "tok")
        })
        .collect();
    let mut args = vec!["fleet", "--control-token", "tok"];
    args.extend(workers.iter().map(|w| w.addr.as_str()));
    let mut run = PtyRun::spawn(&args);
    run.wait_for_text("Sessions in flight");
    run.wait_for_text("Steps · sessions");
    wait_until("both steps' rows", WAIT, || {
        let screen = contents(&run.screen);
        let row = |name: &str| {
            screen
                .lines()
                .any(|l| l.trim_start_matches('│').starts_with(name))
        };
        row("home") && row("page")
    });
    run.press(b"q");
    let (ok, out) = run.finish();
    assert!(ok, "the fleet did not exit 0");
    assert!(after_restore(&out).contains("By step:"), "{out}");
}
