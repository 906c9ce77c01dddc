//! Metrics and their units, targets, goals, vanity metrics.

use std::collections::HashSet;

use super::{Ctx, MetricFacts, all, first, single_fields};
use crate::check::dates;
use crate::check::scope::{Decl, Kind};
use crate::check::units::{Typer, currency_mismatch, literal_word};
use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::ast::*;

pub fn check(ctx: &mut Ctx<'_, '_>) {
    let scope = ctx.scope;
    for decl in scope.of_kind(Kind::Metric) {
        if let Decl::Metric(m) = decl {
            metric(ctx, m);
        }
    }
    for target in scope.targets.clone() {
        self::target(ctx, target);
    }
    for decl in scope.of_kind(Kind::Goal) {
        if let Decl::Goal(g) = decl {
            goal(ctx, g);
        }
    }
    usage(ctx);
    outcomes(ctx);
}

fn metric<'a>(ctx: &mut Ctx<'_, 'a>, metric: &'a Metric) {
    let scope = ctx.scope;
    let name = &metric.name;
    single_fields(
        &metric.fields,
        |f| match f {
            MetricField::Value { .. } => Some("value"),
            MetricField::Attributed(_) => Some("attributed"),
            MetricField::By(_) => Some("by"),
            MetricField::Indicator(_) => Some("indicator"),
            MetricField::Owner(_) => Some("owner"),
            MetricField::Unit(_) => Some("unit"),
        },
        ctx.diagnostics,
    );
    let mut facts = MetricFacts::default();
    match first(&metric.fields, |f| match f {
        MetricField::Value { expr, filter } => Some((expr, filter)),
        _ => None,
    }) {
        Some(((expr, filter), _)) => {
            let mut typer = Typer::new(scope, ctx.diagnostics);
            facts.quantity = typer.metric_value(expr);
            if let Some(filter) = filter {
                typer.condition(filter, None);
            }
            facts.reads = typer.reads;
        }
        None => ctx.missing(
            "metric",
            name,
            "value",
            "say how it is computed: `value count_distinct(purchase.customer)`",
        ),
    }
    let declared = first(&metric.fields, |f| match f {
        MetricField::Unit(u) => Some(u),
        _ => None,
    });
    facts.unit = match (declared, facts.quantity) {
        (Some((unit, _)), Some(quantity)) => {
            if !quantity.fits(unit.value) {
                ctx.push(
                    Diagnostic::new(
                        codes::DECLARED_UNIT,
                        format!(
                            "metric `{}` is declared in {} but its value is {}",
                            name.name,
                            unit.value.word(),
                            quantity.word()
                        ),
                    )
                    .with_label(unit.span, format!("declared {}", unit.value.word()))
                    .with_help(match quantity.default_unit() {
                        Some(u) => format!("write `unit {}`, or change the value", u.word()),
                        None => "change the unit or the value".to_string(),
                    }),
                );
                // Reported once here; targets are not judged against either unit.
                None
            } else {
                Some(unit.value)
            }
        }
        (Some((unit, _)), None) => Some(unit.value),
        (None, Some(quantity)) => quantity.default_unit(),
        (None, None) => None,
    };
    if first(&metric.fields, |f| match f {
        MetricField::Indicator(i) => Some(i),
        _ => None,
    })
    .is_none()
    {
        ctx.missing(
            "metric",
            name,
            "indicator",
            "say whether it is an early signal or a result: `indicator leading` or `indicator lagging`",
        );
    }
    match first(&metric.fields, |f| match f {
        MetricField::Owner(o) => Some(o),
        _ => None,
    }) {
        Some((owner, _)) => {
            scope.party(owner, ctx.diagnostics);
        }
        None => ctx.report(
            codes::METRIC_OWNER,
            name.span,
            format!("metric `{}` has no owner", name.name),
            "no `owner`",
            "every number needs a party that answers for it: `owner PARTY`",
        ),
    }
    if let Some((attribution, _)) = first(&metric.fields, |f| match f {
        MetricField::Attributed(a) => Some(a),
        _ => None,
    }) {
        scope.attribution(attribution, ctx.diagnostics);
    }
    for segments in all(&metric.fields, |f| match f {
        MetricField::By(s) => Some(s),
        _ => None,
    }) {
        for segment in segments {
            scope.segment(segment, ctx.diagnostics);
        }
    }
    ctx.metrics.insert(&name.name, facts);
}

