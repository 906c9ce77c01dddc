//! Machine-readable renderings of findings, for CI systems: JSON (Pactum's
//! own schema, see docs/check.md), SARIF 2.1.0 (GitHub code scanning),
//! GitHub workflow commands, JUnit XML (Azure DevOps, Jenkins) and the GitLab
//! code quality report. Every format is deterministic: same findings, same
//! bytes.

use serde_json::{Value, json};

use super::codes::{self, CodeInfo};
use super::{Diagnostic, Severity};
use crate::source::SourceMap;
use crate::syntax::span::Span;

/// A span as 1-based lines and columns (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn range(sources: &SourceMap, span: Span) -> Range {
    let file = sources.get(span.file);
    let (start_line, start_column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end.max(span.start));
    Range {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

fn severity_word(severity: Severity) -> &'static str {
    super::render::severity_word(severity)
}

fn location(sources: &SourceMap, span: Span) -> (String, Range) {
    (sources.get(span.file).name.clone(), range(sources, span))
}

/// Pactum's JSON report, schema version 1 (docs/check.md).
pub fn json(diagnostics: &[Diagnostic], sources: &SourceMap, files: &[String]) -> String {
    let counts = crate::check::count(diagnostics);
    let items: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let info = codes::lookup(d.code);
            let primary = d.primary_span().map(|s| location(sources, s));
            let labels: Vec<Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let (file, r) = location(sources, l.span);
                    json!({
                        "file": file,
                        "range": range_json(r),
                        "text": l.text,
                        "primary": i == 0,
                    })
                })
                .collect();
            json!({
                "code": d.code,
                "name": info.map(|i| i.name),
                "severity": severity_word(d.severity),
                "message": d.message,
                "help": d.help,
                "file": primary.as_ref().map(|(f, _)| f.clone()),
                "range": primary.map(|(_, r)| range_json(r)),
                "labels": labels,
            })
        })
        .collect();
    let report = json!({
        "version": 1,
        "tool": { "name": "pactum", "version": env!("CARGO_PKG_VERSION") },
        "summary": {
            "files": files.len(),
            "errors": counts.errors,
            "warnings": counts.warnings,
            "notes": counts.notes,
        },
        "files": files,
        "diagnostics": items,
    });
    pretty(&report)
}

fn range_json(r: Range) -> Value {
    json!({
        "start": { "line": r.start_line, "column": r.start_column },
        "end": { "line": r.end_line, "column": r.end_column },
    })
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    text.push('\n');
    text
}

/// A relative path as a SARIF/URI reference: forward slashes, `./` dropped,
/// and characters outside the URI alphabet percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// SARIF 2.1.0, as GitHub code scanning accepts it. Every rule Pactum has is
/// listed, so that rule indices are stable between runs.
pub fn sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let rules: Vec<&CodeInfo> = codes::findings().collect();
    let rule_json: Vec<Value> = rules
        .iter()
        .map(|info| {
            json!({
                "id": info.code,
                "name": info.name,
                "shortDescription": { "text": info.title },
                "fullDescription": { "text": first_paragraph(info.explanation) },
                "help": { "text": info.explanation, "markdown": info.explanation },
                "defaultConfiguration": { "level": sarif_level(info.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .filter_map(|d| {
            let span = d.primary_span()?;
            let index = rules.iter().position(|r| r.code == d.code)?;
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let related: Vec<Value> = d
                .labels
                .iter()
                .skip(1)
                .enumerate()
                .map(|(i, l)| {
                    let mut location = physical(sources, l.span);
                    location["id"] = json!(i + 1);
                    location["message"] = json!({ "text": l.text });
                    location
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": sarif_level(d.severity),
                "message": { "text": message },
                "locations": [physical(sources, span)],
            });
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            Some(result)
        })
        .collect();
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pactum",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rule_json,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    pretty(&report)
}

fn physical(sources: &SourceMap, span: Span) -> Value {
    let (file, r) = location(sources, span);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&file) },
            "region": {
                "startLine": r.start_line,
                "startColumn": r.start_column,
                "endLine": r.end_line,
                "endColumn": r.end_column.max(if r.end_line == r.start_line { r.start_column + 1 } else { 1 }),
            }
        }
    })
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n")
        .next()
        .unwrap_or(text)
        .replace('\n', " ")
        .trim()
        .to_string()
}

/// GitHub Actions workflow commands: one annotation per finding.
pub fn github(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        match d.primary_span() {
            Some(span) => {
                let (file, r) = location(sources, span);
                out.push_str(&format!(
                    "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                    escape_property(&file),
                    r.start_line,
                    r.start_column,
                    r.end_line,
                    r.end_column,
                    escape_property(d.code),
                    escape_data(&message)
                ));
            }
            None => out.push_str(&format!(
                "::{command} title={}::{}\n",
                escape_property(d.code),
                escape_data(&message)
            )),
        }
    }
    out
}

