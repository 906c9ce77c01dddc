//! `pactum doc`: the agreement as a document for the people who sign it.
//! Every sentence is made from what the spec says (its names, titles, doc
//! comments, numbers and rules), in plain words; nothing is invented. The
//! document is built once as blocks from the resolved model, then written
//! as Markdown or HTML. An item's clauses follow the order the author wrote
//! them in (the model's `order`).

use crate::model::{
    Agreement, Attribution, Audit, Evidence, Incentive, Initiative, Metric, Named, Party, Pilot,
    Review, Scorecard, Source,
};
use crate::syntax::ast::{self, ArgValue, Indicator, Path, Payment, Unit};
use crate::syntax::format;

pub enum Block {
    Heading(u8, String),
    Paragraph(String),
    List(Vec<String>),
}

pub fn blocks(agreement: &Agreement<'_>) -> Vec<Block> {
    let mut doc = Vec::new();
    let name = agreement.name;
    doc.push(Block::Heading(1, said(agreement.title.unwrap_or(name))));
    let mut opening = format!("Agreement `{name}`");
    if let Some(v) = agreement.version {
        opening.push_str(&format!(", version {v}"));
    }
    if let Some(e) = agreement.effective {
        opening.push_str(&format!(
            ", in effect from {} to {}",
            format::date(&e.start),
            format::date(&e.end)
        ));
    }
    opening.push('.');
    if let Some(c) = agreement.currency {
        opening.push_str(&format!(" Amounts are in {c}."));
    }
    if let Some(t) = agreement.timezone {
        opening.push_str(&format!(
            " Times are local times in {t}, and days, weeks, months and quarters begin there."
        ));
    }
    doc.push(Block::Paragraph(opening));
    if !agreement.docs.is_empty() {
        doc.push(Block::Paragraph(said(&agreement.docs.join(" "))));
    }

    doc.push(Block::Heading(2, "Parties".to_string()));
    doc.push(Block::List(
        agreement.parties.iter().map(party_sentence).collect(),
    ));

    doc.push(Block::Heading(2, "Goals".to_string()));
    let mut goals: Vec<String> = agreement
        .goals
        .iter()
        .map(|g| {
            let measured: Vec<String> = g
                .measured_by
                .iter()
                .map(|m| metric_title(agreement, m))
                .collect();
            let mut line = format!(
                "**{}** ({}'s goal for {}): measured by {}; {} answers for it.",
                title_or(&g.named),
                g.party.unwrap_or(""),
                g.outcome.map_or("", |o| o.word()),
                measured.join(", "),
                g.owner.unwrap_or("")
            );
            with_docs(&mut line, g.named.docs);
            line
        })
        .collect();
    for (outcome, reason) in &agreement.no_goals {
        goals.push(format!("No goal for {}: {reason}", outcome.word()));
    }
    doc.push(Block::List(goals));

    doc.push(Block::Heading(2, "Data each side provides".to_string()));
    doc.push(Block::List(
        agreement.sources.iter().map(source_sentence).collect(),
    ));

    doc.push(Block::Heading(2, "Customer journey and events".to_string()));
    doc.push(Block::Paragraph(format!(
        "The journey's stages, in order: {}.",
        agreement.journey.join(", ")
    )));
    doc.push(Block::List(
        agreement
            .events
            .iter()
            .map(|e| {
                let mut line = format!(
                    "**{}** (`{}`): rows of {}",
                    title_or(&e.named),
                    e.named.name,
                    e.source
                );
                if let Some(f) = e.filter {
                    line.push_str(&format!(" where {}", said(&format::condition(f))));
                }
                match e.once {
                    Some(crate::syntax::ast::Once::PerCustomer) => {
                        line.push_str(", only each customer's first")
                    }
                    Some(crate::syntax::ast::Once::PerCustomerAndPartner) => {
                        line.push_str(", only each customer's first per partner")
                    }
                    None => {}
                }
                if let Some(stage) = e.stage {
                    line.push_str(&format!("; stage {stage}"));
                }
                line.push('.');
                line
            })
            .collect(),
    ));

    if !agreement.attributions.is_empty() {
        doc.push(Block::Heading(2, "How credit is shared".to_string()));
        doc.push(Block::List(
            agreement
                .attributions
                .iter()
                .map(attribution_sentence)
                .collect(),
        ));
    }

    doc.push(Block::Heading(2, "Metrics".to_string()));
    doc.push(Block::List(
        agreement
            .metrics
            .iter()
            .map(|m| metric_sentence(agreement, m))
            .collect(),
    ));

    if !agreement.targets.is_empty() {
        doc.push(Block::Heading(2, "Targets".to_string()));
        doc.push(Block::List(
            agreement
                .targets
                .iter()
                .map(|t| {
                    let mut line = format!(
                        "{}: {}.",
                        metric_title(agreement, &t.metric.name),
                        format::goal_tail(&t.goalpost, &t.per, &t.deadline)
                    );
                    with_docs(&mut line, &t.docs);
                    line
                })
                .collect(),
        ));
    }

    for pilot in &agreement.pilots {
        doc.push(Block::Heading(
            2,
            format!("Pilot: {}", title_or(&pilot.named)),
        ));
        doc.push(Block::List(pilot_items(agreement, pilot)));
    }

    doc.push(Block::Heading(
        2,
        "Scorecards and what is shared".to_string(),
    ));
    let mut cards: Vec<String> = agreement
        .scorecards
        .iter()
        .map(|s| scorecard_sentence(agreement, s))
        .collect();
    if cards.is_empty() {
        cards.push("No scorecard is defined, so nothing is shared.".to_string());
    }
    doc.push(Block::List(cards));

    if !agreement.incentives.is_empty() {
        doc.push(Block::Heading(2, "Incentives".to_string()));
        doc.push(Block::List(
            agreement
                .incentives
                .iter()
                .map(|i| incentive_sentence(agreement, i))
                .collect(),
        ));
    }

    // Reviews, initiatives and evidence, in the order they were declared.
    doc.push(Block::Heading(2, "Reviews and joint work".to_string()));
    let mut governance: Vec<(usize, String)> = agreement
        .reviews
        .iter()
        .map(|r| (r.named.position, review_sentence(r)))
        .chain(
            agreement
                .initiatives
                .iter()
                .map(|i| (i.named.position, initiative_sentence(i))),
        )
        .chain(
            agreement
                .evidence
                .iter()
                .map(|e| (e.named.position, evidence_sentence(e))),
        )
        .collect();
    governance.sort_by_key(|(position, _)| *position);
    doc.push(Block::List(
        governance.into_iter().map(|(_, line)| line).collect(),
    ));

    if !agreement.audits.is_empty() {
        doc.push(Block::Heading(2, "Data-quality audits".to_string()));
        doc.push(Block::List(
            agreement.audits.iter().map(audit_sentence).collect(),
        ));
    }

    for dispute in &agreement.disputes {
        doc.push(Block::Heading(2, "Disputes".to_string()));
        doc.push(Block::List(
            dispute
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    format!(
                        "Step {}: escalate to {} within {}.",
                        i + 1,
                        s.value.to.value,
                        format::duration(&s.value.within)
                    )
                })
                .collect(),
        ));
    }
    if !agreement.amendments.is_empty() {
        doc.push(Block::Heading(2, "Amendments".to_string()));
        doc.push(Block::List(
            agreement
                .amendments
                .iter()
                .map(|a| {
                    let mut line = format!("{}: {}", format::date(a.date), said(a.summary));
                    let mut notes = Vec::new();
                    if let Some(version) = a.version {
                        notes.push(format!("version {version}"));
                    }
                    if !a.changes.is_empty() {
                        notes.push(format!("changes {}", a.changes.join(", ")));
                    }
                    if !a.removes.is_empty() {
                        notes.push(format!("removes {}", a.removes.join(", ")));
                    }
                    if let Some(who) = &a.approved_by {
                        let who: Vec<String> = who
                            .iter()
                            .map(|(party, date)| match date {
                                Some(d) => format!("{party} on {}", format::date(d)),
                                None => party.to_string(),
                            })
                            .collect();
                        notes.push(format!("approved by {}", who.join(", ")));
                    }
                    if !notes.is_empty() {
                        line.push_str(&format!(" ({})", notes.join("; ")));
                    }
                    line.push('.');
                    line
                })
                .collect(),
        ));
    }
    doc
}

