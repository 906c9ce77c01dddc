//! Building blocks of the scorecard, target, pilot and incentive queries:
//! a metric's query embedded as CTEs (per period, or over one window of
//! days), what kind of figure a metric gives, goalposts as numbers, and
//! the interval statistics of docs/scorecard.md.

use super::{Options, Planned, Window};
use crate::check::dates;
use crate::functions::Lowering;
use crate::model::{Agreement, Metric};
use crate::sql::tree::{self, Cte, Expr, Op, Period, bin, func};
use crate::syntax::ast::{self, *};

/// How a metric's value behaves when its window grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Counts (`count`, `count_distinct`): the value grows with the window,
    /// so windows of different lengths are compared after scaling, and
    /// compared with Poisson rate-ratio intervals.
    Count,
    /// Sums, alone or with counts: scaled like counts, but an amount of
    /// money is no count of events, so no Poisson interval.
    Sum,
    /// One `conversion_rate`, `upsell_rate` or `retention` call: a share of
    /// customers, compared with Wilson and Newcombe intervals.
    Rate,
    /// Averages, ratios, medians, NPS, churn: compared as they are.
    Other,
}

impl Shape {
    /// Whether the value grows with the length of its window.
    pub fn extensive(self) -> bool {
        matches!(self, Shape::Count | Shape::Sum)
    }
}

pub fn shape(metric: &Metric<'_>) -> Shape {
    let Some((expr, _)) = metric.value else {
        return Shape::Other;
    };
    if let ast::Expr::Call { function, .. } = expr
        && matches!(
            crate::functions::lowering(&function.name),
            Some(Lowering::Rate(_))
        )
    {
        return Shape::Rate;
    }
    fn extensive(e: &ast::Expr, sums: &mut bool) -> bool {
        match e {
            ast::Expr::Call { function, .. } => {
                let lowering = crate::functions::lowering(&function.name);
                *sums |= lowering == Some(Lowering::Sum);
                lowering.is_some_and(Lowering::zero_when_empty)
            }
            ast::Expr::Binary {
                op: BinOp::Add | BinOp::Sub,
                lhs,
                rhs,
                ..
            } => extensive(lhs, sums) && extensive(rhs, sums),
            ast::Expr::Binary {
                op: BinOp::Mul,
                lhs,
                rhs,
                ..
            } => {
                (extensive(lhs, sums) && matches!(**rhs, ast::Expr::Literal(_)))
                    || (extensive(rhs, sums) && matches!(**lhs, ast::Expr::Literal(_)))
            }
            ast::Expr::Neg { operand, .. } => extensive(operand, sums),
            _ => false,
        }
    }
    let mut sums = false;
    match (extensive(expr, &mut sums), sums) {
        (true, false) => Shape::Count,
        (true, true) => Shape::Sum,
        (false, _) => Shape::Other,
    }
}

/// Whether a metric has per-partner groups (`attributed`).
pub fn attributed(metric: &Metric<'_>) -> bool {
    metric.attributed.is_some()
}

/// A metric's query as CTEs named `<prefix>_...`, its rows in the CTE
/// `<prefix>` (`period_start`, `segment`, `segment_value`, `value`,
/// `customers`): per period, or over `window`. `extra` is ANDed to the
/// metric's `where` (control groups of customers).
pub fn metric_ctes(
    agreement: &Agreement<'_>,
    metric: &Metric<'_>,
    options: &Options,
    window: Option<Window>,
    extra: Option<Condition>,
    prefix: &str,
) -> Result<Vec<Cte>, String> {
    let options = Options {
        window,
        ..options.clone()
    };
    let extra_used = extra.is_some();
    let planned = match extra {
        None => super::metrics::plan(agreement, metric, &options)?,
        Some(extra) => {
            let (expr, own) = metric.value.ok_or("it has no value")?;
            let span = extra.span();
            let filter = match own {
                None => extra,
                Some(own) => Condition::And {
                    operands: vec![own.clone(), extra],
                    span,
                },
            };
            let metric = Metric {
                value: Some((expr, Some(&filter))),
                ..metric.clone()
            };
            super::metrics::plan(agreement, &metric, &options)?
        }
    };
    Ok(match (&options.window, extra_used) {
        (None, false) => embed(planned, prefix, &options),
        _ => planned.query.into_ctes(prefix),
    })
}

