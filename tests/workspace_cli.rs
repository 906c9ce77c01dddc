//! `pactum init`, `pactum diff --git` and `pactum.yaml` as a user meets them.

mod common;

use std::path::Path;
use std::process::Command;

use common::{pactum, scratch, stderr, stdout};

/// Every file under `dir`, with its content, sorted.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn each_template_starts_a_workspace_that_checks_clean_and_is_formatted() {
    for template in ["referral", "reseller", "integration"] {
        let dir = scratch(&format!("init_{template}"));
        let out = pactum(&["init", ".", "--template", template], &dir);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let files: Vec<String> = snapshot(&dir).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            files,
            vec![
                ".github/workflows/pactum.yml".to_string(),
                ".pre-commit-config.yaml".to_string(),
                format!("agreements/{template}.pactum"),
                "pactum.yaml".to_string(),
            ]
        );
        // No finding at all, warnings included.
        let check = pactum(&["check", "--deny", "warnings", "."], &dir);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{template}: {}",
            stdout(&check)
        );
        assert_eq!(stdout(&check), "no errors or warnings in 1 file\n");
        let fmt = pactum(&["fmt", "--check", "."], &dir);
        assert_eq!(fmt.status.code(), Some(0), "{template}: {}", stdout(&fmt));
    }
}

