//! The checked agreement as typed, resolved data: what everything after the
//! checker reads (planners, the report, `doc`, `demo`, the runners).
//!
//! The syntax tree mirrors the text (repeated fields, source order) for the
//! formatter and `diff`; the model says what the agreement means. It is
//! built once from a checked [`Scope`] (imports included), and every fact a
//! consumer needs is a field here: a source knows its physical table and
//! column names, a metric its unit, indicator and owner, an attribution
//! its touches, conversions and rule.
//!
//! The model borrows from the syntax tree: names and strings are `&str`,
//! and the typed values the language writes (expressions, conditions,
//! goalposts, durations, dates) are the tree's own nodes, which carry no
//! field lists. A single-valued field written twice keeps the first one, as
//! the checker's P0109 says; lists written on several lines are joined in
//! order.
//!
//! Items keep their order of declaration, imports first, as in the scope.

mod build;

pub use build::DEFAULT_ZONE;

use crate::attribution_models::{ModelRule, Settings};
use crate::check::scope::Scope;
use crate::syntax::ast::{
    ColumnType, Condition, Date, DateRange, Dispute, Duration, Expectation, Expr, Indicator,
    MetricCondition, ModelSetting, Money, Once, Outcome, Path, Payment, Period, Target, Unit,
};

/// One checked agreement (or catalog), resolved.
#[derive(Debug, Clone)]
pub struct Agreement<'a> {
    pub name: &'a str,
    pub title: Option<&'a str>,
    /// The agreement's doc comments, a line each.
    pub docs: &'a [String],
    pub version: Option<u64>,
    pub effective: Option<&'a DateRange>,
    pub currency: Option<&'a str>,
    pub timezone: Option<&'a str>,
    /// The journey's stages: the `journey` line, or the default stages.
    pub journey: Vec<&'a str>,
    /// Outcomes the agreement deliberately sets no goal for, with why.
    pub no_goals: Vec<(Outcome, &'a str)>,
    pub parties: Vec<Party<'a>>,
    pub goals: Vec<Goal<'a>>,
    pub sources: Vec<Source<'a>>,
    pub events: Vec<Event<'a>>,
    pub segments: Vec<Segment<'a>>,
    pub attributions: Vec<Attribution<'a>>,
    pub metrics: Vec<Metric<'a>>,
    pub targets: Vec<&'a Target>,
    pub pilots: Vec<Pilot<'a>>,
    pub scorecards: Vec<Scorecard<'a>>,
    pub reviews: Vec<Review<'a>>,
    pub initiatives: Vec<Initiative<'a>>,
    pub evidence: Vec<Evidence<'a>>,
    pub amendments: Vec<Amendment<'a>>,
    pub incentives: Vec<Incentive<'a>>,
    pub audits: Vec<Audit<'a>>,
    pub disputes: Vec<&'a Dispute>,
}

/// What every named item has: its name, title and doc comments, and
/// where it stands among all the agreement's declarations (imports
/// first), for lists that mix kinds in the order they were declared.
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    pub name: &'a str,
    pub title: Option<&'a str>,
    pub docs: &'a [String],
    pub position: usize,
}

/// The clauses of an item by keyword (`role`, `contact`, `owner`, ...),
/// in the order the author wrote them, a keyword once per line: for
/// documents that follow the author's order. The values are the item's
/// typed fields.
pub type Order = Vec<&'static str>;

#[derive(Debug, Clone)]
pub struct Party<'a> {
    pub named: Named<'a>,
    pub order: Order,
    pub role: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub contacts: Vec<&'a str>,
    /// `identified by COLUMN "code", ...`: the raw codes that name this
    /// party in a source's column.
    pub identified_by: Vec<Identification<'a>>,
}

#[derive(Debug, Clone)]
pub struct Identification<'a> {
    pub column: &'a str,
    pub values: Vec<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Goal<'a> {
    pub named: Named<'a>,
    pub party: Option<&'a str>,
    pub outcome: Option<Outcome>,
    pub measured_by: Vec<&'a str>,
    pub owner: Option<&'a str>,
}

