//! `pactum diff OLD NEW` and `pactum diff --git REV [PATHS]`: what changed
//! between two versions of agreements, in business terms.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use super::{FINDINGS, Failure, SUCCESS, print_diagnostics, write_stdout};
use crate::diagnostics::render::render_short;
use crate::diff::{Class, Review, compare};
use crate::source::SourceMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A list of changes for the terminal
    #[default]
    Human,
    /// A Markdown summary, ready to post as a pull-request comment
    Markdown,
    /// JSON (one entry per file, each change with its class)
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when a change is breaking
    Breaking,
    /// Exit 1 when a change is breaking or notable
    Notable,
}

pub struct Options {
    /// `OLD NEW`, or with `git`: the paths to look at.
    pub paths: Vec<PathBuf>,
    pub git: Option<String>,
    pub format: Format,
    pub fail_on: Option<FailOn>,
}

/// One compared file: its name and both texts (`None` when absent).
struct Pair {
    name: String,
    old: Option<String>,
    new: Option<String>,
}

/// The outcome for one file.
enum Outcome {
    Compared(Review),
    Added,
    Removed,
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let pairs = match &options.git {
        Some(rev) => git_pairs(rev, &options.paths)?,
        None => {
            let [old, new] = options.paths.as_slice() else {
                return Err(Failure(
                    "`pactum diff` takes two files (OLD NEW), or `--git REV [PATHS]`".to_string(),
                ));
            };
            vec![Pair {
                name: new.display().to_string(),
                old: Some(read_text(old)?),
                new: Some(read_text(new)?),
            }]
        }
    };
    let mut sources = SourceMap::new();
    // `pactum.yaml` may change the severity of P0401, as for `check`.
    let start = options
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let (settings, config_problems) = crate::check::config::load(&start, &mut sources)
        .map_err(|e| Failure(format!("cannot read pactum.yaml: {e}")))?;
    if !config_problems.is_empty() {
        print_diagnostics(&config_problems, &sources);
        return Ok(FINDINGS);
    }
    let mut results: Vec<(String, Outcome, Option<crate::syntax::span::FileId>)> = Vec::new();
    let mut broken = false;
    for pair in pairs {
        let mut parse = |label: &str, text: String| {
            let id = sources.add(format!("{} ({label})", pair.name), text);
            let parsed = crate::parse(&sources, id);
            if parsed.file.is_none() {
                print_diagnostics(&parsed.diagnostics, &sources);
                broken = true;
            }
            (id, parsed.file)
        };
        match (pair.old, pair.new) {
            (Some(old), Some(new)) => {
                let changed = old != new;
                let (_, before) = parse("old", old);
                let (new_id, after) = parse("new", new);
                if let (Some(before), Some(after)) = (before, after) {
                    results.push((
                        pair.name,
                        Outcome::Compared(compare(&before, &after, changed)),
                        Some(new_id),
                    ));
                }
            }
            (None, Some(_)) => results.push((pair.name.clone(), Outcome::Added, None)),
            (Some(_), None) => results.push((pair.name.clone(), Outcome::Removed, None)),
            (None, None) => {}
        }
    }
    if broken {
        return Ok(FINDINGS);
    }
    for (_, outcome, _) in &mut results {
        if let Outcome::Compared(review) = outcome {
            review.findings.retain_mut(|finding| {
                match settings.severity(finding.code, finding.severity) {
                    Some(severity) => {
                        finding.severity = severity;
                        true
                    }
                    None => false,
                }
            });
        }
    }
    let output = match options.format {
        Format::Human => human(&results, &sources),
        Format::Markdown => markdown(&results),
        Format::Json => json_report(&results, &sources),
    };
    write_stdout(output.as_bytes())?;
    let mut findings = Vec::new();
    for (_, outcome, _) in &results {
        if let Outcome::Compared(review) = outcome {
            findings.extend(review.findings.iter().cloned());
        }
    }
    if options.format == Format::Human {
        print_diagnostics(&findings, &sources);
    }
    let worst = results
        .iter()
        .filter_map(|(_, o, _)| match o {
            Outcome::Compared(r) => r.worst(),
            Outcome::Added => Some(Class::Notable),
            Outcome::Removed => Some(Class::Breaking),
        })
        .min();
    let threshold_met = matches!(
        (options.fail_on, worst),
        (Some(FailOn::Breaking), Some(Class::Breaking))
            | (
                Some(FailOn::Notable),
                Some(Class::Breaking | Class::Notable)
            )
    );
    let errors = findings
        .iter()
        .any(|f| f.severity == crate::diagnostics::Severity::Error);
    Ok(if threshold_met || errors {
        FINDINGS
    } else {
        SUCCESS
    })
}

