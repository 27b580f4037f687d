//! The URL a run aims at, taken exactly as written or refused: a valid port or none, userinfo
//! turned into Basic auth, and a form of the URL that never shows the password.

use crate::error::Error;
use base64::Engine as _;
use http::header::HeaderValue;
use http::uri::{Authority, Uri};
use percent_encoding::percent_decode_str;

/// A checked target: where requests go, how to show it, and the credentials it carried.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL without userinfo: its authority is the Host header.
    pub url: Uri,
    /// The URL as given, the password replaced by `***`: safe to print and to write.
    pub shown: String,
    /// `Basic …` from the URL's `user:pass@`, marked sensitive; None without userinfo.
    pub basic_auth: Option<HeaderValue>,
}

impl Target {
    /// Parses an absolute http:// or https:// URL; anything sluice cannot take exactly as
    /// written (a port that is not 1-65535, no host, a fragment, another scheme) is refused.
    pub fn parse(text: &str) -> Result<Target, Error> {
        let bad = |why: &str| Error::Input(format!("'{}' {why}", redact(text)));
        if text.contains('#') {
            return Err(bad("has a #fragment, which is never sent: leave it out"));
        }
        let uri: Uri = text
            .parse()
            .map_err(|_| bad("is not a URL: give one like http://127.0.0.1:8080/path"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(other) => {
                return Err(bad(&format!(
                    "has scheme '{other}', which is not supported: use http:// or https://"
                )));
            }
            None => {
                return Err(Error::Input(format!(
                    "'{t}' has no scheme: write http://{t} or https://{t}",
                    t = redact(text)
                )));
            }
        }
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        let (userinfo, host_port) = match authority.as_str().rsplit_once('@') {
            Some((user, rest)) => (Some(user), rest),
            None => (None, authority.as_str()),
        };
        check_host_port(host_port).map_err(|why| bad(&why))?;
        let plain: Authority = host_port.parse().map_err(|_| bad("has no usable host"))?;
        let mut parts = uri.clone().into_parts();
        parts.authority = Some(plain);
        if parts.path_and_query.is_none() {
            parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
        }
        let url = Uri::from_parts(parts).map_err(|_| bad("is not a URL"))?;
        Ok(Target {
            url,
            shown: redact(text),
            basic_auth: userinfo
                .map(basic_auth)
                .transpose()
                .map_err(|why| bad(&why))?,
        })
    }

    /// A target for a URL sluice made itself (the demo); nothing to check or hide.
    pub fn local(url: Uri) -> Target {
        Target {
            shown: url.to_string(),
            url,
            basic_auth: None,
        }
    }
}

/// The port a URL connects to: its own, or its scheme's (443 for https, else 80).
pub fn port_of(url: &Uri) -> u16 {
    url.port_u16()
        .unwrap_or(if url.scheme_str() == Some("https") {
            443
        } else {
            80
        })
}

/// A host without the brackets of an IPv6 literal (`[::1]` is `::1`).
pub fn unbracket(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

/// `host`, `host:port` or `[v6]:port`, where a port must be a number from 1 to 65535.
fn check_host_port(host_port: &str) -> Result<(), String> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or("has an IPv6 address without its closing ]")?;
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("has '[{v6}]', which is not an IPv6 address"));
        }
        match after {
            "" => (v6, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (v6, Some(port)),
                None => return Err("has text after its IPv6 address".into()),
            },
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err("has no host".into());
    }
    match port {
        None => Ok(()),
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            match p.parse::<u16>() {
                Ok(1..) => Ok(()),
                _ => Err(format!("has port {p}: a port is a number from 1 to 65535")),
            }
        }
        Some(p) => Err(format!(
            "has port '{p}': a port is a number from 1 to 65535"
        )),
    }
}

/// `Authorization: Basic base64(user:password)`, the parts percent-decoded as curl does.
fn basic_auth(userinfo: &str) -> Result<HeaderValue, String> {
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| "has userinfo that is not UTF-8 after %-decoding".to_string())
    };
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (decode(u)?, decode(p)?),
        None => (decode(userinfo)?, String::new()),
    };
    Ok(basic_credentials(&user, &password))
}

/// `Basic base64(user:password)`, marked sensitive so that it is never shown.
pub fn basic_credentials(user: &str, password: &str) -> HeaderValue {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut value = HeaderValue::try_from(format!("Basic {token}"))
        .expect("base64 is always a valid header value");
    value.set_sensitive(true);
    value
}

/// The text with the password of any `user:password@` replaced by `***`, for messages.
pub fn redact(text: &str) -> String {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return text.to_string();
    };
    let rest = &text[start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return text.to_string();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{}{user}:***{}", &text[..start], &rest[at..]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        match Target::parse(text) {
            Err(Error::Input(msg)) => msg,
            other => panic!("{text} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn ports_outside_1_to_65535_or_not_numbers_are_refused() {
        assert!(refused("http://127.0.0.1:99999/").contains("port 99999"));
        assert!(refused("http://[::1]:notaport/").contains("port 'notaport'"));
        assert!(refused("http://127.0.0.1:0/").contains("port 0"));
        assert!(refused("http://127.0.0.1:/").contains("port ''"));
        assert!(refused("http://[::1/").contains("not a URL"));
        assert!(refused("http://[zz]:80/").contains("not an IPv6"));
        assert!(refused("http://h/#frag").contains("fragment"));
        assert!(refused("ftp://example.test").contains("scheme 'ftp'"));
        assert!(refused("example.test").contains("no scheme"));
        assert!(refused("http://exa mple").contains("not a URL"));
        let ok = Target::parse("http://[::1]:8080/x?y=1").expect("valid");
        assert_eq!(ok.url.port_u16(), Some(8080));
        assert_eq!(ok.url.to_string(), "http://[::1]:8080/x?y=1");
        assert!(Target::parse("https://example.test").is_ok());
    }

    #[test]
    fn userinfo_becomes_basic_auth_and_never_shows_its_password() {
        let t = Target::parse("http://user:p%40ss@127.0.0.1:8080/a").expect("valid");
        assert_eq!(t.url.to_string(), "http://127.0.0.1:8080/a");
        assert_eq!(t.shown, "http://user:***@127.0.0.1:8080/a");
        let auth = t.basic_auth.expect("auth");
        // base64("user:p@ss")
        assert_eq!(auth, "Basic dXNlcjpwQHNz");
        assert!(auth.is_sensitive());
        assert!(!refused("http://u:secret@127.0.0.1:99999/").contains("secret"));
        assert_eq!(redact("http://u@h/"), "http://u@h/");
        assert_eq!(redact("http://h/a@b"), "http://h/a@b");
    }
}
