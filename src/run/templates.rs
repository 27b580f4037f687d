//! A run's templates and data file (`{{ ... }}` in the URL's path and query, `-H` values,
//! `-d`, `--body-template`; `--data`, `--data-order`), compiled and checked before any load:
//! each refusal one line naming the hole, the column or the line of the file.

use crate::engine::client::Vary;
use crate::engine::client::template::{SAMPLE, Template};
use crate::engine::data::{self, DataFile, Order, RowStream, Rows, Table};
use crate::engine::shard::Shard;
use crate::process::error::Error;
use crate::process::untrusted::{self, QUOTED_CHARS, escaped, quoted, redact, redact_authority};
use crate::run::cli::{DataOrder, RunArgs};
use crate::run::target::Target;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, HeaderName, HeaderValue, TRANSFER_ENCODING};
use http::uri::PathAndQuery;
use std::sync::Arc;

/// `-H` values that are templates: each header's name and its compiled value.
pub type TemplatedHeaders = Vec<(HeaderName, Template)>;

/// What a run fills per request beside the URLs' paths (each `Target` holds its own).
#[derive(Debug, Clone, Default)]
pub struct Templating {
    /// `-H` lines whose value holds a template.
    pub headers: TemplatedHeaders,
    /// `-d` or `--body-template` with a template in it.
    pub body: Option<Template>,
    pub data: Option<Data>,
}

/// `--data`, read and checked: the file, its order, and its rows when they are held.
#[derive(Debug, Clone)]
pub struct Data {
    pub file: DataFile,
    pub order: Order,
    /// `sequential` and `random`: the rows, read before the run; `once` streams them.
    pub table: Option<Arc<Table>>,
}

impl Data {
    /// The data file's columns.
    pub fn columns(&self) -> &[String] {
        &self.file.columns
    }
}

impl Templating {
    /// Whether any template takes a column of the data rows (the URLs' paths besides these).
    fn uses_rows(&self, targets: &[&Target]) -> bool {
        let paths = targets.iter().filter_map(|t| t.template.as_ref());
        let headers = self.headers.iter().map(|(_, t)| t);
        paths.chain(headers).chain(&self.body).any(|t| t.uses().row)
    }
}

/// `--data` read and checked whole (`once`: scanned a row at a time, held: loaded).
pub fn data_of(args: &RunArgs) -> Result<Option<Data>, Error> {
    let Some(path) = &args.data else {
        return match args.data_order {
            Some(_) => Err(Error::Input(
                "--data-order takes the rows of --data FILE (or of a --scenario file's data:): \
                 give one"
                    .into(),
            )),
            None => Ok(None),
        };
    };
    let order = match args.data_order.unwrap_or(DataOrder::Sequential) {
        DataOrder::Sequential => Order::Sequential,
        DataOrder::Random => Order::Random,
        DataOrder::Once => Order::Once,
    };
    let bad = |e: String| Error::Input(format!("--data: {e}"));
    let (file, table) = match order {
        Order::Once => (data::scan(path).map_err(bad)?, None),
        _ => {
            let (file, table) = data::load(path).map_err(bad)?;
            (file, Some(Arc::new(table)))
        }
    };
    Ok(Some(Data { file, order, table }))
}

/// The requests a run makes at most: `-n`, and with `--data-order once` no more than rows.
pub fn max_requests(requests: Option<u64>, data: Option<&Data>) -> Option<u64> {
    match data {
        Some(d) if d.order == Order::Once => {
            Some(requests.map_or(d.file.rows, |n| n.min(d.file.rows)))
        }
        _ => requests,
    }
}

/// A URL whose path and query may hold templates; the scheme and authority may not (the
/// origin is fixed and checked before the run). `columns`: the data file's.
pub fn target_of(text: &str, columns: Option<&[String]>) -> Result<Target, Error> {
    if !text.contains("{{") {
        return Target::parse(text);
    }
    let shown = quoted(&redact(text), QUOTED_CHARS);
    let authority_at = text.find("://").map_or(0, |i| i + 3);
    let path_at = text[authority_at..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| authority_at + i);
    if text[..path_at].contains("{{") || authority_at == 0 {
        return Err(Error::Input(format!(
            "'{shown}': a template in the scheme or host is not taken: the origin is fixed and \
             checked before the run (--urls-from-file gives several)"
        )));
    }
    let path = match &text[path_at..] {
        query if query.starts_with('?') => format!("/{query}"),
        path => path.to_string(),
    };
    if path.contains('#') {
        return Err(Error::Input(format!(
            "'{shown}' has a #fragment, which is never sent: leave it out"
        )));
    }
    let bad = |why: String| Error::Input(format!("'{shown}': {why}"));
    let template = Template::parse(&path, columns).map_err(bad)?;
    if PathAndQuery::try_from(template.as_ref().map_or(path.clone(), |t| t.fill(&SAMPLE))).is_err()
    {
        return Err(bad(
            "its path is not a valid URL path even before it is filled: percent-encode spaces \
             and other characters a URL cannot hold"
                .into(),
        ));
    }
    let mut target = Target::parse(&format!("{}/", &text[..path_at]))?;
    target.shown = redact_authority(text);
    target.template = template;
    Ok(target)
}

