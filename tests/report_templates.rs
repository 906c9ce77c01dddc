//! The report templates that `pactum compile` writes beside the SQL
//! (`report/scorecard.html.j2`, `report/scorecard.md.j2`): they parse, name
//! only columns that the manifest declares, and render the results of real
//! queries run on SQLite (the fixtures of `tests/sql/`) with MiniJinja's
//! strict undefined behaviour, so that any name the context lacks fails.

mod common;
mod engines;

use std::collections::BTreeSet;
use std::path::Path;

use engines::{Engine, Value};
use minijinja::Environment;
use pactum::commands::report::Format;
use pactum::report::{HTML_TEMPLATE, MARKDOWN_TEMPLATE, agreement_context};
use pactum::sql::plan::{ColumnKind, Options};
use pactum::sql::render::Renderer;

/// Pactum's template environment (strict, with its `grouped` filter) for
/// a format, holding both templates.
fn environment_for(format: Format) -> Environment<'static> {
    let mut env = pactum::commands::report::environment(format, 50_000_000);
    env.add_template("scorecard.html.j2", HTML_TEMPLATE)
        .unwrap();
    env.add_template("scorecard.md.j2", MARKDOWN_TEMPLATE)
        .unwrap();
    env
}

fn environment() -> Environment<'static> {
    environment_for(Format::Html)
}

#[test]
fn templates_parse() {
    environment();
}

/// Names the templates read from result rows: `row.x`, `cell.x`,
/// `cells[0].x`, and `attribute="x"` / `selectattr("x", ...)` arguments.
fn row_names(template: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = template.as_bytes();
    for prefix in [
        "row.",
        "cell.",
        "cells[0].",
        "series[0].",
        "shown[0].",
        "shown[-1].",
        "attribute=\"",
        "selectattr(\"",
        "rejectattr(\"",
    ] {
        let mut from = 0;
        while let Some(at) = template[from..].find(prefix) {
            let start = from + at + prefix.len();
            let end = start
                + bytes[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
                    .count();
            // `row.` inside a longer word (`arrow.`) is no row access.
            let before = (from + at).checked_sub(1).map(|i| bytes[i]);
            if end > start && !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                names.insert(template[start..end].to_string());
            }
            from = end.max(start);
        }
    }
    names
}

/// Every output column of every query of the example agreements and fixtures.
fn manifest_columns() -> BTreeSet<String> {
    let mut columns = BTreeSet::new();
    for dir in [
        "tests/sql/scorecard",
        "tests/sql/pilots",
        "tests/sql/funnel",
        "tests/sql/audits",
    ] {
        let spec = engines::Spec::load(&Path::new(dir).join("agreement.pactum"));
        let scope = spec.scope();
        for query in pactum::sql::plan_all(&scope, &Options::default()) {
            columns.extend(query.columns.iter().map(|c| c.name.clone()));
        }
    }
    // Outputs made for one party add it to every table (`privacy`).
    columns.insert("suppressed".to_string());
    columns
}

#[test]
fn templates_name_only_columns_the_manifest_declares() {
    let declared = manifest_columns();
    for (name, template) in [("html", HTML_TEMPLATE), ("markdown", MARKDOWN_TEMPLATE)] {
        let used = row_names(template);
        assert!(used.len() > 30, "{name}: only {used:?}");
        let unknown: Vec<&String> = used.difference(&declared).collect();
        assert!(
            unknown.is_empty(),
            "the {name} template reads columns no query declares: {unknown:?}"
        );
    }
}

/// Runs every query of a fixture on SQLite and renders both templates.
fn render(dir: &str) -> (String, String) {
    let spec = engines::Spec::load(&Path::new(dir).join("agreement.pactum"));
    let scope = spec.scope();
    let as_of = std::fs::read_to_string(Path::new(dir).join("as_of")).unwrap();
    let options = Options {
        as_of: Some(as_of.trim().parse().unwrap()),
        ..Options::default()
    };
    let mut engine = engines::Sqlite::new();
    engine.load(&scope, Path::new(dir), &options);
    let planned = pactum::sql::plan_all(&scope, &options);
    let mut results = serde_json::Map::new();
    for query in &planned {
        let sql = Renderer::new(engine.dialect()).query(&query.query);
        let rows: Vec<serde_json::Value> = engine
            .query(&sql)
            .into_iter()
            .map(|row| {
                let object: serde_json::Map<String, serde_json::Value> = query
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, value)| {
                        let value = match (value, column.kind) {
                            (Value::Null, _) => serde_json::Value::Null,
                            (Value::Number(n), ColumnKind::Integer) => (n as i64).into(),
                            (Value::Number(n), _) => n.into(),
                            (Value::Text(t), _) => t.into(),
                        };
                        (column.name.clone(), value)
                    })
                    .collect();
                serde_json::Value::Object(object)
            })
            .collect();
        results.insert(query.name(), rows.into());
    }
    let names: Vec<String> = planned.iter().map(|p| p.name()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut model = pactum::model::Agreement::of(&scope);
    model.title = Some("Fixture agreement");
    let agreement = agreement_context(&model, &names);
    let context = minijinja::context! {
        agreement => agreement,
        results => results,
        generated_at => "2026-05-01T00:00:00Z",
        as_of => as_of.trim(),
        audience => Option::<()>::None,
    };
    let env = environment();
    let markdown_env = environment_for(Format::Md);
    let html = env
        .get_template("scorecard.html.j2")
        .unwrap()
        .render(&context)
        .unwrap_or_else(|e| panic!("{dir}: HTML: {e:#}"));
    let markdown = markdown_env
        .get_template("scorecard.md.j2")
        .unwrap()
        .render(&context)
        .unwrap_or_else(|e| panic!("{dir}: Markdown: {e:#}"));
    (html, markdown)
}

