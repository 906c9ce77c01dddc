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
    let mut whens = vec![(is_null(lift), text("inconclusive"))];
    match bounds {
        Some((low, high)) => {
            whens.push((
                bin(Op::And, reaches, bin(Op::Gt, low.clone(), lit(0.0))),
                text("met"),
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
                text("inconclusive"),
            ));
            whens.push((
                bin(Op::And, contains(0.0), contains(target)),
                text("inconclusive"),
            ));
        }
        None => whens.push((reaches, text("met"))),
    }
    tree::case(whens, text("not met"))
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
