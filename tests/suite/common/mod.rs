//! Test servers on 127.0.0.1:0 that count what they see, and a wait-with-deadline helper.

pub mod knee;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_util::sync::CancellationToken;

/// How the test server answers.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// "ok" after this delay.
    Delay(Duration),
    /// Accepts connections and reads requests, but never answers.
    Stall,
    /// Reads the request, then resets the connection (RST, not FIN).
    Reset,
    /// Reads the request body to its end, then answers "ok".
    ReadBody,
    /// Answers at once, except that once, `after` the first request, every request (new or
    /// waiting) is held until `length` has passed: a server that freezes for a while.
    FreezeOnce { after: Duration, length: Duration },
    /// Answers at once while it sees fewer than `rps` requests in the last second, and after
    /// `delay` when it sees more: a server with a knee.
    SlowAbove { rps: usize, delay: Duration },
}

/// What the server has seen; all counters are live.
#[derive(Debug, Default)]
pub struct Seen {
    /// Requests being handled right now.
    pub current: AtomicUsize,
    /// The most handled at once since the last `reset_max`.
    pub max: AtomicUsize,
    pub requests: AtomicU64,
    /// Connections accepted, ever.
    pub connections: AtomicU64,
    /// Connections open now.
    pub open: AtomicUsize,
    /// The last request's headers.
    pub last_request: std::sync::Mutex<http::HeaderMap>,
    /// Request body bytes read (ReadBody).
    pub body_bytes: AtomicU64,
    /// When the first request came.
    pub first_at: std::sync::OnceLock<Instant>,
    /// Arrival times of the requests in the last second (SlowAbove).
    pub last_second: std::sync::Mutex<std::collections::VecDeque<Instant>>,
    /// Requests by whole second since the first one.
    pub per_second: std::sync::Mutex<Vec<u64>>,
}

impl Seen {
    pub fn current(&self) -> usize {
        self.current.load(SeqCst)
    }
    pub fn max(&self) -> usize {
        self.max.load(SeqCst)
    }
    pub fn requests(&self) -> u64 {
        self.requests.load(SeqCst)
    }
    pub fn connections(&self) -> u64 {
        self.connections.load(SeqCst)
    }
    pub fn open(&self) -> usize {
        self.open.load(SeqCst)
    }
    /// The last request's (Host, Authorization) headers.
    pub fn last_headers(&self) -> (String, String) {
        (self.header("host"), self.header("authorization"))
    }
    /// A header of the last request, "" when absent (several values joined by ", ").
    pub fn header(&self, name: &str) -> String {
        let last = self.last_request.lock().expect("lock");
        let values: Vec<_> = last
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or("<not text>").to_string())
            .collect();
        values.join(", ")
    }
    /// Requests in each whole second since the first request.
    pub fn per_second(&self) -> Vec<u64> {
        self.per_second.lock().expect("lock").clone()
    }
    /// Notes a request arriving now: its second, and the last second's arrivals; returns
    /// how many came in the last second, this one included.
    fn arrival(&self) -> usize {
        let now = Instant::now();
        let first = *self.first_at.get_or_init(|| now);
        let second = (now - first).as_secs() as usize;
        let mut counts = self.per_second.lock().expect("lock");
        if counts.len() <= second {
            counts.resize(second + 1, 0);
        }
        counts[second] += 1;
        let mut recent = self.last_second.lock().expect("lock");
        while recent
            .front()
            .is_some_and(|t| now - *t > Duration::from_secs(1))
        {
            recent.pop_front();
        }
        recent.push_back(now);
        recent.len()
    }
    /// Starts a new peak measurement from the current count.
    pub fn reset_max(&self) {
        self.max.store(self.current(), SeqCst);
    }
}

