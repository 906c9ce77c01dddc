//! Running an agreement on the embedded SQLite engine: one CSV file per
//! source is checked against the source's declared columns and loaded, in
//! one transaction, into an in-memory database; every compiled query then
//! runs on it, and its rows come back typed by the manifest's columns.
//!
//! Data errors name the file, line and column, with what was expected and
//! a stable code; nothing is loaded half.

pub mod duckdb;
pub mod engine;
pub mod postgres;
pub mod results;
pub mod tls;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub use engine::{Canceller, Engine};

use rusqlite::{Connection, params_from_iter, types::Value as SqlValue};

use crate::diagnostics::codes;
use crate::model::{Agreement, Source};
use crate::sql::dialect::Sqlite;
use crate::sql::load::{columns, create_indexes, create_table};
use crate::sql::plan::{ColumnKind, Options, OutputColumn, Planned, QueryId, table_path};
use crate::sql::render::Renderer;
use crate::vocabulary::ColumnType;

/// A cell of a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Number(f64),
    Text(String),
}

/// One query's rows, with the manifest's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<OutputColumn>,
    pub rows: Vec<Vec<Cell>>,
}

/// A data error: where, what, and what would be right.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// Stable code: `P0501` missing file, `P0502` missing column, `P0503`
    /// value of the wrong type, `P0504` unreadable CSV, `P0505` a table the
    /// embedded engine cannot hold, `P0506` a query the engine rejected,
    /// `P0507` a database that cannot be reached.
    pub code: &'static str,
    pub file: Option<PathBuf>,
    /// 1-based line of the file.
    pub line: Option<u64>,
    /// 1-based position of the field in its line, and the column's name.
    pub column: Option<(usize, String)>,
    pub message: String,
    pub help: String,
}

impl std::fmt::Display for DataError {
    /// One error for a terminal: the file and place, the message and the
    /// help, with control and invisible characters from the data escaped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::diagnostics::visible::escaped;
        write!(f, "error[{}]: ", self.code)?;
        if let Some(file) = &self.file {
            write!(f, "{}", escaped(&file.display().to_string()))?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some((position, _)) = &self.column {
                    write!(f, ":{position}")?;
                }
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", escaped(&self.message))?;
        if let Some((_, name)) = &self.column {
            write!(f, " (column `{}`)", escaped(name))?;
        }
        write!(f, "\n  = help: {}", escaped(&self.help))
    }
}

/// What the loader reports as it goes (a progress bar, or nothing).
pub trait Progress {
    fn loading(&self, _source: &str) {}
    fn rows(&self, _count: u64) {}
    fn query(&self, _name: &str) {}
    /// A query has returned its rows.
    fn finished(&self, _name: &str) {}
}

/// No progress shown.
pub struct Quiet;
impl Progress for Quiet {}

/// A private SQLite database holding an agreement's sources: a scratch
/// folder with one file per schema, removed when the engine is dropped.
/// Files rather than memory so that several read-only connections can run
/// queries side by side, one per core.
pub struct Embedded {
    connection: Connection,
    folder: PathBuf,
    schemas: Vec<String>,
    /// How many connections run a round's queries side by side.
    threads: usize,
    /// Set by the canceller: no query starts after it.
    cancelled: Arc<AtomicBool>,
    /// The connections running queries now, for the canceller to
    /// interrupt.
    running: Arc<Mutex<Vec<rusqlite::InterruptHandle>>>,
}

