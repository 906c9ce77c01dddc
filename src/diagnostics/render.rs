//! Human rendering of diagnostics through miette's graphical handler.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::visible::{escaped, masked};
use super::{Diagnostic, Severity};
use crate::source::SourceMap;
use crate::syntax::span::line_col;

/// Adapts one of our diagnostics to miette's trait, with its file attached.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
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
        let len = self.source.inner().len();
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
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1);
    let report = Report {
        diagnostic,
        source: NamedSource::new(escaped(&file.name), masked(&file.text).into_owned()),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // The handler only fails on a broken fmt::Write; fall back to one line.
        let (line, col) = line_col(&file.text, span.start);
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
            let (line, col) = line_col(&file.text, span.start);
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
