//! The real `sluice` binary, headless, against servers this test starts on 127.0.0.1.

use crate::common::{
    Behaviour, TestServer, closed_port, json_run, sluice, spawn_json_run, wait_until,
};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn exactly_n_requests_all_counted_with_reused_connections() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let s = json_run(&[&server.url(), "-n", "20000", "-c", "20"]);
    assert_eq!(s["requests"]["total"], 20_000);
    assert_eq!(s["requests"]["ok"], 20_000);
    assert_eq!(s["requests"]["failed"], 0);
    assert_eq!(s["status_codes"]["200"], 20_000);
    assert_eq!(s["body_bytes_received"], 40_000, "2 bytes per response");
    // What hyper's server writes per response, head and body:
    let wire =
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ndate: Mon, 23 Nov 2026 10:00:00 GMT\r\n\r\nok";
    assert_eq!(s["bytes_received"], 20_000 * wire.len(), "heads and bodies");
    assert_eq!(server.seen.requests(), 20_000);
    assert!(server.seen.max() <= 20, "server saw {}", server.seen.max());
    assert_eq!(s["concurrency"]["peak_in_flight"], 20);
    let conns = server.seen.connections();
    assert!(
        conns <= 20,
        "{conns} connections for 20000 requests at -c 20"
    );
    for key in ["min", "mean", "p50", "p90", "p99", "p99_9", "max"] {
        let v = s["latency_ms"][key].as_f64().expect(key);
        assert!(v > 0.0, "latency_ms.{key} = {v}");
    }
    assert!(s["open_files"]["soft_limit"].as_u64().expect("soft") > 0);
}

#[test]
fn a_duration_run_lasts_that_long_and_aborts_what_is_left() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(300)));
    let begun = Instant::now();
    let s = json_run(&[&server.url(), "-z", "3s", "-c", "10"]);
    let wall = begun.elapsed().as_secs_f64();
    let duration = s["duration_s"].as_f64().expect("duration_s");
    assert!((2.7..=3.3).contains(&duration), "duration_s {duration}");
    assert!(wall < 5.0, "the process took {wall:.2} s for -z 3s");
    assert!(s["requests"]["ok"].as_u64().expect("ok") >= 50);
    assert_eq!(
        s["requests"]["failed"], 0,
        "aborted requests counted as failures"
    );
    assert!(s["requests"]["aborted"].as_u64().expect("aborted") <= 10);
}

#[test]
fn no_url_loads_the_embedded_demo_target() {
    let s = json_run(&["-n", "30", "-c", "30"]);
    let target = s["target"].as_str().expect("target");
    assert!(target.starts_with("http://127.0.0.1:"), "target {target}");
    assert_eq!(s["requests"]["ok"], 30);
    assert_eq!(s["status_codes"]["200"], 30);
    assert_eq!(s["body_bytes_received"], 30 * "Hello, World!".len());
    // Whole-second delays from 0 to 3 s.
    assert!(s["latency_ms"]["max"].as_f64().expect("max") < 3_500.0);
}

#[test]
fn a_refused_port_is_counted_as_connect_refused() {
    let url = format!("http://127.0.0.1:{}/", closed_port());
    let s = json_run(&[&url, "-n", "5", "-c", "1"]);
    assert_eq!(s["requests"]["failed"], 5);
    assert_eq!(s["errors"]["connect_refused"], 5);
    assert_eq!(s["requests"]["ok"], 0);
}

#[test]
fn a_stalled_server_past_the_timeout_is_counted_as_timeout() {
    let server = TestServer::start(Behaviour::Stall);
    let begun = Instant::now();
    let s = json_run(&[&server.url(), "-n", "4", "-c", "2", "-t", "300ms"]);
    assert_eq!(s["errors"]["timeout"], 4);
    assert_eq!(s["requests"]["failed"], 4);
    assert!(begun.elapsed() < Duration::from_secs(5));
}

