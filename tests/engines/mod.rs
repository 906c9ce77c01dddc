//! Real SQL engines for the tests: embedded SQLite (rusqlite), a PostgreSQL
//! server (through `psql`), DuckDB (its command-line program), and Spark
//! (local mode) and the Snowflake and BigQuery stand-ins, driven through
//! Python (see [`PythonEngine`]). Each loads the sources of an agreement from CSV files and runs queries,
//! returning rows of [`Value`]s. A missing engine fails the test with a
//! message saying how to get it; nothing is skipped.

#![allow(dead_code)] // each test file uses its own subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pactum::check::scope::Scope;
use pactum::sql::dialect::{self, Dialect};
use pactum::sql::load::{columns, create_table};
use pactum::sql::plan::{Options, table_path};
use pactum::syntax::ast::{ColumnType, File};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Number(f64),
}

impl Value {
    pub fn text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(t) => t.clone(),
            Value::Number(n) => format!("{n}"),
        }
    }

    pub fn number(&self) -> f64 {
        match self {
            Value::Number(n) => *n,
            Value::Text(t) => t.parse().unwrap_or_else(|_| panic!("not a number: {t:?}")),
            Value::Null => panic!("NULL where a number was expected"),
        }
    }
}

/// A parsed agreement with its scope, for planning queries in tests.
pub struct Spec {
    pub file: File,
    pub id: pactum::syntax::span::FileId,
}

impl Spec {
    pub fn load(path: &Path) -> Spec {
        let mut sources = pactum::source::SourceMap::new();
        let text = std::fs::read_to_string(path).unwrap();
        let id = sources.add(path.display().to_string(), text);
        let parsed = pactum::parse(&sources, id);
        assert!(
            parsed.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.diagnostics
        );
        Spec {
            file: parsed.file.unwrap(),
            id,
        }
    }

    pub fn scope(&self) -> Scope<'_> {
        let mut diagnostics = Vec::new();
        let scope = Scope::build(&self.file, self.id, &[], &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        scope
    }
}

/// Minimal RFC 4180 reading: quoted fields, doubled quotes, commas and
/// line breaks inside quotes. Returns the header and the rows; an empty
/// unquoted field is `None` (NULL), a quoted empty field is `Some("")`.
pub fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    let mut row: Vec<Option<String>> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    let end_field = |row: &mut Vec<Option<String>>, field: &mut String, was_quoted: &mut bool| {
        if field.is_empty() && !*was_quoted {
            row.push(None);
        } else {
            row.push(Some(std::mem::take(field)));
        }
        *was_quoted = false;
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                was_quoted = true;
            }
            ',' => end_field(&mut row, &mut field, &mut was_quoted),
            '\r' => {}
            '\n' => {
                end_field(&mut row, &mut field, &mut was_quoted);
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || was_quoted || !row.is_empty() {
        end_field(&mut row, &mut field, &mut was_quoted);
        rows.push(row);
    }
    let header = rows
        .remove(0)
        .into_iter()
        .map(|h| h.unwrap_or_default())
        .collect();
    (header, rows)
}

