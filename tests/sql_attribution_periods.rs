//! The per-period attribution query (`attribution_<name>_by_partner`) for
//! each reporting period and with an `as of` date, on SQLite, PostgreSQL and
//! DuckDB: its attributed conversions and value per period and partner must
//! be the hand-checked per-conversion credits of `tests/sql/attribution/`
//! summed by the period of each conversion (conversions after the `as of`
//! day left out); per month, its assisted conversions must be those of
//! `assisted.csv` (from `compute_assisted.py`, an independent count).

mod engines;

use std::collections::BTreeMap;
use std::path::Path;

use engines::{Engine, Spec, close, read_csv};
use pactum::check::dates;
use pactum::sql::plan::Options;
use pactum::sql::render::Renderer;
use pactum::sql::tree::Period;

const DIR: &str = "tests/sql/attribution";

/// (attribution, period_start, partner) -> (conversions, value)
type Sums = BTreeMap<(String, String, String), (f64, f64)>;

/// The first day of the period holding a `YYYY-MM-DD ...` timestamp.
fn period_start(timestamp: &str, period: Period) -> String {
    let day = dates::parse(&timestamp[..10]).expect("a date");
    let (y, m, _) = dates::civil_from_days(day);
    match period {
        Period::Day => dates::show(day),
        // 1970-01-01 was a Thursday: Monday is 3 days earlier.
        Period::Week => dates::show(day - (day + 3).rem_euclid(7)),
        Period::Month => format!("{y:04}-{m:02}-01"),
        Period::Quarter => format!("{y:04}-{:02}-01", (m - 1) / 3 * 3 + 1),
        Period::Year => format!("{y:04}-01-01"),
    }
}

fn expected(period: Period, as_of: Option<&str>) -> Sums {
    let (_, orders) =
        read_csv(&std::fs::read_to_string(Path::new(DIR).join("orders.csv")).unwrap());
    let when: BTreeMap<String, String> = orders
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[2].clone().unwrap()))
        .collect();
    let (_, credits) =
        read_csv(&std::fs::read_to_string(Path::new(DIR).join("expected.csv")).unwrap());
    let mut sums = Sums::new();
    for row in credits {
        let cell = |i: usize| row[i].clone().unwrap_or_default();
        let at = &when[&cell(1)];
        if let Some(as_of) = as_of
            && &at[..10] > as_of
        {
            continue;
        }
        let entry = sums
            .entry((cell(0), period_start(at, period), cell(2)))
            .or_insert((0.0, 0.0));
        entry.0 += cell(3).parse::<f64>().unwrap();
        entry.1 += cell(4).parse::<f64>().unwrap();
    }
    sums
}

fn run(engine: &mut dyn Engine, cases: &[(Period, Option<&str>)]) {
    let spec = Spec::load(&Path::new(DIR).join("agreement.pactum"));
    let scope = spec.scope();
    engine.load(&scope, Path::new(DIR), &Options::default());
    for (period, as_of) in cases {
        let options = Options {
            period: *period,
            as_of: as_of.map(|d| d.parse().unwrap()),
            ..Options::default()
        };
        let mut actual = Sums::new();
        let mut assisted: BTreeMap<(String, String, String), f64> = BTreeMap::new();
        let agreement = pactum::model::Agreement::of(&scope);
        for attribution in &agreement.attributions {
            let [_, by_partner] =
                pactum::sql::plan::attribution::plan(&agreement, attribution, &options).unwrap();
            let sql = Renderer::new(engine.dialect()).query(&by_partner.query);
            for row in engine.query(&sql) {
                // period_start, partner, attributed_conversions,
                // attributed_value, assisted_conversions
                let (conversions, value) = (row[2].number(), row[3].number());
                if row[4].number() > 0.0 {
                    assisted.insert(
                        (
                            attribution.named.name.to_string(),
                            row[0].text(),
                            row[1].text(),
                        ),
                        row[4].number(),
                    );
                }
                // Partners with assists only have no credit: no row expected.
                if conversions == 0.0 && value == 0.0 {
                    assert!(
                        row[4].number() >= 1.0,
                        "{}: an empty row {row:?}",
                        engine.name()
                    );
                    continue;
                }
                let key = (
                    attribution.named.name.to_string(),
                    row[0].text(),
                    row[1].text(),
                );
                actual.insert(key, (conversions, value));
            }
        }
        let expected = expected(*period, *as_of);
        let mut problems = Vec::new();
        for (key, (c, v)) in &expected {
            match actual.get(key) {
                Some((ac, av)) if close(*ac, *c) && close(*av, *v) => {}
                other => problems.push(format!("{key:?}: {other:?}, expected ({c}, {v})")),
            }
        }
        for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
            problems.push(format!("unexpected {key:?}"));
        }
        if *period == Period::Month && as_of.is_none() {
            let (_, rows) =
                read_csv(&std::fs::read_to_string(Path::new(DIR).join("assisted.csv")).unwrap());
            let want: BTreeMap<(String, String, String), f64> = rows
                .into_iter()
                .map(|r| {
                    let cell = |i: usize| r[i].clone().unwrap_or_default();
                    ((cell(0), cell(1), cell(2)), cell(3).parse().unwrap())
                })
                .collect();
            if want != assisted {
                problems.push(format!(
                    "assisted conversions differ:\n  expected {want:?}\n  actual   {assisted:?}"
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "{} per {:?}, as of {as_of:?}: {}",
            engine.name(),
            period,
            problems.join("\n")
        );
    }
}

const CASES: &[(Period, Option<&str>)] = &[
    (Period::Month, None),
    (Period::Quarter, None),
    (Period::Week, None),
    (Period::Day, Some("2026-07-31")),
];

#[test]
fn sqlite_sums_credits_per_period() {
    run(&mut engines::Sqlite::new(), CASES);
}

#[test]
fn postgres_sums_credits_per_period() {
    run(&mut engines::Postgres::new("periods"), CASES);
}

#[test]
fn duckdb_sums_credits_per_period() {
    run(&mut engines::DuckDb::new("periods"), CASES);
}

#[test]
fn snowflake_stand_in_sums_credits_per_period() {
    run(&mut engines::PythonEngine::snowflake(), CASES);
}

#[test]
fn bigquery_stand_in_sums_credits_per_period() {
    run(&mut engines::PythonEngine::bigquery(), CASES);
}

#[test]
fn spark_sums_credits_per_period() {
    run(&mut engines::PythonEngine::spark(), CASES);
}
