//! From a checked scope to the model: the only place after the checker
//! that reads the syntax tree's field lists.

use super::*;
use crate::check::scope::{DEFAULT_JOURNEY, Decl};
use crate::syntax::ast::{self, Ident, Spanned, Str};

/// The model of a checked scope. Names that do not resolve cannot occur in
/// a scope without errors; they are kept as written.
/// The zone of an agreement that names none.
pub const DEFAULT_ZONE: &str = "UTC";

pub fn build<'a>(scope: &Scope<'a>) -> Agreement<'a> {
    let header = &scope.header;
    let mut agreement = Agreement {
        name: &scope.name.name,
        title: scope.title.map(text),
        docs: scope.docs,
        version: header.version.map(|v| v.value.value),
        effective: header.effective.map(|e| &e.value),
        currency: header.currency.map(|c| c.value.code.as_str()),
        timezone: header.timezone.map(|t| t.value.value.as_str()),
        journey: match header.journey {
            Some(stages) => stages.value.iter().map(|s| s.name.as_str()).collect(),
            None => DEFAULT_JOURNEY.to_vec(),
        },
        no_goals: header
            .no_goals
            .iter()
            .map(|n| (n.value.outcome.value, text(&n.value.reason)))
            .collect(),
        parties: Vec::new(),
        goals: Vec::new(),
        sources: Vec::new(),
        events: Vec::new(),
        segments: Vec::new(),
        attributions: Vec::new(),
        metrics: Vec::new(),
        targets: scope.targets.clone(),
        pilots: Vec::new(),
        scorecards: Vec::new(),
        reviews: Vec::new(),
        initiatives: Vec::new(),
        evidence: Vec::new(),
        amendments: scope.amendments.iter().map(|a| amendment(a)).collect(),
        incentives: Vec::new(),
        audits: scope.audits.iter().map(|a| audit(a)).collect(),
        disputes: scope.disputes.clone(),
    };
    let zone = agreement.timezone.unwrap_or(DEFAULT_ZONE);
    for (position, decl) in scope.decls.iter().enumerate() {
        let named = |docs, ident, title| named(docs, ident, title, position);
        match *decl {
            Decl::Party(x) => agreement
                .parties
                .push(party(x, named(&x.docs, &x.name, &x.title))),
            Decl::Goal(x) => agreement
                .goals
                .push(goal(x, named(&x.docs, &x.name, &x.title))),
            Decl::Source(x) => {
                agreement
                    .sources
                    .push(source(x, named(&x.docs, &x.name, &x.title), zone))
            }
            Decl::Event(x) => agreement.events.push(Event {
                named: named(&x.docs, &x.name, &x.title),
                source: &x.source.name,
                filter: x.filter.as_ref(),
                once: x.once.as_ref().map(|o| o.value),
                stage: x.stage.as_ref().map(name),
            }),
            Decl::Attribution(x) => agreement
                .attributions
                .push(attribution(x, named(&x.docs, &x.name, &x.title))),
            Decl::Segment(x) => agreement.segments.push(Segment {
                named: named(&x.docs, &x.name, &x.title),
                column: match &x.from {
                    ast::SegmentSource::Stage { .. } => None,
                    ast::SegmentSource::Column(path) => Some(path),
                },
            }),
            Decl::Metric(x) => agreement
                .metrics
                .push(metric(x, named(&x.docs, &x.name, &x.title))),
            Decl::Pilot(x) => agreement
                .pilots
                .push(pilot(x, named(&x.docs, &x.name, &x.title))),
            Decl::Scorecard(x) => agreement
                .scorecards
                .push(scorecard(x, named(&x.docs, &x.name, &x.title))),
            Decl::Review(x) => agreement
                .reviews
                .push(review(x, named(&x.docs, &x.name, &x.title))),
            Decl::Initiative(x) => agreement
                .initiatives
                .push(initiative(x, named(&x.docs, &x.name, &x.title))),
            Decl::Evidence(x) => agreement
                .evidence
                .push(evidence(x, named(&x.docs, &x.name, &x.title))),
            Decl::Incentive(x) => agreement
                .incentives
                .push(incentive(x, named(&x.docs, &x.name, &x.title))),
        }
    }
    agreement
}

