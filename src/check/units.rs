//! Types of columns and units of metric values: what an expression computes
//! (a count, money, a ratio, ...), inferred bottom-up, with every column and
//! function argument checked on the way.

use crate::diagnostics::{Diagnostic, codes};
use crate::functions::{Function, Kind, Param, Presence, Yields};
use crate::syntax::ast::*;
use crate::syntax::expected::closest;
use crate::syntax::span::Span;

use super::scope::{Rows, Scope};

/// What a metric expression computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Count,
    Money,
    Ratio,
    Percent,
    Days,
    Score,
    /// A plain number (a `number` column, a literal): fits any unit but money.
    Number,
}

impl Quantity {
    pub fn word(self) -> &'static str {
        match self {
            Quantity::Count => "a count",
            Quantity::Money => "money",
            Quantity::Ratio => "a ratio",
            Quantity::Percent => "a percentage",
            Quantity::Days => "a number of days",
            Quantity::Score => "a score",
            Quantity::Number => "a plain number",
        }
    }

    /// Whether a metric computing `self` may be declared with `unit`.
    pub fn fits(self, unit: Unit) -> bool {
        matches!(
            (self, unit),
            (Quantity::Count, Unit::Count)
                | (Quantity::Money, Unit::Money)
                | (
                    Quantity::Ratio | Quantity::Percent,
                    Unit::Ratio | Unit::Percent
                )
                | (Quantity::Days, Unit::Days)
                | (Quantity::Score, Unit::Score)
        ) || (self == Quantity::Number && unit != Unit::Money)
    }

    /// The unit a metric gets when it declares none.
    pub fn default_unit(self) -> Option<Unit> {
        match self {
            Quantity::Count => Some(Unit::Count),
            Quantity::Money => Some(Unit::Money),
            Quantity::Ratio => Some(Unit::Ratio),
            Quantity::Percent => Some(Unit::Percent),
            Quantity::Days => Some(Unit::Days),
            Quantity::Score => Some(Unit::Score),
            Quantity::Number => None,
        }
    }

    fn is_rate(self) -> bool {
        matches!(self, Quantity::Ratio | Quantity::Percent)
    }
}

/// A column as seen through a source.
#[derive(Debug, Clone, Copy)]
pub struct ColumnInfo<'a> {
    pub source: &'a Source,
    /// The declaring identifier (the column line or the key line).
    pub name: &'a Ident,
    pub ty: ColumnType,
    pub pii: bool,
    /// The currency of a money column declared in another currency.
    pub currency: Option<&'a Currency>,
}

/// Looks a column up by its logical name. The key roles `customer`, `time`
/// and `id` reach the key columns whatever they are called.
pub fn column<'a>(source: &'a Source, name: &str) -> Option<ColumnInfo<'a>> {
    let info = |ident: &'a Ident, ty, pii| ColumnInfo {
        source,
        name: ident,
        ty,
        pii,
        currency: None,
    };
    for field in &source.fields {
        match &field.value {
            SourceField::Customer(c) if c.name.name == name || name == "customer" => {
                return Some(info(&c.name, ColumnType::Text, false));
            }
            SourceField::Time { column: c, instant } if c.name.name == name || name == "time" => {
                let ty = if *instant {
                    ColumnType::Instant
                } else {
                    ColumnType::Timestamp
                };
                return Some(info(&c.name, ty, false));
            }
            SourceField::Id(c) if c.name.name == name || name == "id" => {
                return Some(info(&c.name, ColumnType::Text, false));
            }
            SourceField::Column(c) if c.name.name == name => {
                return Some(ColumnInfo {
                    currency: c.currency.as_ref(),
                    ..info(&c.name, c.ty.value, c.pii)
                });
            }
            _ => {}
        }
    }
    None
}

/// Every column name a source declares, keys included.
pub fn column_names(source: &Source) -> Vec<&str> {
    let mut names = Vec::new();
    for field in &source.fields {
        match &field.value {
            SourceField::Customer(c) | SourceField::Time { column: c, .. } | SourceField::Id(c) => {
                names.push(c.name.name.as_str());
            }
            SourceField::Column(c) => names.push(c.name.name.as_str()),
            _ => {}
        }
    }
    names
}

