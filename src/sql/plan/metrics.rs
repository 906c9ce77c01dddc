//! `metric_<name>`: a metric's value per period, overall and per value of
//! each segment it is split `by`, with the number of customers each figure
//! is computed from (the basis of small-group suppression).
//!
//! The CTE chain: for each call of the value (`count(...)`, `sum(...)`),
//! `base_<i>` reads its rows (event filter, the metric's `where`, `as of`),
//! `segment_<i>_<k>` looks up segments that live in another source (the
//! customer's latest row at or before the row's time), `rows_<i>` puts each
//! row's segment values beside it, and `keyed_<i>` repeats every row once
//! per grouping (`all`, each segment, and for a metric marked `attributed`
//! each partner, weighted by the credit of the customer's first conversion);
//! `part_<i>` aggregates it, weights included. The
//! `groups` CTE holds every (period, segment, value) any call has rows in,
//! with its distinct customers; the final select combines the parts with the
//! value's arithmetic (division is safe: NULL when dividing by 0).
//!
//! This version compiles `count`, `count_distinct`, `sum`, `avg`, `min`,
//! `max`, `nps`, `median` and `percentile` (of a column, or of
//! `days_between(first A, first B)`, one value per customer at their first
//! B), the rates `conversion_rate`, `upsell_rate` and `retention` (one row
//! per mature customer at their first event), `churn` (one row per customer
//! active in a period, at the start of the next complete one), `clv`
//! (revenue per paying customer over the churn rate), and arithmetic. Every
//! function of the language is compiled.

use super::QueryId;
use super::{
    ColumnKind, Options, Planned, Window, condition, literal, out, source_column, table_name,
    table_path,
};
use crate::functions::{Lowering, Rate};
use crate::model::{Agreement, Event, Metric, Segment, Source};
use crate::sql::tree::{
    self, Body, Cte, Expr, From, Join, JoinKind, Op, Order, Period, Query, Select, bin, field,
    func, item, name, window,
};
use crate::syntax::ast::{self, Arg, ArgValue, BinOp, Condition, Ident, Literal, Path};

/// One aggregate call of a metric's value.
struct Call<'a> {
    /// How the call's aggregate is computed.
    lowering: Lowering,
    /// The source of the rows (for `days_between`, the second event's).
    source: &'a Source<'a>,
    event: Option<&'a Event<'a>>,
    /// The measured column (logical name), for all but `count` and
    /// `days_between`.
    column: Option<String>,
    /// `days_between(first A, first B)`: A's rows; the call then reads one
    /// row per customer, at their first B.
    days_from: Option<(&'a Source<'a>, Option<&'a Event<'a>>)>,
    /// The rank of `percentile` (0.5 for `median`).
    fraction: Option<f64>,
    /// Conversion, up-sell and retention rates: one row per customer at
    /// their first event, measuring 1 when the customer did what the rate
    /// counts.
    cohort: Option<Cohort<'a>>,
    /// `churn(S, per PERIOD)`: one row per customer active in a period, at
    /// the start of the next one, measuring 1 when they are not active in it.
    churn_period: Option<Period>,
}

impl Call<'_> {
    /// Whether the call reads one row per customer rather than source rows.
    fn per_customer(&self) -> bool {
        self.days_from.is_some() || self.cohort.is_some() || self.churn_period.is_some()
    }
}

#[derive(Clone, Copy)]
enum CohortRule {
    /// A target row at or after the first event, within `days`.
    Conversion { days: i64 },
    /// A target row strictly after the first event, within `days`.
    Upsell { days: i64 },
    /// Activity on day `days` or later.
    RetainedAfter { days: i64 },
    /// Activity in days `[from, to)`.
    RetainedBetween { from: i64, to: i64 },
}

impl CohortRule {
    /// Days that must have passed since day 0 for a customer to count.
    fn maturity(self) -> i64 {
        match self {
            CohortRule::Conversion { days } | CohortRule::Upsell { days } => days,
            CohortRule::RetainedAfter { days } => days,
            CohortRule::RetainedBetween { to, .. } => to - 1,
        }
    }
}

struct Cohort<'a> {
    rule: CohortRule,
    /// The rows the rate looks for (B, X or the activity source).
    target: (&'a Source<'a>, Option<&'a Event<'a>>),
}

/// How a segment is read for rows of one source.
enum SegmentRead<'a> {
    /// A column of the rows' own source.
    Own(String),
    /// The customer's latest value in another source.
    Other {
        source: &'a Source<'a>,
        column: String,
    },
    /// The stage of the rows' event.
    Stage,
}

/// The sources whose rows a metric's value reads (not those its `where`
/// only looks up), each once, in the order of the calls: a figure whose
/// source has no rows in its window is no data, not a zero.
pub fn value_sources<'a>(
    agreement: &'a Agreement<'a>,
    metric: &Metric<'a>,
) -> Result<Vec<&'a Source<'a>>, String> {
    let (expr, _) = metric.value.ok_or("it has no value")?;
    let mut calls = Vec::new();
    collect_calls(agreement, expr, &mut calls)?;
    let mut sources: Vec<&Source> = Vec::new();
    for call in &calls {
        let read = [Some(call.source), call.days_from.map(|(s, _)| s)];
        for source in read.into_iter().flatten() {
            if !sources.iter().any(|s| s.name() == source.name()) {
                sources.push(source);
            }
        }
    }
    Ok(sources)
}

