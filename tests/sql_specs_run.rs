//! Every query of every example agreement in `specs/` runs on SQLite,
//! PostgreSQL, DuckDB and the Snowflake and BigQuery stand-ins, over
//! synthetic rows that match the agreements' event filters. This proves the
//! SQL is accepted and evaluates without error on each engine (types,
//! functions, window frames); the numbers
//! themselves are proven by the fixtures in `tests/sql/`.

mod engines;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use engines::Engine;
use pactum::check::scope::{Decl, Kind, Scope};
use pactum::check::workspace::Workspace;
use pactum::model::Source;
use pactum::sql::load::columns;
use pactum::sql::plan::{Options, table_path};
use pactum::sql::render::Renderer;
use pactum::syntax::ast::{ColumnType, Condition, Literal};

fn specs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("specs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pactum"))
        .collect();
    files.sort();
    files
}

/// String values the agreement's event filters compare each column with,
/// so that synthetic rows fall into events.
fn filter_values(scope: &Scope<'_>) -> BTreeMap<String, Vec<String>> {
    fn walk(c: &Condition, out: &mut BTreeMap<String, Vec<String>>) {
        let mut add = |column: &str, value: &Literal| {
            if let Literal::String(s) = value {
                out.entry(column.to_string())
                    .or_default()
                    .push(s.value.clone());
            }
        };
        match c {
            Condition::Or { operands, .. } | Condition::And { operands, .. } => {
                operands.iter().for_each(|o| walk(o, out))
            }
            Condition::Not { operand, .. } => walk(operand, out),
            Condition::Compare { column, value, .. } => {
                add(&column.segments.last().unwrap().name, value)
            }
            Condition::In { column, values, .. } => {
                for v in values {
                    add(&column.segments.last().unwrap().name, v);
                }
            }
            Condition::IsNull { .. } => {}
        }
    }
    let mut out = BTreeMap::new();
    for decl in scope.of_kind(Kind::Event) {
        if let Decl::Event(event) = decl
            && let Some(filter) = &event.filter
        {
            walk(filter, &mut out);
        }
    }
    for values in out.values_mut() {
        values.sort();
        values.dedup();
    }
    out
}

/// 60 deterministic rows per source: 9 customers, times from October 2025
/// to June 2026, text columns cycling through the filters' values.
fn write_csvs(scope: &Scope<'_>, dir: &Path) {
    let values = filter_values(scope);
    let agreement = pactum::model::Agreement::of(scope);
    for source in &agreement.sources {
        let cols = columns(source);
        let mut text = cols
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(",");
        text.push('\n');
        for i in 0..60u32 {
            let cells: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(k, (name, ty))| cell(source, name, *ty, i, k, &values))
                .collect();
            writeln!(text, "{}", cells.join(",")).unwrap();
        }
        std::fs::write(dir.join(format!("{}.csv", source.name())), text).unwrap();
    }
}

fn cell(
    source: &Source<'_>,
    name: &str,
    ty: ColumnType,
    i: u32,
    k: usize,
    values: &BTreeMap<String, Vec<String>>,
) -> String {
    let physical = |role: &str| source.physical(role);
    if Some(name) == physical("customer") {
        return format!("c{}", (i * 7 + k as u32) % 9);
    }
    if Some(name) == physical("id") {
        return format!("r{}", i % 57);
    }
    match ty {
        ColumnType::Timestamp | ColumnType::Instant => {
            let day = (i * 41 + k as u32 * 3) % 270;
            let (y, m, d) = civil(20362 + day as i64); // 2025-10-01
            let offset = if ty == ColumnType::Instant { "Z" } else { "" };
            format!(
                "{y:04}-{m:02}-{d:02} {:02}:{:02}:00{offset}",
                (i * 5) % 24,
                (i * 13) % 60
            )
        }
        ColumnType::Date => "2026-01-15".to_string(),
        ColumnType::Number | ColumnType::Money => format!("{}", (i * 37 + k as u32) % 11),
        ColumnType::Boolean => if i.is_multiple_of(2) { "true" } else { "false" }.to_string(),
        ColumnType::Text => match values.get(name) {
            Some(list) if i % 7 != 6 => list[(i as usize) % list.len()].clone(),
            _ if i % 5 == 4 => String::new(),
            _ => format!("v{}", i % 3),
        },
    }
}

/// Year, month, day of a day number (days since 1970-01-01).
fn civil(days: i64) -> (i64, i64, i64) {
    pactum::check::dates::civil_from_days(days)
}

fn run_all(make: &dyn Fn() -> Box<dyn Engine>, label: &str) {
    for spec in specs() {
        // A fresh engine per agreement (SQLite attaches at most 10 schemas).
        let mut engine = make();
        let ws = Workspace::load(std::slice::from_ref(&spec), Path::new("specs")).unwrap();
        let index = ws.agreements()[0];
        let scope = ws.scope(index);
        // Each agreement gets its own schemas: table names are qualified.
        let dir = std::env::temp_dir().join(format!(
            "pactum-specs-run-{label}-{}-{}",
            scope.name.name,
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        write_csvs(&scope, &dir);
        let options = Options {
            table_prefix: format!("{}_", scope.name.name),
            ..Options::default()
        };
        let agreement = pactum::model::Agreement::of(&scope);
        let mut schemas: Vec<String> = agreement
            .sources
            .iter()
            .filter_map(|source| {
                let path = table_path(source, &options);
                (path.len() == 2).then(|| path[0].clone())
            })
            .collect();
        schemas.sort();
        schemas.dedup();
        for schema in schemas {
            let schema = engine.dialect().source_name(&schema);
            if engine.name() == "sqlite" {
                engine.query(&format!("ATTACH DATABASE ':memory:' AS {schema}"));
            } else {
                // One statement at a time: Spark runs one per call.
                engine.query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                engine.query(&format!("CREATE SCHEMA {schema}"));
            }
        }
        engine.load(&scope, &dir, &options);
        for as_of in [Some("2026-03-31"), None] {
            let options = Options {
                as_of: as_of.map(|d| d.parse().unwrap()),
                ..options.clone()
            };
            let plan = pactum::sql::plan_agreement(&scope, &options);
            assert!(plan.queries.len() > 10);
            for query in &plan.queries {
                let sql = Renderer::new(engine.dialect()).query(&query.query);
                let rows = engine.query(&sql);
                for row in &rows {
                    assert_eq!(
                        row.len(),
                        query.columns.len(),
                        "{}: {} returns other columns than its manifest",
                        engine.name(),
                        query.name()
                    );
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn every_query_of_the_specs_runs_on_sqlite() {
    run_all(&|| Box::new(engines::Sqlite::new()), "sqlite");
}

#[test]
fn every_query_of_the_specs_runs_on_postgres() {
    run_all(
        &|| Box::new(engines::Postgres::new("specs_run")),
        "postgres",
    );
}

#[test]
fn every_query_of_the_specs_runs_on_duckdb() {
    run_all(&|| Box::new(engines::DuckDb::new("specs_run")), "duckdb");
}

#[test]
fn every_query_of_the_specs_runs_on_snowflake_stand_in() {
    run_all(
        &|| Box::new(engines::PythonEngine::snowflake()),
        "snowflake",
    );
}

#[test]
fn every_query_of_the_specs_runs_on_bigquery_stand_in() {
    run_all(&|| Box::new(engines::PythonEngine::bigquery()), "bigquery");
}

#[test]
fn every_query_of_the_specs_runs_on_spark() {
    run_all(&|| Box::new(engines::PythonEngine::spark()), "spark");
}
