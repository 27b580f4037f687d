//! The server's first frames on an HTTP/2 connection, read as they arrive (before h2 sees
//! them): an HTTP/2 server's first frame is its SETTINGS, so anything else (an HTTP/1.1 answer
//! to the preface) or the end of the connection before a byte means the server does not
//! speak HTTP/2 (so does a reset before it); and the first response HEADERS mark the connection as one that answered.
//! Past that response the bytes go straight through.

use crate::engine::outcome::ErrorKind;
use hyper::rt::{Read, ReadBuf, ReadBufCursor, Write};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::task::{Context, Poll, ready};

/// The message of the I/O error a connection to a server that does not speak HTTP/2 ends
/// with; h2 hands every stream the error's kind and message (not the error itself).
const NOT_HTTP2: &str = "the server does not speak HTTP/2";

/// Bytes looked at per read until the first response: what one read takes, at most.
const SCAN_BYTES: usize = 4096;

/// An HTTP/2 frame header: 3 bytes length, type, flags, 4 bytes stream id.
const FRAME_HEAD: usize = 9;
const SETTINGS: u8 = 0x4;
const HEADERS: u8 = 0x1;
const ACK: u8 = 0x1;

/// Whether `err` is the one a connection to a server that does not speak HTTP/2 ends with.
pub fn is_not_http2(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::InvalidData
        && err.get_ref().is_some_and(|e| e.to_string() == NOT_HTTP2)
}

/// What a connection's frames and its requests tell the pool about it.
#[derive(Debug, Default)]
pub struct Fate {
    /// The server sent response HEADERS on some stream.
    answered: AtomicBool,
    /// A request on it failed (an error, GOAWAY, a refused stream).
    failed: AtomicBool,
    /// Sluice ended it: the server broke the protocol, or does not speak it.
    broken: AtomicBool,
    /// The server's first bytes were not HTTP/2.
    not_http2: AtomicBool,
}

impl Fate {
    /// A request on the connection failed with `kind`; returns the kind to count: on a
    /// connection to a server that does not speak HTTP/2, every failure is that (h2 tells
    /// the streams it opened after the first error only that the connection closed).
    pub fn failed(&self, kind: ErrorKind) -> ErrorKind {
        self.failed.store(true, Relaxed);
        let kind = match self.not_http2.load(Relaxed) {
            true => ErrorKind::H2Unsupported,
            false => kind,
        };
        if matches!(kind, ErrorKind::H2Protocol | ErrorKind::H2Unsupported) {
            self.broken.store(true, Relaxed);
        }
        kind
    }

    /// It failed without a single response, or broke the protocol: what a dead or hostile
    /// server, or one that does not speak HTTP/2, does to every connection.
    pub fn dead_on_arrival(&self) -> bool {
        self.broken.load(Relaxed) || (self.failed.load(Relaxed) && !self.answered())
    }

    /// The server answered a request on it, and did not break the protocol.
    pub fn answered(&self) -> bool {
        self.answered.load(Relaxed) && !self.broken.load(Relaxed)
    }
}

/// A connection's stream, watched until its first response.
pub struct Watched<S> {
    inner: S,
    scan: Scan,
    fate: Arc<Fate>,
}

impl<S> Watched<S> {
    /// Watches `inner`, telling `fate` when the server answers.
    pub fn new(inner: S, fate: Arc<Fate>) -> Watched<S> {
        Watched {
            inner,
            scan: Scan::default(),
            fate,
        }
    }
}

/// Where the reader is in the server's frames.
#[derive(Debug, Default)]
struct Scan {
    head: [u8; FRAME_HEAD],
    /// Bytes of `head` read so far.
    have: usize,
    /// Payload bytes of the current frame still to pass.
    skip: u64,
    /// Frames seen so far (the first must be SETTINGS).
    frames: u64,
    /// The first response came: nothing more to look at.
    done: bool,
}

/// What a run of bytes said.
#[derive(Debug, PartialEq, Eq)]
enum Heard {
    Nothing,
    Answered,
    NotHttp2,
}

impl Scan {
    /// Reads frame headers from `bytes` (continuing where the last read stopped).
    fn read(&mut self, mut bytes: &[u8]) -> Heard {
        while !bytes.is_empty() {
            if self.skip > 0 {
                let n = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                self.skip -= n as u64;
                bytes = &bytes[n..];
                continue;
            }
            let n = (FRAME_HEAD - self.have).min(bytes.len());
            self.head[self.have..self.have + n].copy_from_slice(&bytes[..n]);
            self.have += n;
            bytes = &bytes[n..];
            if self.have < FRAME_HEAD {
                break;
            }
            self.have = 0;
            match self.frame() {
                Heard::Nothing => {}
                heard => return heard,
            }
        }
        Heard::Nothing
    }

