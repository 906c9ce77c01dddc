//! Pactum: a declarative spec compiler and validator for partnership
//! agreements.
//!
//! The pipeline, one public function per stage (see ARCHITECTURE.md):
//!
//! | stage  | function            | input            | output                  |
//! |--------|---------------------|------------------|-------------------------|
//! | decode | [`decode`]          | bytes            | text (UTF-8 checked)    |
//! | parse  | [`parse`]           | text             | [`syntax::ast::File`]   |
//! | format | [`format`]          | AST + comments   | canonical text          |

pub mod attribution_models;
pub mod check;
pub mod commands;
pub mod demo;
pub mod diagnostics;
pub mod diff;
pub mod doc;
pub mod functions;
pub mod generate;
pub mod interrupt;
pub mod markdown;
pub mod model;
pub mod output;
pub mod privacy;
pub mod report;
pub mod run;
pub mod source;
pub mod sql;
pub mod syntax;
pub mod vocabulary;
pub mod zones;

use diagnostics::{Diagnostic, codes};
use source::SourceMap;
use syntax::parser::Parsed;
use syntax::span::{FileId, Span, line_col};

/// Adds `bytes` to `sources` as text. Invalid UTF-8 is reported at the first
/// bad byte; the text is then kept (lossily) so that the message can show it.
pub fn decode(sources: &mut SourceMap, name: &str, bytes: Vec<u8>) -> (FileId, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(text) => (sources.add(name, text), None),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bad = error.as_bytes()[offset];
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let (line, col) = line_col(&text, offset);
            let id = sources.add(name, text);
            let diagnostic = Diagnostic::error(
                codes::INVALID_UTF8,
                format!("file is not valid UTF-8: byte 0x{bad:02X} at line {line}, column {col}"),
            )
            .with_label(Span::new(id, offset, offset + 1), "invalid UTF-8 here")
            .with_help("save the file as UTF-8 text; Pactum reads nothing else");
            (id, Some(diagnostic))
        }
    }
}

/// Parses one loaded file.
pub fn parse(sources: &SourceMap, file: FileId) -> Parsed {
    syntax::parser::parse_text(&sources.get(file).text, file)
}

/// The canonical text of a parsed file, or `None` if it has errors.
pub fn format(sources: &SourceMap, file: FileId, parsed: &Parsed) -> Option<String> {
    let tree = parsed.file.as_ref()?;
    Some(syntax::format::format_file(
        tree,
        &parsed.comments,
        &sources.get(file).text,
    ))
}