/// A planned query as the CTEs `<prefix>...` of a larger one, or, when the
/// engine holds its results already (`Options::reuse`), one CTE reading
/// them.
pub fn embed(planned: Planned, prefix: &str, options: &Options) -> Vec<Cte> {
    if !options.reuse.contains(&planned.id) {
        return planned.query.into_ctes(prefix);
    }
    vec![Cte {
        name: prefix.to_string(),
        body: tree::Body::Select(Box::new(tree::Select {
            columns: planned
                .columns
                .iter()
                .map(|c| tree::item(tree::field("r", &c.name), &c.name))
                .collect(),
            from: Some(tree::From::Table {
                path: vec![super::reused_table(&planned.id)],
                alias: "r".to_string(),
            }),
            ..tree::Select::default()
        })),
    }]
}

/// A date of the spec as a day number.
pub fn day(date: &Date) -> i64 {
    dates::day_number(date)
}

pub fn date_expr(day: i64) -> Expr {
    Expr::Date(dates::show(day))
}

/// The last day of a window of `duration` starting on `start` (the window
/// includes its first day: 90 days from 2026-01-01 end on 2026-03-31).
pub fn window_end(start: i64, duration: &Duration) -> i64 {
    dates::add(start, duration) - 1
}

/// A goalpost's written value as a number of the metric's scale: percents
/// become fractions, durations days, money its amount.
pub fn value(literal: &Literal) -> f64 {
    match literal {
        Literal::Percent(n) => n.value / 100.0,
        Literal::Number(n) => n.value,
        Literal::Money(m) => m.amount,
        Literal::Duration(d) => dates::approx_days(d),
        Literal::Date(_) | Literal::String(_) | Literal::Bool(_) => 0.0,
    }
}

/// The target's relative change as a signed fraction: 0.15 for
/// `increase 15%`, -0.1 for `decrease 10%`, 0 for a bare `increase`.
pub fn change(direction: Direction, amount: Option<&Number>) -> f64 {
    let a = amount.map_or(0.0, |n| n.value / 100.0);
    match direction {
        Direction::Increase => a,
        Direction::Decrease => -a,
    }
}

/// Days in the period starting on `start` (a date expression).
pub fn period_days(period: Period, start: Expr) -> Expr {
    Expr::DaysBetween {
        start: Box::new(start.clone()),
        end: Box::new(Expr::AddPeriods {
            period,
            count: 1,
            date: Box::new(start),
        }),
    }
}

/// Days of the window `start` to `end`, both included.
pub fn window_days(start: Expr, end: Expr) -> Expr {
    bin(
        Op::Add,
        Expr::DaysBetween {
            start: Box::new(start),
            end: Box::new(end),
        },
        Expr::Int(1),
    )
}

pub fn float(e: Expr) -> Expr {
    Expr::ToFloat(Box::new(e))
}

pub fn lit(v: f64) -> Expr {
    Expr::Float(v)
}

pub fn add(a: Expr, b: Expr) -> Expr {
    bin(Op::Add, a, b)
}

pub fn sub(a: Expr, b: Expr) -> Expr {
    bin(Op::Sub, a, b)
}

pub fn mul(a: Expr, b: Expr) -> Expr {
    bin(Op::Mul, a, b)
}

pub fn div(a: Expr, b: Expr) -> Expr {
    Expr::SafeDiv(Box::new(a), Box::new(b))
}

pub fn sqrt(a: Expr) -> Expr {
    func("SQRT", vec![a])
}

pub fn is_null(e: Expr) -> Expr {
    Expr::IsNull {
        expr: Box::new(e),
        negated: false,
    }
}

