//! `pactum compile --format dbt` built by dbt itself (`dbt build`: models
//! and the sources' tests) on DuckDB (dbt-duckdb) and PostgreSQL
//! (dbt-postgres), against the scorecard fixture (`tests/sql/scorecard/`):
//! every model's table must hold the rows `pactum run` writes for the same
//! data, to 1e-9.
//!
//! dbt comes from `PACTUM_DBT` (the `dbt` program; `.ci/run` installs
//! dbt-core, dbt-duckdb and dbt-postgres in a virtual environment), else
//! `dbt` on the PATH. Without it the tests fail, saying how to get it.

mod engines;

use std::path::{Path, PathBuf};
use std::process::Command;

use engines::{Engine, Spec, Value, read_csv};
use pactum::sql::plan::Options;

const FIXTURE: &str = "tests/sql/scorecard";

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dbt_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pactum(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pactum {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `dbt build` of a project with a profile; panics with dbt's output when
/// anything fails (a model, or a test of the sources).
fn dbt_build(project: &Path, profiles: &Path) {
    let dbt = std::env::var("PACTUM_DBT").unwrap_or_else(|_| "dbt".to_string());
    let out = Command::new(&dbt)
        .args(["build", "--project-dir"])
        .arg(project)
        .arg("--profiles-dir")
        .arg(profiles)
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{dbt}` ({e}): install dbt-core, dbt-duckdb and dbt-postgres \
                 (`bash .ci/run` does) and set PACTUM_DBT to the `dbt` program"
            )
        });
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "dbt build failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Completed successfully"), "{text}");
}

/// The fixture's results as `pactum run` writes them: file name without
/// `.csv` to rows.
fn run_results(dir: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let out = dir.join("results");
    pactum(&[
        "run",
        &format!("{FIXTURE}/agreement.pactum"),
        "--data",
        FIXTURE,
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut results = Vec::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let (_, rows) = read_csv(&std::fs::read_to_string(&path).unwrap());
            let rows = rows
                .into_iter()
                .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
                .collect();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            results.push((name, rows));
        }
    }
    results.sort();
    results
}

/// A row's cells in a form that sorts the same whatever engine printed
/// the numbers.
fn sort_key(row: &[String]) -> Vec<String> {
    row.iter()
        .map(|cell| match cell.parse::<f64>() {
            Ok(x) => format!("{x:+.9e}"),
            Err(_) => cell.clone(),
        })
        .collect()
}

fn same_rows(model: &str, mut actual: Vec<Vec<String>>, mut expected: Vec<Vec<String>>) {
    actual.sort_by_key(|r| sort_key(r));
    expected.sort_by_key(|r| sort_key(r));
    assert_eq!(actual.len(), expected.len(), "{model}: row count");
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(a.len(), e.len(), "{model}: {a:?} / {e:?}");
        for (x, y) in a.iter().zip(e) {
            let same = match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(u), Ok(v)) => engines::close(u, v),
                _ => x == y,
            };
            assert!(same, "{model}: dbt {a:?}\n  pactum run {e:?}");
        }
    }
}

fn cells(rows: Vec<Vec<Value>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|r| r.iter().map(Value::text).collect())
        .collect()
}

/// Compiles the fixture's dbt project for `dialect`, loads the data with
/// `engine`, builds with `profile`, and compares every model.
fn build_and_compare(
    name: &str,
    dialect: &str,
    engine: &mut dyn Engine,
    profile: &str,
    model_table: &dyn Fn(&str) -> String,
) {
    let dir = scratch(name);
    pactum(&[
        "compile",
        &format!("{FIXTURE}/agreement.pactum"),
        "--format",
        "dbt",
        "--dialect",
        dialect,
        "--out",
        dir.join("build").to_str().unwrap(),
    ]);
    let project = dir.join("build/scorecard_cases/dbt");
    let spec = Spec::load(&Path::new(FIXTURE).join("agreement.pactum"));
    engine.load(&spec.scope(), Path::new(FIXTURE), &Options::default());
    std::fs::write(dir.join("profiles.yml"), profile).unwrap();
    dbt_build(&project, &dir);
    let expected = run_results(&dir);
    assert!(expected.len() >= 10, "{expected:?}");
    for (model, rows) in expected {
        let actual = cells(engine.query(&format!("SELECT * FROM {}", model_table(&model))));
        same_rows(&model, actual, rows);
    }
}

#[test]
fn dbt_builds_the_same_figures_as_pactum_run_on_duckdb() {
    let mut engine = engines::DuckDb::new("dbt");
    let database = engine.database().to_path_buf();
    let profile = format!(
        "pactum:\n  target: test\n  outputs:\n    test:\n      type: duckdb\n      path: '{}'\n      schema: main\n      threads: 1\n",
        database.display()
    );
    build_and_compare("duckdb", "duckdb", &mut engine, &profile, &|model| {
        format!("main.\"{model}\"")
    });
}

#[test]
fn dbt_builds_the_same_figures_as_pactum_run_on_postgres() {
    let mut engine = engines::Postgres::new("dbt");
    let url = std::env::var("PACTUM_TEST_PG").unwrap();
    // postgresql://USER@HOST:PORT/DATABASE
    let rest = url.strip_prefix("postgresql://").expect("a postgresql:// URL");
    let (user, rest) = rest.split_once('@').expect("a user in the URL");
    let (host, rest) = rest.split_once(':').expect("a port in the URL");
    let (port, database) = rest.split_once('/').expect("a database in the URL");
    let database = database.split('?').next().unwrap();
    let schema = engine.schema().to_string();
    let profile = format!(
        "pactum:\n  target: test\n  outputs:\n    test:\n      type: postgres\n      host: '{host}'\n      port: {port}\n      user: '{user}'\n      password: ''\n      dbname: '{database}'\n      schema: '{schema}'\n      threads: 1\n"
    );
    build_and_compare("postgres", "postgres", &mut engine, &profile, &|model| {
        format!("\"{schema}\".\"{model}\"")
    });
}
