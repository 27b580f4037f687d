//! The one field of a certificate sluice reads itself: its SubjectPublicKeyInfo, to check a
//! client key matches its certificate. webpki (which rustls' own check uses) refuses X.509 v1
//! certificates, which `openssl x509 -req` makes without an extensions file and which servers
//! (nginx, curl's OpenSSL) accept.

/// DER tags: SEQUENCE, INTEGER, and the `[0] EXPLICIT` that holds the version (v2, v3).
const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const VERSION: u8 = 0xa0;

/// One DER element, and what follows it.
struct Element<'a> {
    tag: u8,
    whole: &'a [u8],
    contents: &'a [u8],
    after: &'a [u8],
}

/// The DER element at the start of `der`; None when it is cut short or its length is not
/// DER's.
fn element(der: &[u8]) -> Option<Element<'_>> {
    let (&tag, rest) = der.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = match first {
        0..=0x7f => usize::from(first),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            let (bytes, after) = rest.split_at_checked(n)?;
            rest = after;
            bytes
                .iter()
                .fold(0usize, |len, b| len << 8 | usize::from(*b))
        }
        _ => return None,
    };
    let (contents, after) = rest.split_at_checked(len)?;
    let whole = &der[..der.len() - after.len()];
    Some(Element {
        tag,
        whole,
        contents,
        after,
    })
}

/// `der`'s first element when it has `tag`: (its contents, what follows).
fn expect(der: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let e = element(der)?;
    (e.tag == tag).then_some((e.contents, e.after))
}

/// The SubjectPublicKeyInfo (the whole DER element) of an X.509 certificate of any version;
/// None when `cert` is not one.
pub fn subject_public_key_info(cert: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = expect(cert, SEQUENCE)?;
    let (mut tbs, _) = expect(certificate, SEQUENCE)?;
    if tbs.first() == Some(&VERSION) {
        tbs = element(tbs)?.after;
    }
    let (_, after_serial) = expect(tbs, INTEGER)?;
    let mut rest = after_serial;
    // signature algorithm, issuer, validity, subject
    for _ in 0..4 {
        rest = expect(rest, SEQUENCE)?.1;
    }
    let spki = element(rest)?;
    (spki.tag == SEQUENCE).then_some(spki.whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_of_a_certificate_is_the_one_rustls_reads_from_its_private_key() {
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["x.test".into()]).expect("params");
        let cert = params.self_signed(&key).expect("cert");
        let private = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let signing = rustls::crypto::ring::default_provider()
            .key_provider
            .load_private_key(private)
            .expect("a key rustls takes");
        let public = signing.public_key().expect("its public half");
        assert_eq!(subject_public_key_info(cert.der()), Some(public.as_ref()));
    }

    #[test]
    fn cut_or_overlong_der_is_refused_without_a_panic() {
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["x.test".into()]).expect("params");
        let der = params.self_signed(&key).expect("cert").der().to_vec();
        for cut in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
            assert_eq!(subject_public_key_info(&der[..cut]), None, "cut at {cut}");
        }
        assert_eq!(subject_public_key_info(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(
            subject_public_key_info(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            None
        );
    }
}
