//! Opening connections: hyper-util's TCP connector (nodelay) wrapped in rustls, the whole of
//! it (TCP connect and TLS handshake) bounded by the connect timeout, optionally to another
//! address than the URL's (`--connect-to`).

use super::classify;
use super::stream::Stream;
use crate::outcome::ErrorKind;
use http::Uri;
use http::uri::Authority;
use hyper_rustls::{FixedServerNameResolver, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use std::time::Duration;
use tower_service::Service;

/// Opens every new connection (http:// or https://) within the connect timeout.
#[derive(Clone)]
pub struct Connector {
    inner: HttpsConnector<HttpConnector>,
    timeout: Duration,
    /// Where sockets go instead of the origin's address (`--connect-to`).
    dial: Option<Uri>,
}

impl Connector {
    /// Connects to `origin`: TCP, then TLS for https; past the timeout (a silent server
    /// that never finishes the handshake included) it is a `connect_timeout`.
    pub async fn connect(&self, origin: &Uri) -> Result<Stream, ErrorKind> {
        let opening = self
            .inner
            .clone()
            .call(self.dial.as_ref().unwrap_or(origin).clone());
        match tokio::time::timeout(self.timeout, opening).await {
            Ok(Ok(stream)) => Ok(Stream::from(stream)),
            Ok(Err(e)) => Err(classify::connect_error(&*e)),
            Err(_) => Err(ErrorKind::ConnectTimeout),
        }
    }
}

/// Builds the connector for `origin`: TCP_NODELAY, a connect timeout, TLS when the URL says
/// so, offering HTTP/1.1 or (`http2`) h2 by ALPN. With `dial` (from `--connect-to`) the socket goes there, while TLS still
/// names and checks `origin`'s host.
pub fn connector(
    connect_timeout: Duration,
    tls: ClientConfig,
    origin: &Uri,
    dial: Option<Authority>,
    http2: bool,
) -> Connector {
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(connect_timeout));
    let builder = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let builder = match server_name(origin) {
        Some(name) if dial.is_some() => {
            builder.with_server_name_resolver(FixedServerNameResolver::new(name))
        }
        _ => builder,
    };
    // ALPN offers exactly the one protocol asked for: h2 with --http2, else http/1.1 (so a
    // server is never switched to h2 by itself).
    let inner = match http2 {
        true => builder.enable_http2().wrap_connector(tcp),
        false => builder.enable_http1().wrap_connector(tcp),
    };
    let dial = dial.map(|to| {
        let mut parts = http::uri::Parts::default();
        parts.scheme = origin.scheme().cloned();
        parts.authority = Some(to);
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
        Uri::from_parts(parts).expect("scheme and authority make a URI")
    });
    Connector {
        inner,
        timeout: connect_timeout,
        dial,
    }
}

/// The name TLS checks for `origin`: its host (a DNS name or an IP address).
fn server_name(origin: &Uri) -> Option<ServerName<'static>> {
    let host = origin.host()?.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_string()).ok()
}
