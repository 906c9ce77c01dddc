//! `pactum compile --format dbt` built by dbt itself (`dbt build`: models
//! and the sources' tests) on DuckDB (dbt-duckdb) and PostgreSQL
//! (dbt-postgres), against the scorecard fixture (`tests/sql/scorecard/`)
//! the Acme example with its data, and the adversarial fixture with Jinja
//! added to its names and texts: every model's table must hold the
//! rows `pactum run` writes for the same data and `as of` day, to 1e-9;
//! and the joint scorecard rendered from the models' tables (exported as
//! CSV) is byte-identical to the one rendered from `pactum run`'s results.
//!
//! dbt comes from `PACTUM_DBT` (the `dbt` program; `.ci/run` installs
//! dbt-core, dbt-duckdb and dbt-postgres in a virtual environment), else
//! `dbt` on the PATH. Without it the tests fail, saying how to get it.

mod common;
mod engines;

use std::path::{Path, PathBuf};
use std::process::Command;

use engines::{Engine, Spec, Value};
use pactum::sql::plan::Options;

const FIXTURE: &str = "tests/sql/scorecard";
const AS_OF: &str = "2026-06-30";

/// A fresh folder of this test file's own.
fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("dbt_{name}"))
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
        .args([
            "build",
            "--vars",
            &format!("{{as_of: '{AS_OF}'}}"),
            "--project-dir",
        ])
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
    // Warnings are the sources' tests finding what the audits report.
    assert!(text.contains(" ERROR=0 SKIP=0 "), "{text}");
}

/// The fixture's results as `pactum run` writes them: file name without
/// `.csv` to rows.
fn run_results(dir: &Path, spec: &str, data: &str) -> Vec<(String, Vec<Vec<String>>)> {
    let out = dir.join("results");
    pactum(&[
        "run",
        spec,
        "--data",
        data,
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().unwrap(),
    ]);
    engines::result_files(&out)
}

fn cells(rows: Vec<Vec<Value>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|r| r.iter().map(Value::text).collect())
        .collect()
}

/// Compiles an agreement's dbt project for `dialect`, loads the data
/// (`load`, given the project's folder), builds with `profile`, and
/// compares every model, read through `engine`.
fn build_and_compare(
    name: &str,
    (spec, data, agreement): (&str, &str, &str),
    dialect: &str,
    engine: &mut dyn Engine,
    load: &mut dyn FnMut(&mut dyn Engine, &Path),
    profile: &str,
    model_table: &dyn Fn(&str) -> String,
) {
    let dir = scratch(name);
    pactum(&[
        "compile",
        spec,
        "--format",
        "dbt",
        "--dialect",
        dialect,
        "--out",
        dir.join("build").to_str().unwrap(),
    ]);
    let project = dir.join("build").join(agreement).join("dbt");
    load(engine, &project);
    std::fs::write(dir.join("profiles.yml"), profile).unwrap();
    dbt_build(&project, &dir);
    let expected = run_results(&dir, spec, data);
    assert!(expected.len() >= 10, "{expected:?}");
    for (model, rows) in &expected {
        let actual = cells(engine.query(&format!("SELECT * FROM {}", model_table(model))));
        engines::same_rows(model, actual, rows.clone());
    }
}

/// The scorecard rendered from the models' tables, exported by DuckDB as
/// an analyst would (`COPY ... TO 'x.csv' (HEADER)`), and from `pactum
/// run`'s results: the same bytes.
fn same_report_from_exported_models(name: &str, spec: &str, database: &Path) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dbt_{name}"));
    let exported = dir.join("exported");
    std::fs::create_dir_all(&exported).unwrap();
    let mut script = String::new();
    for entry in std::fs::read_dir(dir.join("results")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let model = path.file_stem().unwrap().to_string_lossy().into_owned();
            script.push_str(&format!(
                "COPY (SELECT * FROM main.\"{model}\") TO '{}' (HEADER);\n",
                exported.join(format!("{model}.csv")).display()
            ));
        }
    }
    let mut child = Command::new("duckdb")
        .arg(database)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    for (results, html) in [("exported", "from_dbt.html"), ("results", "from_run.html")] {
        pactum(&[
            "report",
            spec,
            "--results",
            dir.join(results).to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--out",
            dir.join(html).to_str().unwrap(),
        ]);
    }
    let from_dbt = std::fs::read(dir.join("from_dbt.html")).unwrap();
    let from_run = std::fs::read(dir.join("from_run.html")).unwrap();
    assert!(from_dbt.len() > 10_000);
    assert!(from_dbt == from_run, "the reports differ");
}

