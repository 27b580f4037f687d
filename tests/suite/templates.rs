//! Templates and data files (issue 25), against a server of the test's own that keeps every
//! request it is sent: `{{ seq }}` gives each request its own number across threads and
//! shards, data rows arrive in order or exactly once, each value lands where it was put, bad
//! input is refused before any load, and what cannot be sent once filled is counted.

use crate::common::{in_background, json_run, refused, sluice};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Heard {
    /// Path and query.
    path: String,
    headers: http::HeaderMap,
    body: Bytes,
}

/// A server that answers 200 to everything and keeps what it heard, in arrival order.
struct Recorder {
    url: String,
    heard: Arc<Mutex<Vec<Heard>>>,
}

impl Recorder {
    fn start() -> Recorder {
        Recorder::serving(false)
    }

    /// The same over HTTP/2 with prior knowledge (h2c).
    fn start_h2c() -> Recorder {
        Recorder::serving(true)
    }

    fn serving(h2: bool) -> Recorder {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&heard);
        in_background(move || serve(listener, log, h2));
        Recorder { url, heard }
    }

    fn heard(&self) -> Vec<Heard> {
        self.heard.lock().expect("lock").clone()
    }

    fn paths(&self) -> Vec<String> {
        self.heard().into_iter().map(|h| h.path).collect()
    }
}

async fn serve(listener: std::net::TcpListener, log: Arc<Mutex<Vec<Heard>>>, h2: bool) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    while let Ok((stream, _)) = listener.accept().await {
        let log = Arc::clone(&log);
        tokio::spawn(async move {
            let svc =
                hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let log = Arc::clone(&log);
                    async move {
                        let (head, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let path = head.uri.path_and_query().map_or("", |p| p.as_str());
                        log.lock().expect("lock").push(Heard {
                            path: path.to_string(),
                            headers: head.headers,
                            body,
                        });
                        Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(
                            Bytes::from_static(b"ok"),
                        )))
                    }
                });
            let io = hyper_util::rt::TokioIo::new(stream);
            if h2 {
                let executor = hyper_util::rt::TokioExecutor::new();
                let http = hyper::server::conn::http2::Builder::new(executor);
                let _ = http.serve_connection(io, svc).await;
            } else {
                let http = hyper::server::conn::http1::Builder::new();
                let _ = http.serve_connection(io, svc).await;
            }
        });
    }
}

/// A file of `text` named `name` in `dir`, its path as text.
fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[test]
fn seq_gives_paths_0_to_999_once_each_across_two_threads() {
    let server = Recorder::start();
    let url = format!("{}/{{{{ seq }}}}", server.url);
    let s = json_run(&[&url, "-n", "1000", "-c", "20", "--threads", "2"]);
    assert_eq!(s["requests"]["ok"], 1000, "{}", s["errors"]);
    let mut paths = server.paths();
    paths.sort_by_key(|p| p[1..].parse::<u64>().unwrap_or(u64::MAX));
    let expected: Vec<String> = (0..1000).map(|i| format!("/{i}")).collect();
    assert_eq!(paths, expected);
    assert!(
        s["target"]
            .as_str()
            .is_some_and(|t| t.ends_with("/{{ seq }}")),
        "the summary shows the URL as given: {}",
        s["target"]
    );
}

#[test]
fn seq_fills_the_path_over_http2_too() {
    let server = Recorder::start_h2c();
    let url = format!("{}/h2/{{{{ seq }}}}?x={{{{seq}}}}", server.url);
    let s = json_run(&[&url, "--http2", "-n", "100", "-c", "10"]);
    assert_eq!(s["requests"]["ok"], 100, "{}", s["errors"]);
    let mut paths = server.paths();
    paths.sort_by_key(|p| {
        p["/h2/".len()..]
            .split('?')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
    });
    let expected: Vec<String> = (0..100).map(|i| format!("/h2/{i}?x={i}")).collect();
    assert_eq!(paths, expected);
}

