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
use super::render::{DbtNames, Renderer, escape_jinja};
use crate::model::{Agreement, Source};
use crate::vocabulary::Day;

/// The day the models are planned as of, in place of the dbt var `as_of`:
/// each date literal of this day (and of the day after) is written as the
/// var's Jinja. No agreement dates anything in the year 9999.
const AS_OF_PLACEHOLDER: &str = "9999-12-30";

/// The project's macros: the `as_of` day (the var, validated as a date;
/// by default the day the run starts, in UTC) and the day after it, and
/// the period the models were compiled for.
const MACROS: &str = r#"{% macro pactum_as_of() -%}
  {{- modules.datetime.date.fromisoformat(var("as_of", run_started_at.strftime("%Y-%m-%d")) | string).isoformat() -}}
{%- endmacro %}

{% macro pactum_day_after_as_of() -%}
  {{- (modules.datetime.date.fromisoformat(pactum_as_of() | trim) + modules.datetime.timedelta(days=1)).isoformat() -}}
{%- endmacro %}

{% macro pactum_check_period(compiled) -%}
  {%- if var("period", compiled) != compiled -%}
    {{ exceptions.raise_compiler_error("these models were compiled for " ~ compiled ~ " periods, not " ~ var("period") ~ ": compile again with `pactum compile --format dbt --period " ~ var("period") ~ "`") }}
  {%- endif -%}
{%- endmacro %}
"#;

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
    let compiled_as_of = options.as_of.map(|day| day.to_string());
    let placeholder = Day::parse(AS_OF_PLACEHOLDER).expect("a calendar day");
    options.as_of = Some(placeholder);
    let plan = super::plan(agreement, &options);
    let planned = &plan.queries;
    // Kept results are models of their own; sources are dbt sources.
    let mut names = DbtNames::default();
    names
        .dates
        .insert(placeholder.to_string(), "{{ pactum_as_of() }}".to_string());
    names.dates.insert(
        placeholder.next().to_string(),
        "{{ pactum_day_after_as_of() }}".to_string(),
    );
    let tables = &mut names.tables;
    for id in &options.reuse {
        if planned.iter().any(|p| p.id == *id) {
            tables.insert(
                vec![plan::reused_table(id)],
                format!("{{{{ ref('{}') }}}}", id.name()),
            );
        }
    }
    let groups = source_groups(agreement, dialect, &options);
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
    let renderer = Renderer::dbt(dialect, &names);
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
            yaml(
                &written_by,
                &dbt_project(agreement, &options, compiled_as_of.as_deref()),
            ),
        ),
        (
            "macros/pactum.sql".to_string(),
            format!(
                "{{# {} #}}\n{MACROS}",
                written_by.trim_start_matches("# ").trim_end()
            ),
        ),
        (
            "models/sources.yml".to_string(),
            yaml(&written_by, &sources_yml(agreement, &groups, dialect)),
        ),
        (
            "models/schema.yml".to_string(),
            yaml(&written_by, &schema_yml(planned)),
        ),
    ];
    if let Some(profile) = profile(dialect) {
        files.push(("profiles.yml".to_string(), format!("{written_by}{profile}")));
    }
    if dialect.name() == "duckdb" {
        files.push((
            "load_csv.sql".to_string(),
            load_csv(agreement, &options, &written_by),
        ));
    }
    if let Some(exposures) = exposures_yml(agreement, planned) {
        files.push((
            "models/exposures.yml".to_string(),
            yaml(&written_by, &exposures),
        ));
    }
    let as_of_note = "the dbt var `as_of` (by default the day the run starts)";
    for query in planned {
        let comment = header_comment(query, dialect, header, &options).replace(
            &format!("as of: {AS_OF_PLACEHOLDER}"),
            &format!("as of: {as_of_note}"),
        );
        let mut text = escape_jinja(&comment);
        text.push_str(&format!(
            "{{{{ pactum_check_period('{}') }}}}\n",
            options.period.word()
        ));
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

/// A profile for trying the project where one can be described without
/// credentials (dbt reads `profiles.yml` from the folder it runs in);
/// everything secret comes from the environment.
fn profile(dialect: &dyn Dialect) -> Option<&'static str> {
    match dialect.name() {
        "duckdb" => Some(
            "pactum:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n      \
             path: \"{{ env_var('PACTUM_DUCKDB', 'warehouse.duckdb') }}\"\n      threads: 2\n",
        ),
        "postgres" => Some(
            "pactum:\n  target: postgres\n  outputs:\n    postgres:\n      type: postgres\n      \
             host: \"{{ env_var('PGHOST', 'localhost') }}\"\n      \
             port: \"{{ env_var('PGPORT', '5432') | as_number }}\"\n      \
             user: \"{{ env_var('PGUSER') }}\"\n      \
             password: \"{{ env_var('PGPASSWORD', '') }}\"\n      \
             dbname: \"{{ env_var('PGDATABASE') }}\"\n      \
             schema: \"{{ env_var('PACTUM_SCHEMA', 'pactum') }}\"\n      threads: 2\n",
        ),
        _ => None,
    }
}

