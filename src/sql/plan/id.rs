//! Query identities: what a planned query computes, and for which item of
//! the agreement. The file name (`metric_new_customers.sql`), the result
//! file and the kept table of a query are all derived from its identity, so
//! that no stage builds a query's name from strings of its own.

use std::fmt;

/// One query of an agreement's plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QueryId {
    /// The rows of one event: `events_<event>`.
    Events(String),
    /// One attribution's credit per conversion and touch:
    /// `attribution_<attribution>`.
    Credits(String),
    /// One attribution's credit summed per period and partner:
    /// `attribution_<attribution>_by_partner`.
    CreditsByPartner(String),
    /// One metric per period and group: `metric_<metric>`.
    Metric(String),
    /// Customers per journey stage: `funnel`.
    Funnel,
    /// One retention metric per cohort and offset: `cohorts_<metric>`.
    Cohorts(String),
    /// One scorecard: `scorecard_<scorecard>`.
    Scorecard(String),
    /// Every target at its deadline: `targets`.
    Targets,
    /// One pilot's verdicts: `pilot_<pilot>`.
    Pilot(String),
    /// One incentive's statement: `incentive_<incentive>`.
    Incentive(String),
    /// Every failed audit check: `audits`.
    Audits,
}

impl QueryId {
    /// The query's stable name: its file name without `.sql`, and the name
    /// of its results.
    pub fn name(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for QueryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryId::Events(event) => write!(f, "events_{event}"),
            QueryId::Credits(attribution) => write!(f, "attribution_{attribution}"),
            QueryId::CreditsByPartner(attribution) => {
                write!(f, "attribution_{attribution}_by_partner")
            }
            QueryId::Metric(metric) => write!(f, "metric_{metric}"),
            QueryId::Funnel => f.write_str("funnel"),
            QueryId::Cohorts(metric) => write!(f, "cohorts_{metric}"),
            QueryId::Scorecard(scorecard) => write!(f, "scorecard_{scorecard}"),
            QueryId::Targets => f.write_str("targets"),
            QueryId::Pilot(pilot) => write!(f, "pilot_{pilot}"),
            QueryId::Incentive(incentive) => write!(f, "incentive_{incentive}"),
            QueryId::Audits => f.write_str("audits"),
        }
    }
}
