//! `--check`: each check's counts against a server that answers 200 and 500 in turn (with a
//! body, a header and a JSON document that alternate too); only the first
//! `--check-body-limit` bytes are looked at; `checks<N%` in `--fail-if` and `--until`; bad
//! expressions refused before any load.

use crate::common::{answer, answering, json_run, refused, sluice, spawn_worker};
use std::net::SocketAddr;

/// Even requests: 200, `x-id`, a JSON body with `"ok": true`; odd ones: 500, no `x-id`,
/// `error` as text.
fn alternating() -> SocketAddr {
    answering(|asked| match asked.n % 2 {
        0 => answer(
            200,
            &["x-id: 17", "content-type: application/json"],
            r#"{"id": 17, "ok": true}"#,
        ),
        _ => answer(500, &["content-type: text/plain"], "error"),
    })
}

/// The summary's checks as (check, passed, failed).
fn checks_of(s: &serde_json::Value) -> Vec<(String, u64, u64)> {
    s["checks"]
        .as_array()
        .expect("a checks array")
        .iter()
        .map(|c| {
            (
                c["check"].as_str().expect("its text").to_string(),
                c["passed"].as_u64().expect("passed"),
                c["failed"].as_u64().expect("failed"),
            )
        })
        .collect()
}

#[test]
fn each_check_counts_what_a_server_answering_200_and_500_in_turn_gives() {
    let url = format!("http://{}/", alternating());
    let checks = [
        ("status == 200", 100, 100),
        ("status != 500", 100, 100),
        ("status < 500", 100, 100),
        ("status <= 200", 100, 100),
        ("status > 200", 100, 100),
        ("status >= 500", 100, 100),
        ("status in 200..299", 100, 100),
        ("status in 100..599", 200, 0),
        (r#"body contains "\"ok\"""#, 100, 100),
        (r#"body not contains "error""#, 100, 100),
        ("header X-Id exists", 100, 100),
        (r#"header content-type contains "json""#, 100, 100),
        ("json /id exists", 100, 100),
        ("json /ok == true", 100, 100),
        ("json /id == 18", 0, 200),
    ];
    let mut args = vec![url.as_str(), "-n", "200", "-c", "4"];
    for (check, _, _) in &checks {
        args.extend(["--check", check]);
    }
    let s = json_run(&args);
    assert_eq!(s["requests"]["ok"], 200, "a failed check fails no response");
    assert_eq!(s["requests"]["failed"], 0);
    assert_eq!(s["status_codes"]["500"], 100);
    let want: Vec<_> = checks
        .iter()
        .map(|(c, p, f)| (c.replace("X-Id", "x-id"), *p, *f))
        .collect();
    assert_eq!(checks_of(&s), want);
}

#[test]
fn a_run_without_checks_has_none_and_the_text_summary_lists_them() {
    let url = format!("http://{}/", alternating());
    let s = json_run(&[&url, "-n", "10"]);
    assert_eq!(s["checks"], serde_json::json!([]));
    let out = sluice(&[
        "--no-tui",
        &url,
        "-n",
        "10",
        "-c",
        "1",
        "--check",
        "status==200",
        "--check",
        "body contains \"id\"",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Checks:"), "{text}");
    let line = |check: &str| {
        text.lines()
            .find(|l| l.contains(check))
            .unwrap_or_else(|| panic!("no line for {check} in {text}"))
            .to_string()
    };
    let status = line("status == 200");
    assert!(
        status.contains("50.00%") && status.contains("5 failed"),
        "{status}"
    );
    assert!(line(r#"body contains "id""#).contains("5 passed"), "{text}");
}

#[test]
fn body_checks_look_at_the_first_bytes_up_to_the_limit_only() {
    let addr = answering(|_| answer(200, &[], "0123456789MARK and more after it"));
    let url = format!("http://{addr}/");
    let run = |limit: &str| {
        json_run(&[
            &url,
            "-n",
            "20",
            "--check-body-limit",
            limit,
            "--check",
            "body contains \"MARK\"",
        ])
    };
    let cut = run("12");
    assert_eq!(checks_of(&cut)[0].1, 0, "MARK ends past 12 bytes");
    assert_eq!(
        cut["body_bytes_received"],
        20 * 32,
        "the body is still read to its end"
    );
    assert_eq!(checks_of(&run("14"))[0].1, 20);
    assert_eq!(checks_of(&run("64KiB"))[0].1, 20);
}

#[test]
fn checks_below_a_share_fail_the_bar_and_stop_the_run() {
    let url = format!("http://{}/", alternating());
    let with = |condition: &[&str]| {
        let mut args = vec!["--no-tui", &url, "-n", "100", "--check", "status == 200"];
        args.extend_from_slice(condition);
        sluice(&args)
    };
    let missed = with(&["--fail-if", "checks<99%"]);
    assert_eq!(missed.status.code(), Some(3), "50% passed");
    let err = String::from_utf8_lossy(&missed.stderr);
    assert!(
        err.contains("--fail-if checks<99% held (measured 50 %)"),
        "{err}"
    );
    assert_eq!(with(&["--fail-if", "checks<40%"]).status.code(), Some(0));
    assert_eq!(with(&["--fail-if", "checks>40%"]).status.code(), Some(3));
    let s = json_run(&[
        &url,
        "-z",
        "30s",
        "-c",
        "2",
        "--check",
        "status == 200",
        "--until",
        "checks<99%",
    ]);
    assert!(
        s["until"]["met_at_s"].as_f64().is_some_and(|t| t < 10.0),
        "{}",
        s["until"]
    );
    assert!(s["duration_s"].as_f64().is_some_and(|d| d < 10.0), "{s}");
}

#[test]
fn bad_checks_are_refused_before_any_load() {
    let url = format!("http://{}/", alternating());
    for (args, why) in [
        (
            vec!["--check", "status = 200"],
            "'status = 200' is not a check",
        ),
        (
            vec!["--check", "json id exists"],
            "a JSON pointer starting with /",
        ),
        (vec!["--check", "body contains ok"], "a \"quoted text\""),
        (
            vec!["--check", "status == 200", "--check", "status==200"],
            "is given twice",
        ),
        (
            vec!["--fail-if", "checks<99%"],
            "measures the --check evaluations, but no --check is given",
        ),
        (
            vec!["--until", "checks<99%"],
            "measures the --check evaluations",
        ),
        (
            vec!["--check-body-limit", "17MiB"],
            "more than the checks keep",
        ),
    ] {
        let mut all = vec!["--no-tui", url.as_str(), "-n", "1"];
        all.extend_from_slice(&args);
        let err = refused(&sluice(&all));
        assert!(err.contains(why), "{args:?}: {err}");
    }
    let many: Vec<String> = (0..33).map(|i| format!("status != {i}")).collect();
    let mut all = vec!["--no-tui", url.as_str(), "-n", "1"];
    for check in &many {
        all.extend(["--check", check]);
    }
    let err = refused(&sluice(&all));
    assert!(err.contains("33 checks given; at most 32"), "{err}");
}

#[test]
fn a_fleet_adds_its_workers_checks_up_by_their_text() {
    const TOKEN: &str = "t0ken-for-check-tests";
    let url = format!("http://{}/", alternating());
    let both = ["--check", "status==200"];
    let workers = [
        spawn_worker(
            &[&[url.as_str(), "-n", "200", "-c", "2"], &both[..]].concat(),
            TOKEN,
        ),
        spawn_worker(
            &[
                &[url.as_str(), "-n", "100", "-c", "2"],
                &both[..],
                &["--check", "json /id exists"],
            ]
            .concat(),
            TOKEN,
        ),
    ];
    let addrs: Vec<&str> = workers.iter().map(|w| w.addr.as_str()).collect();
    let out = crate::common::fleet_json(TOKEN, &addrs, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).expect("merged JSON");
    assert_eq!(merged["requests"]["ok"], 300);
    let checks = checks_of(&merged);
    assert_eq!(checks.len(), 2, "{checks:?}");
    assert_eq!(checks[0].0, "status == 200");
    assert_eq!(checks[0].1 + checks[0].2, 300, "every response judged once");
    assert_eq!(checks[0].1, 150, "the server alternates over both workers");
    assert_eq!(
        (checks[1].0.as_str(), checks[1].1 + checks[1].2),
        ("json /id exists", 100)
    );
}
