//! The rule corpus: every file in `tests/check/` ends with the findings it
//! must produce, written by hand as `// expect: severity[CODE] line:col`
//! lines (or `// expect: nothing`). Folders named `ws_*` are workspaces,
//! checked as a whole, with the expectations in their `main.pactum`.
//!
//! Cases are named after the rule they exercise: `P0301_fires.pactum` must
//! report P0301, `P0301_ok.pactum` is a near miss that must not (workspace
//! folders: `ws_P0104_fires`). Every rule of the checker needs both.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pactum::check::{self, workspace::Workspace};
use pactum::diagnostics::codes;
use pactum::diagnostics::render::severity_word;
use pactum::syntax::span::line_col;

const CORPUS: &str = "tests/check";

struct Case {
    name: String,
    /// Files to load, and the folder `pactum.yaml` is searched from.
    files: Vec<PathBuf>,
    root: PathBuf,
    main: PathBuf,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .expect("the corpus folder exists")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() && name.starts_with("ws_") {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "pactum"))
                .collect();
            files.sort();
            cases.push(Case {
                name,
                main: path.join("main.pactum"),
                files,
                root: path.clone(),
            });
        } else if path.extension().is_some_and(|e| e == "pactum") {
            cases.push(Case {
                name,
                files: vec![path.clone()],
                root: path.clone(),
                main: path,
            });
        }
    }
    cases
}

/// The `// expect:` lines of a file, normalised.
fn expected(main: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(main).expect("main file readable");
    let lines: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("// expect:"))
        .map(str::trim)
        .collect();
    assert!(
        !lines.is_empty(),
        "{}: no `// expect:` line (write `// expect: nothing` for a clean file)",
        main.display()
    );
    let mut out: Vec<String> = lines
        .into_iter()
        .filter(|l| *l != "nothing")
        .map(String::from)
        .collect();
    out.sort();
    out
}

fn actual(case: &Case) -> Vec<String> {
    let ws = Workspace::load(&case.files, &case.root).expect("corpus files are readable");
    let main_name = case.main.display().to_string();
    let mut out: Vec<String> = check::run(&ws)
        .iter()
        .map(|d| {
            let span = d.primary_span().expect("every finding has a location");
            let file = &ws.sources.get(span.file);
            let (line, col) = line_col(&file.text, span.start);
            let location = if file.name == main_name {
                format!("{line}:{col}")
            } else {
                let shown = Path::new(&file.name)
                    .strip_prefix(&case.root)
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| file.name.clone());
                format!("{shown}:{line}:{col}")
            };
            format!("{}[{}] {location}", severity_word(d.severity), d.code)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_case_reports_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    for case in cases() {
        let expected = expected(&case.main);
        let actual = actual(&case);
        if expected != actual {
            failures.push(format!(
                "{}:\n  expected: {expected:?}\n  actual:   {actual:?}",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_firing_case_and_a_near_miss() {
    let cases = cases();
    assert!(
        cases.len() >= 60,
        "the corpus has {} cases, fewer than 60",
        cases.len()
    );
    let mut missing = Vec::new();
    for info in codes::CHECK {
        // Change review (P04xx) is exercised by the diff tests.
        if info.code.starts_with("P04") {
            continue;
        }
        let named: Vec<&Case> = cases
            .iter()
            .filter(|c| c.name.trim_start_matches("ws_").starts_with(info.code))
            .collect();
        let fires = named
            .iter()
            .any(|c| expected(&c.main).iter().any(|e| e.contains(info.code)));
        let near_miss = named
            .iter()
            .any(|c| !expected(&c.main).iter().any(|e| e.contains(info.code)));
        if !fires {
            missing.push(format!("{} ({}): no case that fires", info.code, info.name));
        }
        if !near_miss {
            missing.push(format!("{} ({}): no near miss", info.code, info.name));
        }
    }
    assert!(
        missing.is_empty(),
        "rules without cases:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_corpus_only_expects_known_codes() {
    let known: BTreeSet<&str> = codes::all().map(|c| c.code).collect();
    for case in cases() {
        for line in expected(&case.main) {
            let code = line
                .split('[')
                .nth(1)
                .and_then(|rest| rest.split(']').next())
                .unwrap_or_else(|| panic!("{}: malformed expectation `{line}`", case.name));
            assert!(known.contains(code), "{}: unknown code {code}", case.name);
        }
    }
}
