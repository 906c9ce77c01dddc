//! Cancelling a run: the engine's canceller stops the query running now
//! (SQLite interrupts it; PostgreSQL cancels it on the server, so it does
//! not go on using the warehouse), and the run ends with P0508.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use pactum::check::workspace::Workspace;
use pactum::run::{DataError, Embedded, Engine, Progress};
use pactum::sql::plan::{ColumnKind, Options, Planned, QueryId, out};
use pactum::sql::tree::{Body, Expr, From, Join, JoinKind, Query, Select, func, item};

/// Tells the test when a query has started.
struct Started(std::sync::Mutex<mpsc::Sender<String>>);

impl Progress for Started {
    fn query(&self, name: &str) {
        let _ = self.0.lock().unwrap().send(name.to_string());
    }
}

/// `SELECT COUNT(1)` over `table` joined with itself `times` times: far
/// too many rows to count before the test cancels it.
fn endless(table: &[&str], times: usize) -> Planned {
    let from = |k: usize| From::Table {
        path: table.iter().map(|p| p.to_string()).collect(),
        alias: format!("t{k}"),
    };
    Planned {
        id: QueryId::Audits,
        reads: Vec::new(),
        purpose: String::new(),
        inputs: Vec::new(),
        columns: vec![out("n", ColumnKind::Integer, "rows")],
        query: Query {
            ctes: Vec::new(),
            body: Body::Select(Box::new(Select {
                columns: vec![item(func("COUNT", vec![Expr::Int(1)]), "n")],
                from: Some(from(0)),
                joins: (1..times)
                    .map(|k| Join {
                        kind: JoinKind::Inner,
                        from: from(k),
                        on: Expr::Bool(true),
                    })
                    .collect(),
                ..Select::default()
            })),
        },
    }
}

/// Runs `query` on `engine` on a thread of its own, cancels it once it
/// has started (and had a moment to get going), and returns its error.
fn cancel_while_running<E: Engine + Send>(engine: &mut E, query: Planned) -> Box<DataError> {
    let (sender, receiver) = mpsc::channel();
    let progress = Started(std::sync::Mutex::new(sender));
    let canceller = engine.canceller();
    std::thread::scope(|scope| {
        let running = scope.spawn(|| engine.run_round(std::slice::from_ref(&query), &progress));
        receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("the query starts");
        std::thread::sleep(Duration::from_millis(300));
        canceller.cancel();
        running
            .join()
            .unwrap()
            .expect_err("a cancelled query gives no table")
    })
}

#[test]
fn the_embedded_engine_interrupts_a_running_query() {
    let spec = Path::new("tests/sql/scorecard/agreement.pactum");
    let ws = Workspace::load(&[spec.to_path_buf()], Path::new("tests/sql/scorecard")).unwrap();
    let scope = ws.scope(ws.agreements()[0]);
    let agreement = pactum::model::Agreement::of(&scope);
    let options = Options::default();
    let (mut engine, _) = Embedded::with_data(
        &agreement,
        Path::new("tests/sql/scorecard"),
        &options,
        &pactum::run::Quiet,
    )
    .unwrap();
    // 30 touches joined 7 times: 2 * 10^10 rows.
    let touches = agreement.source("touches").unwrap();
    let path = touches.table_path("");
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let error = cancel_while_running(&mut engine, endless(&path, 7));
    assert_eq!(error.code, "P0508", "{error}");
    assert!(error.message.contains("cancelled"), "{error}");
    // The engine still answers afterwards, for nothing was broken: a new
    // round starts no query once cancelled.
    let again = engine.run_round(&[endless(&path, 1)], &pactum::run::Quiet);
    assert_eq!(again.unwrap_err().code, "P0508");
}

#[test]
fn a_postgres_query_is_cancelled_on_the_server() {
    let url = std::env::var("PACTUM_TEST_PG").unwrap_or_else(|_| {
        panic!(
            "PostgreSQL is needed: set PACTUM_TEST_PG to a connection URL, or run `bash .ci/run`, which starts a server"
        )
    });
    let mut server = pactum::run::postgres::Server::connect(&url, &Default::default()).unwrap();
    // The catalog has hundreds of rows: joined 5 times, far too many.
    let error = cancel_while_running(&mut server, endless(&["pg_catalog", "pg_class"], 5));
    assert_eq!(error.code, "P0508", "{error}");
    // Nothing of it is left running on the server.
    let mut watcher = postgres_client(&url);
    let still: i64 = watcher
        .query_one(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_class%t4%' AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(still, 0, "the cancelled query still runs on the server");
}

fn postgres_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}
