use super::{Dialect, backslash_escaped};
use crate::sql::tree::Period;
use crate::vocabulary::ColumnType;

/// BigQuery (GoogleSQL): backtick identifiers, backslash escapes in strings.
pub struct BigQuery;

impl Dialect for BigQuery {
    fn name(&self) -> &'static str {
        "bigquery"
    }

    fn quote_ident(&self, name: &str) -> String {
        let mut out = String::from("`");
        for c in name.chars() {
            match c {
                '`' => out.push_str("\\`"),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('`');
        out
    }

    fn quote_string(&self, value: &str) -> String {
        backslash_escaped(value)
    }

    fn epoch_seconds(&self, x: &str) -> String {
        format!("UNIX_SECONDS(CAST({x} AS TIMESTAMP))")
    }

    fn period_start(&self, period: Period, x: &str) -> String {
        let part = match period {
            Period::Day => "DAY",
            Period::Week => "ISOWEEK",
            Period::Month => "MONTH",
            Period::Quarter => "QUARTER",
            Period::Year => "YEAR",
        };
        format!("DATE_TRUNC(CAST({x} AS DATE), {part})")
    }

    fn days_between(&self, start: &str, end: &str) -> String {
        format!("DATE_DIFF(CAST({end} AS DATE), CAST({start} AS DATE), DAY)")
    }

    fn float_type(&self) -> &'static str {
        "FLOAT64"
    }

    fn add_days(&self, date: &str, n: i64) -> String {
        format!("DATE_ADD(CAST({date} AS DATE), INTERVAL {n} DAY)")
    }

    fn add_months(&self, date: &str, n: i64) -> String {
        format!("DATE_ADD(CAST({date} AS DATE), INTERVAL {n} MONTH)")
    }

    /// A `TIMESTAMP` (an instant) as the `DATETIME` of a zone.
    fn local_time(&self, instant: &str, zone: &str) -> String {
        format!("DATETIME({instant}, {})", self.quote_string(zone))
    }

    fn today(&self) -> String {
        "CURRENT_DATE()".to_string()
    }

    fn now(&self) -> String {
        "CURRENT_DATETIME()".to_string()
    }

    fn integer_type(&self) -> &'static str {
        "INT64"
    }

    fn add_days_by(&self, date: &str, n: &str) -> String {
        format!("DATE_ADD(CAST({date} AS DATE), INTERVAL ({n}) DAY)")
    }

    fn add_months_by(&self, date: &str, n: &str) -> String {
        format!("DATE_ADD(CAST({date} AS DATE), INTERVAL ({n}) MONTH)")
    }

    fn start_of_day(&self, date: &str) -> String {
        format!("CAST({date} AS DATETIME)")
    }

    fn text_type(&self) -> &'static str {
        "STRING"
    }

    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Text => "STRING",
            ColumnType::Number => "FLOAT64",
            ColumnType::Money => "NUMERIC",
            ColumnType::Timestamp => "DATETIME",
            ColumnType::Instant => "TIMESTAMP",
            ColumnType::Date => "DATE",
            ColumnType::Boolean => "BOOL",
        }
    }
}
