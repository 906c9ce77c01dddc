//! `pactum compile` as a user runs it: files, manifest, byte-identical
//! output, one query on standard output, refusal of agreements with errors.

mod common;

use std::path::Path;

use common::{pactum, scratch, stderr, stdout};

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((
                    path.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&path).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn compile_writes_one_file_per_query_and_dialect_and_a_manifest() {
    let dir = scratch("compile_out");
    let root = std::env::current_dir().unwrap();
    let out = pactum(
        &[
            "compile",
            "specs/",
            "--dialect",
            "postgres",
            "--dialect",
            "bigquery",
            "--out",
            dir.to_str().unwrap(),
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let files = tree(&dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "acme_referral/manifest.json",
        "acme_referral/manifest.yaml",
        "acme_referral/postgres/events_purchase.sql",
        "acme_referral/bigquery/events_purchase.sql",
        "acme_referral/postgres/attribution_partner_credit.sql",
        "acme_referral/postgres/attribution_partner_credit_by_partner.sql",
        "channel_resellers/postgres/attribution_channel_credit.sql",
        "marketplace_integration/manifest.json",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    // Catalogs are compiled through the agreements that import them.
    assert!(!names.iter().any(|n| n.starts_with("product_events/")));
    assert!(stdout(&out).starts_with(&format!("wrote {} files under ", files.len())));

    // Every SQL file starts with its header.
    let (_, sql) = files
        .iter()
        .find(|(n, _)| n == "acme_referral/postgres/attribution_partner_credit.sql")
        .unwrap();
    let sql = String::from_utf8(sql.clone()).unwrap();
    assert!(sql.starts_with(
        "-- Pactum: agreement acme_referral version 3, from specs/acme_referral.pactum\n-- Query: attribution_partner_credit (postgres)\n-- Computes: Credit for each conversion by attribution `partner_credit` (position based, 40% first and 40% last, lookback 2592000 seconds)"
    ), "{sql}");
    assert!(sql.contains("\n-- Columns:\n--   conversion_event (text): the conversion event\n"));

    // The manifest lists every query with its columns and files.
    let (_, json) = files
        .iter()
        .find(|(n, _)| n == "acme_referral/manifest.json")
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(json).unwrap();
    assert_eq!(manifest["agreement"], "acme_referral");
    assert_eq!(manifest["version"], 3);
    assert_eq!(
        manifest["dialects"],
        serde_json::json!(["postgres", "bigquery"])
    );
    let queries = manifest["queries"].as_array().unwrap();
    let query = queries
        .iter()
        .find(|q| q["name"] == "attribution_partner_credit_by_partner")
        .unwrap();
    assert_eq!(
        query["inputs"],
        serde_json::json!(["billing.orders", "partners.acme_touchpoints"])
    );
    assert_eq!(
        query["columns"][0],
        serde_json::json!({"name": "period_start", "type": "date", "description": "first day of the period"})
    );
    assert_eq!(
        query["files"]["bigquery"],
        "bigquery/attribution_partner_credit_by_partner.sql"
    );
    let (_, yaml) = files
        .iter()
        .find(|(n, _)| n == "acme_referral/manifest.yaml")
        .unwrap();
    let from_yaml: serde_json::Value = serde_yaml::from_slice(yaml).unwrap();
    assert_eq!(
        from_yaml, manifest,
        "the YAML manifest says what the JSON one says"
    );

    // A second run writes the same bytes.
    let again = pactum(
        &[
            "compile",
            "specs/",
            "--dialect",
            "postgres",
            "--dialect",
            "bigquery",
            "--out",
            dir.to_str().unwrap(),
        ],
        &root,
    );
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(tree(&dir), files);
}

#[test]
fn one_query_goes_to_standard_output() {
    let root = std::env::current_dir().unwrap();
    let out = pactum(
        &[
            "compile",
            "specs/acme_referral.pactum",
            "--dialect",
            "sqlite",
            "--query",
            "events_webinar_signup",
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    assert!(
        sql.contains(
            "FROM \"partners\".\"acme_touchpoints\" AS e\nWHERE e.\"event_name\" = 'webinar_signup'"
        ),
        "{sql}"
    );
    assert!(sql.ends_with(";\n"));

    let out = pactum(
        &["compile", "specs/acme_referral.pactum", "--query", "nope"],
        &root,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "pactum: no query named `nope`\n");
}

#[test]
fn an_agreement_with_errors_is_not_compiled() {
    let dir = scratch("compile_refuses");
    let text = std::fs::read_to_string("tests/check/minimal_clean.pactum")
        .unwrap()
        .replace(
            "target arpu at least 500 USD",
            "target arpu at least 500 EUR",
        );
    std::fs::write(dir.join("deal.pactum"), text).unwrap();
    let out = pactum(&["compile", "deal.pactum", "--out", "build"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("P0206"), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("pactum: not compiled: 1 error, 0 warnings in 1 file\n"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("build").exists(), "nothing is written");
}

#[test]
fn dates_and_dialects_are_checked_and_prefixes_come_from_pactum_yaml() {
    let dir = scratch("compile_env");
    std::fs::copy("tests/check/minimal_clean.pactum", dir.join("deal.pactum")).unwrap();
    std::fs::write(
        dir.join("pactum.yaml"),
        "dialect: snowflake\nenvironments:\n  dev:\n    table_prefix: \"dev_\"\n",
    )
    .unwrap();
    let out = pactum(
        &[
            "compile",
            "deal.pactum",
            "--dialect",
            "oracle",
            "--query",
            "events_purchase",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("pactum: unknown dialect `oracle`"));
    let out = pactum(
        &[
            "compile",
            "deal.pactum",
            "--as-of",
            "2026-13-01",
            "--query",
            "events_purchase",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));

    // The default dialect and the environment's prefix come from pactum.yaml.
    let out = pactum(
        &[
            "compile",
            "deal.pactum",
            "--env",
            "dev",
            "--as-of",
            "2026-06-30",
            "--query",
            "events_purchase",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    assert!(
        sql.contains("-- Query: events_purchase (snowflake)"),
        "{sql}"
    );
    // Snowflake finds tables made without quotes by their bare names (it
    // stored them in upper case); generated names keep their quotes.
    assert!(sql.contains("FROM dev_billing.orders AS \"e\""), "{sql}");
    assert!(sql.contains("\"e\".ordered_at AS \"event_time\""), "{sql}");
    assert!(sql.contains("< DATE '2026-07-01'"), "{sql}");

    // An account whose tables were made with quoted lower-case names.
    std::fs::write(
        dir.join("pactum.yaml"),
        "dialect: snowflake\nsnowflake:\n  names: quoted\n",
    )
    .unwrap();
    let out = pactum(
        &["compile", "deal.pactum", "--query", "events_purchase"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    assert!(
        sql.contains("FROM \"billing\".\"orders\" AS \"e\""),
        "{sql}"
    );
    assert!(
        sql.contains("\"e\".\"ordered_at\" AS \"event_time\""),
        "{sql}"
    );

    // A misspelled setting is an error pointing into the file.
    std::fs::write(
        dir.join("pactum.yaml"),
        "dialect: snowflake\nsnowflake:\n  names: upper\n",
    )
    .unwrap();
    let out = pactum(
        &["compile", "deal.pactum", "--query", "events_purchase"],
        &dir,
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("P0110"), "{}", stderr(&out));
}

#[test]
fn a_new_compile_removes_only_its_own_stale_files() {
    let dir = scratch("compile_stale");
    let spec = std::fs::read_to_string("tests/check/minimal_clean.pactum").unwrap();
    std::fs::write(dir.join("deal.pactum"), &spec).unwrap();
    let out = pactum(
        &[
            "compile",
            "deal.pactum",
            "--dialect",
            "sqlite",
            "--out",
            "build",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let folder = dir.join("build/minimal/sqlite");
    assert!(folder.join("metric_arpu.sql").is_file());
    // The user's own file in the same folder.
    std::fs::write(folder.join("notes.sql"), "-- my notes\nSELECT 1;\n").unwrap();

    // `arpu` is renamed: its old file goes, the user's file stays.
    std::fs::write(
        dir.join("deal.pactum"),
        spec.replace("arpu", "revenue_per_customer"),
    )
    .unwrap();
    let out = pactum(
        &[
            "compile",
            "deal.pactum",
            "--dialect",
            "sqlite",
            "--out",
            "build",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with(", removed 1 stale query file\n"),
        "{}",
        stdout(&out)
    );
    assert!(!folder.join("metric_arpu.sql").exists());
    assert!(folder.join("metric_revenue_per_customer.sql").is_file());
    assert_eq!(
        std::fs::read_to_string(folder.join("notes.sql")).unwrap(),
        "-- my notes\nSELECT 1;\n"
    );
}

/// An agreement's folder under `--out` is Pactum's: a folder holding files
/// it did not write is refused before anything is written, and a compile
/// of another dialect adds to a folder compile filled.
#[test]
fn compile_writes_only_into_a_folder_of_its_own() {
    let dir = scratch("compile_claim");
    let spec = std::fs::read_to_string("tests/check/minimal_clean.pactum").unwrap();
    std::fs::write(dir.join("deal.pactum"), &spec).unwrap();
    let compile = |dialect: &str| {
        pactum(
            &[
                "compile",
                "deal.pactum",
                "--dialect",
                dialect,
                "--out",
                "build",
            ],
            &dir,
        )
    };
    // Someone's own folder where the agreement's would go.
    std::fs::create_dir_all(dir.join("build/minimal")).unwrap();
    std::fs::write(
        dir.join("build/minimal/manifest.json"),
        "{\"mine\": true}\n",
    )
    .unwrap();
    let out = compile("sqlite");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds files that Pactum did not write (such as `manifest.json`)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("build/minimal/manifest.json")).unwrap(),
        "{\"mine\": true}\n"
    );
    assert!(!dir.join("build/minimal/sqlite").exists());

    std::fs::remove_dir_all(dir.join("build/minimal")).unwrap();
    assert_eq!(compile("sqlite").status.code(), Some(0));
    assert_eq!(compile("duckdb").status.code(), Some(0));
    let marker = std::fs::read_to_string(dir.join("build/minimal/.pactum-output")).unwrap();
    assert_eq!(
        marker,
        "pactum compile\nduckdb\nmanifest.json\nmanifest.yaml\nreport\nsqlite\n"
    );
    // Still ours: compiling again is fine; a stranger's file is not.
    assert_eq!(compile("sqlite").status.code(), Some(0));
    std::fs::write(dir.join("build/minimal/notes.txt"), "mine\n").unwrap();
    let out = compile("sqlite");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`notes.txt`, which Pactum did not write"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn instants_are_read_in_the_agreements_zone_and_sqlite_says_where_it_cannot() {
    let root = std::env::current_dir().unwrap();
    let spec = "tests/sql/zones/instants/agreement.pactum";
    let query = |dialect: &str| {
        let out = pactum(
            &[
                "compile",
                spec,
                "--dialect",
                dialect,
                "--query",
                "events_purchase",
            ],
            &root,
        );
        assert_eq!(out.status.code(), Some(0), "{dialect}: {}", stderr(&out));
        stdout(&out)
    };
    for (dialect, read) in [
        (
            "duckdb",
            "(e.\"ordered_at\" AT TIME ZONE 'America/New_York')",
        ),
        (
            "postgres",
            "(e.\"ordered_at\" AT TIME ZONE 'America/New_York')",
        ),
        ("bigquery", "DATETIME(e.`ordered_at`, 'America/New_York')"),
        (
            "spark",
            "from_utc_timestamp(e.`ordered_at`, 'America/New_York')",
        ),
        (
            "snowflake",
            "CAST(CONVERT_TIMEZONE('America/New_York', \"e\".ordered_at) AS TIMESTAMP_NTZ)",
        ),
    ] {
        let sql = query(dialect);
        assert!(sql.contains(read), "{dialect}: {read} not in\n{sql}");
    }
    // Local times are read as they are.
    let out = pactum(
        &[
            "compile",
            "tests/sql/zones/local/agreement.pactum",
            "--dialect",
            "sqlite",
            "--query",
            "events_purchase",
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("e.\"ordered_at\" AS event_time"),
        "{}",
        stdout(&out)
    );

    // SQLite has no zone database: refused, nothing written.
    let dir = scratch("compile_zones");
    let out = pactum(
        &[
            "compile",
            spec,
            "--dialect",
            "sqlite",
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    for wanted in [
        "`zone_cases`: SQLite SQL cannot convert the instants of source `orders` to \"America/New_York\"",
        "help: compile for another dialect",
    ] {
        assert!(text.contains(wanted), "{wanted:?} not in:\n{text}");
    }
    assert!(!dir.join("out").exists());
}
