//! Running an agreement where its data already is: a PostgreSQL server.
//! The queries are rendered in the PostgreSQL dialect and run in a
//! read-only transaction; nothing is copied to or written in the
//! database. Results that later queries read (credits, metrics) are kept
//! in temporary tables of the session, which the server drops when the
//! session ends, where the user may make them. Rows come back as text (the
//! simple query protocol) and are typed by the manifest's columns, as
//! result files are.
//!
//! The connection URL may hold a password: it never appears in output or
//! errors (see [`redact`]).

use postgres::config::SslMode;
use postgres::{CancelToken, Client, NoTls, SimpleQueryMessage};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::engine::{self, Canceller, Engine};
use super::results::parse_cell;
use super::tls::{self, Mode};
use super::{Cell, DataError, Progress, Table};
use crate::diagnostics::codes;
use crate::sql::dialect::{Dialect, Postgres};
use crate::sql::plan::{ColumnKind, Planned};
use crate::sql::render::Renderer;

/// Sends a cancel request for the query running on a connection, over
/// the connection's own TLS settings; `false` when it could not be sent.
type CancelQuery = Arc<dyn Fn(&CancelToken) -> bool + Send + Sync>;

/// A PostgreSQL server holding the agreement's source tables, in one
/// read-only transaction.
pub struct Server {
    client: Client,
    url: String,
    /// How to reach the server again to cancel a query (with TLS when the
    /// connection has it).
    cancel: CancelQuery,
    cancelled: Arc<AtomicBool>,
    statement_timeout: std::time::Duration,
    /// Whether the session may make temporary tables (the `TEMP`
    /// privilege, on a server that is not a read-only standby).
    keeps_results: bool,
    /// The results kept so far.
    kept: usize,
}

/// What a run sets on its session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The agreement's time zone: where days, weeks and months begin.
    pub time_zone: String,
    /// How long one statement may run before the server stops it; zero
    /// for no limit.
    pub statement_timeout: std::time::Duration,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            time_zone: "UTC".to_string(),
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
        }
    }
}

/// Thirty minutes: far beyond any query of an agreement on an indexed
/// warehouse, short enough that a forgotten run does not hold the server.
pub const DEFAULT_STATEMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1800);

