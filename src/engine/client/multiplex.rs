//! HTTP/2 connections, shared: each carries up to its stream count of requests at once, and a
//! request task leases one stream slot for as long as it runs.
//!
//! Streams per connection: `-p` when given, never more than the server's
//! SETTINGS_MAX_CONCURRENT_STREAMS (read from the connection as it changes; until the
//! server's SETTINGS arrive, h2 assumes 100). A new connection is opened only when every
//! open one is full, one at a time, so a burst of tasks does not open one each. After a
//! connection that died without answering (a server that does not speak HTTP/2, or ends
//! every connection at once), the next is opened only after a wait that doubles each time
//! (up to a second), so such a server is not re-dialled thousands of times a second.

use super::backoff;
use super::classify;
use super::connect::Connector;
use super::h2_watch::{Fate, Watched};
use crate::engine::outcome::{ErrorKind, micros_u32};
use bytes::Bytes;
use http::Uri;
use http_body_util::Full;
use hyper::client::conn::http2::{self, SendRequest};
use hyper_util::rt::TokioExecutor;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

/// An HTTP/2 sender on a shared connection.
pub type H2Sender = SendRequest<Full<Bytes>>;

/// One open HTTP/2 connection and its streams.
struct Shared {
    sender: H2Sender,
    id: u64,
    /// Stream slots leased by request tasks.
    leased: usize,
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS, as the connection last saw it.
    server_max: Arc<AtomicUsize>,
    /// The server said GOAWAY: no new streams here; closed once its last lease is back.
    draining: bool,
    fate: Arc<Fate>,
}

/// What the task opening connections keeps: the last one's number and fate, and how many
/// in a row died on arrival.
#[derive(Default)]
struct Opening {
    ids: u64,
    last: Option<Arc<Fate>>,
    dead_in_a_row: u32,
}

impl Opening {
    /// Waits before dialing again when the last connection died without answering.
    async fn wait_out(&mut self) {
        let Some(last) = &self.last else { return };
        if last.dead_on_arrival() {
            self.dead_in_a_row = self.dead_in_a_row.saturating_add(1);
            tokio::time::sleep(backoff::dead_connection(self.dead_in_a_row)).await;
        } else if last.answered() {
            self.dead_in_a_row = 0;
        }
    }
}

/// The open HTTP/2 connections of one generator shard.
pub struct Multiplex {
    connections: Arc<Mutex<Vec<Shared>>>,
    /// Held while a connection is being opened, so that only one is.
    opening: tokio::sync::Mutex<Opening>,
    /// `-p`: streams per connection at most; None: as many as the server allows.
    per_connection: Option<usize>,
}

/// A request task's stream slot on a connection; given back when dropped.
pub struct Lease {
    pub sender: H2Sender,
    id: u64,
    connections: Arc<Mutex<Vec<Shared>>>,
    fate: Arc<Fate>,
}

impl Lease {
    /// Takes this lease's connection out of service (the server sent GOAWAY): no new stream
    /// goes there, while the ones it still answers finish.
    pub fn retire(&self) {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = connections.iter_mut().find(|c| c.id == self.id) {
            c.draining = true;
        }
    }

    /// A request on this connection failed with `kind`: if none was ever answered there (or
    /// the server broke the protocol), the next connection waits (`Opening::wait_out`).
    /// Returns the kind to count (see `Fate::failed`).
    pub fn failed(&self, kind: ErrorKind) -> ErrorKind {
        self.fate.failed(kind)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = connections.iter_mut().find(|c| c.id == self.id) {
            c.leased = c.leased.saturating_sub(1);
        }
    }
}

impl Multiplex {
    /// No connections yet; `per_connection` streams at most on each (`-p`).
    pub fn new(per_connection: Option<usize>) -> Multiplex {
        Multiplex {
            connections: Arc::new(Mutex::new(Vec::new())),
            opening: tokio::sync::Mutex::new(Opening::default()),
            per_connection,
        }
    }

    /// The same settings, no connections: for another shard.
    pub fn empty_copy(&self) -> Multiplex {
        Multiplex::new(self.per_connection)
    }

