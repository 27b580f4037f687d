//! The request seam: what request `n` of the run is. Each URL's request is built once (in
//! the form its pool sends it) and the URLs are taken in turn, request `n` to URL `n`
//! modulo their number; a URL with templates (`filled`) has request `n`'s own parts put into
//! a copy of that one, its values from `n` and its data row; a session's steps would answer here
//! too, without the pool or the generator knowing.

use super::filled::{Filled, Holes};
use super::pool::Pool;
use super::template::{self, Uses, Vars};
use crate::engine::data::{Rows, Taken};
use crate::engine::outcome::ErrorKind;
use crate::engine::shard::Shard;
use bytes::Bytes;
use http::header::{ACCEPT, CONNECTION, HOST, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::Full;
use std::sync::Arc;

/// The User-Agent sluice sends unless told otherwise.
const SLUICE_AGENT: &str = concat!("sluice/", env!("CARGO_PKG_VERSION"));

/// What every request of the run looks like; built once, cloned cheaply per request.
#[derive(Debug, Clone)]
pub struct RequestTemplate {
    pub method: Method,
    /// The full URL, as given.
    pub url: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What is filled per request (templates); empty for a request sent as it is.
    pub holes: Holes,
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
        headers.insert(USER_AGENT, HeaderValue::from_static(SLUICE_AGENT));
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
            holes: Holes::default(),
        }
    }

    /// The same request with `holes` filled per request; a templated header replaces the
    /// default of its name (User-Agent, Accept).
    pub fn with_holes(mut self, holes: Holes) -> RequestTemplate {
        for (name, _) in &holes.headers {
            let default = match *name {
                USER_AGENT => Some(SLUICE_AGENT),
                ACCEPT => Some("*/*"),
                _ => None,
            };
            if default.is_some()
                && self.headers.get(name).map(|v| v.as_bytes()) == default.map(str::as_bytes)
            {
                self.headers.remove(name);
            }
        }
        self.holes = holes;
        self
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
    /// The URL's prepared request, sent as a copy (hyper takes requests by value), again if
    /// it must be resent.
    request: &'a Request<Full<Bytes>>,
    /// Request `n`'s own parts (templates), put into each copy; boxed, as a request task's
    /// future holds a `Next` on every connection.
    filled: Option<Box<Filled>>,
    /// Index of its origin's pool in the client's pools.
    pub pool: usize,
    /// Its URL's number in outcomes, from 1; 0 in a run with one URL.
    pub target: u32,
}

/// A request the client can send as often as it must (a resend, a redirect): a copy each
/// time (taken mutably, so one built for a single send can be given away the first time).
pub trait Sendable {
    fn copy(&mut self) -> Request<Full<Bytes>>;
}

impl Sendable for Request<Full<Bytes>> {
    fn copy(&mut self) -> Request<Full<Bytes>> {
        self.clone()
    }
}

impl Sendable for Next<'_> {
    fn copy(&mut self) -> Request<Full<Bytes>> {
        self.request()
    }
}

impl Next<'_> {
    /// The request to send (a copy, with its own parts).
    pub fn request(&self) -> Request<Full<Bytes>> {
        let mut request = self.request.clone();
        if let Some(filled) = &self.filled {
            filled.apply(&mut request);
        }
        request
    }
}

/// What the seam has for request `n`.
pub enum Got<'a> {
    Next(Next<'a>),
    /// Filled into a request that cannot be sent: counted under this kind, for this target.
    NotSent(ErrorKind, u32),
    /// Its data row has not been read yet: wait for `Requests::ready`, then ask again.
    Wait,
    /// The data rows are used up: the run is over.
    Exhausted,
}

/// Every request of a run: one prepared request per URL, in the order given.
#[derive(Clone)]
pub struct Requests {
    /// Shared by the generator threads' clients: built once for the run.
    endpoints: Arc<[Endpoint]>,
    /// Where templates' values come from.
    vary: Arc<Vary>,
}

