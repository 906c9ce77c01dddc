//! `pactum compile [PATHS] --dialect D [--out DIR]`: warehouse SQL for each
//! agreement, one file per query and dialect, and a manifest.

use std::path::PathBuf;

use super::fmt::write_generated;
use super::{FINDINGS, Failure, SUCCESS, print_diagnostics, write_stdout};
use crate::check::count;
use crate::check::workspace::parallel_map;
use crate::sql::compile::{Header, manifest, render};
use crate::sql::dialect::{self, Dialect};
use crate::vocabulary::ColumnType;

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub dialects: Vec<String>,
    pub out: Option<PathBuf>,
    pub query: Option<String>,
    pub format: Format,
    pub plan: super::PlanArgs,
}

/// What `compile` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One SQL file per query and dialect, a manifest and report templates
    Sql,
    /// A dbt project per agreement: models that `ref()` the steps they
    /// reuse, sources with their tests and freshness, exposures
    Dbt,
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let (ws, diagnostics) = super::check::collect(&options.paths)?;
    if count(&diagnostics).errors > 0 {
        print_diagnostics(&diagnostics, &ws.sources);
        eprintln!(
            "pactum: not compiled: {}",
            super::check::summary(&diagnostics, ws.units.len())
        );
        return Ok(FINDINGS);
    }
    let config = &ws.settings.config;
    let names: Vec<String> = if options.dialects.is_empty() {
        vec![
            config
                .dialect
                .clone()
                .unwrap_or_else(|| dialect::default().name().to_string()),
        ]
    } else {
        options.dialects.clone()
    };
    let mut dialects: Vec<&dyn Dialect> = Vec::new();
    for name in &names {
        let d = dialect::by_name(name).ok_or_else(|| {
            Failure(format!(
                "unknown dialect `{name}`; use one of: {}",
                dialect::names().join(", ")
            ))
        })?;
        // Snowflake's names as the account stores them.
        let d: &dyn Dialect = match (d.name(), &config.snowflake) {
            ("snowflake", Some(settings))
                if settings.names == crate::check::config::SnowflakeNames::Quoted =>
            {
                &dialect::Snowflake::QUOTED
            }
            _ => d,
        };
        if !dialects.iter().any(|x| x.name() == d.name()) {
            dialects.push(d);
        }
    }
    let plan_options = options.plan.options(config)?;
    let out_dir = options.out.clone().or_else(|| {
        config
            .out
            .as_ref()
            .map(|o| ws.settings.root.clone().unwrap_or_default().join(o))
    });

    let agreements = ws.agreements();
    // Plan and render each agreement on all cores; each writes its own
    // folder, so the workers never touch the same file.
    let compile_one = |&index: &usize| -> Result<Compiled, Failure> {
        let unit = &ws.units[index];
        let scope = ws.scope(index);
        let model = crate::model::Agreement::of(&scope);
        let plan = crate::sql::plan(&model, &plan_options);
        let planned = plan.queries;
        let source_file = ws.sources.get(unit.file).name.clone();
        let header = Header {
            agreement: model.name,
            version: model.version,
            source_file: &source_file,
        };
        for dialect in &dialects {
            zone_database_needed(&model, *dialect)?;
        }
        let mut compiled = Compiled {
            not_compiled: plan
                .not_compiled
                .iter()
                .map(|what| format!("{}: {what}", model.name))
                .collect(),
            ..Compiled::default()
        };
        if let Some(wanted) = &options.query {
            if let Some(query) = planned.iter().find(|p| p.name() == *wanted) {
                let [dialect] = dialects[..] else {
                    return Err(Failure(
                        "`--query` prints one query: give one `--dialect`".to_string(),
                    ));
                };
                compiled.printed = Some(render(query, dialect, &header, &plan_options));
            }
            return Ok(compiled);
        }
        let Some(out_dir) = &out_dir else {
            return Ok(compiled);
        };
        let folder = out_dir.join(model.name);
        // Refused before anything is written, not half-way.
        crate::output::claim(&folder, "compile").map_err(Failure)?;
        if options.format == Format::Dbt {
            let [dialect] = dialects[..] else {
                return Err(Failure(
                    "a dbt project is for one warehouse: give one `--dialect`".to_string(),
                ));
            };
            let project = crate::sql::dbt::project(&model, dialect, &header, &plan_options);
            let dir = folder.join("dbt");
            for (path, content) in &project.files {
                let path = dir.join(path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| Failure::io(parent, "create folder", &e))?;
                }
                write_generated(&path, content.as_bytes())?;
                compiled.written += 1;
            }
            let models: Vec<String> = project
                .files
                .iter()
                .filter_map(|(path, _)| path.strip_prefix("models/")?.strip_suffix(".sql"))
                .map(str::to_string)
                .collect();
            compiled.removed += remove_stale(&dir.join("models"), &models)?;
            crate::output::mark(&folder, "compile", &["dbt".to_string()])
                .map_err(|e| Failure::io(&folder, "write the marker file in", &e))?;
            compiled.written += 1;
            return Ok(compiled);
        }
        let mut top: Vec<String> = vec![
            "manifest.json".to_string(),
            "manifest.yaml".to_string(),
            "report".to_string(),
        ];
        for dialect in &dialects {
            top.push(dialect.name().to_string());
            let dir = folder.join(dialect.name());
            std::fs::create_dir_all(&dir).map_err(|e| Failure::io(&dir, "create folder", &e))?;
            for query in &planned {
                let path = dir.join(format!("{}.sql", query.name()));
                write_generated(
                    &path,
                    render(query, *dialect, &header, &plan_options).as_bytes(),
                )?;
                compiled.written += 1;
            }
            let names: Vec<String> = planned.iter().map(|p| p.name()).collect();
            compiled.removed += remove_stale(&dir, &names)?;
        }
        let mut manifest = manifest(&planned, &dialects, &header, &plan_options);
        manifest.not_compiled = plan.not_compiled.clone();
        let json = serde_json::to_string_pretty(&manifest).expect("the manifest serializes") + "\n";
        write_generated(&folder.join("manifest.json"), json.as_bytes())?;
        let yaml = serde_yaml::to_string(&manifest).expect("the manifest serializes");
        write_generated(&folder.join("manifest.yaml"), yaml.as_bytes())?;
        compiled.written += 2;
        // The joint scorecard's templates, bound to these queries.
        let report_dir = folder.join("report");
        std::fs::create_dir_all(&report_dir)
            .map_err(|e| Failure::io(&report_dir, "create folder", &e))?;
        for (name, content) in crate::report::files(&model, &planned) {
            write_generated(&report_dir.join(name), content.as_bytes())?;
            compiled.written += 1;
        }
        crate::output::mark(&folder, "compile", &top)
            .map_err(|e| Failure::io(&folder, "write the marker file in", &e))?;
        compiled.written += 1;
        Ok(compiled)
    };
    let results = parallel_map(&agreements, compile_one);
    let mut written = 0;
    let mut removed = 0;
    let mut printed = false;
    for result in results {
        let compiled = result?;
        written += compiled.written;
        removed += compiled.removed;
        if options.query.is_none() {
            for what in &compiled.not_compiled {
                eprintln!("note: not compiled yet: {what}");
            }
        }
        if let Some(text) = compiled.printed {
            if printed {
                return Err(Failure(format!(
                    "several agreements have a query `{}`; compile one file at a time",
                    options.query.as_deref().unwrap_or_default()
                )));
            }
            write_stdout(text.as_bytes())?;
            printed = true;
        }
    }
    if let Some(wanted) = &options.query {
        if !printed {
            return Err(Failure(format!("no query named `{wanted}`")));
        }
        return Ok(SUCCESS);
    }
    match &out_dir {
        Some(dir) => {
            let stale = match removed {
                0 => String::new(),
                1 => ", removed 1 stale query file".to_string(),
                n => format!(", removed {n} stale query files"),
            };
            write_stdout(format!("wrote {written} files under {}{stale}\n", dir.display()).as_bytes())?;
            Ok(SUCCESS)
        }
        None => Err(Failure(
            "say where to write: `--out DIR` (or `out:` in pactum.yaml), or print one query with `--query NAME`"
                .to_string(),
        )),
    }
}