pub trait Engine {
    fn name(&self) -> &'static str;
    fn dialect(&self) -> &'static dyn Dialect;
    /// Creates every source table of the agreement and loads
    /// `<dir>/<source name>.csv` into it.
    fn load(&mut self, scope: &Scope<'_>, dir: &Path, options: &Options);
    fn query(&mut self, sql: &str) -> Vec<Vec<Value>>;
}

// ------------------------------------------------------------------ SQLite

pub struct Sqlite {
    connection: rusqlite::Connection,
}

impl Sqlite {
    /// An in-memory database with the functions Pactum's embedded engine
    /// registers (`pactum_local_time`).
    pub fn new() -> Sqlite {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        pactum::run::add_functions(&connection).unwrap();
        Sqlite { connection }
    }
}

impl Engine for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::Sqlite
    }

    fn load(&mut self, scope: &Scope<'_>, dir: &Path, options: &Options) {
        let agreement = pactum::model::Agreement::of(scope);
        for source in &agreement.sources {
            let ddl = create_table(source, self.dialect(), options);
            self.connection.execute_batch(&ddl).unwrap();
            let indexes = pactum::sql::load::create_indexes(source, self.dialect(), options);
            self.connection.execute_batch(&indexes).unwrap();
            let csv = dir.join(format!("{}.csv", source.name()));
            let (header, rows) = read_csv(&std::fs::read_to_string(&csv).unwrap());
            let types = columns(source);
            let path: Vec<String> = table_path(source, options)
                .iter()
                .map(|p| self.dialect().quote_ident(p))
                .collect();
            let names: Vec<String> = header
                .iter()
                .map(|h| self.dialect().quote_ident(h))
                .collect();
            let marks: Vec<String> = (1..=header.len()).map(|i| format!("?{i}")).collect();
            let insert = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                path.join("."),
                names.join(", "),
                marks.join(", ")
            );
            let tx = self.connection.transaction().unwrap();
            {
                let mut statement = tx.prepare(&insert).unwrap();
                for row in rows {
                    let values: Vec<rusqlite::types::Value> = row
                        .iter()
                        .zip(&header)
                        .map(|(cell, column)| {
                            let ty = types.iter().find(|(n, _)| n == column).map(|(_, t)| *t);
                            match (cell, ty) {
                                (None, _) => rusqlite::types::Value::Null,
                                (Some(v), Some(ColumnType::Number | ColumnType::Money)) => {
                                    rusqlite::types::Value::Real(v.parse().unwrap())
                                }
                                (Some(v), _) => rusqlite::types::Value::Text(v.clone()),
                            }
                        })
                        .collect();
                    statement
                        .execute(rusqlite::params_from_iter(values))
                        .unwrap();
                }
            }
            tx.commit().unwrap();
        }
    }

    fn query(&mut self, sql: &str) -> Vec<Vec<Value>> {
        let mut statement = self
            .connection
            .prepare(sql)
            .unwrap_or_else(|e| panic!("SQLite rejected the query: {e}\n{sql}"));
        let width = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                Ok((0..width)
                    .map(|i| match row.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(n) => Value::Number(n as f64),
                        rusqlite::types::ValueRef::Real(n) => Value::Number(n),
                        rusqlite::types::ValueRef::Text(t) => {
                            Value::Text(String::from_utf8_lossy(t).into_owned())
                        }
                        rusqlite::types::ValueRef::Blob(_) => Value::Null,
                    })
                    .collect())
            })
            .unwrap();
        rows.map(|r| r.unwrap()).collect()
    }
}

// ------------------------------------------------------------------ PostgreSQL

/// A PostgreSQL schema of its own, on the server named by `PACTUM_TEST_PG`
/// (a libpq connection string or URL; `.ci/run` starts a server and sets it).
pub struct Postgres {
    url: String,
    schema: String,
    /// Schemas made for tables named `schema.table`, dropped with the
    /// test's.
    extra: Vec<String>,
}

impl Postgres {
    pub fn new(test: &str) -> Postgres {
        let url = std::env::var("PACTUM_TEST_PG").unwrap_or_else(|_| {
            panic!(
                "PostgreSQL is needed: set PACTUM_TEST_PG to a connection URL, or run `bash .ci/run`, which starts a server"
            )
        });
        let schema = format!("t_{}_{}", std::process::id(), test);
        let pg = Postgres {
            url,
            schema,
            extra: Vec::new(),
        };
        pg.psql(&format!(
            "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0};",
            pg.schema
        ));
        pg
    }

    /// The test's schema.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The server's URL, with the test's schema first on the search path.
    pub fn url_with_schema(&self) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}options=-c%20search_path%3D{}",
            self.url, self.schema
        )
    }

    pub fn psql(&self, script: &str) -> String {
        let mut child = Command::new("psql")
            .args([
                self.url.as_str(),
                "--csv",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
                "-",
            ])
            .env(
                "PGOPTIONS",
                format!("-c search_path={} -c jit=off", self.schema),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run psql (apt-get install postgresql-client): {e}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "PostgreSQL rejected:\n{}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                self.url.as_str(),
                "-q",
                "-c",
                &format!(
                    "DROP SCHEMA IF EXISTS {} CASCADE",
                    std::iter::once(&self.schema)
                        .chain(&self.extra)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ])
            .output();
    }
}

impl Engine for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::Postgres
    }

    fn load(&mut self, scope: &Scope<'_>, dir: &Path, options: &Options) {
        let mut script = String::new();
        let agreement = pactum::model::Agreement::of(scope);
        for source in &agreement.sources {
            let path = table_path(source, options);
            if path.len() == 2 && !self.extra.contains(&path[0]) {
                let name = self.dialect().quote_ident(&path[0]);
                script.push_str(&format!(
                    "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name};\n"
                ));
                self.extra.push(path[0].clone());
            }
            script.push_str(&create_table(source, self.dialect(), options));
            let csv = dir.join(format!("{}.csv", source.name()));
            let (header, _) = read_csv(&std::fs::read_to_string(&csv).unwrap());
            let path: Vec<String> = table_path(source, options)
                .iter()
                .map(|p| self.dialect().quote_ident(p))
                .collect();
            let names: Vec<String> = header
                .iter()
                .map(|h| self.dialect().quote_ident(h))
                .collect();
            // The data follows the COPY command in the script, so that the
            // server's parser (not psql's) reads every name.
            let data = std::fs::read_to_string(&csv).unwrap();
            script.push_str(&format!(
                "COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true);\n{}{}\\.\n",
                path.join("."),
                names.join(", "),
                data,
                if data.ends_with('\n') { "" } else { "\n" }
            ));
        }
        self.psql(&script);
    }

    fn query(&mut self, sql: &str) -> Vec<Vec<Value>> {
        parse_result(&self.psql(sql))
    }
}

