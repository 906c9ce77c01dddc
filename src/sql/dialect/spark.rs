use super::{Dialect, backslash_escaped};
use crate::sql::tree::Period;

/// Spark SQL (and Databricks): backtick identifiers, backslash escapes.
pub struct Spark;

impl Dialect for Spark {
    fn name(&self) -> &'static str {
        "spark"
    }

    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    fn quote_string(&self, value: &str) -> String {
        backslash_escaped(value)
    }

    fn epoch_seconds(&self, x: &str) -> String {
        format!("UNIX_SECONDS({x})")
    }

    fn period_start(&self, period: Period, x: &str) -> String {
        format!(
            "CAST(DATE_TRUNC('{}', {x}) AS DATE)",
            period.word().to_ascii_uppercase()
        )
    }

    fn days_between(&self, start: &str, end: &str) -> String {
        format!("DATEDIFF(CAST({end} AS DATE), CAST({start} AS DATE))")
    }

    fn add_days(&self, date: &str, n: i64) -> String {
        format!("DATE_ADD(CAST({date} AS DATE), {n})")
    }

    fn add_months(&self, date: &str, n: i64) -> String {
        format!("ADD_MONTHS(CAST({date} AS DATE), {n})")
    }

    fn add_days_by(&self, date: &str, n: &str) -> String {
        format!("DATE_ADD(CAST({date} AS DATE), {n})")
    }

    fn add_months_by(&self, date: &str, n: &str) -> String {
        format!("ADD_MONTHS(CAST({date} AS DATE), {n})")
    }

    fn today(&self) -> String {
        "current_date()".to_string()
    }

    fn now(&self) -> String {
        "current_timestamp()".to_string()
    }

    fn text_type(&self) -> &'static str {
        "STRING"
    }
}
