//! Report templates of the joint scorecard. `pactum compile` writes, beside
//! an agreement's SQL, a `report/` folder with:
//!
//! - `scorecard.html.j2` and `scorecard.md.j2`: MiniJinja templates, the
//!   same for every agreement;
//! - `agreement.json`: what the templates show from the agreement itself
//!   (parties, goals, owners, reviews, initiatives, evidence) and the name
//!   of the query behind each section.
//!
//! A template is rendered with three values: `agreement` (that file),
//! `results` (one list of rows per query name, each row an object with the
//! manifest's columns), and `generated_at` (a timestamp, fixed for
//! reproducible reports). Results may come from any warehouse, as long as
//! they follow the manifest's columns.

use serde_json::{Value, json};

use crate::check::scope::{Decl, Scope};
use crate::sql::plan::Planned;
use crate::syntax::ast::*;
use crate::syntax::format;

pub const HTML_TEMPLATE: &str = include_str!("scorecard.html.j2");
pub const MARKDOWN_TEMPLATE: &str = include_str!("scorecard.md.j2");

/// What the report says about the agreement besides its scope.
pub struct About<'a> {
    pub title: Option<&'a str>,
    pub version: Option<u64>,
}

/// The files of the `report/` folder: (name, content).
pub fn files(scope: &Scope<'_>, planned: &[Planned], about: &About<'_>) -> Vec<(String, String)> {
    let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
    let context = serde_json::to_string_pretty(&agreement_context(scope, &names, about))
        .expect("the context serializes")
        + "\n";
    vec![
        ("agreement.json".to_string(), context),
        ("scorecard.html.j2".to_string(), HTML_TEMPLATE.to_string()),
        ("scorecard.md.j2".to_string(), MARKDOWN_TEMPLATE.to_string()),
    ]
}

