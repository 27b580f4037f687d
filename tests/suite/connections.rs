//! Connection behaviour: `--disable-keepalive` opens one connection per request, and with the
//! ephemeral ports narrowed (in a network namespace of the test's own) a run that spends them
//! meets EADDRNOTAVAIL, counted and hinted.
#![allow(clippy::disallowed_macros)] // prints for its reader; a closed pipe may end it

use crate::common::{Behaviour, TestServer, json_run, sluice};
use std::process::Command;
use std::time::Duration;

#[test]
fn disable_keepalive_opens_a_connection_per_request() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let s = json_run(&[&server.url(), "-n", "300", "-c", "4", "--disable-keepalive"]);
    assert_eq!(s["status_codes"]["200"], 300);
    assert_eq!(server.seen.connections(), 300, "a connection per request");
    let kept = json_run(&[&server.url(), "-n", "300", "-c", "4", "--threads", "1"]);
    assert_eq!(kept["status_codes"]["200"], 300);
    assert_eq!(
        server.seen.connections(),
        300 + 4,
        "keep-alive: a connection per slot"
    );
}

#[test]
fn disable_keepalive_with_http2_is_refused() {
    let out = sluice(&[
        "--no-tui",
        "http://127.0.0.1:1/",
        "--http2",
        "--disable-keepalive",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// Whether this process may make network namespaces (root, with `unshare` and `ip`).
fn can_unshare_the_network() -> bool {
    Command::new("unshare")
        .args(["-n", "ip", "link", "set", "lo", "up"])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn spent_ephemeral_ports_are_counted_as_address_unavailable_with_a_hint() {
    if !can_unshare_the_network() {
        // Not root, or no util-linux/iproute2: nothing here can narrow the port range
        // without changing the machine's own, which a test must not do.
        eprintln!("skipped: cannot create a network namespace here");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_sluice");
    // In a namespace of its own: loopback up, ten ephemeral ports, the demo target without
    // delay, and a run that closes every connection (each leaves a port in TIME_WAIT).
    let script = format!(
        "set -e; ip link set lo up; \
         echo '40000 40009' > /proc/sys/net/ipv4/ip_local_port_range; \
         {bin} demo --listen 127.0.0.1:8080 --max-delay 0s >/dev/null 2>&1 & demo=$!; \
         trap 'kill $demo' EXIT; \
         for i in $(seq 100); do {bin} --no-tui -n 1 http://127.0.0.1:8080/ >/dev/null 2>&1 && break; sleep 0.05; done; \
         {bin} http://127.0.0.1:8080/ -n 200 -c 2 -t 2s --disable-keepalive --no-tui --output-format json"
    );
    let out = Command::new("unshare")
        .args(["-n", "timeout", "120", "sh", "-c", &script])
        .output()
        .expect("unshare");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "no summary ({e}): {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let unavailable = summary["errors"]["address_unavailable"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        unavailable > 0,
        "no EADDRNOTAVAIL with 10 ports: {}",
        summary["errors"]
    );
    let hints = summary["hints"].to_string();
    assert!(hints.contains("ephemeral ports"), "no hint: {hints}");
}
