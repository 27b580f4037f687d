//! What a checked scenario is made of: flows of steps, each a request or a pause.

use http::Method;
use std::time::Duration;

/// One scenario: the steps a session walks in order.
#[derive(Debug)]
pub struct Flow {
    pub name: String,
    /// Its share of sessions, against the other flows' weights.
    pub weight: u32,
    pub steps: Vec<Step>,
}

/// A request or a pause between requests.
#[derive(Debug)]
pub enum Step {
    Request(RequestStep),
    Think(Think),
}

/// A pause, uniform between `min` and `max` (equal for a fixed pause).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Think {
    pub min: Duration,
    pub max: Duration,
}

/// One request of a session; its strings are templates, with the file's constants filled in.
#[derive(Debug)]
pub struct RequestStep {
    /// Unique within its flow: what the report calls the step.
    pub name: String,
    /// Where the step starts in the file, for messages.
    pub line: usize,
    pub method: Method,
    /// An absolute URL whose scheme and authority are fixed.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub captures: Vec<Capture>,
    /// Expressions of the `--check` grammar.
    pub checks: Vec<String>,
}

/// A request's body.
#[derive(Debug, PartialEq)]
pub enum Body {
    None,
    /// `body:` text.
    Text(String),
    /// `json:` as JSON text; values filled into its strings must be JSON-escaped.
    Json(String),
}

/// A value taken from a response for the session's later steps.
#[derive(Debug, PartialEq)]
pub struct Capture {
    pub from: CaptureFrom,
    /// The name later steps use, as `{{ name }}`.
    pub name: String,
}

/// Where a capture looks.
#[derive(Debug, PartialEq)]
pub enum CaptureFrom {
    /// A JSON pointer into the body (`/token`).
    Json(String),
    /// A response header, by name.
    Header(http::HeaderName),
}
