//! `--scenario` across processes: two runs' summaries merged into the steps' counts added
//! and the percentiles of the steps' histograms added by another library; a tampered step
//! histogram refused; a fleet of two scenario workers carrying the steps; `/status` and
//! `/metrics` with steps in a scenario run and without in a plain one; `--data-order` on a
//! scenario's `data:`.

use crate::common::{
    answer, answering, http_call, json_run, refused, script_numbers, sluice, spawn_worker,
    status_of, wait_until,
};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "t0ken-for-steps";
const BEARER: &str = "Authorization: Bearer t0ken-for-steps";
const WAIT: Duration = Duration::from_secs(20);

/// What the server saw: logins, items, and each login's `user`.
#[derive(Default)]
struct Seen {
    logins: AtomicU64,
    items: AtomicU64,
    users: Mutex<Vec<String>>,
}

/// `/login` answers a token (and notes the body's `user`); `/items/N` answers 200, or 404
/// for every fourth.
fn server() -> (SocketAddr, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let books = Arc::clone(&seen);
    let addr = answering(move |asked| {
        if asked.path == "/login" {
            books.logins.fetch_add(1, SeqCst);
            let v: Value = serde_json::from_slice(&asked.body).unwrap_or_default();
            let user = v["user"].as_str().unwrap_or_default().to_string();
            books.users.lock().unwrap().push(user);
            return answer(
                200,
                &["content-type: application/json"],
                r#"{"token": "t"}"#,
            );
        }
        let n = books.items.fetch_add(1, SeqCst);
        answer(if n % 4 == 3 { 404 } else { 200 }, &[], "{}")
    });
    (addr, seen)
}

