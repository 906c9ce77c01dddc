//! The commands behind the CLI. Each returns an exit code:
//! 0 success, 1 findings in the input, 2 usage or I/O errors.

pub mod check;
pub mod compile;
pub mod diff;
pub mod fmt;
pub mod init;
pub mod parse;
pub mod report;
pub mod run;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::check::config::Config;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::render::{Style, render_human};
use crate::source::SourceMap;
use crate::vocabulary::{Day, Period};

pub const SUCCESS: u8 = 0;
pub const FINDINGS: u8 = 1;
pub const FAILURE: u8 = 2;

/// What the planned queries cover, for every command that plans them
/// (`compile`, `run`, `report`).
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// Reporting period of aggregated queries
    #[arg(long, value_enum, default_value_t = Period::Month)]
    pub period: Period,
    /// Ignore data after this day (YYYY-MM-DD); default: today
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Day>,
    /// Environment of pactum.yaml whose table prefix applies
    #[arg(long)]
    pub env: Option<String>,
}

impl Default for PlanArgs {
    fn default() -> Self {
        PlanArgs {
            period: Period::Month,
            as_of: None,
            env: None,
        }
    }
}

impl PlanArgs {
    /// The planner's options, with the table prefix of `--env` from the
    /// workspace's `pactum.yaml`.
    pub fn options(&self, config: &Config) -> Result<crate::sql::plan::Options, Failure> {
        let table_prefix = match &self.env {
            Some(env) => config
                .environments
                .get(env)
                .map(|e| e.table_prefix.clone())
                .ok_or_else(|| Failure(format!("no environment `{env}` in pactum.yaml")))?,
            None => String::new(),
        };
        Ok(crate::sql::plan::Options {
            period: self.period,
            as_of: self.as_of,
            table_prefix,
            ..crate::sql::plan::Options::default()
        })
    }
}

/// A usage or I/O error: one line that names the path.
#[derive(Debug)]
pub struct Failure(pub String);

impl Failure {
    pub fn io(path: &Path, action: &str, error: &std::io::Error) -> Self {
        Failure(format!(
            "cannot {action} `{}`: {}",
            path.display(),
            io_reason(error)
        ))
    }
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

/// Colours only on a terminal, and never with `NO_COLOR` set.
pub fn stderr_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !no_color && std::io::stderr().is_terminal() {
        Style::Color
    } else {
        Style::Plain
    }
}

pub fn print_diagnostics(diagnostics: &[Diagnostic], sources: &SourceMap) {
    let style = stderr_style();
    let mut err = std::io::stderr().lock();
    for d in diagnostics {
        let _ = write!(err, "{}", render_human(d, sources, style));
    }
}

/// Expands the given paths: files as they are, folders recursively to their
/// `*.pactum` files (hidden folders skipped), in a stable order. Inside
/// folders only regular files are read (a FIFO or a device named
/// `*.pactum` would block or never end), a folder reached twice through a
/// link is read once (no loops), and a file reached twice is listed once.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    let mut seen_dirs = std::collections::HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| Failure::io(path, "read", &e))?;
        if meta.is_dir() {
            walk(path, &mut out, &mut seen_dirs)?;
        } else {
            out.push(path.clone());
        }
    }
    let mut seen_files = std::collections::HashSet::new();
    out.retain(|path| seen_files.insert(std::fs::canonicalize(path).unwrap_or(path.clone())));
    Ok(out)
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Result<(), Failure> {
    let real = std::fs::canonicalize(dir).map_err(|e| Failure::io(dir, "read folder", &e))?;
    if !seen.insert(real) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::io(dir, "read folder", &e))?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Failure::io(dir, "read folder", &e))?;
        paths.push(entry.path());
    }
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        // Through links; a broken link is no file.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, out, seen)?;
        } else if meta.is_file() && path.extension().is_some_and(|e| e == "pactum") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        let limit = crate::source::MAX_SOURCE_BYTES;
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::io::stdin(), limit + 1),
            &mut bytes,
        )
        .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(Failure(format!(
                "standard input is larger than {} MiB, far more than any agreement",
                limit / (1024 * 1024)
            )));
        }
        return Ok(bytes);
    }
    crate::source::read_source(path).map_err(|e| Failure::io(path, "read", &e))
}

pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// `pactum explain CODE`
pub fn explain(code: &str) -> Result<u8, Failure> {
    match crate::diagnostics::codes::lookup(code) {
        Some(info) => {
            write_stdout(
                format!("{}: {}\n\n{}", info.code, info.title, info.explanation).as_bytes(),
            )?;
            Ok(SUCCESS)
        }
        None => Err(Failure(format!(
            "unknown diagnostic code `{code}`; codes look like P0001"
        ))),
    }
}

/// Writes to standard output; a closed pipe (`pactum parse x | head`) is
/// not an error worth reporting.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure(format!("cannot write standard output: {e}")))
        }
        _ => Ok(()),
    }
}
