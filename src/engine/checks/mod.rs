//! `--check EXPR`: what every response is judged on, in the client where its body is read.
//! A check that fails does not make the response a failure (as k6): the outcome carries a
//! bit a check (`Outcome::checks_failed`), and the stats count them per check.

mod grammar;

use bytes::Bytes;
use http::{HeaderMap, HeaderName};
use memchr::memmem::Finder;
use std::sync::Arc;

/// The most checks a run takes: one bit each in an outcome's `checks_failed`.
pub const MAX_CHECKS: usize = 32;
/// How much of a body the body and JSON checks look at, unless `--check-body-limit` says.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
/// The most `--check-body-limit` takes: it is held per response in flight.
pub const MAX_BODY_LIMIT: usize = 16 << 20;

/// How `status` is compared with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Compare {
    fn holds(self, a: u16, b: u16) -> bool {
        match self {
            Compare::Eq => a == b,
            Compare::Ne => a != b,
            Compare::Lt => a < b,
            Compare::Le => a <= b,
            Compare::Gt => a > b,
            Compare::Ge => a >= b,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Compare::Eq => "==",
            Compare::Ne => "!=",
            Compare::Lt => "<",
            Compare::Le => "<=",
            Compare::Gt => ">",
            Compare::Ge => ">=",
        }
    }
}

/// What one check looks at and wants.
#[derive(Debug, Clone)]
enum Kind {
    Status(Compare, u16),
    /// From and to, both included.
    StatusIn(u16, u16),
    Body {
        finder: Finder<'static>,
        negated: bool,
    },
    HeaderExists(HeaderName),
    /// Any of the header's values holds the text.
    HeaderContains(HeaderName, Finder<'static>),
    /// A JSON pointer (RFC 6901) into the body.
    JsonExists(String),
    JsonEquals(String, serde_json::Value),
}

impl Kind {
    fn reads_body(&self) -> bool {
        matches!(
            self,
            Kind::Body { .. } | Kind::JsonExists(_) | Kind::JsonEquals(..)
        )
    }
}

/// One `--check`, parsed.
#[derive(Debug, Clone)]
pub struct Check {
    kind: Kind,
    /// The canonical text: the check's name in summaries.
    text: String,
}

impl PartialEq for Check {
    fn eq(&self, other: &Check) -> bool {
        self.text == other.text
    }
}

impl Check {
    /// Parses one expression; the error is one line naming it and what was expected.
    pub fn parse(text: &str) -> Result<Check, String> {
        let kind = grammar::parse(text)?;
        let text = grammar::canonical(&kind);
        Ok(Check { kind, text })
    }

    /// The check as summaries name it (one spacing, the header's name in lower case).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The run's checks and how much of a body they see; shared by the generator's threads.
#[derive(Debug, Clone)]
pub struct Checks {
    list: Arc<[Check]>,
    /// None when no check reads the body: then it is not kept at all.
    body_limit: Option<usize>,
    /// Whether a check reads the body as JSON: then it is parsed once a response.
    reads_json: bool,
}

impl Checks {
    /// At most `MAX_CHECKS`, none twice (by canonical text: a merge would add them up).
    pub fn new(list: Vec<Check>, body_limit: usize) -> Result<Checks, String> {
        if list.len() > MAX_CHECKS {
            return Err(format!(
                "--check: {} checks given; at most {MAX_CHECKS} (each is one bit of a response's outcome)",
                list.len()
            ));
        }
        let mut earlier = list.iter().enumerate();
        if let Some((_, twice)) = earlier.find(|(i, c)| list[..*i].contains(c)) {
            return Err(format!(
                "--check '{}' is given twice: give each check once",
                twice.text
            ));
        }
        let reads_body = list.iter().any(|c| c.kind.reads_body());
        let reads_json = list
            .iter()
            .any(|c| matches!(c.kind, Kind::JsonExists(_) | Kind::JsonEquals(..)));
        Ok(Checks {
            list: list.into(),
            body_limit: reads_body.then_some(body_limit),
            reads_json,
        })
    }

    /// Each check's canonical text, in the order given.
    pub fn texts(&self) -> Vec<String> {
        self.list.iter().map(|c| c.text.clone()).collect()
    }

    /// How many bytes of the body to keep for the checks; None: none reads it.
    pub fn body_limit(&self) -> Option<usize> {
        self.body_limit
    }

    /// The checks on the head that failed, a bit each (bit i: check i).
    pub fn judge_head(&self, status: u16, headers: &HeaderMap) -> u32 {
        let mut failed = 0;
        for (i, check) in self.list.iter().enumerate() {
            let passed = match &check.kind {
                Kind::Status(op, code) => op.holds(status, *code),
                Kind::StatusIn(from, to) => (*from..=*to).contains(&status),
                Kind::HeaderExists(name) => headers.contains_key(name),
                Kind::HeaderContains(name, finder) => headers
                    .get_all(name)
                    .iter()
                    .any(|v| finder.find(v.as_bytes()).is_some()),
                _ => true,
            };
            failed |= u32::from(!passed) << i;
        }
        failed
    }

