//! Planners: from a checked agreement to query trees. Each query is a
//! [`Planned`] value: its name, what it computes, what it reads, its output
//! columns with types, and the tree. Planners only build trees; quoting and
//! dialect differences are the renderer's.

pub mod attribution;
pub mod audits;
pub mod cohorts;
pub mod events;
pub mod figures;
pub mod funnel;
mod id;
pub mod incentives;
pub mod metrics;
pub mod pilots;
pub mod scorecard;
pub mod targets;

use serde::Serialize;

use super::tree::{self, Expr, Op, Period};
use crate::model::{Agreement, Source};
use crate::syntax::ast::{CmpOp, Condition, Literal, Path};
use crate::vocabulary::Day;
pub use id::QueryId;

/// Options every query is planned with.
#[derive(Debug, Clone)]
pub struct Options {
    /// The reporting period of aggregated queries.
    pub period: Period,
    /// Ignore data after the end of this day.
    pub as_of: Option<Day>,
    /// Put in front of every source table name (from `pactum.yaml`).
    pub table_prefix: String,
    /// Metrics only: one window of days in place of the periods; every
    /// figure then has the window's first day as its `period_start`.
    pub window: Option<Window>,
    /// Queries whose results the engine already holds, each in the table
    /// [`reused_table`] names: a query that embeds one of them reads the
    /// table instead of computing it again (the embedded engine only).
    pub reuse: Vec<QueryId>,
    /// Metrics only: the `all` group alone, without segments or the
    /// per-partner split (for figures that read nothing else).
    pub overall_only: bool,
}

/// The prefix of every table holding a query's kept results.
const REUSED_PREFIX: &str = "pactum_result_";

/// The table holding the results of a query when it is reused.
pub fn reused_table(id: &QueryId) -> String {
    format!("{REUSED_PREFIX}{id}")
}

/// Which of the kept results `reuse` a query reads.
pub fn kept_results_read(query: &tree::Query, reuse: &[QueryId]) -> Vec<QueryId> {
    let tables: Vec<&str> = query.tables_read().collect();
    reuse
        .iter()
        .filter(|id| tables.contains(&reused_table(id).as_str()))
        .cloned()
        .collect()
}

/// Whether a table a query reads holds kept results, not a source.
pub fn is_reused_table(table: &str) -> bool {
    table.starts_with(REUSED_PREFIX)
}

/// Days `start` to `end`, both included, as date expressions.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub start: Expr,
    pub end: Expr,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            period: Period::Month,
            as_of: None,
            table_prefix: String::new(),
            window: None,
            reuse: Vec::new(),
            overall_only: false,
        }
    }
}

/// The type of an output column, for the manifest and for loading results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Text,
    Number,
    Integer,
    Timestamp,
    Date,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnKind,
    pub description: String,
}

/// One planned query.
#[derive(Debug, Clone)]
pub struct Planned {
    /// What it computes and for which item; its name is the file name
    /// without `.sql`.
    pub id: QueryId,
    /// The queries whose kept results it reads (`Options::reuse`): an
    /// engine runs it only once those have run.
    pub reads: Vec<QueryId>,
    /// What it computes, in a sentence.
    pub purpose: String,
    /// Warehouse tables it reads (as written in the spec).
    pub inputs: Vec<String>,
    pub columns: Vec<OutputColumn>,
    pub query: tree::Query,
}

impl Planned {
    /// The stable name: the file name without `.sql`, and the name of the
    /// results.
    pub fn name(&self) -> String {
        self.id.name()
    }
}

pub fn out(name: &str, kind: ColumnKind, description: &str) -> OutputColumn {
    OutputColumn {
        name: name.to_string(),
        kind,
        description: description.to_string(),
    }
}

/// The warehouse path of a source's table, the environment's prefix
/// applied.
pub fn table_path(source: &Source<'_>, options: &Options) -> Vec<String> {
    source.table_path(&options.table_prefix)
}

/// The table as the spec writes it, for the manifest's `inputs`.
pub fn table_name(source: &Source<'_>) -> String {
    source.table.to_string()
}

/// `alias."physical"` for a logical column of a source (or a key role:
/// `customer`, `time`, `id`). A column of instants is read as the local
/// time of the agreement's zone, so that every day, period, cohort and
/// as-of boundary downstream is taken in that zone.
pub fn source_column(alias: &str, source: &Source<'_>, logical: &str) -> Expr {
    let physical = source.physical(logical).unwrap_or(logical);
    let column = tree::col(alias, physical);
    if source.holds_instants(physical) {
        Expr::LocalTime {
            instant: Box::new(column),
            zone: source.zone.to_string(),
        }
    } else {
        column
    }
}

/// A literal of the language as a SQL expression.
pub fn literal(value: &Literal) -> Expr {
    match value {
        Literal::Number(n) | Literal::Percent(n) => number(n.value),
        Literal::Money(m) => number(m.amount),
        Literal::Duration(d) => number(crate::check::dates::approx_days(d)),
        Literal::Date(d) => Expr::Date(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
        Literal::String(s) => Expr::Str(s.value.clone()),
        Literal::Bool(b) => Expr::Bool(b.value),
    }
}

pub fn number(value: f64) -> Expr {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        Expr::Int(value as i64)
    } else {
        Expr::Float(value)
    }
}

