//! `-r N`: where a redirect leads, and the request that follows it. Only on the URL's own
//! origin (scheme, host and port): sluice never sends load anywhere it was not pointed at.
//! 303, and 301 or 302 after a POST, become a GET without a body; 307 and 308 keep the
//! method and the body (as curl -L does).

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use http::uri::PathAndQuery;
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::Full;

/// What a redirect asks for.
pub enum Hop {
    /// The next request of the chain, on the same origin (boxed: the hop waits out the
    /// body's read in every request's future).
    Follow(Box<Request<Full<Bytes>>>),
    /// A Location on another origin: not followed.
    Offsite,
}

/// Whether `status` is one `-r` follows (with a Location).
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The redirect a response with `status` and `headers` asks for, `request` having been
/// sent to `origin`; None when it is none: another status, no Location, or a Location that
/// is no URL (then the response counts as it is).
pub fn hop(
    status: u16,
    headers: &HeaderMap,
    request: &Request<Full<Bytes>>,
    origin: &Uri,
) -> Option<Hop> {
    if !is_redirect(status) {
        return None;
    }
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let base = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    Some(match resolve(location, base, origin)? {
        Resolved::Here(path) => Hop::Follow(Box::new(follow(request, status, path))),
        Resolved::Offsite => Hop::Offsite,
    })
}

/// Where a Location points, seen from the origin.
#[derive(Debug, PartialEq)]
enum Resolved {
    /// This path and query on the same origin.
    Here(PathAndQuery),
    Offsite,
}

/// `location` resolved against the request's `base` path and query (RFC 3986, 5.2), or
/// None when it is not a URL.
fn resolve(location: &str, base: &str, origin: &Uri) -> Option<Resolved> {
    let location = location.trim();
    let location = location.split('#').next().unwrap_or_default();
    let scheme_end = location.find(':').filter(|&i| {
        let scheme = &location[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    let absolute = match (scheme_end, location.starts_with("//")) {
        (Some(_), _) => Some(Uri::try_from(location).ok()?),
        (None, true) => Some(Uri::try_from(format!("{}:{location}", origin.scheme_str()?)).ok()?),
        (None, false) => None,
    };
    if let Some(uri) = absolute {
        if !same_origin(&uri, origin) {
            return Some(Resolved::Offsite);
        }
        let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
        return PathAndQuery::try_from(path).ok().map(Resolved::Here);
    }
    let (base_path, base_query) = split_query(base);
    let (path, query) = split_query(location);
    // An empty path keeps the base's query unless the reference has its own.
    let query = match path.is_empty() {
        true => query.or(base_query),
        false => query,
    };
    let path = match path {
        "" => base_path.to_string(),
        p if p.starts_with('/') => without_dots(p),
        p => without_dots(&format!("{}{p}", &base_path[..=base_path.rfind('/')?])),
    };
    let whole = match query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    PathAndQuery::try_from(whole).ok().map(Resolved::Here)
}

/// A path and its query, apart.
fn split_query(text: &str) -> (&str, Option<&str>) {
    match text.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (text, None),
    }
}

/// An absolute path with its `.` and `..` segments taken out (RFC 3986, 5.2.4).
fn without_dots(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut kept: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {}
            ".." => {
                kept.pop();
            }
            s => kept.push(s),
        }
        if last && matches!(*segment, "." | "..") {
            kept.push("");
        }
    }
    format!("/{}", kept.join("/"))
}

/// The same scheme, host and port (the scheme's default when none is written).
fn same_origin(a: &Uri, b: &Uri) -> bool {
    let port = |u: &Uri| {
        u.port_u16().or(match u.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
            Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
            _ => None,
        })
    };
    let same = |x: Option<&str>, y: Option<&str>| match (x, y) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    };
    same(a.scheme_str(), b.scheme_str()) && same(a.host(), b.host()) && port(a) == port(b)
}