impl Server {
    pub fn connect(url: &str, session: &Session) -> Result<Server, Box<DataError>> {
        let unreadable = |why: String| {
            failure(
                codes::DATABASE_UNREACHABLE,
                url,
                format!("the PostgreSQL URL {} cannot be read: {why}", redact(url)),
                "write it as postgresql://USER@HOST:PORT/DATABASE, with options after `?`",
            )
        };
        if ambiguous_user_information(url) {
            return Err(unreadable(
                "its password holds `@`; write it as `%40` in a URL".to_string(),
            ));
        }
        let (driver_url, settings) = tls::split(url).map_err(unreadable)?;
        let mut config: postgres::Config = driver_url
            .parse()
            .map_err(|e: postgres::Error| unreadable(e.to_string()))?;
        if let Some(mode) = settings.mode {
            config.ssl_mode(match mode {
                Mode::Disable => SslMode::Disable,
                Mode::Prefer => SslMode::Prefer,
                Mode::Require | Mode::Verify => SslMode::Require,
            });
        }
        let tls = tls::client_config(&settings).map_err(|why| {
            failure(
                codes::DATABASE_UNREACHABLE,
                url,
                why,
                "`sslrootcert=FILE` names a PEM file of the certificates to trust",
            )
        })?;
        let (connected, cancel): (_, CancelQuery) = match config.get_ssl_mode() {
            SslMode::Disable => (
                config.connect(NoTls),
                Arc::new(|token: &CancelToken| token.cancel_query(NoTls).is_ok()),
            ),
            _ => {
                let connector = MakeRustlsConnect::new(tls);
                let again = connector.clone();
                (
                    config.connect(connector),
                    Arc::new(move |token: &CancelToken| token.cancel_query(again.clone()).is_ok()),
                )
            }
        };
        let mut client = connected.map_err(|e| {
            // The driver's error hides the TLS cause (a certificate that
            // is not trusted, say) in its source.
            let cause = std::error::Error::source(&e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            failure(
                codes::DATABASE_UNREACHABLE,
                url,
                format!("cannot connect to PostgreSQL at {}: {e}{cause}", redact(url)),
                "check the URL (postgresql://USER@HOST:PORT/DATABASE, the password in PGPASSWORD or the URL), that the server accepts the connection, and for TLS its `sslmode` and `sslrootcert`",
            )
        })?;
        // What the generated SQL relies on, whatever the server's, the
        // database's or the URL's defaults say: standard strings; built-in
        // functions found first (no schema on the search path can stand in
        // for them); calendar days in the agreement's time zone; and no
        // statement left running for ever. JIT compilation is off where the
        // server has it: compiling Pactum's large queries cost more than it
        // saved (docs/run.md, "On PostgreSQL": 153 s with it, 111 s
        // without, at 1M touches).
        let setup = format!(
            "SET standard_conforming_strings = on; \
             SELECT set_config('search_path', CASE current_setting('search_path') \
               WHEN '' THEN 'pg_catalog' \
               ELSE 'pg_catalog, ' || current_setting('search_path') END, false); \
             SELECT set_config('jit', 'off', false) WHERE current_setting('jit', true) IS NOT NULL; \
             SET TimeZone = {}; \
             SET statement_timeout = {}",
            Postgres.quote_string(&session.time_zone),
            session.statement_timeout.as_millis()
        );
        let cannot_start = |e: postgres::Error| {
            failure(
                codes::DATABASE_UNREACHABLE,
                url,
                format!("cannot start a read-only transaction: {e}"),
                "the user needs to read the source tables; nothing is written",
            )
        };
        client.batch_execute(&setup).map_err(cannot_start)?;
        let keeps_results = client
            .query_one(
                "SELECT has_database_privilege(current_database(), 'TEMP') \
                   AND NOT pg_is_in_recovery() \
                   AND current_setting('transaction_read_only') = 'off'",
                &[],
            )
            .map(|row| row.get::<_, bool>(0))
            .unwrap_or(false);
        client
            .batch_execute("BEGIN TRANSACTION READ ONLY")
            .map_err(cannot_start)?;
        Ok(Server {
            client,
            url: url.to_string(),
            cancel,
            cancelled: Arc::new(AtomicBool::new(false)),
            statement_timeout: session.statement_timeout,
            keeps_results,
            kept: 0,
        })
    }

    pub fn query(
        &mut self,
        planned: &Planned,
        progress: &dyn Progress,
    ) -> Result<Table, Box<DataError>> {
        progress.query(&planned.name());
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(engine::cancelled(&planned.name()));
        }
        let sql = Renderer::new(&Postgres).query(&planned.query);
        let cancelled = &self.cancelled;
        let timeout = self.statement_timeout;
        let messages = self.client.simple_query(&sql).map_err(|e| {
            if cancelled.load(Ordering::SeqCst) {
                return engine::cancelled(&planned.name());
            }
            if e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED) && !timeout.is_zero() {
                return failure(
                    codes::QUERY_FAILED,
                    &self.url,
                    format!(
                        "query `{}` ran longer than the statement timeout ({} s) and the server stopped it",
                        planned.name(),
                        timeout.as_secs()
                    ),
                    "give it more time with `--statement-timeout SECONDS` (0: no limit), or run it where the tables are indexed on their customer and time columns",
                );
            }
            failure(
                codes::QUERY_FAILED,
                &self.url,
                format!("query `{}` failed on PostgreSQL: {}", planned.name(), e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())),
                "check that the source tables exist with the columns the agreement declares (`pactum compile --dialect postgres` shows the SQL)",
            )
        })?;
        let mut rows = Vec::new();
        for message in messages {
            if let SimpleQueryMessage::Row(row) = message {
                let mut cells = Vec::with_capacity(planned.columns.len());
                for (i, column) in planned.columns.iter().enumerate() {
                    let cell = match row.get(i) {
                        None => super::Cell::Null,
                        Some(raw) => parse_cell(raw, column).ok_or_else(|| {
                            failure(
                                codes::QUERY_FAILED,
                                &self.url,
                                format!(
                                    "query `{}` gave `{raw}` for column `{}`",
                                    planned.name(),
                                    column.name
                                ),
                                "this is a bug in Pactum's SQL for PostgreSQL; please report it",
                            )
                        })?,
                    };
                    cells.push(cell);
                }
                rows.push(cells);
            }
        }
        Ok(Table {
            name: planned.name(),
            columns: planned.columns.clone(),
            rows,
        })
    }
}

