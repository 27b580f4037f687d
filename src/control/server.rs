//! The control API's HTTP/1 server: a bounded number of connections, each step of each
//! exchange under a deadline (`connection`), a new connection evicting a stuck one when
//! all are taken (`slots`), answered from published snapshots.

use super::connection::{self, Handling, Progress, Watched};
use super::routes::{self, Answer, MAX_BODY_BYTES, Posted, Read, Refusal, Route};
use super::slots::Slots;
use super::status::Status;
use super::{Latest, Shared, metrics};
use crate::engine::steer::{Gauges, RunState};
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Connections served at once; a new one past them takes a stuck one's place.
const MAX_CONNECTIONS: usize = 64;
/// How long a client gets to send its headers, or its body.
const READ_DEADLINE: Duration = connection::HEAD_DEADLINE;
/// The longest `/status?after=N` waits for a new tick.
const STATUS_WAIT: Duration = Duration::from_secs(5);
/// The longest `/summary` waits for the run to end.
const SUMMARY_WAIT: Duration = Duration::from_secs(10);

/// Accepts connections until `stop`; then lets those open finish their request (1 s at most).
pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>, stop: CancellationToken) {
    let graceful = GracefulShutdown::new();
    let slots = Slots::new(MAX_CONNECTIONS);
    loop {
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        spawn_connection(stream, &slots, &shared, &graceful);
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), graceful.shutdown()).await;
}

/// Serves one connection in a slot of its own (closed at once when none can be had), until
/// it ends, misses a step's deadline or is evicted.
fn spawn_connection(
    stream: TcpStream,
    slots: &Arc<Slots>,
    shared: &Arc<Shared>,
    graceful: &GracefulShutdown,
) {
    let progress = Progress::new();
    let Some(slot) = slots.take(Arc::clone(&progress)) else {
        return;
    };
    let (shared, handler_progress) = (Arc::clone(shared), Arc::clone(&progress));
    let service = service_fn(move |req| {
        let handling = handler_progress.handling();
        answer(req, Arc::clone(&shared), handling)
    });
    let io = Watched {
        stream,
        progress: Arc::clone(&progress),
    };
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(READ_DEADLINE)
        .serve_connection(TokioIo::new(io), service);
    let conn = graceful.watch(conn);
    tokio::spawn(async move {
        let conn = async {
            let _ = conn.await;
        };
        connection::until_deadline(conn, &progress, &slot.evicted).await;
        drop(slot);
    });
}

/// Routes one request and answers it; every refusal is a status and one line. `handling`
/// marks the connection busy until the answer is ready.
async fn answer(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    handling: Handling,
) -> Result<Answer, Infallible> {
    let (parts, body) = req.into_parts();
    let route = match routes::route(&parts.method, parts.uri.path(), parts.uri.query()) {
        Ok(route) => route,
        Err(refused) => return Ok(refused.answer()),
    };
    let written = match route {
        Route::Read(read) => return Ok(shared.read(read).await),
        Route::Write(write) => shared.write(write, &parts.headers, body, &handling).await,
        Route::Hold { engage } => shared.hold(engage, &parts.headers, body, &handling).await,
    };
    Ok(written.unwrap_or_else(Refusal::answer))
}

