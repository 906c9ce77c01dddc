//! Change review cases: each folder of `tests/diff/` holds two versions of
//! an agreement (`old.pactum`, `new.pactum`) and `expected.txt`, the change
//! list written by hand, one change per line:
//!
//! ```text
//! breaking target.lowered | target webinar_signups | lowered from 200 to 150 (-50, -25%)
//! version 3 -> 3, expected 4
//! finding P0401
//! ```

use std::path::{Path, PathBuf};

use pactum::diff::compare;
use pactum::source::SourceMap;

fn parse(sources: &mut SourceMap, path: &Path) -> pactum::syntax::ast::File {
    let text = std::fs::read_to_string(path).expect("case file readable");
    let id = sources.add(path.display().to_string(), text);
    let parsed = pactum::parse(sources, id);
    assert!(
        parsed.diagnostics.is_empty(),
        "{} does not parse: {:?}",
        path.display(),
        parsed.diagnostics
    );
    parsed.file.expect("parsed")
}

fn render(dir: &Path) -> String {
    let mut sources = SourceMap::new();
    let old = parse(&mut sources, &dir.join("old.pactum"));
    let new = parse(&mut sources, &dir.join("new.pactum"));
    let changed = std::fs::read(dir.join("old.pactum")).unwrap()
        != std::fs::read(dir.join("new.pactum")).unwrap();
    let review = compare(&old, &new, changed);
    let mut lines: Vec<String> = review
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} {} | {} | {}",
                c.class.word(),
                c.kind,
                c.subject,
                c.summary
            )
        })
        .collect();
    let show = |v: Option<u64>| v.map_or("none".to_string(), |v| v.to_string());
    lines.push(format!(
        "version {} -> {}, expected {}",
        show(review.old_version),
        show(review.new_version),
        show(review.expected_version)
    ));
    for finding in &review.findings {
        lines.push(format!("finding {}", finding.code));
    }
    lines.join("\n") + "\n"
}

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("tests/diff")
        .expect("tests/diff exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_pair_gives_its_expected_changes() {
    let mut failures = Vec::new();
    for dir in cases() {
        let expected =
            std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt exists");
        let actual = render(&dir);
        if expected != actual {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn there_are_at_least_fifteen_pairs() {
    assert!(cases().len() >= 15, "only {} diff cases", cases().len());
}

#[test]
fn comparing_a_file_with_itself_finds_nothing() {
    for spec in [
        "specs/acme_referral.pactum",
        "specs/channel_resellers.pactum",
        "specs/marketplace_integration.pactum",
    ] {
        let mut sources = SourceMap::new();
        let a = parse(&mut sources, Path::new(spec));
        let b = parse(&mut sources, Path::new(spec));
        let review = compare(&a, &b, false);
        assert!(review.changes.is_empty(), "{spec}: {:?}", review.changes);
        assert!(review.findings.is_empty());
    }
}
