//! `pactum run SPEC --data DIR [--out DIR]`: loads one CSV file per source
//! into the embedded SQLite engine, runs every compiled query and writes
//! the results (CSV and JSON, the manifest's columns) to a folder, all at
//! once or not at all. `pactum report` shares the loading and running.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{FINDINGS, Failure, PlanArgs, SUCCESS, print_diagnostics};
use crate::check::config::Config;
use crate::check::count;
use crate::run::{DataError, Embedded, Engine, Progress, Table};
use crate::sql::plan::{Options as PlanOptions, Planned};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    /// The embedded engine, loaded from `--data`
    Sqlite,
    /// DuckDB's command-line program (`pip install duckdb-cli`): loaded from
    /// `--data`, or an existing database file read-only (`--database`)
    Duckdb,
    /// A PostgreSQL server holding the source tables (`--url`)
    Postgres,
}

/// Where the data is.
pub enum Input {
    /// CSV files, loaded into the embedded engine.
    Data(PathBuf),
    /// DuckDB: CSV files loaded into a new database, or an existing
    /// database file read where it is.
    DuckDb {
        data: Option<PathBuf>,
        database: Option<PathBuf>,
    },
    /// A PostgreSQL server's URL, and how long one statement may run.
    Postgres {
        url: String,
        statement_timeout: std::time::Duration,
    },
}

impl Input {
    /// The input the options name: `--data` for the embedded engine, `--url`
    /// (or `PACTUM_DATABASE_URL`) for PostgreSQL.
    pub fn from_options(
        engine: EngineArg,
        data: &Option<PathBuf>,
        url: &Option<String>,
        statement_timeout_seconds: u64,
        database: &Option<PathBuf>,
    ) -> Result<Input, Failure> {
        if database.is_some() && engine != EngineArg::Duckdb {
            return Err(Failure(
                "`--database FILE` names a DuckDB database: use it with `--engine duckdb`"
                    .to_string(),
            ));
        }
        match engine {
            EngineArg::Duckdb => match (data, database) {
                (Some(_), Some(_)) => Err(Failure(
                    "give `--data DIR` (CSV files to load) or `--database FILE` (a DuckDB database read where it is), not both".to_string(),
                )),
                (None, None) => Err(Failure(
                    "give the data folder (`--data DIR`, one CSV file per source) or a DuckDB database (`--database FILE`)".to_string(),
                )),
                _ => Ok(Input::DuckDb {
                    data: data.clone(),
                    database: database.clone(),
                }),
            },
            EngineArg::Sqlite => match data {
                Some(dir) => Ok(Input::Data(dir.clone())),
                None => Err(Failure(
                    "give the data folder (`--data DIR`, one CSV file per source)".to_string(),
                )),
            },
            EngineArg::Postgres => {
                if data.is_some() {
                    return Err(Failure(
                        "`--engine postgres` runs where the data already is; leave out `--data`"
                            .to_string(),
                    ));
                }
                match url.clone().or_else(|| std::env::var("PACTUM_DATABASE_URL").ok()) {
                    Some(url) => Ok(Input::Postgres {
                        url,
                        statement_timeout: std::time::Duration::from_secs(
                            statement_timeout_seconds,
                        ),
                    }),
                    None => Err(Failure(
                        "`--engine postgres` needs `--url postgresql://USER@HOST:PORT/DATABASE` or PACTUM_DATABASE_URL".to_string(),
                    )),
                }
            }
        }
    }
}

pub struct Options {
    pub spec: PathBuf,
    pub data: Option<PathBuf>,
    pub engine: EngineArg,
    pub url: Option<String>,
    pub statement_timeout: u64,
    pub out: Option<PathBuf>,
    /// A DuckDB database file, read-only (`--engine duckdb`).
    pub database: Option<PathBuf>,
    /// Results for one party (`--for`).
    pub for_party: Option<String>,
    pub plan: PlanArgs,
}

/// What a command needs of a checked agreement.
pub struct Agreement<'a> {
    /// The agreement, resolved.
    pub model: &'a crate::model::Agreement<'a>,
    /// The workspace's `pactum.yaml` (environments for `--env`).
    pub config: &'a Config,
}

