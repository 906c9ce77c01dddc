//! The generated SQL at scale: 1,000,000 touches and 100,000 conversions
//! (seeded, `pactum::generate::attribution_data`), loaded into the embedded
//! SQLite engine and into PostgreSQL (`PACTUM_TEST_PG`, as `.ci/run` sets
//! it), then every query of `benches/scale/agreement.pactum`, which uses
//! every query family. Prints load time, each query's time (with the main
//! lines of the plan of slow ones) and the total. Target: all of an
//! agreement's queries in under 2 minutes per engine.
//!
//! Run with `cargo bench --bench sql_scale` (a server: `bash .ci/run` starts
//! one for the tests; or set `PACTUM_TEST_PG` yourself).

#[path = "../tests/engines/mod.rs"]
mod engines;

use std::path::Path;
use std::time::Instant;

use engines::{Engine, Spec};
use pactum::sql::plan::Options;
use pactum::sql::render::Renderer;

/// The sizes, overridable for a quick look (`PACTUM_BENCH_TOUCHES`,
/// `PACTUM_BENCH_CONVERSIONS`).
fn size(variable: &str, default: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let touches = size("PACTUM_BENCH_TOUCHES", 1_000_000);
    let conversions = size("PACTUM_BENCH_CONVERSIONS", 100_000);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sql_scale");
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    pactum::generate::attribution_data(7, touches, conversions, &dir).unwrap();
    println!(
        "data: {touches} touches, {conversions} orders, generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Every query of a full agreement (benches/scale/agreement.pactum):
    // events, attribution, metrics, funnel, cohorts, scorecard, targets,
    // pilots, incentives and audits.
    let spec = Spec::load(Path::new("benches/scale/agreement.pactum"));
    let scope = spec.scope();
    let options = Options {
        as_of: Some("2026-12-31".parse().expect("a date")),
        ..Options::default()
    };
    let plan = pactum::sql::plan_agreement(&scope, &options);
    assert!(plan.not_compiled.is_empty(), "{:?}", plan.not_compiled);
    let queries = plan.queries;

    let mut engines: Vec<Box<dyn Engine>> = vec![Box::new(engines::Sqlite::new())];
    match std::env::var("PACTUM_TEST_PG") {
        Ok(_) => engines.push(Box::new(engines::Postgres::new("scale"))),
        Err(_) => println!("postgres: PACTUM_TEST_PG is not set; `bash .ci/run` starts a server"),
    }
    for engine in &mut engines {
        let started = Instant::now();
        engine.load(&scope, &dir, &options);
        if engine.name() == "postgres" {
            engine.query("ANALYZE");
        }
        println!(
            "\n{}: loaded in {:.1} s",
            engine.name(),
            started.elapsed().as_secs_f64()
        );
        let mut total = 0.0;
        for planned in &queries {
            let sql = Renderer::new(engine.dialect()).query(&planned.query);
            let started = Instant::now();
            let rows = engine.query(&sql).len();
            let elapsed = started.elapsed().as_secs_f64();
            total += elapsed;
            println!("  {:<42} {rows:>7} rows  {elapsed:>6.2} s", planned.name());
            // The plan of the slow queries: where the time goes.
            if elapsed < 2.0 {
                continue;
            }
            let explain = match engine.name() {
                "postgres" => format!("EXPLAIN {sql}"),
                _ => format!("EXPLAIN QUERY PLAN {sql}"),
            };
            let plan: Vec<String> = engine
                .query(&explain)
                .into_iter()
                .map(|row| row.last().map(|v| v.text()).unwrap_or_default())
                .collect();
            for line in plan.iter().filter(|l| is_main(l)).take(6) {
                println!("      {}", line.trim_end());
            }
        }
        println!(
            "  all {} queries: {total:.1} s (target < 120 s: {})",
            queries.len(),
            if total < 120.0 { "met" } else { "NOT MET" }
        );
    }
}

/// The plan lines worth printing: joins, sorts, scans and windows.
fn is_main(line: &str) -> bool {
    [
        "Join",
        "Sort",
        "Scan",
        "SCAN",
        "SEARCH",
        "WindowAgg",
        "Aggregate",
        "AUTOMATIC",
        "TEMP B-TREE",
        "Hash",
    ]
    .iter()
    .any(|w| line.contains(w))
}
