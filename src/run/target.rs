//! The URL a run aims at, taken exactly as written or refused: a valid port or none, userinfo
//! turned into Basic auth, and a form of the URL that never shows the password.

use crate::engine::client::template::Template;
use crate::process::error::Error;
use crate::process::untrusted::{QUOTED_CHARS, quoted, redact, redact_authority};
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
    /// The path and query when they hold templates, filled per request (`run::templates`).
    pub template: Option<Template>,
}

impl Target {
    /// Parses an absolute http:// or https:// URL; anything sluice cannot take exactly as
    /// written (a port that is not 1-65535, no host, a fragment, another scheme) is refused,
    /// the refusal quoting the URL with any password hidden and control characters escaped.
    pub fn parse(text: &str) -> Result<Target, Error> {
        // An '@' past a '/', '?' or '#' may end a password that holds one of them unencoded:
        // what http reads as a host or a port may then be part of the password.
        let ambiguous = redact(text) != redact_authority(text);
        let shown = quoted(&redact(text), QUOTED_CHARS);
        let bad = |why: &str| Error::Input(format!("'{shown}' {why}"));
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
                    "has scheme '{}', which is not supported: use http:// or https://",
                    quoted(other, QUOTED_CHARS)
                )));
            }
            None => {
                return Err(Error::Input(format!(
                    "'{shown}' has no scheme: write http://{shown} or https://{shown}"
                )));
            }
        }
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        let (userinfo, host_port) = match authority.as_str().rsplit_once('@') {
            Some((user, rest)) => (Some(user), rest),
            None => (None, authority.as_str()),
        };
        check_host_port(host_port, ambiguous).map_err(|why| bad(&why))?;
        let plain: Authority = host_port.parse().map_err(|_| bad("has no usable host"))?;
        let mut parts = uri.clone().into_parts();
        parts.authority = Some(plain);
        if parts.path_and_query.is_none() {
            parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
        }
        let url = Uri::from_parts(parts).map_err(|_| bad("is not a URL"))?;
        Ok(Target {
            url,
            shown: redact_authority(text),
            basic_auth: userinfo
                .map(basic_auth)
                .transpose()
                .map_err(|why| bad(&why))?,
            template: None,
        })
    }

    /// A target for a URL sluice made itself (the demo); nothing to check or hide.
    pub fn local(url: Uri) -> Target {
        Target {
            shown: url.to_string(),
            url,
            basic_auth: None,
            template: None,
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

/// `host`, `host:port` or `[v6]:port`, where a port must be a number from 1 to 65535; with
/// `hide_port` (it may be part of a password), a bad port is not quoted.
fn check_host_port(host_port: &str, hide_port: bool) -> Result<(), String> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or("has an IPv6 address without its closing ]")?;
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!(
                "has '[{}]', which is not an IPv6 address",
                quoted(v6, QUOTED_CHARS)
            ));
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
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match port {
        None => Ok(()),
        Some(p) if digits(p) && p.parse::<u16>().is_ok_and(|p| p > 0) => Ok(()),
        Some(_) if hide_port => Err("has a port that is not a number from 1 to 65535, or a \
             password with an unencoded '/', '?' or '#': write them %2F, %3F and %23"
            .into()),
        Some(p) if digits(p) => Err(format!(
            "has port {}: a port is a number from 1 to 65535",
            quoted(p, QUOTED_CHARS)
        )),
        Some(p) => Err(format!(
            "has port '{}': a port is a number from 1 to 65535",
            quoted(p, QUOTED_CHARS)
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
        assert_eq!(redact("http://[::1]:80/a@b"), "http://[::1]:80/a@b");
    }

    #[test]
    fn a_password_with_an_unencoded_slash_or_question_mark_is_never_shown() {
        for (url, secret) in [
            ("http://user:s3?cr3t@127.0.0.1/", "cr3t"),
            ("http://user:a/b@127.0.0.1:80/", "a/b"),
            ("http://user:a/99999@host/", "99999"),
            ("http://user:se#cret@host/", "cret"),
            ("http://user:s3cr3t@ho st/", "s3cr3t"),
            ("ftp://user:s3cr3t@host/", "s3cr3t"),
            ("user:s3cr3t@host:80/", "s3cr3t"),
            ("http://user:zq/x\u{1b}y@host/", "zq"),
        ] {
            let line = refused(url);
            assert!(!line.contains(secret), "{url}: {line}");
            assert!(line.contains("user:***@"), "{url}: {line}");
        }
        let t = Target::parse("http://127.0.0.1:8080/p?mail=a@b.test").expect("an @ in a query");
        assert_eq!(t.shown, "http://127.0.0.1:8080/p?mail=a@b.test");
    }
}
