//! A string from a spec means the same on every PostgreSQL server: the
//! literal is written so that `standard_conforming_strings` cannot change
//! it, and a run sets what its SQL relies on whatever the server's or the
//! URL's defaults say. Needs the server `bash .ci/run` starts
//! (`PACTUM_TEST_PG`).

use pactum::sql::dialect::{Dialect, Postgres};
use pactum::sql::plan::{ColumnKind, Planned, QueryId, out};
use pactum::sql::render::Renderer;
use pactum::sql::tree::{Body, Expr, Query, Select, func, item};

/// Strings that close a literal early when it is written naively; the
/// last ones carry statements that must never run.
const CORPUS: &[&str] = &[
    "plain",
    "it's",
    "back\\slash",
    "\\",
    "\\'",
    "\\\\'",
    "\\'; DROP TABLE pactum_canary; --",
    "x\\''); DROP TABLE pactum_canary; --",
    "'; DROP TABLE pactum_canary; --",
    "tab\\tnewline\\n",
    "$$ dollar $$",
    "é ü 中文",
];

fn url() -> String {
    std::env::var("PACTUM_TEST_PG").unwrap_or_else(|_| {
        panic!(
            "PostgreSQL is needed: set PACTUM_TEST_PG to a connection URL, or run `bash .ci/run`, which starts a server"
        )
    })
}

#[test]
fn literals_mean_the_same_whatever_standard_conforming_strings_says() {
    let mut client = postgres::Client::connect(&url(), postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS pactum_canary (x INT)")
        .unwrap();
    for setting in ["on", "off"] {
        client
            .batch_execute(&format!("SET standard_conforming_strings = {setting}"))
            .unwrap();
        for text in CORPUS {
            // As the renderer writes it: simple query protocol, several
            // statements allowed, which is what an injection would need.
            let sql = format!("SELECT {} AS v", Postgres.quote_string(text));
            let rows = client.simple_query(&sql).unwrap();
            let values: Vec<String> = rows
                .iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                    _ => None,
                })
                .collect();
            assert_eq!(values, [text.to_string()], "{setting}: {sql}");
        }
    }
    client
        .batch_execute("SET standard_conforming_strings = on")
        .unwrap();
    let canary: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'pactum_canary'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(canary, 1, "an injected statement dropped the canary table");
    client.batch_execute("DROP TABLE pactum_canary").unwrap();
}

/// `SELECT current_setting('standard_conforming_strings')` as a planned
/// query.
fn setting_query() -> Planned {
    setting_of("standard_conforming_strings")
}

/// `SELECT current_setting(NAME)` as a planned query.
fn setting_of(name: &str) -> Planned {
    Planned {
        id: QueryId::Audits,
        reads: Vec::new(),
        purpose: String::new(),
        inputs: Vec::new(),
        columns: vec![out("v", ColumnKind::Text, "the setting")],
        query: Query {
            ctes: Vec::new(),
            body: Body::Select(Box::new(Select {
                columns: vec![item(
                    func("current_setting", vec![Expr::Str(name.to_string())]),
                    "v",
                )],
                ..Select::default()
            })),
        },
    }
}

#[test]
fn a_run_sets_standard_conforming_strings_even_when_the_url_turns_it_off() {
    // libpq's `options` parameter, as a user might pass it.
    let base = url();
    let separator = if base.contains('?') { '&' } else { '?' };
    let off = format!("{base}{separator}options=-c%20standard_conforming_strings%3Doff");
    // The URL really does turn it off for a plain connection...
    let mut plain = postgres::Client::connect(&off, postgres::NoTls).unwrap();
    let before: String = plain
        .query_one("SHOW standard_conforming_strings", &[])
        .unwrap()
        .get(0);
    assert_eq!(before, "off");
    // ...and a run's session turns it back on before any query.
    let mut server = pactum::run::postgres::Server::connect(&off, &Default::default()).unwrap();
    let sql = Renderer::new(&Postgres).query(&setting_query().query);
    assert!(sql.contains("current_setting"), "{sql}");
    let tables =
        pactum::run::Engine::run_round(&mut server, &[setting_query()], &pactum::run::Quiet)
            .unwrap();
    assert_eq!(
        tables[0].rows,
        [vec![pactum::run::Cell::Text("on".to_string())]]
    );
}

#[test]
fn a_server_reads_its_tables_where_they_are_and_loads_no_files() {
    use std::path::Path;
    let dir = Path::new("tests/sql/scorecard");
    let ws =
        pactum::check::workspace::Workspace::load(&[dir.join("agreement.pactum")], dir).unwrap();
    let scope = ws.scope(ws.agreements()[0]);
    let agreement = pactum::model::Agreement::of(&scope);
    let mut server = pactum::run::postgres::Server::connect(&url(), &Default::default()).unwrap();
    let error = pactum::run::Engine::load(
        &mut server,
        &agreement,
        dir,
        &pactum::sql::plan::Options::default(),
        &pactum::run::Quiet,
    )
    .unwrap_err();
    assert_eq!(error.code, "P0505");
    assert!(
        error.message.contains("where they are"),
        "{}",
        error.message
    );
    assert!(error.help.contains("--data"), "{}", error.help);
}

/// A run's session: the agreement's time zone (where days begin), built-in
/// functions ahead of any schema on the search path, a statement timeout
/// and no JIT compilation, whatever the URL asked for.
#[test]
fn a_run_sets_time_zone_search_path_and_statement_timeout() {
    let base = url();
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!(
        "{base}{separator}options=-c%20TimeZone%3DAsia/Tokyo%20-c%20search_path%3Devil,public%20-c%20statement_timeout%3D0%20-c%20jit%3Don"
    );
    let session = pactum::run::postgres::Session {
        time_zone: "Europe/Amsterdam".to_string(),
        statement_timeout: std::time::Duration::from_secs(90),
    };
    let mut server = pactum::run::postgres::Server::connect(&url, &session).unwrap();
    let mut setting = |name: &str| {
        let tables =
            pactum::run::Engine::run_round(&mut server, &[setting_of(name)], &pactum::run::Quiet)
                .unwrap();
        match &tables[0].rows[0][0] {
            pactum::run::Cell::Text(value) => value.clone(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(setting("TimeZone"), "Europe/Amsterdam");
    assert_eq!(setting("statement_timeout"), "90s");
    assert_eq!(setting("search_path"), "pg_catalog, evil,public");
    assert_eq!(setting("jit"), "off");
}
