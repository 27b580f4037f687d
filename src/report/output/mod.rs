//! Where the summary goes: checked before any load starts, written at the end without
//! replacing anything that is not a regular file, and without losing the run if it fails.

use crate::process::error::Error;
use crate::process::untrusted::escaped;
use std::fs::{self, Metadata, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

mod detached;
pub use detached::{Detached, said_if_slow, write_unless};

/// Symlinks followed before giving up (as the kernel's own limit).
const MAX_LINKS: usize = 40;

/// A checked destination for the summary.
#[derive(Debug)]
pub enum Output {
    Stdout,
    /// A regular file or a missing path: written to `tmp` beside it, then renamed over it.
    Replace {
        path: PathBuf,
        tmp: NamedTempFile,
        /// The existing file's mode and owner, kept; None for a new file (the umask applies).
        keep: Option<Box<Metadata>>,
    },
    /// A FIFO or character device: opened and written, never replaced.
    WriteThrough(PathBuf),
}

impl Output {
    /// Checks that the summary can be written to `path` (after following symlinks), before
    /// the run: a folder, a block device, a socket, or a place that cannot be written is
    /// bad input.
    pub fn prepare(path: Option<&Path>) -> Result<Output, Error> {
        Self::prepare_as(path, "-o")
    }

    /// `prepare`, its refusals naming `flag` (`--hdr-log`, `plot: -o`) as what was given.
    pub fn prepare_as(path: Option<&Path>, flag: &str) -> Result<Output, Error> {
        let Some(given) = path else {
            return Ok(Output::Stdout);
        };
        let shown = escaped(&given.to_string_lossy()).into_owned();
        let bad = |why: String| Error::Input(format!("{flag}: '{shown}' {why}"));
        let path = follow_links(given).map_err(|e| bad(format!("cannot be followed: {e}")))?;
        match fs::metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let tmp = temp_beside(&path, Permissions::from_mode(0o666)).map_err(&bad)?;
                Ok(Output::Replace {
                    path,
                    tmp,
                    keep: None,
                })
            }
            Err(e) => Err(bad(format!("cannot be checked: {e}"))),
            Ok(md) if md.is_file() => {
                check_writable(&path).map_err(&bad)?;
                let tmp = temp_beside(&path, md.permissions()).map_err(&bad)?;
                Ok(Output::Replace {
                    path,
                    tmp,
                    keep: Some(Box::new(md)),
                })
            }
            Ok(md) if md.is_dir() => Err(bad("is a folder: name a file in it".into())),
            Ok(md) if md.file_type().is_fifo() => Ok(Output::WriteThrough(path)),
            Ok(md) if md.file_type().is_char_device() => {
                check_writable(&path).map_err(&bad)?;
                Ok(Output::WriteThrough(path))
            }
            Ok(_) => Err(bad(
                "is a block device or a socket: write to a regular file, a FIFO or a \
                 character device"
                    .into(),
            )),
        }
    }

    /// The file the summary goes to, for "written to" (None for stdout).
    pub fn path(&self) -> Option<&Path> {
        match self {
            Output::Stdout => None,
            Output::Replace { path, .. } | Output::WriteThrough(path) => Some(path),
        }
    }

    /// Where the bytes land, its folder resolved (symlinked folders, `..`), so that two
    /// spellings of one file compare equal; None for stdout.
    pub fn resolved(&self) -> Option<PathBuf> {
        let path = self.path()?;
        let folder = fs::canonicalize(folder_of(path)).ok()?;
        Some(folder.join(path.file_name()?))
    }

    /// Whether the bytes would land on `input` (under whatever spelling): a command that
    /// reads files refuses to write over one of them.
    pub fn is(&self, input: &Path) -> bool {
        let input = fs::canonicalize(input).ok();
        input.is_some() && self.resolved() == input
    }

    /// Writes `bytes`. On stdout, a reader that went away (EPIPE) is not an error.
    pub fn write(self, bytes: &[u8]) -> io::Result<()> {
        let mut stream = self.stream()?;
        stream.write_all(bytes)?;
        stream.finish()
    }

    /// Opens the destination for writing bit by bit (a log written through the run);
    /// `Stream::finish` puts a replacing file in place.
    pub fn stream(self) -> io::Result<Stream> {
        Ok(match self {
            Output::Stdout => Stream::Stdout,
            Output::Replace { path, tmp, keep } => Stream::Replace { path, tmp, keep },
            Output::WriteThrough(path) => {
                Stream::WriteThrough(OpenOptions::new().write(true).open(&path)?)
            }
        })
    }
}

