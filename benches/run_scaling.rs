//! How `pactum run` scales with the data, per engine: the Acme agreement
//! (`specs/acme_referral.pactum`) with seeded `pactum demo` data at about
//! 100,000, 1,000,000 and 10,000,000 partner touches (10,000, 100,000 and
//! 1,000,000 customers, `--max-touches 29`), run as the whole `pactum`
//! process (load, queries, result files). Prints, per engine and size, the
//! rows, the wall time, the peak memory (the larger of Pactum's and the
//! DuckDB program's it drives, as `wait4` reports them) and the slope
//! between sizes: the time ratio over the rows ratio (1.0 is linear). SQLite runs to about 1,000,000
//! touches; DuckDB to every size.
//!
//! Run with `cargo bench --bench run_scaling`. `PACTUM_BENCH_SIZES` sets the
//! sizes in customers (default `10000,100000,1000000`);
//! `PACTUM_BENCH_MAX_TOUCHES` the most touches per customer (default 29);
//! `PACTUM_BENCH_ENGINES` the engines (default `sqlite,duckdb`; DuckDB
//! needs `pip install duckdb-cli`). Data of a size is kept between runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Touches of the generated data: the rows of `touchpoints.csv`.
fn touches(dir: &Path) -> usize {
    lines(&dir.join("touchpoints.csv")) - 1
}

fn rows(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| lines(&p) - 1)
        .sum()
}

/// The lines of a file, read a block at a time: a child inherits the
/// peak memory of the process that starts it, so this one stays small.
fn lines(file: &Path) -> usize {
    use std::io::Read;
    let mut reader = std::fs::File::open(file).unwrap();
    let mut block = vec![0u8; 1 << 20];
    let mut count = 0;
    loop {
        let n = reader.read(&mut block).unwrap();
        if n == 0 {
            return count;
        }
        count += block[..n].iter().filter(|&&b| b == b'\n').count();
    }
}

/// Runs `pactum` with `args`; returns the wall time in seconds and the
/// child's peak resident memory in MB (from wait4).
// The child is reaped by wait4 (which also gives its rusage), not by
// `Child::wait`.
#[allow(clippy::zombie_processes)]
fn measure(program: &Path, args: &[&str]) -> (f64, f64) {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for the
    // child just spawned, which nothing else waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(waited > 0, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "pactum {args:?} failed"
    );
    // ru_maxrss is in kilobytes on Linux.
    (
        started.elapsed().as_secs_f64(),
        usage.ru_maxrss as f64 / 1024.0,
    )
}

fn main() {
    let sizes: Vec<usize> = std::env::var("PACTUM_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".to_string())
        .split(',')
        .map(|s| s.trim().parse().expect("sizes are numbers of customers"))
        .collect();
    let engines: Vec<String> = std::env::var("PACTUM_BENCH_ENGINES")
        .unwrap_or_else(|_| "sqlite,duckdb".to_string())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    // The release binary next to this benchmark's.
    let program: PathBuf = Path::new(env!("CARGO_BIN_EXE_pactum")).to_path_buf();
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let spec = "specs/acme_referral.pactum";
    let max_touches =
        std::env::var("PACTUM_BENCH_MAX_TOUCHES").unwrap_or_else(|_| "29".to_string());
    let mut data = Vec::new();
    for &customers in &sizes {
        let dir = base.join(format!("run_scaling_{customers}_{max_touches}"));
        if !dir.join("touchpoints.csv").exists() {
            let _ = std::fs::remove_dir_all(&dir);
            let started = Instant::now();
            let out = Command::new(&program)
                .args([
                    "demo",
                    spec,
                    dir.to_str().unwrap(),
                    "--customers",
                    &customers.to_string(),
                    "--max-touches",
                    &max_touches,
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            println!(
                "data: {customers} customers generated in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        data.push((customers, touches(&dir), rows(&dir), dir));
    }
    println!(
        "{:<8} {:>10} {:>11} {:>11} {:>9} {:>10} {:>7}",
        "engine", "customers", "touches", "rows", "seconds", "peak MB", "slope"
    );
    for engine in &engines {
        let mut previous: Option<(usize, f64)> = None;
        for (customers, touches, rows, dir) in &data {
            // SQLite runs to about 1,000,000 touches; beyond, DuckDB.
            if engine == "sqlite" && *touches > 1_500_000 {
                continue;
            }
            let out = base.join(format!("run_scaling_out_{engine}_{customers}"));
            let _ = std::fs::remove_dir_all(&out);
            let (seconds, peak) = measure(
                &program,
                &[
                    "run",
                    spec,
                    "--engine",
                    engine,
                    "--data",
                    dir.to_str().unwrap(),
                    "--as-of",
                    "2026-09-30",
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            let _ = std::fs::remove_dir_all(&out);
            // Time ratio over data ratio since the previous size.
            let slope = previous.map(|(r, s)| (seconds / s) / (*rows as f64 / r as f64));
            println!(
                "{engine:<8} {customers:>10} {touches:>11} {rows:>11} {seconds:>9.1} {peak:>10.0} {:>7}",
                slope.map_or("-".to_string(), |s| format!("{s:.2}"))
            );
            previous = Some((*rows, seconds));
        }
    }
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}
