//! The same summary given twice, under one spelling or two (`a.json ./a.json`, a symlink,
//! `d/../a.json`, a hard link): its run would be counted twice. Files are told apart by
//! device and inode, as the kernel tells them.

use crate::process::untrusted::escaped;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// Refuses a file named twice, naming both spellings. A path that cannot be looked at is
/// left to the read, which says why.
pub fn distinct(paths: &[PathBuf]) -> Result<(), String> {
    let mut seen: Vec<((u64, u64), &PathBuf)> = Vec::with_capacity(paths.len());
    for path in paths {
        let Ok(md) = std::fs::metadata(path) else {
            continue;
        };
        let id = (md.dev(), md.ino());
        if let Some((_, first)) = seen.iter().find(|(other, _)| *other == id) {
            return Err(format!(
                "merge: '{}' and '{}' are the same file: each run counts once, so give it once",
                escaped(&first.to_string_lossy()),
                escaped(&path.to_string_lossy())
            ));
        }
        seen.push((id, path));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_under_two_spellings_is_refused_and_two_files_are_not() {
        let dir = tempfile::tempdir().expect("dir");
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        std::fs::write(&a, "{}").expect("write");
        std::fs::write(&b, "{}").expect("write");
        std::fs::create_dir(dir.path().join("d")).expect("dir");
        std::os::unix::fs::symlink(&a, dir.path().join("link.json")).expect("symlink");
        assert_eq!(distinct(&[a.clone(), b.clone()]), Ok(()));
        for twice in [
            a.clone(),
            dir.path().join("d/../a.json"),
            dir.path().join("link.json"),
            dir.path().join("./a.json"),
        ] {
            let err = distinct(&[a.clone(), b.clone(), twice.clone()]).expect_err("twice");
            assert!(err.contains("same file"), "{err}");
            assert!(err.contains(&*twice.to_string_lossy()), "{err}");
        }
    }
}
