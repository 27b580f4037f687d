//! `--scenario`: sessions against a server of the test's own that hands each login its own
//! token and cookie and counts every item request that carries another session's (zero);
//! a capture that finds nothing fails its session and skips the rest; `-n` counts sessions;
//! weights split sessions; bad files are refused before any load, naming their line.

use crate::common::{Asked, answer, answering, json_run, refused, sluice};
use http::header::{AUTHORIZATION, COOKIE};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

/// What the server saw.
#[derive(Default)]
struct Books {
    logins: AtomicU64,
    items: AtomicU64,
    /// Item requests whose token and cookie were not the ones one login handed out, and
    /// logins whose body was not the JSON asked for.
    mismatches: AtomicU64,
    /// By path, for the weights.
    paths: Mutex<HashMap<String, u64>>,
    /// Each token handed out, with the cookie handed out with it.
    tokens: Mutex<HashMap<String, String>>,
    /// Each login's `user`, as the JSON body held it.
    users: Mutex<Vec<String>>,
}

/// A server whose `/login` answers `{"token": "tN"}` and `Set-Cookie: sid=cN` (every
/// `skip_token`-th login without its token), and whose `/items/...` counts a mismatch for
/// any token and cookie that did not come together.
fn sessions_server(skip_token: Option<u64>) -> (SocketAddr, Arc<Books>) {
    let books = Arc::new(Books::default());
    let seen = Arc::clone(&books);
    let addr = answering(move |asked| respond(&seen, asked, skip_token));
    (addr, books)
}