/// Checks that a threshold fits a metric's unit. Returns false on a misfit.
pub fn goalpost_fits(ctx: &mut Ctx<'_, '_>, metric: &Ident, goalpost: &Goalpost) -> bool {
    let unit = ctx.metrics.get(metric.name.as_str()).and_then(|f| f.unit);
    let values: Vec<&Literal> = match goalpost {
        Goalpost::AtLeast { value } | Goalpost::AtMost { value } => vec![value],
        Goalpost::Between { low, high } => vec![low, high],
        // A relative target works on any unit.
        Goalpost::Change { .. } => return true,
    };
    let mut fits = true;
    for value in values {
        if let Literal::Money(money) = value
            && let Some(currency) = ctx.scope.header.currency
            && money.currency.code != currency.value.code
        {
            ctx.push(currency_mismatch(money, &currency.value));
        }
        let Some(unit) = unit else { continue };
        let ok = match (unit, value) {
            (Unit::Count | Unit::Score, Literal::Number(_)) => true,
            (Unit::Percent, Literal::Percent(_)) => true,
            (Unit::Ratio, Literal::Percent(_) | Literal::Number(_)) => true,
            (Unit::Money, Literal::Money(_)) => true,
            (Unit::Days, Literal::Number(_)) => true,
            (Unit::Days, Literal::Duration(d)) => d.unit != TimeUnit::Hour,
            _ => false,
        };
        if !ok {
            fits = false;
            let example = match unit {
                Unit::Count => "a plain number, such as `200`",
                Unit::Score => "a plain number, such as `40`",
                Unit::Percent => "a percentage, such as `25%`",
                Unit::Ratio => "a percentage or a plain ratio, such as `25%` or `0.25`",
                Unit::Money => "an amount with its currency, such as `500 USD`",
                Unit::Days => "a number of days, such as `14 days`",
            };
            ctx.push(
                Diagnostic::new(
                    codes::TARGET_UNIT,
                    format!(
                        "`{}` is measured in {}, but this threshold is {}",
                        metric.name,
                        unit.word(),
                        match value {
                            Literal::Duration(d) if d.unit == TimeUnit::Hour =>
                                "a duration in hours",
                            other => literal_word(other),
                        }
                    ),
                )
                .with_label(value.span(), format!("{} threshold", literal_word(value)))
                .with_help(format!(
                    "write {example}; for a change relative to a baseline, write `increase 15%`"
                )),
            );
        }
    }
    if let Goalpost::Between { low, high } = goalpost
        && let (Some(l), Some(h)) = (comparable(low, unit), comparable(high, unit))
        && l > h
    {
        ctx.push(
            Diagnostic::new(
                codes::TARGET_RANGE,
                "the range's low end is above its high end",
            )
            .with_label(low.span().to(high.span()), "empty range")
            .with_help("write the lower bound first: `between LOW and HIGH`"),
        );
    }
    fits
}

/// A threshold as a number that compares across the ways of writing it:
/// for a ratio, `25%` and `0.25` are the same value.
fn comparable(literal: &Literal, unit: Option<Unit>) -> Option<f64> {
    match (literal, unit) {
        (Literal::Percent(p), Some(Unit::Ratio)) => Some(p.value / 100.0),
        _ => number(literal),
    }
}

fn number(literal: &Literal) -> Option<f64> {
    match literal {
        Literal::Number(n) | Literal::Percent(n) => Some(n.value),
        Literal::Money(m) => Some(m.amount),
        Literal::Duration(d) => Some(dates::approx_days(d)),
        _ => None,
    }
}

