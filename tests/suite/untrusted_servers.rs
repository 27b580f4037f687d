//! Servers and proxies are untrusted peers: a graceful HTTP/2 GOAWAY loses no request, a
//! server that does not speak HTTP/2 or breaks the protocol is named as such and not
//! re-dialled in a tight loop, a TLS failure says which check failed, and a proxy's refusal
//! says what it wants. Every server here is on 127.0.0.1 and started by the test; the raw
//! HTTP/2 ones write their frames by hand, to behave as nginx (or an attacker) does.

use crate::common::{Behaviour, TestServer, json_run};
use serde_json::Value;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HEADERS: u8 = 0x1;
const SETTINGS: u8 = 0x4;
const GOAWAY: u8 = 0x7;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
/// HPACK: the static table's `:status 200`.
const STATUS_200: u8 = 0x88;

/// One HTTP/2 frame.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = (payload.len() as u32).to_be_bytes();
    let mut f = vec![len[1], len[2], len[3], kind, flags];
    f.extend(stream.to_be_bytes());
    f.extend(payload);
    f
}

/// The next frame from the client: type, flags, stream; None at its end.
fn read_frame(conn: &mut TcpStream) -> Option<(u8, u8, u32)> {
    let mut head = [0u8; 9];
    conn.read_exact(&mut head).ok()?;
    let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
    // The client's frames are small: at most the default 16 KiB.
    if len > 16384 {
        return None;
    }
    let mut payload = vec![0u8; len];
    conn.read_exact(&mut payload).ok()?;
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    Some((head[3], head[4], stream))
}

/// What a raw server does with request `nth` (from 1) of a connection, on `stream`:
/// whether the connection goes on.
type Answer = dyn Fn(&mut TcpStream, u32, u64) -> io::Result<bool> + Send + Sync;

/// A raw HTTP/2 (h2c) server: its SETTINGS (128 streams at most, as nginx), an ACK for the
/// client's, and each request's HEADERS handed to `answer`. Counts connections; its
/// threads end with the test process or the client's connection.
fn raw_h2_server(answer: Arc<Answer>) -> (SocketAddr, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let connections = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&connections);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            counted.fetch_add(1, SeqCst);
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || {
                let _ = serve_h2(&mut conn, &*answer);
            });
        }
    });
    (addr, connections)
}

