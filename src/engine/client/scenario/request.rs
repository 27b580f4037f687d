//! A step's request for one session: a copy of the step's request prepared once (in the
//! form its pool sends it), with the session's values filled into its templated parts and
//! its cookies from the session's jar.

use super::{Filling, StepRequest};
use crate::engine::client::pool::Pool;
use crate::engine::client::requests::{RequestTemplate, Sendable, request_for};
use crate::engine::client::template::Vars;
use crate::engine::outcome::ErrorKind;
use bytes::Bytes;
use cookie_store::{CookieStore, RawCookie};
use http::header::{COOKIE, HeaderValue};
use http::uri::PathAndQuery;
use http::{HeaderMap, Request, Uri};
use http_body_util::Full;

/// The step's request as its pool sends it, its fixed parts in place (a templated URL's
/// origin, with `/` for its path): built once, copied per session.
pub(super) fn prepare(step: &StepRequest, pool: &Pool) -> Request<Full<Bytes>> {
    let url = match &step.url {
        Filling::Fixed(text) => text.parse().unwrap_or_else(|_| step.origin.clone()),
        Filling::Template(_) => step.origin.clone(),
    };
    let body = match &step.body {
        Some(Filling::Fixed(text)) => Bytes::copy_from_slice(text.as_bytes()),
        _ => Bytes::new(),
    };
    let template = RequestTemplate::new(step.method.clone(), url, step.headers.clone(), body);
    request_for(&template, pool)
}

/// The request of `step` with `vars` (a copy of `prepared`), carrying `jar`'s cookies for
/// its URL (None: the session has been set none). `InvalidUrl` when the filled URL is not one or leaves the step's origin;
/// `InvalidHeader` when a filled value cannot be a header's.
pub(super) fn build(
    step: &StepRequest,
    prepared: &Request<Full<Bytes>>,
    vars: &Vars,
    jar: Option<&CookieStore>,
) -> Result<Request<Full<Bytes>>, ErrorKind> {
    let mut request = prepared.clone();
    if let Filling::Template(t) = &step.url {
        *request.uri_mut() = filled_uri(step, &t.fill(vars), prepared.uri())?;
    }
    for (name, value) in &step.templated {
        let value = HeaderValue::from_maybe_shared(Bytes::from(value.fill(vars)))
            .map_err(|_| ErrorKind::InvalidHeader)?;
        request.headers_mut().insert(name.clone(), value);
    }
    if let Some(Filling::Template(t)) = &step.body {
        *request.body_mut() = Full::new(Bytes::from(t.fill(vars)));
    }
    if let Some(jar) = jar {
        let url = url_of(step, request.uri())?;
        add_cookies(request.headers_mut(), jar, &url)?;
    }
    Ok(request)
}

/// A step's request built for one session: given away whole at its first send; a resend
/// or a redirect's copy builds it again from the same values. One copy of the prepared
/// request a step, not two.
pub(super) struct Built<'a> {
    pub first: Option<Request<Full<Bytes>>>,
    pub step: &'a StepRequest,
    pub prepared: &'a Request<Full<Bytes>>,
    pub vars: &'a Vars<'a>,
    pub jar: Option<&'a CookieStore>,
}

impl Sendable for Built<'_> {
    fn copy(&mut self) -> Request<Full<Bytes>> {
        self.first.take().unwrap_or_else(|| {
            // The same values built it once already: it builds again.
            build(self.step, self.prepared, self.vars, self.jar)
                .unwrap_or_else(|_| self.prepared.clone())
        })
    }
}

/// A filled URL checked to keep the step's origin, in the form of `prepared` (absolute, or
/// only its path and query).
fn filled_uri(step: &StepRequest, url: &str, prepared: &Uri) -> Result<Uri, ErrorKind> {
    let uri: Uri = url.parse().map_err(|_| ErrorKind::InvalidUrl)?;
    let same_origin =
        uri.scheme() == step.origin.scheme() && uri.authority() == step.origin.authority();
    if !same_origin || url.contains('#') {
        return Err(ErrorKind::InvalidUrl);
    }
    if prepared.authority().is_some() {
        return Ok(uri);
    }
    let path = uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    Ok(Uri::from(path))
}

/// The whole URL of a request sent to the step's origin, for the cookie jar: a fixed URL's
/// was parsed once, before the run.
pub(super) fn url_of<'s>(
    step: &'s StepRequest,
    sent: &Uri,
) -> Result<std::borrow::Cow<'s, url::Url>, ErrorKind> {
    if let Some(url) = &step.fixed_url {
        return Ok(std::borrow::Cow::Borrowed(url));
    }
    let path = sent.path_and_query().map_or("/", |p| p.as_str());
    let origin = step.origin.to_string();
    let text = format!("{}{}", origin.trim_end_matches('/'), path);
    url::Url::parse(&text)
        .map(std::borrow::Cow::Owned)
        .map_err(|_| ErrorKind::InvalidUrl)
}

/// The jar's cookies for `url` as one Cookie header (none when it has none for it).
fn add_cookies(
    headers: &mut HeaderMap,
    jar: &CookieStore,
    url: &url::Url,
) -> Result<(), ErrorKind> {
    let mut line = String::new();
    for (name, value) in jar.get_request_values(url) {
        if !line.is_empty() {
            line.push_str("; ");
        }
        line.push_str(name);
        line.push('=');
        line.push_str(value);
    }
    if !line.is_empty() {
        let value = HeaderValue::from_str(&line).map_err(|_| ErrorKind::InvalidHeader)?;
        headers.insert(COOKIE, value);
    }
    Ok(())
}

/// Keeps the cookies a response to `url` set (its Set-Cookie headers) in `jar`.
pub(super) fn keep_cookies(jar: &mut CookieStore, set: &[HeaderValue], url: &url::Url) {
    let cookies = set
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|text| RawCookie::parse(text.to_owned()).ok());
    jar.store_response_cookies(cookies, url);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::client::template::{SAMPLE, Template};
    use http::{HeaderName, Method};

    /// A step whose URL and one header are filled from `seq`.
    fn step() -> StepRequest {
        let filled = |text: &str| {
            Template::parse(text, None)
                .expect("parses")
                .expect("a hole")
        };
        StepRequest {
            index: 0,
            method: Method::GET,
            url: Filling::Template(filled("http://127.0.0.1:9/items/{{ seq }}")),
            origin: "http://127.0.0.1:9".parse().expect("origin"),
            headers: HeaderMap::new(),
            templated: vec![(HeaderName::from_static("x-seq"), filled("s{{ seq }}"))],
            body: None,
            checks: None,
            captures: Vec::new(),
            pool: 0,
            uses: Default::default(),
            fixed_url: None,
        }
    }

    #[test]
    fn a_resend_builds_the_same_request_the_first_send_took() {
        let step = step();
        let prepared = Request::new(Full::new(Bytes::new()));
        let vars = Vars { seq: 41, ..SAMPLE };
        let jar = CookieStore::default();
        let first = build(&step, &prepared, &vars, Some(&jar)).expect("builds");
        let mut built = Built {
            first: Some(first),
            step: &step,
            prepared: &prepared,
            vars: &vars,
            jar: Some(&jar),
        };
        let (a, b) = (built.copy(), built.copy());
        assert!(
            built.first.is_none(),
            "the first send took the built request"
        );
        for r in [&a, &b] {
            assert_eq!(r.uri(), "/items/41");
            assert_eq!(r.headers()["x-seq"], "s41");
        }
    }
}