/// The metric's query, or why it cannot be compiled yet.
pub fn plan(
    agreement: &Agreement<'_>,
    metric: &Metric<'_>,
    options: &Options,
) -> Result<Planned, String> {
    let (expr, filter) = metric.value.ok_or("it has no value")?;
    let mut calls = Vec::new();
    collect_calls(agreement, expr, &mut calls)?;
    let segments: Vec<&Segment> = metric
        .by
        .iter()
        .filter_map(|name| agreement.segment(name))
        .filter(|_| !options.overall_only)
        .collect();

    let mut ctes = Vec::new();
    // `attributed A`: each customer's first conversion's credits by A.
    let attribution = metric
        .attributed
        .filter(|_| !options.overall_only)
        .and_then(|name| agreement.attribution(name));
    let split = match attribution {
        Some(attribution) => {
            let chain = super::attribution::credit_chain(agreement, attribution, options)
                .ok_or("its attribution is data-driven, which has no SQL planner yet")?;
            ctes.extend(chain);
            ctes.extend(customer_credits());
            true
        }
        None => false,
    };
    let keys = ["period_start", "segment", "segment_value"];
    let shared = !split && read_the_same_rows(&calls);
    let (joins, value) = if shared {
        // One pass: the calls' rows are the same, so one chain of rows
        // carries every call's measure, and one GROUP BY gives every
        // figure and the customers behind them.
        call_ctes(
            agreement, 0, &calls[0], filter, &segments, split, options, &mut ctes,
        );
        ctes.retain(|c| c.name != "part_0" && c.name != "distinct_0");
        for cte in &mut ctes {
            if !["base_0", "rows_0", "keyed_0"].contains(&cte.name.as_str()) {
                continue;
            }
            let selects: Vec<&mut Select> = match &mut cte.body {
                Body::Select(select) => vec![select.as_mut()],
                Body::UnionAll(selects) => selects.iter_mut().collect(),
            };
            for select in selects {
                widen_measure(select, calls.len(), |j, old| match old {
                    // rows_0 and keyed_0 pass each measure on.
                    Expr::Field { table, .. } => field(table, &format!("measure_{j}")),
                    // base_0 reads each call's own column.
                    _ => match &calls[j].column {
                        Some(column) => source_column("r", calls[j].source, column),
                        None => Expr::Null,
                    },
                });
            }
        }
        let figures = calls.iter().enumerate().map(|(j, call)| {
            let measure = format!("measure_{j}");
            let aggregate = match call.lowering {
                // Every weight is 1 without a credit split.
                Lowering::CountDistinct => Expr::ToFloat(Box::new(Expr::CountDistinct(Box::new(
                    field("k", &measure),
                )))),
                lowering => part_aggregate(lowering, &measure),
            };
            item(aggregate, &format!("value_{j}"))
        });
        ctes.push(Cte {
            name: "groups".to_string(),
            body: Body::Select(Box::new(Select {
                columns: keys
                    .iter()
                    .map(|c| item(field("k", c), c))
                    .chain([item(
                        Expr::CountDistinct(Box::new(field("k", "customer_id"))),
                        "customers",
                    )])
                    .chain(figures)
                    .collect(),
                from: Some(tree::cte("keyed_0", "k")),
                group_by: keys.iter().map(|c| field("k", c)).collect(),
                ..Select::default()
            })),
        });
        let mut index = 0;
        let part = |i: usize| field("g", &format!("value_{i}"));
        (Vec::new(), value_expr(expr, &calls, &mut index, &part))
    } else {
        for (i, call) in calls.iter().enumerate() {
            call_ctes(
                agreement, i, call, filter, &segments, split, options, &mut ctes,
            );
        }
        // Every group any call has rows in, with its distinct customers.
        ctes.push(Cte {
            name: "all_rows".to_string(),
            body: Body::UnionAll(
                (0..calls.len())
                    .map(|i| Select {
                        columns: ["period_start", "segment", "segment_value", "customer_id"]
                            .iter()
                            .map(|c| item(field("k", c), c))
                            .collect(),
                        from: Some(tree::cte(&format!("keyed_{i}"), "k")),
                        ..Select::default()
                    })
                    .collect(),
            ),
        });
        ctes.push(Cte {
            name: "groups".to_string(),
            body: Body::Select(Box::new(Select {
                columns: keys
                    .iter()
                    .map(|c| item(field("a", c), c))
                    .chain([item(
                        Expr::CountDistinct(Box::new(field("a", "customer_id"))),
                        "customers",
                    )])
                    .collect(),
                from: Some(tree::cte("all_rows", "a")),
                group_by: keys.iter().map(|c| field("a", c)).collect(),
                ..Select::default()
            })),
        });
        let joins = (0..calls.len())
            .map(|i| {
                let alias = format!("p{i}");
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&format!("part_{i}"), &alias),
                    on: tree::and(vec![
                        bin(
                            Op::Eq,
                            field(&alias, "period_start"),
                            field("g", "period_start"),
                        ),
                        bin(Op::Eq, field(&alias, "segment"), field("g", "segment")),
                        Expr::Not(Box::new(Expr::Distinct(
                            Box::new(field(&alias, "segment_value")),
                            Box::new(field("g", "segment_value")),
                        ))),
                    ])
                    .expect("three conditions"),
                }
            })
            .collect();
        let mut index = 0;
        let part = |i: usize| field(&format!("p{i}"), "value");
        (joins, value_expr(expr, &calls, &mut index, &part))
    };
    let select = Select {
        columns: vec![
            item(field("g", "period_start"), "period_start"),
            item(field("g", "segment"), "segment"),
            item(field("g", "segment_value"), "segment_value"),
            item(value, "value"),
            item(field("g", "customers"), "customers"),
        ],
        from: Some(tree::cte("groups", "g")),
        joins,
        order_by: vec![
            Order::asc(name("period_start")),
            Order::asc(name("segment")),
            Order::nulls_first(name("segment_value")),
        ],
        ..Select::default()
    };
    let mut inputs: Vec<String> = calls.iter().map(|c| table_name(c.source)).collect();
    for call in &calls {
        if let Some((from, _)) = call.days_from {
            inputs.push(table_name(from));
        }
        if let Some(cohort) = &call.cohort {
            inputs.push(table_name(cohort.target.0));
        }
    }
    // Sources a `where` reads through another source's rows.
    if let Some(filter) = filter {
        let mut paths = Vec::new();
        condition_paths(filter, &mut paths);
        for path in paths {
            if let Some(source) = source_of_path(agreement, path) {
                inputs.push(table_name(source));
            }
        }
    }
    if let Some(attribution) = attribution {
        inputs.extend(
            super::attribution::sources(agreement, attribution)
                .into_iter()
                .map(table_name),
        );
    }
    for segment in &segments {
        if let Some(path) = segment.column
            && let Some(source) = source_of_path(agreement, path)
        {
            inputs.push(table_name(source));
        }
    }
    inputs.sort();
    inputs.dedup();
    let title = metric
        .named
        .title
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    Ok(Planned {
        id: QueryId::Metric(metric.named.name.to_string()),
        reads: Vec::new(),
        purpose: format!(
            "Metric `{}`{title} per {}: overall and per value of each segment it is split by, with the number of customers behind each figure.",
            metric.named.name,
            options.period.word()
        ),
        inputs,
        columns: vec![
            out("period_start", ColumnKind::Date, "first day of the period"),
            out(
                "segment",
                ColumnKind::Text,
                "`all`, or the segment the row splits by",
            ),
            out(
                "segment_value",
                ColumnKind::Text,
                "the segment's value (empty for `all`)",
            ),
            out(
                "value",
                ColumnKind::Number,
                "the metric's value (empty when it divides by zero)",
            ),
            out(
                "customers",
                ColumnKind::Integer,
                "distinct customers among the rows the figure reads",
            ),
        ],
        query: Query {
            ctes,
            body: Body::Select(Box::new(select)),
        },
    })
}

fn collect_calls<'a>(
    agreement: &'a Agreement<'a>,
    expr: &'a ast::Expr,
    calls: &mut Vec<Call<'a>>,
) -> Result<(), String> {
    match expr {
        ast::Expr::Binary { lhs, rhs, .. } => {
            collect_calls(agreement, lhs, calls)?;
            collect_calls(agreement, rhs, calls)
        }
        ast::Expr::Neg { operand, .. } => collect_calls(agreement, operand, calls),
        ast::Expr::Literal(_) => Ok(()),
        ast::Expr::Path(p) => Err(format!("`{}` is not an aggregate", p.dotted())),
        ast::Expr::Call { function, args, .. } => {
            let name = function.name.as_str();
            let Some(lowering) = crate::functions::lowering(name) else {
                return Err(format!("`{name}` has no SQL planner yet"));
            };
            let fraction = match lowering {
                Lowering::Percentile(Some(rank)) => Some(rank),
                Lowering::Percentile(None) => match args.get(1).map(|a| &a.value) {
                    Some(ArgValue::Expr(ast::Expr::Literal(Literal::Percent(p)))) => {
                        Some(p.value / 100.0)
                    }
                    _ => return Err(format!("`{name}` needs a percentage")),
                },
                _ => None,
            };
            let rows_of =
                |ident: &Ident| -> Result<(&'a Source<'a>, Option<&'a Event<'a>>), String> {
                    match agreement.rows(&ident.name) {
                        Some(rows) => Ok((rows.source, rows.event)),
                        None => Err(format!("`{}` is not an event or source", ident.name)),
                    }
                };
            if matches!(lowering, Lowering::Churn | Lowering::Clv) {
                return churn_calls(agreement, name, lowering, args, calls);
            }
            if let Some(cohort) = cohort_call(agreement, name, lowering, args)? {
                let ArgValue::Expr(ast::Expr::Path(first)) = &args[0].value else {
                    return Err(format!("`{name}` needs an event"));
                };
                let (source, event) = rows_of(&first.segments[0])?;
                calls.push(Call {
                    lowering,
                    source,
                    event,
                    column: None,
                    days_from: None,
                    fraction: None,
                    cohort: Some(cohort),
                    churn_period: None,
                });
                return Ok(());
            }
            match args.first().map(|a| &a.value) {
                // median(days_between(first A, first B)) and the like
                Some(ArgValue::Expr(ast::Expr::Call {
                    function: inner,
                    args: inner_args,
                    ..
                })) if crate::functions::lookup(&inner.name).is_some_and(|f| f.per_customer) => {
                    let firsts: Vec<&Ident> = inner_args
                        .iter()
                        .filter_map(|a| match &a.value {
                            ArgValue::Expr(ast::Expr::Path(p)) if p.segments.len() == 1 => {
                                Some(&p.segments[0])
                            }
                            _ => None,
                        })
                        .collect();
                    let [from, to] = firsts[..] else {
                        return Err("`days_between` needs two events".to_string());
                    };
                    let (source, event) = rows_of(to)?;
                    calls.push(Call {
                        lowering,
                        source,
                        event,
                        column: None,
                        days_from: Some(rows_of(from)?),
                        fraction,
                        cohort: None,
                        churn_period: None,
                    });
                    Ok(())
                }
                Some(ArgValue::Expr(ast::Expr::Path(path))) => {
                    let (source, event) = rows_of(&path.segments[0])?;
                    let column = path.segments.get(1).map(|c| c.name.clone());
                    if lowering != Lowering::Count && column.is_none() {
                        return Err(format!("`{name}` needs a column"));
                    }
                    calls.push(Call {
                        lowering,
                        source,
                        event,
                        column,
                        days_from: None,
                        fraction,
                        cohort: None,
                        churn_period: None,
                    });
                    Ok(())
                }
                _ => Err(format!("`{name}` needs a path")),
            }
        }
    }
}

