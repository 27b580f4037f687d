//! Reading a `--data` file row by row, each row within a cap, whatever the file's size: CSV
//! with a header row, or JSON Lines of flat objects (the first line's keys are the columns).

use super::table::Table;
use crate::process::untrusted::{self, QUOTED_CHARS, escaped, quoted};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The most bytes of one row (a CSV record, a JSON line).
pub const MAX_ROW_BYTES: u64 = 1 << 20;

/// How the rows are written, told by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// `.csv`, or `.jsonl` / `.ndjson`.
    pub fn of(path: &Path) -> Result<Format, String> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match extension.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::JsonLines),
            _ => Err(format!(
                "'{}': name a .csv file (a header row, then rows) or a .jsonl / .ndjson file \
                 (a flat JSON object a line)",
                escaped(&path.to_string_lossy())
            )),
        }
    }
}

/// A data file open for reading, its columns known, one row at a time.
pub struct Records {
    source: Source,
    columns: Vec<String>,
    /// The file's name, escaped, for errors.
    shown: String,
}

enum Source {
    Csv {
        reader: csv::Reader<Capped>,
        record: csv::StringRecord,
        /// Bytes pulled from the file since the last row ended (`Capped`).
        pulled: Arc<AtomicU64>,
        /// The line the last row started on.
        line: u64,
    },
    Json {
        reader: BufReader<File>,
        line: u64,
        buf: Vec<u8>,
        /// The first object, read for its keys and not yet handed out.
        first: Option<Map<String, Value>>,
    },
}

impl Records {
    /// Opens `path` (a regular file) and reads its columns: a CSV file's header row, a JSON
    /// Lines file's first object.
    pub fn open(path: &Path, format: Format) -> Result<Records, String> {
        let shown = escaped(&path.to_string_lossy()).into_owned();
        let file = untrusted::open_regular(path).map_err(|why| format!("'{shown}' {why}"))?;
        let (source, columns) = match format {
            Format::Csv => open_csv(file, &shown)?,
            Format::JsonLines => open_json(file, &shown)?,
        };
        Ok(Records {
            source,
            columns,
            shown,
        })
    }

    /// The columns' names, in the order rows hold their fields.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Adds the next row to `table`; false at the end of the file. A row that does not fit
    /// the columns, is not UTF-8 or is longer than `MAX_ROW_BYTES` is an error naming its line.
    pub fn next_into(&mut self, table: &mut Table) -> Result<bool, String> {
        let shown = &self.shown;
        match &mut self.source {
            Source::Csv {
                reader,
                record,
                pulled,
                line,
            } => {
                let more = reader
                    .read_record(record)
                    .map_err(|e| csv_error(&e, shown, *line + 1))?;
                pulled.store(0, Relaxed);
                if !more {
                    return Ok(false);
                }
                *line = record.position().map_or(*line + 1, |p| p.line());
                push(table, record.iter(), shown, *line)?;
                Ok(true)
            }
            Source::Json {
                reader,
                line,
                buf,
                first,
            } => {
                let object = match first.take() {
                    Some(object) => object,
                    None => match next_object(reader, line, buf, shown)? {
                        Some(object) => object,
                        None => return Ok(false),
                    },
                };
                let fields = json_fields(&object, &self.columns, shown, *line)?;
                push(table, fields.iter().map(|f| f.as_ref()), shown, *line)?;
                Ok(true)
            }
        }
    }
}

/// Adds a row's fields to `table`, or says the rows held are too many.
fn push<'a>(
    table: &mut Table,
    fields: impl IntoIterator<Item = &'a str>,
    shown: &str,
    line: u64,
) -> Result<(), String> {
    match table.push(fields) {
        true => Ok(()),
        false => Err(format!("'{shown}' line {line}: too many rows at once")),
    }
}

/// Most bytes pulled from a CSV file for one row: the row's cap, and the reader's buffer ahead.
const CSV_PULL_CAP: u64 = MAX_ROW_BYTES + (64 << 10);

/// The file under a CSV reader, refusing to give more than `CSV_PULL_CAP` bytes for one row:
/// the csv crate grows its record to whatever a row holds.
struct Capped {
    file: File,
    pulled: Arc<AtomicU64>,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        match self.pulled.fetch_add(n as u64, Relaxed) + n as u64 > CSV_PULL_CAP {
            true => Err(std::io::Error::other(RowTooLong)),
            false => Ok(n),
        }
    }
}

/// The error `Capped` gives.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row longer than {} MiB", MAX_ROW_BYTES >> 20)
    }
}

impl std::error::Error for RowTooLong {}

/// A CSV file's reader and its header's columns.
fn open_csv(file: File, shown: &str) -> Result<(Source, Vec<String>), String> {
    let pulled = Arc::new(AtomicU64::new(0));
    let capped = Capped {
        file,
        pulled: Arc::clone(&pulled),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::Headers)
        .from_reader(capped);
    let header = reader.headers().map_err(|e| csv_error(&e, shown, 1))?;
    if header.is_empty() {
        return Err(format!(
            "'{shown}' is empty: give a header row (the columns' names), then the rows"
        ));
    }
    let columns: Vec<String> = header.iter().map(String::from).collect();
    check_names(&columns, shown)?;
    pulled.store(0, Relaxed);
    let source = Source::Csv {
        reader,
        record: csv::StringRecord::new(),
        pulled,
        line: 1,
    };
    Ok((source, columns))
}