/// On DuckDB, the project's own `load_csv.sql` makes the source tables,
/// as a newcomer trying the project runs it. Returns the database.
fn duckdb_build(name: &str, agreement: (&str, &str, &str)) -> PathBuf {
    let mut engine = engines::DuckDb::new(name);
    let database = engine.database().to_path_buf();
    let profile = format!(
        "pactum:\n  target: test\n  outputs:\n    test:\n      type: duckdb\n      path: '{}'\n      schema: main\n      threads: 1\n",
        database.display()
    );
    let data = std::fs::canonicalize(agreement.1).unwrap();
    let mut load = |_: &mut dyn Engine, project: &Path| {
        let script = std::fs::File::open(project.join("load_csv.sql")).unwrap();
        let out = Command::new("duckdb")
            .arg(&database)
            .env("PACTUM_DATA", &data)
            .stdin(script)
            .output()
            .expect("duckdb (pip install duckdb-cli)");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "load_csv.sql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    build_and_compare(
        name,
        agreement,
        "duckdb",
        &mut engine,
        &mut load,
        &profile,
        &|model| format!("main.\"{model}\""),
    );
    database
}

#[test]
fn dbt_builds_the_same_figures_as_pactum_run_on_duckdb() {
    let _ = duckdb_build(
        "duckdb",
        (
            &format!("{FIXTURE}/agreement.pactum"),
            FIXTURE,
            "scorecard_cases",
        ),
    );
}

#[test]
fn dbt_builds_the_acme_example_as_pactum_run_does_on_duckdb() {
    let database = duckdb_build(
        "acme",
        (
            "specs/acme_referral.pactum",
            "examples/acme_referral",
            "acme_referral",
        ),
    );
    same_report_from_exported_models("acme", "specs/acme_referral.pactum", &database);
}

#[test]
fn dbt_builds_the_same_figures_as_pactum_run_on_postgres() {
    let mut engine = engines::Postgres::new("dbt");
    let url = std::env::var("PACTUM_TEST_PG").unwrap();
    // postgresql://USER@HOST:PORT/DATABASE
    let rest = url
        .strip_prefix("postgresql://")
        .expect("a postgresql:// URL");
    let (user, rest) = rest.split_once('@').expect("a user in the URL");
    let (host, rest) = rest.split_once(':').expect("a port in the URL");
    let (port, database) = rest.split_once('/').expect("a database in the URL");
    let database = database.split('?').next().unwrap();
    let schema = engine.schema().to_string();
    let profile = format!(
        "pactum:\n  target: test\n  outputs:\n    test:\n      type: postgres\n      host: '{host}'\n      port: {port}\n      user: '{user}'\n      password: ''\n      dbname: '{database}'\n      schema: '{schema}'\n      threads: 1\n"
    );
    let spec = format!("{FIXTURE}/agreement.pactum");
    let agreement = (spec.as_str(), FIXTURE, "scorecard_cases");
    let mut load = |engine: &mut dyn Engine, _: &Path| {
        let spec = Spec::load(Path::new(&format!("{FIXTURE}/agreement.pactum")));
        engine.load(&spec.scope(), Path::new(FIXTURE), &Options::default());
    };
    let read = |model: &str| format!("\"{schema}\".\"{model}\"");
    build_and_compare(
        "postgres",
        agreement,
        "postgres",
        &mut engine,
        &mut load,
        &profile,
        &read,
    );
}

/// The adversarial fixture (names and strings that try to break out of SQL
/// quoting) with Jinja in a title, a source's description, a column's name
/// and a table's name: dbt must read none of it as Jinja, and the figures
/// are `pactum run`'s. The sentinel table survives.
#[test]
fn jinja_in_names_and_texts_is_never_run_by_dbt() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dbt_jinja_fixture");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let injected = "{{ exceptions.raise_compiler_error('injected') }} {% if x %} {# c";
    let column = "ki'nd {{ 7 * 7 }}";
    for entry in std::fs::read_dir("tests/sql/adversarial").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = match path.file_name().unwrap().to_str().unwrap() {
            "agreement.pactum" => text
                .replacen(
                    "\"Adversarial names\"",
                    "\"Adversarial {{ names }} {% raw %}\"",
                    1,
                )
                .replacen(
                    "  source touches {",
                    &format!("  /// Touches {injected}\n  source touches {{"),
                    1,
                )
                .replacen("named \"ki'nd\"", &format!("named \"{column}\""), 1)
                .replacen("table \"ordërs ✓\"", "table \"ordërs {{ 1 }} ✓\"", 1),
            "touches.csv" => text.replacen("ki'nd", column, 1),
            _ => text,
        };
        std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
    }
    let spec = dir.join("agreement.pactum");
    let database = duckdb_build(
        "jinja",
        (spec.to_str().unwrap(), dir.to_str().unwrap(), "adversarial"),
    );
    let out = Command::new("duckdb")
        .arg(&database)
        .args(["-csv", "-c", "SELECT count(*) FROM main.sentinel"])
        .output()
        .unwrap();
    // One row, as in sentinel.csv.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().nth(1),
        Some("1")
    );
}
