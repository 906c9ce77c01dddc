//! Malformed inputs: every file under tests/malformed/ must give located
//! diagnostics (never a panic), snapshotted as a user sees them. Large and
//! pathological inputs are generated here rather than committed.

use std::path::Path;
use std::time::Instant;

use pactum::diagnostics::Diagnostic;
use pactum::diagnostics::render::{Style, render_human, render_short};
use pactum::source::SourceMap;

struct Outcome {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    parsed_ok: bool,
}

fn run(name: &str, bytes: Vec<u8>) -> Outcome {
    let mut sources = SourceMap::new();
    let (id, encoding_error) = pactum::decode(&mut sources, name, bytes);
    if let Some(d) = encoding_error {
        return Outcome {
            sources,
            diagnostics: vec![d],
            parsed_ok: false,
        };
    }
    let parsed = pactum::parse(&sources, id);
    Outcome {
        parsed_ok: parsed.file.is_some(),
        diagnostics: parsed.diagnostics,
        sources,
    }
}

fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        out.push_str(&render_short(d, &outcome.sources));
        out.push('\n');
        out.push_str(&render_human(d, &outcome.sources, Style::Plain));
        out.push('\n');
    }
    out
}

#[test]
fn every_malformed_file_gives_located_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 30, "the corpus needs at least 30 cases");
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let outcome = run(&name, std::fs::read(&path).unwrap());
        assert!(!outcome.parsed_ok, "{name} should not parse");
        assert!(
            outcome
                .diagnostics
                .iter()
                .any(|d| d.is_error() && d.primary_span().is_some()),
            "{name}: expected a located error"
        );
        for d in &outcome.diagnostics {
            assert!(
                d.help.is_some(),
                "{name}: every diagnostic has a help line: {d:?}"
            );
            assert!(
                !d.message.contains("k_") && !d.message.contains("_field"),
                "{name}: raw rule name in {}",
                d.message
            );
        }
        let snapshot = name.trim_end_matches(".pactum").to_string();
        insta::with_settings!({ snapshot_path => "snapshots/malformed", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(snapshot, render(&outcome));
        });
    }
}

#[test]
fn one_diagnostic_per_broken_item() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed/25_three_broken_items.pactum"),
    )
    .unwrap();
    let outcome = run("three.pactum", text.into_bytes());
    let lines: Vec<usize> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            pactum::syntax::span::line_col(
                &outcome.sources.get(d.primary_span().unwrap().file).text,
                d.primary_span().unwrap().start,
            )
            .0
        })
        .collect();
    assert_eq!(lines, vec![3, 6, 8], "{}", render(&outcome));
}

#[test]
fn misspelled_keyword_gets_a_suggestion() {
    let outcome = run("x.pactum", b"agreement demo {\n  versoin 3\n}\n".to_vec());
    assert_eq!(outcome.diagnostics.len(), 1);
    assert_eq!(
        outcome.diagnostics[0].help.as_deref(),
        Some("did you mean `version`?")
    );
}

fn nested(open: &str, close: &str, depth: usize) -> Vec<u8> {
    let mut text = String::from("agreement deep {\n  metric m {\n    value ");
    text.push_str(&open.repeat(depth));
    text.push('1');
    text.push_str(&close.repeat(depth));
    text.push_str("\n  }\n}\n");
    text.into_bytes()
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused_without_overflow() {
    for (open, close) in [("(", ")"), ("{", "}"), ("[", "]")] {
        let outcome = run("deep.pactum", nested(open, close, 10_000));
        assert_eq!(outcome.diagnostics.len(), 1);
        assert_eq!(outcome.diagnostics[0].code, "P0005");
    }
    // Nesting within the limit parses.
    let outcome = run("ok.pactum", nested("(", ")", 40));
    assert!(outcome.parsed_ok, "{}", render(&outcome));
}

#[test]
fn hidden_characters_warn_in_strings_and_comments_and_are_errors_in_names() {
    // A right-to-left override in a title, a zero-width space in a doc
    // comment, an isolate in a plain comment: warnings, the file parses.
    let text = "/// Sig\u{200B}ned.\nagreement trojan \"Acme \u{202E}ecnerefer\" {\n  version 1 // v\u{2066}1\n}\n";
    let outcome = run("trojan.pactum", text.as_bytes().to_vec());
    assert!(outcome.parsed_ok, "{}", render(&outcome));
    let found: Vec<(&str, &str)> = outcome
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "P0013",
                "invisible character U+200B (ZERO WIDTH SPACE) in a comment"
            ),
            (
                "P0013",
                "invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) in a string"
            ),
            (
                "P0013",
                "invisible character U+2066 (LEFT-TO-RIGHT ISOLATE) in a comment"
            ),
        ],
        "{}",
        render(&outcome)
    );
    assert!(outcome.diagnostics.iter().all(|d| !d.is_error()));
    // Written as an escape, the same character is visible: no warning.
    let escaped = "agreement trojan \"Acme \\u{202E}\" {\n  version 1\n}\n";
    let outcome = run("escaped.pactum", escaped.as_bytes().to_vec());
    assert!(
        outcome.parsed_ok && outcome.diagnostics.is_empty(),
        "{}",
        render(&outcome)
    );
    // In a name, it is an error.
    let named = "agreement tro\u{200B}jan {\n  version 1\n}\n";
    let outcome = run("named.pactum", named.as_bytes().to_vec());
    assert!(!outcome.parsed_ok);
    assert_eq!(outcome.diagnostics[0].code, "P0001", "{}", render(&outcome));
}

