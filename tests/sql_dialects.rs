//! Every query of the example agreements, in every dialect: parsed by
//! `sqlparser` with the matching dialect (BigQuery, Snowflake and Spark have
//! no engine in the tests, so this is their proof of well-formed SQL), and
//! snapshot-tested, one snapshot per dialect and agreement.

use std::path::PathBuf;

use pactum::check::scope::Scope;
use pactum::check::workspace::Workspace;
use pactum::sql::compile::{Header, render};
use pactum::sql::dialect;
use pactum::sql::plan::Options;
use pactum::syntax::ast::{File, Root};
use sqlparser::dialect::{
    BigQueryDialect, DatabricksDialect, Dialect as ParserDialect, DuckDbDialect, PostgreSqlDialect,
    SQLiteDialect, SnowflakeDialect,
};
use sqlparser::parser::Parser;

fn parser_dialect(name: &str) -> Box<dyn ParserDialect> {
    match name {
        "bigquery" => Box::new(BigQueryDialect {}),
        "snowflake" => Box::new(SnowflakeDialect {}),
        "spark" => Box::new(DatabricksDialect {}),
        "postgres" => Box::new(PostgreSqlDialect {}),
        "duckdb" => Box::new(DuckDbDialect {}),
        "sqlite" => Box::new(SQLiteDialect {}),
        other => panic!("no parser dialect for {other}"),
    }
}

/// One agreement compiled for one dialect: (agreement, dialect, queries as
/// (name, SQL)).
type Compiled = (String, String, Vec<(String, String)>);

/// Every spec in every dialect.
fn compiled() -> Vec<Compiled> {
    let files: Vec<PathBuf> = [
        "acme_referral",
        "channel_resellers",
        "marketplace_integration",
    ]
    .iter()
    .map(|n| PathBuf::from(format!("specs/{n}.pactum")))
    .collect();
    let ws = Workspace::load(&files, &files[0]).unwrap();
    let mut out = Vec::new();
    for (index, unit) in ws.units.iter().enumerate() {
        let Some(
            tree @ File {
                root: Root::Agreement(agreement),
                ..
            },
        ) = &unit.tree
        else {
            continue;
        };
        let imports: Vec<&File> = ws
            .imported_closure(index)
            .iter()
            .filter_map(|&u| ws.units[u].tree.as_ref())
            .collect();
        let mut diagnostics = Vec::new();
        let scope = Scope::build(tree, unit.file, &imports, &mut diagnostics);
        let options = Options::default();
        let planned = pactum::sql::plan_all(&scope, &options);
        let source_file = ws.sources.get(unit.file).name.clone();
        let header = Header {
            agreement: &agreement.name.name,
            version: Some(1),
            source_file: &source_file,
        };
        for d in dialect::all() {
            let queries = planned
                .iter()
                .map(|p| (p.name(), render(p, d, &header, &options)))
                .collect();
            out.push((agreement.name.name.clone(), d.name().to_string(), queries));
        }
    }
    out
}

#[test]
fn every_query_parses_in_its_dialect() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (agreement, dialect, queries) in compiled() {
        let parser = parser_dialect(&dialect);
        for (name, sql) in queries {
            count += 1;
            match Parser::parse_sql(parser.as_ref(), &sql) {
                Ok(statements) if statements.len() == 1 => {}
                Ok(statements) => failures.push(format!(
                    "{agreement}/{dialect}/{name}: {} statements",
                    statements.len()
                )),
                Err(e) => failures.push(format!("{agreement}/{dialect}/{name}: {e}")),
            }
        }
    }
    assert!(count > 100, "only {count} queries compiled");
    assert!(
        failures.is_empty(),
        "{} of {count} queries do not parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn queries_per_dialect_snapshot() {
    for (agreement, dialect, queries) in compiled() {
        let all: Vec<String> = queries.into_iter().map(|(_, sql)| sql).collect();
        insta::assert_snapshot!(format!("{agreement}__{dialect}"), all.join("\n"));
    }
}

#[test]
fn compiling_twice_gives_the_same_bytes() {
    assert_eq!(compiled(), compiled());
}
