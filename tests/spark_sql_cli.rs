//! The compiled Spark SQL files run as a Spark user runs them: by Spark's
//! own `spark-sql` program (from `pip install pyspark`; Java 17), one
//! `-f` script, with the session's time zone UTC. The scorecard fixture's
//! every query, read from the files `pactum compile --dialect spark`
//! wrote, must give the rows `pactum run` gives for the same data, to
//! 1e-9. Without `spark-sql` the test fails, saying how to get it.

mod engines;

use std::path::Path;
use std::process::Command;

use engines::Spec;
use pactum::sql::dialect::{Dialect, Spark};
use pactum::sql::load::{columns, create_table};
use pactum::sql::plan::Options;

const FIXTURE: &str = "tests/sql/scorecard";
const AS_OF: &str = "2026-06-30";
/// Printed before each query's rows.
const MARK: &str = "@@query ";

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

/// Parquet tables of the fixture's sources, filled from its CSV files
/// (every field read as text and cast, an empty field NULL).
fn load_script(spec: &Spec) -> String {
    let scope = spec.scope();
    let agreement = pactum::model::Agreement::of(&scope);
    let options = Options::default();
    let mut script = String::new();
    for source in &agreement.sources {
        let table = Spark.quote_ident(source.name());
        let ddl = create_table(source, &Spark, &options);
        script.push_str(ddl.trim_end().trim_end_matches(';'));
        script.push_str(" USING parquet;\n");
        let file = std::fs::canonicalize(Path::new(FIXTURE).join(format!("{}.csv", source.name())))
            .unwrap();
        let raw = Spark.quote_ident(&format!("raw_{}", source.name()));
        script.push_str(&format!(
            "CREATE TEMPORARY VIEW {raw} USING csv OPTIONS (path {}, header 'true');\n",
            Spark.quote_string(&file.display().to_string())
        ));
        let casts: Vec<String> = columns(source)
            .iter()
            .map(|(name, ty)| {
                format!(
                    "CAST({} AS {})",
                    Spark.quote_ident(name),
                    Spark.column_type(*ty)
                )
            })
            .collect();
        script.push_str(&format!(
            "INSERT INTO {table} SELECT {} FROM {raw};\n",
            casts.join(", ")
        ));
    }
    script
}

/// Rows per query as `pactum run` writes them.
fn run_results(out: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    pactum(&[
        "run",
        &format!("{FIXTURE}/agreement.pactum"),
        "--data",
        FIXTURE,
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().unwrap(),
    ]);
    engines::result_files(out)
}

#[test]
fn spark_sql_runs_the_compiled_files_with_the_figures_of_pactum_run() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("spark_sql_cli");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let build = dir.join("build");
    pactum(&[
        "compile",
        &format!("{FIXTURE}/agreement.pactum"),
        "--dialect",
        "spark",
        "--as-of",
        AS_OF,
        "--out",
        build.to_str().unwrap(),
    ]);
    let expected = run_results(&dir.join("results"));
    assert!(expected.len() >= 10);

    let spec = Spec::load(&Path::new(FIXTURE).join("agreement.pactum"));
    let mut script = load_script(&spec);
    for (name, _) in &expected {
        let file = build.join(format!("scorecard_cases/spark/{name}.sql"));
        script.push_str(&format!("SELECT '{MARK}{name}';\n"));
        script.push_str(&std::fs::read_to_string(&file).unwrap());
    }
    std::fs::write(dir.join("all.sql"), &script).unwrap();
    let out = Command::new("spark-sql")
        .current_dir(&dir)
        .args([
            "--master",
            "local[2]",
            "--conf",
            "spark.sql.session.timeZone=UTC",
            "--conf",
            "spark.ui.enabled=false",
            "-S",
            "-f",
            "all.sql",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run spark-sql ({e}): pip install pyspark, with Java 17 (`bash .ci/run` installs both)")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "spark-sql failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // spark-sql prints each row's fields separated by tabs, NULL as `NULL`.
    let mut actual: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix(MARK) {
            actual.push((name.to_string(), Vec::new()));
        } else if let Some((_, rows)) = actual.last_mut() {
            let row = line
                .split('\t')
                .map(|cell| {
                    if cell == "NULL" {
                        String::new()
                    } else {
                        cell.to_string()
                    }
                })
                .collect();
            rows.push(row);
        }
    }
    assert_eq!(actual.len(), expected.len(), "{stdout}");
    for ((name, rows), (expected_name, wanted)) in actual.into_iter().zip(expected) {
        assert_eq!(name, expected_name);
        engines::same_rows(
            &format!("{name} (spark-sql against pactum run)"),
            rows,
            wanted,
        );
    }
}
