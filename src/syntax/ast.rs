//! The typed syntax tree. It mirrors what the author wrote (order, optional
//! parts, repeated fields) so that the formatter can print it back; meaning
//! (resolution, units, rules) is the checker's business, not the tree's.
//!
//! Every node owns its [`Span`]; nothing borrows the source text.

use serde::Serialize;

use super::span::Span;

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal, with escapes already resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

/// Doc comments (`///`) in front of an item, one entry per line, without the
/// `///` and one following space.
pub type Docs = Vec<String>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct File {
    pub uses: Vec<Use>,
    pub root: Root,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Use {
    pub path: Str,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Root {
    Agreement(Agreement),
    Catalog(Catalog),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub items: Vec<Item>,
    pub span: Span,
}

/// A shared catalog of sources, events and segments, imported with `use`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub items: Vec<Item>,
    pub span: Span,
}

/// One entry of an agreement body, in source order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "item", content = "value", rename_all = "snake_case")]
pub enum Item {
    Version(Spanned<Integer>),
    Effective(Spanned<DateRange>),
    Currency(Spanned<Currency>),
    Timezone(Spanned<Str>),
    Journey(Spanned<Vec<Ident>>),
    NoGoal(Spanned<NoGoal>),
    Party(Party),
    Goal(Goal),
    Source(Source),
    Event(Event),
    Attribution(Attribution),
    Segment(Segment),
    Metric(Metric),
    Target(Target),
    Pilot(Pilot),
    Scorecard(Scorecard),
    Review(Review),
    Initiative(Initiative),
    Evidence(Evidence),
    Amendment(Amendment),
    Incentive(Incentive),
    Audit(Audit),
    Dispute(Dispute),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Version(s) => s.span,
            Item::Effective(s) => s.span,
            Item::Currency(s) => s.span,
            Item::Timezone(s) => s.span,
            Item::Journey(s) => s.span,
            Item::NoGoal(s) => s.span,
            Item::Party(x) => x.span,
            Item::Goal(x) => x.span,
            Item::Source(x) => x.span,
            Item::Event(x) => x.span,
            Item::Attribution(x) => x.span,
            Item::Segment(x) => x.span,
            Item::Metric(x) => x.span,
            Item::Target(x) => x.span,
            Item::Pilot(x) => x.span,
            Item::Scorecard(x) => x.span,
            Item::Review(x) => x.span,
            Item::Initiative(x) => x.span,
            Item::Evidence(x) => x.span,
            Item::Amendment(x) => x.span,
            Item::Incentive(x) => x.span,
            Item::Audit(x) => x.span,
            Item::Dispute(x) => x.span,
        }
    }
}

// ------------------------------------------------------------------ literals

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Integer {
    pub value: u64,
    pub span: Span,
}

/// A written number; percentages keep the written figure (40 for `40%`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Number {
    pub value: f64,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Currency {
    pub code: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    pub amount: f64,
    pub currency: Currency,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl TimeUnit {
    pub fn word(self, plural: bool) -> &'static str {
        match (self, plural) {
            (TimeUnit::Hour, false) => "hour",
            (TimeUnit::Hour, true) => "hours",
            (TimeUnit::Day, false) => "day",
            (TimeUnit::Day, true) => "days",
            (TimeUnit::Week, false) => "week",
            (TimeUnit::Week, true) => "weeks",
            (TimeUnit::Month, false) => "month",
            (TimeUnit::Month, true) => "months",
            (TimeUnit::Quarter, false) => "quarter",
            (TimeUnit::Quarter, true) => "quarters",
            (TimeUnit::Year, false) => "year",
            (TimeUnit::Year, true) => "years",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duration {
    pub amount: f64,
    pub unit: TimeUnit,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateRange {
    pub start: Date,
    pub end: Date,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Literal {
    Number(Number),
    Percent(Number),
    Money(Money),
    Duration(Duration),
    Date(Date),
    String(Str),
    Bool(Spanned<bool>),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Number(n) | Literal::Percent(n) => n.span,
            Literal::Money(m) => m.span,
            Literal::Duration(d) => d.span,
            Literal::Date(d) => d.span,
            Literal::String(s) => s.span,
            Literal::Bool(b) => b.span,
        }
    }
}

// ------------------------------------------------------------------ header

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Acquisition,
    Retention,
    Value,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Acquisition => "acquisition",
            Outcome::Retention => "retention",
            Outcome::Value => "value",
        }
    }
}

