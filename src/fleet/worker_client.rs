//! Talking to one worker's control API: its status, its summary, a change. A worker is a
//! peer, not a part of this process: every answer is read under a deadline and a cap, and
//! what it says is shown escaped.

use crate::control::status::Status;
use crate::control::token::Token;
use crate::process::untrusted;
use crate::report::Summary;
use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// The largest `/status` read: a real one is about 7 KB with its four histograms (a few
/// tens of KB for latencies spread over the histogram's whole range).
pub const MAX_STATUS_BYTES: usize = 1 << 20;
/// The largest `/summary` read: as for a summary file (`merge`, `plot`), a day's series
/// (about 100 bytes a second) and timeline with room.
pub const MAX_SUMMARY_BYTES: usize = untrusted::MAX_SUMMARY_BYTES as usize;
/// The largest answer to a change (the knobs in force) or refusal (one line).
const MAX_REPLY_BYTES: usize = 64 << 10;
/// The longest a status may take, whole (the worker waits up to 5 s for a new tick).
const STATUS_DEADLINE: Duration = Duration::from_secs(15);
/// The longest the summary may take, whole (the worker waits up to 10 s for its run's end;
/// a day's summary is a few MB).
const SUMMARY_DEADLINE: Duration = Duration::from_secs(60);
/// The longest a change may take, whole.
const CHANGE_DEADLINE: Duration = Duration::from_secs(5);
/// The most of a worker's own words (an error's body) shown in a line.
const MAX_SHOWN_CHARS: usize = 200;

/// Why a call to a worker came to nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Trouble {
    /// It did not answer, or not with a 200 (it may be starting, stopping, or busy).
    Down(String),
    /// It answered 200 with what no worker honestly sends: left out.
    Bad(String),
}

impl Trouble {
    /// Why, as shown.
    pub fn why(&self) -> &str {
        match self {
            Trouble::Down(why) | Trouble::Bad(why) => why,
        }
    }
}

/// `text` from a worker as it may be shown: one line, escaped, cut.
pub fn shown(text: &str) -> String {
    let text = text.trim();
    let cut: String = text.chars().take(MAX_SHOWN_CHARS).collect();
    let ellipsis = if cut.len() < text.len() { "…" } else { "" };
    format!("{}{ellipsis}", untrusted::escaped(&cut))
}

/// One HTTP client for every worker.
#[derive(Clone)]
pub struct WorkerClient {
    http: Client<HttpConnector, Full<Bytes>>,
    token: Option<Token>,
}

/// A worker's control address, `http://HOST:PORT` (a bare `HOST:PORT` is taken as that).
/// A `user:password@` is refused (the fleet authenticates with its token), and every
/// refusal quotes the address with any password hidden.
pub fn parse_address(given: &str) -> Result<Uri, String> {
    let t = given.trim().trim_end_matches('/');
    let text = untrusted::quoted(&untrusted::redact(t), untrusted::QUOTED_CHARS);
    let bad = |why: &str| format!("fleet: '{text}' {why}");
    if t.split_once("://")
        .map_or(t, |(_, rest)| rest)
        .contains('@')
    {
        return Err(bad(
            "has a user:password@: a worker's control API takes none; the fleet steers \
             with --control-token (or SLUICE_CONTROL_TOKEN), which is never shown",
        ));
    }
    let with_scheme = match t.contains("://") {
        true => t.to_string(),
        false => format!("http://{t}"),
    };
    let uri: Uri = with_scheme
        .parse()
        .map_err(|_| bad("is not a worker's control address (HOST:PORT)"))?;
    // The port as written, when there is one (`[::1]` alone has none).
    let port_text = uri
        .authority()
        .and_then(|a| a.as_str().rsplit_once(':'))
        .map(|(_, p)| p)
        .filter(|p| !p.contains(']'));
    match (uri.scheme_str(), uri.port_u16(), port_text) {
        (Some("http"), Some(1..), _) if bare(&uri) => Ok(uri),
        (Some("http"), Some(1..), _) => Err(bad("has a path or a query: give HOST:PORT alone")),
        (Some("http"), _, Some(p)) => Err(bad(&format!(
            "has port {}: a port is a number from 1 to 65535 (the worker's --control port)",
            untrusted::quoted(p, untrusted::QUOTED_CHARS)
        ))),
        (Some("http"), _, None) => Err(bad("has no port (the worker's --control port)")),
        _ => Err(bad(
            "is not plain http://, the only scheme the control API speaks",
        )),
    }
}

/// Whether `uri` is a scheme, a host and a port alone: no path, no query.
fn bare(uri: &Uri) -> bool {
    matches!(uri.path(), "" | "/") && uri.query().is_none()
}

