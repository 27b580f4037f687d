//! The template grammar: `{{ VALUE }}` or `{{ VALUE | urlencode }}`, spaces optional, where
//! VALUE is `seq`, `uuid`, `now_ms`, `rand_int(A, B)` or `row.NAME`; the rest is literal.

use super::{Filter, Part, Scope, Template, Value};
use crate::process::untrusted::{QUOTED_CHARS, quoted};

/// The values a hole may hold, for the refusal of another.
const KNOWN: &str = "seq, uuid, now_ms, rand_int(A, B), row.NAME";

/// Compiles `text` (see `Template::parse_in`).
pub(super) fn template(text: &str, scope: &Scope) -> Result<Option<Template>, String> {
    if !text.contains("{{") {
        return Ok(None);
    }
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(Part::Text(rest[..open].into()));
        }
        let inside = &rest[open + 2..];
        let close = inside.find("}}").ok_or_else(|| {
            format!(
                "'{}': a '{{{{' is not closed by '}}}}'",
                quoted(&rest[open..], 40)
            )
        })?;
        parts.push(hole(&inside[..close], scope)?);
        rest = &inside[close + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.into()));
    }
    let literal_len = parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.len(),
            Part::Value(..) => 0,
        })
        .sum();
    Ok(Some(Template {
        parts: parts.into(),
        literal_len,
    }))
}

/// One hole's inside (between the braces).
fn hole(inside: &str, scope: &Scope) -> Result<Part, String> {
    let columns = scope.columns;
    let shown = || format!("{{{{{}}}}}", quoted(inside, QUOTED_CHARS));
    let (expr, filter) = match inside.split_once('|') {
        None => (inside.trim(), Filter::Raw),
        Some((expr, filter)) => match filter.trim() {
            "urlencode" => (expr.trim(), Filter::UrlEncode),
            other => {
                return Err(format!(
                    "'{}': unknown filter '{}' (the one filter is urlencode)",
                    shown(),
                    quoted(other, QUOTED_CHARS)
                ));
            }
        },
    };
    let value = match expr {
        "seq" => Value::Seq,
        "uuid" => Value::Uuid,
        "now_ms" => Value::NowMs,
        _ if expr.starts_with("rand_int") => {
            rand_int(expr).map_err(|why| format!("'{}': {why}", shown()))?
        }
        _ if expr.starts_with("row.") => Value::Row(column(&expr[4..], columns, &shown())?),
        "" => return Err(format!("'{}': the braces hold no value ({KNOWN})", shown())),
        // Scenarios: a value an earlier step of the session captured.
        _ if scope.captures.iter().any(|c| c == expr) => {
            Value::Capture(scope.captures.iter().position(|c| c == expr).unwrap_or(0))
        }
        _ => {
            return Err(format!(
                "'{}': unknown value '{}' (known: {KNOWN})",
                shown(),
                quoted(expr, QUOTED_CHARS)
            ));
        }
    };
    // In a JSON body every value lands inside a JSON string: it is escaped as one.
    let filter = match (filter, scope.json) {
        (Filter::Raw, true) => Filter::Json,
        (filter, _) => filter,
    };
    Ok(Part::Value(value, filter))
}

/// `rand_int(A, B)`: two integers, the first not above the second.
fn rand_int(expr: &str) -> Result<Value, String> {
    let args = expr["rand_int".len()..]
        .trim()
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .ok_or("write rand_int(A, B), two integers in parentheses")?;
    let (low, high) = args
        .split_once(',')
        .ok_or("rand_int takes two integers: rand_int(A, B)")?;
    let number = |text: &str| {
        text.trim().parse::<i64>().map_err(|_| {
            format!(
                "'{}' is not an integer (rand_int takes two, from {} to {})",
                quoted(text.trim(), QUOTED_CHARS),
                i64::MIN,
                i64::MAX
            )
        })
    };
    let (low, high) = (number(low)?, number(high)?);
    match low <= high {
        true => Ok(Value::RandInt(low, high)),
        false => Err(format!(
            "rand_int({low}, {high}): the first is above the second"
        )),
    }
}