// ------------------------------------------------------------------ DuckDB

/// DuckDB through its command-line program (`pip install duckdb-cli`), on a
/// database file of its own.
pub struct DuckDb {
    database: PathBuf,
}

impl DuckDb {
    pub fn new(test: &str) -> DuckDb {
        let database = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("duckdb_{test}.db"));
        let _ = std::fs::remove_file(&database);
        DuckDb { database }
    }

    /// The database file the tables are loaded into.
    pub fn database(&self) -> &Path {
        &self.database
    }

    fn run(&self, script: &str) -> String {
        let mut child = Command::new("duckdb")
            .args(["-csv", "-bail", self.database.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run duckdb (pip install duckdb-cli): {e}"));
        // NULL prints as an empty field, as in psql's CSV.
        let script = format!(".nullvalue ''\n{script}");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "DuckDB rejected:\n{stderr}\n{script}"
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Engine for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::DuckDb
    }

    fn load(&mut self, scope: &Scope<'_>, dir: &Path, options: &Options) {
        let mut script = String::new();
        let agreement = pactum::model::Agreement::of(scope);
        for source in &agreement.sources {
            let path = table_path(source, options);
            if path.len() == 2 {
                script.push_str(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {};\n",
                    self.dialect().quote_ident(&path[0])
                ));
            }
            script.push_str(&create_table(source, self.dialect(), options));
            let csv = dir.join(format!("{}.csv", source.name()));
            let path: Vec<String> = table_path(source, options)
                .iter()
                .map(|p| self.dialect().quote_ident(p))
                .collect();
            script.push_str(&format!(
                "INSERT INTO {} BY NAME SELECT * FROM read_csv({}, header = true, all_varchar = true, nullstr = '', quote = '\"', escape = '\"');\n",
                path.join("."),
                self.dialect().quote_string(&absolute(&csv))
            ));
        }
        self.run(&script);
    }

    fn query(&mut self, sql: &str) -> Vec<Vec<Value>> {
        parse_result(&self.run(sql))
    }
}

fn absolute(path: &Path) -> String {
    std::fs::canonicalize(path).unwrap().display().to_string()
}

/// CSV output of psql or duckdb: text, numbers where they parse, NULL for
/// empty unquoted fields.
fn parse_result(text: &str) -> Vec<Vec<Value>> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let (_, rows) = read_csv(text);
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| match cell {
                    None => Value::Null,
                    Some(v) => Value::Text(v),
                })
                .collect()
        })
        .collect()
}

// ----------------------------------- Spark, and Snowflake and BigQuery stand-ins

/// An engine driven through a Python process per engine, behind a line
/// protocol (`tests/engines/*_session.py`):
///
/// - Apache Spark itself, in local mode (`pip install pyspark`, Java 17);
/// - Snowflake on the `fakesnow` stand-in, which translates Snowflake's
///   SQL with sqlglot and runs it on DuckDB;
/// - BigQuery's SQL translated by sqlglot into DuckDB's, run on DuckDB.
///
/// The stand-ins prove that the SQL parses as the warehouse's (as sqlglot
/// reads it), that its functions mean what Pactum expects, and the numbers;
/// not the warehouse's own parser and planner, its case rules for names
/// (DuckDB finds names in any case) or its types' exact limits.
pub struct PythonEngine {
    name: &'static str,
    dialect: &'static dyn Dialect,
    child: std::process::Child,
    input: Option<std::process::ChildStdin>,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl PythonEngine {
    pub fn snowflake() -> PythonEngine {
        PythonEngine::start(
            "snowflake",
            &dialect::Snowflake::FOLDED,
            "fakesnow_session.py",
        )
    }

    pub fn bigquery() -> PythonEngine {
        PythonEngine::start("bigquery", &dialect::BigQuery, "bigquery_session.py")
    }

    pub fn spark() -> PythonEngine {
        PythonEngine::start("spark", &dialect::Spark, "spark_session.py")
    }

    fn start(name: &'static str, dialect: &'static dyn Dialect, script: &str) -> PythonEngine {
        let mut child = Command::new("python3")
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/engines")
                    .join(script),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
        let input = child.stdin.take();
        let output = std::io::BufReader::new(child.stdout.take().unwrap());
        PythonEngine {
            name,
            dialect,
            child,
            input,
            output,
        }
    }

    fn ask(&mut self, request: serde_json::Value) -> Vec<Vec<Value>> {
        use std::io::BufRead;
        let input = self.input.as_mut().expect("open until dropped");
        writeln!(input, "{request}").unwrap();
        input.flush().unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "the {} session stopped: `pip install pyspark==3.5.3 fakesnow==0.9.49 snowflake-connector-python==3.18.1 sqlglot==27.2.0 duckdb==1.3.2` and Java 17 (bash .ci/run installs them)",
            self.name
        );
        let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
        if let Some(error) = answer.get("error") {
            panic!("{} rejected:\n{error}\n{request}", self.name);
        }
        answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|cell| match cell.as_str() {
                        Some(text) => Value::Text(text.to_string()),
                        None => Value::Null,
                    })
                    .collect()
            })
            .collect()
    }
}

