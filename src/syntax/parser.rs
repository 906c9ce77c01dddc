//! Text to syntax tree: lexer pre-pass, pest, recovery, lowering.

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest_derive::Parser;

use super::ast::File;
use super::expected::{Found, describe_error};
use super::lexer::{self, Comment};
use super::lower::Lowerer;
use super::span::{FileId, Span};
use crate::diagnostics::{Diagnostic, codes};

#[derive(Parser)]
#[grammar = "../grammar/pactum.pest"]
pub struct PactumParser;

/// Errors reported per file before the rest are summarised in one line.
pub const MAX_ERRORS: usize = 100;

/// What parsing one file produced. `file` is `Some` only when there is no
/// error: a file with errors is never formatted or checked further.
#[derive(Debug)]
pub struct Parsed {
    pub file: Option<File>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse_text(text: &str, file: FileId) -> Parsed {
    let mut lexed = lexer::scan(text, file);
    let warnings = std::mem::take(&mut lexed.warnings);
    if !lexed.errors.is_empty() {
        let mut diagnostics = lexed.errors;
        diagnostics.extend(warnings);
        return Parsed {
            file: None,
            comments: lexed.comments,
            diagnostics,
        };
    }
    if is_blank(text) {
        let diagnostic = Diagnostic::error(codes::EMPTY_FILE, "empty file: expected an `agreement` or a `catalog`")
            .with_label(Span::new(file, 0, 0), "nothing here")
            .with_help("start the file with `agreement NAME \"Title\" { ... }`; `pactum init` writes a complete example");
        return Parsed {
            file: None,
            comments: lexed.comments,
            diagnostics: vec![diagnostic],
        };
    }

    let mut diagnostics;
    let tree = match PactumParser::parse(Rule::strict_file, text) {
        Ok(mut pairs) => {
            let root = pairs.next().expect("strict_file always yields one pair");
            let mut lowerer = Lowerer::new(file, text, &lexed.comments);
            let tree = lowerer.file(root);
            diagnostics = lowerer.into_diagnostics();
            Some(tree)
        }
        Err(_) => {
            diagnostics = recover(text, file, &lexed.comments);
            None
        }
    };
    let ok = diagnostics.iter().all(|d| !d.is_error());
    diagnostics.extend(warnings);
    Parsed {
        file: if ok { tree } else { None },
        comments: lexed.comments,
        diagnostics,
    }
}

/// Only whitespace and comments (doc comments included).
fn is_blank(text: &str) -> bool {
    text.trim_start_matches('\u{FEFF}')
        .lines()
        .map(str::trim)
        .all(|line| line.is_empty() || line.starts_with("//"))
}

/// The strict parse failed. Parse again with the recovering grammar, which
/// turns each unreadable item into a `broken_item`, and explain each one by
/// parsing it alone with the strict rules.
fn recover(text: &str, file: FileId, comments: &[Comment]) -> Vec<Diagnostic> {
    with_error_detail(|| {
        let pairs = match PactumParser::parse(Rule::file, text) {
            Ok(pairs) => pairs,
            // Not even the item boundaries can be found: report the strict error.
            Err(_) => {
                return match PactumParser::parse(Rule::strict_file, text) {
                    Err(error) => vec![pest_error(text, 0, text.len(), file, &error)],
                    Ok(_) => Vec::new(),
                };
            }
        };
        let root = pairs.into_iter().next().expect("one file pair");
        // The items that did parse may still hold invalid values (dates,
        // numbers); report those too, so that one run shows every mistake.
        let mut lowerer = Lowerer::new(file, text, comments);
        lowerer.file(root.clone());
        let value_errors = lowerer.into_diagnostics();
        let mut broken: Vec<(usize, usize)> = Vec::new();
        collect_broken(root, &mut broken);
        let merged = merge_continuations(text, broken);
        let mut diagnostics = Vec::new();
        for (i, &(start, end)) in merged.iter().enumerate() {
            if i == MAX_ERRORS {
                diagnostics.push(
                    Diagnostic::error(
                        codes::TOO_MANY_ERRORS,
                        format!("{} more broken items not shown", merged.len() - MAX_ERRORS),
                    )
                    .with_label(Span::new(file, start, start), "first item not shown")
                    .with_help("fix the errors above, then run again"),
                );
                break;
            }
            diagnostics.push(probe_item(text, start, end, file));
        }
        diagnostics.extend(value_errors);
        diagnostics.sort_by_key(|d| d.primary_span().map(|s| s.start));
        if diagnostics.is_empty()
            && let Err(error) = PactumParser::parse(Rule::strict_file, text)
        {
            diagnostics.push(pest_error(text, 0, text.len(), file, &error));
        }
        diagnostics
    })
}

fn collect_broken(pair: Pair<'_, Rule>, out: &mut Vec<(usize, usize)>) {
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::broken_item => {
                let span = child.as_span();
                out.push((span.start(), span.end()));
            }
            Rule::agreement | Rule::catalog => collect_broken(child, out),
            _ => {}
        }
    }
}

