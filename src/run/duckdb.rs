//! DuckDB as an engine of `run` and `report`, through its command-line
//! program (`pip install duckdb-cli` puts `duckdb` on the PATH; a bundled
//! library would take most of an hour to compile on a small machine).
//!
//! The program is driven without a shell: one `duckdb -batch -bail`
//! process per run holds the session (an in-memory database, or an
//! existing database file opened read-only). Each step's statements go to
//! its standard input followed by `.print MARKER`; the marker on its
//! standard output says the step is done, and the process ending before it
//! says a statement failed (`-bail`), with DuckDB's message on standard
//! error. Query results come back as CSV files written by DuckDB's
//! `COPY ... TO` (in order), where NULL is an empty field and the empty
//! string a quoted one. One session keeps the loaded tables in memory, with
//! nothing written to a database file and no process started per step.
//!
//! Data is read and checked by the same code as the embedded engine's (so
//! a bad value gets the same located error, P0501 to P0504) and loaded with
//! DuckDB's own reader; a file is loaded while the next one is checked.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use rusqlite::types::Value as SqlValue;

use super::engine::{self, Canceller, Engine};
use super::{Cell, DataError, Progress, Table};
use crate::diagnostics::codes;
use crate::model::{Agreement, Source};
use crate::sql::dialect::{Dialect, DuckDb};
use crate::sql::load::{columns, create_table};
use crate::sql::plan::{ColumnKind, Options, Planned, QueryId, table_path};
use crate::sql::render::Renderer;
use crate::vocabulary::ColumnType;

/// The program, unless `PACTUM_DUCKDB` names another.
const PROGRAM: &str = "duckdb";

/// A DuckDB session: an in-memory database that spills to a private
/// scratch folder (removed when the engine is dropped), or an existing
/// database file opened read-only.
pub struct DuckDbCli {
    folder: PathBuf,
    database: Option<PathBuf>,
    session: Session,
    /// Files and markers made so far (their names).
    step: usize,
    cancelled: Arc<AtomicBool>,
    /// The session's process, for the canceller to stop.
    pid: u32,
}

/// The running program: its input, the lines of its output (read on a
/// thread of their own, so that neither side waits on a full pipe), and
/// its error output gathered as it comes.
struct Session {
    child: Child,
    input: Option<ChildStdin>,
    lines: Receiver<String>,
    errors: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    /// Set before the process is reaped: its id may then be another's.
    ended: Arc<AtomicBool>,
}

