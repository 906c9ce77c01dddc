//! `pactum.yaml`: workspace settings. Rule severities, the default SQL
//! dialect and output folder, and table prefixes per environment.
//!
//! ```yaml
//! dialect: postgres
//! out: build/sql
//! rules:
//!   vanity-metric: error
//!   P0344: allow
//! environments:
//!   dev:
//!     table_prefix: "dev_"
//! snowflake:
//!   names: quoted
//! ```
//!
//! Unknown keys are errors with a location, so that a misspelled setting is
//! never silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Severity, codes};
use crate::source::SourceMap;
use crate::syntax::span::{FileId, Span};

pub const FILE_NAME: &str = "pactum.yaml";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Default dialect of `pactum compile`.
    #[serde(default)]
    pub dialect: Option<String>,
    /// Default output folder of `pactum compile`.
    #[serde(default)]
    pub out: Option<String>,
    /// Severity per rule, by code or name.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    /// Named environments (`dev`, `prod`, ...).
    #[serde(default)]
    pub environments: BTreeMap<String, Environment>,
    /// How the Snowflake SQL names the account's tables and columns.
    #[serde(default)]
    pub snowflake: Option<SnowflakeSettings>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SnowflakeSettings {
    /// `folded` (the default): the objects were made without quotes, so
    /// Snowflake stored their names in upper case; `quoted`: they were made
    /// with quoted lower-case names, exactly as the agreement writes them.
    #[serde(default)]
    pub names: SnowflakeNames,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SnowflakeNames {
    #[default]
    Folded,
    Quoted,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    #[serde(alias = "warn")]
    Warning,
    #[serde(alias = "off")]
    Allow,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Put in front of every table name, e.g. `dev_` or `staging.`.
    #[serde(default)]
    pub table_prefix: String,
}

/// A loaded `pactum.yaml` with rule names resolved to codes.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub config: Config,
    /// The folder that holds `pactum.yaml`, if there is one.
    pub root: Option<PathBuf>,
    levels: BTreeMap<&'static str, Level>,
}

impl Settings {
    /// The severity a finding with `code` gets, or `None` when it is allowed.
    pub fn severity(&self, code: &str, default: Severity) -> Option<Severity> {
        match self.levels.get(code) {
            Some(Level::Allow) => None,
            Some(Level::Error) => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            None => Some(default),
        }
    }
}

/// The nearest `pactum.yaml` in `start` or one of its parent folders. The
/// search stops at a repository root (a folder holding `.git`).
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
        dir = dir.parent()?;
    }
}

/// Finds and reads the `pactum.yaml` that applies to `start`, adding it to
/// `sources`. No file means default settings.
pub fn load(start: &Path, sources: &mut SourceMap) -> std::io::Result<(Settings, Vec<Diagnostic>)> {
    let Some(path) = find(start) else {
        return Ok((Settings::default(), Vec::new()));
    };
    let text = std::fs::read_to_string(&path)?;
    let file = sources.add(shown_path(&path), text);
    let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    Ok(parse(sources, file, &root))
}

/// How a path found by searching upwards is shown: relative to the current
/// folder when it is inside it.
fn shown_path(path: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    match cwd.and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf)) {
        Some(relative) => relative.display().to_string(),
        None => path.display().to_string(),
    }
}

/// Parses `pactum.yaml` text added to `sources` as `file`. Problems are
/// diagnostics pointing into the file; the settings that could be read are
/// still returned.
pub fn parse(sources: &SourceMap, file: FileId, root: &Path) -> (Settings, Vec<Diagnostic>) {
    let text = &sources.get(file).text;
    let mut diagnostics = Vec::new();
    let config: Config = if text.trim().is_empty() {
        Config::default()
    } else {
        match serde_yaml::from_str(text) {
            Ok(config) => config,
            Err(error) => {
                let offset = error.location().map_or(0, |l| l.index());
                let message = error.to_string();
                // serde_yaml appends " at line L column C"; the label shows it.
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_string();
                let end = token_end(text, offset);
                diagnostics.push(
                    Diagnostic::new(codes::INVALID_CONFIG, format!("{}: {message}", FILE_NAME))
                        .with_label(Span::new(file, offset, end), "here")
                        .with_help(
                            "known keys: dialect, out, rules, environments (each environment \
                             takes table_prefix); rule levels are error, warning or allow",
                        ),
                );
                return (
                    Settings {
                        root: Some(root.to_path_buf()),
                        ..Settings::default()
                    },
                    diagnostics,
                );
            }
        }
    };
    if let Some(dialect) = &config.dialect
        && crate::sql::dialect::by_name(dialect).is_none()
    {
        let span = find_value(text, file, "dialect", dialect);
        diagnostics.push(
            Diagnostic::new(
                codes::INVALID_CONFIG,
                format!("unknown dialect `{dialect}` in {FILE_NAME}"),
            )
            .with_label(span, "not a dialect")
            .with_help(format!(
                "use one of: {}",
                crate::sql::dialect::names().join(", ")
            )),
        );
    }
    let mut levels = BTreeMap::new();
    for (rule, level) in &config.rules {
        match codes::lookup(rule) {
            // Syntax errors stop everything after them, and a broken
            // settings file must not be able to hide itself.
            Some(info) if codes::severity_is_fixed(info.code) => {
                let span = find_key(text, file, rule);
                diagnostics.push(
                    Diagnostic::new(
                        codes::INVALID_CONFIG,
                        format!("the severity of `{rule}` ({}) cannot be changed", info.code),
                    )
                    .with_label(span, "fixed severity")
                    .with_help("syntax errors, data errors and errors in pactum.yaml itself are always errors; remove this line"),
                );
            }
            Some(info) => {
                levels.insert(info.code, *level);
            }
            None => {
                let span = find_key(text, file, rule);
                let names: Vec<&str> = codes::all().map(|c| c.name).collect();
                let help = match crate::syntax::expected::closest(rule, &names) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => "rules are named by code (P0341) or name (vanity-metric); \
                             `pactum explain CODE` lists what each one checks"
                        .to_string(),
                };
                diagnostics.push(
                    Diagnostic::new(
                        codes::INVALID_CONFIG,
                        format!("unknown rule `{rule}` in {FILE_NAME}"),
                    )
                    .with_label(span, "no such rule")
                    .with_help(help),
                );
            }
        }
    }
    (
        Settings {
            config,
            root: Some(root.to_path_buf()),
            levels,
        },
        diagnostics,
    )
}

/// The end of the word starting at `offset`, for a readable underline.
fn token_end(text: &str, offset: usize) -> usize {
    let rest = &text[offset.min(text.len())..];
    let len = rest
        .find(|c: char| c.is_whitespace() || c == ':')
        .unwrap_or(rest.len());
    offset + len.max(1).min(rest.len())
}

/// The span of a mapping key written at the start of a line (any indent).
fn find_key(text: &str, file: FileId, key: &str) -> Span {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.trim_start_matches(['"', '\'']);
        if bare.starts_with(key)
            && bare[key.len()..]
                .trim_start_matches(['"', '\''])
                .starts_with(':')
        {
            let start = offset + indent + (trimmed.len() - bare.len());
            return Span::new(file, start, start + key.len());
        }
        offset += line.len();
    }
    Span::new(file, 0, 0)
}

fn find_value(text: &str, file: FileId, key: &str, value: &str) -> Span {
    let key_span = find_key(text, file, key);
    let after = &text[key_span.end..];
    match after.find(value) {
        Some(i) => Span::new(file, key_span.end + i, key_span.end + i + value.len()),
        None => key_span,
    }
}