#[test]
fn seq_is_unique_across_shards_and_together_0_to_n() {
    let server = Recorder::start();
    let url = format!("{}/{{{{seq}}}}", server.url);
    for shard in ["0/3", "1/3", "2/3"] {
        let s = json_run(&[&url, "-n", "100", "-c", "4", "--shard", shard]);
        assert!(s["requests"]["ok"].as_u64().is_some_and(|n| n >= 33), "{s}");
    }
    let mut numbers: Vec<u64> = server
        .paths()
        .iter()
        .map(|p| p[1..].parse().expect("a number"))
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (0..100).collect::<Vec<_>>());
}

#[test]
fn sequential_rows_arrive_in_order_and_wrap() {
    let server = Recorder::start();
    let dir = tempfile::tempdir().expect("dir");
    let data = file(&dir, "users.csv", "id,name\n1,ann\n2,\"bo, b\"\n3,cy\n");
    let url = format!(
        "{}/u/{{{{ row.id }}}}?n={{{{ row.name | urlencode }}}}",
        server.url
    );
    let s = json_run(&[&url, "--data", &data, "-n", "7", "-c", "1"]);
    assert_eq!(s["requests"]["ok"], 7);
    let paths = server.paths();
    let row = |i: usize| ["/u/1?n=ann", "/u/2?n=bo%2C%20b", "/u/3?n=cy"][i % 3].to_string();
    assert_eq!(paths, (0..7).map(row).collect::<Vec<_>>());
    // random: every row, not in turn.
    let server = Recorder::start();
    let url = format!("{}/{{{{ row.id }}}}", server.url);
    let s = json_run(&[
        &url,
        "--data",
        &data,
        "--data-order",
        "random",
        "-n",
        "300",
        "-c",
        "1",
    ]);
    assert_eq!(s["requests"]["ok"], 300);
    let paths = server.paths();
    let in_turn: Vec<String> = (0..300).map(|i| format!("/{}", i % 3 + 1)).collect();
    assert_ne!(paths, in_turn);
    for id in ["/1", "/2", "/3"] {
        let n = paths.iter().filter(|p| *p == id).count();
        assert!((50..=150).contains(&n), "{id}: {n} of 300");
    }
}

#[test]
fn once_sends_each_row_exactly_once_and_the_run_ends_by_itself() {
    let server = Recorder::start();
    let dir = tempfile::tempdir().expect("dir");
    let rows: String = (0..3000)
        .map(|i| format!("{{\"id\": {i}, \"ok\": true, \"none\": null}}\n"))
        .collect();
    let data = file(&dir, "rows.jsonl", &rows);
    let url = format!(
        "{}/{{{{ row.id }}}}/{{{{row.ok}}}}{{{{row.none}}}}",
        server.url
    );
    let s = json_run(&[&url, "--data", &data, "--data-order", "once", "-c", "1"]);
    assert_eq!(s["requests"]["total"], 3000, "{s}");
    let in_order: Vec<String> = (0..3000).map(|i| format!("/{i}/true")).collect();
    assert_eq!(server.paths(), in_order, "in the file's order with -c 1");
    // More in flight than rows in a batch, over two threads: each row still exactly once.
    let server = Recorder::start();
    let url = format!("{}/{{{{ row.id }}}}", server.url);
    let s = json_run(&[
        &url,
        "--data",
        &data,
        "--data-order",
        "once",
        "-c",
        "40",
        "--threads",
        "2",
    ]);
    assert_eq!(s["requests"]["ok"], 3000, "{s}");
    let mut ids: Vec<u64> = server
        .paths()
        .iter()
        .map(|p| p[1..].parse().expect("id"))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..3000).collect::<Vec<_>>());
    // -n below the rows ends first.
    let s = json_run(&[&url, "--data", &data, "--data-order", "once", "-n", "10"]);
    assert_eq!(s["requests"]["total"], 10);
}

