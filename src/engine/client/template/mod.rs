//! Templates: `{{ value }}` holes in a request's path and query, header values and body,
//! compiled once into literal and value parts and filled per request (request `n`'s own
//! number, a UUID, a random integer, the time, a column of its data row).

mod parse;
mod values;

pub use values::uuid_v4;

use crate::engine::data::Row;
use std::fmt::Write as _;

/// A text with holes, compiled once: its literal parts and values, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Box<[Part]>,
    /// The literal parts' bytes: the least a filled text holds (its buffer's first size).
    literal_len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(Box<str>),
    Value(Value, Filter),
}

/// What a hole holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// The request's number in the run, from 0.
    Seq,
    /// A random UUID (v4), one per request.
    Uuid,
    /// Unix time in milliseconds when the request was made.
    NowMs,
    /// A uniform integer from the first to the second, inclusive.
    RandInt(i64, i64),
    /// The field of the request's data row in this column.
    Row(usize),
    /// Scenarios: the session's capture in this slot.
    Capture(usize),
}

/// What is done to a value before it goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Raw,
    /// Percent-encoded: everything but letters, digits and `-._~`.
    UrlEncode,
    /// Escaped as the inside of a JSON string (a scenario's `json:` body).
    Json,
}

/// What a template's holes may name: the data file's columns (None without `--data`), a
/// scenario session's captures (by slot), and whether its values land in JSON strings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub columns: Option<&'a [String]>,
    pub captures: &'a [String],
    pub json: bool,
}

/// What filling needs worked out once per request, before any template of it is filled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    pub uuid: bool,
    pub now_ms: bool,
    pub row: bool,
}

impl Uses {
    /// What either needs.
    pub fn and(self, other: Uses) -> Uses {
        Uses {
            uuid: self.uuid || other.uuid,
            now_ms: self.now_ms || other.now_ms,
            row: self.row || other.row,
        }
    }
}

/// The values of one request, shared by all its templates (one UUID and one time for the
/// whole request; each `rand_int` draws its own).
pub struct Vars<'a> {
    pub seq: u64,
    pub now_ms: u64,
    /// Empty when no template of the request uses it.
    pub uuid: &'a str,
    pub row: Option<&'a Row<'a>>,
    /// Scenarios: the session's captures, by slot; empty elsewhere.
    pub captures: &'a [String],
}

/// Values for checking a template's literal parts before the run: zeros, no row.
pub const SAMPLE: Vars<'static> = Vars {
    seq: 0,
    now_ms: 0,
    uuid: "00000000-0000-4000-8000-000000000000",
    row: None,
    captures: &[],
};

impl Template {
    /// Compiles `text`: None when it holds no `{{` (it is sent as it is). `columns` are the
    /// data file's, None without `--data`. Errors name the hole, for the caller to put its
    /// flag before.
    pub fn parse(text: &str, columns: Option<&[String]>) -> Result<Option<Template>, String> {
        let scope = Scope {
            columns,
            ..Scope::default()
        };
        parse::template(text, &scope)
    }

    /// Compiles `text` whose holes may name what `scope` holds.
    pub fn parse_in(text: &str, scope: &Scope) -> Result<Option<Template>, String> {
        parse::template(text, scope)
    }

    /// What its values need.
    pub fn uses(&self) -> Uses {
        let mut uses = Uses::default();
        for part in &self.parts {
            match part {
                Part::Value(Value::Uuid, _) => uses.uuid = true,
                Part::Value(Value::NowMs, _) => uses.now_ms = true,
                Part::Value(Value::Row(_), _) => uses.row = true,
                _ => {}
            }
        }
        uses
    }

    /// The literal parts' bytes.
    pub fn literal_len(&self) -> usize {
        self.literal_len
    }

    /// The text filled with `vars`.
    pub fn fill(&self, vars: &Vars) -> String {
        let mut out = String::with_capacity(self.literal_len + 16 * self.parts.len());
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value(value, filter) => value.write(vars, *filter, &mut out),
            }
        }
        out
    }
}

/// `text` into `out` as `filter` says.
fn push_filtered(out: &mut String, text: &str, filter: Filter) {
    match filter {
        Filter::Raw => out.push_str(text),
        Filter::UrlEncode => values::push_encoded(out, text),
        Filter::Json => values::push_json_escaped(out, text),
    }
}

impl Value {
    /// Writes this value of `vars` into `out`. Numbers and UUIDs hold only characters that
    /// `urlencode` keeps: only a row's field is ever encoded.
    fn write(self, vars: &Vars, filter: Filter, out: &mut String) {
        match self {
            Value::Seq => values::push_u64(out, vars.seq),
            Value::NowMs => values::push_u64(out, vars.now_ms),
            Value::Uuid => out.push_str(vars.uuid),
            Value::RandInt(low, high) => {
                let _ = write!(out, "{}", fastrand::i64(low..=high));
            }
            Value::Row(column) => {
                let field = vars.row.map_or("", |row| row.field(column));
                push_filtered(out, field, filter);
            }
            Value::Capture(slot) => {
                let text = vars.captures.get(slot).map_or("", String::as_str);
                push_filtered(out, text, filter);
            }
        }
    }
}
