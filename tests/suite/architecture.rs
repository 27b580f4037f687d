//! The house rules, checked on the source itself: `src/` draws the architecture in at most
//! a dozen entries, no module imports in a circle (neither files nor top-level folders),
//! and the engine imports nothing above it (it knows nothing of views, reports or the API).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path (`engine::client::pool`) and the modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its module path.
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let name = entry
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let mut parts = prefix.to_vec();
        if path.is_dir() {
            parts.push(name);
            modules(&path, &parts, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            if !matches!(name.as_str(), "mod" | "lib" | "main") {
                parts.push(name);
            }
            out.insert(parts.join("::"), path);
        }
    }
}

/// The longest known module a path names (`engine::steer::Change` names `engine::steer`).
fn resolve(known: &BTreeMap<String, PathBuf>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| known.contains_key(m))
}

/// The `crate::…` and `super::…` paths in `text` (a `use crate::{a, b::c}` counts each).
fn named_paths(text: &str, module: &str) -> Vec<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut found = Vec::new();
    for (start, _) in text.match_indices("crate::") {
        let rest = &text[start + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                found.extend(group.split(',').map(|p| p.trim().replace('{', "")));
            }
            None => found.push(rest.chars().take_while(|&c| ident(c)).collect()),
        }
    }
    // `super` is the parent of a file's module, and of a folder's (its mod.rs) alike.
    let mut parent: Vec<&str> = module.split("::").collect();
    parent.pop();
    for (start, _) in text.match_indices("super::") {
        let rest: String = text[start + "super::".len()..]
            .chars()
            .take_while(|&c| ident(c))
            .collect();
        found.push(format!("{}::{rest}", parent.join("::")));
    }
    found
}

/// Who imports whom, outside tests (a test module may reach anywhere).
fn graph() -> Graph {
    let mut known = BTreeMap::new();
    modules(&src(), &[], &mut known);
    let mut graph = Graph::new();
    for (module, path) in &known {
        let text = std::fs::read_to_string(path).expect("a source file");
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let targets = named_paths(text, module)
            .iter()
            .filter_map(|p| resolve(&known, p.trim_matches(':')))
            // A parent declares its children; a child may use its parent's items.
            .filter(|t| t != module && !module.starts_with(&format!("{t}::")))
            .filter(|t| !t.is_empty())
            .collect();
        graph.insert(module.clone(), targets);
    }
    graph
}

/// A circle of `graph`, if it has one.
fn circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            return Some(path[at..].to_vec());
        }
        if !done.insert(n.to_string()) {
            return None;
        }
        path.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(found) = visit(next, g, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The graph of the top-level folders (and files) of `src/`.
fn folders(files: &Graph) -> Graph {
    let top = |m: &str| m.split("::").next().unwrap_or_default().to_string();
    let mut g = Graph::new();
    for (from, tos) in files {
        let edges = g.entry(top(from)).or_default();
        edges.extend(tos.iter().map(|t| top(t)).filter(|t| *t != top(from)));
    }
    g
}

#[test]
fn src_draws_the_architecture_in_a_dozen_entries() {
    let entries = std::fs::read_dir(src()).expect("src").count();
    assert!(entries <= 12, "src/ has {entries} entries");
}

#[test]
fn no_module_imports_in_a_circle() {
    let files = graph();
    assert!(
        files.len() > 50,
        "the source was read: {} modules",
        files.len()
    );
    assert_eq!(circle(&files), None, "files that import each other");
    assert_eq!(
        circle(&folders(&files)),
        None,
        "folders that import each other"
    );
}

#[test]
fn the_engine_imports_nothing_above_it() {
    let above = [
        "stats", "report", "schedule", "view", "control", "fleet", "run",
    ];
    for (from, tos) in graph().iter().filter(|(m, _)| m.starts_with("engine")) {
        let up: Vec<_> = tos
            .iter()
            .filter(|t| above.iter().any(|a| t.starts_with(a)))
            .collect();
        assert!(up.is_empty(), "{from} imports {up:?}");
    }
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let edge = |a: &str, b: &str| (a.to_string(), BTreeSet::from([b.to_string()]));
    let g: Graph = [edge("a", "b"), edge("b", "c"), edge("c", "a")].into();
    assert_eq!(circle(&g).map(|c| c.len()), Some(3));
    let g: Graph = [edge("a", "b"), edge("b", "c")].into();
    assert_eq!(circle(&g), None);
}
