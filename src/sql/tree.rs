//! The dialect-neutral query tree. Planners build it; [`super::render`]
//! prints it for one dialect. Nothing here holds SQL text: names and values
//! stay data until the dialect quotes them, in one place.

/// A whole query: common table expressions, then the final select.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub ctes: Vec<Cte>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cte {
    pub name: String,
    pub body: Body,
}

/// A select, or several glued with `UNION ALL`.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Select(Box<Select>),
    UnionAll(Vec<Select>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    pub distinct: bool,
    pub columns: Vec<Item>,
    pub from: Option<From>,
    pub joins: Vec<Join>,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub order_by: Vec<Order>,
}

/// `expr AS alias`.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub expr: Expr,
    pub alias: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum From {
    /// A warehouse table, possibly qualified (`project.dataset.table`).
    Table { path: Vec<String>, alias: String },
    /// A CTE of the same query.
    Cte { name: String, alias: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub kind: JoinKind,
    pub from: From,
    pub on: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub expr: Expr,
    pub descending: bool,
    /// Engines differ on where NULLs sort by default: always say it.
    pub nulls_last: bool,
}

impl Order {
    pub fn asc(expr: Expr) -> Self {
        Order {
            expr,
            descending: false,
            nulls_last: true,
        }
    }

    /// Ascending with NULLs first (`all` rows before their segments).
    pub fn nulls_first(expr: Expr) -> Self {
        Order {
            expr,
            descending: false,
            nulls_last: false,
        }
    }
}

/// One select as it is; several glued with `UNION ALL`.
pub fn union(mut selects: Vec<Select>) -> Body {
    if selects.len() == 1 {
        Body::Select(Box::new(selects.remove(0)))
    } else {
        Body::UnionAll(selects)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::And => "AND",
            Op::Or => "OR",
        }
    }

    /// Binding strength, for parentheses.
    pub fn precedence(self) -> u8 {
        match self {
            Op::Or => 1,
            Op::And => 2,
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => 3,
            Op::Add | Op::Sub => 4,
            Op::Mul | Op::Div => 5,
        }
    }
}