/// A warehouse table and its columns.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub named: Named<'a>,
    pub order: Order,
    /// The table as written (`billing.orders`), else the source's name.
    pub table: &'a str,
    pub owner: Option<&'a str>,
    pub customer: Option<KeyColumn<'a>>,
    pub time: Option<KeyColumn<'a>>,
    pub id: Option<KeyColumn<'a>>,
    pub columns: Vec<Column<'a>>,
    /// Every physical column with its type, keys included, in the order
    /// written: the table's layout.
    pub layout: Vec<(&'a str, ColumnType)>,
    pub freshness: Option<&'a Duration>,
    /// The agreement's time zone (`UTC` when it names none): instants read
    /// from this source are converted to it.
    pub zone: &'a str,
}

/// A key column: its logical name and the name in the warehouse.
#[derive(Debug, Clone, Copy)]
pub struct KeyColumn<'a> {
    pub name: &'a str,
    pub physical: &'a str,
}

#[derive(Debug, Clone)]
pub struct Column<'a> {
    pub name: &'a str,
    pub physical: &'a str,
    pub ty: ColumnType,
    /// Personal data: never shared outside the owner.
    pub pii: bool,
    /// The currency of a money column, when it is not the agreement's.
    pub currency: Option<&'a str>,
    pub docs: &'a [String],
}

impl<'a> Source<'a> {
    pub fn name(&self) -> &'a str {
        self.named.name
    }

    /// The warehouse path of the table with `prefix` (an environment's
    /// table prefix) in front: `["staging_billing", "orders"]`.
    pub fn table_path(&self, prefix: &str) -> Vec<String> {
        format!("{prefix}{}", self.table)
            .split('.')
            .map(str::to_string)
            .collect()
    }

    /// The physical name of a column given its logical name, or a key
    /// role (`customer`, `time`, `id`).
    pub fn physical(&self, logical: &str) -> Option<&'a str> {
        let keys = [
            ("customer", self.customer),
            ("time", self.time),
            ("id", self.id),
        ];
        for (role, key) in keys {
            if let Some(key) = key
                && (key.name == logical || role == logical)
            {
                return Some(key.physical);
            }
        }
        self.columns
            .iter()
            .find(|c| c.name == logical)
            .map(|c| c.physical)
    }

    /// Whether a physical column holds instants (`time ... instant`, or a
    /// column of type `instant`).
    pub fn holds_instants(&self, physical: &str) -> bool {
        self.layout
            .iter()
            .any(|&(name, ty)| name == physical && ty == ColumnType::Instant)
    }
}

#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub named: Named<'a>,
    pub source: &'a str,
    pub filter: Option<&'a Condition>,
    /// `first per customer [and partner]`.
    pub once: Option<Once>,
    pub stage: Option<&'a str>,
}

/// What a metric can be split `by`.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    pub named: Named<'a>,
    /// A column (`accounts.region`), or `None` for the journey stage of
    /// the events.
    pub column: Option<&'a Path>,
}

/// The rows something reads: an event (a filtered source) or a whole
/// source.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'m, 'a> {
    pub source: &'m Source<'a>,
    pub event: Option<&'m Event<'a>>,
}

