//! `--targets`: vegeta's JSON targets, each request as its line says, in turn, across
//! origins; bad lines refused naming them; the by-URL breakdown bounded at 1,000 rows.

use crate::common::{
    Behaviour, RawRequest, TestServer, json_run, read_raw_request, refused, sluice,
};
use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A keep-alive server that keeps every request it reads and answers each "ok".
fn recording_server() -> (String, Arc<Mutex<Vec<RawRequest>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let kept = Arc::clone(&kept);
            std::thread::spawn(move || {
                while let Some(r) = read_raw_request(&mut stream, Duration::from_secs(10)) {
                    kept.lock().expect("lock").push(r);
                    let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                    if stream.write_all(ok).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (origin, seen)
}

/// The values of header `name` in a raw head, in the order sent.
fn values(head: &str, name: &str) -> Vec<String> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[test]
fn vegeta_targets_arrive_as_written_on_each_origin() {
    let (a, seen_a) = recording_server();
    let (b, seen_b) = recording_server();
    let dir = tempfile::tempdir().expect("dir");
    // base64("{\"id\": 7}") and vegeta's own example, "ATTACK!"
    let file = write(
        &dir,
        "targets.jsonl",
        &format!(
            "{{\"method\": \"POST\", \"url\": \"{a}/post\", \"header\": {{\"X-Token\": [\"t1\", \"t2\"], \"Content-Type\": [\"application/json\"]}}, \"body\": \"eyJpZCI6IDd9\"}}\n\
             \n  {{\"method\": \"GET\", \"url\": \"{b}/get?q=1\", \"header\": {{\"X-Only\": [\"b\"]}}, \"ignored\": true}}  \n\
             {{\"method\": \"PUT\", \"url\": \"{a}/put\", \"body\": null}}"
        ),
    );
    let args = ["--targets", &file, "-n", "6", "-c", "1", "--threads", "1"];
    let s = json_run(&[&args[..], &["-H", "X-Run: r", "-d", "default"]].concat());
    assert_eq!(s["requests"]["ok"], 6, "{s}");
    let a = seen_a.lock().expect("lock");
    // In turn: the two of A's targets alternate (B's come between them).
    let mut lines: Vec<_> = a
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0] != lines[1] && lines[0] == lines[2] && lines[1] == lines[3]);
    lines.sort();
    assert_eq!(
        lines,
        [
            ("POST", "/post"),
            ("POST", "/post"),
            ("PUT", "/put"),
            ("PUT", "/put")
        ]
    );
    let post = a.iter().find(|r| r.method == "POST").expect("a POST");
    let put = a.iter().find(|r| r.method == "PUT").expect("a PUT");
    assert_eq!(post.body, br#"{"id": 7}"#);
    assert_eq!(values(&post.head, "x-token"), ["t1", "t2"]);
    assert_eq!(values(&post.head, "content-type"), ["application/json"]);
    assert_eq!(
        values(&post.head, "x-run"),
        ["r"],
        "-H goes to every target"
    );
    assert_eq!(values(&post.head, "content-length"), ["9"]);
    assert_eq!(put.body, b"default", "a target without a body takes -d's");
    let b = seen_b.lock().expect("lock");
    assert_eq!(b.len(), 2);
    assert_eq!(
        (b[0].method.as_str(), b[0].path.as_str()),
        ("GET", "/get?q=1")
    );
    assert_eq!(values(&b[0].head, "x-only"), ["b"]);
    assert!(
        values(&b[0].head, "x-token").is_empty(),
        "a line's headers are its own"
    );
    let urls = s["urls"].as_array().expect("urls");
    assert_eq!(urls.len(), 3);
    assert!(urls.iter().all(|u| u["requests"] == 2), "{urls:?}");
}

#[test]
fn bad_lines_are_refused_naming_the_line() {
    let dir = tempfile::tempdir().expect("dir");
    let ok = r#"{"method": "GET", "url": "http://127.0.0.1:1/"}"#;
    let cases = [
        (
            format!("{ok}\n\n{{\"url\": \"http://127.0.0.1:1/\"}}\n"),
            "line 3: has no method",
        ),
        (
            format!("{ok}\n{{\"method\": \"GET\"}}\n"),
            "line 2: has no url",
        ),
        (
            r#"{"method": "GET", "url": "http://127.0.0.1:1/", "body": "%%"}"#.to_string(),
            "line 1: its body is not base64",
        ),
        (
            format!("{ok}\nGET http://127.0.0.1:1/\n"),
            "line 2: not a JSON target",
        ),
        (
            format!(
                "{ok}\n{{\"method\": \"POST\", \"url\": \"http://127.0.0.1:1/\", \"header\": {{\"Content-Length\": [\"3\"]}}, \"body\": \"QQ==\"}}\n"
            ),
            "line 2: Content-Length must match the body (1 bytes)",
        ),
        ("\n  \n".to_string(), "has no target"),
    ];
    for (i, (text, why)) in cases.iter().enumerate() {
        let file = write(&dir, &format!("bad{i}.jsonl"), text);
        let err = refused(&sluice(&["--no-tui", "--targets", &file, "-n", "1"]));
        assert!(
            err.contains("--targets: ") && err.contains(why),
            "{why}: {err}"
        );
    }
    let file = write(&dir, "good.jsonl", ok);
    let out = sluice(&["--no-tui", "--targets", &file, "-m", "POST", "-n", "1"]);
    assert_eq!(out.status.code(), Some(2), "each target has its own method");
    let missing = dir.path().join("none.jsonl").display().to_string();
    assert!(refused(&sluice(&["--no-tui", "--targets", &missing])).contains("--targets: "));
}

#[test]
fn fifteen_hundred_targets_give_a_thousand_rows_and_other() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("dir");
    let origin = server.url();
    let jsonl: String = (0..1500)
        .map(|i| format!("{{\"method\": \"GET\", \"url\": \"{origin}{i}\"}}\n"))
        .collect();
    let listed: String = (0..1500).map(|i| format!("{origin}{i}\n")).collect();
    for flag_and_file in [
        ["--targets", &write(&dir, "t.jsonl", &jsonl)],
        ["--urls-from-file", &write(&dir, "u.txt", &listed)],
    ] {
        let s = json_run(&[&flag_and_file[..], &["-n", "3000", "-c", "10"]].concat());
        assert_eq!(s["requests"]["ok"], 3000, "{flag_and_file:?}");
        let urls = s["urls"].as_array().expect("urls");
        assert_eq!(urls.len(), 1001, "{flag_and_file:?}");
        assert_eq!(urls[999]["url"], format!("{origin}999"));
        assert_eq!((urls[999]["requests"].as_u64()), Some(2));
        let other = &urls[1000];
        assert_eq!(other["url"], "other");
        assert_eq!(other["requests"], 1000, "targets 1001 to 1500, twice each");
        let total: u64 = urls
            .iter()
            .map(|u| u["requests"].as_u64().expect("n"))
            .sum();
        assert_eq!(total, 3000);
    }
}
