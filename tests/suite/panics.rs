//! A panic in any part (injected with SLUICE_INJECT_PANIC) still ends with the summary of what
//! was measured, and exit code 1.

use crate::common::{Behaviour, TestServer};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_panic_in_any_task_still_prints_the_summary_and_exits_1() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(2)));
    for site in ["request", "generator", "aggregator"] {
        let begun = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args([
                "--no-tui",
                "--output-format",
                "json",
                &server.url(),
                "-z",
                "20s",
            ])
            .env("SLUICE_INJECT_PANIC", site)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .output()
            .expect("run sluice");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{site}: {stderr}");
        assert!(
            stderr.contains("sluice: internal error: panic at src/"),
            "{site}: {stderr}"
        );
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.contains("injected panic"),
            "{site}: the last line is {last:?}"
        );
        assert!(
            begun.elapsed() < Duration::from_secs(10),
            "{site}: the run was not stopped"
        );
        let s: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{site}: no JSON summary ({e}): {stderr}"));
        assert!(s["requests"]["ok"].as_u64().expect("ok") > 0, "{site}: {s}");
    }
}
