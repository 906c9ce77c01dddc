//! An agreement as a dbt project: one model per query, each step that
//! other queries reuse (attribution credits and their per-partner sums,
//! metric figures) read through `ref()` instead of computed again, the
//! sources declared with their owners, keys and freshness, and the joint
//! scorecards as exposures.
//!
//! The models are the queries `compile` writes, planned as the embedded
//! engine runs them (reading kept results), so both outputs compute the
//! same figures the same way.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::compile::{Header, header_comment};
use super::dialect::Dialect;
use super::plan::{self, Options, Planned, QueryId};
use super::render::{Renderer, escape_jinja};
use crate::model::{Agreement, Source};

/// The files of the project, by path relative to its folder, and what
/// could not be planned, with why.
pub struct Project {
    pub files: Vec<(String, String)>,
    pub not_compiled: Vec<String>,
}

/// The dbt project of an agreement for one dialect.
pub fn project(
    agreement: &Agreement<'_>,
    dialect: &dyn Dialect,
    header: &Header<'_>,
    options: &Options,
) -> Project {
    let mut options = options.clone();
    options.reuse = super::reusable(agreement);
    let plan = super::plan(agreement, &options);
    let planned = &plan.queries;
    // Kept results are models of their own; sources are dbt sources.
    let mut tables: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for id in &options.reuse {
        if planned.iter().any(|p| p.id == *id) {
            tables.insert(
                vec![plan::reused_table(id)],
                format!("{{{{ ref('{}') }}}}", id.name()),
            );
        }
    }
    let groups = source_groups(agreement, &options);
    for (group, sources) in &groups {
        for source in sources {
            tables.insert(
                plan::table_path(source, &options),
                format!(
                    "{{{{ source({}, {}) }}}}",
                    jinja_string(group),
                    jinja_string(source.name())
                ),
            );
        }
    }
    let renderer = Renderer::dbt(dialect, &tables);
    let written_by = format!(
        "# Written by Pactum from {} (agreement {}{}): compile again to change it.\n",
        header
            .source_file
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>(),
        header.agreement,
        header
            .version
            .map(|v| format!(" version {v}"))
            .unwrap_or_default()
    );
    let mut files = vec![
        (
            "dbt_project.yml".to_string(),
            yaml(&written_by, &dbt_project(agreement)),
        ),
        (
            "models/sources.yml".to_string(),
            yaml(&written_by, &sources_yml(agreement, &groups, &options)),
        ),
        (
            "models/schema.yml".to_string(),
            yaml(&written_by, &schema_yml(planned)),
        ),
    ];
    if let Some(exposures) = exposures_yml(agreement, planned) {
        files.push(("models/exposures.yml".to_string(), yaml(&written_by, &exposures)));
    }
    for query in planned {
        let mut text = escape_jinja(&header_comment(query, dialect, header, &options));
        let sql = renderer.query(&query.query);
        // dbt wraps a model in its own statement: no terminator.
        text.push_str(sql.trim_end().trim_end_matches(';'));
        text.push('\n');
        files.push((format!("models/{}.sql", query.name()), text));
    }
    Project {
        files,
        not_compiled: plan.not_compiled,
    }
}

/// The project's name: dbt names are identifiers, and agreement names are.
pub fn project_name(agreement: &Agreement<'_>) -> String {
    format!("pactum_{}", agreement.name)
}

fn dbt_project(agreement: &Agreement<'_>) -> Value {
    let name = project_name(agreement);
    json!({
        "name": name,
        "version": format!("{}.0.0", agreement.version.unwrap_or(1)),
        "config-version": 2,
        "profile": "pactum",
        "model-paths": ["models"],
        "models": { name: { "+materialized": "table" } },
    })
}

/// The agreement's sources grouped by schema: a dbt source is one schema.
/// Tables without a schema are in the target's schema, under the
/// agreement's name.
fn source_groups<'s, 'a>(
    agreement: &'s Agreement<'a>,
    options: &Options,
) -> BTreeMap<String, Vec<&'s Source<'a>>> {
    let mut groups: BTreeMap<String, Vec<&'s Source<'a>>> = BTreeMap::new();
    for source in &agreement.sources {
        let path = plan::table_path(source, options);
        let group = match path.as_slice() {
            [schema, _] => schema.clone(),
            _ => agreement.name.to_string(),
        };
        groups.entry(group).or_default().push(source);
    }
    groups
}

fn sources_yml(
    agreement: &Agreement<'_>,
    groups: &BTreeMap<String, Vec<&Source<'_>>>,
    options: &Options,
) -> Value {
    let mut sources = Vec::new();
    for (group, members) in groups {
        let mut tables = Vec::new();
        let mut schema = None;
        for source in members {
            let path = plan::table_path(source, options);
            if path.len() == 2 {
                schema = Some(path[0].clone());
            }
            let mut table = json!({
                "name": spec(source.name()),
                "identifier": spec(path.last().map_or("", String::as_str)),
                "description": spec(&describe(source.named.title, source.named.docs)),
                "columns": source_columns(source),
            });
            if let Some(owner) = source.owner {
                table["meta"] = json!({ "owner": spec(owner) });
            }
            if let (Some(freshness), Some(time)) = (source.freshness, source.time) {
                let minutes = (crate::check::dates::approx_days(freshness) * 24.0 * 60.0).round();
                let after = if minutes % 60.0 == 0.0 {
                    json!({ "count": minutes as i64 / 60, "period": "hour" })
                } else {
                    json!({ "count": minutes as i64, "period": "minute" })
                };
                table["loaded_at_field"] = spec(time.physical);
                table["freshness"] = json!({ "warn_after": after });
            }
            tables.push(table);
        }
        let entry = json!({
            "name": spec(group),
            "description": format!("Tables read by the agreement {}", agreement.name),
            // A table named without a schema is in the target's.
            "schema": schema.map_or_else(|| json!("{{ target.schema }}"), |s| spec(&s)),
            "tables": tables,
        });
        sources.push(entry);
    }
    json!({ "version": 2, "sources": sources })
}