impl Drop for Embedded {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Removes a scratch folder when dropped.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a worker leaves for a query: nothing yet, its table, or its error.
type Outcome = Option<Result<Table, Box<DataError>>>;

/// Settings every connection gets: sorts and temporary B-trees in memory
/// and a large page cache (the queries are sort- and join-heavy).
const PRAGMAS: &str = "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;";

/// Turns off SQLite's memory statistics, once per process, before the
/// first connection opens. They take a process-wide lock on every
/// allocation, so queries on several connections at once queue on it: with
/// two connections a run took a quarter longer than without it.
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` with SQLITE_CONFIG_MEMSTATUS takes one
        // int. Called before SQLite is initialised it only sets a flag;
        // called after (another connection in this process opened first)
        // it returns SQLITE_MISUSE and changes nothing, which is harmless:
        // the setting only affects speed.
        let _ = unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::os::raw::c_int,
            )
        };
    });
}

/// A connection to the engine's database in `folder` with every schema's
/// file attached. A writable one keeps no journal and does not sync: the
/// database is scratch.
fn open(folder: &Path, schemas: &[String], writable: bool) -> Result<Connection, Box<DataError>> {
    use crate::sql::dialect::Dialect;
    use rusqlite::OpenFlags;
    let flags = if writable {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    };
    let connection = Connection::open_with_flags(
        folder.join("main.db"),
        flags | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| engine_error(&e))?;
    let unjournaled = |name: &str| {
        if writable {
            format!(" PRAGMA {name}journal_mode = OFF; PRAGMA {name}synchronous = OFF;")
        } else {
            String::new()
        }
    };
    let mut script = format!("{PRAGMAS}{}", unjournaled(""));
    for (k, schema) in schemas.iter().enumerate() {
        let name = Sqlite.quote_ident(schema);
        let file = folder.join(format!("schema{k}.db"));
        script.push_str(&format!(
            " ATTACH DATABASE {} AS {name};{}",
            Sqlite.quote_string(&file.display().to_string()),
            unjournaled(&format!("{name}."))
        ));
    }
    connection
        .execute_batch(&script)
        .map_err(|e| engine_error(&e))?;
    add_functions(&connection).map_err(|e| engine_error(&e))?;
    Ok(connection)
}

/// Registers the functions Pactum's SQLite SQL may call beyond SQLite's
/// own: `pactum_local_time(instant, zone)`, the local time in an IANA zone
/// of an instant (`YYYY-MM-DD HH:MM:SS` with `Z` or a UTC offset), NULL for
/// NULL. SQLite has no time zone database; this one is Pactum's, the same
/// on every machine.
pub fn add_functions(connection: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    connection.create_scalar_function(
        "pactum_local_time",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            // The zone is the same on every row: found once per statement.
            let zone = context.get_or_create_aux(1, |value| match value {
                ValueRef::Text(name) => std::str::from_utf8(name)
                    .ok()
                    .and_then(crate::zones::find)
                    .ok_or("pactum_local_time: unknown time zone"),
                _ => Err("pactum_local_time: the zone must be a text"),
            })?;
            Ok(match context.get_raw(0) {
                ValueRef::Text(text) => std::str::from_utf8(text)
                    .ok()
                    .and_then(|text| crate::zones::local_time(text, &zone)),
                _ => None,
            })
        },
    )
}

/// Runs each script (the indexes of one database file) in a transaction,
/// on one connection per core, the first scripts first.
fn build_indexes(
    connection: &Connection,
    folder: &Path,
    schemas: &[String],
    scripts: &[String],
) -> Result<(), Box<DataError>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let run = |connection: &Connection, script: &str| {
        connection
            .execute_batch(&format!("BEGIN; {script} COMMIT;"))
            .map_err(|e| engine_error(&e))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(scripts.len());
    if threads <= 1 {
        return scripts.iter().try_for_each(|s| run(connection, s));
    }
    let next = AtomicUsize::new(0);
    let work = |connection: &Connection| -> Result<(), Box<DataError>> {
        while let Some(script) = scripts.get(next.fetch_add(1, Ordering::Relaxed)) {
            if let Err(e) = run(connection, script) {
                next.store(scripts.len(), Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| {
                let connection = open(folder, schemas, true)?;
                let work = &work;
                Ok(scope.spawn(move || work(&connection)))
            })
            .collect::<Result<_, Box<DataError>>>()?;
        let mine = work(connection);
        for helper in helpers {
            helper.join().expect("index builders do not panic")?;
        }
        mine
    })
}

impl Engine for Embedded {
    /// Creates the tables of every source and loads `<dir>/<source>.csv`
    /// into them, then builds their indexes.
    fn load(
        &mut self,
        agreement: &Agreement<'_>,
        dir: &Path,
        options: &Options,
        progress: &dyn Progress,
    ) -> Result<u64, Box<DataError>> {
        let sources: Vec<&Source> = agreement.sources.iter().collect();
        let mut total = 0;
        let mut loaded = Vec::with_capacity(sources.len());
        let cancelled = Arc::clone(&self.cancelled);
        let transaction = self
            .connection
            .transaction()
            .map_err(|e| engine_error(&e))?;
        for source in &sources {
            progress.loading(source.name());
            transaction
                .execute_batch(&create_table(source, &Sqlite, options))
                .map_err(|e| engine_error(&e))?;
            let rows = load_source(&transaction, source, dir, options, progress, &cancelled)?;
            loaded.push(rows);
            total += rows;
        }
        transaction.commit().map_err(|e| engine_error(&e))?;
        // Indexes, one database file per connection at a time: a file's
        // indexes are built by one connection, files side by side.
        let mut files: Vec<(Option<String>, u64, String)> = Vec::new();
        for (source, rows) in sources.iter().zip(loaded) {
            let path = table_path(source, options);
            let file = (path.len() == 2).then(|| path[0].clone());
            let sql = create_indexes(source, &Sqlite, options);
            match files.iter_mut().find(|f| f.0 == file) {
                Some(f) => {
                    f.1 += rows;
                    f.2.push_str(&sql);
                }
                None => files.push((file, rows, sql)),
            }
        }
        files.sort_by_key(|f| std::cmp::Reverse(f.1));
        let scripts: Vec<String> = files.into_iter().map(|f| f.2).collect();
        build_indexes(&self.connection, &self.folder, &self.schemas, &scripts)?;
        Ok(total)
    }

    /// The attributions' credits, their per-partner sums and the metrics:
    /// the queries that show them (per-partner sums, attributed metrics,
    /// scorecards, incentives) read them instead of computing them again.
    fn keeps(&self, agreement: &Agreement<'_>) -> Vec<QueryId> {
        crate::sql::reusable(agreement)
    }

    fn run_round(
        &mut self,
        queries: &[Planned],
        progress: &(dyn Progress + Sync),
    ) -> Result<Vec<Table>, Box<DataError>> {
        self.query_all(queries, progress)
    }

    fn keep(&mut self, id: &QueryId, table: &Table) -> Result<(), Box<DataError>> {
        self.keep_table(id, table)
    }

    fn canceller(&self) -> Canceller {
        let cancelled = Arc::clone(&self.cancelled);
        let running = Arc::clone(&self.running);
        Canceller::new(move || {
            cancelled.store(true, Ordering::SeqCst);
            for handle in running.lock().expect("no worker panics").iter() {
                handle.interrupt();
            }
        })
    }
}

/// A new private folder for the engine's database: readable by this user
/// alone (the sources may hold personal data), named unpredictably, in the
/// system's temporary folder. Folders that runs killed before they could
/// clean up are removed first.
pub(crate) fn scratch_folder() -> std::io::Result<PathBuf> {
    use std::hash::{BuildHasher, Hasher};
    let temp = std::env::temp_dir();
    remove_stale_scratch(&temp);
    let pid = std::process::id();
    for _ in 0..16 {
        // A randomly keyed hash: unpredictable without a dependency.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(pid);
        let folder = temp.join(format!("pactum-run-{pid}-{:016x}", hasher.finish()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&folder) {
            Ok(()) => return Ok(folder),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no unused scratch folder name"))
}

/// Removes `pactum-run-PID-*` folders of processes that no longer run
/// (killed before their engine was dropped). Only this user's folders are
/// touched; anything that cannot be read or removed is left alone.
fn remove_stale_scratch(temp: &Path) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(temp) else {
            return;
        };
        let uid = current_uid();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("pactum-run-")
                .and_then(|rest| rest.split('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(meta) = entry.metadata() else { continue };
            let alive = Path::new("/proc").join(pid.to_string()).exists();
            if !alive && meta.is_dir() && Some(meta.uid()) == uid {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = temp;
}

/// This process's user id, read from `/proc/self`.
#[cfg(target_os = "linux")]
fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

impl Embedded {
    /// An empty engine for the agreement, with a database file for each
    /// schema its tables live in, then its data loaded from `<dir>/<source>.csv`
    /// ([`Engine::load`]). Returns the number of rows loaded.
    pub fn with_data(
        agreement: &Agreement<'_>,
        dir: &Path,
        options: &Options,
        progress: &dyn Progress,
    ) -> Result<(Embedded, u64), Box<DataError>> {
        let mut engine = Embedded::open(agreement, options)?;
        let rows = engine.load(agreement, dir, options, progress)?;
        Ok((engine, rows))
    }

    /// An empty engine for the agreement: a private scratch folder with a
    /// database file for each schema its tables live in.
    pub fn open(agreement: &Agreement<'_>, options: &Options) -> Result<Embedded, Box<DataError>> {
        let folder = scratch_folder().map_err(|e| {
            Box::new(DataError {
                code: codes::QUERY_FAILED,
                file: None,
                line: None,
                column: None,
                message: format!("cannot create the engine's scratch folder: {e}"),
                help: "the embedded engine keeps its database in the system's temporary folder; check that it is writable".to_string(),
            })
        })?;
        // Removes the folder if loading stops half-way.
        let guard = Cleanup(folder.clone());
        configure_sqlite();
        let sources: Vec<&Source> = agreement.sources.iter().collect();
        // Tables named `schema.table` live in an attached database per schema.
        let mut schemas: Vec<String> = Vec::new();
        for source in &sources {
            let path = table_path(source, options);
            match path.len() {
                1 => {}
                2 => schemas.push(path[0].clone()),
                _ => {
                    return Err(Box::new(DataError {
                        code: codes::ENGINE_TABLE,
                        file: None,
                        line: None,
                        column: None,
                        message: format!(
                            "source `{}` reads table `{}`, which the embedded engine cannot hold",
                            source.name(),
                            path.join(".")
                        ),
                        help: "the embedded engine takes tables named `table` or `schema.table`; run this agreement on its warehouse with `--engine postgres`".to_string(),
                    }));
                }
            }
        }
        schemas.sort();
        schemas.dedup();
        if schemas.len() > 10 {
            return Err(Box::new(DataError {
                code: codes::ENGINE_TABLE,
                file: None,
                line: None,
                column: None,
                message: format!(
                    "the sources live in {} schemas; the embedded engine holds at most 10",
                    schemas.len()
                ),
                help: "run this agreement on its warehouse with `--engine postgres`".to_string(),
            }));
        }
        let connection = open(&folder, &schemas, true)?;
        // From here on the engine removes the folder.
        std::mem::forget(guard);
        Ok(Embedded {
            connection,
            folder,
            schemas,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cancelled: Arc::new(AtomicBool::new(false)),
            running: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// A read-only connection to the same database, for a worker thread.
    fn reader(&self) -> Result<Connection, Box<DataError>> {
        open(&self.folder, &self.schemas, false)
    }

    /// Runs queries on this many connections side by side (default: one
    /// per core).
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// Runs every planned query, `threads` at a time on connections of
    /// their own, and returns the tables in the order of `planned`.
    fn query_all(
        &self,
        planned: &[Planned],
        progress: &(dyn Progress + Sync),
    ) -> Result<Vec<Table>, Box<DataError>> {
        use std::sync::atomic::AtomicUsize;
        let threads = self.threads;
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Outcome>> = Mutex::new((0..planned.len()).map(|_| None).collect());
        // The longest first, so that the threads finish together.
        let mut order: Vec<usize> = (0..planned.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(expected_work(&planned[i].query)));
        let cancelled = &*self.cancelled;
        let work = |connection: &Connection| loop {
            let position = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = order.get(position) else { break };
            let query = &planned[i];
            progress.query(&query.name());
            let table = if cancelled.load(Ordering::SeqCst) {
                Err(engine::cancelled(&query.name()))
            } else {
                run_query(connection, query).map_err(|error| {
                    if cancelled.load(Ordering::SeqCst) {
                        engine::cancelled(&query.name())
                    } else {
                        error
                    }
                })
            };
            progress.finished(&query.name());
            let failed = table.is_err();
            results.lock().expect("no worker panics")[i] = Some(table);
            if failed {
                // Stop handing out work; the first error is reported.
                next.store(planned.len(), Ordering::Relaxed);
            }
        };
        let readers: Vec<Connection> = (1..threads.max(1))
            .map(|_| self.reader())
            .collect::<Result<_, _>>()?;
        *self.running.lock().expect("no worker panics") = std::iter::once(&self.connection)
            .chain(&readers)
            .map(Connection::get_interrupt_handle)
            .collect();
        std::thread::scope(|scope| {
            for reader in readers {
                let work = &work;
                scope.spawn(move || work(&reader));
            }
            work(&self.connection);
        });
        self.running.lock().expect("no worker panics").clear();
        let mut tables = Vec::with_capacity(planned.len());
        let mut results = results.into_inner().expect("no worker panics");
        // The first error in the agreement's order, if any.
        if let Some(error) = results.iter_mut().find_map(|r| match r {
            Some(Err(_)) => r.take(),
            _ => None,
        }) {
            return Err(error.expect_err("an error"));
        }
        for result in results {
            match result {
                Some(table) => tables.push(table?),
                None => break,
            }
        }
        Ok(tables)
    }

    /// Keeps a query's results as the table later queries read
    /// (`reused_table`).
    fn keep_table(&self, id: &QueryId, table: &Table) -> Result<(), Box<DataError>> {
        let name = crate::sql::plan::reused_table(id);
        let quote = |n: &str| crate::sql::dialect::Dialect::quote_ident(&Sqlite, n);
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| {
                let ty = match c.kind {
                    ColumnKind::Integer => "INTEGER",
                    ColumnKind::Number => "REAL",
                    ColumnKind::Text | ColumnKind::Date | ColumnKind::Timestamp => "TEXT",
                };
                format!("{} {ty}", quote(&c.name))
            })
            .collect();
        // One transaction: a statement each would commit a row at a time.
        let transaction = self
            .connection
            .unchecked_transaction()
            .map_err(|e| engine_error(&e))?;
        transaction
            .execute_batch(&format!(
                "DROP TABLE IF EXISTS {0}; CREATE TABLE {0} ({1});",
                quote(&name),
                columns.join(", ")
            ))
            .map_err(|e| engine_error(&e))?;
        let marks: Vec<String> = (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
        let mut insert = transaction
            .prepare(&format!(
                "INSERT INTO {} VALUES ({})",
                quote(&name),
                marks.join(", ")
            ))
            .map_err(|e| engine_error(&e))?;
        for row in &table.rows {
            let values: Vec<SqlValue> = row
                .iter()
                .map(|cell| match cell {
                    Cell::Null => SqlValue::Null,
                    Cell::Integer(n) => SqlValue::Integer(*n),
                    Cell::Number(x) => SqlValue::Real(*x),
                    Cell::Text(t) => SqlValue::Text(t.clone()),
                })
                .collect();
            insert
                .execute(params_from_iter(values.iter()))
                .map_err(|e| engine_error(&e))?;
        }
        drop(insert);
        transaction.commit().map_err(|e| engine_error(&e))
    }

    /// Runs one planned query and returns its rows typed by its columns.
    pub fn query(&self, planned: &Planned) -> Result<Table, Box<DataError>> {
        run_query(&self.connection, planned)
    }
}

/// How long a query is expected to take, for ordering: the number of
/// times it reads a source table (results kept from earlier queries are
/// small), then its number of steps.
fn expected_work(query: &crate::sql::tree::Query) -> (usize, usize) {
    let reads = query
        .tables_read()
        .filter(|t| !crate::sql::plan::is_reused_table(t))
        .count();
    (reads, query.ctes.len())
}

fn run_query(connection: &Connection, planned: &Planned) -> Result<Table, Box<DataError>> {
    {
        let sql = Renderer::new(&Sqlite).query(&planned.query);
        let query_error = |e: rusqlite::Error| {
            Box::new(DataError {
                code: codes::QUERY_FAILED,
                file: None,
                line: None,
                column: None,
                message: format!(
                    "query `{}` failed on the embedded engine: {e}",
                    planned.name()
                ),
                help:
                    "this is a bug in Pactum's SQL for SQLite; please report it with the agreement"
                        .to_string(),
            })
        };
        let mut statement = connection.prepare(&sql).map_err(query_error)?;
        let width = planned.columns.len();
        let kinds: Vec<ColumnKind> = planned.columns.iter().map(|c| c.kind).collect();
        let rows = statement
            .query_map([], |row| {
                (0..width)
                    .map(|i| {
                        let value: SqlValue = row.get(i)?;
                        Ok(cell(value, kinds[i]))
                    })
                    .collect::<Result<Vec<Cell>, rusqlite::Error>>()
            })
            .map_err(query_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(query_error)?;
        Ok(Table {
            name: planned.name(),
            columns: planned.columns.clone(),
            rows,
        })
    }
}

fn cell(value: SqlValue, kind: ColumnKind) -> Cell {
    match (value, kind) {
        (SqlValue::Null, _) => Cell::Null,
        (SqlValue::Integer(n), ColumnKind::Integer) => Cell::Integer(n),
        (SqlValue::Real(x), ColumnKind::Integer) if x.fract() == 0.0 => Cell::Integer(x as i64),
        (SqlValue::Integer(n), _) => Cell::Number(n as f64),
        (SqlValue::Real(x), _) => Cell::Number(x),
        (SqlValue::Text(t), _) => Cell::Text(t),
        (SqlValue::Blob(b), _) => Cell::Text(String::from_utf8_lossy(&b).into_owned()),
    }
}

fn engine_error(e: &rusqlite::Error) -> Box<DataError> {
    Box::new(DataError {
        code: codes::QUERY_FAILED,
        file: None,
        line: None,
        column: None,
        message: format!("the embedded engine failed: {e}"),
        help: "this is a bug in Pactum; please report it with the agreement".to_string(),
    })
}

/// Reads `<dir>/<source>.csv` and inserts its rows, checking each value
/// against its column's declared type.
fn load_source(
    transaction: &rusqlite::Transaction<'_>,
    source: &Source<'_>,
    dir: &Path,
    options: &Options,
    progress: &dyn Progress,
    cancelled: &AtomicBool,
) -> Result<u64, Box<DataError>> {
    let wanted = columns(source);
    let path: Vec<String> = table_path(source, options)
        .iter()
        .map(|p| crate::sql::dialect::Dialect::quote_ident(&Sqlite, p))
        .collect();
    let names: Vec<String> = wanted
        .iter()
        .map(|(n, _)| crate::sql::dialect::Dialect::quote_ident(&Sqlite, n))
        .collect();
    // Several rows per statement: SQLite's cost is mostly per statement.
    let width = names.len().max(1);
    let per_statement = (32_000 / width).clamp(1, 64);
    let insert = |rows: usize| {
        let row = format!(
            "({})",
            (0..names.len()).map(|_| "?").collect::<Vec<_>>().join(", ")
        );
        format!(
            "INSERT INTO {} ({}) VALUES {}",
            path.join("."),
            names.join(", "),
            vec![row; rows].join(", ")
        )
    };
    let mut full = transaction
        .prepare(&insert(per_statement))
        .map_err(|e| engine_error(&e))?;
    let mut single = transaction
        .prepare(&insert(1))
        .map_err(|e| engine_error(&e))?;
    let (rows, _) = read_rows(
        source,
        dir,
        per_statement * 16,
        progress,
        cancelled,
        Some(&mut |batch: Vec<SqlValue>| {
            let mut rows = batch.chunks_exact(width * per_statement);
            for chunk in rows.by_ref() {
                full.execute(params_from_iter(chunk.iter()))
                    .map_err(|e| engine_error(&e))?;
            }
            for row in rows.remainder().chunks_exact(width) {
                single
                    .execute(params_from_iter(row.iter()))
                    .map_err(|e| engine_error(&e))?;
            }
            Ok(())
        }),
    )?;
    Ok(rows)
}

/// What takes a batch of a file's typed values, row after row.
pub(crate) type Consume<'a> = dyn FnMut(Vec<SqlValue>) -> Result<(), Box<DataError>> + 'a;

/// Reads `<dir>/<source>.csv`, checks its header and every value against
/// its column's type (errors located by line and column: P0501 to P0504),
/// and hands the typed values, row after row in the declared columns'
/// order, to `consume` in batches of `batch_rows` rows (with no `consume`,
/// the values are only checked, none is made). The file is read on
/// a thread of its own while `consume` works. Returns the rows read, and
/// whether every field was [plain](plain_field).
pub(crate) fn read_rows(
    source: &Source<'_>,
    dir: &Path,
    batch_rows: usize,
    progress: &dyn Progress,
    cancelled: &AtomicBool,
    mut consume: Option<&mut Consume<'_>>,
) -> Result<(u64, bool), Box<DataError>> {
    let keep_values = consume.is_some();
    let file = dir.join(format!("{}.csv", source.name()));
    let at = |line: Option<u64>, column: Option<(usize, String)>| (file.clone(), line, column);
    let error = |code,
                 place: (PathBuf, Option<u64>, Option<(usize, String)>),
                 message: String,
                 help: String| {
        Box::new(DataError {
            code,
            file: Some(place.0),
            line: place.1,
            column: place.2,
            message,
            help,
        })
    };
    // Asked before opening: opening a FIFO waits for a writer.
    let opened = std::fs::metadata(&file)
        .and_then(|meta| {
            if meta.is_file() {
                std::fs::File::open(&file)
            } else {
                Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "it is not a regular file",
                ))
            }
        })
        .map_err(csv::Error::from);
    let mut reader = match opened.map(|f| {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(LineGuard::new(f))
    }) {
        Ok(reader) => reader,
        Err(e) => {
            return Err(error(
                codes::MISSING_DATA_FILE,
                at(None, None),
                format!(
                    "cannot read the data of source `{}`: {}",
                    source.name(),
                    io_text(&e)
                ),
                format!(
                    "put the rows of `{}` in `{}`, with a header row naming the columns",
                    source.name(),
                    file.display()
                ),
            ));
        }
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            error(
                codes::UNREADABLE_ROW,
                at(Some(1), None),
                format!("the header row cannot be read: {}", csv_text(&e)),
                "save the file as UTF-8 CSV with a header row".to_string(),
            )
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let wanted = columns(source);
    let mut positions = Vec::with_capacity(wanted.len());
    for (name, _) in &wanted {
        match header.iter().position(|h| h == name) {
            Some(p) => positions.push(p),
            None => {
                return Err(error(
                    codes::MISSING_DATA_COLUMN,
                    at(Some(1), None),
                    format!(
                        "the header has no column `{name}`, which source `{}` declares",
                        source.name()
                    ),
                    format!(
                        "the header must name every declared column: {}",
                        wanted
                            .iter()
                            .map(|(n, _)| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    let width = wanted.len().max(1);
    let mut count = 0u64;
    let plain = AtomicBool::new(true);
    std::thread::scope(|threads| -> Result<(), Box<DataError>> {
        let (sender, batches) =
            std::sync::mpsc::sync_channel::<Result<(u64, Vec<SqlValue>), Box<DataError>>>(8);
        let wanted = &wanted;
        let positions = &positions;
        let at = &at;
        let error = &error;
        let plain = &plain;
        threads.spawn(move || {
            let mut all_plain = true;
            let mut record = csv::StringRecord::new();
            let capacity = if keep_values { batch_rows * width } else { 0 };
            let mut batch: Vec<SqlValue> = Vec::with_capacity(capacity);
            let mut batched = 0u64;
            loop {
                match reader.read_record(&mut record) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        let line = e.position().map(|p| p.line());
                        let _ = sender.send(Err(error(
                            codes::UNREADABLE_ROW,
                            at(line, None),
                            format!("the row cannot be read: {}", csv_text(&e)),
                            "every row needs as many fields as the header; quote fields that hold commas"
                                .to_string(),
                        )));
                        return;
                    }
                }
                let line = record.position().map_or(0, |p| p.line());
                for ((name, ty), &position) in wanted.iter().zip(positions) {
                    let raw = record.get(position).unwrap_or("");
                    all_plain = all_plain && plain_field(raw, *ty);
                    let checked = if keep_values {
                        typed(raw, *ty).map(|value| batch.push(value))
                    } else {
                        check_field(raw, *ty)
                    };
                    match checked {
                        Ok(()) => {}
                        Err(expected) => {
                            let _ = sender.send(Err(error(
                                codes::DATA_TYPE,
                                at(Some(line), Some((position + 1, name.clone()))),
                                format!("`{raw}` is not {expected}"),
                                format!(
                                    "write {} ({}), or leave the field empty for no value",
                                    expected,
                                    example(*ty)
                                ),
                            )));
                            return;
                        }
                    }
                }
                batched += 1;
                if batched == batch_rows as u64 {
                    let next = Vec::with_capacity(capacity);
                    let full = std::mem::replace(&mut batch, next);
                    if sender.send(Ok((batched, full))).is_err() {
                        // The consuming side stopped on an error of its own.
                        return;
                    }
                    batched = 0;
                }
            }
            plain.store(all_plain, Ordering::SeqCst);
            let _ = sender.send(Ok((batched, batch)));
        });
        for batch in batches {
            let (rows, batch) = batch?;
            if cancelled.load(Ordering::SeqCst) {
                return Err(Box::new(DataError {
                    code: codes::CANCELLED,
                    file: None,
                    line: None,
                    column: None,
                    message: format!("the run was cancelled while loading `{}`", source.name()),
                    help: "nothing was written; run again to get results".to_string(),
                }));
            }
            if let Some(consume) = consume.as_mut() {
                consume(batch)?;
            }
            count += rows;
            progress.rows(rows);
        }
        Ok(())
    })?;
    Ok((count, plain.load(Ordering::SeqCst)))
}

/// Whether a field that [`typed`] accepts is spelled the one way another
/// engine's cast reads as `typed` does: empty (NULL); text without blank
/// padding (blank text is NULL here); a plain decimal (`-12.50`, no
/// exponent, sign or spaces); a date `YYYY-MM-DD`; a timestamp
/// `YYYY-MM-DD HH:MM:SS`; `true` or `false`.
pub(crate) fn plain_field(raw: &str, ty: ColumnType) -> bool {
    if raw.is_empty() {
        return true;
    }
    if raw.trim() != raw {
        return false;
    }
    match ty {
        ColumnType::Text => true,
        ColumnType::Number | ColumnType::Money => {
            let digits = raw.strip_prefix('-').unwrap_or(raw);
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
            !whole.is_empty()
                && !fraction.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        ColumnType::Date => raw.len() == 10,
        ColumnType::Timestamp => raw.len() == 19 && raw.as_bytes()[10] == b' ',
        // Offsets are spelled many ways: instants are always rewritten in
        // UTC (`YYYY-MM-DD HH:MM:SSZ`).
        ColumnType::Instant => false,
        ColumnType::Boolean => raw == "true" || raw == "false",
    }
}

/// The longest line a data file may have, in bytes. A longer one is a
/// broken file (or not a CSV file at all), and reading it whole could take
/// any amount of memory.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Passes a file through, failing once a line runs past
/// [`MAX_LINE_BYTES`].
struct LineGuard<R> {
    inner: R,
    line: usize,
}

impl<R> LineGuard<R> {
    fn new(inner: R) -> Self {
        LineGuard { inner, line: 0 }
    }
}

impl<R: std::io::Read> std::io::Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.line = if b == b'\n' { 0 } else { self.line + 1 };
            if self.line > MAX_LINE_BYTES {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "a line is longer than {} MiB",
                        MAX_LINE_BYTES / (1024 * 1024)
                    ),
                ));
            }
        }
        Ok(n)
    }
}

pub(crate) fn io_text(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "no such file".to_string()
        }
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

pub(crate) fn csv_text(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "it is not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("it has {len} fields where the header has {expected_len}"),
        _ => e.to_string(),
    }
}

fn example(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Text => "any text",
        ColumnType::Number => "for example 12 or 3.5",
        ColumnType::Money => "for example 1250 or 99.90, without a currency sign",
        ColumnType::Timestamp => "`YYYY-MM-DD HH:MM:SS`, local time of the agreement's zone",
        ColumnType::Instant => {
            "`YYYY-MM-DD HH:MM:SS` with its UTC offset, for example `2026-03-08 06:30:00Z` or `2026-03-08 01:30:00-05:00`"
        }
        ColumnType::Date => "`YYYY-MM-DD`",
        ColumnType::Boolean => "`true` or `false`",
    }
}

/// A CSV field as the value of a column of type `ty`; an empty field is
/// NULL. On error, what was expected.
pub fn typed(raw: &str, ty: ColumnType) -> Result<SqlValue, &'static str> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(SqlValue::Null);
    }
    match ty {
        ColumnType::Text => Ok(SqlValue::Text(raw.to_string())),
        ColumnType::Number | ColumnType::Money => number(text, ty).map(SqlValue::Real),
        ColumnType::Date => parse_date(text)
            .map(|d| SqlValue::Text(d.to_string()))
            .ok_or("a date"),
        ColumnType::Timestamp => parse_timestamp(text)
            .map(SqlValue::Text)
            .ok_or("a timestamp"),
        ColumnType::Instant => crate::zones::parse_instant(text)
            .map(SqlValue::Text)
            .ok_or("an instant"),
        ColumnType::Boolean => boolean(text).map(|b| SqlValue::Integer(b.into())),
    }
}

/// Whether [`typed`] accepts a field, without making its value (checking
/// a file another engine reads itself).
pub(crate) fn check_field(raw: &str, ty: ColumnType) -> Result<(), &'static str> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(());
    }
    match ty {
        ColumnType::Text => Ok(()),
        ColumnType::Number | ColumnType::Money => number(text, ty).map(|_| ()),
        ColumnType::Date => parse_date(text).map(|_| ()).ok_or("a date"),
        ColumnType::Timestamp => timestamp_parts(text).map(|_| ()).ok_or("a timestamp"),
        ColumnType::Instant => crate::zones::parse_instant(text)
            .map(|_| ())
            .ok_or("an instant"),
        ColumnType::Boolean => boolean(text).map(|_| ()),
    }
}

fn number(text: &str, ty: ColumnType) -> Result<f64, &'static str> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(if ty == ColumnType::Money {
            "an amount"
        } else {
            "a number"
        }),
    }
}

fn boolean(text: &str) -> Result<bool, &'static str> {
    let is = |word: &str| text.eq_ignore_ascii_case(word);
    if is("true") || is("1") || is("yes") {
        Ok(true)
    } else if is("false") || is("0") || is("no") {
        Ok(false)
    } else {
        Err("a boolean")
    }
}

/// `YYYY-MM-DD`, a real calendar day.
fn parse_date(text: &str) -> Option<&str> {
    crate::check::dates::parse(text).map(|_| text)
}

/// `YYYY-MM-DD HH:MM:SS` (or with `T`, or a bare date at midnight), as
/// `YYYY-MM-DD HH:MM:SS`. Timestamps are naive local times: an offset or
/// `Z` is refused rather than silently shifted.
fn parse_timestamp(text: &str) -> Option<String> {
    match timestamp_parts(text)? {
        (date, None) => Some(format!("{date} 00:00:00")),
        (date, Some(time)) => Some(format!("{date} {time}")),
    }
}

/// The date and the time of day (none for a bare date) of a timestamp
/// [`parse_timestamp`] accepts.
fn timestamp_parts(text: &str) -> Option<(&str, Option<&str>)> {
    if text.len() == 10 {
        return parse_date(text).map(|d| (d, None));
    }
    let (date, time) = text.split_at_checked(10)?;
    parse_date(date)?;
    let time = time.strip_prefix([' ', 'T'])?;
    let bytes = time.as_bytes();
    if bytes.len() != 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    let part = |i: usize| -> Option<u32> {
        let s = &time[i..i + 2];
        if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (h, m, s) = (part(0)?, part(3)?, part(6)?);
    (h < 24 && m < 60 && s < 60).then_some((date, Some(time)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query `id` reading the tables `tables`, some of them kept
    /// results of the queries `kept`.
    fn planned(id: QueryId, tables: &[&str], kept: &[QueryId]) -> Planned {
        use crate::sql::tree::{Body, Expr, From, Join, JoinKind, Query, Select, item};
        let table = |t: &str, alias: &str| From::Table {
            path: vec![t.to_string()],
            alias: alias.to_string(),
        };
        let mut planned = Planned {
            id,
            reads: Vec::new(),
            purpose: String::new(),
            inputs: Vec::new(),
            columns: Vec::new(),
            query: Query {
                ctes: Vec::new(),
                body: Body::Select(Box::new(Select {
                    columns: vec![item(Expr::Int(1), "one")],
                    from: tables.first().map(|t| table(t, "a")),
                    joins: tables
                        .iter()
                        .skip(1)
                        .map(|t| Join {
                            kind: JoinKind::Inner,
                            from: table(t, "b"),
                            on: Expr::Bool(true),
                        })
                        .collect(),
                    ..Select::default()
                })),
            },
        };
        planned.reads = crate::sql::plan::kept_results_read(&planned.query, kept);
        planned
    }

    #[test]
    fn a_query_runs_the_round_after_the_results_it_reads() {
        let metric = QueryId::Metric("a".to_string());
        let credits = QueryId::Credits("p".to_string());
        let by_partner = QueryId::CreditsByPartner("p".to_string());
        let kept = [metric.clone(), credits.clone(), by_partner.clone()];
        let queries = [
            planned(
                QueryId::Scorecard("s".to_string()),
                &[
                    "pactum_result_metric_a",
                    "pactum_result_attribution_p_by_partner",
                ],
                &kept,
            ),
            planned(metric.clone(), &["orders"], &kept),
            planned(
                by_partner.clone(),
                &["pactum_result_attribution_p", "touches"],
                &kept,
            ),
            planned(credits.clone(), &["touches", "orders"], &kept),
            planned(QueryId::Funnel, &["orders"], &kept),
        ];
        assert_eq!(queries[0].reads, [metric, by_partner]);
        assert_eq!(queries[2].reads, [credits]);
        assert!(queries[4].reads.is_empty());
        assert_eq!(engine::rounds(&queries), [2, 0, 1, 0, 0]);
        // Source reads come first when ordering by expected work; kept
        // results do not count.
        assert_eq!(expected_work(&queries[0].query), (0, 0));
        assert_eq!(expected_work(&queries[3].query), (2, 0));
    }

    #[test]
    fn timestamps_are_naive_and_exact() {
        assert_eq!(
            parse_timestamp("2026-03-01 09:05:00").as_deref(),
            Some("2026-03-01 09:05:00")
        );
        assert_eq!(
            parse_timestamp("2026-03-01T09:05:00").as_deref(),
            Some("2026-03-01 09:05:00")
        );
        assert_eq!(
            parse_timestamp("2026-03-01").as_deref(),
            Some("2026-03-01 00:00:00")
        );
        for bad in [
            "2026-03-01 09:05:00Z",
            "2026-03-01T09:05:00+02:00",
            "2026-02-30 10:00:00",
            "2026-03-01 24:00:00",
            "01/03/2026",
            "2026-03-01 9:05",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_are_typed_by_their_column() {
        assert_eq!(typed("12.5", ColumnType::Money), Ok(SqlValue::Real(12.5)));
        assert_eq!(typed(" ", ColumnType::Number), Ok(SqlValue::Null));
        assert_eq!(typed("12,5", ColumnType::Money), Err("an amount"));
        assert_eq!(typed("NaN", ColumnType::Number), Err("a number"));
        assert_eq!(typed("yes", ColumnType::Boolean), Ok(SqlValue::Integer(1)));
        assert_eq!(typed("2026-13-01", ColumnType::Date), Err("a date"));
    }
}
