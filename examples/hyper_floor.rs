//! The floor under sluice's engine: bare hyper 1.x HTTP/1 connections and nothing else (no
//! gate, pool, timers, outcomes or stats), one task per connection sending GETs back to back
//! on one current-thread runtime with the same allocator. `bench/matrix.sh` runs it beside
//! wrk and sluice, so the memory per connection and the req/s that hyper itself costs are
//! measured in the same run as ours.
//!
//!   usage: cargo run --release --example hyper_floor -- URL CONNECTIONS SECONDS
//! Prints the number of responses received.
#![allow(clippy::disallowed_macros)] // prints for its reader; a closed pipe may end it

use bytes::Bytes;
use http::{Request, Uri};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;
use tokio::net::TcpStream;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, connections, seconds] = args.as_slice() else {
        eprintln!("usage: hyper_floor URL CONNECTIONS SECONDS");
        std::process::exit(2);
    };
    let (Ok(url), Ok(connections), Ok(seconds)) = (
        url.parse::<Uri>(),
        connections.parse::<usize>(),
        seconds.parse::<u64>(),
    ) else {
        eprintln!("hyper_floor: URL CONNECTIONS SECONDS, e.g. http://127.0.0.1:8080/ 1000 8");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let done = runtime.block_on(run(url, connections, Duration::from_secs(seconds)));
    println!("{done}");
}

/// Opens `connections` connections, sends on all of them for `length`, counts responses.
async fn run(url: Uri, connections: usize, length: Duration) -> u64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let addr = format!(
        "{}:{}",
        url.host().unwrap_or("127.0.0.1"),
        url.port_u16().unwrap_or(80)
    );
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (done, stop, addr, url) = (done.clone(), stop.clone(), addr.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let _ = connection(&addr, &url, &done, &stop).await;
        }));
    }
    tokio::time::sleep(length).await;
    stop.store(true, Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    done.load(Relaxed)
}

/// One connection: GET after GET until `stop`, each body read to its end.
async fn connection(
    addr: &str,
    url: &Uri,
    done: &AtomicU64,
    stop: &AtomicBool,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let path = url.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let host = url.authority().map_or("", |a| a.as_str()).to_string();
    while !stop.load(Relaxed) {
        sender.ready().await?;
        let request = Request::get(path.as_str())
            .header(http::header::HOST, host.as_str())
            .body(Empty::<Bytes>::new())?;
        let response = sender.send_request(request).await?;
        response.into_body().collect().await?;
        done.fetch_add(1, Relaxed);
    }
    Ok(())
}
