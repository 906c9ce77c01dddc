//! The `pactum` command line: argument parsing and dispatch only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use pactum::commands;

#[derive(Parser)]
#[command(
    name = "pactum",
    version,
    about = "Validate, format and compile partnership agreements",
    after_help = "Examples:\n  pactum fmt --check specs/\n  pactum parse specs/acme_referral.pactum\n  pactum explain P0001"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rewrite agreements in the canonical layout
    #[command(
        after_help = "Examples:\n  pactum fmt specs/\n  pactum fmt --check specs/referral.pactum\n  cat a.pactum | pactum fmt -"
    )]
    Fmt {
        /// Files or folders (searched for *.pactum); `-` reads standard input
        /// and writes standard output. Default: the current folder.
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that would change, with a short diff,
        /// and exit 1 if there are any
        #[arg(long)]
        check: bool,
    },
    /// Check agreements: names, units and the domain rules
    #[command(
        after_help = "Examples:\n  pactum check specs/\n  pactum check --format sarif specs/ > pactum.sarif\n  pactum check --deny warnings --format github specs/\n  pactum check --against origin/main specs/\n\nWith --against REV, each agreement is also compared with its version at git revision REV, as `pactum diff --git REV` does: breaking changes need a higher version (P0401) and an amendment for that version that names every breaking change and is approved by every party, each with a date (P0402-P0404).\n\nExit status: 0 no errors, 1 errors found, 2 the check could not run."
    )]
    Check {
        /// Files or folders (searched for *.pactum). Default: the current folder.
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = commands::check::Format::Human)]
        format: commands::check::Format,
        /// Treat a class of findings as errors (`--deny warnings`)
        #[arg(long, value_enum)]
        deny: Vec<commands::check::Deny>,
        /// Also compare each agreement with its version at this git revision
        /// (read-only): breaking changes need a new version and an approved
        /// amendment
        #[arg(long, value_name = "REV")]
        against: Option<String>,
    },
    /// Compile agreements to warehouse SQL, one file per query and dialect
    #[command(
        after_help = "Examples:\n  pactum compile specs/ --dialect postgres --out build/sql\n  pactum compile specs/ --dialect duckdb --dialect bigquery --out build/sql\n  pactum compile specs/acme_referral.pactum --dialect sqlite --query attribution_partner_credit\n  pactum compile specs/acme_referral.pactum --format dbt --dialect duckdb --out build\n\nAn agreement with errors is not compiled (the errors are shown as by `pactum check`)."
    )]
    Compile {
        /// Files or folders (searched for *.pactum). Default: the current folder.
        paths: Vec<PathBuf>,
        /// duckdb, postgres, bigquery, snowflake, spark or sqlite; repeat for
        /// several. Default: `dialect:` in pactum.yaml, else duckdb.
        #[arg(long = "dialect", value_name = "D")]
        dialects: Vec<String>,
        /// Where to write (DIR/<agreement>/<dialect>/<query>.sql and a manifest)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print this one query to standard output instead of writing files
        #[arg(long, value_name = "NAME")]
        query: Option<String>,
        /// What to write: SQL files, or a dbt project per agreement
        /// (DIR/<agreement>/dbt/, for one dialect)
        #[arg(long, value_enum, default_value_t = commands::compile::Format::Sql)]
        format: commands::compile::Format,
        #[command(flatten)]
        plan: commands::PlanArgs,
    },
    /// Run an agreement's queries on its data with the embedded engine
    #[command(
        after_help = "Examples:\n  pactum run specs/acme_referral.pactum --data examples/acme_referral\n  pactum run specs/acme_referral.pactum --data examples/acme_referral --out results/acme --as-of 2026-09-30\n  pactum run specs/acme_referral.pactum --engine postgres --url postgresql://analyst@warehouse:5432/prod\n\nThe data folder holds one CSV file per source, named after it (`touchpoints.csv`), with a header row naming the source's columns. Results (one CSV and one JSON file per query) replace the output folder only once all are written; the folder must be new, empty, or one an earlier run filled."
    )]
    Run {
        /// The agreement to run
        spec: PathBuf,
        /// The folder of CSV files, one per source (embedded engine)
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Where the queries run
        #[arg(long, value_enum, default_value_t = commands::run::EngineArg::Sqlite)]
        engine: commands::run::EngineArg,
        /// PostgreSQL URL (or PACTUM_DATABASE_URL), with --engine postgres
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// With --engine postgres: seconds one query may run before the
        /// server stops it (0: no limit)
        #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
        statement_timeout: u64,
        /// With --engine duckdb: an existing DuckDB database holding the
        /// source tables, read-only
        #[arg(long, value_name = "FILE", conflicts_with = "data")]
        database: Option<PathBuf>,
        /// Where to write the results. Default: results/<agreement>
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Results for this party only: no row-level data, no other party's
        /// statement, no figure from fewer customers than its minimum group
        #[arg(long = "for", value_name = "PARTY")]
        for_party: Option<String>,
        #[command(flatten)]
        plan: commands::PlanArgs,
    },
    /// Render the joint scorecard (HTML or Markdown) from data or exported results
    #[command(
        after_help = "Examples:\n  pactum report specs/acme_referral.pactum --data examples/acme_referral --out scorecard.html\n  pactum report specs/acme_referral.pactum --results exports/ --format md --out scorecard.md\n\n`--results` reads `<query>.csv` files in the manifest's layout (`pactum compile --out`), from any warehouse. The generated-at time comes from SOURCE_DATE_EPOCH when set, else --as-of, so that reports can be reproduced."
    )]
    Report {
        /// The agreement
        spec: PathBuf,
        #[command(flatten)]
        rendered: Rendered,
        #[command(flatten)]
        plan: commands::PlanArgs,
    },
    /// Fill in a review's agenda for one period: progress, retrospective,
    /// forecast, actions, disputes and amendments
    #[command(
        after_help = "Examples:\n  pactum review specs/acme_referral.pactum --data examples/acme_referral --period 2026-Q3 --out q3-review.md\n  pactum review specs/acme_referral.pactum --data examples/acme_referral --period 2026-Q3 --out q3-review.pdf\n\nThe agreement is run as of the period's last day; the review block (`--review` when there are several) gives the attendees, agenda, scorecard and actions."
    )]
    Review {
        /// The agreement
        spec: PathBuf,
        /// The period reviewed: a quarter (2026-Q3), a month (2026-07) or a year (2026)
        #[arg(long, value_name = "PERIOD")]
        period: String,
        /// Which review block, when the agreement has several
        #[arg(long, value_name = "NAME")]
        review: Option<String>,
        #[command(flatten)]
        rendered: Rendered,
        /// Environment of pactum.yaml whose table prefix applies
        #[arg(long)]
        env: Option<String>,
    },
    /// Write the agreement as a readable document (HTML or Markdown)
    #[command(
        after_help = "Examples:\n  pactum doc specs/acme_referral.pactum --out acme_referral.html\n  pactum doc specs/acme_referral.pactum --out acme_referral.md\n\nEvery sentence is made from the agreement: parties, goals, data and owners, metrics in plain words, targets, pilots, incentives, sharing, reviews, audits, disputes and amendments."
    )]
    Doc {
        /// The agreement
        spec: PathBuf,
        /// The document to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// html or md. Default: from the file's extension, else html
        #[arg(long, value_enum)]
        format: Option<commands::report::Format>,
    },
    /// Write synthetic data that fits an agreement (one CSV file per source)
    #[command(
        after_help = "Examples:\n  pactum demo specs/acme_referral.pactum examples/acme_referral\n  pactum demo specs/acme_referral.pactum /tmp/big --customers 200000\n\nThe same agreement, seed and size always give the same files."
    )]
    Demo {
        /// The agreement the data is for
        spec: PathBuf,
        /// The folder to write the CSV files to
        dir: PathBuf,
        /// How many customers start a journey (1 to 1,000,000: about 15
        /// rows each, held in memory until written)
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        customers: u64,
        /// Seed of the generator
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Last day of data (YYYY-MM-DD). Default: nine months into the agreement
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// The most partner touches a customer gets (from 1 to this,
        /// evenly): the benchmarks' shape is 7
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=50))]
        max_touches: u64,
    },
    /// Explain what changed between two versions of agreements
    #[command(
        after_help = "Examples:\n  pactum diff old/acme.pactum specs/acme_referral.pactum\n  pactum diff --git origin/main specs/\n  pactum diff --git HEAD~1 --format markdown --fail-on breaking\n\nA breaking change needs a higher version and an amendment for that version that names the change and is approved by every party, each with a date; the help of each finding shows the amendment to write.\n\nExit status: 0 no finding, 1 a finding (a breaking change without a new version or without an approved amendment, or a change at the --fail-on level), 2 the comparison could not run."
    )]
    Diff {
        /// OLD NEW files; with --git, the files or folders to compare (default: all)
        paths: Vec<PathBuf>,
        /// Compare the work tree with this git revision (read-only)
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = commands::diff::Format::Human)]
        format: commands::diff::Format,
        /// Exit 1 when a change of this class (or worse) is found
        #[arg(long, value_enum)]
        fail_on: Option<commands::diff::FailOn>,
    },
    /// Start a workspace: pactum.yaml, an agreement, CI and pre-commit files
    #[command(
        after_help = "Examples:\n  pactum init\n  pactum init partnerships --template reseller\n\nExisting files are never overwritten."
    )]
    Init {
        /// The folder to start in (created if needed). Default: the current folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Which agreement to start from
        #[arg(long, value_enum, default_value_t = commands::init::Template::Referral)]
        template: commands::init::Template,
    },
    /// Print the syntax tree of an agreement as JSON
    #[command(after_help = "Example:\n  pactum parse specs/acme_referral.pactum > ast.json")]
    Parse {
        /// The file to parse (`-` for standard input)
        file: PathBuf,
    },
    /// Print the long explanation of a diagnostic code
    #[command(after_help = "Example:\n  pactum explain P0007")]
    Explain {
        /// A code such as P0001
        code: String,
    },
    /// Print shell completions
    #[command(after_help = "Example:\n  pactum completions bash > /etc/bash_completion.d/pactum")]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