/// The agreement's facts the report shows, and which query holds each
/// section's rows (only the queries in `compiled` are named).
pub fn agreement_context(scope: &Scope<'_>, compiled: &[&str], about: &About<'_>) -> Value {
    let compiled = |name: String| compiled.contains(&name.as_str()).then_some(name);
    let title = |t: &Option<Str>| t.as_ref().map(|s| s.value.clone());
    let names = |list: &[Ident]| list.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
    let mut parties = Vec::new();
    let mut goals = Vec::new();
    let mut metrics = Vec::new();
    let mut attributions = Vec::new();
    let mut scorecards = Vec::new();
    let mut pilots = Vec::new();
    let mut incentives = Vec::new();
    let mut reviews = Vec::new();
    let mut initiatives = Vec::new();
    let mut evidence = Vec::new();
    let mut cohorts = Vec::new();
    for decl in &scope.decls {
        match decl {
            Decl::Party(p) => {
                let mut role = None;
                let mut owner = None;
                let mut contacts = Vec::new();
                for f in &p.fields {
                    match &f.value {
                        PartyField::Role(r) => role = Some(r.name.clone()),
                        PartyField::Owner(o) => owner = Some(o.value.clone()),
                        PartyField::Contact(c) => contacts.push(c.value.clone()),
                        PartyField::IdentifiedBy { .. } => {}
                    }
                }
                parties.push(json!({
                    "name": p.name.name, "title": title(&p.title), "role": role,
                    "owner": owner, "contacts": contacts,
                }));
            }
            Decl::Goal(g) => {
                let mut party = None;
                let mut outcome = None;
                let mut measured_by = Vec::new();
                let mut owner = None;
                for f in &g.fields {
                    match &f.value {
                        GoalField::Party(p) => party = Some(p.name.clone()),
                        GoalField::Outcome(o) => outcome = Some(o.value.word()),
                        GoalField::MeasuredBy(list) => measured_by.extend(names(list)),
                        GoalField::Owner(o) => owner = Some(o.name.clone()),
                    }
                }
                goals.push(json!({
                    "name": g.name.name, "title": title(&g.title), "party": party,
                    "outcome": outcome, "measured_by": measured_by, "owner": owner,
                }));
            }
            Decl::Metric(m) => {
                let mut indicator = None;
                let mut unit = None;
                let mut owner = None;
                for f in &m.fields {
                    match &f.value {
                        MetricField::Indicator(i) => {
                            indicator = Some(match i.value {
                                Indicator::Leading => "leading",
                                Indicator::Lagging => "lagging",
                            })
                        }
                        MetricField::Unit(u) => unit = Some(u.value.word()),
                        MetricField::Owner(o) => owner = Some(o.name.clone()),
                        _ => {}
                    }
                }
                if let Some(query) = compiled(format!("cohorts_{}", m.name.name)) {
                    cohorts.push(
                        json!({"metric": m.name.name, "title": title(&m.title), "query": query}),
                    );
                }
                metrics.push(json!({
                    "name": m.name.name, "title": title(&m.title), "indicator": indicator,
                    "unit": unit, "owner": owner,
                }));
            }
            Decl::Attribution(a) => {
                if let Some(query) = compiled(format!("attribution_{}_by_partner", a.name.name)) {
                    attributions.push(
                        json!({"name": a.name.name, "title": title(&a.title), "query": query}),
                    );
                }
            }
            Decl::Scorecard(s) => {
                let mut shared_with = Vec::new();
                let mut minimum_group = None;
                for f in &s.fields {
                    match &f.value {
                        ScorecardField::SharedWith(list) => shared_with.extend(names(list)),
                        ScorecardField::MinimumGroup { size, .. } => {
                            minimum_group = Some(size.value)
                        }
                        _ => {}
                    }
                }
                if let Some(query) = compiled(format!("scorecard_{}", s.name.name)) {
                    scorecards.push(json!({
                        "name": s.name.name, "title": title(&s.title), "query": query,
                        "shared_with": shared_with, "minimum_group": minimum_group,
                    }));
                }
            }
            Decl::Pilot(p) => {
                let mut partners = Vec::new();
                let mut hypothesis = None;
                let mut during = None;
                for f in &p.fields {
                    match &f.value {
                        PilotField::Partners(list) => partners.extend(names(list)),
                        PilotField::Hypothesis(h) => hypothesis = Some(h.value.clone()),
                        PilotField::During(r) => {
                            during = Some(
                                json!({"start": format::date(&r.start), "end": format::date(&r.end)}),
                            )
                        }
                        _ => {}
                    }
                }
                pilots.push(json!({
                    "name": p.name.name, "title": title(&p.title),
                    "query": compiled(format!("pilot_{}", p.name.name)),
                    "partners": partners, "hypothesis": hypothesis, "during": during,
                }));
            }
            Decl::Incentive(i) => {
                if let Some(query) = compiled(format!("incentive_{}", i.name.name)) {
                    incentives.push(
                        json!({"name": i.name.name, "title": title(&i.title), "query": query}),
                    );
                }
            }
            Decl::Review(r) => {
                let mut cadence = None;
                let mut attendees = Vec::new();
                let mut scorecard = None;
                let mut actions = Vec::new();
                for f in &r.fields {
                    match &f.value {
                        ReviewField::Cadence(c) => cadence = Some(c.name.clone()),
                        ReviewField::Attendees(list) => attendees.extend(names(list)),
                        ReviewField::Scorecard(s) => scorecard = Some(s.name.clone()),
                        ReviewField::Action { what, owner, due } => actions.push(json!({
                            "what": what.value, "owner": owner.name, "due": format::date(due),
                        })),
                        ReviewField::Agenda(_) | ReviewField::Reporting(_) => {}
                    }
                }
                reviews.push(json!({
                    "name": r.name.name, "title": title(&r.title), "cadence": cadence,
                    "attendees": attendees, "scorecard": scorecard, "actions": actions,
                }));
            }
            Decl::Initiative(i) => {
                let mut owner = None;
                let mut due = None;
                let mut status = None;
                let mut depends_on = Vec::new();
                let mut supports = Vec::new();
                for f in &i.fields {
                    match &f.value {
                        InitiativeField::Owner(o) => owner = Some(o.name.clone()),
                        InitiativeField::Due(d) => due = Some(format::date(d)),
                        InitiativeField::Status(s) => status = Some(s.name.clone()),
                        InitiativeField::DependsOn(list) => depends_on.extend(names(list)),
                        InitiativeField::Supports(list) => supports.extend(names(list)),
                    }
                }
                initiatives.push(json!({
                    "name": i.name.name, "title": title(&i.title), "owner": owner, "due": due,
                    "status": status, "depends_on": depends_on, "supports": supports,
                }));
            }
            Decl::Evidence(e) => {
                let mut kind = None;
                let mut goal = None;
                let mut link = None;
                let mut recorded = None;
                for f in &e.fields {
                    match &f.value {
                        EvidenceField::Kind(k) => kind = Some(k.name.clone()),
                        EvidenceField::Goal(g) => goal = Some(g.name.clone()),
                        EvidenceField::Link(l) => link = Some(l.value.clone()),
                        EvidenceField::Recorded(d) => recorded = Some(format::date(d)),
                    }
                }
                evidence.push(json!({
                    "name": e.name.name, "title": title(&e.title), "kind": kind, "goal": goal,
                    "link": link, "recorded": recorded,
                }));
            }
            Decl::Source(_) | Decl::Event(_) | Decl::Segment(_) => {}
        }
    }
    let header = &scope.header;
    json!({
        "name": scope.name.name,
        "title": about.title,
        "version": about.version,
        "effective": header.effective.map(|e| json!({
            "start": format::date(&e.value.start), "end": format::date(&e.value.end),
        })),
        "currency": header.currency.map(|c| c.value.code.clone()),
        "timezone": header.timezone.map(|t| t.value.value.clone()),
        "parties": parties,
        "goals": goals,
        "metrics": metrics,
        "scorecards": scorecards,
        "attributions": attributions,
        "funnel": compiled("funnel".to_string()),
        "cohorts": cohorts,
        "targets": compiled("targets".to_string()),
        "pilots": pilots,
        "incentives": incentives,
        "audits": compiled("audits".to_string()),
        "reviews": reviews,
        "initiatives": initiatives,
        "evidence": evidence,
        "amendments": scope.amendments.iter().map(|a| json!({
            "date": format::date(&a.date), "summary": a.summary.value,
        })).collect::<Vec<_>>(),
    })
}