pub use crate::vocabulary::Period;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `alias.column` where the column is a spec's (physical) column: always
    /// quoted.
    Column {
        table: String,
        name: String,
    },
    /// `alias.field` where the field is one Pactum generated.
    Field {
        table: String,
        name: String,
    },
    /// A generated name on its own (an output column, in ORDER BY).
    Name(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Binary {
        op: Op,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Not(Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// A function every engine spells the same: `COUNT`, `SUM`, `MIN`,
    /// `MAX`, `AVG`, `COALESCE`, `ROW_NUMBER`, `LAG`...
    Func {
        name: &'static str,
        args: Vec<Expr>,
    },
    CountStar,
    CountDistinct(Box<Expr>),
    Case {
        whens: Vec<(Expr, Expr)>,
        otherwise: Box<Expr>,
    },
    /// `func OVER (PARTITION BY ... ORDER BY ...)`
    Window {
        func: Box<Expr>,
        partition: Vec<Expr>,
        order: Vec<Order>,
    },
    // ---- capabilities: each dialect spells these its own way
    /// Seconds since 1970 of a timestamp, exact for whole seconds.
    EpochSeconds(Box<Expr>),
    /// The first day of the period holding a timestamp, as a date.
    PeriodStart(Period, Box<Expr>),
    /// Calendar days from one timestamp's date to another's.
    DaysBetween {
        start: Box<Expr>,
        end: Box<Expr>,
    },
    /// `a / b`, NULL when `b` is 0, always in floating point.
    SafeDiv(Box<Expr>, Box<Expr>),
    /// `base ^ exponent` in floating point.
    Power(Box<Expr>, Box<Expr>),
    /// `a` and `b` differ, NULLs compared as values.
    Distinct(Box<Expr>, Box<Expr>),
    /// A value as a floating-point number.
    ToFloat(Box<Expr>),
    /// A value as text.
    ToText(Box<Expr>),
    /// A date literal `YYYY-MM-DD`.
    Date(String),
    /// `EXISTS (SELECT ...)`, for conditions on another source's rows.
    Exists(Box<Select>),
    /// A date moved by whole periods (calendar months for months,
    /// quarters and years).
    AddPeriods {
        period: Period,
        count: i64,
        date: Box<Expr>,
    },
    /// A date moved by a computed number of whole periods (an integer
    /// expression), as `AddPeriods` does for a fixed number.
    AddPeriodsBy {
        period: Period,
        count: Box<Expr>,
        date: Box<Expr>,
    },
    /// Midnight at the start of a date, as a timestamp.
    StartOfDay(Box<Expr>),
    /// An instant as the local time (a timestamp without zone) of an IANA
    /// time zone.
    LocalTime {
        instant: Box<Expr>,
        zone: String,
    },
    /// The engine's current date (used only when no `as of` date is given).
    Today,
    /// The engine's current local time, as a timestamp without zone.
    Now,
    /// A number rounded to the nearest integer, as an integer.
    RoundToInteger(Box<Expr>),
    /// NULL of a given type, where a bare NULL would be taken for text
    /// (PostgreSQL types a NULL column of a CTE as text, which a UNION with
    /// dates or numbers then rejects).
    TypedNull(NullType),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullType {
    Date,
    Integer,
    Float,
}

// Small constructors keep planners readable.
pub fn col(table: &str, name: &str) -> Expr {
    Expr::Column {
        table: table.to_string(),
        name: name.to_string(),
    }
}

pub fn field(table: &str, name: &str) -> Expr {
    Expr::Field {
        table: table.to_string(),
        name: name.to_string(),
    }
}

pub fn name(name: &str) -> Expr {
    Expr::Name(name.to_string())
}

pub fn str_lit(value: &str) -> Expr {
    Expr::Str(value.to_string())
}

pub fn func(name: &'static str, args: Vec<Expr>) -> Expr {
    Expr::Func { name, args }
}

pub fn bin(op: Op, lhs: Expr, rhs: Expr) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    }
}

pub fn and(items: Vec<Expr>) -> Option<Expr> {
    items.into_iter().reduce(|a, b| bin(Op::And, a, b))
}

pub fn item(expr: Expr, alias: &str) -> Item {
    Item {
        expr,
        alias: alias.to_string(),
    }
}

pub fn case(whens: Vec<(Expr, Expr)>, otherwise: Expr) -> Expr {
    Expr::Case {
        whens,
        otherwise: Box::new(otherwise),
    }
}

pub fn window(func: Expr, partition: Vec<Expr>, order: Vec<Order>) -> Expr {
    Expr::Window {
        func: Box::new(func),
        partition,
        order,
    }
}

pub fn cte(name: &str, alias: &str) -> From {
    From::Cte {
        name: name.to_string(),
        alias: alias.to_string(),
    }
}

impl Query {
    /// Renames CTEs whose name is also the name of a table the query reads
    /// (`WITH touches AS (SELECT ... FROM touches)` would read itself on some
    /// engines and shadow the table on others). Names gain `_q` until free.
    /// `None` when no name clashes (the common case: nothing to copy).
    pub fn without_name_clashes(&self) -> Option<Query> {
        let tables: Vec<String> = self.tables_read().map(str::to_lowercase).collect();
        let mut renames: Vec<(String, String)> = Vec::new();
        for cte in &self.ctes {
            let mut fresh = cte.name.clone();
            while tables.contains(&fresh.to_lowercase())
                || renames
                    .iter()
                    .any(|(old, new)| *new == fresh && *old != cte.name)
            {
                fresh.push_str("_q");
            }
            if fresh != cte.name {
                renames.push((cte.name.clone(), fresh));
            }
        }
        if renames.is_empty() {
            return None;
        }
        let mut query = self.clone();
        let rename = |name: &mut String| {
            if let Some((_, new)) = renames.iter().find(|(old, _)| old == name) {
                *name = new.clone();
            }
        };
        for cte in &mut query.ctes {
            rename(&mut cte.name);
            cte.body.selects_mut().for_each(|s| rename_ctes(s, &rename));
        }
        query
            .body
            .selects_mut()
            .for_each(|s| rename_ctes(s, &rename));
        Some(query)
    }
}

impl Query {
    /// The query as CTEs of a larger one: every CTE `x` becomes
    /// `<prefix>_x` and the final select becomes the CTE `<prefix>`.
    pub fn into_ctes(self, prefix: &str) -> Vec<Cte> {
        let names: Vec<String> = self.ctes.iter().map(|c| c.name.clone()).collect();
        let rename = |name: &mut String| {
            if names.contains(name) {
                *name = format!("{prefix}_{name}");
            }
        };
        let mut ctes = self.ctes;
        for cte in &mut ctes {
            rename(&mut cte.name);
            cte.body.selects_mut().for_each(|s| rename_ctes(s, &rename));
        }
        let mut body = self.body;
        body.selects_mut().for_each(|s| {
            rename_ctes(s, &rename);
            // ORDER BY inside a CTE means nothing; leave ordering to the outer query.
            s.order_by.clear();
        });
        ctes.push(Cte {
            name: prefix.to_string(),
            body,
        });
        ctes
    }
}

impl Query {
    /// Drops CTEs whose body repeats an earlier CTE's (after the same
    /// renaming), pointing their readers at the earlier one. Queries that
    /// embed several metrics repeat, say, an attribution chain; engines
    /// materialize a CTE that is read more than once, so the shared chain
    /// is computed once.
    pub fn share_identical_ctes(&mut self) {
        let mut kept: Vec<Cte> = Vec::with_capacity(self.ctes.len());
        let mut renames: Vec<(String, String)> = Vec::new();
        for mut cte in std::mem::take(&mut self.ctes) {
            let rename = |name: &mut String| {
                if let Some((_, to)) = renames.iter().find(|(from, _)| from == name) {
                    *name = to.clone();
                }
            };
            cte.body.selects_mut().for_each(|s| rename_ctes(s, &rename));
            match kept.iter().find(|k| k.body == cte.body) {
                Some(same) => renames.push((cte.name, same.name.clone())),
                None => kept.push(cte),
            }
        }
        let rename = |name: &mut String| {
            if let Some((_, to)) = renames.iter().find(|(from, _)| from == name) {
                *name = to.clone();
            }
        };
        self.body
            .selects_mut()
            .for_each(|s| rename_ctes(s, &rename));
        self.ctes = kept;
    }
}

impl Query {
    /// Drops the CTEs that neither the final select nor a kept CTE reads.
    pub fn drop_unread_ctes(&mut self) {
        let reads = |body: &Body| -> Vec<String> {
            body.froms()
                .filter_map(|from| match from {
                    From::Cte { name, .. } => Some(name.clone()),
                    From::Table { .. } => None,
                })
                .collect()
        };
        let mut read = reads(&self.body);
        // A CTE reads only earlier ones: one pass from the end finds all.
        let mut keep = vec![false; self.ctes.len()];
        for (i, cte) in self.ctes.iter().enumerate().rev() {
            if read.contains(&cte.name) {
                keep[i] = true;
                read.extend(reads(&cte.body));
            }
        }
        let mut keep = keep.into_iter();
        self.ctes.retain(|_| keep.next().unwrap_or(true));
    }
}

fn rename_ctes(select: &mut Select, rename: &impl Fn(&mut String)) {
    for from in select
        .from
        .iter_mut()
        .chain(select.joins.iter_mut().map(|j| &mut j.from))
    {
        if let From::Cte { name, .. } = from {
            rename(name);
        }
    }
}

impl Body {
    pub fn selects(&self) -> Box<dyn Iterator<Item = &Select> + '_> {
        match self {
            Body::Select(s) => Box::new(std::iter::once(s.as_ref())),
            Body::UnionAll(list) => Box::new(list.iter()),
        }
    }

    pub fn selects_mut(&mut self) -> Box<dyn Iterator<Item = &mut Select> + '_> {
        match self {
            Body::Select(s) => Box::new(std::iter::once(s.as_mut())),
            Body::UnionAll(list) => Box::new(list.iter_mut()),
        }
    }

    /// What the body reads: every `FROM` and `JOIN` of its selects.
    pub fn froms(&self) -> impl Iterator<Item = &From> + '_ {
        self.selects()
            .flat_map(|s| s.from.iter().chain(s.joins.iter().map(|j| &j.from)))
    }
}