#[test]
fn scorecard_fixture_renders() {
    let (html, markdown) = render("tests/sql/scorecard");
    for section in [
        "Scorecard: Partner scorecard",
        "Targets",
        "Attribution: Last touch",
        "Incentive: Alpha revenue share",
        "suppressed",
        "<svg",
    ] {
        assert!(html.contains(section), "HTML lacks {section:?}");
    }
    // Self-contained: no script, stylesheet link or remote image.
    for outside in ["<script", "<link", "src=\"http", "url(http"] {
        assert!(!html.contains(outside), "HTML loads {outside}");
    }
    // The alpha_share payout of March 2026 is capped at 18 (hand-computed in
    // tests/sql/scorecard/README.md).
    assert!(
        markdown.contains("| 2026-03-01 | alpha | payout | – |  | **18** |"),
        "{markdown}"
    );
    insta::assert_snapshot!("scorecard_fixture_markdown", markdown);
}

#[test]
fn pilot_funnel_and_audit_fixtures_render() {
    let (_, pilots) = render("tests/sql/pilots");
    assert!(
        pilots.contains("## Pilot: Winter trial nurture"),
        "{pilots}"
    );
    assert!(pilots.contains("inconclusive"));
    let (html, funnel) = render("tests/sql/funnel");
    assert!(funnel.contains("## Funnel"));
    assert!(funnel.contains("## Retention"));
    assert!(funnel.contains("immature"));
    assert!(html.contains("Retention curves per cohort"));
    let (_, audits) = render("tests/sql/audits");
    assert!(audits.contains("## Data quality"));
    assert!(audits.contains("| web_events | drift |"), "{audits}");
}

/// `pactum compile` writes the templates and `agreement.json` beside each
/// agreement's SQL, and every query the context names is in the manifest.
#[test]
fn compile_writes_the_report_folder() {
    let out = std::env::temp_dir().join(format!("pactum-report-{}", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(["compile", "specs/", "--dialect", "postgres", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    for agreement in [
        "acme_referral",
        "channel_resellers",
        "marketplace_integration",
    ] {
        let folder = out.join(agreement);
        let read = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
        assert_eq!(read("report/scorecard.html.j2"), HTML_TEMPLATE);
        assert_eq!(read("report/scorecard.md.j2"), MARKDOWN_TEMPLATE);
        let context: serde_json::Value =
            serde_json::from_str(&read("report/agreement.json")).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
        let queries: BTreeSet<&str> = manifest["queries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["name"].as_str().unwrap())
            .collect();
        let mut named = Vec::new();
        for key in ["funnel", "targets", "audits"] {
            named.extend(context[key].as_str());
        }
        for key in [
            "scorecards",
            "attributions",
            "cohorts",
            "pilots",
            "incentives",
        ] {
            for item in context[key].as_array().unwrap() {
                named.extend(item["query"].as_str());
            }
        }
        assert!(named.len() >= 6, "{agreement}: {named:?}");
        for query in named {
            assert!(
                queries.contains(query),
                "{agreement}: {query} is not in the manifest"
            );
        }
    }
    std::fs::remove_dir_all(&out).unwrap();
}

/// Amendments are listed with the version they bring in and each party's
/// approval, with its date when there is one.
#[test]
fn amendments_show_their_version_and_dated_approvals() {
    let dir = common::scratch("report_amendments");
    for entry in std::fs::read_dir("tests/sql/scorecard").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    let spec = std::fs::read_to_string(dir.join("agreement.pactum")).unwrap();
    let end = spec.rfind("}\n").unwrap();
    std::fs::write(
        dir.join("agreement.pactum"),
        format!(
            "{}\n  amendment 2026-03-01 \"Beta bounty raised\" {{\n    version 1\n    approved by north on 2026-02-20, alpha on 2026-02-24, beta\n  }}\n}}\n",
            &spec[..end]
        ),
    )
    .unwrap();
    let (html, markdown) = render(dir.to_str().unwrap());
    let line = "Amended 2026-03-01: Beta bounty raised (version 1), approved by north on 2026-02-20, alpha on 2026-02-24, beta";
    assert!(markdown.contains(&format!("- {line}\n")), "{markdown}");
    assert!(html.contains(&format!("<li>{line}</li>")), "{html}");
}
