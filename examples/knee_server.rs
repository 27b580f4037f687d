//! The test suite's server with a knee (tests/suite/common/knee.rs, the same code), alone
//! on 127.0.0.1, for `bench/autopilot.sh`: WORKERS requests served at once, each for
//! SERVICE_MS ± 25%, the rest queued in order. Prints its URL; then each line on stdin is
//! a number of workers to serve with from then on (the capacity changes while it runs).
//!
//!   usage: cargo run --release --example knee_server -- WORKERS SERVICE_MS [PORT=0]
#![allow(clippy::disallowed_macros)] // prints for its reader

#[allow(dead_code)] // the tests' other servers
#[path = "../tests/suite/common/knee.rs"]
mod knee;

use std::io::BufRead;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<Option<u64>> = args.iter().map(|a| a.parse().ok()).collect();
    let (workers, service_ms, port) = match numbers.as_slice() {
        [Some(w), Some(ms)] => (*w, *ms, 0),
        [Some(w), Some(ms), Some(port)] => (*w, *ms, *port),
        _ => {
            eprintln!("usage: knee_server WORKERS SERVICE_MS [PORT=0]");
            std::process::exit(2);
        }
    };
    let (Ok(workers), Ok(port)) = (usize::try_from(workers), u16::try_from(port)) else {
        eprintln!("knee_server: WORKERS a count, PORT a port");
        std::process::exit(2);
    };
    let server = knee::KneeServer::on(port, workers.max(1), Duration::from_millis(service_ms));
    println!("{}", server.url());
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match line.trim().parse::<usize>() {
            Ok(n) if n > 0 => server.set_workers(n),
            _ => eprintln!("knee_server: a number of workers, not {line:?}"),
        }
    }
    // Stdin closed: serve until killed.
    loop {
        std::thread::park();
    }
}
