//! The committed example data (`pactum demo`) exercises every part of its
//! agreement: each journey stage has customers, each value a condition
//! names is in the data, each pilot has both groups, each incentive
//! condition has a figure, each audit check has something to find, and the
//! examples together show every verdict.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{csv_rows as rows, pactum, scratch, stderr};
use pactum::check::workspace::Workspace;
use pactum::syntax::ast::{Condition, Literal};

const EXAMPLES: [&str; 3] = [
    "acme_referral",
    "channel_resellers",
    "marketplace_integration",
];
const AS_OF: &str = "2026-09-30";

fn run(name: &str) -> PathBuf {
    let out = scratch(&format!("demo-data-{name}"));
    let output = pactum(
        &[
            "run",
            &format!("specs/{name}.pactum"),
            "--data",
            &format!("examples/{name}"),
            "--as-of",
            AS_OF,
            "--out",
            out.join("results").to_str().unwrap(),
        ],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert!(output.status.success(), "{name}: {}", stderr(&output));
    out.join("results")
}

/// (source, logical column, value) for every `column = "value"` a condition
/// compares, with the source the condition reads by default.
fn named_values(c: &Condition, default: &str, out: &mut Vec<(String, String, String)>) {
    match c {
        Condition::Or { operands, .. } | Condition::And { operands, .. } => {
            operands.iter().for_each(|o| named_values(o, default, out))
        }
        Condition::Not { operand, .. } => named_values(operand, default, out),
        Condition::Compare {
            column,
            value: Literal::String(s),
            op: pactum::syntax::ast::CmpOp::Eq,
            ..
        } => {
            let source = if column.segments.len() > 1 {
                column.segments[0].name.clone()
            } else {
                default.to_string()
            };
            let name = column.segments.last().unwrap().name.clone();
            out.push((source, name, s.value.clone()));
        }
        _ => {}
    }
}

#[test]
fn the_example_data_exercises_every_part_of_its_agreement() {
    let mut verdicts = BTreeMap::new();
    let mut problems = Vec::new();
    for name in EXAMPLES {
        let spec = PathBuf::from(format!("specs/{name}.pactum"));
        let ws = Workspace::load(std::slice::from_ref(&spec), Path::new("specs")).unwrap();
        let scope = ws.scope(ws.agreements()[0]);
        let agreement = pactum::model::Agreement::of(&scope);
        let results = run(name);

        // Every journey stage with an event has customers.
        let funnel = rows(&results.join("funnel.csv"));
        let staged = agreement
            .journey
            .iter()
            .filter(|stage| agreement.events.iter().any(|e| e.stage == Some(**stage)));
        for stage in staged {
            let reached: u64 = funnel
                .iter()
                .filter(|r| r["segment"] == "all" && r["stage"] == *stage)
                .map(|r| r["customers"].parse::<u64>().unwrap())
                .sum();
            if reached == 0 {
                problems.push(format!("{name}: no customer reaches stage `{stage}`"));
            }
        }

        // Every value an event's, a metric's or a control group's condition
        // names is in its source's data.
        let mut named = Vec::new();
        for event in &agreement.events {
            if let Some(filter) = event.filter {
                named_values(filter, event.source, &mut named);
            }
        }
        for pilot in &agreement.pilots {
            if let Some(control) = pilot.control_customers {
                named_values(control, "", &mut named);
            }
        }
        for (source, column, value) in named {
            let Some(source) = agreement.source(&source) else {
                continue;
            };
            let physical = source.physical(&column).unwrap_or(&column).to_string();
            let data = rows(
                &Path::new("examples")
                    .join(name)
                    .join(format!("{}.csv", source.name())),
            );
            if !data.iter().any(|r| r.get(&physical) == Some(&value)) {
                problems.push(format!(
                    "{name}: no row of `{}` has {column} = {value:?}",
                    source.name()
                ));
            }
        }

        // Every pilot expectation has customers in both groups.
        for pilot in &agreement.pilots {
            let path = results.join(format!("pilot_{}.csv", pilot.named.name));
            if !path.exists() {
                continue;
            }
            for row in rows(&path) {
                for group in ["baseline_customers", "pilot_customers"] {
                    if row[group].parse::<u64>().unwrap_or(0) == 0 {
                        problems.push(format!(
                            "{name}: pilot `{}` expectation {} has no {group}",
                            pilot.named.name, row["expectation"]
                        ));
                    }
                }
                *verdicts.entry(row["verdict"].clone()).or_insert(0) += 1;
            }
        }

        // Every incentive condition has a figure in some period.
        for incentive in &agreement.incentives {
            let statement = rows(&results.join(format!("incentive_{}.csv", incentive.named.name)));
            for condition in &incentive.conditions {
                let figured = statement.iter().any(|r| {
                    r["line"] == "condition"
                        && r["description"].starts_with(condition.metric.name.as_str())
                        && !r["figure"].is_empty()
                });
                if !figured {
                    problems.push(format!(
                        "{name}: incentive `{}` condition on `{}` never has a figure",
                        incentive.named.name, condition.metric.name
                    ));
                }
            }
        }

        // Every declared audit check finds something.
        let findings = rows(&results.join("audits.csv"));
        for audit in &agreement.audits {
            let mut checks: Vec<&str> = audit.checks.clone();
            // A partner's feed stops a month before the end of the data.
            let partner_owned = audit
                .owner
                .and_then(|o| agreement.party(o))
                .and_then(|p| p.role)
                .is_some_and(|role| role != "provider");
            let until = pactum::demo::Settings::for_agreement(&agreement).until;
            let visible = pactum::check::dates::show(until).as_str() <= AS_OF;
            if audit.freshness.is_some() && partner_owned && visible {
                checks.push("freshness");
            }
            for check in checks {
                if !findings
                    .iter()
                    .any(|r| r["source"] == audit.source && r["check_name"] == check)
                {
                    problems.push(format!(
                        "{name}: the audit of `{}` finds nothing for `{check}`",
                        audit.source
                    ));
                }
            }
        }

        for row in rows(&results.join("targets.csv")) {
            *verdicts.entry(row["verdict"].clone()).or_insert(0) += 1;
        }
    }
    for verdict in ["met", "not met", "inconclusive", "no data"] {
        if !verdicts.contains_key(verdict) {
            problems.push(format!("no target or pilot of the examples is `{verdict}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
