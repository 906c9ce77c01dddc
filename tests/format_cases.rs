//! Hand-written formatter cases: input, and the canonical text expected.

fn format(text: &str) -> String {
    let mut sources = pactum::source::SourceMap::new();
    let id = sources.add("case.pactum", text);
    let parsed = pactum::parse(&sources, id);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let once = pactum::format(&sources, id, &parsed).expect("formats");
    let id2 = sources.add("case.pactum", once.clone());
    let twice = pactum::format(&sources, id2, &pactum::parse(&sources, id2)).expect("formats");
    assert_eq!(twice, once, "not idempotent");
    once
}

#[test]
fn comments_keep_their_place() {
    let input = "// header\n\nagreement a { // the deal\n  /// Doc.\n  // plain, between doc and item\n  party a {\n    // inside\n    contact \"x\"   // trailing\n    // before the brace\n  }\n\n\n\n  version 1\n}\n// footer\n";
    let expected = "// header\n\nagreement a { // the deal\n  /// Doc.\n  // plain, between doc and item\n  party a {\n    // inside\n    contact \"x\" // trailing\n    // before the brace\n  }\n\n  version 1\n}\n// footer\n";
    assert_eq!(format(input), expected);
}

#[test]
fn layout_is_canonical() {
    let input = "agreement a{version 1\n party p {role partner contact \"a\\\"b\"}\n  metric m { value ((a + b)) * (c / (d * e)) - (f - g) where (x = 1 or y = 2) and not (z in [\"a\",\"b\"])\n owner p }\n target m at least 5 USD by 2026-01-01 per year\n  source s {}\n}\n";
    let expected = "agreement a {\n  version 1\n  party p {\n    role partner\n    contact \"a\\\"b\"\n  }\n  metric m {\n    value (a + b) * (c / (d * e)) - (f - g) where (x = 1 or y = 2) and not z in [\"a\", \"b\"]\n    owner p\n  }\n  target m at least 5 USD per year by 2026-01-01\n  source s {}\n}\n";
    assert_eq!(format(input), expected);
}

#[test]
fn crlf_and_byte_order_mark_become_plain_lf() {
    let input = "\u{FEFF}agreement a {\r\n  version 1 // one\r\n}\r\n";
    assert_eq!(format(input), "agreement a {\n  version 1 // one\n}\n");
}

#[test]
fn units_are_singular_for_one() {
    let input = "agreement a {\n  source s {\n    freshness 1 days\n  }\n  dispute {\n    escalate \"Council\" within 2 week\n  }\n}\n";
    let expected = "agreement a {\n  source s {\n    freshness 1 day\n  }\n  dispute {\n    escalate \"Council\" within 2 weeks\n  }\n}\n";
    assert_eq!(format(input), expected);
}

#[test]
fn braces_and_keywords_in_trailing_comments_change_nothing() {
    let input = "agreement a {\n  amendment 2026-04-01 \"Widened\" // see {note}\n  scorecard s {\n    minimum group 20 // customers\n  }\n}\n";
    assert_eq!(format(input), input);
}

#[test]
fn header_comments_stay_on_the_header_line_despite_braces_in_docs_and_titles() {
    let input = "agreement a {\n  /// Uses {placeholders}.\n  party p \"P {x}\" { // header note\n    role partner\n  }\n}\n";
    assert_eq!(format(input), input);
}

#[test]
fn amendments_print_version_changes_and_dated_approvals_canonically() {
    let input = "agreement a {\n  amendment 2026-04-01 \"Widened\" {\n version   2 // the new one\n    changes attribution credit,target m ,effective\n removes   party p\n    approved by north on 2026-03-28,acme   on 2026-03-30 , old\n  }\n  amendment 2026-01-01 \"Signed\" {approved by north, acme}\n  amendment 2026-02-01 \"Noted\"\n}\n";
    let expected = "agreement a {\n  amendment 2026-04-01 \"Widened\" {\n    version 2 // the new one\n    changes attribution credit, target m, effective\n    removes party p\n    approved by north on 2026-03-28, acme on 2026-03-30, old\n  }\n  amendment 2026-01-01 \"Signed\" {\n    approved by north, acme\n  }\n  amendment 2026-02-01 \"Noted\"\n}\n";
    assert_eq!(format(input), expected);
}