fn read_text(path: &Path) -> Result<String, Failure> {
    let bytes = super::read_input(path)?;
    String::from_utf8(bytes).map_err(|_| Failure(format!("`{}` is not UTF-8 text", path.display())))
}

/// Runs git read-only; its error output becomes the failure message.
fn git(args: &[&str]) -> Result<Vec<u8>, Failure> {
    git_in(Path::new("."), args)
}

/// Runs git read-only in `dir`.
fn git_in(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Failure> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| Failure(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(Failure(format!("git {} failed: {message}", args.join(" "))));
    }
    Ok(output.stdout)
}

/// Reads files as they are at a git revision, checking once per folder
/// that the revision exists there.
#[derive(Default)]
pub struct Revisions {
    known: std::collections::HashSet<PathBuf>,
}

impl Revisions {
    /// The text of `path` at `rev`, `None` when the file is not there.
    pub fn text_at(&mut self, rev: &str, path: &Path) -> Result<Option<String>, Failure> {
        if rev.starts_with('-') {
            return Err(Failure(format!("`{rev}` is not a revision")));
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let Some(file) = path.file_name() else {
            return Ok(None);
        };
        if !self.known.contains(dir) {
            git_in(
                dir,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{rev}^{{commit}}"),
                ],
            )
            .map_err(|_| {
                Failure(format!(
                    "`{rev}` is not a revision of the git repository of `{}`",
                    dir.display()
                ))
            })?;
            self.known.insert(dir.to_path_buf());
        }
        // The revision exists: a failure means the file is not in it.
        Ok(git_in(
            dir,
            &["show", &format!("{rev}:./{}", file.to_string_lossy())],
        )
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

/// Every `.pactum` file that differs between `rev` and the work tree.
fn git_pairs(rev: &str, paths: &[PathBuf]) -> Result<Vec<Pair>, Failure> {
    if rev.starts_with('-') {
        return Err(Failure(format!("`{rev}` is not a revision")));
    }
    let mut args: Vec<String> = [
        "diff",
        "--name-only",
        "--no-renames",
        "--relative",
        rev,
        "--",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if paths.is_empty() {
        args.push(".".to_string());
    } else {
        args.extend(paths.iter().map(|p| p.display().to_string()));
    }
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let listing = String::from_utf8_lossy(&git(&arg_refs)?).into_owned();
    let mut names: Vec<&str> = listing.lines().filter(|l| l.ends_with(".pactum")).collect();
    names.sort();
    let mut pairs = Vec::new();
    let mut revisions = Revisions::default();
    for name in names {
        let old = revisions.text_at(rev, Path::new(name))?;
        let new = std::fs::read_to_string(name).ok();
        pairs.push(Pair {
            name: name.to_string(),
            old,
            new,
        });
    }
    Ok(pairs)
}

fn line_of(sources: &SourceMap, change: &crate::diff::Change) -> Option<usize> {
    let span = change.span?;
    Some(sources.get(span.file).line_col(span.start).0)
}

fn version_line(review: &Review) -> String {
    let show = |v: Option<u64>| v.map_or("none".to_string(), |v| v.to_string());
    let mut line = format!(
        "version {} -> {}",
        show(review.old_version),
        show(review.new_version)
    );
    if let (Some(expected), Some(actual)) = (review.expected_version, review.new_version)
        && expected > actual
    {
        if review.count(Class::Breaking) > 0 {
            line.push_str(&format!(
                " (should be {expected}: breaking changes need the other party's approval)"
            ));
        } else {
            line.push_str(&format!(
                " (should be at least {expected}: versions only go up)"
            ));
        }
    }
    line
}

fn counts(review: &Review) -> String {
    format!(
        "{} breaking, {} notable, {} cosmetic",
        review.count(Class::Breaking),
        review.count(Class::Notable),
        review.count(Class::Cosmetic)
    )
}

fn human(
    results: &[(String, Outcome, Option<crate::syntax::span::FileId>)],
    sources: &SourceMap,
) -> String {
    let mut out = String::new();
    if results.is_empty() {
        out.push_str("no agreement changed\n");
    }
    for (name, outcome, _) in results {
        match outcome {
            Outcome::Added => out.push_str(&format!("{name}: new file\n\n")),
            Outcome::Removed => out.push_str(&format!("{name}: removed (breaking)\n\n")),
            Outcome::Compared(review) => {
                out.push_str(&format!(
                    "{name} ({}): {}\n",
                    review.name,
                    version_line(review)
                ));
                if review.changes.is_empty() {
                    out.push_str("  no changes\n");
                }
                let width = review
                    .changes
                    .iter()
                    .map(|c| c.subject.chars().count())
                    .max()
                    .unwrap_or(0);
                for change in &review.changes {
                    let line = line_of(sources, change)
                        .map(|l| format!("  (line {l})"))
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "  {:<9} {:<width$}  {}{line}\n",
                        change.class.word(),
                        change.subject,
                        change.summary
                    ));
                }
                out.push_str(&format!("  {}\n\n", counts(review)));
            }
        }
    }
    out
}

fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(results: &[(String, Outcome, Option<crate::syntax::span::FileId>)]) -> String {
    let mut out = String::from("## Agreement changes\n\n");
    if results.is_empty() {
        out.push_str("No agreement changed.\n");
    }
    for (name, outcome, _) in results {
        match outcome {
            Outcome::Added => out.push_str(&format!("### `{name}`\n\nNew file.\n\n")),
            Outcome::Removed => {
                out.push_str(&format!("### `{name}`\n\n**Removed** (breaking).\n\n"))
            }
            Outcome::Compared(review) => {
                out.push_str(&format!("### `{}` (`{name}`)\n\n", review.name));
                if review.changes.is_empty() {
                    out.push_str("No changes.\n\n");
                    continue;
                }
                out.push_str(&format!("{}.\n\n", counts(review)));
                out.push_str("| Class | What | Change |\n|---|---|---|\n");
                for change in &review.changes {
                    let class = match change.class {
                        Class::Breaking => "**breaking**",
                        Class::Notable => "notable",
                        Class::Cosmetic => "cosmetic",
                    };
                    out.push_str(&format!(
                        "| {class} | `{}` | {} |\n",
                        markdown_cell(&change.subject),
                        markdown_cell(&change.summary)
                    ));
                }
                out.push('\n');
                match (review.old_version, review.new_version, review.expected_version) {
                    (Some(_), Some(new), Some(expected)) if expected > new => out.push_str(&format!(
                        "**Version:** still {new}, but breaking changes need the other party's approval: it should become **{expected}**.\n\n"
                    )),
                    (Some(old), Some(new), _) => out.push_str(&format!("**Version:** {old} → {new}.\n\n")),
                    _ => {}
                }
                for finding in &review.findings {
                    out.push_str(&markdown_finding(finding));
                }
            }
        }
    }
    out
}

/// A finding as a quote: its code and message, then its help; text to
/// paste (after a blank line in the help) goes in a code block.
fn markdown_finding(finding: &crate::diagnostics::Diagnostic) -> String {
    let mut quote = vec![format!(
        "**{}** {}",
        finding.code,
        markdown_cell(&finding.message)
    )];
    if let Some(help) = &finding.help {
        let (words, pasted) = match help.split_once("\n\n") {
            Some((words, pasted)) => (words, Some(pasted)),
            None => (help.as_str(), None),
        };
        quote.push(String::new());
        quote.push(markdown_cell(words));
        if let Some(pasted) = pasted {
            // A fence longer than any run of backticks in the text.
            let longest = pasted.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            quote.push(String::new());
            quote.push(format!("{fence}pactum"));
            quote.extend(pasted.lines().map(str::to_string));
            quote.push(fence);
        }
    }
    let mut out: String = quote
        .iter()
        .map(|line| {
            if line.is_empty() {
                ">\n".to_string()
            } else {
                format!("> {line}\n")
            }
        })
        .collect();
    out.push('\n');
    out
}

fn json_report(
    results: &[(String, Outcome, Option<crate::syntax::span::FileId>)],
    sources: &SourceMap,
) -> String {
    let files: Vec<serde_json::Value> = results
        .iter()
        .map(|(name, outcome, _)| match outcome {
            Outcome::Added => json!({ "path": name, "status": "added" }),
            Outcome::Removed => json!({ "path": name, "status": "removed", "class": "breaking" }),
            Outcome::Compared(review) => {
                let changes: Vec<serde_json::Value> = review
                    .changes
                    .iter()
                    .map(|c| {
                        let mut value = serde_json::to_value(c).expect("changes serialize");
                        value["line"] = json!(line_of(sources, c));
                        value
                    })
                    .collect();
                let findings: Vec<serde_json::Value> = review
                    .findings
                    .iter()
                    .map(|d| {
                        json!({
                            "code": d.code,
                            "message": d.message,
                            "help": d.help,
                            "line": d.primary_span().map(|s| sources.get(s.file).line_col(s.start).0),
                            "text": render_short(d, sources),
                        })
                    })
                    .collect();
                json!({
                    "path": name,
                    "status": "changed",
                    "agreement": review.name,
                    "old_version": review.old_version,
                    "new_version": review.new_version,
                    "expected_version": review.expected_version,
                    "breaking": review.count(Class::Breaking),
                    "notable": review.count(Class::Notable),
                    "cosmetic": review.count(Class::Cosmetic),
                    "changes": changes,
                    "findings": findings,
                })
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({ "version": 1, "files": files }))
        .expect("JSON serializes");
    text.push('\n');
    text
}
