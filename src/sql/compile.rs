//! From a checked agreement to files: each planned query rendered for each
//! dialect with its comment header, and the manifest that lists them.

use serde::Serialize;

use super::dialect::Dialect;
use super::plan::{Options, OutputColumn, Planned};
use super::render::Renderer;

/// What the manifest says about one agreement's queries.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub agreement: String,
    pub version: Option<u64>,
    pub source_file: String,
    pub period: String,
    pub as_of: Option<String>,
    pub dialects: Vec<String>,
    pub queries: Vec<ManifestQuery>,
    /// Parts of the agreement with no SQL planner yet, with why.
    pub not_compiled: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestQuery {
    pub name: String,
    pub purpose: String,
    pub inputs: Vec<String>,
    pub columns: Vec<OutputColumn>,
    /// Dialect name to file, relative to the agreement's folder.
    pub files: std::collections::BTreeMap<String, String>,
}

/// Facts about the agreement written into every header.
pub struct Header<'a> {
    pub agreement: &'a str,
    pub version: Option<u64>,
    pub source_file: &'a str,
}

/// One query as SQL text for one dialect, starting with its header.
pub fn render(
    planned: &Planned,
    dialect: &dyn Dialect,
    header: &Header<'_>,
    options: &Options,
) -> String {
    let mut text = header_comment(planned, dialect, header, options);
    text.push_str(&Renderer::new(dialect).query(&planned.query));
    text
}

/// The comment lines that start a query's file: where it comes from, what
/// it computes and reads, and its columns; then a blank line.
pub fn header_comment(
    planned: &Planned,
    dialect: &dyn Dialect,
    header: &Header<'_>,
    options: &Options,
) -> String {
    let mut text = String::new();
    let line = |text: &mut String, content: String| {
        text.push_str("-- ");
        text.push_str(&comment(&content));
        text.push('\n');
    };
    line(
        &mut text,
        format!(
            "Pactum: agreement {}{}, from {}",
            header.agreement,
            header
                .version
                .map(|v| format!(" version {v}"))
                .unwrap_or_default(),
            header.source_file
        ),
    );
    line(
        &mut text,
        format!("Query: {} ({})", planned.name(), dialect.name()),
    );
    line(&mut text, format!("Computes: {}", planned.purpose));
    line(&mut text, format!("Reads: {}", planned.inputs.join(", ")));
    line(
        &mut text,
        format!(
            "Period: {}; as of: {}",
            options.period.word(),
            options
                .as_of
                .map_or_else(|| "the latest data".to_string(), |day| day.to_string())
        ),
    );
    line(&mut text, "Columns:".to_string());
    for column in &planned.columns {
        line(
            &mut text,
            format!(
                "  {} ({}): {}",
                column.name,
                serde_json::to_value(column.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                column.description
            ),
        );
    }
    text.push('\n');
    text
}

/// Text safe inside a `--` comment: a line break in a title must not end
/// the comment and start SQL.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub fn manifest(
    planned: &[Planned],
    dialects: &[&dyn Dialect],
    header: &Header<'_>,
    options: &Options,
) -> Manifest {
    Manifest {
        agreement: header.agreement.to_string(),
        version: header.version,
        source_file: header.source_file.to_string(),
        period: options.period.word().to_string(),
        as_of: options.as_of.map(|day| day.to_string()),
        dialects: dialects.iter().map(|d| d.name().to_string()).collect(),
        queries: planned
            .iter()
            .map(|p| ManifestQuery {
                name: p.name(),
                purpose: p.purpose.clone(),
                inputs: p.inputs.clone(),
                columns: p.columns.clone(),
                files: dialects
                    .iter()
                    .map(|d| {
                        (
                            d.name().to_string(),
                            format!("{}/{}.sql", d.name(), p.name()),
                        )
                    })
                    .collect(),
            })
            .collect(),
        not_compiled: Vec::new(),
    }
}
