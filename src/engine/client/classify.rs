//! Failures into kinds: what a connect or request error is, from its chain of causes, with
//! errno values from libc (they differ between Linux and macOS).

use super::{h2_watch, tunnel};
use crate::engine::outcome::ErrorKind;
use std::error::Error as StdError;
use std::io;

/// Classifies a failure while opening a connection (DNS, TCP connect, TLS handshake).
pub fn connect_error(err: &(dyn StdError + 'static)) -> ErrorKind {
    if err.to_string().starts_with("dns error") {
        return ErrorKind::Dns;
    }
    match first_named_cause(err) {
        ErrorKind::Timeout => ErrorKind::ConnectTimeout,
        kind => kind,
    }
}

/// Classifies a failure on an open connection (send, response head, body).
pub fn request_error(err: &hyper::Error) -> ErrorKind {
    if err.is_parse() || err.is_parse_too_large() || err.is_parse_status() {
        return ErrorKind::Http1Protocol;
    }
    match first_named_cause(err) {
        ErrorKind::Other if err.is_incomplete_message() || err.is_canceled() => {
            ErrorKind::ConnectionClosed
        }
        kind => kind,
    }
}

/// Walks an error's source chain for the first cause we can name.
fn first_named_cause(err: &(dyn StdError + 'static)) -> ErrorKind {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return tls_error(tls);
        }
        if let Some(refused) = e.downcast_ref::<tunnel::Refused>() {
            return match refused.status {
                407 => ErrorKind::ProxyAuthRequired,
                _ => ErrorKind::ProxyRefused,
            };
        }
        if let Some(h2) = e.downcast_ref::<h2::Error>() {
            if let Some(io) = h2.get_io() {
                // h2's errors have no source(); the I/O error under one is here.
                cur = Some(io);
                continue;
            }
            if let Some(kind) = h2_error(h2) {
                return kind;
            }
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if h2_watch::is_not_http2(io) {
                return ErrorKind::H2Unsupported;
            }
            if let Some(kind) = io_error(io) {
                return kind;
            }
            // io::Error's own source() skips its inner error, so step into it here.
            if let Some(inner) = io.get_ref() {
                cur = Some(inner);
                continue;
            }
        }
        cur = e.source();
    }
    ErrorKind::Other
}

/// HTTP/2: whether a request failed before the server processed it, so it may be sent
/// again: hyper never handed it to the connection (which closed first), or dropped it while
/// it waited for a stream slot (the connection shut down on a GOAWAY: "dispatch task is
/// gone"), the server said GOAWAY without error (a server ending a connection after so many
/// requests, as nginx does), or it refused the stream with REFUSED_STREAM (RFC 9113, 8.7).
pub fn unprocessed_h2(err: &hyper::Error) -> bool {
    if err.is_canceled() || (err.is_user() && err.to_string() == "dispatch task is gone") {
        return true;
    }
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(h2) = e.downcast_ref::<h2::Error>() {
            return match h2.reason() {
                Some(h2::Reason::NO_ERROR) => h2.is_go_away(),
                Some(h2::Reason::REFUSED_STREAM) => true,
                _ => false,
            };
        }
        cur = e.source();
    }
    false
}

/// Maps an HTTP/2 error to its kind: a broken flow-control window, a breach h2 itself found
/// (local), then the server's GOAWAY, then a reset stream; None for the rest.
fn h2_error(err: &h2::Error) -> Option<ErrorKind> {
    if err.reason() == Some(h2::Reason::FLOW_CONTROL_ERROR) {
        Some(ErrorKind::H2FlowControl)
    } else if err.is_library() && err.reason() != Some(h2::Reason::NO_ERROR) {
        Some(ErrorKind::H2Protocol)
    } else if err.is_go_away() {
        Some(ErrorKind::H2GoAway)
    } else if err.is_reset() {
        Some(ErrorKind::H2StreamReset)
    } else {
        None
    }
}

/// Which check a TLS failure failed: the server's certificate (expired, not yet valid, not
/// for this name, unknown issuer, other), the server refusing ours, or the handshake itself.
fn tls_error(err: &rustls::Error) -> ErrorKind {
    use rustls::{AlertDescription as Alert, CertificateError as Cert};
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            Cert::Expired | Cert::ExpiredContext { .. } => ErrorKind::TlsCertExpired,
            Cert::NotValidYet | Cert::NotValidYetContext { .. } => ErrorKind::TlsCertNotYetValid,
            Cert::NotValidForName | Cert::NotValidForNameContext { .. } => ErrorKind::TlsCertName,
            Cert::UnknownIssuer => ErrorKind::TlsUnknownIssuer,
            _ => ErrorKind::TlsCertInvalid,
        },
        rustls::Error::AlertReceived(
            Alert::CertificateRequired
            | Alert::BadCertificate
            | Alert::UnsupportedCertificate
            | Alert::CertificateRevoked
            | Alert::CertificateExpired
            | Alert::CertificateUnknown
            | Alert::UnknownCA
            | Alert::AccessDenied,
        ) => ErrorKind::TlsClientCertRefused,
        _ => ErrorKind::Tls,
    }
}

/// Maps an I/O error to a kind, or None when its own cause may say more.
pub fn io_error(err: &io::Error) -> Option<ErrorKind> {
    match err.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE) => return Some(ErrorKind::TooManyOpenFiles),
        Some(libc::EADDRNOTAVAIL) => return Some(ErrorKind::AddressUnavailable),
        _ => {}
    }
    match err.kind() {
        io::ErrorKind::ConnectionRefused => Some(ErrorKind::ConnectRefused),
        io::ErrorKind::TimedOut => Some(ErrorKind::Timeout),
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => Some(ErrorKind::ConnectionReset),
        io::ErrorKind::AddrNotAvailable => Some(ErrorKind::AddressUnavailable),
        io::ErrorKind::UnexpectedEof => Some(ErrorKind::ConnectionClosed),
        // A body that breaks HTTP/1.1's framing (hyper's chunked decoder says so this way);
        // a TLS failure comes as InvalidData too, with rustls' error inside.
        io::ErrorKind::InvalidData
            if err
                .get_ref()
                .is_none_or(|inner| !inner.is::<rustls::Error>()) =>
        {
            Some(ErrorKind::Http1Protocol)
        }
        // A unix socket that is not there: nothing listens.
        io::ErrorKind::NotFound => Some(ErrorKind::ConnectRefused),
        _ if err.get_ref().is_some() => None,
        _ => Some(ErrorKind::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_map_to_their_kinds() {
        let emfile = io::Error::from_raw_os_error(libc::EMFILE);
        assert_eq!(io_error(&emfile), Some(ErrorKind::TooManyOpenFiles));
        let eaddr = io::Error::from_raw_os_error(libc::EADDRNOTAVAIL);
        assert_eq!(io_error(&eaddr), Some(ErrorKind::AddressUnavailable));
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(io_error(&refused), Some(ErrorKind::ConnectRefused));
    }

    #[test]
    fn a_timeout_while_connecting_is_a_connect_timeout() {
        let timed_out = io::Error::new(io::ErrorKind::TimedOut, "connect timeout");
        assert_eq!(connect_error(&timed_out), ErrorKind::ConnectTimeout);
    }

    #[test]
    fn a_nested_cause_is_found_through_the_chain() {
        let inner = io::Error::from(io::ErrorKind::ConnectionReset);
        let outer = io::Error::other(inner);
        assert_eq!(connect_error(&outer), ErrorKind::ConnectionReset);
    }
}
