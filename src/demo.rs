//! The embedded demo target: "Hello, World!" after a random whole-second delay, as in the
//! classic asyncio load-test write-ups. `sluice` with no URL loads this.

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What the demo target answers with.
pub const BODY: &str = include_str!("../assets/hello.txt");

/// A bound demo server, ready to serve.
pub struct Demo {
    listener: TcpListener,
    max_delay: Duration,
}

impl Demo {
    /// Binds `addr` (use port 0 for any free port).
    pub async fn bind(addr: SocketAddr, max_delay: Duration) -> std::io::Result<Demo> {
        Ok(Demo {
            listener: TcpListener::bind(addr).await?,
            max_delay,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled; each connection gets its own task.
    pub async fn serve(self, shutdown: CancellationToken) {
        let max_secs = self.max_delay.as_secs();
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
                let service = service_fn(move |req| answer(req, max_secs));
                let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                tokio::select! {
                    _ = conn => {}
                    _ = shutdown.cancelled() => {}
                }
            });
        }
    }
}

/// Waits 0..=max_secs whole seconds, then says hello.
async fn answer(
    _req: Request<Incoming>,
    max_secs: u64,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let delay_s = fastrand::u64(0..=max_secs);
    if delay_s > 0 {
        tokio::time::sleep(Duration::from_secs(delay_s)).await;
    }
    Ok(Response::new(Full::new(Bytes::from_static(
        BODY.as_bytes(),
    ))))
}
