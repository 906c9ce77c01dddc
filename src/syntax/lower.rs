//! Lowering: pest pairs to the owned AST, one function per construct, all
//! with the same shape `fn construct(&mut self, pair) -> Node`. Value errors
//! the grammar cannot express (impossible dates, numbers out of range,
//! negative durations, bad escapes) become diagnostics here.

use std::sync::OnceLock;

use pest::iterators::Pair;

use super::ast::*;
use super::lexer::Comment;
use super::parser::Rule;
use super::span::{FileId, Span};
use crate::diagnostics::{Diagnostic, codes};

type P<'i> = Pair<'i, Rule>;

pub struct Lowerer<'t> {
    file: FileId,
    text: &'t str,
    /// `(end, start)` of every plain comment, sorted: pest puts trailing
    /// whitespace and comments inside a rule that ends with an optional
    /// part, and spans must not include them.
    comment_ends: Vec<(usize, usize)>,
    diagnostics: Vec<Diagnostic>,
}

/// Keyword rules (`k_*`) carry no information once parsed; lowering skips them.
fn is_keyword(rule: Rule) -> bool {
    static TABLE: OnceLock<Vec<bool>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let rules = Rule::all_rules();
        let mut table = vec![false; rules.iter().map(|r| *r as usize).max().unwrap_or(0) + 1];
        for rule in rules {
            table[*rule as usize] = format!("{rule:?}").starts_with("k_");
        }
        table
    });
    table[rule as usize]
}

/// The meaningful children of a pair, keywords left out.
fn parts(pair: P<'_>) -> Vec<P<'_>> {
    pair.into_inner()
        .filter(|p| !is_keyword(p.as_rule()))
        .collect()
}

/// Splits off a leading `docs` pair, if any.
fn take_docs<'i>(parts: &mut Vec<P<'i>>) -> Option<P<'i>> {
    if parts.first().is_some_and(|p| p.as_rule() == Rule::docs) {
        Some(parts.remove(0))
    } else {
        None
    }
}

/// The deepest expression tree the language accepts: far beyond any real
/// metric, and shallow enough that every stage that walks the tree stays
/// within its stack.
pub const MAX_EXPR_DEPTH: usize = 200;

