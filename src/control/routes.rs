//! What each request to the control API does: reads for anyone, writes for the token's
//! holder, one-line answers for everything refused. Nothing here touches a socket.

use super::token::Token;
use crate::engine::generator::Handle;
use crate::engine::steer::{
    Change, Knob, MAX_LIMIT, MAX_RATE, MIN_RATE, RunState, Source, Steer, check_limit,
    check_rate_or_zero,
};
use crate::process::untrusted::{QUOTED_CHARS, quoted};
use crate::schedule::autopilot::{self, Pilot};
use crate::stats::condition::Condition;
use bytes::Bytes;
use http::{Method, Response, StatusCode, header};
use http_body_util::Full;
use serde_json::Value;

/// The largest request body read; anything longer is refused unread (413).
pub const MAX_BODY_BYTES: usize = 4096;

/// A read the server answers from the published snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// `GET /status`, or `?after=N`: wait for a snapshot later than tick N.
    Status {
        after: Option<u64>,
    },
    Metrics,
    /// `GET /summary`: the run's summary once it has ended.
    Summary,
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Route {
    Read(Read),
    /// A POST that changes the run; the body is read and checked later.
    Write(Posted),
    /// `POST /hold` (engage the autopilot; its conditions in the body) or `DELETE /hold`.
    Hold {
        engage: bool,
    },
}

/// What a POST moves, in the engine's own words: a knob (its value in the body), or a change
/// that needs no value (pause, resume, stop).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Posted {
    Knob(Knob),
    Change(Change),
}

/// A response with a body, or a refusal: a status and one line of text.
pub type Answer = Response<Full<Bytes>>;

/// A refused request: its status, one line saying why, and a header it must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub line: String,
    pub header: Option<(header::HeaderName, &'static str)>,
}

impl Refusal {
    /// `status` with `line`.
    pub fn new(status: StatusCode, line: &str) -> Refusal {
        Refusal {
            status,
            line: line.to_string(),
            header: None,
        }
    }

    /// The response: the status, the line as text.
    pub fn answer(self) -> Answer {
        let mut r = ok(format!("{}\n", self.line), "text/plain; charset=utf-8");
        *r.status_mut() = self.status;
        if let Some((name, value)) = self.header {
            r.headers_mut()
                .insert(name, header::HeaderValue::from_static(value));
        }
        r
    }
}

/// The status and one line saying why.
pub fn refusal(status: StatusCode, line: &str) -> Answer {
    Refusal::new(status, line).answer()
}

/// A 200 with `body` of `content_type`.
pub fn ok(body: impl Into<Bytes>, content_type: &'static str) -> Answer {
    let mut r = Response::new(Full::new(body.into()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    r
}

/// The route for a method and a path with its query, or the refusal (404, 405, 400).
pub fn route(method: &Method, path: &str, query: Option<&str>) -> Result<Route, Refusal> {
    let wrong_method = |allow: &'static str| Refusal {
        header: Some((header::ALLOW, allow)),
        ..Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{path} takes {allow}"),
        )
    };
    let write = match path {
        "/hold" => {
            return match *method {
                Method::POST => Ok(Route::Hold { engage: true }),
                Method::DELETE => Ok(Route::Hold { engage: false }),
                _ => Err(wrong_method("POST, DELETE")),
            };
        }
        "/status" | "/metrics" | "/summary" => None,
        "/limit" => Some(Posted::Knob(Knob::Limit)),
        "/rate" => Some(Posted::Knob(Knob::Rate)),
        "/pause" => Some(Posted::Change(Change::Pause)),
        "/resume" => Some(Posted::Change(Change::Resume)),
        "/stop" => Some(Posted::Change(Change::Stop)),
        _ => {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "no such endpoint: GET /status, /metrics, /summary; POST /limit, /rate, /pause, /resume, /stop; POST, DELETE /hold",
            ));
        }
    };
    match (write, method) {
        (Some(w), &Method::POST) => Ok(Route::Write(w)),
        (Some(_), _) => Err(wrong_method("POST")),
        (None, &Method::GET | &Method::HEAD) => read_route(path, query).map(Route::Read),
        (None, _) => Err(wrong_method("GET")),
    }
}

/// A read's route, with `?after=N` for the status.
fn read_route(path: &str, query: Option<&str>) -> Result<Read, Refusal> {
    match path {
        "/metrics" => Ok(Read::Metrics),
        "/summary" => Ok(Read::Summary),
        _ => match query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("after="))) {
            None => Ok(Read::Status { after: None }),
            Some(n) => n
                .parse()
                .map(|after| Read::Status { after: Some(after) })
                .map_err(|_| {
                    Refusal::new(
                        StatusCode::BAD_REQUEST,
                        "after: a tick number (0, 1, 2, ...)",
                    )
                }),
        },
    }
}

