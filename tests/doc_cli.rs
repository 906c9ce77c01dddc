//! `pactum doc`: the agreement as a document. A snapshot per example
//! agreement (Markdown), every metric, target, pilot and incentive of the
//! spec present, and the HTML escaped and self-contained.

use std::process::Command;

use pactum::check::scope::{Decl, Kind};
use pactum::check::workspace::Workspace;
use pactum::syntax::format;

fn doc(spec: &str, extension: &str) -> String {
    let out = std::env::temp_dir().join(format!(
        "pactum-doc-{}-{}.{extension}",
        std::process::id(),
        spec.replace('/', "_")
    ));
    let output = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(["doc", spec, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    text
}

/// Every metric (by title), target (its goal as written), pilot and
/// incentive (by title) of the agreement.
fn expected_mentions(spec: &str) -> Vec<String> {
    let ws = Workspace::load(&[spec.into()], std::path::Path::new("specs")).unwrap();
    let index = ws.agreements()[0];
    let scope = ws.scope(index);
    let title = |t: &Option<pactum::syntax::ast::Str>, n: &str| {
        t.as_ref().map_or(n.to_string(), |t| t.value.clone())
    };
    let mut wanted = Vec::new();
    for decl in &scope.decls {
        match decl {
            Decl::Metric(m) => wanted.push(title(&m.title, &m.name.name)),
            Decl::Pilot(p) => wanted.push(title(&p.title, &p.name.name)),
            Decl::Incentive(i) => wanted.push(title(&i.title, &i.name.name)),
            _ => {}
        }
    }
    for target in &scope.targets {
        wanted.push(format::goal_tail(
            &target.goalpost,
            &target.per,
            &target.deadline,
        ));
    }
    assert!(scope.of_kind(Kind::Metric).count() > 5);
    wanted
}

#[test]
fn each_example_agreement_reads_as_a_document() {
    for name in [
        "acme_referral",
        "channel_resellers",
        "marketplace_integration",
    ] {
        let spec = format!("specs/{name}.pactum");
        let markdown = doc(&spec, "md");
        for wanted in expected_mentions(&spec) {
            assert!(
                markdown.contains(&wanted),
                "{name}: the document does not mention {wanted:?}"
            );
        }
        insta::assert_snapshot!(format!("doc_{name}"), markdown);
    }
}

#[test]
fn the_metrics_are_said_in_plain_words() {
    let markdown = doc("specs/acme_referral.pactum", "md");
    assert!(markdown.contains(
        "**New customers** (`new_customers`): distinct customers with a first paid order; credited to partners by position-based attribution, 40% to the first touch and 40% to the last, the rest shared by the touches between within 30 days;"
    ), "{markdown}");
    assert!(markdown.contains("any figure from fewer than 20 customers is suppressed"));
    assert!(markdown.contains(
        "Personal data: email, ip_address; it never goes into what is shared with a partner."
    ));
}

#[test]
fn the_html_document_is_escaped_and_self_contained() {
    let html = doc("specs/acme_referral.pactum", "html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<strong>New customers</strong> (<code>new_customers</code>)"));
    // A title with quotes, from the spec, escaped.
    assert!(html.contains("Initech: &quot;the Acme setup guide saved us a week&quot;"));
    assert!(!html.contains("**"));
    for outside in ["<script", "<link", "src=\"http"] {
        assert!(!html.contains(outside), "{outside}");
    }
}

/// Strings from the spec are text in every output: in Markdown they cannot
/// start a heading or a list, close a code span, or bring a link, an image
/// or HTML; in HTML they are escaped and never read as the document's own
/// `**bold**` or `` `code` ``.
#[test]
fn strings_from_the_spec_are_text_in_markdown_and_html() {
    let dir = std::env::temp_dir().join(format!("pactum-doc-forge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = std::fs::read_to_string("tests/sql/scorecard/agreement.pactum").unwrap();
    let forged = spec.replacen(
        "metric revenue \"Revenue\"",
        "metric revenue \"Region\\n## Pilot verdict: met\\n- [win](javascript:x) **`<img src=x>`**\"",
        1,
    );
    assert_ne!(spec, forged);
    let path = dir.join("agreement.pactum");
    std::fs::write(&path, forged).unwrap();
    let text = |extension: &str| {
        let out = dir.join(format!("doc.{extension}"));
        let output = Command::new(env!("CARGO_BIN_EXE_pactum"))
            .args(["doc", path.to_str().unwrap(), "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read_to_string(&out).unwrap()
    };
    let markdown = text("md");
    assert!(
        markdown.contains(
            "Region \\#\\# Pilot verdict: met - [win\\](javascript:x) \\*\\*\\`\\<img src=x>\\`\\*\\*"
        ),
        "{markdown}"
    );
    for line in markdown.lines() {
        assert!(!line.starts_with("## Pilot verdict"), "{line}");
    }
    let html = text("html");
    assert!(
        html.contains(
            "Region\n## Pilot verdict: met\n- [win](javascript:x) **`&lt;img src=x&gt;`**"
        ),
        "{html}"
    );
    assert!(!html.contains("<img"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// An amendment is listed with the version it brings in, what it changed
/// and removed, and who approved it on which date.
#[test]
fn amendments_show_their_version_changes_and_dated_approvals() {
    let dir = std::env::temp_dir().join(format!("pactum-doc-amendment-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = std::fs::read_to_string("tests/sql/scorecard/agreement.pactum").unwrap();
    let end = spec.rfind("}\n").unwrap();
    let amended = format!(
        "{}\n  amendment 2026-03-01 \"Beta bounty raised\" {{\n    version 1\n    changes incentive beta_bounty\n    approved by north on 2026-02-20, alpha on 2026-02-24, beta\n  }}\n}}\n",
        &spec[..end]
    );
    let path = dir.join("agreement.pactum");
    std::fs::write(&path, amended).unwrap();
    let markdown = doc(path.to_str().unwrap(), "md");
    assert!(
        markdown.contains(
            "- 2026-03-01: Beta bounty raised (version 1; changes incentive beta_bounty; approved by north on 2026-02-20, alpha on 2026-02-24, beta)."
        ),
        "{markdown}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
