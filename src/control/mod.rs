//! The control API (`--control ADDR`): HTTP on its own port, off by default, loopback unless
//! told otherwise. Anyone may read the run (`/status`, `/metrics`, `/summary`); only the
//! token's holder may steer it (`/limit`, `/rate`, `/pause`, `/resume`, `/stop`), with the
//! same rules as the keys. A client of the API can slow the API, never the run: it is served
//! from snapshots the aggregator already made, on a bounded number of connections.

pub mod address;
pub mod metrics;
pub mod routes;
mod server;
pub mod status;
pub mod token;

use crate::error::Error;
use crate::generator::Handle;
use crate::shard::Shard;
use crate::stats::snapshot::Snapshot;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use token::Token;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a finished run waits for a watcher (one that read `/status`) to fetch its
/// summary before the process exits.
pub const LINGER: Duration = Duration::from_secs(3);

/// `--control` as checked: where to listen, and the token.
#[derive(Debug, Clone)]
pub struct ControlSpec {
    pub addr: SocketAddr,
    pub token: Token,
    /// The token was drawn here (not given), so it is printed once on stderr.
    pub drawn: bool,
}

/// The latest snapshot and its number (from 1; 0 before the first tick).
#[derive(Debug, Clone, Default)]
pub struct Latest {
    pub tick: u64,
    pub snapshot: Arc<Snapshot>,
}

/// What the request handlers share.
struct Shared {
    handle: Handle,
    token: Token,
    target: String,
    shard: Option<Shard>,
    latest: watch::Receiver<Latest>,
    summary: watch::Receiver<Option<bytes::Bytes>>,
    /// Someone read `/status` during the run: wait for them to fetch the summary.
    watched: AtomicBool,
    summary_read: watch::Sender<bool>,
}

/// The listening API: fed every snapshot, given the summary at the end.
pub struct Control {
    shared: Arc<Shared>,
    latest: watch::Sender<Latest>,
    summary: watch::Sender<Option<bytes::Bytes>>,
    stop: CancellationToken,
    server: JoinHandle<()>,
}

/// A bound listener, made before any load so a port in use is bad input (exit 2).
pub struct Bound {
    listener: std::net::TcpListener,
    spec: ControlSpec,
}

impl Bound {
    /// Binds `spec.addr`.
    pub fn bind(spec: ControlSpec) -> Result<Bound, Error> {
        let listener = std::net::TcpListener::bind(spec.addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| Error::Input(format!("--control: cannot listen on {}: {e}", spec.addr)))?;
        Ok(Bound { listener, spec })
    }

    /// The address it listens on (the port chosen, for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl Control {
    /// Starts serving the run that `handle` steers; says where on stderr.
    pub fn serve(
        bound: Bound,
        handle: Handle,
        target: String,
        shard: Option<Shard>,
    ) -> Result<Control, Error> {
        let addr = bound.local_addr()?;
        let listener = tokio::net::TcpListener::from_std(bound.listener)?;
        let (latest_tx, latest) = watch::channel(Latest::default());
        let (summary_tx, summary) = watch::channel(None);
        let shared = Arc::new(Shared {
            handle,
            token: bound.spec.token.clone(),
            target,
            shard,
            latest,
            summary,
            watched: AtomicBool::new(false),
            summary_read: watch::Sender::new(false),
        });
        let token = match bound.spec.drawn {
            true => format!("token {}", bound.spec.token.reveal()),
            false => "token as given".to_string(),
        };
        eprintln!("sluice: control API on http://{addr}/ ({token})");
        let stop = CancellationToken::new();
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared), stop.clone()));
        Ok(Control {
            shared,
            latest: latest_tx,
            summary: summary_tx,
            stop,
            server,
        })
    }

    /// Publishes every snapshot `snapshots` brings, numbered, until the run's last.
    pub fn follow(&self, mut snapshots: mpsc::UnboundedReceiver<Snapshot>) -> JoinHandle<()> {
        let latest = self.latest.clone();
        tokio::spawn(async move {
            let mut tick = 0;
            while let Some(snapshot) = snapshots.recv().await {
                tick += 1;
                let snapshot = Arc::new(snapshot);
                latest.send_replace(Latest { tick, snapshot });
            }
        })
    }

    /// Serves the summary (JSON) and, if someone watched the run, waits up to `LINGER` for
    /// it to be fetched; then stops serving.
    pub async fn finish(self, summary_json: String) {
        self.summary.send_replace(Some(summary_json.into()));
        if self.shared.watched.load(Ordering::Relaxed) {
            let mut read = self.shared.summary_read.subscribe();
            let _ = tokio::time::timeout(LINGER, read.wait_for(|r| *r)).await;
        }
        self.stop.cancel();
        let _ = self.server.await;
    }
}