#[test]
fn uuid_rand_int_now_ms_and_rows_land_in_header_body_and_query() {
    let server = Recorder::start();
    let dir = tempfile::tempdir().expect("dir");
    let data = file(&dir, "d.csv", "name\na b&c\n");
    let body = file(
        &dir,
        "body.json",
        "{\"roll\": {{ rand_int(5, 7) }}, \"name\": \"{{ row.name }}\", \"id\": \"{{ uuid }}\"}",
    );
    let url = format!(
        "{}/q?at={{{{now_ms}}}}&name={{{{ row.name | urlencode }}}}",
        server.url
    );
    let before = unix_ms();
    let s = json_run(&[
        &url,
        "--data",
        &data,
        "-m",
        "POST",
        "--body-template",
        &body,
        "-H",
        "X-Id: {{ uuid }}",
        "-H",
        "X-Seq: s-{{ seq }}",
        "-n",
        "50",
        "-c",
        "5",
    ]);
    let during = before..=unix_ms();
    assert_eq!(s["requests"]["ok"], 50);
    let heard = server.heard();
    let mut ids = std::collections::BTreeSet::new();
    let mut rolls = BTreeMap::new();
    for h in &heard {
        let (id, roll) = values_of(h, &during);
        ids.insert(id);
        *rolls.entry(roll).or_insert(0) += 1;
    }
    assert_eq!(ids.len(), 50, "a new UUID per request");
    let seen: Vec<i64> = rolls.keys().copied().collect();
    assert_eq!(seen, [5, 6, 7], "{rolls:?}");
}

/// Checks one request of the test above; its UUID and its roll.
fn values_of(h: &Heard, during: &std::ops::RangeInclusive<u64>) -> (String, i64) {
    let id = h.headers["x-id"].to_str().expect("text").to_string();
    assert!(is_uuid_v4(&id), "{id}");
    let body: serde_json::Value = serde_json::from_slice(&h.body).expect("JSON body");
    assert_eq!(
        body["id"],
        id.as_str(),
        "one UUID a request, in header and body"
    );
    assert_eq!(body["name"], "a b&c");
    let (at, name) = h.path["/q?at=".len()..]
        .split_once("&name=")
        .expect("query");
    let at: u64 = at.parse().expect("now_ms");
    assert!(during.contains(&at), "{at} within the run");
    assert_eq!(name, "a%20b%26c");
    let seq = h.headers["x-seq"].to_str().expect("text");
    assert!(
        seq.strip_prefix("s-")
            .is_some_and(|n| n.parse::<u64>().is_ok()),
        "{seq}"
    );
    assert_eq!(h.headers.get_all("user-agent").iter().count(), 1);
    (id, body["roll"].as_i64().expect("roll"))
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64
}

fn is_uuid_v4(text: &str) -> bool {
    let groups: Vec<_> = text.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12]
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && &text[14..15] == "4"
}

#[test]
fn a_value_that_makes_the_url_or_a_header_invalid_is_counted_not_sent() {
    let server = Recorder::start();
    let dir = tempfile::tempdir().expect("dir");
    let data = file(
        &dir,
        "d.csv",
        "name,note\nok,fine\nhas space,fine\nok,\"two\nlines\"\n",
    );
    let url = format!("{}/{{{{ row.name }}}}", server.url);
    let s = json_run(&[
        &url,
        "--data",
        &data,
        "-H",
        "X-Note: {{ row.note }}",
        "-n",
        "30",
        "-c",
        "1",
    ]);
    assert_eq!(s["requests"]["ok"], 10, "{s}");
    assert_eq!(s["errors"]["invalid_url"], 10);
    assert_eq!(s["errors"]["invalid_header"], 10);
    assert_eq!(
        server.paths().len(),
        10,
        "the invalid ones never reach the server"
    );
    assert!(
        s["hints"].as_array().is_some_and(|h| h
            .iter()
            .any(|h| h.as_str().is_some_and(|h| h.contains("urlencode")))),
        "{}",
        s["hints"]
    );
}

