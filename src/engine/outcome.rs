//! One `Outcome` per request: the only thing the engine tells the stats side, and the
//! kinds of failure it counts.

/// How one request ended, as the stats count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// An HTTP response arrived (any status) and its body was read to the end.
    Status(u16),
    /// The request failed; the kind says how.
    Error(ErrorKind),
    /// The run ended (stop, or `-z` ran out) while the request was in flight.
    Aborted,
}

/// One finished request: latency from when it was due (its start, in concurrency mode) to
/// the last body byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub latency_us: u64,
    /// How long after it was due the request started (0 when it started on time, and always
    /// in concurrency mode); the server's part, the service time, is `latency_us - late_us`.
    pub late_us: u64,
    pub verdict: Verdict,
    /// Body bytes of the response.
    pub bytes: u64,
    /// The response's head (status line and headers) as HTTP/1.1 text, in bytes.
    pub head_bytes: u32,
    /// Which URL of `--urls-from-file` or `--targets` (1 for the first); 0 in a run with
    /// one URL.
    pub target: u32,
    /// From the start to the response's head, connecting excluded (`connect_us`): how long
    /// the server took to begin its answer; 0 without a response.
    pub ttfb_us: u32,
    /// How long opening the connection took (TCP, TLS, a proxy's CONNECT), when this
    /// request opened one (the last, if it opened several).
    pub connect_us: u32,
    /// Connections this request opened: 0 when it reused one.
    pub opened: u8,
    /// `--check`: bit i set when check i failed on this response (0 without checks).
    pub checks_failed: u32,
    /// `-r`: redirects followed on the way to this outcome.
    pub redirects: u8,
    // Scenarios (issue 26).
    /// `--scenario`: the step's number among all flows' request steps (0 elsewhere).
    pub step: u16,
    /// `--scenario`: what this outcome tells of its session, `SESSION_*` bits (0 elsewhere).
    pub session: u8,
    /// `--scenario`: on a session's last outcome, how long the session took (microseconds).
    pub session_us: u32,
}

/// `Outcome::session`: this step started its session.
pub const SESSION_STARTED: u8 = 1;
/// `Outcome::session`: the session walked all its steps.
pub const SESSION_COMPLETED: u8 = 2;
/// `Outcome::session`: the session failed at this step; its later steps were skipped.
pub const SESSION_FAILED: u8 = 4;

impl Outcome {
    /// The service time: from the actual send to the last body byte.
    pub fn service_us(&self) -> u64 {
        self.latency_us.saturating_sub(self.late_us)
    }

    /// A request that was in flight when the run ended.
    pub fn aborted() -> Outcome {
        Outcome {
            latency_us: 0,
            late_us: 0,
            verdict: Verdict::Aborted,
            bytes: 0,
            head_bytes: 0,
            target: 0,
            ttfb_us: 0,
            connect_us: 0,
            opened: 0,
            checks_failed: 0,
            redirects: 0,
            step: 0,
            session: 0,
            session_us: 0,
        }
    }
}

/// `d` in whole microseconds as an outcome's timings hold them (up to 71 minutes; the
/// histograms stop at an hour).
pub fn micros_u32(d: std::time::Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// Why a request failed, coarse enough to count and to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    ConnectRefused,
    ConnectTimeout,
    Timeout,
    TooManyOpenFiles,
    AddressUnavailable,
    ConnectionReset,
    ConnectionClosed,
    Dns,
    /// A TLS handshake that failed for another reason than the server's certificate.
    Tls,
    /// TLS: the server's certificate has expired.
    TlsCertExpired,
    /// TLS: the server's certificate is not valid yet.
    TlsCertNotYetValid,
    /// TLS: the server's certificate does not hold the URL's host name.
    TlsCertName,
    /// TLS: the server's certificate chains to no CA sluice trusts.
    TlsUnknownIssuer,
    /// TLS: the server's certificate was refused for another reason (signature, purpose...).
    TlsCertInvalid,
    /// TLS: the server refused sluice's client certificate, or wants one.
    TlsClientCertRefused,
    /// A proxy answered CONNECT with 407: it wants credentials.
    ProxyAuthRequired,
    /// A proxy answered CONNECT with another status than 200.
    ProxyRefused,
    /// HTTP/2: the server sent GOAWAY (the connection ends; requests past its last stream
    /// were not processed).
    H2GoAway,
    /// HTTP/2: this request's stream was reset (RST_STREAM, e.g. REFUSED_STREAM).
    H2StreamReset,
    /// HTTP/2: a flow-control window was broken (FLOW_CONTROL_ERROR).
    H2FlowControl,
    /// HTTP/2: sluice's own HTTP/2 stack found the server breaking the protocol (a
    /// CONTINUATION flood, a header list too large to decode, a malformed frame).
    H2Protocol,
    /// `--http2`: the server does not speak HTTP/2 (its first bytes were not a SETTINGS
    /// frame, or it closed after the preface).
    H2Unsupported,
    /// HTTP/1.1: the server's answer is not valid HTTP (a malformed status line or header,
    /// a header section too large, a bad body length or chunk).
    Http1Protocol,
    /// `-r`: a redirect to another origin (scheme, host or port), not followed.
    RedirectOffsite,
    // Templates (issue 25): requests that were filled but could not be sent.
    /// A URL template filled into a URL that is not valid (a value with a space, unencoded).
    InvalidUrl,
    /// A header template filled into a value a header cannot hold (a line break).
    InvalidHeader,
    /// Scenarios: a capture found nothing in its step's response: the session failed.
    CaptureMissing,
    Other,
}

