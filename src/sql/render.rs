//! Prints a query tree for one dialect, laid out for people: one clause per
//! line, CTEs in order, two-space indentation. Rendering the same tree twice
//! gives the same bytes. Everything is written into one buffer: compiling
//! many agreements renders hundreds of megabytes of SQL.

use std::collections::BTreeMap;

use super::dialect::Dialect;
use super::tree::*;

/// Generated names that are also keywords somewhere are always quoted.
/// (A `match` on the name: the compiler dispatches on length first, which
/// keeps this cheap for the millions of names a big compile writes.)
fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "all"
            | "and"
            | "as"
            | "by"
            | "case"
            | "date"
            | "day"
            | "desc"
            | "end"
            | "first"
            | "from"
            | "group"
            | "key"
            | "last"
            | "month"
            | "order"
            | "partition"
            | "position"
            | "range"
            | "rows"
            | "select"
            | "time"
            | "timestamp"
            | "to"
            | "user"
            | "value"
            | "values"
            | "week"
            | "when"
            | "where"
            | "window"
            | "year"
    )
}

pub struct Renderer<'d> {
    dialect: &'d dyn Dialect,
    /// A dbt model: see [`DbtNames`]; every `{` of a name or string from
    /// the spec is escaped, so that nothing in a spec is read as Jinja.
    dbt: Option<&'d DbtNames>,
}

/// What a dbt model writes as Jinja.
#[derive(Debug, Default)]
pub struct DbtNames {
    /// Tables by path: `{{ ref('...') }}`, `{{ source('...', '...') }}`.
    pub tables: BTreeMap<Vec<String>, String>,
    /// Dates by their text: the Jinja that prints the date to use instead
    /// (a dbt var's).
    pub dates: BTreeMap<String, String>,
}

/// Text from a spec inside a dbt model: each `{` written as the Jinja
/// expression that prints it, so that `{{`, `{%` and `{#` never start Jinja.
pub fn escape_jinja(text: &str) -> String {
    text.replace('{', "{{ '{' }}")
}

impl<'d> Renderer<'d> {
    pub fn new(dialect: &'d dyn Dialect) -> Self {
        Renderer { dialect, dbt: None }
    }

    /// A renderer of dbt models.
    pub fn dbt(dialect: &'d dyn Dialect, names: &'d DbtNames) -> Self {
        Renderer {
            dialect,
            dbt: Some(names),
        }
    }

    /// Quoted text made from a spec's names or strings.
    fn spec_text(&self, out: &mut String, text: &str) {
        if self.dbt.is_some() {
            out.push_str(&escape_jinja(text));
        } else {
            out.push_str(text);
        }
    }

    /// A generated name: bare when safe, quoted otherwise.
    fn ident(&self, out: &mut String, name: &str) {
        let plain = !self.dialect.folds_unquoted_names()
            && super::dialect::is_plain_lowercase(name)
            && !is_keyword(name);
        if plain {
            out.push_str(name);
        } else {
            self.spec_text(out, &self.dialect.quote_ident(name));
        }
    }

