//! Running an agreement where its data already is: a PostgreSQL server.
//! The queries are rendered in the PostgreSQL dialect and run in one
//! read-only transaction; nothing is copied or written. Rows come back as
//! text (the simple query protocol) and are typed by the manifest's
//! columns, as result files are.
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
use super::{DataError, Progress, Table};
use crate::diagnostics::codes;
use crate::sql::dialect::Postgres;
use crate::sql::plan::Planned;
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
}

impl Server {
    pub fn connect(url: &str) -> Result<Server, Box<DataError>> {
        let unreadable = |why: String| {
            failure(
                codes::DATABASE_UNREACHABLE,
                url,
                format!("the PostgreSQL URL {} cannot be read: {why}", redact(url)),
                "write it as postgresql://USER@HOST:PORT/DATABASE, with options after `?`",
            )
        };
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
        client
            // What the generated SQL relies on, whatever the server's or
            // the database's defaults say.
            .batch_execute("SET standard_conforming_strings = on; BEGIN TRANSACTION READ ONLY")
            .map_err(|e| {
                failure(
                    codes::DATABASE_UNREACHABLE,
                    url,
                    format!("cannot start a read-only transaction: {e}"),
                    "the user needs to read the source tables; nothing is written",
                )
            })?;
        Ok(Server {
            client,
            url: url.to_string(),
            cancel,
            cancelled: Arc::new(AtomicBool::new(false)),
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
        let messages = self.client.simple_query(&sql).map_err(|e| {
            if cancelled.load(Ordering::SeqCst) {
                return engine::cancelled(&planned.name());
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

/// Queries run one after the other in the read-only transaction; nothing
/// is kept (the server re-derives what a query embeds).
impl Engine for Server {
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

/// The URL with its password replaced by `***`:
/// `postgresql://user:secret@host/db` becomes `postgresql://user:***@host/db`;
/// a `password=` parameter is hidden too.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest = &out[scheme_end + 3..];
        if let Some(at) = rest.find('@')
            && let Some(colon) = rest[..at].find(':')
        {
            let start = scheme_end + 3 + colon + 1;
            let end = scheme_end + 3 + at;
            out.replace_range(start..end, "***");
        }
    }
    if let Some(position) = out.find("password=") {
        let start = position + "password=".len();
        let end = out[start..]
            .find(['&', ' '])
            .map_or(out.len(), |e| start + e);
        out.replace_range(start..end, "***");
    }
    out
}

/// Any text with the URL's password (if any) replaced by `***`.
fn scrub(text: &str, url: &str) -> String {
    let redacted = redact(url);
    let mut out = text.replace(url, &redacted);
    if let Some(password) = password(url)
        && !password.is_empty()
    {
        out = out.replace(&password, "***");
    }
    out
}

fn password(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let at = rest.find('@')?;
    let colon = rest[..at].find(':')?;
    Some(rest[colon + 1..at].to_string())
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
}
