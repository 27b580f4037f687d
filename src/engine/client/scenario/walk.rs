//! One session walking its flow: a request task holds its permit for the whole walk, sends
//! each step over its connection, keeps what the steps capture and the cookies they are
//! set, and stops at the first step that fails (its later steps are skipped).

use super::request::{Built, build, keep_cookies, url_of};
use super::{CAPTURE_BODY_LIMIT, CaptureAt, Filling, FlowScript, StepRequest, StepScript};
use crate::engine::client::Client;
use crate::engine::client::request::{Seen, Session, Wants};
use crate::engine::client::template::{self, Vars};
use crate::engine::data::{Row, Taken};
use crate::engine::outcome::{
    ErrorKind, Outcome, SESSION_COMPLETED, SESSION_FAILED, SESSION_STARTED, Verdict, micros_u32,
};
use cookie_store::CookieStore;
use std::time::Duration;
use tokio::time::Instant;

/// A session on its way through a flow.
pub struct Walk<'c> {
    flow: &'c FlowScript,
    /// The next step's place in the flow.
    next: usize,
    /// The session's number in the run, from 0 (`{{ seq }}`).
    seq: u64,
    row: Option<Row<'c>>,
    /// By slot; empty until captured.
    captures: Vec<String>,
    jar: CookieStore,
    /// Whether `jar` has been given a cookie this session (an empty jar is not looked in).
    jar_used: bool,
    /// When the session started (was due, in rate mode).
    began: Instant,
    /// When the next request is due: rate mode only (None in concurrency mode).
    due: Option<Instant>,
    /// When the last request ended.
    last_end: Instant,
    started: bool,
    over: bool,
}

impl<'c> Walk<'c> {
    /// A walker with no session yet: a request task keeps one for all the sessions it
    /// carries, so a session allocates nothing of its own beyond what its steps capture.
    pub fn idle(client: &'c Client) -> Option<Walk<'c>> {
        let flow = client.script.as_ref()?.flows.first()?;
        Some(Walk {
            flow,
            next: 0,
            seq: 0,
            row: None,
            captures: Vec::new(),
            jar: CookieStore::default(),
            jar_used: false,
            began: Instant::now(),
            due: None,
            last_end: Instant::now(),
            started: false,
            over: true,
        })
    }
}

impl Client {
    /// Starts session `n` of the run (from 1; due at `due` in rate mode) in `walk`: its
    /// flow drawn, its data row taken, the last session's captures and cookies cleared;
    /// false when the data rows are used up (the run is over). Only for a client with a
    /// script.
    pub async fn start_session<'c>(
        &'c self,
        walk: &mut Walk<'c>,
        n: u64,
        due: Option<Instant>,
    ) -> bool {
        let Some(script) = &self.script else {
            return false;
        };
        let seq = self.requests.seq(n);
        walk.row = match (self.requests.rows(), self.script_uses_rows) {
            (Some(rows), true) => loop {
                match rows.take(seq) {
                    Taken::Row(row) => break Some(row),
                    Taken::Wait => rows.ready().await,
                    Taken::End => return false,
                }
            },
            _ => None,
        };
        let flow = script.draw();
        let now = Instant::now();
        if flow.slots > 0 || !walk.captures.is_empty() {
            walk.captures.iter_mut().for_each(String::clear);
            walk.captures.resize(flow.slots, String::new());
        }
        if walk.jar_used {
            walk.jar.clear();
            walk.jar_used = false;
        }
        (walk.flow, walk.next, walk.seq) = (flow, 0, seq);
        (walk.began, walk.due, walk.last_end) = (due.unwrap_or(now), due, now);
        (walk.started, walk.over) = (false, false);
        true
    }

    /// The session's next request step, sent (after the think steps before it): its
    /// outcome, or None when the session is over.
    pub async fn walk_step(
        &self,
        walk: &mut Walk<'_>,
        session: &mut Session,
        max_idle: usize,
    ) -> Option<Outcome> {
        while !walk.over {
            let step = walk.flow.steps.get(walk.next)?;
            walk.next += 1;
            match step {
                StepScript::Think(min, max) => walk.think(*min, *max).await,
                StepScript::Request(request) => {
                    return Some(self.request_step(walk, request, session, max_idle).await);
                }
            }
        }
        None
    }

