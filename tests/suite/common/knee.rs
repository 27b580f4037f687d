//! A server with a knee, for the autopilot's tests and `bench/autopilot.sh` (through
//! `examples/knee_server.rs`, which includes this file): K workers, each request served in a
//! fixed time, the rest waiting their turn, so latency grows with what is in flight past K.
//! Self-contained (no other test helper): the example compiles it alone.

use bytes::Bytes;
use http::Response;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// The body of a request that found at most `busy_over` requests in flight...
pub const OK_BODY: &str = "ok";
/// ...and of one that found more (`KneeServer::crowded`).
pub const BUSY_BODY: &str = "busy";

/// A server with a knee: `workers` requests served at once, each for `service` give or
/// take a quarter (uniformly: fixed on average, so latency grows smoothly with what waits;
/// fixed to the millisecond, it grows in steps of a round of the workers, and a bar that
/// falls on a step leaves the knee to the machine's noise), the others queued in arrival
/// order; the workers can be changed while it runs.
pub struct KneeServer {
    pub addr: SocketAddr,
    workers: mpsc::UnboundedSender<usize>,
}

/// How the server serves: its workers, the time a request takes, and the most requests in
/// flight (counted as each arrives, itself included) it answers `OK_BODY` to.
#[derive(Debug, Clone, Copy)]
struct Serving {
    workers: usize,
    service: Duration,
    busy_over: usize,
}

impl KneeServer {
    /// Starts on 127.0.0.1 (port 0: one the kernel picks), on a thread and runtime of its
    /// own, for the process's lifetime.
    pub fn start(workers: usize, service: Duration) -> KneeServer {
        KneeServer::on(0, workers, service)
    }

    /// The same on `port` of 127.0.0.1.
    pub fn on(port: u16, workers: usize, service: Duration) -> KneeServer {
        KneeServer::serving(
            port,
            Serving {
                workers,
                service,
                busy_over: usize::MAX,
            },
        )
    }

    /// A server whose answers change past `busy_over` requests in flight: its body is
    /// `BUSY_BODY` for a request that arrives to find more, `OK_BODY` otherwise.
    pub fn crowded(workers: usize, service: Duration, busy_over: usize) -> KneeServer {
        KneeServer::serving(
            0,
            Serving {
                workers,
                service,
                busy_over,
            },
        )
    }

    fn serving(port: u16, serving: Serving) -> KneeServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(serve(listener, serving, rx));
        });
        KneeServer { addr, workers: tx }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serves with `workers` from now on (those busy finish what they serve).
    pub fn set_workers(&self, workers: usize) {
        self.workers.send(workers).expect("the server runs");
    }
}

async fn serve(
    listener: std::net::TcpListener,
    serving: Serving,
    changes: mpsc::UnboundedReceiver<usize>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
    let permits = Arc::new(Semaphore::new(serving.workers));
    let in_flight = Arc::new(AtomicUsize::new(0));
    tokio::spawn(follow_workers(
        Arc::clone(&permits),
        serving.workers,
        changes,
    ));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let (permits, in_flight) = (Arc::clone(&permits), Arc::clone(&in_flight));
        tokio::spawn(async move {
            let svc = service_fn(move |_req| {
                let (permits, in_flight) = (Arc::clone(&permits), Arc::clone(&in_flight));
                async move {
                    let counted = Counted::new(in_flight);
                    let worker = permits.acquire().await.expect("never closed");
                    let service = serving.service.mul_f64(fastrand::f64() * 0.5 + 0.75);
                    tokio::time::sleep(service).await;
                    drop(worker);
                    let found = counted.found;
                    drop(counted);
                    let body = match found > serving.busy_over {
                        true => BUSY_BODY,
                        false => OK_BODY,
                    };
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(
                        body.as_bytes(),
                    ))))
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// One request in flight, counted until it ends (or its client goes away).
struct Counted {
    in_flight: Arc<AtomicUsize>,
    /// What was in flight when it arrived, itself included.
    found: usize,
}

impl Counted {
    fn new(in_flight: Arc<AtomicUsize>) -> Counted {
        let found = in_flight.fetch_add(1, SeqCst) + 1;
        Counted { in_flight, found }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, SeqCst);
    }
}

/// Adds workers, or takes them away as they come free.
async fn follow_workers(
    permits: Arc<Semaphore>,
    mut now: usize,
    mut changes: mpsc::UnboundedReceiver<usize>,
) {
    while let Some(wanted) = changes.recv().await {
        if wanted > now {
            permits.add_permits(wanted - now);
        } else if wanted < now {
            let fewer = u32::try_from(now - wanted).expect("a few workers");
            permits
                .acquire_many(fewer)
                .await
                .expect("never closed")
                .forget();
        }
        now = wanted;
    }
}