/// Queries run one after the other in the read-only transaction; what
/// later queries read is kept in temporary tables when the session may
/// make them, else re-derived by each query that embeds it.
impl Engine for Server {
    fn keeps(&self, agreement: &crate::model::Agreement<'_>) -> Vec<crate::sql::plan::QueryId> {
        if self.keeps_results {
            crate::sql::reusable(agreement)
        } else {
            Vec::new()
        }
    }

    /// Makes the temporary table between two read-only transactions (a
    /// read-only transaction may fill a temporary table, not make one),
    /// copies the rows in and gathers the planner's statistics on them.
    fn keep(
        &mut self,
        id: &crate::sql::plan::QueryId,
        table: &Table,
    ) -> Result<(), Box<DataError>> {
        use std::io::Write;
        let name = Postgres.quote_ident(&crate::sql::plan::reused_table(id));
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| {
                let ty = match c.kind {
                    ColumnKind::Integer => "BIGINT",
                    ColumnKind::Number => "DOUBLE PRECISION",
                    ColumnKind::Text => "TEXT",
                    ColumnKind::Date => "DATE",
                    ColumnKind::Timestamp => "TIMESTAMP",
                };
                format!("{} {ty}", Postgres.quote_ident(&c.name))
            })
            .collect();
        let url = self.url.clone();
        let failed = |e: postgres::Error| {
            failure(
                codes::QUERY_FAILED,
                &url,
                format!(
                    "cannot keep the results of `{}` in a temporary table: {}",
                    table.name,
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_string())
                ),
                "the user needs PostgreSQL's TEMP privilege on the database (every user has it unless it was revoked)",
            )
        };
        self.client
            .batch_execute(&format!(
                "ROLLBACK; DROP TABLE IF EXISTS pg_temp.{name}; CREATE TEMPORARY TABLE {name} ({});",
                columns.join(", ")
            ))
            .map_err(failed)?;
        // CSV as COPY reads it: NULL an unquoted empty field, text always
        // quoted, numbers in their shortest exact form.
        let mut copy = self
            .client
            .copy_in(&format!("COPY pg_temp.{name} FROM STDIN (FORMAT csv)"))
            .map_err(failed)?;
        let mut line = String::new();
        for row in &table.rows {
            line.clear();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                match cell {
                    Cell::Null => {}
                    Cell::Integer(n) => line.push_str(&n.to_string()),
                    Cell::Number(x) => line.push_str(&format!("{x:?}")),
                    Cell::Text(t) => {
                        line.push('"');
                        line.push_str(&t.replace('"', "\"\""));
                        line.push('"');
                    }
                }
            }
            line.push('\n');
            copy.write_all(line.as_bytes()).map_err(|e| {
                failure(
                    codes::QUERY_FAILED,
                    &url,
                    format!("cannot keep the results of `{}`: {e}", table.name),
                    "check the connection to the server",
                )
            })?;
        }
        copy.finish().map_err(failed)?;
        self.client
            .batch_execute(&format!(
                "ANALYZE pg_temp.{name}; BEGIN TRANSACTION READ ONLY"
            ))
            .map_err(failed)?;
        self.kept += 1;
        Ok(())
    }

    fn keeping_note(&self) -> Option<String> {
        Some(if self.keeps_results {
            format!("{} results kept in temporary tables", self.kept)
        } else {
            "no temporary tables allowed: each query computed what it reads".to_string()
        })
    }

    fn run_round(
        &mut self,
        queries: &[Planned],
        progress: &(dyn Progress + Sync),
    ) -> Result<Vec<Table>, Box<DataError>> {
        queries
            .iter()
            .map(|planned| self.query(planned, progress))
            .collect()
    }

    fn canceller(&self) -> Canceller {
        let token = self.client.cancel_token();
        let cancel = Arc::clone(&self.cancel);
        let cancelled = Arc::clone(&self.cancelled);
        Canceller::new(move || {
            cancelled.store(true, Ordering::SeqCst);
            cancel(&token);
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Nothing was written; end the transaction without a trace.
        let _ = self.client.batch_execute("ROLLBACK");
    }
}

fn failure(code: &'static str, url: &str, message: String, help: &str) -> Box<DataError> {
    Box::new(DataError {
        code,
        file: None,
        line: None,
        column: None,
        // Drivers may quote the URL; the password never leaves.
        message: scrub(&message, url),
        help: help.to_string(),
    })
}

/// The connection string with its password replaced by `***`: in a URL,
/// the user information runs to the last `@` before the query (a password
/// may hold `@`), and a `password` query parameter is hidden; in the
/// `key=value` form, the value of `password`, quoted or not, with spaces
/// around `=` or not.
pub fn redact(conn: &str) -> String {
    let mut out = conn.to_string();
    let mut places = passwords(conn);
    places.sort_by_key(|p| std::cmp::Reverse(p.range.start));
    for place in places {
        out.replace_range(place.range, "***");
    }
    out
}

/// A password as written in a connection string.
struct Password {
    /// Where it is written.
    range: std::ops::Range<usize>,
    /// What it is: percent-decoded in a URL, unquoted in `key=value`.
    value: String,
}

fn passwords(conn: &str) -> Vec<Password> {
    let mut found = Vec::new();
    let Some(scheme_end) = conn.find("://") else {
        found.extend(key_value_password(conn));
        return found;
    };
    let start = scheme_end + 3;
    let rest = &conn[start..];
    let query = rest.find('?').unwrap_or(rest.len());
    if let Some(at) = rest[..query].rfind('@')
        && let Some(colon) = rest[..at].find(':')
    {
        found.push(Password {
            range: start + colon + 1..start + at,
            value: percent_decoded(&rest[colon + 1..at]),
        });
    }
    let mut position = start + query + 1;
    for pair in rest.get(query + 1..).unwrap_or("").split('&') {
        if let Some(value) = pair.strip_prefix("password=") {
            let value_start = position + "password=".len();
            found.push(Password {
                range: value_start..value_start + value.len(),
                value: percent_decoded(value),
            });
        }
        position += pair.len() + 1;
    }
    found
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of `password` in a `key=value` connection string, as libpq
/// reads one: pairs separated by spaces, values single-quoted (with
/// backslash escapes) or bare.
fn key_value_password(conn: &str) -> Option<Password> {
    let bytes = conn.as_bytes();
    let mut i = 0;
    let skip_spaces = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_spaces(&mut i);
        if i >= bytes.len() {
            return None;
        }
        let key_start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &conn[key_start..i];
        skip_spaces(&mut i);
        if i >= bytes.len() || bytes[i] != b'=' {
            return None;
        }
        i += 1;
        skip_spaces(&mut i);
        let value_start = i;
        let mut value = Vec::new();
        if bytes.get(i) == Some(&b'\'') {
            i += 1;
            while i < bytes.len() && bytes[i] != b'\'' {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    i += 1;
                }
                value.push(bytes[i]);
                i += 1;
            }
            i = (i + 1).min(bytes.len());
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                value.push(bytes[i]);
                i += 1;
            }
        }
        if key == "password" {
            return Some(Password {
                range: value_start..i,
                value: String::from_utf8_lossy(&value).into_owned(),
            });
        }
    }
}