/// The column of `row.NAME` in the data file's header.
fn column(name: &str, columns: Option<&[String]>, shown: &str) -> Result<usize, String> {
    let name = name.trim();
    let Some(columns) = columns else {
        return Err(format!(
            "'{shown}' takes a column of a data row: give the rows with --data FILE"
        ));
    };
    columns.iter().position(|c| c == name).ok_or_else(|| {
        let have: Vec<_> = columns.iter().map(|c| quoted(c, 40)).collect();
        format!(
            "'{shown}': the data file has no column '{}' (it has {})",
            quoted(name, QUOTED_CHARS),
            quoted(&have.join(", "), QUOTED_CHARS)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::{SAMPLE, Scope, Template, Vars};
    use super::*;
    use crate::engine::data::{Row, Table};

    fn parts(text: &str) -> Vec<Part> {
        let columns = ["id".to_string(), "name".to_string()];
        Template::parse(text, Some(&columns))
            .expect("parses")
            .expect("has holes")
            .parts
            .into_vec()
    }

    fn refusal(text: &str, columns: Option<&[String]>) -> String {
        Template::parse(text, columns).expect_err("refused")
    }

    #[test]
    fn holes_and_literals_in_order_with_or_without_spaces() {
        use Part::{Text, Value as V};
        assert_eq!(
            parts("/u/{{seq}}?id={{ row.id | urlencode }}&r={{rand_int(1,6)}}{{ uuid }}"),
            [
                Text("/u/".into()),
                V(Value::Seq, Filter::Raw),
                Text("?id=".into()),
                V(Value::Row(0), Filter::UrlEncode),
                Text("&r=".into()),
                V(Value::RandInt(1, 6), Filter::Raw),
                V(Value::Uuid, Filter::Raw),
            ]
        );
        assert_eq!(
            parts("{{  now_ms  }}|{{row.name|urlencode}}}"),
            [
                V(Value::NowMs, Filter::Raw),
                Text("|".into()),
                V(Value::Row(1), Filter::UrlEncode),
                Text("}".into()),
            ]
        );
        assert_eq!(
            parts("{{ rand_int ( -5 , 5 ) }}"),
            [V(Value::RandInt(-5, 5), Filter::Raw)]
        );
        assert_eq!(Template::parse("/plain/{one}/}}", None), Ok(None));
    }

    #[test]
    fn filled_with_the_requests_values() {
        let columns = ["id".to_string(), "name".to_string()];
        let t = Template::parse(
            "{{seq}}:{{row.name}}:{{row.name|urlencode}}:{{uuid}}:{{now_ms}}:{{rand_int(3,3)}}",
            Some(&columns),
        )
        .expect("parses")
        .expect("holes");
        let mut table = Table::new(2);
        table.push(["7", "a b"]);
        let row = Row::Held(&table, 0);
        let vars = Vars {
            seq: 41,
            now_ms: 1700000000123,
            uuid: "u-u",
            row: Some(&row),
            captures: &[],
        };
        assert_eq!(t.fill(&vars), "41:a b:a%20b:u-u:1700000000123:3");
        assert_eq!(
            t.fill(&SAMPLE),
            "0:::00000000-0000-4000-8000-000000000000:0:3"
        );
        let uses = t.uses();
        assert!(uses.uuid && uses.now_ms && uses.row);
        let dice = Template::parse("{{ rand_int(1, 6) }}", None)
            .expect("parses")
            .expect("holes");
        let rolls: std::collections::BTreeSet<_> = (0..600).map(|_| dice.fill(&SAMPLE)).collect();
        assert_eq!(
            rolls.into_iter().collect::<Vec<_>>(),
            ["1", "2", "3", "4", "5", "6"]
        );
    }

    #[test]
    fn bad_templates_are_refused_naming_the_hole() {
        let columns = ["id".to_string()];
        let cases = [
            ("/{{ seq", None, "not closed"),
            ("/{{ sequence }}", None, "unknown value 'sequence'"),
            ("/{{ }}", None, "no value"),
            ("/{{ seq | upper }}", None, "unknown filter 'upper'"),
            ("/{{ row.id }}", None, "--data FILE"),
            (
                "/{{ row.nope }}",
                Some(&columns[..]),
                "no column 'nope' (it has id)",
            ),
            ("{{ rand_int(1) }}", None, "two integers"),
            ("{{ rand_int 1, 2 }}", None, "parentheses"),
            ("{{ rand_int(1, x) }}", None, "'x' is not an integer"),
            ("{{ rand_int(6, 1) }}", None, "first is above"),
        ];
        for (text, columns, says) in cases {
            let why = refusal(text, columns);
            assert!(why.contains(says), "{text}: {why}");
        }
        assert!(refusal("/{{ nope }}", None).contains("{{ nope }}"));
    }

    #[test]
    fn captures_are_values_and_json_bodies_escape_them() {
        let captures = ["token".to_string(), "rid".to_string()];
        let scope = Scope {
            captures: &captures,
            json: true,
            ..Scope::default()
        };
        let t = Template::parse_in(
            r#"{"a": "{{ rid }}", "b": "{{ token | urlencode }}"}"#,
            &scope,
        )
        .expect("parses")
        .expect("holes");
        let values = ["x y".to_string(), "q\"r".to_string()];
        let vars = Vars {
            captures: &values,
            ..SAMPLE
        };
        assert_eq!(t.fill(&vars), r#"{"a": "q\"r", "b": "x%20y"}"#);
        assert!(refusal("/{{ token }}", None).contains("unknown value"));
    }
}
