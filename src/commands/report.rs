//! `pactum report SPEC (--data DIR | --results DIR) --out FILE`: the joint
//! scorecard, rendered from the report templates (`compile` writes the same
//! ones) with results computed here on the embedded engine, or read from
//! files exported by any warehouse in the manifest's layout.

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::fmt::write_atomically;
use super::run::{Agreement, EngineArg, Input, load_and_run, planned, with_agreement};
use super::{FINDINGS, Failure, PlanArgs, SUCCESS};
use crate::report::review::Period as ReviewPeriod;
use crate::report::{HTML_TEMPLATE, MARKDOWN_TEMPLATE, agreement_context};
use crate::run::Table;
use crate::run::results::{read_folder, rows_json};
use crate::vocabulary::Day;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Md,
    /// The HTML page printed by headless Chromium.
    Pdf,
}

impl Format {
    /// The format an output file's extension asks for: `.md`, `.pdf`, else
    /// HTML.
    fn of(out: &Path) -> Format {
        match out.extension().and_then(|e| e.to_str()) {
            Some("md" | "markdown") => Format::Md,
            Some("pdf") => Format::Pdf,
            _ => Format::Html,
        }
    }
}

pub struct Options {
    pub spec: PathBuf,
    pub data: Option<PathBuf>,
    pub engine: EngineArg,
    pub url: Option<String>,
    pub statement_timeout: u64,
    pub results: Option<PathBuf>,
    /// A DuckDB database file, read-only (`--engine duckdb`).
    pub database: Option<PathBuf>,
    pub out: PathBuf,
    pub format: Option<Format>,
    pub template: Option<PathBuf>,
    /// The report for one party (`--for`).
    pub for_party: Option<String>,
    pub plan: PlanArgs,
    /// `pactum review`: the review's agenda filled in for a period, in
    /// place of the scorecard.
    pub review: Option<ReviewArgs>,
}

