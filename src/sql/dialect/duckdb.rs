use super::Dialect;

/// DuckDB: standard quoting, `epoch()`, `DATE_DIFF('day', ...)`.
pub struct DuckDb;

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn epoch_seconds(&self, x: &str) -> String {
        format!("epoch({x})")
    }

    fn days_between(&self, start: &str, end: &str) -> String {
        format!("DATE_DIFF('day', CAST({start} AS DATE), CAST({end} AS DATE))")
    }

    fn add_days_by(&self, date: &str, n: &str) -> String {
        format!("CAST({date} + INTERVAL ({n}) DAY AS DATE)")
    }

    fn add_months_by(&self, date: &str, n: &str) -> String {
        format!("CAST({date} + INTERVAL ({n}) MONTH AS DATE)")
    }

    fn orders_sums(&self) -> bool {
        true
    }

    fn now(&self) -> String {
        "CAST(now() AS TIMESTAMP)".to_string()
    }

    fn add_days(&self, date: &str, n: i64) -> String {
        format!("CAST({date} + INTERVAL {} DAY AS DATE)", signed(n))
    }

    fn add_months(&self, date: &str, n: i64) -> String {
        format!("CAST({date} + INTERVAL {} MONTH AS DATE)", signed(n))
    }
}

/// `INTERVAL -1 DAY` does not parse: a negative count goes in parentheses.
fn signed(n: i64) -> String {
    if n < 0 {
        format!("({n})")
    } else {
        n.to_string()
    }
}