fn serve_h2(conn: &mut TcpStream, answer: &Answer) -> io::Result<()> {
    let mut preface = [0u8; 24];
    conn.read_exact(&mut preface)?;
    // SETTINGS_MAX_CONCURRENT_STREAMS (3) = 128.
    conn.write_all(&frame(SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 128]))?;
    let mut nth = 0;
    while let Some((kind, flags, stream)) = read_frame(conn) {
        match kind {
            SETTINGS if flags & 0x1 == 0 => conn.write_all(&frame(SETTINGS, 0x1, 0, &[]))?,
            HEADERS => {
                nth += 1;
                if !answer(conn, stream, nth)? {
                    break;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// After a GOAWAY, as nginx: no more writes, and what the client still sends is read and
/// dropped until it closes (closing with unread bytes would reset the connection).
fn linger(conn: &mut TcpStream) -> io::Result<bool> {
    conn.shutdown(std::net::Shutdown::Write)?;
    let mut sink = [0u8; 4096];
    while conn.read(&mut sink)? > 0 {}
    Ok(false)
}

/// nginx with `keepalive_requests N`: answers a connection's first N requests (200, no
/// body), and with the N-th sends GOAWAY NO_ERROR naming it the last stream; the streams the
/// client opened past it are never processed. Counts the requests answered.
fn goaway_after(n: u64) -> (SocketAddr, Arc<AtomicU64>, Arc<AtomicU64>) {
    let answered = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&answered);
    let answer = move |conn: &mut TcpStream, stream: u32, nth: u64| {
        conn.write_all(&frame(
            HEADERS,
            END_HEADERS | END_STREAM,
            stream,
            &[STATUS_200],
        ))?;
        counter.fetch_add(1, SeqCst);
        if nth < n {
            return Ok(true);
        }
        let mut goaway = stream.to_be_bytes().to_vec();
        goaway.extend(0u32.to_be_bytes()); // NO_ERROR
        conn.write_all(&frame(GOAWAY, 0, 0, &goaway))?;
        linger(conn)
    };
    let (addr, connections) = raw_h2_server(Arc::new(answer));
    (addr, answered, connections)
}

/// The error kinds a summary counted, those above zero.
fn errors_seen(s: &Value) -> Vec<(String, u64)> {
    s["errors"]
        .as_object()
        .expect("errors")
        .iter()
        .filter_map(|(k, n)| Some((k.clone(), n.as_u64().filter(|n| *n > 0)?)))
        .collect()
}

fn hints(s: &Value) -> String {
    s["hints"].to_string()
}

#[test]
fn a_graceful_goaway_loses_no_request_at_500_at_once() {
    let (addr, answered, connections) = goaway_after(100);
    let url = format!("http://{addr}/");
    let s = json_run(&[
        &url,
        "--http2",
        "-n",
        "20000",
        "-c",
        "500",
        "--threads",
        "1",
    ]);
    assert_eq!(errors_seen(&s), vec![], "a graceful GOAWAY failed requests");
    assert_eq!(s["status_codes"]["200"], 20000);
    assert_eq!(s["requests"]["total"], 20000);
    assert_eq!(answered.load(SeqCst), 20000, "each request answered once");
    let connections = connections.load(SeqCst);
    assert!(
        connections >= 200,
        "{connections} connections for 20000 at 100 each"
    );
}

#[test]
fn a_server_that_speaks_only_http1_is_named_and_not_redialled_in_a_loop() {
    let server = TestServer::start(Behaviour::Delay(std::time::Duration::ZERO));
    let s = json_run(&[
        &server.url(),
        "--http2",
        "-c",
        "50",
        "-z",
        "2s",
        "--threads",
        "1",
    ]);
    let errors = errors_seen(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "h2_unsupported", "{errors:?}");
    assert!(hints(&s).contains("does not speak HTTP/2"), "{}", hints(&s));
    // Each connection dies at once: the next waits 10, 20, 40... ms, up to a second (about
    // 8 in 2 s; a tight loop dialled thousands).
    let dialled = server.seen.connections();
    assert!(dialled <= 12, "{dialled} connections in 2 s");
    assert!(errors[0].1 <= 12 * 100, "{} failures in 2 s", errors[0].1);
}

#[test]
fn a_server_that_closes_after_the_preface_does_not_speak_http2() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&accepted);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            counted.fetch_add(1, SeqCst);
            let mut preface = [0u8; 24];
            let _ = conn.read_exact(&mut preface);
            assert_eq!(&preface[..], PREFACE);
            let _ = conn.shutdown(std::net::Shutdown::Write);
            let _ = conn.read(&mut [0u8; 4096]);
        }
    });
    let url = format!("http://{addr}/");
    let s = json_run(&[&url, "--http2", "-c", "20", "-z", "2s", "--threads", "1"]);
    let errors = errors_seen(&s);
    assert_eq!(
        errors.first().map(|e| e.0.as_str()),
        Some("h2_unsupported"),
        "{errors:?}"
    );
    let dialled = accepted.load(SeqCst);
    assert!(dialled <= 12, "{dialled} connections in 2 s");
}

/// A server that answers every request with `hostile` bytes after a valid SETTINGS.
fn hostile_h2(hostile: Vec<u8>) -> (SocketAddr, Arc<AtomicU64>) {
    let answer = move |conn: &mut TcpStream, _stream: u32, _nth: u64| {
        conn.write_all(&hostile)?;
        Ok(true)
    };
    raw_h2_server(Arc::new(answer))
}

/// Floods and bombs h2 itself detects are sluice's finding, with their own kind and hint.
fn assert_found_locally(hostile: Vec<u8>) {
    let (addr, connections) = hostile_h2(hostile);
    let url = format!("http://{addr}/");
    let s = json_run(&[&url, "--http2", "-c", "10", "-z", "2s", "--threads", "1"]);
    let errors = errors_seen(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "h2_protocol_error", "{errors:?}");
    assert!(hints(&s).contains("breaking the protocol"), "{}", hints(&s));
    let dialled = connections.load(SeqCst);
    assert!(dialled <= 12, "{dialled} connections in 2 s");
}

