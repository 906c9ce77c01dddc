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
//! they follow the manifest's columns. `pactum report` adds `forecasts`
//! (see [`forecast`]), which the templates show when it is there.

pub mod forecast;
pub mod pdf;
pub mod review;

use serde_json::{Value, json};

use crate::model::{Agreement, Named};
use crate::sql::plan::{Planned, QueryId};
use crate::syntax::ast::Indicator;
use crate::syntax::format;

pub const HTML_TEMPLATE: &str = include_str!("scorecard.html.j2");
pub const MARKDOWN_TEMPLATE: &str = include_str!("scorecard.md.j2");
pub const REVIEW_HTML_TEMPLATE: &str = include_str!("review.html.j2");
pub const REVIEW_MARKDOWN_TEMPLATE: &str = include_str!("review.md.j2");

/// The files of the `report/` folder: (name, content).
pub fn files(agreement: &Agreement<'_>, planned: &[Planned]) -> Vec<(String, String)> {
    let names: Vec<String> = planned.iter().map(Planned::name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let context = serde_json::to_string_pretty(&agreement_context(agreement, &names))
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
pub fn agreement_context(agreement: &Agreement<'_>, compiled: &[&str]) -> Value {
    let compiled = |id: QueryId| {
        let name = id.name();
        compiled.contains(&name.as_str()).then_some(name)
    };
    fn head<'a>(n: &Named<'a>) -> (&'a str, Option<&'a str>) {
        (n.name, n.title)
    }
    let parties: Vec<Value> = agreement
        .parties
        .iter()
        .map(|p| {
            let (name, title) = head(&p.named);
            json!({
                "name": name, "title": title, "role": p.role,
                "owner": p.owner, "contacts": p.contacts,
            })
        })
        .collect();
    let goals: Vec<Value> = agreement
        .goals
        .iter()
        .map(|g| {
            let (name, title) = head(&g.named);
            json!({
                "name": name, "title": title, "party": g.party,
                "outcome": g.outcome.map(|o| o.word()), "measured_by": g.measured_by,
                "owner": g.owner,
            })
        })
        .collect();
    let metrics: Vec<Value> = agreement
        .metrics
        .iter()
        .map(|m| {
            let (name, title) = head(&m.named);
            let indicator = m.indicator.map(|i| match i {
                Indicator::Leading => "leading",
                Indicator::Lagging => "lagging",
            });
            json!({
                "name": name, "title": title, "indicator": indicator,
                "unit": m.unit.map(|u| u.word()), "owner": m.owner,
            })
        })
        .collect();
    let cohorts: Vec<Value> = agreement
        .metrics
        .iter()
        .filter_map(|m| {
            let (name, title) = head(&m.named);
            let query = compiled(QueryId::Cohorts(name.to_string()))?;
            Some(json!({"metric": name, "title": title, "query": query}))
        })
        .collect();
    let attributions: Vec<Value> = agreement
        .attributions
        .iter()
        .filter_map(|a| {
            let (name, title) = head(&a.named);
            let query = compiled(QueryId::CreditsByPartner(name.to_string()))?;
            Some(json!({"name": name, "title": title, "query": query}))
        })
        .collect();
    let scorecards: Vec<Value> = agreement
        .scorecards
        .iter()
        .filter_map(|s| {
            let (name, title) = head(&s.named);
            let query = compiled(QueryId::Scorecard(name.to_string()))?;
            Some(json!({
                "name": name, "title": title, "query": query,
                "shared_with": s.shared_with, "minimum_group": s.minimum_group,
            }))
        })
        .collect();
    let pilots: Vec<Value> = agreement
        .pilots
        .iter()
        .map(|p| {
            let (name, title) = head(&p.named);
            let during = p
                .during
                .map(|r| json!({"start": format::date(&r.start), "end": format::date(&r.end)}));
            json!({
                "name": name, "title": title,
                "query": compiled(QueryId::Pilot(name.to_string())),
                "partners": p.partners, "hypothesis": p.hypothesis, "during": during,
            })
        })
        .collect();
    let incentives: Vec<Value> = agreement
        .incentives
        .iter()
        .filter_map(|i| {
            let (name, title) = head(&i.named);
            let query = compiled(QueryId::Incentive(name.to_string()))?;
            Some(json!({"name": name, "title": title, "query": query}))
        })
        .collect();
    let reviews: Vec<Value> = agreement
        .reviews
        .iter()
        .map(|r| {
            let (name, title) = head(&r.named);
            let actions: Vec<Value> = r
                .actions
                .iter()
                .map(|a| {
                    json!({
                        "what": a.what, "owner": a.owner, "due": format::date(a.due),
                        "done": a.done.map(format::date),
                    })
                })
                .collect();
            json!({
                "name": name, "title": title, "cadence": r.cadence,
                "attendees": r.attendees, "scorecard": r.scorecard, "actions": actions,
            })
        })
        .collect();
    let initiatives: Vec<Value> = agreement
        .initiatives
        .iter()
        .map(|i| {
            let (name, title) = head(&i.named);
            json!({
                "name": name, "title": title, "owner": i.owner,
                "due": i.due.map(format::date), "status": i.status,
                "depends_on": i.depends_on, "supports": i.supports,
            })
        })
        .collect();
    let evidence: Vec<Value> = agreement
        .evidence
        .iter()
        .map(|e| {
            let (name, title) = head(&e.named);
            json!({
                "name": name, "title": title, "kind": e.kind, "goal": e.goal,
                "link": e.link, "recorded": e.recorded.map(format::date),
            })
        })
        .collect();
    json!({
        "name": agreement.name,
        "title": agreement.title,
        "version": agreement.version,
        "effective": agreement.effective.map(|e| json!({
            "start": format::date(&e.start), "end": format::date(&e.end),
        })),
        "currency": agreement.currency,
        "timezone": agreement.timezone,
        "parties": parties,
        "goals": goals,
        "metrics": metrics,
        "scorecards": scorecards,
        "attributions": attributions,
        "funnel": compiled(QueryId::Funnel),
        "cohorts": cohorts,
        "targets": compiled(QueryId::Targets),
        "pilots": pilots,
        "incentives": incentives,
        "audits": compiled(QueryId::Audits),
        "reviews": reviews,
        "initiatives": initiatives,
        "evidence": evidence,
        "amendments": agreement.amendments.iter().map(|a| json!({
            "date": format::date(a.date), "summary": a.summary,
            "version": a.version,
            "changes": a.changes,
            "removes": a.removes,
            "approvals": a.approved_by.iter().flatten().map(|(party, date)| json!({
                "party": party,
                "date": date.map(format::date),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