/// An attribution rule, with its settings read once.
#[derive(Debug, Clone)]
pub struct Attribution<'a> {
    pub named: Named<'a>,
    pub order: Order,
    /// Sources or events whose rows are touches.
    pub touches: Vec<&'a str>,
    /// The column naming the partner of a touch.
    pub credit: Option<&'a str>,
    pub channel: Option<&'a str>,
    /// Events that are conversions.
    pub conversions: Vec<&'a str>,
    /// `source.column` of a conversion's value.
    pub value: Option<(&'a str, &'a str)>,
    /// The model written, if any; `model()` gives the one that applies.
    pub model: Option<AttributionModel<'a>>,
    pub lookback: Option<&'a Duration>,
    pub max_touches: Option<u64>,
    /// `repeats collapse`: consecutive touches of one partner count once.
    pub collapse: bool,
    pub ignored_channels: Vec<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Metric<'a> {
    pub named: Named<'a>,
    pub order: Order,
    /// The expression and its `where` filter.
    pub value: Option<(&'a Expr, Option<&'a Condition>)>,
    /// The attribution that splits it per partner.
    pub attributed: Option<&'a str>,
    /// Segments it is grouped by.
    pub by: Vec<&'a str>,
    pub indicator: Option<Indicator>,
    pub owner: Option<&'a str>,
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone)]
pub struct Pilot<'a> {
    pub named: Named<'a>,
    pub order: Order,
    pub partners: Vec<&'a str>,
    pub during: Option<&'a DateRange>,
    pub baseline: Option<&'a DateRange>,
    pub control_partners: Vec<&'a str>,
    pub control_customers: Option<&'a Condition>,
    pub hypothesis: Option<&'a str>,
    pub inputs: Vec<&'a str>,
    pub outputs: Vec<&'a str>,
    /// The smallest group a verdict without an interval may rest on
    /// (`minimum group N customers`).
    pub minimum_group: Option<u64>,
    pub expectations: Vec<&'a Expectation>,
}

#[derive(Debug, Clone)]
pub struct Scorecard<'a> {
    pub named: Named<'a>,
    pub order: Order,
    pub shared_with: Vec<&'a str>,
    pub metrics: Vec<&'a str>,
    /// The smallest group a shared figure may describe.
    pub minimum_group: Option<u64>,
    pub on_track_from: Option<f64>,
    pub at_risk_from: Option<f64>,
    pub by: Vec<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Review<'a> {
    pub named: Named<'a>,
    pub order: Order,
    pub cadence: Option<&'a str>,
    pub attendees: Vec<&'a str>,
    pub scorecard: Option<&'a str>,
    pub agenda: Vec<&'a str>,
    pub reporting: Option<&'a str>,
    pub actions: Vec<Action<'a>>,
}

#[derive(Debug, Clone)]
pub struct Action<'a> {
    pub what: &'a str,
    pub owner: &'a str,
    pub due: &'a Date,
    /// When it was completed, if it was.
    pub done: Option<&'a Date>,
}

#[derive(Debug, Clone)]
pub struct Initiative<'a> {
    pub named: Named<'a>,
    pub order: Order,
    pub owner: Option<&'a str>,
    pub due: Option<&'a Date>,
    pub depends_on: Vec<&'a str>,
    pub supports: Vec<&'a str>,
    pub status: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Evidence<'a> {
    pub named: Named<'a>,
    pub order: Order,
    pub kind: Option<&'a str>,
    pub goal: Option<&'a str>,
    pub link: Option<&'a str>,
    pub recorded: Option<&'a Date>,
}

#[derive(Debug, Clone)]
pub struct Amendment<'a> {
    pub docs: &'a [String],
    pub date: &'a Date,
    pub summary: &'a str,
    /// The version it brings in.
    pub version: Option<u64>,
    /// What it changed and what it removed, as `target new_customers`.
    pub changes: Vec<String>,
    pub removes: Vec<String>,
    /// Who approved it (each with the date, when given), each `approved by`
    /// line joined; `None` when the amendment was written without a block.
    pub approved_by: Option<Vec<(&'a str, Option<&'a Date>)>>,
}

#[derive(Debug, Clone)]
pub struct Incentive<'a> {
    pub named: Named<'a>,
    pub pays: Vec<Pay<'a>>,
    /// Every `when` condition, in order.
    pub conditions: Vec<&'a MetricCondition>,
    pub cap: Option<Cap<'a>>,
}

#[derive(Debug, Clone)]
pub struct Pay<'a> {
    pub party: &'a str,
    pub payment: &'a Payment,
}