/// Loads and checks the agreement in `spec` (with its imports) and hands
/// it to `work`. An agreement with errors is refused as `check` shows it.
pub fn with_agreement(
    spec: &Path,
    work: &mut dyn FnMut(&Agreement<'_>) -> Result<u8, Failure>,
) -> Result<u8, Failure> {
    let (ws, diagnostics) = super::check::collect(&[spec.to_path_buf()])?;
    if count(&diagnostics).errors > 0 {
        print_diagnostics(&diagnostics, &ws.sources);
        eprintln!(
            "pactum: not run: {}",
            super::check::summary(&diagnostics, ws.units.len())
        );
        return Ok(FINDINGS);
    }
    let agreements = ws.agreements();
    let [index] = agreements[..] else {
        return Err(Failure(if agreements.is_empty() {
            format!(
                "`{}` holds no agreement (a catalog is run through the agreements that import it)",
                spec.display()
            )
        } else {
            format!(
                "`{}` holds several agreements; give one file",
                spec.display()
            )
        }));
    };
    let scope = ws.scope(index);
    let model = crate::model::Agreement::of(&scope);
    work(&Agreement {
        model: &model,
        config: &ws.settings.config,
    })
}

/// A progress bar on standard error when it is a terminal; nothing
/// otherwise (logs and CI stay clean).
struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new() -> Bar {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>4} {msg} {pos} rows")
                .expect("a valid template"),
        );
        Bar { bar }
    }
}

impl Progress for Bar {
    fn loading(&self, source: &str) {
        self.bar.set_message(format!("loading {source}:"));
    }
    fn rows(&self, count: u64) {
        self.bar.inc(count);
    }
    fn query(&self, name: &str) {
        self.bar.set_message(format!("running {name}; loaded"));
        self.bar.tick();
    }
}

/// An engine ready to run, the data folder it loads (none: it reads its
/// tables where they are), and its name for the last line.
type Opened<'a> = (Box<dyn Engine>, Option<&'a Path>, &'static str);

/// Loads the data (or connects) and runs every query. Data errors are
/// printed and give `Ok(Err(FINDINGS))`.
pub fn load_and_run(
    agreement: &Agreement<'_>,
    input: &Input,
    options: &PlanOptions,
) -> Result<Result<Vec<Table>, u8>, Failure> {
    let bar = Bar::new();
    let started = Instant::now();
    // Each engine is opened (a server connected) first: until then Ctrl-C
    // ends the process as usual, nothing runs yet. The embedded engine
    // catches it before it makes its scratch folder, so that the folder
    // goes with it.
    let opened: Result<Opened<'_>, Box<DataError>> = match input {
        Input::Data(dir) => {
            crate::interrupt::catch();
            Embedded::open(agreement.model, options).map(|e| {
                (
                    Box::new(e) as Box<dyn Engine>,
                    Some(dir.as_path()),
                    "SQLite",
                )
            })
        }
        Input::DuckDb { data, database } => {
            crate::run::duckdb::DuckDbCli::open(database.as_deref())
                .map(|e| (Box::new(e) as Box<dyn Engine>, data.as_deref(), "DuckDB"))
        }
        Input::Postgres {
            url,
            statement_timeout,
        } => {
            let session = crate::run::postgres::Session {
                time_zone: agreement.model.timezone.unwrap_or("UTC").to_string(),
                statement_timeout: *statement_timeout,
            };
            crate::run::postgres::Server::connect(url, &session)
                .map(|e| (Box::new(e) as Box<dyn Engine>, None, "PostgreSQL"))
        }
    };
    let (mut engine, data, name) = match opened {
        Ok(opened) => opened,
        Err(error) => return Ok(Err(report_data_error(&bar, &error))),
    };
    crate::interrupt::catch();
    // From here on Ctrl-C stops the load or the queries (on a server, the
    // server cancels them), and a scratch folder goes with the engine.
    let watch = crate::interrupt::watch(engine.canceller());
    let rows = match data {
        Some(dir) => match engine.load(agreement.model, dir, options, &bar) {
            Ok(rows) => Some(rows),
            Err(error) => return Ok(Err(report_data_error(&bar, &error))),
        },
        None => None,
    };
    let loaded = started.elapsed();
    let ran = run_plan(engine.as_mut(), agreement, options, &bar);
    drop(watch);
    let tables = match ran {
        Ok(tables) => tables,
        Err(error) => return Ok(Err(report_data_error(&bar, &error))),
    };
    bar.bar.finish_and_clear();
    match rows {
        Some(rows) => eprintln!(
            "loaded {rows} rows in {:.1} s, ran {} queries in {:.1} s on {name}",
            loaded.as_secs_f64(),
            tables.len(),
            (started.elapsed() - loaded).as_secs_f64()
        ),
        None => eprintln!(
            "ran {} queries on {name} in {:.1} s (read-only{})",
            tables.len(),
            started.elapsed().as_secs_f64(),
            engine
                .keeping_note()
                .map(|note| format!("; {note}"))
                .unwrap_or_default()
        ),
    }
    Ok(Ok(tables))
}