/// The `-H` lines sent as they are, and the templated ones (name and compiled value). A
/// templated Host, Content-Length or Transfer-Encoding is refused: the origin and the framing
/// are sluice's.
pub fn split_headers(
    lines: &[String],
    columns: Option<&[String]>,
) -> Result<(Vec<String>, TemplatedHeaders), Error> {
    let (mut plain, mut templated) = (Vec::new(), Vec::new());
    for line in lines {
        let Some((name, value)) = line.split_once(':').filter(|(_, v)| v.contains("{{")) else {
            plain.push(line.clone());
            continue;
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            Error::Input(format!(
                "-H: '{}' is not a valid header name",
                quoted(name.trim(), QUOTED_CHARS)
            ))
        })?;
        if [HOST, CONTENT_LENGTH, TRANSFER_ENCODING].contains(&name) {
            return Err(Error::Input(format!(
                "-H: {name} cannot be a template: the origin and the body's framing are fixed"
            )));
        }
        let template = Template::parse(value.trim(), columns)
            .map_err(|e| Error::Input(format!("-H {name}: {e}")))?;
        let Some(template) = template else { continue };
        if HeaderValue::from_str(&template.fill(&SAMPLE)).is_err() {
            return Err(Error::Input(format!(
                "-H: the value of '{name}' has characters a header cannot hold"
            )));
        }
        templated.push((name, template));
    }
    Ok((plain, templated))
}

/// The body sent as it is (`-d` or `--body-template` without a template, `-D`), and the body
/// template. A Content-Length beside a templated body is refused: it changes per request.
pub fn body_of(
    args: &RunArgs,
    columns: Option<&[String]>,
) -> Result<(Bytes, Option<Template>), Error> {
    let (text, flag) = match (&args.body, &args.body_template, &args.body_file) {
        (Some(text), _, _) => (text.clone(), "-d".to_string()),
        (None, Some(path), _) => {
            let text = untrusted::read_text(path, untrusted::MAX_BODY_BYTES)
                .map_err(|e| Error::Input(format!("--body-template: {e}")))?;
            (
                text,
                format!("--body-template '{}'", escaped(&path.to_string_lossy())),
            )
        }
        (None, None, Some(path)) => {
            let bytes = untrusted::read_file(path, untrusted::MAX_BODY_BYTES)
                .map_err(|e| Error::Input(format!("-D: {e}")))?;
            return Ok((Bytes::from(bytes), None));
        }
        (None, None, None) => return Ok((Bytes::new(), None)),
    };
    match Template::parse(&text, columns).map_err(|e| Error::Input(format!("{flag}: {e}")))? {
        None => Ok((Bytes::from(text), None)),
        Some(_) if has_content_length(&args.headers) => Err(Error::Input(format!(
            "-H: Content-Length cannot be given with a templated body ({flag}): its length \
             changes per request, and sluice computes it"
        ))),
        Some(template) => Ok((Bytes::new(), Some(template))),
    }
}

/// Whether an `-H` line sets Content-Length.
fn has_content_length(lines: &[String]) -> bool {
    lines.iter().any(|line| {
        line.split_once(':')
            .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
    })
}

/// Where the run's values come from: `seq` counted across `shard`s, and the data rows
/// (held, or streamed by a thread started now) when a template takes them.
pub fn vary_of(
    templating: &Templating,
    (targets, scenario_rows): (&[&Target], bool),
    shard: Option<Shard>,
) -> Result<Vary, Error> {
    let rows = match &templating.data {
        Some(data) if scenario_rows || templating.uses_rows(targets) => Some(match &data.table {
            Some(table) => Rows::Held {
                table: Arc::clone(table),
                random: data.order == Order::Random,
            },
            None => Rows::Streamed(RowStream::start(&data.file, shard).map_err(|e| {
                Error::Runtime(format!("cannot start the thread that reads --data: {e}"))
            })?),
        }),
        _ => None,
    };
    Ok(Vary { shard, rows })
}
