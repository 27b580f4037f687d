//! Sending one request and turning whatever happens into one `Outcome`.

use super::backoff::{self, ConnectBackoff};
use super::outcome::{ErrorKind, Outcome, Verdict};
use super::pool::{Checkout, Pool};
use bytes::Bytes;
use http::header::{ACCEPT, HOST, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;
use tokio::time::Instant;

/// What every request of the run looks like; built once, cloned cheaply per request.
#[derive(Debug, Clone)]
pub struct RequestTemplate {
    pub method: Method,
    /// The full URL, as given.
    pub url: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RequestTemplate {
    /// A template with sluice's default headers; `extra` replaces defaults of the same name.
    pub fn new(method: Method, url: Uri, extra: HeaderMap, body: Bytes) -> RequestTemplate {
        let mut headers = HeaderMap::new();
        if let Some(authority) = url.authority()
            && let Ok(host) = HeaderValue::from_str(authority.as_str())
        {
            headers.insert(HOST, host);
        }
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("sluice/", env!("CARGO_PKG_VERSION"))),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        let mut replaced = std::collections::HashSet::new();
        for (name, value) in extra.iter() {
            if replaced.insert(name.clone()) {
                headers.remove(name);
            }
            headers.append(name.clone(), value.clone());
        }
        RequestTemplate {
            method,
            url,
            headers,
            body,
        }
    }

    /// The request in origin form (`/path?query`), as HTTP/1.1 servers expect it.
    fn build(&self, path: &Uri) -> Request<Full<Bytes>> {
        let mut req = Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = path.clone();
        *req.headers_mut() = self.headers.clone();
        req
    }
}

/// Sends requests of one template over one pool, with the run's timeouts.
pub struct Client {
    template: RequestTemplate,
    path: Uri,
    pool: Pool,
    timeout: Duration,
    backoff: ConnectBackoff,
}

/// What went wrong on the way, for classifying a request that ran out of time.
#[derive(Default)]
struct Trouble {
    /// A connection could not be opened (the failure is the request's error).
    connect_failed: AtomicBool,
    /// EMFILE/ENFILE was hit and retried.
    out_of_files: AtomicBool,
}

impl Client {
    /// A client for `template`, opening connections through `pool`.
    pub fn new(template: RequestTemplate, pool: Pool, timeout: Duration) -> Client {
        let path = template
            .url
            .path_and_query()
            .map(|pq| Uri::from(pq.clone()))
            .unwrap_or_else(|| Uri::from_static("/"));
        Client {
            template,
            path,
            pool,
            timeout,
            backoff: ConnectBackoff::default(),
        }
    }

    /// Sends one request; `max_idle` (the operator's limit, also while paused) caps the
    /// connections kept for reuse when it ends.
    /// After a connect failure the request keeps its slot a while (shared backoff), so a
    /// target that is down is not hammered in a tight loop.
    pub async fn send_one(&self, max_idle: &AtomicUsize) -> Outcome {
        let start = Instant::now();
        let trouble = Trouble::default();
        // The deadline comes from the start already read: one clock read fewer per request.
        let deadline = start + self.timeout;
        let exchange = tokio::time::timeout_at(deadline, self.exchange(max_idle, &trouble));
        let (verdict, bytes) = match exchange.await {
            Ok(Ok((status, bytes))) => (Verdict::Status(status), bytes),
            Ok(Err(kind)) => (Verdict::Error(kind), 0),
            Err(_) if trouble.out_of_files.load(Relaxed) => {
                (Verdict::Error(ErrorKind::TooManyOpenFiles), 0)
            }
            Err(_) => (Verdict::Error(ErrorKind::Timeout), 0),
        };
        let outcome = Outcome {
            latency_us: start.elapsed().as_micros() as u64,
            verdict,
            bytes,
        };
        if trouble.connect_failed.load(Relaxed) {
            // Dropped, like the request, if the run stops meanwhile.
            tokio::time::sleep(self.backoff.failed()).await;
        }
        outcome
    }

    /// A connection: reused or new; out of descriptors, waits and tries again (until `-t`).
    async fn connection(&self, trouble: &Trouble) -> Result<Checkout, ErrorKind> {
        let mut attempt = 0;
        loop {
            match self.pool.checkout().await {
                Ok(conn) => {
                    self.backoff.succeeded();
                    return Ok(conn);
                }
                Err(ErrorKind::TooManyOpenFiles) => {
                    trouble.out_of_files.store(true, Relaxed);
                    attempt += 1;
                    tokio::time::sleep(backoff::out_of_files(attempt)).await;
                }
                Err(kind) => {
                    trouble.connect_failed.store(true, Relaxed);
                    return Err(kind);
                }
            }
        }
    }

    /// Request and full response body; one retry when a reused connection turns out closed.
    async fn exchange(
        &self,
        max_idle: &AtomicUsize,
        trouble: &Trouble,
    ) -> Result<(u16, u64), ErrorKind> {
        let mut retried = false;
        loop {
            let mut conn = self.connection(trouble).await?;
            let response = match conn
                .sender
                .send_request(self.template.build(&self.path))
                .await
            {
                Ok(r) => r,
                Err(e)
                    if conn.reused
                        && !retried
                        && (e.is_canceled() || e.is_incomplete_message()) =>
                {
                    // The server closed the idle connection before our request reached it.
                    retried = true;
                    continue;
                }
                Err(e) => return Err(ErrorKind::of_request(&e)),
            };
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut bytes = 0u64;
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| ErrorKind::of_request(&e))?;
                if let Some(data) = frame.data_ref() {
                    bytes += data.len() as u64;
                }
            }
            self.pool.checkin(conn.sender, max_idle.load(Relaxed));
            return Ok((status, bytes));
        }
    }
}
