use super::{Dialect, backslash_escaped};
use crate::sql::tree::Period;

/// Snowflake: double-quoted identifiers keep their case; string literals
/// take backslash escapes.
pub struct Snowflake;

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "snowflake"
    }

    fn folds_unquoted_names(&self) -> bool {
        true
    }

    fn quote_string(&self, value: &str) -> String {
        backslash_escaped(value)
    }

    fn epoch_seconds(&self, x: &str) -> String {
        format!("DATE_PART(EPOCH_SECOND, {x})")
    }

    fn period_start(&self, period: Period, x: &str) -> String {
        format!(
            "CAST(DATE_TRUNC('{}', {x}) AS DATE)",
            period.word().to_ascii_uppercase()
        )
    }

    fn days_between(&self, start: &str, end: &str) -> String {
        format!("DATEDIFF(day, {start}, {end})")
    }

    fn add_days_by(&self, date: &str, n: &str) -> String {
        format!("CAST(DATEADD(day, {n}, {date}) AS DATE)")
    }

    fn add_months_by(&self, date: &str, n: &str) -> String {
        format!("CAST(DATEADD(month, {n}, {date}) AS DATE)")
    }

    fn now(&self) -> String {
        "LOCALTIMESTAMP()".to_string()
    }

    fn add_days(&self, date: &str, n: i64) -> String {
        format!("CAST(DATEADD(day, {n}, {date}) AS DATE)")
    }

    fn add_months(&self, date: &str, n: i64) -> String {
        format!("CAST(DATEADD(month, {n}, {date}) AS DATE)")
    }
}