    /// The checks on the body (its first `body_limit` bytes) that failed, a bit each. A
    /// body that is not JSON (or was cut at the limit) fails every JSON check.
    pub fn judge_body(&self, body: &[u8]) -> u32 {
        let json: Option<serde_json::Value> = match self.reads_json {
            true => serde_json::from_slice(body).ok(),
            false => None,
        };
        let at = |pointer: &str| json.as_ref().and_then(|v| v.pointer(pointer));
        let mut failed = 0;
        for (i, check) in self.list.iter().enumerate() {
            let passed = match &check.kind {
                Kind::Body { finder, negated } => finder.find(body).is_some() != *negated,
                Kind::JsonExists(pointer) => at(pointer).is_some(),
                Kind::JsonEquals(pointer, want) => at(pointer) == Some(want),
                _ => true,
            };
            failed |= u32::from(!passed) << i;
        }
        failed
    }
}

/// The first bytes of a body, up to a limit, for the body checks: the first frame as it
/// came (a shared slice, no copy: most bodies the checks read come in one), copied out only
/// when a second frame is wanted too.
#[derive(Debug)]
pub struct Kept {
    limit: usize,
    first: Bytes,
    more: Option<Vec<u8>>,
}

impl Kept {
    /// Nothing kept yet, at most `limit` bytes to be.
    pub fn new(limit: usize) -> Kept {
        Kept {
            limit,
            first: Bytes::new(),
            more: None,
        }
    }

    /// Keeps what of `data` still fits under the limit.
    pub fn add(&mut self, data: &Bytes) {
        match &mut self.more {
            None if self.first.is_empty() => {
                self.first = data.slice(..data.len().min(self.limit));
            }
            None if self.first.len() >= self.limit => {}
            None => {
                let mut copied = Vec::with_capacity(self.limit.min(self.first.len() + data.len()));
                copied.extend_from_slice(&self.first);
                keep(&mut copied, data, self.limit);
                self.more = Some(copied);
            }
            Some(copied) => keep(copied, data, self.limit),
        }
    }

    /// What was kept.
    pub fn bytes(&self) -> &[u8] {
        self.more.as_deref().unwrap_or(&self.first)
    }
}

/// Keeps what of `data` still fits under `limit` bytes of `kept`.
fn keep(kept: &mut Vec<u8>, data: &[u8], limit: usize) {
    let room = limit.saturating_sub(kept.len());
    kept.extend_from_slice(&data[..room.min(data.len())]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(texts: &[&str]) -> Checks {
        let list = texts.iter().map(|t| Check::parse(t).expect(t)).collect();
        Checks::new(list, DEFAULT_BODY_LIMIT).expect("checks")
    }

    #[test]
    fn each_check_fails_its_own_bit() {
        let c = checks(&[
            "status == 200",
            "status in 200..299",
            "header x-id exists",
            r#"header content-type contains "json""#,
            r#"body contains "ok""#,
            r#"body not contains "error""#,
            "json /id exists",
            "json /n == 2",
        ]);
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().expect("value"));
        assert_eq!(c.judge_head(200, &headers), 0b0100);
        assert_eq!(c.judge_head(500, &headers), 0b0111);
        headers.insert("x-id", "7".parse().expect("value"));
        assert_eq!(c.judge_head(204, &headers), 0b0001);
        assert_eq!(c.judge_body(br#"{"id": "ok", "n": 2}"#), 0);
        assert_eq!(
            c.judge_body(br#"{"n": 3, "error": 1}"#),
            0b1111_0000,
            "no ok, an error, no id, n is not 2"
        );
        assert_eq!(c.judge_body(b"ok, not json"), 0b1100_0000);
        assert_eq!(c.body_limit(), Some(DEFAULT_BODY_LIMIT));
        assert_eq!(checks(&["status == 200"]).body_limit(), None);
    }

    #[test]
    fn too_many_or_twice_the_same_is_refused() {
        let many: Vec<String> = (0..=MAX_CHECKS).map(|i| format!("status != {i}")).collect();
        let list = many.iter().map(|t| Check::parse(t).expect(t)).collect();
        let err = Checks::new(list, 1).expect_err("33 checks");
        assert!(err.contains("33 checks given; at most 32"), "{err}");
        let list = ["status==200", "status == 200"]
            .iter()
            .map(|t| Check::parse(t).expect(t))
            .collect();
        let err = Checks::new(list, 1).expect_err("twice");
        assert!(err.contains("'status == 200' is given twice"), "{err}");
    }

    #[test]
    fn only_the_first_bytes_up_to_the_limit_are_kept() {
        let frames = |limit: usize, frames: &[&'static [u8]]| {
            let mut kept = Kept::new(limit);
            frames.iter().for_each(|f| kept.add(&Bytes::from_static(f)));
            kept.bytes().to_vec()
        };
        assert_eq!(frames(6, &[b"abcd", b"efgh", b"ijkl"]), b"abcdef");
        assert_eq!(frames(6, &[b"abcdefgh", b"ijkl"]), b"abcdef");
        assert_eq!(frames(64, &[b"ab", b"", b"cd"]), b"abcd");
        assert_eq!(frames(64, &[b"one frame"]), b"one frame");
        assert_eq!(frames(64, &[]), b"");
    }
}
