//! A summary's strings as a terminal or a text summary may show them: a merged summary's
//! or a worker's come from files and peers, and a control character in a target, a hint or
//! a status code's name could set the title or clear the screen.

use super::summary::Summary;
use crate::process::untrusted::escaped;
use std::collections::BTreeMap;

/// `s` with every string in it escaped (`untrusted::escaped`); the figures as they are.
pub fn escaped_strings(s: &Summary) -> Summary {
    let mut s = s.clone();
    let all = |t: &mut String| *t = escaped(t).into_owned();
    all(&mut s.target);
    s.hints.iter_mut().for_each(all);
    for map in [&mut s.status_codes, &mut s.status_classes, &mut s.errors] {
        escape_keys(map);
    }
    if let Some(until) = &mut s.until {
        all(&mut until.condition);
    }
    if let Some(hold) = &mut s.hold {
        hold.conditions.iter_mut().for_each(all);
    }
    for t in &mut s.thresholds {
        all(&mut t.condition);
        all(&mut t.unit);
    }
    for u in &mut s.urls {
        all(&mut u.url);
        escape_keys(&mut u.status_codes);
        escape_keys(&mut u.errors);
    }
    for c in &mut s.checks {
        all(&mut c.check);
    }
    for step in &mut s.steps {
        all(&mut step.name);
        escape_keys(&mut step.status_codes);
        escape_keys(&mut step.errors);
        step.checks.iter_mut().for_each(|c| all(&mut c.check));
    }
    for w in &mut s.workers {
        all(&mut w.file);
        all(&mut w.target);
    }
    s
}

fn escape_keys(map: &mut BTreeMap<String, u64>) {
    if map.keys().any(|k| escaped(k).len() != k.len()) {
        *map = std::mem::take(map)
            .into_iter()
            .map(|(k, n)| (escaped(&k).into_owned(), n))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_from_outside_is_escaped_in_the_text_summary() {
        let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";
        let mut s: Summary =
            serde_json::from_str(crate::report::merge::tests::SUMMARY).expect("summary");
        s.target = hostile.into();
        s.hints.push(hostile.into());
        s.status_codes.insert(hostile.into(), 1);
        s.errors.insert(hostile.into(), 1);
        let text = crate::report::render_text(&s);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(text.contains("\\x1b]0;PWNED\\x07"), "{text}");
    }
}
