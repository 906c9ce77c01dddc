//! `pactum run` of an example agreement at scale: `specs/acme_referral.pactum`
//! with seeded data from `pactum demo` sized to at least 1,000,000 touches and
//! 100,000 purchases (and the usage, subscription and renewal rows that go
//! with them), loaded into the embedded SQLite engine and run, load
//! included. Prints the data's size, the load time, each query's time and
//! the total. Target: under 60 s.
//!
//! Run with `cargo bench --bench run_scale` (`PACTUM_BENCH_CUSTOMERS` to
//! change the size; `PACTUM_BENCH_RUN_ONLY=1` to skip timing each query
//! alone). The generated data is kept between runs of the same size.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use pactum::check::workspace::Workspace;
use pactum::run::{Embedded, Progress, Quiet};
use pactum::sql::plan::Options;

/// Each query's start and end, relative to the start of the run.
struct Timeline {
    started: Instant,
    spans: Mutex<BTreeMap<String, (f64, f64)>>,
}

impl Progress for Timeline {
    fn query(&self, name: &str) {
        let now = self.started.elapsed().as_secs_f64();
        self.spans
            .lock()
            .unwrap()
            .insert(name.to_string(), (now, now));
    }
    fn finished(&self, name: &str) {
        let now = self.started.elapsed().as_secs_f64();
        if let Some(span) = self.spans.lock().unwrap().get_mut(name) {
            span.1 = now;
        }
    }
}

fn main() {
    let customers: usize = std::env::var("PACTUM_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(360_000);
    let spec = Path::new("specs/acme_referral.pactum");
    let ws = Workspace::load(&[spec.to_path_buf()], Path::new("specs")).unwrap();
    let index = ws.agreements()[0];
    let scope = ws.scope(index);
    let agreement = pactum::model::Agreement::of(&scope);

    // Seeded, so data of the same size is the same data: kept for the
    // next run.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("run_scale_{customers}"));
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let mut settings = pactum::demo::Settings::for_agreement(&agreement);
        settings.customers = customers;
        settings.max_touches = 7;
        let started = Instant::now();
        let written = pactum::demo::generate(&agreement, &settings, &dir).unwrap();
        println!(
            "data: {customers} customers, generated in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        for (file, rows) in &written {
            println!("  {file:<20} {rows:>9} rows");
        }
        std::fs::write(&done, "").unwrap();
    } else {
        println!("data: {customers} customers, kept from an earlier run");
    }
    let purchases = std::fs::read_to_string(dir.join("orders.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(",new,"))
        .count();
    println!("  ({purchases} purchases)");

    let options = Options {
        as_of: Some("2026-09-30".parse().expect("a date")),
        ..Options::default()
    };
    let started = Instant::now();
    let (mut engine, rows) = Embedded::with_data(&agreement, &dir, &options, &Quiet).unwrap();
    let load = started.elapsed().as_secs_f64();
    println!("\nload: {rows} rows in {load:.1} s");
    let plan = pactum::sql::plan(&agreement, &options);
    // Each query alone, for where the time goes...
    let mut alone = 0.0;
    let run_only = std::env::var_os("PACTUM_BENCH_RUN_ONLY").is_some();
    for planned in plan.queries.iter().filter(|_| !run_only) {
        let started = Instant::now();
        let table = engine.query(planned).unwrap();
        let elapsed = started.elapsed().as_secs_f64();
        alone += elapsed;
        println!(
            "  {:<42} {:>7} rows  {elapsed:>6.2} s",
            planned.name(),
            table.rows.len()
        );
    }
    if !run_only {
        println!("one after the other: {alone:.1} s");
    }
    // ...then all of them as `pactum run` runs them: metrics first, kept
    // for the scorecard and incentives, one connection per core.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let timeline = Timeline {
        started: Instant::now(),
        spans: Mutex::new(BTreeMap::new()),
    };
    engine.set_threads(threads);
    let (tables, _) =
        pactum::run::engine::run(&mut engine, &agreement, &options, &timeline).unwrap();
    let queries = timeline.started.elapsed().as_secs_f64();
    let mut spans: Vec<(String, (f64, f64))> =
        timeline.spans.into_inner().unwrap().into_iter().collect();
    spans.sort_by(|a, b| a.1.0.total_cmp(&b.1.0));
    println!("\nas `pactum run` runs them (start, end, time):");
    for (name, (start, end)) in &spans {
        println!(
            "  {name:<42} {start:>6.2} {end:>6.2}  {:>6.2} s",
            end - start
        );
    }
    let total = load + queries;
    println!(
        "queries: {} in {queries:.1} s on {threads} threads\ntotal, load included: {total:.1} s (target < 60 s: {})",
        tables.len(),
        if total < 60.0 { "met" } else { "NOT MET" }
    );
}
