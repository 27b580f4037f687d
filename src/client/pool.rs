//! A trivial keep-alive pool: a stack of idle HTTP/1 senders, a new connection when it is empty.
//!
//! hyper-util's pooled `Client` cost a third of the throughput in bookkeeping when we
//! measured it against this stack; a load tester talks to one origin, so a stack is all
//! the pool it needs.

use super::classify;
use super::connect::Connector;
use crate::outcome::ErrorKind;
use bytes::Bytes;
use http::Uri;
use http_body_util::Full;
use hyper::client::conn::http1::{self, SendRequest};
use std::sync::Mutex;

/// Bodies up to this size are copied into hyper's one flat write buffer with the head (one
/// `write` a request); larger ones are queued by reference (writev), so a body is held once
/// however many connections send it.
const FLAT_BODY_MAX: usize = 64 * 1024;

/// A sender on an open connection; its connection task runs until the sender is dropped.
pub type Sender = SendRequest<Full<Bytes>>;

/// Idle connections to the one target, plus how to open more.
pub struct Pool {
    idle: Mutex<Vec<Sender>>,
    connector: Connector,
    origin: Uri,
    /// Whether requests are written from one flat buffer (small bodies), or queued.
    flat_writes: bool,
}

/// A connection taken from the pool; `reused` says whether it had served a request before.
pub struct Checkout {
    pub sender: Sender,
    pub reused: bool,
}

impl Pool {
    /// An empty pool for `origin` (scheme and authority are what matter).
    pub fn new(connector: Connector, origin: Uri) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            connector,
            origin,
            flat_writes: true,
        }
    }

    /// An empty pool to the same origin, written the same way: for another generator shard,
    /// which keeps connections of its own.
    pub fn empty_copy(&self) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            connector: self.connector.clone(),
            origin: self.origin.clone(),
            flat_writes: self.flat_writes,
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
        while let Some(mut sender) = self.pop(max_idle) {
            if usable(&mut sender).await {
                return Ok(Checkout {
                    sender,
                    reused: true,
                });
            }
        }
        Ok(Checkout {
            sender: self.open().await?,
            reused: false,
        })
    }

    /// Gives a connection back after its response body was read. Keeps at most `max_idle`:
    /// after the limit was lowered, the oldest idle connections are closed.
    pub fn checkin(&self, sender: Sender, max_idle: usize) {
        if sender.is_closed() {
            return;
        }
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
    fn pop(&self, max_idle: usize) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let sender = idle.pop();
        let excess = idle.len().saturating_sub(max_idle);
        idle.drain(..excess);
        sender
    }

    /// Connects (TCP, then TLS for https), handshakes HTTP/1.1 and spawns the connection task.
    async fn open(&self) -> Result<Sender, ErrorKind> {
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
