//! Human rendering of diagnostics through miette's graphical handler.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::visible::escaped;
use super::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap};

/// Adapts one of our diagnostics to miette's trait, with its file attached.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Excerpts<'a>,
}

/// A file as miette reads it: the lines around a span are found through
/// the file's line index and read from its masked text, so that showing a
/// diagnostic costs the lines it shows, not the size of the file.
struct Excerpts<'a> {
    file: &'a SourceFile,
    name: String,
}

impl SourceCode for Excerpts<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.file.shown();
        let (first, _) = self.file.line_col(span.offset());
        let (last, _) = self.file.line_col(span.offset() + span.len());
        let first = first.saturating_sub(before).max(1);
        let last = (last + after).min(self.file.line_count());
        let start = self.file.line_start(first);
        let end = self.file.line_start(last + 1);
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = text[start..end].read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first - 1,
            inner.column(),
            // As miette counts it for a whole text: the lines up to the end
            // of the excerpt (it decides which labels share a snippet).
            inner.line_count() + first - 1,
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.source.file.text.len();
        let labels = self
            .diagnostic
            .labels
            .iter()
            .enumerate()
            .map(move |(i, l)| {
                let start = l.span.start.min(len);
                let end = l.span.end.clamp(start, len);
                let span = SourceSpan::new(start.into(), end - start);
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(l.text.clone()), span)
                } else {
                    LabeledSpan::new_with_span(Some(l.text.clone()), span)
                }
            });
        Some(Box::new(labels))
    }
}

/// How to draw: colours only on a terminal and never with `NO_COLOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Color,
    Plain,
}

/// Renders one diagnostic as rustc-like text, with the source excerpt.
/// The diagnostic with its message, labels and help safe for a terminal.
pub fn visible(diagnostic: &Diagnostic) -> Diagnostic {
    let mut shown = diagnostic.clone();
    shown.message = escaped(&shown.message).into_owned();
    for label in &mut shown.labels {
        label.text = escaped(&label.text).into_owned();
    }
    shown.help = shown.help.map(|h| escaped(&h).into_owned());
    shown
}

pub fn render_human(diagnostic: &Diagnostic, sources: &SourceMap, style: Style) -> String {
    let diagnostic = &visible(diagnostic);
    let Some(span) = diagnostic.primary_span() else {
        return format!(
            "{}[{}]: {}\n",
            severity_word(diagnostic.severity),
            diagnostic.code,
            diagnostic.message
        );
    };
    let file = sources.get(span.file);
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    // A help that shows text to paste (after a blank line) keeps its lines
    // as they are: wrapped, they could not be pasted.
    let pasteable = diagnostic.help.as_ref().is_some_and(|h| h.contains("\n\n"));
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_wrap_lines(!pasteable)
        .with_context_lines(1);
    let report = Report {
        diagnostic,
        source: Excerpts {
            file,
            name: escaped(&file.name).into_owned(),
        },
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // The handler only fails on a broken fmt::Write; fall back to one line.
        let (line, col) = file.line_col(span.start);
        out = format!(
            "{}:{line}:{col}: {}\n",
            escaped(&file.name),
            diagnostic.message
        );
    }
    out
}

/// `file:line:col: error[CODE]: message`, for logs and tests.
pub fn render_short(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let severity = severity_word(diagnostic.severity);
    match diagnostic.primary_span() {
        Some(span) => {
            let file = sources.get(span.file);
            let (line, col) = file.line_col(span.start);
            format!(
                "{}:{line}:{col}: {severity}[{}]: {}",
                escaped(&file.name),
                diagnostic.code,
                escaped(&diagnostic.message)
            )
        }
        None => format!(
            "{severity}[{}]: {}",
            diagnostic.code,
            escaped(&diagnostic.message)
        ),
    }
}

pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}
