//! Metric queries on SQLite, PostgreSQL, DuckDB and the Snowflake and
//! BigQuery stand-ins against the fixtures in `tests/sql/metrics/` (aggregates, percentiles, time to value) and
//! `tests/sql/cohorts/` (conversion, up-sell and retention rates) and
//! `tests/sql/churn/` (churn over complete periods, simple CLV) and
//! `tests/sql/partners/` (metrics split per partner) and `tests/sql/zones/`
//! (the same events as local times and as instants, around daylight saving
//! changes in New York); see their
//! READMEs. Per period, overall and per segment value, each engine's values
//! and customer counts must equal the independently computed `expected.csv`
//! (values to 1e-9 relative).

mod engines;

use std::collections::BTreeMap;
use std::path::Path;

use engines::{Engine, Spec, Value, close, read_csv};
use pactum::sql::plan::Options;
use pactum::sql::render::Renderer;

const METRICS: &str = "tests/sql/metrics";
const COHORTS: &str = "tests/sql/cohorts";
const CHURN: &str = "tests/sql/churn";
const PARTNERS: &str = "tests/sql/partners";
const ZONES: &str = "tests/sql/zones";

/// The zone fixtures' two folders (local times, instants) on one engine
/// each: both give the same expected figures.
fn zones(engine: &mut dyn FnMut() -> Box<dyn Engine>) {
    let expected = expected(ZONES);
    for stored in ["local", "instants"] {
        let mut engine = engine();
        let name = format!("{} ({stored})", engine.name());
        compare(
            &name,
            &run(&format!("{ZONES}/{stored}"), engine.as_mut()),
            &expected,
        );
    }
}

#[test]
fn sqlite_takes_days_and_months_in_the_agreements_zone() {
    zones(&mut || Box::new(engines::Sqlite::new()));
}

#[test]
fn postgres_takes_days_and_months_in_the_agreements_zone() {
    zones(&mut || Box::new(engines::Postgres::new("zones")));
}

#[test]
fn duckdb_takes_days_and_months_in_the_agreements_zone() {
    zones(&mut || Box::new(engines::DuckDb::new("zones")));
}

#[test]
fn snowflake_stand_in_takes_days_and_months_in_the_agreements_zone() {
    zones(&mut || Box::new(engines::PythonEngine::snowflake()));
}

#[test]
fn bigquery_stand_in_takes_days_and_months_in_the_agreements_zone() {
    zones(&mut || Box::new(engines::PythonEngine::bigquery()));
}

#[test]
fn spark_takes_days_and_months_in_the_agreements_zone() {
    zones(&mut || Box::new(engines::PythonEngine::spark()));
}

/// (metric, period_start, segment, segment_value) -> (value, customers)
type Figures = BTreeMap<(String, String, String, String), (Option<f64>, i64)>;

fn expected(dir: &str) -> Figures {
    let (header, rows) =
        read_csv(&std::fs::read_to_string(Path::new(dir).join("expected.csv")).unwrap());
    assert_eq!(
        header,
        [
            "metric",
            "period_start",
            "segment",
            "segment_value",
            "value",
            "customers"
        ]
    );
    rows.into_iter()
        .map(|r| {
            let cell = |i: usize| r[i].clone().unwrap_or_default();
            (
                (cell(0), cell(1), cell(2), cell(3)),
                (
                    r[4].as_ref().map(|v| v.parse().unwrap()),
                    cell(5).parse().unwrap(),
                ),
            )
        })
        .collect()
}

fn run(dir: &str, engine: &mut dyn Engine) -> Figures {
    let spec = Spec::load(&Path::new(dir).join("agreement.pactum"));
    let scope = spec.scope();
    let options = Options::default();
    engine.load(&scope, Path::new(dir), &options);
    let mut figures = Figures::new();
    let agreement = pactum::model::Agreement::of(&scope);
    for metric in &agreement.metrics {
        let name = metric.named.name;
        let planned = pactum::sql::plan::metrics::plan(&agreement, metric, &options)
            .unwrap_or_else(|why| panic!("metric {name} not planned: {why}"));
        let sql = Renderer::new(engine.dialect()).query(&planned.query);
        for row in engine.query(&sql) {
            let key = (
                name.to_string(),
                row[0].text(),
                row[1].text(),
                row[2].text(),
            );
            let value = match &row[3] {
                Value::Null => None,
                v => Some(v.number()),
            };
            let previous = figures.insert(key.clone(), (value, row[4].number() as i64));
            assert!(
                previous.is_none(),
                "{}: duplicate row {key:?}",
                engine.name()
            );
        }
    }
    figures
}

