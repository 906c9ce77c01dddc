//! SQL dialects as capabilities. Planners never ask which dialect they
//! write for: the renderer asks the dialect how to spell each capability
//! (quoting, epoch seconds, period truncation, day differences, safe
//! division...). Identifiers and string literals are quoted and escaped
//! here, in one place per dialect, so nothing in a spec can inject SQL.

mod bigquery;
mod duckdb;
mod postgres;
mod snowflake;
mod spark;
mod sqlite;

use super::tree::Period;
use crate::vocabulary::ColumnType;

pub use bigquery::BigQuery;
pub use duckdb::DuckDb;
pub use postgres::Postgres;
pub use snowflake::Snowflake;
pub use spark::Spark;
pub use sqlite::Sqlite;

pub trait Dialect: Sync {
    /// The name used on the command line and in folder names.
    fn name(&self) -> &'static str;

    /// A quoted identifier: `"a""b"` in standard SQL.
    fn quote_ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// A name of the user's objects (a source's schema, table or column)
    /// as the warehouse finds it: quoted, exactly as written, unless the
    /// dialect says otherwise.
    fn source_name(&self, name: &str) -> String {
        self.quote_ident(name)
    }

    /// Whether the engine folds unquoted names to upper case (Snowflake), so
    /// that every generated name must be quoted to keep its case.
    fn folds_unquoted_names(&self) -> bool {
        false
    }

    /// A quoted string literal: `'it''s'` in standard SQL.
    fn quote_string(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    /// Seconds since 1970 of a timestamp (exact for whole seconds).
    fn epoch_seconds(&self, x: &str) -> String;

    /// The first day of the period holding `x`, as a date.
    fn period_start(&self, period: Period, x: &str) -> String {
        format!("CAST(DATE_TRUNC('{}', {x}) AS DATE)", period.word())
    }

    /// Calendar days from the date of `start` to the date of `end`.
    fn days_between(&self, start: &str, end: &str) -> String;

    /// The name of the double-precision type.
    fn float_type(&self) -> &'static str {
        "DOUBLE"
    }

    /// The name of the text type.
    fn text_type(&self) -> &'static str {
        "VARCHAR"
    }

    /// `a / b` in floating point, NULL when `b` is 0.
    fn safe_div(&self, a: &str, b: &str) -> String {
        format!("CAST({a} AS {}) / NULLIF({b}, 0)", self.float_type())
    }

    fn power(&self, base: &str, exponent: &str) -> String {
        format!("POWER({base}, {exponent})")
    }

    /// `a` and `b` differ, NULLs compared as values.
    fn distinct(&self, a: &str, b: &str) -> String {
        format!("{a} IS DISTINCT FROM {b}")
    }

    fn date_literal(&self, date: &str) -> String {
        format!("DATE {}", self.quote_string(date))
    }

    /// A date `n` days later, as a date.
    fn add_days(&self, date: &str, n: i64) -> String {
        format!("CAST({date} + INTERVAL '{n} day' AS DATE)")
    }

    /// A date `n` calendar months later, as a date.
    fn add_months(&self, date: &str, n: i64) -> String {
        format!("CAST({date} + INTERVAL '{n} month' AS DATE)")
    }

    /// A date moved by `n` days, `n` an integer expression.
    fn add_days_by(&self, date: &str, n: &str) -> String {
        format!("CAST({date} + ({n}) * INTERVAL '1 day' AS DATE)")
    }

    /// A date moved by `n` calendar months, `n` an integer expression.
    fn add_months_by(&self, date: &str, n: &str) -> String {
        format!("CAST({date} + ({n}) * INTERVAL '1 month' AS DATE)")
    }

    /// Midnight at the start of a date, as a timestamp.
    fn start_of_day(&self, date: &str) -> String {
        format!("CAST({date} AS TIMESTAMP)")
    }

    /// The local time in an IANA zone (a timestamp without zone) of an
    /// instant (a zone-aware timestamp).
    fn local_time(&self, instant: &str, zone: &str) -> String {
        format!("({instant} AT TIME ZONE {})", self.quote_string(zone))
    }

    /// The current date.
    fn today(&self) -> String {
        "CURRENT_DATE".to_string()
    }

    /// The current local time as a timestamp without zone.
    fn now(&self) -> String {
        "LOCALTIMESTAMP".to_string()
    }

    /// Whether a `SUM` or `AVG` adds its values in their own order
    /// (`SUM(x ORDER BY x)`): an engine that adds in parallel otherwise
    /// adds floating-point values in an order that changes from run to
    /// run, and so do the last digits of the result.
    fn orders_sums(&self) -> bool {
        false
    }

    /// Written before each `GROUP BY` term. SQLite takes `+x` to mean "do
    /// not read an index for this term's order": without it, grouping a
    /// large table by its indexed customer column walks the index and
    /// fetches every row at random, several times slower than a scan and
    /// a sort when the rows are filtered on other columns.
    fn group_key_prefix(&self) -> &'static str {
        ""
    }

    /// The name of the 64-bit integer type.
    fn integer_type(&self) -> &'static str {
        "BIGINT"
    }

    /// The column type that holds a source column's values.
    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Text => self.text_type(),
            ColumnType::Number => self.float_type(),
            ColumnType::Money => "DECIMAL(18, 4)",
            ColumnType::Timestamp => "TIMESTAMP",
            ColumnType::Instant => "TIMESTAMP WITH TIME ZONE",
            ColumnType::Date => "DATE",
            ColumnType::Boolean => "BOOLEAN",
        }
    }
}