fn escape_data(text: &str) -> String {
    // GitHub's own encoding first (a line break ends a command), then the
    // other control and invisible characters shown as escapes.
    let encoded = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::visible::escaped(&encoded).into_owned()
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// JUnit XML: one test case per checked file that passed, and one per
/// finding. Errors are failures; warnings and notes pass, with the finding
/// in the case's output.
pub fn junit(diagnostics: &[Diagnostic], sources: &SourceMap, files: &[String]) -> String {
    let counts = crate::check::count(diagnostics);
    let mut cases = String::new();
    let mut total = 0;
    for file in files {
        let findings: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| {
                d.primary_span()
                    .is_some_and(|s| &sources.get(s.file).name == file)
            })
            .collect();
        if findings.is_empty() {
            total += 1;
            cases.push_str(&format!(
                "    <testcase classname=\"{0}\" name=\"{0}\" file=\"{0}\"/>\n",
                xml(file)
            ));
        }
        for d in findings {
            total += 1;
            let span = d.primary_span().expect("filtered on spans");
            let r = range(sources, span);
            let short = super::render::render_short(d, sources);
            let body = match &d.help {
                Some(help) => format!("{short}\nhelp: {help}"),
                None => short,
            };
            let name = format!("{} {}:{}:{}", d.code, file, r.start_line, r.start_column);
            match d.severity {
                Severity::Error => cases.push_str(&format!(
                    "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml(file),
                    xml(&name),
                    xml(file),
                    r.start_line,
                    d.code,
                    xml(&d.message),
                    xml(&body)
                )),
                _ => cases.push_str(&format!(
                    "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">\n      <system-out>{}</system-out>\n    </testcase>\n",
                    xml(file),
                    xml(&name),
                    xml(file),
                    r.start_line,
                    xml(&body)
                )),
            }
        }
    }
    // Findings without a file (none today) still count as cases.
    for d in diagnostics.iter().filter(|d| d.primary_span().is_none()) {
        total += 1;
        cases.push_str(&format!(
            "    <testcase classname=\"pactum\" name=\"{}\">\n      <failure type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
            d.code,
            d.code,
            xml(&d.message)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pactum check\" tests=\"{total}\" failures=\"{0}\" errors=\"0\">\n  <testsuite name=\"pactum check\" tests=\"{total}\" failures=\"{0}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n</testsuites>\n",
        counts.errors
    )
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// GitLab's code quality report (a JSON array of issues).
pub fn gitlab(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut seen: Vec<u64> = Vec::new();
    let issues: Vec<Value> = diagnostics
        .iter()
        .filter_map(|d| {
            let span = d.primary_span()?;
            let (file, r) = location(sources, span);
            // Stable across runs and line moves: code, file and message, plus
            // an occurrence number for identical findings.
            let base = fnv1a(format!("{}\0{}\0{}", d.code, file, d.message).as_bytes());
            let occurrence = seen.iter().filter(|&&b| b == base).count();
            seen.push(base);
            let fingerprint = format!("{:016x}{:016x}", base, fnv1a(&occurrence.to_le_bytes()));
            let severity = match d.severity {
                Severity::Error => "critical",
                Severity::Warning => "minor",
                Severity::Note => "info",
            };
            let mut description = format!("{}: {}", d.code, d.message);
            if let Some(help) = &d.help {
                description.push_str(&format!(" (help: {help})"));
            }
            Some(json!({
                "description": description,
                "check_name": d.code,
                "fingerprint": fingerprint,
                "severity": severity,
                "location": {
                    "path": file.strip_prefix("./").unwrap_or(&file),
                    "positions": {
                        "begin": { "line": r.start_line, "column": r.start_column },
                        "end": { "line": r.end_line, "column": r.end_column },
                    }
                }
            }))
        })
        .collect();
    pretty(&Value::Array(issues))
}

/// 64-bit FNV-1a: a small, stable hash (the standard library's is seeded).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            xml("a < b & \"c\" 'd' >"),
            "a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt;"
        );
        assert_eq!(xml("line\nnext\u{1b}"), "line\nnext\u{FFFD}");
    }

    #[test]
    fn workflow_command_escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100%\nnext\r"), "100%25%0Anext%0D");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn uris_are_relative_with_forward_slashes_and_percent_encoded() {
        assert_eq!(uri("./specs/a b.pactum"), "specs/a%20b.pactum");
        assert_eq!(uri("specs\\win.pactum"), "specs/win.pactum");
        assert_eq!(uri("/abs/x.pactum"), "file:///abs/x.pactum");
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