impl Drop for PythonEngine {
    /// Ends the session as it expects (its input closed), so that it can
    /// stop its engine and remove its scratch files.
    fn drop(&mut self) {
        self.input = None;
        let _ = self.child.wait();
    }
}

impl Engine for PythonEngine {
    fn name(&self) -> &'static str {
        self.name
    }

    fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    fn load(&mut self, scope: &Scope<'_>, dir: &Path, options: &Options) {
        let agreement = pactum::model::Agreement::of(scope);
        for source in &agreement.sources {
            let path = table_path(source, options);
            if path.len() == 2 {
                let schema = self.dialect().source_name(&path[0]);
                self.ask(serde_json::json!({
                    "sql": format!("CREATE SCHEMA IF NOT EXISTS {schema}")
                }));
            }
            let ddl = create_table(source, self.dialect(), options);
            self.ask(serde_json::json!({ "sql": ddl.trim_end().trim_end_matches(';') }));
            let names: Vec<String> = columns(source).into_iter().map(|(n, _)| n).collect();
            let quoted: Vec<String> = names
                .iter()
                .map(|n| self.dialect().source_name(n))
                .collect();
            let table: Vec<String> = path.iter().map(|p| self.dialect().source_name(p)).collect();
            self.ask(serde_json::json!({
                "load": table.join("."),
                "columns": names,
                "quoted_columns": quoted,
                "file": absolute(&dir.join(format!("{}.csv", source.name()))),
            }));
        }
    }

    fn query(&mut self, sql: &str) -> Vec<Vec<Value>> {
        let sql = sql.trim_end().trim_end_matches(';');
        self.ask(serde_json::json!({ "sql": sql }))
    }
}

/// Every engine the tests run on.
pub fn all(test: &str) -> Vec<Box<dyn Engine>> {
    vec![
        Box::new(Sqlite::new()),
        Box::new(Postgres::new(test)),
        Box::new(DuckDb::new(test)),
    ]
}

/// `a` and `b` agree to 1e-9 relative (exactly, around zero).
pub fn close(a: f64, b: f64) -> bool {
    if a == b {
        return true;
    }
    let scale = a.abs().max(b.abs());
    scale < 1e-12 && (a - b).abs() < 1e-12 || (a - b).abs() <= 1e-9 * scale
}

/// The results `pactum run` wrote in a folder: each CSV file's name
/// (without `.csv`) and rows, NULL as an empty text, sorted by name.
pub fn result_files(dir: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut results = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let (_, rows) = read_csv(&std::fs::read_to_string(&path).unwrap());
            let rows = rows
                .into_iter()
                .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
                .collect();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            results.push((name, rows));
        }
    }
    results.sort();
    results
}

/// A row's cells in a form that sorts the same whatever engine printed
/// the numbers.
fn sort_key(row: &[String]) -> Vec<String> {
    row.iter()
        .map(|cell| match cell.parse::<f64>() {
            Ok(x) => format!("{x:+.9e}"),
            Err(_) => cell.clone(),
        })
        .collect()
}

/// The same rows in any order, numbers equal to 1e-9 (see [`close`]).
pub fn same_rows(what: &str, mut actual: Vec<Vec<String>>, mut expected: Vec<Vec<String>>) {
    actual.sort_by_key(|r| sort_key(r));
    expected.sort_by_key(|r| sort_key(r));
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: row count\n{actual:?}\n{expected:?}"
    );
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(a.len(), e.len(), "{what}: {a:?} / {e:?}");
        for (x, y) in a.iter().zip(e) {
            let same = match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(u), Ok(v)) => close(u, v),
                _ => x == y,
            };
            assert!(same, "{what}: {a:?}\n  expected {e:?}");
        }
    }
}
