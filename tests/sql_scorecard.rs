//! The scorecard queries (docs/scorecard.md) on SQLite, PostgreSQL and
//! DuckDB against hand-checked fixtures, each with an independent Python
//! implementation beside it:
//!
//! - `tests/sql/funnel/`: `funnel` (skipped stages, unattributed customers,
//!   a first-touch tie) and `cohorts_<metric>` (immature cells);
//! - `tests/sql/cohort_gaps/`: a retention matrix across an empty month;
//! - `tests/sql/scorecard/`: `scorecard_<name>` (every status, one
//!   suppressed cell, scaled targets), `targets`, `incentive_<name>` (a
//!   failing condition, a binding cap);
//! - `tests/sql/pilots/`: `pilot_<name>` (all four verdicts, every method);
//! - `tests/sql/audits/`: `audits` (every check firing once on one source,
//!   none on a clean one);
//! - `tests/sql/window/`: the agreement's window, `no data`, per-unit and
//!   difference-in-differences pilots, the minimum group, a target that
//!   restates a pilot.
//!
//! Every engine's rows must equal the expected file row by row, in order:
//! text exactly, numbers to 1e-9 relative, empty cells as NULL.

mod engines;

use std::path::Path;

use engines::{Engine, Value, close, read_csv};
use pactum::sql::plan::{Options, Planned};
use pactum::sql::render::Renderer;

/// A fixture: its agreement loaded into an engine, planned as of the date
/// in its `as_of` file.
struct Fixture {
    dir: &'static str,
    plan: Vec<Planned>,
}

impl Fixture {
    fn load(dir: &'static str, engine: &mut dyn Engine) -> Fixture {
        let spec = engines::Spec::load(&Path::new(dir).join("agreement.pactum"));
        let scope = spec.scope();
        let as_of = std::fs::read_to_string(Path::new(dir).join("as_of")).unwrap();
        let options = Options {
            as_of: Some(as_of.trim().parse().unwrap()),
            ..Options::default()
        };
        engine.load(&scope, Path::new(dir), &options);
        let plan = pactum::sql::plan_agreement(&scope, &options);
        assert!(
            plan.not_compiled.is_empty(),
            "{dir}: not compiled: {:?}",
            plan.not_compiled
        );
        Fixture {
            dir,
            plan: plan.queries,
        }
    }

    /// The rows of the queries whose names start with `prefix`, each row
    /// led by the query's name without the prefix when `label` is set.
    fn rows(&self, engine: &mut dyn Engine, prefix: &str, label: bool) -> Vec<Vec<Value>> {
        let mut all = Vec::new();
        // Expected files list several queries sorted by name.
        let mut queries: Vec<&Planned> = self
            .plan
            .iter()
            .filter(|q| q.name().starts_with(prefix))
            .collect();
        queries.sort_by_key(|q| q.name());
        assert!(!queries.is_empty(), "{}: no query {prefix}*", self.dir);
        for query in queries {
            let sql = Renderer::new(engine.dialect()).query(&query.query);
            for mut row in engine.query(&sql) {
                assert_eq!(row.len(), query.columns.len(), "{}", query.name());
                if label {
                    row.insert(0, Value::Text(query.name()[prefix.len()..].to_string()));
                }
                all.push(row);
            }
        }
        all
    }

