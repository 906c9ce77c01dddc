//! `metric_<name>`: a metric's value per period, overall and per value of
//! each segment it is split `by`, with the number of customers each figure
//! is computed from (the basis of small-group suppression).
//!
//! The CTE chain: for each call of the value (`count(...)`, `sum(...)`),
//! `base_<i>` reads its rows (event filter, the metric's `where`, `as of`),
//! `segment_<i>_<k>` looks up segments that live in another source (the
//! customer's latest row at or before the row's time), `rows_<i>` puts each
//! row's segment values beside it, and `keyed_<i>` repeats every row once
//! per grouping (`all`, then each segment); `part_<i>` aggregates it. The
//! `groups` CTE holds every (period, segment, value) any call has rows in,
//! with its distinct customers; the final select combines the parts with the
//! value's arithmetic (division is safe: NULL when dividing by 0).
//!
//! This version compiles `count`, `count_distinct`, `sum`, `avg`, `min` and
//! `max` with arithmetic; a metric calling other functions is reported as
//! not compiled yet (see [`plan`]).

use super::{
    ColumnKind, Options, Planned, condition, literal, out, source_column, table_name, table_path,
};
use crate::check::scope::{Decl, Scope};
use crate::sql::tree::{
    self, Body, Cte, Expr, From, Join, JoinKind, Op, Order, Query, Select, bin, field, func, item,
    name, window,
};
use crate::syntax::ast::{self, *};

/// One aggregate call of a metric's value.
struct Call<'a> {
    function: &'a str,
    source: &'a Source,
    event: Option<&'a Event>,
    /// The measured column (logical name), for all but `count`.
    column: Option<String>,
}

/// How a segment is read for rows of one source.
enum SegmentRead<'a> {
    /// A column of the rows' own source.
    Own(String),
    /// The customer's latest value in another source.
    Other { source: &'a Source, column: String },
    /// The stage of the rows' event.
    Stage,
}

const SUPPORTED: &[&str] = &["count", "count_distinct", "sum", "avg", "min", "max"];

/// The metric's query, or why it cannot be compiled yet.
pub fn plan(scope: &Scope<'_>, metric: &Metric, options: &Options) -> Result<Planned, String> {
    let (expr, filter) = metric
        .fields
        .iter()
        .find_map(|f| match &f.value {
            MetricField::Value { expr, filter } => Some((expr, filter.as_ref())),
            _ => None,
        })
        .ok_or("it has no value")?;
    let mut calls = Vec::new();
    collect_calls(scope, expr, &mut calls)?;
    let segments: Vec<&Segment> = metric
        .fields
        .iter()
        .filter_map(|f| match &f.value {
            MetricField::By(list) => Some(list),
            _ => None,
        })
        .flatten()
        .filter_map(|s| match scope.get(&s.name) {
            Some(Decl::Segment(segment)) => Some(segment),
            _ => None,
        })
        .collect();

    let mut ctes = Vec::new();
    for (i, call) in calls.iter().enumerate() {
        call_ctes(scope, i, call, filter, &segments, options, &mut ctes);
    }
    let keys = ["period_start", "segment", "segment_value"];
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
    let value = value_expr(expr, &calls, &mut index);
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
            Order {
                expr: name("segment_value"),
                descending: false,
                nulls_last: false,
            },
        ],
        ..Select::default()
    };
    let mut inputs: Vec<String> = calls.iter().map(|c| table_name(c.source)).collect();
    for segment in &segments {
        if let SegmentSource::Column(path) = &segment.from
            && let Some(source) = source_of_path(scope, path)
        {
            inputs.push(table_name(source));
        }
    }
    inputs.sort();
    inputs.dedup();
    let title = metric
        .title
        .as_ref()
        .map(|t| format!(" ({})", t.value))
        .unwrap_or_default();
    Ok(Planned {
        name: format!("metric_{}", metric.name.name),
        purpose: format!(
            "Metric `{}`{title} per {}: overall and per value of each segment it is split by, with the number of customers behind each figure.",
            metric.name.name,
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
    scope: &Scope<'a>,
    expr: &'a ast::Expr,
    calls: &mut Vec<Call<'a>>,
) -> Result<(), String> {
    match expr {
        ast::Expr::Binary { lhs, rhs, .. } => {
            collect_calls(scope, lhs, calls)?;
            collect_calls(scope, rhs, calls)
        }
        ast::Expr::Neg { operand, .. } => collect_calls(scope, operand, calls),
        ast::Expr::Literal(_) => Ok(()),
        ast::Expr::Path(p) => Err(format!("`{}` is not an aggregate", p.dotted())),
        ast::Expr::Call { function, args, .. } => {
            let name = function.name.as_str();
            if !SUPPORTED.contains(&name) {
                return Err(format!("`{name}` has no SQL planner yet"));
            }
            let Some(ArgValue::Expr(ast::Expr::Path(path))) = args.first().map(|a| &a.value) else {
                return Err(format!("`{name}` needs a path"));
            };
            let rows = &path.segments[0];
            let (source, event) = match scope.get(&rows.name) {
                Some(Decl::Source(s)) => (s, None),
                Some(Decl::Event(e)) => (scope.source_of(e).ok_or("unknown source")?, Some(e)),
                _ => return Err(format!("`{}` is not an event or source", rows.name)),
            };
            let column = path.segments.get(1).map(|c| c.name.clone());
            if name != "count" && column.is_none() {
                return Err(format!("`{name}` needs a column"));
            }
            calls.push(Call {
                function: &function.name,
                source,
                event,
                column,
            });
            Ok(())
        }
    }
}

fn source_of_path<'a>(scope: &Scope<'a>, path: &Path) -> Option<&'a Source> {
    match scope.get(&path.segments.first()?.name)? {
        Decl::Source(s) => Some(s),
        Decl::Event(e) => scope.source_of(e),
        _ => None,
    }
}