fn name(ident: &Ident) -> &str {
    &ident.name
}

fn text(s: &Str) -> &str {
    &s.value
}

fn named<'a>(
    docs: &'a [String],
    ident: &'a Ident,
    title: &'a Option<Str>,
    position: usize,
) -> Named<'a> {
    Named {
        name: &ident.name,
        title: title.as_ref().map(text),
        docs,
        position,
    }
}

/// Each field's keyword, in the order written.
fn order<F>(fields: &[Spanned<F>], keyword: fn(&F) -> &'static str) -> Order {
    fields.iter().map(|f| keyword(&f.value)).collect()
}

/// The first value `pick` finds among the fields.
fn first<'a, F: 'a, T>(fields: &'a [Spanned<F>], pick: impl Fn(&'a F) -> Option<T>) -> Option<T> {
    fields.iter().find_map(|f| pick(&f.value))
}

/// Every list `pick` finds among the fields, joined in order.
fn joined<'a, F, T: 'a>(
    fields: &'a [Spanned<F>],
    pick: impl Fn(&'a F) -> Option<&'a [T]>,
) -> impl Iterator<Item = &'a T> {
    fields.iter().filter_map(move |f| pick(&f.value)).flatten()
}

/// The names of every list `pick` finds among the fields, in order.
fn listed<'a, F: 'a>(
    fields: &'a [Spanned<F>],
    pick: impl Fn(&'a F) -> Option<&'a [Ident]>,
) -> Vec<&'a str> {
    joined(fields, pick).map(name).collect()
}

fn party<'a>(x: &'a ast::Party, named: Named<'a>) -> Party<'a> {
    use ast::PartyField as F;
    Party {
        named,
        order: order(&x.fields, party_keyword),
        role: first(&x.fields, |f| match f {
            F::Role(r) => Some(name(r)),
            _ => None,
        }),
        owner: first(&x.fields, |f| match f {
            F::Owner(o) => Some(text(o)),
            _ => None,
        }),
        contacts: x
            .fields
            .iter()
            .filter_map(|f| match &f.value {
                F::Contact(c) => Some(text(c)),
                _ => None,
            })
            .collect(),
        identified_by: x
            .fields
            .iter()
            .filter_map(|f| match &f.value {
                F::IdentifiedBy { column, values } => Some(Identification {
                    column: name(column),
                    values: values.iter().map(text).collect(),
                }),
                _ => None,
            })
            .collect(),
    }
}

fn goal<'a>(x: &'a ast::Goal, named: Named<'a>) -> Goal<'a> {
    use ast::GoalField as F;
    Goal {
        named,
        party: first(&x.fields, |f| match f {
            F::Party(p) => Some(name(p)),
            _ => None,
        }),
        outcome: first(&x.fields, |f| match f {
            F::Outcome(o) => Some(o.value),
            _ => None,
        }),
        measured_by: listed(&x.fields, |f| match f {
            F::MeasuredBy(list) => Some(list.as_slice()),
            _ => None,
        }),
        owner: first(&x.fields, |f| match f {
            F::Owner(o) => Some(name(o)),
            _ => None,
        }),
    }
}

fn key(column: &ast::ColumnRef) -> KeyColumn<'_> {
    KeyColumn {
        name: &column.name.name,
        physical: column
            .physical
            .as_ref()
            .map_or(&column.name.name, |p| &p.value),
    }
}

