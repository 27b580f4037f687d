//! One `Outcome` per request: the only thing the generator tells the stats side.

use std::error::Error as StdError;
use std::io;

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

/// One finished request: latency from its start to the last body byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub latency_us: u64,
    pub verdict: Verdict,
    pub bytes: u64,
}

impl Outcome {
    /// A request that was in flight when the run ended.
    pub fn aborted() -> Outcome {
        Outcome {
            latency_us: 0,
            verdict: Verdict::Aborted,
            bytes: 0,
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
    Other,
}

impl ErrorKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::ConnectRefused,
        ErrorKind::ConnectTimeout,
        ErrorKind::Timeout,
        ErrorKind::TooManyOpenFiles,
        ErrorKind::AddressUnavailable,
        ErrorKind::ConnectionReset,
        ErrorKind::ConnectionClosed,
        ErrorKind::Dns,
        ErrorKind::Tls,
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
            ErrorKind::Other => "other",
        }
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
                "TLS handshake failed: for a self-signed or private-CA certificate use --insecure",
            ),
            _ => None,
        }
    }

    /// Position in `ALL`, for counting in a fixed array.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Classifies a failure while opening a connection (DNS, TCP connect, TLS handshake).
    pub fn of_connect(err: &(dyn StdError + 'static)) -> ErrorKind {
        if err.to_string().starts_with("dns error") {
            return ErrorKind::Dns;
        }
        match Self::of_chain(err) {
            ErrorKind::Timeout => ErrorKind::ConnectTimeout,
            kind => kind,
        }
    }

    /// Classifies a failure on an open connection (send, response head, body).
    pub fn of_request(err: &hyper::Error) -> ErrorKind {
        match Self::of_chain(err) {
            ErrorKind::Other if err.is_incomplete_message() || err.is_canceled() => {
                ErrorKind::ConnectionClosed
            }
            kind => kind,
        }
    }

    /// Walks an error's source chain for the first cause we can name.
    fn of_chain(err: &(dyn StdError + 'static)) -> ErrorKind {
        let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
        while let Some(e) = cur {
            if e.downcast_ref::<rustls::Error>().is_some() {
                return ErrorKind::Tls;
            }
            if let Some(io) = e.downcast_ref::<io::Error>() {
                if let Some(kind) = Self::of_io(io) {
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

    /// Maps an I/O error to a kind, or None when its own cause may say more.
    pub fn of_io(err: &io::Error) -> Option<ErrorKind> {
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
            _ if err.get_ref().is_some() => None,
            _ => Some(ErrorKind::Other),
        }
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

    #[test]
    fn os_errors_map_to_their_kinds() {
        let emfile = io::Error::from_raw_os_error(24);
        assert_eq!(ErrorKind::of_io(&emfile), Some(ErrorKind::TooManyOpenFiles));
        let eaddr = io::Error::from_raw_os_error(99);
        assert_eq!(
            ErrorKind::of_io(&eaddr),
            Some(ErrorKind::AddressUnavailable)
        );
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(ErrorKind::of_io(&refused), Some(ErrorKind::ConnectRefused));
    }

    #[test]
    fn a_timeout_while_connecting_is_a_connect_timeout() {
        let timed_out = io::Error::new(io::ErrorKind::TimedOut, "connect timeout");
        assert_eq!(ErrorKind::of_connect(&timed_out), ErrorKind::ConnectTimeout);
    }

    #[test]
    fn a_nested_cause_is_found_through_the_chain() {
        let inner = io::Error::from(io::ErrorKind::ConnectionReset);
        let outer = io::Error::other(inner);
        assert_eq!(ErrorKind::of_connect(&outer), ErrorKind::ConnectionReset);
    }
}
