//! The workers' addresses as given, checked before any is asked anything: not too many, and
//! no worker twice (`127.0.0.1:9090` and `localhost:9090` are one worker: counted twice, it
//! would also get two shares of every limit). Addresses are compared as they resolve.

use super::checked::MAX_WORKERS;
use crate::process::untrusted::{QUOTED_CHARS, quoted};
use http::Uri;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

/// The longest a name may take to resolve; one that does not (a pod not ready yet) is
/// compared as written.
const RESOLVE_DEADLINE: Duration = Duration::from_secs(3);

/// What an address is compared by: the socket addresses it resolves to, or its host and
/// port as written (lowercase) when it does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Resolved(BTreeSet<SocketAddr>),
    Written(String),
}

impl Key {
    fn same_as(&self, other: &Key) -> bool {
        match (self, other) {
            (Key::Resolved(a), Key::Resolved(b)) => !a.is_disjoint(b),
            (a, b) => a == b,
        }
    }
}

/// One line refusing the list, or nothing: more than `MAX_WORKERS`, or one worker twice.
pub async fn refusal(given: &[String], bases: &[Uri]) -> Option<String> {
    if given.len() > MAX_WORKERS {
        return Some(format!(
            "fleet: {} workers given: a fleet follows at most {MAX_WORKERS}",
            given.len()
        ));
    }
    let keys = futures_util::future::join_all(bases.iter().map(key)).await;
    for (j, b) in keys.iter().enumerate() {
        if let Some(i) = keys[..j].iter().position(|a| a.same_as(b)) {
            return Some(format!(
                "fleet: '{}' and '{}' are the same worker{}: give each worker once",
                quoted(given[i].trim(), QUOTED_CHARS),
                quoted(given[j].trim(), QUOTED_CHARS),
                match b {
                    Key::Resolved(addrs) => format!(" ({})", list(addrs)),
                    Key::Written(_) => String::new(),
                }
            ));
        }
    }
    None
}

/// The addresses, comma-separated.
fn list(addrs: &BTreeSet<SocketAddr>) -> String {
    let all: Vec<String> = addrs.iter().map(SocketAddr::to_string).collect();
    all.join(", ")
}

/// What `base` is compared by.
async fn key(base: &Uri) -> Key {
    let host = base.host().unwrap_or_default().to_ascii_lowercase();
    let port = base.port_u16().unwrap_or(0);
    let unbracketed = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let lookup = tokio::net::lookup_host((unbracketed, port));
    match tokio::time::timeout(RESOLVE_DEADLINE, lookup).await {
        Ok(Ok(addrs)) => {
            let addrs: BTreeSet<SocketAddr> = addrs.map(canonical).collect();
            match addrs.is_empty() {
                true => Key::Written(format!("{host}:{port}")),
                false => Key::Resolved(addrs),
            }
        }
        _ => Key::Written(format!("{host}:{port}")),
    }
}

/// An IPv4 address written as IPv6 (`[::ffff:127.0.0.1]`) is the IPv4 one.
fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::from((v4, v6.port())),
            None => addr,
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::worker_client::parse_address;

    fn refused(given: &[&str]) -> Option<String> {
        let given: Vec<String> = given.iter().map(|g| g.to_string()).collect();
        let bases: Vec<Uri> = given.iter().map(|g| parse_address(g).unwrap()).collect();
        let rt = crate::process::runtime::current_thread().unwrap();
        rt.block_on(refusal(&given, &bases))
    }

    #[test]
    fn one_worker_under_two_spellings_is_refused_and_distinct_ones_pass() {
        for twice in [
            ["127.0.0.1:9090", "127.0.0.1:9090"],
            ["127.0.0.1:9090", "localhost:9090"],
            ["http://127.0.0.1:9090/", "127.0.0.1:9090"],
            ["[::ffff:127.0.0.1]:9090", "127.0.0.1:9090"],
            ["w-0.invalid:9090", "W-0.INVALID:9090"],
        ] {
            let why = refused(&twice).unwrap_or_else(|| panic!("{twice:?} passed"));
            assert!(why.contains("same worker"), "{why}");
        }
        assert_eq!(refused(&["127.0.0.1:9090", "127.0.0.1:9091"]), None);
        assert_eq!(refused(&["w-0.invalid:9090", "w-1.invalid:9090"]), None);
    }
}