/// A row filter over one source (aliased `alias`): bare column names and
/// `source.column` / `event.column` paths name the source's columns.
pub fn condition(condition: &Condition, alias: &str, source: &Source<'_>) -> Expr {
    let column = |path: &Path| {
        let logical = &path.segments.last().expect("paths have a segment").name;
        source_column(alias, source, logical)
    };
    match condition {
        Condition::Or { operands, .. } => operands
            .iter()
            .map(|c| self::condition(c, alias, source))
            .reduce(|a, b| tree::bin(Op::Or, a, b))
            .expect("`or` has operands"),
        Condition::And { operands, .. } => operands
            .iter()
            .map(|c| self::condition(c, alias, source))
            .reduce(|a, b| tree::bin(Op::And, a, b))
            .expect("`and` has operands"),
        Condition::Not { operand, .. } => {
            Expr::Not(Box::new(self::condition(operand, alias, source)))
        }
        Condition::Compare {
            column: path,
            op,
            value,
            ..
        } => {
            let op = match op {
                CmpOp::Eq => Op::Eq,
                CmpOp::Ne => Op::Ne,
                CmpOp::Lt => Op::Lt,
                CmpOp::Le => Op::Le,
                CmpOp::Gt => Op::Gt,
                CmpOp::Ge => Op::Ge,
            };
            tree::bin(op, column(path), literal(value))
        }
        Condition::In {
            column: path,
            negated,
            values,
            ..
        } => Expr::In {
            expr: Box::new(column(path)),
            list: values.iter().map(literal).collect(),
            negated: *negated,
        },
        Condition::IsNull {
            column: path,
            negated,
            ..
        } => Expr::IsNull {
            expr: Box::new(column(path)),
            negated: *negated,
        },
    }
}

/// Maps raw partner codes in `code` to party names through the parties'
/// `identified by COLUMN` lines for that column; other codes stay as they
/// are, so that credits still add up.
pub fn partner(agreement: &Agreement<'_>, credit_column: &str, code: Expr) -> Expr {
    let whens: Vec<(Expr, Expr)> = agreement
        .partner_codes(credit_column)
        .into_iter()
        .map(|(party, codes)| {
            (
                Expr::In {
                    expr: Box::new(code.clone()),
                    list: codes.iter().map(|v| Expr::Str(v.to_string())).collect(),
                    negated: false,
                },
                Expr::Str(party.to_string()),
            )
        })
        .collect();
    if whens.is_empty() {
        return Expr::ToText(Box::new(code));
    }
    tree::case(whens, Expr::ToText(Box::new(code)))
}

/// Today: the `as of` date when one is given, else the engine's current
/// date (docs/scorecard.md).
pub fn today(options: &Options) -> Expr {
    match options.as_of {
        Some(day) => Expr::Date(day.to_string()),
        None => Expr::Today,
    }
}

/// The exclusive upper bound of the data: the day after `as of`, when
/// one is given.
pub fn data_end(options: &Options) -> Option<Expr> {
    options.as_of.map(|day| Expr::Date(day.next().to_string()))
}

/// What keeps a row of `source` (aliased `alias`) as a row of `event`: its
/// condition and, for an event that happens once (`first per customer`),
/// that no earlier row of the event has the same customer (and partner
/// code): the customer's first row by time, then by id as text.
pub fn event_rows(
    agreement: &Agreement<'_>,
    event: &crate::model::Event<'_>,
    alias: &str,
    source: &Source<'_>,
    options: &Options,
) -> Vec<Expr> {
    let mut filters = Vec::new();
    if let Some(filter) = event.filter {
        filters.push(condition(filter, alias, source));
    }
    let Some(once) = event.once else {
        return filters;
    };
    let earlier = "first_of";
    let col = |a: &str, role: &str| source_column(a, source, role);
    let mut same = vec![tree::bin(
        Op::Eq,
        col(earlier, "customer"),
        col(alias, "customer"),
    )];
    if once == crate::syntax::ast::Once::PerCustomerAndPartner
        && let Some(credit) = partner_code_column(agreement, event, source)
    {
        same.push(tree::bin(Op::Eq, col(earlier, credit), col(alias, credit)));
    }
    if let Some(filter) = event.filter {
        same.push(condition(filter, earlier, source));
    }
    let before = tree::bin(Op::Lt, col(earlier, "time"), col(alias, "time"));
    let before = if source.id.is_some() {
        tree::bin(
            Op::Or,
            before,
            tree::bin(
                Op::And,
                tree::bin(Op::Eq, col(earlier, "time"), col(alias, "time")),
                tree::bin(
                    Op::Lt,
                    Expr::ToText(Box::new(col(earlier, "id"))),
                    Expr::ToText(Box::new(col(alias, "id"))),
                ),
            ),
        )
    } else {
        before
    };
    same.push(before);
    filters.push(Expr::Not(Box::new(Expr::Exists(Box::new(tree::Select {
        columns: vec![tree::item(Expr::Int(1), "one")],
        from: Some(tree::From::Table {
            path: table_path(source, options),
            alias: earlier.to_string(),
        }),
        filter: tree::and(same),
        ..tree::Select::default()
    })))));
    filters
}

/// The column holding partner codes in an event's rows: the `credit`
/// column of the attribution that reads them as touches.
pub fn partner_code_column<'a>(
    agreement: &'a Agreement<'a>,
    event: &crate::model::Event<'_>,
    source: &Source<'_>,
) -> Option<&'a str> {
    agreement
        .attributions
        .iter()
        .filter(|a| {
            a.touches
                .iter()
                .any(|n| *n == source.name() || *n == event.named.name)
        })
        .find_map(|a| a.credit)
}
