//! `pactum doc`: the agreement as a document for the people who sign it.
//! Every sentence is made from what the spec says (its names, titles, doc
//! comments, numbers and rules), in plain words; nothing is invented. The
//! document is built once as blocks, then written as Markdown or HTML.

use crate::check::scope::{Decl, Kind, Scope};
use crate::syntax::ast::{self, *};
use crate::syntax::format;

pub enum Block {
    Heading(u8, String),
    Paragraph(String),
    List(Vec<String>),
}

/// What the document says about the agreement besides its scope.
pub struct About<'a> {
    pub title: Option<&'a str>,
    pub version: Option<u64>,
    pub docs: &'a [String],
}

pub fn blocks(scope: &Scope<'_>, about: &About<'_>) -> Vec<Block> {
    let mut doc = Vec::new();
    let name = &scope.name.name;
    doc.push(Block::Heading(1, about.title.unwrap_or(name).to_string()));
    let mut opening = format!("Agreement `{name}`");
    if let Some(v) = about.version {
        opening.push_str(&format!(", version {v}"));
    }
    if let Some(e) = scope.header.effective {
        opening.push_str(&format!(
            ", in effect from {} to {}",
            format::date(&e.value.start),
            format::date(&e.value.end)
        ));
    }
    opening.push('.');
    if let Some(c) = scope.header.currency {
        opening.push_str(&format!(" Amounts are in {}.", c.value.code));
    }
    if let Some(t) = scope.header.timezone {
        opening.push_str(&format!(
            " Times are local times in {}, and days, weeks, months and quarters begin there.",
            t.value.value
        ));
    }
    doc.push(Block::Paragraph(opening));
    if !about.docs.is_empty() {
        doc.push(Block::Paragraph(about.docs.join(" ")));
    }

    // Parties
    doc.push(Block::Heading(2, "Parties".to_string()));
    let mut parties = Vec::new();
    for decl in scope.of_kind(Kind::Party) {
        let Decl::Party(p) = decl else { continue };
        let mut line = format!("**{}** (`{}`)", title_or(&p.title, &p.name), p.name.name);
        for f in &p.fields {
            match &f.value {
                PartyField::Role(r) => line.push_str(&format!(", {}", r.name.replace('_', " "))),
                PartyField::Owner(o) => line.push_str(&format!("; accountable: {}", o.value)),
                PartyField::Contact(c) => line.push_str(&format!("; contact {}", c.value)),
                PartyField::IdentifiedBy { column, values } => line.push_str(&format!(
                    "; recognised in the data by {} {}",
                    column.name,
                    quoted(values.iter().map(|v| v.value.as_str()))
                )),
            }
        }
        line.push('.');
        if !p.docs.is_empty() {
            line.push(' ');
            line.push_str(&p.docs.join(" "));
        }
        parties.push(line);
    }
    doc.push(Block::List(parties));

    // Goals
    doc.push(Block::Heading(2, "Goals".to_string()));
    let mut goals = Vec::new();
    for decl in scope.of_kind(Kind::Goal) {
        let Decl::Goal(g) = decl else { continue };
        let mut party = String::new();
        let mut outcome = String::new();
        let mut measured = Vec::new();
        let mut owner = String::new();
        for f in &g.fields {
            match &f.value {
                GoalField::Party(p) => party = p.name.clone(),
                GoalField::Outcome(o) => outcome = o.value.word().to_string(),
                GoalField::MeasuredBy(list) => {
                    measured.extend(list.iter().map(|m| metric_title(scope, &m.name)))
                }
                GoalField::Owner(o) => owner = o.name.clone(),
            }
        }
        let mut line = format!(
            "**{}** ({party}'s goal for {outcome}): measured by {}; {owner} answers for it.",
            title_or(&g.title, &g.name),
            measured.join(", ")
        );
        if !g.docs.is_empty() {
            line.push(' ');
            line.push_str(&g.docs.join(" "));
        }
        goals.push(line);
    }
    for no in &scope.header.no_goals {
        goals.push(format!(
            "No goal for {}: {}",
            no.value.outcome.value.word(),
            no.value.reason.value
        ));
    }
    doc.push(Block::List(goals));

    // Data
    doc.push(Block::Heading(2, "Data each side provides".to_string()));
    let mut data = Vec::new();
    for decl in scope.of_kind(Kind::Source) {
        let Decl::Source(s) = decl else { continue };
        let mut table = s.name.name.clone();
        let mut owner = String::new();
        let mut keys = Vec::new();
        let mut personal = Vec::new();
        let mut fresh = String::new();
        let mut cols = Vec::new();
        for f in &s.fields {
            match &f.value {
                SourceField::Table(t) => table = t.value.clone(),
                SourceField::Owner(o) => owner = o.name.clone(),
                SourceField::Customer(c) => keys.push(format!("customer key {}", c.name.name)),
                SourceField::Time(c) => keys.push(format!("time {}", c.name.name)),
                SourceField::Id(c) => keys.push(format!("row id {}", c.name.name)),
                SourceField::Column(c) => {
                    cols.push(format!("{} ({})", c.name.name, c.ty.value.word()));
                    if c.pii {
                        personal.push(c.name.name.clone());
                    }
                }
                SourceField::Freshness(d) => {
                    fresh = format!(" It must be no older than {}.", format::duration(d))
                }
            }
        }
        let mut line = format!(
            "**{}** (`{}`), provided and owned by {owner}: table {table}, with {}; columns {}.{fresh}",
            title_or(&s.title, &s.name),
            s.name.name,
            keys.join(", "),
            cols.join(", ")
        );
        if !personal.is_empty() {
            line.push_str(&format!(
                " Personal data: {}; it never goes into what is shared with a partner.",
                personal.join(", ")
            ));
        }
        data.push(line);
    }
    doc.push(Block::List(data));

    // Journey and events
    doc.push(Block::Heading(2, "Customer journey and events".to_string()));
    doc.push(Block::Paragraph(format!(
        "The journey's stages, in order: {}.",
        scope.stages().join(", ")
    )));
    let mut events = Vec::new();
    for decl in scope.of_kind(Kind::Event) {
        let Decl::Event(e) = decl else { continue };
        let mut line = format!(
            "**{}** (`{}`): rows of {}",
            title_or(&e.title, &e.name),
            e.name.name,
            e.source.name
        );
        if let Some(f) = &e.filter {
            line.push_str(&format!(" where {}", format::condition(f)));
        }
        if let Some(stage) = &e.stage {
            line.push_str(&format!("; stage {}", stage.name));
        }
        line.push('.');
        events.push(line);
    }
    doc.push(Block::List(events));

    // Attribution
    let attributions: Vec<&Attribution> = scope
        .of_kind(Kind::Attribution)
        .filter_map(|d| match d {
            Decl::Attribution(a) => Some(a),
            _ => None,
        })
        .collect();
    if !attributions.is_empty() {
        doc.push(Block::Heading(2, "How credit is shared".to_string()));
        doc.push(Block::List(
            attributions
                .iter()
                .map(|a| attribution_sentence(a))
                .collect(),
        ));
    }

    // Metrics
    doc.push(Block::Heading(2, "Metrics".to_string()));
    let mut metrics = Vec::new();
    for decl in scope.of_kind(Kind::Metric) {
        let Decl::Metric(m) = decl else { continue };
        metrics.push(metric_sentence(scope, m));
    }
    doc.push(Block::List(metrics));

    // Targets
    if !scope.targets.is_empty() {
        doc.push(Block::Heading(2, "Targets".to_string()));
        doc.push(Block::List(
            scope
                .targets
                .iter()
                .map(|t| {
                    let mut line = format!(
                        "{}: {}.",
                        metric_title(scope, &t.metric.name),
                        format::goal_tail(&t.goalpost, &t.per, &t.deadline)
                    );
                    if !t.docs.is_empty() {
                        line.push(' ');
                        line.push_str(&t.docs.join(" "));
                    }
                    line
                })
                .collect(),
        ));
    }

    // Pilots
    for decl in scope.of_kind(Kind::Pilot) {
        let Decl::Pilot(p) = decl else { continue };
        doc.push(Block::Heading(
            2,
            format!("Pilot: {}", title_or(&p.title, &p.name)),
        ));
        let mut items = Vec::new();
        for f in &p.fields {
            items.push(match &f.value {
                PilotField::Partners(list) => format!("Partners: {}.", names(list)),
                PilotField::During(r) => format!("Runs from {}.", format::date_range(r)),
                PilotField::Baseline(r) => format!(
                    "Compared with the same measures from {} (the baseline).",
                    format::date_range(r)
                ),
                PilotField::ControlPartners(list) => format!(
                    "Compared with partners that do not take part: {}.",
                    names(list)
                ),
                PilotField::ControlCustomers(c) => format!(
                    "Compared with customers not exposed to it: those where {}.",
                    format::condition(c)
                ),
                PilotField::Hypothesis(h) => format!("Hypothesis: \u{201c}{}\u{201d}", h.value),
                PilotField::Inputs(list) => format!("It drives: {}.", names(list)),
                PilotField::Outputs(list) => format!(
                    "It should move: {}.",
                    list.iter()
                        .map(|m| metric_title(scope, &m.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                PilotField::Expect(e) => format!(
                    "Expected: {} {}; judged met, not met or inconclusive with a 95% interval.",
                    metric_title(scope, &e.metric.name),
                    format::goal_tail(&e.goalpost, &e.per, &e.deadline)
                ),
            });
        }
        doc.push(Block::List(items));
    }

    // Scorecards and sharing
    doc.push(Block::Heading(
        2,
        "Scorecards and what is shared".to_string(),
    ));
    let mut cards = Vec::new();
    for decl in scope.of_kind(Kind::Scorecard) {
        let Decl::Scorecard(s) = decl else { continue };
        let mut line = format!("**{}**", title_or(&s.title, &s.name));
        for f in &s.fields {
            line.push_str(&match &f.value {
                ScorecardField::SharedWith(list) => format!("; shared with {}", names(list)),
                ScorecardField::Metrics(list) => format!(
                    "; shows {}",
                    list.iter()
                        .map(|m| metric_title(scope, &m.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                ScorecardField::MinimumGroup { size, .. } => format!(
                    "; any figure from fewer than {} customers is suppressed",
                    size.value
                ),
                ScorecardField::OnTrackFrom(n) => {
                    format!("; on track from {} of target", format::percent(n))
                }
                ScorecardField::AtRiskFrom(n) => format!("; at risk from {}", format::percent(n)),
                ScorecardField::By(list) => format!("; split by {}", names(list)),
            });
        }
        line.push('.');
        if !s.docs.is_empty() {
            line.push(' ');
            line.push_str(&s.docs.join(" "));
        }
        cards.push(line);
    }
    if cards.is_empty() {
        cards.push("No scorecard is defined, so nothing is shared.".to_string());
    }
    doc.push(Block::List(cards));

    // Incentives
    let incentives: Vec<&Incentive> = scope
        .of_kind(Kind::Incentive)
        .filter_map(|d| match d {
            Decl::Incentive(i) => Some(i),
            _ => None,
        })
        .collect();
    if !incentives.is_empty() {
        doc.push(Block::Heading(2, "Incentives".to_string()));
        doc.push(Block::List(
            incentives
                .iter()
                .map(|i| incentive_sentence(scope, i))
                .collect(),
        ));
    }

    // Governance
    doc.push(Block::Heading(2, "Reviews and joint work".to_string()));
    let mut governance = Vec::new();
    for decl in &scope.decls {
        match decl {
            Decl::Review(r) => {
                let mut line = format!("Review **{}**", title_or(&r.title, &r.name));
                let mut actions = Vec::new();
                for f in &r.fields {
                    match &f.value {
                        ReviewField::Cadence(c) => line.push_str(&format!(", {}", c.name)),
                        ReviewField::Attendees(list) => {
                            line.push_str(&format!(", with {}", names(list)))
                        }
                        ReviewField::Scorecard(s) => {
                            line.push_str(&format!(", around scorecard {}", s.name))
                        }
                        ReviewField::Agenda(list) => {
                            line.push_str(&format!("; agenda: {}", names(list)))
                        }
                        ReviewField::Reporting(r) => {
                            line.push_str(&format!("; figures reported {}", r.name))
                        }
                        ReviewField::Action { what, owner, due } => actions.push(format!(
                            "{} ({owner}, due {})",
                            what.value,
                            format::date(due),
                            owner = owner.name
                        )),
                    }
                }
                line.push('.');
                if !actions.is_empty() {
                    line.push_str(&format!(" Actions: {}.", actions.join("; ")));
                }
                governance.push(line);
            }
            Decl::Initiative(i) => {
                let mut line = format!("Initiative **{}**", title_or(&i.title, &i.name));
                for f in &i.fields {
                    line.push_str(&match &f.value {
                        InitiativeField::Owner(o) => format!(", owned by {}", o.name),
                        InitiativeField::Due(d) => format!(", due {}", format::date(d)),
                        InitiativeField::Status(s) => format!(", {}", s.name),
                        InitiativeField::DependsOn(list) => format!(", after {}", names(list)),
                        InitiativeField::Supports(list) => format!(", for {}", names(list)),
                    });
                }
                line.push('.');
                governance.push(line);
            }
            Decl::Evidence(e) => {
                let mut line = format!("Evidence: {}", title_or(&e.title, &e.name));
                for f in &e.fields {
                    line.push_str(&match &f.value {
                        EvidenceField::Kind(k) => format!(" ({})", k.name.replace('_', " ")),
                        EvidenceField::Goal(g) => format!(", for {}", g.name),
                        EvidenceField::Link(l) => format!(", {}", l.value),
                        EvidenceField::Recorded(d) => format!(", recorded {}", format::date(d)),
                    });
                }
                line.push('.');
                governance.push(line);
            }
            _ => {}
        }
    }
    doc.push(Block::List(governance));

    // Audits
    if !scope.audits.is_empty() {
        doc.push(Block::Heading(2, "Data-quality audits".to_string()));
        doc.push(Block::List(
            scope
                .audits
                .iter()
                .map(|a| {
                    let mut line = format!("{} is checked", a.source.name);
                    if let Some(s) = &a.schedule {
                        line.push_str(&format!(" {}", s.name));
                    }
                    for f in &a.fields {
                        line.push_str(&match &f.value {
                            AuditField::Owner(o) => format!(", by {}", o.name),
                            AuditField::Freshness(d) => format!(", for rows no older than {}", format::duration(d)),
                            AuditField::Drift { sigma, window } => format!(", for daily volumes within {} standard deviations of the {} before", format::number(sigma.value), format::duration(window)),
                            AuditField::Checks(list) => format!(", for {}", list.iter().map(|c| c.name.replace('_', " ")).collect::<Vec<_>>().join(", ")),
                        });
                    }
                    line.push('.');
                    line
                })
                .collect(),
        ));
    }

    // Disputes and amendments
    for dispute in &scope.disputes {
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
    if !scope.amendments.is_empty() {
        doc.push(Block::Heading(2, "Amendments".to_string()));
        doc.push(Block::List(
            scope
                .amendments
                .iter()
                .map(|a| {
                    let mut line = format!("{}: {}", format::date(&a.date), a.summary.value);
                    if let Some(approvals) = &a.approved_by {
                        let who: Vec<String> = approvals
                            .iter()
                            .flat_map(|l| l.value.iter().map(|i| i.name.clone()))
                            .collect();
                        line.push_str(&format!(" (approved by {})", who.join(", ")));
                    }
                    line.push('.');
                    line
                })
                .collect(),
        ));
    }
    doc
}

fn title_or(title: &Option<Str>, name: &Ident) -> String {
    title
        .as_ref()
        .map_or_else(|| name.name.clone(), |t| t.value.clone())
}

fn names(list: &[Ident]) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn metric_title(scope: &Scope<'_>, name: &str) -> String {
    match scope.get(name) {
        Some(Decl::Metric(m)) => title_or(&m.title, &m.name),
        _ => name.to_string(),
    }
}

fn rows_title(scope: &Scope<'_>, name: &str) -> String {
    match scope.get(name) {
        Some(Decl::Event(e)) => title_or(&e.title, &e.name).to_lowercase(),
        Some(Decl::Source(s)) => title_or(&s.title, &s.name).to_lowercase(),
        _ => name.to_string(),
    }
}

/// A metric's value in words, for the functions a reader meets most;
/// anything else as written.
fn value_words(scope: &Scope<'_>, e: &ast::Expr) -> String {
    let ast::Expr::Call { function, args, .. } = e else {
        return format!("`{}`", format::expr(e));
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
    let labelled = |label: &str| {
        args.iter()
            .find(|a| a.label.as_ref().is_some_and(|l| l.name == label))
            .map(|a| match &a.value {
                ArgValue::Expr(e) => format::expr(e),
                ArgValue::Range(a, b) => {
                    format!("{} to {}", format::duration(a), format::duration(b))
                }
            })
    };
    let rows = |p: &Path| rows_title(scope, &p.segments[0].name);
    let column = |p: &Path| {
        p.segments
            .last()
            .map(|s| s.name.replace('_', " "))
            .unwrap_or_default()
    };
    match (function.name.as_str(), path(0)) {
        ("count_distinct", Some(p)) if p.segments.len() > 1 && p.segments[1].name == "customer" => {
            format!("distinct customers with a {}", rows(p))
        }
        ("count_distinct", Some(p)) => format!("distinct {} of {}", column(p), rows(p)),
        ("count", Some(p)) => format!("the number of {} rows", rows(p)),
        ("sum", Some(p)) => format!("the total {} of {}", column(p), rows(p)),
        ("avg", Some(p)) => format!("the average {} of {}", column(p), rows(p)),
        ("nps", Some(p)) => format!(
            "the net promoter score of {} (promoters 9-10 minus detractors 0-6, in percent)",
            column(p)
        ),
        ("conversion_rate", Some(p)) => format!(
            "the share of customers with a {} who then have a {} within {}",
            rows(p),
            path(1).map(rows).unwrap_or_default(),
            labelled("within").unwrap_or_default()
        ),
        ("upsell_rate", Some(p)) => format!(
            "the share of customers with a {} who expand ({}) within {}",
            rows(p),
            path(1).map(rows).unwrap_or_default(),
            labelled("within").unwrap_or_default()
        ),
        ("retention", Some(p)) => match (labelled("after"), labelled("from")) {
            (Some(after), _) => format!(
                "the share of customers with a {} still active ({}) {} or more after it, counting only customers for whom that much time has passed",
                rows(p),
                labelled("activity").unwrap_or_default(),
                after
            ),
            (None, Some(range)) => format!(
                "the share of customers with a {} active ({}) from {} after it, counting only customers for whom that much time has passed",
                rows(p),
                labelled("activity").unwrap_or_default(),
                range
            ),
            _ => format!("`{}`", format::expr(e)),
        },
        ("churn", Some(p)) => format!(
            "the share of customers active in {} at the start of a {} who are not active during it",
            rows(p),
            labelled("per").unwrap_or_default()
        ),
        _ => format!("`{}`", format::expr(e)),
    }
}

fn metric_sentence(scope: &Scope<'_>, m: &Metric) -> String {
    let mut line = format!("**{}** (`{}`): ", title_or(&m.title, &m.name), m.name.name);
    let mut extra = Vec::new();
    for f in &m.fields {
        match &f.value {
            MetricField::Value { expr, filter } => {
                line.push_str(&value_words(scope, expr));
                if let Some(c) = filter {
                    line.push_str(&format!(
                        ", counting only rows where {}",
                        format::condition(c)
                    ));
                }
            }
            MetricField::Attributed(a) => {
                let sentence = match scope.get(&a.name) {
                    Some(Decl::Attribution(attribution)) => attribution_words(attribution),
                    _ => a.name.clone(),
                };
                extra.push(format!("credited to partners by {sentence}"))
            }
            MetricField::By(list) => extra.push(format!("split by {}", names(list))),
            MetricField::Indicator(i) => extra.push(match i.value {
                Indicator::Leading => "a leading indicator".to_string(),
                Indicator::Lagging => "a lagging indicator".to_string(),
            }),
            MetricField::Owner(o) => extra.push(format!("{} answers for it", o.name)),
            MetricField::Unit(u) => extra.push(
                match u.value {
                    Unit::Count => "measured as a count",
                    Unit::Money => "measured as an amount of money",
                    Unit::Ratio => "measured as a ratio",
                    Unit::Percent => "measured as a percentage",
                    Unit::Days => "measured in days",
                    Unit::Score => "measured as a score",
                }
                .to_string(),
            ),
        }
    }
    if !extra.is_empty() {
        line.push_str("; ");
        line.push_str(&extra.join("; "));
    }
    line.push('.');
    if !m.docs.is_empty() {
        line.push(' ');
        line.push_str(&m.docs.join(" "));
    }
    line
}

/// "position-based attribution, 40% to the first touch and 40% to the last
/// within 30 days"
fn attribution_words(a: &Attribution) -> String {
    let mut model = String::new();
    let mut lookback = String::new();
    for f in &a.fields {
        match &f.value {
            AttributionField::Model(m) => {
                model = match &m.value {
                    Model::FirstTouch => {
                        "first-touch attribution (all to the first touch)".to_string()
                    }
                    Model::LastTouch => {
                        "last-touch attribution (all to the last touch)".to_string()
                    }
                    Model::Linear => {
                        "linear attribution (equal shares for every touch)".to_string()
                    }
                    Model::PositionBased { weights } => {
                        let (f, l) = weights
                            .as_ref()
                            .map_or(("40%".to_string(), "40%".to_string()), |(f, l)| {
                                (format::percent(f), format::percent(l))
                            });
                        format!(
                            "position-based attribution, {f} to the first touch and {l} to the last, the rest shared by the touches between"
                        )
                    }
                    Model::TimeDecay { half_life } => format!(
                        "time-decay attribution (a touch's weight halves every {})",
                        format::duration(half_life)
                    ),
                    Model::Custom {
                        first,
                        middle,
                        last,
                    } => format!(
                        "custom attribution, {} to the first touch, {} shared by the middle ones and {} to the last",
                        format::percent(first),
                        format::percent(middle),
                        format::percent(last)
                    ),
                    Model::DataDriven { .. } => "data-driven attribution".to_string(),
                }
            }
            AttributionField::Lookback(d) => lookback = format!(" within {}", format::duration(d)),
            _ => {}
        }
    }
    format!("{model}{lookback}")
}

fn attribution_sentence(a: &Attribution) -> String {
    let mut conversions = String::new();
    let mut credit = String::new();
    let mut notes = Vec::new();
    for f in &a.fields {
        match &f.value {
            AttributionField::Conversions(list) => conversions = names(list),
            AttributionField::Credit(c) => credit = c.name.clone(),
            AttributionField::Repeats(r) if r.value == Repeats::Collapse => notes.push(
                "consecutive touches from the same partner and channel count once".to_string(),
            ),
            AttributionField::MaxTouches(n) => {
                notes.push(format!("only the last {} touches count", n.value))
            }
            AttributionField::IgnoreChannels(list) => notes.push(format!(
                "touches in {} are passed over for the last touch",
                quoted(list.iter().map(|s| s.value.as_str()))
            )),
            _ => {}
        }
    }
    let mut line = format!(
        "**{}**: each {conversions} is credited to partners (recognised by {credit}) by {}",
        title_or(&a.title, &a.name),
        attribution_words(a)
    );
    if !notes.is_empty() {
        line.push_str("; ");
        line.push_str(&notes.join("; "));
    }
    line.push_str(". A conversion no partner touched stays visible as unattributed.");
    line
}

fn incentive_sentence(scope: &Scope<'_>, i: &Incentive) -> String {
    let mut pays = Vec::new();
    let mut conditions = Vec::new();
    let mut cap = String::new();
    for f in &i.fields {
        match &f.value {
            IncentiveField::Pay { party, payment } => pays.push(match payment {
                Payment::ShareOfAttributed { rate, attribution } => format!(
                    "{} is paid {} of the value credited to it by {}",
                    party.name,
                    format::percent(rate),
                    match scope.get(&attribution.name) {
                        Some(Decl::Attribution(a)) => title_or(&a.title, &a.name),
                        _ => attribution.name.clone(),
                    }
                ),
                Payment::ShareOfMetric { rate, metric } => format!(
                    "{} is paid {} of {}",
                    party.name,
                    format::percent(rate),
                    metric_title(scope, &metric.name)
                ),
                Payment::AmountPerMetric { amount, metric } => format!(
                    "{} is paid {} for each unit of {}",
                    party.name,
                    format::money(amount),
                    metric_title(scope, &metric.name)
                ),
            }),
            IncentiveField::When(list) => conditions.extend(list.iter().map(|c| {
                format!(
                    "{} is {}",
                    metric_title(scope, &c.metric.name),
                    format::goalpost(&c.goalpost)
                )
            })),
            IncentiveField::Cap { amount, per } => {
                cap = match per {
                    Some(p) => {
                        format!(", at most {} per {}", format::money(amount), p.value.word())
                    }
                    None => format!(", at most {} in all", format::money(amount)),
                }
            }
        }
    }
    let mut line = format!(
        "**{}**: {}",
        title_or(&i.title, &i.name),
        pays.join(" and ")
    );
    if !conditions.is_empty() {
        line.push_str(&format!(
            ", for a period only when {}",
            conditions.join(" and ")
        ));
    }
    line.push_str(&cap);
    line.push('.');
    if !i.docs.is_empty() {
        line.push(' ');
        line.push_str(&i.docs.join(" "));
    }
    line
}

/// The document as Markdown.
pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("{} {text}\n\n", "#".repeat(*level as usize)))
            }
            Block::Paragraph(text) => out.push_str(&format!("{text}\n\n")),
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {item}\n"));
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
    let mut rest = text;
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
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}
