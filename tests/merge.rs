//! `sluice merge`: three runs against one counting server, merged; totals and percentiles
//! checked against the server and against the three histograms added by another library.

mod common;

use common::{Behaviour, TestServer, refused, sluice};
use serde_json::Value;
use std::time::Duration;

/// Runs `sluice` with `args` headless, its JSON summary to `path`.
fn run_to(path: &str, url: &str, n: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([
            url,
            "-n",
            n,
            "-c",
            "4",
            "--no-tui",
            "--output-format",
            "json",
            "-o",
            path,
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn sluice")
}

#[test]
fn three_runs_merge_into_exact_totals_and_percentiles() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let dir = tempfile::tempdir().expect("dir");
    let files: Vec<String> = (0..3)
        .map(|i| {
            dir.path()
                .join(format!("w{i}.json"))
                .to_str()
                .expect("path")
                .to_string()
        })
        .collect();
    let url = server.url();
    let workers: Vec<_> = [("300", &files[0]), ("400", &files[1]), ("500", &files[2])]
        .iter()
        .map(|(n, file)| run_to(file, &url, n))
        .collect();
    for mut w in workers {
        assert!(w.wait().expect("wait").success());
    }
    let out = sluice(&["merge", &files[0], &files[1], &files[2]]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Value = serde_json::from_slice(&out.stdout).expect("merged JSON");
    assert_eq!(m["requests"]["ok"], 1200);
    assert_eq!(server.seen.requests(), 1200, "the server's count");
    assert_eq!(m["workers"].as_array().expect("workers").len(), 3);
    assert_eq!(m["workers"][1]["requests"]["ok"], 400);
    let series_ok: u64 = m["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|e| e["ok"].as_u64().expect("ok"))
        .sum();
    assert_eq!(series_ok, 1200, "the aligned series adds up");

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/add_histograms.py"
    );
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(&files)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|f| f.parse().expect("a number"))
        .collect();
    assert_eq!(said[0], 1200);
    for (i, key) in ["p50", "p90", "p99", "p99_9", "max"].iter().enumerate() {
        let ms = m["latency_ms"][key].as_f64().expect(key);
        assert_eq!((ms * 1000.0).round() as u64, said[i + 1], "{key}");
    }
}

#[test]
fn runs_against_different_targets_are_refused_unless_forced() {
    let a = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let b = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("dir");
    let fa = dir
        .path()
        .join("a.json")
        .to_str()
        .expect("path")
        .to_string();
    let fb = dir
        .path()
        .join("b.json")
        .to_str()
        .expect("path")
        .to_string();
    assert!(run_to(&fa, &a.url(), "10").wait().expect("wait").success());
    assert!(run_to(&fb, &b.url(), "20").wait().expect("wait").success());
    let err = refused(&sluice(&["merge", &fa, &fb]));
    assert!(err.contains("--force"), "{err}");
    let out = sluice(&["merge", &fa, &fb, "--force", "--output-format", "text"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("30 total"), "{text}");
    assert!(text.contains("Workers:        2 runs merged"), "{text}");
    let err = refused(&sluice(&["merge", &fa, "/no/such.json"]));
    assert!(err.contains("cannot read"), "{err}");
}