impl Session {
    fn start(program: &Path, args: &[&std::ffi::OsStr]) -> std::io::Result<Session> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let input = child.stdin.take();
        let output = child.stdout.take().expect("piped");
        let mut error_output = child.stderr.take().expect("piped");
        let (sender, lines) = std::sync::mpsc::channel();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let gathered = Arc::clone(&errors);
        let readers = vec![
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(output).lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            }),
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = std::io::Read::read(&mut error_output, &mut buffer) {
                    if n == 0 {
                        break;
                    }
                    gathered
                        .lock()
                        .expect("no panics while held")
                        .extend_from_slice(&buffer[..n]);
                }
            }),
        ];
        Ok(Session {
            child,
            input,
            lines,
            errors,
            readers,
            ended: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Ends the program (its input closed) and waits for it and for
    /// the threads reading its output.
    fn end(&mut self) {
        self.input = None;
        self.ended.store(true, Ordering::SeqCst);
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    /// What the program wrote to its error output so far.
    fn error_text(&self) -> String {
        String::from_utf8_lossy(&self.errors.lock().expect("no panics while held"))
            .trim()
            .to_string()
    }
}

impl Drop for DuckDbCli {
    fn drop(&mut self) {
        self.session.end();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn failure(message: String, help: &str) -> Box<DataError> {
    Box::new(DataError {
        code: codes::DATABASE_UNREACHABLE,
        file: None,
        line: None,
        column: None,
        message,
        help: help.to_string(),
    })
}

impl DuckDbCli {
    /// A new, empty database; or, with `database`, that file read-only
    /// (the tables are read where they are, nothing is loaded).
    pub fn open(database: Option<&Path>) -> Result<DuckDbCli, Box<DataError>> {
        let program = std::env::var_os("PACTUM_DUCKDB")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(PROGRAM));
        let cannot_run = || {
            failure(
                format!("cannot run the DuckDB program `{}`", program.display()),
                "install it with `pip install duckdb-cli` (or set PACTUM_DUCKDB to its path), or use `--engine sqlite`",
            )
        };
        let version = Command::new(&program)
            .arg("-version")
            .stdin(Stdio::null())
            .output();
        match version {
            Ok(out) if out.status.success() => {}
            _ => return Err(cannot_run()),
        }
        if let Some(file) = database
            && !file.is_file()
        {
            return Err(failure(
                format!("no DuckDB database file `{}`", file.display()),
                "name an existing DuckDB database with `--database FILE`",
            ));
        }
        let folder = super::scratch_folder().map_err(|e| {
            failure(
                format!("cannot make a scratch folder for DuckDB: {e}"),
                "free some space in the temporary folder (TMPDIR)",
            )
        })?;
        let mut args: Vec<&std::ffi::OsStr> = vec!["-batch".as_ref(), "-bail".as_ref()];
        if let Some(file) = database {
            args.push("-readonly".as_ref());
            args.push(file.as_os_str());
        }
        let session = match Session::start(&program, &args) {
            Ok(session) => session,
            Err(_) => {
                let _ = std::fs::remove_dir_all(&folder);
                return Err(cannot_run());
            }
        };
        let mut engine = DuckDbCli {
            folder,
            database: database.map(Path::to_path_buf),
            pid: session.child.id(),
            session,
            step: 0,
            cancelled: Arc::new(AtomicBool::new(false)),
        };
        // What does not fit in memory goes to the scratch folder, never
        // to the folder Pactum was started in.
        let spill = engine.folder.join("spill");
        engine.script(
            "starting",
            &format!(
                "SET temp_directory = {};\n",
                DuckDb.quote_string(&spill.display().to_string())
            ),
            None,
        )?;
        Ok(engine)
    }

    fn read_only(&self) -> bool {
        self.database.is_some()
    }

    /// A file of the scratch folder for this step.
    fn next_file(&mut self, what: &str, extension: &str) -> PathBuf {
        self.step += 1;
        self.folder
            .join(format!("{:04}-{what}.{extension}", self.step))
    }

    /// Hands statements to the session without waiting for them to run.
    fn send(&mut self, text: &str) -> Result<(), Box<DataError>> {
        let written = match self.session.input.as_mut() {
            Some(input) => input
                .write_all(text.as_bytes())
                .and_then(|()| input.flush()),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        };
        // A program that stopped is reported by `wait`, with its message.
        if written.is_err() {
            self.session.input = None;
        }
        Ok(())
    }

    /// Waits until every statement sent so far has run; `what` names the
    /// step in errors, and `query` the query when there is one. DuckDB's
    /// message is the error's.
    fn wait(&mut self, what: &str, query: Option<&str>) -> Result<(), Box<DataError>> {
        self.step += 1;
        let marker = format!("pactum-step-{}-done", self.step);
        self.send(&format!("\n.print {marker}\n"))?;
        let mut done = false;
        while let Ok(line) = self.session.lines.recv() {
            if line == marker {
                done = true;
                break;
            }
        }
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(engine::cancelled(query.unwrap_or(what)));
        }
        if !done {
            // The program ended: a statement failed (`-bail`), or it was
            // stopped from outside.
            self.session.end();
        }
        let message = self.session.error_text();
        if done && message.is_empty() {
            return Ok(());
        }
        let message = if message.is_empty() {
            "the program stopped".to_string()
        } else {
            message
        };
        Err(Box::new(DataError {
            code: codes::QUERY_FAILED,
            file: None,
            line: None,
            column: None,
            message: match query {
                Some(name) => format!("query `{name}` failed on DuckDB: {message}"),
                None => format!("DuckDB failed while {what}: {message}"),
            },
            help: match query {
                Some(_) => "this is a bug in Pactum's SQL for DuckDB; please report it with the agreement".to_string(),
                None => "check the DuckDB program (`duckdb -version`) and the free space of the temporary folder".to_string(),
            },
        }))
    }

    /// Runs a script and waits for it.
    fn script(
        &mut self,
        what: &str,
        text: &str,
        query: Option<&str>,
    ) -> Result<(), Box<DataError>> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(engine::cancelled(query.unwrap_or(what)));
        }
        self.send(text)?;
        self.wait(what, query)
    }

    /// Runs queries in one session, each writing its rows to a CSV file
    /// of its own, and reads them back typed by their columns. A failed
    /// query is the first whose file was not written.
    fn queries(
        &mut self,
        queries: &[Planned],
        progress: &(dyn Progress + Sync),
    ) -> Result<Vec<Table>, Box<DataError>> {
        let mut script = String::new();
        let mut outputs = Vec::with_capacity(queries.len());
        for planned in queries {
            let output = self.next_file("result", "csv");
            let sql = Renderer::new(&DuckDb).query(&planned.query);
            script.push_str(&format!(
                "COPY ({}) TO {} (FORMAT csv, HEADER true);\n",
                sql.trim_end().trim_end_matches(';'),
                DuckDb.quote_string(&output.display().to_string())
            ));
            outputs.push(output);
        }
        let names: Vec<String> = queries.iter().map(Planned::name).collect();
        for name in &names {
            progress.query(name);
        }
        let ran = self.script("running queries", &script, None);
        let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
        if let Err(mut error) = ran {
            // Name the query that failed: the first without its rows.
            if let Some(i) = outputs.iter().position(|o| read(o).trim().is_empty())
                && error.code == codes::QUERY_FAILED
            {
                let detail = error
                    .message
                    .trim_start_matches("DuckDB failed while running queries: ")
                    .to_string();
                error.message = format!("query `{}` failed on DuckDB: {detail}", names[i]);
                error.help =
                    "this is a bug in Pactum's SQL for DuckDB; please report it with the agreement"
                        .to_string();
            }
            return Err(error);
        }
        let mut tables = Vec::with_capacity(queries.len());
        for ((planned, output), name) in queries.iter().zip(&outputs).zip(&names) {
            let text = read(output);
            let _ = std::fs::remove_file(output);
            progress.finished(name);
            let mut records = csv_records(&text).into_iter();
            let header: Vec<String> = records
                .next()
                .unwrap_or_default()
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect();
            let positions: Vec<Option<usize>> = planned
                .columns
                .iter()
                .map(|c| header.iter().position(|h| *h == c.name))
                .collect();
            if positions.iter().any(Option::is_none) {
                return Err(failure(
                    format!(
                        "DuckDB's result of `{name}` lacks a column: {}",
                        header.join(", ")
                    ),
                    "check the DuckDB program (`duckdb -version`)",
                ));
            }
            let rows = records
                .map(|record| {
                    planned
                        .columns
                        .iter()
                        .zip(&positions)
                        .map(|(c, p)| {
                            let field = p.and_then(|p| record.get(p)).cloned().flatten();
                            text_cell(field, c.kind)
                        })
                        .collect()
                })
                .collect();
            tables.push(Table {
                name: name.clone(),
                columns: planned.columns.clone(),
                rows,
            });
        }
        Ok(tables)
    }
}

