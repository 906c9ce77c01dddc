use super::{Dialect, backslash_escaped};
use crate::sql::tree::Period;
use crate::vocabulary::ColumnType;

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

    /// Spark's `TIMESTAMP` is an instant, shown and compared as the
    /// wall-clock time of the session's zone, which Pactum's Spark SQL
    /// expects to be UTC (`spark.sql.session.timeZone`): the instant moved
    /// so that its UTC wall-clock time is the zone's local time.
    fn local_time(&self, instant: &str, zone: &str) -> String {
        format!("from_utc_timestamp({instant}, {})", self.quote_string(zone))
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

    /// Spark has one zone-aware `TIMESTAMP` (an instant); local times are
    /// kept in it too, read in the session's zone (UTC).
    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Text => "STRING",
            ColumnType::Number => "DOUBLE",
            ColumnType::Money => "DECIMAL(18, 4)",
            ColumnType::Timestamp | ColumnType::Instant => "TIMESTAMP",
            ColumnType::Date => "DATE",
            ColumnType::Boolean => "BOOLEAN",
        }
    }
}