/// `churn(S, per P)` is one call; `clv(M, activity S, per P)` is three:
/// the sum of `M`, its paying customers and the churn of `S`, combined as
/// revenue per paying customer divided by the churn rate.
fn churn_calls<'a>(
    agreement: &'a Agreement<'a>,
    name: &str,
    lowering: Lowering,
    args: &'a [Arg],
    calls: &mut Vec<Call<'a>>,
) -> Result<(), String> {
    let labelled = |label: &str| {
        args.iter()
            .find(|a| a.label.as_ref().is_some_and(|l| l.name == label))
            .map(|a| &a.value)
    };
    let period = match labelled("per") {
        Some(ArgValue::Expr(ast::Expr::Path(p))) => match p.dotted().as_str() {
            "day" => Period::Day,
            "week" => Period::Week,
            "month" => Period::Month,
            "quarter" => Period::Quarter,
            "year" => Period::Year,
            other => return Err(format!("`per {other}` is not a period")),
        },
        _ => return Err(format!("`{name}` needs `per PERIOD`")),
    };
    let rows = |value: Option<&ArgValue>| -> Result<(&'a Source<'a>, Option<&'a Event<'a>>, Option<String>), String> {
        let Some(ArgValue::Expr(ast::Expr::Path(path))) = value else {
            return Err(format!("`{name}` needs an event or source"));
        };
        let column = path.segments.get(1).map(|c| c.name.clone());
        match agreement.rows(&path.segments[0].name) {
            Some(rows) => Ok((rows.source, rows.event, column)),
            None => Err(format!("`{}` is not an event or source", path.dotted())),
        }
    };
    let first = args.iter().find(|a| a.label.is_none()).map(|a| &a.value);
    let call = |lowering: Lowering, source, event, column, churn_period| Call {
        lowering,
        source,
        event,
        column,
        days_from: None,
        fraction: None,
        cohort: None,
        churn_period,
    };
    if lowering == Lowering::Churn {
        let (source, event, _) = rows(first)?;
        calls.push(call(lowering, source, event, None, Some(period)));
        return Ok(());
    }
    let (revenue_source, revenue_event, column) = rows(first)?;
    let (activity, activity_event, _) = rows(labelled("activity"))?;
    calls.push(call(
        Lowering::Sum,
        revenue_source,
        revenue_event,
        column,
        None,
    ));
    calls.push(call(
        Lowering::CountDistinct,
        revenue_source,
        revenue_event,
        Some("customer".to_string()),
        None,
    ));
    calls.push(call(
        Lowering::Churn,
        activity,
        activity_event,
        None,
        Some(period),
    ));
    Ok(())
}

/// The rule and target rows of a rate function, or `None` for other
/// functions. Windows are whole days (a window in hours is rounded up).
fn cohort_call<'a>(
    agreement: &'a Agreement<'a>,
    name: &str,
    lowering: Lowering,
    args: &'a [Arg],
) -> Result<Option<Cohort<'a>>, String> {
    let days = |d: &ast::Duration| crate::check::dates::approx_days(d).ceil() as i64;
    let labelled = |label: &str| {
        args.iter()
            .find(|a| a.label.as_ref().is_some_and(|l| l.name == label))
            .map(|a| &a.value)
    };
    let duration = |label: &str| match labelled(label) {
        Some(ArgValue::Expr(ast::Expr::Literal(Literal::Duration(d)))) => Ok(days(d)),
        _ => Err(format!("`{name}` needs `{label} DURATION`")),
    };
    let rows =
        |value: Option<&ArgValue>| -> Result<(&'a Source<'a>, Option<&'a Event<'a>>), String> {
            let Some(ArgValue::Expr(ast::Expr::Path(path))) = value else {
                return Err(format!("`{name}` needs an event or source"));
            };
            match agreement.rows(&path.segments[0].name) {
                Some(rows) => Ok((rows.source, rows.event)),
                None => Err(format!("`{}` is not an event or source", path.dotted())),
            }
        };
    let positional: Vec<&ArgValue> = args
        .iter()
        .filter(|a| a.label.is_none())
        .map(|a| &a.value)
        .collect();
    let Lowering::Rate(rate) = lowering else {
        return Ok(None);
    };
    let cohort = match rate {
        Rate::Conversion | Rate::Upsell => {
            let within = duration("within")?;
            Cohort {
                rule: if rate == Rate::Conversion {
                    CohortRule::Conversion { days: within }
                } else {
                    CohortRule::Upsell { days: within }
                },
                target: rows(positional.get(1).copied())?,
            }
        }
        Rate::Retention => {
            let rule = match (labelled("after"), labelled("from")) {
                (Some(_), _) => CohortRule::RetainedAfter {
                    days: duration("after")?,
                },
                (None, Some(ArgValue::Range(from, to))) => CohortRule::RetainedBetween {
                    from: days(from),
                    to: days(to),
                },
                _ => {
                    return Err(format!(
                        "`{name}` needs `after N days` or `from A days to B days`"
                    ));
                }
            };
            Cohort {
                rule,
                target: rows(labelled("activity"))?,
            }
        }
    };
    Ok(Some(cohort))
}

/// A metric whose value holds a `retention(E, ..., activity S)` call: the
/// cohort rows E, the activity rows S and the metric's `where`.
pub struct Retention<'a> {
    pub cohort: (&'a Source<'a>, Option<&'a Event<'a>>),
    pub activity: (&'a Source<'a>, Option<&'a Event<'a>>),
    pub filter: Option<&'a Condition>,
}