/// Runs sluice with `args` (and `-n 1`) and asserts it was refused, saying `says`.
fn assert_refused(args: &[&str], says: &str) {
    let why = refused(&sluice(&[args, &["--no-tui", "-n", "1"]].concat()));
    assert!(why.contains(says), "{args:?}: {why}");
}

#[test]
fn bad_templates_are_refused_before_any_load() {
    let server = Recorder::start();
    let dir = tempfile::tempdir().expect("dir");
    let data = file(&dir, "good.csv", "id\n1\n");
    let cases: &[(&str, &[&str], &str)] = &[
        ("/{{ seq", &[], "not closed"),
        ("/{{ nope }}", &[], "unknown value 'nope'"),
        ("/{{ row.id }}", &[], "--data FILE"),
        ("/{{ row.name }}", &["--data", &data], "no column 'name'"),
        ("/", &["-H", "X-A: {{ uuid"], "not closed"),
        ("/", &["-d", "{{ rand_int(9, 1) }}"], "first is above"),
        ("/", &["-H", "Host: {{ seq }}"], "cannot be a template"),
        ("/a b{{ seq }}", &[], "not a valid URL path"),
        (
            "/",
            &["-d", "{{seq}}", "-H", "Content-Length: 3"],
            "Content-Length",
        ),
        ("/", &["--data-order", "once"], "--data"),
    ];
    for (path, more, says) in cases {
        let url = format!("{}{path}", server.url);
        assert_refused(&[&[url.as_str()], *more].concat(), says);
    }
    assert_refused(&["http://{{ seq }}.example/"], "scheme or host");
    assert_refused(&["http://127.0.0.1:{{ seq }}/"], "scheme or host");
    assert!(server.paths().is_empty(), "nothing was sent");
}

#[test]
fn bad_data_files_are_refused_naming_the_line() {
    let server = Recorder::start();
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("{}/{{{{ seq }}}}", server.url);
    let cases: &[(&str, &[u8], &str)] = &[
        ("x.txt", b"id\n1\n", ".csv"),
        ("empty.csv", b"", "is empty"),
        ("head.csv", b"id\n", "no rows"),
        (
            "r.csv",
            b"a,b\n1,2\n3\n",
            "line 3 has 1 fields where the header has 2",
        ),
        ("twice.csv", b"a,a\n1,2\n", "named twice"),
        ("latin1.csv", b"id\n1\ncaf\xe9\n", "line 3 is not UTF-8"),
        ("e.jsonl", b"\n\n", "is empty"),
        (
            "n.jsonl",
            b"{\"a\": 1}\n[1]\n",
            "line 2 is not a JSON object",
        ),
        ("j.jsonl", b"{\"a\": 1}\n{\"a\": \n", "line 2 is not JSON"),
        ("f.jsonl", b"{\"a\": {\"b\": 1}}\n", "array or object"),
        (
            "k.ndjson",
            b"{\"a\": 1}\n{\"b\": 1}\n",
            "line 2 lacks the key 'a'",
        ),
        (
            "x.ndjson",
            b"{\"a\": 1}\n{\"a\": 1, \"b\": 2}\n",
            "line 2 has the key 'b'",
        ),
        (
            "latin1.jsonl",
            b"{\"a\": \"x\"}\n{\"a\": \"caf\xe9\"}\n",
            "line 2 is not UTF-8",
        ),
    ];
    for (name, text, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        for order in ["sequential", "once"] {
            let data = path.display().to_string();
            assert_refused(&[&url, "--data", &data, "--data-order", order], says);
        }
    }
    let missing = dir.path().join("none.csv").display().to_string();
    assert_refused(&[&url, "--data", &missing], "cannot be read");
    let folder = dir.path().join("folder.csv");
    std::fs::create_dir(&folder).expect("mkdir");
    assert_refused(&[&url, "--data", &folder.display().to_string()], "folder");
    assert!(server.paths().is_empty(), "nothing was sent");
}

