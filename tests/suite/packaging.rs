//! What a user expects of an installed tool: licence texts, shell completions, a man page,
//! and `--help` that lists the dashboard's keys and the exit codes.

use crate::common::sluice;

fn stdout_of(args: &[&str]) -> String {
    let out = sluice(args);
    assert!(out.status.success(), "sluice {args:?}: {:?}", out);
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn completions_for_bash_zsh_and_fish_know_the_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(&["completions", shell]);
        for flag in ["concurrency", "output-format", "exit-on-done"] {
            assert!(script.contains(flag), "{shell} completion lacks {flag}");
        }
    }
    assert_eq!(sluice(&["completions", "nosh"]).status.code(), Some(2));
}

#[test]
fn the_man_page_is_generated_from_the_flags() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH sluice 1"), "{page}");
    assert!(page.contains("concurrency"), "{page}");
}

#[test]
fn help_lists_the_dashboard_keys_and_the_exit_codes() {
    let help = stdout_of(&["--help"]);
    for part in [
        "Dashboard keys:",
        "pause / resume",
        "Exit codes:",
        "2  bad input",
    ] {
        assert!(help.contains(part), "--help lacks {part:?}");
    }
}

#[test]
fn both_licence_texts_match_cargo_toml() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |f: &str| std::fs::read_to_string(format!("{root}/{f}")).expect(f);
    assert!(read("Cargo.toml").contains("license = \"MIT OR Apache-2.0\""));
    assert!(read("LICENSE-APACHE").contains("Apache License"));
    assert!(read("LICENSE-APACHE").contains("Version 2.0, January 2004"));
    assert!(read("LICENSE-MIT").contains("Permission is hereby granted, free of charge"));
    assert!(read("LICENSE").contains("MIT OR Apache-2.0"));
}