pub fn retention<'a>(
    agreement: &'a Agreement<'a>,
    metric: &'a Metric<'a>,
) -> Option<Retention<'a>> {
    let (expr, filter) = metric.value?;
    fn find(expr: &ast::Expr) -> Option<(&Ident, &[Arg])> {
        match expr {
            ast::Expr::Call { function, args, .. }
                if crate::functions::lowering(&function.name)
                    == Some(Lowering::Rate(Rate::Retention)) =>
            {
                Some((function, args))
            }
            ast::Expr::Binary { lhs, rhs, .. } => find(lhs).or_else(|| find(rhs)),
            ast::Expr::Neg { operand, .. } => find(operand),
            _ => None,
        }
    }
    let (function, args) = find(expr)?;
    let cohort = cohort_call(
        agreement,
        &function.name,
        Lowering::Rate(Rate::Retention),
        args,
    )
    .ok()??;
    let first = args.iter().find(|a| a.label.is_none())?;
    let ArgValue::Expr(ast::Expr::Path(path)) = &first.value else {
        return None;
    };
    let rows = agreement.rows(&path.segments.first()?.name)?;
    let rows = (rows.source, rows.event);
    Some(Retention {
        cohort: rows,
        activity: cohort.target,
        filter,
    })
}

fn source_of_path<'a>(agreement: &'a Agreement<'a>, path: &Path) -> Option<&'a Source<'a>> {
    Some(agreement.rows(&path.segments.first()?.name)?.source)
}

/// The metric's `where`, over rows of `source` aliased `r`: comparisons on
/// the rows' own source apply to the row; on another source, the row's
/// customer must have a row there that satisfies the comparison.
fn filter_expr(
    agreement: &Agreement<'_>,
    filter: &Condition,
    source: &Source<'_>,
    options: &Options,
) -> Expr {
    // A condition whose columns all live in one other source reads one row
    // of it: `accounts.vendor = "helix" and accounts.region = "DACH"` needs
    // a single accounts row with both. `not` stays outside: `not
    // accounts.region = "EU"` keeps customers with no EU row at all.
    if !matches!(filter, Condition::Not { .. })
        && let Some(other) = single_other_source(agreement, filter, source)
    {
        let mut filters = vec![
            bin(
                Op::Eq,
                source_column("o", other, "customer"),
                source_column("r", source, "customer"),
            ),
            condition(filter, "o", other),
        ];
        // Rows after `as of` are ignored here too.
        if let Some(as_of) = &options.as_of
            && other.time.is_some()
        {
            filters.push(bin(
                Op::Lt,
                source_column("o", other, "time"),
                Expr::Date(as_of.next().to_string()),
            ));
        }
        return Expr::Exists(Box::new(Select {
            columns: vec![item(Expr::Int(1), "one")],
            from: Some(From::Table {
                path: table_path(other, options),
                alias: "o".to_string(),
            }),
            filter: tree::and(filters),
            ..Select::default()
        }));
    }
    match filter {
        Condition::Or { operands, .. } => operands
            .iter()
            .map(|c| filter_expr(agreement, c, source, options))
            .reduce(|a, b| bin(Op::Or, a, b))
            .expect("`or` has operands"),
        Condition::And { operands, .. } => operands
            .iter()
            .map(|c| filter_expr(agreement, c, source, options))
            .reduce(|a, b| bin(Op::And, a, b))
            .expect("`and` has operands"),
        Condition::Not { operand, .. } => {
            Expr::Not(Box::new(filter_expr(agreement, operand, source, options)))
        }
        Condition::Compare { .. } | Condition::In { .. } | Condition::IsNull { .. } => {
            condition(filter, "r", source)
        }
    }
}

/// Every column path a condition compares.
fn condition_paths<'c>(c: &'c Condition, out: &mut Vec<&'c Path>) {
    match c {
        Condition::Or { operands, .. } | Condition::And { operands, .. } => {
            operands.iter().for_each(|o| condition_paths(o, out))
        }
        Condition::Not { operand, .. } => condition_paths(operand, out),
        Condition::Compare { column, .. }
        | Condition::In { column, .. }
        | Condition::IsNull { column, .. } => out.push(column),
    }
}

/// The other source every column of a condition lives in, when there is
/// exactly one and it is not `source`.
fn single_other_source<'a>(
    agreement: &'a Agreement<'a>,
    filter: &Condition,
    source: &Source<'_>,
) -> Option<&'a Source<'a>> {
    let mut list = Vec::new();
    condition_paths(filter, &mut list);
    let mut found: Option<&'a Source<'a>> = None;
    for path in list {
        let other = source_of_path(agreement, path)?;
        if other.name() == source.name() {
            return None;
        }
        match found {
            Some(f) if f.name() != other.name() => return None,
            _ => found = Some(other),
        }
    }
    found
}

