//! How requests travel, chosen once from the flags: the connector offers it by ALPN, the
//! pool keeps its kind of connections, the request takes its form. HTTP/3 would be one more
//! variant here and one client file of its own beside `multiplex`.

/// The protocol of a run, with what it needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// HTTP/1.1, each connection serving request after request (keep-alive).
    #[default]
    Http1,
    /// HTTP/1.1, a new connection for every request (`--disable-keepalive`).
    Http1PerRequest,
    /// HTTP/2 (h2 by ALPN, h2c by prior knowledge): requests are streams on shared
    /// connections, `streams` each at most (`-p`; None: as many as the server allows).
    Http2 { streams: Option<usize> },
}

impl Protocol {
    /// The protocol the flags ask for (they are checked to agree before: clap refuses
    /// `--disable-keepalive` with `--http2`, and `-p` without it).
    pub fn from_flags(http2: bool, disable_keepalive: bool, streams: Option<usize>) -> Protocol {
        match (http2, disable_keepalive) {
            (true, _) => Protocol::Http2 { streams },
            (false, true) => Protocol::Http1PerRequest,
            (false, false) => Protocol::Http1,
        }
    }

    /// Whether requests go as HTTP/2 streams.
    pub fn is_http2(self) -> bool {
        matches!(self, Protocol::Http2 { .. })
    }

    /// Whether a connection is kept for the next request.
    pub fn keeps_alive(self) -> bool {
        !matches!(self, Protocol::Http1PerRequest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_choose_one_protocol() {
        assert_eq!(Protocol::from_flags(false, false, None), Protocol::Http1);
        assert_eq!(
            Protocol::from_flags(false, true, None),
            Protocol::Http1PerRequest
        );
        let h2 = Protocol::from_flags(true, false, Some(8));
        assert_eq!(h2, Protocol::Http2 { streams: Some(8) });
        assert!(h2.is_http2() && h2.keeps_alive());
        assert!(!Protocol::Http1PerRequest.keeps_alive());
    }
}
