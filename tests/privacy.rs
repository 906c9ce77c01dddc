//! Outputs made for one party (`run --for`, `report --for`): every figure
//! left in them is traced to the customers behind it, which must be at
//! least the party's minimum group; no suppressed cell can be recovered as
//! a total minus the visible cells; row-level data, scorecards not shared
//! with the party and other parties' statements are left out; and the
//! report says what it suppressed, section by section.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{csv_rows as rows, pactum, scratch, stderr};

/// (example, party, minimum group of the scorecards shared with it).
const AUDIENCES: [(&str, &str, i64); 3] = [
    ("acme_referral", "acme", 20),
    ("channel_resellers", "brightpath", 25),
    ("marketplace_integration", "helix", 40),
];
const AS_OF: &str = "2026-09-30";

type Row = BTreeMap<String, String>;

/// `pactum COMMAND` of an example for a party, writing `out`; it must
/// succeed.
fn for_party(command: &str, example: &str, party: &str, out: &Path) {
    let output = pactum(
        &[
            command,
            &format!("specs/{example}.pactum"),
            "--data",
            &format!("examples/{example}"),
            "--as-of",
            AS_OF,
            "--for",
            party,
            "--out",
            out.to_str().unwrap(),
        ],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert!(output.status.success(), "{example}: {}", stderr(&output));
}

fn run_for(example: &str, party: &str) -> PathBuf {
    let results = scratch(&format!("privacy-{example}")).join("results");
    for_party("run", example, party, &results);
    results
}

/// A customer count: empty is none.
fn count(row: &Row, column: &str) -> Option<f64> {
    row.get(column).and_then(|v| v.parse().ok())
}

/// A figure shown from `customers`: fine when the figure is empty (left
/// out), or the group is empty (0 identifies nobody) or large enough.
fn traced(
    problems: &mut Vec<String>,
    at: &str,
    row: &Row,
    figures: &[&str],
    customers: Option<f64>,
    minimum: i64,
) {
    for figure in figures {
        let shown = row.get(*figure).is_some_and(|v| !v.is_empty());
        let small = customers.is_some_and(|c| c > 0.0 && c < minimum as f64);
        if shown && small {
            problems.push(format!(
                "{at}: `{figure}` = {} is shown from {customers:?} customers (minimum {minimum})",
                row[*figure]
            ));
        }
    }
}

/// No set of parts (rows sharing `keys`, the `all` group aside) has
/// exactly one part whose `count` is left out while its total (the `all`
/// row) shows: the part would be the total minus the others.
fn no_lone_suppression(
    problems: &mut Vec<String>,
    at: &str,
    table: &[Row],
    keys: &[&str],
    count: &str,
) {
    let mut sets: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut totals: BTreeMap<Vec<String>, bool> = BTreeMap::new();
    for row in table {
        if row["segment"] == "all" {
            let key = keys
                .iter()
                .filter(|k| **k != "segment")
                .map(|k| row[*k].clone())
                .collect();
            totals.insert(key, !row[count].is_empty());
            continue;
        }
        let key = keys.iter().map(|k| row[*k].clone()).collect();
        let hidden = sets.entry(key).or_default();
        if row[count].is_empty() {
            *hidden += 1;
        }
    }
    for (key, hidden) in sets {
        let total_key: Vec<String> = keys
            .iter()
            .zip(&key)
            .filter(|(k, _)| **k != "segment")
            .map(|(_, v)| v.clone())
            .collect();
        if hidden == 1 && totals.get(&total_key).copied().unwrap_or(false) {
            problems.push(format!("{at} {key:?}: one part left out alone"));
        }
    }
}

#[test]
fn every_figure_shared_with_a_party_rests_on_at_least_its_minimum_group() {
    let mut problems = Vec::new();
    for (example, party, minimum) in AUDIENCES {
        let results = run_for(example, party);
        let mut names: Vec<String> = std::fs::read_dir(&results)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter_map(|n| n.strip_suffix(".csv").map(str::to_string))
            .collect();
        names.sort();
        // Customers behind each metric row, for incentive conditions.
        let mut metrics: BTreeMap<(String, String, String, String), Option<f64>> = BTreeMap::new();
        for name in &names {
            if let Some(metric) = name.strip_prefix("metric_") {
                for row in rows(&results.join(format!("{name}.csv"))) {
                    metrics.insert(
                        (
                            metric.to_string(),
                            row["period_start"].clone(),
                            row["segment"].clone(),
                            row["segment_value"].clone(),
                        ),
                        count(&row, "customers"),
                    );
                }
            }
        }
        let mut suppressed_somewhere = 0;
        for name in &names {
            let at = format!("{example}/{name}");
            assert!(
                !name.starts_with("events_"),
                "{at}: row-level data is shared"
            );
            let table = rows(&results.join(format!("{name}.csv")));
            assert!(
                table.iter().all(|r| r.contains_key("suppressed")),
                "{at}: no `suppressed` column"
            );
            suppressed_somewhere += table.iter().filter(|r| r["suppressed"] == "yes").count();
            for row in &table {
                if name.starts_with("metric_") {
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["value", "customers"],
                        count(row, "customers"),
                        minimum,
                    );
                } else if name.starts_with("scorecard_") {
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["actual", "target", "percent_of_target"],
                        count(row, "customers"),
                        minimum,
                    );
                } else if name == "funnel" {
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["customers", "progression"],
                        count(row, "customers"),
                        minimum,
                    );
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["reached_next", "progression"],
                        count(row, "reached_next"),
                        minimum,
                    );
                } else if name.starts_with("cohorts_") {
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["cohort_customers", "retention"],
                        count(row, "cohort_customers"),
                        minimum,
                    );
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["active_customers", "retention"],
                        count(row, "active_customers"),
                        minimum,
                    );
                } else if name == "targets" {
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["value", "baseline", "lift"],
                        count(row, "customers"),
                        minimum,
                    );
                } else if name.starts_with("pilot_") {
                    for (value, customers) in [
                        ("baseline_value", "baseline_customers"),
                        ("pilot_value", "pilot_customers"),
                        ("control_value", "control_customers"),
                        ("control_before_value", "control_before_customers"),
                    ] {
                        traced(
                            &mut problems,
                            &at,
                            row,
                            &[value, "lift"],
                            count(row, customers),
                            minimum,
                        );
                    }
                } else if name.ends_with("_by_partner") {
                    let behind = match (
                        count(row, "assisted_conversions"),
                        count(row, "attributed_conversions").map(f64::ceil),
                    ) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    traced(
                        &mut problems,
                        &at,
                        row,
                        &["attributed_value", "attributed_conversions"],
                        behind,
                        minimum,
                    );
                } else if let Some(incentive) = name.strip_prefix("incentive_") {
                    assert!(row["party"] == party, "{at}: another party's statement");
                    if row["line"] == "condition" && !row["figure"].is_empty() {
                        let metric = row["description"].split(' ').next().unwrap().to_string();
                        let behind = metrics
                            .get(&(
                                metric.clone(),
                                row["period_start"].clone(),
                                "partner".to_string(),
                                party.to_string(),
                            ))
                            .or_else(|| {
                                metrics.get(&(
                                    metric,
                                    row["period_start"].clone(),
                                    "all".to_string(),
                                    String::new(),
                                ))
                            })
                            .copied()
                            .flatten();
                        if behind.is_none_or(|c| c < minimum as f64) {
                            problems.push(format!(
                                "{at} ({incentive}): condition figure {} from {behind:?} customers",
                                row["figure"]
                            ));
                        }
                    }
                }
            }
            if name.starts_with("metric_") {
                no_lone_suppression(
                    &mut problems,
                    &at,
                    &table,
                    &["period_start", "segment"],
                    "customers",
                );
            } else if name.starts_with("scorecard_") {
                no_lone_suppression(
                    &mut problems,
                    &at,
                    &table,
                    &["metric", "period_start", "segment"],
                    "customers",
                );
            } else if name == "funnel" {
                no_lone_suppression(
                    &mut problems,
                    &at,
                    &table,
                    &["period_start", "stage", "segment"],
                    "customers",
                );
            }
        }
        assert!(
            suppressed_somewhere > 0,
            "{example}: nothing was suppressed"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_party_report_says_what_it_suppressed_in_every_section_with_small_groups() {
    for (example, party, minimum) in AUDIENCES {
        let md = scratch(&format!("privacy-report-{example}")).join("report.md");
        for_party("report", example, party, &md);
        let text = std::fs::read_to_string(&md).unwrap();
        assert!(
            text.contains(&format!(
                "Prepared for {party}: figures from fewer than {minimum} customers"
            )),
            "{example}: {text}"
        );
        // The sections of `report` that rest on small groups in the data.
        let mut sections: BTreeMap<String, usize> = BTreeMap::new();
        let mut section = String::new();
        for line in text.lines() {
            if let Some(title) = line.strip_prefix("## ") {
                section = title.split(':').next().unwrap().to_string();
            }
            if line.contains("suppressed") {
                *sections.entry(section.clone()).or_default() += 1;
            }
        }
        for wanted in ["Scorecard", "Funnel", "Retention", "Attribution"] {
            assert!(
                sections.contains_key(wanted),
                "{example}: no suppression in {wanted}: {sections:?}"
            );
        }
        // Other parties' statements are not in it.
        for other in ["meridian_share", "kestrel_share", "orbital_share"] {
            assert!(!text.contains(other), "{example}: {other}");
        }
    }
}

#[test]
fn a_party_nothing_is_shared_with_gets_no_output() {
    let out = scratch("privacy-none");
    let output = pactum(
        &[
            "run",
            "specs/channel_resellers.pactum",
            "--data",
            "examples/channel_resellers",
            "--for",
            "northwind",
            "--out",
            out.join("results").to_str().unwrap(),
        ],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is `shared with northwind`"),
        "{}",
        stderr(&output)
    );
    assert!(!out.join("results").exists());
}