#[allow(clippy::too_many_arguments)]
fn call_ctes(
    agreement: &Agreement<'_>,
    i: usize,
    call: &Call<'_>,
    filter: Option<&Condition>,
    segments: &[&Segment],
    split: bool,
    options: &Options,
    ctes: &mut Vec<Cte>,
) {
    let source = call.source;
    let reads: Vec<SegmentRead<'_>> = segments
        .iter()
        .map(|segment| match segment.column {
            None => SegmentRead::Stage,
            Some(path) => {
                let column = path
                    .segments
                    .last()
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                match source_of_path(agreement, path) {
                    // A per-customer row (days_between) has no columns of its
                    // own: every column segment is looked up.
                    Some(other) if other.name() != source.name() || call.per_customer() => {
                        SegmentRead::Other {
                            source: other,
                            column,
                        }
                    }
                    _ => SegmentRead::Own(column),
                }
            }
        })
        .collect();

    if let Some(period) = call.churn_period {
        churn_base(agreement, i, call, period, filter, &reads, options, ctes);
    } else {
        match (call.days_from, &call.cohort) {
            (Some(from), _) => {
                days_between_base(agreement, i, call, from, filter, &reads, options, ctes)
            }
            (None, Some(cohort)) => {
                cohort_base(agreement, i, call, cohort, filter, &reads, options, ctes)
            }
            (None, None) => plain_base(agreement, i, call, filter, &reads, options, ctes),
        }
    }

    // Segments of other sources: the customer's latest value at or before
    // the row's time (ties: the greatest value).
    for (k, read) in reads.iter().enumerate() {
        let SegmentRead::Other {
            source: other,
            column,
        } = read
        else {
            continue;
        };
        let value = Expr::ToText(Box::new(source_column("s", other, column)));
        ctes.push(Cte {
            name: format!("segment_{i}_{k}"),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("b", "row_key"), "row_key"),
                    item(value.clone(), "value"),
                    item(
                        window(
                            func("ROW_NUMBER", vec![]),
                            vec![field("b", "row_key")],
                            vec![
                                Order {
                                    expr: source_column("s", other, "time"),
                                    descending: true,
                                    nulls_last: true,
                                },
                                Order {
                                    expr: value,
                                    descending: true,
                                    nulls_last: true,
                                },
                            ],
                        ),
                        "pick",
                    ),
                ],
                from: Some(tree::cte(&format!("base_{i}"), "b")),
                joins: vec![Join {
                    kind: JoinKind::Inner,
                    from: From::Table {
                        path: table_path(other, options),
                        alias: "s".to_string(),
                    },
                    on: bin(
                        Op::And,
                        bin(
                            Op::Eq,
                            source_column("s", other, "customer"),
                            field("b", "customer_id"),
                        ),
                        bin(
                            Op::Le,
                            source_column("s", other, "time"),
                            field("b", "row_time"),
                        ),
                    ),
                }],
                ..Select::default()
            })),
        });
    }

    // rows: each row with all its segment values; over a window, only the
    // window's rows, all in one group
    let (period_start, in_window) = match &options.window {
        None => (
            Expr::PeriodStart(options.period, Box::new(field("b", "row_time"))),
            None,
        ),
        Some(w) => (w.start.clone(), Some(within(field("b", "row_time"), w))),
    };
    let mut columns = vec![
        item(field("b", "customer_id"), "customer_id"),
        item(period_start, "period_start"),
        item(field("b", "measure"), "measure"),
    ];
    let mut joins = Vec::new();
    for (k, read) in reads.iter().enumerate() {
        match read {
            SegmentRead::Other { .. } => {
                let alias = format!("s{k}");
                columns.push(item(field(&alias, "value"), &format!("segment_{k}")));
                joins.push(Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&format!("segment_{i}_{k}"), &alias),
                    on: bin(
                        Op::And,
                        bin(Op::Eq, field(&alias, "row_key"), field("b", "row_key")),
                        bin(Op::Eq, field(&alias, "pick"), Expr::Int(1)),
                    ),
                });
            }
            _ => columns.push(item(
                field("b", &format!("segment_{k}")),
                &format!("segment_{k}"),
            )),
        }
    }
    ctes.push(Cte {
        name: format!("rows_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte(&format!("base_{i}"), "b")),
            joins,
            filter: in_window,
            ..Select::default()
        })),
    });

    // keyed: every row once per grouping
    // Every row weighs 1, except in the partner groups, where it weighs its
    // customer's share of credit.
    let grouping = |segment: Expr, value: Expr| Select {
        columns: vec![
            item(field("w", "period_start"), "period_start"),
            item(segment, "segment"),
            item(value, "segment_value"),
            item(field("w", "customer_id"), "customer_id"),
            item(field("w", "measure"), "measure"),
            item(Expr::ToFloat(Box::new(Expr::Int(1))), "weight"),
        ],
        from: Some(tree::cte(&format!("rows_{i}"), "w")),
        ..Select::default()
    };
    let mut selects = vec![grouping(
        Expr::Str("all".to_string()),
        Expr::ToText(Box::new(Expr::Null)),
    )];
    for (k, segment) in segments.iter().enumerate() {
        selects.push(grouping(
            Expr::Str(segment.named.name.to_string()),
            field("w", &format!("segment_{k}")),
        ));
    }
    if split {
        selects.push(Select {
            columns: vec![
                item(field("w", "period_start"), "period_start"),
                item(Expr::Str("partner".to_string()), "segment"),
                item(
                    func(
                        "COALESCE",
                        vec![field("c", "partner"), Expr::Str("unattributed".to_string())],
                    ),
                    "segment_value",
                ),
                item(field("w", "customer_id"), "customer_id"),
                item(field("w", "measure"), "measure"),
                item(
                    func(
                        "COALESCE",
                        vec![field("c", "credit"), Expr::ToFloat(Box::new(Expr::Int(1)))],
                    ),
                    "weight",
                ),
            ],
            from: Some(tree::cte(&format!("rows_{i}"), "w")),
            joins: vec![Join {
                kind: JoinKind::Left,
                from: tree::cte("customer_credits", "c"),
                on: bin(Op::Eq, field("c", "customer_id"), field("w", "customer_id")),
            }],
            ..Select::default()
        });
    }
    ctes.push(Cte {
        name: format!("keyed_{i}"),
        body: Body::UnionAll(selects),
    });

    // part: the call's aggregate per group
    let keys = ["period_start", "segment", "segment_value"];
    if let Some(fraction) = call.fraction {
        percentile_part(i, fraction, ctes);
        return;
    }
    if call.lowering == Lowering::CountDistinct {
        distinct_part(i, ctes);
        return;
    }
    let aggregate = part_aggregate(call.lowering, "measure");
    ctes.push(Cte {
        name: format!("part_{i}"),
        body: Body::Select(Box::new(Select {
            columns: keys
                .iter()
                .map(|c| item(field("k", c), c))
                .chain([item(aggregate, "value")])
                .collect(),
            from: Some(tree::cte(&format!("keyed_{i}"), "k")),
            group_by: keys.iter().map(|c| field("k", c)).collect(),
            ..Select::default()
        })),
    });
}

/// Whether a metric's calls all read the same rows: plain aggregates
/// (no percentile, first-to-first span, cohort or churn) of one event or
/// source, so that one pass computes them all.
fn read_the_same_rows(calls: &[Call<'_>]) -> bool {
    let Some(first) = calls.first() else {
        return false;
    };
    calls.iter().all(|call| {
        !call.per_customer()
            && call.fraction.is_none()
            && !matches!(call.lowering, Lowering::Percentile(_) | Lowering::Clv)
            && call.source.name() == first.source.name()
            && call.event.map(|e| e.named.name) == first.event.map(|e| e.named.name)
    })
}

/// Replaces a select's `measure` column by `measure_0` to `measure_{n-1}`,
/// made by `make(j, measure's expression)`.
fn widen_measure(select: &mut Select, n: usize, make: impl Fn(usize, &Expr) -> Expr) {
    let Some(at) = select.columns.iter().position(|c| c.alias == "measure") else {
        return;
    };
    let old = select.columns.remove(at);
    for j in (0..n).rev() {
        select
            .columns
            .insert(at, item(make(j, &old.expr), &format!("measure_{j}")));
    }
}

/// A call's aggregate over the `keyed` rows `k`, reading the measure
/// column `measure` and the weight column (not for distinct counts and
/// percentiles, which have parts of their own).
fn part_aggregate(lowering: Lowering, measure: &str) -> Expr {
    let measure = || Expr::ToFloat(Box::new(field("k", measure)));
    let weight = || field("k", "weight");
    // The sum of the weights of the rows satisfying a condition.
    let weight_where = |condition: Expr| {
        func(
            "SUM",
            vec![tree::case(vec![(condition, weight())], Expr::Float(0.0))],
        )
    };
    let answered = || {
        weight_where(Expr::IsNull {
            expr: Box::new(measure()),
            negated: true,
        })
    };
    let weighted_sum = || func("SUM", vec![bin(Op::Mul, weight(), measure())]);
    match lowering {
        Lowering::Count => func("SUM", vec![weight()]),
        Lowering::Sum => weighted_sum(),
        Lowering::Avg => Expr::SafeDiv(Box::new(weighted_sum()), Box::new(answered())),
        Lowering::Min => func("MIN", vec![measure()]),
        // Rates: the (weighted) share of mature customers whose measure is 1.
        Lowering::Rate(_) | Lowering::Churn => Expr::SafeDiv(
            Box::new(weighted_sum()),
            Box::new(func("SUM", vec![weight()])),
        ),
        // Promoters (9, 10) minus detractors (0 to 6), in % of answers.
        Lowering::Nps => Expr::SafeDiv(
            Box::new(bin(
                Op::Mul,
                Expr::Float(100.0),
                bin(
                    Op::Sub,
                    weight_where(bin(Op::Ge, measure(), Expr::Int(9))),
                    weight_where(bin(Op::Le, measure(), Expr::Int(6))),
                ),
            )),
            Box::new(answered()),
        ),
        // Percentiles and distinct counts have parts of their own (above),
        // and a `clv` call is planned as its three parts.
        Lowering::Max | Lowering::Percentile(_) | Lowering::CountDistinct | Lowering::Clv => {
            func("MAX", vec![measure()])
        }
    }
}

/// `count_distinct`: each distinct value counts with the largest weight any
/// of its rows has in the group (1 outside the partner groups).
fn distinct_part(i: usize, ctes: &mut Vec<Cte>) {
    let keys = ["period_start", "segment", "segment_value"];
    let mut columns: Vec<tree::Item> = keys.iter().map(|c| item(field("k", c), c)).collect();
    columns.push(item(field("k", "measure"), "measure"));
    columns.push(item(func("MAX", vec![field("k", "weight")]), "weight"));
    ctes.push(Cte {
        name: format!("distinct_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte(&format!("keyed_{i}"), "k")),
            filter: Some(Expr::IsNull {
                expr: Box::new(field("k", "measure")),
                negated: true,
            }),
            group_by: keys
                .iter()
                .map(|c| field("k", c))
                .chain([field("k", "measure")])
                .collect(),
            ..Select::default()
        })),
    });
    ctes.push(Cte {
        name: format!("part_{i}"),
        body: Body::Select(Box::new(Select {
            columns: keys
                .iter()
                .map(|c| item(field("d", c), c))
                .chain([item(func("SUM", vec![field("d", "weight")]), "value")])
                .collect(),
            from: Some(tree::cte(&format!("distinct_{i}"), "d")),
            group_by: keys.iter().map(|c| field("d", c)).collect(),
            ..Select::default()
        })),
    });
}