pub fn unknown_column(source: &Source, name: &Ident) -> Diagnostic {
    let names = column_names(source);
    let help = match closest(&name.name, &names) {
        Some(best) => format!("did you mean `{best}`?"),
        None if names.is_empty() => format!("source `{}` declares no columns", source.name.name),
        None => format!(
            "`{}` has: {}",
            source.name.name,
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Diagnostic::new(
        codes::UNKNOWN_COLUMN,
        format!(
            "source `{}` has no column `{}`",
            source.name.name, name.name
        ),
    )
    .with_label(name.span, "no such column")
    .with_label(source.name.span, "source declared here")
    .with_help(help)
}

/// Checks expressions and conditions against one scope, collecting the
/// columns they read (for the privacy rules).
pub struct Typer<'s, 'a> {
    pub scope: &'s Scope<'a>,
    pub diagnostics: &'s mut Vec<Diagnostic>,
    pub reads: Vec<ColumnInfo<'a>>,
    /// Inside `convert(...)`: money in another currency is expected.
    converting: bool,
    /// A money column in another currency was read inside `convert`.
    read_foreign: bool,
}

/// The functions metric values may call.
const PERIODS: &[&str] = &["day", "week", "month", "quarter", "year"];

impl<'s, 'a> Typer<'s, 'a> {
    pub fn new(scope: &'s Scope<'a>, diagnostics: &'s mut Vec<Diagnostic>) -> Self {
        Typer {
            scope,
            diagnostics,
            reads: Vec::new(),
            converting: false,
            read_foreign: false,
        }
    }

    fn error(&mut self, code: &'static str, span: Span, message: String, label: &str, help: &str) {
        self.diagnostics.push(
            Diagnostic::new(code, message)
                .with_label(span, label)
                .with_help(help),
        );
    }

    /// The quantity a metric value computes, or `None` after reporting why
    /// it cannot be computed.
    pub fn metric_value(&mut self, expr: &Expr) -> Option<Quantity> {
        match expr {
            Expr::Path(path) => {
                self.error(
                    codes::BAD_ARGUMENT,
                    path.span,
                    format!("`{}` on its own is not a figure", path.dotted()),
                    "a column or an event, not an aggregate",
                    "aggregate it, for example `count(...)`, `sum(source.column)` or \
                     `count_distinct(event.customer)`",
                );
                None
            }
            _ => self.expr(expr),
        }
    }

    fn expr(&mut self, expr: &Expr) -> Option<Quantity> {
        match expr {
            Expr::Binary { op, lhs, rhs, span } => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                self.binary(*op, l?, r?, lhs.span(), rhs.span(), *span)
            }
            Expr::Neg { operand, .. } => self.expr(operand),
            Expr::Call {
                function,
                args,
                span,
            } => self.call(function, args, *span, false),
            Expr::Path(path) => {
                self.error(
                    codes::BAD_ARGUMENT,
                    path.span,
                    format!(
                        "`{}` cannot be used in arithmetic on its own",
                        path.dotted()
                    ),
                    "not a figure",
                    "aggregate it first, for example `sum(orders.amount)`",
                );
                None
            }
            Expr::Literal(literal) => self.literal(literal),
        }
    }

    fn literal(&mut self, literal: &Literal) -> Option<Quantity> {
        match literal {
            Literal::Number(_) => Some(Quantity::Number),
            Literal::Percent(_) => Some(Quantity::Percent),
            Literal::Money(money) => {
                self.currency(money);
                Some(Quantity::Money)
            }
            Literal::Duration(_) => Some(Quantity::Days),
            Literal::Date(_) | Literal::String(_) | Literal::Bool(_) => {
                self.error(
                    codes::BAD_ARGUMENT,
                    literal.span(),
                    "dates, text and booleans cannot be used in arithmetic".to_string(),
                    "not a number",
                    "metric values are numbers; filter rows with `where` instead",
                );
                None
            }
        }
    }

    /// Money must be in the agreement's currency.
    pub fn currency(&mut self, money: &Money) {
        if let Some(currency) = self.scope.header.currency
            && money.currency.code != currency.value.code
        {
            self.diagnostics
                .push(currency_mismatch(money, &currency.value));
        }
    }

    fn binary(
        &mut self,
        op: BinOp,
        l: Quantity,
        r: Quantity,
        l_span: Span,
        r_span: Span,
        span: Span,
    ) -> Option<Quantity> {
        use Quantity::*;
        let result = match op {
            BinOp::Add | BinOp::Sub => match (l, r) {
                _ if l == r => Some(l),
                (Number, x) | (x, Number) => Some(x),
                (a, b) if a.is_rate() && b.is_rate() => Some(Percent),
                _ => None,
            },
            BinOp::Mul => match (l, r) {
                (Number | Ratio | Percent, x) => Some(x),
                (x, Number | Ratio | Percent) => Some(x),
                _ => None,
            },
            BinOp::Div => match (l, r) {
                _ if l == r => Some(if l == Number { Number } else { Ratio }),
                (a, b) if a.is_rate() && b.is_rate() => Some(Ratio),
                // Money per customer, days per customer: the numerator's unit.
                (x, Number | Count) => Some(x),
                _ => None,
            },
        };
        if result.is_none() {
            self.diagnostics.push(
                Diagnostic::new(
                    codes::UNIT_MISMATCH,
                    format!(
                        "cannot {} {} {} {}",
                        match op {
                            BinOp::Add => "add",
                            BinOp::Sub => "subtract",
                            BinOp::Mul => "multiply",
                            BinOp::Div => "divide",
                        },
                        l.word(),
                        match op {
                            BinOp::Add => "and",
                            BinOp::Sub => "and",
                            BinOp::Mul => "by",
                            BinOp::Div => "by",
                        },
                        r.word()
                    ),
                )
                .with_label(span, format!("`{}` of incompatible units", op.symbol()))
                .with_label(l_span, l.word())
                .with_label(r_span, r.word())
                .with_help(
                    "add and subtract figures of one unit; divide by a count for a value per \
                     customer, or by the same unit for a ratio",
                ),
            );
        }
        result
    }

    /// A function call, typed from its entry in `crate::functions`: each
    /// argument checked against its parameter, then the function's unit
    /// rule.
    fn call(
        &mut self,
        function: &Ident,
        args: &[Arg],
        span: Span,
        in_aggregate: bool,
    ) -> Option<Quantity> {
        let name = function.name.as_str();
        let Some(f) = crate::functions::lookup(name) else {
            let functions = crate::functions::names();
            let help = match closest(name, &functions) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("the functions are: {}", functions.join(", ")),
            };
            self.error(
                codes::UNKNOWN_FUNCTION,
                function.span,
                format!("unknown function `{name}`"),
                "not a Pactum function",
                &help,
            );
            return None;
        };
        let mut call = CallArgs::new(function, args, span);
        let whats: Vec<&str> = f
            .params
            .iter()
            .filter(|p| p.label.is_none())
            .map(|p| p.what)
            .collect();
        let mut unlabelled = call.positional(self, &whats)?.into_iter();
        let mut measured = None;
        let mut fine = true;
        let mut alternatives_seen = false;
        for param in f.params {
            let given = match (param.label, param.presence) {
                (None, _) => unlabelled.next().map(|arg| (param, arg)),
                (Some(label), Presence::Required) => call
                    .required_label(self, label, param.what)
                    .map(|arg| (param, arg)),
                (Some(_), Presence::Alternative) => {
                    if alternatives_seen {
                        continue;
                    }
                    alternatives_seen = true;
                    self.alternative(f, &mut call, span)
                }
            };
            let Some((param, arg)) = given else {
                fine = false;
                continue;
            };
            match self.argument(param.kind, arg) {
                Some(q) => measured = measured.or(q),
                None => fine = false,
            }
        }
        if f.per_customer && !in_aggregate {
            self.error(
                codes::BAD_ARGUMENT,
                span,
                format!("`{name}` gives one value per customer, not one figure"),
                "per-customer values",
                &format!(
                    "wrap it: `median({name}(...))`, `percentile({name}(...), 90%)` \
                     or `avg({name}(...))`"
                ),
            );
            return None;
        }
        if !call.finish(self) || !fine {
            return None;
        }
        match f.yields {
            Yields::Count => Some(Quantity::Count),
            Yields::Money => Some(Quantity::Money),
            Yields::Percent => Some(Quantity::Percent),
            Yields::Score => Some(Quantity::Score),
            Yields::Days => Some(Quantity::Days),
            Yields::Measured => measured,
        }
    }

    /// The one argument given of a function's alternatives (`after ...` or
    /// `from ...`); an error when none or several are.
    fn alternative<'c>(
        &mut self,
        f: &'static Function,
        call: &mut CallArgs<'c>,
        span: Span,
    ) -> Option<(&'static Param, &'c Arg)> {
        let alternatives: Vec<&'static Param> = f
            .params
            .iter()
            .filter(|p| p.presence == Presence::Alternative)
            .collect();
        let given: Vec<(&'static Param, &'c Arg)> = alternatives
            .iter()
            .filter_map(|&p| Some((p, call.labelled(p.label?)?)))
            .collect();
        if let [one] = given[..] {
            return Some(one);
        }
        let spelled: Vec<String> = alternatives
            .iter()
            .map(|p| format!("`{}`", p.what))
            .collect();
        let examples: Vec<String> = f.examples.iter().map(|e| format!("`{e}`")).collect();
        self.error(
            codes::BAD_ARGUMENT,
            span,
            format!("`{}` needs either {}", f.name, spelled.join(" or ")),
            &format!("which {}?", f.name),
            &format!("write {}", examples.join(" or ")),
        );
        None
    }

    /// One argument checked against its parameter's kind: `None` when it
    /// does not fit (reported), else the quantity it measures, for the
    /// kinds a unit can come from.
    fn argument(&mut self, kind: Kind, arg: &Arg) -> Option<Option<Quantity>> {
        match kind {
            Kind::Rows | Kind::Activity => self.rows_arg(arg).map(|_| None),
            Kind::Column(types) => {
                let info = self.column_arg(arg, types)?;
                Some(Some(if info.ty == ColumnType::Money {
                    Quantity::Money
                } else {
                    Quantity::Number
                }))
            }
            Kind::Value => self.distribution_arg(arg).map(Some),
            Kind::Percent => self.percent_arg(arg).map(|_| None),
            Kind::Duration => self.duration_arg(arg).map(|_| None),
            Kind::DayRange => self.range_arg(arg).map(|_| None),
            Kind::Period => self.period_arg(arg).map(|_| None),
            Kind::ExchangeRate => match &arg.value {
                ArgValue::Expr(Expr::Literal(Literal::Number(n))) if n.value > 0.0 => Some(None),
                _ => {
                    self.bad_arg(
                        arg,
                        "a positive exchange rate",
                        "write how many units of the agreement's currency one unit is worth: `rate 1.08`",
                    );
                    None
                }
            },
            Kind::ForeignMoney => self.foreign_money_arg(arg).map(|_| None),
        }
    }

    /// `convert`'s amount: money, read from a column in another currency.
    fn foreign_money_arg(&mut self, value: &Arg) -> Option<()> {
        let ArgValue::Expr(expr) = &value.value else {
            self.bad_arg(
                value,
                "an amount of money",
                "convert a money figure, such as `sum(orders.amount_eur)`",
            );
            return None;
        };
        let outer = (self.converting, self.read_foreign);
        self.converting = true;
        self.read_foreign = false;
        let quantity = self.expr(expr);
        let converted = self.read_foreign;
        (self.converting, self.read_foreign) = outer;
        if quantity.is_some() && quantity != Some(Quantity::Money) {
            self.bad_arg(
                value,
                "an amount of money",
                "`convert` turns money in another currency into the agreement's",
            );
            return None;
        }
        if quantity.is_some() && !converted {
            let currency = self
                .scope
                .header
                .currency
                .map_or("the agreement's currency".to_string(), |c| {
                    c.value.code.clone()
                });
            self.error(
                codes::BAD_ARGUMENT,
                value.span,
                format!("nothing to convert: this amount is already in {currency}"),
                "no money column in another currency",
                "`convert` is for columns declared in another currency, such as `column amount_eur money EUR`",
            );
            return None;
        }
        quantity.map(|_| ())
    }

    /// A number or money column, or a function giving one value per
    /// customer (`days_between(...)`), as the argument of an aggregate of
    /// them.
    fn distribution_arg(&mut self, arg: &Arg) -> Option<Quantity> {
        if let ArgValue::Expr(Expr::Call {
            function,
            args,
            span,
        }) = &arg.value
            && crate::functions::lookup(&function.name).is_some_and(|f| f.per_customer)
        {
            return self.call(function, args, *span, true);
        }
        let info = self.column_arg(arg, &[ColumnType::Number, ColumnType::Money])?;
        Some(if info.ty == ColumnType::Money {
            Quantity::Money
        } else {
            Quantity::Number
        })
    }

    fn bad_arg(&mut self, arg: &Arg, wanted: &str, help: &str) {
        self.error(
            codes::BAD_ARGUMENT,
            arg.span,
            format!("expected {wanted} here"),
            &format!("expected {wanted}"),
            help,
        );
    }

    /// An event or source name.
    fn rows_arg(&mut self, arg: &Arg) -> Option<Rows<'a>> {
        match &arg.value {
            ArgValue::Expr(Expr::Path(path)) if path.segments.len() == 1 => {
                self.scope.rows(&path.segments[0], self.diagnostics)
            }
            _ => {
                self.bad_arg(
                    arg,
                    "an event or source name",
                    "write the name alone, such as `purchase`",
                );
                None
            }
        }
    }

    /// `SOURCE.COLUMN` or `EVENT.COLUMN`, of one of `types` (any when empty).
    fn column_arg(&mut self, arg: &Arg, types: &[ColumnType]) -> Option<ColumnInfo<'a>> {
        let ArgValue::Expr(Expr::Path(path)) = &arg.value else {
            self.bad_arg(
                arg,
                "a column",
                "write the source or event and the column, such as `orders.amount`",
            );
            return None;
        };
        let info = self.path_column(path, None)?;
        if let Some(currency) = info.currency
            && self
                .scope
                .header
                .currency
                .is_some_and(|a| a.value.code != currency.code)
        {
            if self.converting {
                self.read_foreign = true;
            } else {
                let agreement = &self.scope.header.currency.expect("checked above").value;
                self.diagnostics
                    .push(foreign_column(path, &info, currency, agreement));
            }
        }
        if !types.is_empty() && !types.contains(&info.ty) {
            let wanted: Vec<&str> = types.iter().map(|t| t.word()).collect();
            self.diagnostics.push(
                Diagnostic::new(
                    codes::BAD_ARGUMENT,
                    format!(
                        "`{}` is a {} column; expected {}",
                        path.dotted(),
                        info.ty.word(),
                        wanted.join(" or ")
                    ),
                )
                .with_label(path.span, format!("{} column", info.ty.word()))
                .with_label(info.name.span, "declared here")
                .with_help(format!("use a {} column", wanted.join(" or "))),
            );
            return None;
        }
        Some(info)
    }

    fn duration_arg(&mut self, arg: &Arg) -> Option<Duration> {
        match &arg.value {
            ArgValue::Expr(Expr::Literal(Literal::Duration(d))) if d.amount > 0.0 => {
                Some(d.clone())
            }
            _ => {
                self.bad_arg(
                    arg,
                    "a duration longer than zero",
                    "write a duration such as `30 days`",
                );
                None
            }
        }
    }

    fn range_arg(&mut self, arg: &Arg) -> Option<()> {
        match &arg.value {
            ArgValue::Range(from, to)
                if super::dates::approx_days(from) < super::dates::approx_days(to) =>
            {
                Some(())
            }
            ArgValue::Range(..) => {
                self.bad_arg(
                    arg,
                    "a range that ends after it starts",
                    "write `from 30 days to 60 days`",
                );
                None
            }
            _ => {
                self.bad_arg(arg, "a range of days", "write `from 30 days to 60 days`");
                None
            }
        }
    }

    fn period_arg(&mut self, arg: &Arg) -> Option<()> {
        match &arg.value {
            ArgValue::Expr(Expr::Path(path))
                if path.segments.len() == 1
                    && PERIODS.contains(&path.segments[0].name.as_str()) =>
            {
                Some(())
            }
            _ => {
                self.bad_arg(
                    arg,
                    "a period",
                    "write `per day`, `per week`, `per month`, `per quarter` or `per year`",
                );
                None
            }
        }
    }

    fn percent_arg(&mut self, arg: &Arg) -> Option<()> {
        match &arg.value {
            ArgValue::Expr(Expr::Literal(Literal::Percent(p)))
                if p.value > 0.0 && p.value < 100.0 =>
            {
                Some(())
            }
            _ => {
                self.bad_arg(
                    arg,
                    "a percentage between 0% and 100%",
                    "write the percentile as `90%`",
                );
                None
            }
        }
    }

    /// Resolves a column path. `context` is the source of an event filter,
    /// where bare column names are allowed.
    pub fn path_column(
        &mut self,
        path: &Path,
        context: Option<&'a Source>,
    ) -> Option<ColumnInfo<'a>> {
        let info = match (path.segments.as_slice(), context) {
            ([column_name], Some(source)) => {
                let Some(info) = column(source, &column_name.name) else {
                    self.diagnostics.push(unknown_column(source, column_name));
                    return None;
                };
                info
            }
            ([column_name], None) => {
                self.error(
                    codes::BAD_ARGUMENT,
                    path.span,
                    format!("`{}` needs its source or event in front", column_name.name),
                    "which source?",
                    &format!(
                        "write `SOURCE.{}`, such as `orders.{}`",
                        column_name.name, column_name.name
                    ),
                );
                return None;
            }
            ([rows, column_name], _) => {
                let rows = self.scope.rows(rows, self.diagnostics)?;
                let Some(info) = column(rows.source, &column_name.name) else {
                    self.diagnostics
                        .push(unknown_column(rows.source, column_name));
                    return None;
                };
                info
            }
            _ => {
                self.error(
                    codes::BAD_ARGUMENT,
                    path.span,
                    format!("`{}` has too many parts", path.dotted()),
                    "expected SOURCE.COLUMN",
                    "a path has two parts: a source or event, and a column",
                );
                return None;
            }
        };
        self.reads.push(info);
        Some(info)
    }

    /// Checks a row filter: every column exists and every value fits its
    /// column's type.
    pub fn condition(&mut self, condition: &Condition, context: Option<&'a Source>) {
        match condition {
            Condition::Or { operands, .. } | Condition::And { operands, .. } => {
                for operand in operands {
                    self.condition(operand, context);
                }
            }
            Condition::Not { operand, .. } => self.condition(operand, context),
            Condition::Compare {
                column, op, value, ..
            } => {
                if let Some(info) = self.path_column(column, context) {
                    self.value_fits(&info, column, value);
                    if matches!(info.ty, ColumnType::Boolean)
                        && !matches!(op, CmpOp::Eq | CmpOp::Ne)
                    {
                        self.error(
                            codes::CONDITION_TYPE,
                            condition.span(),
                            format!("`{}` is a boolean column; it has no order", column.dotted()),
                            "`<` and `>` need an ordered column",
                            "compare booleans with `=` or `!=`",
                        );
                    }
                }
            }
            Condition::In { column, values, .. } => {
                if let Some(info) = self.path_column(column, context) {
                    for value in values {
                        self.value_fits(&info, column, value);
                    }
                }
            }
            Condition::IsNull { column, .. } => {
                self.path_column(column, context);
            }
        }
    }

    fn value_fits(&mut self, info: &ColumnInfo<'a>, column: &Path, value: &Literal) {
        let fits = match (info.ty, value) {
            (ColumnType::Text, Literal::String(_)) => true,
            (ColumnType::Number, Literal::Number(_)) => true,
            (ColumnType::Money, Literal::Number(_)) => true,
            (ColumnType::Money, Literal::Money(money)) => {
                // Compared in the column's own currency.
                match info.currency {
                    Some(currency) if money.currency.code != currency.code => {
                        let mut d = currency_mismatch(money, currency);
                        d.message = format!(
                            "amount in {}, but `{}` is in {}",
                            money.currency.code,
                            column.dotted(),
                            currency.code
                        );
                        d.labels[1].text = "the column's currency".to_string();
                        self.diagnostics.push(d);
                    }
                    Some(_) => {}
                    None => self.currency(money),
                }
                true
            }
            (ColumnType::Timestamp | ColumnType::Instant | ColumnType::Date, Literal::Date(_)) => {
                true
            }
            (ColumnType::Boolean, Literal::Bool(_)) => true,
            _ => false,
        };
        if !fits {
            let example = match info.ty {
                ColumnType::Text => "a string such as \"webinar\"",
                ColumnType::Number => "a number such as 9",
                ColumnType::Money => "an amount such as 100 or 100 USD",
                ColumnType::Timestamp | ColumnType::Instant | ColumnType::Date => {
                    "a date such as 2026-01-31"
                }
                ColumnType::Boolean => "true or false",
            };
            self.diagnostics.push(
                Diagnostic::new(
                    codes::CONDITION_TYPE,
                    format!(
                        "`{}` is a {} column, compared with {}",
                        column.dotted(),
                        info.ty.word(),
                        literal_word(value)
                    ),
                )
                .with_label(value.span(), format!("{} value", literal_word(value)))
                .with_label(info.name.span, format!("declared {} here", info.ty.word()))
                .with_help(format!("compare it with {example}")),
            );
        }
    }
}