    /// Sends one request step and notes what it tells of the session.
    async fn request_step(
        &self,
        walk: &mut Walk<'_>,
        step: &StepRequest,
        session: &mut Session,
        max_idle: usize,
    ) -> Outcome {
        let uses = step.uses;
        let uuid = uses.uuid.then(template::uuid_v4);
        let vars = Vars {
            seq: walk.seq,
            now_ms: if uses.now_ms { now_ms() } else { 0 },
            uuid: uuid
                .as_ref()
                .map_or("", |u| std::str::from_utf8(u).unwrap_or_default()),
            row: walk.row.as_ref(),
            captures: &walk.captures,
        };
        let prepared = &self.prepared[usize::from(step.index)];
        let jar = walk.jar_used.then_some(&walk.jar);
        let (mut outcome, seen, sent) = match build(step, prepared, &vars, jar) {
            Ok(request) => {
                let wants = walk.wants(step);
                // A fixed URL is the prepared request's; a filled one is kept for the jar.
                let filled = matches!(step.url, Filling::Template(_));
                let sent = filled.then(|| request.uri().clone());
                let mut built = Built {
                    first: Some(request),
                    step,
                    prepared,
                    vars: &vars,
                    jar,
                };
                let to = (&mut built, step.pool);
                let (outcome, seen, end) = self
                    .send_on(session, (max_idle, walk.due), to, &wants)
                    .await;
                walk.last_end = end;
                (outcome, seen, Some(sent))
            }
            Err(kind) => {
                walk.last_end = Instant::now();
                (not_sent(kind), None, None)
            }
        };
        walk.due = walk.due.map(|_| walk.last_end);
        if let (Verdict::Status(_), Some(sent)) = (outcome.verdict, &sent) {
            let seen = seen.as_deref();
            let set_cookies = seen.map_or(&[][..], |s| &s.set_cookies[..]);
            if !set_cookies.is_empty()
                && let Ok(url) = url_of(step, sent.as_ref().unwrap_or(prepared.uri()))
            {
                keep_cookies(&mut walk.jar, set_cookies, &url);
                walk.jar_used = true;
            }
            if !walk.capture(step, seen) {
                outcome.verdict = Verdict::Error(ErrorKind::CaptureMissing);
            }
        }
        walk.note(&mut outcome, step.index);
        outcome
    }
}

impl Walk<'_> {
    /// What `step`'s response is judged on and what is kept of it for this session.
    fn wants<'s>(&self, step: &'s StepRequest) -> Wants<'s> {
        Wants {
            checks: step.checks.as_ref(),
            head: step.reads_head(),
            // A cookie set by a session's last step would reach no step.
            cookies: self.next <= self.flow.last_request,
            body_limit: step.reads_body().then_some(CAPTURE_BODY_LIMIT),
            no_follow: false,
        }
    }

    /// A think step: a pause uniform between `min` and `max`, the permit held. In rate mode
    /// the next request is due at its end (counted from the last request's end).
    async fn think(&mut self, min: Duration, max: Duration) {
        let span = max.saturating_sub(min).as_micros() as u64;
        let pause = min + Duration::from_micros(fastrand::u64(0..=span));
        let until = self.last_end + pause;
        tokio::time::sleep_until(until).await;
        self.due = self.due.map(|_| until);
    }

    /// Fills the step's captures from what its response showed; false when one found nothing.
    fn capture(&mut self, step: &StepRequest, seen: Option<&Seen>) -> bool {
        if step.captures.is_empty() {
            return true;
        }
        let json: Option<serde_json::Value> = match step.reads_body() {
            true => seen
                .and_then(|s| s.body.as_ref())
                .and_then(|b| serde_json::from_slice(b.bytes()).ok()),
            false => None,
        };
        for capture in &step.captures {
            let found = match &capture.from {
                CaptureAt::Json(pointer) => {
                    json.as_ref()
                        .and_then(|v| v.pointer(pointer))
                        .map(|v| match v {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                }
                CaptureAt::Header(name) => seen
                    .and_then(|s| s.head.as_ref())
                    .and_then(|h| h.get(name))
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            };
            match found {
                Some(value) => self.captures[capture.slot] = value,
                None => return false,
            }
        }
        true
    }

    /// Marks `outcome` as step `index` of this session: its first, its last, or where it
    /// failed (then the session is over, its later steps skipped).
    fn note(&mut self, outcome: &mut Outcome, index: u16) {
        outcome.step = index;
        if !self.started {
            self.started = true;
            outcome.session |= SESSION_STARTED;
        }
        let failed = !matches!(outcome.verdict, Verdict::Status(_));
        // `next` has passed this step already.
        let last = self.next > self.flow.last_request;
        if failed || last {
            self.over = true;
            outcome.session |= if failed {
                SESSION_FAILED
            } else {
                SESSION_COMPLETED
            };
            outcome.session_us = micros_u32(self.last_end.saturating_duration_since(self.began));
        }
    }
}

/// The outcome of a step whose request could not be made (a filled URL or header).
fn not_sent(kind: ErrorKind) -> Outcome {
    Outcome {
        verdict: Verdict::Error(kind),
        ..Outcome::aborted()
    }
}

/// Unix time in milliseconds.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