/// The metric's `where`, over rows of `source` aliased `r`: comparisons on
/// the rows' own source apply to the row; on another source, the row's
/// customer must have a row there that satisfies the comparison.
fn filter_expr(scope: &Scope<'_>, filter: &Condition, source: &Source, options: &Options) -> Expr {
    let leaf = |c: &Condition, path: &Path| -> Expr {
        match source_of_path(scope, path) {
            Some(other) if other.name.name != source.name.name => Expr::Exists(Box::new(Select {
                columns: vec![item(Expr::Int(1), "one")],
                from: Some(From::Table {
                    path: table_path(other, options),
                    alias: "o".to_string(),
                }),
                filter: Some(bin(
                    Op::And,
                    bin(
                        Op::Eq,
                        source_column("o", other, "customer"),
                        source_column("r", source, "customer"),
                    ),
                    condition(c, "o", other),
                )),
                ..Select::default()
            })),
            _ => condition(c, "r", source),
        }
    };
    match filter {
        Condition::Or { operands, .. } => operands
            .iter()
            .map(|c| filter_expr(scope, c, source, options))
            .reduce(|a, b| bin(Op::Or, a, b))
            .expect("`or` has operands"),
        Condition::And { operands, .. } => operands
            .iter()
            .map(|c| filter_expr(scope, c, source, options))
            .reduce(|a, b| bin(Op::And, a, b))
            .expect("`and` has operands"),
        Condition::Not { operand, .. } => {
            Expr::Not(Box::new(filter_expr(scope, operand, source, options)))
        }
        Condition::Compare { column, .. }
        | Condition::In { column, .. }
        | Condition::IsNull { column, .. } => leaf(filter, column),
    }
}