pub fn when(cond: Expr, then: Expr, otherwise: Expr) -> Expr {
    tree::case(vec![(cond, then)], otherwise)
}

pub fn text(value: &str) -> Expr {
    Expr::Str(value.to_string())
}

pub fn no_text() -> Expr {
    Expr::ToText(Box::new(Expr::Null))
}

/// The 97.5% quantile of the standard normal distribution.
pub const Z: f64 = 1.959_963_984_540_054;

/// Wilson score interval of a share `p` of `n`: (low, high).
pub fn wilson(p: &Expr, n: &Expr) -> (Expr, Expr) {
    let z2 = Z * Z;
    let centre = add(p.clone(), div(lit(z2 / 2.0), n.clone()));
    let spread = mul(
        lit(Z),
        sqrt(add(
            div(mul(p.clone(), sub(lit(1.0), p.clone())), n.clone()),
            div(lit(z2 / 4.0), mul(n.clone(), n.clone())),
        )),
    );
    let scale = add(lit(1.0), div(lit(z2), n.clone()));
    (
        div(sub(centre.clone(), spread.clone()), scale.clone()),
        div(add(centre, spread), scale),
    )
}

/// Newcombe's hybrid score interval of `p1 - p0`: (low, high).
pub fn newcombe(p1: &Expr, n1: &Expr, p0: &Expr, n0: &Expr) -> (Expr, Expr) {
    let (l1, u1) = wilson(p1, n1);
    let (l0, u0) = wilson(p0, n0);
    let square = |e: Expr| mul(e.clone(), e);
    let d = sub(p1.clone(), p0.clone());
    let below = sqrt(add(
        square(sub(p1.clone(), l1)),
        square(sub(u0, p0.clone())),
    ));
    let above = sqrt(add(
        square(sub(u1, p1.clone())),
        square(sub(p0.clone(), l0)),
    ));
    (sub(d.clone(), below), add(d, above))
}

/// The bounds of `exp(ln r ± z·sqrt(1/x1 + 1/x0)) - 1`, the Poisson
/// rate-ratio interval of a lift `r - 1`, for counts x1 and x0 above 0.
pub fn poisson(ratio: &Expr, x1: &Expr, x0: &Expr) -> (Expr, Expr) {
    let half = mul(
        lit(Z),
        sqrt(add(div(lit(1.0), x1.clone()), div(lit(1.0), x0.clone()))),
    );
    let ln = func("LN", vec![ratio.clone()]);
    (
        sub(func("EXP", vec![sub(ln.clone(), half.clone())]), lit(1.0)),
        sub(func("EXP", vec![add(ln, half)]), lit(1.0)),
    )
}

/// The verdict of a lift against a target lift, by the rule of
/// docs/scorecard.md: for an increase, `met` when the lift reaches the
/// target and the interval is above 0; `inconclusive` when the interval
/// holds both 0 and the target (or there is no lift); else `not met`. A
/// decrease mirrors it. Without an interval, the point estimate decides.
pub fn verdict(lift: Expr, bounds: Option<(Expr, Expr)>, target: f64) -> Expr {
    judgement(lift, bounds, target).0
}

