//! The header, pilots, scorecards, reviews, the roadmap (initiatives and
//! evidence), amendments, incentives and audits.

use std::collections::HashMap;

use super::data::{is_partner, show_duration};
use super::metrics::{goalpost_fits, incentive_metrics};
use super::{Ctx, all, first, range_in_order, single_fields};
use crate::check::dates;
use crate::check::scope::{Decl, Kind};
use crate::check::units::{Typer, currency_mismatch};
use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::ast::*;
use crate::syntax::format;
use crate::syntax::span::Span;

pub fn check(ctx: &mut Ctx<'_, '_>) {
    header(ctx);
    let scope = ctx.scope;
    for decl in scope.decls.iter().copied() {
        if !scope.is_own(decl.name().span) {
            continue;
        }
        match decl {
            Decl::Pilot(p) => pilot(ctx, p),
            Decl::Scorecard(s) => scorecard(ctx, s),
            Decl::Review(r) => review(ctx, r),
            Decl::Initiative(i) => initiative(ctx, i),
            Decl::Evidence(e) => evidence(ctx, e),
            Decl::Incentive(i) => incentive(ctx, i),
            _ => {}
        }
    }
    initiative_order(ctx);
    for amendment in scope.amendments.clone() {
        self::amendment(ctx, amendment);
    }
    amendment_versions(ctx);
    for audit in scope.audits.clone() {
        self::audit(ctx, audit);
    }
}

fn header(ctx: &mut Ctx<'_, '_>) {
    let scope = ctx.scope;
    let h = &scope.header;
    let name = scope.name;
    let required = [
        (
            h.version.is_none(),
            "version",
            "number the agreement's revisions: `version 1`",
        ),
        (
            h.effective.is_none(),
            "effective",
            "give the period it is in force: `effective 2026-01-01 to 2026-12-31`",
        ),
        (
            h.currency.is_none(),
            "currency",
            "name the currency of every amount: `currency USD`",
        ),
        (
            h.timezone.is_none(),
            "timezone",
            "name the time zone of day boundaries: `timezone \"UTC\"`",
        ),
    ];
    for (missing, field, help) in required {
        if missing {
            ctx.missing("agreement", name, field, help);
        }
    }
    if let Some(effective) = h.effective {
        range_in_order(ctx, &effective.value, "effective period");
    }
    if let Some(zone) = h.timezone {
        timezone(ctx, &zone.value);
    }
}

/// An IANA time zone name (zones and their links, such as `GMT`,
/// `Europe/Amsterdam` or `US/Eastern`) of the tz database Pactum converts
/// instants with, spelled as the database does.
fn timezone(ctx: &mut Ctx<'_, '_>, zone: &Str) {
    let name = zone.value.as_str();
    if crate::zones::find(name).is_some() {
        return;
    }
    let all = crate::zones::names();
    let names: Vec<&str> = all.iter().map(String::as_str).collect();
    let best = crate::zones::canonical(name)
        .or_else(|| crate::syntax::expected::closest(name, &names).map(str::to_string));
    let help = match best {
        Some(best) => format!("did you mean \"{best}\"?"),
        None => "write an IANA name such as \"UTC\", \"Europe/Amsterdam\" or \"America/New_York\""
            .to_string(),
    };
    ctx.report(
        codes::UNKNOWN_WORD,
        zone.span,
        format!("\"{name}\" is not an IANA time zone name"),
        "unknown time zone",
        &help,
    );
}

/// Reports a date outside the effective period.
fn inside_effective(ctx: &mut Ctx<'_, '_>, date: &Date, what: &str) {
    let Some((start, end)) = ctx.scope.effective_days() else {
        return;
    };
    let day = dates::day_number(date);
    if day < start || day > end {
        ctx.push(
            Diagnostic::new(
                codes::DATE_OUTSIDE,
                format!(
                    "{what} ({}) is outside the effective period {} to {}",
                    dates::show(day),
                    dates::show(start),
                    dates::show(end)
                ),
            )
            .with_label(date.span, "outside the agreement")
            .with_help(
                "dates in an agreement fall inside `effective`; move the date or extend the period",
            ),
        );
    }
}

fn partner_party(ctx: &mut Ctx<'_, '_>, ident: &Ident, code: &'static str, role: &str) {
    if let Some(party) = ctx.scope.party(ident, ctx.diagnostics)
        && is_partner(party) == Some(false)
    {
        ctx.push(
            Diagnostic::new(
                code,
                format!("`{}` is {role}, but it has no partner role", ident.name),
            )
            .with_label(ident.span, format!("{role} here"))
            .with_label(party.name.span, "party declared here")
            .with_help(format!(
                "give the party a partner-like role ({}), or choose a partner",
                super::PARTNER_ROLES.join(", ")
            )),
        );
    }
}

