use super::Dialect;
use crate::vocabulary::ColumnType;

/// PostgreSQL: standard quoting (with `standard_conforming_strings`, the
/// default since 9.1, a backslash in a string is an ordinary character).
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
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
            ColumnType::Date => "DATE",
            ColumnType::Boolean => "BOOLEAN",
        }
    }
}
