//! The same agreement and data through three engines: `pactum run` on the
//! embedded SQLite engine (from CSV files), `pactum run --engine duckdb`
//! (from the CSV files, and on a DuckDB database file read-only),
//! `pactum run --engine postgres` on a PostgreSQL server holding the tables
//! (read-only), and DuckDB exporting each compiled query to `<query>.csv`
//! for `pactum report --results`. The result files agree (text exactly,
//! numbers to 1e-9) and the reports are identical byte for byte.

mod engines;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use engines::{Engine, close, read_csv};
use pactum::sql::plan::Options;
use pactum::sql::render::Renderer;

const FIXTURE: &str = "tests/sql/scorecard";
const AS_OF: &str = "2026-04-30";

fn pactum(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1777593600")
        .env_remove("PACTUM_DATABASE_URL")
        .output()
        .unwrap()
}

fn ok(output: Output) -> Output {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn compare_folders(a: &Path, b: &Path, label: &str) {
    let mut names: Vec<PathBuf> = std::fs::read_dir(a)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    names.sort();
    assert!(names.len() > 10, "{label}: {names:?}");
    for path in names {
        let name = path.file_name().unwrap();
        let (ha, ra) = read_csv(&std::fs::read_to_string(&path).unwrap());
        let (hb, rb) = read_csv(&std::fs::read_to_string(b.join(name)).unwrap());
        assert_eq!(ha, hb, "{label} {name:?}: header");
        assert_eq!(ra.len(), rb.len(), "{label} {name:?}: rows");
        for (i, (x, y)) in ra.iter().zip(&rb).enumerate() {
            for (k, (p, q)) in x.iter().zip(y).enumerate() {
                let same = match (p, q) {
                    (Some(p), Some(q)) => match (p.parse::<f64>(), q.parse::<f64>()) {
                        (Ok(u), Ok(v)) => close(u, v),
                        _ => p == q,
                    },
                    (None, None) => true,
                    _ => false,
                };
                assert!(
                    same,
                    "{label} {name:?} row {} {}: {p:?} vs {q:?}",
                    i + 1,
                    ha[k]
                );
            }
        }
    }
}

#[test]
fn sqlite_postgres_and_duckdb_give_the_same_results_and_reports() {
    let dir = std::env::temp_dir().join(format!("pactum-agree-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = format!("{FIXTURE}/agreement.pactum");
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();

    // SQLite, from the CSV files.
    ok(pactum(&[
        "run",
        &spec,
        "--data",
        FIXTURE,
        "--as-of",
        AS_OF,
        "--out",
        &path("sqlite"),
    ]));

    // PostgreSQL, where the tables are.
    let fixture = engines::Spec::load(&Path::new(FIXTURE).join("agreement.pactum"));
    let scope = fixture.scope();
    let mut postgres = engines::Postgres::new("agree");
    postgres.load(&scope, Path::new(FIXTURE), &Options::default());
    let url = postgres.url_with_schema();
    let run = ok(pactum(&[
        "run",
        &spec,
        "--engine",
        "postgres",
        "--url",
        &url,
        "--as-of",
        AS_OF,
        "--out",
        &path("postgres"),
    ]));
    let said = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(said.contains("read-only"), "{said}");
    // Credits and metrics were kept for the queries that read them: two
    // per attribution, one per metric.
    assert!(said.contains("results kept in temporary tables"), "{said}");
    assert!(!said.contains(" 0 results kept"), "{said}");

    // A user whose sessions are read-only cannot make temporary tables:
    // each query computes what it reads, with the same results.
    let role = format!("pactum_readonly_{}", std::process::id());
    let schema = postgres.schema().to_string();
    postgres.psql(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; \
         GRANT USAGE ON SCHEMA {schema} TO {role}; \
         GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}; \
         ALTER ROLE {role} SET default_transaction_read_only = on;"
    ));
    let readonly_url = url.replacen("://postgres@", &format!("://{role}@"), 1);
    assert_ne!(
        readonly_url, url,
        "the test server's URL names the user postgres"
    );
    let run = pactum(&[
        "run",
        &spec,
        "--engine",
        "postgres",
        "--url",
        &readonly_url,
        "--as-of",
        AS_OF,
        "--out",
        &path("postgres-readonly"),
    ]);
    postgres.psql(&format!("DROP OWNED BY {role}; DROP ROLE {role};"));
    let said = String::from_utf8_lossy(&ok(run).stderr).to_string();
    assert!(said.contains("no temporary tables allowed"), "{said}");
    compare_folders(
        &dir.join("postgres"),
        &dir.join("postgres-readonly"),
        "postgres/postgres read-only user",
    );
    // What the runs kept was temporary: no table of theirs is stored.
    let left = postgres.psql(
        "SELECT count(*) FROM pg_class WHERE relname LIKE 'pactum%' AND relpersistence = 'p';",
    );
    assert_eq!(left.trim(), "count\n0", "{left}");

    // DuckDB as an engine of `run`: loaded from the CSV files.
    let run = ok(pactum(&[
        "run",
        &spec,
        "--engine",
        "duckdb",
        "--data",
        FIXTURE,
        "--as-of",
        AS_OF,
        "--out",
        &path("duckdb-run"),
    ]));
    assert!(String::from_utf8_lossy(&run.stderr).contains("on DuckDB"));

    // DuckDB exports each compiled query itself.
    let mut duckdb = engines::DuckDb::new("agree");
    duckdb.load(&scope, Path::new(FIXTURE), &Options::default());
    std::fs::create_dir_all(dir.join("duckdb")).unwrap();
    let options = Options {
        as_of: Some(AS_OF.parse().unwrap()),
        ..Options::default()
    };
    for query in pactum::sql::plan_all(&scope, &options) {
        let sql = Renderer::new(duckdb.dialect()).query(&query.query);
        let sql = sql.trim_end().trim_end_matches(';');
        let file = dir.join("duckdb").join(format!("{}.csv", query.name()));
        duckdb.query(&format!(
            "COPY ({sql}) TO '{}' (HEADER, DELIMITER ',');",
            file.display()
        ));
    }

    compare_folders(
        &dir.join("sqlite"),
        &dir.join("postgres"),
        "sqlite/postgres",
    );
    compare_folders(&dir.join("sqlite"), &dir.join("duckdb"), "sqlite/duckdb");
    compare_folders(
        &dir.join("sqlite"),
        &dir.join("duckdb-run"),
        "sqlite/duckdb run",
    );

    // DuckDB as an engine of `run` on a database file that holds the
    // tables, read where they are.
    let run = ok(pactum(&[
        "run",
        &spec,
        "--engine",
        "duckdb",
        "--database",
        duckdb.database().to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--out",
        &path("duckdb-file"),
    ]));
    assert!(String::from_utf8_lossy(&run.stderr).contains("read-only"));
    compare_folders(
        &dir.join("sqlite"),
        &dir.join("duckdb-file"),
        "sqlite/duckdb file",
    );

    // The same reports, whichever engine computed the results.
    for format in ["md", "html"] {
        let mut reports = Vec::new();
        for (engine, args) in [
            ("sqlite", vec!["--data", FIXTURE]),
            (
                "postgres",
                vec!["--engine", "postgres", "--url", url.as_str()],
            ),
            ("duckdb", vec![]),
            ("duckdb-run", vec!["--engine", "duckdb", "--data", FIXTURE]),
        ] {
            let out = path(&format!("{engine}.{format}"));
            let results = path("duckdb");
            let mut command = vec![
                "report",
                spec.as_str(),
                "--as-of",
                AS_OF,
                "--out",
                out.as_str(),
            ];
            if engine == "duckdb" {
                command.extend(["--results", results.as_str()]);
            } else {
                command.extend(args.iter().copied());
            }
            ok(pactum(&command));
            reports.push(std::fs::read_to_string(&out).unwrap());
        }
        assert_eq!(
            reports[0], reports[1],
            "{format}: sqlite and postgres reports differ"
        );
        assert_eq!(
            reports[0], reports[2],
            "{format}: sqlite and duckdb reports differ"
        );
        assert_eq!(
            reports[0], reports[3],
            "{format}: sqlite and duckdb-run reports differ"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `pactum run --engine postgres --url URL` where the URL cannot be used:
/// exit 1 with P0507. Returns what it printed.
fn refused_connection(url: &str) -> String {
    let output = pactum(&[
        "run",
        &format!("{FIXTURE}/agreement.pactum"),
        "--engine",
        "postgres",
        "--url",
        url,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[P0507]"), "{stderr}");
    stderr
}

#[test]
fn a_wrong_password_never_shows() {
    // A URL whose password is wrong and whose port is closed.
    let stderr = refused_connection("postgresql://analyst:Secr3tPassw0rd@127.0.0.1:9/warehouse");
    assert!(
        stderr.contains("postgresql://analyst:***@127.0.0.1:9/warehouse"),
        "{stderr}"
    );
    assert!(!stderr.contains("Secr3tPassw0rd"), "{stderr}");
}

/// Every spelling of a connection string keeps its password out of what
/// is printed, as the driver would read it or as the user wrote it.
#[test]
fn no_spelling_of_a_password_shows() {
    let cases = [
        // `@` in the password, unencoded: refused before connecting.
        "postgresql://analyst:Secr3t@Passw0rd@127.0.0.1:9/warehouse",
        "postgresql://analyst:Secr3t%40Passw0rd@127.0.0.1:9/warehouse",
        "host=127.0.0.1 port=9 user=analyst password='Secr3t Passw0rd' dbname=warehouse",
        "host=127.0.0.1 port=9 user=analyst password = Secr3tPassw0rd dbname=warehouse",
        "postgresql://127.0.0.1:9/warehouse?user=analyst&password=Secr3tPassw0rd",
    ];
    for url in cases {
        let stderr = refused_connection(url);
        assert!(stderr.contains("***"), "{stderr}");
        for piece in ["Secr3t", "Passw0rd"] {
            assert!(!stderr.contains(piece), "{url}: {stderr}");
        }
    }
}

#[test]
fn a_url_that_cannot_be_read_is_refused_clearly() {
    let cases = [
        (
            "postgresql://analyst:Secr3tPassw0rd@127.0.0.1:9/warehouse?sslmode=strict",
            "`sslmode=strict` is not one of disable, allow, prefer, require, verify-ca, verify-full",
        ),
        (
            "postgresql://analyst:Secr3tPassw0rd@127.0.0.1:port/warehouse",
            "cannot be read",
        ),
    ];
    for (url, said) in cases {
        let stderr = refused_connection(url);
        assert!(stderr.contains(said), "{stderr}");
        assert!(stderr.contains("analyst:***@"), "{stderr}");
        assert!(!stderr.contains("Secr3tPassw0rd"), "{stderr}");
    }
}

/// TLS with libpq's words. The server `.ci/run` starts has a private CA, a
/// certificate for localhost, and a role `pactum_tls` that it refuses
/// without TLS: a run as that role proves the connection was encrypted.
#[test]
fn postgres_over_tls_gives_the_same_results_and_checks_certificates() {
    let need = |variable: &str| {
        std::env::var(variable).unwrap_or_else(|_| {
            panic!("{variable} is needed: `bash .ci/run` starts a PostgreSQL server with TLS and sets it")
        })
    };
    let tls_url = need("PACTUM_TEST_PG_TLS");
    let ca = need("PACTUM_TEST_PG_CA");
    let dir = std::env::temp_dir().join(format!("pactum-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = format!("{FIXTURE}/agreement.pactum");
    let out = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let loaded = engines::Spec::load(Path::new(&spec));
    let mut postgres = engines::Postgres::new("tls");
    postgres.load(&loaded.scope(), Path::new(FIXTURE), &Options::default());
    let plain_url = postgres.url_with_schema();
    let search_path = plain_url.split_once('?').unwrap().1;
    let run = |url: &str, folder: &str| {
        pactum(&[
            "run",
            &spec,
            "--engine",
            "postgres",
            "--url",
            url,
            "--as-of",
            AS_OF,
            "--out",
            &out(folder),
        ])
    };
    ok(run(&plain_url, "plain"));

    // Without TLS the role is refused.
    let refused = run(&format!("{tls_url}?{search_path}&sslmode=disable"), "x");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("error[P0507]"), "{stderr}");
    assert!(stderr.contains("no encryption"), "{stderr}");

    // Encrypted, certificate unchecked (libpq's `require`).
    ok(run(
        &format!("{tls_url}?{search_path}&sslmode=require"),
        "require",
    ));
    compare_folders(&dir.join("plain"), &dir.join("require"), "require");

    // Encrypted, certificate checked against the CA and the host name.
    let root = ca.replace('/', "%2F");
    ok(run(
        &format!("{tls_url}?{search_path}&sslmode=verify-full&sslrootcert={root}"),
        "verify",
    ));
    compare_folders(&dir.join("plain"), &dir.join("verify"), "verify-full");

    // The private CA is not among the built-in roots: refused.
    let untrusted = run(&format!("{tls_url}?{search_path}&sslmode=verify-full"), "x");
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert!(stderr.contains("error[P0507]"), "{stderr}");
    assert!(stderr.contains("UnknownIssuer"), "{stderr}");
    assert!(!dir.join("x").exists(), "a refused run wrote results");
    std::fs::remove_dir_all(&dir).unwrap();
}
