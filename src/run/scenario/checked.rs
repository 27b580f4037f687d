//! The scenario file's meaning, checked whole before any load: one method a request step,
//! fixed origins, every name defined before it is used and every capture used.

use super::Scenario;
use super::names::{referenced, with_constants};
use super::shape::{CaptureShape, FileShape, ScenarioShape, StepShape};
use super::step::{Body, Capture, CaptureFrom, Flow, RequestStep, Step, Think};
use crate::process::untrusted::{QUOTED_CHARS, quoted};
use http::Method;
use serde_saphyr::Spanned;
use std::collections::BTreeSet;
use std::path::Path;

/// Names every request has, whatever the file defines.
const BUILTINS: [&str; 4] = ["seq", "uuid", "now_ms", "rand_int"];
/// The most steps a flow and scenarios a file can have.
const MOST_STEPS: usize = 1000;
const MOST_SCENARIOS: usize = 100;

/// What the names of a flow's templates can be, as the flow is walked.
struct Scope<'a> {
    constants: &'a [(String, String)],
    has_data: bool,
    /// Captured by the steps so far.
    captured: BTreeSet<String>,
}

/// The whole file checked.
pub fn scenario(shape: FileShape, folder: &Path) -> Result<Scenario, String> {
    let constants = constants(&shape)?;
    let has_data = shape.data.is_some();
    let data = shape.data.map(|d| folder.join(d));
    let flows = match (shape.flow, shape.scenarios) {
        (Some(flow), None) => vec![flow_of("default", 1, flow, &constants, has_data)?],
        (None, Some(scenarios)) => scenarios_of(scenarios, &constants, has_data)?,
        (Some(_), Some(_)) => return Err("has both `flow` and `scenarios`: use one".into()),
        (None, None) => return Err("has no `flow` (or `scenarios`): nothing to run".into()),
    };
    Ok(Scenario { data, flows })
}

/// The file's `variables`, checked: plain names, constant values.
fn constants(shape: &FileShape) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (name, value) in &shape.variables {
        let value = value.text();
        if !is_name(name) || BUILTINS.contains(&name.as_str()) || name == "row" {
            return Err(format!(
                "variable {} is not a name of its own",
                quoted(name, QUOTED_CHARS)
            ));
        }
        if value.contains("{{") {
            return Err(format!(
                "variable {name} holds a template: variables are constants"
            ));
        }
        out.push((name.clone(), value));
    }
    Ok(out)
}

/// Several scenarios: unique names, weights of at least 1.
fn scenarios_of(
    scenarios: Vec<Spanned<ScenarioShape>>,
    constants: &[(String, String)],
    has_data: bool,
) -> Result<Vec<Flow>, String> {
    if scenarios.is_empty() || scenarios.len() > MOST_SCENARIOS {
        return Err(format!("`scenarios` needs 1 to {MOST_SCENARIOS} entries"));
    }
    let mut flows: Vec<Flow> = Vec::new();
    for s in scenarios {
        let line = s.referenced.line();
        let ScenarioShape { name, weight, flow } = s.value;
        let weight = weight.unwrap_or(1);
        if weight == 0 || weight > 1_000_000 {
            return Err(format!(
                "line {line}: scenario {name}: weight must be 1 to 1000000"
            ));
        }
        if flows.iter().any(|f| f.name == name) {
            return Err(format!(
                "line {line}: a second scenario named {}",
                quoted(&name, QUOTED_CHARS)
            ));
        }
        flows.push(flow_of(&name, weight, flow, constants, has_data)?);
    }
    Ok(flows)
}

/// One flow: its steps in order, each name checked against what came before.
fn flow_of(
    name: &str,
    weight: u32,
    steps: Vec<Spanned<StepShape>>,
    constants: &[(String, String)],
    has_data: bool,
) -> Result<Flow, String> {
    if steps.is_empty() || steps.len() > MOST_STEPS {
        return Err(format!("flow {name} needs 1 to {MOST_STEPS} steps"));
    }
    let mut scope = Scope {
        constants,
        has_data,
        captured: BTreeSet::new(),
    };
    let mut out = Vec::with_capacity(steps.len());
    for (i, step) in steps.into_iter().enumerate() {
        let line = step.referenced.line() as usize;
        let checked =
            step_of(i, line, step.value, &mut scope).map_err(|e| format!("line {line}: {e}"))?;
        out.push(checked);
    }
    unused_captures(&out)?;
    if !out.iter().any(|s| matches!(s, Step::Request(_))) {
        return Err(format!("flow {name} has no request step"));
    }
    Ok(Flow {
        name: name.to_string(),
        weight,
        steps: out,
    })
}