fn source<'a>(x: &'a ast::Source, named: Named<'a>, zone: &'a str) -> Source<'a> {
    use ast::SourceField as F;
    Source {
        named,
        zone,
        order: order(&x.fields, source_keyword),
        table: first(&x.fields, |f| match f {
            F::Table(t) => Some(text(t)),
            _ => None,
        })
        .unwrap_or(&x.name.name),
        owner: first(&x.fields, |f| match f {
            F::Owner(o) => Some(name(o)),
            _ => None,
        }),
        customer: first(&x.fields, |f| match f {
            F::Customer(c) => Some(key(c)),
            _ => None,
        }),
        time: first(&x.fields, |f| match f {
            F::Time { column: c, .. } => Some(key(c)),
            _ => None,
        }),
        id: first(&x.fields, |f| match f {
            F::Id(c) => Some(key(c)),
            _ => None,
        }),
        columns: x
            .fields
            .iter()
            .filter_map(|f| match &f.value {
                F::Column(c) => Some(Column {
                    name: &c.name.name,
                    physical: c.physical.as_ref().map_or(&c.name.name, |p| &p.value),
                    ty: c.ty.value,
                    pii: c.pii,
                    currency: c.currency.as_ref().map(|c| c.code.as_str()),
                    docs: &c.docs,
                }),
                _ => None,
            })
            .collect(),
        layout: x
            .fields
            .iter()
            .filter_map(|f| match &f.value {
                F::Customer(c) | F::Id(c) => Some((key(c).physical, ast::ColumnType::Text)),
                F::Time { column: c, instant } => Some((
                    key(c).physical,
                    if *instant {
                        ast::ColumnType::Instant
                    } else {
                        ast::ColumnType::Timestamp
                    },
                )),
                F::Column(c) => Some((
                    c.physical
                        .as_ref()
                        .map_or(c.name.name.as_str(), |p| &p.value),
                    c.ty.value,
                )),
                _ => None,
            })
            .collect(),
        freshness: first(&x.fields, |f| match f {
            F::Freshness(d) => Some(d),
            _ => None,
        }),
    }
}

fn attribution<'a>(x: &'a ast::Attribution, named: Named<'a>) -> Attribution<'a> {
    use ast::AttributionField as F;
    Attribution {
        named,
        order: order(&x.fields, attribution_keyword),
        touches: listed(&x.fields, |f| match f {
            F::Touches(list) => Some(list.as_slice()),
            _ => None,
        }),
        credit: first(&x.fields, |f| match f {
            F::Credit(c) => Some(name(c)),
            _ => None,
        }),
        channel: first(&x.fields, |f| match f {
            F::Channel(c) => Some(name(c)),
            _ => None,
        }),
        conversions: listed(&x.fields, |f| match f {
            F::Conversions(list) => Some(list.as_slice()),
            _ => None,
        }),
        value: first(&x.fields, |f| match f {
            F::Value(path) => match path.segments.as_slice() {
                [source, column] => Some((name(source), name(column))),
                _ => None,
            },
            _ => None,
        }),
        model: first(&x.fields, |f| match f {
            F::Model(m) => Some(&m.value),
            _ => None,
        })
        // The checker refuses a model that is not in the table.
        .and_then(|m| {
            Some(AttributionModel {
                rule: crate::attribution_models::lookup(m)?,
                written: &m.settings,
            })
        }),
        lookback: first(&x.fields, |f| match f {
            F::Lookback(d) => Some(d),
            _ => None,
        }),
        max_touches: first(&x.fields, |f| match f {
            F::MaxTouches(n) => Some(n.value),
            _ => None,
        }),
        collapse: first(&x.fields, |f| match f {
            F::Repeats(r) => Some(r.value == ast::Repeats::Collapse),
            _ => None,
        })
        .unwrap_or(false),
        ignored_channels: joined(&x.fields, |f| match f {
            F::IgnoreChannels(list) => Some(list.as_slice()),
            _ => None,
        })
        .map(text)
        .collect(),
    }
}

fn metric<'a>(x: &'a ast::Metric, named: Named<'a>) -> Metric<'a> {
    use ast::MetricField as F;
    Metric {
        named,
        order: order(&x.fields, metric_keyword),
        value: first(&x.fields, |f| match f {
            F::Value { expr, filter } => Some((expr, filter.as_ref())),
            _ => None,
        }),
        attributed: first(&x.fields, |f| match f {
            F::Attributed(a) => Some(name(a)),
            _ => None,
        }),
        by: listed(&x.fields, |f| match f {
            F::By(list) => Some(list.as_slice()),
            _ => None,
        }),
        indicator: first(&x.fields, |f| match f {
            F::Indicator(i) => Some(i.value),
            _ => None,
        }),
        owner: first(&x.fields, |f| match f {
            F::Owner(o) => Some(name(o)),
            _ => None,
        }),
        unit: first(&x.fields, |f| match f {
            F::Unit(u) => Some(u.value),
            _ => None,
        }),
    }
}

