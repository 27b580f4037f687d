//! Sending one request and turning whatever happens into one `Outcome`.

use super::alarm::Alarm;
use super::backoff::{self, ConnectBackoff};
use super::classify;
use super::pool::{self, Checkout, Pool, Sender};
use super::redirect::{self, Hop};
use super::requests::{Got, RequestTemplate, Requests, Sendable, Vary};
use super::scenario::Script;
use super::wire_size;
use crate::engine::checks::{self, Checks};
use crate::engine::outcome::{ErrorKind, Outcome, Verdict, micros_u32};
use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use http_body_util::Full;
use hyper::body::Body as _;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering::Relaxed};
use std::time::Duration;
use tokio::time::Instant;

/// Sends the run's requests (what request `n` is, `requests` says) over a pool per origin,
/// with the run's timeouts.
pub struct Client {
    pub(super) requests: Requests,
    /// One per origin (scheme and authority) the URLs name.
    pub(super) pools: Vec<Pool>,
    timeout: Duration,
    backoff: ConnectBackoff,
    /// `--check`: what every final response is judged on; None without.
    checks: Option<Checks>,
    /// `-r`: redirects followed at most, on the same origin; 0 follows none.
    redirects: u8,
    // Scenarios (issue 26).
    /// `--scenario`: the flows sessions walk; None in a run of single requests.
    pub(super) script: Option<Arc<Script>>,
    /// Whether a step's template takes a data row (then each session takes one).
    pub(super) script_uses_rows: bool,
    /// Each request step's request, prepared once as its pool sends it (by step number).
    pub(super) prepared: Arc<[Request<Full<Bytes>>]>,
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
    /// The connections opened on the way, for the outcome's `connects`.
    opened: Opened,
}

/// The connections a request opened on the way, for its outcome.
#[derive(Default)]
struct Opened {
    count: AtomicU8,
    /// How long the last one took to open, in microseconds.
    last_us: AtomicU32,
}