    /// Judges the frame whose header was just read.
    fn frame(&mut self) -> Heard {
        let h = self.head;
        let kind = h[3];
        let stream = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
        self.frames += 1;
        if self.frames == 1 && !(kind == SETTINGS && stream == 0 && h[4] & ACK == 0) {
            return Heard::NotHttp2;
        }
        if kind == HEADERS && stream != 0 {
            return Heard::Answered;
        }
        self.skip = u64::from(u32::from_be_bytes([0, h[0], h[1], h[2]]));
        Heard::Nothing
    }

    /// The connection ended here: before a whole first frame, the server never spoke h2.
    fn ended(&self) -> Heard {
        match self.frames {
            0 => Heard::NotHttp2,
            _ => Heard::Nothing,
        }
    }
}

fn not_http2() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, NOT_HTTP2)
}

impl<S> Watched<S> {
    /// An I/O error; before the server's first frame, a reset (an HTTP/1 server closing on
    /// the preface it did not read) means it does not speak HTTP/2.
    fn judged(&self, err: io::Error) -> io::Error {
        let reset = matches!(
            err.kind(),
            io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
        );
        match reset && self.scan.frames == 0 && !self.scan.done {
            true => self.not_http2(),
            false => err,
        }
    }

    /// The server does not speak HTTP/2: said to the connection's fate, and as the error.
    fn not_http2(&self) -> io::Error {
        self.fate.not_http2.store(true, Relaxed);
        not_http2()
    }
}

impl<S: Read + Unpin> Read for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let room = buf.remaining().min(SCAN_BYTES);
        if this.scan.done || room == 0 {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        let mut local = [0u8; SCAN_BYTES];
        let mut read = ReadBuf::new(&mut local[..room]);
        if let Err(e) = ready!(Pin::new(&mut this.inner).poll_read(cx, read.unfilled())) {
            return Poll::Ready(Err(this.judged(e)));
        }
        let bytes = read.filled();
        let heard = match bytes.is_empty() {
            true => this.scan.ended(),
            false => this.scan.read(bytes),
        };
        match heard {
            Heard::NotHttp2 => return Poll::Ready(Err(this.not_http2())),
            Heard::Answered => {
                this.fate.answered.store(true, Relaxed);
                this.scan.done = true;
            }
            Heard::Nothing => {}
        }
        buf.put_slice(bytes);
        Poll::Ready(Ok(()))
    }
}

impl<S: Write + Unpin> Write for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.inner).poll_write(cx, buf));
        Poll::Ready(written.map_err(|e| this.judged(e)))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.inner).poll_write_vectored(cx, bufs));
        Poll::Ready(written.map_err(|e| this.judged(e)))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, flags: u8, stream: u32, len: usize) -> Vec<u8> {
        let l = (len as u32).to_be_bytes();
        let mut f = vec![l[1], l[2], l[3], kind, flags];
        f.extend(stream.to_be_bytes());
        f.extend(std::iter::repeat_n(0, len));
        f
    }

    #[test]
    fn an_http1_answer_or_an_early_end_is_not_http2() {
        let mut scan = Scan::default();
        assert_eq!(scan.read(b"HTTP/1.1 400 Bad Request\r\n"), Heard::NotHttp2);
        let mut short = Scan::default();
        assert_eq!(short.read(&frame(SETTINGS, 0, 0, 6)[..5]), Heard::Nothing);
        assert_eq!(
            short.ended(),
            Heard::NotHttp2,
            "closed inside the first frame"
        );
        assert_eq!(
            Scan::default().ended(),
            Heard::NotHttp2,
            "closed before a byte"
        );
        let e = not_http2();
        assert!(is_not_http2(&e));
        // As h2 hands it on: the kind and the message, in a new error.
        let passed_on = io::Error::new(e.kind(), e.get_ref().expect("inner").to_string());
        assert!(is_not_http2(&passed_on));
        assert!(!is_not_http2(&io::Error::from(io::ErrorKind::InvalidData)));
    }

    #[test]
    fn settings_then_a_response_is_heard_across_reads() {
        let mut bytes = frame(SETTINGS, 0, 0, 12);
        bytes.extend(frame(0x8, 0, 0, 4)); // WINDOW_UPDATE
        bytes.extend(frame(SETTINGS, ACK, 0, 0));
        let response = frame(HEADERS, 0x4, 1, 20);
        bytes.extend(&response);
        let mut scan = Scan::default();
        let (a, b) = bytes.split_at(bytes.len() - response.len() + 4);
        for chunk in a.chunks(5) {
            assert_eq!(scan.read(chunk), Heard::Nothing);
        }
        assert_eq!(scan.read(b), Heard::Answered);
        assert_eq!(scan.ended(), Heard::Nothing);
    }
}
