//! The embedded demo target: "Hello, World!" after a random delay (0 to 3 s, to the
//! millisecond; whole seconds as in the classic asyncio load-test write-ups with
//! `--whole-seconds`). `sluice` with no URL loads this.

use crate::process::error::Error;
use crate::run::cli::DemoArgs;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What the demo target answers with.
pub const BODY: &str = include_str!("../../assets/hello.txt");
/// The demo target's longest delay when sluice starts it for a run without a URL.
pub const DEMO_MAX_DELAY: Duration = Duration::from_secs(3);

/// How long the demo target waits before answering: uniform over 0..=max.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delays {
    pub max: Duration,
    /// Whole seconds only (the seeds' server), instead of milliseconds.
    pub whole_seconds: bool,
}

impl Delays {
    /// Delays of 0..=max, to the millisecond.
    pub fn up_to(max: Duration) -> Delays {
        Delays {
            max,
            whole_seconds: false,
        }
    }

    /// One delay, drawn with `rng`.
    pub fn draw(&self, rng: &mut fastrand::Rng) -> Duration {
        if self.whole_seconds {
            Duration::from_secs(rng.u64(0..=self.max.as_secs()))
        } else {
            Duration::from_millis(rng.u64(0..=self.max.as_millis() as u64))
        }
    }
}

/// A bound demo server, ready to serve.
pub struct Demo {
    listener: TcpListener,
    delays: Delays,
}

impl Demo {
    /// Binds `addr` (use port 0 for any free port).
    pub async fn bind(addr: SocketAddr, delays: Delays) -> std::io::Result<Demo> {
        Ok(Demo {
            listener: TcpListener::bind(addr).await?,
            delays,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled; each connection gets its own task.
    pub async fn serve(self, shutdown: CancellationToken) {
        let delays = self.delays;
        loop {
            let stream = tokio::select! {
                _ = shutdown.cancelled() => return,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // Out of descriptors or similar: wait a moment rather than spin.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| answer(req, delays));
                let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                tokio::select! {
                    _ = conn => {}
                    _ = shutdown.cancelled() => {}
                }
            });
        }
    }
}

/// Reads the request's body (and drops it), waits a drawn delay, then says hello.
async fn answer(
    req: Request<Incoming>,
    delays: Delays,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut body = req.into_body();
    while let Some(Ok(_)) = body.frame().await {}
    let delay = delays.draw(&mut fastrand::Rng::new());
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(Response::new(Full::new(Bytes::from_static(
        BODY.as_bytes(),
    ))))
}

/// `sluice demo`: serves the demo target until Ctrl-C or SIGTERM.
pub fn run_demo(args: DemoArgs) -> Result<(), Error> {
    let runtime = crate::process::runtime::current_thread()?;
    let delays = Delays {
        max: args.max_delay,
        whole_seconds: args.whole_seconds,
    };
    runtime.block_on(async {
        let _ = crate::process::probe::fd::raise_soft_limit();
        let demo = Demo::bind(args.listen, delays)
            .await
            .map_err(|e| Error::Runtime(format!("cannot listen on {}: {e}", args.listen)))?;
        if let Some(networks) = crate::control::address::reached_from(args.listen.ip()) {
            crate::say!(
                "sluice demo: warning: {} serves {networks}, not just this machine; use \
                 --listen 127.0.0.1:PORT to keep it local",
                args.listen
            );
        }
        crate::say!(
            "sluice demo: listening on http://{}/ (answers after 0-{:?}); Ctrl-C to stop",
            demo.local_addr()?,
            args.max_delay
        );
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(demo.serve(shutdown.clone()));
        let _ = tokio::signal::ctrl_c().await;
        shutdown.cancel();
        let _ = server.await;
        Ok(())
    })
}

/// Starts the demo target on 127.0.0.1:0 inside this process, until `shutdown`; returns its
/// URL. Each of its connections holds two descriptors here (client and server side).
pub async fn start_in_process(shutdown: &CancellationToken) -> Result<http::Uri, Error> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let demo = Demo::bind(addr, Delays::up_to(DEMO_MAX_DELAY)).await?;
    let url = format!("http://{}/", demo.local_addr()?);
    crate::say!(
        "sluice: no URL given, testing the demo target at {url} (answers after 0-{} s)",
        DEMO_MAX_DELAY.as_secs()
    );
    tokio::spawn(demo.serve(shutdown.clone()));
    url.parse()
        .map_err(|e| Error::Runtime(format!("demo URL {url}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_milliseconds_up_to_the_max_unless_whole_seconds() {
        let mut rng = fastrand::Rng::with_seed(7);
        let ms = Delays::up_to(Duration::from_millis(500));
        let drawn: Vec<_> = (0..2000).map(|_| ms.draw(&mut rng)).collect();
        assert!(drawn.iter().all(|d| *d <= Duration::from_millis(500)));
        assert!(
            drawn
                .iter()
                .any(|d| d.subsec_millis() % 1000 != 0 && *d > Duration::ZERO)
        );
        let distinct: std::collections::HashSet<_> = drawn.iter().collect();
        assert!(
            distinct.len() > 300,
            "only {} distinct delays",
            distinct.len()
        );
        let whole = Delays {
            max: Duration::from_secs(3),
            whole_seconds: true,
        };
        assert!((0..200).all(|_| whole.draw(&mut rng).subsec_nanos() == 0));
    }
}
