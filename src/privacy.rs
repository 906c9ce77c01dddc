//! What one party may see: the results of a run or a report made for a
//! party (`--for PARTY`) hold no figure computed from fewer customers than
//! the `minimum group` of the scorecards shared with it, in any query, and
//! no cell that a total minus the visible cells would give back
//! (docs/scorecard.md, "Privacy").
//!
//! The rules work on result tables, whichever engine produced them, so the
//! CSV, JSON, Markdown and HTML outputs and the charts all show the same
//! restricted figures. Each kept table gains a `suppressed` column (`yes`
//! on a row with a suppressed cell).

use std::collections::BTreeMap;

use crate::model::Agreement;
use crate::run::{Cell, Table};
use crate::sql::plan::{ColumnKind, OutputColumn};

/// The party an output is for, and the smallest group it may see.
#[derive(Debug, Clone)]
pub struct Audience {
    pub party: String,
    pub minimum: i64,
}

/// The audience of `party`: the largest `minimum group` among the
/// scorecards shared with it. A party nothing is shared with gets no
/// output.
pub fn audience(agreement: &Agreement<'_>, party: &str) -> Result<Audience, String> {
    if agreement.party(party).is_none() {
        let parties: Vec<&str> = agreement.parties.iter().map(|p| p.named.name).collect();
        return Err(format!(
            "`{party}` is not a party of agreement `{}` (its parties: {})",
            agreement.name,
            parties.join(", ")
        ));
    }
    let shared: Vec<_> = agreement
        .scorecards
        .iter()
        .filter(|s| s.shared_with.contains(&party))
        .collect();
    if shared.is_empty() {
        return Err(format!(
            "no scorecard of agreement `{}` is `shared with {party}`: the agreement shares nothing with it",
            agreement.name
        ));
    }
    let minimum = shared
        .iter()
        .filter_map(|s| s.minimum_group)
        .max()
        .unwrap_or(1);
    Ok(Audience {
        party: party.to_string(),
        minimum: minimum as i64,
    })
}

/// What kind of query a table holds, by its name.
enum Kind {
    /// Row-level data (events, credits per conversion): never shared.
    RowLevel,
    /// `metric_*`: per period and group, `value` from `customers`.
    Metric,
    Scorecard,
    Funnel,
    Cohorts,
    Targets,
    Pilot,
    CreditsByPartner,
    /// An incentive statement, and the party it pays.
    Incentive(Vec<String>),
    /// Audits count rows, not customers.
    Unrestricted,
}

fn kind(agreement: &Agreement<'_>, name: &str) -> Kind {
    let named = |prefix: &str| name.strip_prefix(prefix);
    if named("events_").is_some() {
        return Kind::RowLevel;
    }
    if let Some(rest) = named("attribution_") {
        return if rest.ends_with("_by_partner")
            && agreement
                .attributions
                .iter()
                .any(|a| format!("{}_by_partner", a.named.name) == rest)
        {
            Kind::CreditsByPartner
        } else {
            Kind::RowLevel
        };
    }
    if let Some(incentive) = named("incentive_") {
        let paid = agreement
            .incentives
            .iter()
            .find(|i| i.named.name == incentive)
            .map(|i| i.pays.iter().map(|p| p.party.to_string()).collect())
            .unwrap_or_default();
        return Kind::Incentive(paid);
    }
    match name {
        "funnel" => Kind::Funnel,
        "targets" => Kind::Targets,
        "audits" => Kind::Unrestricted,
        _ if named("metric_").is_some() => Kind::Metric,
        _ if named("scorecard_").is_some() => Kind::Scorecard,
        _ if named("cohorts_").is_some() => Kind::Cohorts,
        _ if named("pilot_").is_some() => Kind::Pilot,
        // Anything unknown is held back rather than shared unchecked.
        _ => Kind::RowLevel,
    }
}