#[test]
fn a_row_past_the_cap_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().expect("dir");
    let long = "x".repeat(2 << 20);
    let csv = file(&dir, "long.csv", &format!("id\n1\n{long}\n"));
    let jsonl = file(
        &dir,
        "long.jsonl",
        &format!("{{\"id\": 1}}\n{{\"id\": \"{long}\"}}\n"),
    );
    for (path, order) in [(&csv, "sequential"), (&jsonl, "once")] {
        let out = sluice(&[
            "http://127.0.0.1:9/",
            "--data",
            path,
            "--data-order",
            order,
            "--no-tui",
        ]);
        let why = refused(&out);
        assert!(why.contains("longer than 1 MiB"), "{why}");
    }
}

/// A GET client whose path is `/{{ row.id }}`, the rows streamed from `data` (as
/// `--data-order once` makes them).
fn streaming_client(
    url: &str,
    data: &sluicegate::engine::data::DataFile,
) -> sluicegate::engine::client::Client {
    use sluicegate::engine::client::template::Template;
    use sluicegate::engine::client::{
        Client, Holes, Pool, Protocol, RequestTemplate, Route, TlsOptions, Vary, client_config,
        connector,
    };
    use sluicegate::engine::data::{RowStream, Rows};
    use std::time::Duration;
    let uri: http::Uri = format!("{url}/").parse().expect("url");
    let holes = Holes {
        path: Template::parse("/{{ row.id }}", Some(&data.columns)).expect("template"),
        ..Holes::default()
    };
    let template = RequestTemplate::new(
        http::Method::GET,
        uri.clone(),
        Default::default(),
        Bytes::new(),
    )
    .with_holes(holes);
    let tls = client_config(&TlsOptions::default()).expect("TLS");
    let connect = connector(
        Duration::from_secs(5),
        tls,
        &uri,
        Route::default(),
        Protocol::Http1,
    );
    let rows = Rows::Streamed(RowStream::start(data, None).expect("reader"));
    Client::new(
        template,
        Pool::new(connect, uri, Protocol::Http1),
        Duration::from_secs(10),
    )
    .varying(Vary {
        shard: None,
        rows: Some(rows),
    })
}

#[test]
fn rows_that_run_out_first_end_the_run_as_if_n_were_reached() {
    use sluicegate::engine::data::{DataFile, Format};
    use sluicegate::engine::generator::{self, plan::Plan};
    use sluicegate::engine::steer::RunState;
    use std::time::Duration;
    let server = Recorder::start();
    let dir = tempfile::tempdir().expect("dir");
    let ids: String = (0..50).map(|i| format!("{i}\n")).collect();
    let path = file(&dir, "ids.csv", &format!("id\n{ids}"));
    // Scanned at 1,000 rows, the file now has 50 (it shrank): the stream ends first, with
    // no count to stop the run but the rows.
    let data = DataFile {
        path: path.into(),
        format: Format::Csv,
        columns: vec!["id".to_string()],
        rows: 1000,
    };
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let mut setup = crate::common::setup(Plan::default(), 8);
    setup.threads = 2;
    let handle =
        generator::start(streaming_client(&server.url, &data), setup, tx).expect("generator");
    let tally = crate::common::Tally::drain(rx);
    crate::common::wait_until("the run to end by itself", Duration::from_secs(10), || {
        handle.state() == RunState::Done
    });
    crate::common::wait_until("every outcome", Duration::from_secs(5), || {
        tally.total() >= 50
    });
    assert_eq!(
        tally.counts(),
        [("200".to_string(), 50)].into(),
        "each row once, nothing aborted"
    );
    assert_eq!(
        handle.started(),
        50,
        "the claims that found no row are not counted"
    );
    let mut sent: Vec<u64> = server
        .paths()
        .iter()
        .map(|p| p[1..].parse().expect("id"))
        .collect();
    sent.sort_unstable();
    assert_eq!(sent, (0..50).collect::<Vec<_>>());
}
