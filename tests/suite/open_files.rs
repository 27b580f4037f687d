//! A low RLIMIT_NOFILE: sluice caps the limit under it, says so, and loses no request.

use crate::common::{Behaviour, TestServer};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_child_with_256_files_caps_c_1000_and_answers_every_request() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(20)));
    // prlimit (util-linux) lowers both limits for the child only; sluice cannot raise them.
    let out = Command::new("prlimit")
        .args(["--nofile=256:256", "--", env!("CARGO_BIN_EXE_sluice")])
        .args(["--no-tui", "--output-format", "json", &server.url()])
        .args(["-c", "1000", "-n", "5000"])
        .stdin(Stdio::null())
        .output()
        .expect("run sluice under prlimit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let s: Value = serde_json::from_slice(&out.stdout).expect("json summary");
    assert_eq!(s["requests"]["ok"], 5000, "{s}");
    assert_eq!(s["requests"]["failed"], 0, "{}", s["errors"]);
    assert_eq!(s["open_files"]["soft_limit"], 256);
    let cap = s["concurrency"]["capped_by_open_files"]
        .as_u64()
        .expect("the cap is reported in the summary");
    assert!(cap < 256 && cap > 100, "cap {cap}");
    let peak = s["concurrency"]["peak_in_flight"].as_u64().expect("peak");
    assert!(peak <= cap, "peak in flight {peak} over the cap {cap}");
    assert!(s["open_files"]["peak"].as_u64().expect("peak files") < 256);
    assert!(
        stderr.contains(&format!("capped by open files ({cap})")),
        "{stderr}"
    );
    assert!(server.seen.max() as u64 <= cap);
}