#[test]
fn a_continuation_flood_is_found_by_sluice_and_counted_as_such() {
    // Stream 1's HEADERS never end: CONTINUATION after CONTINUATION.
    let mut flood = frame(HEADERS, 0, 1, &[STATUS_200]);
    for _ in 0..200 {
        flood.extend(frame(CONTINUATION, 0, 1, &[]));
    }
    assert_found_locally(flood);
}

#[test]
fn an_hpack_bomb_is_found_by_sluice_and_counted_as_such() {
    // A 4000-byte header put in the dynamic table once, then named 4000 times by one byte:
    // 16 MB of headers from a 12 KB frame.
    let mut block = vec![STATUS_200, 0x40, 0x01, b'a', 0x7f, 0xa1, 0x1e];
    block.extend(std::iter::repeat_n(b'x', 4000));
    block.extend(std::iter::repeat_n(0x80 | 62, 4000));
    assert_found_locally(frame(HEADERS, END_HEADERS | END_STREAM, 1, &block));
}

/// A CA (written as ca.pem in `dir`) and a server certificate it signed for `names`, valid
/// from `not_before` to `not_after`: the chain and key as rustls serves them.
fn server_cert(
    dir: &std::path::Path,
    names: &[&str],
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
) -> (
    Vec<rustls::pki_types::CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, date_time_ymd};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    std::fs::write(dir.join("ca.pem"), ca.pem()).expect("write ca.pem");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("key");
    let names = names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let mut params = CertificateParams::new(names).expect("params");
    params.not_before = date_time_ymd(not_before.0, not_before.1, not_before.2);
    params.not_after = date_time_ymd(not_after.0, not_after.1, not_after.2);
    let cert = params.signed_by(&key, &issuer).expect("signed");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    (vec![cert.der().clone()], key)
}