/// Every column has a name, and no two the same.
fn check_names(columns: &[String], shown: &str) -> Result<(), String> {
    for (i, name) in columns.iter().enumerate() {
        if name.is_empty() {
            return Err(format!("'{shown}' line 1: column {} has no name", i + 1));
        }
        if columns[..i].contains(name) {
            return Err(format!(
                "'{shown}' line 1: the column '{}' is named twice",
                quoted(name, QUOTED_CHARS)
            ));
        }
    }
    Ok(())
}

/// A CSV reader's error as one line naming the line it is on (`line` when it names none).
fn csv_error(e: &csv::Error, shown: &str, line: u64) -> String {
    let at = |pos: &Option<csv::Position>| pos.as_ref().map_or(line, |p| p.line());
    match e.kind() {
        csv::ErrorKind::Utf8 { pos, .. } => {
            format!("'{shown}' line {} is not UTF-8 text", at(pos))
        }
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "'{shown}' line {} has {len} fields where the header has {expected_len}",
            at(pos)
        ),
        csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()) => {
            format!("'{shown}' line {line}: {RowTooLong}")
        }
        csv::ErrorKind::Io(io) => format!("cannot read '{shown}': {io}"),
        _ => format!(
            "'{shown}' line {line}: {}",
            quoted(&e.to_string(), QUOTED_CHARS)
        ),
    }
}

/// A JSON Lines file's reader and its first object's keys.
fn open_json(file: File, shown: &str) -> Result<(Source, Vec<String>), String> {
    let mut reader = BufReader::new(file);
    let (mut line, mut buf) = (0, Vec::new());
    let first = next_object(&mut reader, &mut line, &mut buf, shown)?.ok_or_else(|| {
        format!("'{shown}' is empty: give a flat JSON object a line, the same keys on each")
    })?;
    let columns: Vec<String> = first.keys().cloned().collect();
    if columns.is_empty() {
        return Err(format!("'{shown}' line {line}: the object has no keys"));
    }
    let source = Source::Json {
        reader,
        line,
        buf,
        first: Some(first),
    };
    Ok((source, columns))
}

/// The next non-blank line's object; None at the end of the file.
fn next_object(
    reader: &mut BufReader<File>,
    line: &mut u64,
    buf: &mut Vec<u8>,
    shown: &str,
) -> Result<Option<Map<String, Value>>, String> {
    loop {
        buf.clear();
        let read = reader
            .by_ref()
            .take(MAX_ROW_BYTES + 1)
            .read_until(b'\n', buf)
            .map_err(|e| format!("cannot read '{shown}': {e}"))?;
        if read == 0 {
            return Ok(None);
        }
        *line += 1;
        if buf.len() as u64 > MAX_ROW_BYTES {
            return Err(format!("'{shown}' line {line}: {RowTooLong}"));
        }
        let text = std::str::from_utf8(buf).map_err(|e| {
            format!(
                "'{shown}' line {line} is not UTF-8 text (at byte {} of the line)",
                e.valid_up_to() + 1
            )
        })?;
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        return match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => Ok(Some(object)),
            Ok(_) => Err(format!("'{shown}' line {line} is not a JSON object")),
            Err(e) => Err(format!(
                "'{shown}' line {line} is not JSON: {}",
                quoted(&e.to_string(), QUOTED_CHARS)
            )),
        };
    }
}

/// An object's fields in column order: strings as they are, numbers and booleans as JSON
/// writes them, null as nothing; the object must have exactly the columns' keys.
fn json_fields<'a>(
    object: &'a Map<String, Value>,
    columns: &[String],
    shown: &str,
    line: u64,
) -> Result<Vec<Cow<'a, str>>, String> {
    let mut fields = Vec::with_capacity(columns.len());
    for name in columns {
        let value = object.get(name).ok_or_else(|| {
            format!(
                "'{shown}' line {line} lacks the key '{}' that the first object has",
                quoted(name, QUOTED_CHARS)
            )
        })?;
        fields.push(match value {
            Value::String(s) => Cow::Borrowed(s.as_str()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Null => Cow::Borrowed(""),
            Value::Array(_) | Value::Object(_) => {
                return Err(format!(
                    "'{shown}' line {line}: '{}' holds an array or object: give flat objects \
                     (strings, numbers, booleans, null)",
                    quoted(name, QUOTED_CHARS)
                ));
            }
        });
    }
    if object.len() > columns.len()
        && let Some(extra) = object.keys().find(|k| !columns.contains(k))
    {
        return Err(format!(
            "'{shown}' line {line} has the key '{}' that the first object has not",
            quoted(extra, QUOTED_CHARS)
        ));
    }
    Ok(fields)
}