    /// A stream slot: on an open connection with room, or on a new one, with how long
    /// opening it took in microseconds (None: an open one). `wanted` is the operator's
    /// limit: connections left empty beyond what it needs are closed on the way.
    pub async fn lease(
        &self,
        connector: &Connector,
        origin: &Uri,
        wanted: usize,
    ) -> Result<(Lease, Option<u32>), ErrorKind> {
        if let Some(lease) = self.take_slot(wanted) {
            return Ok((lease, None));
        }
        let mut opening = self.opening.lock().await;
        // Another task may have opened one while this one waited.
        if let Some(lease) = self.take_slot(wanted) {
            return Ok((lease, None));
        }
        opening.wait_out().await;
        let fate = Arc::new(Fate::default());
        let begun = tokio::time::Instant::now();
        let (sender, server_max) = open(connector, origin, Arc::clone(&fate)).await?;
        let connect_us = micros_u32(begun.elapsed());
        opening.ids += 1;
        opening.last = Some(Arc::clone(&fate));
        let id = opening.ids;
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        connections.push(Shared {
            sender: sender.clone(),
            id,
            leased: 1,
            server_max,
            draining: false,
            fate: Arc::clone(&fate),
        });
        let connections = Arc::clone(&self.connections);
        Ok((
            Lease {
                sender,
                id,
                connections,
                fate,
            },
            Some(connect_us),
        ))
    }

    /// Closes connections with no stream leased beyond those `wanted` requests need.
    pub fn trim(&self, wanted: usize) {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        self.trim_locked(&mut connections, wanted);
    }

    /// A slot on the first open connection with room.
    fn take_slot(&self, wanted: usize) -> Option<Lease> {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        let gone = |c: &Shared| c.sender.is_closed() || (c.draining && c.leased == 0);
        connections.retain(|c| !gone(c));
        self.trim_locked(&mut connections, wanted);
        let c = connections
            .iter_mut()
            .find(|c| !c.draining && c.leased < self.capacity(c))?;
        c.leased += 1;
        Some(Lease {
            sender: c.sender.clone(),
            id: c.id,
            connections: Arc::clone(&self.connections),
            fate: Arc::clone(&c.fate),
        })
    }

    /// Streams a connection takes: `-p`, within what the server allows; none once draining.
    fn capacity(&self, c: &Shared) -> usize {
        if c.draining {
            return 0;
        }
        let server = c.server_max.load(Relaxed).max(1);
        self.per_connection.map_or(server, |p| p.min(server))
    }

    fn trim_locked(&self, connections: &mut Vec<Shared>, wanted: usize) {
        let mut room: usize = connections.iter().map(|c| self.capacity(c)).sum();
        let mut i = connections.len();
        while i > 0 {
            i -= 1;
            let spare = room - self.capacity(&connections[i]);
            if connections[i].leased == 0 && spare >= wanted {
                room = spare;
                connections.swap_remove(i);
            }
        }
    }
}

/// Connects, handshakes HTTP/2 (over TLS with ALPN h2, or prior knowledge for http://) and
/// spawns the connection task, which keeps the server's stream limit up to date; the
/// server's first frames are watched, and `fate` told when it answers.
async fn open(
    connector: &Connector,
    origin: &Uri,
    fate: Arc<Fate>,
) -> Result<(H2Sender, Arc<AtomicUsize>), ErrorKind> {
    let io = Watched::new(connector.connect(origin).await?, fate);
    let (sender, connection) = http2::Builder::new(TokioExecutor::new())
        .handshake(io)
        .await
        .map_err(|e| classify::request_error(&e))?;
    let server_max = Arc::new(AtomicUsize::new(connection.current_max_send_streams()));
    let seen = Arc::clone(&server_max);
    tokio::spawn(async move {
        let mut connection = pin!(connection);
        let _ = poll_fn(|cx| {
            let polled = connection.as_mut().poll(cx);
            seen.store(connection.current_max_send_streams(), Relaxed);
            polled
        })
        .await;
    });
    Ok((sender, server_max))
}