/// A step: a pause, or a request with one method.
fn step_of(i: usize, line: usize, step: StepShape, scope: &mut Scope) -> Result<Step, String> {
    let methods = methods(&step);
    match (methods.as_slice(), &step.think) {
        ([], Some(think)) if request_keys(&step) => Err(format!(
            "a `think` step has request keys beside `think: {think}`"
        )),
        ([], Some(think)) => Ok(Step::Think(think_of(think)?)),
        ([], None) => {
            Err("a step with no method (get, post, put, patch, delete, head) and no `think`".into())
        }
        ([_], Some(_)) => {
            Err("a step with both a method and `think`: make the pause a step of its own".into())
        }
        ([(method, url)], None) => {
            let (method, url) = (method.clone(), url.clone());
            Ok(Step::Request(request_of(
                i, line, method, &url, step, scope,
            )?))
        }
        _ => Err(format!("a step with {} methods: one a step", methods.len())),
    }
}

/// The step's method keys, with their URLs.
fn methods(step: &StepShape) -> Vec<(Method, String)> {
    let all = [
        (Method::GET, &step.get),
        (Method::POST, &step.post),
        (Method::PUT, &step.put),
        (Method::PATCH, &step.patch),
        (Method::DELETE, &step.delete),
        (Method::HEAD, &step.head),
    ];
    all.into_iter()
        .filter_map(|(m, url)| url.as_ref().map(|u| (m, u.clone())))
        .collect()
}

/// Whether a step has any key only a request has.
fn request_keys(step: &StepShape) -> bool {
    step.json.is_some()
        || step.body.is_some()
        || !step.headers.is_empty()
        || !step.capture.is_empty()
        || !step.check.is_empty()
}

/// `100ms`, or `50ms..150ms`.
fn think_of(text: &str) -> Result<Think, String> {
    let parse = |t: &str| {
        crate::units::parse_duration_or_zero(t.trim())
            .map_err(|e| format!("think {}: {e}", quoted(text, QUOTED_CHARS)))
    };
    let think = match text.split_once("..") {
        Some((min, max)) => Think {
            min: parse(min)?,
            max: parse(max)?,
        },
        None => {
            let d = parse(text)?;
            Think { min: d, max: d }
        }
    };
    if think.min > think.max {
        return Err(format!(
            "think {}: the first bound is past the second",
            quoted(text, QUOTED_CHARS)
        ));
    }
    Ok(think)
}

/// A request step: templates with constants filled, names checked, origin fixed.
fn request_of(
    i: usize,
    line: usize,
    method: Method,
    url: &str,
    step: StepShape,
    scope: &mut Scope,
) -> Result<RequestStep, String> {
    let fill = |t: &str| with_constants(t, scope.constants);
    let url = fill(url);
    fixed_origin(&url)?;
    let headers: Vec<(String, String)> = step
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), fill(&v.text())))
        .collect();
    let body = match (step.body, step.json) {
        (Some(_), Some(_)) => return Err("a step with both `body` and `json`".into()),
        (Some(text), None) => Body::Text(fill(&text)),
        (None, Some(json)) => Body::Json(fill(
            &serde_json::to_string(&json).map_err(|e| e.to_string())?,
        )),
        (None, None) => Body::None,
    };
    let mut texts = vec![url.as_str()];
    texts.extend(headers.iter().map(|(_, v)| v.as_str()));
    if let Body::Text(t) | Body::Json(t) = &body {
        texts.push(t);
    }
    for text in texts {
        names_defined(text, scope)?;
    }
    let captures = step
        .capture
        .into_iter()
        .map(|c| capture_of(c.value, scope))
        .collect::<Result<Vec<_>, _>>()?;
    scope
        .captured
        .extend(captures.iter().map(|c| c.name.clone()));
    let name = step
        .name
        .unwrap_or_else(|| format!("{method} step {}", i + 1));
    Ok(RequestStep {
        name,
        line,
        method,
        url,
        headers,
        body,
        captures,
        checks: step.check,
    })
}

