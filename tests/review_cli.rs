//! `pactum review` as a user runs it: each example agreement's quarterly
//! review for 2026-Q3 from its example data, Markdown snapshot-tested and
//! HTML checked for its five parts; bad periods and ambiguous reviews are
//! refused with what to write.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pactum(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

/// A fresh folder of this test file's own.
fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("review_{name}"))
}

fn review(example: &str, extra: &[&str], out: &Path) -> Output {
    let spec = format!("specs/{example}.pactum");
    let data = format!("examples/{example}");
    let mut args = vec![
        "review",
        spec.as_str(),
        "--data",
        data.as_str(),
        "--period",
        "2026-Q3",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    pactum(&args)
}

#[test]
fn each_example_gets_its_quarterly_review() {
    for (example, extra) in [
        ("acme_referral", &[][..]),
        ("channel_resellers", &[][..]),
        ("marketplace_integration", &["--review", "quarterly"][..]),
    ] {
        let dir = scratch(example);
        let md = dir.join("review.md");
        let out = review(example, extra, &md);
        assert!(
            out.status.success(),
            "{example}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&md).unwrap();
        insta::assert_snapshot!(format!("review_{example}"), text);

        let html = dir.join("review.html");
        let out = review(example, extra, &html);
        assert!(
            out.status.success(),
            "{example}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let page = std::fs::read_to_string(&html).unwrap();
        for part in [
            "<section id=\"progress\">",
            "<section id=\"retrospective\">",
            "<section id=\"forecast\">",
            "<section id=\"actions\">",
            "<section id=\"disputes\">",
            "2026-07-01 to 2026-09-30",
        ] {
            assert!(page.contains(part), "{example}: the HTML lacks {part:?}");
        }
        assert!(!page.contains("<script"), "{example}: a script");
    }
}

#[test]
fn actions_are_done_open_or_overdue_on_the_periods_last_day() {
    let dir = scratch("actions");
    let q1 = dir.join("q1.md");
    let out = pactum(&[
        "review",
        "specs/acme_referral.pactum",
        "--data",
        "examples/acme_referral",
        "--period",
        "2026-Q1",
        "--out",
        q1.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&q1).unwrap();
    // On 2026-03-31 both actions are still ahead; the first is done on
    // 2026-04-10, after the quarter.
    assert!(
        text.contains("| Publish the Q2 webinar calendar | acme | 2026-04-15 | open |"),
        "{text}"
    );
    assert!(text.contains("| Add Acme-referred accounts to the onboarding academy | northwind | 2026-05-01 | open |"), "{text}");
    let q2 = dir.join("q2.md");
    let out = pactum(&[
        "review",
        "specs/acme_referral.pactum",
        "--data",
        "examples/acme_referral",
        "--period",
        "2026-Q2",
        "--out",
        q2.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&q2).unwrap();
    assert!(
        text.contains("| 2026-04-15 | done (2026-04-10) |"),
        "{text}"
    );
    assert!(text.contains("| 2026-05-01 | overdue |"), "{text}");
    // The amendment of 2026-04-01 is the quarter's.
    assert!(
        text.contains("Amendments in 2026-Q2:\n\n- 2026-04-01"),
        "{text}"
    );
}

#[test]
fn bad_periods_and_unnamed_reviews_are_refused() {
    let dir = scratch("refused");
    let out_file = dir.join("r.md");
    let out = review("acme_referral", &[], &dir.join("ok.md"));
    assert!(out.status.success());
    let bad = pactum(&[
        "review",
        "specs/acme_referral.pactum",
        "--data",
        "examples/acme_referral",
        "--period",
        "2026-Q5",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr),
        "pactum: `2026-Q5` is not a review period: write a quarter (`2026-Q3`), a month (`2026-07`) or a year (`2026`)\n"
    );
    let several = review("marketplace_integration", &[], &out_file);
    assert_eq!(several.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&several.stderr).contains(
        "the agreement has several reviews: name one with `--review` (pilot_checkin, quarterly)"
    ));
    assert!(!out_file.exists());
}
