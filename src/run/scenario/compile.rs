//! A checked scenario compiled for the engine: its templates parsed by the request
//! grammar (with the session's captures as values), its checks by the `--check` grammar,
//! each step given its origin's pool; and what the stats need to know of each step.

use super::{Body, CaptureFrom, Flow, RequestStep, Scenario, Step};
use crate::engine::checks::{Check, Checks};
use crate::engine::client::scenario::{
    CaptureAt, CaptureScript, Filling, FlowScript, Script, StepRequest, StepScript,
};
use crate::engine::client::template::{Scope, Template};
use crate::stats::by_step::StepSpec;
use http::header::{
    CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderName, HeaderValue, TRANSFER_ENCODING,
};
use http::{HeaderMap, Uri};
use std::sync::Arc;

/// The most request steps a run can have over all its flows (each keeps its own figures).
const MOST_REQUEST_STEPS: usize = 1000;

/// A scenario ready to run.
#[derive(Debug)]
pub struct Compiled {
    pub script: Arc<Script>,
    /// The origins the steps name, in order: pool `i` is `origins[i]`'s.
    pub origins: Vec<Uri>,
    /// Each request step as the stats know it, in step order.
    pub specs: Vec<StepSpec>,
}

/// What every step shares: the data file's columns, the checks' body limit, `-H` headers.
pub struct Shared<'a> {
    pub columns: Option<&'a [String]>,
    pub body_limit: usize,
    pub headers: &'a HeaderMap,
}

/// Compiles `scenario`; an error names the step's line.
pub fn compile(scenario: &Scenario, shared: &Shared) -> Result<Compiled, String> {
    let mut out = Compiled {
        script: Arc::new(Script { flows: Vec::new() }),
        origins: Vec::new(),
        specs: Vec::new(),
    };
    let prefixed = scenario.flows.len() > 1;
    let mut flows = Vec::new();
    for flow in &scenario.flows {
        flows.push(flow_of(flow, shared, prefixed, &mut out)?);
    }
    if out.specs.is_empty() {
        return Err("has no request step: nothing to send".into());
    }
    out.script = Arc::new(Script { flows });
    Ok(out)
}

/// One flow: its capture names become slots, its request steps numbered after the others'.
fn flow_of(
    flow: &Flow,
    shared: &Shared,
    prefixed: bool,
    out: &mut Compiled,
) -> Result<FlowScript, String> {
    let slots: Vec<String> = flow
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Request(r) => Some(r.captures.iter().map(|c| c.name.clone())),
            Step::Think(_) => None,
        })
        .flatten()
        .collect();
    let first = out.specs.len();
    let mut steps = Vec::new();
    for step in &flow.steps {
        steps.push(match step {
            Step::Think(t) => StepScript::Think(t.min, t.max),
            Step::Request(r) => {
                if out.specs.len() == MOST_REQUEST_STEPS {
                    return Err(format!(
                        "line {}: more than {MOST_REQUEST_STEPS} request steps",
                        r.line
                    ));
                }
                let request = request_of(r, shared, &slots, out)
                    .map_err(|e| format!("line {}: step {}: {e}", r.line, r.name))?;
                let name = match prefixed {
                    true => format!("{}/{}", flow.name, r.name),
                    false => r.name.clone(),
                };
                let checks = request.checks.as_ref().map_or_else(Vec::new, Checks::texts);
                out.specs.push(StepSpec {
                    name,
                    checks,
                    later: 0..0,
                });
                StepScript::Request(Box::new(request))
            }
        });
    }
    let end = out.specs.len() as u16;
    for (i, spec) in out.specs.iter_mut().enumerate().skip(first) {
        spec.later = (i as u16 + 1)..end;
    }
    let last_request = steps
        .iter()
        .rposition(|s| matches!(s, StepScript::Request(_)))
        .unwrap_or(0);
    Ok(FlowScript {
        weight: flow.weight,
        steps,
        slots: slots.len(),
        last_request,
    })
}

