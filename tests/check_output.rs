//! `pactum check` output for CI systems: SARIF validated against the
//! official 2.1.0 schema, snapshots of the JSON and GitHub formats, and the
//! shape of the JUnit and GitLab reports.

mod common;

use std::path::Path;
use std::process::Output;

use common::{pactum, stdout};

const FIXTURE: &str = "tests/check_output/findings.pactum";

fn run(args: &[&str]) -> Output {
    pactum(args, Path::new("."))
}

fn check(format: &str) -> (String, i32) {
    let out = run(&["check", "--format", format, FIXTURE]);
    (stdout(&out), out.status.code().unwrap())
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let (sarif, code) = check("sarif");
    assert_eq!(code, 1, "the fixture has errors");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let instance: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );

    // What GitHub code scanning reads: rule ids, levels and locations.
    let results = instance["runs"][0]["results"].as_array().unwrap();
    let summary: Vec<(String, String, u64, u64)> = results
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    let expect = |code: &str, level: &str, line: u64, col: u64| {
        (code.to_string(), level.to_string(), line, col)
    };
    assert_eq!(
        summary,
        vec![
            expect("P0301", "error", 42, 34),
            expect("P0341", "warning", 65, 10),
            expect("P0205", "error", 71, 33),
            expect("P0371", "warning", 73, 13),
            expect("P0370", "error", 76, 8),
        ]
    );
    let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str();
    assert_eq!(uri, Some("tests/check_output/findings.pactum"));
    // Every result's rule index points at its rule.
    let rules = instance["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn a_clean_file_gives_valid_sarif_with_no_results() {
    let out = run(&["check", "--format", "sarif", "specs/acme_referral.pactum"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    let instance: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        jsonschema::validator_for(&schema)
            .unwrap()
            .is_valid(&instance)
    );
    assert_eq!(instance["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn json_output_snapshot() {
    let (json, code) = check("json");
    assert_eq!(code, 1);
    insta::assert_snapshot!(json);
}

#[test]
fn github_annotations_snapshot() {
    let (annotations, code) = check("github");
    assert_eq!(code, 1);
    insta::assert_snapshot!(annotations);
}

#[test]
fn gitlab_report_has_the_code_quality_fields() {
    let (report, _) = check("gitlab");
    let issues: Vec<serde_json::Value> = serde_json::from_str(&report).unwrap();
    assert_eq!(issues.len(), 5);
    let mut fingerprints = std::collections::BTreeSet::new();
    for issue in &issues {
        for key in [
            "description",
            "check_name",
            "fingerprint",
            "severity",
            "location",
        ] {
            assert!(issue.get(key).is_some(), "missing {key} in {issue}");
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap())
        );
        assert_eq!(
            issue["location"]["path"],
            "tests/check_output/findings.pactum"
        );
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()));
    }
    assert_eq!(issues[0]["check_name"], "P0301");
    assert_eq!(issues[0]["severity"], "critical");
    assert_eq!(issues[0]["location"]["positions"]["begin"]["line"], 42);
    assert_eq!(issues[1]["severity"], "minor");
    // Same input, same bytes: fingerprints do not change between runs.
    assert_eq!(check("gitlab").0, report);
}

#[test]
fn junit_report_fails_errors_and_passes_warnings() {
    let (xml, _) = check("junit");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pactum check\" tests=\"5\" failures=\"3\" errors=\"0\">"));
    assert_eq!(xml.matches("<testcase ").count(), 5);
    assert_eq!(xml.matches("<failure type=\"").count(), 3);
    assert_eq!(xml.matches("<system-out>").count(), 2);
    assert!(xml.contains("name=\"P0301 tests/check_output/findings.pactum:42:34\""));
    assert!(xml.trim_end().ends_with("</testsuites>"));
    // Balanced tags.
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches("</testcase>").count()
    );
}

#[test]
fn human_output_ends_with_a_summary_and_deny_warnings_fails_on_warnings() {
    let out = run(&["check", FIXTURE]);
    let text = stdout(&out);
    assert!(text.ends_with("3 errors, 2 warnings in 1 file\n"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour when NO_COLOR is set or output is not a terminal"
    );
    assert!(text.contains("help: did you mean") || text.contains("help:"));

    // A file with only warnings passes, unless warnings are denied.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("warnings_only");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let clean = std::fs::read_to_string("tests/check/minimal_clean.pactum").unwrap();
    let with_vanity = clean.replace(
        "  target new_customers",
        "  metric clicks {\n    value count(referral_click)\n    indicator leading\n    owner acme\n  }\n\n  target clicks at least 10\n  target new_customers",
    );
    let file = dir.join("warn.pactum");
    std::fs::write(&file, with_vanity).unwrap();
    let file = file.to_str().unwrap();
    let out = run(&["check", file]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).ends_with("0 errors, 1 warning in 1 file\n"),
        "{}",
        stdout(&out)
    );
    let out = run(&["check", "--deny", "warnings", file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).ends_with("1 error, 0 warnings in 1 file\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_specs_check_clean_and_the_summary_counts_imported_files() {
    let out = run(&["check", "specs/"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "no errors or warnings in 4 files\n");
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in [
        "human", "json", "sarif", "github", "junit", "gitlab", "short",
    ] {
        assert_eq!(check(format), check(format), "{format}");
    }
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let out = run(&["check", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "pactum: cannot read `no/such/folder`: no such file or folder\n"
    );
}

#[test]
fn docs_list_every_rule_with_its_name_and_default_severity() {
    let docs = std::fs::read_to_string("docs/check.md").unwrap();
    for info in pactum::diagnostics::codes::CHECK {
        let severity = pactum::diagnostics::render::severity_word(info.severity);
        let row = format!(
            "| {} | `{}` | {severity} | {} |",
            info.code, info.name, info.title
        );
        assert!(docs.contains(&row), "docs/check.md lacks the row `{row}`");
    }
}

/// Labels of one finding far apart in the file share one snippet, headed
/// by the primary label's place, as miette draws them from a whole text;
/// the snippet is read through the file's line index, not a scan of it.
#[test]
fn labels_far_apart_share_one_snippet_headed_by_the_primary_place() {
    let output = run(&["check", "tests/check/P0351_fires.pactum"]);
    let text = String::from_utf8_lossy(&output.stderr).into_owned() + &stdout(&output);
    assert_eq!(text.matches("╭─[").count(), 1, "{text}");
    assert!(
        text.contains("╭─[tests/check/P0351_fires.pactum:92:9]"),
        "{text}"
    );
    for line in [
        " 85 │     owner north",
        " 89 │ ",
        " 93 │     depends on partner_portal",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
}
