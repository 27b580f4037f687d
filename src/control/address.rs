//! `--control ADDR`: a port alone means loopback; a host:port is taken as given.

use std::net::{Ipv4Addr, SocketAddr};

/// Parses `PORT` (on 127.0.0.1) or `HOST:PORT` (an IP address, v4 or [v6]).
pub fn parse(text: &str) -> Result<SocketAddr, String> {
    let t = text.trim();
    if let Ok(port) = t.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    t.parse().map_err(|_| {
        format!("'{text}' is not an address to listen on: PORT (loopback), 127.0.0.1:PORT or 0.0.0.0:PORT")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_alone_stays_on_loopback() {
        assert_eq!(parse("9090").unwrap().to_string(), "127.0.0.1:9090");
        assert_eq!(parse("0.0.0.0:9090").unwrap().to_string(), "0.0.0.0:9090");
        assert_eq!(parse("[::1]:9").unwrap().to_string(), "[::1]:9");
        assert!(parse("localhost:9090").is_err());
        assert!(parse("70000").is_err());
    }
}