    fn check(&self, engine: &mut dyn Engine, expected: &str, prefix: &str, label: bool) {
        let text = std::fs::read_to_string(Path::new(self.dir).join(expected)).unwrap();
        let (header, want) = read_csv(&text);
        let got = self.rows(engine, prefix, label);
        let mut problems = Vec::new();
        if let Some(row) = got.first()
            && row.len() != header.len()
        {
            problems.push(format!(
                "{} columns, expected {} ({})",
                row.len(),
                header.len(),
                header.join(",")
            ));
        }
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            for (k, (gc, wc)) in g.iter().zip(w).enumerate() {
                let same = match (gc, wc) {
                    (Value::Null, None) => true,
                    (Value::Null, Some(_)) | (_, None) => false,
                    (value, Some(w)) => match (w.parse::<f64>(), value) {
                        (Ok(w), Value::Number(n)) => close(*n, w),
                        (Ok(w), Value::Text(t)) => t.parse::<f64>().is_ok_and(|n| close(n, w)),
                        _ => value.text() == *w,
                    },
                };
                if !same {
                    problems.push(format!(
                        "row {} ({:?}): {} = {:?}, expected {:?}",
                        i + 1,
                        w.iter().take(4).collect::<Vec<_>>(),
                        header[k],
                        gc,
                        wc
                    ));
                }
            }
        }
        if got.len() != want.len() {
            problems.push(format!(
                "{} rows, expected {}; first extra: {:?}",
                got.len(),
                want.len(),
                got.get(want.len()).or(None)
            ));
        }
        assert!(
            problems.is_empty(),
            "{} {expected}: {} differences:\n{}",
            engine.name(),
            problems.len(),
            problems.join("\n")
        );
    }
}

fn funnel_and_cohorts(engine: &mut dyn Engine) {
    let fixture = Fixture::load("tests/sql/funnel", engine);
    fixture.check(engine, "expected_funnel.csv", "funnel", false);
    fixture.check(engine, "expected_cohorts.csv", "cohorts_", false);
}

/// A month with no activity and no new customer still has its cells.
fn cohorts_across_an_empty_month(engine: &mut dyn Engine) {
    let fixture = Fixture::load("tests/sql/cohort_gaps", engine);
    fixture.check(engine, "expected.csv", "cohorts_", false);
}

fn scorecard_targets_incentives(engine: &mut dyn Engine) {
    let fixture = Fixture::load("tests/sql/scorecard", engine);
    fixture.check(engine, "expected_scorecard.csv", "scorecard_", true);
    fixture.check(engine, "expected_targets.csv", "targets", false);
    fixture.check(engine, "expected_incentives.csv", "incentive_", true);
}

fn pilots(engine: &mut dyn Engine) {
    let fixture = Fixture::load("tests/sql/pilots", engine);
    fixture.check(engine, "expected.csv", "pilot_", true);
}

/// The agreement's window (payouts pro rata at its start and end, periods
/// outside it left out), `no data` verdicts and the audit that names them,
/// pilots whose groups differ in size (per unit, difference in
/// differences, the minimum group), a target restating a pilot, and an
/// event that happens once per customer.
fn window_and_groups(engine: &mut dyn Engine) {
    let fixture = Fixture::load("tests/sql/window", engine);
    fixture.check(engine, "expected_targets.csv", "targets", false);
    fixture.check(engine, "expected_pilots.csv", "pilot_", true);
    fixture.check(engine, "expected_incentives.csv", "incentive_", true);
    fixture.check(engine, "expected_scorecard.csv", "scorecard_", true);
    fixture.check(engine, "expected_audits.csv", "audits", false);
    fixture.check(engine, "expected_events.csv", "events_first_order", false);
    fixture.check(
        engine,
        "expected_first_orders.csv",
        "metric_first_orders",
        false,
    );
}

#[test]
fn window_and_groups_on_sqlite() {
    window_and_groups(&mut engines::Sqlite::new());
}

#[test]
fn window_and_groups_on_postgres() {
    window_and_groups(&mut engines::Postgres::new("window"));
}

#[test]
fn window_and_groups_on_duckdb() {
    window_and_groups(&mut engines::DuckDb::new("window"));
}

#[test]
fn window_and_groups_on_snowflake_stand_in() {
    window_and_groups(&mut engines::PythonEngine::snowflake());
}

#[test]
fn window_and_groups_on_bigquery_stand_in() {
    window_and_groups(&mut engines::PythonEngine::bigquery());
}

#[test]
fn window_and_groups_on_spark() {
    window_and_groups(&mut engines::PythonEngine::spark());
}

fn audits(engine: &mut dyn Engine) {
    let fixture = Fixture::load("tests/sql/audits", engine);
    fixture.check(engine, "expected.csv", "audits", false);
}

#[test]
fn funnel_and_cohorts_on_sqlite() {
    funnel_and_cohorts(&mut engines::Sqlite::new());
}