/// What request `n`'s values come from, beyond `n`: its place among shards (for `seq`), and
/// the data rows.
#[derive(Default)]
pub struct Vary {
    /// `--shard`: shard I of N numbers its requests I, I+N, I+2N...
    pub shard: Option<Shard>,
    pub rows: Option<Rows>,
}

impl Vary {
    /// The `seq` of request `n` (from 1, as the generator counts): from 0, unique across
    /// the shards of a run.
    fn seq(&self, n: u64) -> u64 {
        let k = n.saturating_sub(1);
        match self.shard {
            Some(s) => k.saturating_mul(s.count).saturating_add(s.index),
            None => k,
        }
    }
}

/// One URL's request and the pool of its origin.
struct Endpoint {
    request: Request<Full<Bytes>>,
    pool: usize,
    /// Its templates and what they use, when it has any.
    holes: Option<Box<(Holes, Uses)>>,
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
                holes: (!template.holes.is_empty())
                    .then(|| Box::new((template.holes.clone(), template.holes.uses()))),
            })
            .collect();
        Requests {
            endpoints,
            vary: Arc::default(),
        }
    }

    /// The same requests, their values from `vary`.
    pub fn varying(self, vary: Vary) -> Requests {
        Requests {
            vary: Arc::new(vary),
            ..self
        }
    }

    /// Request `n` of the run (from 1): the URLs in turn, the first URL first.
    pub fn get(&self, n: u64) -> Got<'_> {
        let (endpoint, target) = match self.endpoints.len() {
            1 => (&self.endpoints[0], 0),
            len => {
                let i = (n.wrapping_sub(1) % len as u64) as usize;
                (&self.endpoints[i], (i + 1) as u32)
            }
        };
        match &endpoint.holes {
            None => Got::Next(Next {
                request: &endpoint.request,
                filled: None,
                pool: endpoint.pool,
                target,
            }),
            Some(holes) => self.filled(endpoint, holes, n, target),
        }
    }

    /// The `seq` of request (or session) `n`, from 0, unique across shards.
    pub(super) fn seq(&self, n: u64) -> u64 {
        self.vary.seq(n)
    }

    /// The data rows, with `--data`.
    pub(super) fn rows(&self) -> Option<&Rows> {
        self.vary.rows.as_ref()
    }

    /// Waits until the data row a request needs can be taken (or the rows have ended).
    pub async fn ready(&self) {
        if let Some(rows) = &self.vary.rows {
            rows.ready().await;
        }
    }

    /// Request `n`'s own request: its values worked out, its row taken, its holes filled.
    fn filled<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        holes: &(Holes, Uses),
        n: u64,
        target: u32,
    ) -> Got<'a> {
        let (holes, uses) = (&holes.0, holes.1);
        let seq = self.vary.seq(n);
        let row = match (&self.vary.rows, uses.row) {
            (Some(rows), true) => match rows.take(seq) {
                Taken::Row(row) => Some(row),
                Taken::Wait => return Got::Wait,
                Taken::End => return Got::Exhausted,
            },
            _ => None,
        };
        let uuid = uses.uuid.then(template::uuid_v4);
        let now_ms = match uses.now_ms {
            true => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            false => 0,
        };
        let vars = Vars {
            seq,
            now_ms,
            uuid: uuid
                .as_ref()
                .map_or("", |u| std::str::from_utf8(u).unwrap_or_default()),
            row: row.as_ref(),
            captures: &[],
        };
        match holes.fill(&endpoint.request, &vars) {
            Ok(filled) => Got::Next(Next {
                request: &endpoint.request,
                filled: Some(Box::new(filled)),
                pool: endpoint.pool,
                target,
            }),
            Err(kind) => Got::NotSent(kind, target),
        }
    }
}

/// The request for `template` as `pool` sends it: HTTP/2's form, the absolute form through a
/// proxy, else origin form; with `Connection: close` when connections are not kept.
pub(super) fn request_for(template: &RequestTemplate, pool: &Pool) -> Request<Full<Bytes>> {
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