#[allow(clippy::too_many_arguments)]
fn call_ctes(
    scope: &Scope<'_>,
    i: usize,
    call: &Call<'_>,
    filter: Option<&Condition>,
    segments: &[&Segment],
    options: &Options,
    ctes: &mut Vec<Cte>,
) {
    let source = call.source;
    let reads: Vec<SegmentRead<'_>> = segments
        .iter()
        .map(|segment| match &segment.from {
            SegmentSource::Stage { .. } => SegmentRead::Stage,
            SegmentSource::Column(path) => {
                let column = path
                    .segments
                    .last()
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                match source_of_path(scope, path) {
                    Some(other) if other.name.name != source.name.name => SegmentRead::Other {
                        source: other,
                        column,
                    },
                    _ => SegmentRead::Own(column),
                }
            }
        })
        .collect();

    // base: the rows, filtered, with a key for segment lookups
    let mut filters = Vec::new();
    if let Some(event_filter) = call.event.and_then(|e| e.filter.as_ref()) {
        filters.push(condition(event_filter, "r", source));
    }
    if let Some(f) = filter {
        filters.push(filter_expr(scope, f, source, options));
    }
    if let Some(as_of) = &options.as_of {
        filters.push(bin(
            Op::Lt,
            source_column("r", source, "time"),
            Expr::Date(super::day_after(as_of)),
        ));
    }
    let mut columns = vec![
        item(
            window(
                func("ROW_NUMBER", vec![]),
                vec![],
                vec![
                    Order::asc(source_column("r", source, "time")),
                    Order::asc(source_column("r", source, "customer")),
                ],
            ),
            "row_key",
        ),
        item(source_column("r", source, "customer"), "customer_id"),
        item(source_column("r", source, "time"), "row_time"),
        item(
            match &call.column {
                Some(column) => source_column("r", source, column),
                None => Expr::Null,
            },
            "measure",
        ),
    ];
    for (k, read) in reads.iter().enumerate() {
        let value = match read {
            SegmentRead::Own(column) => Expr::ToText(Box::new(source_column("r", source, column))),
            SegmentRead::Stage => match call.event.and_then(|e| e.stage.as_ref()) {
                Some(stage) => Expr::Str(stage.name.clone()),
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

    // rows: each row with all its segment values
    let mut columns = vec![
        item(field("b", "customer_id"), "customer_id"),
        item(
            Expr::PeriodStart(options.period, Box::new(field("b", "row_time"))),
            "period_start",
        ),
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
            ..Select::default()
        })),
    });

    // keyed: every row once per grouping
    let grouping = |segment: Expr, value: Expr| Select {
        columns: vec![
            item(field("w", "period_start"), "period_start"),
            item(segment, "segment"),
            item(value, "segment_value"),
            item(field("w", "customer_id"), "customer_id"),
            item(field("w", "measure"), "measure"),
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
            Expr::Str(segment.name.name.clone()),
            field("w", &format!("segment_{k}")),
        ));
    }
    ctes.push(Cte {
        name: format!("keyed_{i}"),
        body: Body::UnionAll(selects),
    });

    // part: the call's aggregate per group
    let measure = || Expr::ToFloat(Box::new(field("k", "measure")));
    let aggregate = match call.function {
        "count" => Expr::CountStar,
        "count_distinct" => Expr::CountDistinct(Box::new(field("k", "measure"))),
        "sum" => func("SUM", vec![measure()]),
        "avg" => func("AVG", vec![measure()]),
        "min" => func("MIN", vec![measure()]),
        _ => func("MAX", vec![measure()]),
    };
    let keys = ["period_start", "segment", "segment_value"];
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

/// The value's arithmetic over the parts: counts and sums of a group with no
/// rows are 0, averages and extremes stay empty; division is safe.
fn value_expr(expr: &ast::Expr, calls: &[Call<'_>], index: &mut usize) -> Expr {
    match expr {
        ast::Expr::Binary { op, lhs, rhs, .. } => {
            let l = value_expr(lhs, calls, index);
            let r = value_expr(rhs, calls, index);
            match op {
                BinOp::Add => bin(Op::Add, l, r),
                BinOp::Sub => bin(Op::Sub, l, r),
                BinOp::Mul => bin(Op::Mul, l, r),
                BinOp::Div => Expr::SafeDiv(Box::new(l), Box::new(r)),
            }
        }
        ast::Expr::Neg { operand, .. } => {
            bin(Op::Sub, Expr::Int(0), value_expr(operand, calls, index))
        }
        ast::Expr::Literal(Literal::Percent(n)) => Expr::Float(n.value / 100.0),
        ast::Expr::Literal(l) => literal(l),
        ast::Expr::Call { .. } => {
            let i = *index;
            *index += 1;
            let value = field(&format!("p{i}"), "value");
            match calls[i].function {
                "count" | "count_distinct" | "sum" => func(
                    "COALESCE",
                    vec![Expr::ToFloat(Box::new(value)), Expr::Float(0.0)],
                ),
                _ => value,
            }
        }
        ast::Expr::Path(_) => Expr::Null,
    }
}
