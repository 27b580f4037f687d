//! The control API and `sluice fleet`, end to end against counting servers on 127.0.0.1:
//! writes need the token, malformed requests are refused without touching the run,
//! `/metrics` parses with Prometheus's own parser, a fleet merges its workers exactly.

use crate::common::{
    Behaviour, TestServer, http_call, script_numbers, spawn_worker, status_of, wait_until,
};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "t0ken-for-tests";
const BEARER: &str = "Authorization: Bearer t0ken-for-tests";

/// Asserts the server sees `n` requests in flight at once and never more, a while.
fn server_holds(server: &TestServer, n: usize) {
    wait_until(&format!("the server to see {n} at once"), WAIT, || {
        server.seen.current() == n
    });
    server.seen.reset_max();
    let served = server.seen.requests();
    wait_until("40 more requests", WAIT, || {
        server.seen.requests() >= served + 40
    });
    assert!(
        server.seen.max() <= n,
        "the server saw {} over {n}",
        server.seen.max()
    );
}

/// 20 requests the API must refuse with a 4xx each.
fn malformed(addr: &str) -> Vec<(u16, String)> {
    let huge = vec![b'9'; 1 << 20];
    let calls: Vec<(&str, &str, Vec<&str>, Vec<u8>)> = vec![
        ("POST", "/limit", vec![BEARER], b"{".to_vec()),
        ("POST", "/limit", vec![BEARER], br#"{"value": -5}"#.to_vec()),
        ("POST", "/limit", vec![BEARER], br#"{"value": 0}"#.to_vec()),
        (
            "POST",
            "/limit",
            vec![BEARER],
            br#"{"value": 1.5}"#.to_vec(),
        ),
        (
            "POST",
            "/limit",
            vec![BEARER],
            br#"{"value": "20"}"#.to_vec(),
        ),
        ("POST", "/limit", vec![BEARER], br#"{"limit": 20}"#.to_vec()),
        ("POST", "/limit", vec![BEARER], b"".to_vec()),
        ("POST", "/limit", vec![BEARER], huge.clone()),
        (
            "POST",
            "/limit",
            vec![BEARER, "Content-Length: 99999999"],
            b"{}".to_vec(),
        ),
        (
            "POST",
            "/rate",
            vec![BEARER],
            br#"{"value": -100}"#.to_vec(),
        ),
        (
            "POST",
            "/rate",
            vec![BEARER],
            br#"{"value": 1e309}"#.to_vec(),
        ),
        ("POST", "/rate", vec![BEARER], b"[null]".to_vec()),
        ("POST", "/pause", vec![BEARER], huge),
        ("GET", "/limit", vec![BEARER], b"".to_vec()),
        ("PUT", "/rate", vec![BEARER], br#"{"value": 5}"#.to_vec()),
        ("DELETE", "/stop", vec![BEARER], b"".to_vec()),
        ("POST", "/status", vec![BEARER], b"".to_vec()),
        ("GET", "/status?after=soon", vec![], b"".to_vec()),
        ("GET", "/nothing", vec![], b"".to_vec()),
        (
            "POST",
            "/stop",
            vec!["Authorization: Bearer wrong"],
            b"".to_vec(),
        ),
    ];
    calls
        .into_iter()
        .map(|(method, path, headers, body)| http_call(addr, method, path, &headers, &body))
        .collect()
}

#[test]
fn writes_need_the_token_bad_requests_change_nothing_and_metrics_add_up() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(20)));
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("run.json");
    let out_s = out.to_str().expect("path");
    let url = server.url();
    let mut worker = spawn_worker(
        &[
            &url,
            "-c",
            "5",
            "-z",
            "60s",
            "--output-format",
            "json",
            "-o",
            out_s,
        ],
        TOKEN,
    );
    let addr = worker.addr.clone();
    server_holds(&server, 5);

    let (code, body) = http_call(&addr, "POST", "/limit", &[], br#"{"value": 10}"#);
    assert_eq!(code, 401, "{body}");
    assert_eq!(body.lines().count(), 1, "one line: {body}");
    assert_eq!(status_of(&addr)["limit"], 5, "refused: nothing changed");
    server_holds(&server, 5);

    let (code, body) = http_call(&addr, "POST", "/limit", &[BEARER], br#"{"value": 10}"#);
    assert_eq!(code, 200, "{body}");
    server_holds(&server, 10);

    for (i, (code, body)) in malformed(&addr).into_iter().enumerate() {
        assert!((400..500).contains(&code), "request {i}: {code} {body}");
        assert!(
            body.trim().lines().count() <= 1,
            "request {i}: one line: {body}"
        );
    }
    let status = status_of(&addr);
    assert_eq!(
        (status["limit"].as_u64(), status["state"].as_str()),
        (Some(10), Some("running"))
    );
    assert_eq!(
        status["requests"]["failed"], 0,
        "the run's numbers are untouched"
    );
    server_holds(&server, 10);

    let summary = stop_and_check_the_metrics(&addr);
    assert!(worker.child.wait().expect("exit").success());
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("-o")).expect("json");
    assert_eq!(
        written["requests"], summary["requests"],
        "-o and /summary agree"
    );
}

/// Stops the run through the API; once it is done, its `/metrics` (read by prometheus_client)
/// add up to its summary, which names the API's one change. Returns the summary.
fn stop_and_check_the_metrics(addr: &str) -> Value {
    let addr = addr.to_string();
    let (code, body) = http_call(&addr, "POST", "/stop", &[BEARER], b"");
    assert_eq!(code, 200, "{body}");
    wait_until("the run to end", WAIT, || {
        status_of(&addr)["state"] == "done"
    });
    let (code, metrics) = http_call(&addr, "GET", "/metrics", &[], b"");
    assert_eq!(code, 200);
    let (code, summary) = http_call(&addr, "GET", "/summary", &[], b"");
    assert_eq!(code, 200, "{summary}");
    let summary: Value = serde_json::from_str(&summary).expect("summary JSON");
    let (requests, latency_count) = parsed_metrics(&metrics);
    assert_eq!(
        requests,
        summary["requests"]["total"].as_u64().expect("total")
    );
    assert_eq!(
        latency_count,
        summary["requests"]["ok"].as_u64().expect("ok")
    );
    let api: Vec<&Value> = summary["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["source"] == "api")
        .collect();
    assert_eq!(api.len(), 1, "one change by the API: {api:?}");
    assert_eq!(
        (api[0]["knob"].as_str(), api[0]["value"].as_f64()),
        (Some("limit"), Some(10.0))
    );
    summary
}

/// The request counter's sum and the latency histogram's count, read by prometheus_client.
fn parsed_metrics(text: &str) -> (u64, u64) {
    let hint = format!("prometheus_client parsing the text:\n{text}");
    let n = script_numbers("parse_metrics.py", &[], text, &hint);
    (n[0] as u64, n[1] as u64)
}

#[test]
fn a_fleet_of_three_shards_merges_to_what_the_server_saw() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(10)));
    let url = server.url();
    let workers: Vec<_> = (0..3)
        .map(|i| {
            let shard = format!("{i}/3");
            spawn_worker(&[&url, "-n", "3000", "-c", "6", "--shard", &shard], TOKEN)
        })
        .collect();
    let addrs: Vec<&str> = workers.iter().map(|w| w.addr.as_str()).collect();
    let out = crate::common::fleet_json(TOKEN, &addrs, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("workers 3/3 up"), "{err}");
    let merged: Value = serde_json::from_slice(&out.stdout).expect("merged JSON");
    assert_eq!(merged["requests"]["total"], 3000, "{}", merged["requests"]);
    assert_eq!(server.seen.requests(), 3000, "the server saw -n");
    let per_worker: Vec<u64> = merged["workers"]
        .as_array()
        .expect("workers")
        .iter()
        .map(|w| w["requests"]["total"].as_u64().expect("total"))
        .collect();
    assert_eq!(per_worker, [1000, 1000, 1000]);
}

#[test]
fn bad_control_flags_and_fleet_addresses_are_refused() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    for args in [
        vec![
            server.url(),
            "--no-tui".into(),
            "-n".into(),
            "1".into(),
            "--control".into(),
            port,
        ],
        vec![
            server.url(),
            "--no-tui".into(),
            "--control".into(),
            "localhost:x".into(),
        ],
        vec![
            server.url(),
            "--no-tui".into(),
            "--control".into(),
            "9".into(),
            "--control-token".into(),
            "a b".into(),
        ],
        vec!["fleet".into(), "127.0.0.1".into()],
        vec!["fleet".into(), "https://127.0.0.1:9".into()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = crate::common::refused(&crate::common::sluice(&args));
        assert!(
            err.contains("control") || err.contains("fleet"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(server.seen.requests(), 0, "no load before the refusal");
}
