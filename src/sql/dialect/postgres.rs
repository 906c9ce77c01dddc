use super::Dialect;
use crate::vocabulary::ColumnType;

/// PostgreSQL: standard quoting.
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    /// `'...'` with quotes doubled; a string holding a backslash is written
    /// as an escape string, `E'...'`, with backslashes doubled too. A
    /// plain `'...'` literal means something else on a server where
    /// `standard_conforming_strings` is off: there a backslash escapes the
    /// quote after it, and a doubled quote no longer keeps the string
    /// closed. An escape string means the same on every server.
    fn quote_string(&self, value: &str) -> String {
        if value.contains('\\') {
            format!("E'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
        } else {
            format!("'{}'", value.replace('\'', "''"))
        }
    }

    fn epoch_seconds(&self, x: &str) -> String {
        format!("EXTRACT(EPOCH FROM {x})")
    }

    fn days_between(&self, start: &str, end: &str) -> String {
        format!("(CAST({end} AS DATE) - CAST({start} AS DATE))")
    }

    fn float_type(&self) -> &'static str {
        "DOUBLE PRECISION"
    }

    fn text_type(&self) -> &'static str {
        "TEXT"
    }

    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Text => "TEXT",
            ColumnType::Number => "DOUBLE PRECISION",
            ColumnType::Money => "NUMERIC(18, 4)",
            ColumnType::Timestamp => "TIMESTAMP",
            ColumnType::Instant => "TIMESTAMPTZ",
            ColumnType::Date => "DATE",
            ColumnType::Boolean => "BOOLEAN",
        }
    }
}
