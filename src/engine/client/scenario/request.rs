//! A step's request for one session: its templates filled with the session's values, its
//! cookies from the session's jar, in the form its pool sends it.

use super::{Filling, StepRequest};
use crate::engine::client::pool::Pool;
use crate::engine::client::requests::{RequestTemplate, request_for};
use crate::engine::client::template::Vars;
use crate::engine::outcome::ErrorKind;
use bytes::Bytes;
use cookie_store::{CookieStore, RawCookie};
use http::header::{COOKIE, HeaderValue, SET_COOKIE};
use http::{HeaderMap, Request, Uri};
use http_body_util::Full;

/// The request of `step` with `vars`, carrying `jar`'s cookies for its URL; with that URL
/// (for the cookies its response sets). `InvalidUrl` when the filled URL is not one or
/// leaves the step's origin; `InvalidHeader` when a filled value cannot be a header's.
pub(super) fn build(
    step: &StepRequest,
    vars: &Vars,
    jar: &CookieStore,
    pool: &Pool,
) -> Result<(Request<Full<Bytes>>, url::Url), ErrorKind> {
    let url = fill(&step.url, vars);
    let uri: Uri = url.parse().map_err(|_| ErrorKind::InvalidUrl)?;
    let same_origin =
        uri.scheme() == step.origin.scheme() && uri.authority() == step.origin.authority();
    if !same_origin || url.contains('#') {
        return Err(ErrorKind::InvalidUrl);
    }
    let parsed = url::Url::parse(&url).map_err(|_| ErrorKind::InvalidUrl)?;
    let mut headers = step.headers.clone();
    for (name, value) in &step.templated {
        let value = HeaderValue::from_maybe_shared(Bytes::from(value.fill(vars)))
            .map_err(|_| ErrorKind::InvalidHeader)?;
        headers.insert(name.clone(), value);
    }
    add_cookies(&mut headers, jar, &parsed)?;
    let body = match &step.body {
        None => Bytes::new(),
        Some(body) => Bytes::from(fill(body, vars)),
    };
    let template = RequestTemplate::new(step.method.clone(), uri, headers, body);
    Ok((request_for(&template, pool), parsed))
}

/// The text of `filling` with `vars`.
fn fill(filling: &Filling, vars: &Vars) -> String {
    match filling {
        Filling::Fixed(text) => text.clone(),
        Filling::Template(t) => t.fill(vars),
    }
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
pub(super) fn keep_cookies(jar: &mut CookieStore, head: &HeaderMap, url: &url::Url) {
    let set = head
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|text| RawCookie::parse(text.to_owned()).ok());
    jar.store_response_cookies(set, url);
}
