//! Everything from outside the process is untrusted: a file is read only when it is a regular
//! file and only up to what its kind could honestly need, text from outside is escaped (and
//! cut) before it reaches a terminal, and a URL's password is hidden from every message.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// A request body (`-D`): held once, its bytes shared by every request.
pub const MAX_BODY_BYTES: u64 = 64 << 20;
/// A list of URLs or targets (`--urls-from-file`, `--targets`): a million short ones, or
/// thousands of targets with bodies; each is held once for the run.
pub const MAX_URL_FILE_BYTES: u64 = 64 << 20;
/// A summary read back (`merge`, `plot`, `--replay`): a day's series and timeline with room.
pub const MAX_SUMMARY_BYTES: u64 = 256 << 20;
/// The most characters of a value from outside that a message quotes (a URL, a name).
pub const QUOTED_CHARS: usize = 200;
/// The most characters of a line on stderr: past it, the line is cut (`process::say`).
pub const LINE_CHARS: usize = 2000;
/// A PEM file (`--cacert`, `--cert`, `--key`): the system's whole CA bundle is ~200 KiB.
pub const MAX_PEM_BYTES: u64 = 16 << 20;

/// Reads `path` whole, refusing what is not a regular file (a FIFO, a device, a folder:
/// they may never end, or never begin) and what is larger than `cap_bytes`. The open does
/// not wait for a FIFO's writer. Errors read "'PATH' …", for the caller to put its flag before.
pub fn read_file(path: &Path, cap_bytes: u64) -> Result<Vec<u8>, String> {
    let shown = escaped(&path.to_string_lossy()).into_owned();
    let file = open_regular(path).map_err(|why| format!("'{shown}' {why}"))?;
    // Room for the whole file at once (and the one byte past the cap that tells it is
    // over): a Vec grown by doubling would hold the file twice and a half at its peak.
    let size = file.metadata().map_or(0, |md| md.len()).min(cap_bytes);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0) + 1);
    file.take(cap_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read '{shown}': {e}"))?;
    if bytes.len() as u64 > cap_bytes {
        return Err(format!(
            "'{shown}' is larger than {} MiB, more than such a file needs",
            cap_bytes >> 20
        ));
    }
    Ok(bytes)
}

/// `read_file`, as UTF-8 text.
pub fn read_text(path: &Path, cap_bytes: u64) -> Result<String, String> {
    let bytes = read_file(path, cap_bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "'{}' is not UTF-8 text (at byte {})",
            escaped(&path.to_string_lossy()),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Opens `path` for reading without blocking on a FIFO, and checks it is a regular file.
pub fn open_regular(path: &Path) -> Result<File, String> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| format!("cannot be read: {e}"))?;
    let md = file
        .metadata()
        .map_err(|e| format!("cannot be checked: {e}"))?;
    match md.is_file() {
        true => Ok(file),
        false if md.is_dir() => Err("is a folder: name a file".into()),
        false => Err("is not a regular file (a FIFO, a device or a socket): name a file".into()),
    }
}

/// `text` with every control character (C0, DEL, C1) and bidirectional override written as
/// an escape (`\x1b`, `\u{202e}`), so what came from outside cannot move the cursor, set the
/// title or reorder what is shown. Text without them is borrowed as it is.
pub fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match (needs_escape(c), c as u32) {
            (false, _) => out.push(c),
            (true, n) if n < 0x80 => {
                let _ = write!(out, "\\x{n:02x}");
            }
            (true, n) => {
                let _ = write!(out, "\\u{{{n:x}}}");
            }
        }
    }
    Cow::Owned(out)
}

/// `text` escaped and, past `most_chars`, cut with an ellipsis: what a one-line message may
/// quote of something from outside (a parser's error, a file's line, a worker's words).
pub fn quoted(text: &str, most_chars: usize) -> String {
    let shown = escaped(text);
    match shown.char_indices().nth(most_chars) {
        Some((cut, _)) => format!("{}…", &shown[..cut]),
        None => shown.into_owned(),
    }
}

/// The text with anything that may be a password replaced by `***`, for messages about a
/// URL, even one that does not parse: the userinfo runs to the last '@' (a password may hold
/// an unencoded '/', '?' or '#'), so a path or query with an '@' may be hidden too.
pub fn redact(text: &str) -> String {
    // Without a scheme, the text may start with its userinfo (`user:pw@host`).
    let start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[start..];
    // A bracketed IPv6 host comes first only when there is no userinfo before it.
    match rest.rfind('@') {
        Some(at) if !rest.starts_with('[') => hide_password(text, start, at),
        _ => text.to_string(),
    }
}

/// The text with the password of the authority's `user:password@` (up to the first '/',
/// '?' or '#', as a URL is read) replaced by `***`: how a valid URL is shown.
pub fn redact_authority(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => hide_password(text, start, at),
        None => text.to_string(),
    }
}

/// `text` with what lies between the first ':' of its userinfo (from `start` to the '@' at
/// `start + at`) and that '@' replaced by `***`; unchanged when the userinfo has no ':'.
fn hide_password(text: &str, start: usize, at: usize) -> String {
    let rest = &text[start..];
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{}{user}:***{}", &text[..start], &rest[at..]),
        None => text.to_string(),
    }
}

/// Control characters, and the Unicode marks that reorder the text around them.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_borrowed() {
        let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J x\u{9b}y\u{202e}z\tq\n";
        let shown = escaped(hostile);
        assert_eq!(
            shown,
            "\\x1b]0;PWNED\\x07\\x1b[2J x\\u{9b}y\\u{202e}z\\x09q\\x0a"
        );
        assert!(!shown.chars().any(needs_escape));
        assert!(matches!(
            escaped("http://héllo/ü"),
            Cow::Borrowed("http://héllo/ü")
        ));
    }

    #[test]
    fn a_fifo_or_a_device_is_refused_without_waiting_and_a_large_file_is_capped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let err = read_file(&fifo, 10).expect_err("a FIFO is refused");
        assert!(err.contains("not a regular file"), "{err}");
        let err = read_file(Path::new("/dev/zero"), 10).expect_err("a device is refused");
        assert!(err.contains("not a regular file"), "{err}");
        assert!(read_file(dir.path(), 10).unwrap_err().contains("folder"));
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; (2 << 20) + 1]).expect("write");
        let err = read_file(&big, 2 << 20).expect_err("over the cap");
        assert!(err.contains("larger than 2 MiB"), "{err}");
        assert_eq!(
            read_file(&big, 3 << 20).expect("under the cap").len(),
            (2 << 20) + 1
        );
        std::fs::write(&big, [0xff, 0xfe]).expect("write");
        assert!(read_text(&big, 10).unwrap_err().contains("not UTF-8"));
    }
}