    pub fn query(&self, query: &Query) -> String {
        let renamed = query.without_name_clashes();
        let query = renamed.as_ref().unwrap_or(query);
        let mut out = String::with_capacity(4096);
        if !query.ctes.is_empty() {
            out.push_str("WITH\n");
            for (i, cte) in query.ctes.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                // dbt models say what each step does.
                if self.dbt.is_some()
                    && let Some(sentence) = super::steps::describe(&cte.name)
                {
                    out.push_str("-- ");
                    out.push_str(sentence);
                    out.push('\n');
                }
                self.ident(&mut out, &cte.name);
                out.push_str(" AS (\n");
                self.body(&mut out, &cte.body, 1);
                out.push_str("\n)");
            }
            out.push('\n');
        }
        self.body(&mut out, &query.body, 0);
        out.push_str(";\n");
        out
    }

    fn body(&self, out: &mut String, body: &Body, depth: usize) {
        match body {
            Body::Select(select) => self.select(out, select, depth),
            Body::UnionAll(selects) => {
                for (i, select) in selects.iter().enumerate() {
                    if i > 0 {
                        newline(out, depth);
                        out.push_str("UNION ALL");
                    }
                    self.select(out, select, depth);
                }
            }
        }
    }

    /// A select, each clause on its own line at `depth`; starts with a line
    /// break unless it is the first thing written.
    fn select(&self, out: &mut String, select: &Select, depth: usize) {
        if !out.is_empty() && !out.ends_with('\n') {
            newline(out, depth);
        } else {
            pad(out, depth);
        }
        out.push_str(if select.distinct {
            "SELECT DISTINCT"
        } else {
            "SELECT"
        });
        for (i, item) in select.columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(out, depth + 1);
            self.expr(out, &item.expr, 0);
            out.push_str(" AS ");
            self.ident(out, &item.alias);
        }
        if let Some(from) = &select.from {
            newline(out, depth);
            out.push_str("FROM ");
            self.from(out, from);
        }
        for join in &select.joins {
            newline(out, depth);
            out.push_str(match join.kind {
                JoinKind::Inner => "JOIN ",
                JoinKind::Left => "LEFT JOIN ",
            });
            self.from(out, &join.from);
            newline(out, depth + 1);
            out.push_str("ON ");
            self.expr(out, &join.on, 0);
        }
        if let Some(filter) = &select.filter {
            newline(out, depth);
            out.push_str("WHERE ");
            self.expr(out, filter, 0);
        }
        if !select.group_by.is_empty() {
            newline(out, depth);
            out.push_str("GROUP BY ");
            let prefix = self.dialect.group_key_prefix();
            for (i, key) in select.group_by.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                // A prefix applies to a column as it is, to anything else
                // in parentheses.
                let wrap = !prefix.is_empty()
                    && !matches!(
                        key,
                        Expr::Column { .. } | Expr::Field { .. } | Expr::Name(_)
                    );
                out.push_str(prefix);
                if wrap {
                    out.push('(');
                }
                self.expr(out, key, 0);
                if wrap {
                    out.push(')');
                }
            }
        }
        if let Some(having) = &select.having {
            newline(out, depth);
            out.push_str("HAVING ");
            self.expr(out, having, 0);
        }
        if !select.order_by.is_empty() {
            newline(out, depth);
            out.push_str("ORDER BY ");
            self.orders(out, &select.order_by);
        }
    }

    fn from(&self, out: &mut String, from: &From) {
        match from {
            From::Table { path, alias } => {
                match self.dbt.and_then(|dbt| dbt.tables.get(path)) {
                    Some(jinja) => out.push_str(jinja),
                    None => {
                        for (i, part) in path.iter().enumerate() {
                            if i > 0 {
                                out.push('.');
                            }
                            self.spec_text(out, &self.dialect.source_name(part));
                        }
                    }
                }
                out.push_str(" AS ");
                self.ident(out, alias);
            }
            From::Cte { name, alias } => {
                self.ident(out, name);
                out.push_str(" AS ");
                self.ident(out, alias);
            }
        }
    }

    fn list(&self, out: &mut String, items: &[Expr]) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.expr(out, item, 0);
        }
    }

    fn orders(&self, out: &mut String, orders: &[Order]) {
        for (i, o) in orders.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.expr(out, &o.expr, 0);
            out.push_str(if o.descending { " DESC" } else { " ASC" });
            out.push_str(if o.nulls_last {
                " NULLS LAST"
            } else {
                " NULLS FIRST"
            });
        }
    }

    /// An expression as text, for the dialect's capability functions.
    fn text(&self, expr: &Expr, outer: u8) -> String {
        let mut out = String::new();
        self.expr(&mut out, expr, outer);
        out
    }

    /// Writes an expression; `outer` is the precedence of the enclosing
    /// operator, so that parentheses appear only where they are needed.
    pub fn expr(&self, out: &mut String, expr: &Expr, outer: u8) {
        let d = self.dialect;
        match expr {
            Expr::Column { table, name } => {
                self.ident(out, table);
                out.push('.');
                self.spec_text(out, &d.source_name(name));
            }
            Expr::Field { table, name } => {
                self.ident(out, table);
                out.push('.');
                self.ident(out, name);
            }
            Expr::Name(name) => self.ident(out, name),
            Expr::Str(value) => self.spec_text(out, &d.quote_string(value)),
            Expr::Int(value) => out.push_str(&value.to_string()),
            Expr::Float(value) => out.push_str(&float(*value)),
            Expr::Bool(value) => out.push_str(if *value { "TRUE" } else { "FALSE" }),
            Expr::Null => out.push_str("NULL"),
            Expr::Binary { op, lhs, rhs } => {
                let p = op.precedence();
                let wrap = p < outer;
                if wrap {
                    out.push('(');
                }
                // Left-associative: the right operand of `-` and `/` needs
                // parentheses at equal precedence.
                self.expr(out, lhs, p);
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                self.expr(out, rhs, p + 1);
                if wrap {
                    out.push(')');
                }
            }
            Expr::Not(inner) => {
                out.push_str("NOT (");
                self.expr(out, inner, 0);
                out.push(')');
            }
            Expr::IsNull { expr, negated } => {
                let wrap = outer > 3;
                if wrap {
                    out.push('(');
                }
                self.expr(out, expr, 6);
                out.push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
                if wrap {
                    out.push(')');
                }
            }
            Expr::In {
                expr,
                list,
                negated,
            } => {
                let wrap = outer > 3;
                if wrap {
                    out.push('(');
                }
                self.expr(out, expr, 6);
                out.push_str(if *negated { " NOT IN (" } else { " IN (" });
                self.list(out, list);
                out.push(')');
                if wrap {
                    out.push(')');
                }
            }
            Expr::Func { name, args } => {
                out.push_str(name);
                out.push('(');
                self.list(out, args);
                if let [arg] = args.as_slice()
                    && (*name == "SUM" || *name == "AVG")
                    && d.orders_sums()
                {
                    out.push_str(" ORDER BY ");
                    self.expr(out, arg, 0);
                }
                out.push(')');
            }
            Expr::CountStar => out.push_str("COUNT(*)"),
            Expr::CountDistinct(inner) => {
                out.push_str("COUNT(DISTINCT ");
                self.expr(out, inner, 0);
                out.push(')');
            }
            Expr::Case { whens, otherwise } => {
                out.push_str("CASE");
                for (when, then) in whens {
                    out.push_str(" WHEN ");
                    self.expr(out, when, 0);
                    out.push_str(" THEN ");
                    self.expr(out, then, 0);
                }
                out.push_str(" ELSE ");
                self.expr(out, otherwise, 0);
                out.push_str(" END");
            }
            Expr::Window {
                func,
                partition,
                order,
            } => {
                // A window's frame sets the order its values are added in.
                match &**func {
                    Expr::Func { name, args } => {
                        out.push_str(name);
                        out.push('(');
                        self.list(out, args);
                        out.push(')');
                    }
                    func => self.expr(out, func, 0),
                }
                out.push_str(" OVER (");
                if !partition.is_empty() {
                    out.push_str("PARTITION BY ");
                    self.list(out, partition);
                }
                if !order.is_empty() {
                    if !partition.is_empty() {
                        out.push(' ');
                    }
                    out.push_str("ORDER BY ");
                    self.orders(out, order);
                }
                out.push(')');
            }
            Expr::EpochSeconds(inner) => out.push_str(&d.epoch_seconds(&self.text(inner, 0))),
            Expr::PeriodStart(period, inner) => {
                out.push_str(&d.period_start(*period, &self.text(inner, 0)))
            }
            Expr::DaysBetween { start, end } => {
                out.push_str(&d.days_between(&self.text(start, 0), &self.text(end, 0)))
            }
            Expr::SafeDiv(a, b) => {
                let text = d.safe_div(&self.text(a, 6), &self.text(b, 0));
                if outer >= 5 {
                    out.push('(');
                    out.push_str(&text);
                    out.push(')');
                } else {
                    out.push_str(&text);
                }
            }
            Expr::Power(a, b) => out.push_str(&d.power(&self.text(a, 0), &self.text(b, 0))),
            Expr::Distinct(a, b) => {
                let text = d.distinct(&self.text(a, 6), &self.text(b, 6));
                if outer > 3 {
                    out.push('(');
                    out.push_str(&text);
                    out.push(')');
                } else {
                    out.push_str(&text);
                }
            }
            Expr::ToFloat(inner) => {
                out.push_str("CAST(");
                self.expr(out, inner, 0);
                out.push_str(" AS ");
                out.push_str(d.float_type());
                out.push(')');
            }
            Expr::ToText(inner) => {
                out.push_str("CAST(");
                self.expr(out, inner, 0);
                out.push_str(" AS ");
                out.push_str(d.text_type());
                out.push(')');
            }
            Expr::Date(date) => match self.dbt.and_then(|dbt| dbt.dates.get(date)) {
                // Jinja that prints a date: inside the literal's quotes.
                Some(jinja) => out.push_str(&d.date_literal(jinja)),
                None => out.push_str(&d.date_literal(date)),
            },
            Expr::AddPeriods {
                period,
                count,
                date,
            } => {
                let date = self.text(date, 0);
                out.push_str(&match period {
                    Period::Day => d.add_days(&date, *count),
                    Period::Week => d.add_days(&date, 7 * count),
                    Period::Month => d.add_months(&date, *count),
                    Period::Quarter => d.add_months(&date, 3 * count),
                    Period::Year => d.add_months(&date, 12 * count),
                });
            }
            Expr::AddPeriodsBy {
                period,
                count,
                date,
            } => {
                let date = self.text(date, 0);
                let count = self.text(count, 0);
                out.push_str(&match period {
                    Period::Day => d.add_days_by(&date, &count),
                    Period::Week => d.add_days_by(&date, &format!("7 * ({count})")),
                    Period::Month => d.add_months_by(&date, &count),
                    Period::Quarter => d.add_months_by(&date, &format!("3 * ({count})")),
                    Period::Year => d.add_months_by(&date, &format!("12 * ({count})")),
                });
            }
            Expr::StartOfDay(date) => out.push_str(&d.start_of_day(&self.text(date, 0))),
            Expr::LocalTime { instant, zone } => {
                out.push_str(&d.local_time(&self.text(instant, 0), zone))
            }
            Expr::Today => out.push_str(&d.today()),
            Expr::Now => out.push_str(&d.now()),
            Expr::TypedNull(ty) => {
                out.push_str("CAST(NULL AS ");
                out.push_str(match ty {
                    NullType::Date => "DATE",
                    NullType::Integer => d.integer_type(),
                    NullType::Float => d.float_type(),
                });
                out.push(')');
            }
            Expr::RoundToInteger(inner) => {
                out.push_str("CAST(ROUND(");
                self.expr(out, inner, 0);
                out.push_str(") AS ");
                out.push_str(d.integer_type());
                out.push(')');
            }
            Expr::Exists(select) => {
                // One line: the select's clauses joined by spaces.
                let mut inner = String::new();
                self.select(&mut inner, select, 0);
                out.push_str("EXISTS (");
                let mut first = true;
                for line in inner.lines() {
                    if !first {
                        out.push(' ');
                    }
                    out.push_str(line.trim());
                    first = false;
                }
                out.push(')');
            }
        }
    }
}