/// Any text with the connection string shown redacted, and each password
/// in it replaced by `***`.
fn scrub(text: &str, conn: &str) -> String {
    let mut out = text.replace(conn, &redact(conn));
    for password in passwords(conn) {
        if !password.value.is_empty() {
            out = out.replace(&password.value, "***");
        }
    }
    out
}

/// A URL whose password holds a bare `@`: the driver would take what
/// follows the first `@` for the host, and could show part of the password
/// in its messages.
fn ambiguous_user_information(conn: &str) -> bool {
    let Some(scheme_end) = conn.find("://") else {
        return false;
    };
    let rest = &conn[scheme_end + 3..];
    let query = rest.find('?').unwrap_or(rest.len());
    let Some(at) = rest[..query].rfind('@') else {
        return false;
    };
    let user_information = &rest[..at];
    user_information
        .find(':')
        .is_some_and(|colon| user_information[colon + 1..].contains('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgresql://ana:s3cret@db.example:5432/warehouse"),
            "postgresql://ana:***@db.example:5432/warehouse"
        );
        assert_eq!(
            redact("postgresql://db.example/warehouse?user=ana&password=s3cret&sslmode=disable"),
            "postgresql://db.example/warehouse?user=ana&password=***&sslmode=disable"
        );
        assert_eq!(
            redact("postgresql://ana@db.example/warehouse"),
            "postgresql://ana@db.example/warehouse"
        );
        assert_eq!(
            scrub(
                "error connecting to postgresql://ana:s3cret@h/db: s3cret rejected",
                "postgresql://ana:s3cret@h/db"
            ),
            "error connecting to postgresql://ana:***@h/db: *** rejected"
        );
    }

    /// Spellings a user may give, each with the password that must not
    /// show: as the driver reads it, and as written.
    #[test]
    fn passwords_never_show_however_the_connection_string_is_spelled() {
        let corpus = [
            (
                "postgresql://ana:p@ss@db.example/warehouse",
                "postgresql://ana:***@db.example/warehouse",
                "p@ss",
            ),
            (
                "postgresql://ana:p%40ss%20word@db.example/warehouse",
                "postgresql://ana:***@db.example/warehouse",
                "p@ss word",
            ),
            (
                "postgresql://db.example/warehouse?user=ana&password=s%20ecret&sslmode=disable",
                "postgresql://db.example/warehouse?user=ana&password=***&sslmode=disable",
                "s ecret",
            ),
            (
                "host=db.example user=ana password='a b c' dbname=warehouse",
                "host=db.example user=ana password=*** dbname=warehouse",
                "a b c",
            ),
            (
                "host=db.example password = hunter22 dbname=warehouse",
                "host=db.example password = *** dbname=warehouse",
                "hunter22",
            ),
            (
                "password='it\\'s secret' host=db.example",
                "password=*** host=db.example",
                "it's secret",
            ),
        ];
        for (conn, shown, secret) in corpus {
            assert_eq!(redact(conn), shown, "{conn}");
            let values: Vec<String> = passwords(conn).into_iter().map(|p| p.value).collect();
            assert_eq!(values, [secret], "{conn}");
            let message = format!("cannot connect with {conn}: {secret} was refused");
            let scrubbed = scrub(&message, conn);
            assert!(!scrubbed.contains(secret), "{scrubbed}");
            assert_eq!(
                scrubbed,
                format!("cannot connect with {shown}: *** was refused")
            );
        }
    }
}
