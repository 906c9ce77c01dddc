//! A linear pre-pass over the text, before pest runs. It
//!
//! * collects plain `//` comments, which the grammar skips but the formatter
//!   must keep;
//! * rejects what a PEG parser handles badly: control characters, strings
//!   left open, unbalanced or too deeply nested delimiters. Pest would report
//!   those far from the cause (or, for deep nesting, recurse very deep).
//!
//! Any error found here is fatal for the file: pest does not run on it.

use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::span::{FileId, Span, line_col};

/// Blocks, lists and parentheses nested deeper than this are refused.
pub const MAX_DEPTH: usize = 64;

/// Lexical errors reported per file before giving up.
const MAX_ERRORS: usize = 20;

/// A plain `//` comment (doc comments are part of the tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The comment text, `//` included, trailing whitespace removed.
    pub text: String,
}

#[derive(Debug, Default)]
pub struct LexReport {
    pub comments: Vec<Comment>,
    pub errors: Vec<Diagnostic>,
    /// Findings that do not stop the parse (hidden characters).
    pub warnings: Vec<Diagnostic>,
}

struct Open {
    delimiter: u8,
    offset: usize,
}

pub fn scan(text: &str, file: FileId) -> LexReport {
    let bytes = text.as_bytes();
    let mut report = LexReport::default();
    let mut stack: Vec<Open> = Vec::new();
    // Matched `{ }` pairs, to guess which block lost its `}`.
    let mut brace_pairs: Vec<(usize, usize)> = Vec::new();
    let mut balanced = true;
    let span = |start: usize, end: usize| Span::new(file, start, end);
    let mut i = if text.starts_with('\u{FEFF}') { 3 } else { 0 };

    while i < bytes.len() {
        if report.errors.len() >= MAX_ERRORS {
            report.errors.push(
                Diagnostic::error(
                    codes::TOO_MANY_ERRORS,
                    "too many errors; stopped reading this file",
                )
                .with_label(span(i, i), "stopped here")
                .with_help("fix the errors above, then run again"),
            );
            return report;
        }
        let b = bytes[i];
        match b {
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') => {
                            let end = if bytes.get(i.wrapping_sub(1)) == Some(&b'\r') {
                                i - 1
                            } else {
                                i
                            };
                            report.errors.push(
                                Diagnostic::error(codes::UNTERMINATED_STRING, "unterminated string")
                                    .with_label(span(start, end.max(start + 1)), "this string is never closed")
                                    .with_help("end the string with `\"` on the same line; write `\\\"` for a quote inside it"),
                            );
                            break;
                        }
                        // A backslash at the end of the line escapes nothing:
                        // the string is unterminated, reported just above.
                        Some(b'\\') if matches!(bytes.get(i + 1), None | Some(b'\n')) => i += 1,
                        Some(b'\\') => {
                            if !valid_escape(&bytes[i + 1..]) {
                                let len = text[i + 1..].chars().next().map_or(0, char::len_utf8);
                                let shown = &text[i..i + 1 + len];
                                report.errors.push(
                                    Diagnostic::error(codes::INVALID_ESCAPE, format!("unknown escape `{shown}` in a string"))
                                        .with_label(span(i, i + 1 + len), "invalid escape")
                                        .with_help("escapes are \\\", \\\\, \\n, \\t, \\r and \\u{...}; write \\\\ for a backslash"),
                                );
                            }
                            i += 2;
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            if is_forbidden_control(c) {
                                report.errors.push(control_error(file, i, c));
                            }
                            if let Some(warning) = hidden_character(text, file, i, "string") {
                                report.warnings.push(warning);
                            }
                            i += 1;
                        }
                    }
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'\n' {
                    if is_forbidden_control(bytes[i]) {
                        report.errors.push(control_error(file, i, bytes[i]));
                    }
                    if let Some(warning) = hidden_character(text, file, i, "comment") {
                        report.warnings.push(warning);
                    }
                    i += 1;
                }
                let is_doc =
                    bytes.get(start + 2) == Some(&b'/') && bytes.get(start + 3) != Some(&b'/');
                if !is_doc {
                    let raw = &text[start..i];
                    report.comments.push(Comment {
                        span: span(start, i),
                        text: raw.trim_end().to_string(),
                    });
                }
                continue;
            }
            b'{' | b'(' | b'[' => {
                stack.push(Open {
                    delimiter: b,
                    offset: i,
                });
                if stack.len() > MAX_DEPTH {
                    report.errors.push(
                        Diagnostic::error(
                            codes::TOO_DEEP,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                        )
                        .with_label(span(i, i + 1), "too deep here")
                        .with_help(
                            "flatten the expression or block; no agreement needs this depth",
                        ),
                    );
                    return report;
                }
            }
            b'}' | b')' | b']' if balanced => {
                let opener = match b {
                    b'}' => b'{',
                    b')' => b'(',
                    _ => b'[',
                };
                match stack.pop() {
                    Some(open) if open.delimiter == opener => {
                        if b == b'}' {
                            brace_pairs.push((open.offset, i));
                        }
                    }
                    Some(open) => {
                        balanced = false;
                        let (line, _) = line_col(text, open.offset);
                        report.errors.push(
                            Diagnostic::error(
                                codes::UNBALANCED,
                                format!(
                                    "`{}` does not match the `{}` on line {line}",
                                    b as char, open.delimiter as char
                                ),
                            )
                            .with_label(
                                span(i, i + 1),
                                format!("expected `{}` here", closer(open.delimiter) as char),
                            )
                            .with_label(span(open.offset, open.offset + 1), "opened here")
                            .with_help(format!(
                                "close the `{}` before this `{}`",
                                open.delimiter as char, b as char
                            )),
                        );
                    }
                    None => {
                        balanced = false;
                        report.errors.push(
                            Diagnostic::error(
                                codes::UNBALANCED,
                                format!("unmatched `{}`", b as char),
                            )
                            .with_label(span(i, i + 1), "nothing opened here is left to close")
                            .with_help(format!(
                                "remove this `{}` or add the missing `{}` before it",
                                b as char, opener as char
                            )),
                        );
                    }
                }
            }
            c if is_forbidden_control(c) => report.errors.push(control_error(file, i, c)),
            _ => {}
        }
        i += 1;
    }

    if balanced && let Some(outer) = stack.first() {
        let culprit = guess_unclosed(text, &brace_pairs).unwrap_or(outer.offset);
        let delimiter = bytes[culprit];
        report.errors.push(
            Diagnostic::error(
                codes::UNBALANCED,
                format!("unclosed `{}`", delimiter as char),
            )
            .with_label(span(culprit, culprit + 1), "this is never closed")
            .with_label(span(text.len(), text.len()), "the file ends here")
            .with_help(format!("add the missing `{}`", closer(delimiter) as char)),
        );
    }
    report
}

