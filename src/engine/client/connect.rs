//! Opening connections: hyper-util's TCP connector (nodelay) wrapped in rustls, the whole of
//! it (TCP connect and TLS handshake) bounded by the connect timeout; optionally to another
//! address than the URL's (`--connect-to`), through an HTTP proxy (`-x`), or over a unix
//! socket (`--unix-socket`).

use super::classify;
use super::protocol::Protocol;
use super::stream::Stream;
use super::tunnel::Tunnel;
use crate::engine::outcome::ErrorKind;
use http::Uri;
use http::header::HeaderValue;
use http::uri::Authority;
use hyper_rustls::{FixedServerNameResolver, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_service::Service;

/// Where connections go, besides the URL's own address.
#[derive(Debug, Clone, Default)]
pub struct Route {
    /// `--connect-to`: this address instead of the URL's (TLS still checks the URL's name).
    pub dial: Option<Authority>,
    /// `-x`: an HTTP proxy (plain http:// URL), and its Basic credentials.
    pub proxy: Option<(Uri, Option<HeaderValue>)>,
    /// `--unix-socket`: this socket instead of TCP (http:// only).
    pub unix: Option<PathBuf>,
}

/// How the connector reaches the server.
#[derive(Clone)]
enum Inner {
    /// TCP to the URL's address (or `dial`), then TLS for https.
    Direct(HttpsConnector<HttpConnector>),
    /// A CONNECT tunnel through a proxy, then TLS (https through `-x`).
    Tunnel(HttpsConnector<Tunnel>),
    /// A unix socket.
    Unix(Arc<PathBuf>),
}

/// Opens every new connection (http:// or https://) within the connect timeout.
#[derive(Clone)]
pub struct Connector {
    inner: Inner,
    timeout: Duration,
    /// Where sockets go instead of the origin's address (`--connect-to`, or the proxy for
    /// http:// through `-x`).
    dial: Option<Uri>,
    /// http:// through a proxy: requests carry the whole URL (absolute form).
    absolute_form: bool,
}

impl Connector {
    /// Connects to `origin`: TCP, then TLS for https; past the timeout (a silent server
    /// that never finishes the handshake included) it is a `connect_timeout`.
    pub async fn connect(&self, origin: &Uri) -> Result<Stream, ErrorKind> {
        let to = self.dial.as_ref().unwrap_or(origin).clone();
        let opening = async {
            match &self.inner {
                Inner::Direct(c) => c.clone().call(to).await.map(Stream::from),
                Inner::Tunnel(c) => c.clone().call(to).await.map(Stream::from),
                Inner::Unix(path) => tokio::net::UnixStream::connect(path.as_path())
                    .await
                    .map(|s| Stream::Unix(TokioIo::new(s)))
                    .map_err(Into::into),
            }
        };
        match tokio::time::timeout(self.timeout, opening).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(e)) => Err(classify::connect_error(&*e)),
            Err(_) => Err(ErrorKind::ConnectTimeout),
        }
    }

    /// Whether requests must carry the whole URL: plain http through a proxy.
    pub fn absolute_form(&self) -> bool {
        self.absolute_form
    }
}

/// Builds the connector for `origin`: TCP_NODELAY, a connect timeout, TLS when the URL says
/// so, offering `protocol` (HTTP/1.1 or h2) by ALPN, along `route`.
pub fn connector(
    connect_timeout: Duration,
    tls: ClientConfig,
    origin: &Uri,
    route: Route,
    protocol: Protocol,
) -> Connector {
    let http2 = protocol.is_http2();
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(connect_timeout));
    let https = origin.scheme_str() == Some("https");
    let (inner, dial) = match (&route.unix, &route.proxy) {
        (Some(path), _) => (Inner::Unix(Arc::new(path.clone())), None),
        (None, Some((proxy, auth))) if https => {
            let tunnel = Tunnel::new(proxy.clone(), tcp, auth.clone());
            (
                Inner::Tunnel(tls_over(tunnel, tls, origin, false, http2)),
                None,
            )
        }
        (None, Some((proxy, _))) => {
            let to = proxy.authority().cloned();
            (Inner::Direct(tls_over(tcp, tls, origin, false, http2)), to)
        }
        (None, None) => {
            let pinned_name = route.dial.is_some();
            let inner = Inner::Direct(tls_over(tcp, tls, origin, pinned_name, http2));
            (inner, route.dial.clone())
        }
    };
    Connector {
        inner,
        timeout: connect_timeout,
        dial: dial.map(|to| uri_for(origin, to)),
        absolute_form: route.unix.is_none() && route.proxy.is_some() && !https,
    }
}

/// rustls over `tcp`, offering exactly the one protocol asked for by ALPN: h2 with
/// `--http2`, else http/1.1 (so a server is never switched to h2 by itself). With
/// `fixed_name`, TLS names and checks `origin`'s host whatever address the socket reaches.
fn tls_over<C>(
    tcp: C,
    tls: ClientConfig,
    origin: &Uri,
    fixed_name: bool,
    http2: bool,
) -> HttpsConnector<C> {
    let builder = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let builder = match server_name(origin) {
        Some(name) if fixed_name => {
            builder.with_server_name_resolver(FixedServerNameResolver::new(name))
        }
        _ => builder,
    };
    match http2 {
        true => builder.enable_http2().wrap_connector(tcp),
        false => builder.enable_http1().wrap_connector(tcp),
    }
}

/// `origin`'s scheme with another authority: what the TCP connector is asked to reach.
fn uri_for(origin: &Uri, to: Authority) -> Uri {
    let mut parts = http::uri::Parts::default();
    parts.scheme = origin.scheme().cloned();
    parts.authority = Some(to);
    parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    Uri::from_parts(parts).expect("scheme and authority make a URI")
}

/// The name TLS checks for `origin`: its host (a DNS name or an IP address).
fn server_name(origin: &Uri) -> Option<ServerName<'static>> {
    let host = origin.host()?.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_string()).ok()
}
