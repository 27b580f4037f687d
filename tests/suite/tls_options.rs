//! TLS options and request shortcuts, through the real binary against servers on 127.0.0.1:
//! a private CA (--cacert), a client certificate (--cert/--key), another address for a name
//! (--connect-to, with the name still checked), and -a/-A/-T.

use crate::common::{Behaviour, Pki, TestServer, json_run, refused, sluice};
use std::time::Duration;

fn ok() -> Behaviour {
    Behaviour::Delay(Duration::ZERO)
}

#[test]
fn cacert_makes_a_private_ca_pass_without_insecure() {
    let pki = Pki::new(&["127.0.0.1"]);
    let server = TestServer::start_tls_pki(ok(), &pki, false);
    let url = server.https_url();
    let without = json_run(&[&url, "-n", "3", "-c", "1"]);
    assert_eq!(
        without["errors"]["tls_unknown_issuer"], 3,
        "an unknown CA was trusted"
    );
    let with = json_run(&[&url, "-n", "50", "-c", "2", "--cacert", &pki.path("ca.pem")]);
    assert_eq!(with["status_codes"]["200"], 50);
}

#[test]
fn cacert_trusts_a_self_signed_certificate_marked_ca_as_openssl_makes_them() {
    let pki = Pki::openssl_style_self_signed(&["127.0.0.1"]);
    let server = TestServer::start_tls_pki(ok(), &pki, false);
    let cert = pki.path("cert.pem");
    let s = json_run(&[
        &server.https_url(),
        "-n",
        "20",
        "-c",
        "2",
        "--cacert",
        &cert,
    ]);
    assert_eq!(s["status_codes"]["200"], 20, "errors: {}", s["errors"]);
    // Pinned, not blindly trusted: under a name the certificate does not hold, it fails.
    let rule = format!("localhost:{0}:127.0.0.1:{0}", server.addr.port());
    let url = format!("https://localhost:{}/", server.addr.port());
    let other = json_run(&[
        &url,
        "-n",
        "2",
        "-c",
        "1",
        "--cacert",
        &cert,
        "--connect-to",
        &rule,
    ]);
    assert_eq!(
        other["errors"]["tls_cert_name"], 2,
        "a certificate for 127.0.0.1 passed for localhost"
    );
}

#[test]
fn a_server_that_asks_for_a_client_certificate_gets_one_with_cert_and_key() {
    let pki = Pki::new(&["127.0.0.1"]);
    let server = TestServer::start_tls_pki(ok(), &pki, true);
    let url = server.https_url();
    let ca = pki.path("ca.pem");
    let out = sluice(&["--no-tui", &url, "-n", "3", "-c", "1", "--cacert", &ca]);
    assert!(out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("tls"),
        "no tls error without a client certificate: {all}"
    );
    assert!(
        all.contains("--cert FILE --key FILE"),
        "no hint to --cert/--key: {all}"
    );
    let (cert, key) = (pki.path("client.pem"), pki.path("client.key"));
    let with = json_run(&[
        &url, "-n", "20", "-c", "2", "--cacert", &ca, "--cert", &cert, "--key", &key,
    ]);
    assert_eq!(with["status_codes"]["200"], 20);
}

#[test]
fn connect_to_reaches_a_server_under_another_name_and_checks_that_name() {
    let pki = Pki::new(&["sluice.test"]);
    let server = TestServer::start_tls_pki(ok(), &pki, false);
    let ca = pki.path("ca.pem");
    let rule = |name: &str| format!("{name}:443:127.0.0.1:{}", server.addr.port());
    let s = json_run(&[
        "https://sluice.test/",
        "-n",
        "10",
        "-c",
        "1",
        "--cacert",
        &ca,
        "--connect-to",
        &rule("sluice.test"),
    ]);
    assert_eq!(s["status_codes"]["200"], 10);
    assert_eq!(
        server.seen.header("host"),
        "sluice.test",
        "the Host header keeps the URL's name"
    );
    // The certificate is for sluice.test only: under another name, the check fails.
    let other = json_run(&[
        "https://other.test/",
        "-n",
        "2",
        "-c",
        "1",
        "--cacert",
        &ca,
        "--connect-to",
        &rule("other.test"),
    ]);
    assert_eq!(
        other["errors"]["tls_cert_name"], 2,
        "a certificate for another name was accepted"
    );
}

#[test]
fn a_connect_to_rule_for_another_host_or_a_bad_file_is_refused_before_any_load() {
    let server = TestServer::start(ok());
    let url = server.url();
    let err = refused(&sluice(&[
        "--no-tui",
        &url,
        "-n",
        "1",
        "--connect-to",
        "example.com:80:127.0.0.1:1",
    ]));
    assert!(err.contains("--connect-to"), "{err}");
    let err = refused(&sluice(&[
        "--no-tui",
        &url,
        "-n",
        "1",
        "--cacert",
        "/nonexistent.pem",
    ]));
    assert!(
        err.contains("--cacert") && err.contains("/nonexistent.pem"),
        "{err}"
    );
    let err = refused(&sluice(&["--no-tui", &url, "-n", "1", "--cert", "/x.pem"]));
    assert!(err.contains("--key"), "{err}");
    assert_eq!(server.seen.requests(), 0, "a refused run sent a request");
}

#[test]
fn shortcuts_are_the_headers_they_stand_for_and_the_password_is_never_printed() {
    let server = TestServer::start(ok());
    let url = server.url();
    let out = sluice(&[
        "--no-tui",
        &url,
        "-n",
        "2",
        "-c",
        "1",
        "-a",
        "user:s3cret",
        "-A",
        "application/json",
        "-T",
        "text/csv",
    ]);
    assert!(out.status.success());
    assert_eq!(
        server.seen.header("authorization"),
        "Basic dXNlcjpzM2NyZXQ="
    );
    assert_eq!(
        server.seen.header("accept"),
        "application/json",
        "-A replaces the default Accept"
    );
    assert_eq!(server.seen.header("content-type"), "text/csv");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cret"), "the password was printed: {all}");
    let err = refused(&sluice(&[
        "--no-tui",
        &url,
        "-n",
        "1",
        "-A",
        "a/b",
        "-H",
        "Accept: c/d",
    ]));
    assert!(err.contains("-A") && err.contains("accept"), "{err}");
    let err = refused(&sluice(&[
        "--no-tui",
        &url,
        "-n",
        "1",
        "-a",
        "no-colon-s3cret",
    ]));
    assert!(
        !err.contains("s3cret"),
        "the refusal printed the password: {err}"
    );
}