/// A TLS server on 127.0.0.1 that shows `chain` and answers each request "ok"; its threads
/// end with the test process or the client's connection.
fn tls_server(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let tls = rustls::ServerConnection::new(Arc::clone(&config)).expect("session");
            std::thread::spawn(move || {
                let mut stream = rustls::StreamOwned::new(tls, conn);
                let mut request = [0u8; 4096];
                while matches!(stream.read(&mut request), Ok(n) if n > 0) {
                    let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                    if stream.write_all(ok).is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

/// Runs 5 requests against a TLS server showing `names` valid over the given dates, with
/// `--cacert` of its CA when `trusted`; returns the one error kind seen and the hints.
fn tls_failure(
    names: &[&str],
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
    trusted: bool,
) -> (String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (chain, key) = server_cert(dir.path(), names, not_before, not_after);
    let url = format!("https://{}/", tls_server(chain, key));
    let ca = dir.path().join("ca.pem").display().to_string();
    let mut args = vec![url.as_str(), "-n", "5", "-c", "1"];
    if trusted {
        args.extend(["--cacert", &ca]);
    }
    let s = json_run(&args);
    let errors = errors_seen(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].1, 5, "{errors:?}");
    (errors[0].0.clone(), hints(&s))
}

const LONG_AGO: (i32, u8, u8) = (2001, 1, 1);
const LAST_YEAR: (i32, u8, u8) = (2002, 1, 1);
const FAR_OFF: (i32, u8, u8) = (4000, 1, 1);
const FARTHER: (i32, u8, u8) = (4001, 1, 1);

#[test]
fn a_tls_failure_says_which_check_failed() {
    let (kind, hint) = tls_failure(&["127.0.0.1"], LONG_AGO, LAST_YEAR, true);
    assert_eq!(kind, "tls_cert_expired");
    assert!(hint.contains("has expired"), "{hint}");
    assert!(!hint.contains("--cacert"), "--cacert was given: {hint}");
    let (kind, hint) = tls_failure(&["127.0.0.1"], FAR_OFF, FARTHER, true);
    assert_eq!(kind, "tls_cert_not_yet_valid");
    assert!(hint.contains("not valid yet"), "{hint}");
    let (kind, hint) = tls_failure(&["elsewhere.example"], LONG_AGO, FAR_OFF, true);
    assert_eq!(kind, "tls_cert_name");
    assert!(hint.contains("not for the URL's host"), "{hint}");
    let (kind, hint) = tls_failure(&["127.0.0.1"], LONG_AGO, FAR_OFF, false);
    assert_eq!(kind, "tls_unknown_issuer");
    assert!(hint.contains("--cacert"), "{hint}");
}

#[test]
fn a_server_that_wants_a_client_certificate_says_so() {
    let pki = crate::common::Pki::new(&["127.0.0.1"]);
    let server = TestServer::start_tls_pki(Behaviour::Delay(std::time::Duration::ZERO), &pki, true);
    let ca = pki.path("ca.pem");
    let s = json_run(&[&server.https_url(), "--cacert", &ca, "-n", "5", "-c", "1"]);
    let errors = errors_seen(&s);
    assert_eq!(errors, vec![("tls_client_cert_refused".to_string(), 5)]);
    assert!(
        hints(&s).contains("--cert FILE --key FILE"),
        "{}",
        hints(&s)
    );
}

/// Runs sluice with `args` and gives its output, failing the test if it has not ended within
/// `limit` (a file that never ends must not be read until memory runs out).
fn sluice_within(args: &[&str], limit: std::time::Duration) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sluice");
    let ended = std::time::Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > ended {
            let _ = child.kill();
            panic!("sluice {args:?} still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn pem_flags_refuse_what_is_not_a_regular_file_at_once() {
    let pki = crate::common::Pki::new(&["127.0.0.1"]);
    let (cert, key) = (pki.path("client.pem"), pki.path("client.key"));
    let fifo = pki.dir.path().join("fifo").display().to_string();
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.expect("mkfifo").success());
    let url = "https://127.0.0.1:9/";
    let cases: [(&str, Vec<&str>); 5] = [
        ("--cacert", vec!["--cacert", "/dev/zero"]),
        ("--cert", vec!["--cert", "/dev/zero", "--key", &key]),
        ("--key", vec!["--cert", &cert, "--key", "/dev/zero"]),
        ("--cacert", vec!["--cacert", &fifo]),
        ("--key", vec!["--cert", &cert, "--key", &fifo]),
    ];
    for (flag, args) in cases {
        let mut all = vec![url, "-n", "1"];
        all.extend(args);
        let err = crate::common::refused(&sluice_within(&all, std::time::Duration::from_secs(10)));
        assert!(err.contains(&format!("{flag}: '")), "{flag}: {err}");
        assert!(err.contains("not a regular file"), "{flag}: {err}");
    }
}

#[test]
fn an_encrypted_key_says_it_is_encrypted_and_how_to_decrypt_it() {
    let pki = crate::common::Pki::new(&["127.0.0.1"]);
    let cert = pki.path("client.pem");
    // Both forms OpenSSL writes: PKCS#8, and the legacy one with PEM headers.
    let pkcs8 = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkq\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkq\n-----END RSA PRIVATE KEY-----\n";
    for (name, text) in [("pkcs8.key", pkcs8), ("legacy.key", legacy)] {
        let key = pki.dir.path().join(name);
        std::fs::write(&key, text).expect("write key");
        let key = key.display().to_string();
        let out = crate::common::sluice(&["https://127.0.0.1:9/", "--cert", &cert, "--key", &key]);
        let err = crate::common::refused(&out);
        assert!(err.contains("is encrypted"), "{name}: {err}");
        assert!(err.contains("openssl pkey -in"), "{name}: {err}");
    }
}

/// Runs openssl with `args` in `dir`; false (with a note) when openssl is not installed.
fn openssl(dir: &std::path::Path, args: &[&str]) -> bool {
    match std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
        Err(_) => false,
    }
}

/// An `openssl s_server` that requires a client certificate signed by `ca.pem` (and shows
/// srv.pem); killed when dropped.
struct OpensslServer {
    child: std::process::Child,
    port: u16,
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OpensslServer {
    fn start(dir: &std::path::Path) -> OpensslServer {
        use std::io::BufRead;
        let mut child = std::process::Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-cert",
                "srv.pem",
                "-key",
                "srv.key",
            ])
            .args(["-CAfile", "ca.pem", "-Verify", "1", "-www"])
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openssl s_server");
        let out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        // It prints "ACCEPT 127.0.0.1:PORT" once listening (or ends, and the lines with it).
        let port = out.lines().map_while(Result::ok).find_map(|l| {
            l.strip_prefix("ACCEPT 127.0.0.1:")
                .and_then(|p| p.parse().ok())
        });
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("openssl s_server printed no port");
        };
        OpensslServer { child, port }
    }
}