impl ErrorKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [ErrorKind; 28] = [
        ErrorKind::ConnectRefused,
        ErrorKind::ConnectTimeout,
        ErrorKind::Timeout,
        ErrorKind::TooManyOpenFiles,
        ErrorKind::AddressUnavailable,
        ErrorKind::ConnectionReset,
        ErrorKind::ConnectionClosed,
        ErrorKind::Dns,
        ErrorKind::Tls,
        ErrorKind::TlsCertExpired,
        ErrorKind::TlsCertNotYetValid,
        ErrorKind::TlsCertName,
        ErrorKind::TlsUnknownIssuer,
        ErrorKind::TlsCertInvalid,
        ErrorKind::TlsClientCertRefused,
        ErrorKind::ProxyAuthRequired,
        ErrorKind::ProxyRefused,
        ErrorKind::H2GoAway,
        ErrorKind::H2StreamReset,
        ErrorKind::H2FlowControl,
        ErrorKind::H2Protocol,
        ErrorKind::H2Unsupported,
        ErrorKind::Http1Protocol,
        ErrorKind::RedirectOffsite,
        ErrorKind::InvalidUrl,
        ErrorKind::InvalidHeader,
        ErrorKind::CaptureMissing,
        ErrorKind::Other,
    ];

    /// The snake_case name used in the JSON summary and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ConnectRefused => "connect_refused",
            ErrorKind::ConnectTimeout => "connect_timeout",
            ErrorKind::Timeout => "timeout",
            ErrorKind::TooManyOpenFiles => "too_many_open_files",
            ErrorKind::AddressUnavailable => "address_unavailable",
            ErrorKind::ConnectionReset => "connection_reset",
            ErrorKind::ConnectionClosed => "connection_closed",
            ErrorKind::Dns => "dns",
            ErrorKind::Tls => "tls",
            ErrorKind::TlsCertExpired => "tls_cert_expired",
            ErrorKind::TlsCertNotYetValid => "tls_cert_not_yet_valid",
            ErrorKind::TlsCertName => "tls_cert_name",
            ErrorKind::TlsUnknownIssuer => "tls_unknown_issuer",
            ErrorKind::TlsCertInvalid => "tls_cert_invalid",
            ErrorKind::TlsClientCertRefused => "tls_client_cert_refused",
            ErrorKind::ProxyAuthRequired => "proxy_auth_required",
            ErrorKind::ProxyRefused => "proxy_refused",
            ErrorKind::H2GoAway => "h2_goaway",
            ErrorKind::H2StreamReset => "h2_stream_reset",
            ErrorKind::H2FlowControl => "h2_flow_control",
            ErrorKind::H2Protocol => "h2_protocol_error",
            ErrorKind::H2Unsupported => "h2_unsupported",
            ErrorKind::Http1Protocol => "http1_protocol_error",
            ErrorKind::RedirectOffsite => "redirect_offsite",
            ErrorKind::InvalidUrl => "invalid_url",
            ErrorKind::InvalidHeader => "invalid_header",
            ErrorKind::CaptureMissing => "capture_missing",
            ErrorKind::Other => "other",
        }
    }

    /// The kind `as_str` names.
    pub fn parse(word: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// A one-line hint for kinds whose cause is on this side or has a known fix.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            ErrorKind::AddressUnavailable => Some(
                "ephemeral ports exhausted: connections are not being reused (does the server close them?)",
            ),
            ErrorKind::TooManyOpenFiles => {
                Some("out of file descriptors: raise ulimit -n or lower the limit")
            }
            ErrorKind::ProxyRefused => Some(
                PROXY_ANSWER
                    .get()
                    .map_or("the proxy refused the CONNECT tunnel", String::as_str),
            ),
            kind => tls_hint(kind)
                .or_else(|| protocol_hint(kind))
                .or_else(|| template_hint(kind)),
        }
    }

    /// Position in `ALL`, for counting in a fixed array.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The first refusal a proxy gave to CONNECT, as the `proxy_refused` hint says it.
