//! `--connect-to HOST:PORT:TARGET_HOST:TARGET_PORT` (as curl and oha): the URL keeps its name
//! for the Host header and TLS (SNI and the certificate check); the socket goes elsewhere.

use crate::process::error::Error;
use crate::run::target::{port_of, unbracket};
use http::Uri;
use http::uri::Authority;

/// One rule: requests for `host:port` connect to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    host: String,
    port: u16,
    to: Authority,
}

impl ConnectTo {
    /// Parses `HOST:PORT:TARGET_HOST:TARGET_PORT`; IPv6 hosts in brackets (`[::1]:443:…`).
    pub fn parse(text: &str) -> Result<ConnectTo, String> {
        let bad = || {
            format!(
                "'{text}' is not HOST:PORT:TARGET_HOST:TARGET_PORT (e.g. example.com:443:127.0.0.1:8443)"
            )
        };
        let (host, rest) = split_host(text).ok_or_else(bad)?;
        let (port, rest) = rest.split_once(':').ok_or_else(bad)?;
        let (to_host, rest) = split_host(rest).ok_or_else(bad)?;
        let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(bad)?;
        let to_port: u16 = rest.parse().ok().filter(|p| *p > 0).ok_or_else(bad)?;
        let to = format!("{to_host}:{to_port}").parse().map_err(|_| bad())?;
        Ok(ConnectTo {
            host: unbracket(host).to_ascii_lowercase(),
            port,
            to,
        })
    }

    /// Where to connect for `url`: the first rule for its host and port (the scheme's
    /// default port when it names none); refused when no rule matches, since a rule the
    /// operator wrote and sluice ignored would send load where they did not aim it.
    pub fn route(rules: &[ConnectTo], url: &Uri) -> Result<Option<Authority>, Error> {
        if rules.is_empty() {
            return Ok(None);
        }
        let host = unbracket(url.host().unwrap_or_default()).to_ascii_lowercase();
        let port = port_of(url);
        rules
            .iter()
            .find(|rule| rule.host == host && rule.port == port)
            .map(|rule| Some(rule.to.clone()))
            .ok_or_else(|| {
                Error::Input(format!(
                    "--connect-to: no rule is for the URL's {host}:{port}; write {host}:{port}:TARGET_HOST:TARGET_PORT"
                ))
            })
    }
}

/// The host at the front of `text` (bracketed for IPv6) and what follows its colon.
fn split_host(text: &str) -> Option<(&str, &str)> {
    let (host, rest) = if text.starts_with('[') {
        let end = text.find(']')?;
        (&text[..=end], text[end + 1..].strip_prefix(':')?)
    } else {
        text.split_once(':')?
    };
    (!host.is_empty()).then_some((host, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> ConnectTo {
        ConnectTo::parse(text).expect("a rule")
    }

    #[test]
    fn a_rule_sends_its_host_and_port_elsewhere() {
        let rules = [
            rule("Example.com:443:127.0.0.1:8443"),
            rule("[::1]:80:[::1]:8080"),
        ];
        let url: Uri = "https://example.com/x".parse().expect("url");
        let to = ConnectTo::route(&rules, &url).expect("routed");
        assert_eq!(to.expect("a rule").as_str(), "127.0.0.1:8443");
        let v6: Uri = "http://[::1]/".parse().expect("url");
        let to = ConnectTo::route(&rules, &v6).expect("routed");
        assert_eq!(to.expect("a rule").as_str(), "[::1]:8080");
    }

    #[test]
    fn no_rules_route_nothing_and_a_rule_for_another_host_is_refused() {
        let url: Uri = "http://example.com:8080/".parse().expect("url");
        assert_eq!(ConnectTo::route(&[], &url).expect("no rules"), None);
        let Err(Error::Input(line)) = ConnectTo::route(&[rule("example.com:80:a:1")], &url) else {
            panic!("a rule for port 80 must not match port 8080");
        };
        assert!(line.contains("example.com:8080"), "{line}");
    }

    #[test]
    fn malformed_rules_are_refused() {
        for text in [
            "example.com:443",
            "a:0:b:1",
            ":1:b:2",
            "a:1:b:x",
            "a:1:[::1:2",
        ] {
            assert!(ConnectTo::parse(text).is_err(), "{text} should be refused");
        }
    }
}