/// An open destination: stdout, a temporary file to rename over the path, or a FIFO or
/// device written through.
#[derive(Debug)]
pub enum Stream {
    Stdout,
    Replace {
        path: PathBuf,
        tmp: NamedTempFile,
        keep: Option<Box<Metadata>>,
    },
    WriteThrough(fs::File),
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Stdout => print_stdout(buf).map(|()| buf.len()),
            Stream::Replace { tmp, .. } => tmp.write(buf),
            Stream::WriteThrough(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Stdout => Ok(()),
            Stream::Replace { tmp, .. } => tmp.flush(),
            Stream::WriteThrough(f) => f.flush(),
        }
    }
}

impl Stream {
    /// Ends the writing: a replacing file gets the old one's mode and owner, reaches the
    /// disk, and takes its place.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Stream::Stdout => Ok(()),
            Stream::Replace {
                path,
                mut tmp,
                keep,
            } => {
                tmp.flush()?;
                if let Some(md) = keep {
                    keep_owner_and_mode(tmp.as_file(), &md)?;
                }
                tmp.as_file().sync_all()?;
                tmp.persist(&path).map_err(|e| e.error)?;
                Ok(())
            }
            Stream::WriteThrough(mut f) => f.flush(),
        }
    }
}

/// Writes to stdout; EPIPE (`sluice … | head -c 10`) ends quietly.
pub fn print_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Opens an existing file or device for writing, without truncating or changing it.
fn check_writable(path: &Path) -> Result<(), String> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .map(drop)
        .map_err(|e| format!("cannot be written: {e}"))
}

/// The path a chain of symlinks ends at (which may not exist yet).
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(md) if md.file_type().is_symlink() => {
                let to = fs::read_link(&path)?;
                path = match to.is_relative() {
                    true => folder_of(&path).join(to),
                    false => to,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The folder `path` is in: its parent, or "." for a bare file name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A temporary file in `path`'s folder, created with `mode` (less the umask).
fn temp_beside(path: &Path, mode: Permissions) -> Result<NamedTempFile, String> {
    let dir = folder_of(path);
    if !dir.is_dir() {
        return Err(format!(
            "is in folder '{}', which does not exist",
            escaped(&dir.to_string_lossy())
        ));
    }
    tempfile::Builder::new()
        .prefix(".sluice-")
        .suffix(".tmp")
        .permissions(mode)
        .tempfile_in(dir)
        .map_err(|e| {
            // Without the temp file's name, which would only confuse.
            let why = io::Error::from(e.kind());
            let why = e
                .raw_os_error()
                .map(io::Error::from_raw_os_error)
                .unwrap_or(why);
            format!(
                "cannot be written in '{}': {why}",
                escaped(&dir.to_string_lossy())
            )
        })
}

/// The replacement gets the replaced file's mode (exactly: no umask) and, where allowed,
/// its owner.
fn keep_owner_and_mode(file: &fs::File, md: &Metadata) -> io::Result<()> {
    let _ = std::os::unix::fs::fchown(file, Some(md.uid()), Some(md.gid()));
    file.set_permissions(Permissions::from_mode(md.mode() & 0o7777))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_keeps_its_mode_and_no_temp_file_stays() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.json");
        fs::write(&path, "old").expect("seed");
        fs::set_permissions(&path, Permissions::from_mode(0o640)).expect("chmod");
        let out = Output::prepare(Some(&path)).expect("prepare");
        out.write(b"{\"new\": true}").expect("write");
        assert_eq!(fs::read_to_string(&path).expect("read"), "{\"new\": true}");
        let mode = fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn a_symlink_is_followed_to_its_target() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        fs::write(&target, "old").expect("seed");
        std::os::unix::fs::symlink("real.txt", &link).expect("symlink");
        Output::prepare(Some(&link))
            .expect("prepare")
            .write(b"new")
            .expect("write");
        assert!(
            fs::symlink_metadata(&link)
                .expect("lstat")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).expect("read"), "new");
    }

    #[test]
    fn folders_and_missing_folders_are_refused_up_front() {
        let dir = tempfile::tempdir().expect("temp dir");
        let refused = |p: &Path| match Output::prepare(Some(p)) {
            Err(Error::Input(m)) => m,
            other => panic!("{} should be refused: {other:?}", p.display()),
        };
        assert!(refused(dir.path()).contains("is a folder"));
        assert!(refused(&dir.path().join("no/such.json")).contains("does not exist"));
    }
}