impl<'t> Lowerer<'t> {
    pub fn new(file: FileId, text: &'t str, comments: &[Comment]) -> Self {
        Lowerer {
            file,
            text,
            comment_ends: comments
                .iter()
                .map(|c| (c.span.end, c.span.start))
                .collect(),
            diagnostics: Vec::new(),
        }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    fn span(&self, pair: &P<'_>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), self.trim_trivia(s.start(), s.end()))
    }

    /// Moves `end` back over trailing whitespace and comments.
    fn trim_trivia(&self, start: usize, mut end: usize) -> usize {
        loop {
            end = start + self.text[start..end].trim_end().len();
            match self.comment_ends.binary_search_by_key(&end, |(e, _)| *e) {
                Ok(i) if self.comment_ends[i].1 >= start => end = self.comment_ends[i].1,
                _ => return end,
            }
        }
    }

    fn error(&mut self, code: &'static str, span: Span, message: String, label: &str, help: &str) {
        self.diagnostics.push(
            Diagnostic::error(code, message)
                .with_label(span, label)
                .with_help(help),
        );
    }

    // ------------------------------------------------------------ file

    pub fn file(&mut self, pair: P<'_>) -> File {
        let span = self.span(&pair);
        let mut uses = Vec::new();
        let mut root = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::use_decl => uses.push(self.use_decl(part)),
                Rule::strict_agreement | Rule::agreement => {
                    root = Some(Root::Agreement(self.agreement(part)))
                }
                Rule::strict_catalog | Rule::catalog => {
                    root = Some(Root::Catalog(self.catalog(part)))
                }
                _ => {}
            }
        }
        File {
            uses,
            root: root.expect("the grammar requires an agreement or a catalog"),
            span,
        }
    }

    fn use_decl(&mut self, pair: P<'_>) -> Use {
        let span = self.span(&pair);
        let path = self.string(parts(pair).remove(0));
        Use { path, span }
    }

    fn header(&mut self, mut parts: Vec<P<'_>>) -> (Docs, Ident, Option<Str>, Vec<Item>) {
        let docs = self.docs(take_docs(&mut parts));
        let mut iter = parts.into_iter();
        let name = self.ident(iter.next().expect("name"));
        let mut title = None;
        let mut items = Vec::new();
        for part in iter {
            match part.as_rule() {
                Rule::string => title = Some(self.string(part)),
                // Only in a recovering parse; the parser reports these itself.
                Rule::broken_item => {}
                _ => items.push(self.item(part)),
            }
        }
        (docs, name, title, items)
    }

    fn agreement(&mut self, pair: P<'_>) -> Agreement {
        let span = self.span(&pair);
        let (docs, name, title, items) = self.header(parts(pair));
        Agreement {
            docs,
            name,
            title,
            items,
            span,
        }
    }

    fn catalog(&mut self, pair: P<'_>) -> Catalog {
        let span = self.span(&pair);
        let (docs, name, title, items) = self.header(parts(pair));
        Catalog {
            docs,
            name,
            title,
            items,
            span,
        }
    }

    fn item(&mut self, pair: P<'_>) -> Item {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        match rule {
            Rule::version_field => {
                let value = self.integer(parts(pair).remove(0));
                Item::Version(Spanned { value, span })
            }
            Rule::effective_field => {
                let value = self.date_range(parts(pair).remove(0));
                Item::Effective(Spanned { value, span })
            }
            Rule::currency_field => {
                let value = self.currency(parts(pair).remove(0));
                Item::Currency(Spanned { value, span })
            }
            Rule::timezone_field => {
                let value = self.string(parts(pair).remove(0));
                Item::Timezone(Spanned { value, span })
            }
            Rule::journey_field => {
                let value = self.ident_list(parts(pair).remove(0));
                Item::Journey(Spanned { value, span })
            }
            Rule::no_goal_field => {
                let mut p = parts(pair).into_iter();
                let outcome = self.outcome(p.next().expect("outcome"));
                let reason = self.string(p.next().expect("reason"));
                Item::NoGoal(Spanned {
                    value: NoGoal { outcome, reason },
                    span,
                })
            }
            Rule::party => Item::Party(self.party(pair)),
            Rule::goal => Item::Goal(self.goal(pair)),
            Rule::source => Item::Source(self.source(pair)),
            Rule::event => Item::Event(self.event(pair)),
            Rule::attribution => Item::Attribution(self.attribution(pair)),
            Rule::segment => Item::Segment(self.segment(pair)),
            Rule::metric => Item::Metric(self.metric(pair)),
            Rule::target => Item::Target(self.target(pair)),
            Rule::pilot => Item::Pilot(self.pilot(pair)),
            Rule::scorecard => Item::Scorecard(self.scorecard(pair)),
            Rule::review => Item::Review(self.review(pair)),
            Rule::initiative => Item::Initiative(self.initiative(pair)),
            Rule::evidence => Item::Evidence(self.evidence(pair)),
            Rule::amendment => Item::Amendment(self.amendment(pair)),
            Rule::incentive => Item::Incentive(self.incentive(pair)),
            Rule::audit => Item::Audit(self.audit(pair)),
            Rule::dispute => Item::Dispute(self.dispute(pair)),
            other => unreachable!("the grammar yields no {other:?} as an item"),
        }
    }

    /// `NAME "Title"? { field* }`: the shape shared by most blocks.
    fn named_block<'i, F>(
        &mut self,
        pair: P<'i>,
        mut field: impl FnMut(&mut Self, P<'i>) -> F,
    ) -> NamedBlock<F> {
        let span = self.span(&pair);
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let mut iter = p.into_iter();
        let name = self.ident(iter.next().expect("name"));
        let mut title = None;
        let mut fields = Vec::new();
        for part in iter {
            if part.as_rule() == Rule::string {
                title = Some(self.string(part));
            } else {
                let field_span = self.span(&part);
                fields.push(Spanned {
                    value: field(self, part),
                    span: field_span,
                });
            }
        }
        NamedBlock {
            docs,
            name,
            title,
            fields,
            span,
        }
    }

    // ------------------------------------------------------------ parties and goals

    fn party(&mut self, pair: P<'_>) -> Party {
        let b = self.named_block(pair, Self::party_field);
        Party {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn party_field(&mut self, pair: P<'_>) -> PartyField {
        let rule = pair.as_rule();
        let mut p = parts(pair).into_iter();
        match rule {
            Rule::role_field => PartyField::Role(self.ident(p.next().expect("role"))),
            Rule::contact_field => PartyField::Contact(self.string(p.next().expect("contact"))),
            Rule::owner_text_field => PartyField::Owner(self.string(p.next().expect("owner"))),
            Rule::identified_field => PartyField::IdentifiedBy {
                column: self.ident(p.next().expect("column")),
                values: self.string_list(p.next().expect("values")),
            },
            other => unreachable!("party field {other:?}"),
        }
    }

    fn goal(&mut self, pair: P<'_>) -> Goal {
        let b = self.named_block(pair, Self::goal_field);
        Goal {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn goal_field(&mut self, pair: P<'_>) -> GoalField {
        let rule = pair.as_rule();
        let mut p = parts(pair).into_iter();
        let first = p.next().expect("goal field value");
        match rule {
            Rule::party_field_ref => GoalField::Party(self.ident(first)),
            Rule::outcome_field => GoalField::Outcome(self.outcome(first)),
            Rule::measured_field => GoalField::MeasuredBy(self.ident_list(first)),
            Rule::owner_field => GoalField::Owner(self.ident(first)),
            other => unreachable!("goal field {other:?}"),
        }
    }

    fn outcome(&mut self, pair: P<'_>) -> Spanned<Outcome> {
        let span = self.span(&pair);
        let value = match pair.as_str() {
            "acquisition" => Outcome::Acquisition,
            "retention" => Outcome::Retention,
            _ => Outcome::Value,
        };
        Spanned { value, span }
    }

    // ------------------------------------------------------------ data

    fn source(&mut self, pair: P<'_>) -> Source {
        let b = self.named_block(pair, Self::source_field);
        Source {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn source_field(&mut self, pair: P<'_>) -> SourceField {
        let rule = pair.as_rule();
        if rule == Rule::column {
            return SourceField::Column(self.column(pair));
        }
        if rule == Rule::time_field {
            // `parts` drops keywords, and `instant` is one.
            let instant = pair
                .clone()
                .into_inner()
                .any(|p| p.as_rule() == Rule::k_instant);
            let mut p = parts(pair).into_iter();
            let name = self.ident(p.next().expect("column name"));
            let physical = p.next().map(|named| self.physical_name(named));
            return SourceField::Time {
                column: ColumnRef { name, physical },
                instant,
            };
        }
        let first = parts(pair).into_iter().next().expect("source field value");
        match rule {
            Rule::table_field => SourceField::Table(self.string(first)),
            Rule::owner_field => SourceField::Owner(self.ident(first)),
            Rule::customer_field => SourceField::Customer(self.column_ref(first)),
            Rule::id_field => SourceField::Id(self.column_ref(first)),
            Rule::freshness_field => SourceField::Freshness(self.duration(first)),
            other => unreachable!("source field {other:?}"),
        }
    }

    fn column_ref(&mut self, pair: P<'_>) -> ColumnRef {
        let mut p = parts(pair).into_iter();
        let name = self.ident(p.next().expect("column name"));
        let physical = p.next().map(|named| self.physical_name(named));
        ColumnRef { name, physical }
    }

    fn physical_name(&mut self, pair: P<'_>) -> Str {
        self.string(parts(pair).remove(0))
    }

    fn column(&mut self, pair: P<'_>) -> Column {
        let span = self.span(&pair);
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let mut iter = p.into_iter();
        let name = self.ident(iter.next().expect("column name"));
        let ty_pair = iter.next().expect("column type");
        let ty = Spanned {
            span: self.span(&ty_pair),
            value: match ty_pair.as_str() {
                "text" => ColumnType::Text,
                "number" => ColumnType::Number,
                "money" => ColumnType::Money,
                "timestamp" => ColumnType::Timestamp,
                "instant" => ColumnType::Instant,
                "date" => ColumnType::Date,
                _ => ColumnType::Boolean,
            },
        };
        let mut pii = false;
        let mut physical = None;
        let mut currency = None;
        for part in iter {
            match part.as_rule() {
                Rule::pii => pii = true,
                Rule::currency => {
                    let code = self.currency(part);
                    if ty.value != ColumnType::Money {
                        self.error(
                            codes::SYNTAX,
                            code.span,
                            format!(
                                "a currency only follows `money`, but `{}` is a {} column",
                                name.name,
                                ty.value.word()
                            ),
                            "not a money column",
                            "remove the currency, or declare the column `money`",
                        );
                    }
                    currency = Some(code);
                }
                _ => physical = Some(self.physical_name(part)),
            }
        }
        Column {
            docs,
            name,
            ty,
            currency,
            pii,
            physical,
            span,
        }
    }

    fn event(&mut self, pair: P<'_>) -> Event {
        let span = self.span(&pair);
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let mut iter = p.into_iter();
        let name = self.ident(iter.next().expect("event name"));
        let mut title = None;
        let mut source = None;
        let mut filter = None;
        let mut once = None;
        let mut stage = None;
        for part in iter {
            match part.as_rule() {
                Rule::string => title = Some(self.string(part)),
                Rule::ident => source = Some(self.ident(part)),
                Rule::where_clause => filter = Some(self.where_clause(part)),
                Rule::once_clause => {
                    let span = self.span(&part);
                    let with_partner = part
                        .clone()
                        .into_inner()
                        .any(|p| p.as_rule() == Rule::k_partner);
                    let value = if with_partner {
                        Once::PerCustomerAndPartner
                    } else {
                        Once::PerCustomer
                    };
                    once = Some(Spanned { value, span });
                }
                Rule::stage_clause => stage = Some(self.ident(parts(part).remove(0))),
                other => unreachable!("event part {other:?}"),
            }
        }
        Event {
            docs,
            name,
            title,
            source: source.expect("the grammar requires `from SOURCE`"),
            filter,
            once,
            stage,
            span,
        }
    }

    fn segment(&mut self, pair: P<'_>) -> Segment {
        let span = self.span(&pair);
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let mut iter = p.into_iter();
        let name = self.ident(iter.next().expect("segment name"));
        let mut title = None;
        let mut from = None;
        for part in iter {
            match part.as_rule() {
                Rule::string => title = Some(self.string(part)),
                _ => {
                    let source_span = self.span(&part);
                    from = Some(match parts(part).into_iter().next() {
                        Some(path) => SegmentSource::Column(self.path(path)),
                        None => SegmentSource::Stage { span: source_span },
                    });
                }
            }
        }
        Segment {
            docs,
            name,
            title,
            from: from.expect("the grammar requires `from`"),
            span,
        }
    }

    // ------------------------------------------------------------ attribution

    fn attribution(&mut self, pair: P<'_>) -> Attribution {
        let b = self.named_block(pair, Self::attribution_field);
        Attribution {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn attribution_field(&mut self, pair: P<'_>) -> AttributionField {
        let rule = pair.as_rule();
        let first = parts(pair)
            .into_iter()
            .next()
            .expect("attribution field value");
        match rule {
            Rule::touches_field => AttributionField::Touches(self.ident_list(first)),
            Rule::credit_field => AttributionField::Credit(self.ident(first)),
            Rule::channel_field => AttributionField::Channel(self.ident(first)),
            Rule::conversions_field => AttributionField::Conversions(self.ident_list(first)),
            Rule::value_path_field => AttributionField::Value(self.path(first)),
            Rule::model_field => AttributionField::Model(self.model(first)),
            Rule::lookback_field => AttributionField::Lookback(self.duration(first)),
            Rule::max_touches_field => AttributionField::MaxTouches(self.integer(first)),
            Rule::repeats_field => AttributionField::Repeats(Spanned {
                span: self.span(&first),
                value: if first.as_str() == "collapse" {
                    Repeats::Collapse
                } else {
                    Repeats::Keep
                },
            }),
            Rule::ignore_field => AttributionField::IgnoreChannels(self.string_list(first)),
            other => unreachable!("attribution field {other:?}"),
        }
    }

    fn model(&mut self, pair: P<'_>) -> Spanned<Model> {
        let span = self.span(&pair);
        let data_driven = pair.as_rule() == Rule::data_driven;
        let mut p = parts(pair).into_iter();
        let name = self.ident(p.next().expect("model name"));
        let settings = p
            .map(|setting| {
                let span = self.span(&setting);
                let mut s = setting.into_inner();
                let words: Vec<&str> = s
                    .next()
                    .expect("setting words")
                    .into_inner()
                    .map(|w| w.as_str())
                    .collect();
                let value = s.next().expect("setting value");
                let value = match value.as_rule() {
                    Rule::percent => SettingValue::Percent(self.percent(value)),
                    _ => SettingValue::Duration(self.duration(value)),
                };
                ModelSetting {
                    words: words.join(" "),
                    value,
                    span,
                }
            })
            .collect();
        Spanned {
            value: Model {
                name,
                data_driven,
                settings,
            },
            span,
        }
    }

    // ------------------------------------------------------------ metrics

    fn metric(&mut self, pair: P<'_>) -> Metric {
        let b = self.named_block(pair, Self::metric_field);
        Metric {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn metric_field(&mut self, pair: P<'_>) -> MetricField {
        let rule = pair.as_rule();
        let mut p = parts(pair).into_iter();
        let first = p.next().expect("metric field value");
        match rule {
            Rule::value_expr_field => MetricField::Value {
                expr: self.expr(first),
                filter: p.next().map(|w| self.where_clause(w)),
            },
            Rule::attributed_field => MetricField::Attributed(self.ident(first)),
            Rule::by_field => MetricField::By(self.ident_list(first)),
            Rule::indicator_field => MetricField::Indicator(Spanned {
                span: self.span(&first),
                value: if first.as_str() == "leading" {
                    Indicator::Leading
                } else {
                    Indicator::Lagging
                },
            }),
            Rule::owner_field => MetricField::Owner(self.ident(first)),
            Rule::unit_field => MetricField::Unit(Spanned {
                span: self.span(&first),
                value: match first.as_str() {
                    "count" => Unit::Count,
                    "money" => Unit::Money,
                    "ratio" => Unit::Ratio,
                    "percent" => Unit::Percent,
                    "days" => Unit::Days,
                    _ => Unit::Score,
                },
            }),
            other => unreachable!("metric field {other:?}"),
        }
    }

    fn expr(&mut self, pair: P<'_>) -> Expr {
        self.expr_deep(pair).0
    }

    /// An expression and the depth of its tree. A tree deeper than
    /// [`MAX_EXPR_DEPTH`] is reported and replaced by a plain `0`, so that
    /// no later stage (the checker, the planner, `parse`'s JSON, dropping
    /// the tree) recurses as deep as the input says.
    fn expr_deep(&mut self, pair: P<'_>) -> (Expr, usize) {
        match pair.as_rule() {
            Rule::expr | Rule::term => {
                let mut iter = pair.into_inner();
                let (mut lhs, mut depth) = self.expr_deep(iter.next().expect("operand"));
                while let Some(op) = iter.next() {
                    let (rhs, rhs_depth) = self.expr_deep(iter.next().expect("right operand"));
                    depth = depth.max(rhs_depth) + 1;
                    if depth > MAX_EXPR_DEPTH {
                        // Pointed at the term that crosses the limit: the
                        // whole chain may be a megabyte long.
                        let at = rhs.span();
                        return self.too_deep(at);
                    }
                    let op = match op.as_str() {
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        "*" => BinOp::Mul,
                        _ => BinOp::Div,
                    };
                    let span = lhs.span().to(rhs.span());
                    lhs = Expr::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                        span,
                    };
                }
                (lhs, depth)
            }
            Rule::factor => {
                let whole = self.span(&pair);
                let mut negations = Vec::new();
                let mut operand = None;
                for part in pair.into_inner() {
                    if part.as_rule() == Rule::neg {
                        negations.push(part.as_span().start());
                    } else {
                        operand = Some(self.expr_deep(part));
                    }
                }
                let (mut expr, depth) = operand.expect("factor operand");
                let depth = depth + negations.len();
                if depth > MAX_EXPR_DEPTH {
                    return self.too_deep(whole);
                }
                for start in negations.into_iter().rev() {
                    let span = Span::new(self.file, start, expr.span().end);
                    expr = Expr::Neg {
                        operand: Box::new(expr),
                        span,
                    };
                }
                (expr, depth)
            }
            Rule::call => {
                let span = self.span(&pair);
                let mut iter = pair.into_inner();
                let function = self.ident(iter.next().expect("function name"));
                let mut depth = 1;
                let args = iter
                    .map(|a| {
                        let (arg, arg_depth) = self.arg_deep(a);
                        depth = depth.max(arg_depth + 1);
                        arg
                    })
                    .collect();
                if depth > MAX_EXPR_DEPTH {
                    return self.too_deep(span);
                }
                (
                    Expr::Call {
                        function,
                        args,
                        span,
                    },
                    depth,
                )
            }
            Rule::path => (Expr::Path(self.path(pair)), 1),
            _ => (Expr::Literal(self.literal(pair)), 1),
        }
    }

    fn too_deep(&mut self, span: Span) -> (Expr, usize) {
        self.error(
            codes::TOO_DEEP,
            span,
            format!("this expression is more than {MAX_EXPR_DEPTH} operations deep"),
            "too deep",
            "split it: give parts of it metrics of their own, or add fewer terms at a time",
        );
        (
            Expr::Literal(Literal::Number(Number { value: 0.0, span })),
            1,
        )
    }

    fn arg_deep(&mut self, pair: P<'_>) -> (Arg, usize) {
        let span = self.span(&pair);
        let mut label = None;
        let mut value = None;
        let mut depth = 1;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::arg_label => {
                    label = Some(self.ident(part.into_inner().next().expect("label")))
                }
                Rule::duration_range => {
                    let mut p = parts(part).into_iter();
                    let from = self.duration(p.next().expect("from"));
                    let to = self.duration(p.next().expect("to"));
                    value = Some(ArgValue::Range(from, to));
                }
                _ => {
                    let (expr, expr_depth) = self.expr_deep(part);
                    depth = expr_depth;
                    value = Some(ArgValue::Expr(expr));
                }
            }
        }
        (
            Arg {
                label,
                value: value.expect("argument value"),
                span,
            },
            depth,
        )
    }

    fn path(&mut self, pair: P<'_>) -> Path {
        let span = self.span(&pair);
        let segments = pair.into_inner().map(|p| self.ident(p)).collect();
        Path { segments, span }
    }

    // ------------------------------------------------------------ conditions

    fn where_clause(&mut self, pair: P<'_>) -> Condition {
        self.condition(parts(pair).remove(0))
    }

    fn condition(&mut self, pair: P<'_>) -> Condition {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        match rule {
            Rule::condition | Rule::cond_and => {
                let mut operands: Vec<Condition> =
                    parts(pair).into_iter().map(|p| self.condition(p)).collect();
                if operands.len() == 1 {
                    return operands.pop().expect("one operand");
                }
                if rule == Rule::condition {
                    Condition::Or { operands, span }
                } else {
                    Condition::And { operands, span }
                }
            }
            Rule::cond_not => {
                let mut p = parts(pair);
                let operand = self.condition(p.pop().expect("operand"));
                if p.is_empty() {
                    operand
                } else {
                    Condition::Not {
                        operand: Box::new(operand),
                        span,
                    }
                }
            }
            Rule::comparison => {
                let mut p = parts(pair).into_iter();
                let column = self.path(p.next().expect("column"));
                let test = p.next().expect("test");
                match test.as_rule() {
                    Rule::is_null => Condition::IsNull {
                        column,
                        negated: parts(test).iter().any(|p| p.as_rule() == Rule::negation),
                        span,
                    },
                    Rule::in_list => {
                        let mut negated = false;
                        let mut values = Vec::new();
                        for part in parts(test) {
                            match part.as_rule() {
                                Rule::negation => negated = true,
                                _ => values = part.into_inner().map(|v| self.literal(v)).collect(),
                            }
                        }
                        Condition::In {
                            column,
                            negated,
                            values,
                            span,
                        }
                    }
                    _ => {
                        let mut t = test.into_inner();
                        let op = match t.next().expect("operator").as_str() {
                            "=" => CmpOp::Eq,
                            "!=" => CmpOp::Ne,
                            "<" => CmpOp::Lt,
                            "<=" => CmpOp::Le,
                            ">" => CmpOp::Gt,
                            _ => CmpOp::Ge,
                        };
                        let value = self.literal(t.next().expect("value"));
                        Condition::Compare {
                            column,
                            op,
                            value,
                            span,
                        }
                    }
                }
            }
            other => unreachable!("condition {other:?}"),
        }
    }

    // ------------------------------------------------------------ targets and pilots

    fn target(&mut self, pair: P<'_>) -> Target {
        let span = self.span(&pair);
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let mut iter = p.into_iter();
        let metric = self.ident(iter.next().expect("metric"));
        let (goalpost, per, deadline) = self.goalpost_parts(iter);
        Target {
            docs,
            metric,
            goalpost,
            per,
            deadline,
            span,
        }
    }

    /// The goalpost, optional period and optional deadline of a target or an expectation.
    #[allow(clippy::type_complexity)]
    fn goalpost_parts<'i>(
        &mut self,
        iter: impl Iterator<Item = P<'i>>,
    ) -> (Goalpost, Option<Spanned<Period>>, Option<Spanned<Deadline>>) {
        let mut goalpost = None;
        let mut per = None;
        let mut deadline = None;
        for part in iter {
            let span = self.span(&part);
            match part.as_rule() {
                Rule::per_period => per = Some(self.period(parts(part).remove(0))),
                Rule::by_date => {
                    deadline = Some(Spanned {
                        value: Deadline::By {
                            date: self.date(parts(part).remove(0)),
                        },
                        span,
                    })
                }
                Rule::within => {
                    let mut w = parts(part).into_iter();
                    let duration = self.duration(w.next().expect("duration"));
                    let of = w.next().map(|i| self.ident(i));
                    deadline = Some(Spanned {
                        value: Deadline::Within { duration, of },
                        span,
                    });
                }
                _ => goalpost = Some(self.goalpost(part)),
            }
        }
        (
            goalpost.expect("the grammar requires a goalpost"),
            per,
            deadline,
        )
    }

    fn goalpost(&mut self, pair: P<'_>) -> Goalpost {
        let rule = pair.as_rule();
        let span = self.span(&pair);
        let mut p = parts(pair).into_iter();
        match rule {
            Rule::at_least => Goalpost::AtLeast {
                value: self.literal(p.next().expect("value")),
            },
            Rule::at_most => Goalpost::AtMost {
                value: self.literal(p.next().expect("value")),
            },
            Rule::between => Goalpost::Between {
                low: self.literal(p.next().expect("low")),
                high: self.literal(p.next().expect("high")),
            },
            Rule::change => {
                let direction_pair = p.next().expect("direction");
                let direction = Spanned {
                    span: self.span(&direction_pair),
                    value: if direction_pair.as_str() == "increase" {
                        Direction::Increase
                    } else {
                        Direction::Decrease
                    },
                };
                let mut amount = None;
                let mut baseline = None;
                for part in p {
                    match part.as_rule() {
                        Rule::percent => amount = Some(self.percent(part)),
                        _ => baseline = Some(self.date_range(parts(part).remove(0))),
                    }
                }
                Goalpost::Change {
                    direction,
                    amount,
                    baseline,
                }
            }
            other => unreachable!("goalpost {other:?} at {span:?}"),
        }
    }

    fn period(&mut self, pair: P<'_>) -> Spanned<Period> {
        let span = self.span(&pair);
        let value = match pair.as_str() {
            "day" => Period::Day,
            "week" => Period::Week,
            "month" => Period::Month,
            "quarter" => Period::Quarter,
            _ => Period::Year,
        };
        Spanned { value, span }
    }

    fn pilot(&mut self, pair: P<'_>) -> Pilot {
        let b = self.named_block(pair, Self::pilot_field);
        Pilot {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn pilot_field(&mut self, pair: P<'_>) -> PilotField {
        let rule = pair.as_rule();
        let customers_word = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::k_customers);
        let mut p = parts(pair).into_iter();
        match rule {
            Rule::partners_field => {
                PilotField::Partners(self.ident_list(p.next().expect("partners")))
            }
            Rule::during_field => PilotField::During(self.date_range(p.next().expect("period"))),
            Rule::baseline_field => {
                PilotField::Baseline(self.date_range(p.next().expect("period")))
            }
            Rule::control_field => {
                let control = p.next().expect("control");
                let is_partners = control.as_rule() == Rule::control_partners;
                let inner = parts(control).remove(0);
                if is_partners {
                    PilotField::ControlPartners(self.ident_list(inner))
                } else {
                    PilotField::ControlCustomers(self.where_clause(inner))
                }
            }
            Rule::hypothesis_field => {
                PilotField::Hypothesis(self.string(p.next().expect("hypothesis")))
            }
            Rule::inputs_field => PilotField::Inputs(self.ident_list(p.next().expect("inputs"))),
            Rule::outputs_field => PilotField::Outputs(self.ident_list(p.next().expect("outputs"))),
            Rule::expect_field => {
                let metric = self.ident(p.next().expect("metric"));
                let (goalpost, per, deadline) = self.goalpost_parts(p);
                PilotField::Expect(Expectation {
                    metric,
                    goalpost,
                    per,
                    deadline,
                })
            }
            Rule::minimum_field => PilotField::MinimumGroup {
                size: self.integer(p.next().expect("size")),
                customers_word,
            },
            other => unreachable!("pilot field {other:?}"),
        }
    }

    // ------------------------------------------------------------ scorecards and governance

    fn scorecard(&mut self, pair: P<'_>) -> Scorecard {
        let b = self.named_block(pair, Self::scorecard_field);
        Scorecard {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn scorecard_field(&mut self, pair: P<'_>) -> ScorecardField {
        let rule = pair.as_rule();
        let customers_word = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::k_customers);
        let first = parts(pair)
            .into_iter()
            .next()
            .expect("scorecard field value");
        match rule {
            Rule::shared_field => ScorecardField::SharedWith(self.ident_list(first)),
            Rule::metrics_field => ScorecardField::Metrics(self.ident_list(first)),
            Rule::minimum_field => ScorecardField::MinimumGroup {
                size: self.integer(first),
                customers_word,
            },
            Rule::on_track_field => ScorecardField::OnTrackFrom(self.percent(first)),
            Rule::at_risk_field => ScorecardField::AtRiskFrom(self.percent(first)),
            Rule::by_field => ScorecardField::By(self.ident_list(first)),
            other => unreachable!("scorecard field {other:?}"),
        }
    }

    fn review(&mut self, pair: P<'_>) -> Review {
        let b = self.named_block(pair, Self::review_field);
        Review {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn review_field(&mut self, pair: P<'_>) -> ReviewField {
        let rule = pair.as_rule();
        let mut p = parts(pair).into_iter();
        let first = p.next().expect("review field value");
        match rule {
            Rule::cadence_field => ReviewField::Cadence(self.ident(first)),
            Rule::attendees_field => ReviewField::Attendees(self.ident_list(first)),
            Rule::review_scorecard_field => ReviewField::Scorecard(self.ident(first)),
            Rule::agenda_field => ReviewField::Agenda(self.ident_list(first)),
            Rule::reporting_field => ReviewField::Reporting(self.ident(first)),
            Rule::action => ReviewField::Action {
                what: self.string(first),
                owner: self.ident(p.next().expect("owner")),
                due: self.date(p.next().expect("due")),
                done: p.next().map(|d| self.date(d)),
            },
            other => unreachable!("review field {other:?}"),
        }
    }

    fn initiative(&mut self, pair: P<'_>) -> Initiative {
        let b = self.named_block(pair, Self::initiative_field);
        Initiative {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn initiative_field(&mut self, pair: P<'_>) -> InitiativeField {
        let rule = pair.as_rule();
        let first = parts(pair)
            .into_iter()
            .next()
            .expect("initiative field value");
        match rule {
            Rule::owner_field => InitiativeField::Owner(self.ident(first)),
            Rule::due_field => InitiativeField::Due(self.date(first)),
            Rule::depends_field => InitiativeField::DependsOn(self.ident_list(first)),
            Rule::supports_field => InitiativeField::Supports(self.ident_list(first)),
            Rule::status_field => InitiativeField::Status(self.ident(first)),
            other => unreachable!("initiative field {other:?}"),
        }
    }

    fn evidence(&mut self, pair: P<'_>) -> Evidence {
        let b = self.named_block(pair, Self::evidence_field);
        Evidence {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn evidence_field(&mut self, pair: P<'_>) -> EvidenceField {
        let rule = pair.as_rule();
        let first = parts(pair)
            .into_iter()
            .next()
            .expect("evidence field value");
        match rule {
            Rule::kind_field => EvidenceField::Kind(self.ident(first)),
            Rule::goal_ref_field => EvidenceField::Goal(self.ident(first)),
            Rule::link_field => EvidenceField::Link(self.string(first)),
            Rule::recorded_field => EvidenceField::Recorded(self.date(first)),
            other => unreachable!("evidence field {other:?}"),
        }
    }

    fn amendment(&mut self, pair: P<'_>) -> Amendment {
        let span = self.span(&pair);
        // Spans exclude trailing comments, so a `}` in a comment cannot count.
        let has_block = self.text[..span.end].ends_with('}');
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let mut iter = p.into_iter();
        let date = self.date(iter.next().expect("date"));
        let summary = self.string(iter.next().expect("summary"));
        let fields: Vec<Spanned<AmendmentField>> = iter
            .map(|field| {
                let field_span = self.span(&field);
                Spanned {
                    value: self.amendment_field(field),
                    span: field_span,
                }
            })
            .collect();
        Amendment {
            docs,
            date,
            summary,
            fields: has_block.then_some(fields),
            span,
        }
    }

    fn amendment_field(&mut self, pair: P<'_>) -> AmendmentField {
        let rule = pair.as_rule();
        let first = parts(pair)
            .into_iter()
            .next()
            .expect("amendment field value");
        match rule {
            Rule::version_field => AmendmentField::Version(self.integer(first)),
            Rule::changes_field => AmendmentField::Changes(self.subject_list(first)),
            Rule::removes_field => AmendmentField::Removes(self.subject_list(first)),
            Rule::approved_field => AmendmentField::ApprovedBy(
                first
                    .into_inner()
                    .map(|approval| {
                        let span = self.span(&approval);
                        let mut p = parts(approval).into_iter();
                        let party = self.ident(p.next().expect("party"));
                        let date = p.next().map(|d| self.date(d));
                        Approval { party, date, span }
                    })
                    .collect(),
            ),
            other => unreachable!("amendment field {other:?}"),
        }
    }

    fn subject_list(&mut self, pair: P<'_>) -> Vec<Subject> {
        pair.into_inner()
            .map(|subject| {
                let span = self.span(&subject);
                let mut p = parts(subject).into_iter();
                let first = p.next().expect("subject kind");
                let kind = SubjectKind::from_word(first.as_str())
                    .expect("the grammar only accepts subject keywords");
                let name = p.next().map(|n| self.ident(n));
                Subject { kind, name, span }
            })
            .collect()
    }

    fn incentive(&mut self, pair: P<'_>) -> Incentive {
        let b = self.named_block(pair, Self::incentive_field);
        Incentive {
            docs: b.docs,
            name: b.name,
            title: b.title,
            fields: b.fields,
            span: b.span,
        }
    }

    fn incentive_field(&mut self, pair: P<'_>) -> IncentiveField {
        let rule = pair.as_rule();
        let mut p = parts(pair).into_iter();
        match rule {
            Rule::pay_field => {
                let party = self.ident(p.next().expect("party"));
                let payment = p.next().expect("payment");
                let payment_rule = payment.as_rule();
                let mut q = parts(payment).into_iter();
                let payment = match payment_rule {
                    Rule::share_of_attributed => Payment::ShareOfAttributed {
                        rate: self.percent(q.next().expect("rate")),
                        attribution: self.ident(q.next().expect("attribution")),
                    },
                    Rule::share_of_metric => Payment::ShareOfMetric {
                        rate: self.percent(q.next().expect("rate")),
                        metric: self.ident(q.next().expect("metric")),
                    },
                    _ => Payment::AmountPerMetric {
                        amount: self.money(q.next().expect("amount")),
                        metric: self.ident(q.next().expect("metric")),
                    },
                };
                IncentiveField::Pay { party, payment }
            }
            Rule::when_field => IncentiveField::When(
                p.map(|c| {
                    let span = self.span(&c);
                    let mut q = parts(c).into_iter();
                    let metric = self.ident(q.next().expect("metric"));
                    let goalpost = self.goalpost(q.next().expect("goalpost"));
                    MetricCondition {
                        metric,
                        goalpost,
                        span,
                    }
                })
                .collect(),
            ),
            Rule::cap_field => IncentiveField::Cap {
                amount: self.money(p.next().expect("amount")),
                per: p.next().map(|per| self.period(parts(per).remove(0))),
            },
            other => unreachable!("incentive field {other:?}"),
        }
    }

    fn audit(&mut self, pair: P<'_>) -> Audit {
        let span = self.span(&pair);
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let mut iter = p.into_iter();
        let source = self.ident(iter.next().expect("source"));
        let mut schedule = None;
        let mut fields = Vec::new();
        for part in iter {
            if part.as_rule() == Rule::ident {
                schedule = Some(self.ident(part));
                continue;
            }
            let field_span = self.span(&part);
            let rule = part.as_rule();
            let mut q = parts(part).into_iter();
            let value = match rule {
                Rule::freshness_field => {
                    AuditField::Freshness(self.duration(q.next().expect("limit")))
                }
                Rule::drift_field => AuditField::Drift {
                    sigma: self.number(q.next().expect("sigma")),
                    window: self.duration(q.next().expect("window")),
                },
                Rule::owner_field => AuditField::Owner(self.ident(q.next().expect("owner"))),
                Rule::checks_field => {
                    AuditField::Checks(self.ident_list(q.next().expect("checks")))
                }
                other => unreachable!("audit field {other:?}"),
            };
            fields.push(Spanned {
                value,
                span: field_span,
            });
        }
        Audit {
            docs,
            source,
            schedule,
            fields,
            span,
        }
    }

    fn dispute(&mut self, pair: P<'_>) -> Dispute {
        let span = self.span(&pair);
        let mut p = parts(pair);
        let docs = self.docs(take_docs(&mut p));
        let steps = p
            .into_iter()
            .map(|step| {
                let step_span = self.span(&step);
                let mut q = parts(step).into_iter();
                let to = self.string(q.next().expect("to"));
                let within = self.duration(q.next().expect("within"));
                Spanned {
                    value: Escalation { to, within },
                    span: step_span,
                }
            })
            .collect();
        Dispute { docs, steps, span }
    }

    // ------------------------------------------------------------ literals

    fn docs(&mut self, pair: Option<P<'_>>) -> Docs {
        let Some(pair) = pair else { return Vec::new() };
        pair.into_inner()
            .map(|line| {
                let text = &line.as_str()[3..];
                let text = text.strip_prefix(' ').unwrap_or(text);
                text.trim_end().to_string()
            })
            .collect()
    }

    fn ident(&mut self, pair: P<'_>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn ident_list(&mut self, pair: P<'_>) -> Vec<Ident> {
        pair.into_inner().map(|p| self.ident(p)).collect()
    }

    fn string_list(&mut self, pair: P<'_>) -> Vec<Str> {
        pair.into_inner().map(|p| self.string(p)).collect()
    }

    fn string(&mut self, pair: P<'_>) -> Str {
        let span = self.span(&pair);
        let body = pair.into_inner().next().expect("string body");
        let raw = body.as_str();
        let body_start = body.as_span().start();
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 'u')) => {
                    let hex: String = chars
                        .by_ref()
                        .map(|(_, c)| c)
                        .skip(1)
                        .take_while(|c| *c != '}')
                        .collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(c) => value.push(c),
                        None => {
                            let start = body_start + i;
                            let end = start + 4 + hex.len();
                            self.error(
                                codes::INVALID_ESCAPE,
                                Span::new(self.file, start, end),
                                format!("`\\u{{{hex}}}` is not a Unicode character"),
                                "invalid escape",
                                "use a Unicode scalar value: 0 to 10FFFF, outside D800 to DFFF",
                            );
                        }
                    }
                }
                Some((_, other)) => value.push(other),
                None => {}
            }
        }
        Str { value, span }
    }

    fn integer(&mut self, pair: P<'_>) -> Integer {
        let span = self.span(&pair);
        let digits: String = pair.as_str().chars().filter(|c| *c != '_').collect();
        let value = digits.parse::<u64>().unwrap_or_else(|_| {
            self.error(
                codes::NUMBER_OUT_OF_RANGE,
                span,
                "number too large".into(),
                "does not fit in 64 bits",
                "whole numbers must be at most 18446744073709551615",
            );
            0
        });
        Integer { value, span }
    }

    fn number(&mut self, pair: P<'_>) -> Number {
        let span = self.span(&pair);
        let digits: String = pair.as_str().chars().filter(|c| *c != '_').collect();
        let value = match digits.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                self.error(
                    codes::NUMBER_OUT_OF_RANGE,
                    span,
                    "number too large".into(),
                    "too large for any number type",
                    "write a smaller number",
                );
                0.0
            }
        };
        Number { value, span }
    }

    fn percent(&mut self, pair: P<'_>) -> Number {
        let span = self.span(&pair);
        let n = self.number(pair.into_inner().next().expect("number"));
        Number {
            value: n.value,
            span,
        }
    }

    fn currency(&mut self, pair: P<'_>) -> Currency {
        Currency {
            code: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn money(&mut self, pair: P<'_>) -> Money {
        let span = self.span(&pair);
        let mut p = pair.into_inner();
        let amount = self.number(p.next().expect("amount")).value;
        let currency = self.currency(p.next().expect("currency"));
        Money {
            amount,
            currency,
            span,
        }
    }

    fn duration(&mut self, pair: P<'_>) -> Duration {
        let span = self.span(&pair);
        let mut p = pair.into_inner();
        let amount = self.number(p.next().expect("amount")).value;
        let unit = match p.next().expect("unit").as_str().trim_end_matches('s') {
            "hour" => TimeUnit::Hour,
            "day" => TimeUnit::Day,
            "week" => TimeUnit::Week,
            "month" => TimeUnit::Month,
            "quarter" => TimeUnit::Quarter,
            _ => TimeUnit::Year,
        };
        if amount < 0.0 {
            self.error(
                codes::NEGATIVE_DURATION,
                span,
                "a duration cannot be negative".into(),
                "negative duration",
                "write the length of time without a sign, such as `30 days`",
            );
        }
        Duration { amount, unit, span }
    }

    fn date(&mut self, pair: P<'_>) -> Date {
        let span = self.span(&pair);
        let text = pair.as_str();
        let year: u16 = text[0..4].parse().unwrap_or(0);
        let month: u8 = text[5..7].parse().unwrap_or(0);
        let day: u8 = text[8..10].parse().unwrap_or(0);
        if !(1..=12).contains(&month) {
            self.error(
                codes::INVALID_DATE,
                span,
                format!("`{text}` is not a date: there is no month {month}"),
                "invalid month",
                "months run from 01 to 12; dates are written YYYY-MM-DD",
            );
        } else if day == 0 || day > days_in_month(year, month) {
            self.error(
                codes::INVALID_DATE,
                span,
                format!(
                    "`{text}` is not a date: month {month:02} of {year} has {} days",
                    days_in_month(year, month)
                ),
                "no such day",
                "check the day of the month; dates are written YYYY-MM-DD",
            );
        }
        Date {
            year,
            month,
            day,
            span,
        }
    }

    fn date_range(&mut self, pair: P<'_>) -> DateRange {
        let span = self.span(&pair);
        let mut p = parts(pair).into_iter();
        let start = self.date(p.next().expect("start"));
        let end = self.date(p.next().expect("end"));
        DateRange { start, end, span }
    }

    fn literal(&mut self, pair: P<'_>) -> Literal {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::money => Literal::Money(self.money(pair)),
            Rule::duration => Literal::Duration(self.duration(pair)),
            Rule::percent => Literal::Percent(self.percent(pair)),
            Rule::date => Literal::Date(self.date(pair)),
            Rule::number => Literal::Number(self.number(pair)),
            Rule::string => Literal::String(self.string(pair)),
            Rule::boolean => Literal::Bool(Spanned {
                value: pair.as_str() == "true",
                span,
            }),
            other => unreachable!("literal {other:?}"),
        }
    }
}

struct NamedBlock<F> {
    docs: Docs,
    name: Ident,
    title: Option<Str>,
    fields: Vec<Spanned<F>>,
    span: Span,
}

pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_rules() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2026, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2026, 4), 30);
        assert_eq!(days_in_month(2026, 12), 31);
    }
}