/// An HTTP/1.1 server on its own thread and runtime; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
    shutdown: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(behaviour: Behaviour) -> TestServer {
        TestServer::start_with(behaviour, None, "127.0.0.1:0".parse().expect("addr"))
    }

    /// The same server speaking HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1.
    pub fn start_h2c(behaviour: Behaviour) -> TestServer {
        let any_port = "127.0.0.1:0".parse().expect("addr");
        TestServer::start_serving(behaviour, None, any_port, true)
    }

    /// A server on a given address: to bring one back where an earlier one was.
    pub fn start_on(behaviour: Behaviour, addr: SocketAddr) -> TestServer {
        TestServer::start_with(behaviour, None, addr)
    }

    /// The same server behind TLS, with a fresh self-signed certificate for 127.0.0.1.
    pub fn start_tls(behaviour: Behaviour) -> TestServer {
        let any_port = "127.0.0.1:0".parse().expect("addr");
        TestServer::start_with(behaviour, Some(self_signed_acceptor()), any_port)
    }

    /// A TLS server whose certificate `pki`'s CA signed for `pki.names`; with
    /// `client_certs`, it refuses clients without a certificate from that CA.
    pub fn start_tls_pki(behaviour: Behaviour, pki: &Pki, client_certs: bool) -> TestServer {
        let any_port = "127.0.0.1:0".parse().expect("addr");
        TestServer::start_with(behaviour, Some(pki.acceptor(client_certs)), any_port)
    }

    fn start_with(behaviour: Behaviour, tls: Option<TlsAcceptor>, addr: SocketAddr) -> TestServer {
        TestServer::start_serving(behaviour, tls, addr, false)
    }

    /// A server on `addr`; plain connections speak HTTP/2 when `h2c`, TLS ones what ALPN
    /// agreed (HTTP/1.1 without ALPN).
    fn start_serving(
        behaviour: Behaviour,
        tls: Option<TlsAcceptor>,
        addr: SocketAddr,
        h2c: bool,
    ) -> TestServer {
        let std_listener = std::net::TcpListener::bind(addr).expect("bind on 127.0.0.1");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let seen = Arc::new(Seen::default());
        let shutdown = CancellationToken::new();
        let (seen2, shutdown2) = (Arc::clone(&seen), shutdown.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                serve(listener, behaviour, tls, h2c, seen2, shutdown2).await;
            });
        });
        TestServer {
            addr,
            seen,
            shutdown,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn https_url(&self) -> String {
        format!("https://{}/", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(
    listener: TcpListener,
    behaviour: Behaviour,
    tls: Option<TlsAcceptor>,
    h2c: bool,
    seen: Arc<Seen>,
    shutdown: CancellationToken,
) {
    loop {
        let stream = tokio::select! {
            _ = shutdown.cancelled() => return,
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(_) => {
                    // Out of descriptors: give them a moment to come back.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            },
        };
        if let Behaviour::Reset = behaviour {
            seen.connections.fetch_add(1, SeqCst);
            tokio::spawn(reset_after_request(stream, Arc::clone(&seen)));
            continue;
        }
        seen.connections.fetch_add(1, SeqCst);
        seen.open.fetch_add(1, SeqCst);
        let (seen, shutdown, tls) = (Arc::clone(&seen), shutdown.clone(), tls.clone());
        tokio::spawn(async move {
            let _open = OpenConnection(Arc::clone(&seen));
            let svc = service_fn(move |req| handle(req, behaviour, Arc::clone(&seen)));
            tokio::select! {
                _ = async {
                    match tls {
                        None => serve_connection(TokioIo::new(stream), svc, h2c).await,
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                                serve_connection(TokioIo::new(stream), svc, h2).await;
                            }
                        }
                    }
                } => {}
                _ = shutdown.cancelled() => {}
            }
        });
    }
}

/// Serves one connection, HTTP/2 or HTTP/1.1, until the client closes it.
async fn serve_connection<I, S>(io: I, svc: S, h2: bool)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::ResBody: Send + 'static,
    <S::ResBody as hyper::body::Body>::Data: Send,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if h2 {
        let http = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
        let _ = http.serve_connection(io, svc).await;
    } else {
        let _ = http1::Builder::new().serve_connection(io, svc).await;
    }
}

/// Reads what the client sends, counts it as a request, and answers with a reset.
async fn reset_after_request(mut stream: tokio::net::TcpStream, seen: Arc<Seen>) {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 4096];
    if let Ok(n) = stream.read(&mut buf).await
        && n > 0
    {
        seen.requests.fetch_add(1, SeqCst);
    }
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Decrements `open` when the connection's task ends.
struct OpenConnection(Arc<Seen>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, SeqCst);
    }
}