fn pilot<'a>(x: &'a ast::Pilot, named: Named<'a>) -> Pilot<'a> {
    use ast::PilotField as F;
    Pilot {
        named,
        order: order(&x.fields, pilot_keyword),
        partners: listed(&x.fields, |f| match f {
            F::Partners(list) => Some(list.as_slice()),
            _ => None,
        }),
        during: first(&x.fields, |f| match f {
            F::During(r) => Some(r),
            _ => None,
        }),
        baseline: first(&x.fields, |f| match f {
            F::Baseline(r) => Some(r),
            _ => None,
        }),
        control_partners: listed(&x.fields, |f| match f {
            F::ControlPartners(list) => Some(list.as_slice()),
            _ => None,
        }),
        control_customers: first(&x.fields, |f| match f {
            F::ControlCustomers(c) => Some(c),
            _ => None,
        }),
        hypothesis: first(&x.fields, |f| match f {
            F::Hypothesis(h) => Some(text(h)),
            _ => None,
        }),
        inputs: listed(&x.fields, |f| match f {
            F::Inputs(list) => Some(list.as_slice()),
            _ => None,
        }),
        outputs: listed(&x.fields, |f| match f {
            F::Outputs(list) => Some(list.as_slice()),
            _ => None,
        }),
        minimum_group: first(&x.fields, |f| match f {
            F::MinimumGroup { size, .. } => Some(size.value),
            _ => None,
        }),
        expectations: x
            .fields
            .iter()
            .filter_map(|f| match &f.value {
                F::Expect(e) => Some(e),
                _ => None,
            })
            .collect(),
    }
}

fn scorecard<'a>(x: &'a ast::Scorecard, named: Named<'a>) -> Scorecard<'a> {
    use ast::ScorecardField as F;
    Scorecard {
        named,
        order: order(&x.fields, scorecard_keyword),
        shared_with: listed(&x.fields, |f| match f {
            F::SharedWith(list) => Some(list.as_slice()),
            _ => None,
        }),
        metrics: listed(&x.fields, |f| match f {
            F::Metrics(list) => Some(list.as_slice()),
            _ => None,
        }),
        minimum_group: first(&x.fields, |f| match f {
            F::MinimumGroup { size, .. } => Some(size.value),
            _ => None,
        }),
        on_track_from: first(&x.fields, |f| match f {
            F::OnTrackFrom(n) => Some(n.value),
            _ => None,
        }),
        at_risk_from: first(&x.fields, |f| match f {
            F::AtRiskFrom(n) => Some(n.value),
            _ => None,
        }),
        by: listed(&x.fields, |f| match f {
            F::By(list) => Some(list.as_slice()),
            _ => None,
        }),
    }
}

fn review<'a>(x: &'a ast::Review, named: Named<'a>) -> Review<'a> {
    use ast::ReviewField as F;
    Review {
        named,
        order: order(&x.fields, review_keyword),
        cadence: first(&x.fields, |f| match f {
            F::Cadence(c) => Some(name(c)),
            _ => None,
        }),
        attendees: listed(&x.fields, |f| match f {
            F::Attendees(list) => Some(list.as_slice()),
            _ => None,
        }),
        scorecard: first(&x.fields, |f| match f {
            F::Scorecard(s) => Some(name(s)),
            _ => None,
        }),
        agenda: listed(&x.fields, |f| match f {
            F::Agenda(list) => Some(list.as_slice()),
            _ => None,
        }),
        reporting: first(&x.fields, |f| match f {
            F::Reporting(r) => Some(name(r)),
            _ => None,
        }),
        actions: x
            .fields
            .iter()
            .filter_map(|f| match &f.value {
                F::Action {
                    what,
                    owner,
                    due,
                    done,
                } => Some(Action {
                    what: text(what),
                    owner: name(owner),
                    due,
                    done: done.as_ref(),
                }),
                _ => None,
            })
            .collect(),
    }
}