/// What compiling one agreement produced.
#[derive(Default)]
struct Compiled {
    written: usize,
    /// Files of an earlier compile for queries that no longer exist.
    removed: usize,
    /// What the agreement has that has no SQL planner yet.
    not_compiled: Vec<String>,
    /// The `--query` text, when this agreement has that query.
    printed: Option<String>,
}

/// Removes query files an earlier compile wrote for queries the agreement no
/// longer has. Only `.sql` files that start with Pactum's header are
/// touched: anything else in the folder is the user's.
/// SQLite has no time zone database: its SQL converts instants only to a
/// zone with a fixed offset. Refused before anything is written.
fn zone_database_needed(
    model: &crate::model::Agreement<'_>,
    dialect: &dyn Dialect,
) -> Result<(), Failure> {
    if dialect.name() != "sqlite" {
        return Ok(());
    }
    let zone = model.timezone.unwrap_or(crate::model::DEFAULT_ZONE);
    if crate::zones::fixed_offset_seconds(zone).is_some() {
        return Ok(());
    }
    let Some(source) = model
        .sources
        .iter()
        .find(|s| s.layout.iter().any(|&(_, ty)| ty == ColumnType::Instant))
    else {
        return Ok(());
    };
    Err(Failure(format!(
        "`{}`: SQLite SQL cannot convert the instants of source `{}` to \"{zone}\": \
         SQLite has no time zone database, and the zone has daylight saving or a history of \
         offsets\n  help: compile for another dialect (DuckDB, PostgreSQL...), store local times \
         of the agreement's zone (`time COLUMN` without `instant`), or run the agreement with \
         `pactum run`, whose embedded SQLite converts instants itself",
        model.name,
        source.name()
    )))
}

fn remove_stale(dir: &std::path::Path, names: &[String]) -> Result<usize, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::io(dir, "read folder", &e))?;
    let mut removed = 0;
    for entry in entries {
        let path = entry
            .map_err(|e| Failure::io(dir, "read folder", &e))?
            .path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".sql"))
        else {
            continue;
        };
        if names.iter().any(|name| name == stem) {
            continue;
        }
        let ours = std::fs::read_to_string(&path)
            .is_ok_and(|text| text.starts_with("-- Pactum: agreement "));
        if ours {
            std::fs::remove_file(&path).map_err(|e| Failure::io(&path, "remove", &e))?;
            removed += 1;
        }
    }
    Ok(removed)
}
