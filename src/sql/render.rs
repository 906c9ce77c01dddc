//! Prints a query tree for one dialect, laid out for people: one clause per
//! line, CTEs in order, two-space indentation. Rendering the same tree twice
//! gives the same bytes.

use super::dialect::Dialect;
use super::tree::*;

/// Generated names that are also keywords somewhere are always quoted.
const KEYWORDS: &[&str] = &[
    "all",
    "and",
    "as",
    "by",
    "case",
    "date",
    "day",
    "desc",
    "end",
    "first",
    "from",
    "group",
    "key",
    "last",
    "month",
    "order",
    "partition",
    "position",
    "range",
    "rows",
    "select",
    "time",
    "timestamp",
    "to",
    "user",
    "value",
    "values",
    "week",
    "when",
    "where",
    "window",
    "year",
];

pub struct Renderer<'d> {
    dialect: &'d dyn Dialect,
    /// Whether unquoted names keep their case (all but Snowflake-like
    /// dialects that fold them to upper case).
    bare_names: bool,
}

impl<'d> Renderer<'d> {
    pub fn new(dialect: &'d dyn Dialect) -> Self {
        Renderer {
            dialect,
            bare_names: dialect.name() != "snowflake" && dialect.quote_ident("a") != "a",
        }
    }

    /// A generated name: bare when safe, quoted otherwise.
    fn ident(&self, name: &str) -> String {
        let plain = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !KEYWORDS.contains(&name);
        if plain && self.bare_names {
            name.to_string()
        } else {
            self.dialect.quote_ident(name)
        }
    }

    pub fn query(&self, query: &Query) -> String {
        let query = &query.without_name_clashes();
        let mut out = String::new();
        if !query.ctes.is_empty() {
            out.push_str("WITH\n");
            let ctes: Vec<String> = query
                .ctes
                .iter()
                .map(|cte| {
                    format!(
                        "{} AS (\n{}\n)",
                        self.ident(&cte.name),
                        indent(&self.body(&cte.body), 1)
                    )
                })
                .collect();
            out.push_str(&ctes.join(",\n"));
            out.push('\n');
        }
        out.push_str(&self.body(&query.body));
        out.push_str(";\n");
        out
    }

    fn body(&self, body: &Body) -> String {
        match body {
            Body::Select(select) => self.select(select),
            Body::UnionAll(selects) => selects
                .iter()
                .map(|s| self.select(s))
                .collect::<Vec<_>>()
                .join("\nUNION ALL\n"),
        }
    }

    fn select(&self, select: &Select) -> String {
        let mut lines = Vec::new();
        lines.push(if select.distinct {
            "SELECT DISTINCT".to_string()
        } else {
            "SELECT".to_string()
        });
        let columns: Vec<String> = select
            .columns
            .iter()
            .map(|item| {
                format!(
                    "  {} AS {}",
                    self.expr(&item.expr, 0),
                    self.ident(&item.alias)
                )
            })
            .collect();
        lines.push(columns.join(",\n"));
        if let Some(from) = &select.from {
            lines.push(format!("FROM {}", self.from(from)));
        }
        for join in &select.joins {
            let kind = match join.kind {
                JoinKind::Inner => "JOIN",
                JoinKind::Left => "LEFT JOIN",
            };
            lines.push(format!("{kind} {}", self.from(&join.from)));
            lines.push(format!("  ON {}", self.expr(&join.on, 0)));
        }
        if let Some(filter) = &select.filter {
            lines.push(format!("WHERE {}", self.expr(filter, 0)));
        }
        if !select.group_by.is_empty() {
            let keys: Vec<String> = select.group_by.iter().map(|e| self.expr(e, 0)).collect();
            lines.push(format!("GROUP BY {}", keys.join(", ")));
        }
        if let Some(having) = &select.having {
            lines.push(format!("HAVING {}", self.expr(having, 0)));
        }
        if !select.order_by.is_empty() {
            lines.push(format!("ORDER BY {}", self.orders(&select.order_by)));
        }
        lines.join("\n")
    }

    fn from(&self, from: &From) -> String {
        match from {
            From::Table { path, alias } => {
                let parts: Vec<String> = path.iter().map(|p| self.dialect.quote_ident(p)).collect();
                format!("{} AS {}", parts.join("."), self.ident(alias))
            }
            From::Cte { name, alias } => format!("{} AS {}", self.ident(name), self.ident(alias)),
        }
    }