fn pilot(ctx: &mut Ctx<'_, '_>, pilot: &Pilot) {
    let scope = ctx.scope;
    let name = &pilot.name;
    single_fields(
        &pilot.fields,
        |f| match f {
            PilotField::During(_) => Some("during"),
            PilotField::Baseline(_) => Some("baseline"),
            PilotField::Hypothesis(_) => Some("hypothesis"),
            PilotField::ControlCustomers(_) => Some("control customers"),
            PilotField::MinimumGroup { .. } => Some("minimum group"),
            _ => None,
        },
        ctx.diagnostics,
    );
    let fields = &pilot.fields;
    let partners: Vec<&Ident> = all(fields, |f| match f {
        PilotField::Partners(p) => Some(p),
        _ => None,
    })
    .into_iter()
    .flatten()
    .collect();
    if partners.is_empty() {
        ctx.missing(
            "pilot",
            name,
            "partners",
            "name the partners taking part: `partners PARTY, ...`",
        );
    }
    for partner in &partners {
        partner_party(ctx, partner, codes::PILOT_PARTNER_ROLE, "a pilot partner");
    }
    for control in all(fields, |f| match f {
        PilotField::ControlPartners(p) => Some(p),
        _ => None,
    })
    .into_iter()
    .flatten()
    {
        partner_party(ctx, control, codes::PILOT_PARTNER_ROLE, "a control partner");
        if partners.iter().any(|p| p.name == control.name) {
            ctx.report(
                codes::PILOT_COMPARISON,
                control.span,
                format!(
                    "`{}` is both a pilot partner and a control partner",
                    control.name
                ),
                "in both groups",
                "a control partner must not take part in the pilot",
            );
        }
    }
    if let Some((condition, _)) = first(fields, |f| match f {
        PilotField::ControlCustomers(c) => Some(c),
        _ => None,
    }) {
        Typer::new(scope, ctx.diagnostics).condition(condition, None);
    }

    let during = first(fields, |f| match f {
        PilotField::During(r) => Some(r),
        _ => None,
    });
    let mut pilot_days = None;
    match during {
        Some((range, _)) => {
            if range_in_order(ctx, range, "pilot period") {
                let (start, end) = dates::range(range);
                pilot_days = Some((start, end));
                if let Some((a_start, a_end)) = scope.effective_days()
                    && (start < a_start || end > a_end)
                {
                    ctx.push(
                        Diagnostic::new(
                            codes::PILOT_PERIOD,
                            format!(
                                "pilot `{}` runs {} to {}, outside the effective period {} to {}",
                                name.name,
                                dates::show(start),
                                dates::show(end),
                                dates::show(a_start),
                                dates::show(a_end)
                            ),
                        )
                        .with_label(range.span, "not inside the agreement")
                        .with_help("a pilot runs while the agreement is in force; move it inside `effective`"),
                    );
                }
            }
        }
        None => ctx.missing(
            "pilot",
            name,
            "during",
            "give the pilot period: `during START to END`",
        ),
    }
    let baseline = first(fields, |f| match f {
        PilotField::Baseline(r) => Some(r),
        _ => None,
    });
    if let Some((range, _)) = baseline
        && range_in_order(ctx, range, "baseline")
        && let Some((start, _)) = pilot_days
    {
        let (b_start, b_end) = dates::range(range);
        if b_end >= start {
            ctx.push(
                Diagnostic::new(
                    codes::PILOT_BASELINE,
                    if b_start >= start {
                        format!("the baseline of pilot `{}` is not before the pilot", name.name)
                    } else {
                        format!("the baseline of pilot `{}` overlaps the pilot", name.name)
                    },
                )
                .with_label(range.span, format!("ends {}", dates::show(b_end)))
                .with_label(during.map_or(name.span, |(r, _)| r.span), format!("the pilot starts {}", dates::show(start)))
                .with_help("the baseline is a period before the pilot; end it before the pilot's first day"),
            );
        }
    }
    // The columns that tell partners apart (`identified by partner_id ...`).
    let partner_columns: Vec<String> = partners
        .iter()
        .filter_map(|p| match scope.get(&p.name) {
            Some(Decl::Party(party)) => Some(party),
            _ => None,
        })
        .flat_map(|party| {
            party.fields.iter().filter_map(|f| match &f.value {
                PartyField::IdentifiedBy { column, .. } => Some(column.name.clone()),
                _ => None,
            })
        })
        .collect();
    let control_partners = first(fields, |f| match f {
        PilotField::ControlPartners(_) => Some(()),
        _ => None,
    })
    .map(|(_, span)| span);
    let has_control = fields.iter().any(|f| {
        matches!(
            f.value,
            PilotField::ControlPartners(_) | PilotField::ControlCustomers(_)
        )
    });
    if baseline.is_none() && !has_control {
        ctx.report(
            codes::PILOT_COMPARISON,
            name.span,
            format!("pilot `{}` has no baseline and no control group", name.name),
            "compared with what?",
            "add `baseline START to END` (the same partners before the pilot) or \
             `control partners ...` / `control customers where ...`",
        );
    }
    match first(fields, |f| match f {
        PilotField::Hypothesis(h) => Some(h),
        _ => None,
    }) {
        Some((h, _)) if !h.value.trim().is_empty() => {}
        Some((h, _)) => ctx.report(
            codes::PILOT_HYPOTHESIS,
            h.span,
            "the hypothesis is empty".to_string(),
            "empty",
            "state the claim the pilot tests, with the expected effect",
        ),
        None => ctx.report(
            codes::PILOT_HYPOTHESIS,
            name.span,
            format!("pilot `{}` states no hypothesis", name.name),
            "no `hypothesis`",
            "state the claim it tests: `hypothesis \"Webinars add 15% more new customers within 90 days\"`",
        ),
    }
    for inputs in all(fields, |f| match f {
        PilotField::Inputs(i) => Some(i),
        _ => None,
    }) {
        for input in inputs {
            scope.resolve(input, Kind::Event, ctx.diagnostics);
        }
    }
    for outputs in all(fields, |f| match f {
        PilotField::Outputs(o) => Some(o),
        _ => None,
    }) {
        for output in outputs {
            scope.metric(output, ctx.diagnostics);
        }
    }
    for expectation in all(fields, |f| match f {
        PilotField::Expect(e) => Some(e),
        _ => None,
    }) {
        let Some(metric) = scope.metric(&expectation.metric, ctx.diagnostics) else {
            continue;
        };
        goalpost_fits(ctx, &expectation.metric, &expectation.goalpost);
        if let Some(span) = control_partners
            && !split_by_partner(ctx, metric, &partner_columns)
        {
            ctx.push(
                Diagnostic::new(
                    codes::PILOT_CONTROL_UNSPLIT,
                    format!(
                        "`{}` is not split by partner, so the pilot partners cannot be compared with the control partners",
                        expectation.metric.name
                    ),
                )
                .with_label(expectation.metric.span, "one figure for all partners")
                .with_label(span, "compared by partner here")
                .with_label(metric.name.span, "no `attributed` line")
                .with_help("credit the metric to partners with `attributed ATTRIBUTION`, or compare with a baseline or control customers instead"),
            );
        }
        if let Some((start, end)) = pilot_days {
            expectation_window(ctx, expectation, metric, start, end);
        }
    }
}