fn target(ctx: &mut Ctx<'_, '_>, target: &Target) {
    let scope = ctx.scope;
    if scope.metric(&target.metric, ctx.diagnostics).is_none() {
        return;
    }
    goalpost_fits(ctx, &target.metric, &target.goalpost);
    let mut pilot_of_deadline = None;
    if let Some(deadline) = &target.deadline {
        let effective = scope.effective_days();
        let (day, what) = match &deadline.value {
            Deadline::By { date } => (Some(dates::day_number(date)), "the deadline".to_string()),
            // A window of D starting on day S covers S .. S + D - 1.
            Deadline::Within { duration, of: None } => (
                effective.map(|(start, _)| dates::add(start, duration) - 1),
                format!(
                    "{} from the start of the agreement",
                    crate::check::rules::data::show_duration(duration)
                ),
            ),
            Deadline::Within {
                duration,
                of: Some(pilot),
            } => {
                let pilot = scope.pilot(pilot, ctx.diagnostics);
                pilot_of_deadline = pilot;
                let start = pilot.and_then(pilot_start);
                (
                    start.map(|s| dates::add(s, duration) - 1),
                    format!(
                        "{} from the start of the pilot",
                        crate::check::rules::data::show_duration(duration)
                    ),
                )
            }
        };
        if let (Some(day), Some((start, end))) = (day, effective)
            && (day < start || day > end)
        {
            ctx.push(
                Diagnostic::new(
                    codes::DEADLINE_OUTSIDE,
                    format!(
                        "{what} ({}) is outside the effective period {} to {}",
                        dates::show(day),
                        dates::show(start),
                        dates::show(end)
                    ),
                )
                .with_label(deadline.span, "outside the agreement")
                .with_help("a target can only be judged while the agreement is in force; move the deadline or extend `effective`"),
            );
        }
    }
    if let Goalpost::Change {
        baseline,
        direction,
        ..
    } = &target.goalpost
    {
        match baseline {
            Some(range) => {
                super::range_in_order(ctx, range, "baseline");
            }
            None => {
                let pilot_has_comparison = pilot_of_deadline.is_some_and(|p| {
                    p.fields.iter().any(|f| {
                        matches!(
                            f.value,
                            PilotField::Baseline(_)
                                | PilotField::ControlPartners(_)
                                | PilotField::ControlCustomers(_)
                        )
                    })
                });
                let of_pilot = matches!(
                    target.deadline.as_ref().map(|d| &d.value),
                    Some(Deadline::Within { of: Some(_), .. })
                );
                // A target counted from an unknown pilot is reported as
                // unknown already.
                let unknown_pilot = of_pilot && pilot_of_deadline.is_none();
                if !(pilot_has_comparison || unknown_pilot) {
                    ctx.push(
                        Diagnostic::new(
                            codes::RELATIVE_TARGET_BASELINE,
                            format!(
                                "`{}` must {} relative to a baseline, but none is given",
                                target.metric.name,
                                match direction.value {
                                    Direction::Increase => "increase",
                                    Direction::Decrease => "decrease",
                                }
                            ),
                        )
                        .with_label(direction.span, "relative to what?")
                        .with_help(
                            "add `over baseline START to END`, or count the target from a pilot \
                             with a baseline or control group: `within 90 days of PILOT`",
                        ),
                    );
                }
            }
        }
    }
}

/// The first day of a pilot, when written.
pub fn pilot_start(pilot: &Pilot) -> Option<i64> {
    first(&pilot.fields, |f| match f {
        PilotField::During(r) => Some(dates::day_number(&r.start)),
        _ => None,
    })
    .map(|(d, _)| d)
}

fn goal(ctx: &mut Ctx<'_, '_>, goal: &Goal) {
    let scope = ctx.scope;
    let name = &goal.name;
    single_fields(
        &goal.fields,
        |f| match f {
            GoalField::Party(_) => Some("party"),
            GoalField::Outcome(_) => Some("outcome"),
            GoalField::Owner(_) => Some("owner"),
            GoalField::MeasuredBy(_) => None,
        },
        ctx.diagnostics,
    );
    match first(&goal.fields, |f| match f {
        GoalField::Party(p) => Some(p),
        _ => None,
    }) {
        Some((party, _)) => {
            scope.party(party, ctx.diagnostics);
        }
        None => ctx.missing("goal", name, "party", "say whose goal it is: `party PARTY`"),
    }
    if first(&goal.fields, |f| match f {
        GoalField::Outcome(o) => Some(o),
        _ => None,
    })
    .is_none()
    {
        ctx.missing(
            "goal",
            name,
            "outcome",
            "say which outcome it serves: `outcome acquisition`, `retention` or `value`",
        );
    }
    if let Some((owner, _)) = first(&goal.fields, |f| match f {
        GoalField::Owner(o) => Some(o),
        _ => None,
    }) {
        scope.party(owner, ctx.diagnostics);
    }
    let measured: Vec<&Ident> = all(&goal.fields, |f| match f {
        GoalField::MeasuredBy(m) => Some(m),
        _ => None,
    })
    .into_iter()
    .flatten()
    .collect();
    let mut any_known = false;
    let mut with_target = false;
    for metric in &measured {
        if scope.metric(metric, ctx.diagnostics).is_some() {
            any_known = true;
            if scope.targets.iter().any(|t| t.metric.name == metric.name) {
                with_target = true;
            }
        }
    }
    if measured.is_empty() || (any_known && !with_target) {
        ctx.push(
            Diagnostic::new(
                codes::GOAL_WITHOUT_TARGET,
                if measured.is_empty() {
                    format!("goal `{}` is measured by no metric", name.name)
                } else {
                    format!("goal `{}` is measured by no metric that has a target", name.name)
                },
            )
            .with_label(name.span, "progress cannot be judged")
            .with_help("measure it with a metric (`measured by METRIC`) and give that metric a target (`target METRIC at least ...`)"),
        );
    }
}