fn pad(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    pad(out, depth);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::dialect;

    #[test]
    fn generated_names_are_bare_unless_keywords_or_folded() {
        let mut out = String::new();
        let postgres = Renderer::new(&dialect::Postgres);
        for name in ["customer_id", "value", "position", "Mixed", "x1"] {
            postgres.ident(&mut out, name);
            out.push(' ');
        }
        assert_eq!(out, "customer_id \"value\" \"position\" \"Mixed\" x1 ");
        let mut out = String::new();
        Renderer::new(&dialect::Snowflake::FOLDED).ident(&mut out, "customer_id");
        assert_eq!(out, "\"customer_id\"");
    }

    /// Snowflake finds a table made without quotes by its bare name (in
    /// upper case); other names are quoted as written, and `names: quoted`
    /// quotes them all.
    #[test]
    fn snowflake_source_names_are_bare_where_the_account_folded_them() {
        use crate::sql::dialect::Dialect;
        let folded = dialect::Snowflake::FOLDED;
        let names = [
            "customer_id",
            "_x1",
            "order",
            "Amount",
            "first name",
            "a\"b",
            "café",
        ];
        let written: Vec<String> = names.iter().map(|n| folded.source_name(n)).collect();
        assert_eq!(
            written,
            [
                "customer_id",
                "_x1",
                "\"order\"",
                "\"Amount\"",
                "\"first name\"",
                "\"a\"\"b\"",
                "\"café\""
            ]
        );
        let quoted = dialect::Snowflake::QUOTED;
        assert_eq!(quoted.source_name("customer_id"), "\"customer_id\"");
        // Generated names keep their quotes either way: result columns
        // keep their lower-case names.
        let mut out = String::new();
        Renderer::new(&folded).ident(&mut out, "period_start");
        assert_eq!(out, "\"period_start\"");
    }

    /// SQLite groups by `+key` (no index order); the groups are the same.
    #[test]
    fn sqlite_group_keys_skip_the_index_and_group_alike() {
        use crate::sql::tree::{Body, Op, Query, Select, bin, field, func, item};
        let query = Query {
            ctes: Vec::new(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("t", "customer_id"), "customer_id"),
                    item(func("COUNT", vec![field("t", "day")]), "days"),
                ],
                from: Some(crate::sql::tree::From::Table {
                    path: vec!["visits".to_string()],
                    alias: "t".to_string(),
                }),
                group_by: vec![
                    field("t", "customer_id"),
                    bin(Op::Gt, field("t", "day"), crate::sql::tree::Expr::Int(1)),
                ],
                ..Select::default()
            })),
        };
        let sqlite = Renderer::new(&dialect::Sqlite).query(&query);
        assert!(
            sqlite.contains("GROUP BY +t.customer_id, +(t.\"day\" > 1)"),
            "{sqlite}"
        );
        let postgres = Renderer::new(&dialect::Postgres).query(&query);
        assert!(
            postgres.contains("GROUP BY t.customer_id, t.\"day\" > 1"),
            "{postgres}"
        );

        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE visits (customer_id TEXT, day INTEGER);
             CREATE INDEX visits_customer ON visits (customer_id);
             INSERT INTO visits VALUES ('b', 1), ('a', 2), ('b', 3), ('a', 1), ('b', 2);",
        )
        .unwrap();
        let plan: Vec<String> = db
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                sqlite.trim_end_matches(";\n")
            ))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            plan.iter().all(|step| !step.contains("USING INDEX")),
            "{plan:?}"
        );
        let mut rows: Vec<(String, i64)> = db
            .prepare(sqlite.trim_end_matches(";\n"))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        // a: day 1 alone, day 2 alone; b: day 1 alone, days 2 and 3.
        assert_eq!(
            rows,
            [
                ("a".into(), 1),
                ("a".into(), 1),
                ("b".into(), 1),
                ("b".into(), 2)
            ]
        );
    }
}