/// Writes with openssl into `d`: a self-signed server certificate for 127.0.0.1 (srv.pem,
/// srv.key), a client CA (ca.pem) and a client certificate it signed as X.509 v1
/// (client.pem, client.key), and a key of no certificate (other.key). False without openssl.
fn v1_client_pki(d: &std::path::Path) -> bool {
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    let run = |line: &str| openssl(d, &line.split(' ').collect::<Vec<_>>());
    let server = format!("req -x509 -days 2 {ec} -keyout srv.key -out srv.pem -subj /CN=127.0.0.1");
    if !openssl(
        d,
        &[
            server.split(' ').collect::<Vec<_>>(),
            vec!["-addext", "subjectAltName=IP:127.0.0.1"],
        ]
        .concat(),
    ) {
        return false;
    }
    assert!(run(&format!(
        "req -x509 -days 2 {ec} -keyout ca.key -out ca.pem -subj /CN=client-ca"
    )));
    assert!(run(&format!(
        "req -new {ec} -keyout client.key -out client.csr -subj /CN=client"
    )));
    // As older internal CAs sign: `x509 -req` and no extensions file, so X.509 v1.
    assert!(run(
        "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem"
    ));
    assert!(run(
        "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key"
    ));
    let text = std::process::Command::new("openssl")
        .args(["x509", "-in", "client.pem", "-noout", "-text"])
        .current_dir(d)
        .output()
        .expect("openssl x509 -text");
    assert!(String::from_utf8_lossy(&text.stdout).contains("Version: 1 (0x0)"));
    true
}

#[test]
fn an_x509_v1_client_certificate_is_used_as_curl_and_nginx_use_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    if !v1_client_pki(d) {
        sluicegate::say!(
            "note: openssl is not installed: the X.509 v1 client certificate is not tried"
        );
        return;
    }
    let server = OpensslServer::start(d);
    let url = format!("https://127.0.0.1:{}/", server.port);
    let path = |name: &str| d.join(name).display().to_string();
    let (srv, cert, key) = (path("srv.pem"), path("client.pem"), path("client.key"));
    let s = json_run(&[
        &url, "--cacert", &srv, "--cert", &cert, "--key", &key, "-n", "3", "-c", "1",
    ]);
    assert_eq!(
        errors_seen(&s),
        vec![],
        "the server took the v1 certificate"
    );
    assert_eq!(s["status_codes"]["200"], 3);
    // A key that is not the certificate's is still refused, before any load.
    let other = path("other.key");
    let out = crate::common::sluice(&[&url, "--cacert", &srv, "--cert", &cert, "--key", &other]);
    let err = crate::common::refused(&out);
    assert!(
        err.starts_with("sluice: --cert/--key: not a usable pair"),
        "{err}"
    );
}

/// A proxy that answers every CONNECT with `answer`; returns its URL and the CONNECT heads
/// it was sent.
fn refusing_proxy(answer: &'static str) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let heads = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            seen.lock().expect("heads").push(text);
            let _ = conn.write_all(answer.as_bytes());
        }
    });
    (url, heads)
}