#[test]
fn https_is_verified_by_default_and_insecure_skips_it() {
    let server = TestServer::start_tls(Behaviour::Delay(Duration::ZERO));
    let url = server.https_url();
    let refused = json_run(&[&url, "-n", "3", "-c", "1"]);
    assert_eq!(
        refused["errors"]["tls_unknown_issuer"], 3,
        "a self-signed certificate was trusted: {}",
        refused["errors"]
    );
    let s = json_run(&[&url, "-n", "200", "-c", "4", "--insecure"]);
    assert_eq!(s["requests"]["ok"], 200);
    assert_eq!(s["status_codes"]["200"], 200);
    assert!(
        server.seen.connections() <= 3 + 4,
        "TLS connections were not reused"
    );
}

#[test]
fn the_text_summary_goes_to_stdout_and_progress_to_stderr() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let out = sluice(&["--no-tui", &server.url(), "-z", "1500ms", "-c", "4"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.starts_with("Summary: http://127.0.0.1:"), "{stdout}");
    assert!(stdout.contains("  200: "), "{stdout}");
    assert!(
        stderr.contains("req/s") && stderr.contains("in-flight"),
        "{stderr}"
    );
}

#[test]
fn the_summary_file_is_written_and_stdout_stays_empty() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("summary.json");
    let path_arg = path.to_str().expect("utf-8 path");
    let out = sluice(&[
        "--no-tui",
        &server.url(),
        "-n",
        "100",
        "--output-format",
        "json",
        "-o",
        path_arg,
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let s: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!(s["requests"]["ok"], 100);
}

#[test]
fn sigterm_mid_run_still_prints_the_summary() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(10)));
    let mut child = spawn_json_run(&[&server.url(), "-c", "5"]);
    wait_until("traffic at the server", Duration::from_secs(10), || {
        server.seen.requests() >= 50
    });
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let sent_at = Instant::now();
    wait_until("sluice to exit", Duration::from_secs(5), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    assert!(sent_at.elapsed() < Duration::from_secs(2));
    let out = child.wait_with_output().expect("output");
    assert!(out.status.success(), "exit {:?}", out.status);
    let s: Value = serde_json::from_slice(&out.stdout).expect("JSON summary after SIGTERM");
    // 50 had reached the server, at most 5 (the limit) were still in flight.
    let ok = s["requests"]["ok"].as_u64().expect("ok");
    assert!(ok >= 45, "ok {ok}");
    assert!(s["requests"]["aborted"].as_u64().expect("aborted") <= 5);
}

#[test]
fn bad_input_gets_one_line_and_exit_code_2() {
    let missing = "/nonexistent/sluice-body";
    let unresolvable = format!("http://{}.test/", "a".repeat(64));
    let cases: &[&[&str]] = &[
        &["not a url"],
        &["ftp://127.0.0.1/"],
        &["http://127.0.0.1:1/", "-c", "0"],
        &["http://127.0.0.1:1/", "-n", "-5"],
        &["http://127.0.0.1:1/", "-n", "ten"],
        &["http://127.0.0.1:1/", "-z", "soon"],
        &["http://127.0.0.1:1/", "-D", missing],
        &["http://127.0.0.1:1/", "-H", "NoColon"],
        &["http://127.0.0.1:1/", "--output-format", "xml"],
        &["http://127.0.0.1:1/", "-c", "-1"],
        &["http://127.0.0.1:1/", "-t", "-1s"],
        &["http://127.0.0.1:1/", "-m", "BAD METHOD"],
        &["http://127.0.0.1:1/", "--no-such-flag"],
        &["http://127.0.0.1:1/", "-o", "/nonexistent/dir/summary.json"],
        &["http://[::1/"],
        // A label over 63 characters fails inside the resolver: no query leaves the machine.
        &[&unresolvable],
    ];
    for args in cases {
        let out = sluice(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("sluice: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