/// Whether a metric has a figure per partner: it is `attributed`, or split
/// by a segment on the column that identifies partners.
fn split_by_partner(ctx: &Ctx<'_, '_>, metric: &Metric, partner_columns: &[String]) -> bool {
    metric.fields.iter().any(|f| match &f.value {
        MetricField::Attributed(_) => true,
        MetricField::By(segments) => segments.iter().any(|segment| {
            matches!(
                ctx.scope.get(&segment.name),
                Some(Decl::Segment(Segment { from: SegmentSource::Column(path), .. }))
                    if path.segments.last().is_some_and(|c| partner_columns.contains(&c.name))
            )
        }),
        _ => false,
    })
}

/// Flags an expectation whose verdict cannot come before the agreement
/// ends: its deadline, or the maturity of its metric (180-day retention of
/// customers won at the end of the pilot) falls after `effective` ends.
fn expectation_window(
    ctx: &mut Ctx<'_, '_>,
    expectation: &Expectation,
    metric: &Metric,
    start: i64,
    end: i64,
) {
    let Some((_, agreement_end)) = ctx.scope.effective_days() else {
        return;
    };
    let deadline = match expectation.deadline.as_ref().map(|d| &d.value) {
        Some(Deadline::By { date }) => dates::day_number(date),
        Some(Deadline::Within { duration, .. }) => dates::add(start, duration) - 1,
        None => end,
    };
    let maturity = maturity(metric).map(|d| dates::add(end, &d));
    let judged = deadline.max(maturity.unwrap_or(deadline));
    if judged > agreement_end {
        let reason = match maturity {
            Some(m) if m >= deadline => format!(
                "`{}` matures only by {}, after customers won on the pilot's last day have had time to show it",
                metric.name.name,
                dates::show(m)
            ),
            _ => format!("its deadline is {}", dates::show(deadline)),
        };
        let span = expectation
            .deadline
            .as_ref()
            .map_or(expectation.metric.span, |d| {
                expectation.metric.span.to(d.span)
            });
        ctx.push(
            Diagnostic::new(
                codes::PILOT_WINDOW,
                format!(
                    "the expectation on `{}` cannot be judged before the agreement ends on {}",
                    expectation.metric.name,
                    dates::show(agreement_end)
                ),
            )
            .with_label(span, reason)
            .with_help("shorten the window, end the pilot earlier, or extend the agreement"),
        );
    }
}

/// How long after a customer's first event a metric's value is final.
fn maturity(metric: &Metric) -> Option<Duration> {
    let (expr, _) = first(&metric.fields, |f| match f {
        MetricField::Value { expr, .. } => Some(expr),
        _ => None,
    })?;
    let Expr::Call { function, args, .. } = expr else {
        return None;
    };
    let label = crate::functions::lookup(&function.name)?.maturity_labels();
    args.iter().find_map(|arg| {
        let l = arg.label.as_ref()?;
        if !label.contains(&l.name.as_str()) {
            return None;
        }
        match &arg.value {
            ArgValue::Expr(Expr::Literal(Literal::Duration(d))) => Some(d.clone()),
            ArgValue::Range(_, to) => Some(to.clone()),
            _ => None,
        }
    })
}

