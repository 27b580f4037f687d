//! Request `n` filled from its templates: its own path and query, header values and body,
//! put into a copy of the prepared request (which a run without templates sends as it is). What does not make a valid request once filled is not sent: it is counted.

use super::template::{Template, Uses, Vars};
use crate::engine::outcome::ErrorKind;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::uri::PathAndQuery;
use http::{Request, Uri};
use http_body_util::Full;

/// The parts of a request that hold values; empty in a run without templates.
#[derive(Debug, Clone, Default)]
pub struct Holes {
    /// The URL's path and query (from its first `/`).
    pub path: Option<Template>,
    /// Header values that hold values, added after the static headers.
    pub headers: Vec<(HeaderName, Template)>,
    pub body: Option<Template>,
}

impl Holes {
    /// Whether nothing is filled: the request is the same every time.
    pub fn is_empty(&self) -> bool {
        self.path.is_none() && self.headers.is_empty() && self.body.is_none()
    }

    /// What the templates need worked out per request.
    pub fn uses(&self) -> Uses {
        let all = self.path.iter().chain(self.headers.iter().map(|(_, t)| t));
        all.chain(&self.body)
            .fold(Uses::default(), |uses, t| uses.and(t.uses()))
    }

    /// The body's literal bytes, for sizing the connection's writes.
    pub fn body_len_hint(&self) -> usize {
        self.body.as_ref().map_or(0, Template::literal_len)
    }

    /// The filled parts for a request shaped like `base` (its form: origin or absolute);
    /// `InvalidUrl` or `InvalidHeader` when the filled text cannot be sent.
    pub(super) fn fill(
        &self,
        base: &Request<Full<Bytes>>,
        vars: &Vars,
    ) -> Result<Filled, ErrorKind> {
        let uri = match &self.path {
            Some(path) => Some(with_path(base.uri(), path.fill(vars))?),
            None => None,
        };
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| {
                HeaderValue::from_maybe_shared(Bytes::from(value.fill(vars)))
                    .map(|value| (name.clone(), value))
                    .map_err(|_| ErrorKind::InvalidHeader)
            })
            .collect::<Result<_, _>>()?;
        let body = self.body.as_ref().map(|body| Bytes::from(body.fill(vars)));
        Ok(Filled { uri, headers, body })
    }
}

/// Request `n`'s own parts, put into a copy of the prepared request at each send: a request
/// resent is the same request, and a copy costs what a run without templates pays anyway.
#[derive(Debug)]
pub struct Filled {
    uri: Option<Uri>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Bytes>,
}

impl Filled {
    /// Puts the parts into `request` (a copy of the prepared one).
    pub(super) fn apply(&self, request: &mut Request<Full<Bytes>>) {
        if let Some(uri) = &self.uri {
            *request.uri_mut() = uri.clone();
        }
        for (name, value) in &self.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        if let Some(body) = &self.body {
            *request.body_mut() = Full::new(body.clone());
        }
    }
}

/// `base` (origin form, or absolute with its scheme and authority) with `path` as its path
/// and query. A `#` would be cut off silently by the parser: it is refused too.
fn with_path(base: &Uri, path: String) -> Result<Uri, ErrorKind> {
    if path.contains('#') {
        return Err(ErrorKind::InvalidUrl);
    }
    let path = PathAndQuery::try_from(path).map_err(|_| ErrorKind::InvalidUrl)?;
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(path);
    Uri::from_parts(parts).map_err(|_| ErrorKind::InvalidUrl)
}

#[cfg(test)]
mod tests {
    use super::super::template::SAMPLE;
    use super::*;

    fn template(text: &str) -> Option<Template> {
        Template::parse(text, None).expect("parses")
    }

    #[test]
    fn filled_into_the_prepared_request_or_counted_when_it_cannot_be_sent() {
        let mut base = Request::new(Full::new(Bytes::from_static(b"static")));
        *base.uri_mut() = Uri::from_static("http://h:1/x");
        base.headers_mut()
            .insert("x-static", HeaderValue::from_static("1"));
        let holes = Holes {
            path: template("/p/{{ seq }}?q={{ seq }}"),
            headers: vec![(
                HeaderName::from_static("x-id"),
                template("id-{{seq}}").expect("t"),
            )],
            body: None,
        };
        let mut filled = base.clone();
        holes
            .fill(&base, &SAMPLE)
            .expect("valid")
            .apply(&mut filled);
        assert_eq!(filled.uri(), "http://h:1/p/0?q=0");
        assert_eq!(filled.headers()["x-static"], "1");
        assert_eq!(filled.headers()["x-id"], "id-0");
        assert!(!holes.is_empty());
        let spaced = Holes {
            path: template("/{{ seq }} x"),
            ..Holes::default()
        };
        assert_eq!(
            spaced.fill(&base, &SAMPLE).err(),
            Some(ErrorKind::InvalidUrl)
        );
        let hashed = Holes {
            path: template("/{{ seq }}#x"),
            ..Holes::default()
        };
        assert_eq!(
            hashed.fill(&base, &SAMPLE).err(),
            Some(ErrorKind::InvalidUrl)
        );
        let broken = Holes {
            headers: vec![(
                HeaderName::from_static("x"),
                template("{{seq}}\n").expect("t"),
            )],
            ..Holes::default()
        };
        assert_eq!(
            broken.fill(&base, &SAMPLE).err(),
            Some(ErrorKind::InvalidHeader)
        );
    }
}