/// Where a report's or review's figures come from, and what is written.
#[derive(clap::Args)]
struct Rendered {
    /// The folder of CSV files, one per source, run on the embedded engine
    #[arg(long, value_name = "DIR", conflicts_with = "results")]
    data: Option<PathBuf>,
    /// Where the queries run (unless --results)
    #[arg(long, value_enum, default_value_t = commands::run::EngineArg::Sqlite)]
    engine: commands::run::EngineArg,
    /// PostgreSQL URL (or PACTUM_DATABASE_URL), with --engine postgres
    #[arg(long, value_name = "URL", conflicts_with = "results")]
    url: Option<String>,
    /// With --engine postgres: seconds one query may run before the
    /// server stops it (0: no limit)
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    statement_timeout: u64,
    /// A folder of query results (`<query>.csv`) exported from a warehouse
    #[arg(long, value_name = "DIR")]
    results: Option<PathBuf>,
    /// With --engine duckdb: an existing DuckDB database holding the
    /// source tables, read-only
    #[arg(long, value_name = "FILE", conflicts_with_all = ["data", "results"])]
    database: Option<PathBuf>,
    /// The file to write
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// html, md or pdf. Default: from the file's extension, else html
    #[arg(long, value_enum)]
    format: Option<commands::report::Format>,
    /// Your own MiniJinja template instead of the built-in one
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// For this party: no figure from fewer customers than its minimum
    /// group, no other party's statement
    #[arg(long = "for", value_name = "PARTY")]
    for_party: Option<String>,
}