fn respond(
    books: &Books,
    asked: &Asked,
    skip_token: Option<u64>,
) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    let path = asked.path.split('?').next().unwrap_or("").to_string();
    *books.paths.lock().unwrap().entry(path.clone()).or_default() += 1;
    if path == "/login" {
        let n = books.logins.fetch_add(1, SeqCst);
        match serde_json::from_slice::<serde_json::Value>(&asked.body) {
            Ok(v) if v["user"].is_string() => {
                let user = v["user"].as_str().unwrap_or_default().to_string();
                books.users.lock().unwrap().push(user);
            }
            _ => drop(books.mismatches.fetch_add(1, SeqCst)),
        }
        let (token, cookie) = (format!("t{n}"), format!("c{n}"));
        books
            .tokens
            .lock()
            .unwrap()
            .insert(token.clone(), cookie.clone());
        let set_cookie = format!("set-cookie: sid={cookie}; Path=/");
        let body = match skip_token {
            Some(k) if n % k == k - 1 => "{}".to_string(),
            _ => format!(r#"{{"token": "{token}"}}"#),
        };
        return answer(200, &[&set_cookie, "content-type: application/json"], &body);
    }
    if path.starts_with("/items/") {
        books.items.fetch_add(1, SeqCst);
        let header = |name| {
            asked
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let token = header(AUTHORIZATION).strip_prefix("Bearer ").unwrap_or("");
        let cookie = header(COOKIE).strip_prefix("sid=").unwrap_or("-");
        if books.tokens.lock().unwrap().get(token).map(String::as_str) != Some(cookie) {
            books.mismatches.fetch_add(1, SeqCst);
        }
    }
    answer(200, &["content-type: application/json"], r#"{"id": 1}"#)
}

/// `text` written to `name` in `dir`; its path.
fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// Log in, then two items with the session's token and cookie.
fn login_flow(addr: SocketAddr) -> String {
    format!(
        r#"
variables:
  base: "http://{addr}"
flow:
  - name: login
    post: "{{{{ base }}}}/login"
    json: {{user: "u{{{{ seq }}}}"}}
    capture:
      - json: /token
        as: token
    check: ["status == 200"]
  - name: item
    get: "{{{{ base }}}}/items/{{{{ seq }}}}"
    headers: {{Authorization: "Bearer {{{{ token }}}}"}}
    check: ["status == 200", "json /id exists"]
  - think: 1ms..3ms
  - name: again
    get: "{{{{ base }}}}/items/again"
    headers: {{Authorization: "Bearer {{{{ token }}}}"}}
"#
    )
}

#[test]
fn every_item_carries_its_own_sessions_token_and_cookie() {
    let (addr, books) = sessions_server(None);
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &login_flow(addr));
    let s = json_run(&["--scenario", &path, "-n", "2000", "-c", "50"]);
    assert_eq!(books.logins.load(SeqCst), 2000, "-n counts sessions");
    assert_eq!(books.items.load(SeqCst), 4000);
    assert_eq!(
        books.mismatches.load(SeqCst),
        0,
        "another session's token or cookie"
    );
    let mut users = books.users.lock().unwrap().clone();
    users.sort();
    users.dedup();
    assert_eq!(users.len(), 2000, "each session its own seq");
    assert_eq!(
        s["requests"]["total"], 6000,
        "totals over all steps: {}",
        s["requests"]
    );
    let sessions = &s["sessions"];
    assert_eq!(sessions["started"], 2000, "{sessions}");
    assert_eq!(
        (sessions["completed"].as_u64(), sessions["failed"].as_u64()),
        (Some(2000), Some(0))
    );
    assert!(sessions["duration_ms"]["p50"].as_f64().unwrap() > 0.0);
    let steps = s["steps"].as_array().expect("steps");
    let names: Vec<_> = steps
        .iter()
        .map(|st| st["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["login", "item", "again"]);
    for st in steps {
        assert_eq!(
            (st["requests"].as_u64(), st["ok"].as_u64()),
            (Some(2000), Some(2000)),
            "{st}"
        );
        assert_eq!(st["status_codes"]["200"], 2000);
        assert!(st["latency_ms"]["p99"].as_f64().unwrap() > 0.0, "{st}");
        assert!(st["ttfb_ms"]["p50"].as_f64().is_some(), "{st}");
    }
    assert_eq!(steps[1]["checks"][1]["check"], "json /id exists");
    assert_eq!(steps[1]["checks"][1]["passed"], 2000);
}

#[test]
fn a_missing_capture_fails_the_session_and_skips_its_later_steps() {
    let (addr, books) = sessions_server(Some(4));
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &login_flow(addr));
    let s = json_run(&["--scenario", &path, "-n", "400", "-c", "8"]);
    assert_eq!(books.logins.load(SeqCst), 400);
    assert_eq!(
        books.items.load(SeqCst),
        2 * 300,
        "a quarter of the sessions stop at login"
    );
    assert_eq!(books.mismatches.load(SeqCst), 0);
    let sessions = &s["sessions"];
    assert_eq!(
        (sessions["completed"].as_u64(), sessions["failed"].as_u64()),
        (Some(300), Some(100))
    );
    let login = &s["steps"][0];
    assert_eq!(login["errors"]["capture_missing"], 100, "{login}");
    assert_eq!(
        (login["ok"].as_u64(), login["failed"].as_u64()),
        (Some(300), Some(100))
    );
    for later in [&s["steps"][1], &s["steps"][2]] {
        assert_eq!(
            (later["requests"].as_u64(), later["skipped"].as_u64()),
            (Some(300), Some(100)),
            "{later}"
        );
    }
    assert_eq!(s["errors"]["capture_missing"], 100);
}

#[test]
fn json_bodies_take_values_escaped_and_data_rows_per_session() {
    let (addr, books) = sessions_server(None);
    let dir = tempfile::tempdir().expect("dir");
    file(&dir, "users.csv", "user\n\"a\"\"b\\c\"\nplain\n");
    let text = format!(
        "data: users.csv\nflow:\n  - name: login\n    post: \"http://{addr}/login\"\n    json: {{user: \"{{{{ row.user }}}}\"}}\n"
    );
    let path = file(&dir, "flow.yaml", &text);
    json_run(&["--scenario", &path, "-n", "4", "-c", "1"]);
    assert_eq!(books.mismatches.load(SeqCst), 0, "every body was JSON");
    let users = books.users.lock().unwrap().clone();
    assert_eq!(users, [r#"a"b\c"#, "plain", r#"a"b\c"#, "plain"]);
}

#[test]
fn weights_split_sessions_between_flows() {
    let (addr, books) = sessions_server(None);
    let dir = tempfile::tempdir().expect("dir");
    let text = format!(
        "scenarios:\n  - name: a\n    weight: 3\n    flow:\n      - get: \"http://{addr}/a\"\n  - name: b\n    weight: 1\n    flow:\n      - get: \"http://{addr}/b\"\n"
    );
    let path = file(&dir, "flows.yaml", &text);
    let s = json_run(&["--scenario", &path, "-n", "10000", "-c", "50"]);
    let paths = books.paths.lock().unwrap().clone();
    let (a, b) = (paths["/a"] as f64, paths["/b"] as f64);
    assert_eq!(a + b, 10000.0);
    let share = a / (a + b);
    assert!((share - 0.75).abs() < 0.02, "flow a took {share}");
    let names: Vec<_> = s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| st["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a/GET step 1", "b/GET step 1"]);
}

#[test]
fn bad_files_are_refused_before_any_load_naming_the_line() {
    let dir = tempfile::tempdir().expect("dir");
    let cases = [
        (
            "flow:\n  - get: \"http://127.0.0.1:1/\"\n    nope: 1\n",
            "nope",
        ),
        (
            "flow:\n  - get: \"http://127.0.0.1:1/\"\n    check: [\"status = 200\"]\n",
            "line 2",
        ),
        (
            "flow:\n  - get: \"http://127.0.0.1:1/{{ rand_int(9, 1) }}\"\n",
            "line 2",
        ),
        (
            "flow:\n  - get: \"http://127.0.0.1:1/{{ token }}\"\n",
            "token",
        ),
        ("flow: [\n", "line"),
        (
            "flow:\n  - get: \"http://127.0.0.1:1/\"\n    headers: {Host: x}\n",
            "line 2",
        ),
    ];
    for (i, (text, says)) in cases.iter().enumerate() {
        let path = file(&dir, &format!("bad{i}.yaml"), text);
        let err = refused(&sluice(&["--no-tui", "--scenario", &path, "-n", "1"]));
        assert!(
            err.contains("--scenario") && err.contains(says),
            "case {i}: {err}"
        );
    }
    let path = file(&dir, "ok.yaml", "flow:\n  - get: \"http://127.0.0.1:1/\"\n");
    let err = refused(&sluice(&[
        "--no-tui",
        "--scenario",
        &path,
        "http://127.0.0.1:1/",
    ]));
    assert!(err.contains("--scenario"), "{err}");
}

/// A server whose `/login` takes `login_ms` (one request at a time: its runtime has one
/// thread) and whose other paths answer at once; it counts the logins.
fn slow_login_server(login_ms: u64) -> (SocketAddr, Arc<AtomicU64>) {
    let logins = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&logins);
    let addr = answering(move |asked| {
        if asked.path == "/login" {
            counted.fetch_add(1, SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(login_ms));
        }
        answer(200, &[], "ok")
    });
    (addr, logins)
}

fn two_steps(addr: SocketAddr) -> String {
    format!(
        "flow:\n  - name: login\n    post: \"http://{addr}/login\"\n  - name: item\n    get: \"http://{addr}/item\"\n"
    )
}

#[test]
fn rate_mode_starts_sessions_at_the_rate() {
    let (addr, logins) = slow_login_server(0);
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &two_steps(addr));
    let s = json_run(&["--scenario", &path, "-q", "100", "-z", "2s"]);
    let started = logins.load(SeqCst);
    assert!(
        (170..=230).contains(&started),
        "{started} logins in 2 s at 100/s"
    );
    // A login in flight at the end reached the server but was aborted here.
    let counted = s["sessions"]["started"].as_u64().unwrap();
    let aborted = s["requests"]["aborted"].as_u64().unwrap();
    assert!(
        counted <= started && started <= counted + aborted,
        "{counted} + {aborted} vs {started}"
    );
}

#[test]
fn a_stall_shows_in_the_first_steps_latency_not_in_its_service_time() {
    // Sessions are due every 50 ms, one at a time, and each login takes 100 ms: each
    // session starts later than the one before.
    let (addr, logins) = slow_login_server(100);
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &two_steps(addr));
    let s = json_run(&[
        "--scenario",
        &path,
        "-q",
        "20",
        "-n",
        "10",
        "-c",
        "1",
        "--threads",
        "1",
    ]);
    assert_eq!(logins.load(SeqCst), 10);
    let ms = |step: usize, ladder: &str| s["steps"][step][ladder]["max"].as_f64().unwrap();
    let (login, login_service) = (ms(0, "latency_ms"), ms(0, "service_ms"));
    assert!(
        login_service < 200.0,
        "the server's own time: {login_service} ms"
    );
    assert!(
        login > login_service + 250.0,
        "the last session was due ~450 ms before it started: {login} ms"
    );
    let (item, item_service) = (ms(1, "latency_ms"), ms(1, "service_ms"));
    assert!(
        item < item_service + 20.0,
        "the item was due when the login ended: {item} vs {item_service} ms"
    );
}

