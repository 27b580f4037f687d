//! The `--check` grammar: `status == 200` (`!=`, `<`, `<=`, `>`, `>=`), `status in 200..299`,
//! `body contains "TEXT"`, `body not contains "TEXT"`, `header NAME exists`,
//! `header NAME contains "TEXT"`, `json /pointer exists`, `json /pointer == VALUE`.
//! Parsed once, before the run; each check also gets one canonical text, the name the
//! summaries (and a merge of them) know it by.

use super::{Compare, Kind};
use crate::process::untrusted::{QUOTED_CHARS, quoted};
use http::HeaderName;
use memchr::memmem::Finder;
use serde::de::DeserializeOwned;

/// Every form, for the end of a refusal.
const FORMS: &str = "status == 200 (or !=, <, <=, >, >=), status in 200..299, \
                     body contains \"TEXT\", body not contains \"TEXT\", header NAME exists, \
                     header NAME contains \"TEXT\", json /pointer exists, json /pointer == VALUE";

/// `text` as a check, or one line naming it and what was expected where it went wrong.
pub fn parse(text: &str) -> Result<Kind, String> {
    let refuse = |why: &str| {
        format!(
            "'{}' is not a check: {why} (the forms: {FORMS})",
            quoted(text, QUOTED_CHARS)
        )
    };
    let t = text.trim();
    let word_end = t
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(t.len());
    let rest = t[word_end..].trim_start();
    match &t[..word_end] {
        "status" => status(rest),
        "body" => body(rest),
        "header" => header(rest),
        "json" => json(rest),
        _ => Err("expected status, body, header or json first".into()),
    }
    .map_err(|why| refuse(&why))
}

/// After `status`: a comparison with a code, or `in A..B`.
fn status(rest: &str) -> Result<Kind, String> {
    if let Some(range) = rest.strip_prefix("in") {
        let (from, to) = range
            .trim()
            .split_once("..")
            .ok_or("after 'status in', expected a range of codes like 200..299")?;
        let (from, to) = (code(from)?, code(to)?);
        if from > to {
            return Err(format!(
                "the range {from}..{to} is empty (from is above to)"
            ));
        }
        return Ok(Kind::StatusIn(from, to));
    }
    let ops = [
        ("==", Compare::Eq),
        ("!=", Compare::Ne),
        ("<=", Compare::Le),
        (">=", Compare::Ge),
        ("<", Compare::Lt),
        (">", Compare::Gt),
    ];
    let (op, value) = ops
        .iter()
        .find_map(|(text, op)| rest.strip_prefix(text).map(|v| (*op, v)))
        .ok_or("after 'status', expected ==, !=, <, <=, >, >= or in")?;
    Ok(Kind::Status(op, code(value)?))
}

/// A status code: a whole number up to 999.
fn code(text: &str) -> Result<u16, String> {
    let t = text.trim();
    match t.parse::<u16>() {
        Ok(n) if n <= 999 && t.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!(
            "'{}' is not a status code (a whole number up to 999)",
            quoted(t, QUOTED_CHARS)
        )),
    }
}

/// After `body`: `contains "TEXT"` or `not contains "TEXT"`.
fn body(rest: &str) -> Result<Kind, String> {
    let (negated, rest) = match rest.strip_prefix("not ") {
        Some(r) => (true, r.trim_start()),
        None => (false, rest),
    };
    let text = rest
        .strip_prefix("contains")
        .ok_or("after 'body', expected contains \"TEXT\" or not contains \"TEXT\"")?;
    let needle: String = literal(text, "after 'contains', expected a \"quoted text\"")?;
    Ok(Kind::Body {
        finder: Finder::new(needle.as_bytes()).into_owned(),
        negated,
    })
}

/// After `header`: a name, then `exists` or `contains "TEXT"`.
fn header(rest: &str) -> Result<Kind, String> {
    let (name, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        format!(
            "after 'header', expected a header name, not '{}'",
            quoted(name, QUOTED_CHARS)
        )
    })?;
    let tail = tail.trim();
    if tail == "exists" {
        return Ok(Kind::HeaderExists(name));
    }
    let text = tail
        .strip_prefix("contains")
        .ok_or("after the header's name, expected exists or contains \"TEXT\"")?;
    let needle: String = literal(text, "after 'contains', expected a \"quoted text\"")?;
    Ok(Kind::HeaderContains(
        name,
        Finder::new(needle.as_bytes()).into_owned(),
    ))
}

