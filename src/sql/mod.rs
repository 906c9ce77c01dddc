//! SQL: the dialect-neutral query tree, the dialects, the renderer and the
//! planners that turn a checked agreement into queries.

pub mod compile;
pub mod dbt;
pub mod dialect;
pub mod load;
pub mod plan;
pub mod render;
pub mod steps;
pub mod tree;

use crate::check::scope::Scope;
use crate::model::Agreement;
use plan::{Options, Planned, QueryId};

/// Every query of an agreement, in a stable order: events, attribution,
/// metrics.
pub fn plan_all(scope: &Scope<'_>, options: &Options) -> Vec<Planned> {
    plan_agreement(scope, options).queries
}

/// The plan of a checked scope (see [`plan`]).
pub fn plan_agreement(scope: &Scope<'_>, options: &Options) -> Plan {
    plan(&Agreement::of(scope), options)
}

/// The planned queries, and what could not be planned yet, with why.
pub struct Plan {
    pub queries: Vec<Planned>,
    pub not_compiled: Vec<String>,
}

/// The queries whose results an engine that keeps results (the embedded
/// one) keeps for later queries to read: each attribution's credits and
/// their per-partner sums, and each metric.
pub fn reusable(agreement: &Agreement<'_>) -> Vec<QueryId> {
    let mut ids = Vec::new();
    for attribution in &agreement.attributions {
        let name = attribution.named.name.to_string();
        ids.push(QueryId::CreditsByPartner(name.clone()));
        ids.push(QueryId::Credits(name));
    }
    for metric in &agreement.metrics {
        ids.push(QueryId::Metric(metric.named.name.to_string()));
    }
    ids
}

/// Every query of an agreement, in a stable order, and what could not be
/// planned yet, with why. Each query states the kept results it reads.
pub fn plan(agreement: &Agreement<'_>, options: &Options) -> Plan {
    let mut planned = Vec::new();
    let mut not_compiled = Vec::new();
    for event in &agreement.events {
        if let Some(query) = plan::events::plan(agreement, event, options) {
            planned.push(query);
        }
    }
    for attribution in &agreement.attributions {
        match plan::attribution::plan(agreement, attribution, options) {
            Some(queries) => planned.extend(queries),
            None => not_compiled.push(format!(
                "attribution `{}`: data-driven models have no SQL planner yet",
                attribution.named.name
            )),
        }
    }
    for metric in &agreement.metrics {
        match plan::metrics::plan(agreement, metric, options) {
            Ok(query) => planned.push(query),
            Err(reason) => not_compiled.push(format!("metric `{}`: {reason}", metric.named.name)),
        }
    }
    planned.extend(plan::funnel::plan(agreement, options));
    for metric in &agreement.metrics {
        planned.extend(plan::cohorts::plan(agreement, metric, options));
    }
    for scorecard in &agreement.scorecards {
        match plan::scorecard::plan(agreement, scorecard, options) {
            Ok(query) => planned.push(query),
            Err(reason) => {
                not_compiled.push(format!("scorecard `{}`: {reason}", scorecard.named.name))
            }
        }
    }
    match plan::targets::plan(agreement, options) {
        Ok(query) => planned.extend(query),
        Err(reason) => not_compiled.push(format!("targets: {reason}")),
    }
    for pilot in &agreement.pilots {
        match plan::pilots::plan(agreement, pilot, options) {
            Ok(query) => planned.extend(query),
            Err(reason) => not_compiled.push(format!("pilot `{}`: {reason}", pilot.named.name)),
        }
    }
    for incentive in &agreement.incentives {
        match plan::incentives::plan(agreement, incentive, options) {
            Ok(query) => planned.push(query),
            Err(reason) => {
                not_compiled.push(format!("incentive `{}`: {reason}", incentive.named.name))
            }
        }
    }
    planned.extend(plan::audits::plan(agreement, options));
    for query in &mut planned {
        query.query.share_identical_ctes();
        query.query.drop_unread_ctes();
        query.reads = plan::kept_results_read(&query.query, &options.reuse);
    }
    Plan {
        queries: planned,
        not_compiled,
    }
}