/// When a block lost its `}`, the next `}` closes it instead, so a `{` is
/// matched with a `}` that is indented differently. The first such `{` is the
/// likely culprit.
fn guess_unclosed(text: &str, pairs: &[(usize, usize)]) -> Option<usize> {
    let mut pairs = pairs.to_vec();
    pairs.sort_unstable();
    pairs
        .into_iter()
        .find(|&(open, close)| {
            let open_line = line_start(text, open);
            let close_line = line_start(text, close);
            open_line != close_line && indent(text, open_line) != indent(text, close_line)
        })
        .map(|(open, _)| open)
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn indent(text: &str, line_start: usize) -> usize {
    text[line_start..]
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count()
}

fn closer(open: u8) -> u8 {
    match open {
        b'{' => b'}',
        b'(' => b')',
        _ => b']',
    }
}

/// Whether the bytes after a backslash form an escape the grammar accepts.
fn valid_escape(after: &[u8]) -> bool {
    match after.first() {
        Some(b'"' | b'\\' | b'n' | b't' | b'r') => true,
        Some(b'u') => {
            let Some(rest) = after.get(1..) else {
                return false;
            };
            let Some(body) = rest.strip_prefix(b"{") else {
                return false;
            };
            let digits = body.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            (1..=6).contains(&digits) && body.get(digits) == Some(&b'}')
        }
        _ => false,
    }
}

fn is_forbidden_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') || b == 0x7f
}

/// A warning when the character starting at byte `at` is invisible or
/// turns the direction of the text around it (Trojan Source), where the
/// reader cannot see it: in a string or a comment.
fn hidden_character(text: &str, file: FileId, at: usize, place: &str) -> Option<Diagnostic> {
    if text.as_bytes()[at] < 0x80 || !text.is_char_boundary(at) {
        return None;
    }
    let c = text[at..].chars().next()?;
    let name = crate::diagnostics::visible::invisible_name(c)?;
    let code = c as u32;
    Some(
        Diagnostic::new(
            codes::HIDDEN_CHARACTER,
            format!("invisible character U+{code:04X} ({name}) in a {place}"),
        )
        .with_label(
            Span::new(file, at, at + c.len_utf8()),
            "the text may read differently from what it says",
        )
        .with_help(format!(
            "remove it; if it is meant, write it as the escape \\u{{{code:X}}} in a string"
        )),
    )
}

fn control_error(file: FileId, offset: usize, b: u8) -> Diagnostic {
    let name = match b {
        0 => " (NUL)".to_string(),
        0x7f => " (DEL)".to_string(),
        _ => String::new(),
    };
    Diagnostic::error(
        codes::INVALID_CHARACTER,
        format!("invalid control character U+{b:04X}{name}"),
    )
    .with_label(
        Span::new(file, offset, offset + 1),
        "not allowed in a Pactum file",
    )
    .with_help("remove it; control characters usually mean the file is binary or corrupted")
}