fn initiative<'a>(x: &'a ast::Initiative, named: Named<'a>) -> Initiative<'a> {
    use ast::InitiativeField as F;
    Initiative {
        named,
        order: order(&x.fields, initiative_keyword),
        owner: first(&x.fields, |f| match f {
            F::Owner(o) => Some(name(o)),
            _ => None,
        }),
        due: first(&x.fields, |f| match f {
            F::Due(d) => Some(d),
            _ => None,
        }),
        depends_on: listed(&x.fields, |f| match f {
            F::DependsOn(list) => Some(list.as_slice()),
            _ => None,
        }),
        supports: listed(&x.fields, |f| match f {
            F::Supports(list) => Some(list.as_slice()),
            _ => None,
        }),
        status: first(&x.fields, |f| match f {
            F::Status(s) => Some(name(s)),
            _ => None,
        }),
    }
}

fn evidence<'a>(x: &'a ast::Evidence, named: Named<'a>) -> Evidence<'a> {
    use ast::EvidenceField as F;
    Evidence {
        named,
        order: order(&x.fields, evidence_keyword),
        kind: first(&x.fields, |f| match f {
            F::Kind(k) => Some(name(k)),
            _ => None,
        }),
        goal: first(&x.fields, |f| match f {
            F::Goal(g) => Some(name(g)),
            _ => None,
        }),
        link: first(&x.fields, |f| match f {
            F::Link(l) => Some(text(l)),
            _ => None,
        }),
        recorded: first(&x.fields, |f| match f {
            F::Recorded(d) => Some(d),
            _ => None,
        }),
    }
}

fn amendment(x: &ast::Amendment) -> Amendment<'_> {
    Amendment {
        docs: &x.docs,
        date: &x.date,
        summary: text(&x.summary),
        version: x.version().map(|v| v.value),
        changes: subjects(x, |f| match f {
            ast::AmendmentField::Changes(s) => Some(s),
            _ => None,
        }),
        removes: subjects(x, |f| match f {
            ast::AmendmentField::Removes(s) => Some(s),
            _ => None,
        }),
        approved_by: x.fields.as_ref().map(|_| {
            x.approvals()
                .map(|a| (name(&a.party), a.date.as_ref()))
                .collect()
        }),
    }
}

fn subjects(
    x: &ast::Amendment,
    pick: fn(&ast::AmendmentField) -> Option<&Vec<ast::Subject>>,
) -> Vec<String> {
    x.fields()
        .iter()
        .filter_map(|f| pick(&f.value))
        .flatten()
        .map(ast::Subject::text)
        .collect()
}

fn incentive<'a>(x: &'a ast::Incentive, named: Named<'a>) -> Incentive<'a> {
    use ast::IncentiveField as F;
    Incentive {
        named,
        pays: x
            .fields
            .iter()
            .filter_map(|f| match &f.value {
                F::Pay { party, payment } => Some(Pay {
                    party: name(party),
                    payment,
                }),
                _ => None,
            })
            .collect(),
        conditions: joined(&x.fields, |f| match f {
            F::When(list) => Some(list.as_slice()),
            _ => None,
        })
        .collect(),
        cap: first(&x.fields, |f| match f {
            F::Cap { amount, per } => Some(Cap {
                amount,
                per: per.as_ref().map(|p| p.value),
            }),
            _ => None,
        }),
    }
}

fn audit(x: &ast::Audit) -> Audit<'_> {
    use ast::AuditField as F;
    Audit {
        docs: &x.docs,
        order: order(&x.fields, audit_keyword),
        source: name(&x.source),
        schedule: x.schedule.as_ref().map(name),
        freshness: first(&x.fields, |f| match f {
            F::Freshness(d) => Some(d),
            _ => None,
        }),
        drift: first(&x.fields, |f| match f {
            F::Drift { sigma, window } => Some((sigma.value, window)),
            _ => None,
        }),
        owner: first(&x.fields, |f| match f {
            F::Owner(o) => Some(name(o)),
            _ => None,
        }),
        checks: listed(&x.fields, |f| match f {
            F::Checks(list) => Some(list.as_slice()),
            _ => None,
        }),
    }
}

fn party_keyword(field: &ast::PartyField) -> &'static str {
    match field {
        ast::PartyField::Role(_) => "role",
        ast::PartyField::Contact(_) => "contact",
        ast::PartyField::Owner(_) => "owner",
        ast::PartyField::IdentifiedBy { .. } => "identified_by",
    }
}