/// Whether the request may write: 401 unless it carries the token.
pub fn authorize(token: &Token, authorization: Option<&[u8]>) -> Result<(), Refusal> {
    match token.admits(authorization) {
        true => Ok(()),
        false => Err(Refusal {
            header: Some((header::WWW_AUTHENTICATE, "Bearer")),
            ..Refusal::new(
                StatusCode::UNAUTHORIZED,
                "this needs the control token: Authorization: Bearer <token>",
            )
        }),
    }
}

/// A write's body: `{"value": N}`, its one field once (a second `value`, as merge refuses a
/// field twice, would leave which one counts to the parser).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    value: Value,
}

/// The change a write's body asks for, or a 400 saying what is wrong with it. A rate of 0
/// switches the rate off, as on the dashboard.
pub fn change_of(posted: Posted, body: &[u8]) -> Result<Change, Refusal> {
    let bad = |line: &str| Refusal::new(StatusCode::BAD_REQUEST, line);
    let value = || -> Result<Value, Refusal> {
        let refused = |e: serde_json::Error| {
            bad(&format!(
                r#"the body must be {{"value": N}}, the field once: {}"#,
                quoted(&e.to_string(), QUOTED_CHARS)
            ))
        };
        // An object: a struct would also take `[N]`, its field by position.
        match serde_json::from_slice::<Value>(body).map_err(refused)? {
            Value::Object(_) => serde_json::from_slice::<Body>(body)
                .map(|b| b.value)
                .map_err(refused),
            _ => Err(bad(r#"the body must be {"value": N}"#)),
        }
    };
    match posted {
        Posted::Change(change) => Ok(change),
        Posted::Knob(Knob::Limit) => {
            let v = value()?;
            let n = v.as_f64().and_then(|n| check_limit(n).ok());
            n.map(Change::Limit).ok_or_else(|| {
                bad(&format!(
                    "limit: a whole number from 1 to {MAX_LIMIT}, not {v}"
                ))
            })
        }
        Posted::Knob(Knob::Rate) => match value()? {
            Value::Null => Ok(Change::Rate(None)),
            v => v
                .as_f64()
                .and_then(|r| check_rate_or_zero(r).ok())
                .map(|r| Change::Rate(Some(r).filter(|r| *r > 0.0)))
                .ok_or_else(|| {
                    bad(&format!(
                        "rate: requests a second from {MIN_RATE} to {MAX_RATE}, or 0 or null for off, not {v}"
                    ))
                }),
        },
    }
}

/// `POST /hold`'s body: `{"conditions": ["p99<200ms", ...]}`, the field once.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldBody {
    conditions: Vec<String>,
}

/// The conditions a `POST /hold` asks for, each a bar (`p99<200ms`), or a 400 saying why.
pub fn conditions_of(body: &[u8]) -> Result<Vec<Condition>, Refusal> {
    let bad = |line: &str| Refusal::new(StatusCode::BAD_REQUEST, line);
    let form = r#"the body must be {"conditions": ["p99<200ms", ...]}"#;
    let asked = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(_)) => serde_json::from_slice::<HoldBody>(body).map_err(|e| {
            bad(&format!(
                "{form}, the field once: {}",
                quoted(&e.to_string(), QUOTED_CHARS)
            ))
        })?,
        _ => return Err(bad(form)),
    };
    autopilot::parse_conditions(asked.conditions.iter().map(String::as_str))
        .map_err(|why| bad(&format!("hold: {why}")))
}

/// Engages the autopilot on the steered knob (the rate in rate mode) with `conditions`, or
/// releases it (None); 409 once the run has ended, 404 for a run without one. Answers with
/// the knobs in force and what it holds.
pub fn hold(handle: &Handle, pilot: Option<&Pilot>, conditions: Option<Vec<Condition>>) -> Answer {
    let Some(pilot) = pilot else {
        return refusal(StatusCode::NOT_FOUND, "this run has no autopilot");
    };
    if matches!(handle.state(), RunState::Stopping | RunState::Done) {
        return refusal(StatusCode::CONFLICT, "the run has ended: nothing to hold");
    }
    let knob = Knob::steered(handle.rate());
    match conditions {
        Some(conditions) => {
            if let Some(why) = pilot.unmeasured(&conditions) {
                return refusal(StatusCode::BAD_REQUEST, &format!("hold: {why}"));
            }
            if let Err(why) = pilot.hold(knob, Some(conditions), handle, false) {
                return refusal(StatusCode::CONFLICT, &why);
            }
        }
        None => pilot.release(),
    }
    let shown = pilot.shown();
    let hold = shown.engaged.then(|| {
        serde_json::json!({
            "conditions": shown.conditions,
            "knob": knob.as_str(),
        })
    });
    let knobs = serde_json::json!({
        "limit": handle.limit(),
        "rate": handle.rate(),
        "state": handle.state().as_str(),
        "hold": hold,
    });
    ok(knobs.to_string(), "application/json")
}