/// What `pactum review` adds: the period (`2026-Q3`) and which review.
pub struct ReviewArgs {
    pub period: String,
    pub name: Option<String>,
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let format = options.format.unwrap_or_else(|| Format::of(&options.out));
    let period = match &options.review {
        Some(review) => Some(ReviewPeriod::parse(&review.period).map_err(Failure)?),
        None => None,
    };
    let template = match &options.template {
        Some(path) => Template {
            name: path.display().to_string(),
            text: String::from_utf8(
                crate::source::read_source(path).map_err(|e| Failure::io(path, "read", &e))?,
            )
            .map_err(|_| Failure(format!("`{}` is not UTF-8 text", path.display())))?,
        },
        None if period.is_some() => match format {
            Format::Html | Format::Pdf => Template {
                name: "review.html.j2".to_string(),
                text: crate::report::REVIEW_HTML_TEMPLATE.to_string(),
            },
            Format::Md => Template {
                name: "review.md.j2".to_string(),
                text: crate::report::REVIEW_MARKDOWN_TEMPLATE.to_string(),
            },
        },
        None => match format {
            Format::Html | Format::Pdf => Template {
                name: "scorecard.html.j2".to_string(),
                text: HTML_TEMPLATE.to_string(),
            },
            Format::Md => Template {
                name: "scorecard.md.j2".to_string(),
                text: MARKDOWN_TEMPLATE.to_string(),
            },
        },
    };
    // A review is run as of its period's last day.
    let plan_args = PlanArgs {
        as_of: period.as_ref().map_or(options.plan.as_of, |p| Some(p.end)),
        ..options.plan.clone()
    };
    let generated_at = generated_at(plan_args.as_of)?;
    let input = match &options.results {
        Some(_) => None,
        None => Some(Input::from_options(
            options.engine,
            &options.data,
            &options.url,
            options.statement_timeout,
            &options.database,
        )?),
    };
    with_agreement(&options.spec, &mut |agreement| {
        let plan_options = plan_args.options(agreement.config)?;
        let review = match (&options.review, &period) {
            (Some(args), Some(period)) => {
                let review = crate::report::review::pick(agreement.model, args.name.as_deref())
                    .map_err(Failure)?;
                Some(crate::report::review::context(
                    agreement.model,
                    review,
                    period,
                ))
            }
            _ => None,
        };
        let audience = match &options.for_party {
            Some(party) => Some(crate::privacy::audience(agreement.model, party).map_err(Failure)?),
            None => None,
        };
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
        let tables = match &audience {
            Some(audience) => super::run::restricted(agreement.model, audience, tables),
            None => tables,
        };
        let text = render(
            agreement,
            &tables,
            &template,
            format,
            &plan_options,
            &Extras {
                generated_at: &generated_at,
                audience: audience.as_ref(),
                review: review.as_ref(),
            },
        )?;
        let bytes = match format {
            Format::Pdf => crate::report::pdf::print(&text).map_err(Failure)?,
            Format::Html | Format::Md => text.into_bytes(),
        };
        write_atomically(&options.out, &bytes)?;
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

/// A report template and the name its errors are located by (the user's
/// file, or the built-in template's).
pub struct Template {
    pub name: String,
    pub text: String,
}

/// How many MiniJinja instructions a report may take. The built-in
/// templates take a few per result row shown; this lets a report of
/// millions of rows through and stops a runaway loop within seconds.
pub const TEMPLATE_FUEL: u64 = 50_000_000;

/// How large a report may grow, in bytes.
pub const TEMPLATE_OUTPUT: usize = 256 * 1024 * 1024;

/// What a render shows beyond the results: when it was made, for whom, and
/// the review it fills in.
#[derive(Clone, Copy)]
pub struct Extras<'a> {
    pub generated_at: &'a str,
    pub audience: Option<&'a crate::privacy::Audience>,
    pub review: Option<&'a serde_json::Value>,
}

/// Renders a report template with the agreement's context and results.
/// Values are escaped by the format's rules (HTML, or Markdown), whatever
/// the template's name; the template's work and output are capped.
pub fn render(
    agreement: &Agreement<'_>,
    tables: &[Table],
    template: &Template,
    format: Format,
    plan: &crate::sql::plan::Options,
    extras: &Extras<'_>,
) -> Result<String, Failure> {
    let Extras {
        generated_at,
        audience,
        review,
    } = *extras;
    let as_of = plan.as_of;
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let context = agreement_context(agreement.model, &names);
    let results: serde_json::Map<String, serde_json::Value> = tables
        .iter()
        .map(|t| (t.name.clone(), rows_json(t)))
        .collect();
    // Each scorecard's next period, forecast from its complete periods
    // before the report's day (`generated_at` starts with the day).
    // A review's period is complete: its forecast is of the period after.
    let today = match review {
        Some(_) => as_of.map(Day::next),
        None => as_of.or_else(|| generated_at.get(..10).and_then(Day::parse)),
    };
    let mut forecasts = serde_json::Map::new();
    for scorecard in &agreement.model.scorecards {
        let query = crate::sql::plan::QueryId::Scorecard(scorecard.named.name.to_string()).name();
        if let (Some(rows), Some(today)) = (results.get(&query).and_then(|r| r.as_array()), today) {
            let forecast = crate::report::forecast::scorecard(rows, plan.period, today);
            forecasts.insert(query, serde_json::Value::Object(forecast));
        }
    }
    // Each target not yet due, projected to its deadline.
    let targets = crate::sql::plan::QueryId::Targets.name();
    if let Some(rows) = results.get(&targets).and_then(|r| r.as_array()) {
        let projections =
            crate::report::forecast::targets(agreement.model, rows, &results, plan.period);
        forecasts.insert(targets, serde_json::Value::Object(projections));
    }
    render_capped(
        &environment(format, TEMPLATE_FUEL),
        template,
        minijinja::context! {
            agreement => context,
            results => results,
            forecasts => forecasts,
            generated_at => generated_at,
            as_of => as_of.map(|day| day.to_string()),
            audience => audience.map(|a| serde_json::json!({
                "party": a.party,
                "minimum": a.minimum,
            })),
            review => review,
        },
        TEMPLATE_OUTPUT,
    )
}

/// The environment reports are rendered in: undefined values are errors,
/// values are escaped by the format's rules, and a render may take at most
/// `fuel` instructions.
/// The `grouped` filter of the report templates: a number with `decimals`
/// places (0 unless given; with `trim`, trailing zeros dropped) and its
/// thousands separated by commas: `1046583.52|grouped(2)` is
/// `1,046,583.52`, `6.2|grouped(2, true)` is `6.2`.
fn grouped(value: f64, decimals: Option<u32>, trim: Option<bool>) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let decimals = decimals.unwrap_or(0).min(6) as usize;
    // Halves are rounded away from zero, as people round amounts.
    let scale = 10f64.powi(decimals as i32);
    let text = format!("{:.*}", decimals, (value.abs() * scale).round() / scale);
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut out = String::new();
    // `-0.00` is shown as 0.
    if value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    let fraction = fraction.map(|f| {
        if trim == Some(true) {
            f.trim_end_matches('0')
        } else {
            f
        }
    });
    if let Some(fraction) = fraction.filter(|f| !f.is_empty()) {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

pub fn environment(format: Format, fuel: u64) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_fuel(Some(fuel));
    env.add_filter("grouped", grouped);
    let escaping = match format {
        Format::Html | Format::Pdf => AutoEscape::Html,
        Format::Md => AutoEscape::Custom(MARKDOWN),
    };
    env.set_auto_escape_callback(move |_| escaping);
    env.set_formatter(|out, state, value| {
        if state.auto_escape() != AutoEscape::Custom(MARKDOWN) || value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        let text = match value.as_str() {
            Some(text) => crate::markdown::text(text),
            None => crate::markdown::text(&value.to_string()),
        };
        out.write_str(&text).map_err(minijinja::Error::from)
    });
    env
}

/// Renders `template` in `env`, stopping at `limit` bytes of output; errors
/// name the template's file and line.
fn render_capped(
    env: &Environment<'static>,
    template: &Template,
    context: minijinja::Value,
    limit: usize,
) -> Result<String, Failure> {
    let mut env = env.clone();
    env.add_template_owned(template.name.clone(), template.text.clone())
        .map_err(|e| Failure(format!("the report template is not valid: {e:#}")))?;
    let mut out = Capped {
        bytes: Vec::new(),
        limit,
        full: false,
    };
    let compiled = env.get_template(&template.name).expect("just added");
    match compiled.render_captured_to(context, &mut out) {
        Ok(_) => String::from_utf8(out.bytes)
            .map_err(|_| Failure("the report template wrote text that is not UTF-8".to_string())),
        Err(_) if out.full => Err(Failure(format!(
            "the report template `{}` wrote more than {} MiB; a report is meant to be read",
            template.name,
            limit / (1024 * 1024)
        ))),
        Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => Err(Failure(format!(
            "the report template `{}` stopped after {} million steps{}; look for a loop that runs longer than its data",
            template.name,
            env.fuel().unwrap_or(0) / 1_000_000,
            e.line()
                .map_or(String::new(), |line| format!(" (line {line})"))
        ))),
        Err(e) => Err(Failure(format!("the report template failed: {e:#}"))),
    }
}

/// The name of the Markdown escaping rule, for MiniJinja.
const MARKDOWN: &str = "markdown";

/// A writer that takes up to `limit` bytes, then fails.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
    full: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.full = true;
            return Err(std::io::Error::other("the report is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    let format = format.unwrap_or_else(|| Format::of(out));
    with_agreement(spec, &mut |agreement| {
        let blocks = crate::doc::blocks(agreement.model);
        let html = || {
            crate::doc::html(
                &blocks,
                agreement.model.title.unwrap_or(agreement.model.name),
            )
        };
        let bytes = match format {
            Format::Md => crate::doc::markdown(&blocks).into_bytes(),
            Format::Html => html().into_bytes(),
            Format::Pdf => crate::report::pdf::print(&html()).map_err(Failure)?,
        };
        write_atomically(out, &bytes)?;
        eprintln!("wrote {}", out.display());
        Ok(SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Template {
        Template {
            name: "mine/card.md.j2".to_string(),
            text: text.to_string(),
        }
    }

    fn render(format: Format, text: &str, fuel: u64, limit: usize) -> Result<String, Failure> {
        let context = minijinja::context! { value => "EU | 9 |\n## Verdict: met <b>x</b>" };
        render_capped(&environment(format, fuel), &template(text), context, limit)
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(1046583.52, Some(2), None), "1,046,583.52");
        assert_eq!(grouped(999.5, None, None), "1,000");
        assert_eq!(grouped(202.5, None, None), "203");
        assert_eq!(grouped(-1234.0, None, None), "-1,234");
        assert_eq!(grouped(-0.001, Some(2), None), "0.00");
        assert_eq!(grouped(12.0, Some(1), None), "12.0");
        assert_eq!(grouped(6.2, Some(2), Some(true)), "6.2");
        assert_eq!(grouped(1200.0, Some(2), Some(true)), "1,200");
        assert_eq!(grouped(f64::NAN, None, None), "–");
    }

    #[test]
    fn values_are_escaped_by_the_formats_rules() {
        let md = render(Format::Md, "| {{ value }} |", 1000, 1000).unwrap();
        assert_eq!(md, "| EU \\| 9 \\| \\#\\# Verdict: met \\<b>x\\</b> |");
        let html = render(Format::Html, "<td>{{ value }}</td>", 1000, 1000).unwrap();
        assert_eq!(
            html,
            "<td>EU | 9 |\n## Verdict: met &lt;b&gt;x&lt;&#x2f;b&gt;</td>"
        );
        // What the template marks safe, or writes itself, is its own.
        let own = render(Format::Md, "**{{ \"*ok*\"|safe }}** {{ 1.5 }}", 1000, 1000).unwrap();
        assert_eq!(own, "***ok*** 1.5");
    }

    #[test]
    fn a_runaway_loop_runs_out_of_fuel_at_its_line() {
        let text = "one\ntwo\n{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}";
        let error = render(Format::Md, text, 10_000, 1000).unwrap_err();
        assert!(
            error.0.contains("`mine/card.md.j2` stopped after"),
            "{}",
            error.0
        );
        assert!(error.0.contains("(line 3)"), "{}", error.0);
    }

    #[test]
    fn output_beyond_the_limit_stops_the_render() {
        let text = "{% for i in range(100) %}0123456789{% endfor %}";
        assert_eq!(render(Format::Md, text, 10_000, 1000).unwrap().len(), 1000);
        let error = render(Format::Md, text, 10_000, 999).unwrap_err();
        assert!(
            error.0.contains("`mine/card.md.j2` wrote more than"),
            "{}",
            error.0
        );
    }

    #[test]
    fn errors_name_the_users_file_and_line() {
        let error = render(Format::Md, "a\nb\n{{ nothing.here }}", 1000, 1000).unwrap_err();
        assert!(error.0.contains("mine/card.md.j2:3"), "{}", error.0);
    }
}