/// The verdict of [`verdict`] and, when it is `inconclusive`, why (NULL
/// otherwise).
pub fn judgement(lift: Expr, bounds: Option<(Expr, Expr)>, target: f64) -> (Expr, Expr) {
    let (lift, bounds, target) = if target < 0.0 {
        let neg = |e: Expr| sub(lit(0.0), e);
        (
            neg(lift),
            bounds.map(|(low, high)| (neg(high), neg(low))),
            -target,
        )
    } else {
        (lift, bounds, target)
    };
    let reaches = bin(Op::Ge, lift.clone(), lit(target));
    let inconclusive = |reason: &str| (text("inconclusive"), text(reason));
    let decided = |verdict: &str| (text(verdict), no_text());
    let mut whens = vec![(
        is_null(lift),
        inconclusive("no lift: a figure is empty or the one compared with is zero"),
    )];
    match bounds {
        Some((low, high)) => {
            whens.push((
                bin(Op::And, reaches, bin(Op::Gt, low.clone(), lit(0.0))),
                decided("met"),
            ));
            let contains = |x: f64| {
                bin(
                    Op::And,
                    bin(Op::Le, low.clone(), lit(x)),
                    bin(Op::Ge, high.clone(), lit(x)),
                )
            };
            whens.push((
                bin(Op::Or, is_null(low.clone()), is_null(high.clone())),
                inconclusive("no interval: a count is zero"),
            ));
            whens.push((
                bin(Op::And, contains(0.0), contains(target)),
                inconclusive("the interval holds both no change and the target"),
            ));
        }
        None => whens.push((reaches, decided("met"))),
    }
    let verdict = tree::case(
        whens
            .iter()
            .map(|(c, (v, _))| (c.clone(), v.clone()))
            .collect(),
        text("not met"),
    );
    let reason = tree::case(
        whens.into_iter().map(|(c, (_, r))| (c, r)).collect(),
        no_text(),
    );
    (verdict, reason)
}

/// A difference-in-differences comparison: the treatment group's change
/// from `t0` (before) to `t1` (during the pilot) against the control
/// group's from `c0` to `c1`, with the customers behind each figure.
/// Counts: the ratio of the two ratios, `(t1/t0) / (c1/c0)`, with a Poisson
/// interval on its logarithm; rates: the difference of the differences
/// over `t0`, with a normal interval; other figures: the ratio of ratios
/// (sums) or the difference of differences over `t0`, without interval.
pub struct Groups {
    pub t1: (Expr, Expr),
    pub t0: (Expr, Expr),
    pub c1: (Expr, Expr),
    pub c0: (Expr, Expr),
}

pub fn did(shape: Shape, g: Groups) -> Comparison {
    let (t1, t0, c1, c0) = (
        float(g.t1.0.clone()),
        float(g.t0.0.clone()),
        float(g.c1.0.clone()),
        float(g.c0.0.clone()),
    );
    match shape {
        Shape::Count => {
            let ratio = div(div(t1.clone(), t0.clone()), div(c1.clone(), c0.clone()));
            let positive = [&t1, &t0, &c1, &c0]
                .into_iter()
                .map(|x| bin(Op::Gt, x.clone(), lit(0.0)))
                .reduce(|a, b| bin(Op::And, a, b))
                .expect("four figures");
            let half = mul(
                lit(Z),
                sqrt(
                    [&t1, &t0, &c1, &c0]
                        .into_iter()
                        .map(|x| div(lit(1.0), x.clone()))
                        .reduce(add)
                        .expect("four figures"),
                ),
            );
            let ln = func("LN", vec![ratio.clone()]);
            let bound = |e: Expr| {
                when(
                    positive.clone(),
                    sub(func("EXP", vec![e]), lit(1.0)),
                    Expr::Null,
                )
            };
            Comparison {
                lift: sub(ratio, lit(1.0)),
                bounds: Some((bound(sub(ln.clone(), half.clone())), bound(add(ln, half)))),
                method: "did rate ratio",
            }
        }
        Shape::Rate => {
            let d = sub(sub(t1.clone(), t0.clone()), sub(c1.clone(), c0.clone()));
            let variance = [
                (&t1, &g.t1.1),
                (&t0, &g.t0.1),
                (&c1, &g.c1.1),
                (&c0, &g.c0.1),
            ]
            .into_iter()
            .map(|(p, n)| div(mul(p.clone(), sub(lit(1.0), p.clone())), float(n.clone())))
            .reduce(add)
            .expect("four figures");
            let half = mul(lit(Z), sqrt(variance));
            Comparison {
                lift: div(d.clone(), t0.clone()),
                bounds: Some((
                    div(sub(d.clone(), half.clone()), t0.clone()),
                    div(add(d, half), t0),
                )),
                method: "did normal",
            }
        }
        Shape::Sum => Comparison {
            lift: sub(div(div(t1, t0), div(c1, c0)), lit(1.0)),
            bounds: None,
            method: "did point estimate",
        },
        Shape::Other => Comparison {
            lift: div(sub(sub(t1, t0.clone()), sub(c1, c0)), t0),
            bounds: None,
            method: "did point estimate",
        },
    }
}