/// The records of a CSV file as DuckDB writes it, each field `None` when
/// it is empty and unquoted (NULL), else its text (a quoted empty field is
/// the empty string). Quoted fields may hold commas, doubled quotes and line
/// breaks.
fn csv_records(text: &str) -> Vec<Vec<Option<String>>> {
    let mut records = Vec::new();
    let mut record: Vec<Option<String>> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let end_field = |record: &mut Vec<Option<String>>, field: &mut String, quoted: &mut bool| {
        let value = std::mem::take(field);
        record.push(if value.is_empty() && !*quoted {
            None
        } else {
            Some(value)
        });
        *quoted = false;
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_quotes = true;
                quoted = true;
            }
            ',' => end_field(&mut record, &mut field, &mut quoted),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                end_field(&mut record, &mut field, &mut quoted);
                records.push(std::mem::take(&mut record));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || quoted || !record.is_empty() {
        end_field(&mut record, &mut field, &mut quoted);
        records.push(record);
    }
    records
}

/// A field of DuckDB's output as a cell of its column's kind (wide
/// integers and decimals are read as numbers).
fn text_cell(field: Option<String>, kind: ColumnKind) -> Cell {
    match (field, kind) {
        (None, _) => Cell::Null,
        (Some(s), ColumnKind::Integer) => match s.parse::<i64>() {
            Ok(i) => Cell::Integer(i),
            Err(_) => s.parse::<f64>().map_or(Cell::Text(s), Cell::Number),
        },
        (Some(s), ColumnKind::Number) => s.parse::<f64>().map_or(Cell::Text(s), Cell::Number),
        (Some(s), _) => Cell::Text(s),
    }
}