/// `no goal for value "why"`: an outcome the agreement deliberately leaves out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoGoal {
    pub outcome: Spanned<Outcome>,
    pub reason: Str,
}

// ------------------------------------------------------------------ parties and goals

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Party {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<PartyField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum PartyField {
    Role(Ident),
    Contact(Str),
    Owner(Str),
    IdentifiedBy { column: Ident, values: Vec<Str> },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<GoalField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum GoalField {
    Party(Ident),
    Outcome(Spanned<Outcome>),
    MeasuredBy(Vec<Ident>),
    Owner(Ident),
}

// ------------------------------------------------------------------ data

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<SourceField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum SourceField {
    Table(Str),
    Owner(Ident),
    Customer(ColumnRef),
    /// The event time; `instant` when the column holds instants rather
    /// than local times of the agreement's zone.
    Time {
        column: ColumnRef,
        instant: bool,
    },
    Id(ColumnRef),
    Column(Column),
    Freshness(Duration),
}

/// A key column of a source, with its physical name when it differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnRef {
    pub name: Ident,
    pub physical: Option<Str>,
}

/// A column's declared type (shared with the model and the dialects).
pub use crate::vocabulary::ColumnType;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub docs: Docs,
    pub name: Ident,
    pub ty: Spanned<ColumnType>,
    /// The currency of a money column, when it is not the agreement's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    pub pii: bool,
    pub physical: Option<Str>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub source: Ident,
    pub filter: Option<Condition>,
    /// `first per customer [and partner]`: only the first row counts.
    pub once: Option<Spanned<Once>>,
    pub stage: Option<Ident>,
    pub span: Span,
}

/// Which rows of an event count when it happens once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Once {
    /// `first per customer`: each customer's earliest row.
    PerCustomer,
    /// `first per customer and partner`: the earliest row of each customer
    /// with each partner code.
    PerCustomerAndPartner,
}

impl Once {
    pub fn words(self) -> &'static str {
        match self {
            Once::PerCustomer => "first per customer",
            Once::PerCustomerAndPartner => "first per customer and partner",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub from: SegmentSource,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SegmentSource {
    /// The journey stage of the events.
    Stage {
        span: Span,
    },
    Column(Path),
}

// ------------------------------------------------------------------ attribution

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<AttributionField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum AttributionField {
    Touches(Vec<Ident>),
    Credit(Ident),
    Channel(Ident),
    Conversions(Vec<Ident>),
    Value(Path),
    Model(Spanned<Model>),
    Lookback(Duration),
    MaxTouches(Integer),
    Repeats(Spanned<Repeats>),
    IgnoreChannels(Vec<Str>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repeats {
    Collapse,
    Keep,
}

/// `model NAME { SETTING VALUE ... }`, or `model data_driven NAME`. Which
/// names and settings exist is `crate::attribution_models`' to say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// The model's keyword; for a data-driven model, the method.
    pub name: Ident,
    pub data_driven: bool,
    pub settings: Vec<ModelSetting>,
}

/// One setting of a model: `first 40%`, `half life 7 days`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSetting {
    /// Its words, joined by one space.
    pub words: String,
    pub value: SettingValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingValue {
    Percent(Number),
    Duration(Duration),
}

// ------------------------------------------------------------------ metrics

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<MetricField>>,
    pub span: Span,
}

// `Value` is by far the most common field of a metric; boxing it would only
// add an indirection to every metric.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum MetricField {
    Value {
        expr: Expr,
        filter: Option<Condition>,
    },
    Attributed(Ident),
    By(Vec<Ident>),
    Indicator(Spanned<Indicator>),
    Owner(Ident),
    Unit(Spanned<Unit>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    Leading,
    Lagging,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Money,
    Ratio,
    Percent,
    Days,
    Score,
}

impl Unit {
    pub fn word(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Money => "money",
            Unit::Ratio => "ratio",
            Unit::Percent => "percent",
            Unit::Days => "days",
            Unit::Score => "score",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength: `*` and `/` bind tighter than `+` and `-`.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Add | BinOp::Sub => 1,
            BinOp::Mul | BinOp::Div => 2,
        }
    }
}

/// A metric expression. Parentheses are not kept: the formatter writes the
/// ones the tree needs, so `(a * b) + c` is printed `a * b + c`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "expr", rename_all = "snake_case")]
pub enum Expr {
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
    Neg {
        operand: Box<Expr>,
        span: Span,
    },
    Call {
        function: Ident,
        args: Vec<Arg>,
        span: Span,
    },
    Path(Path),
    Literal(Literal),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Binary { span, .. } | Expr::Neg { span, .. } | Expr::Call { span, .. } => *span,
            Expr::Path(p) => p.span,
            Expr::Literal(l) => l.span(),
        }
    }
}

