//! Talking to one worker's control API: its status, its summary, a change.

use crate::control::status::Status;
use crate::control::token::Token;
use crate::report::Summary;
use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// The longest a worker's answer may take (a status waits up to 5 s for a new tick).
const ANSWER_DEADLINE: Duration = Duration::from_secs(15);

/// One HTTP client for every worker.
#[derive(Clone)]
pub struct WorkerClient {
    http: Client<HttpConnector, Full<Bytes>>,
    token: Option<Token>,
}

/// A worker's control address, `http://HOST:PORT` (a bare `HOST:PORT` is taken as that).
pub fn parse_address(text: &str) -> Result<Uri, String> {
    let t = text.trim().trim_end_matches('/');
    let with_scheme = match t.contains("://") {
        true => t.to_string(),
        false => format!("http://{t}"),
    };
    let uri: Uri = with_scheme
        .parse()
        .map_err(|_| format!("fleet: '{text}' is not a worker's control address (HOST:PORT)"))?;
    match (uri.scheme_str(), uri.port_u16()) {
        (Some("http"), Some(_)) if uri.path() == "/" || uri.path().is_empty() => Ok(uri),
        (Some("http"), Some(_)) => Err(format!("fleet: '{text}': give HOST:PORT, without a path")),
        (Some("http"), None) => Err(format!(
            "fleet: '{text}' has no port (the worker's --control port)"
        )),
        _ => Err(format!(
            "fleet: '{text}': the control API speaks plain http"
        )),
    }
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

    /// Sends a request to `base` + `path`; the body of a 200, or why not.
    async fn call(
        &self,
        method: Method,
        base: &Uri,
        path: &str,
        body: Bytes,
    ) -> Result<Bytes, String> {
        let uri = format!("{}{path}", base.to_string().trim_end_matches('/'));
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = &self.token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", token.reveal()));
        }
        let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
        let answer = async {
            let response = self.http.request(req).await.map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?;
            match status {
                StatusCode::OK => Ok(body.to_bytes()),
                s => Err(format!(
                    "{s}: {}",
                    String::from_utf8_lossy(&body.to_bytes()).trim()
                )),
            }
        };
        tokio::time::timeout(ANSWER_DEADLINE, answer)
            .await
            .map_err(|_| "no answer in time".to_string())?
    }

    /// The worker's status after tick `after` (at once for 0).
    pub async fn status(&self, base: &Uri, after: u64) -> Result<Status, String> {
        let path = match after {
            0 => "/status".to_string(),
            n => format!("/status?after={n}"),
        };
        let body = self.call(Method::GET, base, &path, Bytes::new()).await?;
        serde_json::from_slice(&body).map_err(|e| format!("not a sluice status: {e}"))
    }

    /// The worker's summary, once its run has ended.
    pub async fn summary(&self, base: &Uri) -> Result<Summary, String> {
        let body = self
            .call(Method::GET, base, "/summary", Bytes::new())
            .await?;
        serde_json::from_slice(&body).map_err(|e| format!("not a sluice summary: {e}"))
    }

    /// POSTs a change (`/limit`, `/rate`, `/pause`, …) with its JSON body.
    pub async fn post(&self, base: &Uri, path: &str, body: String) -> Result<(), String> {
        self.call(Method::POST, base, path, body.into())
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