fn source_keyword(field: &ast::SourceField) -> &'static str {
    match field {
        ast::SourceField::Table(_) => "table",
        ast::SourceField::Owner(_) => "owner",
        ast::SourceField::Customer(_) => "customer",
        ast::SourceField::Time { .. } => "time",
        ast::SourceField::Id(_) => "id",
        ast::SourceField::Column(_) => "column",
        ast::SourceField::Freshness(_) => "freshness",
    }
}

fn metric_keyword(field: &ast::MetricField) -> &'static str {
    match field {
        ast::MetricField::Value { .. } => "value",
        ast::MetricField::Attributed(_) => "attributed",
        ast::MetricField::By(_) => "by",
        ast::MetricField::Indicator(_) => "indicator",
        ast::MetricField::Owner(_) => "owner",
        ast::MetricField::Unit(_) => "unit",
    }
}

fn pilot_keyword(field: &ast::PilotField) -> &'static str {
    match field {
        ast::PilotField::Partners(_) => "partners",
        ast::PilotField::During(_) => "during",
        ast::PilotField::Baseline(_) => "baseline",
        ast::PilotField::ControlPartners(_) => "control_partners",
        ast::PilotField::ControlCustomers(_) => "control_customers",
        ast::PilotField::Hypothesis(_) => "hypothesis",
        ast::PilotField::Inputs(_) => "inputs",
        ast::PilotField::Outputs(_) => "outputs",
        ast::PilotField::Expect(_) => "expect",
        ast::PilotField::MinimumGroup { .. } => "minimum_group",
    }
}

fn scorecard_keyword(field: &ast::ScorecardField) -> &'static str {
    match field {
        ast::ScorecardField::SharedWith(_) => "shared_with",
        ast::ScorecardField::Metrics(_) => "metrics",
        ast::ScorecardField::MinimumGroup { .. } => "minimum_group",
        ast::ScorecardField::OnTrackFrom(_) => "on_track_from",
        ast::ScorecardField::AtRiskFrom(_) => "at_risk_from",
        ast::ScorecardField::By(_) => "by",
    }
}

fn review_keyword(field: &ast::ReviewField) -> &'static str {
    match field {
        ast::ReviewField::Cadence(_) => "cadence",
        ast::ReviewField::Attendees(_) => "attendees",
        ast::ReviewField::Scorecard(_) => "scorecard",
        ast::ReviewField::Agenda(_) => "agenda",
        ast::ReviewField::Reporting(_) => "reporting",
        ast::ReviewField::Action { .. } => "action",
    }
}

fn initiative_keyword(field: &ast::InitiativeField) -> &'static str {
    match field {
        ast::InitiativeField::Owner(_) => "owner",
        ast::InitiativeField::Due(_) => "due",
        ast::InitiativeField::DependsOn(_) => "depends_on",
        ast::InitiativeField::Supports(_) => "supports",
        ast::InitiativeField::Status(_) => "status",
    }
}

fn evidence_keyword(field: &ast::EvidenceField) -> &'static str {
    match field {
        ast::EvidenceField::Kind(_) => "kind",
        ast::EvidenceField::Goal(_) => "goal",
        ast::EvidenceField::Link(_) => "link",
        ast::EvidenceField::Recorded(_) => "recorded",
    }
}

fn audit_keyword(field: &ast::AuditField) -> &'static str {
    match field {
        ast::AuditField::Freshness(_) => "freshness",
        ast::AuditField::Drift { .. } => "drift",
        ast::AuditField::Owner(_) => "owner",
        ast::AuditField::Checks(_) => "checks",
    }
}

fn attribution_keyword(field: &ast::AttributionField) -> &'static str {
    match field {
        ast::AttributionField::Touches(_) => "touches",
        ast::AttributionField::Credit(_) => "credit",
        ast::AttributionField::Channel(_) => "channel",
        ast::AttributionField::Conversions(_) => "conversions",
        ast::AttributionField::Value(_) => "value",
        ast::AttributionField::Model(_) => "model",
        ast::AttributionField::Lookback(_) => "lookback",
        ast::AttributionField::MaxTouches(_) => "max_touches",
        ast::AttributionField::Repeats(_) => "repeats",
        ast::AttributionField::IgnoreChannels(_) => "ignore_channels",
    }
}