/// Takes the values of a clause written on several lines one line at a
/// time: the `n`th `contact` line gives the `n`th contact.
struct Lines<'v, T> {
    values: std::slice::Iter<'v, T>,
}

impl<'v, T> Lines<'v, T> {
    fn of(values: &'v [T]) -> Self {
        Lines {
            values: values.iter(),
        }
    }

    fn next(&mut self) -> Option<&'v T> {
        self.values.next()
    }
}

/// A clause given as a list (`partners a, b`) shows the whole list once,
/// at its first line.
fn first_time(seen: &mut Vec<&'static str>, keyword: &'static str) -> bool {
    if seen.contains(&keyword) {
        return false;
    }
    seen.push(keyword);
    true
}

fn with_docs(line: &mut String, docs: &[String]) {
    if !docs.is_empty() {
        line.push(' ');
        line.push_str(&said(&docs.join(" ")));
    }
}

fn party_sentence(p: &Party<'_>) -> String {
    let mut line = format!("**{}** (`{}`)", title_or(&p.named), p.named.name);
    let mut contacts = Lines::of(&p.contacts);
    let mut identified = Lines::of(&p.identified_by);
    for &keyword in &p.order {
        match keyword {
            "role" => {
                if let Some(role) = p.role {
                    line.push_str(&format!(", {}", role.replace('_', " ")));
                }
            }
            "owner" => {
                if let Some(owner) = p.owner {
                    line.push_str(&format!("; accountable: {owner}"));
                }
            }
            "contact" => {
                if let Some(contact) = contacts.next() {
                    line.push_str(&format!("; contact {}", said(contact)));
                }
            }
            _ => {
                if let Some(id) = identified.next() {
                    line.push_str(&format!(
                        "; recognised in the data by {} {}",
                        id.column,
                        quoted(id.values.iter().copied())
                    ));
                }
            }
        }
    }
    line.push('.');
    with_docs(&mut line, p.named.docs);
    line
}

