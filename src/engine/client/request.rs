//! Sending one request and turning whatever happens into one `Outcome`.

use super::alarm::Alarm;
use super::backoff::{self, ConnectBackoff};
use super::classify;
use super::pool::{self, Checkout, Pool, Sender};
use super::requests::{Got, Next, RequestTemplate, Requests, Vary};
use super::wire_size;
use crate::engine::outcome::{ErrorKind, Outcome, Verdict};
use http_body_util::BodyExt;
use hyper::body::Body as _;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;
use tokio::time::Instant;

/// Sends the run's requests (what request `n` is, `requests` says) over a pool per origin,
/// with the run's timeouts.
pub struct Client {
    requests: Requests,
    /// One per origin (scheme and authority) the URLs name.
    pools: Vec<Pool>,
    timeout: Duration,
    backoff: ConnectBackoff,
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
        let requests = Requests::in_turn(&templates, &pools);
        let biggest_body = templates
            .iter()
            .map(|(t, _)| t.body.len().max(t.holes.body_len_hint()))
            .max();
        Client {
            pools: pools
                .into_iter()
                .map(|p| p.for_body_of(biggest_body.unwrap_or(0)))
                .collect(),
            requests,
            timeout,
            backoff: ConnectBackoff::default(),
        }
    }

    /// The same client, its requests' values (templates) from `vary`.
    pub fn varying(mut self, vary: Vary) -> Client {
        self.requests = self.requests.varying(vary);
        self
    }

    /// The same client with an empty pool of its own: for another generator shard, so no
    /// connection is ever shared between threads.
    pub fn for_another_shard(&self) -> Client {
        Client {
            requests: self.requests.clone(),
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
    /// Request `n` of the run is what `requests` says it is; None when there is none, its
    /// data rows used up: the run is over.
    pub async fn send_one(
        &self,
        session: &mut Session,
        max_idle: usize,
        due: Option<Instant>,
        n: u64,
    ) -> Option<Outcome> {
        let next = match self.requests.get(n) {
            Got::Next(next) => next,
            Got::Wait => match Box::pin(self.when_ready(n)).await {
                Got::Next(next) => next,
                other => return not_sent(&other),
            },
            other => return not_sent(&other),
        };
        let target = next.target;
        if session.pool != next.pool {
            // Another origin: the connection goes back to its own pool.
            if let Some(sender) = session.conn.take() {
                self.pools[session.pool].checkin(sender, self.idle_share(max_idle));
            }
            session.pool = next.pool;
        }
        let start = Instant::now();
        let failures = ConnectFailures::default();
        // The deadline comes from the start already read: one clock read fewer per request.
        let deadline = start + self.timeout;
        let held = session.conn.take();
        let exchange = pin!(self.exchange(next, held, max_idle, &failures));
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
                self.backoff.succeeded();
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
        Some(outcome)
    }

    /// Request `n` once its data row has arrived.
    async fn when_ready(&self, n: u64) -> Got<'_> {
        loop {
            match self.requests.get(n) {
                Got::Wait => self.requests.ready().await,
                got => return got,
            }
        }
    }

    /// Ends a session: its connection goes back to the pool, which keeps at most `max_idle`
    /// (the operator's limit, also while paused).
    pub fn end(&self, session: Session, max_idle: usize) {
        if let Some(sender) = session.conn {
            self.pools[session.pool].checkin(sender, self.idle_share(max_idle));
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
                Ok(conn) => return Ok(conn),
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
        next: Next<'_>,
        mut held: Option<Sender>,
        max_idle: usize,
        failures: &ConnectFailures,
    ) -> Result<Received, ErrorKind> {
        let pool = &self.pools[next.pool];
        let mut retried = false;
        loop {
            let mut conn = self
                .connection(pool, held.take(), max_idle, failures)
                .await?;
            let response = match conn.sender.send_request(next.request()).await {
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
                Err(e) => {
                    return Err(dead_on_arrival(
                        classify::request_error(&e),
                        &conn,
                        failures,
                    ));
                }
            };
            let status = response.status().as_u16();
            let head_bytes = wire_size::head_bytes(&response);
            let mut body = response.into_body();
            let mut body_bytes = 0u64;
            // A body whose length was announced ends with its last byte: no poll for the end.
            while !body.is_end_stream()
                && let Some(frame) = body.frame().await
            {
                let frame = frame
                    .map_err(|e| dead_on_arrival(classify::request_error(&e), &conn, failures))?;
                if let Some(data) = frame.data_ref() {
                    body_bytes += data.len() as u64;
                }
            }
            let reusable = pool.protocol().keeps_alive() && !conn.sender.is_closed();
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

/// The outcome of a request that was not sent (None: there was none to send).
fn not_sent(got: &Got) -> Option<Outcome> {
    match *got {
        Got::NotSent(kind, target) => Some(Outcome {
            verdict: Verdict::Error(kind),
            target,
            ..Outcome::aborted()
        }),
        _ => None,
    }
}

/// `kind`, noting a connection that broke HTTP/1.1 with its very first answer as a failed
/// connection: the request then holds its slot a while (the shared connect backoff, which
/// only an answer resets), so a server that is not HTTP is not re-dialled in a tight loop.
fn dead_on_arrival(kind: ErrorKind, conn: &Checkout, failures: &ConnectFailures) -> ErrorKind {
    if kind == ErrorKind::Http1Protocol && !conn.reused {
        failures.connect_failed.store(true, Relaxed);
    }
    kind
}

/// A response read to its end, and the connection for the next request.
struct Received {
    status: u16,
    head_bytes: u32,
    body_bytes: u64,
    /// None when the server closed it (or connections are not kept).
    conn: Option<Sender>,
}
