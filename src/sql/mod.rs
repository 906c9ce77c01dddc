//! SQL: the dialect-neutral query tree, the dialects, the renderer and the
//! planners that turn a checked agreement into queries.

pub mod compile;
pub mod dialect;
pub mod load;
pub mod plan;
pub mod render;
pub mod tree;

use crate::check::scope::{Decl, Kind, Scope};
use plan::{Options, Planned};

/// Every query of an agreement, in a stable order: events, attribution,
/// metrics.
pub fn plan_all(scope: &Scope<'_>, options: &Options) -> Vec<Planned> {
    plan_agreement(scope, options).queries
}

/// The queries whose results an engine that keeps results (the embedded
/// one) keeps for later queries to read: each attribution's credits and
/// their per-partner sums, and each metric.
pub fn reusable(scope: &Scope<'_>) -> Vec<plan::QueryId> {
    let mut ids = Vec::new();
    for decl in scope.of_kind(Kind::Attribution) {
        let name = &decl.name().name;
        ids.push(plan::QueryId::CreditsByPartner(name.clone()));
        ids.push(plan::QueryId::Credits(name.clone()));
    }
    for decl in scope.of_kind(Kind::Metric) {
        ids.push(plan::QueryId::Metric(decl.name().name.clone()));
    }
    ids
}

/// The planned queries, and what could not be planned yet, with why.
pub struct Plan {
    pub queries: Vec<Planned>,
    pub not_compiled: Vec<String>,
}

pub fn plan_agreement(scope: &Scope<'_>, options: &Options) -> Plan {
    let mut planned = Vec::new();
    let mut not_compiled = Vec::new();
    for decl in scope.of_kind(Kind::Event) {
        if let Decl::Event(event) = decl
            && let Some(query) = plan::events::plan(scope, event, options)
        {
            planned.push(query);
        }
    }
    for decl in scope.of_kind(Kind::Attribution) {
        if let Decl::Attribution(attribution) = decl
            && let Some(queries) = plan::attribution::plan(scope, attribution, options)
        {
            planned.extend(queries);
        } else if let Decl::Attribution(attribution) = decl {
            not_compiled.push(format!(
                "attribution `{}`: data-driven models have no SQL planner yet",
                attribution.name.name
            ));
        }
    }
    for decl in scope.of_kind(Kind::Metric) {
        if let Decl::Metric(metric) = decl {
            match plan::metrics::plan(scope, metric, options) {
                Ok(query) => planned.push(query),
                Err(reason) => {
                    not_compiled.push(format!("metric `{}`: {reason}", metric.name.name))
                }
            }
        }
    }
    planned.extend(plan::funnel::plan(scope, options));
    for decl in scope.of_kind(Kind::Metric) {
        if let Decl::Metric(metric) = decl {
            planned.extend(plan::cohorts::plan(scope, metric, options));
        }
    }
    for decl in scope.of_kind(Kind::Scorecard) {
        if let Decl::Scorecard(scorecard) = decl {
            match plan::scorecard::plan(scope, scorecard, options) {
                Ok(query) => planned.push(query),
                Err(reason) => {
                    not_compiled.push(format!("scorecard `{}`: {reason}", scorecard.name.name))
                }
            }
        }
    }
    match plan::targets::plan(scope, options) {
        Ok(query) => planned.extend(query),
        Err(reason) => not_compiled.push(format!("targets: {reason}")),
    }
    for decl in scope.of_kind(Kind::Pilot) {
        if let Decl::Pilot(pilot) = decl {
            match plan::pilots::plan(scope, pilot, options) {
                Ok(query) => planned.extend(query),
                Err(reason) => not_compiled.push(format!("pilot `{}`: {reason}", pilot.name.name)),
            }
        }
    }
    for decl in scope.of_kind(Kind::Incentive) {
        if let Decl::Incentive(incentive) = decl {
            match plan::incentives::plan(scope, incentive, options) {
                Ok(query) => planned.push(query),
                Err(reason) => {
                    not_compiled.push(format!("incentive `{}`: {reason}", incentive.name.name))
                }
            }
        }
    }
    planned.extend(plan::audits::plan(scope, options));
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