fn source_sentence(s: &Source<'_>) -> String {
    let keys: Vec<String> = s
        .order
        .iter()
        .filter_map(|&keyword| match keyword {
            "customer" => s.customer.map(|k| format!("customer key {}", k.name)),
            "time" => s.time.map(|k| format!("time {}", k.name)),
            "id" => s.id.map(|k| format!("row id {}", k.name)),
            _ => None,
        })
        .collect();
    let cols: Vec<String> = s
        .columns
        .iter()
        .map(|c| format!("{} ({})", c.name, c.ty.word()))
        .collect();
    let personal: Vec<&str> = s.columns.iter().filter(|c| c.pii).map(|c| c.name).collect();
    let fresh = s.freshness.map_or(String::new(), |d| {
        format!(" It must be no older than {}.", format::duration(d))
    });
    let mut line = format!(
        "**{}** (`{}`), provided and owned by {}: table {}, with {}; columns {}.{fresh}",
        title_or(&s.named),
        s.name(),
        s.owner.unwrap_or(""),
        said(s.table),
        keys.join(", "),
        cols.join(", ")
    );
    if !personal.is_empty() {
        line.push_str(&format!(
            " Personal data: {}; it never goes into what is shared with a partner.",
            personal.join(", ")
        ));
    }
    line
}