fn compare(engine: &str, actual: &Figures, expected: &Figures) {
    let mut problems = Vec::new();
    for (key, (value, customers)) in expected {
        match actual.get(key) {
            None => problems.push(format!("missing {key:?}")),
            Some((v, c)) => {
                let same = match (v, value) {
                    (None, None) => true,
                    (Some(a), Some(b)) => close(*a, *b),
                    _ => false,
                };
                if !same || c != customers {
                    problems.push(format!(
                        "{key:?}: {v:?} from {c} customers, expected {value:?} from {customers}"
                    ));
                }
            }
        }
    }
    for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
        problems.push(format!("unexpected {key:?} = {:?}", actual[key]));
    }
    assert!(
        problems.is_empty(),
        "{engine}: {} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn sqlite_matches_the_expected_figures() {
    compare(
        "sqlite",
        &run(METRICS, &mut engines::Sqlite::new()),
        &expected(METRICS),
    );
}

#[test]
fn postgres_matches_the_expected_figures() {
    compare(
        "postgres",
        &run(METRICS, &mut engines::Postgres::new("metrics")),
        &expected(METRICS),
    );
}

#[test]
fn duckdb_matches_the_expected_figures() {
    compare(
        "duckdb",
        &run(METRICS, &mut engines::DuckDb::new("metrics")),
        &expected(METRICS),
    );
}

#[test]
fn snowflake_stand_in_matches_the_expected_figures() {
    compare(
        "snowflake",
        &run(METRICS, &mut engines::PythonEngine::snowflake()),
        &expected(METRICS),
    );
}

#[test]
fn bigquery_stand_in_matches_the_expected_figures() {
    compare(
        "bigquery",
        &run(METRICS, &mut engines::PythonEngine::bigquery()),
        &expected(METRICS),
    );
}

#[test]
fn spark_matches_the_expected_figures() {
    compare(
        "spark",
        &run(METRICS, &mut engines::PythonEngine::spark()),
        &expected(METRICS),
    );
}

#[test]
fn sqlite_matches_the_expected_rates() {
    compare(
        "sqlite",
        &run(COHORTS, &mut engines::Sqlite::new()),
        &expected(COHORTS),
    );
}

#[test]
fn postgres_matches_the_expected_rates() {
    compare(
        "postgres",
        &run(COHORTS, &mut engines::Postgres::new("cohorts")),
        &expected(COHORTS),
    );
}

#[test]
fn duckdb_matches_the_expected_rates() {
    compare(
        "duckdb",
        &run(COHORTS, &mut engines::DuckDb::new("cohorts")),
        &expected(COHORTS),
    );
}

#[test]
fn snowflake_stand_in_matches_the_expected_rates() {
    compare(
        "snowflake",
        &run(COHORTS, &mut engines::PythonEngine::snowflake()),
        &expected(COHORTS),
    );
}

#[test]
fn bigquery_stand_in_matches_the_expected_rates() {
    compare(
        "bigquery",
        &run(COHORTS, &mut engines::PythonEngine::bigquery()),
        &expected(COHORTS),
    );
}

#[test]
fn spark_matches_the_expected_rates() {
    compare(
        "spark",
        &run(COHORTS, &mut engines::PythonEngine::spark()),
        &expected(COHORTS),
    );
}

#[test]
fn sqlite_matches_the_expected_churn() {
    compare(
        "sqlite",
        &run(CHURN, &mut engines::Sqlite::new()),
        &expected(CHURN),
    );
}

#[test]
fn postgres_matches_the_expected_churn() {
    compare(
        "postgres",
        &run(CHURN, &mut engines::Postgres::new("churn")),
        &expected(CHURN),
    );
}

#[test]
fn duckdb_matches_the_expected_churn() {
    compare(
        "duckdb",
        &run(CHURN, &mut engines::DuckDb::new("churn")),
        &expected(CHURN),
    );
}

