//! A CONNECT tunnel through an HTTP proxy (https:// through `-x`), whose refusal says what
//! the proxy answered: hyper-util's tunnel keeps only "auth required" or "unsuccessful".
//! The proxy's answer is untrusted: read up to `MAX_HEAD_BYTES`, and its status line shown
//! escaped and cut.

use crate::engine::outcome;
use crate::process::untrusted;
use http::Uri;
use http::header::HeaderValue;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower_service::Service;

/// The most of a proxy's answer to CONNECT that is read: its head is a status line and a few
/// headers.
const MAX_HEAD_BYTES: usize = 8192;
/// The most of its status line a refusal shows.
const MAX_SHOWN_CHARS: usize = 100;

type BoxError = Box<dyn StdError + Send + Sync>;

/// Opens TCP connections to the proxy and asks it for a tunnel to the destination.
#[derive(Clone)]
pub struct Tunnel {
    proxy: Uri,
    auth: Option<HeaderValue>,
    tcp: HttpConnector,
}

impl Tunnel {
    /// Tunnels through `proxy`, reached by `tcp`, with its Basic credentials if any.
    pub fn new(proxy: Uri, tcp: HttpConnector, auth: Option<HeaderValue>) -> Tunnel {
        Tunnel { proxy, auth, tcp }
    }
}

/// The proxy answered CONNECT with another status than 200.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the proxy answered CONNECT with {}", self.status)
    }
}

impl StdError for Refused {}

impl Service<Uri> for Tunnel {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.tcp.call(self.proxy.clone());
        let auth = self.auth.clone();
        Box::pin(async move {
            let tcp = connecting.await?.into_inner();
            Ok(TokioIo::new(open(tcp, &dst, auth.as_ref()).await?))
        })
    }
}

/// Sends CONNECT for `dst` and reads the proxy's answer: the stream on 200, else `Refused`
/// (the status line remembered for the hint).
async fn open(
    mut tcp: TcpStream,
    dst: &Uri,
    auth: Option<&HeaderValue>,
) -> Result<TcpStream, BoxError> {
    let host = dst.host().ok_or("the URL has no host")?;
    let port = dst.port_u16().unwrap_or(443);
    let mut head =
        format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n").into_bytes();
    if let Some(auth) = auth {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    tcp.write_all(&head).await?;
    let answer = read_head(&mut tcp).await?;
    let (status, line) = status_line(&answer)?;
    if status == 200 {
        return Ok(tcp);
    }
    if status != 407 {
        outcome::remember_proxy_refusal(&line);
    }
    Err(Box::new(Refused { status }))
}

/// The proxy's answer up to the end of its head (within `MAX_HEAD_BYTES`).
async fn read_head(tcp: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut answer = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        if answer.len() >= MAX_HEAD_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the proxy's answer to CONNECT has a head over 8 KiB",
            ));
        }
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    Ok(answer)
}

/// The status code of an HTTP/1 answer, and its status line as shown (escaped, cut).
fn status_line(answer: &[u8]) -> io::Result<(u16, String)> {
    let end = answer
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(answer.len());
    let line = String::from_utf8_lossy(&answer[..end]);
    let mut words = line.splitn(3, ' ');
    let version = words.next().unwrap_or("");
    let code = words.next().unwrap_or("");
    let status = match (version.starts_with("HTTP/1."), code.len()) {
        (true, 3) => code.parse::<u16>().ok(),
        _ => None,
    };
    let shown: String = line.chars().take(MAX_SHOWN_CHARS).collect();
    let shown = untrusted::escaped(&shown).into_owned();
    match status {
        Some(status) => Ok((status, shown)),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the proxy's answer to CONNECT is not HTTP: '{shown}'"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_line_is_read_escaped_and_cut() {
        let (status, line) = status_line(b"HTTP/1.1 403 Forbidden\x1b]0;x\x07\r\nA: b\r\n\r\n")
            .expect("a status line");
        assert_eq!(status, 403);
        assert_eq!(line, "HTTP/1.1 403 Forbidden\\x1b]0;x\\x07");
        let long = format!("HTTP/1.0 502 {}\r\n\r\n", "x".repeat(500));
        let (status, line) = status_line(long.as_bytes()).expect("a status line");
        assert_eq!((status, line.chars().count()), (502, MAX_SHOWN_CHARS));
        assert!(status_line(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(status_line(b"HTTP/1.1 20 OK\r\n\r\n").is_err());
    }
}
