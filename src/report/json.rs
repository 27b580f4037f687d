//! The JSON summary's layout: indented like `to_string_pretty` down to the lists, and each
//! entry of a list (a second of the series, a step of the timeline) on one line, so a run
//! of an hour is 3,600 lines, not 40,000.

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

/// Containers opened at this depth or deeper are written on one line.
const ONE_LINE_FROM_DEPTH: usize = 2;

/// `value` as JSON, newline-terminated, in the layout above.
pub fn to_string(value: &impl Serialize) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    value.serialize(&mut ser)?;
    out.push(b'\n');
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Pretty above `ONE_LINE_FROM_DEPTH`, one line (with spaces after `,` and `:`) below.
#[derive(Default)]
struct Layout {
    pretty: PrettyFormatter<'static>,
    /// Containers open now.
    depth: usize,
}

impl Layout {
    /// Whether the innermost open container is laid out pretty.
    fn inside_pretty(&self) -> bool {
        self.depth <= ONE_LINE_FROM_DEPTH
    }
}

impl Formatter for Layout {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        match self.depth <= ONE_LINE_FROM_DEPTH {
            true => self.pretty.begin_array(w),
            false => w.write_all(b"["),
        }
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let pretty = self.inside_pretty();
        self.depth -= 1;
        match pretty {
            true => self.pretty.end_array(w),
            false => w.write_all(b"]"),
        }
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        match (self.inside_pretty(), first) {
            (true, _) => self.pretty.begin_array_value(w, first),
            (false, true) => Ok(()),
            (false, false) => w.write_all(b", "),
        }
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.inside_pretty() {
            true => self.pretty.end_array_value(w),
            false => Ok(()),
        }
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        match self.depth <= ONE_LINE_FROM_DEPTH {
            true => self.pretty.begin_object(w),
            false => w.write_all(b"{"),
        }
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let pretty = self.inside_pretty();
        self.depth -= 1;
        match pretty {
            true => self.pretty.end_object(w),
            false => w.write_all(b"}"),
        }
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        match (self.inside_pretty(), first) {
            (true, _) => self.pretty.begin_object_key(w, first),
            (false, true) => Ok(()),
            (false, false) => w.write_all(b", "),
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.inside_pretty() {
            true => self.pretty.begin_object_value(w),
            false => w.write_all(b": "),
        }
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.inside_pretty() {
            true => self.pretty.end_object_value(w),
            false => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_entries_take_one_line_each_and_parse_back() {
        let value = json!({
            "target": "http://127.0.0.1/",
            "latency_ms": {"p50": 1.5, "p99": 3.0},
            "series": [{"t_s": 1.0, "ok": 5, "p": {"a": [1, 2]}}, {"t_s": 2.0, "ok": 6, "p": null}],
            "empty": [],
        });
        let text = to_string(&value).expect("json");
        let want = r#"{
  "empty": [],
  "latency_ms": {
    "p50": 1.5,
    "p99": 3.0
  },
  "series": [
    {"ok": 5, "p": {"a": [1, 2]}, "t_s": 1.0},
    {"ok": 6, "p": null, "t_s": 2.0}
  ],
  "target": "http://127.0.0.1/"
}
"#;
        assert_eq!(text, want);
        let back: serde_json::Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, value);
    }
}
