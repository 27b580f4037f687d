//! How many bytes a response's head took, for `bytes_received` (headers and bodies, as wrk
//! counts them): hyper parses the head and keeps no count of its own.

use http::Response;
use hyper::ext::ReasonPhrase;

/// "HTTP/1.1 " + the three digits + " " … "\r\n".
const STATUS_LINE_FIXED: usize = 9 + 3 + 1 + 2;
/// ": " and "\r\n" around each header's value.
const HEADER_LINE_FIXED: usize = 2 + 2;
/// The blank line that ends the head.
const HEAD_END: usize = 2;

/// The size of `response`'s head as HTTP/1.1 text: status line, header lines, blank line.
/// Exact for HTTP/1.1 servers that write `Name: value` (nearly all); for HTTP/2 it is the
/// decoded size, not the HPACK-compressed one.
pub fn head_bytes<B>(response: &Response<B>) -> u32 {
    let reason = match response.extensions().get::<ReasonPhrase>() {
        Some(reason) => reason.as_bytes().len(),
        None => response.status().canonical_reason().map_or(0, str::len),
    };
    let headers: usize = response
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + HEADER_LINE_FIXED)
        .sum();
    u32::try_from(STATUS_LINE_FIXED + reason + headers + HEAD_END).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_counted_as_it_is_written() {
        let wire =
            "HTTP/1.1 200 OK\r\ncontent-length: 13\r\ndate: Mon, 23 Nov 2026 10:00:00 GMT\r\n\r\n";
        let response = Response::builder()
            .status(200)
            .header("content-length", "13")
            .header("date", "Mon, 23 Nov 2026 10:00:00 GMT")
            .body(())
            .expect("response");
        assert_eq!(head_bytes(&response), wire.len() as u32);
        let wire = "HTTP/1.1 404 Not Found\r\n\r\n";
        let response = Response::builder().status(404).body(()).expect("response");
        assert_eq!(head_bytes(&response), wire.len() as u32);
    }
}
