//! The end of a run: the per-second series (JSON and CSV), the HDR interval log read by
//! another implementation, thresholds and exit code 3, and `sluice plot`.

use crate::common::{
    Behaviour, TestServer, closed_port, json_run, refused, script_numbers, sluice,
};
use serde_json::Value;
use std::time::Duration;

/// The `ok` of every series entry, added up.
fn series_ok(s: &Value) -> u64 {
    let series = s["series"].as_array().expect("series");
    series.iter().map(|e| e["ok"].as_u64().expect("ok")).sum()
}

#[test]
fn the_series_has_an_entry_a_second_that_adds_up_to_the_run() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(2)));
    let s = json_run(&[&server.url(), "-z", "5s", "-c", "10"]);
    let series = s["series"].as_array().expect("series");
    assert!((5..=6).contains(&series.len()), "{} entries", series.len());
    assert_eq!(series_ok(&s), s["requests"]["ok"].as_u64().expect("ok"));
    let mut previous = 0.0;
    for e in series {
        let t = e["t_s"].as_f64().expect("t_s");
        assert!(t > previous, "t_s goes up: {t} after {previous}");
        previous = t;
        assert_eq!(e["limit"], 10);
        assert!(e["rate_target"].is_null(), "concurrency mode: {e}");
        assert!(e["p99_ms"].as_f64().expect("p99_ms") >= 2.0, "{e}");
    }
}

#[test]
fn the_csv_has_the_same_rows_and_the_totals_as_comments() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(2)));
    let out = sluice(&[
        &server.url(),
        "-z",
        "3s",
        "-c",
        "5",
        "--no-tui",
        "--output-format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(
        lines.next(),
        Some("t_s,rps,ok,failed,p50_ms,p99_ms,in_flight,limit,rate_target")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!((3..=4).contains(&rows.len()), "{} rows", rows.len());
    assert!(
        rows.iter().all(|r| r.len() == 9 && r[8].is_empty()),
        "{rows:?}"
    );
    let ok: u64 = rows.iter().map(|r| r[2].parse::<u64>().expect("ok")).sum();
    // "# Summary: …", then "#   Requests:     N total: OK ok, …"
    let requests = text
        .lines()
        .find(|l| l.starts_with("#   Requests:"))
        .expect("the totals as comments");
    assert!(
        requests.contains(&format!("{ok} ok")),
        "{requests} vs rows' {ok}"
    );
}

#[test]
fn the_hdr_log_is_read_by_another_implementation_and_matches_the_summary() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(3)));
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("run.hlog");
    let log = log.to_str().expect("path");
    let s = json_run(&[&server.url(), "-z", "3s", "-c", "8", "--hdr-log", log]);
    let fields = script_numbers(
        "read_hdr_log.py",
        &[log],
        "",
        "HdrHistogram_py reading the log",
    );
    let [intervals, count, their_p99_us, p99_us] = fields[..] else {
        panic!("the reader said {fields:?}");
    };
    assert!((3.0..=4.0).contains(&intervals), "{intervals} intervals");
    assert_eq!(count as u64, s["requests"]["ok"].as_u64().expect("ok"));
    let p99_ms = s["latency_ms"]["p99"].as_f64().expect("p99");
    // At the same rank, the same value: both read the bucket's highest equivalent value.
    assert_eq!(
        p99_us as u64,
        (p99_ms * 1000.0).round() as u64,
        "p99 at rank ceil(0.99 n): {p99_us} us in the log, {p99_ms} ms in the summary"
    );
    // At its own rank (nearest, not ceiling), one response away: within 1%.
    let off = (their_p99_us / 1000.0 - p99_ms).abs() / p99_ms;
    assert!(
        off <= 0.01,
        "p99 {their_p99_us} us by HdrHistogram_py, {p99_ms} ms here"
    );
    let encoded = s["histograms"]["latency"]
        .as_str()
        .expect("histograms.latency");
    assert!(encoded.starts_with("HISTF"), "{encoded}");
}

/// Runs headless with a JSON summary; returns the exit code, the summary and stderr.
fn judged(args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["--no-tui", "--output-format", "json"];
    all.extend_from_slice(args);
    let out = sluice(&all);
    let summary = serde_json::from_slice(&out.stdout).expect("a JSON summary");
    (
        out.status.code(),
        summary,
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn a_missed_bar_exits_3_and_says_what_was_measured() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let (code, s, err) = judged(&[
        &server.url(),
        "-n",
        "200",
        "-c",
        "10",
        "--fail-if",
        "p99>1ms",
    ]);
    assert_eq!(code, Some(3), "{err}");
    let t = &s["thresholds"][0];
    assert_eq!(t["condition"], "p99>1ms");
    assert_eq!(t["passed"], false);
    assert!(t["measured"].as_f64().expect("measured") >= 5.0, "{t}");
    assert!(err.contains("--fail-if p99>1ms held (measured"), "{err}");

    let url = format!("http://127.0.0.1:{}/", closed_port());
    let (code, s, _) = judged(&[&url, "-n", "5", "-c", "1", "--fail-if", "errors>0"]);
    assert_eq!(code, Some(3));
    assert_eq!(s["thresholds"][0]["measured"], 5.0);
}

#[test]
fn bars_that_are_met_exit_0_and_are_reported_passed() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let bars = ["p99>10s", "errors>1%", "non2xx>0%", "rps<1"];
    let mut args = vec![server.url(), "-n".into(), "300".into()];
    for bar in bars {
        args.extend(["--fail-if".to_string(), bar.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, s, err) = judged(&args);
    assert_eq!(code, Some(0), "{err}");
    let thresholds = s["thresholds"].as_array().expect("thresholds");
    assert_eq!(thresholds.len(), bars.len());
    for t in thresholds {
        assert_eq!(t["passed"], true, "{t}");
    }
    assert_eq!(s["status_classes"]["2xx"], 300);
    assert_eq!(s["status_classes"]["5xx"], 0);
}

#[test]
fn bad_conditions_and_logs_are_refused_before_any_load() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let url = server.url();
    let err = refused(&sluice(&[&url, "-n", "5", "--fail-if", "p98>1ms"]));
    assert!(err.contains("is not a condition"), "{err}");
    let err = refused(&sluice(&[
        &url,
        "-n",
        "5",
        "--hdr-log",
        "/no/such/folder/run.hlog",
    ]));
    assert!(err.contains("--hdr-log"), "{err}");
    let dir = tempfile::tempdir().expect("dir");
    let same = dir.path().join("run.out");
    let same = same.to_str().expect("path");
    let err = refused(&sluice(&[&url, "-n", "5", "-o", same, "--hdr-log", same]));
    assert!(err.contains("also the summary's file"), "{err}");
    assert_eq!(server.seen.requests(), 0, "no load before the refusals");
}