/// A DuckDB script that makes the source tables from CSV files, one per
/// source named after it, in the folder `PACTUM_DATA` names (the files
/// `pactum demo` writes, or the examples'): for trying the project.
fn load_csv(agreement: &Agreement<'_>, options: &Options, written_by: &str) -> String {
    use super::dialect::DuckDb;
    let mut script = format!(
        "-- {}\n-- Makes the source tables from the CSV files in $PACTUM_DATA, one per source:\n\
         --   PACTUM_DATA=path/to/csv-folder duckdb warehouse.duckdb < load_csv.sql\n",
        written_by.trim_start_matches("# ").trim_end()
    );
    let mut schemas: Vec<String> = Vec::new();
    for source in &agreement.sources {
        let path = plan::table_path(source, options);
        if path.len() == 2 && !schemas.contains(&path[0]) {
            script.push_str(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};\n",
                DuckDb.quote_ident(&path[0])
            ));
            schemas.push(path[0].clone());
        }
        let quoted: Vec<String> = path.iter().map(|p| DuckDb.quote_ident(p)).collect();
        script.push_str(&format!("DROP TABLE IF EXISTS {};\n", quoted.join(".")));
        script.push_str(&super::load::create_table(source, &DuckDb, options));
        let file = format!(
            "getenv('PACTUM_DATA') || {}",
            DuckDb.quote_string(&format!("/{}.csv", source.name()))
        );
        script.push_str(&super::load::duckdb_insert_csv(source, options, &file));
    }
    script
}

/// The project's name: dbt names are identifiers, and agreement names are.
pub fn project_name(agreement: &Agreement<'_>) -> String {
    format!("pactum_{}", agreement.name)
}

fn dbt_project(agreement: &Agreement<'_>, options: &Options, as_of: Option<&str>) -> Value {
    let name = project_name(agreement);
    let mut vars = json!({
        "period": options.period.word(),
        "table_prefix": spec(&options.table_prefix),
    });
    if let Some(day) = as_of {
        vars["as_of"] = json!(day);
    }
    json!({
        "name": name,
        "version": format!("{}.0.0", agreement.version.unwrap_or(1)),
        "config-version": 2,
        "profile": "pactum",
        "model-paths": ["models"],
        "macro-paths": ["macros"],
        "vars": vars,
        "models": { name: { "+materialized": "table" } },
    })
}