/// Decrements `current` when the handler ends, even if it is dropped mid-way.
struct InFlight(Arc<Seen>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.current.fetch_sub(1, SeqCst);
    }
}

async fn handle(
    req: Request<Incoming>,
    behaviour: Behaviour,
    seen: Arc<Seen>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    *seen.last_request.lock().expect("lock") = req.headers().clone();
    seen.requests.fetch_add(1, SeqCst);
    let in_last_second = seen.arrival();
    let now = seen.current.fetch_add(1, SeqCst) + 1;
    seen.max.fetch_max(now, SeqCst);
    let _guard = InFlight(Arc::clone(&seen));
    match behaviour {
        Behaviour::FreezeOnce { after, length } => {
            let from = *seen.first_at.get().expect("first request") + after;
            let now = Instant::now();
            if now >= from && now < from + length {
                tokio::time::sleep_until((from + length).into()).await;
            }
        }
        Behaviour::SlowAbove { rps, delay } => {
            if in_last_second > rps {
                tokio::time::sleep(delay).await;
            }
        }
        Behaviour::ReadBody => {
            use http_body_util::BodyExt;
            let mut body = req.into_body();
            while let Some(Ok(frame)) = body.frame().await {
                if let Some(data) = frame.data_ref() {
                    seen.body_bytes.fetch_add(data.len() as u64, SeqCst);
                }
            }
        }
        Behaviour::Delay(d) if !d.is_zero() => tokio::time::sleep(d).await,
        Behaviour::Delay(_) => {}
        Behaviour::Stall => std::future::pending::<()>().await,
        Behaviour::Reset => unreachable!("reset connections never reach the HTTP handler"),
    }
    Ok(Response::new(Full::new(Bytes::from_static(b"ok"))))
}

/// Polls `cond` every few milliseconds until it holds; panics with `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `serve` on a current-thread runtime of its own thread, for a test's own server that
/// lives as long as the test process.
pub fn in_background<F>(serve: impl FnOnce() -> F + Send + 'static)
where
    F: std::future::Future<Output = ()>,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(serve());
    });
}

/// A loopback port with nothing listening on it (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A TLS acceptor with a certificate no client trusts by default.
fn self_signed_acceptor() -> TlsAcceptor {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .expect("server config");
    TlsAcceptor::from(Arc::new(config))
}

/// A concurrency-mode setup for `generator::start`: `plan`, starting at `limit`, no cap.
pub fn setup(
    plan: sluicegate::engine::generator::plan::Plan,
    limit: usize,
) -> sluicegate::engine::generator::Setup {
    sluicegate::engine::generator::Setup {
        plan,
        limit,
        cap: usize::MAX,
        rate: None,
        threads: 1,
    }
}

/// Outcomes counted by what they were ("200", "aborted", an error kind's name), drained by
/// a thread of their own until the generator closes the channel.
#[derive(Clone, Default)]
pub struct Tally(Arc<std::sync::Mutex<std::collections::HashMap<String, u64>>>);

impl Tally {
    /// Starts draining `outcomes` into a new tally.
    pub fn drain(
        mut outcomes: tokio::sync::mpsc::Receiver<Vec<sluicegate::engine::outcome::Outcome>>,
    ) -> Tally {
        use sluicegate::engine::outcome::Verdict;
        let tally = Tally::default();
        let sink = tally.clone();
        std::thread::spawn(move || {
            for o in std::iter::from_fn(|| outcomes.blocking_recv()).flatten() {
                let key = match o.verdict {
                    Verdict::Status(code) => code.to_string(),
                    Verdict::Error(kind) => kind.as_str().to_string(),
                    Verdict::Aborted => "aborted".to_string(),
                };
                *sink.0.lock().expect("tally").entry(key).or_default() += 1;
            }
        });
        tally
    }

