//! `--shard` and `sluice merge`: three shards of one run against one counting server, merged;
//! totals and percentiles checked against the server and against the three histograms added
//! by another library.

use crate::common::{Behaviour, TestServer, refused, script_numbers, sluice};
use serde_json::Value;
use std::time::Duration;

/// Runs `sluice` headless against `url` with `args`, its JSON summary to `path`.
fn run_to(path: &str, url: &str, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([url, "--no-tui", "--output-format", "json", "-o", path])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn sluice")
}

/// The summaries' latency histograms added by HdrHistogram_py: the count, then p50, p90,
/// p99, p99.9 and the max in microseconds.
fn added_by_another_library(files: &[String]) -> Vec<u64> {
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let hint = "HdrHistogram_py adding the histograms";
    let n = script_numbers("add_histograms.py", &files, "", hint);
    n.into_iter().map(|f| f as u64).collect()
}

#[test]
fn three_shards_do_the_run_and_merge_into_exact_totals_and_percentiles() {
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
    let workers: Vec<_> = ["0/3", "1/3", "2/3"]
        .iter()
        .zip(&files)
        .map(|(shard, file)| run_to(file, &url, &["-n", "1000", "-c", "12", "--shard", *shard]))
        .collect();
    for mut w in workers {
        assert!(w.wait().expect("wait").success());
    }
    assert!(
        server.seen.max() <= 12,
        "in flight {} over -c 12",
        server.seen.max()
    );
    let shares: Vec<Value> = files
        .iter()
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json"))
        .collect();
    let oks: Vec<u64> = shares
        .iter()
        .map(|s| s["requests"]["ok"].as_u64().expect("ok"))
        .collect();
    assert_eq!(oks, [334, 333, 333], "remainder to the lowest index");
    assert_eq!(shares[1]["concurrency"]["initial"], 4);
    assert_eq!(shares[2]["shard"]["index"], 2);
    let out = sluice(&["merge", &files[0], &files[1], &files[2]]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Value = serde_json::from_slice(&out.stdout).expect("merged JSON");
    assert_eq!(m["requests"]["ok"], 1000);
    assert_eq!(server.seen.requests(), 1000, "the server's count");
    assert_eq!(m["workers"].as_array().expect("workers").len(), 3);
    assert_eq!(m["workers"][1]["requests"]["ok"], 333);
    let series_ok: u64 = m["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|e| e["ok"].as_u64().expect("ok"))
        .sum();
    assert_eq!(series_ok, 1000, "the aligned series adds up");
    let said = added_by_another_library(&files);
    assert_eq!(said[0], 1000);
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
    assert!(
        run_to(&fa, &a.url(), &["-n", "10"])
            .wait()
            .expect("wait")
            .success()
    );
    assert!(
        run_to(&fb, &b.url(), &["-n", "20"])
            .wait()
            .expect("wait")
            .success()
    );
    let err = refused(&sluice(&["merge", &fa, &fb]));
    assert!(err.contains("--force"), "{err}");
    let out = sluice(&["merge", &fa, &fb, "--force", "--output-format", "text"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("30 total"), "{text}");
    assert!(text.contains("Workers:        2 runs merged"), "{text}");
    let err = refused(&sluice(&["merge", &fa, "/no/such.json"]));
    assert!(err.contains("cannot be read"), "{err}");
}

#[test]
fn shard_auto_reads_the_job_index_and_bad_shards_are_refused() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let url = server.url();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([&url, "-n", "10", "--shard", "auto", "--shards", "3"])
        .args(["--no-tui", "--output-format", "json"])
        .env("JOB_COMPLETION_INDEX", "2")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(s["requests"]["ok"], 3, "10 = 4 + 3 + 3");
    assert_eq!(s["shard"]["count"], 3);
    for bad in [
        vec!["-n", "10", "--shard", "3/3"],
        vec!["-n", "10", "-c", "2", "--shard", "2/3"],
        vec!["-n", "2", "--shard", "2/3"],
        vec!["-n", "10", "--shard", "auto"],
        vec!["-n", "10", "--shard", "1/3", "--shards", "3"],
    ] {
        let mut args = vec![url.as_str()];
        args.extend(&bad);
        let err = refused(&sluice(&args));
        assert!(err.contains("shard"), "{bad:?}: {err}");
    }
    assert_eq!(server.seen.requests(), 3, "no load from the refused runs");
}
