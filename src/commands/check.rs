//! `pactum check [PATHS]`: every finding of a workspace, for people or CI.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{FINDINGS, Failure, SUCCESS, expand_paths, write_stdout};
use crate::check::workspace::Workspace;
use crate::check::{self, count};
use crate::diagnostics::render::{Style, render_human};
use crate::diagnostics::{Diagnostic, Severity, formats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Source excerpts with labels, and a summary line
    #[default]
    Human,
    /// One line per finding: `file:line:col: severity[CODE]: message`
    Short,
    /// Pactum's JSON report (schema in docs/check.md)
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// JUnit XML, for Azure DevOps and Jenkins
    Junit,
    /// GitLab code quality report
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Treat warnings as errors
    Warnings,
}

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub deny: Vec<Deny>,
    /// A git revision to compare each agreement with.
    pub against: Option<String>,
}

/// Loads and checks a workspace; the findings and the names of the files.
pub fn collect(paths: &[PathBuf]) -> Result<(Workspace, Vec<Diagnostic>), Failure> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let files = expand_paths(&paths)?;
    if files.is_empty() {
        return Err(Failure(format!(
            "no .pactum files in {}",
            paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let ws =
        Workspace::load(&files, &paths[0]).map_err(|e| Failure::io(&e.path, "read", &e.error))?;
    let diagnostics = check::run(&ws);
    Ok((ws, diagnostics))
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let (mut ws, mut diagnostics) = collect(&options.paths)?;
    if let Some(rev) = &options.against {
        diagnostics.extend(against(&mut ws, rev)?);
        diagnostics = check::finish(&ws, diagnostics);
    }
    if options.deny.contains(&Deny::Warnings) {
        for d in &mut diagnostics {
            if d.severity == Severity::Warning {
                d.severity = Severity::Error;
            }
        }
    }
    let files: Vec<String> = ws
        .units
        .iter()
        .map(|u| ws.sources.get(u.file).name.clone())
        .collect();
    let sources = &ws.sources;
    let output = match options.format {
        Format::Human => human(&diagnostics, &ws, files.len()),
        Format::Short => {
            let mut out = String::new();
            for d in &diagnostics {
                out.push_str(&crate::diagnostics::render::render_short(d, sources));
                out.push('\n');
            }
            out
        }
        Format::Json => formats::json(&diagnostics, sources, &files),
        Format::Sarif => formats::sarif(&diagnostics, sources),
        Format::Github => formats::github(&diagnostics, sources),
        Format::Junit => formats::junit(&diagnostics, sources, &files),
        Format::Gitlab => formats::gitlab(&diagnostics, sources),
    };
    write_stdout(output.as_bytes())?;
    Ok(if count(&diagnostics).errors > 0 {
        FINDINGS
    } else {
        SUCCESS
    })
}

/// The change review of each agreement against its version at `rev`: a
/// breaking change needs a new version, and an amendment for it that names
/// the change and carries every party's dated approval. Agreements that did
/// not exist at `rev` have nothing to be compared with.
fn against(ws: &mut Workspace, rev: &str) -> Result<Vec<Diagnostic>, Failure> {
    let mut findings = Vec::new();
    let mut revisions = super::diff::Revisions::default();
    for index in ws.agreements() {
        let file = ws.units[index].file;
        let name = ws.sources.get(file).name.clone();
        let Some(old_text) = revisions.text_at(rev, Path::new(&name))? else {
            continue;
        };
        let changed = old_text != ws.sources.get(file).text;
        let old_id = ws.sources.add(format!("{name} ({rev})"), old_text);
        let parsed = crate::parse(&ws.sources, old_id);
        let Some(old) = parsed.file else {
            // As `pactum diff`: the old version's syntax errors.
            findings.extend(parsed.diagnostics);
            continue;
        };
        let new = ws.units[index]
            .tree
            .as_ref()
            .expect("agreements are parsed");
        findings.extend(crate::diff::compare(&old, new, changed).findings);
    }
    Ok(findings)
}

fn human(diagnostics: &[Diagnostic], ws: &Workspace, files: usize) -> String {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let style = if !no_color && std::io::stdout().is_terminal() {
        Style::Color
    } else {
        Style::Plain
    };
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&render_human(d, &ws.sources, style));
        out.push('\n');
    }
    out.push_str(&summary(diagnostics, files));
    out.push('\n');
    out
}

/// `2 errors, 3 warnings in 4 files`.
pub fn summary(diagnostics: &[Diagnostic], files: usize) -> String {
    let counts = count(diagnostics);
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let files = plural(files, "file");
    if counts.errors == 0 && counts.warnings == 0 && counts.notes == 0 {
        return format!("no errors or warnings in {files}");
    }
    let mut parts = vec![
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
    ];
    if counts.notes > 0 {
        parts.push(plural(counts.notes, "note"));
    }
    format!("{} in {files}", parts.join(", "))
}