#[test]
fn snowflake_stand_in_matches_the_expected_churn() {
    compare(
        "snowflake",
        &run(CHURN, &mut engines::PythonEngine::snowflake()),
        &expected(CHURN),
    );
}

#[test]
fn bigquery_stand_in_matches_the_expected_churn() {
    compare(
        "bigquery",
        &run(CHURN, &mut engines::PythonEngine::bigquery()),
        &expected(CHURN),
    );
}

#[test]
fn spark_matches_the_expected_churn() {
    compare(
        "spark",
        &run(CHURN, &mut engines::PythonEngine::spark()),
        &expected(CHURN),
    );
}

#[test]
fn sqlite_matches_the_expected_partner_split() {
    compare(
        "sqlite",
        &run(PARTNERS, &mut engines::Sqlite::new()),
        &expected(PARTNERS),
    );
}

#[test]
fn postgres_matches_the_expected_partner_split() {
    compare(
        "postgres",
        &run(PARTNERS, &mut engines::Postgres::new("partners")),
        &expected(PARTNERS),
    );
}

#[test]
fn duckdb_matches_the_expected_partner_split() {
    compare(
        "duckdb",
        &run(PARTNERS, &mut engines::DuckDb::new("partners")),
        &expected(PARTNERS),
    );
}

#[test]
fn snowflake_stand_in_matches_the_expected_partner_split() {
    compare(
        "snowflake",
        &run(PARTNERS, &mut engines::PythonEngine::snowflake()),
        &expected(PARTNERS),
    );
}

#[test]
fn bigquery_stand_in_matches_the_expected_partner_split() {
    compare(
        "bigquery",
        &run(PARTNERS, &mut engines::PythonEngine::bigquery()),
        &expected(PARTNERS),
    );
}

#[test]
fn spark_matches_the_expected_partner_split() {
    compare(
        "spark",
        &run(PARTNERS, &mut engines::PythonEngine::spark()),
        &expected(PARTNERS),
    );
}

/// The last day of the month that starts on `first` (`YYYY-MM-01`).
fn month_end(first: &str) -> String {
    let year: i32 = first[0..4].parse().unwrap();
    let month: u32 = first[5..7].parse().unwrap();
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{}-{days:02}", &first[0..7])
}

/// A metric over a window of one whole month reads that month's rows, so
/// its overall figure is the month's: the window is narrowed early (first
/// times, rows) without changing a number. Every metric of the metric,
/// rate and churn fixtures, every month they have.
#[test]
fn a_window_of_one_month_gives_that_months_overall_figure() {
    use pactum::sql::plan::Window;
    use pactum::sql::tree::Expr;
    for dir in [METRICS, COHORTS, CHURN] {
        let mut engine = engines::Sqlite::new();
        let monthly = run(dir, &mut engine);
        let spec = Spec::load(&Path::new(dir).join("agreement.pactum"));
        let scope = spec.scope();
        let agreement = pactum::model::Agreement::of(&scope);
        let mut checked = 0;
        for ((name, month, segment, _), (value, customers)) in &monthly {
            if segment != "all" {
                continue;
            }
            let Some(metric) = agreement.metric(name) else {
                panic!("{name} is not a metric")
            };
            let options = Options {
                window: Some(Window {
                    start: Expr::Date(month.clone()),
                    end: Expr::Date(month_end(month)),
                }),
                overall_only: true,
                ..Options::default()
            };
            let planned = pactum::sql::plan::metrics::plan(&agreement, metric, &options).unwrap();
            let sql = Renderer::new(engine.dialect()).query(&planned.query);
            let rows = engine.query(&sql);
            assert_eq!(rows.len(), 1, "{dir} {name} {month}: {} rows", rows.len());
            let windowed = match &rows[0][3] {
                Value::Null => None,
                v => Some(v.number()),
            };
            let same = match (windowed, value) {
                (None, None) => true,
                (Some(a), Some(b)) => close(a, *b),
                _ => false,
            };
            assert!(
                same && rows[0][4].number() as i64 == *customers,
                "{dir} {name} {month}: window gives {windowed:?} from {} customers, the month {value:?} from {customers}",
                rows[0][4].number()
            );
            checked += 1;
        }
        assert!(checked >= 10, "{dir}: only {checked} figures checked");
    }
}