impl Opened {
    /// Notes `conn` if it is a new connection.
    fn note(&self, conn: &Checkout) {
        if !conn.reused {
            let _ = self
                .count
                .fetch_update(Relaxed, Relaxed, |n| n.checked_add(1));
            self.last_us.store(conn.connect_us, Relaxed);
        }
    }
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
            checks: None,
            redirects: 0,
            script: None,
            script_uses_rows: false,
            prepared: Arc::new([]),
        }
    }

    /// The same client walking sessions through `script`'s flows (`--scenario`) instead of
    /// sending single requests; its pools are the steps' origins'.
    pub fn with_script(mut self, script: Arc<Script>) -> Client {
        self.script_uses_rows = script.uses_rows();
        let biggest = script.biggest_body();
        self.pools = self
            .pools
            .into_iter()
            .map(|p| p.for_body_of(biggest))
            .collect();
        self.prepared = script.prepare(&self.pools).into();
        self.script = Some(script);
        self
    }

    /// Whether the client walks sessions (`--scenario`).
    pub fn walks_sessions(&self) -> bool {
        self.script.is_some()
    }

    /// The same client judging every final response on `checks` (`--check`).
    pub fn with_checks(mut self, checks: Option<Checks>) -> Client {
        self.checks = checks;
        self
    }

    /// The same client following up to `redirects` redirects on the URL's origin (`-r`).
    pub fn with_redirects(mut self, redirects: u8) -> Client {
        self.redirects = redirects;
        self
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
            checks: self.checks.clone(),
            redirects: self.redirects,
            script: self.script.clone(),
            script_uses_rows: self.script_uses_rows,
            prepared: Arc::clone(&self.prepared),
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
        let mut next = match self.requests.get(n) {
            Got::Next(next) => next,
            Got::Wait => match Box::pin(self.when_ready(n)).await {
                Got::Next(next) => next,
                other => return not_sent(&other),
            },
            other => return not_sent(&other),
        };
        let wants = Wants {
            checks: self.checks.as_ref(),
            ..Wants::default()
        };
        let pool = next.pool;
        let (mut outcome, ..) = self
            .send_on(session, (max_idle, due), (&mut next, pool), &wants)
            .await;
        outcome.target = next.target;
        Some(outcome)
    }

    /// Sends `request` to the pool at `pool` over the session's connection (or a pooled or
    /// new one): `send_one`'s work once the request is known; with what `wants` keeps of the
    /// final response, and when it ended (a session's next step counts from then).
    pub(super) async fn send_on<S: Sendable + ?Sized>(
        &self,
        session: &mut Session,
        (max_idle, due): (usize, Option<Instant>),
        (request, pool_at): (&mut S, usize),
        wants: &Wants<'_>,
    ) -> (Outcome, Option<Box<Seen>>, Instant) {
        if session.pool != pool_at {
            // Another origin: the connection goes back to its own pool.
            if let Some(sender) = session.conn.take() {
                self.pools[session.pool].checkin(sender, self.idle_share(max_idle));
            }
            session.pool = pool_at;
        }
        let start = Instant::now();
        let failures = ConnectFailures::default();
        // The deadline comes from the start already read: one clock read fewer per request.
        let deadline = start + self.timeout;
        let held = session.conn.take();
        let pool = &self.pools[pool_at];
        let exchange = pin!(self.exchange((request, pool), held, max_idle, &failures, wants));
        let mut result = match session.alarm.within(deadline, exchange).await {
            // -r: the chain goes on within the same deadline, boxed out of every request's
            // future (a run without redirects never builds it).
            Some(Ok(r)) if r.hop.is_some() => {
                let chain = pin!(Box::pin(self.follow(r, pool, max_idle, &failures, wants)));
                session.alarm.within(deadline, chain).await
            }
            result => result,
        };
        let end = Instant::now();
        let seen = match &mut result {
            Some(Ok(r)) => r.seen.take(),
            _ => None,
        };
        let mut outcome = self.outcome_of(result, (start, end > deadline), session, &failures);
        let from = match due {
            Some(due) if start.saturating_duration_since(due) > ON_TIME_SLACK => due,
            _ => start,
        };
        outcome.latency_us = end.duration_since(from).as_micros() as u64;
        outcome.late_us = start.duration_since(from).as_micros() as u64;
        if failures.connect_failed.load(Relaxed) {
            // Dropped, like the request, if the run stops meanwhile.
            tokio::time::sleep(self.backoff.failed()).await;
        }
        (outcome, seen, end)
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

    /// What an exchange started at `start` came to (`late`: it ended past its deadline), its
    /// latency left to the caller; the connection it leaves goes back into the session.
    fn outcome_of(
        &self,
        result: Option<Result<Received, ErrorKind>>,
        (start, late): (Instant, bool),
        session: &mut Session,
        failures: &ConnectFailures,
    ) -> Outcome {
        let mut outcome = Outcome::aborted();
        outcome.connect_us = failures.opened.last_us.load(Relaxed);
        outcome.opened = failures.opened.count.load(Relaxed);
        outcome.verdict = match result {
            // A response that came after the deadline (a thread held up elsewhere) is late.
            Some(Ok(r)) if late => {
                session.conn = r.conn;
                Verdict::Error(ErrorKind::Timeout)
            }
            Some(Ok(r)) => {
                session.conn = r.conn;
                self.backoff.succeeded();
                (outcome.head_bytes, outcome.bytes) = (r.head_bytes, r.body_bytes);
                (outcome.checks_failed, outcome.redirects) = (r.checks_failed, r.redirects);
                let to_head = micros_u32(r.head_at.saturating_duration_since(start));
                outcome.ttfb_us = to_head.saturating_sub(outcome.connect_us);
                match r.offsite {
                    false => Verdict::Status(r.status),
                    true => Verdict::Error(ErrorKind::RedirectOffsite),
                }
            }
            Some(Err(kind)) => Verdict::Error(kind),
            None if failures.out_of_files.load(Relaxed) => {
                Verdict::Error(ErrorKind::TooManyOpenFiles)
            }
            None => Verdict::Error(ErrorKind::Timeout),
        };
        outcome
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
                connect_us: 0,
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

    /// Follows `received`'s redirects, up to `-r` of them, over its connection while it
    /// stays open; one to another origin ends the chain, not followed. The bytes of every
    /// response of the chain are counted.
    async fn follow(
        &self,
        mut received: Received,
        pool: &Pool,
        max_idle: usize,
        failures: &ConnectFailures,
        wants: &Wants<'_>,
    ) -> Result<Received, ErrorKind> {
        let (mut head_bytes, mut body_bytes, mut hops) =
            (received.head_bytes, received.body_bytes, 0);
        while let Some(hop) = received.hop.take() {
            let mut request = match hop {
                Hop::Offsite => {
                    received.offsite = true;
                    break;
                }
                Hop::Follow(request) => request,
            };
            hops += 1;
            let held = received.conn.take();
            let wants = Wants {
                no_follow: hops >= self.redirects,
                ..*wants
            };
            received = self
                .exchange((&mut *request, pool), held, max_idle, failures, &wants)
                .await?;
            head_bytes = head_bytes.saturating_add(received.head_bytes);
            body_bytes += received.body_bytes;
        }
        received.redirects = hops;
        (received.head_bytes, received.body_bytes) = (head_bytes, body_bytes);
        Ok(received)
    }

    /// Request and full response body; one retry when a reused connection turns out closed.
    /// HTTP/2: a request the server did not process (GOAWAY, REFUSED_STREAM, or never sent
    /// before the connection closed) is sent again on another connection, as often as its
    /// deadline allows: each time, a connection went away, and one that went away without
    /// answering delays the next (`Multiplex`). With `may_follow`, the redirect the response
    /// asks for. Gives back the connection for the next request, unless the server closed it.
    async fn exchange<S: Sendable + ?Sized>(
        &self,
        (request, pool): (&mut S, &Pool),
        mut held: Option<Sender>,
        max_idle: usize,
        failures: &ConnectFailures,
        wants: &Wants<'_>,
    ) -> Result<Received, ErrorKind> {
        let may_follow = self.redirects > 0 && !wants.no_follow;
        let mut retried = false;
        loop {
            let mut conn = self
                .connection(pool, held.take(), max_idle, failures)
                .await?;
            failures.opened.note(&conn);
            let response = match conn.sender.send_request(request.copy()).await {
                Ok(r) => r,
                Err(e) => {
                    send_again(&e, &conn, &mut retried, failures)?;
                    continue;
                }
            };
            // The one clock read the time to first byte costs.
            let head_at = Instant::now();
            let status = response.status().as_u16();
            let head_bytes = wire_size::head_bytes(&response);
            // The request is copied again only for a redirect to follow (-r).
            let hop = match may_follow && redirect::is_redirect(status) {
                true => redirect::hop(status, response.headers(), &request.copy(), pool.origin()),
                false => None,
            };
            let (mut checks_failed, mut kept, mut seen) =
                wants.on_head(hop.is_none(), status, response.headers());
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
                    if let Some(kept) = &mut kept {
                        kept.add(data);
                    }
                }
            }
            if let (Some(checks), Some(kept)) = (wants.checks, &kept) {
                checks_failed |= checks.judge_body(kept.bytes());
            }
            if wants.body_limit.is_some() {
                seen.get_or_insert_default().body = kept;
            }
            let reusable = pool.protocol().keeps_alive() && !conn.sender.is_closed();
            return Ok(Received {
                status,
                head_bytes,
                body_bytes,
                conn: reusable.then_some(conn.sender),
                checks_failed,
                redirects: 0,
                offsite: false,
                hop,
                head_at,
                seen,
            });
        }
    }
}

