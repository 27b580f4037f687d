//! The request seam: what request `n` of the run is. Today each URL's request is built once
//! (in the form its pool sends it) and the URLs are taken in turn, request `n` to URL `n`
//! modulo their number; per-request templates, data rows and a session's steps answer here
//! too, without the pool or the generator knowing.

use super::pool::Pool;
use bytes::Bytes;
use http::header::{ACCEPT, CONNECTION, HOST, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::Full;
use std::sync::Arc;

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

    /// The request as HTTP/2 sends it: the full URL (its scheme and authority become the
    /// `:scheme` and `:authority` pseudo-headers), and no Host header beside `:authority`.
    pub(super) fn request_h2(&self) -> Request<Full<Bytes>> {
        let mut req = Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.url.clone();
        *req.headers_mut() = self.headers.clone();
        req.headers_mut().remove(HOST);
        *req.version_mut() = http::Version::HTTP_2;
        req
    }

    /// The request in absolute form (the whole URL), as a proxy expects it; Host stays.
    pub(super) fn request_absolute(&self) -> Request<Full<Bytes>> {
        let mut req = self.request();
        *req.uri_mut() = self.url.clone();
        req
    }

    /// The request in origin form (`/path?query`), as HTTP/1.1 servers expect it.
    pub(super) fn request(&self) -> Request<Full<Bytes>> {
        let path = self
            .url
            .path_and_query()
            .map(|pq| Uri::from(pq.clone()))
            .unwrap_or_else(|| Uri::from_static("/"));
        let mut req = Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = path;
        *req.headers_mut() = self.headers.clone();
        req
    }
}

/// Request `n`, ready to send.
pub struct Next<'a> {
    /// Sent as a clone (hyper takes requests by value), again if it must be resent.
    pub request: &'a Request<Full<Bytes>>,
    /// Index of its origin's pool in the client's pools.
    pub pool: usize,
    /// Its URL's number in outcomes, from 1; 0 in a run with one URL.
    pub target: u32,
}

/// Every request of a run: one prepared request per URL, in the order given.
#[derive(Clone)]
pub struct Requests {
    /// Shared by the generator threads' clients: built once for the run.
    endpoints: Arc<[Endpoint]>,
}

/// One URL's request and the pool of its origin.
struct Endpoint {
    request: Request<Full<Bytes>>,
    pool: usize,
}

impl Requests {
    /// The URLs of `templates` in turn, each request in the form of its pool (the index in
    /// `pools` beside it).
    pub fn in_turn(templates: &[(RequestTemplate, usize)], pools: &[Pool]) -> Requests {
        let endpoints = templates
            .iter()
            .map(|(template, pool)| Endpoint {
                request: request_for(template, &pools[*pool]),
                pool: *pool,
            })
            .collect();
        Requests { endpoints }
    }

    /// Request `n` of the run.
    pub fn get(&self, n: u64) -> Next<'_> {
        let (endpoint, target) = match self.endpoints.len() {
            1 => (&self.endpoints[0], 0),
            len => {
                let i = (n % len as u64) as usize;
                (&self.endpoints[i], (i + 1) as u32)
            }
        };
        Next {
            request: &endpoint.request,
            pool: endpoint.pool,
            target,
        }
    }
}

/// The request for `template` as `pool` sends it: HTTP/2's form, the absolute form through a
/// proxy, else origin form; with `Connection: close` when connections are not kept.
fn request_for(template: &RequestTemplate, pool: &Pool) -> Request<Full<Bytes>> {
    let protocol = pool.protocol();
    let mut request = match (protocol.is_http2(), pool.absolute_form()) {
        (true, _) => template.request_h2(),
        (false, true) => template.request_absolute(),
        (false, false) => template.request(),
    };
    if !protocol.keeps_alive() {
        // The server closes after the response, and so does hyper.
        request
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    request
}