    /// How many outcomes were `key`.
    pub fn of(&self, key: &str) -> u64 {
        self.0.lock().expect("tally").get(key).copied().unwrap_or(0)
    }

    /// How many outcomes were none of `keys`.
    pub fn except(&self, keys: &[&str]) -> u64 {
        let counts = self.0.lock().expect("tally");
        counts
            .iter()
            .filter(|(k, _)| !keys.contains(&k.as_str()))
            .map(|(_, n)| n)
            .sum()
    }

    /// How many outcomes there were.
    pub fn total(&self) -> u64 {
        self.except(&[])
    }

    /// Every count so far, by key.
    pub fn counts(&self) -> std::collections::HashMap<String, u64> {
        self.0.lock().expect("tally").clone()
    }
}

/// A client for GET `url`, as the binary would build it (5 s connect timeout).
pub fn get_client(url: &str, timeout: Duration) -> sluicegate::engine::client::Client {
    client_for(url, timeout, None)
}

/// The same over HTTP/2 (`--http2`), up to `streams` on a connection (`-p`).
pub fn get_h2_client(
    url: &str,
    timeout: Duration,
    streams: Option<usize>,
) -> sluicegate::engine::client::Client {
    client_for(url, timeout, Some(streams))
}

/// A GET client; `h2`: HTTP/2 with that `-p`.
fn client_for(
    url: &str,
    timeout: Duration,
    h2: Option<Option<usize>>,
) -> sluicegate::engine::client::Client {
    use sluicegate::engine::client::{
        Client, Pool, Protocol, RequestTemplate, Route, TlsOptions, client_config, connector,
    };
    let uri: http::Uri = url.parse().expect("url");
    let tls = client_config(&TlsOptions::default()).expect("TLS config");
    let protocol = match h2 {
        Some(streams) => Protocol::Http2 { streams },
        None => Protocol::Http1,
    };
    let connector = connector(
        Duration::from_secs(5),
        tls,
        &uri,
        Route::default(),
        protocol,
    );
    let template = RequestTemplate::new(
        http::Method::GET,
        uri.clone(),
        http::HeaderMap::new(),
        Bytes::new(),
    );
    Client::new(template, Pool::new(connector, uri, protocol), timeout)
}

/// Runs the real binary with `args`, stdin closed.
pub fn sluice(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run sluice")
}

/// Runs `sluice fleet` headless over the workers at `addrs` with `token`, its summary in JSON
/// on stdout, and `extra` flags.
pub fn fleet_json(token: &str, addrs: &[&str], extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "fleet",
        "--no-tui",
        "--output-format",
        "json",
        "--control-token",
        token,
    ];
    args.extend(extra);
    args.extend(addrs);
    sluice(&args)
}

/// Runs `tests/scripts/NAME` (a check written against another implementation) with `args`
/// and `stdin`, and returns the numbers it prints; a script that fails fails the test with
/// its stderr and `hint`.
pub fn script_numbers(name: &str, args: &[&str], stdin: &str, hint: &str) -> Vec<f64> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let script = format!("{}/tests/scripts/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new("python3")
        .env("PYTHONPATH", checkers())
        .arg(&script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.as_bytes())
        .expect("write to the script");
    drop(input);
    let out = child.wait_with_output().expect("the script's output");
    assert!(
        out.status.success(),
        "{name} failed ({hint}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|f| f.parse().unwrap_or_else(|_| panic!("{name} printed {f}")))
        .collect()
}

/// The folder that holds the Python checkers of tests/scripts/requirements.txt, installed
/// there by pip on first use (once per target folder), so `cargo test` needs only Python 3.
/// Installed into a folder of its own and renamed into place: tests that race see either
/// nothing or the whole of it.
pub fn checkers() -> std::path::PathBuf {
    use std::process::Command;
    static READY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| {
            let requirements = format!(
                "{}/tests/scripts/requirements.txt",
                env!("CARGO_MANIFEST_DIR")
            );
            // Named after what it holds: a changed requirements file gets a folder of its own.
            let listed = std::fs::read(&requirements).expect("tests/scripts/requirements.txt");
            let tag = listed.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
            });
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("py-checkers-{tag:016x}"));
            if dir.is_dir() {
                return dir;
            }
            let staging = dir.with_extension(format!("partial-{}", std::process::id()));
            let out = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(["--no-warn-script-location", "--target"])
                .arg(&staging)
                .args(["-r", &requirements])
                .env("PIP_ROOT_USER_ACTION", "ignore")
                .output()
                .expect("python3 (the tests read sluice's output with Python checkers)");
            assert!(
                out.status.success(),
                "pip could not install the checkers of {requirements}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            // Another test may have finished first: its copy stands, this one goes.
            if std::fs::rename(&staging, &dir).is_err() {
                let _ = std::fs::remove_dir_all(&staging);
            }
            assert!(dir.is_dir(), "no checkers at {}", dir.display());
            dir
        })
        .clone()
}