fn scorecard(ctx: &mut Ctx<'_, '_>, scorecard: &Scorecard) {
    let scope = ctx.scope;
    let name = &scorecard.name;
    single_fields(
        &scorecard.fields,
        |f| match f {
            ScorecardField::SharedWith(_) => Some("shared with"),
            ScorecardField::Metrics(_) => Some("metrics"),
            ScorecardField::MinimumGroup { .. } => Some("minimum group"),
            ScorecardField::OnTrackFrom(_) => Some("on track from"),
            ScorecardField::AtRiskFrom(_) => Some("at risk from"),
            ScorecardField::By(_) => Some("by"),
        },
        ctx.diagnostics,
    );
    let fields = &scorecard.fields;
    let shared: Vec<&Ident> = first(fields, |f| match f {
        ScorecardField::SharedWith(p) => Some(p),
        _ => None,
    })
    .map(|(p, _)| p.iter().collect())
    .unwrap_or_default();
    for party in &shared {
        scope.party(party, ctx.diagnostics);
    }
    let metrics: Vec<&Ident> = first(fields, |f| match f {
        ScorecardField::Metrics(m) => Some(m),
        _ => None,
    })
    .map(|(m, _)| m.iter().collect())
    .unwrap_or_default();
    if metrics.is_empty() {
        ctx.missing(
            "scorecard",
            name,
            "metrics",
            "list the metrics it shows: `metrics METRIC, ...`",
        );
    }
    let mut resolved = Vec::new();
    for metric in &metrics {
        if let Some(m) = scope.metric(metric, ctx.diagnostics) {
            resolved.push((*metric, m));
        }
    }
    let segments: Vec<&Ident> = first(fields, |f| match f {
        ScorecardField::By(s) => Some(s),
        _ => None,
    })
    .map(|(s, _)| s.iter().collect())
    .unwrap_or_default();
    let mut resolved_segments = Vec::new();
    for segment in &segments {
        if let Some(s) = scope.segment(segment, ctx.diagnostics) {
            resolved_segments.push((segment.span, s));
        }
    }
    if !resolved.is_empty()
        && !resolved.iter().any(|(_, m)| {
            m.fields.iter().any(
                |f| matches!(&f.value, MetricField::Indicator(i) if i.value == Indicator::Lagging),
            )
        })
    {
        ctx.report(
            codes::NO_LAGGING_METRIC,
            name.span,
            format!("scorecard `{}` shows no lagging metric", name.name),
            "only leading indicators",
            "add at least one result (new customers, revenue, retention), so that the partnership is judged on outcomes, not activity",
        );
    }
    let thresholds = (
        first(fields, |f| match f {
            ScorecardField::OnTrackFrom(n) => Some(n),
            _ => None,
        }),
        first(fields, |f| match f {
            ScorecardField::AtRiskFrom(n) => Some(n),
            _ => None,
        }),
    );
    for (threshold, _) in [thresholds.0, thresholds.1].into_iter().flatten() {
        if threshold.value <= 0.0 {
            ctx.report(
                codes::STATUS_THRESHOLDS,
                threshold.span,
                "a status threshold must be above 0%".to_string(),
                "zero",
                "thresholds are shares of the target, such as `on track from 95%`",
            );
        }
    }
    match thresholds {
        (Some((on_track, _)), Some((at_risk, _))) if at_risk.value >= on_track.value => ctx.push(
            Diagnostic::new(
                codes::STATUS_THRESHOLDS,
                format!(
                    "`at risk from {}%` is not below `on track from {}%`",
                    at_risk.value, on_track.value
                ),
            )
            .with_label(at_risk.span, "at risk")
            .with_label(on_track.span, "on track")
            .with_help("at risk is the band just below on track: its threshold must be lower"),
        ),
        (None, Some((at_risk, _))) if at_risk.value >= 100.0 => ctx.report(
            codes::STATUS_THRESHOLDS,
            at_risk.span,
            format!("`at risk from {}%` is not below on track (100%, the target met)", at_risk.value),
            "at risk",
            "without `on track from`, on track means 100% of the target; set the at-risk threshold below it",
        ),
        _ => {}
    }
    if shared.is_empty() {
        return;
    }
    // Privacy: nothing personal reaches a partner.
    if first(fields, |f| match f {
        ScorecardField::MinimumGroup { .. } => Some(()),
        _ => None,
    })
    .is_none()
    {
        ctx.report(
            codes::SHARED_WITHOUT_MINIMUM,
            name.span,
            format!("scorecard `{}` is shared but suppresses no small groups", name.name),
            "no `minimum group`",
            "add `minimum group 20 customers`, so that a figure about a handful of customers cannot point at one",
        );
    }
    let shared_names = shared
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect::<Vec<_>>()
        .join(", ");
    for (span, segment) in &resolved_segments {
        if let Some(column) = pii_segment(ctx, segment) {
            ctx.push(pii_finding(
                &segment.name.name,
                &shared_names,
                *span,
                column.1,
                &column.0,
                "splits by",
            ));
        }
    }
    for (ident, metric) in &resolved {
        if let Some(facts) = ctx.metrics.get(metric.name.name.as_str())
            && let Some(read) = facts.reads.iter().find(|r| r.pii)
        {
            let column = format!("{}.{}", read.source.name.name, read.name.name);
            let span = read.name.span;
            ctx.push(pii_finding(
                &ident.name,
                &shared_names,
                ident.span,
                span,
                &column,
                "computes from",
            ));
        }
        for segments in all(&metric.fields, |f| match f {
            MetricField::By(s) => Some(s),
            _ => None,
        }) {
            for segment in segments {
                if let Some(Decl::Segment(s)) = scope.get(&segment.name)
                    && let Some(column) = pii_segment(ctx, s)
                {
                    ctx.push(pii_finding(
                        &format!("{} (by {})", ident.name, segment.name),
                        &shared_names,
                        ident.span,
                        column.1,
                        &column.0,
                        "splits by",
                    ));
                }
            }
        }
    }
}

/// The `pii` column a segment is built on, if any: (`source.column`, span).
fn pii_segment(ctx: &Ctx<'_, '_>, segment: &Segment) -> Option<(String, Span)> {
    let SegmentSource::Column(path) = &segment.from else {
        return None;
    };
    let [rows, column] = path.segments.as_slice() else {
        return None;
    };
    let source = match ctx.scope.get(&rows.name)? {
        Decl::Source(s) => s,
        Decl::Event(e) => ctx.scope.source_of(e)?,
        _ => return None,
    };
    let info = crate::check::units::column(source, &column.name)?;
    info.pii.then(|| {
        (
            format!("{}.{}", source.name.name, info.name.name),
            info.name.span,
        )
    })
}

fn pii_finding(
    what: &str,
    shared: &str,
    span: Span,
    column_span: Span,
    column: &str,
    verb: &str,
) -> Diagnostic {
    Diagnostic::new(
        codes::PII_SHARED,
        format!("`{what}` {verb} personal data (`{column}`) in a scorecard shared with {shared}"),
    )
    .with_label(span, "shared with a partner")
    .with_label(column_span, "marked `pii` here")
    .with_help("personal data never leaves its owner: split and compute shared figures from columns without `pii`")
}