#[test]
fn a_second_init_changes_nothing_and_says_what_it_left_alone() {
    let dir = scratch("init_twice");
    assert_eq!(pactum(&["init"], &dir).status.code(), Some(0));
    let before = snapshot(&dir);
    // A user edit must survive a second init.
    std::fs::write(dir.join("pactum.yaml"), "dialect: postgres\n").unwrap();
    let edited = snapshot(&dir);
    let out = pactum(&["init"], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(snapshot(&dir), edited);
    assert_ne!(before, edited);
    let text = stdout(&out);
    assert_eq!(text.matches("left alone").count(), 4, "{text}");
    assert!(!text.contains("created"), "{text}");
    assert!(
        text.contains("left alone  ./pactum.yaml (already exists)"),
        "{text}"
    );
}

#[test]
fn init_creates_the_folder_it_is_given() {
    let dir = scratch("init_new_folder");
    let out = pactum(&["init", "deals/emea", "--template", "reseller"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("deals/emea/agreements/reseller.pactum").is_file());
    assert!(stdout(&out).contains("created     deals/emea/pactum.yaml"));
}

/// A git repository in `dir` with the Acme agreement and its catalog
/// committed (version 3).
fn committed_specs(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(dir.join("specs/catalog")).unwrap();
    for file in ["acme_referral.pactum", "catalog/product_events.pactum"] {
        std::fs::copy(Path::new("specs").join(file), dir.join("specs").join(file)).unwrap();
    }
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "version 3"]);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn diff_git_compares_the_work_tree_with_a_revision_without_touching_it() {
    let dir = scratch("diff_git");
    committed_specs(&dir);

    let spec = dir.join("specs/acme_referral.pactum");
    let text = std::fs::read_to_string(&spec).unwrap();
    let edited = text.replace(
        "target trial_to_paid at least 25%",
        "target trial_to_paid at least 20%",
    );
    std::fs::write(&spec, &edited).unwrap();

    let out = pactum(&["diff", "--git", "HEAD", "--format", "markdown"], &dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a breaking change without a new version is a finding"
    );
    let markdown = stdout(&out);
    assert!(
        markdown.contains(
            "| **breaking** | `target trial_to_paid` | lowered from 25% to 20% (-5 points, -20%): easier to meet |"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("it should become **4**"), "{markdown}");
    assert!(
        markdown.contains(
            "> **P0401** 1 breaking change, but the version is still 3\n>\n> breaking changes need the other party's approval: raise the version to 4 and record the approval with an `amendment`\n\n"
        ),
        "{markdown}"
    );
    // The work tree is as the user left it; the index too.
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), edited);

    // Raising the version is not enough: the new version needs an
    // amendment that names the change, approved by every party.
    let raised = edited.replace("version 3", "version 4");
    std::fs::write(&spec, &raised).unwrap();
    let out = pactum(&["diff", "--git", "HEAD", "specs/"], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("version 3 -> 4"));
    let text = stderr(&out);
    assert!(
        text.contains("P0402") && text.contains("no amendment brings in version 4"),
        "{text}"
    );
    assert!(
        text.contains(
            "          version 4\n          changes target trial_to_paid\n          approved by northwind on YYYY-MM-DD, acme on YYYY-MM-DD, contoso on YYYY-MM-DD\n        }"
        ),
        "the help shows the amendment to add, unwrapped: {text}"
    );
    let out = pactum(&["diff", "--git", "HEAD", "--format", "markdown"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let markdown = stdout(&out);
    assert!(
        markdown.contains(
            "> **P0402** 1 breaking change in version 4, but no amendment records its approval\n>\n> record the approval with an amendment (fill in the dates and the summary):\n>\n> ```pactum\n> amendment YYYY-MM-DD \"What changed, and why\" {\n>   version 4\n>   changes target trial_to_paid\n"
        ),
        "{markdown}"
    );

    // The amendment settles it; --fail-on breaking still fails CI.
    std::fs::write(&spec, with_amendment(&raised, APPROVED)).unwrap();
    let out = pactum(&["diff", "--git", "HEAD", "specs/"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = pactum(&["diff", "--git", "HEAD", "--fail-on", "breaking"], &dir);
    assert_eq!(out.status.code(), Some(1));

    // Nothing changed in the catalog: it is not listed.
    assert!(!stdout(&out).contains("product_events"));
    let out = pactum(&["diff", "--git", "no-such-revision"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("pactum: git diff"),
        "{}",
        stderr(&out)
    );
}

/// The amendment of version 4 of specs/acme_referral.pactum, after its
/// trial-to-paid target was lowered: `APPROVALS` completes it.
fn with_amendment(text: &str, approvals: &str) -> String {
    let anchor = "  amendment 2026-04-01 \"Lookback widened from 21 to 30 days after the Q1 review\" {\n    approved by northwind, acme\n  }\n";
    assert!(text.contains(anchor));
    text.replace(
        anchor,
        &format!(
            "{anchor}  amendment 2026-07-01 \"Trial-to-paid floor lowered to 20% after the Q2 review\" {{\n    version 4\n    changes target trial_to_paid\n    approved by {approvals}\n  }}\n"
        ),
    )
}

const APPROVED: &str = "northwind on 2026-06-22, acme on 2026-06-24, contoso on 2026-06-30";

#[test]
fn check_against_a_revision_reports_breaking_changes_without_approval() {
    let dir = scratch("check_against");
    committed_specs(&dir);
    let short = |args: &[&str]| {
        let mut all = vec!["check", "--format", "short"];
        all.extend(args);
        pactum(&all, &dir)
    };

    let help = stdout(&pactum(&["check", "--help"], &dir));
    assert!(
        help.contains("--against <REV>") && help.contains("pactum check --against origin/main"),
        "{help}"
    );

    // Nothing changed: nothing to report.
    let out = short(&["--against", "HEAD", "specs/"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");

    let spec = dir.join("specs/acme_referral.pactum");
    let text = std::fs::read_to_string(&spec).unwrap();
    let lowered = text.replace(
        "target trial_to_paid at least 25%",
        "target trial_to_paid at least 20%",
    );
    assert_ne!(lowered, text);

    // The same version: P0401. Without --against, the file alone is fine.
    std::fs::write(&spec, &lowered).unwrap();
    let out = short(&["--against", "HEAD", "specs/"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "specs/acme_referral.pactum:11:3: error[P0401]: 1 breaking change, but the version is still 3\n"
    );
    assert_eq!(short(&["specs/"]).status.code(), Some(0));

    // A new version without an amendment: P0402 on the version line.
    let raised = lowered.replace("  version 3\n", "  version 4\n");
    std::fs::write(&spec, &raised).unwrap();
    let out = short(&["--against", "HEAD", "specs/"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "specs/acme_referral.pactum:11:3: error[P0402]: 1 breaking change in version 4, but no amendment records its approval\n"
    );

    // An amendment a party has not approved, or approved without a date.
    std::fs::write(
        &spec,
        with_amendment(&raised, "northwind on 2026-06-22, acme on 2026-06-24"),
    )
    .unwrap();
    let out = short(&["--against", "HEAD", "specs/"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "specs/acme_referral.pactum:284:5: error[P0404]: version 4 is not approved by every party with a date: no approval from `contoso`\n"
    );
    std::fs::write(
        &spec,
        with_amendment(
            &raised,
            "northwind on 2026-06-22, acme, contoso on 2026-06-30",
        ),
    )
    .unwrap();
    let out = pactum(&["check", "--against", "HEAD", "specs/"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let human = stdout(&out);
    assert!(
        human.contains("no date for the approval of `acme`")
            && human.contains(
                "approved by northwind on 2026-06-22, acme on YYYY-MM-DD, contoso on 2026-06-30"
            ),
        "{human}"
    );

    // An amendment that does not name the change.
    std::fs::write(
        &spec,
        with_amendment(&raised, APPROVED).replace(
            "changes target trial_to_paid",
            "changes attribution partner_credit",
        ),
    )
    .unwrap();
    let out = short(&["--against", "HEAD", "specs/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "specs/acme_referral.pactum:283:5: error[P0403]: the amendment for version 4 does not name 1 breaking change: `target trial_to_paid`\n"
        ),
        "{}",
        stdout(&out)
    );

    // The complete amendment: no finding, from the folder of the file too.
    std::fs::write(&spec, with_amendment(&raised, APPROVED)).unwrap();
    let out = short(&["--against", "HEAD", "specs/"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
    let out = pactum(
        &["check", "--against", "HEAD", "acme_referral.pactum"],
        &dir.join("specs"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // A new agreement has no earlier version to answer to.
    std::fs::copy(
        "specs/channel_resellers.pactum",
        dir.join("specs/channel_resellers.pactum"),
    )
    .unwrap();
    let out = short(&["--against", "HEAD", "specs/"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out = short(&["--against", "no-such-revision", "specs/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`no-such-revision` is not a revision"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn diff_json_lists_each_change_with_its_class_and_line() {
    let dir = scratch("diff_json");
    let old = std::fs::read_to_string("specs/acme_referral.pactum").unwrap();
    std::fs::write(dir.join("old.pactum"), &old).unwrap();
    std::fs::write(
        dir.join("new.pactum"),
        old.replace(
            "model position_based { first 40% last 40% }",
            "model position_based { first 30% last 50% }",
        )
        .replace("version 3", "version 4"),
    )
    .unwrap();
    let out = pactum(
        &["diff", "old.pactum", "new.pactum", "--format", "json"],
        &dir,
    );
    // A new version, but no amendment approving it.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let file = &report["files"][0];
    let finding = &file["findings"][0];
    assert_eq!(finding["code"], "P0402");
    assert_eq!(finding["line"], 11);
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("\n  version 4\n  changes attribution partner_credit\n"),
        "{finding}"
    );
    assert_eq!(file["breaking"], 1);
    assert_eq!(file["expected_version"], 4);
    let change = &file["changes"][0];
    assert_eq!(change["class"], "breaking");
    assert_eq!(change["kind"], "attribution.model");
    assert_eq!(
        change["summary"],
        "attribution model changed from `position_based { first 40% last 40% }` to `position_based { first 30% last 50% }`"
    );
    // The line of the changed field, not of its block.
    assert_eq!(change["line"], 101);
    assert_eq!(file["changes"][1]["kind"], "version.changed");
    assert_eq!(file["changes"][1]["line"], 11);
}

#[test]
fn pactum_yaml_changes_severities_and_reports_unknown_keys_with_a_location() {
    let dir = scratch("yaml_rules");
    std::fs::copy("tests/check/minimal_clean.pactum", dir.join("deal.pactum")).unwrap();
    let text = std::fs::read_to_string(dir.join("deal.pactum")).unwrap();
    // An extra metric tied to a target but to no goal: a vanity metric.
    let vanity = text.replace(
        "  target new_customers",
        "  metric clicks {\n    value count(referral_click)\n    indicator leading\n    owner acme\n  }\n\n  target clicks at least 10\n  target new_customers",
    );
    std::fs::write(dir.join("deal.pactum"), vanity).unwrap();
    assert_eq!(
        stdout(&pactum(&["check", "--format", "short", "."], &dir))
            .matches("warning[P0341]")
            .count(),
        1
    );

    std::fs::write(dir.join("pactum.yaml"), "rules:\n  vanity-metric: error\n").unwrap();
    let out = pactum(&["check", "--format", "short", "."], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[P0341]"), "{}", stdout(&out));

    std::fs::write(dir.join("pactum.yaml"), "rules:\n  P0341: allow\n").unwrap();
    let out = pactum(&["check", "."], &dir);
    assert_eq!(stdout(&out), "no errors or warnings in 1 file\n");

    std::fs::write(
        dir.join("pactum.yaml"),
        "dialect: duckdb\nrulez:\n  P0341: allow\n",
    )
    .unwrap();
    let out = pactum(&["check", "--format", "short", "."], &dir);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with("pactum.yaml:2:1: error[P0110]: pactum.yaml: unknown field `rulez`"),
        "{text}"
    );

    std::fs::write(
        dir.join("pactum.yaml"),
        "rules:\n  vanity-metrc: allow\n  P0001: allow\n  data-type: allow\n",
    )
    .unwrap();
    let text = stdout(&pactum(&["check", "--format", "short", "."], &dir));
    assert!(
        text.contains("pactum.yaml:2:3: error[P0110]: unknown rule `vanity-metrc` in pactum.yaml"),
        "{text}"
    );
    assert!(
        text.contains(
            "pactum.yaml:3:3: error[P0110]: the severity of `P0001` (P0001) cannot be changed"
        ),
        "{text}"
    );
    // Data errors stop a run whatever the settings say.
    assert!(
        text.contains(
            "pactum.yaml:4:3: error[P0110]: the severity of `data-type` (P0503) cannot be changed"
        ),
        "{text}"
    );
    let human = stdout(&pactum(&["check", "."], &dir));
    assert!(
        human.contains("help: did you mean `vanity-metric`?"),
        "{human}"
    );
}

#[test]
fn every_check_code_has_an_explanation_with_a_wrong_and_a_right_example() {
    for info in pactum::diagnostics::codes::all() {
        let out = pactum(&["explain", info.code], Path::new("."));
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!("{}: {}\n\n", info.code, info.title)),
            "{text}"
        );
        assert!(text.contains("Wrong"), "{}: no wrong example", info.code);
        assert!(text.contains("Right"), "{}: no right example", info.code);
        // By name too.
        assert_eq!(
            stdout(&pactum(&["explain", info.name], Path::new("."))),
            text
        );
    }
}

/// The template without its leading comment lines, as the README shows it.
fn without_header_comments(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip_while(|l| l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_readme_shows_the_ci_files_init_writes_and_they_are_valid_yaml() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for template in [
        "templates/github-workflow.yml",
        "templates/pre-commit-config.yaml",
    ] {
        let text = std::fs::read_to_string(template).unwrap();
        let parsed: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{template}: {e}"));
        assert!(parsed.is_mapping(), "{template}");
        let shown = without_header_comments(&text);
        assert!(
            readme.contains(&format!("```yaml\n{}\n```", shown.trim_end())),
            "README.md does not show {template} as init writes it"
        );
    }
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string("templates/github-workflow.yml").unwrap())
            .unwrap();
    let steps = workflow["jobs"]["check"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.contains(&"pactum check --format github ."));
    // Pull requests are checked against their base branch.
    let gate = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("pactum check") && r.contains("--against"))
        })
        .expect("a step checks approvals against the base branch");
    assert_eq!(
        gate["run"].as_str().unwrap(),
        "pactum check --format github --against \"origin/${{ github.base_ref }}\" ."
    );
    assert_eq!(
        gate["if"].as_str().unwrap(),
        "github.event_name == 'pull_request'"
    );
    assert!(
        runs.iter()
            .any(|r| r.starts_with("pactum check --format sarif"))
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("pactum diff --git") && r.contains("--format markdown"))
    );
}
