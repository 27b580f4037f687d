//! The live side of `--scenario`'s steps: `--until` and `--fail-if` judge one step in
//! brackets (`p99[slow]>200ms`, `errors[item]>1%`), a step the scenario lacks is refused
//! before any load, and the headless lines say sessions. Against servers of the tests' own.

use crate::common::{answer, answering, closed_port, json_run, refused, sluice};
use std::net::SocketAddr;

/// `text` written to `name` in `dir`; its path.
fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// How long the slow step takes at the server.
const SLOW_MS: u64 = 300;

/// A server whose `/slow` answers after `SLOW_MS` (its one thread sleeps), `/item` with a
/// 503 and the rest at once with a 200.
fn server() -> SocketAddr {
    answering(|asked| match asked.path.as_str() {
        "/slow" => {
            std::thread::sleep(std::time::Duration::from_millis(SLOW_MS));
            answer(200, &[], "slow")
        }
        "/item" => answer(503, &[], "busy"),
        _ => answer(200, &[], "ok"),
    })
}

/// A fast step, then a slow one.
fn fast_then_slow(addr: SocketAddr) -> String {
    format!(
        "flow:\n  - name: fast\n    get: \"http://{addr}/fast\"\n  - name: slow\n    get: \"http://{addr}/slow\"\n"
    )
}

#[test]
fn until_stops_at_the_slow_step_and_not_at_the_fast_one() {
    let addr = server();
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &fast_then_slow(addr));
    // One session at a time: the fast step never waits behind a slow one; the bar is far
    // from both steps (300 ms, under a millisecond) for a machine busy with other tests.
    let run = |until: &str, duration: &str| {
        json_run(&[
            "--scenario",
            &path,
            "-c",
            "1",
            "-z",
            duration,
            "--until",
            until,
        ])
    };
    let s = run("p99[slow] > 200ms", "20s");
    let until = &s["until"];
    assert_eq!(until["condition"], "p99[slow] > 200ms", "as typed: {until}");
    let met = until["met_at_s"].as_f64().expect("met");
    assert!(met <= 3.0, "met at {met} s");
    let secs = s["duration_s"].as_f64().unwrap();
    assert!(secs < 10.0, "stopped at {secs} s, not at the end of -z");

    let s = run("p99[fast]>200ms", "2s");
    assert!(s["until"]["met_at_s"].is_null(), "{}", s["until"]);
    let steps = s["steps"].as_array().unwrap();
    assert!(
        steps[0]["latency_ms"]["p99"].as_f64().unwrap() < 200.0,
        "{steps:?}"
    );
    assert!(
        steps[1]["latency_ms"]["p50"].as_f64().unwrap() >= SLOW_MS as f64,
        "{steps:?}"
    );
    assert!(
        s["latency_ms"]["p99"].as_f64().unwrap() >= SLOW_MS as f64,
        "all steps together would have stopped it"
    );
}

/// A login that answers, an item answering 503 (judged by its check), and a last step on
/// a port nothing listens on: every session fails there.
fn three_steps(addr: SocketAddr) -> String {
    let gone = closed_port();
    format!(
        r#"
flow:
  - name: login
    get: "http://{addr}/login"
    check: ["status == 200"]
  - name: item
    get: "http://{addr}/item"
    check: ["status == 200"]
  - name: gone
    get: "http://127.0.0.1:{gone}/x"
"#
    )
}

#[test]
fn fail_if_fails_the_run_only_for_the_step_that_fails() {
    let addr = server();
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &three_steps(addr));
    let run = |conditions: &[&str]| {
        let mut args = vec![
            "--no-tui",
            "--output-format",
            "json",
            "--scenario",
            &path,
            "-n",
            "30",
            "-c",
            "2",
        ];
        for c in conditions {
            args.extend(["--fail-if", c]);
        }
        let out = sluice(&args);
        let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a summary");
        (out.status.code(), s)
    };
    let passing = ["errors[login]>1%", "errors[ item ]>1%", "checks[login]<99%"];
    let (code, s) = run(&passing);
    assert_eq!(code, Some(0), "{}", s["thresholds"]);
    assert!(
        s["errors"]["connect_refused"].as_u64().unwrap() > 0,
        "the run has errors"
    );
    let (code, s) = run(&["errors[gone]>1%", "checks[item]<99%", "errors[item]>1%"]);
    assert_eq!(code, Some(3), "{}", s["thresholds"]);
    let judged: Vec<(String, bool, f64)> = s["thresholds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = t["condition"].as_str().unwrap().to_string();
            (
                text,
                t["passed"].as_bool().unwrap(),
                t["measured"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        judged,
        [
            ("errors[gone]>1%".to_string(), false, 100.0),
            ("checks[item]<99%".to_string(), false, 0.0),
            ("errors[item]>1%".to_string(), true, 0.0),
        ]
    );
}

#[test]
fn a_step_the_scenario_lacks_or_a_step_without_one_is_refused() {
    let addr = server();
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &fast_then_slow(addr));
    let url = format!("http://{addr}/");
    for (args, why) in [
        (
            vec!["--scenario", &path, "--until", "p99[login]>1ms"],
            "--until: 'p99[login]>1ms': the scenario has no step named login (its steps: fast, slow)",
        ),
        (
            vec!["--scenario", &path, "--fail-if", "checks[slow]<99%"],
            "measures checks, but the step has none",
        ),
        (
            vec![url.as_str(), "--fail-if", "p99[fast]>1ms"],
            "--fail-if: 'p99[fast]>1ms' names a step, but steps are a --scenario's",
        ),
        (
            vec!["--scenario", &path, "--until", "p99[fast>1ms"],
            "closed by ]",
        ),
        (
            vec!["--scenario", &path, "--hold", "p99[fast]<1ms"],
            "the autopilot holds bars over all steps together",
        ),
    ] {
        let mut all = vec!["--no-tui", "-z", "5s"];
        all.extend(args);
        let err = refused(&sluice(&all));
        assert!(err.contains(why), "{all:?}: {err}");
    }
}

#[test]
fn headless_lines_say_sessions() {
    let addr = server();
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &fast_then_slow(addr));
    let out = sluice(&["--no-tui", "--scenario", &path, "-c", "3", "-z", "2s"]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let progress = err.lines().find(|l| !l.contains("[done]")).expect("a line");
    assert!(progress.contains("sessions in flight"), "{err}");
    assert!(progress.contains("/3"), "against the limit: {err}");
    let last = err
        .lines()
        .find(|l| l.contains("[done]"))
        .expect("the last line");
    assert!(
        last.contains(" started, ") && last.contains(" completed, "),
        "{last}"
    );
}