const CADENCES: &[&str] = &["weekly", "monthly", "quarterly", "yearly"];
const REPORTING: &[&str] = &["daily", "weekly", "monthly", "quarterly", "yearly"];

fn review(ctx: &mut Ctx<'_, '_>, review: &Review) {
    let scope = ctx.scope;
    single_fields(
        &review.fields,
        |f| match f {
            ReviewField::Cadence(_) => Some("cadence"),
            ReviewField::Scorecard(_) => Some("scorecard"),
            ReviewField::Reporting(_) => Some("reporting"),
            ReviewField::Agenda(_) => Some("agenda"),
            ReviewField::Attendees(_) => Some("attendees"),
            ReviewField::Action { .. } => None,
        },
        ctx.diagnostics,
    );
    let mut cadence_rank = None;
    let mut reporting_rank = None;
    for field in &review.fields {
        match &field.value {
            ReviewField::Cadence(c) => {
                if ctx.word(codes::REVIEW_CADENCE, c, "review cadence", CADENCES) {
                    cadence_rank = REPORTING.iter().position(|w| *w == c.name).map(|r| (r, c));
                }
            }
            ReviewField::Reporting(r) => {
                if ctx.word(codes::REVIEW_CADENCE, r, "reporting cadence", REPORTING) {
                    reporting_rank = REPORTING.iter().position(|w| *w == r.name).map(|x| (x, r));
                }
            }
            ReviewField::Attendees(parties) => {
                for party in parties {
                    scope.party(party, ctx.diagnostics);
                }
            }
            ReviewField::Scorecard(s) => {
                scope.resolve(s, Kind::Scorecard, ctx.diagnostics);
            }
            ReviewField::Agenda(_) => {}
            ReviewField::Action {
                owner, due, done, ..
            } => {
                scope.party(owner, ctx.diagnostics);
                inside_effective(ctx, due, "the action's due date");
                if let Some(done) = done {
                    inside_effective(ctx, done, "the day the action was done");
                }
            }
        }
    }
    if first(&review.fields, |f| match f {
        ReviewField::Cadence(c) => Some(c),
        _ => None,
    })
    .is_none()
    {
        ctx.missing(
            "review",
            &review.name,
            "cadence",
            "say how often it meets: `cadence quarterly`",
        );
    }
    if let (Some((cadence, c)), Some((reporting, r))) = (cadence_rank, reporting_rank)
        && reporting > cadence
    {
        ctx.push(
            Diagnostic::new(
                codes::REVIEW_CADENCE,
                format!("the scorecard is reported {} but reviewed {}", r.name, c.name),
            )
            .with_label(r.span, "less often than the meeting")
            .with_label(c.span, "the review cadence")
            .with_help("report at least as often as the review meets, so that each meeting has fresh figures"),
        );
    }
}

const STATUSES: &[&str] = &["planned", "in_progress", "done", "blocked", "cancelled"];
const EVIDENCE_KINDS: &[&str] = &["case_study", "interview", "survey", "note"];

fn initiative(ctx: &mut Ctx<'_, '_>, initiative: &Initiative) {
    let scope = ctx.scope;
    single_fields(
        &initiative.fields,
        |f| match f {
            InitiativeField::Owner(_) => Some("owner"),
            InitiativeField::Due(_) => Some("due"),
            InitiativeField::Status(_) => Some("status"),
            _ => None,
        },
        ctx.diagnostics,
    );
    for field in &initiative.fields {
        match &field.value {
            InitiativeField::Owner(o) => {
                scope.party(o, ctx.diagnostics);
            }
            InitiativeField::Due(d) => inside_effective(
                ctx,
                d,
                &format!("initiative `{}` is due", initiative.name.name),
            ),
            InitiativeField::DependsOn(list) => {
                for dep in list {
                    scope.resolve(dep, Kind::Initiative, ctx.diagnostics);
                }
            }
            InitiativeField::Supports(goals) => {
                for goal in goals {
                    scope.goal(goal, ctx.diagnostics);
                }
            }
            InitiativeField::Status(s) => {
                ctx.word(codes::UNKNOWN_WORD, s, "initiative status", STATUSES);
            }
        }
    }
    if first(&initiative.fields, |f| match f {
        InitiativeField::Owner(o) => Some(o),
        _ => None,
    })
    .is_none()
    {
        ctx.missing(
            "initiative",
            &initiative.name,
            "owner",
            "name the party delivering it: `owner PARTY`",
        );
    }
}

