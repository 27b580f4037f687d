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
}

impl From<&Histograms> for EncodedHistograms {
    fn from(h: &Histograms) -> Self {
        EncodedHistograms {
            latency: encode(&h.latency),
            service: encode(&h.service),
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

/// Decodes what `encode` (or any HdrHistogram library) wrote.
pub fn decode(text: &str) -> Result<Histogram<u64>, String> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("not an HdrHistogram: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::window::new_histogram;

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
    }
}
