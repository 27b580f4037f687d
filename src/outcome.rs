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
    /// Which URL of `--urls-from-file` (1 for the first); 0 in a run with one URL.
    pub target: u16,
}

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
        }
    }
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
    Tls,
    /// HTTP/2: the server sent GOAWAY (the connection ends; requests past its last stream
    /// were not processed).
    H2GoAway,
    /// HTTP/2: this request's stream was reset (RST_STREAM, e.g. REFUSED_STREAM).
    H2StreamReset,
    /// HTTP/2: a flow-control window was broken (FLOW_CONTROL_ERROR).
    H2FlowControl,
    Other,
}

impl ErrorKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::ConnectRefused,
        ErrorKind::ConnectTimeout,
        ErrorKind::Timeout,
        ErrorKind::TooManyOpenFiles,
        ErrorKind::AddressUnavailable,
        ErrorKind::ConnectionReset,
        ErrorKind::ConnectionClosed,
        ErrorKind::Dns,
        ErrorKind::Tls,
        ErrorKind::H2GoAway,
        ErrorKind::H2StreamReset,
        ErrorKind::H2FlowControl,
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
            ErrorKind::H2GoAway => "h2_goaway",
            ErrorKind::H2StreamReset => "h2_stream_reset",
            ErrorKind::H2FlowControl => "h2_flow_control",
            ErrorKind::Other => "other",
        }
    }

    /// The kind `as_str` names.
    pub fn parse(word: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// A one-line hint for kinds whose cause is on this side, not the target's.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            ErrorKind::AddressUnavailable => Some(
                "ephemeral ports exhausted: connections are not being reused (does the server close them?)",
            ),
            ErrorKind::TooManyOpenFiles => {
                Some("out of file descriptors: raise ulimit -n or lower the limit")
            }
            ErrorKind::Tls => Some(
                "TLS handshake failed: a private CA or self-signed server needs --cacert FILE (or --insecure); a server that asks for a client certificate needs --cert and --key",
            ),
            _ => None,
        }
    }

    /// Position in `ALL`, for counting in a fixed array.
    pub fn index(self) -> usize {
        self as usize
    }
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