#[test]
fn funnel_and_cohorts_on_postgres() {
    funnel_and_cohorts(&mut engines::Postgres::new("funnel"));
}

#[test]
fn funnel_and_cohorts_on_duckdb() {
    funnel_and_cohorts(&mut engines::DuckDb::new("funnel"));
}

#[test]
fn funnel_and_cohorts_on_snowflake_stand_in() {
    funnel_and_cohorts(&mut engines::PythonEngine::snowflake());
}

#[test]
fn funnel_and_cohorts_on_bigquery_stand_in() {
    funnel_and_cohorts(&mut engines::PythonEngine::bigquery());
}

#[test]
fn funnel_and_cohorts_on_spark() {
    funnel_and_cohorts(&mut engines::PythonEngine::spark());
}

#[test]
fn cohorts_across_an_empty_month_on_sqlite() {
    cohorts_across_an_empty_month(&mut engines::Sqlite::new());
}

#[test]
fn cohorts_across_an_empty_month_on_postgres() {
    cohorts_across_an_empty_month(&mut engines::Postgres::new("cohort_gaps"));
}

#[test]
fn cohorts_across_an_empty_month_on_duckdb() {
    cohorts_across_an_empty_month(&mut engines::DuckDb::new("cohort_gaps"));
}

#[test]
fn cohorts_across_an_empty_month_on_snowflake_stand_in() {
    cohorts_across_an_empty_month(&mut engines::PythonEngine::snowflake());
}

#[test]
fn cohorts_across_an_empty_month_on_bigquery_stand_in() {
    cohorts_across_an_empty_month(&mut engines::PythonEngine::bigquery());
}

#[test]
fn cohorts_across_an_empty_month_on_spark() {
    cohorts_across_an_empty_month(&mut engines::PythonEngine::spark());
}

#[test]
fn scorecard_targets_and_incentives_on_sqlite() {
    scorecard_targets_incentives(&mut engines::Sqlite::new());
}

#[test]
fn scorecard_targets_and_incentives_on_postgres() {
    scorecard_targets_incentives(&mut engines::Postgres::new("scorecard"));
}

#[test]
fn scorecard_targets_and_incentives_on_duckdb() {
    scorecard_targets_incentives(&mut engines::DuckDb::new("scorecard"));
}

#[test]
fn scorecard_targets_and_incentives_on_snowflake_stand_in() {
    scorecard_targets_incentives(&mut engines::PythonEngine::snowflake());
}

#[test]
fn scorecard_targets_and_incentives_on_bigquery_stand_in() {
    scorecard_targets_incentives(&mut engines::PythonEngine::bigquery());
}

#[test]
fn scorecard_targets_and_incentives_on_spark() {
    scorecard_targets_incentives(&mut engines::PythonEngine::spark());
}

#[test]
fn pilots_on_sqlite() {
    pilots(&mut engines::Sqlite::new());
}

#[test]
fn pilots_on_postgres() {
    pilots(&mut engines::Postgres::new("pilots"));
}

#[test]
fn pilots_on_duckdb() {
    pilots(&mut engines::DuckDb::new("pilots"));
}

#[test]
fn pilots_on_snowflake_stand_in() {
    pilots(&mut engines::PythonEngine::snowflake());
}

#[test]
fn pilots_on_bigquery_stand_in() {
    pilots(&mut engines::PythonEngine::bigquery());
}

#[test]
fn pilots_on_spark() {
    pilots(&mut engines::PythonEngine::spark());
}

#[test]
fn audits_on_sqlite() {
    audits(&mut engines::Sqlite::new());
}

#[test]
fn audits_on_postgres() {
    audits(&mut engines::Postgres::new("audits"));
}

#[test]
fn audits_on_duckdb() {
    audits(&mut engines::DuckDb::new("audits"));
}

#[test]
fn audits_on_snowflake_stand_in() {
    audits(&mut engines::PythonEngine::snowflake());
}

#[test]
fn audits_on_bigquery_stand_in() {
    audits(&mut engines::PythonEngine::bigquery());
}

#[test]
fn audits_on_spark() {
    audits(&mut engines::PythonEngine::spark());
}