impl Rendered {
    fn options(
        self,
        spec: PathBuf,
        plan: commands::PlanArgs,
        review: Option<commands::report::ReviewArgs>,
    ) -> commands::report::Options {
        commands::report::Options {
            spec,
            data: self.data,
            engine: self.engine,
            url: self.url,
            statement_timeout: self.statement_timeout,
            results: self.results,
            database: self.database,
            out: self.out,
            format: self.format,
            template: self.template,
            for_party: self.for_party,
            plan,
            review,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fmt { paths, check } => {
            commands::fmt::run(&commands::fmt::Options { paths, check })
        }
        Command::Check {
            paths,
            format,
            deny,
            against,
        } => commands::check::run(&commands::check::Options {
            paths,
            format,
            deny,
            against,
        }),
        Command::Compile {
            paths,
            dialects,
            out,
            query,
            format,
            plan,
        } => commands::compile::run(&commands::compile::Options {
            paths,
            dialects,
            out,
            query,
            format,
            plan,
        }),
        Command::Run {
            spec,
            data,
            engine,
            url,
            statement_timeout,
            database,
            out,
            for_party,
            plan,
        } => commands::run::run(&commands::run::Options {
            spec,
            data,
            engine,
            url,
            statement_timeout,
            database,
            out,
            for_party,
            plan,
        }),
        Command::Report {
            spec,
            rendered,
            plan,
        } => commands::report::run(&rendered.options(spec, plan, None)),
        Command::Review {
            spec,
            period,
            review,
            rendered,
            env,
        } => commands::report::run(&rendered.options(
            spec,
            commands::PlanArgs {
                env,
                ..commands::PlanArgs::default()
            },
            Some(commands::report::ReviewArgs {
                period,
                name: review,
            }),
        )),
        Command::Doc { spec, out, format } => commands::report::doc(&spec, &out, format),
        Command::Demo {
            spec,
            dir,
            customers,
            seed,
            until,
            max_touches,
        } => commands::run::demo(
            &spec,
            &dir,
            commands::run::DemoSize {
                customers: customers as usize,
                max_touches,
            },
            seed,
            until.as_deref(),
        ),
        Command::Diff {
            paths,
            git,
            format,
            fail_on,
        } => commands::diff::run(&commands::diff::Options {
            paths,
            git,
            format,
            fail_on,
        }),
        Command::Init { dir, template } => {
            commands::init::run(&commands::init::Options { dir, template })
        }
        Command::Parse { file } => commands::parse::run(&file),
        Command::Explain { code } => commands::explain(&code),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "pactum", &mut script);
            commands::write_stdout(&script).map(|()| commands::SUCCESS)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!(
                "pactum: {}",
                pactum::diagnostics::visible::escaped(&failure.0)
            );
            ExitCode::from(commands::FAILURE)
        }
    }
}
