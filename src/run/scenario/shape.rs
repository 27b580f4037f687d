//! The scenario file's shape as YAML gives it, before any meaning is checked: serde does the
//! unknown-key and wrong-type refusals (with their lines); `checked` does the rest.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// The whole file: either `flow` (one scenario) or `scenarios` (several, drawn by weight).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileShape {
    /// Constants, usable as `{{ name }}`.
    #[serde(default)]
    pub variables: BTreeMap<String, Scalar>,
    /// A data file: one row per session.
    pub data: Option<String>,
    pub flow: Option<Vec<Spanned<StepShape>>>,
    pub scenarios: Option<Vec<Spanned<ScenarioShape>>>,
}

/// One of several scenarios.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioShape {
    pub name: String,
    pub weight: Option<u32>,
    pub flow: Vec<Spanned<StepShape>>,
}

/// A step: a request (one method key with its URL) or a pause (`think`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepShape {
    pub name: Option<String>,
    pub get: Option<String>,
    pub post: Option<String>,
    pub put: Option<String>,
    pub patch: Option<String>,
    pub delete: Option<String>,
    pub head: Option<String>,
    /// A JSON body, written as YAML; its strings may hold templates.
    pub json: Option<serde_json::Value>,
    /// A text body (a template).
    pub body: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, Scalar>,
    #[serde(default)]
    pub capture: Vec<Spanned<CaptureShape>>,
    #[serde(default)]
    pub check: Vec<String>,
    /// A pause: `100ms`, or `50ms..150ms` (uniform between).
    pub think: Option<String>,
}

/// Where a captured value comes from, and the name it goes by.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureShape {
    /// A JSON pointer into the response body.
    pub json: Option<String>,
    /// A response header.
    pub header: Option<String>,
    #[serde(rename = "as")]
    pub name: String,
}

/// A value written as a YAML scalar: a string, a number or a boolean, kept as its text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    /// The value as a template sees it.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(t) => t.clone(),
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}
