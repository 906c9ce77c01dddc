//! Synthetic data that fits an agreement: one CSV file per source, seeded
//! and deterministic, for a first look at `pactum report` without a
//! warehouse (`pactum demo`, and the committed `examples/`).
//!
//! The data is driven by the agreement itself. Customers move through the
//! journey: partner touches (the attribution's touch sources, with the
//! parties' codes), consideration events, a conversion for some, then
//! monthly activity until they churn, renewals and the odd expansion. Every
//! event row is written to satisfy the event's condition, so that the
//! queries find it. Pilots work: a pilot partner's customers convert more
//! often during its pilot. A few flaws are planted on purpose so that the
//! data-quality audits have something to find (rows without a customer
//! key, a repeated id).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path as FsPath;

use crate::check::dates;
use crate::functions::Argument;
use crate::generate::Rng;
use crate::model::{Agreement, Event, Source};
use crate::sql::load::columns;
use crate::syntax::ast::{ArgValue, CmpOp, ColumnType, Condition, Goalpost, Literal, Path};

pub struct Settings {
    pub seed: u64,
    /// Customers who start a journey.
    pub customers: usize,
    /// The last day of data (day number).
    pub until: i64,
    /// The most touches a partner's customer gets (from 1 to this, evenly).
    pub max_touches: u64,
}

impl Settings {
    /// The defaults of `pactum demo` for an agreement: 2,000 customers,
    /// data through the ninth month of the effective period.
    pub fn for_agreement(agreement: &Agreement<'_>) -> Settings {
        let until = match agreement.effective_days() {
            Some((start, end)) => (start + 272).min(end),
            None => dates::parse("2026-09-30").expect("a date"),
        };
        Settings {
            seed: 42,
            customers: 2000,
            until,
            max_touches: 4,
        }
    }
}

/// What the generator wrote: file name and rows.
pub type Written = Vec<(String, usize)>;

/// One row: cells by physical column name.
type Row = BTreeMap<String, String>;

/// A row as it will be written, compact so that tens of millions fit in
/// memory (a [`Row`] takes about a kilobyte).
#[derive(Clone)]
struct Packed {
    day: i64,
    /// The time column's value: files are written in its order.
    time: Box<str>,
    /// The CSV line, cells in the file's column order.
    line: Box<str>,
}

/// A source's file: its columns in order (physical names) and its time
/// column.
struct Layout {
    columns: Vec<String>,
    time: Option<String>,
}

impl Layout {
    fn of(source: &Source<'_>) -> Layout {
        Layout {
            columns: columns(source).into_iter().map(|(name, _)| name).collect(),
            time: source.physical("time").map(str::to_string),
        }
    }

    fn pack(&self, day: i64, row: &Row) -> Packed {
        let cell = |name: &str| row.get(name).map(String::as_str).unwrap_or("");
        let mut line = String::new();
        for (i, name) in self.columns.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&csv_field(cell(name)));
        }
        Packed {
            day,
            time: self.time.as_deref().map(cell).unwrap_or("").into(),
            line: line.into(),
        }
    }

    fn unpack(&self, packed: &Packed) -> Row {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(packed.line.as_bytes());
        let record = reader
            .records()
            .next()
            .and_then(Result::ok)
            .unwrap_or_default();
        self.columns
            .iter()
            .zip(record.iter())
            .map(|(name, value)| (name.clone(), value.to_string()))
            .collect()
    }
}

struct Customer {
    id: String,
    /// Partner code of the customer's partner, if any.
    code: Option<String>,
    aware: i64,
    converted: Option<i64>,
    /// Last day active (churned after it), for converted customers.
    active_until: i64,
}