#[derive(Debug, Clone)]
pub struct Cap<'a> {
    pub amount: &'a Money,
    pub per: Option<Period>,
}

#[derive(Debug, Clone)]
pub struct Audit<'a> {
    pub docs: &'a [String],
    pub order: Order,
    pub source: &'a str,
    pub schedule: Option<&'a str>,
    pub freshness: Option<&'a Duration>,
    /// `drift SIGMA over WINDOW`.
    pub drift: Option<(f64, &'a Duration)>,
    pub owner: Option<&'a str>,
    pub checks: Vec<&'a str>,
}

/// An attribution's model: its entry in `crate::attribution_models`, with
/// the settings written.
#[derive(Clone, Copy)]
pub struct AttributionModel<'a> {
    pub rule: &'static ModelRule,
    pub written: &'a [ModelSetting],
}

impl std::fmt::Debug for AttributionModel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttributionModel")
            .field("rule", &self.rule.keyword)
            .field("written", &self.written)
            .finish()
    }
}

impl<'a> AttributionModel<'a> {
    pub fn settings(&self) -> Settings<'a> {
        Settings::new(self.rule, self.written)
    }
}

impl<'a> Attribution<'a> {
    /// The rule: the one written, else last touch.
    pub fn model(&self) -> AttributionModel<'a> {
        self.model.unwrap_or(AttributionModel {
            rule: crate::attribution_models::last_touch(),
            written: &[],
        })
    }
}

impl<'a> Agreement<'a> {
    /// The model of a checked scope.
    pub fn of(scope: &Scope<'a>) -> Agreement<'a> {
        build::build(scope)
    }

    pub fn segment(&self, name: &str) -> Option<&Segment<'a>> {
        self.segments.iter().find(|s| s.named.name == name)
    }

    /// The source an event reads.
    pub fn source_of(&self, event: &Event<'a>) -> Option<&Source<'a>> {
        self.source(event.source)
    }

    /// The rows a source's or an event's name stands for.
    pub fn rows(&self, name: &str) -> Option<Rows<'_, 'a>> {
        if let Some(source) = self.source(name) {
            return Some(Rows {
                source,
                event: None,
            });
        }
        let event = self.event(name)?;
        Some(Rows {
            source: self.source_of(event)?,
            event: Some(event),
        })
    }

    /// The effective period as day numbers, when written and in order.
    pub fn effective_days(&self) -> Option<(i64, i64)> {
        let (start, end) = crate::check::dates::range(self.effective?);
        (start <= end).then_some((start, end))
    }

    pub fn party(&self, name: &str) -> Option<&Party<'a>> {
        self.parties.iter().find(|p| p.named.name == name)
    }

    pub fn source(&self, name: &str) -> Option<&Source<'a>> {
        self.sources.iter().find(|s| s.named.name == name)
    }

    pub fn event(&self, name: &str) -> Option<&Event<'a>> {
        self.events.iter().find(|e| e.named.name == name)
    }

    pub fn metric(&self, name: &str) -> Option<&Metric<'a>> {
        self.metrics.iter().find(|m| m.named.name == name)
    }

    pub fn pilot(&self, name: &str) -> Option<&Pilot<'a>> {
        self.pilots.iter().find(|p| p.named.name == name)
    }

    pub fn attribution(&self, name: &str) -> Option<&Attribution<'a>> {
        self.attributions.iter().find(|a| a.named.name == name)
    }

    /// The partner names for raw codes of a credit column: each party's
    /// `identified by COLUMN` values, parties in order.
    pub fn partner_codes(&self, credit_column: &str) -> Vec<(&'a str, &[&'a str])> {
        self.parties
            .iter()
            .flat_map(|party| {
                party
                    .identified_by
                    .iter()
                    .filter(move |id| id.column == credit_column && !id.values.is_empty())
                    .map(move |id| (party.named.name, id.values.as_slice()))
            })
            .collect()
    }
}
