use super::{Dialect, backslash_escaped};
use crate::sql::tree::Period;
use crate::vocabulary::ColumnType;

/// Snowflake: double-quoted identifiers keep their case, unquoted ones are
/// stored and found in upper case; string literals take backslash escapes.
pub struct Snowflake {
    /// How the account's objects were named (`pactum.yaml`:
    /// `snowflake: {names: ...}`).
    pub names: Names,
}

/// How a Snowflake account's tables and columns were named when they were
/// made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// Without quotes, so stored in upper case (the usual way, and what
    /// loading tools do): a plain lower-case name is written bare and
    /// Snowflake finds `CUSTOMER_ID` for `customer_id`.
    Folded,
    /// With quotes, exactly as the agreement writes them (`"customer_id"`).
    Quoted,
}

impl Snowflake {
    pub const FOLDED: Snowflake = Snowflake {
        names: Names::Folded,
    };
    pub const QUOTED: Snowflake = Snowflake {
        names: Names::Quoted,
    };
}

/// Snowflake's reserved words (its documentation's list of reserved and
/// limited keywords): such a name is not written bare.
const RESERVED: &[&str] = &[
    "account",
    "all",
    "alter",
    "and",
    "any",
    "as",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "column",
    "connect",
    "connection",
    "constraint",
    "create",
    "cross",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "delete",
    "distinct",
    "drop",
    "else",
    "exists",
    "false",
    "following",
    "for",
    "from",
    "full",
    "grant",
    "group",
    "gscluster",
    "having",
    "ilike",
    "in",
    "increment",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "issue",
    "join",
    "lateral",
    "left",
    "like",
    "localtime",
    "localtimestamp",
    "minus",
    "natural",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "organization",
    "qualify",
    "regexp",
    "revoke",
    "right",
    "rlike",
    "row",
    "rows",
    "sample",
    "schema",
    "select",
    "set",
    "some",
    "start",
    "table",
    "tablesample",
    "then",
    "to",
    "trigger",
    "true",
    "try_cast",
    "union",
    "unique",
    "update",
    "using",
    "values",
    "view",
    "when",
    "whenever",
    "where",
    "window",
    "with",
];

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "snowflake"
    }

    /// Folded names: a plain lower-case name (letters, digits, `_`, not a
    /// reserved word) is written bare, so that Snowflake looks it up in
    /// upper case as it stored it; any other name (capitals, spaces, a
    /// reserved word) can only have been made with quotes, and is quoted
    /// exactly as written.
    fn source_name(&self, name: &str) -> String {
        let bare = self.names == Names::Folded
            && super::is_plain_lowercase(name)
            && !RESERVED.contains(&name);
        if bare {
            name.to_string()
        } else {
            self.quote_ident(name)
        }
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

    /// A `TIMESTAMP_TZ` or `TIMESTAMP_LTZ` as the `TIMESTAMP_NTZ` wall-clock
    /// time of a zone.
    fn local_time(&self, instant: &str, zone: &str) -> String {
        format!(
            "CAST(CONVERT_TIMEZONE({}, {instant}) AS TIMESTAMP_NTZ)",
            self.quote_string(zone)
        )
    }

    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Instant => "TIMESTAMP_TZ",
            ColumnType::Timestamp => "TIMESTAMP_NTZ",
            ColumnType::Text => self.text_type(),
            ColumnType::Number => self.float_type(),
            ColumnType::Money => "DECIMAL(18, 4)",
            ColumnType::Date => "DATE",
            ColumnType::Boolean => "BOOLEAN",
        }
    }

    /// The wall-clock time of the session's time zone, as a timestamp
    /// without a zone like the sources' (`CURRENT_TIMESTAMP()` has one).
    fn now(&self) -> String {
        "CAST(CURRENT_TIMESTAMP() AS TIMESTAMP_NTZ)".to_string()
    }

    fn add_days(&self, date: &str, n: i64) -> String {
        format!("CAST(DATEADD(day, {n}, {date}) AS DATE)")
    }

    fn add_months(&self, date: &str, n: i64) -> String {
        format!("CAST(DATEADD(month, {n}, {date}) AS DATE)")
    }
}