fn pilot_items(agreement: &Agreement<'_>, p: &Pilot<'_>) -> Vec<String> {
    let mut items = Vec::new();
    let mut expectations = Lines::of(&p.expectations);
    let mut seen = Vec::new();
    for &keyword in &p.order {
        let item = match keyword {
            "expect" => expectations.next().map(|e| {
                format!(
                    "Expected: {} {}; judged met, not met or inconclusive with a 95% interval.",
                    metric_title(agreement, &e.metric.name),
                    format::goal_tail(&e.goalpost, &e.per, &e.deadline)
                )
            }),
            _ if !first_time(&mut seen, keyword) => None,
            "partners" => Some(format!("Partners: {}.", p.partners.join(", "))),
            "during" => p
                .during
                .map(|r| format!("Runs from {}.", format::date_range(r))),
            "baseline" => p.baseline.map(|r| {
                format!(
                    "Compared with the same measures from {} (the baseline).",
                    format::date_range(r)
                )
            }),
            "control_partners" => Some(format!(
                "Compared with partners that do not take part: {}.",
                p.control_partners.join(", ")
            )),
            "control_customers" => p.control_customers.map(|c| {
                format!(
                    "Compared with customers not exposed to it: those where {}.",
                    said(&format::condition(c))
                )
            }),
            "hypothesis" => p
                .hypothesis
                .map(|h| format!("Hypothesis: \u{201c}{}\u{201d}", said(h))),
            "inputs" => Some(format!("It drives: {}.", p.inputs.join(", "))),
            _ => Some(format!(
                "It should move: {}.",
                p.outputs
                    .iter()
                    .map(|m| metric_title(agreement, m))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        items.extend(item);
    }
    items
}

fn scorecard_sentence(agreement: &Agreement<'_>, s: &Scorecard<'_>) -> String {
    let mut line = format!("**{}**", title_or(&s.named));
    let mut seen = Vec::new();
    for &keyword in &s.order {
        if !first_time(&mut seen, keyword) {
            continue;
        }
        let clause = match keyword {
            "shared_with" => Some(format!("; shared with {}", s.shared_with.join(", "))),
            "metrics" => Some(format!(
                "; shows {}",
                s.metrics
                    .iter()
                    .map(|m| metric_title(agreement, m))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            "minimum_group" => s
                .minimum_group
                .map(|n| format!("; any figure from fewer than {n} customers is suppressed")),
            "on_track_from" => s
                .on_track_from
                .map(|n| format!("; on track from {} of target", percent(n))),
            "at_risk_from" => s
                .at_risk_from
                .map(|n| format!("; at risk from {}", percent(n))),
            _ => Some(format!("; split by {}", s.by.join(", "))),
        };
        line.push_str(&clause.unwrap_or_default());
    }
    line.push('.');
    with_docs(&mut line, s.named.docs);
    line
}

fn review_sentence(r: &Review<'_>) -> String {
    let mut line = format!("Review **{}**", title_or(&r.named));
    let mut seen = Vec::new();
    for &keyword in &r.order {
        if keyword == "action" || !first_time(&mut seen, keyword) {
            continue;
        }
        let clause = match keyword {
            "cadence" => r.cadence.map(|c| format!(", {c}")),
            "attendees" => Some(format!(", with {}", r.attendees.join(", "))),
            "scorecard" => r.scorecard.map(|s| format!(", around scorecard {s}")),
            "agenda" => Some(format!("; agenda: {}", r.agenda.join(", "))),
            _ => r.reporting.map(|x| format!("; figures reported {x}")),
        };
        line.push_str(&clause.unwrap_or_default());
    }
    line.push('.');
    let actions: Vec<String> = r
        .actions
        .iter()
        .map(|a| {
            format!(
                "{} ({}, due {}{})",
                said(a.what),
                a.owner,
                format::date(a.due),
                a.done
                    .map(|d| format!(", done {}", format::date(d)))
                    .unwrap_or_default()
            )
        })
        .collect();
    if !actions.is_empty() {
        line.push_str(&format!(" Actions: {}.", actions.join("; ")));
    }
    line
}

fn initiative_sentence(i: &Initiative<'_>) -> String {
    let mut line = format!("Initiative **{}**", title_or(&i.named));
    let mut seen = Vec::new();
    for &keyword in &i.order {
        if !first_time(&mut seen, keyword) {
            continue;
        }
        let clause = match keyword {
            "owner" => i.owner.map(|o| format!(", owned by {o}")),
            "due" => i.due.map(|d| format!(", due {}", format::date(d))),
            "status" => i.status.map(|s| format!(", {s}")),
            "depends_on" => Some(format!(", after {}", i.depends_on.join(", "))),
            _ => Some(format!(", for {}", i.supports.join(", "))),
        };
        line.push_str(&clause.unwrap_or_default());
    }
    line.push('.');
    line
}

fn evidence_sentence(e: &Evidence<'_>) -> String {
    let mut line = format!("Evidence: {}", title_or(&e.named));
    let mut seen = Vec::new();
    for &keyword in &e.order {
        if !first_time(&mut seen, keyword) {
            continue;
        }
        let clause = match keyword {
            "kind" => e.kind.map(|k| format!(" ({})", k.replace('_', " "))),
            "goal" => e.goal.map(|g| format!(", for {g}")),
            "link" => e.link.map(|l| format!(", {}", said(l))),
            _ => e
                .recorded
                .map(|d| format!(", recorded {}", format::date(d))),
        };
        line.push_str(&clause.unwrap_or_default());
    }
    line.push('.');
    line
}

fn audit_sentence(a: &Audit<'_>) -> String {
    let mut line = format!("{} is checked", a.source);
    if let Some(s) = a.schedule {
        line.push_str(&format!(" {s}"));
    }
    let mut seen = Vec::new();
    for &keyword in &a.order {
        if !first_time(&mut seen, keyword) {
            continue;
        }
        let clause = match keyword {
            "owner" => a.owner.map(|o| format!(", by {o}")),
            "freshness" => a
                .freshness
                .map(|d| format!(", for rows no older than {}", format::duration(d))),
            "drift" => a.drift.map(|(sigma, window)| {
                format!(
                    ", for daily volumes within {} standard deviations of the {} before",
                    format::number(sigma),
                    format::duration(window)
                )
            }),
            _ => Some(format!(
                ", for {}",
                a.checks
                    .iter()
                    .map(|c| c.replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        line.push_str(&clause.unwrap_or_default());
    }
    line.push('.');
    line
}

/// `40%`, as the spec writes a percentage.
fn percent(value: f64) -> String {
    format!("{}%", format::number(value))
}

fn title_or(named: &Named<'_>) -> String {
    said(named.title.unwrap_or(named.name))
}

fn quoted<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values
        .map(|v| format!("\"{}\"", said(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

// Text the agreement's authors wrote (titles, strings, doc comments) is
// wrapped in these private-use characters where it enters a sentence, so
// that each output escapes it by its own rules and never reads it as
// markup.
const SAID_OPEN: char = '\u{E000}';
const SAID_CLOSE: char = '\u{E001}';

/// Marks text from the agreement (see `SAID_OPEN`).
fn said(text: &str) -> String {
    let inner: String = text
        .chars()
        .filter(|&c| c != SAID_OPEN && c != SAID_CLOSE)
        .collect();
    format!("{SAID_OPEN}{inner}{SAID_CLOSE}")
}

/// A sentence as pieces: the words and marks `doc` wrote, and the text
/// the agreement's authors wrote (`true`).
fn pieces(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(SAID_OPEN) {
        out.push((&rest[..open], false));
        let after = &rest[open + SAID_OPEN.len_utf8()..];
        let close = after.find(SAID_CLOSE).unwrap_or(after.len());
        out.push((&after[..close], true));
        rest = after.get(close + SAID_CLOSE.len_utf8()..).unwrap_or("");
    }
    out.push((rest, false));
    out
}

/// A sentence in Markdown: the authors' text escaped (inside a code span,
/// kept from closing it).
fn markdown_line(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for (piece, authored) in pieces(text) {
        if authored {
            out.push_str(&if in_code {
                crate::markdown::code(piece)
            } else {
                crate::markdown::text(piece)
            });
        } else {
            in_code ^= piece.matches('`').count() % 2 == 1;
            out.push_str(piece);
        }
    }
    out
}

fn metric_title(agreement: &Agreement<'_>, name: &str) -> String {
    agreement
        .metric(name)
        .map_or_else(|| name.to_string(), |m| title_or(&m.named))
}

/// An event's or a source's title, in lower case, for sentences.
fn rows_title(agreement: &Agreement<'_>, name: &str) -> String {
    match agreement.rows(name) {
        Some(rows) => match rows.event {
            Some(event) => title_or(&event.named),
            None => title_or(&rows.source.named),
        }
        .to_lowercase(),
        None => name.to_string(),
    }
}

/// A metric's value in words, from its function's templates
/// (`crate::functions::Function::words`); anything else as written.
fn value_words(agreement: &Agreement<'_>, e: &ast::Expr) -> String {
    let as_written = || format!("`{}`", said(&format::expr(e)));
    let ast::Expr::Call { function, args, .. } = e else {
        return as_written();
    };
    let Some(f) = crate::functions::lookup(&function.name) else {
        return as_written();
    };
    let path = |i: usize| match args
        .iter()
        .filter(|a| a.label.is_none())
        .nth(i)
        .map(|a| &a.value)
    {
        Some(ArgValue::Expr(ast::Expr::Path(p))) => Some(p),
        _ => None,
    };
    let rows = |p: &Path| rows_title(agreement, &p.segments[0].name);
    // The value of one placeholder, `None` when the call has no such part.
    let placeholder = |name: &str| -> Option<String> {
        match name {
            "rows" => path(0).map(rows),
            "rows2" => path(1).map(rows),
            "column" => path(0)
                .and_then(|p| p.segments.get(1))
                .map(|c| c.name.replace('_', " ")),
            "customers" => path(0)
                .filter(|p| p.segments.get(1).is_some_and(|c| c.name == "customer"))
                .map(rows),
            label => args
                .iter()
                .find(|a| a.label.as_ref().is_some_and(|l| l.name == label))
                .map(|a| match &a.value {
                    ArgValue::Expr(e) => format::expr(e),
                    ArgValue::Range(a, b) => {
                        format!("{} to {}", format::duration(a), format::duration(b))
                    }
                }),
        }
    };
    f.words
        .iter()
        .find_map(|template| fill(template, &placeholder))
        .unwrap_or_else(as_written)
}

/// A template with each `{name}` replaced by its value; `None` when one
/// has none.
fn fill(template: &str, value: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        out.push_str(&value(&rest[open + 1..close])?);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn metric_sentence(agreement: &Agreement<'_>, m: &Metric<'_>) -> String {
    let mut line = format!("**{}** (`{}`): ", title_or(&m.named), m.named.name);
    let mut extra = Vec::new();
    let mut seen = Vec::new();
    for &keyword in &m.order {
        if !first_time(&mut seen, keyword) {
            continue;
        }
        match keyword {
            "value" => {
                if let Some((expr, filter)) = m.value {
                    line.push_str(&value_words(agreement, expr));
                    if let Some(c) = filter {
                        line.push_str(&format!(
                            ", counting only rows where {}",
                            said(&format::condition(c))
                        ));
                    }
                }
            }
            "attributed" => {
                if let Some(name) = m.attributed {
                    let sentence = agreement
                        .attribution(name)
                        .map_or_else(|| name.to_string(), attribution_words);
                    extra.push(format!("credited to partners by {sentence}"));
                }
            }
            "by" => extra.push(format!("split by {}", m.by.join(", "))),
            "indicator" => extra.extend(m.indicator.map(|i| match i {
                Indicator::Leading => "a leading indicator".to_string(),
                Indicator::Lagging => "a lagging indicator".to_string(),
            })),
            "owner" => extra.extend(m.owner.map(|o| format!("{o} answers for it"))),
            _ => extra.extend(m.unit.map(|u| {
                match u {
                    Unit::Count => "measured as a count",
                    Unit::Money => "measured as an amount of money",
                    Unit::Ratio => "measured as a ratio",
                    Unit::Percent => "measured as a percentage",
                    Unit::Days => "measured in days",
                    Unit::Score => "measured as a score",
                }
                .to_string()
            })),
        }
    }
    if !extra.is_empty() {
        line.push_str("; ");
        line.push_str(&extra.join("; "));
    }
    line.push('.');
    with_docs(&mut line, m.named.docs);
    line
}

/// "position-based attribution, 40% to the first touch and 40% to the last
/// within 30 days"
fn attribution_words(a: &Attribution<'_>) -> String {
    let model = a
        .model
        .map_or(String::new(), |model| (model.rule.words)(&model.settings()));
    let lookback = a.lookback.map_or(String::new(), |d| {
        format!(" within {}", format::duration(d))
    });
    format!("{model}{lookback}")
}

fn attribution_sentence(a: &Attribution<'_>) -> String {
    let mut notes = Vec::new();
    let mut seen = Vec::new();
    for &keyword in &a.order {
        if !first_time(&mut seen, keyword) {
            continue;
        }
        match keyword {
            "repeats" if a.collapse => notes.push(
                "consecutive touches from the same partner and channel count once".to_string(),
            ),
            "max_touches" => notes.extend(
                a.max_touches
                    .map(|n| format!("only the last {n} touches count")),
            ),
            "ignore_channels" => notes.push(format!(
                "touches in {} are passed over for the last touch",
                quoted(a.ignored_channels.iter().copied())
            )),
            _ => {}
        }
    }
    let mut line = format!(
        "**{}**: each {} is credited to partners (recognised by {}) by {}",
        title_or(&a.named),
        a.conversions.join(", "),
        a.credit.unwrap_or(""),
        attribution_words(a)
    );
    if !notes.is_empty() {
        line.push_str("; ");
        line.push_str(&notes.join("; "));
    }
    line.push_str(". A conversion no partner touched stays visible as unattributed.");
    line
}

fn incentive_sentence(agreement: &Agreement<'_>, i: &Incentive<'_>) -> String {
    let pays: Vec<String> = i
        .pays
        .iter()
        .map(|pay| match pay.payment {
            Payment::ShareOfAttributed { rate, attribution } => format!(
                "{} is paid {} of the value credited to it by {}",
                pay.party,
                format::percent(rate),
                agreement
                    .attribution(&attribution.name)
                    .map_or_else(|| attribution.name.clone(), |a| title_or(&a.named))
            ),
            Payment::ShareOfMetric { rate, metric } => format!(
                "{} is paid {} of {}",
                pay.party,
                format::percent(rate),
                metric_title(agreement, &metric.name)
            ),
            Payment::AmountPerMetric { amount, metric } => format!(
                "{} is paid {} for each unit of {}",
                pay.party,
                format::money(amount),
                metric_title(agreement, &metric.name)
            ),
        })
        .collect();
    let conditions: Vec<String> = i
        .conditions
        .iter()
        .map(|c| {
            format!(
                "{} is {}",
                metric_title(agreement, &c.metric.name),
                format::goalpost(&c.goalpost)
            )
        })
        .collect();
    let cap = match &i.cap {
        Some(cap) => match cap.per {
            Some(p) => format!(", at most {} per {}", format::money(cap.amount), p.word()),
            None => format!(", at most {} in all", format::money(cap.amount)),
        },
        None => String::new(),
    };
    let mut line = format!("**{}**: {}", title_or(&i.named), pays.join(" and "));
    if !conditions.is_empty() {
        line.push_str(&format!(
            ", for a period only when {}",
            conditions.join(" and ")
        ));
    }
    line.push_str(&cap);
    line.push('.');
    with_docs(&mut line, i.named.docs);
    line
}

/// The document as Markdown.
pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => out.push_str(&format!(
                "{} {}\n\n",
                "#".repeat(*level as usize),
                markdown_line(text)
            )),
            Block::Paragraph(text) => out.push_str(&format!("{}\n\n", markdown_line(text))),
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", markdown_line(item)));
                }
                out.push('\n');
            }
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The document as one self-contained HTML page. Text is escaped; the
/// Markdown marks used in sentences (`**bold**`, `` `code` ``) become tags.
pub fn html(blocks: &[Block], title: &str) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>{}</title>\n<style>\n  body {{ margin: 0; font: 16px/1.55 Georgia, 'Times New Roman', serif; color: #1d2330; }}\n  main {{ max-width: 760px; margin: 0 auto; padding: 24px 16px 48px; }}\n  h1 {{ font-size: 1.7em; }} h2 {{ font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #d9dde5; }}\n  li {{ margin: 0.35em 0; }} code {{ font-size: 0.9em; }}\n  @media print {{ main {{ max-width: none; }} h2 {{ break-after: avoid; }} }}\n</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("<h{level}>{}</h{level}>\n", inline(text)))
            }
            Block::Paragraph(text) => out.push_str(&format!("<p>{}</p>\n", inline(text))),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", inline(item)));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `**x**` to `<strong>x</strong>`, `` `x` `` to `<code>x</code>`, the rest
/// escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut bold = false;
    let mut code = false;
    for (piece, authored) in pieces(text) {
        if authored {
            out.push_str(&escape(piece));
            continue;
        }
        let mut rest = piece;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("**").filter(|_| !code) {
                out.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
                rest = after;
            } else if let Some(after) = rest.strip_prefix('`') {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
                rest = after;
            } else {
                let c = rest.chars().next().expect("not empty");
                out.push_str(&escape(&c.to_string()));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}