/// A typed value as a field of the CSV file DuckDB loads (empty: NULL;
/// text is never empty, an empty field being no value).
fn csv_value(value: &SqlValue, ty: ColumnType) -> String {
    match value {
        SqlValue::Null => String::new(),
        SqlValue::Integer(n) if ty == ColumnType::Boolean => {
            if *n != 0 { "true" } else { "false" }.to_string()
        }
        SqlValue::Integer(n) => n.to_string(),
        SqlValue::Real(x) => format!("{x}"),
        SqlValue::Text(t) => t.clone(),
        SqlValue::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

impl Engine for DuckDbCli {
    /// Creates the sources' tables and loads `<dir>/<source>.csv` into
    /// them, each file checked first as the embedded engine checks it.
    fn load(
        &mut self,
        agreement: &Agreement<'_>,
        dir: &Path,
        options: &Options,
        progress: &dyn Progress,
    ) -> Result<u64, Box<DataError>> {
        if let Some(database) = &self.database {
            return Err(Box::new(DataError {
                code: codes::ENGINE_TABLE,
                file: None,
                line: None,
                column: None,
                message: format!(
                    "`--database {}` is read where it is; it loads no files",
                    database.display()
                ),
                help: "leave out `--data`, or leave out `--database` to load CSV files".to_string(),
            }));
        }
        let mut script = String::new();
        let mut schemas: Vec<String> = agreement
            .sources
            .iter()
            .filter_map(|s| {
                let path = table_path(s, options);
                (path.len() == 2).then(|| path[0].clone())
            })
            .collect();
        schemas.sort();
        schemas.dedup();
        for schema in schemas {
            script.push_str(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};\n",
                DuckDb.quote_ident(&schema)
            ));
        }
        let mut total = 0;
        let cancelled = Arc::clone(&self.cancelled);
        for source in &agreement.sources {
            progress.loading(source.name());
            script.push_str(&create_table(source, &DuckDb, options));
            let path: Vec<String> = table_path(source, options)
                .iter()
                .map(|p| DuckDb.quote_ident(p))
                .collect();
            let (rows, plain) = check_source(source, dir, progress, &cancelled)?;
            total += rows;
            let original = dir.join(format!("{}.csv", source.name()));
            if plain {
                // Every value reads in DuckDB as Pactum reads it: DuckDB
                // reads the file itself, as text, and casts each column.
                script.push_str(&crate::sql::load::duckdb_insert_csv(
                    source,
                    options,
                    &DuckDb.quote_string(&original.display().to_string()),
                ));
            } else {
                let typed = self.next_file(source.name(), "csv");
                write_typed_csv(source, dir, &typed, progress, &cancelled)?;
                script.push_str(&format!(
                    "COPY {} FROM {} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', NULL '');\n",
                    path.join("."),
                    DuckDb.quote_string(&typed.display().to_string())
                ));
            }
            // DuckDB loads this file while the next one is checked.
            self.send(&std::mem::take(&mut script))?;
        }
        self.script("loading the data", &script, None)?;
        Ok(total)
    }

    fn keeps(&self, agreement: &Agreement<'_>) -> Vec<QueryId> {
        if self.read_only() {
            // A read-only database keeps nothing.
            return Vec::new();
        }
        crate::sql::reusable(agreement)
    }

    fn run_round(
        &mut self,
        queries: &[Planned],
        progress: &(dyn Progress + Sync),
    ) -> Result<Vec<Table>, Box<DataError>> {
        self.queries(queries, progress)
    }

    /// Writes the rows as CSV and loads them into the table later queries
    /// read (`reused_table`), typed as the query's columns.
    fn keep(&mut self, id: &QueryId, table: &Table) -> Result<(), Box<DataError>> {
        let file = self.next_file("kept", "csv");
        // Written by hand: text always quoted (an empty text is `""`), NULL
        // an empty unquoted field, numbers as they are.
        let field = |cell: &Cell| match cell {
            Cell::Null => String::new(),
            Cell::Integer(n) => n.to_string(),
            Cell::Number(x) => format!("{x}"),
            Cell::Text(t) => format!("\"{}\"", t.replace('"', "\"\"")),
        };
        let mut text = table
            .columns
            .iter()
            .map(|c| format!("\"{}\"", c.name.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",");
        text.push('\n');
        for row in &table.rows {
            text.push_str(&row.iter().map(field).collect::<Vec<_>>().join(","));
            text.push('\n');
        }
        std::fs::write(&file, text)
            .map_err(|e| failure(format!("cannot write kept results: {e}"), ""))?;
        let name = DuckDb.quote_ident(&crate::sql::plan::reused_table(id));
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| {
                let ty = match c.kind {
                    ColumnKind::Integer => "BIGINT",
                    ColumnKind::Number => "DOUBLE",
                    ColumnKind::Text => "VARCHAR",
                    ColumnKind::Date => "DATE",
                    ColumnKind::Timestamp => "TIMESTAMP",
                };
                format!("{} {ty}", DuckDb.quote_ident(&c.name))
            })
            .collect();
        // Text in kept results may be empty; only an unquoted empty field
        // is NULL.
        let script = format!(
            "DROP TABLE IF EXISTS {name};\nCREATE TABLE {name} ({});\nCOPY {name} FROM {} (FORMAT csv, HEADER true, NULL '', ALLOW_QUOTED_NULLS false);\n",
            columns.join(", "),
            DuckDb.quote_string(&file.display().to_string())
        );
        self.script("keeping results", &script, None)
    }

    fn canceller(&self) -> Canceller {
        let cancelled = Arc::clone(&self.cancelled);
        let ended = Arc::clone(&self.session.ended);
        let pid = self.pid;
        Canceller::new(move || {
            cancelled.store(true, Ordering::SeqCst);
            if ended.load(Ordering::SeqCst) {
                return;
            }
            // SAFETY: kill(2) with the id of the session's process, not yet
            // reaped (`ended` is set first); at worst it has just exited.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        })
    }
}

/// Reads and checks a source's data file (the located errors of the
/// embedded engine) and tells whether every field is written the one way
/// DuckDB's casts read as Pactum does ([`super::plain_field`]) under a
/// header without padding. Returns the rows and that.
fn check_source(
    source: &Source<'_>,
    dir: &Path,
    progress: &dyn Progress,
    cancelled: &AtomicBool,
) -> Result<(u64, bool), Box<DataError>> {
    let header = header_is_plain(&dir.join(format!("{}.csv", source.name())));
    let (rows, plain) = super::read_rows(source, dir, 4096, progress, cancelled, None)?;
    Ok((rows, header && plain))
}

/// Whether the header's names need no trimming (Pactum trims them) and
/// hold no quotes.
fn header_is_plain(file: &Path) -> bool {
    use std::io::BufRead;
    let Ok(opened) = std::fs::File::open(file) else {
        return false;
    };
    let mut line = String::new();
    if std::io::BufReader::new(opened)
        .read_line(&mut line)
        .is_err()
    {
        return false;
    }
    line.trim_end_matches(['\r', '\n'])
        .split(',')
        .all(|name| name == name.trim() && !name.contains('"'))
}

/// Reads and checks a source's data file, and writes its typed values as
/// the CSV file DuckDB loads. Returns the rows.
fn write_typed_csv(
    source: &Source<'_>,
    dir: &Path,
    out: &Path,
    progress: &dyn Progress,
    cancelled: &AtomicBool,
) -> Result<u64, Box<DataError>> {
    let wanted = columns(source);
    let width = wanted.len().max(1);
    let mut writer = csv::Writer::from_path(out).map_err(|e| {
        failure(
            format!("cannot write the data DuckDB loads: {e}"),
            "free some space in the temporary folder (TMPDIR)",
        )
    })?;
    let write_error = |e: csv::Error| {
        failure(
            format!("cannot write the data DuckDB loads: {e}"),
            "free some space in the temporary folder (TMPDIR)",
        )
    };
    writer
        .write_record(wanted.iter().map(|(name, _)| name.as_str()))
        .map_err(write_error)?;
    let mut write = |batch: Vec<SqlValue>| {
        for row in batch.chunks_exact(width) {
            writer
                .write_record(
                    row.iter()
                        .zip(&wanted)
                        .map(|(value, (_, ty))| csv_value(value, *ty)),
                )
                .map_err(write_error)?;
        }
        Ok(())
    };
    let (rows, _) = super::read_rows(source, dir, 4096, progress, cancelled, Some(&mut write))?;
    writer
        .flush()
        .map_err(|e| write_error(csv::Error::from(e)))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As DuckDB's `COPY ... TO` writes them: NULL empty and unquoted, the
    /// empty string quoted, quotes doubled, line breaks inside quotes.
    #[test]
    fn csv_records_keep_null_and_the_empty_string_apart() {
        let text = "a,b,c,d\n,\"\",\"x,\"\"y\",\"two\nlines\"\n1,,2.5,z\r\n";
        let records = csv_records(text);
        let s = |t: &str| Some(t.to_string());
        assert_eq!(
            records,
            vec![
                vec![s("a"), s("b"), s("c"), s("d")],
                vec![None, s(""), s("x,\"y"), s("two\nlines")],
                vec![s("1"), None, s("2.5"), s("z")],
            ]
        );
        assert_eq!(csv_records("a\n"), vec![vec![s("a")]]);
        assert_eq!(csv_records(""), Vec::<Vec<Option<String>>>::new());
    }

    #[test]
    fn fields_are_typed_by_their_column() {
        assert_eq!(text_cell(None, ColumnKind::Text), Cell::Null);
        assert_eq!(
            text_cell(Some(String::new()), ColumnKind::Text),
            Cell::Text(String::new())
        );
        assert_eq!(
            text_cell(Some("12345678901234".into()), ColumnKind::Integer),
            Cell::Integer(12_345_678_901_234)
        );
        assert_eq!(
            text_cell(Some("1.5000".into()), ColumnKind::Number),
            Cell::Number(1.5)
        );
        assert_eq!(
            text_cell(Some("0.3333333333333333".into()), ColumnKind::Number),
            Cell::Number(1.0 / 3.0)
        );
    }
}