/// Each customer's credit shares: those of their first conversion by the
/// attribution (earliest; ties by event, then id).
fn customer_credits() -> Vec<Cte> {
    vec![
        Cte {
            name: "first_conversions".to_string(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("c", "customer_id"), "customer_id"),
                    item(field("c", "conversion_event"), "conversion_event"),
                    item(field("c", "conversion_id"), "conversion_id"),
                    item(
                        window(
                            func("ROW_NUMBER", vec![]),
                            vec![field("c", "customer_id")],
                            vec![
                                Order::asc(field("c", "converted_at")),
                                Order::asc(field("c", "conversion_event")),
                                Order::asc(field("c", "conversion_id")),
                            ],
                        ),
                        "pick",
                    ),
                ],
                from: Some(tree::cte("conversions", "c")),
                ..Select::default()
            })),
        },
        Cte {
            name: "customer_credits".to_string(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("f", "customer_id"), "customer_id"),
                    item(field("a", "partner"), "partner"),
                    item(field("a", "credit"), "credit"),
                ],
                from: Some(tree::cte("first_conversions", "f")),
                joins: vec![Join {
                    kind: JoinKind::Inner,
                    from: tree::cte("attributed", "a"),
                    on: bin(
                        Op::And,
                        bin(
                            Op::Eq,
                            field("a", "conversion_event"),
                            field("f", "conversion_event"),
                        ),
                        bin(
                            Op::Eq,
                            field("a", "conversion_id"),
                            field("f", "conversion_id"),
                        ),
                    ),
                }],
                filter: Some(bin(Op::Eq, field("f", "pick"), Expr::Int(1))),
                ..Select::default()
            })),
        },
    ]
}

/// `percentile` (and `median`) as SQL's `percentile_cont`, written with
/// window functions so that every dialect computes it the same way: over
/// the group's values x_1..x_n in order, h = 1 + (n - 1) p, and the value
/// is x_floor(h) + (h - floor(h)) (x_ceil(h) - x_floor(h)).
fn percentile_part(i: usize, fraction: f64, ctes: &mut Vec<Cte>) {
    let keys = ["period_start", "segment", "segment_value"];
    let partition = |t: &str| keys.iter().map(|c| field(t, c)).collect::<Vec<_>>();
    let measure = Expr::ToFloat(Box::new(field("k", "measure")));
    let mut columns: Vec<tree::Item> = keys.iter().map(|c| item(field("k", c), c)).collect();
    columns.push(item(measure.clone(), "measure"));
    columns.push(item(
        window(
            func("ROW_NUMBER", vec![]),
            partition("k"),
            vec![Order::asc(measure.clone())],
        ),
        "value_rank",
    ));
    columns.push(item(
        window(
            func("COUNT", vec![field("k", "measure")]),
            partition("k"),
            vec![],
        ),
        "value_count",
    ));
    ctes.push(Cte {
        name: format!("ranked_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte(&format!("keyed_{i}"), "k")),
            filter: Some(Expr::IsNull {
                expr: Box::new(field("k", "measure")),
                negated: true,
            }),
            ..Select::default()
        })),
    });
    let h = bin(
        Op::Add,
        Expr::Float(1.0),
        bin(
            Op::Mul,
            bin(Op::Sub, field("r", "value_count"), Expr::Int(1)),
            Expr::Float(fraction),
        ),
    );
    let mut columns: Vec<tree::Item> = keys.iter().map(|c| item(field("r", c), c)).collect();
    columns.push(item(field("r", "measure"), "measure"));
    columns.push(item(field("r", "value_rank"), "value_rank"));
    columns.push(item(func("FLOOR", vec![h.clone()]), "lower_rank"));
    columns.push(item(func("CEIL", vec![h.clone()]), "upper_rank"));
    columns.push(item(
        bin(Op::Sub, h.clone(), func("FLOOR", vec![h])),
        "weight",
    ));
    ctes.push(Cte {
        name: format!("positions_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte(&format!("ranked_{i}"), "r")),
            ..Select::default()
        })),
    });
    let at = |rank: &str| {
        func(
            "MAX",
            vec![tree::case(
                vec![(
                    bin(Op::Eq, field("q", "value_rank"), field("q", rank)),
                    field("q", "measure"),
                )],
                Expr::Null,
            )],
        )
    };
    let value = bin(
        Op::Add,
        at("lower_rank"),
        bin(
            Op::Mul,
            func("MAX", vec![field("q", "weight")]),
            bin(Op::Sub, at("upper_rank"), at("lower_rank")),
        ),
    );
    ctes.push(Cte {
        name: format!("part_{i}"),
        body: Body::Select(Box::new(Select {
            columns: keys
                .iter()
                .map(|c| item(field("q", c), c))
                .chain([item(value, "value")])
                .collect(),
            from: Some(tree::cte(&format!("positions_{i}"), "q")),
            group_by: partition("q"),
            ..Select::default()
        })),
    });
}

/// The rows a call reads, filtered, with a key for segment lookups.
#[allow(clippy::too_many_arguments)]
fn plain_base(
    agreement: &Agreement<'_>,
    i: usize,
    call: &Call<'_>,
    filter: Option<&Condition>,
    reads: &[SegmentRead<'_>],
    options: &Options,
    ctes: &mut Vec<Cte>,
) {
    let source = call.source;
    let filters = row_filters(agreement, source, call.event, filter, options);
    let mut columns = row_key(
        reads,
        vec![
            Order::asc(source_column("r", source, "time")),
            Order::asc(source_column("r", source, "customer")),
        ],
    );
    columns.extend([
        item(source_column("r", source, "customer"), "customer_id"),
        item(source_column("r", source, "time"), "row_time"),
        item(
            match &call.column {
                Some(column) => source_column("r", source, column),
                None => Expr::Null,
            },
            "measure",
        ),
    ]);
    for (k, read) in reads.iter().enumerate() {
        let value = match read {
            SegmentRead::Own(column) => Expr::ToText(Box::new(source_column("r", source, column))),
            SegmentRead::Stage => match call.event.and_then(|e| e.stage.as_ref()) {
                Some(stage) => Expr::Str(stage.to_string()),
                None => Expr::ToText(Box::new(Expr::Null)),
            },
            SegmentRead::Other { .. } => continue,
        };
        columns.push(item(value, &format!("segment_{k}")));
    }
    ctes.push(Cte {
        name: format!("base_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(From::Table {
                path: table_path(source, options),
                alias: "r".to_string(),
            }),
            filter: tree::and(filters),
            ..Select::default()
        })),
    });
}

/// Rows filtered as a call reads them: the event's filter, the metric's
/// `where`, `as of`.
pub(super) fn row_filters(
    agreement: &Agreement<'_>,
    source: &Source<'_>,
    event: Option<&Event<'_>>,
    filter: Option<&Condition>,
    options: &Options,
) -> Vec<Expr> {
    let mut filters = match event {
        Some(event) => super::event_rows(agreement, event, "r", source, options),
        None => Vec::new(),
    };
    if let Some(f) = filter {
        filters.push(filter_expr(agreement, f, source, options));
    }
    if let Some(as_of) = &options.as_of {
        filters.push(bin(
            Op::Lt,
            source_column("r", source, "time"),
            Expr::Date(as_of.next().to_string()),
        ));
    }
    filters
}