/// After a send failed with `e` on `conn`: Ok to send the request again (HTTP/2: the
/// server did not process it, so on another connection; HTTP/1: once, when a reused
/// connection turned out closed before the request reached the server), or the failure.
fn send_again(
    e: &hyper::Error,
    conn: &Checkout,
    retried: &mut bool,
    failures: &ConnectFailures,
) -> Result<(), ErrorKind> {
    if conn.sender.is_h2() {
        let kind = conn.sender.failed(classify::request_error(e));
        if !classify::unprocessed_h2(e) {
            return Err(kind);
        }
        // The server is closing this connection (GOAWAY) or refused the stream, and did not
        // process the request: send it on another one.
        conn.sender.retire();
        return Ok(());
    }
    if conn.reused && !*retried && (e.is_canceled() || e.is_incomplete_message()) {
        // The server closed the idle connection before our request reached it.
        *retried = true;
        return Ok(());
    }
    Err(dead_on_arrival(classify::request_error(e), conn, failures))
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
    /// When the response's head arrived.
    head_at: Instant,
    /// `--check`: the checks this response failed, a bit each.
    checks_failed: u32,
    /// `-r`: redirects followed to reach it.
    redirects: u8,
    /// `-r`: it was a redirect to another origin, not followed.
    offsite: bool,
    /// `-r`: the redirect it asks for, while redirects may still be followed.
    hop: Option<Hop>,
    /// What was kept of the final response for the caller (scenarios); boxed, and None
    /// when nothing was asked, so a plain request moves and drops one word.
    seen: Option<Box<Seen>>,
}