impl Shared {
    async fn read(&self, read: Read) -> Answer {
        match read {
            Read::Status { after } => self.status(after).await,
            Read::Metrics => routes::ok(
                metrics::render(&self.latest.borrow(), &self.gauges(&self.latest.borrow())),
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
            Read::Summary => self.summary().await,
        }
    }

    /// The latest status; with `after`, the first one past that tick (or the latest after
    /// `STATUS_WAIT`, or at once when the run is done).
    async fn status(&self, after: Option<u64>) -> Answer {
        self.watched.store(true, Ordering::Relaxed);
        let mut latest = self.latest.clone();
        if let Some(after) = after {
            let newer =
                latest.wait_for(|l| l.tick > after || l.snapshot.gauges.state == RunState::Done);
            let _ = tokio::time::timeout(STATUS_WAIT, newer).await;
        }
        let l = latest.borrow().clone();
        let mut status = Status::of(
            &l.snapshot,
            &self.gauges(&l),
            l.tick,
            l.encoded_histograms(),
            &self.about,
        );
        if !l.snapshot.steps.is_empty() {
            (status.steps, status.sessions) = l.encoded_steps();
        }
        if l.tick == 0 {
            // Before the first tick the snapshot has no reading of its own: a fleet showed
            // the open files as 0 / 0.
            let now = crate::process::probe::fd::FdUsage::read();
            (status.open_files.open, status.open_files.peak) = (now.open, now.open);
            status.open_files.soft_limit = now.soft_limit;
            status.open_files.hard_limit = now.hard_limit;
        }
        status.hold = self.pilot.as_ref().and_then(|p| p.holding());
        match serde_json::to_string(&status) {
            Ok(json) => routes::ok(json, "application/json"),
            Err(e) => routes::refusal(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        }
    }

    /// The gauges read now; the last snapshot's once the run is done. The run is done only
    /// once its last snapshot is out (until then a generator that has finished is
    /// "stopping"), so a reader that sees "done" reads the final numbers.
    fn gauges(&self, latest: &Latest) -> Gauges {
        if latest.snapshot.gauges.state == RunState::Done {
            return latest.snapshot.gauges;
        }
        let mut now = self.handle.gauges();
        if now.state == RunState::Done {
            now.state = RunState::Stopping;
        }
        now
    }

    /// The summary once the run has ended (waiting up to `SUMMARY_WAIT` for it).
    async fn summary(&self) -> Answer {
        let mut summary = self.summary.clone();
        let ready = tokio::time::timeout(SUMMARY_WAIT, summary.wait_for(Option::is_some)).await;
        let json = match ready {
            Ok(Ok(json)) => json.clone(),
            _ => {
                return routes::refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the run has not ended yet: ask again",
                );
            }
        };
        self.summary_read.send_replace(true);
        routes::ok(json.unwrap_or_default(), "application/json")
    }

    /// A write: the token (its holder's connection is then never evicted), then the body
    /// (size, deadline, content), then the change.
    async fn write(
        &self,
        write: Posted,
        headers: &HeaderMap,
        body: Incoming,
        handling: &Handling,
    ) -> Result<Answer, Refusal> {
        let bytes = self.authorized_body(headers, body, handling).await?;
        let change = routes::change_of(write, &bytes)?;
        Ok(routes::apply(&self.handle, change))
    }

    /// `POST /hold` (`engage`) or `DELETE /hold`, with the token: the autopilot engaged on
    /// the steered knob with the body's conditions, or released.
    async fn hold(
        &self,
        engage: bool,
        headers: &HeaderMap,
        body: Incoming,
        handling: &Handling,
    ) -> Result<Answer, Refusal> {
        let bytes = self.authorized_body(headers, body, handling).await?;
        let conditions = match engage {
            true => Some(routes::conditions_of(&bytes)?),
            false => None,
        };
        Ok(routes::hold(&self.handle, self.pilot.as_ref(), conditions))
    }

    /// The token checked, then the body read (its size, in time).
    async fn authorized_body(
        &self,
        headers: &HeaderMap,
        body: Incoming,
        handling: &Handling,
    ) -> Result<bytes::Bytes, Refusal> {
        let authorization = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
        routes::authorize(&self.token, authorization)?;
        handling.steering();
        let too_long = || {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the body is over {MAX_BODY_BYTES} bytes"),
            )
        };
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(too_long());
        }
        let collected =
            tokio::time::timeout(READ_DEADLINE, Limited::new(body, MAX_BODY_BYTES).collect());
        match collected.await {
            Ok(Ok(c)) => Ok(c.to_bytes()),
            Ok(Err(_)) => Err(too_long()),
            Err(_) => Err(Refusal::new(
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive in time",
            )),
        }
    }
}