#[test]
fn the_text_summary_lists_the_sessions_and_each_step() {
    let (addr, _) = slow_login_server(0);
    let dir = tempfile::tempdir().expect("dir");
    let path = file(&dir, "flow.yaml", &two_steps(addr));
    let out = sluice(&["--no-tui", "--scenario", &path, "-n", "5"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Sessions:       5 started, 5 completed, 0 failed"),
        "{text}"
    );
    let lines: Vec<_> = text.lines().filter(|l| l.contains(": 200 5")).collect();
    assert!(
        lines.len() == 2 && lines[0].ends_with("login: 200 5"),
        "{text}"
    );
}

/// A server that counts the sessions open between their `/login` and their `/logout`, and
/// the most it saw open at once.
fn open_sessions_server() -> (SocketAddr, Arc<(AtomicU64, AtomicU64)>) {
    let open = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    let seen = Arc::clone(&open);
    let addr = answering(move |asked| {
        match asked.path.as_str() {
            "/login" => {
                let now = seen.0.fetch_add(1, SeqCst) + 1;
                seen.1.fetch_max(now, SeqCst);
            }
            "/logout" => drop(seen.0.fetch_sub(1, SeqCst)),
            _ => {}
        }
        answer(200, &[], "ok")
    });
    (addr, open)
}

#[test]
fn the_limit_is_sessions_in_flight_and_follows_a_live_change() {
    use crate::common::{http_call, spawn_worker, wait_until};
    let (addr, open) = open_sessions_server();
    let dir = tempfile::tempdir().expect("dir");
    let text = format!(
        "flow:\n  - post: \"http://{addr}/login\"\n  - think: 100ms\n  - post: \"http://{addr}/logout\"\n"
    );
    let path = file(&dir, "flow.yaml", &text);
    let worker = spawn_worker(&["--scenario", &path, "-c", "5", "-z", "60s"], "tok");
    let wait = std::time::Duration::from_secs(10);
    wait_until("5 sessions open", wait, || open.0.load(SeqCst) == 5);
    assert!(
        open.1.load(SeqCst) <= 5,
        "{} open at once",
        open.1.load(SeqCst)
    );
    let (code, body) = http_call(
        &worker.addr,
        "POST",
        "/limit",
        &["Authorization: Bearer tok"],
        br#"{"value": 12}"#,
    );
    assert_eq!(code, 200, "{body}");
    wait_until("12 sessions open", wait, || open.0.load(SeqCst) == 12);
    assert!(
        open.1.load(SeqCst) <= 12,
        "{} open at once",
        open.1.load(SeqCst)
    );
}