/// `days_between(first A, first B)`: one row per customer with a first B at
/// or after their first A, at the time of the first B, measuring the
/// calendar days between the two.
#[allow(clippy::too_many_arguments)]
fn days_between_base(
    agreement: &Agreement<'_>,
    i: usize,
    call: &Call<'_>,
    from: (&Source, Option<&Event>),
    filter: Option<&Condition>,
    reads: &[SegmentRead<'_>],
    options: &Options,
    ctes: &mut Vec<Cte>,
) {
    // The rows are keyed by the `to` time: only it is narrowed to a window.
    for (name, (source, event), window) in [
        ("first_from", from, None),
        (
            "first_to",
            (call.source, call.event),
            options.window.as_ref(),
        ),
    ] {
        ctes.push(first_times(
            &format!("{name}_{i}"),
            agreement,
            source,
            event,
            filter,
            options,
            window,
        ));
    }
    let mut columns = customer_row(
        "b",
        Expr::DaysBetween {
            start: Box::new(field("a", "first_time")),
            end: Box::new(field("b", "first_time")),
        },
        reads,
    );
    columns.extend(stage_segments(call, reads));
    ctes.push(Cte {
        name: format!("base_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte(&format!("first_to_{i}"), "b")),
            joins: vec![Join {
                kind: JoinKind::Inner,
                from: tree::cte(&format!("first_from_{i}"), "a"),
                on: bin(Op::Eq, field("a", "customer_id"), field("b", "customer_id")),
            }],
            filter: Some(bin(
                Op::Ge,
                field("b", "first_time"),
                field("a", "first_time"),
            )),
            ..Select::default()
        })),
    });
}

/// A rate: one row per MATURE customer at their first event (whose window
/// has fully passed by the data's last day: the latest date among the
/// target rows, or `as of`), measuring 1 when the customer has a target row
/// the rule accepts, else 0.
#[allow(clippy::too_many_arguments)]
fn cohort_base(
    agreement: &Agreement<'_>,
    i: usize,
    call: &Call<'_>,
    cohort: &Cohort<'_>,
    filter: Option<&Condition>,
    reads: &[SegmentRead<'_>],
    options: &Options,
    ctes: &mut Vec<Cte>,
) {
    let source = call.source;
    ctes.push(first_times(
        &format!("first_{i}"),
        agreement,
        source,
        call.event,
        filter,
        options,
        options.window.as_ref(),
    ));
    let (target, target_event) = cohort.target;
    ctes.push(Cte {
        name: format!("targets_{i}"),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(source_column("r", target, "customer"), "customer_id"),
                item(source_column("r", target, "time"), "target_time"),
            ],
            from: Some(From::Table {
                path: table_path(target, options),
                alias: "r".to_string(),
            }),
            filter: tree::and(row_filters(
                agreement,
                target,
                target_event,
                filter,
                options,
            )),
            ..Select::default()
        })),
    });
    // One row: the data's last day.
    let horizon = match &options.as_of {
        Some(as_of) => Select {
            columns: vec![item(Expr::Date(as_of.to_string()), "last_time")],
            ..Select::default()
        },
        None => Select {
            columns: vec![item(
                func("MAX", vec![field("t", "target_time")]),
                "last_time",
            )],
            from: Some(tree::cte(&format!("targets_{i}"), "t")),
            ..Select::default()
        },
    };
    ctes.push(Cte {
        name: format!("horizon_{i}"),
        body: Body::Select(Box::new(horizon)),
    });
    let offset = || Expr::DaysBetween {
        start: Box::new(field("f", "first_time")),
        end: Box::new(field("t", "target_time")),
    };
    let accepted = match cohort.rule {
        CohortRule::Conversion { days } => bin(
            Op::And,
            bin(Op::Ge, field("t", "target_time"), field("f", "first_time")),
            bin(Op::Le, offset(), Expr::Int(days)),
        ),
        CohortRule::Upsell { days } => bin(
            Op::And,
            bin(Op::Gt, field("t", "target_time"), field("f", "first_time")),
            bin(Op::Le, offset(), Expr::Int(days)),
        ),
        CohortRule::RetainedAfter { days } => bin(Op::Ge, offset(), Expr::Int(days)),
        CohortRule::RetainedBetween { from, to } => bin(
            Op::And,
            bin(Op::Ge, offset(), Expr::Int(from)),
            bin(Op::Lt, offset(), Expr::Int(to)),
        ),
    };
    ctes.push(Cte {
        name: format!("hits_{i}"),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(field("f", "customer_id"), "customer_id"),
                item(
                    func(
                        "MAX",
                        vec![tree::case(vec![(accepted, Expr::Int(1))], Expr::Int(0))],
                    ),
                    "hit",
                ),
            ],
            from: Some(tree::cte(&format!("first_{i}"), "f")),
            joins: vec![Join {
                kind: JoinKind::Inner,
                from: tree::cte(&format!("targets_{i}"), "t"),
                on: bin(Op::Eq, field("t", "customer_id"), field("f", "customer_id")),
            }],
            group_by: vec![field("f", "customer_id")],
            ..Select::default()
        })),
    });
    let mut columns = customer_row(
        "f",
        func("COALESCE", vec![field("x", "hit"), Expr::Int(0)]),
        reads,
    );
    columns.extend(stage_segments(call, reads));
    ctes.push(Cte {
        name: format!("base_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte(&format!("first_{i}"), "f")),
            joins: vec![
                Join {
                    kind: JoinKind::Inner,
                    from: tree::cte(&format!("horizon_{i}"), "h"),
                    on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                },
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&format!("hits_{i}"), "x"),
                    on: bin(Op::Eq, field("x", "customer_id"), field("f", "customer_id")),
                },
            ],
            // Mature customers only: an immature cohort is never churned.
            filter: Some(bin(
                Op::Ge,
                Expr::DaysBetween {
                    start: Box::new(field("f", "first_time")),
                    end: Box::new(field("h", "last_time")),
                },
                Expr::Int(cohort.rule.maturity()),
            )),
            ..Select::default()
        })),
    });
}