#[test]
fn a_proxy_that_wants_credentials_says_so() {
    let (proxy, heads) = refusing_proxy(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n",
    );
    let s = json_run(&["https://127.0.0.1:9/", "-x", &proxy, "-n", "3", "-c", "1"]);
    assert_eq!(
        errors_seen(&s),
        vec![("proxy_auth_required".to_string(), 3)]
    );
    assert!(
        hints(&s).contains("-x http://user:pass@proxy:port"),
        "{}",
        hints(&s)
    );
    let heads = heads.lock().expect("heads");
    assert!(
        heads[0].starts_with("CONNECT 127.0.0.1:9 HTTP/1.1\r\n"),
        "{}",
        heads[0]
    );
}

#[test]
fn a_proxy_that_refuses_the_tunnel_is_named_with_its_status_escaped() {
    let (proxy, _) =
        refusing_proxy("HTTP/1.1 403 Forbidden\x1b]0;PWNED\x07\r\nContent-Length: 0\r\n\r\n");
    let out = crate::common::sluice(&[
        "--no-tui",
        "https://127.0.0.1:9/",
        "-x",
        &proxy,
        "-n",
        "3",
        "-c",
        "1",
    ]);
    assert!(out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("proxy_refused"), "{all}");
    assert!(
        all.contains("answered 'HTTP/1.1 403 Forbidden\\x1b]0;PWNED\\x07'"),
        "{all}"
    );
    assert!(
        !all.contains('\u{1b}'),
        "a raw escape reached the terminal: {all}"
    );
}

#[test]
fn an_https_server_without_h2_is_named_too() {
    // It offers no ALPN and answers whatever it reads in HTTP/1.1, the HTTP/2 preface too.
    let dir = tempfile::tempdir().expect("temp dir");
    let (chain, key) = server_cert(dir.path(), &["127.0.0.1"], LONG_AGO, FAR_OFF);
    let url = format!("https://{}/", tls_server(chain, key));
    let ca = dir.path().join("ca.pem").display().to_string();
    let s = json_run(&[&url, "--http2", "--cacert", &ca, "-c", "5", "-z", "1s"]);
    let errors = errors_seen(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "h2_unsupported", "{errors:?}");
}

/// A server on 127.0.0.1 that answers each connection's first request with `answer` and
/// closes; it counts the connections.
fn broken_http1(answer: &'static [u8]) -> (SocketAddr, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicU64::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            count.fetch_add(1, SeqCst);
            std::thread::spawn(move || {
                let mut head = [0u8; 4096];
                let _ = conn.read(&mut head);
                let _ = conn.write_all(answer);
            });
        }
    });
    (addr, accepted)
}

#[test]
fn an_http1_server_that_breaks_the_protocol_is_named_and_not_redialled_in_a_loop() {
    let answers: [&'static [u8]; 4] = [
        b"HTTP/1.1 000 Nothing\r\ncontent-length: 0\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
    ];
    for answer in answers {
        let (addr, accepted) = broken_http1(answer);
        let url = format!("http://{addr}/");
        let s = json_run(&[&url, "-c", "2", "-z", "2s", "--threads", "1"]);
        let errors = errors_seen(&s);
        let shown = String::from_utf8_lossy(answer);
        assert_eq!(errors.len(), 1, "{shown:?}: {errors:?}");
        assert_eq!(errors[0].0, "http1_protocol_error", "{shown:?}: {errors:?}");
        assert!(hints(&s).contains("not valid HTTP/1.1"), "{}", hints(&s));
        // Waits of 10, 20, 40 ... ms, up to a second, in each of 2 slots: a tight loop
        // dialled thousands in 2 s.
        let dialled = accepted.load(SeqCst);
        assert!(dialled <= 40, "{shown:?}: {dialled} connections in 2 s");
    }
}

#[test]
fn a_unix_socket_that_is_not_there_is_refused_not_other() {
    let dir = tempfile::tempdir().expect("dir");
    let socket = dir.path().join("nothing.sock");
    let socket = socket.to_str().expect("utf-8");
    let s = json_run(&["http://localhost/", "--unix-socket", socket, "-n", "3"]);
    assert_eq!(errors_seen(&s), vec![("connect_refused".to_string(), 3)]);
}