/// A source's columns with their descriptions and the tests its declared
/// keys imply: a customer and a time on every row, an id unique.
fn source_columns(source: &Source<'_>) -> Vec<Value> {
    let mut columns = Vec::new();
    let mut column = |name: &str, description: String, tests: &[&str]| {
        let mut entry = json!({ "name": spec(name), "description": spec(&description) });
        if !super::dialect::is_plain_lowercase(name) {
            entry["quote"] = json!(true);
        }
        if !tests.is_empty() {
            entry["data_tests"] = json!(tests);
        }
        columns.push(entry);
    };
    if let Some(key) = source.customer {
        column(key.physical, "The customer key".to_string(), &["not_null"]);
    }
    if let Some(key) = source.time {
        let kind = if source.holds_instants(key.physical) {
            "an instant, read in the agreement's time zone"
        } else {
            "a local time of the agreement's time zone"
        };
        column(
            key.physical,
            format!("When the row happened: {kind}"),
            &["not_null"],
        );
    }
    if let Some(key) = source.id {
        column(key.physical, "The row's id".to_string(), &["not_null", "unique"]);
    }
    for c in &source.columns {
        let mut description = describe(None, c.docs);
        if description.is_empty() {
            description = format!("A {} column", c.ty.word());
        }
        if c.pii {
            description.push_str(" (personal data: never shared)");
        }
        column(c.physical, description, &[]);
    }
    columns
}

fn schema_yml(planned: &[Planned]) -> Value {
    let models: Vec<Value> = planned
        .iter()
        .map(|query| {
            let columns: Vec<Value> = query
                .columns
                .iter()
                .map(|c| json!({ "name": spec(&c.name), "description": spec(&c.description) }))
                .collect();
            json!({
                "name": spec(&query.name()),
                "description": spec(&query.purpose),
                "columns": columns,
            })
        })
        .collect();
    json!({ "version": 2, "models": models })
}

/// The scorecards as dashboards that depend on their models.
fn exposures_yml(agreement: &Agreement<'_>, planned: &[Planned]) -> Option<Value> {
    let exposures: Vec<Value> = agreement
        .scorecards
        .iter()
        .filter_map(|scorecard| {
            let id = QueryId::Scorecard(scorecard.named.name.to_string());
            let query = planned.iter().find(|p| p.id == id)?;
            let mut depends_on = vec![format!("ref('{}')", query.name())];
            if planned.iter().any(|p| p.id == QueryId::Targets) {
                depends_on.push("ref('targets')".to_string());
            }
            let owner = agreement
                .parties
                .iter()
                .find(|p| p.role == Some("provider"))
                .or(agreement.parties.first());
            let mut owner_entry = json!({});
            if let Some(party) = owner {
                owner_entry["name"] = spec(party.named.title.unwrap_or(party.named.name));
                if let Some(contact) = party.contacts.first() {
                    owner_entry["email"] = spec(contact);
                }
            }
            Some(json!({
                "name": spec(&query.name()),
                "label": spec(scorecard.named.title.unwrap_or(scorecard.named.name)),
                "type": "dashboard",
                "maturity": "high",
                "description": spec(&describe(scorecard.named.title, scorecard.named.docs)),
                "depends_on": depends_on,
                "owner": owner_entry,
            }))
        })
        .collect();
    (!exposures.is_empty()).then(|| json!({ "version": 2, "exposures": exposures }))
}

fn describe(title: Option<&str>, docs: &[String]) -> String {
    let mut text = title.unwrap_or_default().to_string();
    let docs = docs.join(" ");
    if !docs.is_empty() {
        if !text.is_empty() {
            text.push_str(". ");
        }
        text.push_str(docs.trim());
    }
    text
}

/// A Jinja string literal.
fn jinja_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Text from the spec as a YAML value: dbt renders YAML strings as Jinja
/// too, so their `{` are escaped.
fn spec(text: &str) -> Value {
    Value::String(escape_jinja(text))
}

/// YAML with a first comment line, keys in the order dbt's documentation
/// writes them (names first).
fn yaml(first_line: &str, value: &Value) -> String {
    format!(
        "{first_line}{}",
        serde_yaml::to_string(&ordered(value)).expect("YAML from JSON values")
    )
}

fn ordered(value: &Value) -> serde_yaml::Value {
    const FIRST: &[&str] = &[
        "name",
        "version",
        "config-version",
        "profile",
        "label",
        "type",
        "schema",
        "identifier",
        "description",
    ];
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| (FIRST.iter().position(|f| f == k).unwrap_or(FIRST.len()), *k));
            let mut out = serde_yaml::Mapping::new();
            for key in keys {
                out.insert(serde_yaml::Value::String(key.clone()), ordered(&map[key]));
            }
            serde_yaml::Value::Mapping(out)
        }
        Value::Array(items) => serde_yaml::Value::Sequence(items.iter().map(ordered).collect()),
        other => serde_yaml::to_value(other).expect("JSON values are YAML values"),
    }
}