pub fn generate(
    agreement: &Agreement<'_>,
    settings: &Settings,
    dir: &FsPath,
) -> std::io::Result<Written> {
    let mut rng = Rng::new(settings.seed);
    let sources: Vec<&Source> = agreement.sources.iter().collect();
    let events: Vec<&Event> = agreement.events.iter().collect();
    let start = first_day(agreement, settings.until);
    let until = settings.until;

    // Partner codes, by party, in the order the parties are written.
    let mut codes: Vec<(String, Vec<String>)> = Vec::new();
    let mut credit_column = None;
    for party in &agreement.parties {
        for id in party
            .identified_by
            .iter()
            .filter(|id| !id.values.is_empty())
        {
            credit_column.get_or_insert_with(|| id.column.to_string());
            codes.push((
                party.named.name.to_string(),
                id.values.iter().map(|v| v.to_string()).collect(),
            ));
        }
    }
    let mut touch_sources: Vec<String> = Vec::new();
    let mut channel_column = None;
    if let Some(a) = agreement.attributions.first() {
        for name in &a.touches {
            if let Some(rows) = agreement.rows(name) {
                touch_sources.push(rows.source.name().to_string());
            }
        }
        if let Some(credit) = a.credit {
            credit_column = Some(credit.to_string());
        }
        channel_column = a.channel.map(str::to_string);
    }
    // Pilot boosts: (party, first day, last day).
    let mut pilots = Vec::new();
    for pilot in &agreement.pilots {
        if let Some((a, b)) = pilot.during.map(dates::range) {
            for p in &pilot.partners {
                pilots.push((p.to_string(), a, b));
            }
        }
    }
    let activity = activity_sources(agreement);
    let followers = followers(agreement);
    // Control groups of customers: about one customer in six belongs to
    // each, so that the pilot has a group to compare with.
    let controls: Vec<(&str, &Condition)> = agreement
        .pilots
        .iter()
        .filter_map(|p| Some((p.named.name, p.control_customers?)))
        .collect();
    let in_control =
        |customer: &str, pilot: &str| hash(&format!("{pilot}/{customer}")).is_multiple_of(6);
    // Where each stage sits: before the conversion, or after it.
    let conversion_at = agreement
        .journey
        .iter()
        .position(|s| *s == "conversion")
        .unwrap_or(usize::MAX);
    let stage_after_conversion = |stage: &str| {
        agreement
            .journey
            .iter()
            .position(|s| *s == stage)
            .is_none_or(|i| i > conversion_at)
    };

    // The customers and their journeys.
    let mut customers = Vec::with_capacity(settings.customers);
    for n in 0..settings.customers {
        let aware = start + rng.below((until - start - 20).max(1) as u64) as i64;
        let party = if codes.is_empty() || rng.below(10) < 3 {
            None
        } else {
            // Earlier parties bring more customers.
            let weights: Vec<u64> = (0..codes.len() as u64)
                .map(|i| 3u64.saturating_sub(i).max(1))
                .collect();
            let mut pick = rng.below(weights.iter().sum());
            let mut chosen = 0;
            for (i, w) in weights.iter().enumerate() {
                if pick < *w {
                    chosen = i;
                    break;
                }
                pick -= w;
            }
            Some(chosen)
        };
        let code = party.map(|i| {
            let list = &codes[i].1;
            // The main code mostly, the others sometimes.
            if list.len() > 1 && rng.below(5) == 0 {
                list[1 + rng.below(list.len() as u64 - 1) as usize].clone()
            } else {
                list[0].clone()
            }
        });
        let boosted = party.is_some_and(|i| {
            pilots
                .iter()
                .any(|(p, a, b)| *p == codes[i].0 && aware >= *a && aware <= *b)
        });
        let chance = if boosted {
            60
        } else if party.is_some() {
            32
        } else {
            25
        };
        let converted = (rng.below(100) < chance)
            .then(|| aware + 2 + rng.below(40) as i64)
            .filter(|d| *d <= until);
        let mut active_until = until;
        if let Some(day) = converted {
            // Each month, one customer in 25 leaves.
            let mut month_end = day + 30;
            while month_end <= until {
                if rng.below(25) == 0 {
                    active_until = month_end;
                    break;
                }
                month_end += 30;
            }
        }
        customers.push(Customer {
            id: format!("C{:05}", n + 1),
            code,
            aware,
            converted,
            active_until,
        });
    }

    let layouts: BTreeMap<String, Layout> = sources
        .iter()
        .map(|s| (s.name().to_string(), Layout::of(s)))
        .collect();
    let mut rows: BTreeMap<String, Vec<Packed>> = BTreeMap::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut next_id = |source: &str| {
        let n = ids.entry(source.to_string()).or_insert(0);
        *n += 1;
        *n
    };
    let vocabulary = filter_vocabulary(agreement);
    for customer in &customers {
        let mut rng = Rng::new(settings.seed ^ hash(&customer.id));
        // Partner touches.
        if let (Some(code), Some(credit)) = (&customer.code, &credit_column) {
            let last = customer.converted.unwrap_or(customer.aware + 20).min(until);
            let touches = 1 + rng.below(settings.max_touches.max(1));
            for k in 0..touches {
                // Touches take turns among the attribution's touch sources.
                let Some(source_name) = touch_sources.get(k as usize % touch_sources.len().max(1))
                else {
                    break;
                };
                let source = sources
                    .iter()
                    .find(|s| s.name() == *source_name)
                    .expect("resolved");
                let day = customer.aware
                    + (k as i64 * (last - customer.aware).max(0)) / touches.max(1) as i64;
                let touch_events: Vec<&&Event> = events
                    .iter()
                    .filter(|e| {
                        e.source == source.name() && e.stage.is_some_and(|s| s != "conversion")
                    })
                    .collect();
                let mut row = base_row(source, customer, day, &mut rng);
                if !touch_events.is_empty() {
                    let turn = k as usize / touch_sources.len().max(1);
                    let event = touch_events[turn % touch_events.len()];
                    satisfy(&mut row, event.filter, source, &mut rng);
                }
                // One touch in five comes from another partner, so that
                // credit is shared.
                let code = if codes.len() > 1 && rng.below(5) == 0 {
                    codes[rng.below(codes.len() as u64) as usize].1[0].clone()
                } else {
                    code.clone()
                };
                if let Some(physical) = source.physical(credit) {
                    row.insert(physical.to_string(), code);
                }
                if let Some(channel) = &channel_column
                    && let Some(physical) = source.physical(channel)
                {
                    let channels = ["webinar", "email", "content", "referral_link"];
                    row.insert(
                        physical.to_string(),
                        channels[rng.below(4) as usize].to_string(),
                    );
                }
                push(&mut rows, &layouts, source, day, row, &mut next_id);
            }
        }
        // Events by stage (touch sources already have their rows).
        for event in &events {
            let Some(source) = sources.iter().find(|s| s.name() == event.source) else {
                continue;
            };
            // Touch sources hold partner rows only (written above).
            if touch_sources.iter().any(|t| t == source.name()) {
                continue;
            }
            let stage = event.stage.unwrap_or("");
            // An event a metric measures from another (the B of
            // `conversion_rate(A, B)` or `days_between(first A, first B)`)
            // comes some days after the conversion, now and then weeks.
            let follows = followers.iter().any(|f| f == event.named.name);
            let delay = if !follows {
                0
            } else if rng.below(4) == 0 {
                15 + rng.below(25) as i64
            } else {
                1 + rng.below(5) as i64
            };
            let days: Vec<i64> = match stage {
                "awareness" if touch_sources.iter().any(|t| t == source.name()) => Vec::new(),
                "awareness" => vec![customer.aware],
                "consideration" => {
                    if rng.below(10) < 6 {
                        vec![customer.aware + 1 + rng.below(5) as i64]
                    } else {
                        Vec::new()
                    }
                }
                "conversion" => customer.converted.map(|d| d + delay).into_iter().collect(),
                "expansion" => {
                    let Some(first) = customer.converted else {
                        continue;
                    };
                    let recurring = filter_text(event.filter).contains("renew");
                    let mut list = Vec::new();
                    let mut day = first + 30;
                    while day <= customer.active_until.min(until) {
                        if (recurring && rng.below(10) < 9) || (!recurring && rng.below(30) == 0) {
                            list.push(day);
                        }
                        day += 30;
                    }
                    list
                }
                // Stages of the agreement's own journey: before the
                // conversion like a consideration, after it (or without a
                // stage) once for most converted customers.
                other if !other.is_empty() && !stage_after_conversion(other) => {
                    if rng.below(10) < 6 {
                        vec![customer.aware + 1 + rng.below(5) as i64]
                    } else {
                        Vec::new()
                    }
                }
                _ => match customer.converted {
                    Some(day) if rng.below(10) < 7 => vec![day + 1 + rng.below(10) as i64],
                    _ => Vec::new(),
                },
            };
            for day in days.into_iter().filter(|d| *d <= until && *d >= start) {
                let mut row = base_row(source, customer, day, &mut rng);
                satisfy(&mut row, event.filter, source, &mut rng);
                push(&mut rows, &layouts, source, day, row, &mut next_id);
            }
        }
        // Sources no event describes: activity while active, else one row.
        for source in &sources {
            if events.iter().any(|e| e.source == source.name())
                && !activity.iter().any(|a| a == source.name())
            {
                continue;
            }
            if touch_sources.iter().any(|t| t == source.name()) {
                continue;
            }
            if activity.iter().any(|a| a == source.name()) {
                let Some(first) = customer.converted else {
                    continue;
                };
                let monthly = source.name().contains("subscription");
                // A ledger (a source with amounts) holds only the kinds of
                // rows its events describe; a log also plain activity.
                let ledger = source.columns.iter().any(|c| c.ty == ColumnType::Money);
                let own_events: Vec<&&Event> = events
                    .iter()
                    .filter(|e| e.source == source.name())
                    .collect();
                let mut day = first;
                while day <= customer.active_until.min(until) {
                    let mut row = base_row(source, customer, day, &mut rng);
                    if ledger && !own_events.is_empty() {
                        let event = own_events[rng.below(own_events.len() as u64) as usize];
                        satisfy(&mut row, event.filter, source, &mut rng);
                    } else {
                        background(&mut row, source, &vocabulary, &mut rng);
                    }
                    push(&mut rows, &layouts, source, day, row, &mut next_id);
                    day += if monthly {
                        30
                    } else {
                        5 + rng.below(16) as i64
                    };
                }
            } else if events.iter().all(|e| e.source != source.name()) {
                // Attribute snapshots (accounts) and answers (surveys).
                let answers = has_score(source);
                if answers && customer.converted.is_none() {
                    continue;
                }
                if answers && rng.below(10) < 4 {
                    continue;
                }
                let day = match customer.converted {
                    Some(d) if answers => (d + 20 + rng.below(60) as i64).min(until),
                    _ => customer.aware,
                };
                let mut row = base_row(source, customer, day, &mut rng);
                background(&mut row, source, &vocabulary, &mut rng);
                for (pilot, control) in &controls {
                    if in_control(&customer.id, pilot) && reads_only(control, source.name()) {
                        satisfy(&mut row, Some(control), source, &mut rng);
                    }
                }
                push(&mut rows, &layouts, source, day, row, &mut next_id);
            }
        }
    }

    // Gaps and outages for the audits to find: four days without rows in
    // the middle of every source checked for `gaps`, and a partner's feed
    // that stopped a month before the end, where the audit watches its
    // freshness (targets read from it over that month have no data).
    let middle = start + (until - start) / 2;
    for audit in &agreement.audits {
        let partner_owned = audit
            .owner
            .and_then(|o| agreement.party(o))
            .and_then(|p| p.role)
            .is_some_and(|role| crate::check::rules::PARTNER_ROLES.contains(&role));
        let gap = audit.checks.contains(&"gaps");
        let stopped = audit.freshness.is_some() && partner_owned;
        if let Some(list) = rows.get_mut(audit.source) {
            list.retain(|Packed { day, .. }| {
                let in_gap = gap && (middle..middle + 4).contains(day);
                let after_stop = stopped && *day > until - 30;
                !(in_gap || after_stop)
            });
        }
    }

    // Planted flaws for the audits: rows without a customer key, a
    // repeated id and a row no event describes, in every audited source.
    let mut audited: Vec<&str> = agreement.audits.iter().map(|a| a.source).collect();
    audited.dedup();
    for audited_source in audited {
        let Some(list) = rows.get_mut(audited_source) else {
            continue;
        };
        let Some(source) = sources.iter().find(|s| s.name() == audited_source) else {
            continue;
        };
        if list.len() <= 10 {
            continue;
        }
        let layout = &layouts[audited_source];
        let row_at = |list: &[Packed], i: usize| (list[i].day, layout.unpack(&list[i]));
        // A row of a kind no event of the source describes.
        let described: Vec<&Condition> = events
            .iter()
            .filter(|e| e.source == source.name())
            .filter_map(|e| e.filter)
            .collect();
        let columns_named: Vec<&str> = described
            .iter()
            .flat_map(|filter| filter.paths())
            .map(|p| p.segments.last().expect("a segment").name.as_str())
            .collect();
        if !columns_named.is_empty() {
            let (day, mut row) = row_at(list, list.len() / 3);
            for column in &source.columns {
                if columns_named.contains(&column.name) && column.ty == ColumnType::Text {
                    row.insert(column.physical.to_string(), "legacy_event".to_string());
                }
            }
            if let Some(i) = source.physical("id") {
                row.insert(i.to_string(), format!("u{}", next_id(source.name())));
            }
            list.push(layout.pack(day, &row));
        }
        let customer_column = source.physical("customer").map(str::to_string);
        let id_column = source.physical("id").map(str::to_string);
        for k in [3, 7] {
            let (day, mut row) = row_at(list, list.len() * k / 10);
            if let Some(c) = &customer_column {
                row.insert(c.clone(), String::new());
            }
            if let Some(i) = &id_column {
                row.insert(i.clone(), format!("x{}", next_id(source.name())));
            }
            list.push(layout.pack(day, &row));
        }
        // A row again, its id repeated.
        if id_column.is_some() {
            list.push(list[list.len() / 2].clone());
        }
        // A row stamped after the last day of data, for `future_timestamps`.
        if agreement
            .audits
            .iter()
            .any(|a| a.source == audited_source && a.checks.contains(&"future_timestamps"))
            && let Some(t) = source.physical("time")
        {
            let (_, mut row) = row_at(list, list.len() / 4);
            let offset = if source.holds_instants(t) { "Z" } else { "" };
            row.insert(
                t.to_string(),
                format!("{} 09:00:00{offset}", dates::show(until + 1)),
            );
            if let Some(i) = &id_column {
                row.insert(i.clone(), format!("f{}", next_id(source.name())));
            }
            list.push(layout.pack(until + 1, &row));
        }
    }

    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for source in &sources {
        let layout = &layouts[source.name()];
        let mut list = rows.remove(source.name()).unwrap_or_default();
        // Stable: rows at the same time keep the order they were made in.
        list.sort_by(|a, b| a.time.cmp(&b.time));
        let name = format!("{}.csv", source.name());
        let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join(&name))?);
        let header: Vec<String> = layout.columns.iter().map(|n| csv_field(n)).collect();
        writeln!(file, "{}", header.join(","))?;
        for packed in &list {
            file.write_all(packed.line.as_bytes())?;
            file.write_all(b"\n")?;
        }
        file.flush()?;
        written.push((name, list.len()));
    }
    Ok(written)
}