/// A call argument: `orders.amount`, or labelled as in `after 180 days`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arg {
    pub label: Option<Ident>,
    pub value: ArgValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ArgValue {
    Expr(Expr),
    /// `30 days to 60 days`
    Range(Duration, Duration),
}

/// A dotted name: `orders.amount`, `purchase`, `surveys.score`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

// ------------------------------------------------------------------ conditions

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A row filter. `Or` and `And` hold at least two operands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "cond", rename_all = "snake_case")]
pub enum Condition {
    Or {
        operands: Vec<Condition>,
        span: Span,
    },
    And {
        operands: Vec<Condition>,
        span: Span,
    },
    Not {
        operand: Box<Condition>,
        span: Span,
    },
    Compare {
        column: Path,
        op: CmpOp,
        value: Literal,
        span: Span,
    },
    In {
        column: Path,
        negated: bool,
        values: Vec<Literal>,
        span: Span,
    },
    IsNull {
        column: Path,
        negated: bool,
        span: Span,
    },
}

impl Condition {
    pub fn span(&self) -> Span {
        match self {
            Condition::Or { span, .. }
            | Condition::And { span, .. }
            | Condition::Not { span, .. }
            | Condition::Compare { span, .. }
            | Condition::In { span, .. }
            | Condition::IsNull { span, .. } => *span,
        }
    }

