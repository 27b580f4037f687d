//! A trivial keep-alive pool: a stack of idle HTTP/1 senders, a new connection when it is empty;
//! with `--http2`, stream slots on shared connections instead (`multiplex`).
//!
//! hyper-util's pooled `Client` cost a third of the throughput in bookkeeping when we
//! measured it against this stack; a load tester talks to one origin, so a stack is all
//! the pool it needs.

use super::classify;
use super::connect::Connector;
use super::multiplex::{Lease, Multiplex};
use super::protocol::Protocol;
use crate::engine::outcome::{ErrorKind, micros_u32};
use bytes::Bytes;
use futures_util::future::Either;
use http::{Request, Response, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use std::future::Future;
use std::sync::Mutex;
use tokio::time::Instant;

/// Bodies up to this size are copied into hyper's one flat write buffer with the head (one
/// `write` a request); larger ones are queued by reference (writev), so a body is held once
/// however many connections send it.
const FLAT_BODY_MAX: usize = 64 * 1024;

/// An HTTP/1 sender on an open connection; its connection task runs until it is dropped.
pub type H1Sender = SendRequest<Full<Bytes>>;

/// Where a request task sends: a connection of its own (HTTP/1), or a stream slot on a
/// shared one (HTTP/2).
pub enum Sender {
    H1(H1Sender),
    H2(Lease),
}

impl Sender {
    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        match self {
            Sender::H1(s) => s.is_closed(),
            Sender::H2(l) => l.sender.is_closed(),
        }
    }

    /// HTTP/2: no new streams on this connection (it is going away); HTTP/1: nothing.
    pub fn retire(&self) {
        if let Sender::H2(lease) = self {
            lease.retire();
        }
    }

    /// HTTP/2: a request on this connection failed with `kind` (see `Lease::failed`);
    /// returns the kind to count. HTTP/1: `kind`.
    pub fn failed(&self, kind: ErrorKind) -> ErrorKind {
        match self {
            Sender::H2(lease) => lease.failed(kind),
            Sender::H1(_) => kind,
        }
    }

    /// Whether this is a stream slot on an HTTP/2 connection.
    pub fn is_h2(&self) -> bool {
        matches!(self, Sender::H2(_))
    }

    /// Waits until the connection can take a request.
    pub async fn ready(&mut self) -> hyper::Result<()> {
        match self {
            Sender::H1(s) => s.ready().await,
            Sender::H2(l) => l.sender.ready().await,
        }
    }

    /// Sends `request`; the future gives the response head.
    pub fn send_request(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> impl Future<Output = hyper::Result<Response<Incoming>>> + use<> {
        match self {
            Sender::H1(s) => Either::Left(s.send_request(request)),
            Sender::H2(l) => Either::Right(l.sender.send_request(request)),
        }
    }
}

/// Idle connections to the one target, plus how to open more.
pub struct Pool {
    idle: Mutex<Vec<H1Sender>>,
    connector: Connector,
    origin: Uri,
    /// Whether requests are written from one flat buffer (small bodies), or queued.
    flat_writes: bool,
    /// HTTP/2: the shared connections; None for HTTP/1.
    multiplex: Option<Multiplex>,
    /// The protocol the run speaks, chosen once.
    protocol: Protocol,
}

/// A connection taken from the pool; `reused` says whether it had served a request before.
pub struct Checkout {
    pub sender: Sender,
    pub reused: bool,
    /// How long opening it took, in microseconds (0 when reused).
    pub connect_us: u32,
}

impl Pool {
    /// An empty pool for `origin` (scheme and authority are what matter), keeping the
    /// connections `protocol` needs (the connector must offer the same protocol).
    pub fn new(connector: Connector, origin: Uri, protocol: Protocol) -> Pool {
        let multiplex = match protocol {
            Protocol::Http2 { streams } => Some(Multiplex::new(streams)),
            Protocol::Http1 | Protocol::Http1PerRequest => None,
        };
        Pool {
            idle: Mutex::new(Vec::new()),
            connector,
            origin,
            flat_writes: true,
            multiplex,
            protocol,
        }
    }

    /// Whether requests carry the whole URL (plain http through a proxy).
    pub fn absolute_form(&self) -> bool {
        self.connector.absolute_form()
    }

    /// The URL whose origin (scheme and authority) this pool's connections go to.
    pub fn origin(&self) -> &Uri {
        &self.origin
    }

    /// The protocol this pool's connections speak.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// An empty pool to the same origin, written the same way: for another generator shard,
    /// which keeps connections of its own.
    pub fn empty_copy(&self) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            connector: self.connector.clone(),
            origin: self.origin.clone(),
            flat_writes: self.flat_writes,
            multiplex: self.multiplex.as_ref().map(Multiplex::empty_copy),
            protocol: self.protocol,
        }
    }

    /// Sets how requests are written, by the size of the body every request carries.
    pub fn for_body_of(mut self, body_len: usize) -> Pool {
        self.flat_writes = body_len <= FLAT_BODY_MAX;
        self
    }

    /// An idle connection that is still usable, or a freshly opened one. Idle connections
    /// beyond `max_idle` (after the limit was lowered) are closed on the way.
    pub async fn checkout(&self, max_idle: usize) -> Result<Checkout, ErrorKind> {
        if let Some(multiplex) = &self.multiplex {
            let (lease, connect_us) = multiplex
                .lease(&self.connector, &self.origin, max_idle)
                .await?;
            return Ok(Checkout {
                sender: Sender::H2(lease),
                reused: connect_us.is_none(),
                connect_us: connect_us.unwrap_or(0),
            });
        }
        while let Some(sender) = self.pop(max_idle) {
            let mut sender = Sender::H1(sender);
            if usable(&mut sender).await {
                return Ok(Checkout {
                    sender,
                    reused: true,
                    connect_us: 0,
                });
            }
        }
        let begun = Instant::now();
        let sender = self.open().await?;
        Ok(Checkout {
            sender: Sender::H1(sender),
            reused: false,
            connect_us: micros_u32(begun.elapsed()),
        })
    }

    /// Gives a connection back after its response body was read. Keeps at most `max_idle`:
    /// after the limit was lowered, the oldest idle connections are closed.
    pub fn checkin(&self, sender: Sender, max_idle: usize) {
        let sender = match sender {
            Sender::H1(sender) if !sender.is_closed() => sender,
            Sender::H1(_) => return,
            Sender::H2(lease) => {
                drop(lease);
                if let Some(multiplex) = &self.multiplex {
                    multiplex.trim(max_idle);
                }
                return;
            }
        };
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let len = idle.len();
        if len >= max_idle {
            idle.drain(..(len + 1 - max_idle).min(len));
        }
        if max_idle > 0 {
            idle.push(sender);
        }
    }

    /// The newest idle connection; the oldest beyond `max_idle` are closed.
    fn pop(&self, max_idle: usize) -> Option<H1Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let sender = idle.pop();
        let excess = idle.len().saturating_sub(max_idle);
        idle.drain(..excess);
        sender
    }

    /// Connects (TCP, then TLS for https), handshakes HTTP/1.1 and spawns the connection task.
    async fn open(&self) -> Result<H1Sender, ErrorKind> {
        let io = self.connector.connect(&self.origin).await?;
        let (sender, connection) = http1::Builder::new()
            // One buffer and write(2) instead of a writev queue: ~125 fewer instructions a
            // request; but a large body would then be copied into every connection's buffer.
            .writev(!self.flat_writes)
            .handshake(io)
            .await
            .map_err(|e| classify::request_error(&e))?;
        // Spawned as it is (errors surface on the request that was using the connection):
        // wrapped in `async move { let _ = connection.await; }` it took twice its size, the
        // connection held once captured and once awaited (1,744 vs 3,496 bytes).
        tokio::spawn(connection);
        Ok(sender)
    }
}

/// Whether a connection that served a request can take the next one (waits until it can).
pub async fn usable(sender: &mut Sender) -> bool {
    !sender.is_closed() && sender.ready().await.is_ok()
}
