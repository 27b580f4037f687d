//! Sending one request and turning whatever happens into one `Outcome`.

use super::alarm::Alarm;
use super::backoff::{self, ConnectBackoff};
use super::classify;
use super::pool::{self, Checkout, Pool, Sender};
use super::wire_size;
use crate::engine::outcome::{ErrorKind, Outcome, Verdict};
use bytes::Bytes;
use http::header::{ACCEPT, CONNECTION, HOST, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;
use tokio::time::Instant;

/// What every request of the run looks like; built once, cloned cheaply per request.
#[derive(Debug, Clone)]
pub struct RequestTemplate {
    pub method: Method,
    /// The full URL, as given.
    pub url: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RequestTemplate {
    /// A template with sluice's default headers; `extra` replaces defaults of the same name.
    pub fn new(method: Method, url: Uri, extra: HeaderMap, body: Bytes) -> RequestTemplate {
        let mut headers = HeaderMap::new();
        if let Some(authority) = url.authority()
            && let Ok(host) = HeaderValue::from_str(authority.as_str())
        {
            headers.insert(HOST, host);
        }
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("sluice/", env!("CARGO_PKG_VERSION"))),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        let mut replaced = std::collections::HashSet::new();
        for (name, value) in extra.iter() {
            if replaced.insert(name.clone()) {
                headers.remove(name);
            }
            headers.append(name.clone(), value.clone());
        }
        RequestTemplate {
            method,
            url,
            headers,
            body,
        }
    }

    /// The request as HTTP/2 sends it: the full URL (its scheme and authority become the
    /// `:scheme` and `:authority` pseudo-headers), and no Host header beside `:authority`.
    fn request_h2(&self) -> Request<Full<Bytes>> {
        let mut req = Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.url.clone();
        *req.headers_mut() = self.headers.clone();
        req.headers_mut().remove(HOST);
        *req.version_mut() = http::Version::HTTP_2;
        req
    }

    /// The request in absolute form (the whole URL), as a proxy expects it; Host stays.
    fn request_absolute(&self) -> Request<Full<Bytes>> {
        let mut req = self.request();
        *req.uri_mut() = self.url.clone();
        req
    }

    /// The request in origin form (`/path?query`), as HTTP/1.1 servers expect it.
    fn request(&self) -> Request<Full<Bytes>> {
        let path = self
            .url
            .path_and_query()
            .map(|pq| Uri::from(pq.clone()))
            .unwrap_or_else(|| Uri::from_static("/"));
        let mut req = Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = path;
        *req.headers_mut() = self.headers.clone();
        req
    }
}

/// Sends requests of one template (or, with `--urls-from-file`, of several in turn) over a
/// pool per origin, with the run's timeouts.
pub struct Client {
    /// One per URL, in the order given.
    endpoints: Vec<Endpoint>,
    /// One per origin (scheme and authority) the URLs name.
    pools: Vec<Pool>,
    timeout: Duration,
    backoff: ConnectBackoff,
}

/// One URL's request and the pool of its origin.
struct Endpoint {
    /// Built once; each request is a clone (hyper takes requests by value).
    request: Request<Full<Bytes>>,
    /// Index into `Client::pools`.
    pool: usize,
}

/// A request that starts within this of when it was due is on time: the timer that wakes
/// the spawn loop ticks in milliseconds, and its wake-up is the client's delay, not the
/// server's. Past it, the whole delay counts as latency.
pub const ON_TIME_SLACK: Duration = Duration::from_millis(2);

/// A request task's connection and deadline timer, kept from one request to the next.
pub struct Session {
    conn: Option<Sender>,
    /// The pool `conn` came from.
    pool: usize,
    alarm: Alarm,
}

/// The connect failures met on the way, for classifying a request that ran out of time.
#[derive(Default)]
struct ConnectFailures {
    /// A connection could not be opened (the failure is the request's error).
    connect_failed: AtomicBool,
    /// EMFILE/ENFILE was hit and retried.
    out_of_files: AtomicBool,
}

impl Client {
    /// A client for `template`, opening connections through `pool`.
    pub fn new(template: RequestTemplate, pool: Pool, timeout: Duration) -> Client {
        Client::several(vec![(template, 0)], vec![pool], timeout)
    }

    /// A client for several URLs, sent in turn: each template with the index of its
    /// origin's pool in `pools`.
    pub fn several(
        templates: Vec<(RequestTemplate, usize)>,
        pools: Vec<Pool>,
        timeout: Duration,
    ) -> Client {
        let endpoints = templates
            .iter()
            .map(|(template, pool)| Endpoint {
                request: request_for(template, &pools[*pool]),
                pool: *pool,
            })
            .collect();
        let biggest_body = templates.iter().map(|(t, _)| t.body.len()).max();
        Client {
            pools: pools
                .into_iter()
                .map(|p| p.for_body_of(biggest_body.unwrap_or(0)))
                .collect(),
            endpoints,
            timeout,
            backoff: ConnectBackoff::default(),
        }
    }

    /// The same client with an empty pool of its own: for another generator shard, so no
    /// connection is ever shared between threads.
    pub fn for_another_shard(&self) -> Client {
        Client {
            endpoints: self
                .endpoints
                .iter()
                .map(|e| Endpoint {
                    request: e.request.clone(),
                    pool: e.pool,
                })
                .collect(),
            pools: self.pools.iter().map(Pool::empty_copy).collect(),
            timeout: self.timeout,
            backoff: ConnectBackoff::default(),
        }
    }

    /// What a request task keeps between the requests it carries, first deadline `start`.
    pub fn session(&self, start: Instant) -> Session {
        Session {
            conn: None,
            pool: 0,
            alarm: Alarm::new(start + self.timeout),
        }
    }

    /// Sends one request over the session's connection (or a pooled or new one); the pool
    /// keeps at most `max_idle` idle connections (the operator's limit, also while paused).
    /// After a connect failure the request keeps its slot a while (shared backoff), so a
    /// target that is down is not hammered in a tight loop.
    /// `due` is when the request was due (rate mode): its latency is measured from then, so a
    /// late start is counted against the server, not hidden; the timeout runs from the send.
    /// Request `n` of the run goes to URL `n` modulo the number of URLs.
    pub async fn send_one(
        &self,
        session: &mut Session,
        max_idle: usize,
        due: Option<Instant>,
        n: u64,
    ) -> Outcome {
        let (endpoint, target) = self.endpoint(n);
        if session.pool != endpoint.pool {
            // Another origin: the connection goes back to its own pool.
            if let Some(sender) = session.conn.take() {
                self.pools[session.pool].checkin(sender, self.idle_share(max_idle));
            }
            session.pool = endpoint.pool;
        }
        let start = Instant::now();
        let failures = ConnectFailures::default();
        // The deadline comes from the start already read: one clock read fewer per request.
        let deadline = start + self.timeout;
        let held = session.conn.take();
        let exchange = pin!(self.exchange(endpoint, held, max_idle, &failures));
        let result = session.alarm.within(deadline, exchange).await;
        let end = Instant::now();
        let (verdict, head_bytes, bytes) = match result {
            // A response that came after the deadline (a thread held up elsewhere) is late.
            Some(Ok(r)) if end > deadline => {
                session.conn = r.conn;
                (Verdict::Error(ErrorKind::Timeout), 0, 0)
            }
            Some(Ok(r)) => {
                session.conn = r.conn;
                (Verdict::Status(r.status), r.head_bytes, r.body_bytes)
            }
            Some(Err(kind)) => (Verdict::Error(kind), 0, 0),
            None if failures.out_of_files.load(Relaxed) => {
                (Verdict::Error(ErrorKind::TooManyOpenFiles), 0, 0)
            }
            None => (Verdict::Error(ErrorKind::Timeout), 0, 0),
        };
        let from = match due {
            Some(due) if start.saturating_duration_since(due) > ON_TIME_SLACK => due,
            _ => start,
        };
        let outcome = Outcome {
            latency_us: end.duration_since(from).as_micros() as u64,
            late_us: start.duration_since(from).as_micros() as u64,
            verdict,
            bytes,
            head_bytes,
            target,
        };
        if failures.connect_failed.load(Relaxed) {
            // Dropped, like the request, if the run stops meanwhile.
            tokio::time::sleep(self.backoff.failed()).await;
        }
        outcome
    }

    /// Ends a session: its connection goes back to the pool, which keeps at most `max_idle`
    /// (the operator's limit, also while paused).
    pub fn end(&self, session: Session, max_idle: usize) {
        if let Some(sender) = session.conn {
            self.pools[session.pool].checkin(sender, self.idle_share(max_idle));
        }
    }

    /// Request `n`'s URL, and its number in outcomes (0 in a run with one URL).
    fn endpoint(&self, n: u64) -> (&Endpoint, u16) {
        match self.endpoints.len() {
            1 => (&self.endpoints[0], 0),
            len => {
                let i = (n % len as u64) as usize;
                (&self.endpoints[i], (i + 1) as u16)
            }
        }
    }

    /// Idle connections each pool keeps: the limit shared between the origins, so all
    /// pools together stay within the one open-file budget.
    fn idle_share(&self, max_idle: usize) -> usize {
        max_idle.div_ceil(self.pools.len())
    }

    /// A connection: reused or new; out of descriptors, waits and tries again (until `-t`).
    async fn connection(
        &self,
        pool: &Pool,
        held: Option<Sender>,
        max_idle: usize,
        failures: &ConnectFailures,
    ) -> Result<Checkout, ErrorKind> {
        if let Some(mut sender) = held
            && pool::usable(&mut sender).await
        {
            return Ok(Checkout {
                sender,
                reused: true,
            });
        }
        // Boxed: the cold path (pool, connect, TLS and handshake futures) would otherwise
        // be part of every request task's future, touched on every request.
        Box::pin(self.checkout(pool, self.idle_share(max_idle), failures)).await
    }

    /// A pooled or new connection; out of descriptors, waits and tries again (until `-t`).
    async fn checkout(
        &self,
        pool: &Pool,
        max_idle: usize,
        failures: &ConnectFailures,
    ) -> Result<Checkout, ErrorKind> {
        let mut attempt = 0;
        loop {
            match pool.checkout(max_idle).await {
                Ok(conn) => {
                    self.backoff.succeeded();
                    return Ok(conn);
                }
                Err(ErrorKind::TooManyOpenFiles) => {
                    failures.out_of_files.store(true, Relaxed);
                    attempt += 1;
                    tokio::time::sleep(backoff::out_of_files(attempt)).await;
                }
                Err(kind) => {
                    failures.connect_failed.store(true, Relaxed);
                    return Err(kind);
                }
            }
        }
    }

    /// Request and full response body; one retry when a reused connection turns out closed.
    /// HTTP/2: a request the server did not process (GOAWAY, REFUSED_STREAM, or never sent
    /// before the connection closed) is sent again on another connection, as often as its
    /// deadline allows: each time, a connection went away, and one that went away without
    /// answering delays the next (`Multiplex`). Gives back the connection for the next
    /// request, unless the server closed it.
    async fn exchange(
        &self,
        endpoint: &Endpoint,
        mut held: Option<Sender>,
        max_idle: usize,
        failures: &ConnectFailures,
    ) -> Result<Received, ErrorKind> {
        let pool = &self.pools[endpoint.pool];
        let mut retried = false;
        loop {
            let mut conn = self
                .connection(pool, held.take(), max_idle, failures)
                .await?;
            let response = match conn.sender.send_request(endpoint.request.clone()).await {
                Ok(r) => r,
                Err(e) if conn.sender.is_h2() => {
                    let kind = conn.sender.failed(classify::request_error(&e));
                    if !classify::unprocessed_h2(&e) {
                        return Err(kind);
                    }
                    // The server is closing this connection (GOAWAY) or refused the stream,
                    // and did not process the request: send it on another one.
                    conn.sender.retire();
                    continue;
                }
                Err(e)
                    if conn.reused
                        && !retried
                        && (e.is_canceled() || e.is_incomplete_message()) =>
                {
                    // The server closed the idle connection before our request reached it.
                    retried = true;
                    continue;
                }
                Err(e) => return Err(classify::request_error(&e)),
            };
            let status = response.status().as_u16();
            let head_bytes = wire_size::head_bytes(&response);
            let mut body = response.into_body();
            let mut body_bytes = 0u64;
            // A body whose length was announced ends with its last byte: no poll for the end.
            while !body.is_end_stream()
                && let Some(frame) = body.frame().await
            {
                let frame = frame.map_err(|e| classify::request_error(&e))?;
                if let Some(data) = frame.data_ref() {
                    body_bytes += data.len() as u64;
                }
            }
            let reusable = pool.keeps_alive() && !conn.sender.is_closed();
            let open = reusable.then_some(conn.sender);
            return Ok(Received {
                status,
                head_bytes,
                body_bytes,
                conn: open,
            });
        }
    }
}

/// A response read to its end, and the connection for the next request.
struct Received {
    status: u16,
    head_bytes: u32,
    body_bytes: u64,
    /// None when the server closed it (or connections are not kept).
    conn: Option<Sender>,
}

/// The request for `template` as `pool` sends it: HTTP/2's form, the absolute form through a
/// proxy, else origin form; with `Connection: close` when connections are not kept.
fn request_for(template: &RequestTemplate, pool: &Pool) -> Request<Full<Bytes>> {
    let mut request = match (pool.is_http2(), pool.absolute_form()) {
        (true, _) => template.request_h2(),
        (false, true) => template.request_absolute(),
        (false, false) => template.request(),
    };
    if !pool.keeps_alive() {
        // The server closes after the response, and so does hyper.
        request
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    request
}