/// The agreement's sources grouped by schema: a dbt source is one schema.
/// Tables without a schema are in the target's schema, under the
/// agreement's name.
/// A table whose name dbt would not quote safely is left out: the models
/// read it by its name, quoted by Pactum, and dbt never sees it.
fn source_groups<'s, 'a>(
    agreement: &'s Agreement<'a>,
    dialect: &dyn Dialect,
    options: &Options,
) -> BTreeMap<String, Vec<&'s Source<'a>>> {
    let mut groups: BTreeMap<String, Vec<&'s Source<'a>>> = BTreeMap::new();
    for source in &agreement.sources {
        let prefixed = plan::table_path(source, options);
        if !prefixed.iter().all(|part| dbt_quotes_safely(dialect, part)) {
            continue;
        }
        let path = source.table_path("");
        let group = match path.as_slice() {
            [schema, _] => schema.clone(),
            _ => agreement.name.to_string(),
        };
        groups.entry(group).or_default().push(source);
    }
    groups
}

/// Whether dbt writes a name as Pactum does. dbt quotes a source's table
/// and a tested column by wrapping the name in the adapter's quote without
/// escaping anything, so a name holding that quote would break out of it;
/// dbt-snowflake does not quote at all, so only a bare name is safe there.
fn dbt_quotes_safely(dialect: &dyn Dialect, name: &str) -> bool {
    match dialect.name() {
        "snowflake" => dialect.source_name(name) == name,
        "bigquery" | "spark" => !name.contains(['`', '\\']),
        _ => !name.contains('"'),
    }
}

fn sources_yml(
    agreement: &Agreement<'_>,
    groups: &BTreeMap<String, Vec<&Source<'_>>>,
    dialect: &dyn Dialect,
) -> Value {
    let mut sources = Vec::new();
    for (group, members) in groups {
        let mut tables = Vec::new();
        let mut schema = None;
        for source in members {
            // The environment's prefix goes in front of the table as
            // written (its schema, when it has one): the var `table_prefix`.
            let path = source.table_path("");
            let prefixed = |text: &str| {
                Value::String(format!(
                    "{{{{ var('table_prefix', '') }}}}{}",
                    escape_jinja(text)
                ))
            };
            let identifier = path.last().map_or("", String::as_str);
            let identifier = if path.len() == 2 {
                schema = Some(prefixed(&path[0]));
                spec(identifier)
            } else {
                prefixed(identifier)
            };
            let mut table = json!({
                "name": spec(source.name()),
                "identifier": identifier,
                "description": spec(&describe(source.named.title, source.named.docs)),
                "columns": source_columns(source, dialect),
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
                // dbt writes this into its SQL as it is: quoted here.
                table["loaded_at_field"] = spec(&dialect.source_name(time.physical));
                table["freshness"] = json!({ "warn_after": after });
            }
            tables.push(table);
        }
        let entry = json!({
            "name": spec(group),
            "description": format!("Tables read by the agreement {}", agreement.name),
            // A table named without a schema is in the target's.
            "schema": schema.unwrap_or_else(|| json!("{{ target.schema }}")),
            "tables": tables,
        });
        sources.push(entry);
    }
    json!({ "version": 2, "sources": sources })
}

/// A source's columns with their descriptions and the tests its declared
/// keys imply: a customer and a time on every row, an id unique. They
/// warn rather than fail, as Pactum's audits report: the queries count a
/// row without a key nowhere and a repeated id once, so a model is never
/// held back by them.
fn source_columns(source: &Source<'_>, dialect: &dyn Dialect) -> Vec<Value> {
    let mut columns = Vec::new();
    let mut column = |name: &str, description: String, tests: &[&str]| {
        // A column dbt would not quote safely is not shown to dbt at all.
        if !dbt_quotes_safely(dialect, name) {
            return;
        }
        let mut entry = json!({ "name": spec(name), "description": spec(&description) });
        if !super::dialect::is_plain_lowercase(name) {
            entry["quote"] = json!(true);
        }
        if !tests.is_empty() {
            let tests: Vec<Value> = tests
                .iter()
                .map(|t| json!({ *t: { "config": { "severity": "warn" } } }))
                .collect();
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
        column(
            key.physical,
            "The row's id".to_string(),
            &["not_null", "unique"],
        );
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
