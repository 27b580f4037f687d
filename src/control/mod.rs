//! The control API (`--control ADDR`): HTTP on its own port, off by default, loopback unless
//! told otherwise. Anyone may read the run (`/status`, `/metrics`, `/summary`); only the
//! token's holder may steer it (`/limit`, `/rate`, `/pause`, `/resume`, `/stop`, `/hold`),
//! with the same rules as the keys. A client of the API can slow the API, never the run: it is served
//! from snapshots the aggregator already made, on a bounded number of connections.

pub mod address;
mod connection;
pub mod metrics;
pub mod routes;
mod server;
mod slots;
pub mod status;
pub mod token;

use crate::engine::generator::Handle;
use crate::engine::generator::plan::Plan;
use crate::engine::shard::Shard;
use crate::process::error::Error;
use crate::report::steps::{SessionsSummary, StepSummary};
use crate::schedule::autopilot::Pilot;
use crate::stats::snapshot::Snapshot;
use status::StatusHistograms;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
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
    /// What reads of this tick share, worked out by the first; shared by every clone.
    encoded: Arc<Encoded>,
}

/// A tick's histograms in the forms the API serves, each made once however many read them
/// (the deflate for `/status`, the walk over the buckets for `/metrics`, are most of a
/// read's cost).
#[derive(Debug, Default)]
struct Encoded {
    status: OnceLock<StatusHistograms>,
    latency_buckets: OnceLock<Vec<(f64, u64)>>,
    /// `--scenario`: the steps and sessions with their histograms encoded.
    steps: OnceLock<EncodedSteps>,
}

/// A tick's steps and sessions as `/status` serves them.
type EncodedSteps = (Vec<StepSummary>, Option<SessionsSummary>);

impl Latest {
    /// Snapshot `tick` (counted from 1), its histograms not yet encoded.
    pub fn new(tick: u64, snapshot: Arc<Snapshot>) -> Latest {
        Latest {
            tick,
            snapshot,
            encoded: Arc::default(),
        }
    }

    /// The snapshot's histograms encoded, by the first reader of this tick.
    pub fn encoded_histograms(&self) -> StatusHistograms {
        let status = &self.encoded.status;
        status
            .get_or_init(|| StatusHistograms::of(&self.snapshot))
            .clone()
    }

    /// The steps and sessions with their histograms encoded, by the first reader of this
    /// tick (nothing without `--scenario`).
    pub fn encoded_steps(&self) -> EncodedSteps {
        let s = &self.snapshot;
        let steps = &self.encoded.steps;
        steps
            .get_or_init(|| {
                let h = s.scenario_histograms.as_deref();
                crate::report::steps::of_run(&s.steps, s.sessions.as_ref(), h)
            })
            .clone()
    }

    /// The run's latency in `/metrics` buckets, by the first scrape of this tick.
    pub fn latency_buckets(&self) -> &[(f64, u64)] {
        let buckets = &self.encoded.latency_buckets;
        buckets.get_or_init(|| metrics::latency_buckets(&self.snapshot))
    }
}

/// What the request handlers share.
struct Shared {
    handle: Handle,
    /// The run's autopilot, for `POST /hold` and `DELETE /hold`.
    pilot: Option<Pilot>,
    token: Token,
    about: status::About,
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
    /// Starts serving the run that `handle` steers (against `target`, as `shard`, for
    /// `plan`) and `pilot` holds; says where on stderr, and warns when every network may
    /// read it.
    pub fn serve(
        bound: Bound,
        handle: Handle,
        (target, shard, plan): (String, Option<Shard>, Plan),
        pilot: Option<Pilot>,
    ) -> Result<Control, Error> {
        let addr = bound.local_addr()?;
        let listener = tokio::net::TcpListener::from_std(bound.listener)?;
        let (latest_tx, latest) = watch::channel(Latest::default());
        let (summary_tx, summary) = watch::channel(None);
        let shared = Arc::new(Shared {
            handle,
            pilot,
            token: bound.spec.token.clone(),
            about: status::About {
                target,
                shard,
                plan,
                run_id: status::draw_run_id(),
            },
            latest,
            summary,
            watched: AtomicBool::new(false),
            summary_read: watch::Sender::new(false),
        });
        let token = match bound.spec.drawn {
            true => format!("token {}", bound.spec.token.reveal()),
            false => "token as given".to_string(),
        };
        if let Some(warning) = address::open_to_every_network(addr) {
            crate::say!("{warning}");
        }
        crate::say!("sluice: control API on http://{addr}/ ({token})");
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
                latest.send_replace(Latest::new(tick, Arc::new(snapshot)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::window::Histograms;

    #[test]
    fn a_tick_is_encoded_once_and_every_clone_shares_it_for_status_and_metrics() {
        let mut run = Histograms::empty();
        run.latency.saturating_record(1_500);
        let snapshot = Snapshot {
            run_histograms: Some(Arc::new(run)),
            ..Snapshot::default()
        };
        let latest = Latest::new(4, Arc::new(snapshot));
        let reader = latest.clone();
        assert!(latest.encoded.status.get().is_none());
        let first = reader.encoded_histograms();
        assert_eq!(first, StatusHistograms::of(&latest.snapshot));
        assert!(first.run.is_some());
        assert_eq!(
            latest.encoded.status.get(),
            Some(&first),
            "the clone filled the shared cache"
        );
        assert!(latest.encoded.latency_buckets.get().is_none());
        let buckets = reader.latency_buckets().to_vec();
        assert_eq!(buckets.iter().map(|(_, n)| n).sum::<u64>(), 1);
        assert_eq!(latest.latency_buckets(), &buckets[..]);
        assert!(latest.encoded.latency_buckets.get().is_some());
        let next = Latest::new(5, Arc::clone(&latest.snapshot));
        assert!(
            next.encoded.status.get().is_none(),
            "a new tick starts unencoded"
        );
        assert!(next.encoded.latency_buckets.get().is_none());
    }
}