/// Runs the agreement's plan on `engine`, noting what could not be planned.
fn run_plan(
    engine: &mut dyn Engine,
    agreement: &Agreement<'_>,
    options: &PlanOptions,
    bar: &Bar,
) -> Result<Vec<Table>, Box<DataError>> {
    let (tables, not_compiled) = crate::run::engine::run(engine, agreement.model, options, bar)?;
    for what in &not_compiled {
        eprintln!("note: not run (no SQL planner yet): {what}");
    }
    Ok(tables)
}

/// Prints a data error; the exit status is 1, or 130 (as shells give a
/// process stopped by Ctrl-C) when the run was interrupted.
fn report_data_error(bar: &Bar, error: &DataError) -> u8 {
    bar.bar.finish_and_clear();
    eprintln!("{error}");
    if crate::interrupt::interrupted() {
        INTERRUPTED
    } else {
        FINDINGS
    }
}

/// The exit status of a run stopped by Ctrl-C or SIGTERM.
pub const INTERRUPTED: u8 = 130;

/// The results `audience` may see; what is left out is named.
pub fn restricted(
    agreement: &crate::model::Agreement<'_>,
    audience: &crate::privacy::Audience,
    tables: Vec<crate::run::Table>,
) -> Vec<crate::run::Table> {
    let (kept, left_out) = crate::privacy::restrict(agreement, audience, tables);
    if !left_out.is_empty() {
        eprintln!(
            "note: for {}, left out: {} (row-level data and other parties' statements are not shared)",
            audience.party,
            left_out.join(", ")
        );
    }
    eprintln!(
        "note: for {}, figures from fewer than {} customers are suppressed",
        audience.party, audience.minimum
    );
    kept
}

/// The planned queries of an agreement (for reading results back).
pub fn planned(agreement: &Agreement<'_>, options: &PlanOptions) -> Vec<Planned> {
    crate::sql::plan(agreement.model, options).queries
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let input = Input::from_options(
        options.engine,
        &options.data,
        &options.url,
        options.statement_timeout,
        &options.database,
    )?;
    with_agreement(&options.spec, &mut |agreement| {
        let plan_options = options.plan.options(agreement.config)?;
        let out = options
            .out
            .clone()
            .unwrap_or_else(|| Path::new("results").join(agreement.model.name));
        let audience = match &options.for_party {
            Some(party) => Some(crate::privacy::audience(agreement.model, party).map_err(Failure)?),
            None => None,
        };
        // Refused before the run, not after it.
        crate::output::claim(&out, "run").map_err(Failure)?;
        let tables = match load_and_run(agreement, &input, &plan_options)? {
            Ok(tables) => tables,
            Err(code) => return Ok(code),
        };
        let tables = match &audience {
            Some(audience) => restricted(agreement.model, audience, tables),
            None => tables,
        };
        crate::run::results::write_folder(&out, &tables)
            .map_err(|e| Failure::io(&out, "write results to", &e))?;
        eprintln!(
            "wrote {} result files under {}",
            tables.len() * 2,
            out.display()
        );
        Ok(SUCCESS)
    })
}

/// `pactum demo SPEC DIR`: synthetic data for the agreement.
/// How much data `demo` writes.
pub struct DemoSize {
    pub customers: usize,
    pub max_touches: u64,
}

pub fn demo(
    spec: &Path,
    dir: &Path,
    size: DemoSize,
    seed: u64,
    until: Option<&str>,
) -> Result<u8, Failure> {
    let until =
        match until {
            Some(text) => Some(crate::check::dates::parse(text).ok_or_else(|| {
                Failure(format!("`--until {text}` is not a date; write YYYY-MM-DD"))
            })?),
            None => None,
        };
    with_agreement(spec, &mut |agreement| {
        let mut settings = crate::demo::Settings::for_agreement(agreement.model);
        settings.customers = size.customers;
        settings.max_touches = size.max_touches;
        settings.seed = seed;
        if let Some(day) = until {
            settings.until = day;
        }
        crate::output::claim(dir, "demo").map_err(Failure)?;
        let written = crate::demo::generate(agreement.model, &settings, dir)
            .map_err(|e| Failure::io(dir, "write data to", &e))?;
        let files: Vec<String> = written.iter().map(|(name, _)| name.clone()).collect();
        let marker = dir.join(crate::output::MARKER);
        std::fs::write(&marker, crate::output::marker("demo", &files))
            .map_err(|e| Failure::io(&marker, "write", &e))?;
        let rows: usize = written.iter().map(|(_, n)| n).sum();
        eprintln!(
            "wrote {} files ({rows} rows) under {}",
            written.len(),
            dir.display()
        );
        Ok(SUCCESS)
    })
}
