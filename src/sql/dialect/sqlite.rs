use super::Dialect;
use crate::sql::tree::Period;
use crate::vocabulary::ColumnType;

/// SQLite, the embedded engine: timestamps are `YYYY-MM-DD HH:MM:SS` text,
/// read with `strftime` and `julianday`; periods are computed with date
/// modifiers. Time decay needs SQLite's math functions (`POWER`), built in
/// since 3.35 unless compiled out, and enabled in the embedded engine.
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn epoch_seconds(&self, x: &str) -> String {
        format!("CAST(strftime('%s', {x}) AS INTEGER)")
    }

    fn period_start(&self, period: Period, x: &str) -> String {
        match period {
            Period::Day => format!("date({x})"),
            // ISO weeks start on Monday.
            Period::Week => format!("date({x}, '-6 days', 'weekday 1')"),
            Period::Month => format!("date({x}, 'start of month')"),
            Period::Year => format!("date({x}, 'start of year')"),
            Period::Quarter => format!(
                "date({x}, 'start of month', '-' || ((CAST(strftime('%m', {x}) AS INTEGER) - 1) % 3) || ' months')"
            ),
        }
    }

    fn days_between(&self, start: &str, end: &str) -> String {
        format!("CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)")
    }

    fn float_type(&self) -> &'static str {
        "REAL"
    }

    fn group_key_prefix(&self) -> &'static str {
        "+"
    }

    fn add_days(&self, date: &str, n: i64) -> String {
        format!("date({date}, '{n:+} days')")
    }

    fn add_months(&self, date: &str, n: i64) -> String {
        format!("date({date}, '{n:+} months')")
    }

    /// SQLite has no time zone database. `datetime()` reads an instant's
    /// offset (`Z`, `+HH:MM`) and gives UTC; a zone with a fixed offset adds
    /// it, and a zone with daylight saving calls `pactum_local_time`, which
    /// Pactum's embedded engine registers (`compile` refuses to write SQLite
    /// SQL that needs it).
    fn local_time(&self, instant: &str, zone: &str) -> String {
        match crate::zones::fixed_offset_seconds(zone) {
            Some(0) => format!("datetime({instant})"),
            Some(seconds) => format!("datetime({instant}, '{seconds:+} seconds')"),
            None => format!("pactum_local_time({instant}, {})", self.quote_string(zone)),
        }
    }

    fn today(&self) -> String {
        "date('now')".to_string()
    }

    fn now(&self) -> String {
        "datetime('now')".to_string()
    }

    fn integer_type(&self) -> &'static str {
        "INTEGER"
    }

    fn add_days_by(&self, date: &str, n: &str) -> String {
        format!("date({date}, ({n}) || ' days')")
    }

    fn add_months_by(&self, date: &str, n: &str) -> String {
        format!("date({date}, ({n}) || ' months')")
    }

    fn start_of_day(&self, date: &str) -> String {
        format!("datetime({date})")
    }

    fn text_type(&self) -> &'static str {
        "TEXT"
    }

    fn distinct(&self, a: &str, b: &str) -> String {
        format!("{a} IS NOT {b}")
    }

    fn date_literal(&self, date: &str) -> String {
        self.quote_string(date)
    }

    /// SQLite keeps timestamps and dates as ISO text, which sorts and
    /// compares correctly.
    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Number | ColumnType::Money => "REAL",
            ColumnType::Boolean => "INTEGER",
            _ => "TEXT",
        }
    }
}
