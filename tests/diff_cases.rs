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

/// The review of one case folder.
fn review_of(case: &str) -> (SourceMap, pactum::diff::Review) {
    let dir = Path::new("tests/diff").join(case);
    let mut sources = SourceMap::new();
    let old = parse(&mut sources, &dir.join("old.pactum"));
    let new = parse(&mut sources, &dir.join("new.pactum"));
    let review = compare(&old, &new, true);
    (sources, review)
}

#[test]
fn a_missing_amendment_is_shown_in_full_on_the_version_line() {
    let (sources, review) = review_of("34_version_raised_without_amendment");
    let [finding] = review.findings.as_slice() else {
        panic!("{:?}", review.findings)
    };
    let span = finding.primary_span().unwrap();
    assert_eq!(
        &sources.get(span.file).text[span.start..span.end],
        "version 4"
    );
    assert_eq!(
        finding.help.as_deref(),
        Some(
            "record the approval with an amendment (fill in the dates and the summary):\n\n\
             amendment YYYY-MM-DD \"What changed, and why\" {\n  version 4\n  changes target webinar_signups\n  \
             approved by northwind on YYYY-MM-DD, acme on YYYY-MM-DD\n}"
        )
    );
}

#[test]
fn an_amendment_is_completed_with_the_party_date_or_change_it_lacks() {
    let (sources, review) = review_of("35_amendment_without_one_party");
    let [finding] = review.findings.as_slice() else {
        panic!("{:?}", review.findings)
    };
    let span = finding.primary_span().unwrap();
    assert_eq!(
        &sources.get(span.file).text[span.start..span.end],
        "approved by northwind on 2026-06-24"
    );
    assert_eq!(
        finding.message,
        "version 4 is not approved by every party with a date: no approval from `acme`"
    );
    assert!(
        finding.help.as_deref().unwrap().ends_with(
            "\n  version 4\n  changes target webinar_signups\n  approved by northwind on 2026-06-24, acme on YYYY-MM-DD\n}"
        ),
        "{:?}",
        finding.help
    );

    let (_, review) = review_of("36_approval_without_date");
    assert_eq!(
        review.findings[0].message,
        "version 4 is not approved by every party with a date: no date for the approval of `acme`"
    );

    let (sources, review) = review_of("37_amendment_not_naming_a_change");
    let [finding] = review.findings.as_slice() else {
        panic!("{:?}", review.findings)
    };
    let span = finding.primary_span().unwrap();
    assert_eq!(
        &sources.get(span.file).text[span.start..span.end],
        "changes target webinar_signups"
    );
    assert!(
        finding
            .help
            .as_deref()
            .unwrap()
            .contains("\n  changes target webinar_signups, attribution partner_credit\n"),
        "{:?}",
        finding.help
    );

    // What the new version took out goes under `removes`.
    let (_, review) = review_of("11_party_removed");
    assert!(
        review.findings[0]
            .help
            .as_deref()
            .unwrap()
            .contains("\n  removes party meridian, incentive meridian_share\n"),
        "{:?}",
        review.findings[0].help
    );
}
