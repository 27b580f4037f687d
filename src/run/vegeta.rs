//! `--targets FILE`: vegeta's JSON targets format, one object a line, so a vegeta user's files
//! work as they are: `{"method": "POST", "url": "http://h/p", "header": {"Name": ["value"]},
//! "body": "<base64>"}`. As vegeta reads them: blank lines and the space around a line are
//! skipped; `method` and `url` must be there and not empty (there is no default method); a
//! null field is as good as absent, and fields it does not know are ignored; an empty or
//! absent body takes `-d`/`-D`'s; the line's headers come after `-H`'s, values of a name
//! added to theirs. Unlike vegeta, a last line without its newline is read, not dropped.

use crate::process::error::Error;
use crate::process::untrusted::{self, QUOTED_CHARS, quoted};
use crate::run::target::Target;
use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The most targets a file may hold: each is held (and prepared) once for the whole run.
pub const MAX_TARGETS: usize = 1_000_000;

/// One target as the file gives it: where, how, and what it adds to the run's request.
#[derive(Debug, Clone)]
pub struct VegetaTarget {
    pub target: Target,
    pub method: Method,
    /// Its own headers, sent after the run's (`-H`).
    pub headers: HeaderMap,
    /// Its own body; None: the run's (`-d`, `-D`).
    pub body: Option<Bytes>,
    /// Its line in the file, from 1, for what is refused later.
    pub line: usize,
}

/// A line as JSON holds it; what is not here is ignored, null is absent.
#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    header: Option<BTreeMap<String, Option<Vec<String>>>>,
    #[serde(default)]
    body: Option<String>,
}

/// Every target of the file at `path`, in order; anything wrong is one line naming the
/// line of the file it is on.
pub fn read(path: &Path) -> Result<Vec<VegetaTarget>, Error> {
    let text = untrusted::read_text(path, untrusted::MAX_URL_FILE_BYTES)
        .map_err(|e| Error::Input(format!("--targets: {e}")))?;
    let shown = untrusted::escaped(&path.to_string_lossy()).into_owned();
    let mut targets = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if targets.len() == MAX_TARGETS {
            return Err(Error::Input(format!(
                "--targets: '{shown}' has more than {MAX_TARGETS} targets"
            )));
        }
        let target = parse(line, i + 1)
            .map_err(|why| Error::Input(format!("--targets: '{shown}' line {}: {why}", i + 1)))?;
        targets.push(target);
    }
    if targets.is_empty() {
        return Err(Error::Input(format!("--targets: '{shown}' has no target")));
    }
    Ok(targets)
}

/// One line of the file (its number `line`), or why it is refused.
fn parse(text: &str, line: usize) -> Result<VegetaTarget, String> {
    let l: Line = serde_json::from_str(text).map_err(|e| {
        format!(
            "not a JSON target ({{\"method\", \"url\", \"header\", \"body\"}}): {}",
            quoted(&e.to_string(), QUOTED_CHARS)
        )
    })?;
    let method = l.method.filter(|m| !m.is_empty()).ok_or("has no method")?;
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("'{}' is not an HTTP method", quoted(&method, QUOTED_CHARS)))?;
    let url = l.url.filter(|u| !u.is_empty()).ok_or("has no url")?;
    let target = Target::parse(&url).map_err(|e| e.to_string())?;
    let body = match l.body.as_deref() {
        None | Some("") => None,
        Some(b64) => Some(Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("its body is not base64: {e}"))?,
        )),
    };
    Ok(VegetaTarget {
        target,
        method,
        headers: headers(l.header.unwrap_or_default())?,
        body,
        line,
    })
}

/// The line's headers as written: each name with its values in order.
fn headers(given: BTreeMap<String, Option<Vec<String>>>) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    for (name, values) in given {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            format!(
                "'{}' is not a valid header name",
                quoted(&name, QUOTED_CHARS)
            )
        })?;
        for value in values.unwrap_or_default() {
            let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
                format!("the value of '{header}' has characters a header cannot hold")
            })?;
            headers.append(header.clone(), value);
        }
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_read_as_vegeta_reads_it() {
        let t = parse(
            r#"{"method": "POST", "url": "http://127.0.0.1:9/a?b=1", "header": {"X-A": ["1", "2"], "Y": null}, "body": "QVRUQUNLIQ==", "extra": {"x": [1]}}"#,
            4,
        )
        .expect("a target");
        assert_eq!(t.method, Method::POST);
        assert_eq!(t.target.url.to_string(), "http://127.0.0.1:9/a?b=1");
        let xa: Vec<_> = t.headers.get_all("x-a").iter().collect();
        assert_eq!(xa, ["1", "2"]);
        assert!(!t.headers.contains_key("y"));
        assert_eq!(t.body.as_deref(), Some(&b"ATTACK!"[..]));
        assert_eq!(t.line, 4);
        let bare = parse(
            r#"{"method":"GET","url":"https://h/","body":"","header":null}"#,
            1,
        )
        .expect("no body, no headers");
        assert!(bare.body.is_none() && bare.headers.is_empty());
    }

    #[test]
    fn what_vegeta_refuses_is_refused() {
        let why = |text: &str| parse(text, 1).expect_err("refused");
        assert_eq!(why("{}"), "has no method");
        assert_eq!(why(r#"{"method": ""}"#), "has no method");
        assert_eq!(why(r#"{"method": "GET"}"#), "has no url");
        assert_eq!(why(r#"{"method": "GET", "url": null}"#), "has no url");
        assert!(
            why(r#"{"method": "GET", "url": "http://h/", "body": "NOT BASE64"}"#)
                .contains("not base64")
        );
        assert!(why(r#"{"method": "G T", "url": "http://h/"}"#).contains("not an HTTP method"));
        assert!(why(r#"{"method": "GET", "url": "ftp://h/"}"#).contains("scheme 'ftp'"));
        assert!(why("GET http://h/").contains("not a JSON target"));
        assert!(
            why(r#"{"method": "GET", "url": "http://h/", "header": {"X": "v"}}"#)
                .contains("not a JSON target")
        );
        assert!(
            why(r#"{"method":"GET","url":"http://h/","header":{"A B":["v"]}}"#)
                .contains("header name")
        );
    }
}