    /// The columns the condition compares, in order (repeats kept).
    pub fn paths(&self) -> Vec<&Path> {
        fn walk<'c>(c: &'c Condition, out: &mut Vec<&'c Path>) {
            match c {
                Condition::Or { operands, .. } | Condition::And { operands, .. } => {
                    operands.iter().for_each(|o| walk(o, out))
                }
                Condition::Not { operand, .. } => walk(operand, out),
                Condition::Compare { column, .. }
                | Condition::In { column, .. }
                | Condition::IsNull { column, .. } => out.push(column),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

// ------------------------------------------------------------------ targets and pilots

/// The reporting period of `per month` and the like (shared with the
/// planners and the command line).
pub use crate::vocabulary::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Increase,
    Decrease,
}

/// What a target or a pilot expectation asks of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Goalpost {
    AtLeast {
        value: Literal,
    },
    AtMost {
        value: Literal,
    },
    Between {
        low: Literal,
        high: Literal,
    },
    /// Relative to a baseline: `increase 15% over baseline 2025-10-01 to 2025-12-31`.
    Change {
        direction: Spanned<Direction>,
        amount: Option<Number>,
        baseline: Option<DateRange>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deadline {
    By {
        date: Date,
    },
    /// `within 90 days`, optionally counted from a pilot's start (`of q1_pilot`).
    Within {
        duration: Duration,
        of: Option<Ident>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub docs: Docs,
    pub metric: Ident,
    pub goalpost: Goalpost,
    pub per: Option<Spanned<Period>>,
    pub deadline: Option<Spanned<Deadline>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pilot {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<PilotField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum PilotField {
    Partners(Vec<Ident>),
    During(DateRange),
    Baseline(DateRange),
    ControlPartners(Vec<Ident>),
    ControlCustomers(Condition),
    Hypothesis(Str),
    Inputs(Vec<Ident>),
    Outputs(Vec<Ident>),
    Expect(Expectation),
    /// `minimum group N customers`: the smallest group a verdict without
    /// an interval may rest on.
    MinimumGroup {
        size: Integer,
        customers_word: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expectation {
    pub metric: Ident,
    pub goalpost: Goalpost,
    pub per: Option<Spanned<Period>>,
    pub deadline: Option<Spanned<Deadline>>,
}

// ------------------------------------------------------------------ scorecards and governance

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<ScorecardField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum ScorecardField {
    SharedWith(Vec<Ident>),
    Metrics(Vec<Ident>),
    MinimumGroup { size: Integer, customers_word: bool },
    OnTrackFrom(Number),
    AtRiskFrom(Number),
    By(Vec<Ident>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<ReviewField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum ReviewField {
    Cadence(Ident),
    Attendees(Vec<Ident>),
    Scorecard(Ident),
    Agenda(Vec<Ident>),
    Reporting(Ident),
    /// `done` is the day the action was completed, when it was.
    Action {
        what: Str,
        owner: Ident,
        due: Date,
        done: Option<Date>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Initiative {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<InitiativeField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum InitiativeField {
    Owner(Ident),
    Due(Date),
    DependsOn(Vec<Ident>),
    Supports(Vec<Ident>),
    Status(Ident),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<EvidenceField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum EvidenceField {
    Kind(Ident),
    Goal(Ident),
    Link(Str),
    Recorded(Date),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amendment {
    pub docs: Docs,
    pub date: Date,
    pub summary: Str,
    /// `None` when written without a block.
    pub fields: Option<Vec<Spanned<AmendmentField>>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum AmendmentField {
    /// `version 4`: the version of the agreement the amendment brings in.
    Version(Integer),
    /// `changes target new_customers, attribution partner_credit`
    Changes(Vec<Subject>),
    /// `removes party meridian`: what the amendment took out.
    Removes(Vec<Subject>),
    /// `approved by northwind on 2026-03-28, acme on 2026-03-30`
    ApprovedBy(Vec<Approval>),
}

/// What an amendment changed, named as the change review names it:
/// `target new_customers`, `party acme`, `effective`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    /// `None` for the parts of the header and the dispute, which have no name.
    pub name: Option<Ident>,
    pub span: Span,
}

impl Subject {
    /// `target new_customers`, `effective`.
    pub fn text(&self) -> String {
        match &self.name {
            Some(name) => format!("{} {}", self.kind.word(), name.name),
            None => self.kind.word().to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Party,
    Goal,
    Source,
    Event,
    Attribution,
    Segment,
    Metric,
    /// The targets of a metric, named by the metric.
    Target,
    Pilot,
    Scorecard,
    Review,
    Initiative,
    Evidence,
    Incentive,
    /// The audit of a source, named by the source.
    Audit,
    Effective,
    Currency,
    Timezone,
    Journey,
    Dispute,
}

impl SubjectKind {
    pub const ALL: &[SubjectKind] = &[
        SubjectKind::Party,
        SubjectKind::Goal,
        SubjectKind::Source,
        SubjectKind::Event,
        SubjectKind::Attribution,
        SubjectKind::Segment,
        SubjectKind::Metric,
        SubjectKind::Target,
        SubjectKind::Pilot,
        SubjectKind::Scorecard,
        SubjectKind::Review,
        SubjectKind::Initiative,
        SubjectKind::Evidence,
        SubjectKind::Incentive,
        SubjectKind::Audit,
        SubjectKind::Effective,
        SubjectKind::Currency,
        SubjectKind::Timezone,
        SubjectKind::Journey,
        SubjectKind::Dispute,
    ];

    pub fn word(self) -> &'static str {
        match self {
            SubjectKind::Party => "party",
            SubjectKind::Goal => "goal",
            SubjectKind::Source => "source",
            SubjectKind::Event => "event",
            SubjectKind::Attribution => "attribution",
            SubjectKind::Segment => "segment",
            SubjectKind::Metric => "metric",
            SubjectKind::Target => "target",
            SubjectKind::Pilot => "pilot",
            SubjectKind::Scorecard => "scorecard",
            SubjectKind::Review => "review",
            SubjectKind::Initiative => "initiative",
            SubjectKind::Evidence => "evidence",
            SubjectKind::Incentive => "incentive",
            SubjectKind::Audit => "audit",
            SubjectKind::Effective => "effective",
            SubjectKind::Currency => "currency",
            SubjectKind::Timezone => "timezone",
            SubjectKind::Journey => "journey",
            SubjectKind::Dispute => "dispute",
        }
    }

    pub fn from_word(word: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.iter().copied().find(|k| k.word() == word)
    }

    /// Whether subjects of this kind carry a name.
    pub fn is_named(self) -> bool {
        !matches!(
            self,
            SubjectKind::Effective
                | SubjectKind::Currency
                | SubjectKind::Timezone
                | SubjectKind::Journey
                | SubjectKind::Dispute
        )
    }
}

/// `northwind on 2026-03-28`; the date is optional in old entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub party: Ident,
    pub date: Option<Date>,
    pub span: Span,
}

impl Amendment {
    /// The block's fields; none when written without a block.
    pub fn fields(&self) -> &[Spanned<AmendmentField>] {
        self.fields.as_deref().unwrap_or_default()
    }

    /// The version it brings in (the first `version` line).
    pub fn version(&self) -> Option<&Integer> {
        self.fields().iter().find_map(|f| match &f.value {
            AmendmentField::Version(v) => Some(v),
            _ => None,
        })
    }

    /// Every approval, `approved by` lines joined.
    pub fn approvals(&self) -> impl Iterator<Item = &Approval> {
        self.fields().iter().flat_map(|f| match &f.value {
            AmendmentField::ApprovedBy(a) => a.as_slice(),
            _ => &[],
        })
    }

    /// Every subject of its `changes` and `removes` lines.
    pub fn subjects(&self) -> impl Iterator<Item = &Subject> {
        self.fields().iter().flat_map(|f| match &f.value {
            AmendmentField::Changes(s) | AmendmentField::Removes(s) => s.as_slice(),
            _ => &[],
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incentive {
    pub docs: Docs,
    pub name: Ident,
    pub title: Option<Str>,
    pub fields: Vec<Spanned<IncentiveField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum IncentiveField {
    Pay {
        party: Ident,
        payment: Payment,
    },
    When(Vec<MetricCondition>),
    Cap {
        amount: Money,
        per: Option<Spanned<Period>>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payment {
    /// `10% of attributed value by partner_credit`
    ShareOfAttributed { rate: Number, attribution: Ident },
    /// `5% of net_revenue`
    ShareOfMetric { rate: Number, metric: Ident },
    /// `50 USD per new_customers`
    AmountPerMetric { amount: Money, metric: Ident },
}

/// `retention_180d at least 85%`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricCondition {
    pub metric: Ident,
    pub goalpost: Goalpost,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub docs: Docs,
    pub source: Ident,
    pub schedule: Option<Ident>,
    pub fields: Vec<Spanned<AuditField>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum AuditField {
    Freshness(Duration),
    Drift { sigma: Number, window: Duration },
    Owner(Ident),
    Checks(Vec<Ident>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dispute {
    pub docs: Docs,
    pub steps: Vec<Spanned<Escalation>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    pub to: Str,
    pub within: Duration,
}
