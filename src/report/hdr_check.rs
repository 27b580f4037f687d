//! A histogram from outside (a summary given to `merge`, a worker's `/status`) checked before
//! anything is allocated for it: the hdrhistogram crate trusts the lengths and bounds its
//! header declares, so 52 characters claiming a 4 GiB payload would allocate 4 GiB.

use crate::stats::latency::new_histogram;
use flate2::read::ZlibDecoder;
use std::io::Read;
use std::sync::OnceLock;

/// The V2 cookie (with the crate's word-size bits), and its deflated form's.
const V2_COOKIE: u32 = 0x1c84_9313;
const V2_DEFLATE_COOKIE: u32 = 0x1c84_9314;
/// Cookie, payload length, normalizing offset, digits, lowest, highest, ratio.
const HEADER_BYTES: usize = 40;
/// The longest a count takes in the payload (LEB128, the 9th byte whole).
const MOST_BYTES_A_COUNT: usize = 9;

/// What sluice's own histograms are (`new_histogram`): the bounds a histogram from outside
/// must keep, and the most bytes its plain V2 form can take.
struct Own {
    lowest: u64,
    highest: u64,
    digits: u8,
    counts: usize,
}

impl Own {
    fn get() -> &'static Own {
        static OWN: OnceLock<Own> = OnceLock::new();
        OWN.get_or_init(|| {
            let h = new_histogram();
            Own {
                lowest: h.low(),
                highest: h.high(),
                digits: h.sigfig(),
                counts: h.distinct_values(),
            }
        })
    }

    /// The most bytes a plain V2 histogram within these bounds takes.
    fn most_plain_bytes(&self) -> usize {
        HEADER_BYTES + self.counts * MOST_BYTES_A_COUNT
    }

    /// The most base64 characters such a histogram takes, deflated or not (deflate adds at
    /// most a few bytes per 16 KiB to what it cannot shrink).
    fn most_encoded_chars(&self) -> usize {
        (self.most_plain_bytes() + self.most_plain_bytes() / 64 + 64) * 4 / 3 + 4
    }
}

/// The longest base64 text a histogram of sluice's bounds can be.
pub fn most_encoded_chars() -> usize {
    Own::get().most_encoded_chars()
}

/// The plain V2 form of `bytes` (inflated if deflated), its header and payload checked
/// against what the input holds and what sluice's histograms are: safe to hand to the
/// hdrhistogram crate.
pub fn checked_v2(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let plain = match cookie(bytes, 0)? {
        V2_COOKIE => bytes.to_vec(),
        V2_DEFLATE_COOKIE => inflated(bytes)?,
        _ => return Err("not an HdrHistogram V2 encoding (its cookie)".into()),
    };
    if cookie(&plain, 0)? != V2_COOKIE {
        return Err("its inflated form is not an HdrHistogram V2 encoding".into());
    }
    let payload = check_header(&plain)?;
    check_counts(&plain[HEADER_BYTES..HEADER_BYTES + payload])?;
    Ok(plain[..HEADER_BYTES + payload].to_vec())
}

/// The big-endian u32 at `at`, or a refusal when the input is too short for it.
fn cookie(bytes: &[u8], at: usize) -> Result<u32, String> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| format!("{} bytes: too short for a histogram's header", bytes.len()))
}

/// A deflated histogram inflated, its declared length held by the input and what it
/// inflates to capped by the largest histogram of sluice's (a zip bomb stops there).
fn inflated(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let declared = cookie(bytes, 4)? as usize;
    let held = bytes.len() - 8;
    if declared > held {
        return Err(format!(
            "its header says {declared} deflated bytes follow, but {held} do"
        ));
    }
    let most = Own::get().most_plain_bytes();
    let mut plain = Vec::new();
    ZlibDecoder::new(&bytes[8..8 + declared])
        .take(most as u64 + 1)
        .read_to_end(&mut plain)
        .map_err(|e| format!("it does not inflate: {e}"))?;
    match plain.len() > most {
        true => Err(format!(
            "it inflates to more than {most} bytes, more than a histogram of sluice's holds"
        )),
        false => Ok(plain),
    }
}

/// The header's fields against the input and sluice's bounds; the payload's length.
fn check_header(plain: &[u8]) -> Result<usize, String> {
    let field = |at: usize| cookie(plain, at);
    let wide =
        |at: usize| Ok::<u64, String>((u64::from(field(at)?) << 32) | u64::from(field(at + 4)?));
    let (payload, offset, digits) = (field(4)? as usize, field(8)?, field(12)?);
    let (lowest, highest) = (wide(16)?, wide(24)?);
    let own = Own::get();
    let held = plain.len().saturating_sub(HEADER_BYTES);
    if payload > held {
        return Err(format!(
            "its header says its counts take {payload} bytes, but {held} follow"
        ));
    }
    if payload > own.counts * MOST_BYTES_A_COUNT {
        return Err(format!(
            "its counts take {payload} bytes, more than a histogram of sluice's can"
        ));
    }
    if offset != 0 || digits == 0 || digits > u32::from(own.digits) {
        return Err(format!(
            "its header says {digits} significant digits (offset {offset}); sluice's have {} at most",
            own.digits
        ));
    }
    if lowest != own.lowest || highest < 2 || highest > own.highest {
        return Err(format!(
            "its header says values from {lowest} to {highest} µs; sluice's go from {} to {}",
            own.lowest, own.highest
        ));
    }
    Ok(payload)
}

/// Walks the counts as the crate will: every run of zeros and every count inside the
/// histogram, and the total within a u64.
fn check_counts(payload: &[u8]) -> Result<(), String> {
    let most = Own::get().counts as u64;
    let (mut at, mut index, mut total) = (0usize, 0u64, 0u64);
    while at < payload.len() {
        let n = varint(payload, &mut at).ok_or("its counts end in the middle of a number")?;
        let count_or_zeros = ((n >> 1) as i64) ^ -((n & 1) as i64);
        let (step, count) = match count_or_zeros {
            c if c < 0 => (c.unsigned_abs(), 0),
            c => (1, c as u64),
        };
        index = index.saturating_add(step);
        if index > most {
            return Err("its counts run past the end of its values".into());
        }
        total = total
            .checked_add(count)
            .ok_or("its counts add up to more than 2^64")?;
    }
    Ok(())
}

/// One LEB128 number as HdrHistogram writes them (at most 9 bytes, the 9th whole).
fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for i in 0..MOST_BYTES_A_COUNT {
        let b = *bytes.get(*at)?;
        *at += 1;
        if i == MOST_BYTES_A_COUNT - 1 {
            return Some(value | (u64::from(b) << 56));
        }
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}