/// The tables of `tables` that `audience` may see, restricted. The names
/// of the tables left out (row-level data, other parties' statements) are
/// returned beside them.
pub fn restrict(
    agreement: &Agreement<'_>,
    audience: &Audience,
    tables: Vec<Table>,
) -> (Vec<Table>, Vec<String>) {
    // Customers behind each metric's figure per (period, group), for the
    // figures other tables repeat (incentive conditions).
    let mut behind: BTreeMap<(String, String, String, String), Option<i64>> = BTreeMap::new();
    for table in &tables {
        if let Some(metric) = table.name.strip_prefix("metric_") {
            let view = View::of(table);
            for row in &table.rows {
                behind.insert(
                    (
                        metric.to_string(),
                        view.text(row, "period_start"),
                        view.text(row, "segment"),
                        view.text(row, "segment_value"),
                    ),
                    view.int(row, "customers"),
                );
            }
        }
    }
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    for mut table in tables {
        let mut marks = vec![false; table.rows.len()];
        let n = audience.minimum;
        match kind(agreement, &table.name) {
            Kind::RowLevel => {
                left_out.push(table.name);
                continue;
            }
            Kind::Incentive(paid) if !paid.contains(&audience.party) => {
                left_out.push(table.name);
                continue;
            }
            Kind::Scorecard if !shared_with(agreement, &table.name, &audience.party) => {
                left_out.push(table.name);
                continue;
            }
            Kind::Unrestricted => {}
            Kind::Metric => {
                let groups = ["period_start", "segment"];
                small_groups(
                    &mut table,
                    &mut marks,
                    n,
                    "customers",
                    &["value", "customers"],
                );
                complementary(
                    &mut table,
                    &mut marks,
                    &groups,
                    "customers",
                    &["value", "customers"],
                );
            }
            Kind::Scorecard => {
                let hidden = [
                    "actual",
                    "customers",
                    "target",
                    "percent_of_target",
                    "previous",
                    "trend",
                ];
                small_groups(&mut table, &mut marks, n, "customers", &hidden);
                complementary(
                    &mut table,
                    &mut marks,
                    &["metric", "period_start", "segment"],
                    "customers",
                    &hidden,
                );
                scorecard_status(&mut table, &marks);
            }
            Kind::Funnel => {
                let hidden = ["customers", "reached_next", "progression"];
                small_groups(&mut table, &mut marks, n, "customers", &hidden);
                small_groups(
                    &mut table,
                    &mut marks,
                    n,
                    "reached_next",
                    &["reached_next", "progression"],
                );
                complementary(
                    &mut table,
                    &mut marks,
                    &["period_start", "stage", "segment"],
                    "customers",
                    &hidden,
                );
            }
            Kind::Cohorts => {
                let hidden = ["cohort_customers", "active_customers", "retention"];
                small_groups(&mut table, &mut marks, n, "cohort_customers", &hidden);
                small_groups(
                    &mut table,
                    &mut marks,
                    n,
                    "active_customers",
                    &["active_customers", "retention"],
                );
            }
            Kind::Targets => {
                small_groups(
                    &mut table,
                    &mut marks,
                    n,
                    "customers",
                    &[
                        "value",
                        "customers",
                        "baseline",
                        "required_per_day",
                        "lift",
                        "lift_low",
                        "lift_high",
                    ],
                );
                // A relative target's threshold is its baseline scaled.
                relative_thresholds(&mut table, &marks);
            }
            Kind::Pilot => {
                let derived = ["lift", "lift_low", "lift_high", "scale"];
                for (value, customers) in [
                    ("baseline_value", "baseline_customers"),
                    ("pilot_value", "pilot_customers"),
                    ("control_value", "control_customers"),
                    ("control_before_value", "control_before_customers"),
                ] {
                    let mut hidden = vec![value, customers];
                    hidden.extend(derived);
                    small_groups(&mut table, &mut marks, n, customers, &hidden);
                }
                for population in ["baseline_population", "pilot_population"] {
                    customer_populations(&mut table, &mut marks, n, population);
                }
            }
            Kind::CreditsByPartner => {
                credits_by_partner(&mut table, &mut marks, n);
            }
            Kind::Incentive(_) => {
                incentive_conditions(
                    agreement,
                    &mut table,
                    &mut marks,
                    n,
                    &behind,
                    &audience.party,
                );
            }
        }
        mark(&mut table, &marks);
        kept.push(table);
    }
    (kept, left_out)
}

/// Whether the scorecard whose results `table` holds is shared with
/// `party` (a scorecard not shared with it is another party's business).
fn shared_with(agreement: &Agreement<'_>, table: &str, party: &str) -> bool {
    agreement
        .scorecards
        .iter()
        .find(|s| format!("scorecard_{}", s.named.name) == table)
        .is_some_and(|s| s.shared_with.contains(&party))
}

/// Column positions of a table.
struct View {
    index: BTreeMap<String, usize>,
}

impl View {
    fn of(table: &Table) -> View {
        View {
            index: table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), i))
                .collect(),
        }
    }

    fn at(&self, column: &str) -> Option<usize> {
        self.index.get(column).copied()
    }

    fn text(&self, row: &[Cell], column: &str) -> String {
        match self.at(column).map(|i| &row[i]) {
            Some(Cell::Text(t)) => t.clone(),
            Some(Cell::Integer(n)) => n.to_string(),
            Some(Cell::Number(x)) => crate::run::results::number_text(*x),
            _ => String::new(),
        }
    }

    fn int(&self, row: &[Cell], column: &str) -> Option<i64> {
        match self.at(column).map(|i| &row[i]) {
            Some(Cell::Integer(n)) => Some(*n),
            Some(Cell::Number(x)) => Some(x.ceil() as i64),
            Some(Cell::Text(t)) => t.parse().ok(),
            _ => None,
        }
    }
}

