//! The code list is complete: every code any command can print is declared
//! once in `diagnostics::codes`, listed, and explained by `pactum explain`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{pactum, stdout};
use pactum::diagnostics::codes;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `"P"` followed by four digits in a quoted string of `text`.
fn quoted_codes(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for i in 0..bytes.len().saturating_sub(6) {
        if bytes[i] == b'"'
            && bytes[i + 1] == b'P'
            && bytes[i + 2..i + 6].iter().all(u8::is_ascii_digit)
            && bytes[i + 6] == b'"'
        {
            found.push(text[i + 1..i + 6].to_string());
        }
    }
    found
}

#[test]
fn every_declared_code_is_listed_once() {
    let text = std::fs::read_to_string("src/diagnostics/codes.rs").unwrap();
    let declared: Vec<String> = text
        .lines()
        .filter(|line| line.starts_with("pub const ") && line.contains(": &str = \"P"))
        .flat_map(quoted_codes)
        .collect();
    assert!(declared.len() >= 79, "only {} codes found", declared.len());
    let listed: Vec<&str> = codes::all().map(|c| c.code).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a code is listed twice");
    for code in &declared {
        assert!(
            unique.contains(code.as_str()),
            "{code} is declared but not listed"
        );
    }
    assert_eq!(
        declared.len(),
        listed.len(),
        "a listed code has no constant"
    );
}

#[test]
fn no_code_is_spelled_outside_the_code_list() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    let mut strays = Vec::new();
    for file in files {
        if file.ends_with("diagnostics/codes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for code in quoted_codes(&text) {
            strays.push(format!("{}: {code}", file.display()));
        }
    }
    assert!(
        strays.is_empty(),
        "use the constants of diagnostics::codes instead:\n{}",
        strays.join("\n")
    );
}

#[test]
fn data_errors_are_explained_like_every_other_code() {
    let out = pactum(&["explain", "P0506"], Path::new("."));
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("P0506: a query failed\n\n"), "{text}");
    assert!(text.contains("pactum compile --dialect"), "{text}");
    // By name too, and every data code.
    assert_eq!(
        stdout(&pactum(&["explain", "query-failed"], Path::new("."))),
        text
    );
    for code in [
        "P0501", "P0502", "P0503", "P0504", "P0505", "P0506", "P0507", "P0508",
    ] {
        assert!(codes::lookup(code).is_some(), "{code}");
    }
}

#[test]
fn sarif_lists_the_rules_check_can_report_and_no_data_code() {
    let rules: Vec<&str> = codes::findings().map(|c| c.code).collect();
    assert!(rules.contains(&"P0001") && rules.contains(&"P0401"));
    assert!(!rules.iter().any(|c| c.starts_with("P05")));
}