/// What an exchange judges and keeps of its final response beyond its counts.
#[derive(Default, Clone, Copy)]
pub(super) struct Wants<'a> {
    /// Checks to judge it on (the run's `--check`, or a scenario step's).
    pub checks: Option<&'a Checks>,
    /// Keep its headers (a scenario step's header captures).
    pub head: bool,
    /// Keep its Set-Cookie values (a scenario session's cookie jar).
    pub cookies: bool,
    /// Keep up to this many bytes of its body (a scenario step's JSON captures).
    pub body_limit: Option<usize>,
    /// Follow no redirect (the `-r` chain is used up).
    pub no_follow: bool,
}

impl Wants<'_> {
    /// Nothing to judge or keep (a plain run without `--check`): the head is not looked at.
    #[inline]
    fn nothing(&self) -> bool {
        self.checks.is_none() && !self.head && !self.cookies && self.body_limit.is_none()
    }

    /// `judged_head`, skipped (inline) when nothing is wanted: ~60 instructions a plain
    /// request.
    #[inline]
    fn on_head(
        &self,
        is_final: bool,
        status: u16,
        headers: &http::HeaderMap,
    ) -> (u32, Option<checks::Kept>, Option<Box<Seen>>) {
        match self.nothing() {
            true => (0, None, None),
            false => self.judged_head(is_final, status, headers),
        }
    }

    /// A response's head judged (when it is final: only a final response is judged), and
    /// what is kept of it: the body (for a body check or a capture), the headers (scenarios).
    fn judged_head(
        &self,
        is_final: bool,
        status: u16,
        headers: &http::HeaderMap,
    ) -> (u32, Option<checks::Kept>, Option<Box<Seen>>) {
        if !is_final {
            return (0, None, None);
        }
        let (failed, limit) = match self.checks {
            Some(checks) => (checks.judge_head(status, headers), checks.body_limit()),
            None => (0, None),
        };
        let kept = limit.max(self.body_limit).map(checks::Kept::new);
        let set_cookies: Vec<http::HeaderValue> = match self.cookies {
            true => headers
                .get_all(http::header::SET_COOKIE)
                .iter()
                .cloned()
                .collect(),
            false => Vec::new(),
        };
        // Nothing of the head to keep (a body to keep is put in once read).
        if !self.head && set_cookies.is_empty() {
            return (failed, kept, None);
        }
        let seen = Seen {
            head: self.head.then(|| Box::new(headers.clone())),
            body: None,
            set_cookies,
        };
        (failed, kept, Some(Box::new(seen)))
    }
}

/// What was kept of a final response, as `Wants` asked.
#[derive(Default, Debug)]
pub(super) struct Seen {
    pub head: Option<Box<http::HeaderMap>>,
    pub body: Option<checks::Kept>,
    pub set_cookies: Vec<http::HeaderValue>,
}