    fn orders(&self, orders: &[Order]) -> String {
        orders
            .iter()
            .map(|o| {
                format!(
                    "{}{}{}",
                    self.expr(&o.expr, 0),
                    if o.descending { " DESC" } else { " ASC" },
                    if o.nulls_last {
                        " NULLS LAST"
                    } else {
                        " NULLS FIRST"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An expression; `outer` is the precedence of the enclosing operator,
    /// so that parentheses appear only where they are needed.
    pub fn expr(&self, expr: &Expr, outer: u8) -> String {
        let d = self.dialect;
        match expr {
            Expr::Column { table, name } => {
                format!("{}.{}", self.ident(table), d.quote_ident(name))
            }
            Expr::Field { table, name } => format!("{}.{}", self.ident(table), self.ident(name)),
            Expr::Name(name) => self.ident(name),
            Expr::Str(value) => d.quote_string(value),
            Expr::Int(value) => value.to_string(),
            Expr::Float(value) => float(*value),
            Expr::Bool(value) => if *value { "TRUE" } else { "FALSE" }.to_string(),
            Expr::Null => "NULL".to_string(),
            Expr::Binary { op, lhs, rhs } => {
                let p = op.precedence();
                // Left-associative: the right operand of `-` and `/` needs
                // parentheses at equal precedence.
                let text = format!(
                    "{} {} {}",
                    self.expr(lhs, p),
                    op.symbol(),
                    self.expr(rhs, p + 1)
                );
                if p < outer { format!("({text})") } else { text }
            }
            Expr::Not(inner) => format!("NOT ({})", self.expr(inner, 0)),
            Expr::IsNull { expr, negated } => {
                let text = format!(
                    "{} IS {}NULL",
                    self.expr(expr, 6),
                    if *negated { "NOT " } else { "" }
                );
                if outer > 3 { format!("({text})") } else { text }
            }
            Expr::In {
                expr,
                list,
                negated,
            } => {
                let items: Vec<String> = list.iter().map(|e| self.expr(e, 0)).collect();
                let text = format!(
                    "{} {}IN ({})",
                    self.expr(expr, 6),
                    if *negated { "NOT " } else { "" },
                    items.join(", ")
                );
                if outer > 3 { format!("({text})") } else { text }
            }
            Expr::Func { name, args } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a, 0)).collect();
                format!("{name}({})", args.join(", "))
            }
            Expr::CountStar => "COUNT(*)".to_string(),
            Expr::CountDistinct(inner) => format!("COUNT(DISTINCT {})", self.expr(inner, 0)),
            Expr::Case { whens, otherwise } => {
                let mut text = String::from("CASE");
                for (when, then) in whens {
                    text.push_str(&format!(
                        " WHEN {} THEN {}",
                        self.expr(when, 0),
                        self.expr(then, 0)
                    ));
                }
                text.push_str(&format!(" ELSE {} END", self.expr(otherwise, 0)));
                text
            }
            Expr::Window {
                func,
                partition,
                order,
            } => {
                let mut over = Vec::new();
                if !partition.is_empty() {
                    let keys: Vec<String> = partition.iter().map(|e| self.expr(e, 0)).collect();
                    over.push(format!("PARTITION BY {}", keys.join(", ")));
                }
                if !order.is_empty() {
                    over.push(format!("ORDER BY {}", self.orders(order)));
                }
                format!("{} OVER ({})", self.expr(func, 0), over.join(" "))
            }
            Expr::EpochSeconds(inner) => d.epoch_seconds(&self.expr(inner, 0)),
            Expr::PeriodStart(period, inner) => d.period_start(*period, &self.expr(inner, 0)),
            Expr::DaysBetween { start, end } => {
                d.days_between(&self.expr(start, 0), &self.expr(end, 0))
            }
            Expr::SafeDiv(a, b) => {
                let text = d.safe_div(&self.expr(a, 6), &self.expr(b, 0));
                if outer >= 5 {
                    format!("({text})")
                } else {
                    text
                }
            }
            Expr::Power(a, b) => d.power(&self.expr(a, 0), &self.expr(b, 0)),
            Expr::Distinct(a, b) => {
                let text = d.distinct(&self.expr(a, 6), &self.expr(b, 6));
                if outer > 3 { format!("({text})") } else { text }
            }
            Expr::ToFloat(inner) => format!("CAST({} AS {})", self.expr(inner, 0), d.float_type()),
            Expr::ToText(inner) => format!("CAST({} AS {})", self.expr(inner, 0), d.text_type()),
            Expr::Date(date) => d.date_literal(date),
            Expr::AddPeriods {
                period,
                count,
                date,
            } => {
                let date = self.expr(date, 0);
                match period {
                    Period::Day => d.add_days(&date, *count),
                    Period::Week => d.add_days(&date, 7 * count),
                    Period::Month => d.add_months(&date, *count),
                    Period::Quarter => d.add_months(&date, 3 * count),
                    Period::Year => d.add_months(&date, 12 * count),
                }
            }
            Expr::StartOfDay(date) => d.start_of_day(&self.expr(date, 0)),
            Expr::Exists(select) => {
                let inner: Vec<String> = self
                    .select(select)
                    .lines()
                    .map(|l| l.trim().to_string())
                    .collect();
                format!("EXISTS ({})", inner.join(" "))
            }
        }
    }
}

/// A float literal that reads back as the same value, always with a point
/// so that engines never take it for an integer.
fn float(value: f64) -> String {
    let text = format!("{value:?}");
    if text.contains(['.', 'e', 'E']) || text.contains("inf") || text.contains("NaN") {
        text
    } else {
        format!("{text}.0")
    }
}

fn indent(text: &str, levels: usize) -> String {
    let pad = "  ".repeat(levels);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
