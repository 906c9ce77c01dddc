//! A run on PostgreSQL never leaves a query behind: a statement that runs
//! past `--statement-timeout` is stopped by the server with a message that
//! names the cause, and Ctrl-C (SIGINT) cancels the running query on the
//! server before Pactum exits. The source table is a view that sleeps, so
//! that the query is still running when the test acts. Needs the server
//! `bash .ci/run` starts (`PACTUM_TEST_PG`).

mod engines;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use engines::Engine;
use pactum::sql::plan::Options;

const FIXTURE: &str = "tests/sql/scorecard";

/// The fixture's tables in a schema of their own, `orders` behind a view
/// that sleeps `seconds` before it gives its rows.
fn slow_server(test: &str, seconds: u32) -> engines::Postgres {
    let fixture = engines::Spec::load(&Path::new(FIXTURE).join("agreement.pactum"));
    let scope = fixture.scope();
    let mut postgres = engines::Postgres::new(test);
    postgres.load(&scope, Path::new(FIXTURE), &Options::default());
    postgres.psql(&format!(
        "ALTER TABLE orders RENAME TO orders_data; \
         CREATE VIEW orders AS SELECT o.* FROM orders_data o CROSS JOIN pg_sleep({seconds}) s;"
    ));
    postgres
}

fn run(url: &str, extra: &[&str], out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command
        .args([
            "run",
            &format!("{FIXTURE}/agreement.pactum"),
            "--engine",
            "postgres",
            "--url",
            url,
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// The URL of a run, named so that its queries can be found on the server.
fn url_named(postgres: &engines::Postgres, name: &str) -> String {
    format!("{}&application_name={name}", postgres.url_with_schema())
}

/// Queries of runs named `name` still running on the server.
fn running(postgres: &engines::Postgres, name: &str) -> usize {
    let out = postgres.psql(&format!(
        "SELECT COUNT(*) FROM pg_stat_activity \
         WHERE state = 'active' AND application_name = '{name}';"
    ));
    out.lines().nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn a_statement_past_its_timeout_is_stopped_with_its_cause() {
    let postgres = slow_server("timeout", 30);
    let out = std::env::temp_dir().join(format!("pactum-pg-timeout-{}", std::process::id()));
    let started = Instant::now();
    let output = run(
        &postgres.url_with_schema(),
        &["--statement-timeout", "1"],
        &out,
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20), "{stderr}");
    assert!(stderr.contains("error[P0506]"), "{stderr}");
    assert!(
        stderr.contains("ran longer than the statement timeout (1 s)"),
        "{stderr}"
    );
    assert!(stderr.contains("--statement-timeout SECONDS"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn ctrl_c_cancels_the_query_on_the_server() {
    let postgres = slow_server("interrupt", 60);
    let out = std::env::temp_dir().join(format!("pactum-pg-interrupt-{}", std::process::id()));
    let name = format!("pactum_interrupt_{}", std::process::id());
    let child = run(&url_named(&postgres, &name), &[], &out)
        .spawn()
        .unwrap();
    // Wait until the slow query is running on the server.
    let deadline = Instant::now() + Duration::from_secs(20);
    while running(&postgres, &name) == 0 {
        assert!(Instant::now() < deadline, "the run's query never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    let interrupted = Instant::now();
    // SAFETY: sends SIGINT to the child we spawned.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(interrupted.elapsed() < Duration::from_secs(10), "{stderr}");
    assert!(stderr.contains("error[P0508]"), "{stderr}");
    // The server ends a cancelled query within moments, never after its
    // sleep of a minute.
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(&postgres, &name) > 0 {
        assert!(
            Instant::now() < deadline,
            "the query kept running on the server"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!out.exists());
}
