//! A validated run configuration: every bad input is caught here, as one `Error::Input` line.

use crate::cli::{OutputFormat, RunArgs};
use crate::error::Error;
use crate::generator::plan::Plan;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Uri};
use std::path::PathBuf;
use std::time::Duration;

/// Everything a run needs, checked and in its final units.
#[derive(Debug, Clone)]
pub struct Config {
    /// The URL to load; None means: start the demo target and load that.
    pub target: Option<Uri>,
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub plan: Plan,
    pub concurrency: usize,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub insecure: bool,
    pub headless: bool,
    /// Dashboard: what + and - add or take from the limit.
    pub step: usize,
    /// Dashboard: leave when the run ends instead of waiting for a key.
    pub exit_on_done: bool,
    pub output_format: OutputFormat,
    pub output: Option<PathBuf>,
}

impl Config {
    /// Checks the parsed arguments; `stdout_is_terminal` picks headless mode when it is not.
    pub fn from_args(args: RunArgs, stdout_is_terminal: bool) -> Result<Config, Error> {
        let target = args.url.as_deref().map(parse_url).transpose()?;
        let method = Method::from_bytes(args.method.as_bytes()).map_err(|_| {
            Error::Input(format!(
                "-m: '{}' is not an HTTP method (GET, POST, PUT, ...)",
                args.method
            ))
        })?;
        let headers = parse_headers(&args.headers)?;
        let body = match (args.body, args.body_file) {
            (Some(text), _) => Bytes::from(text),
            (None, Some(path)) => std::fs::read(&path)
                .map(Bytes::from)
                .map_err(|e| Error::Input(format!("-D: cannot read '{}': {e}", path.display())))?,
            (None, None) => Bytes::new(),
        };
        if let Some(path) = &args.output {
            check_output_dir(path)?;
        }
        Ok(Config {
            target,
            method,
            headers,
            body,
            plan: Plan {
                max_requests: args.requests,
                duration: args.duration,
            },
            concurrency: args.concurrency,
            timeout: args.timeout,
            connect_timeout: args.connect_timeout,
            insecure: args.insecure,
            headless: args.no_tui || !stdout_is_terminal,
            step: args.step,
            exit_on_done: args.exit_on_done,
            output_format: args.output_format,
            output: args.output,
        })
    }
}

/// An absolute http:// or https:// URL with a host.
pub fn parse_url(text: &str) -> Result<Uri, Error> {
    let uri: Uri = text.parse().map_err(|_| {
        Error::Input(format!(
            "'{text}' is not a URL: give one like http://127.0.0.1:8080/path"
        ))
    })?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(Error::Input(format!(
                "'{text}': scheme '{other}' is not supported: use http:// or https://"
            )));
        }
        None => {
            return Err(Error::Input(format!(
                "'{text}' has no scheme: write http://{text} or https://{text}"
            )));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(Error::Input(format!("'{text}' has no host")));
    }
    Ok(uri)
}

/// The summary file's folder must exist, so a long run is not lost at the very end.
fn check_output_dir(path: &std::path::Path) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if dir.is_dir() {
        Ok(())
    } else {
        Err(Error::Input(format!(
            "-o: folder '{}' does not exist",
            dir.display()
        )))
    }
}

/// `Name: value` pairs; a line without a colon or with an invalid name is refused.
fn parse_headers(lines: &[String]) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| {
            Error::Input(format!(
                "-H: '{line}' has no colon: write it as \"Name: value\""
            ))
        })?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            Error::Input(format!("-H: '{}' is not a valid header name", name.trim()))
        })?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| {
            Error::Input(format!(
                "-H: the value of '{name}' has characters a header cannot hold"
            ))
        })?;
        headers.append(name, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input_error(r: Result<impl std::fmt::Debug, Error>) -> String {
        match r {
            Err(Error::Input(msg)) => msg,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn urls_need_http_or_https_and_a_host() {
        assert!(parse_url("http://127.0.0.1:8080/x?y=1").is_ok());
        assert!(parse_url("https://example.test").is_ok());
        assert!(input_error(parse_url("ftp://example.test")).contains("scheme 'ftp'"));
        assert!(input_error(parse_url("example.test")).contains("no scheme"));
        assert!(input_error(parse_url("http://exa mple")).contains("not a URL"));
    }

    #[test]
    fn headers_are_split_at_the_first_colon() {
        let h = parse_headers(&["X-A: 1".into(), "Host: a:8080".into(), "X-A: 2".into()])
            .expect("valid headers");
        assert_eq!(h.get_all("x-a").iter().count(), 2);
        assert_eq!(h["host"], "a:8080");
        assert!(input_error(parse_headers(&["NoColon".into()])).contains("no colon"));
        assert!(input_error(parse_headers(&["Bad Name: x".into()])).contains("header name"));
    }
}