/// `churn(S, per P)`: a row per customer active in a period whose next
/// period is complete (its last day is on or before the data's last day),
/// dated at the start of that next period, measuring 1 when the customer has
/// no activity in it.
#[allow(clippy::too_many_arguments)]
fn churn_base(
    agreement: &Agreement<'_>,
    i: usize,
    call: &Call<'_>,
    period: Period,
    filter: Option<&Condition>,
    reads: &[SegmentRead<'_>],
    options: &Options,
    ctes: &mut Vec<Cte>,
) {
    let source = call.source;
    let filters = || tree::and(row_filters(agreement, source, call.event, filter, options));
    ctes.push(Cte {
        name: format!("activity_{i}"),
        body: Body::Select(Box::new(Select {
            distinct: true,
            columns: vec![
                item(source_column("r", source, "customer"), "customer_id"),
                item(
                    Expr::PeriodStart(period, Box::new(source_column("r", source, "time"))),
                    "active_period",
                ),
            ],
            from: Some(From::Table {
                path: table_path(source, options),
                alias: "r".to_string(),
            }),
            filter: filters(),
            ..Select::default()
        })),
    });
    let horizon = match &options.as_of {
        Some(as_of) => Select {
            columns: vec![item(Expr::Date(as_of.to_string()), "last_time")],
            ..Select::default()
        },
        None => Select {
            columns: vec![item(
                func("MAX", vec![source_column("r", source, "time")]),
                "last_time",
            )],
            from: Some(From::Table {
                path: table_path(source, options),
                alias: "r".to_string(),
            }),
            filter: filters(),
            ..Select::default()
        },
    };
    ctes.push(Cte {
        name: format!("horizon_{i}"),
        body: Body::Select(Box::new(horizon)),
    });
    let next = |by: i64| Expr::AddPeriods {
        period,
        count: by,
        date: Box::new(field("a", "active_period")),
    };
    let mut columns = row_key(
        reads,
        vec![
            Order::asc(field("a", "active_period")),
            Order::asc(field("a", "customer_id")),
        ],
    );
    columns.extend([
        item(field("a", "customer_id"), "customer_id"),
        item(Expr::StartOfDay(Box::new(next(1))), "row_time"),
        item(
            tree::case(
                vec![(
                    Expr::IsNull {
                        expr: Box::new(field("n", "customer_id")),
                        negated: false,
                    },
                    Expr::Int(1),
                )],
                Expr::Int(0),
            ),
            "measure",
        ),
    ]);
    columns.extend(stage_segments(call, reads));
    // The next period is complete when the one after it starts no later
    // than the day after the data's last day.
    let day_after_last = Expr::AddPeriods {
        period: Period::Day,
        count: 1,
        date: Box::new(Expr::PeriodStart(
            Period::Day,
            Box::new(field("h", "last_time")),
        )),
    };
    ctes.push(Cte {
        name: format!("base_{i}"),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte(&format!("activity_{i}"), "a")),
            joins: vec![
                Join {
                    kind: JoinKind::Inner,
                    from: tree::cte(&format!("horizon_{i}"), "h"),
                    on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                },
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&format!("activity_{i}"), "n"),
                    on: bin(
                        Op::And,
                        bin(Op::Eq, field("n", "customer_id"), field("a", "customer_id")),
                        bin(Op::Eq, field("n", "active_period"), next(1)),
                    ),
                },
            ],
            filter: Some(bin(Op::Le, next(2), day_after_last)),
            ..Select::default()
        })),
    });
}

/// The earliest time of each customer's rows of a source (or event).
/// `time` within the days of `window`: from the start of its first day to
/// the end of its last.
pub(super) fn within(time: Expr, window: &Window) -> Expr {
    bin(
        Op::And,
        bin(
            Op::Ge,
            time.clone(),
            Expr::StartOfDay(Box::new(window.start.clone())),
        ),
        bin(
            Op::Lt,
            time,
            Expr::StartOfDay(Box::new(Expr::AddPeriods {
                period: Period::Day,
                count: 1,
                date: Box::new(window.end.clone()),
            })),
        ),
    )
}

/// Each customer's first time in `source` (for `event`). With `window`,
/// only the customers whose first time falls in it: the rows of a
/// windowed figure keyed by that time are the window's alone, so the
/// others are dropped before anything is joined to them.
pub(super) fn first_times(
    name: &str,
    agreement: &Agreement<'_>,
    source: &Source<'_>,
    event: Option<&Event<'_>>,
    filter: Option<&Condition>,
    options: &Options,
    window: Option<&Window>,
) -> Cte {
    Cte {
        name: name.to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(source_column("r", source, "customer"), "customer_id"),
                item(
                    func("MIN", vec![source_column("r", source, "time")]),
                    "first_time",
                ),
            ],
            from: Some(From::Table {
                path: table_path(source, options),
                alias: "r".to_string(),
            }),
            filter: tree::and(row_filters(agreement, source, event, filter, options)),
            group_by: vec![source_column("r", source, "customer")],
            having: window
                .map(|w| within(func("MIN", vec![source_column("r", source, "time")]), w)),
            ..Select::default()
        })),
    }
}

/// `row_key`, numbering the rows in `order`, when a segment of another
/// source is looked up (the lookups join on it); else nothing, since the
/// numbering is a sort of every row.
fn row_key(reads: &[SegmentRead<'_>], order: Vec<Order>) -> Vec<tree::Item> {
    if !reads.iter().any(|r| matches!(r, SegmentRead::Other { .. })) {
        return Vec::new();
    }
    vec![item(
        window(func("ROW_NUMBER", vec![]), vec![], order),
        "row_key",
    )]
}

/// The columns of a per-customer row read from `alias` (a CTE with
/// `customer_id` and `first_time`): a row key when lookups need one, the
/// customer, the time and the measure.
fn customer_row(alias: &str, measure: Expr, reads: &[SegmentRead<'_>]) -> Vec<tree::Item> {
    let mut columns = row_key(
        reads,
        vec![
            Order::asc(field(alias, "first_time")),
            Order::asc(field(alias, "customer_id")),
        ],
    );
    columns.extend([
        item(field(alias, "customer_id"), "customer_id"),
        item(field(alias, "first_time"), "row_time"),
        item(measure, "measure"),
    ]);
    columns
}

/// The `from stage` segment columns of per-customer rows: the stage of the
/// call's event.
fn stage_segments(call: &Call<'_>, reads: &[SegmentRead<'_>]) -> Vec<tree::Item> {
    reads
        .iter()
        .enumerate()
        .filter(|(_, read)| matches!(read, SegmentRead::Stage))
        .map(|(k, _)| {
            let stage = match call.event.and_then(|e| e.stage.as_ref()) {
                Some(stage) => Expr::Str(stage.to_string()),
                None => Expr::ToText(Box::new(Expr::Null)),
            };
            item(stage, &format!("segment_{k}"))
        })
        .collect()
}

/// The value's arithmetic over the parts: counts and sums of a group with no
/// rows are 0, averages and extremes stay empty; division is safe.
/// The metric's value from its calls' figures, `part(i)` being the i-th.
fn value_expr(
    expr: &ast::Expr,
    calls: &[Call<'_>],
    index: &mut usize,
    part: &dyn Fn(usize) -> Expr,
) -> Expr {
    match expr {
        ast::Expr::Binary { op, lhs, rhs, .. } => {
            let l = value_expr(lhs, calls, index, part);
            let r = value_expr(rhs, calls, index, part);
            match op {
                BinOp::Add => bin(Op::Add, l, r),
                BinOp::Sub => bin(Op::Sub, l, r),
                BinOp::Mul => bin(Op::Mul, l, r),
                BinOp::Div => Expr::SafeDiv(Box::new(l), Box::new(r)),
            }
        }
        ast::Expr::Neg { operand, .. } => bin(
            Op::Sub,
            Expr::Int(0),
            value_expr(operand, calls, index, part),
        ),
        ast::Expr::Literal(Literal::Percent(n)) => Expr::Float(n.value / 100.0),
        ast::Expr::Literal(l) => literal(l),
        ast::Expr::Call { function, .. }
            if crate::functions::lowering(&function.name) == Some(Lowering::Clv) =>
        {
            // Revenue per paying customer, divided by the churn rate.
            let zeroed = |i: usize| {
                func(
                    "COALESCE",
                    vec![Expr::ToFloat(Box::new(part(i))), Expr::Float(0.0)],
                )
            };
            let i = *index;
            *index += 3;
            Expr::SafeDiv(
                Box::new(Expr::SafeDiv(Box::new(zeroed(i)), Box::new(zeroed(i + 1)))),
                Box::new(part(i + 2)),
            )
        }
        ast::Expr::Call { .. } => {
            let i = *index;
            *index += 1;
            let value = part(i);
            if calls[i].lowering.zero_when_empty() {
                func(
                    "COALESCE",
                    vec![Expr::ToFloat(Box::new(value)), Expr::Float(0.0)],
                )
            } else {
                value
            }
        }
        ast::Expr::Path(_) => Expr::Null,
    }
}