/// Carries out a checked write, as a key would (it enters the timeline as "api"); 409 once
/// the run has ended. Answers with the knobs in force.
pub fn apply(handle: &Handle, change: Change) -> Answer {
    // While -w lets the last requests finish, a stop still cuts it short.
    let waiting = handle.state() == RunState::Stopping && !handle.aborting();
    let stop_while_waiting = waiting && change == Change::Stop;
    if matches!(handle.state(), RunState::Stopping | RunState::Done) && !stop_while_waiting {
        return refusal(StatusCode::CONFLICT, "the run has ended: nothing to steer");
    }
    handle.steer(change, Source::Api);
    let knobs = serde_json::json!({
        "limit": handle.limit(),
        "rate": handle.rate(),
        "state": handle.state().as_str(),
    });
    ok(knobs.to_string(), "application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(r: Result<impl Sized, Refusal>) -> u16 {
        r.err().map_or(200, |a| a.status.as_u16())
    }

    #[test]
    fn routes_methods_and_queries() {
        let get = Method::GET;
        assert_eq!(
            route(&get, "/status", None).unwrap(),
            Route::Read(Read::Status { after: None })
        );
        assert_eq!(
            route(&get, "/status", Some("after=7")).unwrap(),
            Route::Read(Read::Status { after: Some(7) })
        );
        assert_eq!(
            route(&Method::POST, "/rate", None).unwrap(),
            Route::Write(Posted::Knob(Knob::Rate))
        );
        assert_eq!(status(route(&get, "/status", Some("after=-1"))), 400);
        assert_eq!(status(route(&get, "/limit", None)), 405);
        assert_eq!(status(route(&Method::DELETE, "/status", None)), 405);
        assert_eq!(status(route(&get, "/", None)), 404);
        assert_eq!(status(route(&Method::POST, "/limits", None)), 404);
        assert_eq!(
            route(&Method::DELETE, "/hold", None).unwrap(),
            Route::Hold { engage: false }
        );
        assert_eq!(status(route(&get, "/hold", None)), 405);
    }

    #[test]
    fn a_hold_s_conditions_are_checked_before_it_engages() {
        let asked = conditions_of(br#"{"conditions": ["p99<50ms", "errors<1%"]}"#).unwrap();
        let texts: Vec<&str> = asked.iter().map(Condition::text).collect();
        assert_eq!(texts, ["p99<50ms", "errors<1%"]);
        for body in [
            &br#"{"conditions": []}"#[..],
            br#"{"conditions": ["p99>50ms"]}"#,
            br#"{"conditions": ["checks<99%"]}"#,
            br#"{"conditions": ["fast"]}"#,
            br#"{"conditions": "p99<50ms"}"#,
            br#"{"conditions": ["p99<1s"], "knob": "limit"}"#,
            br#"["p99<1s"]"#,
            b"",
        ] {
            let refused = conditions_of(body).expect_err(&String::from_utf8_lossy(body));
            assert_eq!(refused.status, 400, "{}", String::from_utf8_lossy(body));
        }
        let many = format!(r#"{{"conditions": [{}]}}"#, [r#""p99<1s""#; 9].join(","));
        assert!(conditions_of(many.as_bytes()).is_err());
    }

    #[test]
    fn bodies_are_checked_before_anything_changes() {
        assert_eq!(
            change_of(Posted::Knob(Knob::Limit), br#"{"value": 80}"#).unwrap(),
            Change::Limit(80)
        );
        assert_eq!(
            change_of(Posted::Knob(Knob::Rate), br#"{"value": null}"#).unwrap(),
            Change::Rate(None)
        );
        assert_eq!(
            change_of(Posted::Knob(Knob::Rate), br#"{"value": 0}"#).unwrap(),
            Change::Rate(None),
            "0 is off, as on the dashboard"
        );
        assert_eq!(
            change_of(Posted::Knob(Knob::Rate), br#"{"value": 250.5}"#).unwrap(),
            Change::Rate(Some(250.5))
        );
        for (write, body) in [
            (Posted::Knob(Knob::Limit), &br#"{"value": -3}"#[..]),
            (Posted::Knob(Knob::Limit), br#"{"value": 0}"#),
            (Posted::Knob(Knob::Limit), br#"{"value": 2.5}"#),
            (Posted::Knob(Knob::Limit), br#"{"value": "80"}"#),
            (Posted::Knob(Knob::Limit), br#"{"value": null}"#),
            (Posted::Knob(Knob::Limit), br#"{"limit": 80}"#),
            (Posted::Knob(Knob::Limit), b"80"),
            (Posted::Knob(Knob::Limit), b"{"),
            (Posted::Knob(Knob::Limit), b""),
            (Posted::Knob(Knob::Rate), br#"{"value": -1}"#),
            (Posted::Knob(Knob::Rate), br#"{"value": 1e300}"#),
            (Posted::Knob(Knob::Rate), br#"[1]"#),
            (Posted::Knob(Knob::Limit), br#"{"value": 5, "value": 6}"#),
            (Posted::Knob(Knob::Rate), br#"{"value": 5, "by": "me"}"#),
        ] {
            let refused = change_of(write, body).expect_err(&String::from_utf8_lossy(body));
            assert_eq!(refused.status, 400, "{}", String::from_utf8_lossy(body));
        }
    }
}