/// One request step.
fn request_of(
    r: &RequestStep,
    shared: &Shared,
    slots: &[String],
    out: &mut Compiled,
) -> Result<StepRequest, String> {
    let scope = Scope {
        columns: shared.columns,
        captures: slots,
        json: false,
    };
    let origin = origin_of(&r.url)?;
    let pool = match out.origins.iter().position(|o| *o == origin) {
        Some(i) => i,
        None => {
            out.origins.push(origin.clone());
            out.origins.len() - 1
        }
    };
    let (mut headers, templated) = headers_of(r, shared.headers, &scope)?;
    let body = match &r.body {
        Body::None => None,
        Body::Text(text) => Some(filling(text, &scope)?),
        Body::Json(text) => {
            if !headers.contains_key(CONTENT_TYPE) {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Some(filling(
                text,
                &Scope {
                    json: true,
                    ..scope
                },
            )?)
        }
    };
    let mut step = StepRequest {
        index: out.specs.len() as u16,
        method: r.method.clone(),
        url: filling(&r.url, &scope)?,
        origin,
        headers,
        templated,
        body,
        checks: checks_of(&r.checks, shared.body_limit)?,
        captures: r
            .captures
            .iter()
            .map(|c| CaptureScript {
                from: match &c.from {
                    CaptureFrom::Json(pointer) => CaptureAt::Json(pointer.clone()),
                    CaptureFrom::Header(name) => CaptureAt::Header(name.clone()),
                },
                slot: slots.iter().position(|s| *s == c.name).unwrap_or(0),
            })
            .collect(),
        pool,
        uses: Default::default(),
        fixed_url: None,
    };
    step.uses = step.needs();
    if let Filling::Fixed(text) = &step.url {
        step.fixed_url = url::Url::parse(text).ok();
    }
    Ok(step)
}

/// A text as it is, or its template.
fn filling(text: &str, scope: &Scope) -> Result<Filling, String> {
    Ok(match Template::parse_in(text, scope)? {
        Some(t) => Filling::Template(t),
        None => Filling::Fixed(text.to_string()),
    })
}

/// `-H` headers, then the step's own (replacing those of the same name): those sent as
/// they are, and those whose values are templates.
fn headers_of(
    r: &RequestStep,
    common: &HeaderMap,
    scope: &Scope,
) -> Result<(HeaderMap, Vec<(HeaderName, Template)>), String> {
    let mut headers = common.clone();
    let mut templated = Vec::new();
    for (name, value) in &r.headers {
        let name = HeaderName::try_from(name.as_str())
            .map_err(|_| format!("header {name:?} is not a header name"))?;
        if matches!(name, HOST | CONTENT_LENGTH | TRANSFER_ENCODING) {
            return Err(format!(
                "header {name} is sluice's to set (from the URL and the body)"
            ));
        }
        headers.remove(&name);
        match Template::parse_in(value, scope).map_err(|e| format!("header {name}: {e}"))? {
            Some(t) => templated.push((name, t)),
            None => {
                let value = HeaderValue::from_str(value)
                    .map_err(|_| format!("header {name}: not a value a header can hold"))?;
                headers.insert(name, value);
            }
        }
    }
    Ok((headers, templated))
}

/// The step's checks, parsed; None without any.
fn checks_of(texts: &[String], body_limit: usize) -> Result<Option<Checks>, String> {
    if texts.is_empty() {
        return Ok(None);
    }
    let list = texts
        .iter()
        .map(|t| Check::parse(t).map_err(|e| format!("check {t:?}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Checks::new(list, body_limit).map(Some)
}

/// The scheme and authority of `url` (checked fixed), as a URI with the path `/`.
fn origin_of(url: &str) -> Result<Uri, String> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{authority}/")
        .parse()
        .map_err(|_| format!("{url:?} has no origin sluice can reach"))
}
