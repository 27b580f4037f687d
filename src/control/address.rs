//! `--control ADDR`: a port alone means loopback; a host:port is taken as given.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

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

/// The warning for an address other machines can reach: anyone there may read the run
/// (`/status`, `/metrics`, `/summary` need no token); None on loopback.
pub fn open_to_every_network(addr: SocketAddr) -> Option<String> {
    reached_from(addr.ip()).map(|networks| {
        format!(
            "sluice: warning: --control {addr} serves {networks}, not just this machine: anyone \
             who reaches it can read the run (steering needs the token); use --control \
             127.0.0.1:PORT to keep it local"
        )
    })
}

/// Which networks reach a socket listening on `ip`: every one the machine is on for the
/// unspecified address (0.0.0.0, ::), the one of that address else; None on loopback.
pub fn reached_from(ip: IpAddr) -> Option<String> {
    match ip {
        ip if ip.is_loopback() => None,
        ip if ip.is_unspecified() => Some("every network this machine is on".into()),
        ip => Some(format!("the network of {ip}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_address_off_loopback_is_warned_about() {
        for open in ["0.0.0.0:9090", "[::]:9090"] {
            let warning = open_to_every_network(parse(open).unwrap()).expect(open);
            assert!(warning.contains("every network"), "{warning}");
            assert!(warning.contains(open), "{warning}");
        }
        for one in ["10.1.2.3:9090", "[2001:db8::1]:9090"] {
            let warning = open_to_every_network(parse(one).unwrap()).expect(one);
            assert!(!warning.contains("every network"), "{warning}");
            let ip = parse(one).unwrap().ip();
            assert!(
                warning.contains(&format!("serves the network of {ip},")),
                "{warning}"
            );
        }
        for local in ["9090", "127.0.0.1:9090", "[::1]:9090", "127.0.0.2:9090"] {
            assert_eq!(
                open_to_every_network(parse(local).unwrap()),
                None,
                "{local}"
            );
        }
    }

    #[test]
    fn a_port_alone_stays_on_loopback() {
        assert_eq!(parse("9090").unwrap().to_string(), "127.0.0.1:9090");
        assert_eq!(parse("0.0.0.0:9090").unwrap().to_string(), "0.0.0.0:9090");
        assert_eq!(parse("[::1]:9").unwrap().to_string(), "[::1]:9");
        assert!(parse("localhost:9090").is_err());
        assert!(parse("70000").is_err());
    }
}
