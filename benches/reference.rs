//! Pactum's SQL against hand-written queries with the same results, on
//! DuckDB and PostgreSQL: the Acme agreement (`specs/acme_referral.pactum`)
//! on `pactum demo` data of about 1,000,000 partner touches, each query
//! compiled as an analyst runs it (no kept results), against the
//! hand-written query of the same name in `benches/reference/` (its
//! `{prefix}` is the table prefix the benchmark's tables get, `bench_`,
//! so that no schema of the server is touched). Checks that
//! both give the same rows (text exactly, numbers to 1e-9 relative) and
//! prints the median of three timings of each and Pactum ÷ hand-written.
//!
//! Run with `cargo bench --bench reference`. DuckDB needs `pip install
//! duckdb-cli`; PostgreSQL runs when `PACTUM_TEST_PG` names a server
//! (`bash .ci/run` starts one for the tests). `PACTUM_BENCH_CUSTOMERS` sets
//! the size (default 375000 customers, about 1,000,000 touches).

#[path = "../tests/engines/mod.rs"]
mod engines;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use engines::{Engine, Value};
use pactum::check::scope::Scope;
use pactum::check::workspace::Workspace;
use pactum::sql::plan::Options;
use pactum::sql::render::Renderer;

const SPEC: &str = "specs/acme_referral.pactum";

fn main() {
    let customers: usize = std::env::var("PACTUM_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(375_000);
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    // The same data as `benches/run_scaling.rs` at this size.
    let data = base.join(format!("run_scaling_{customers}_7"));
    if !data.join("touchpoints.csv").exists() {
        let _ = std::fs::remove_dir_all(&data);
        let out = Command::new(env!("CARGO_BIN_EXE_pactum"))
            .args(["demo", SPEC, data.to_str().unwrap()])
            .args(["--customers", &customers.to_string(), "--max-touches", "7"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let files = vec![PathBuf::from(SPEC)];
    let workspace = Workspace::load(&files, Path::new(".")).expect("the agreement loads");
    let index = (0..workspace.units.len())
        .find(|&i| workspace.units[i].requested)
        .expect("the agreement");
    let unit = &workspace.units[index];
    let imports: Vec<&pactum::syntax::ast::File> = workspace
        .imported_closure(index)
        .iter()
        .filter_map(|&u| workspace.units[u].tree.as_ref())
        .collect();
    let mut diagnostics = Vec::new();
    let scope = Scope::build(
        unit.tree.as_ref().expect("parsed"),
        unit.file,
        &imports,
        &mut diagnostics,
    );
    let options = Options {
        as_of: Some("2026-09-30".parse().expect("a date")),
        table_prefix: "bench_".to_string(),
        ..Options::default()
    };
    let planned = pactum::sql::plan_all(&scope, &options);

    let mut references: Vec<(String, String)> = std::fs::read_dir("benches/reference")
        .expect("benches/reference")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            (name, text.replace("{prefix}", &options.table_prefix))
        })
        .collect();
    references.sort();

    let mut engines: Vec<Box<dyn Engine>> = vec![Box::new(engines::DuckDb::new("reference"))];
    match std::env::var("PACTUM_TEST_PG") {
        Ok(_) => engines.push(Box::new(engines::Postgres::new("reference"))),
        Err(_) => println!("postgres: PACTUM_TEST_PG is not set; `bash .ci/run` starts a server"),
    }
    println!(
        "{:<10} {:<42} {:>7} {:>10} {:>13} {:>7}",
        "engine", "query", "rows", "pactum s", "hand-written s", "ratio"
    );
    for engine in &mut engines {
        engine.load(&scope, &data, &options);
        if engine.name() == "postgres" {
            engine.query("ANALYZE");
        }
        for (name, reference) in &references {
            let query = planned
                .iter()
                .find(|q| q.name() == *name)
                .unwrap_or_else(|| panic!("no query `{name}` in {SPEC}"));
            let compiled = Renderer::new(engine.dialect()).query(&query.query);
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            let mut rows = (Vec::new(), Vec::new());
            // Taken in turn, so that both see the same caches and load.
            for _ in 0..3 {
                let started = Instant::now();
                rows.0 = engine.query(&compiled);
                ours.push(started.elapsed().as_secs_f64());
                let started = Instant::now();
                rows.1 = engine.query(&format!("{};", reference.trim_end().trim_end_matches(';')));
                theirs.push(started.elapsed().as_secs_f64());
            }
            same_rows(name, engine.name(), &rows.0, &rows.1);
            let (ours, theirs) = (median(ours), median(theirs));
            println!(
                "{:<10} {:<42} {:>7} {:>10.2} {:>13.2} {:>7.2}",
                engine.name(),
                name,
                rows.0.len(),
                ours,
                theirs,
                ours / theirs
            );
        }
    }
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The same rows in the same order: text exactly, numbers to 1e-9.
fn same_rows(name: &str, engine: &str, ours: &[Vec<Value>], theirs: &[Vec<Value>]) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{engine} {name}: row counts differ"
    );
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a.len(), b.len(), "{engine} {name} row {i}: widths differ");
        for (x, y) in a.iter().zip(b) {
            let (tx, ty) = (x.text(), y.text());
            let equal = tx == ty
                || match (tx.parse::<f64>(), ty.parse::<f64>()) {
                    (Ok(p), Ok(q)) => engines::close(p, q),
                    _ => false,
                };
            assert!(
                equal,
                "{engine} {name} row {i}: `{tx}` against `{ty}`\n{a:?}\n{b:?}"
            );
        }
    }
}