/// The first day of data: a quarter before the effective period, or the
/// earliest baseline, whichever is earlier.
fn first_day(agreement: &Agreement<'_>, until: i64) -> i64 {
    let mut start = agreement
        .effective_days()
        .map_or(until - 365, |(s, _)| s - 92);
    for pilot in &agreement.pilots {
        if let Some(r) = pilot.baseline {
            start = start.min(dates::range(r).0);
        }
    }
    for target in &agreement.targets {
        if let Goalpost::Change {
            baseline: Some(r), ..
        } = &target.goalpost
        {
            start = start.min(dates::range(r).0);
        }
    }
    start
}

/// Every call in every metric's value, nested calls included: the
/// function's name and its arguments.
fn metric_calls<'a>(agreement: &'a Agreement<'a>) -> Vec<(&'a str, &'a [crate::syntax::ast::Arg])> {
    fn walk<'a>(
        e: &'a crate::syntax::ast::Expr,
        out: &mut Vec<(&'a str, &'a [crate::syntax::ast::Arg])>,
    ) {
        use crate::syntax::ast::Expr;
        match e {
            Expr::Call { function, args, .. } => {
                out.push((function.name.as_str(), args.as_slice()));
                for arg in args {
                    if let ArgValue::Expr(inner) = &arg.value {
                        walk(inner, out);
                    }
                }
            }
            Expr::Binary { lhs, rhs, .. } => {
                walk(lhs, out);
                walk(rhs, out);
            }
            Expr::Neg { operand, .. } => walk(operand, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for metric in &agreement.metrics {
        if let Some((expr, _)) = metric.value {
            walk(expr, &mut out);
        }
    }
    out
}

/// Sources read as activity by `retention(..., activity S)`, `churn(S)`
/// or `clv(..., activity S)`.
fn activity_sources(agreement: &Agreement<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (function, args) in metric_calls(agreement) {
        let activity = crate::functions::lookup(function).and_then(|f| f.activity());
        let mut positional = 0;
        for arg in args {
            let wanted = match (activity, &arg.label) {
                (Some(Argument::Labelled(label)), Some(l)) => l.name == label,
                (Some(Argument::Positional(k)), None) => k == positional,
                _ => false,
            };
            if arg.label.is_none() {
                positional += 1;
            }
            if let (true, ArgValue::Expr(crate::syntax::ast::Expr::Path(p))) = (wanted, &arg.value)
                && let Some(rows) = agreement.rows(&p.segments[0].name)
            {
                out.push(rows.source.name().to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// String values that conditions (events' and metrics') compare each
/// column with, so that background rows can carry them too.
fn filter_vocabulary(agreement: &Agreement<'_>) -> BTreeMap<String, Vec<String>> {
    fn walk(c: &Condition, out: &mut BTreeMap<String, Vec<String>>) {
        match c {
            Condition::Or { operands, .. } | Condition::And { operands, .. } => {
                operands.iter().for_each(|o| walk(o, out))
            }
            Condition::Not { operand, .. } => walk(operand, out),
            Condition::Compare {
                column,
                value: Literal::String(s),
                ..
            } => out
                .entry(column.segments.last().expect("a segment").name.clone())
                .or_default()
                .push(s.value.clone()),
            Condition::In { column, values, .. } => {
                for v in values {
                    if let Literal::String(s) = v {
                        out.entry(column.segments.last().expect("a segment").name.clone())
                            .or_default()
                            .push(s.value.clone());
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    let event_filters = agreement.events.iter().filter_map(|e| e.filter);
    let metric_filters = agreement.metrics.iter().filter_map(|m| m.value?.1);
    for filter in event_filters.chain(metric_filters) {
        walk(filter, &mut out);
    }
    for list in out.values_mut() {
        list.sort();
        list.dedup();
    }
    out
}

/// Events a metric measures from another one: the second event of a call
/// whose first two arguments are events (`conversion_rate(A, B, ...)`,
/// `days_between(first A, first B)`).
fn followers(agreement: &Agreement<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (_, args) in metric_calls(agreement) {
        let event = |k: usize| match args.get(k).map(|a| &a.value) {
            Some(ArgValue::Expr(crate::syntax::ast::Expr::Path(p))) if p.segments.len() == 1 => {
                agreement
                    .rows(&p.segments[0].name)
                    .and_then(|rows| rows.event)
                    .map(|e| e.named.name.to_string())
            }
            _ => None,
        };
        if let (Some(_), Some(second)) = (event(0), event(1)) {
            out.push(second);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether every column a condition compares lives in `source` (or is
/// bare): a row of `source` can then be made to satisfy it alone.
fn reads_only(condition: &Condition, source: &str) -> bool {
    condition
        .paths()
        .iter()
        .filter(|p| p.segments.len() > 1)
        .all(|p| p.segments[0].name == source)
}

fn filter_text(filter: Option<&Condition>) -> String {
    filter
        .map(crate::syntax::format::condition)
        .unwrap_or_default()
}

fn has_score(source: &Source<'_>) -> bool {
    columns(source)
        .iter()
        .any(|(n, t)| *t == ColumnType::Number && n.contains("score"))
}

/// A row of `source` for `customer` on `day`: keys, time, and attribute
/// columns (stable per customer, some values rare, so that small groups
/// exist).
fn base_row(source: &Source<'_>, customer: &Customer, day: i64, rng: &mut Rng) -> Row {
    let mut row = Row::new();
    if let Some(c) = source.physical("customer") {
        row.insert(c.to_string(), customer.id.clone());
    }
    if let Some(t) = source.physical("time") {
        let seconds = 8 * 3600 + rng.below(10 * 3600);
        // Instants carry their offset: the demo's are in UTC.
        let offset = if source.holds_instants(t) { "Z" } else { "" };
        row.insert(
            t.to_string(),
            format!(
                "{} {:02}:{:02}:{:02}{offset}",
                dates::show(day),
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            ),
        );
    }
    for column in &source.columns {
        let value = attribute(column.name, column.ty, column.pii, &customer.id, rng);
        row.insert(column.physical.to_string(), value);
    }
    row
}

/// Background rows (activity, snapshots, answers): values from the
/// conditions' vocabulary where there is one, so that metrics' `where`
/// clauses find rows.
fn background(
    row: &mut Row,
    source: &Source<'_>,
    vocabulary: &BTreeMap<String, Vec<String>>,
    rng: &mut Rng,
) {
    for column in &source.columns {
        if let Some(list) = vocabulary.get(column.name)
            && column.ty == ColumnType::Text
        {
            let physical = column.physical.to_string();
            // Mostly plain activity, now and then a value the conditions
            // name; attributes (a region, a vendor) keep their own value.
            let kind_of_row = ["event", "action", "type"]
                .iter()
                .any(|w| column.name.contains(w));
            let value = if rng.below(4) == 0 {
                list[rng.below(list.len() as u64) as usize].clone()
            } else if column.name.contains("status") {
                "active".to_string()
            } else if column.name.contains("survey") {
                list[0].clone()
            } else if kind_of_row {
                "page_view".to_string()
            } else {
                continue;
            };
            row.insert(physical, value);
        }
    }
}

/// Sets the row's columns so that `filter` holds.
fn satisfy(row: &mut Row, filter: Option<&Condition>, source: &Source<'_>, rng: &mut Rng) {
    let Some(filter) = filter else { return };
    let physical = |path: &Path| {
        source
            .physical(&path.segments.last().expect("a segment").name)
            .map(str::to_string)
    };
    match filter {
        Condition::And { operands, .. } => {
            for c in operands {
                satisfy(row, Some(c), source, rng);
            }
        }
        Condition::Or { operands, .. } => satisfy(row, operands.first(), source, rng),
        Condition::Not { .. } => {}
        Condition::Compare {
            column, op, value, ..
        } => {
            let Some(name) = physical(column) else { return };
            let text = match (op, value) {
                (CmpOp::Eq, Literal::String(s)) => s.value.clone(),
                (CmpOp::Ne, Literal::String(s)) => format!("{}_other", s.value),
                (CmpOp::Eq, v) => crate::syntax::format::literal(v),
                (CmpOp::Gt | CmpOp::Ge, Literal::Number(n) | Literal::Percent(n)) => {
                    // Keep a value that already satisfies it (an amount).
                    match row.get(&name).and_then(|v| v.parse::<f64>().ok()) {
                        Some(v) if v > n.value => return,
                        _ => format!("{}", n.value + 1.0 + rng.below(5) as f64),
                    }
                }
                (CmpOp::Gt | CmpOp::Ge, Literal::Money(m)) => {
                    format!("{}", m.amount + 50.0 + rng.below(1500) as f64)
                }
                (CmpOp::Lt | CmpOp::Le, Literal::Number(n) | Literal::Percent(n)) => {
                    format!("{}", n.value - 1.0)
                }
                _ => return,
            };
            row.insert(name, text);
        }
        Condition::In {
            column,
            values,
            negated: false,
            ..
        } => {
            let Some(name) = physical(column) else { return };
            if let Some(Literal::String(s)) = values.get(rng.below(values.len() as u64) as usize) {
                row.insert(name, s.value.clone());
            }
        }
        Condition::IsNull {
            column, negated, ..
        } => {
            let Some(name) = physical(column) else { return };
            if *negated {
                row.entry(name.clone()).and_modify(|v| {
                    if v.is_empty() {
                        *v = "web".to_string();
                    }
                });
            } else {
                row.insert(name, String::new());
            }
        }
        Condition::In { .. } => {}
    }
}

/// A value for a column: by its type and name; text attributes are stable
/// per customer, with skewed frequencies.
fn attribute(name: &str, ty: ColumnType, pii: bool, customer: &str, rng: &mut Rng) -> String {
    let stable = hash(customer) ^ hash(name);
    let skewed = |values: &[&str]| {
        // Weights 50, 30, 15, 5 (and so on): the last values are rare.
        let roll = stable % 100;
        let index = match roll {
            0..50 => 0,
            50..80 => 1,
            80..95 => 2,
            _ => 3,
        };
        values[index.min(values.len() - 1)].to_string()
    };
    match ty {
        ColumnType::Text if pii => format!("{}@example.com", customer.to_ascii_lowercase()),
        ColumnType::Text => match name {
            n if n.contains("region") => skewed(&["EMEA", "NA", "APAC", "LATAM"]),
            n if n.contains("plan") || n.contains("tier") => {
                skewed(&["team", "business", "enterprise", "starter"])
            }
            n if n.contains("industry") => skewed(&["software", "retail", "finance", "health"]),
            n if n.contains("band") || n.contains("size") => {
                skewed(&["11-50", "51-200", "201-1000", "1000+"])
            }
            n if n.contains("vendor") => skewed(&["helix", "salesforce", "hubspot", "other"]),
            n if n.contains("campaign") => {
                skewed(&["spring_webinars", "newsletter", "partner_summit", "blog"])
            }
            n if n.contains("channel") => skewed(&["direct", "reseller", "marketplace", "partner"]),
            n if n.contains("status") => "active".to_string(),
            n if n.contains("comment") => String::new(),
            _ => skewed(&["a", "b", "c", "d"]),
        },
        ColumnType::Number if name.contains("score") => {
            // Mostly promoters and passives.
            let roll = rng.below(100);
            let score = match roll {
                0..45 => 9 + rng.below(2),
                45..80 => 7 + rng.below(2),
                _ => rng.below(7),
            };
            score.to_string()
        }
        ColumnType::Number => (1 + rng.below(20)).to_string(),
        ColumnType::Money => format!("{}.{:02}", 80 + rng.below(1900), rng.below(100)),
        ColumnType::Timestamp | ColumnType::Instant => String::new(),
        ColumnType::Date => String::new(),
        ColumnType::Boolean => if rng.below(2) == 0 { "true" } else { "false" }.to_string(),
    }
}

fn push(
    rows: &mut BTreeMap<String, Vec<Packed>>,
    layouts: &BTreeMap<String, Layout>,
    source: &Source<'_>,
    day: i64,
    mut row: Row,
    next_id: &mut impl FnMut(&str) -> usize,
) {
    if let Some(id) = source.physical("id") {
        let prefix: String = source.name().chars().take(3).collect();
        row.insert(
            id.to_string(),
            format!("{prefix}{:07}", next_id(source.name())),
        );
    }
    let packed = layouts[source.name()].pack(day, &row);
    rows.entry(source.name().to_string())
        .or_default()
        .push(packed);
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// FNV-1a: a stable hash for per-customer attributes.
fn hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
