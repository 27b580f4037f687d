//! Other ways to the server: through an HTTP proxy (`-x`: absolute form for http, a CONNECT
//! tunnel for https) and over a unix socket. The proxy is the test's own, on 127.0.0.1.

use crate::common::{Behaviour, Pki, TestServer, json_run, refused, sluice};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// What the proxy saw: the first line of every connection's first request, and the
/// Proxy-Authorization header of it ("" when absent).
#[derive(Default)]
struct ProxyLog {
    first_lines: Mutex<Vec<String>>,
    auth: Mutex<Vec<String>>,
}

/// A minimal HTTP proxy: CONNECT host:port opens a tunnel; a request in absolute form is
/// passed, bytes as they are, to the host its URL names. Runs until the test process ends.
fn start_proxy() -> (String, Arc<ProxyLog>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let log = Arc::new(ProxyLog::default());
    let seen = Arc::clone(&log);
    crate::common::in_background(move || async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(relay(client, Arc::clone(&seen)));
        }
    });
    (url, log)
}

/// One proxied connection: reads the head of the first request, connects where it says,
/// then copies both ways.
async fn relay(client: tokio::net::TcpStream, log: Arc<ProxyLog>) {
    let mut client = BufReader::new(client);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let end = line == "\r\n";
        head.push(line);
        if end {
            break;
        }
    }
    let first = head[0].trim_end().to_string();
    let auth = head
        .iter()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("proxy-authorization:")
                .map(|_| l.split_once(':').expect("colon").1.trim().to_string())
        })
        .unwrap_or_default();
    log.first_lines.lock().expect("lock").push(first.clone());
    log.auth.lock().expect("lock").push(auth);
    let mut parts = first.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let upstream_addr = match method {
        "CONNECT" => target.to_string(),
        _ => target
            .parse::<http::Uri>()
            .ok()
            .and_then(|u| u.authority().map(|a| a.to_string()))
            .unwrap_or_default(),
    };
    let Ok(mut upstream) = tokio::net::TcpStream::connect(&upstream_addr).await else {
        return;
    };
    if method == "CONNECT" {
        let _ = client
            .get_mut()
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await;
    } else {
        let _ = upstream.write_all(head.concat().as_bytes()).await;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

#[test]
fn http_goes_through_the_proxy_in_absolute_form_with_its_credentials() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let (proxy, log) = start_proxy();
    let with_auth = proxy.replace("http://", "http://pu:ps3cret@");
    let out = sluice(&[
        "--no-tui",
        "--output-format",
        "json",
        &server.url(),
        "-n",
        "100",
        "-c",
        "2",
        "--threads",
        "1",
        "-x",
        &with_auth,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(s["status_codes"]["200"], 100);
    assert_eq!(server.seen.requests(), 100);
    let lines = log.first_lines.lock().expect("lock").clone();
    assert_eq!(
        lines.len(),
        2,
        "a proxied connection per request in flight: {lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l == &format!("GET {} HTTP/1.1", server.url())),
        "{lines:?}"
    );
    assert!(
        log.auth
            .lock()
            .expect("lock")
            .iter()
            .all(|a| a == "Basic cHU6cHMzY3JldA==")
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("ps3cret"), "the proxy password was printed");
}

#[test]
fn https_goes_through_a_connect_tunnel_and_tls_checks_the_server() {
    let pki = Pki::new(&["127.0.0.1"]);
    let server = TestServer::start_tls_pki(Behaviour::Delay(Duration::ZERO), &pki, false);
    let (proxy, log) = start_proxy();
    let s = json_run(&[
        &server.https_url(),
        "-n",
        "50",
        "-c",
        "2",
        "--threads",
        "1",
        "-x",
        &proxy,
        "--cacert",
        &pki.path("ca.pem"),
    ]);
    assert_eq!(s["status_codes"]["200"], 50);
    let lines = log.first_lines.lock().expect("lock").clone();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l == &format!("CONNECT {} HTTP/1.1", server.addr)),
        "{lines:?}"
    );
}

#[test]
fn a_proxy_that_is_not_plain_http_is_refused() {
    let err = refused(&sluice(&[
        "--no-tui",
        "http://127.0.0.1:1/",
        "-x",
        "https://127.0.0.1:3128",
    ]));
    assert!(err.contains("-x"), "{err}");
}

#[test]
fn a_unix_socket_server_is_reached_with_the_urls_path_and_host() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sock");
    let paths = unix_server(&path);
    let socket = path.display().to_string();
    let s = json_run(&[
        "http://sock.test/api?x=1",
        "--unix-socket",
        &socket,
        "-n",
        "30",
        "-c",
        "3",
    ]);
    assert_eq!(s["status_codes"]["200"], 30);
    let paths = paths.lock().expect("lock").clone();
    assert_eq!(paths.len(), 30);
    assert!(paths.iter().all(|p| p == "sock.test/api?x=1"), "{paths:?}");
    let err = refused(&sluice(&[
        "--no-tui",
        "https://sock.test/",
        "--unix-socket",
        &socket,
    ]));
    assert!(err.contains("--unix-socket"), "{err}");
}

/// An HTTP/1.1 server on the unix socket `path`; records each request's Host and URI.
fn unix_server(path: &std::path::Path) -> Arc<Mutex<Vec<String>>> {
    let listener = std::os::unix::net::UnixListener::bind(path).expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let paths = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&paths);
    crate::common::in_background(move || async move {
        let listener = tokio::net::UnixListener::from_std(listener).expect("listener");
        while let Ok((stream, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let svc =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let host = req
                            .headers()
                            .get("host")
                            .and_then(|h| h.to_str().ok())
                            .unwrap_or("");
                        seen.lock()
                            .expect("lock")
                            .push(format!("{host}{}", req.uri()));
                        async {
                            Ok::<_, std::convert::Infallible>(http::Response::new(
                                http_body_util::Full::new(bytes::Bytes::from_static(b"ok")),
                            ))
                        }
                    });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, svc)
                    .await;
            });
        }
    });
    paths
}
