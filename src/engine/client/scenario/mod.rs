//! Scenarios: sessions of several steps (log in, capture a token, use it). `Script` is a
//! scenario file compiled for the engine (templates parsed, checks parsed, each step's pool
//! known); `walk` walks one session through a flow's steps over the request task's
//! connection, with the session's own captures and cookie jar.

mod request;
mod walk;

pub use walk::Walk;

use super::pool::Pool;
use super::template::{Template, Uses};
use crate::engine::checks::Checks;
use bytes::Bytes;
use http::Request;
use http::{HeaderMap, HeaderName, Method, Uri};
use http_body_util::Full;
use std::time::Duration;

/// Most bytes of a body a JSON capture reads.
pub const CAPTURE_BODY_LIMIT: usize = 1024 * 1024;

/// A scenario file compiled: its flows, drawn by weight per session.
#[derive(Debug)]
pub struct Script {
    pub flows: Vec<FlowScript>,
}

impl StepRequest {
    /// Whether a capture reads the body (then the body is kept, up to `CAPTURE_BODY_LIMIT`).
    pub(super) fn reads_body(&self) -> bool {
        self.captures
            .iter()
            .any(|c| matches!(c.from, CaptureAt::Json(_)))
    }
}

/// One flow: the steps a session walks in order, and its share of sessions.
#[derive(Debug)]
pub struct FlowScript {
    pub weight: u32,
    pub steps: Vec<StepScript>,
    /// How many captures its steps make (slots 0 to this).
    pub slots: usize,
    /// Where its last request step is among `steps`: a session that gets past it is done.
    pub last_request: usize,
}

/// A request or a pause.
#[derive(Debug)]
pub enum StepScript {
    Request(Box<StepRequest>),
    /// Uniform between the two (equal for a fixed pause).
    Think(Duration, Duration),
}

/// One request step, ready to fill per session.
#[derive(Debug)]
pub struct StepRequest {
    /// Its number among all flows' request steps: the `step` of its outcomes.
    pub index: u16,
    pub method: Method,
    /// The URL, filled per session (its origin is fixed), or as it is.
    pub url: Filling,
    /// The origin the URL must keep once filled (scheme and authority).
    pub origin: Uri,
    /// Headers sent as they are.
    pub headers: HeaderMap,
    /// Headers whose values are templates.
    pub templated: Vec<(HeaderName, Template)>,
    pub body: Option<Filling>,
    pub checks: Option<Checks>,
    pub captures: Vec<CaptureScript>,
    /// Index of its origin's pool in the client's pools.
    pub pool: usize,
    /// What its templates need worked out per request (`needs`, once).
    pub uses: Uses,
    /// A fixed URL, parsed for the cookie jar once (None when it is filled per session).
    pub fixed_url: Option<url::Url>,
}

/// A text sent as it is, or filled per session.
#[derive(Debug)]
pub enum Filling {
    Fixed(String),
    Template(Template),
}

/// Where a capture looks, and the slot it fills.
#[derive(Debug)]
pub struct CaptureScript {
    pub from: CaptureAt,
    pub slot: usize,
}

/// A JSON pointer into the body, or a response header.
#[derive(Debug)]
pub enum CaptureAt {
    Json(String),
    Header(HeaderName),
}

impl Script {
    /// The flow a session draws (by weight, at random).
    pub(super) fn draw(&self) -> &FlowScript {
        if let [only] = &self.flows[..] {
            return only;
        }
        let total: u64 = self.flows.iter().map(|f| u64::from(f.weight)).sum();
        let mut at = fastrand::u64(0..total.max(1));
        for flow in &self.flows {
            match at.checked_sub(u64::from(flow.weight)) {
                Some(rest) => at = rest,
                None => return flow,
            }
        }
        &self.flows[0]
    }

    /// Each request step's request prepared for its pool, by step number.
    pub(super) fn prepare(&self, pools: &[Pool]) -> Vec<Request<Full<Bytes>>> {
        let mut steps: Vec<&StepRequest> = self
            .flows
            .iter()
            .flat_map(|f| &f.steps)
            .filter_map(|s| match s {
                StepScript::Request(r) => Some(&**r),
                StepScript::Think(..) => None,
            })
            .collect();
        steps.sort_by_key(|s| s.index);
        steps
            .iter()
            .map(|s| request::prepare(s, &pools[s.pool]))
            .collect()
    }

    /// Whether a template of any step takes a data row.
    pub fn uses_rows(&self) -> bool {
        self.flows.iter().flat_map(|f| &f.steps).any(|s| match s {
            StepScript::Request(r) => r.uses_rows(),
            StepScript::Think(..) => false,
        })
    }

    /// The largest fixed body of any step, for sizing connections' writes.
    pub fn biggest_body(&self) -> usize {
        let bodies = self.flows.iter().flat_map(|f| &f.steps);
        bodies
            .filter_map(|s| match s {
                StepScript::Request(r) => r.body.as_ref().map(Filling::len_hint),
                StepScript::Think(..) => None,
            })
            .max()
            .unwrap_or(0)
    }
}

impl StepRequest {
    fn uses_rows(&self) -> bool {
        self.needs().row
    }

    /// What its templates need worked out per request.
    pub fn needs(&self) -> Uses {
        let url = match &self.url {
            Filling::Template(t) => t.uses(),
            Filling::Fixed(_) => Uses::default(),
        };
        let body = match &self.body {
            Some(Filling::Template(t)) => t.uses(),
            _ => Uses::default(),
        };
        let headers = self.templated.iter().map(|(_, t)| t.uses());
        headers.fold(url.and(body), Uses::and)
    }

    /// Whether a capture reads a header.
    pub(super) fn reads_head(&self) -> bool {
        self.captures
            .iter()
            .any(|c| matches!(c.from, CaptureAt::Header(_)))
    }
}

impl Filling {
    fn len_hint(&self) -> usize {
        match self {
            Filling::Fixed(text) => text.len(),
            Filling::Template(t) => t.literal_len(),
        }
    }
}
