//! Every attribution model, run on SQLite, PostgreSQL and DuckDB against the
//! fixture in `tests/sql/attribution/` (see its README): each engine's
//! credits must equal the hand-checked `expected.csv` to 1e-9 relative.

mod engines;

use std::collections::BTreeMap;
use std::path::Path;

use engines::{Engine, Spec, close, read_csv};
use pactum::sql::plan::Options;
use pactum::sql::render::Renderer;

const DIR: &str = "tests/sql/attribution";

type Credits = BTreeMap<(String, String, String), (f64, f64)>;

fn expected() -> Credits {
    let (header, rows) =
        read_csv(&std::fs::read_to_string(Path::new(DIR).join("expected.csv")).unwrap());
    assert_eq!(
        header,
        [
            "attribution",
            "conversion_id",
            "partner",
            "credit",
            "credited_value"
        ]
    );
    rows.into_iter()
        .map(|r| {
            let cell = |i: usize| r[i].clone().unwrap_or_default();
            (
                (cell(0), cell(1), cell(2)),
                (cell(3).parse().unwrap(), cell(4).parse().unwrap()),
            )
        })
        .collect()
}

fn run(engine: &mut dyn Engine) -> Credits {
    let spec = Spec::load(&Path::new(DIR).join("agreement.pactum"));
    let scope = spec.scope();
    let options = Options::default();
    engine.load(&scope, Path::new(DIR), &options);
    let mut credits = Credits::new();
    let agreement = pactum::model::Agreement::of(&scope);
    for attribution in &agreement.attributions {
        let [per_conversion, _] =
            pactum::sql::plan::attribution::plan(&agreement, attribution, &options).unwrap();
        let sql = Renderer::new(engine.dialect()).query(&per_conversion.query);
        for row in engine.query(&sql) {
            // conversion_event, conversion_id, customer_id, converted_at,
            // conversion_value, partner, credit, credited_value
            let key = (
                attribution.named.name.to_string(),
                row[1].text(),
                row[5].text(),
            );
            let previous = credits.insert(key.clone(), (row[6].number(), row[7].number()));
            assert!(
                previous.is_none(),
                "{}: duplicate row {key:?}",
                engine.name()
            );
        }
    }
    credits
}

fn compare(engine: &str, actual: &Credits, expected: &Credits) {
    let mut problems = Vec::new();
    for (key, (credit, value)) in expected {
        match actual.get(key) {
            None => problems.push(format!("missing {key:?} (expected credit {credit})")),
            Some((c, v)) if !close(*c, *credit) || !close(*v, *value) => problems.push(format!(
                "{key:?}: credit {c} value {v}, expected {credit} and {value}"
            )),
            Some(_) => {}
        }
    }
    for key in actual.keys() {
        if !expected.contains_key(key) {
            problems.push(format!("unexpected {key:?} = {:?}", actual[key]));
        }
    }
    assert!(
        problems.is_empty(),
        "{engine}: {} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn sqlite_matches_the_hand_checked_credits() {
    compare("sqlite", &run(&mut engines::Sqlite::new()), &expected());
}

#[test]
fn postgres_matches_the_hand_checked_credits() {
    compare(
        "postgres",
        &run(&mut engines::Postgres::new("attribution")),
        &expected(),
    );
}

#[test]
fn duckdb_matches_the_hand_checked_credits() {
    compare(
        "duckdb",
        &run(&mut engines::DuckDb::new("attribution")),
        &expected(),
    );
}

#[test]
fn snowflake_stand_in_matches_the_hand_checked_credits() {
    compare(
        "snowflake",
        &run(&mut engines::PythonEngine::snowflake()),
        &expected(),
    );
}

#[test]
fn bigquery_stand_in_matches_the_hand_checked_credits() {
    compare(
        "bigquery",
        &run(&mut engines::PythonEngine::bigquery()),
        &expected(),
    );
}

#[test]
fn spark_matches_the_hand_checked_credits() {
    compare(
        "spark",
        &run(&mut engines::PythonEngine::spark()),
        &expected(),
    );
}

#[test]
fn credits_of_every_conversion_add_up_to_one() {
    let credits = run(&mut engines::Sqlite::new());
    let mut totals: BTreeMap<(String, String), f64> = BTreeMap::new();
    for ((attribution, conversion, _), (credit, _)) in &credits {
        *totals
            .entry((attribution.clone(), conversion.clone()))
            .or_default() += credit;
    }
    for (key, total) in totals {
        assert!(close(total, 1.0), "{key:?} adds up to {total}");
    }
}
