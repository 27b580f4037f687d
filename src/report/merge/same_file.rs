//! The same summary given twice, under one spelling or two (`a.json ./a.json`, a symlink,
//! `d/../a.json`, a hard link), or one run's summary in two files (a copy): its run would be
//! counted twice. Files are told apart by device and inode, as the kernel tells them; runs
//! by what no two runs share.

use crate::process::untrusted::{QUOTED_CHARS, escaped, quoted};
use crate::report::Summary;
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

/// Responses a run must hold for its histograms alone to tell it apart: with fewer, two runs
/// against a steady server may agree value for value by chance.
const MIN_RESPONSES_TO_TELL: u64 = 10;

/// Whether `a` and `b` are summaries of one run: the same start (to the microsecond),
/// target, duration and requests, or the same histograms over enough responses.
pub fn one_run(a: &Summary, b: &Summary) -> bool {
    let (ra, rb) = (&a.requests, &b.requests);
    let same_requests =
        (ra.total, ra.ok, ra.failed, ra.aborted) == (rb.total, rb.ok, rb.failed, rb.aborted);
    let same_facts = a.started_at_unix_s == b.started_at_unix_s
        && a.target == b.target
        && a.duration_s == b.duration_s
        && same_requests;
    let same_histograms = a.histograms.is_some()
        && a.histograms == b.histograms
        && ra.ok.min(rb.ok) >= MIN_RESPONSES_TO_TELL;
    same_facts || same_histograms
}

/// Refuses two summaries of one run, naming both (`runs` named by their files).
pub fn distinct_runs(runs: &[(String, Summary)]) -> Result<(), String> {
    for (j, (second, b)) in runs.iter().enumerate() {
        if let Some((first, _)) = runs[..j].iter().find(|(_, a)| one_run(a, b)) {
            return Err(format!(
                "merge: '{}' and '{}' are summaries of one run (the same start, target, \
                 duration and requests, or the same histograms): each run counts once, so \
                 give it once",
                quoted(first, QUOTED_CHARS),
                quoted(second, QUOTED_CHARS)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_of_a_run_is_one_run_and_another_run_is_not() {
        let a: Summary =
            serde_json::from_str(crate::report::merge::tests::SUMMARY).expect("summary");
        let runs = |b: &Summary| {
            vec![
                ("a.json".to_string(), a.clone()),
                ("b.json".into(), b.clone()),
            ]
        };
        let err = distinct_runs(&runs(&a)).expect_err("a copy");
        assert!(
            err.contains("'a.json' and 'b.json' are summaries of one run"),
            "{err}"
        );
        let mut moved = a.clone();
        moved.started_at_unix_s += 1.0;
        assert!(one_run(&a, &moved), "the same histograms");
        moved.histograms = None;
        assert!(!one_run(&a, &moved), "another start, no histograms");
        let mut other = a.clone();
        other.started_at_unix_s += 1.0;
        other.histograms.as_mut().expect("histograms").latency = "another".into();
        assert_eq!(distinct_runs(&runs(&other)), Ok(()));
    }

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