impl WorkerClient {
    pub fn new(token: Option<Token>) -> WorkerClient {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(3)));
        connector.set_nodelay(true);
        WorkerClient {
            http: Client::builder(TokioExecutor::new()).build(connector),
            token,
        }
    }

    /// Whether it steers with a token.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Sends a request to `base` + `path`; the body of a 200 (at most `cap` bytes), or why
    /// not, all within `deadline`.
    async fn call(
        &self,
        method: Method,
        (base, path): (&Uri, &str),
        body: Bytes,
        (cap, deadline): (usize, Duration),
    ) -> Result<Bytes, Trouble> {
        let uri = format!("{}{path}", base.to_string().trim_end_matches('/'));
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = &self.token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", token.reveal()));
        }
        let down = |e: &dyn std::fmt::Display| Trouble::Down(shown(&e.to_string()));
        let req = req.body(Full::new(body)).map_err(|e| down(&e))?;
        let answer = async {
            let response = self.http.request(req).await.map_err(|e| down(&e))?;
            let status = response.status();
            let cap = if status == StatusCode::OK {
                cap
            } else {
                MAX_REPLY_BYTES
            };
            let body = Limited::new(response.into_body(), cap).collect().await;
            let body = match body {
                Ok(body) => body.to_bytes(),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    return Err(Trouble::Bad(format!(
                        "its answer to {path} is over {} KiB, more than a worker sends",
                        cap >> 10
                    )));
                }
                Err(e) => return Err(down(&e)),
            };
            match status {
                StatusCode::OK => Ok(body),
                s => Err(Trouble::Down(format!(
                    "{s}: {}",
                    shown(&String::from_utf8_lossy(&body))
                ))),
            }
        };
        tokio::time::timeout(deadline, answer)
            .await
            .map_err(|_| Trouble::Down(format!("no whole answer to {path} within {deadline:?}")))?
    }

    /// The worker's status after tick `after` (at once for 0), as sent: check it before use.
    pub async fn status(&self, base: &Uri, after: u64) -> Result<Status, Trouble> {
        let path = match after {
            0 => "/status".to_string(),
            n => format!("/status?after={n}"),
        };
        let limits = (MAX_STATUS_BYTES, STATUS_DEADLINE);
        let body = self
            .call(Method::GET, (base, &path), Bytes::new(), limits)
            .await?;
        serde_json::from_slice(&body)
            .map_err(|e| Trouble::Bad(format!("not a sluice status: {}", shown(&e.to_string()))))
    }

    /// The worker's summary, once its run has ended.
    pub async fn summary(&self, base: &Uri) -> Result<Summary, Trouble> {
        let limits = (MAX_SUMMARY_BYTES, SUMMARY_DEADLINE);
        let body = self
            .call(Method::GET, (base, "/summary"), Bytes::new(), limits)
            .await?;
        crate::report::read::from_bytes(&body, "its /summary").map_err(Trouble::Bad)
    }

    /// POSTs a change (`/limit`, `/rate`, `/pause`, …) with its JSON body.
    pub async fn post(&self, base: &Uri, path: &str, body: String) -> Result<(), Trouble> {
        let limits = (MAX_REPLY_BYTES, CHANGE_DEADLINE);
        self.call(Method::POST, (base, path), body.into(), limits)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workers_words_are_shown_on_one_line_escaped_and_cut() {
        assert_eq!(shown(" 503: busy\n"), "503: busy");
        assert_eq!(shown("\u{1b}]0;PWNED\u{7}"), "\\x1b]0;PWNED\\x07");
        let long = shown(&"x".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_SHOWN_CHARS + 1, "{long}");
    }

    #[test]
    fn addresses_need_a_port_and_plain_http() {
        assert_eq!(
            parse_address("127.0.0.1:9090").unwrap().to_string(),
            "http://127.0.0.1:9090/"
        );
        assert_eq!(
            parse_address("http://w-0.sluice:9090/").unwrap().port_u16(),
            Some(9090)
        );
        assert!(parse_address("127.0.0.1").is_err());
        assert!(parse_address("https://127.0.0.1:9090").is_err());
        assert!(parse_address("127.0.0.1:9090/status").is_err());
        assert!(parse_address("not an address").is_err());
        for hidden in [
            "http://u:SECRET@127.0.0.1:9090",
            "u:SECRET@127.0.0.1:9090",
            "http://u:SEC?RET@127.0.0.1:9090",
            "https://u:SECRET@127.0.0.1:9090",
        ] {
            let err = parse_address(hidden).unwrap_err();
            assert!(err.contains("u:***@") && !err.contains("SEC"), "{err}");
            assert!(err.contains("--control-token"), "{err}");
        }
        let err = parse_address("127.0.0.1:99999").unwrap_err();
        assert!(
            err.contains("port 99999") && !err.contains("no port"),
            "{err}"
        );
    }
}