/// A treatment figure against a baseline: the lift, its 95% interval when
/// the metric's shape has one, and the method's name.
pub struct Comparison {
    pub lift: Expr,
    pub bounds: Option<(Expr, Expr)>,
    pub method: &'static str,
}

/// Compares `x1` (from `n1` customers) with `x0` (from `n0`), the
/// baseline's value scaled by `scale` (the treatment window's length over
/// the baseline's, for extensive metrics; 1 otherwise).
pub fn compare(shape: Shape, x1: Expr, n1: Expr, x0: Expr, n0: Expr, scale: Expr) -> Comparison {
    match shape {
        Shape::Rate => {
            let (p1, p0) = (float(x1), float(x0));
            let (n1, n0) = (float(n1), float(n0));
            let (low, high) = newcombe(&p1, &n1, &p0, &n0);
            Comparison {
                lift: div(sub(p1.clone(), p0.clone()), p0.clone()),
                bounds: Some((div(low, p0.clone()), div(high, p0))),
                method: "newcombe",
            }
        }
        Shape::Count => {
            let ratio = div(float(x1.clone()), mul(float(x0.clone()), scale));
            let (low, high) = poisson(&ratio, &float(x1.clone()), &float(x0.clone()));
            let counted = bin(
                Op::And,
                bin(Op::Gt, x1, lit(0.0)),
                bin(Op::Gt, x0, lit(0.0)),
            );
            Comparison {
                lift: sub(ratio, lit(1.0)),
                bounds: Some((
                    when(counted.clone(), low, Expr::Null),
                    when(counted, high, Expr::Null),
                )),
                method: "poisson rate ratio",
            }
        }
        Shape::Sum | Shape::Other => Comparison {
            lift: sub(div(float(x1), mul(float(x0), scale)), lit(1.0)),
            bounds: None,
            method: "point estimate",
        },
    }
}

/// `<name>`: one row whose `source` names the first of `sources` (by name)
/// with no row in `window`, NULL when each has rows. A figure read from a
/// source that is empty over its window is no data, never a zero or a
/// failure (docs/scorecard.md, "No data").
pub fn empty_source(
    sources: &[&crate::model::Source<'_>],
    window: &Window,
    options: &Options,
    name: &str,
) -> Vec<Cte> {
    let counts = sources
        .iter()
        .map(|source| tree::Select {
            columns: vec![
                tree::item(text(source.name()), "source"),
                tree::item(Expr::CountStar, "n"),
            ],
            from: Some(tree::From::Table {
                path: super::table_path(source, options),
                alias: "r".to_string(),
            }),
            filter: Some(super::metrics::within(
                super::source_column("r", source, "time"),
                window,
            )),
            ..tree::Select::default()
        })
        .collect::<Vec<_>>();
    let counts_name = format!("{name}_counts");
    let mut ctes = Vec::new();
    let from = if counts.is_empty() {
        None
    } else {
        ctes.push(Cte {
            name: counts_name.clone(),
            body: tree::Body::UnionAll(counts),
        });
        Some(tree::cte(&counts_name, "c"))
    };
    ctes.push(Cte {
        name: name.to_string(),
        body: tree::Body::Select(Box::new(match from {
            Some(from) => tree::Select {
                columns: vec![tree::item(
                    func("MIN", vec![tree::field("c", "source")]),
                    "source",
                )],
                from: Some(from),
                filter: Some(bin(Op::Eq, tree::field("c", "n"), Expr::Int(0))),
                ..tree::Select::default()
            },
            None => tree::Select {
                columns: vec![tree::item(no_text(), "source")],
                ..tree::Select::default()
            },
        })),
    });
    ctes
}