pub fn literal_word(value: &Literal) -> &'static str {
    match value {
        Literal::Number(_) => "a number",
        Literal::Percent(_) => "a percentage",
        Literal::Money(_) => "an amount of money",
        Literal::Duration(_) => "a duration",
        Literal::Date(_) => "a date",
        Literal::String(_) => "a string",
        Literal::Bool(_) => "a boolean",
    }
}

/// A money column in another currency, used where the agreement's currency
/// is needed.
pub fn foreign_column(
    path: &Path,
    info: &ColumnInfo<'_>,
    currency: &Currency,
    agreement: &Currency,
) -> Diagnostic {
    Diagnostic::new(
        codes::CURRENCY_MISMATCH,
        format!(
            "`{}` is in {}, but the agreement's currency is {}",
            path.dotted(),
            currency.code,
            agreement.code
        ),
    )
    .with_label(path.span, format!("{} amounts", currency.code))
    .with_label(
        info.name.span,
        format!("declared in {} here", currency.code),
    )
    .with_help(format!(
        "convert explicitly: `convert(sum({}), rate R)`, where one {} is worth R {}",
        path.dotted(),
        currency.code,
        agreement.code
    ))
}

pub fn currency_mismatch(money: &Money, agreement: &Currency) -> Diagnostic {
    Diagnostic::new(
        codes::CURRENCY_MISMATCH,
        format!(
            "amount in {}, but the agreement's currency is {}",
            money.currency.code, agreement.code
        ),
    )
    .with_label(money.currency.span, format!("{} here", money.currency.code))
    .with_label(agreement.span, "the agreement's currency")
    .with_help(format!(
        "write every amount in {}; convert it before it goes into the agreement",
        agreement.code
    ))
}

