//! `pactum run` and `pactum report` as a user runs them: results written
//! all at once, data errors with file, line and column, previous results
//! kept when a run fails, and reports from data or from exported results
//! alike.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURE: &str = "tests/sql/scorecard";

fn pactum(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command.args(args).env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A scratch folder with a copy of the fixture's data.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pactum-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    for entry in std::fs::read_dir(FIXTURE).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv")
            && !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("expected")
        {
            std::fs::copy(&path, dir.join("data").join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn spec() -> String {
    format!("{FIXTURE}/agreement.pactum")
}

fn run(dir: &Path) -> Output {
    run_on(dir, "sqlite")
}

fn run_on(dir: &Path, engine: &str) -> Output {
    pactum(
        &[
            "run",
            &spec(),
            "--engine",
            engine,
            "--data",
            dir.join("data").to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
            "--as-of",
            "2026-04-30",
        ],
        &[],
    )
}

#[test]
fn run_writes_every_query_as_csv_and_json() {
    let dir = scratch("ok");
    let output = run(&dir);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = dir.join("out");
    let targets = std::fs::read_to_string(out.join("targets.csv")).unwrap();
    // Hand-computed in tests/sql/scorecard/README.md: target 2 needs
    // 5595 / 1891 per day.
    assert!(
        targets.contains("2,revenue,increase,5535.483870967742,,4258.064516129032,2026-01-01,2026-06-30,2026-04-30,61,5355,no,2.9587519830777445,"),
        "{targets}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("incentive_alpha_share.json")).unwrap(),
    )
    .unwrap();
    let capped = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period_start"] == "2026-03-01" && r["line"] == "payout")
        .unwrap();
    assert_eq!(capped["amount"], 18.0);
    assert!(
        stderr(&output).contains("loaded 81 rows"),
        "{}",
        stderr(&output)
    );
    // Nothing left beside the results.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pactum-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--env` names an environment of the workspace's pactum.yaml, as for
/// `compile`: the embedded engine loads and reads the prefixed tables, so
/// the results are the same; an unknown environment is refused.
#[test]
fn run_takes_an_environment_of_pactum_yaml() {
    let dir = scratch("env");
    let spec = dir.join("agreement.pactum");
    std::fs::copy(self::spec(), &spec).unwrap();
    std::fs::write(
        dir.join("pactum.yaml"),
        "environments:\n  staging:\n    table_prefix: \"staging_\"\n",
    )
    .unwrap();
    let data = dir.join("data");
    let run_in = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "run",
            spec.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--as-of",
            "2026-04-30",
        ];
        args.extend_from_slice(extra);
        let out = dir.join(out);
        args.extend(["--out", out.to_str().unwrap()]);
        pactum(&args, &[])
    };
    let plain = run_in("plain", &[]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let staged = run_in("staged", &["--env", "staging"]);
    assert!(staged.status.success(), "{}", stderr(&staged));
    for name in ["targets.csv", "funnel.csv", "incentive_alpha_share.json"] {
        assert_eq!(
            std::fs::read(dir.join("plain").join(name)).unwrap(),
            std::fs::read(dir.join("staged").join(name)).unwrap(),
            "{name}"
        );
    }
    let unknown = run_in("unknown", &["--env", "prod"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        stderr(&unknown),
        "pactum: no environment `prod` in pactum.yaml\n"
    );
    assert!(!dir.join("unknown").exists());
    // A day that is not in the calendar is refused before anything runs.
    let bad_day = pactum(
        &["run", spec.to_str().unwrap(), "--as-of", "2026-02-30"],
        &[],
    );
    assert_eq!(bad_day.status.code(), Some(2));
    assert!(
        stderr(&bad_day).contains("`2026-02-30` is not a date; write YYYY-MM-DD"),
        "{}",
        stderr(&bad_day)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A way to break the data, and what the error must say.
type Case = (&'static str, fn(&Path), &'static [&'static str]);

/// Each data error: its code, the file with line and column, the help, no
/// output written, exit status 1; the same on the embedded engine and on
/// DuckDB.
#[test]
fn data_errors_name_the_file_line_and_column() {
    let cases: [Case; 4] = [
        (
            "missing_file",
            |data| std::fs::remove_file(data.join("demos.csv")).unwrap(),
            &[
                "error[P0501]",
                "demos.csv",
                "no such file",
                "help: put the rows of `demos`",
            ],
        ),
        (
            "missing_column",
            |data| {
                let text = std::fs::read_to_string(data.join("orders.csv")).unwrap();
                let text = text.replacen("amount", "amount_usd", 1);
                std::fs::write(data.join("orders.csv"), text).unwrap();
            },
            &[
                "error[P0502]",
                "orders.csv:1:",
                "no column `amount`",
                "help: the header must name every declared column",
            ],
        ),
        (
            "bad_value",
            |data| {
                let text = std::fs::read_to_string(data.join("orders.csv")).unwrap();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                let header: Vec<&str> = lines[0].split(',').collect();
                let position = header.iter().position(|h| *h == "amount").unwrap();
                let mut fields: Vec<String> = lines[4].split(',').map(str::to_string).collect();
                fields[position] = "12 USD".to_string();
                lines[4] = fields.join(",");
                std::fs::write(data.join("orders.csv"), lines.join("\n") + "\n").unwrap();
            },
            &[
                "error[P0503]",
                "orders.csv:5:",
                "`12 USD` is not an amount (column `amount`)",
                "help: write an amount",
            ],
        ),
        (
            "bad_timestamp",
            |data| {
                let text = std::fs::read_to_string(data.join("demos.csv")).unwrap();
                let text = text.replacen("2026-", "2026/", 1);
                std::fs::write(data.join("demos.csv"), text).unwrap();
            },
            &[
                "error[P0503]",
                "demos.csv:2:",
                "is not a timestamp",
                "YYYY-MM-DD HH:MM:SS",
            ],
        ),
    ];
    for engine in ["sqlite", "duckdb"] {
        for (name, break_data, wanted) in cases {
            let dir = scratch(&format!("{name}-{engine}"));
            break_data(&dir.join("data"));
            let output = run_on(&dir, engine);
            let text = stderr(&output);
            assert_eq!(output.status.code(), Some(1), "{engine} {name}: {text}");
            for w in wanted {
                assert!(text.contains(w), "{engine} {name}: {w:?} not in:\n{text}");
            }
            assert!(!dir.join("out").exists(), "{engine} {name}: output written");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}

#[test]
fn a_failed_run_leaves_the_previous_results_intact() {
    let dir = scratch("keep");
    assert!(run(&dir).status.success());
    let before = std::fs::read(dir.join("out/scorecard_partner_view.csv")).unwrap();
    std::fs::write(dir.join("data/tickets.csv"), "ticket_id,customer_id\n").unwrap();
    let output = run(&dir);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(dir.join("out/scorecard_partner_view.csv")).unwrap(),
        before
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reports_from_data_and_from_exported_results_are_identical() {
    let dir = scratch("report");
    assert!(run(&dir).status.success());
    let epoch = [("SOURCE_DATE_EPOCH", "1777593600")];
    for format in ["md", "html"] {
        let from_data = dir.join(format!("data.{format}"));
        let from_results = dir.join(format!("results.{format}"));
        let a = pactum(
            &[
                "report",
                &spec(),
                "--data",
                dir.join("data").to_str().unwrap(),
                "--as-of",
                "2026-04-30",
                "--out",
                from_data.to_str().unwrap(),
            ],
            &epoch,
        );
        assert!(a.status.success(), "{}", stderr(&a));
        let b = pactum(
            &[
                "report",
                &spec(),
                "--results",
                dir.join("out").to_str().unwrap(),
                "--as-of",
                "2026-04-30",
                "--out",
                from_results.to_str().unwrap(),
            ],
            &epoch,
        );
        assert!(b.status.success(), "{}", stderr(&b));
        let a = std::fs::read_to_string(&from_data).unwrap();
        assert_eq!(
            a,
            std::fs::read_to_string(&from_results).unwrap(),
            "{format}"
        );
        assert!(
            a.contains("2026-05-01 00:00:00 UTC"),
            "{format}: the generated-at time"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A results file that does not fit its query's columns is a data error,
/// located and coded as `run` reports the sources' files, with exit 1.
#[test]
fn bad_exported_results_are_data_errors_with_their_line() {
    let dir = scratch("bad_results");
    let output = run(&dir);
    assert!(output.status.success(), "{}", stderr(&output));
    let funnel = dir.join("out").join("funnel.csv");
    let original = std::fs::read_to_string(&funnel).unwrap();
    let report = || {
        pactum(
            &[
                "report",
                &spec(),
                "--results",
                dir.join("out").to_str().unwrap(),
                "--out",
                dir.join("report.html").to_str().unwrap(),
            ],
            &[],
        )
    };
    // Line 6, the sixth field: `customers`, an integer.
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[5].split(',').map(str::to_string).collect();
    assert_eq!(
        original.lines().next().unwrap().split(',').nth(5),
        Some("customers")
    );
    fields[5] = "12.5x".to_string();
    lines[5] = fields.join(",");
    std::fs::write(&funnel, lines.join("\n") + "\n").unwrap();
    let out = report();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.starts_with("error[P0503]: ")
            && text.contains("funnel.csv:6:6: `12.5x` is not an integer (column `customers`)"),
        "{text}"
    );
    assert!(text.contains("help: write an integer"), "{text}");
    // A row with a field too many, on line 4.
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    lines[3].push_str(",extra");
    std::fs::write(&funnel, lines.join("\n") + "\n").unwrap();
    let out = report();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("error[P0504]: ")
            && text.contains("funnel.csv:4: the row cannot be read: it has"),
        "{text}"
    );
    assert!(!dir.join("report.html").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn demo_refuses_a_number_of_customers_out_of_range() {
    let dir = std::env::temp_dir().join(format!("pactum-demo-range-{}", std::process::id()));
    for customers in ["18446744073709551615", "4294967296", "0", "many"] {
        let out = pactum(
            &[
                "demo",
                &spec(),
                dir.to_str().unwrap(),
                "--customers",
                customers,
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{customers}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--customers"),
            "{customers}: {}",
            stderr(&out)
        );
        assert!(!dir.exists(), "{customers}: a folder was written");
    }
}

/// `run --out` and `demo` write only into a new or empty folder, or one an
/// earlier run or demo filled; nothing else is replaced or deleted.
#[test]
fn output_folders_never_replace_what_pactum_did_not_write() {
    let dir = scratch("owned_out");
    let data = dir.join("data");
    let before: Vec<(std::ffi::OsString, Vec<u8>)> = {
        let mut files: Vec<_> = std::fs::read_dir(&data)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let run_to_from = |data: &Path, out: &Path| {
        pactum(
            &[
                "run",
                &spec(),
                "--data",
                data.to_str().unwrap(),
                "--as-of",
                "2026-04-30",
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        )
    };
    let run_to = |out: &Path| run_to_from(&data, out);
    // The data folder itself: refused, the data intact.
    let out = run_to(&data);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds files that Pactum did not write"),
        "{}",
        stderr(&out)
    );
    let mut after: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    after.sort();
    assert_eq!(before, after, "the data folder changed");
    // An existing file: refused, kept.
    let file = dir.join("notes.txt");
    std::fs::write(&file, "mine\n").unwrap();
    let out = run_to(&file);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not a folder"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");
    // A folder Pactum filled may be filled again...
    let results = dir.join("results");
    assert!(run_to(&results).status.success());
    assert!(results.join(".pactum-output").exists());
    assert!(run_to(&results).status.success());
    // ...until someone puts their own file in it.
    std::fs::write(results.join("my_notes.md"), "keep me\n").unwrap();
    let out = run_to(&results);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`my_notes.md`, which Pactum did not write"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(results.join("my_notes.md")).unwrap(),
        "keep me\n"
    );
    // `demo` follows the same rule: not into the data folder...
    let out = pactum(&["demo", &spec(), data.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // ...but again into its own.
    let demo = dir.join("demo");
    assert!(
        pactum(&["demo", &spec(), demo.to_str().unwrap()], &[])
            .status
            .success()
    );
    assert!(
        pactum(&["demo", &spec(), demo.to_str().unwrap()], &[])
            .status
            .success()
    );
    // Data `demo` wrote is `run`'s input, never its output.
    let demo_files = std::fs::read_dir(&demo).unwrap().count();
    let out = run_to_from(&demo, &demo);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was filled by `pactum demo`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(&demo).unwrap().count(), demo_files);
    // Nothing was left beside the folders.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["data", "demo", "notes.txt", "results"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_user_template_renders_the_same_context() {
    let dir = scratch("template");
    assert!(run(&dir).status.success());
    let template = dir.join("mine.md.j2");
    std::fs::write(
        &template,
        "{{ agreement.name }}: {% for row in results[agreement.targets] %}{{ row.metric }}={{ row.verdict }};{% endfor %}\n",
    )
    .unwrap();
    let out = dir.join("mine.md");
    let output = pactum(
        &[
            "report",
            &spec(),
            "--results",
            dir.join("out").to_str().unwrap(),
            "--template",
            template.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2026-04-30",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "scorecard_cases: new_customers=not met;revenue=not yet due;avg_order=met;avg_order=met;ticket_rate=met;new_customers=met;\n"
    );
    // A template naming a column no query has fails with the template's
    // words, and writes nothing.
    std::fs::write(
        &template,
        "{% for row in results[agreement.targets] %}{{ row.nonsense }}{% endfor %}",
    )
    .unwrap();
    let bad = dir.join("bad.md");
    let output = pactum(
        &[
            "report",
            &spec(),
            "--results",
            dir.join("out").to_str().unwrap(),
            "--template",
            template.to_str().unwrap(),
            "--out",
            bad.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("undefined"), "{}", stderr(&output));
    assert!(!bad.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The README's main command on the committed example data: every section
/// of the joint scorecard is there, with its charts, and the numbers the
/// README shows.
#[test]
fn the_example_scorecard_has_every_section_and_chart() {
    let dir = std::env::temp_dir().join(format!("pactum-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("scorecard.html");
    let md = dir.join("scorecard.md");
    for out in [&html, &md] {
        let output = pactum(
            &[
                "report",
                "specs/acme_referral.pactum",
                "--data",
                "examples/acme_referral",
                "--as-of",
                "2026-09-30",
                "--out",
                out.to_str().unwrap(),
            ],
            &[("SOURCE_DATE_EPOCH", "1790726400")],
        );
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let html = std::fs::read_to_string(&html).unwrap();
    for section in [
        "<section id=\"goals\">",
        "Scorecard: Joint quarterly scorecard",
        "<section id=\"targets\">",
        "Attribution: Partner credit",
        "<section id=\"funnel\">",
        "Retention: 180-day retention",
        "Pilot: Q1 webinar pilot",
        "Incentive: Referral revenue share",
        "<section id=\"audits\">",
        "<section id=\"initiatives\">",
        "<section id=\"evidence\">",
        "<section id=\"agreement\">",
        "generated 2026-09-30 00:00:00 UTC",
        // September holds the report's day: forecast from the months before.
        "<p class=\"forecast\">Forecast for the period from 2026-09-01: ",
        "from a straight-line trend over the last 8 complete periods.",
        // Titles, money with its currency and thousands, long tables folded,
        // and the target drawn on the trend.
        "<h3>Average revenue per customer <span class=\"note\">arpu · lagging</span></h3>",
        "USD 1,0",
        "<details class=\"periods\"><summary>Figures by period (9)</summary>",
        "<line class=\"target\"",
        // The first section decides: goals, targets, pilots, data quality.
        "<section id=\"summary\">",
        "<li><strong>Targets</strong>: 4 met, 5 not met, 1 no data, 1 not yet due.</li>",
        "<li><strong>Data quality</strong>: 16 failed checks (",
    ] {
        assert!(html.contains(section), "the HTML lacks {section:?}");
    }
    for chart in [
        "aria-label=\"Attributed value by partner\"",
        "aria-label=\"Customers reaching each stage\"",
        "aria-label=\"Retention curves per cohort\"",
        "aria-label=\"new_customers over time\"",
        // The funnel per sourcing partner, and retention as a heatmap.
        "aria-label=\"Customers reaching each stage from acme\"",
        "<td class=\"n heat deep\" style=\"background: rgba(47, 111, 179, 0.9)\">100.0%</td>",
    ] {
        assert!(html.contains(chart), "the HTML lacks the chart {chart:?}");
    }
    assert!(html.contains("suppressed"));
    let md = std::fs::read_to_string(&md).unwrap();
    // The pilot as the README shows it.
    assert!(md.contains("- **New customers (acme): inconclusive** (the interval holds both no change and the target). 64.2 (69 customers) against 48 (53 customers), before/after, counts and sums per day: windows of 90 and 92 days: a change of 36.7% where 15.0% was expected; with 95% confidence the true change lies between \\-5.9% and 98.7% (poisson rate ratio)."), "{md}");
    assert!(md.contains("- **180-day retention: inconclusive**"));
    assert!(md.contains("4 met, 5 not met, 1 no data, 1 not yet due."));
    assert!(md.contains("| touchpoints | duplicate_ids |"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `pactum demo` is seeded: it writes the committed example data again,
/// byte for byte.
#[test]
fn demo_writes_the_committed_examples_again() {
    for name in [
        "acme_referral",
        "channel_resellers",
        "marketplace_integration",
    ] {
        let dir = std::env::temp_dir().join(format!("pactum-demo-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let output = pactum(
            &[
                "demo",
                &format!("specs/{name}.pactum"),
                dir.to_str().unwrap(),
            ],
            &[],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let committed = Path::new("examples").join(name);
        let mut files: Vec<_> = std::fs::read_dir(&committed)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        files.sort();
        assert!(files.len() >= 6, "{name}: {files:?}");
        for file in files {
            assert!(
                std::fs::read(committed.join(&file)).unwrap()
                    == std::fs::read(dir.join(&file)).unwrap(),
                "{name}: {file:?} differs from the committed example"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// A value that carries terminal escapes (erase the line, return to its
/// start, print a verdict) is shown escaped in the error, never obeyed.
#[test]
fn escape_sequences_in_data_are_shown_not_obeyed() {
    let dir = scratch("terminal_escapes");
    let data = dir.join("data");
    let text = std::fs::read_to_string(data.join("orders.csv")).unwrap();
    let forged = "\u{1b}[2K\rall good: 0 errors\u{202e}";
    let text = text.replacen(",120,", &format!(",\"{forged}\","), 1);
    std::fs::write(data.join("orders.csv"), text).unwrap();
    let out = dir.join("out");
    let output = pactum(
        &[
            "run",
            &format!("{FIXTURE}/agreement.pactum"),
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("error[P0503]"), "{err}");
    assert!(
        err.contains("\\u{1B}[2K\\u{D}all good: 0 errors\\u{202E}"),
        "{err}"
    );
    for hazard in ['\u{1b}', '\r', '\u{202e}'] {
        assert!(
            !err.contains(hazard),
            "{hazard:?} reached the terminal: {err:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A value in the data cannot forge a row of a Markdown table or a heading
/// of the report: it is escaped where the template writes it.
#[test]
fn values_from_the_data_cannot_forge_markdown() {
    let dir = scratch("markdown_forgery");
    let data = dir.join("data");
    let text = std::fs::read_to_string(data.join("orders.csv")).unwrap();
    let forged = "EU | 999 | met |\n## Pilot verdict: met";
    let text = text.replace(",pro,", &format!(",\"{forged}\","));
    std::fs::write(data.join("orders.csv"), text).unwrap();
    let report = dir.join("card.md");
    let output = pactum(
        &[
            "report",
            &format!("{FIXTURE}/agreement.pactum"),
            "--data",
            data.to_str().unwrap(),
            "--as-of",
            "2026-06-30",
            "--out",
            report.to_str().unwrap(),
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let markdown = std::fs::read_to_string(&report).unwrap();
    assert!(
        markdown.contains("EU \\| 999 \\| met \\| \\#\\# Pilot verdict: met"),
        "{markdown}"
    );
    for line in markdown.lines() {
        assert!(!line.starts_with("## Pilot verdict"), "{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A data file that is not a regular file (a link to a device) or has a
/// line longer than 4 MiB is a data error at once, read no further.
#[test]
fn endless_or_oversized_data_files_are_data_errors() {
    let dir = scratch("data_limits");
    let data = dir.join("data");
    let run = || {
        pactum(
            &[
                "run",
                &format!("{FIXTURE}/agreement.pactum"),
                "--data",
                data.to_str().unwrap(),
                "--out",
                dir.join("out").to_str().unwrap(),
            ],
            &[],
        )
    };
    let fails_with = |wanted: &[&str]| {
        let output = run();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{err}");
        for text in wanted {
            assert!(err.contains(text), "{text}: {err}");
        }
    };
    std::fs::remove_file(data.join("demos.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", data.join("demos.csv")).unwrap();
    fails_with(&["error[P0501]", "not a regular file"]);

    std::fs::remove_file(data.join("demos.csv")).unwrap();
    std::fs::copy(format!("{FIXTURE}/demos.csv"), data.join("demos.csv")).unwrap();
    let mut text = std::fs::read_to_string(data.join("orders.csv")).unwrap();
    text.push_str(&"x".repeat(5 * 1024 * 1024));
    text.push('\n');
    std::fs::write(data.join("orders.csv"), text).unwrap();
    fails_with(&["error[P0504]", "longer than 4 MiB"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ctrl-C while the embedded engine loads or runs: the run stops with
/// P0508 and status 130, writes no results, and its scratch folder (which
/// holds a copy of the data) is gone.
#[test]
fn ctrl_c_stops_the_run_and_removes_its_scratch_folder() {
    let dir = scratch("interrupt");
    let data = dir.join("data");
    let text = std::fs::read_to_string(data.join("orders.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let row = lines.next().unwrap().to_string();
    let mut big = String::from(header);
    big.push('\n');
    for i in 0..400_000 {
        big.push_str(&row.replacen("o01,", &format!("x{i},"), 1));
        big.push('\n');
    }
    std::fs::write(data.join("orders.csv"), big).unwrap();
    let out = dir.join("out");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args([
            "run",
            &format!("{FIXTURE}/agreement.pactum"),
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let prefix = format!("pactum-run-{}-", child.id());
    let scratch_folders = || -> Vec<PathBuf> {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while scratch_folders().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: sends SIGINT to the child we spawned.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.contains("error[P0508]"), "{err}");
    assert!(scratch_folders().is_empty(), "{:?}", scratch_folders());
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--engine duckdb` needs the DuckDB program; without it the error says
/// how to install it, and nothing is written.
#[test]
fn duckdb_without_its_program_says_how_to_install_it() {
    let dir = scratch("no-duckdb");
    let output = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args([
            "run",
            &spec(),
            "--engine",
            "duckdb",
            "--data",
            dir.join("data").to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ])
        .env("PACTUM_DUCKDB", dir.join("no-such-program"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[P0507]"), "{text}");
    assert!(text.contains("pip install duckdb-cli"), "{text}");
    assert!(!dir.join("out").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Values spelled in any way Pactum accepts (a `T` in a timestamp, an
/// exponent, padding, a bare date) read on DuckDB as on the embedded
/// engine: the results agree value for value.
#[test]
fn duckdb_reads_every_accepted_spelling_as_the_embedded_engine_does() {
    let dir = scratch("spellings");
    let orders = dir.join("data/orders.csv");
    let text = std::fs::read_to_string(&orders).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let time = header.iter().position(|h| *h == "ordered_at").unwrap();
    let amount = header.iter().position(|h| *h == "amount").unwrap();
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        match i % 4 {
            0 => fields[time] = fields[time].replacen(' ', "T", 1),
            1 => fields[amount] = format!(" {} ", fields[amount]),
            2 => {
                let value: f64 = fields[amount].parse().unwrap();
                fields[amount] = format!("{:e}", value);
            }
            _ => fields[time] = format!(" {} ", fields[time]),
        }
        *line = fields.join(",");
    }
    std::fs::write(&orders, lines.join("\n") + "\n").unwrap();
    let mut folders = Vec::new();
    for engine in ["sqlite", "duckdb"] {
        let output = run_on(&dir, engine);
        assert!(output.status.success(), "{engine}: {}", stderr(&output));
        let out = dir.join(format!("out-{engine}"));
        std::fs::rename(dir.join("out"), &out).unwrap();
        folders.push(out);
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&folders[0])
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    names.sort();
    assert!(names.len() > 10);
    for path in names {
        let a = std::fs::read_to_string(&path).unwrap();
        let b = std::fs::read_to_string(folders[1].join(path.file_name().unwrap())).unwrap();
        let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
        assert_eq!(la.len(), lb.len(), "{path:?}");
        for (x, y) in la.iter().zip(&lb) {
            for (p, q) in x.split(',').zip(y.split(',')) {
                let same = match (p.parse::<f64>(), q.parse::<f64>()) {
                    (Ok(u), Ok(v)) => (u - v).abs() <= 1e-9 * u.abs().max(v.abs()).max(1.0),
                    _ => p == q,
                };
                assert!(same, "{path:?}: {x} / {y}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn instants_and_local_times_give_the_same_results_on_both_engines() {
    // tests/sql/zones: the same events as New York's local times and as
    // instants with UTC offsets, around both daylight saving changes.
    let dir = std::env::temp_dir().join(format!("pactum-run-zones-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut folders = Vec::new();
    for stored in ["local", "instants"] {
        for engine in ["sqlite", "duckdb"] {
            let fixture = format!("tests/sql/zones/{stored}");
            let out = dir.join(format!("{stored}-{engine}"));
            let output = pactum(
                &[
                    "run",
                    &format!("{fixture}/agreement.pactum"),
                    "--data",
                    &fixture,
                    "--engine",
                    engine,
                    "--out",
                    out.to_str().unwrap(),
                ],
                &[],
            );
            assert!(
                output.status.success(),
                "{stored} on {engine}: {}",
                stderr(&output)
            );
            folders.push(out);
        }
    }
    let read = |folder: &Path, name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
    // New York's local dates: o1 (03:30 UTC on March 1) is February's.
    assert_eq!(
        read(&folders[0], "metric_revenue.csv"),
        "period_start,segment,segment_value,value,customers\n\
         2026-02-01,all,,100,1\n\
         2026-03-01,all,,550,2\n\
         2026-10-01,all,,400,1\n\
         2026-11-01,all,,1800,3\n"
    );
    let mut names: Vec<String> = std::fs::read_dir(&folders[0])
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    assert!(names.len() >= 9, "{names:?}");
    for folder in &folders[1..] {
        for name in &names {
            assert_eq!(
                read(&folders[0], name),
                read(folder, name),
                "{folder:?} {name}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_instant_without_its_offset_is_a_data_error() {
    let dir = std::env::temp_dir().join(format!("pactum-run-offset-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["orders.csv", "usage.csv"] {
        std::fs::copy(format!("tests/sql/zones/instants/{file}"), dir.join(file)).unwrap();
    }
    let orders = std::fs::read_to_string(dir.join("orders.csv")).unwrap();
    std::fs::write(
        dir.join("orders.csv"),
        orders.replacen("2026-03-08 06:59:59Z", "2026-03-08 06:59:59", 1),
    )
    .unwrap();
    for engine in ["sqlite", "duckdb"] {
        let output = pactum(
            &[
                "run",
                "tests/sql/zones/instants/agreement.pactum",
                "--data",
                dir.to_str().unwrap(),
                "--engine",
                engine,
                "--out",
                dir.join("out").to_str().unwrap(),
            ],
            &[],
        );
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{engine}: {text}");
        for wanted in [
            "error[P0503]",
            "orders.csv:3:",
            "`2026-03-08 06:59:59` is not an instant (column `ordered_at`)",
            "with its UTC offset",
        ] {
            assert!(
                text.contains(wanted),
                "{engine}: {wanted:?} not in:\n{text}"
            );
        }
        assert!(!dir.join("out").exists(), "{engine}: output written");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn partners_credit_is_compared_across_attribution_blocks() {
    let dir = std::env::temp_dir().join(format!("pactum-run-models-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("scorecard.html");
    let output = pactum(
        &[
            "report",
            "specs/channel_resellers.pactum",
            "--data",
            "examples/channel_resellers",
            "--as-of",
            "2026-09-30",
            "--out",
            html.to_str().unwrap(),
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(&html).unwrap();
    let start = page
        .find("<section id=\"models\">")
        .expect("the comparison");
    let section = &page[start..start + page[start..].find("</section>").unwrap()];
    assert!(section.contains("<th class=\"n\">Reseller credit (time decay)</th><th class=\"n\">Kestrel legacy credit (last non-direct touch)</th>"));
    // One row per partner credited by either block; each block's shares add
    // up to 100%.
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("<tr><td>"))
        .collect();
    assert_eq!(rows.len(), 4, "{section}");
    for column in 0..2 {
        let total: f64 = rows
            .iter()
            .map(|row| {
                let cells: Vec<&str> = row.split("<td class=\"n\">").skip(1).collect();
                cells[column]
                    .split('%')
                    .next()
                    .unwrap()
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        assert!((total - 100.0).abs() < 0.3, "column {column}: {total}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
