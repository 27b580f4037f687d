//! Histograms as text that other tools read: HdrHistogram's V2 compressed encoding in
//! base64 ("HISTF…"), as its interval logs and every HdrHistogram library use it, so two
//! runs' histograms can be added exactly later.

use crate::stats::window::Histograms;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer as _, V2DeflateSerializer};
use serde::{Deserialize, Serialize};

/// The whole run's histograms, encoded: microseconds, 3 significant digits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodedHistograms {
    /// Latency, from when each request was due (its start, in concurrency mode).
    pub latency: String,
    /// Service time, from each actual send.
    pub service: String,
    /// Time to first byte, from each send to the response's head, connecting excluded.
    pub ttfb: String,
    /// Opening each new connection (TCP, TLS, a proxy's CONNECT).
    pub connect: String,
}

impl From<&Histograms> for EncodedHistograms {
    fn from(h: &Histograms) -> Self {
        EncodedHistograms {
            latency: encode(&h.latency),
            service: encode(&h.service),
            ttfb: encode(&h.ttfb),
            connect: encode(&h.connect),
        }
    }
}

/// A histogram in V2 compressed form, base64.
pub fn encode(h: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    // Only an I/O error on the Vec could fail this, and a Vec does not fail.
    match V2DeflateSerializer::new().serialize(h, &mut bytes) {
        Ok(_) => STANDARD.encode(bytes),
        Err(_) => String::new(),
    }
}

/// Decodes what `encode` (or another HdrHistogram library, within sluice's bounds) wrote,
/// from anywhere: its length, what it inflates to, its header and its counts are checked
/// (`hdr_check`) before anything is allocated for it, so hostile text costs no more memory
/// than its own size and a histogram of sluice's.
pub fn decode(text: &str) -> Result<Histogram<u64>, String> {
    let text = text.trim();
    let most = super::hdr_check::most_encoded_chars();
    if text.len() > most {
        return Err(format!(
            "{} characters, more than a histogram of sluice's takes ({most})",
            text.len()
        ));
    }
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| format!("not base64: {e}"))?;
    let plain = super::hdr_check::checked_v2(&bytes)?;
    Deserializer::new()
        .deserialize(&mut plain.as_slice())
        .map_err(|e| format!("not an HdrHistogram: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::latency::new_histogram;

    #[test]
    fn a_histogram_comes_back_exactly() {
        let mut h = new_histogram();
        for us in [1, 50, 999, 12_345, 3_000_000] {
            h.record_n(us, us % 7 + 1).expect("record");
        }
        let text = encode(&h);
        assert!(text.starts_with("HISTF"), "{text}");
        let back = decode(&text).expect("decode");
        assert_eq!(back, h);
        assert!(decode("not a histogram").is_err());
        let empty = encode(&new_histogram());
        assert_eq!(decode(&empty).expect("empty").len(), 0);
    }

    /// A V2 header (`digits`, `lowest`, `highest`) declaring `payload_len`, then `payload`.
    fn v2(payload_len: u32, digits: u32, bounds: (u64, u64), payload: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        for word in [0x1c84_9313, payload_len, 0, digits] {
            b.extend_from_slice(&u32::to_be_bytes(word));
        }
        b.extend_from_slice(&bounds.0.to_be_bytes());
        b.extend_from_slice(&bounds.1.to_be_bytes());
        b.extend_from_slice(&1.0f64.to_be_bytes());
        b.extend_from_slice(payload);
        b
    }

    /// `plain` deflated, behind the deflate cookie and a declared length of `declared`.
    fn deflated(plain: &[u8], declared: Option<u32>) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(plain).expect("deflate");
        let z = z.finish().expect("deflate");
        let mut b = 0x1c84_9314u32.to_be_bytes().to_vec();
        b.extend_from_slice(&declared.unwrap_or(z.len() as u32).to_be_bytes());
        b.extend_from_slice(&z);
        b
    }

    fn refused(bytes: &[u8]) -> String {
        decode(&STANDARD.encode(bytes)).expect_err("refused")
    }

    #[test]
    fn a_header_that_declares_more_than_the_input_holds_is_refused_before_allocating() {
        let own = (1, 3_600_000_000);
        let four_gib = v2(u32::MAX, 3, own, &[]);
        assert!(refused(&four_gib).contains("4294967295 bytes"));
        let text = STANDARD.encode(deflated(&four_gib, None));
        assert!(text.len() < 60, "a few dozen characters: {text}");
        assert!(decode(&text).unwrap_err().contains("4294967295 bytes"));
        let lying = deflated(&v2(0, 3, own, &[]), Some(1 << 30));
        assert!(refused(&lying).contains("deflated bytes follow"));
        let bomb = v2(4 << 20, 3, own, &vec![0; 4 << 20]);
        assert!(refused(&deflated(&bomb, None)).contains("inflates to more than"));
        assert!(refused(&v2(500_000, 3, own, &vec![2; 500_000])).contains("more than a histogram"));
        assert!(refused(&v2(0, 5, own, &[])).contains("5 significant digits"));
        assert!(refused(&v2(0, 3, (1, u64::MAX), &[])).contains("values from 1"));
        assert!(refused(&v2(0, 3, (1000, own.1), &[])).contains("values from 1000"));
        assert!(
            decode(&"A".repeat(10 << 20))
                .unwrap_err()
                .contains("characters")
        );
    }

    #[test]
    fn counts_that_run_past_the_values_or_overflow_are_refused() {
        let own = (1, 3_600_000_000);
        // A run of 2^63 zeros (zigzag of i64::MIN), which the crate would negate.
        let min = [0xff; 9];
        assert!(refused(&v2(9, 3, own, &min)).contains("run past"));
        // Five counts of 2^62: more than a u64 holds.
        let big = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80];
        let three = [big, big, big, big, big].concat();
        assert!(refused(&v2(45, 3, own, &three)).contains("more than 2^64"));
        assert!(refused(&v2(2, 3, own, &[0x80, 0x80])).contains("middle of a number"));
        let mut h = new_histogram();
        h.record_n(250, 7).expect("record");
        let back = decode(&encode(&h)).expect("a histogram of sluice's decodes");
        assert_eq!(back.len(), 7);
    }
}