/// Log in and capture the token, then an item judged by a check.
fn flow(addr: SocketAddr) -> String {
    format!(
        "flow:\n  - name: login\n    post: \"http://{addr}/login\"\n    json: {{user: \"u{{{{ seq }}}}\"}}\n    capture:\n      - json: /token\n        as: token\n  - name: item\n    get: \"http://{addr}/items/{{{{ seq }}}}\"\n    headers: {{Authorization: \"Bearer {{{{ token }}}}\"}}\n    check: [\"status == 200\"]\n"
    )
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// A run of `args` with its JSON summary written to `name` in `dir`; the file's path.
fn run_to(dir: &tempfile::TempDir, name: &str, args: &[&str]) -> String {
    let path = dir.path().join(name).display().to_string();
    let mut all = vec!["--no-tui", "--output-format", "json", "-o", &path];
    all.extend_from_slice(args);
    let out = sluice(&all);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{all:?}: {err}");
    path
}

fn read(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

fn merged(files: &[&str]) -> (Value, String) {
    let mut args = vec!["merge", "--force"];
    args.extend_from_slice(files);
    let out = sluice(&args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    (
        serde_json::from_slice(&out.stdout).expect("merged JSON"),
        err,
    )
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count: {v}"))
}

#[test]
fn two_scenario_runs_merge_into_the_steps_summed_and_their_histograms_added() {
    let (addr, seen) = server();
    let dir = tempfile::tempdir().expect("dir");
    let scenario = file(&dir, "flow.yaml", &flow(addr));
    let a = run_to(
        &dir,
        "a.json",
        &["--scenario", &scenario, "-n", "300", "-c", "4"],
    );
    let b = run_to(
        &dir,
        "b.json",
        &["--scenario", &scenario, "-n", "500", "-c", "8"],
    );
    let (m, err) = merged(&[&a, &b]);
    assert!(
        err.is_empty(),
        "nothing to say of one scenario's runs: {err}"
    );
    let (ra, rb) = (read(&a), read(&b));
    assert_eq!(n(&m["sessions"]["started"]), 800);
    assert_eq!(n(&m["sessions"]["completed"]), 800);
    assert_eq!(n(&m["steps"][0]["requests"]), seen.logins.load(SeqCst));
    assert_eq!(n(&m["steps"][1]["ok"]), seen.items.load(SeqCst));
    for i in 0..2 {
        let (ms, sa, sb) = (&m["steps"][i], &ra["steps"][i], &rb["steps"][i]);
        assert_eq!(ms["name"], sa["name"]);
        for key in ["requests", "ok", "failed", "skipped"] {
            assert_eq!(n(&ms[key]), n(&sa[key]) + n(&sb[key]), "step {i} {key}");
        }
        let codes = ms["status_codes"].as_object().expect("codes");
        for (code, count) in codes {
            let each = |s: &Value| s["status_codes"][code].as_u64().unwrap_or(0);
            assert_eq!(n(count), each(sa) + each(sb), "step {i} status {code}");
        }
        let field = format!("steps.{i}.histograms.latency");
        let hint = "HdrHistogram_py adding the steps' histograms";
        let said = script_numbers("add_histograms.py", &["--field", &field, &a, &b], "", hint);
        assert_eq!(
            said[0] as u64,
            n(&ms["ok"]),
            "the histograms hold every response"
        );
        for (j, key) in ["p50", "p90", "p99", "p99_9", "max"].iter().enumerate() {
            let merged_ms = ms["latency_ms"][key].as_f64().expect(key);
            assert_eq!((merged_ms * 1000.0).round(), said[j + 1], "step {i} {key}");
        }
    }
    let checks = &m["steps"][1]["checks"][0];
    assert_eq!(
        n(&checks["passed"]) + n(&checks["failed"]),
        n(&m["steps"][1]["ok"])
    );
    assert_eq!(
        n(&checks["failed"]),
        n(&m["steps"][1]["status_codes"]["404"])
    );
}

#[test]
fn a_step_histogram_that_disagrees_with_its_counts_is_refused_and_a_plain_run_merges_with_a_line() {
    let (addr, _) = server();
    let dir = tempfile::tempdir().expect("dir");
    let scenario = file(&dir, "flow.yaml", &flow(addr));
    let a = run_to(&dir, "a.json", &["--scenario", &scenario, "-n", "40"]);
    let url = format!("http://{addr}/login");
    let plain = run_to(&dir, "plain.json", &[&url, "-n", "30"]);
    let b = run_to(&dir, "b.json", &["--scenario", &scenario, "-n", "40"]);
    let mut tampered = read(&b);
    // The whole run's latency histogram holds both steps' responses, not the login's alone.
    tampered["steps"][0]["histograms"]["latency"] = tampered["histograms"]["latency"].clone();
    let bad = file(&dir, "bad.json", &tampered.to_string());
    let why = refused(&sluice(&["merge", &a, &bad]));
    assert!(
        why.contains("bad.json") && why.contains("step 'login'") && why.contains("ok says 40"),
        "{why}"
    );
    let (m, err) = merged(&[&plain, &a]);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("plain.json' ran no --scenario"), "{err}");
    assert_eq!(
        n(&m["requests"]["total"]),
        30 + 80,
        "the totals are all the runs'"
    );
    let own = read(&a);
    for i in 0..2 {
        let (ms, own) = (&m["steps"][i], &own["steps"][i]);
        assert_eq!(
            (&ms["name"], &ms["ok"]),
            (&own["name"], &own["ok"]),
            "the scenario run's"
        );
        assert_eq!(ms["latency_ms"]["p99"], own["latency_ms"]["p99"]);
    }
    assert_eq!(n(&m["sessions"]["started"]), 40);
}

#[test]
fn a_fleet_of_two_scenario_workers_carries_their_steps() {
    let (addr, seen) = server();
    let dir = tempfile::tempdir().expect("dir");
    let scenario = file(&dir, "flow.yaml", &flow(addr));
    let workers = [
        spawn_worker(&["--scenario", &scenario, "-n", "200", "-c", "2"], TOKEN),
        spawn_worker(&["--scenario", &scenario, "-n", "100", "-c", "2"], TOKEN),
    ];
    let addrs: Vec<&str> = workers.iter().map(|w| w.addr.as_str()).collect();
    let out = crate::common::fleet_json(TOKEN, &addrs, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let m: Value = serde_json::from_slice(&out.stdout).expect("merged JSON");
    assert_eq!(n(&m["sessions"]["started"]), 300, "{}", m["sessions"]);
    assert_eq!(n(&m["steps"][0]["ok"]), 300);
    assert_eq!(n(&m["steps"][0]["ok"]), seen.logins.load(SeqCst));
    assert_eq!(n(&m["steps"][1]["requests"]), seen.items.load(SeqCst));
    let p99 = m["steps"][1]["latency_ms"]["p99"].as_f64().expect("p99");
    assert!(p99 > 0.0 && m["steps"][1]["histograms"]["latency"].is_string());
}

/// `/metrics` of the worker at `addr`, checked to parse (prometheus_client): the text and
/// the script's numbers (requests, latency count; with `step`, that step's responses and
/// latency count).
fn metrics(addr: &str, step: &[&str]) -> (String, Vec<u64>) {
    let (code, text) = http_call(addr, "GET", "/metrics", &[], b"");
    assert_eq!(code, 200, "{text}");
    let hint = format!("prometheus_client parsing the text:\n{text}");
    let n = script_numbers("parse_metrics.py", step, &text, &hint);
    (text, n.into_iter().map(|f| f as u64).collect())
}

/// The workers at `addrs` paused, nothing in flight, and two ticks later: their snapshots
/// have counted every response that ended.
fn paused(addrs: &[&str]) {
    for addr in addrs {
        let (code, body) = http_call(addr, "POST", "/pause", &[BEARER], b"");
        assert_eq!(code, 200, "{body}");
    }
    wait_until("the runs to pause", WAIT, || {
        addrs.iter().all(|a| status_of(a)["in_flight"] == 0)
    });
    let ticks: Vec<u64> = addrs.iter().map(|a| n(&status_of(a)["tick"])).collect();
    wait_until("two ticks more", WAIT, || {
        addrs
            .iter()
            .zip(&ticks)
            .all(|(a, t)| n(&status_of(a)["tick"]) >= t + 2)
    });
}

#[test]
fn status_and_metrics_carry_the_steps_of_a_scenario_run_and_nothing_new_without() {
    let (addr, _) = server();
    let dir = tempfile::tempdir().expect("dir");
    let scenario = file(&dir, "flow.yaml", &flow(addr));
    let url = format!("http://{addr}/login");
    let with = spawn_worker(&["--scenario", &scenario, "-z", "60s", "-c", "2"], TOKEN);
    let plain = spawn_worker(&[&url, "-z", "60s", "-c", "2"], TOKEN);
    wait_until("the scenario's steps in /status", WAIT, || {
        let s = status_of(&with.addr);
        s["steps"][1]["ok"].as_u64().unwrap_or(0) > 0
    });
    wait_until("the plain run's responses", WAIT, || {
        n(&status_of(&plain.addr)["requests"]["ok"]) > 0
    });
    paused(&[&with.addr, &plain.addr]);
    let s = status_of(&with.addr);
    let login = &s["steps"][0];
    assert_eq!(login["name"], "login");
    assert!(
        login["latency_ms"]["p99"].as_f64().expect("p99") > 0.0,
        "{login}"
    );
    let h = login["histograms"]["latency"].as_str().expect("encoded");
    assert!(h.starts_with("HISTF"), "{h}");
    assert!(
        n(&s["sessions"]["started"]) >= n(&login["ok"]),
        "{}",
        s["sessions"]
    );
    let (text, figures) = metrics(&with.addr, &["item"]);
    let item_ok = n(&s["steps"][1]["ok"]);
    assert_eq!(figures[2..], [item_ok, item_ok], "{text}");
    for line in [
        "sluice_step_requests_total{step=\"login\",outcome=\"ok\"}",
        "sluice_step_latency_seconds_bucket{le=\"+Inf\",step=\"item\"}",
        "sluice_sessions_started_total",
        "sluice_sessions_failed_total 0",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    let p = status_of(&plain.addr);
    assert!(
        p.get("steps").is_none() && p.get("sessions").is_none(),
        "{p}"
    );
    let (text, _) = metrics(&plain.addr, &[]);
    assert!(
        !text.contains("sluice_step") && !text.contains("sluice_sessions"),
        "{text}"
    );
}

#[test]
fn data_order_applies_to_a_scenarios_data_file() {
    let (addr, seen) = server();
    let dir = tempfile::tempdir().expect("dir");
    file(&dir, "users.csv", "user\nann\nbob\ncy\n");
    let text = format!(
        "data: users.csv\nflow:\n  - name: login\n    post: \"http://{addr}/login\"\n    json: {{user: \"{{{{ row.user }}}}\"}}\n"
    );
    let scenario = file(&dir, "flow.yaml", &text);
    let s = json_run(&["--scenario", &scenario, "--data-order", "once", "-c", "1"]);
    assert_eq!(
        n(&s["sessions"]["started"]),
        3,
        "each row once, then the end"
    );
    assert_eq!(*seen.users.lock().unwrap(), ["ann", "bob", "cy"]);
    let url = format!("http://{addr}/");
    let why = refused(&sluice(&[
        &url,
        "--no-tui",
        "-n",
        "1",
        "--data-order",
        "once",
    ]));
    assert!(why.contains("--data"), "{why}");
}
