//! `pactum check` on 1,000 generated agreements (about 300,000 lines, half
//! of them importing a shared catalog), and on a single agreement, both as
//! the whole `pactum` process. Prints wall times and peak memory; run with
//! `cargo bench --bench check`.
//!
//! Targets on a 2-core machine (release build): 1,000 agreements under
//! 1.5 s using both cores; one agreement under 20 ms; one agreement of
//! 100,000 partners and 100,000 metrics in linear time (the time per item
//! at 100,000 within 1.5× of the time per item at 10,000).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench_check");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("catalog.pactum"), pactum::generate::catalog()).unwrap();
    let mut lines = 0;
    let mut bytes = 0;
    for i in 0..1000u64 {
        let text = pactum::generate::agreement(i, i % 2 == 0);
        lines += text.lines().count();
        bytes += text.len();
        std::fs::write(dir.join(format!("deal_{i:04}.pactum")), text).unwrap();
    }
    println!(
        "input: 1000 agreements + 1 catalog, {lines} lines, {:.1} MB",
        bytes as f64 / 1e6
    );

    let exe = env!("CARGO_BIN_EXE_pactum");
    let run = |args: &[&str]| {
        let started = Instant::now();
        let out = Command::new(exe).args(args).output().expect("pactum runs");
        let elapsed = started.elapsed();
        assert_eq!(
            out.status.code(),
            Some(0),
            "generated agreements check clean:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        (elapsed, String::from_utf8_lossy(&out.stdout).into_owned())
    };

    // One agreement (with its import), as a whole process: median of 21.
    let single = dir.join("deal_0000.pactum");
    let single = single.to_str().unwrap();
    let mut times: Vec<Duration> = (0..21).map(|_| run(&["check", single]).0).collect();
    times.sort();
    let single_rss = peak_child_rss_kib();
    report(
        "1 agreement, whole process",
        times[10],
        Duration::from_millis(20),
        None,
    );
    println!("{:>28}  {} KiB peak memory", "", single_rss);

    // The whole workspace: best of 3 (noise only ever adds time).
    let folder = dir.to_str().unwrap();
    let mut best = Duration::MAX;
    let mut summary = String::new();
    for _ in 0..3 {
        let (elapsed, out) = run(&["check", folder]);
        best = best.min(elapsed);
        summary = out;
    }
    report(
        "1000 agreements, whole process",
        best,
        Duration::from_millis(1500),
        Some(lines),
    );
    println!("{:>28}  {} KiB peak memory", "", peak_child_rss_kib());
    println!("{:>28}  {}", "output:", summary.trim());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{:>28}  {cores} cores available", "");

    // One large agreement, 10,000 to 100,000 partners and as many metrics
    // (each metric a finding): time and memory must grow linearly, in
    // every output format.
    let run_any = |args: &[&str]| {
        let started = Instant::now();
        let out = Command::new(exe).args(args).output().expect("pactum runs");
        assert_eq!(out.status.code(), Some(1), "findings, no failure");
        started.elapsed()
    };
    let mut per_item = Vec::new();
    for items in [10_000usize, 100_000] {
        let path = dir.join(format!("large_{items}.pactum"));
        std::fs::write(&path, pactum::generate::large_agreement(items)).unwrap();
        let path = path.to_str().unwrap();
        for format in ["human", "json", "sarif"] {
            let elapsed = run_any(&["check", "--format", format, path]);
            println!(
                "{:>30}: {:>8.1} ms  {:>6.2} µs per item",
                format!("{items} items, {format}"),
                elapsed.as_secs_f64() * 1000.0,
                elapsed.as_secs_f64() * 1e6 / (2 * items) as f64
            );
            if format == "human" {
                per_item.push(elapsed.as_secs_f64() / items as f64);
            }
        }
        println!(
            "{:>28}  {} KiB peak memory so far",
            "",
            peak_child_rss_kib()
        );
    }
    let growth = per_item[1] / per_item[0];
    println!(
        "{:>30}: {growth:.2}× the time per item at 10× the items (target < 1.5: {})",
        "linear scaling",
        if growth < 1.5 { "met" } else { "NOT MET" }
    );
}

fn report(what: &str, time: Duration, target: Duration, lines: Option<usize>) {
    let rate = lines
        .map(|l| format!("  {:>9.0} lines/s", l as f64 / time.as_secs_f64()))
        .unwrap_or_default();
    println!(
        "{what:>30}: {:>8.1} ms{rate}  (target < {} ms: {})",
        time.as_secs_f64() * 1000.0,
        target.as_millis(),
        if time < target { "met" } else { "NOT MET" }
    );
}

/// The largest resident set of any child process waited for so far.
fn peak_child_rss_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct we own.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage works on Linux");
    usage.ru_maxrss
}