/// After `json`: a JSON pointer (`/a/0/b`), then `exists` or `== VALUE`.
fn json(rest: &str) -> Result<Kind, String> {
    let (pointer, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !pointer.starts_with('/') {
        return Err(
            "after 'json', expected a JSON pointer starting with / (as /id or /items/0/name)"
                .into(),
        );
    }
    let tail = tail.trim();
    if tail == "exists" {
        return Ok(Kind::JsonExists(pointer.to_string()));
    }
    let value = tail
        .strip_prefix("==")
        .ok_or("after the pointer, expected exists or == VALUE")?;
    let value = literal(
        value,
        "after '==', expected a JSON value (1, \"text\", true, null, [..], {..})",
    )?;
    Ok(Kind::JsonEquals(pointer.to_string(), value))
}

/// One JSON value (a "quoted text" is a JSON string, with its escapes) and nothing after it.
fn literal<T: DeserializeOwned>(text: &str, expected: &str) -> Result<T, String> {
    let text = text.trim();
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<T>();
    match values.next() {
        Some(Ok(value)) if text[values.byte_offset()..].trim().is_empty() => Ok(value),
        Some(Ok(_)) => Err(format!(
            "'{}' follows the value: expected nothing more",
            quoted(text[values.byte_offset()..].trim(), QUOTED_CHARS)
        )),
        _ => Err(expected.to_string()),
    }
}

/// The check as summaries name it: one spacing, the header's name in lower case, texts
/// and values written as compact JSON.
pub fn canonical(kind: &Kind) -> String {
    let text = |finder: &Finder| {
        serde_json::to_string(&String::from_utf8_lossy(finder.needle())).unwrap_or_default()
    };
    match kind {
        Kind::Status(op, code) => format!("status {} {code}", op.as_str()),
        Kind::StatusIn(from, to) => format!("status in {from}..{to}"),
        Kind::Body {
            finder,
            negated: false,
        } => format!("body contains {}", text(finder)),
        Kind::Body {
            finder,
            negated: true,
        } => format!("body not contains {}", text(finder)),
        Kind::HeaderExists(name) => format!("header {name} exists"),
        Kind::HeaderContains(name, finder) => format!("header {name} contains {}", text(finder)),
        Kind::JsonExists(pointer) => format!("json {pointer} exists"),
        Kind::JsonEquals(pointer, value) => format!("json {pointer} == {value}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        canonical(&parse(text).unwrap_or_else(|e| panic!("{text}: {e}")))
    }

    #[test]
    fn every_form_parses_into_its_canonical_text() {
        for (typed, canonical) in [
            ("status == 200", "status == 200"),
            ("status==200", "status == 200"),
            ("  status   !=  500 ", "status != 500"),
            ("status < 400", "status < 400"),
            ("status <= 399", "status <= 399"),
            ("status > 199", "status > 199"),
            ("status >= 200", "status >= 200"),
            ("status in 200..299", "status in 200..299"),
            ("status in 200 .. 299", "status in 200..299"),
            (r#"body contains "ok""#, r#"body contains "ok""#),
            (
                r#"body   not   contains "a \"b\"""#,
                r#"body not contains "a \"b\"""#,
            ),
            ("header Content-Type exists", "header content-type exists"),
            (
                r#"header X-Id contains "abc""#,
                r#"header x-id contains "abc""#,
            ),
            ("json /id exists", "json /id exists"),
            ("json /a/0 == 1", "json /a/0 == 1"),
            (r#"json /name == "x""#, r#"json /name == "x""#),
            (
                r#"json /o == { "a" : [1, true] }"#,
                r#"json /o == {"a":[1,true]}"#,
            ),
            ("json /n == null", "json /n == null"),
        ] {
            assert_eq!(shown(typed), canonical, "{typed}");
            assert_eq!(
                shown(canonical),
                canonical,
                "the canonical text parses to itself"
            );
        }
    }

    #[test]
    fn a_bad_check_names_itself_and_what_was_expected() {
        for (bad, expected) in [
            ("", "expected status, body, header or json first"),
            ("latency < 5", "expected status, body, header or json first"),
            ("status = 200", "expected ==, !=, <, <=, >, >= or in"),
            ("status == ok", "'ok' is not a status code"),
            ("status == 1000", "'1000' is not a status code"),
            ("status in 299..200", "is empty"),
            ("status in 200-299", "a range of codes"),
            ("body has \"x\"", "expected contains"),
            ("body contains ok", "a \"quoted text\""),
            ("body contains \"ok", "a \"quoted text\""),
            ("body contains \"ok\" extra", "'extra' follows the value"),
            ("header exists", "after the header's name, expected exists"),
            ("header bad:name exists", "expected a header name"),
            ("header x-a is \"1\"", "expected exists or contains"),
            ("json id exists", "a JSON pointer starting with /"),
            ("json /id", "expected exists or == VALUE"),
            ("json /id == nope", "expected a JSON value"),
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(
                err.starts_with(&format!("'{bad}' is not a check: ")),
                "{err}"
            );
            assert!(err.contains(expected), "{bad}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
}