/// A metric whose value adds `terms` counts.
fn long_chain(terms: usize) -> String {
    let sum = vec!["count(orders)"; terms].join(" + ");
    format!(
        "agreement chain {{\n  version 1\n  metric m {{\n    value {sum}\n    indicator lagging\n  }}\n}}\n"
    )
}

#[test]
fn long_sums_are_refused_at_a_depth_every_stage_can_walk() {
    // Within the limit, the tree is built.
    let outcome = run("ok.pactum", long_chain(150).into_bytes());
    assert!(outcome.parsed_ok, "{}", render(&outcome));
    let dir = std::env::temp_dir().join(format!("pactum-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for terms in [3_000, 100_000] {
        let outcome = run("deep.pactum", long_chain(terms).into_bytes());
        assert_eq!(outcome.diagnostics.len(), 1, "{}", render(&outcome));
        assert_eq!(outcome.diagnostics[0].code, "P0005");
        assert!(
            outcome.diagnostics[0]
                .message
                .contains("more than 200 operations deep"),
            "{}",
            outcome.diagnostics[0].message
        );
        // Every command that reads the file answers with the finding
        // (exit 1), none overflows its stack, and what they print grows
        // no faster than the file.
        let file = dir.join(format!("chain{terms}.pactum"));
        let text = long_chain(terms);
        std::fs::write(&file, &text).unwrap();
        for args in [
            vec!["check"],
            vec!["compile", "--dialect", "sqlite", "--query", "metric_m"],
            vec!["parse"],
            vec!["fmt", "--check"],
            vec!["doc", "--out", "/dev/null"],
        ] {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pactum"));
            command.args(&args).arg(&file);
            let out = command.output().unwrap();
            assert!(
                matches!(out.status.code(), Some(1 | 2)),
                "{args:?} on {terms} terms: {:?}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                out.stdout.len() < 2 * text.len(),
                "{args:?}: {} bytes for a file of {}",
                out.stdout.len(),
                text.len()
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An agreement of about `lines` lines, valid.
fn big_agreement(metrics: usize) -> String {
    let mut text = String::from(
        "agreement big \"Big\" {\n  version 1\n  party acme {\n    role partner\n  }\n",
    );
    for i in 0..metrics {
        text.push_str(&format!(
            "  /// Metric {i}.\n  metric m{i} \"Metric {i}\" {{\n    value sum(orders.amount) / count_distinct(orders.customer) where orders.plan in [\"pro\", \"team\"]\n    indicator lagging\n    owner acme\n  }}\n"
        ));
    }
    text.push_str("}\n");
    text
}

#[test]
fn a_ten_megabyte_file_parses() {
    let text = big_agreement(60_000);
    assert!(text.len() >= 10_000_000);
    let started = Instant::now();
    let outcome = run("big.pactum", text.into_bytes());
    assert!(outcome.parsed_ok, "{}", render(&outcome));
    // Generous bound: guards against quadratic behaviour, not a benchmark.
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn a_one_megabyte_line_is_reported_compactly() {
    let mut text = String::from("agreement wide {\n  version 1 ");
    text.push_str(&"x".repeat(1_000_000));
    text.push_str("\n}\n");
    let outcome = run("wide.pactum", text.into_bytes());
    assert_eq!(outcome.diagnostics.len(), 1);
    // The found token is shortened in the message.
    assert!(
        outcome.diagnostics[0].message.len() < 200,
        "{}",
        outcome.diagnostics[0].message
    );
    let mut valid = String::from("agreement wide \"");
    valid.push_str(&"y".repeat(1_000_000));
    valid.push_str("\" {\n  version 1\n}\n");
    assert!(run("wide-title.pactum", valid.into_bytes()).parsed_ok);
}

#[test]
fn ten_thousand_broken_items_give_bounded_output() {
    let mut text = String::from("agreement broken {\n");
    for i in 0..10_000 {
        text.push_str(&format!("  versoin {i}\n"));
    }
    text.push_str("}\n");
    let started = Instant::now();
    let outcome = run("broken.pactum", text.into_bytes());
    assert_eq!(outcome.diagnostics.len(), 101);
    assert_eq!(outcome.diagnostics[100].code, "P0012");
    assert_eq!(
        outcome.diagnostics[100].message,
        "9900 more broken items not shown"
    );
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn byte_order_mark_and_crlf_are_accepted() {
    let with_bom = "\u{FEFF}agreement a {\n  version 1\n}\n"
        .as_bytes()
        .to_vec();
    assert!(run("bom.pactum", with_bom).parsed_ok);
    let crlf =
        b"agreement a {\r\n  version 1 // one\r\n  party p {\r\n    role partner\r\n  }\r\n}\r\n"
            .to_vec();
    let outcome = run("crlf.pactum", crlf);
    assert!(outcome.parsed_ok, "{}", render(&outcome));
}