/// A broken item that runs over several lines without braces shows up as one
/// broken item per line, and so does each doc comment line above a broken
/// item. Those pieces are joined back into one item.
fn merge_continuations(text: &str, broken: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in broken {
        if let Some(last) = merged.last_mut() {
            let between = &text[last.1..start];
            let adjacent =
                between.chars().all(char::is_whitespace) && between.matches('\n').count() <= 1;
            // Doc comments belong to the item below them; a line indented
            // deeper than the broken item continues it.
            let documents_next = text[last.0..last.1].trim_start().starts_with("///");
            if adjacent && (documents_next || indentation(text, start) > indentation(text, last.0))
            {
                last.1 = end;
                continue;
            }
        }
        merged.push((start, end));
    }
    merged
}

/// Columns of leading whitespace on the line containing `offset`.
fn indentation(text: &str, offset: usize) -> usize {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .count()
}

/// Re-parses one broken item with the strict item rules to say exactly what
/// went wrong inside it.
fn probe_item(text: &str, start: usize, end: usize, file: FileId) -> Diagnostic {
    match PactumParser::parse(Rule::item_probe, &text[start..end]) {
        Err(error) => pest_error(text, start, end, file, &error),
        Ok(_) => Diagnostic::error(codes::SYNTAX, "this item is not allowed here")
            .with_label(
                Span::new(file, start, trim_end(text, start, end)),
                "not allowed here",
            )
            .with_help("a catalog holds only `source`, `event` and `segment` items"),
    }
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

/// Converts a pest error on `text[start..end]` into a diagnostic in `file`.
fn pest_error(
    text: &str,
    start: usize,
    end: usize,
    file: FileId,
    error: &pest::error::Error<Rule>,
) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(p) => start + p,
        InputLocation::Span((s, _)) => start + s,
    };
    let (positives, message_override) = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => (positives.clone(), None),
        ErrorVariant::CustomError { message } => (Vec::new(), Some(message.clone())),
    };
    let literals: Vec<String> = error
        .parse_attempts()
        .map(|attempts| {
            attempts
                .expected_tokens()
                .iter()
                .map(ToString::to_string)
                .collect()
        })
        .unwrap_or_default();
    let found = Found::at(text, position, end);
    let description = describe_error(&positives, &literals, &found);
    let message = message_override.unwrap_or(description.message);
    let mut diagnostic = Diagnostic::error(codes::SYNTAX, message).with_label(
        Span::new(file, position, position + found.len),
        description.label,
    );
    if let Some(help) = description.help {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// Runs `f` with pest's detailed error tracking on (it costs time, so the
/// happy path runs without it).
fn with_error_detail<T>(f: impl FnOnce() -> T) -> T {
    pest::set_error_detail(true);
    let out = f();
    pest::set_error_detail(false);
    out
}