/// Every name `text` uses is a builtin, a data column, a constant or an earlier capture.
fn names_defined(text: &str, scope: &Scope) -> Result<(), String> {
    for name in referenced(text)? {
        let known = BUILTINS.contains(&name.as_str())
            || scope.constants.iter().any(|(c, _)| *c == name)
            || scope.captured.contains(&name);
        match name.strip_prefix("row.") {
            Some(_) if !scope.has_data => return Err(format!("{{{{ {name} }}}} without `data:`")),
            Some(_) => {}
            None if !known => {
                return Err(format!(
                    "{{{{ {name} }}}} is used before any step captures it (or is unknown)"
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// A capture: from the body's JSON or a header, as a name of its own.
fn capture_of(c: CaptureShape, scope: &Scope) -> Result<Capture, String> {
    let name = c.name;
    if !is_name(&name)
        || BUILTINS.contains(&name.as_str())
        || scope.constants.iter().any(|(v, _)| *v == name)
    {
        return Err(format!(
            "capture as {}: not a name of its own",
            quoted(&name, QUOTED_CHARS)
        ));
    }
    let from = match (c.json, c.header) {
        (Some(pointer), None) if pointer.is_empty() || pointer.starts_with('/') => {
            CaptureFrom::Json(pointer)
        }
        (Some(pointer), None) => {
            return Err(format!(
                "capture {name}: JSON pointer {} must start with /",
                quoted(&pointer, QUOTED_CHARS)
            ));
        }
        (None, Some(header)) => CaptureFrom::Header(
            http::HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                format!(
                    "capture {name}: {} is not a header name",
                    quoted(&header, QUOTED_CHARS)
                )
            })?,
        ),
        _ => return Err(format!("capture {name}: one of `json` or `header`")),
    };
    Ok(Capture { from, name })
}

/// A capture no later step uses is a mistake in the file (a typo in one of the two names).
fn unused_captures(steps: &[Step]) -> Result<(), String> {
    let requests: Vec<&RequestStep> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Request(r) => Some(r),
            Step::Think(_) => None,
        })
        .collect();
    for (i, step) in requests.iter().enumerate() {
        for capture in &step.captures {
            let used = requests[i + 1..]
                .iter()
                .any(|later| uses(later, &capture.name));
            if !used {
                return Err(format!(
                    "line {}: step {} captures {} but no later step uses it",
                    step.line, step.name, capture.name
                ));
            }
        }
    }
    Ok(())
}

/// Whether a step's templates name `name`.
fn uses(step: &RequestStep, name: &str) -> bool {
    let mut texts = vec![step.url.as_str()];
    texts.extend(step.headers.iter().map(|(_, v)| v.as_str()));
    if let Body::Text(t) | Body::Json(t) = &step.body {
        texts.push(t);
    }
    texts
        .iter()
        .any(|t| referenced(t).is_ok_and(|names| names.iter().any(|n| n == name)))
}

/// The URL's scheme and authority are fixed: no template before its path.
fn fixed_origin(url: &str) -> Result<(), String> {
    let shown = quoted(url, QUOTED_CHARS);
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("{shown} is not an absolute http:// or https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if scheme.contains("{{") || authority.contains("{{") {
        return Err(format!(
            "{shown}: a template in the scheme or host; the origin must be fixed (a variable is fine)"
        ));
    }
    if !matches!(scheme, "http" | "https") || authority.is_empty() {
        return Err(format!(
            "{shown} is not an absolute http:// or https:// URL"
        ));
    }
    http::uri::Authority::try_from(authority)
        .map_err(|_| format!("{shown}: {authority} is not a host[:port]"))?;
    Ok(())
}

/// A name a template can use: letters, digits and `_`, not starting with a digit.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}