/// The arguments of one call: positional ones in order, labelled ones by
/// label, each used at most once; leftovers are reported by `finish`.
struct CallArgs<'c> {
    function: &'c Ident,
    args: &'c [Arg],
    span: Span,
    used: Vec<bool>,
}

impl<'c> CallArgs<'c> {
    fn new(function: &'c Ident, args: &'c [Arg], span: Span) -> Self {
        CallArgs {
            function,
            args,
            span,
            used: vec![false; args.len()],
        }
    }

    /// One positional argument for each of `what` (their descriptions,
    /// for messages).
    fn positional(&mut self, typer: &mut Typer<'_, '_>, what: &[&str]) -> Option<Vec<&'c Arg>> {
        let n = what.len();
        let found: Vec<usize> = (0..self.args.len())
            .filter(|&i| self.args[i].label.is_none())
            .collect();
        if found.len() < n {
            let missing = what[found.len()];
            typer.error(
                codes::BAD_ARGUMENT,
                self.span,
                format!("`{}` is missing an argument: {missing}", self.function.name),
                "argument missing",
                &format!(
                    "`{}` takes {n} unlabelled argument{}",
                    self.function.name,
                    if n == 1 { "" } else { "s" }
                ),
            );
            return None;
        }
        for &i in &found[..n] {
            self.used[i] = true;
        }
        Some(found[..n].iter().map(|&i| &self.args[i]).collect())
    }

    fn labelled(&mut self, label: &str) -> Option<&'c Arg> {
        let i = (0..self.args.len()).find(|&i| {
            !self.used[i] && self.args[i].label.as_ref().is_some_and(|l| l.name == label)
        })?;
        self.used[i] = true;
        Some(&self.args[i])
    }

    fn required_label(
        &mut self,
        typer: &mut Typer<'_, '_>,
        label: &str,
        what: &str,
    ) -> Option<&'c Arg> {
        let found = self.labelled(label);
        if found.is_none() {
            typer.error(
                codes::BAD_ARGUMENT,
                self.span,
                format!("`{}` needs `{label} ...`: {what}", self.function.name),
                &format!("`{label}` missing"),
                &format!("add `{label} ...` to the call"),
            );
        }
        found
    }

    /// Reports arguments that were not used; true when there were none.
    fn finish(&self, typer: &mut Typer<'_, '_>) -> bool {
        let mut clean = true;
        for (i, arg) in self.args.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            clean = false;
            let what = match &arg.label {
                Some(label) => format!(
                    "`{}` does not take `{} ...`",
                    self.function.name, label.name
                ),
                None => format!("`{}` takes fewer unlabelled arguments", self.function.name),
            };
            typer.error(
                codes::BAD_ARGUMENT,
                arg.span,
                what,
                "unexpected argument",
                "remove it; `docs/language.md` lists each function's arguments",
            );
        }
        clean
    }
}