/// The request that follows a `status` redirect of `request` to `path`, in the same form
/// (origin form, or the whole URL for HTTP/2 and proxies).
fn follow(request: &Request<Full<Bytes>>, status: u16, path: PathAndQuery) -> Request<Full<Bytes>> {
    let method = request.method();
    let to_get = match status {
        303 => method != Method::HEAD,
        301 | 302 => method == Method::POST,
        _ => false,
    };
    let uri = match (request.uri().scheme(), request.uri().authority()) {
        (Some(scheme), Some(authority)) => Uri::builder()
            .scheme(scheme.clone())
            .authority(authority.clone())
            .path_and_query(path.clone())
            .build()
            .unwrap_or_else(|_| Uri::from(path)),
        _ => Uri::from(path),
    };
    let body = match to_get {
        true => Full::new(Bytes::new()),
        false => request.body().clone(),
    };
    let mut next = Request::new(body);
    *next.method_mut() = if to_get { Method::GET } else { method.clone() };
    *next.uri_mut() = uri;
    *next.version_mut() = request.version();
    *next.headers_mut() = request.headers().clone();
    if to_get {
        next.headers_mut().remove(CONTENT_LENGTH);
        next.headers_mut().remove(CONTENT_TYPE);
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(location: &str, base: &str) -> Option<String> {
        let origin = Uri::from_static("http://127.0.0.1:8080/start");
        match resolve(location, base, &origin)? {
            Resolved::Here(path) => Some(path.to_string()),
            Resolved::Offsite => Some("offsite".into()),
        }
    }

    #[test]
    fn a_location_resolves_against_the_request_url() {
        let base = "/a/b/c?q=1";
        for (location, want) in [
            ("/x", "/x"),
            ("/x?y=2#frag", "/x?y=2"),
            ("d", "/a/b/d"),
            ("./d", "/a/b/d"),
            ("../d", "/a/d"),
            ("../../../../d", "/d"),
            ("..", "/a/"),
            ("?z=3", "/a/b/c?z=3"),
            ("", "/a/b/c?q=1"),
            ("#top", "/a/b/c?q=1"),
            ("/a/./b/../e/", "/a/e/"),
            ("http://127.0.0.1:8080/abs?k", "/abs?k"),
            ("HTTP://127.0.0.1:8080", "/"),
            ("//127.0.0.1:8080/net", "/net"),
        ] {
            assert_eq!(at(location, base).as_deref(), Some(want), "{location}");
        }
    }

    #[test]
    fn another_scheme_host_or_port_is_offsite() {
        for location in [
            "https://127.0.0.1:8080/",
            "http://localhost:8080/",
            "http://127.0.0.1:8081/",
            "http://127.0.0.1/",
            "//example.com/x",
        ] {
            assert_eq!(at(location, "/").as_deref(), Some("offsite"), "{location}");
        }
        let default_port = Uri::from_static("http://h/");
        assert_eq!(
            resolve("http://H:80/p", "/", &default_port),
            Some(Resolved::Here(PathAndQuery::from_static("/p")))
        );
        assert_eq!(at("/with space", "/"), None, "no URL: counted as it is");
    }

    #[test]
    fn see_other_and_a_moved_post_become_a_get_without_a_body() {
        let mut post = Request::new(Full::new(Bytes::from_static(b"data")));
        *post.method_mut() = Method::POST;
        *post.uri_mut() = Uri::from_static("/form");
        post.headers_mut()
            .insert(CONTENT_LENGTH, "4".parse().expect("value"));
        let path = || PathAndQuery::from_static("/next");
        for (status, method, keeps_body) in [
            (303, "GET", false),
            (302, "GET", false),
            (301, "GET", false),
            (307, "POST", true),
            (308, "POST", true),
        ] {
            let next = follow(&post, status, path());
            assert_eq!(next.method().as_str(), method, "{status}");
            assert_eq!(next.uri(), "/next");
            assert_eq!(next.headers().contains_key(CONTENT_LENGTH), keeps_body);
            let len = hyper::body::Body::size_hint(next.body()).exact();
            assert_eq!(len, Some(if keeps_body { 4 } else { 0 }), "{status}");
        }
        let mut h2 = Request::new(Full::new(Bytes::new()));
        *h2.uri_mut() = Uri::from_static("https://h:8443/from");
        assert_eq!(follow(&h2, 302, path()).uri(), "https://h:8443/next");
    }
}