/// Whether a count of customers is a small group: some, but fewer than
/// the minimum. Nobody (0) identifies nobody.
fn small(count: Option<i64>, minimum: i64) -> bool {
    count.is_some_and(|c| c > 0 && c < minimum)
}

fn blank(table: &mut Table, row: usize, columns: &[&str]) {
    let view = View::of(table);
    for column in columns {
        if let Some(i) = view.at(column) {
            table.rows[row][i] = Cell::Null;
        }
    }
}

/// Blanks `hidden` in every row whose `count` column is a small group.
fn small_groups(table: &mut Table, marks: &mut [bool], minimum: i64, count: &str, hidden: &[&str]) {
    let view = View::of(table);
    if view.at(count).is_none() {
        return;
    }
    for (row, marked) in marks.iter_mut().enumerate() {
        if small(view.int(&table.rows[row], count), minimum) {
            blank(table, row, hidden);
            *marked = true;
        }
    }
}

/// Complementary suppression: in each set of rows that share the `keys`
/// columns (the parts of one total: the segments of a period, the partners
/// of a stage), one part whose `count` is left out could be recovered as
/// the total minus the others; the smallest visible part is left out with
/// it, or, when there is none, the total (the `all` row) itself. The `all`
/// group is the total, never a part.
fn complementary(
    table: &mut Table,
    marks: &mut [bool],
    keys: &[&str],
    count: &str,
    hidden: &[&str],
) {
    let view = View::of(table);
    let (Some(segment), Some(count_at)) = (view.at("segment"), view.at(count)) else {
        return;
    };
    let is_total = |row: &[Cell]| matches!(&row[segment], Cell::Text(t) if t == "all");
    let mut sets: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
    let mut totals: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        let key: Vec<String> = keys.iter().map(|k| view.text(row, k)).collect();
        if is_total(row) {
            let total_key = keys
                .iter()
                .filter(|k| **k != "segment")
                .map(|k| view.text(row, k))
                .collect();
            totals.insert(total_key, i);
        } else {
            sets.entry(key).or_default().push(i);
        }
    }
    let left_out = |table: &Table, r: usize| table.rows[r][count_at] == Cell::Null;
    for (key, rows) in &sets {
        if rows.iter().filter(|&&r| left_out(table, r)).count() != 1 {
            continue;
        }
        // Counts are blank once left out: the smallest of the others.
        let partner = rows
            .iter()
            .filter(|&&r| !left_out(table, r))
            .min_by_key(|&&r| (view.int(&table.rows[r], count).unwrap_or(i64::MAX), r))
            .copied();
        let total_key: Vec<String> = keys
            .iter()
            .zip(key)
            .filter(|(k, _)| **k != "segment")
            .map(|(_, v)| v.clone())
            .collect();
        if let Some(r) = partner.or_else(|| totals.get(&total_key).copied()) {
            blank(table, r, hidden);
            marks[r] = true;
        }
    }
}

/// A suppressed scorecard row says so in its status; a `previous` that is
/// a suppressed row's actual goes too.
fn scorecard_status(table: &mut Table, marks: &[bool]) {
    let view = View::of(table);
    let (Some(status), Some(previous), Some(trend)) =
        (view.at("status"), view.at("previous"), view.at("trend"))
    else {
        return;
    };
    // (metric, segment, segment_value, period) of suppressed rows.
    let hidden: Vec<(String, String, String, String)> = table
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| marks[*i])
        .map(|(_, row)| {
            (
                view.text(row, "metric"),
                view.text(row, "segment"),
                view.text(row, "segment_value"),
                view.text(row, "period_start"),
            )
        })
        .collect();
    let mut periods: Vec<String> = table
        .rows
        .iter()
        .map(|r| view.text(r, "period_start"))
        .collect();
    periods.sort();
    periods.dedup();
    for (i, &marked) in marks.iter().enumerate() {
        if marked {
            table.rows[i][status] = Cell::Text("suppressed".to_string());
            continue;
        }
        let row = &table.rows[i];
        let period = view.text(row, "period_start");
        let before = periods
            .iter()
            .position(|p| *p == period)
            .and_then(|k| k.checked_sub(1))
            .map(|k| periods[k].clone());
        let key = |p: String| {
            (
                view.text(row, "metric"),
                view.text(row, "segment"),
                view.text(row, "segment_value"),
                p,
            )
        };
        if before.is_some_and(|p| hidden.contains(&key(p))) {
            table.rows[i][previous] = Cell::Null;
            table.rows[i][trend] = Cell::Null;
        }
    }
}