/// A name of lower-case ASCII letters, digits and `_`, not starting with a
/// digit: the names an engine reads the same with or without quotes (case
/// folding aside), keywords aside.
pub fn is_plain_lowercase(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == b'_')
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// Every dialect, in a stable order.
pub fn all() -> [&'static dyn Dialect; 6] {
    [
        &DuckDb,
        &Postgres,
        &BigQuery,
        &Snowflake::FOLDED,
        &Spark,
        &Sqlite,
    ]
}

/// The names of every dialect, in the order of [`all`]: what `--dialect`
/// and `dialect:` in pactum.yaml accept.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|d| d.name()).collect()
}

/// The dialect `compile` writes when neither `--dialect` nor pactum.yaml
/// names one.
pub fn default() -> &'static dyn Dialect {
    &DuckDb
}

/// The dialect of a name (`postgres`, `duckdb`, ...).
pub fn by_name(name: &str) -> Option<&'static dyn Dialect> {
    all().into_iter().find(|d| d.name() == name)
}

/// Escapes a string for a dialect whose literals take backslash escapes.
fn backslash_escaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "a\"b`c\\d'e";
    const TEXT: &str = "it's \"x\"; -- \\ $$\né";

    #[test]
    fn identifiers_are_escaped_per_dialect() {
        let expect = [
            ("duckdb", r#""a""b`c\d'e""#),
            ("postgres", r#""a""b`c\d'e""#),
            // GoogleSQL quoted identifiers take backslash escapes.
            ("bigquery", r#"`a"b\`c\\d'e`"#),
            ("snowflake", r#""a""b`c\d'e""#),
            // Spark doubles a backtick inside backticks.
            ("spark", r#"`a"b``c\d'e`"#),
            ("sqlite", r#""a""b`c\d'e""#),
        ];
        for (name, quoted) in expect {
            assert_eq!(by_name(name).unwrap().quote_ident(NAME), quoted, "{name}");
        }
    }

    #[test]
    fn strings_are_escaped_per_dialect() {
        let standard = "'it''s \"x\"; -- \\ $$\né'";
        let backslashed = "'it\\'s \"x\"; -- \\\\ $$\\né'";
        // An escape string: the same on a PostgreSQL server whatever its
        // `standard_conforming_strings`.
        let escape_string = "E'it''s \"x\"; -- \\\\ $$\né'";
        let expect = [
            ("duckdb", standard),
            ("postgres", escape_string),
            ("bigquery", backslashed),
            // Snowflake reads backslash escapes in single-quoted strings.
            ("snowflake", backslashed),
            ("spark", backslashed),
            ("sqlite", standard),
        ];
        for (name, quoted) in expect {
            assert_eq!(by_name(name).unwrap().quote_string(TEXT), quoted, "{name}");
        }
        // Without a backslash, PostgreSQL keeps the standard form.
        assert_eq!(Postgres.quote_string("it's"), "'it''s'");
    }

    #[test]
    fn every_dialect_is_found_by_its_name() {
        let names: Vec<&str> = all().iter().map(|d| d.name()).collect();
        assert_eq!(
            names,
            [
                "duckdb",
                "postgres",
                "bigquery",
                "snowflake",
                "spark",
                "sqlite"
            ]
        );
        assert!(by_name("oracle").is_none());
    }
}