impl Query {
    /// The (last part of the) name of every table the query reads, once
    /// per read.
    pub fn tables_read(&self) -> impl Iterator<Item = &str> + '_ {
        self.ctes
            .iter()
            .map(|c| &c.body)
            .chain(std::iter::once(&self.body))
            .flat_map(Body::froms)
            .filter_map(|from| match from {
                From::Table { path, .. } => path.last().map(String::as_str),
                From::Cte { .. } => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CTE selecting everything of `from` (a CTE when `from` has no dot).
    fn reading(name: &str, from: &[&str]) -> Cte {
        let source = |f: &str, alias: String| match f.strip_prefix("table.") {
            Some(table) => From::Table {
                path: vec![table.to_string()],
                alias,
            },
            None => cte(f, &alias),
        };
        Cte {
            name: name.to_string(),
            body: Body::Select(Box::new(Select {
                columns: vec![item(Expr::Int(1), "one")],
                from: from.first().map(|f| source(f, "a".to_string())),
                joins: from
                    .iter()
                    .enumerate()
                    .skip(1)
                    .map(|(i, f)| Join {
                        kind: JoinKind::Left,
                        from: source(f, format!("j{i}")),
                        on: Expr::Bool(true),
                    })
                    .collect(),
                ..Select::default()
            })),
        }
    }

    #[test]
    fn unread_ctes_are_dropped_and_read_ones_kept_in_order() {
        let mut query = Query {
            ctes: vec![
                reading("touches", &["table.touchpoints"]),
                reading("unused_base", &["table.orders"]),
                reading("eligible", &["touches"]),
                reading("unused_tip", &["unused_base", "eligible"]),
                reading("joined", &["touches", "eligible"]),
            ],
            body: reading("out", &["joined"]).body,
        };
        query.drop_unread_ctes();
        let names: Vec<&str> = query.ctes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["touches", "eligible", "joined"]);
    }
}