/// A relative target (`increase`, `decrease`) with a suppressed baseline
/// loses its threshold too: it is the baseline scaled.
fn relative_thresholds(table: &mut Table, marks: &[bool]) {
    let view = View::of(table);
    for (i, &marked) in marks.iter().enumerate() {
        let relative = matches!(
            view.text(&table.rows[i], "goalpost").as_str(),
            "increase" | "decrease"
        );
        if marked && relative {
            blank(table, i, &["threshold"]);
        }
    }
}

/// A population of customers (control customers' design) below the
/// minimum is blanked with the figures derived from it.
fn customer_populations(table: &mut Table, marks: &mut [bool], minimum: i64, column: &str) {
    let view = View::of(table);
    for (i, marked) in marks.iter_mut().enumerate() {
        let customers = view.text(&table.rows[i], "unit").starts_with("customer");
        if customers && small(view.int(&table.rows[i], column), minimum) {
            blank(
                table,
                i,
                &[column, "scale", "lift", "lift_low", "lift_high"],
            );
            *marked = true;
        }
    }
}

/// A partner's credits in a period rest on the conversions it touched (its
/// assisted conversions, at least its credited ones); fewer than the
/// minimum are blanked, and so is the smallest other partner of the period
/// when one alone would be recovered from the period's total.
fn credits_by_partner(table: &mut Table, marks: &mut [bool], minimum: i64) {
    let view = View::of(table);
    let hidden = [
        "attributed_conversions",
        "attributed_value",
        "assisted_conversions",
    ];
    let behind = |row: &[Cell]| {
        let credited = view.int(row, "attributed_conversions").unwrap_or(0);
        let touched = view.int(row, "assisted_conversions").unwrap_or(0);
        credited.max(touched)
    };
    let counts: Vec<i64> = table.rows.iter().map(|r| behind(r)).collect();
    for (i, count) in counts.iter().enumerate() {
        if small(Some(*count), minimum) {
            blank(table, i, &hidden);
            marks[i] = true;
        }
    }
    let mut periods: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        periods
            .entry(view.text(row, "period_start"))
            .or_default()
            .push(i);
    }
    for rows in periods.values() {
        if rows.iter().filter(|&&r| marks[r]).count() != 1 {
            continue;
        }
        if let Some(&r) = rows
            .iter()
            .filter(|&&r| !marks[r])
            .min_by_key(|&&r| (counts[r], r))
        {
            blank(table, r, &hidden);
            marks[r] = true;
        }
    }
}

/// A partner always sees the money of its own statement: the basis it is
/// paid on, what it earned, what the cap removed, the payout. A condition's
/// figure is shown only when the metric's row behind it has at least the
/// minimum of customers (`holds` still says whether it held).
fn incentive_conditions(
    agreement: &Agreement<'_>,
    table: &mut Table,
    marks: &mut [bool],
    minimum: i64,
    behind: &BTreeMap<(String, String, String, String), Option<i64>>,
    party: &str,
) {
    let view = View::of(table);
    let Some(incentive) = agreement
        .incentives
        .iter()
        .find(|i| format!("incentive_{}", i.named.name) == table.name)
    else {
        return;
    };
    for (i, marked) in marks.iter_mut().enumerate() {
        let row = &table.rows[i];
        if view.text(row, "line") != "condition" {
            continue;
        }
        let description = view.text(row, "description");
        let Some(condition) = incentive
            .conditions
            .iter()
            .find(|c| description.starts_with(&format!("{} ", c.metric.name)))
        else {
            continue;
        };
        let metric = condition.metric.name.as_str();
        let period = view.text(row, "period_start");
        let split = agreement
            .metric(metric)
            .is_some_and(|m| m.attributed.is_some());
        let key = if split {
            (
                metric.to_string(),
                period,
                "partner".to_string(),
                party.to_string(),
            )
        } else {
            (metric.to_string(), period, "all".to_string(), String::new())
        };
        // Unknown (the metric's results are not at hand): held back.
        let customers = behind.get(&key).copied().flatten();
        if customers.is_none_or(|c| c < minimum) && view.int(row, "figure").is_some() {
            blank(table, i, &["figure"]);
            *marked = true;
        }
    }
}

/// Adds the `suppressed` column.
fn mark(table: &mut Table, marks: &[bool]) {
    table.columns.push(OutputColumn {
        name: "suppressed".to_string(),
        kind: ColumnKind::Text,
        description: "`yes` when a figure of the row is left out: from fewer customers than the minimum group, or one that would give a left-out figure back".to_string(),
    });
    for (row, marked) in table.rows.iter_mut().zip(marks) {
        row.push(if *marked {
            Cell::Text("yes".to_string())
        } else {
            Cell::Null
        });
    }
}
