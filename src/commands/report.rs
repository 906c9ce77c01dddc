//! `pactum report SPEC (--data DIR | --results DIR) --out FILE`: the joint
//! scorecard, rendered from the report templates (`compile` writes the same
//! ones) with results computed here on the embedded engine, or read from
//! files exported by any warehouse in the manifest's layout.

use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior};

use super::fmt::write_atomically;
use super::run::{Agreement, EngineArg, Input, load_and_run, planned, with_agreement};
use super::{FINDINGS, Failure, PlanArgs, SUCCESS};
use crate::report::{HTML_TEMPLATE, MARKDOWN_TEMPLATE, agreement_context};
use crate::run::Table;
use crate::run::results::{read_folder, rows_json};
use crate::vocabulary::Day;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Md,
}

pub struct Options {
    pub spec: PathBuf,
    pub data: Option<PathBuf>,
    pub engine: EngineArg,
    pub url: Option<String>,
    pub results: Option<PathBuf>,
    pub out: PathBuf,
    pub format: Option<Format>,
    pub template: Option<PathBuf>,
    pub plan: PlanArgs,
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let format =
        options
            .format
            .unwrap_or_else(|| match options.out.extension().and_then(|e| e.to_str()) {
                Some("md" | "markdown") => Format::Md,
                _ => Format::Html,
            });
    let template = match &options.template {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Failure::io(path, "read", &e))?,
        None => match format {
            Format::Html => HTML_TEMPLATE.to_string(),
            Format::Md => MARKDOWN_TEMPLATE.to_string(),
        },
    };
    let generated_at = generated_at(options.plan.as_of)?;
    let input = match &options.results {
        Some(_) => None,
        None => Some(Input::from_options(
            options.engine,
            &options.data,
            &options.url,
        )?),
    };
    with_agreement(&options.spec, &mut |agreement| {
        let plan_options = options.plan.options(agreement.config)?;
        let tables = match (&input, &options.results) {
            (Some(input), _) => match load_and_run(agreement, input, &plan_options)? {
                Ok(tables) => tables,
                Err(code) => return Ok(code),
            },
            (None, Some(results)) => match read_results(agreement, results, &plan_options)? {
                Ok(tables) => tables,
                Err(code) => return Ok(code),
            },
            (None, None) => unreachable!("an input or results"),
        };
        let text = render(
            agreement,
            &tables,
            &template,
            format,
            &generated_at,
            options.plan.as_of,
        )?;
        write_atomically(&options.out, text.as_bytes())?;
        eprintln!("wrote {}", options.out.display());
        Ok(SUCCESS)
    })
}

/// Exported results, typed by the manifest's columns. A file that does not
/// fit is a data error, printed as `run` prints one: `Ok(Err(1))`.
fn read_results(
    agreement: &Agreement<'_>,
    dir: &Path,
    options: &crate::sql::plan::Options,
) -> Result<Result<Vec<Table>, u8>, Failure> {
    if !dir.is_dir() {
        return Err(Failure(format!(
            "cannot read results from `{}`: no such folder",
            dir.display()
        )));
    }
    let planned = planned(agreement, options);
    let (tables, missing) = match read_folder(dir, &planned) {
        Ok(read) => read,
        Err(error) => {
            eprintln!("{error}");
            return Ok(Err(FINDINGS));
        }
    };
    if tables.is_empty() {
        return Err(Failure(format!(
            "`{}` holds no result file of this agreement's queries (`<query>.csv`, as `pactum compile` names them)",
            dir.display()
        )));
    }
    for name in missing {
        eprintln!(
            "note: no `{name}.csv` in {}: its section is left out",
            dir.display()
        );
    }
    Ok(Ok(tables))
}

/// Renders a report template with the agreement's context and results.
pub fn render(
    agreement: &Agreement<'_>,
    tables: &[Table],
    template: &str,
    format: Format,
    generated_at: &str,
    as_of: Option<Day>,
) -> Result<String, Failure> {
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let context = agreement_context(agreement.model, &names);
    let results: serde_json::Map<String, serde_json::Value> = tables
        .iter()
        .map(|t| (t.name.clone(), rows_json(t)))
        .collect();
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    // The name decides escaping: HTML-escaped for HTML, as-is for Markdown.
    let name = match format {
        Format::Html => "report.html",
        Format::Md => "report.md",
    };
    env.add_template(name, template)
        .map_err(|e| Failure(format!("the report template is not valid: {e:#}")))?;
    env.get_template(name)
        .expect("just added")
        .render(minijinja::context! {
            agreement => context,
            results => results,
            generated_at => generated_at,
            as_of => as_of.map(|day| day.to_string()),
        })
        .map_err(|e| Failure(format!("the report template failed: {e:#}")))
}

/// When the report says it was generated: `SOURCE_DATE_EPOCH` when set (for
/// reproducible reports), else the `--as-of` date, else now; in UTC.
fn generated_at(as_of: Option<Day>) -> Result<String, Failure> {
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch.trim().parse().map_err(|_| {
            Failure(format!(
                "SOURCE_DATE_EPOCH={epoch} is not a number of seconds since 1970"
            ))
        })?;
        return Ok(utc(seconds));
    }
    if let Some(day) = as_of {
        return Ok(day.to_string());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Ok(utc(now))
}

fn utc(seconds: i64) -> String {
    let day = crate::check::dates::show(seconds.div_euclid(86_400));
    let rest = seconds.rem_euclid(86_400);
    format!(
        "{day} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// `pactum doc SPEC --out FILE`: the agreement in plain words.
pub fn doc(spec: &Path, out: &Path, format: Option<Format>) -> Result<u8, Failure> {
    let format = format.unwrap_or_else(|| match out.extension().and_then(|e| e.to_str()) {
        Some("md" | "markdown") => Format::Md,
        _ => Format::Html,
    });
    with_agreement(spec, &mut |agreement| {
        let blocks = crate::doc::blocks(agreement.model);
        let text = match format {
            Format::Md => crate::doc::markdown(&blocks),
            Format::Html => crate::doc::html(
                &blocks,
                agreement.model.title.unwrap_or(agreement.model.name),
            ),
        };
        write_atomically(out, text.as_bytes())?;
        eprintln!("wrote {}", out.display());
        Ok(SUCCESS)
    })
}