static PROXY_ANSWER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Keeps the first status line a proxy refused CONNECT with (`status_line` escaped and cut
/// by the caller), for the `proxy_refused` hint; later ones are the same proxy's.
pub fn remember_proxy_refusal(status_line: &str) {
    let _ = PROXY_ANSWER.get_or_init(|| {
        format!("the proxy refused the CONNECT tunnel: it answered '{status_line}'")
    });
}

/// Hints for the TLS kinds: which check failed, and what would get past it.
fn tls_hint(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::Tls => {
            "TLS handshake failed (no protocol version or cipher in common, or an alert from the server)"
        }
        ErrorKind::TlsCertExpired => {
            "TLS: the server's certificate has expired (or this machine's clock is wrong): renew it, or --insecure to test anyway"
        }
        ErrorKind::TlsCertNotYetValid => {
            "TLS: the server's certificate is not valid yet (is this machine's clock right?): --insecure to test anyway"
        }
        ErrorKind::TlsCertName => {
            "TLS: the server's certificate is not for the URL's host: put a name it holds in the URL (--connect-to reaches another address under that name), or --insecure"
        }
        ErrorKind::TlsUnknownIssuer => {
            "TLS: the server's certificate is signed by no CA sluice trusts: --cacert FILE with the CA that signed it (or the certificate itself, if self-signed), or --insecure"
        }
        ErrorKind::TlsCertInvalid => {
            "TLS: the server's certificate was refused (a bad signature or encoding, the wrong purpose, an unsupported algorithm or critical extension): see openssl s_client -connect HOST:PORT, or --insecure"
        }
        ErrorKind::TlsClientCertRefused => {
            "TLS: the server refused the client certificate or wants one: --cert FILE --key FILE with a certificate its CA signed"
        }
        _ => return None,
    })
}

/// Hints for the proxy and HTTP/2 kinds whose cause has a name.
fn protocol_hint(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::ProxyAuthRequired => {
            "the proxy answered CONNECT with 407: it wants credentials (-x http://user:pass@proxy:port), or refused the ones given"
        }
        ErrorKind::H2Protocol => {
            "HTTP/2: sluice found the server breaking the protocol (a CONTINUATION flood, a header list too large to decode, a malformed frame) and ended the connection or stream"
        }
        ErrorKind::Http1Protocol => {
            "the server's answer is not valid HTTP/1.1 (a malformed status line or header, a header section too large, a bad body length or chunk): is an HTTP server on that port?"
        }
        ErrorKind::RedirectOffsite => {
            "a redirect pointed to another origin (scheme, host or port): sluice never leaves the URL's origin, so -r follows redirects on it only; test the other origin with its own URL"
        }
        ErrorKind::H2Unsupported => {
            "the server does not speak HTTP/2 (h2c prior knowledge for http://, ALPN for https://): it answered the HTTP/2 preface with something else, HTTP/1.1 most likely, or closed; drop --http2"
        }
        _ => return None,
    })
}

/// Hints for requests whose templates filled into something that cannot be sent.
fn template_hint(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::InvalidUrl => {
            "a URL template filled into an invalid URL (a value with a space, a # or another character a URL cannot hold): such requests were not sent; write {{ row.NAME | urlencode }}"
        }
        ErrorKind::InvalidHeader => {
            "a header template filled into a value a header cannot hold (a line break or another control character): such requests were not sent"
        }
        ErrorKind::CaptureMissing => {
            "a scenario step's capture found nothing in its response (no such JSON pointer in the body, or no such header): the session failed there and its later steps were skipped"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_indexes_match_all() {
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
        let mut names: Vec<_> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }
}