/// Vanity metrics (serving no goal and no incentive) and unused metrics.
fn usage(ctx: &mut Ctx<'_, '_>) {
    let scope = ctx.scope;
    let mut serves: HashSet<&str> = HashSet::new();
    let mut used: HashSet<&str> = HashSet::new();
    for decl in scope.decls.iter().copied() {
        match decl {
            Decl::Goal(g) => {
                for m in all(&g.fields, |f| match f {
                    GoalField::MeasuredBy(m) => Some(m),
                    _ => None,
                })
                .into_iter()
                .flatten()
                {
                    serves.insert(&m.name);
                }
            }
            Decl::Incentive(i) => {
                for name in incentive_metrics(i) {
                    serves.insert(name);
                }
            }
            Decl::Pilot(p) => {
                for field in &p.fields {
                    match &field.value {
                        PilotField::Outputs(ms) => used.extend(ms.iter().map(|m| m.name.as_str())),
                        PilotField::Expect(e) => {
                            used.insert(&e.metric.name);
                        }
                        _ => {}
                    }
                }
            }
            Decl::Scorecard(s) => {
                for ms in all(&s.fields, |f| match f {
                    ScorecardField::Metrics(m) => Some(m),
                    _ => None,
                }) {
                    used.extend(ms.iter().map(|m| m.name.as_str()));
                }
            }
            _ => {}
        }
    }
    for target in &scope.targets {
        used.insert(&target.metric.name);
    }
    for decl in scope.of_kind(Kind::Metric) {
        let name = decl.name();
        if serves.contains(name.name.as_str()) {
            continue;
        }
        if used.contains(name.name.as_str()) {
            ctx.report(
                codes::VANITY_METRIC,
                name.span,
                format!(
                    "`{}` serves no goal and no incentive: a vanity metric",
                    name.name
                ),
                "tracked, but tied to nothing",
                "add it to a goal's `measured by` (or an incentive), or remove it",
            );
        } else {
            ctx.report(
                codes::UNUSED_METRIC,
                name.span,
                format!("metric `{}` is used nowhere", name.name),
                "not in any goal, target, pilot, scorecard or incentive",
                "measure a goal with it, put it on a scorecard, or remove it",
            );
        }
    }
}

/// The metrics an incentive pays on or is conditioned on.
pub fn incentive_metrics(incentive: &Incentive) -> Vec<&str> {
    let mut names = Vec::new();
    for field in &incentive.fields {
        match &field.value {
            IncentiveField::Pay { payment, .. } => match payment {
                Payment::ShareOfMetric { metric, .. } | Payment::AmountPerMetric { metric, .. } => {
                    names.push(metric.name.as_str());
                }
                Payment::ShareOfAttributed { .. } => {}
            },
            IncentiveField::When(conditions) => {
                names.extend(conditions.iter().map(|c| c.metric.name.as_str()));
            }
            IncentiveField::Cap { .. } => {}
        }
    }
    names
}

/// Each outcome has a goal, or the agreement says why not.
fn outcomes(ctx: &mut Ctx<'_, '_>) {
    let scope = ctx.scope;
    let mut covered: Vec<Outcome> = scope
        .header
        .no_goals
        .iter()
        .map(|n| n.value.outcome.value)
        .collect();
    for decl in scope.of_kind(Kind::Goal) {
        if let Decl::Goal(g) = decl
            && let Some((o, _)) = first(&g.fields, |f| match f {
                GoalField::Outcome(o) => Some(o.value),
                _ => None,
            })
        {
            covered.push(o);
        }
    }
    for outcome in [Outcome::Acquisition, Outcome::Retention, Outcome::Value] {
        if !covered.contains(&outcome) {
            ctx.report(
                codes::OUTCOME_WITHOUT_GOAL,
                scope.name.span,
                format!("no goal for {}", outcome.word()),
                &format!("no `outcome {}` goal", outcome.word()),
                &format!(
                    "add a goal with `outcome {0}`, or write `no goal for {0} \"REASON\"` to record the decision",
                    outcome.word()
                ),
            );
        }
    }
}