/// Set in the process `alone` starts: the test runs its body there.
const ALONE: &str = "SLUICE_TEST_ALONE";

/// For a test that changes its own process (its limits): true in a process of its own, where
/// the test's body runs; elsewhere it starts this test binary again with only `test` (its
/// path in the binary) selected, waits, asserts that the test ran there and passed, and
/// returns false.
pub fn alone(test: &str) -> bool {
    if std::env::var_os(ALONE).is_some() {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([test, "--exact", "--test-threads", "1"])
        .env(ALONE, "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the test alone");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{test}, alone: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// Asserts a run was refused as bad input: exit 2 and one line on stderr.
pub fn refused(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    err
}

/// Runs the binary headless with a JSON summary on stdout; asserts success, returns the summary.
pub fn json_run(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--no-tui", "--output-format", "json"];
    all.extend_from_slice(args);
    let out = sluice(&all);
    assert!(
        out.status.success(),
        "sluice {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Starts the binary headless in the background with a JSON summary on its stdout (piped),
/// for tests that act on it while it runs.
pub fn spawn_json_run(args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["--no-tui", "--output-format", "json"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn sluice")
}

/// A private CA, a server certificate it signed, and a client certificate it signed, each
/// written as PEM into a temporary folder (for --cacert, --cert and --key).
pub struct Pki {
    pub dir: tempfile::TempDir,
    ca: rustls::pki_types::CertificateDer<'static>,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
}

impl Pki {
    /// A fresh CA, with a server certificate for `names` (DNS names or IP addresses).
    pub fn new(names: &[&str]) -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA cert");
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf = |names: Vec<String>| {
            let key = KeyPair::generate().expect("key");
            let params = CertificateParams::new(names).expect("params");
            let cert = params.signed_by(&key, &issuer).expect("signed");
            (cert, key)
        };
        let (server, server_key) = leaf(names.iter().map(|n| n.to_string()).collect());
        let (client, client_key) = leaf(vec!["sluice-client".to_string()]);
        let write =
            |name: &str, text: String| std::fs::write(dir.path().join(name), text).expect("write");
        write("ca.pem", ca_cert.pem());
        write("client.pem", client.pem());
        write("client.key", client_key.serialize_pem());
        Pki {
            ca: ca_cert.der().clone(),
            server_chain: vec![server.der().clone()],
            server_key: server_key.serialize_der(),
            dir,
        }
    }

    /// No CA: one self-signed certificate for `names`, marked CA:TRUE as `openssl req -x509`
    /// makes them, served by the server and written as ca.pem (and cert.pem).
    pub fn openssl_style_self_signed(names: &[&str]) -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let dir = tempfile::tempdir().expect("temp dir");
        let key = KeyPair::generate().expect("key");
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).expect("self-signed");
        std::fs::write(dir.path().join("ca.pem"), cert.pem()).expect("write");
        std::fs::write(dir.path().join("cert.pem"), cert.pem()).expect("write");
        Pki {
            ca: cert.der().clone(),
            server_chain: vec![cert.der().clone()],
            server_key: key.serialize_der(),
            dir,
        }
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn acceptor(&self, client_certs: bool) -> TlsAcceptor {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .expect("protocol versions");
        let builder = if client_certs {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca.clone()).expect("CA as root");
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let mut config = builder
            .with_single_cert(self.server_chain.clone(), key)
            .expect("server config");
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    }
}

/// A `sluice --control 127.0.0.1:0` run in the background: its process and the control
/// address it printed.
pub struct Worker {
    pub child: std::process::Child,
    pub addr: String,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `sluice ARGS --no-tui --control 127.0.0.1:0 --control-token TOKEN` and waits for
/// the control address it prints; the rest of its stderr is drained in the background.
pub fn spawn_worker(args: &[&str], token: &str) -> Worker {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .args([
            "--no-tui",
            "--control",
            "127.0.0.1:0",
            "--control-token",
            token,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sluice");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("control API on http://")
                .nth(1)
                .map(|rest| rest.split('/').next().unwrap_or_default().to_string())
        })
        .expect("the worker prints its control address");
    std::thread::spawn(move || lines.for_each(drop));
    Worker { child, addr }
}

/// One HTTP/1.1 request (`Connection: close`) to `addr`: the status code and the body.
pub fn http_call(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &[u8],
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the control API");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    if !headers
        .iter()
        .any(|h| h.to_ascii_lowercase().starts_with("content-length"))
    {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).to_string();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

/// `GET /status` of a worker, parsed.
pub fn status_of(addr: &str) -> serde_json::Value {
    let (code, body) = http_call(addr, "GET", "/status", &[], b"");
    assert_eq!(code, 200, "{body}");
    serde_json::from_str(&body).expect("status JSON")
}

/// One HTTP/1.1 request read off a raw socket by a test's own fake server: its method,
/// path, Authorization header, and body (at most 1 MiB; a head of at most 64 KiB).
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
    /// The whole head as sent: request line and headers.
    pub head: String,
}

/// Reads one request from `stream`, waiting at most `wait` for each read; None if the
/// client closed or sent something else.
pub fn read_raw_request(stream: &mut std::net::TcpStream, wait: Duration) -> Option<RawRequest> {
    use std::io::Read;
    stream.set_read_timeout(Some(wait)).ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 || head.len() > 64 << 10 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let mut first = text.lines().next()?.split_whitespace();
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let header = |name: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    stream.read_exact(&mut body).ok()?;
    Some(RawRequest {
        method,
        path,
        authorization: header("authorization"),
        body,
        head: text,
    })
}

/// A request as a test's own `answering` server saw it: its number (from 0, in the order
/// they came), method, path and query, and body.
pub struct Asked {
    pub n: u64,
    pub method: String,
    pub path: String,
    pub body: Bytes,
    pub headers: http::HeaderMap,
}

/// An HTTP/1.1 server on 127.0.0.1 that answers every request with `answer` (its body read
/// first), for as long as the test process lives; returns its address.
pub fn answering(
    answer: impl Fn(&Asked) -> Response<Full<Bytes>> + Send + Sync + 'static,
) -> SocketAddr {
    use http_body_util::BodyExt;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let answer = Arc::new(answer);
    let count = Arc::new(AtomicU64::new(0));
    in_background(move || async move {
        let listener = TcpListener::from_std(listener).expect("listener");
        while let Ok((stream, _)) = listener.accept().await {
            let (answer, count) = (Arc::clone(&answer), Arc::clone(&count));
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let (answer, count) = (Arc::clone(&answer), Arc::clone(&count));
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.map(|b| b.to_bytes());
                        let asked = Asked {
                            n: count.fetch_add(1, SeqCst),
                            method: parts.method.to_string(),
                            path: parts.uri.to_string(),
                            body: body.unwrap_or_default(),
                            headers: parts.headers,
                        };
                        Ok::<_, Infallible>(answer(&asked))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

/// A response with `status`, `headers` ("Name: value") and `body`.
pub fn answer(status: u16, headers: &[&str], body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = http::StatusCode::from_u16(status).expect("a status");
    for h in headers {
        let (name, value) = h.split_once(':').expect("Name: value");
        let name = http::HeaderName::from_bytes(name.trim().as_bytes()).expect("a name");
        let value = http::HeaderValue::from_str(value.trim()).expect("a value");
        response.headers_mut().append(name, value);
    }
    response
}