/// Dependency cycles, and initiatives due no later than what they wait for.
fn initiative_order(ctx: &mut Ctx<'_, '_>) {
    let scope = ctx.scope;
    let initiatives: Vec<&Initiative> = scope
        .of_kind(Kind::Initiative)
        .filter_map(|d| match d {
            Decl::Initiative(i) => Some(i),
            _ => None,
        })
        .collect();
    let index: HashMap<&str, usize> = initiatives
        .iter()
        .enumerate()
        .map(|(i, x)| (x.name.name.as_str(), i))
        .collect();
    let deps: Vec<Vec<(usize, &Ident)>> = initiatives
        .iter()
        .map(|i| {
            all(&i.fields, |f| match f {
                InitiativeField::DependsOn(d) => Some(d),
                _ => None,
            })
            .into_iter()
            .flatten()
            .filter_map(|d| index.get(d.name.as_str()).map(|&j| (j, d)))
            .collect()
        })
        .collect();
    fn due(i: &Initiative) -> Option<&Date> {
        first(&i.fields, |f| match f {
            InitiativeField::Due(d) => Some(d),
            _ => None,
        })
        .map(|(d, _)| d)
    }
    // Order: a dependent is due after what it depends on.
    for (i, initiative) in initiatives.iter().enumerate() {
        let Some(mine) = due(initiative) else {
            continue;
        };
        for &(j, ident) in &deps[i] {
            let Some(theirs) = due(initiatives[j]) else {
                continue;
            };
            if i != j && dates::day_number(mine) <= dates::day_number(theirs) {
                ctx.push(
                    Diagnostic::new(
                        codes::INITIATIVE_ORDER,
                        format!(
                            "`{}` is due {} but depends on `{}`, due {}",
                            initiative.name.name,
                            dates::show(dates::day_number(mine)),
                            ident.name,
                            dates::show(dates::day_number(theirs))
                        ),
                    )
                    .with_label(mine.span, "due no later than its dependency")
                    .with_label(theirs.span, "the dependency is due here")
                    .with_help("an initiative can only be finished after what it depends on: move one of the dates"),
                );
            }
        }
    }
    // Cycles: depth-first search with colours; each cycle reported once.
    let mut colour = vec![0u8; initiatives.len()];
    for start in 0..initiatives.len() {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(target, ident)) = deps[node].get(*next) {
                *next += 1;
                match colour[target] {
                    0 => {
                        colour[target] = 1;
                        stack.push((target, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|&(n, _)| n == target).unwrap_or(0);
                        let mut chain: Vec<&str> = stack[from..]
                            .iter()
                            .map(|&(n, _)| initiatives[n].name.name.as_str())
                            .collect();
                        chain.push(&initiatives[target].name.name);
                        ctx.push(
                            Diagnostic::new(
                                codes::INITIATIVE_CYCLE,
                                format!("initiatives depend on each other in a cycle: {}", chain.join(" -> ")),
                            )
                            .with_label(ident.span, "this dependency closes the cycle")
                            .with_help("no initiative in a cycle can ever start; remove one of the dependencies"),
                        );
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
                stack.pop();
            }
        }
    }
}

fn evidence(ctx: &mut Ctx<'_, '_>, evidence: &Evidence) {
    let scope = ctx.scope;
    single_fields(
        &evidence.fields,
        |f| match f {
            EvidenceField::Kind(_) => Some("kind"),
            EvidenceField::Goal(_) => Some("goal"),
            EvidenceField::Link(_) => Some("link"),
            EvidenceField::Recorded(_) => Some("recorded"),
        },
        ctx.diagnostics,
    );
    for field in &evidence.fields {
        match &field.value {
            EvidenceField::Kind(k) => {
                ctx.word(codes::UNKNOWN_WORD, k, "kind of evidence", EVIDENCE_KINDS);
            }
            EvidenceField::Goal(g) => {
                scope.goal(g, ctx.diagnostics);
            }
            _ => {}
        }
    }
}

fn amendment(ctx: &mut Ctx<'_, '_>, amendment: &Amendment) {
    inside_effective(ctx, &amendment.date, "the amendment's date");
    single_fields(
        amendment.fields(),
        |f| match f {
            AmendmentField::Version(_) => Some("version"),
            _ => None,
        },
        ctx.diagnostics,
    );
    let amended = dates::day_number(&amendment.date);
    for approval in amendment.approvals() {
        ctx.scope.party(&approval.party, ctx.diagnostics);
        if let Some(date) = &approval.date
            && dates::day_number(date) > amended
        {
            ctx.report(
                codes::LATE_APPROVAL,
                date.span,
                format!(
                    "`{}` approved on {}, after the amendment's date ({})",
                    approval.party.name,
                    format::date(date),
                    format::date(&amendment.date)
                ),
                "after the amendment's date",
                "the amendment's date is when it applies; date it on or after the last approval, \
                 or correct the approval's date (allow `late-approval` in pactum.yaml if the \
                 parties agreed to apply it retroactively)",
            );
        }
    }
    let current = ctx.scope.header.version.map(|v| v.value.value);
    let Some(version) = amendment.version() else {
        return;
    };
    match current {
        Some(current) if version.value > current => ctx.report(
            codes::AMENDMENT_VERSION,
            version.span,
            format!(
                "the amendment brings in version {}, but the agreement is at version {current}",
                version.value
            ),
            "higher than the agreement's version",
            &format!(
                "raise the agreement's `version` to {}, or correct the amendment's `version`",
                version.value
            ),
        ),
        // What the amendment of the current version names must be in the
        // agreement; older amendments are history and may name what later
        // versions changed again or removed.
        Some(current) if version.value == current => amendment_subjects(ctx, amendment),
        _ => {}
    }
}

/// One amendment per version.
fn amendment_versions(ctx: &mut Ctx<'_, '_>) {
    let mut seen: HashMap<u64, Span> = HashMap::new();
    for amendment in ctx.scope.amendments.clone() {
        let Some(version) = amendment.version() else {
            continue;
        };
        match seen.get(&version.value) {
            Some(&earlier) => ctx.push(
                Diagnostic::new(
                    codes::AMENDMENT_VERSION,
                    format!("two amendments bring in version {}", version.value),
                )
                .with_label(version.span, "brought in again here")
                .with_label(earlier, "first brought in here")
                .with_help(
                    "each version is approved once: merge the two amendments into one that names \
                     every change, or correct the version of one of them",
                ),
            ),
            None => {
                seen.insert(version.value, version.span);
            }
        }
    }
}

/// `changes` names what the agreement has, `removes` what it no longer has.
fn amendment_subjects(ctx: &mut Ctx<'_, '_>, amendment: &Amendment) {
    for field in amendment.fields() {
        match &field.value {
            AmendmentField::Changes(subjects) => {
                for subject in subjects {
                    changed_subject(ctx, subject);
                }
            }
            AmendmentField::Removes(subjects) => {
                for subject in subjects {
                    if subject_present(ctx.scope, subject) {
                        let text = subject.text();
                        ctx.report(
                            codes::AMENDMENT_SUBJECT,
                            subject.span,
                            format!("the amendment removes `{text}`, but the agreement still has it"),
                            "still in the agreement",
                            &format!(
                                "name it in `changes {text}` if it was changed, or take it out of the agreement"
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// The declaration kind a named subject refers to, when it is one.
fn subject_decl_kind(kind: SubjectKind) -> Option<Kind> {
    Some(match kind {
        SubjectKind::Party => Kind::Party,
        SubjectKind::Goal => Kind::Goal,
        SubjectKind::Source => Kind::Source,
        SubjectKind::Event => Kind::Event,
        SubjectKind::Attribution => Kind::Attribution,
        SubjectKind::Segment => Kind::Segment,
        SubjectKind::Metric => Kind::Metric,
        SubjectKind::Pilot => Kind::Pilot,
        SubjectKind::Scorecard => Kind::Scorecard,
        SubjectKind::Review => Kind::Review,
        SubjectKind::Initiative => Kind::Initiative,
        SubjectKind::Evidence => Kind::Evidence,
        SubjectKind::Incentive => Kind::Incentive,
        _ => return None,
    })
}

/// Whether the agreement has what a subject names.
fn subject_present(scope: &crate::check::scope::Scope<'_>, subject: &Subject) -> bool {
    let name = subject.name.as_ref().map(|n| n.name.as_str());
    if let Some(kind) = subject_decl_kind(subject.kind) {
        return name
            .and_then(|n| scope.get(n))
            .is_some_and(|d| d.kind() == kind);
    }
    let header = &scope.header;
    match subject.kind {
        SubjectKind::Target => scope
            .targets
            .iter()
            .any(|t| Some(t.metric.name.as_str()) == name),
        SubjectKind::Audit => scope
            .audits
            .iter()
            .any(|a| Some(a.source.name.as_str()) == name),
        SubjectKind::Effective => header.effective.is_some(),
        SubjectKind::Currency => header.currency.is_some(),
        SubjectKind::Timezone => header.timezone.is_some(),
        SubjectKind::Journey => header.journey.is_some(),
        SubjectKind::Dispute => !scope.disputes.is_empty(),
        _ => false,
    }
}

fn changed_subject(ctx: &mut Ctx<'_, '_>, subject: &Subject) {
    let scope = ctx.scope;
    if let (Some(kind), Some(name)) = (subject_decl_kind(subject.kind), &subject.name) {
        scope.resolve(name, kind, ctx.diagnostics);
        return;
    }
    // Targets and audits are named by their metric and source.
    let named_by = match (subject.kind, &subject.name) {
        (SubjectKind::Target, Some(name)) => scope.metric(name, ctx.diagnostics).map(|_| ()),
        (SubjectKind::Audit, Some(name)) => scope
            .resolve(name, Kind::Source, ctx.diagnostics)
            .map(|_| ()),
        _ => Some(()),
    };
    if named_by.is_none() || subject_present(scope, subject) {
        return;
    }
    let text = subject.text();
    let missing = match (subject.kind, &subject.name) {
        (SubjectKind::Target, Some(name)) => format!("`{}` has no target", name.name),
        (SubjectKind::Audit, Some(name)) => format!("source `{}` has no audit", name.name),
        _ => format!("the agreement has no `{text}`"),
    };
    ctx.report(
        codes::AMENDMENT_SUBJECT,
        subject.span,
        format!("the amendment changes `{text}`, but {missing}"),
        "not in the agreement",
        &format!("if the amendment took it out, write `removes {text}`"),
    );
}

fn incentive(ctx: &mut Ctx<'_, '_>, incentive: &Incentive) {
    let scope = ctx.scope;
    single_fields(
        &incentive.fields,
        |f| match f {
            IncentiveField::Cap { .. } => Some("cap"),
            IncentiveField::When(_) => Some("when"),
            IncentiveField::Pay { .. } => None,
        },
        ctx.diagnostics,
    );
    let mut pays = false;
    let mut attribution_paid = false;
    for field in &incentive.fields {
        match &field.value {
            IncentiveField::Pay { party, payment } => {
                pays = true;
                partner_party(ctx, party, codes::PAYEE_ROLE, "paid");
                match payment {
                    Payment::ShareOfAttributed { rate, attribution } => {
                        attribution_paid = true;
                        rate_in_range(ctx, rate);
                        scope.attribution(attribution, ctx.diagnostics);
                    }
                    Payment::ShareOfMetric { rate, metric } => {
                        rate_in_range(ctx, rate);
                        if scope.metric(metric, ctx.diagnostics).is_some() {
                            payment_unit(ctx, metric, Unit::Money, "a share of", "a money");
                        }
                    }
                    Payment::AmountPerMetric { amount, metric } => {
                        if let Some(currency) = scope.header.currency
                            && amount.currency.code != currency.value.code
                        {
                            ctx.push(currency_mismatch(amount, &currency.value));
                        }
                        if scope.metric(metric, ctx.diagnostics).is_some() {
                            payment_unit(ctx, metric, Unit::Count, "an amount per", "a count");
                        }
                    }
                }
            }
            IncentiveField::When(conditions) => {
                for condition in conditions {
                    if scope.metric(&condition.metric, ctx.diagnostics).is_some() {
                        goalpost_fits(ctx, &condition.metric, &condition.goalpost);
                    }
                }
            }
            IncentiveField::Cap { amount, .. } => {
                if let Some(currency) = scope.header.currency
                    && amount.currency.code != currency.value.code
                {
                    ctx.push(currency_mismatch(amount, &currency.value));
                }
            }
        }
    }
    if !pays {
        ctx.missing(
            "incentive",
            &incentive.name,
            "pay",
            "say who is paid and how: `pay PARTY 10% of attributed value by ATTRIBUTION`",
        );
        return;
    }
    // Durable outcomes: some metric in `pay` or `when` measures retention or value.
    let durable = incentive_metrics(incentive).iter().any(|m| {
        scope.of_kind(Kind::Goal).any(|g| {
            let Decl::Goal(goal) = g else { return false };
            let outcome = first(&goal.fields, |f| match f {
                GoalField::Outcome(o) => Some(o.value),
                _ => None,
            });
            matches!(outcome, Some((Outcome::Retention | Outcome::Value, _)))
                && goal
                    .fields
                    .iter()
                    .any(|f| matches!(&f.value, GoalField::MeasuredBy(ms) if ms.iter().any(|x| x.name == *m)))
        })
    });
    if !durable {
        let what = if attribution_paid {
            "attributed acquisitions"
        } else {
            "acquisition"
        };
        ctx.report(
            codes::ACQUISITION_ONLY_INCENTIVE,
            incentive.name.span,
            format!("incentive `{}` rewards {what} only", incentive.name.name),
            "no retention or value condition",
            "reward durable value: add a condition on a retention or value metric, such as `when retention_180d at least 85%`",
        );
    }
}

fn rate_in_range(ctx: &mut Ctx<'_, '_>, rate: &Number) {
    if rate.value <= 0.0 || rate.value > 100.0 {
        ctx.report(
            codes::PAYMENT_UNIT,
            rate.span,
            format!("a rate of {}% is not a share", rate.value),
            "outside 0% to 100%",
            "a revenue share is above 0% and at most 100%",
        );
    }
}

fn payment_unit(ctx: &mut Ctx<'_, '_>, metric: &Ident, want: Unit, how: &str, want_word: &str) {
    let unit = ctx.metrics.get(metric.name.as_str()).and_then(|f| f.unit);
    if let Some(unit) = unit
        && unit != want
    {
        ctx.report(
            codes::PAYMENT_UNIT,
            metric.span,
            format!("paying {how} `{}` needs {want_word} metric, but it is measured in {}", metric.name, unit.word()),
            &format!("a {} metric", unit.word()),
            "pay a percentage of a money metric (`8% of net_revenue`) or an amount per unit of a count metric (`40 USD per installs`)",
        );
    }
}

const SCHEDULES: &[&str] = &["hourly", "daily", "weekly"];
const CHECKS: &[&str] = &[
    "null_keys",
    "duplicate_ids",
    "unknown_events",
    "future_timestamps",
    "gaps",
];

fn audit(ctx: &mut Ctx<'_, '_>, audit: &Audit) {
    let scope = ctx.scope;
    let source = match scope.resolve(&audit.source, Kind::Source, ctx.diagnostics) {
        Some(Decl::Source(s)) => Some(s),
        _ => None,
    };
    if let Some(schedule) = &audit.schedule {
        ctx.word(codes::AUDIT_SCHEDULE, schedule, "audit schedule", SCHEDULES);
    }
    single_fields(
        &audit.fields,
        |f| match f {
            AuditField::Freshness(_) => Some("freshness"),
            AuditField::Drift { .. } => Some("drift"),
            AuditField::Owner(_) => Some("owner"),
            AuditField::Checks(_) => Some("checks"),
        },
        ctx.diagnostics,
    );
    for field in &audit.fields {
        match &field.value {
            AuditField::Owner(o) => {
                scope.party(o, ctx.diagnostics);
            }
            AuditField::Checks(checks) => {
                for check in checks {
                    if ctx.word(codes::UNKNOWN_WORD, check, "audit check", CHECKS)
                        && check.name == "duplicate_ids"
                        && let Some(source) = source
                        && !source
                            .fields
                            .iter()
                            .any(|f| matches!(f.value, SourceField::Id(_)))
                    {
                        ctx.push(
                            Diagnostic::new(
                                codes::MISSING_FIELD,
                                format!(
                                    "`duplicate_ids` needs an id column, and source `{}` has none",
                                    source.name.name
                                ),
                            )
                            .with_label(check.span, "cannot be checked")
                            .with_label(source.name.span, "source declared here")
                            .with_help(
                                "declare the row id of the source (`id COLUMN`), or drop the check",
                            ),
                        );
                    }
                }
            }
            AuditField::Drift { sigma, window } => {
                if sigma.value <= 0.0 || window.amount <= 0.0 {
                    ctx.report(
                        codes::AUDIT_SCHEDULE,
                        field.span,
                        "volume drift needs a positive number of standard deviations and window"
                            .to_string(),
                        "not positive",
                        &format!(
                            "write `drift 3 sigma over 28 days` (here: {} sigma over {})",
                            sigma.value,
                            show_duration(window)
                        ),
                    );
                }
            }
            AuditField::Freshness(_) => {}
        }
    }
    if first(&audit.fields, |f| match f {
        AuditField::Owner(o) => Some(o),
        _ => None,
    })
    .is_none()
    {
        ctx.report(
            codes::MISSING_FIELD,
            audit.source.span,
            format!("the audit of `{}` has no owner", audit.source.name),
            "`owner` missing",
            "name the party that answers for fixing what the audit finds: `owner PARTY`",
        );
    }
}
