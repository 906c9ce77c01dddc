//! Parties, sources, events, segments and attribution rules.

use std::collections::HashMap;

use super::{Ctx, PARTNER_ROLES, ROLES, all, first, single_fields};
use crate::attribution_models::SettingKind;
use crate::check::dates;
use crate::check::scope::{Decl, Kind, ScopeKind};
use crate::check::units::{Typer, column, unknown_column};
use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::ast::*;
use crate::syntax::expected::closest;

pub fn check(ctx: &mut Ctx<'_, '_>) {
    let scope = ctx.scope;
    let agreement = scope.kind == ScopeKind::Agreement;
    if agreement {
        journey(ctx);
        parties(ctx);
    }
    for decl in scope.decls.iter().copied() {
        let own = scope.is_own(decl.name().span);
        match decl {
            // Catalog items are checked on their own once; in an agreement,
            // only what depends on the agreement (owners, stages) is checked
            // again for them.
            Decl::Source(source) => {
                if own {
                    source_shape(ctx, source);
                }
                source_owner(ctx, source, own, agreement);
            }
            Decl::Event(event) => {
                if own {
                    event_rows(ctx, event);
                    event_once(ctx, event);
                }
                event_stage(ctx, event, own, agreement);
            }
            Decl::Segment(segment) if own => {
                segment_column(ctx, segment);
                reserved_segment(ctx, segment);
            }
            Decl::Attribution(attribution) if own => self::attribution(ctx, attribution),
            _ => {}
        }
    }
}

fn journey(ctx: &mut Ctx<'_, '_>) {
    let Some(journey) = ctx.scope.header.journey else {
        return;
    };
    for (i, stage) in journey.value.iter().enumerate() {
        if let Some(earlier) = journey.value[..i].iter().find(|s| s.name == stage.name) {
            ctx.push(
                Diagnostic::new(
                    codes::DUPLICATE_NAME,
                    format!("stage `{}` is listed twice", stage.name),
                )
                .with_label(stage.span, "listed again here")
                .with_label(earlier.span, "first listed here")
                .with_help("each journey stage appears once, in order"),
            );
        }
    }
}

fn parties(ctx: &mut Ctx<'_, '_>) {
    let scope = ctx.scope;
    // identifier value -> (party, span) of its first use
    let mut identifiers: HashMap<&str, (&str, &Str)> = HashMap::new();
    for decl in scope.of_kind(Kind::Party) {
        let Decl::Party(party) = decl else { continue };
        if party.name.name == "unattributed" {
            ctx.report(
                codes::RESERVED_NAME,
                party.name.span,
                "`unattributed` is reserved for conversions no partner touched".to_string(),
                "reserved name",
                "give the party another name",
            );
        }
        single_fields(
            &party.fields,
            |f| match f {
                PartyField::Role(_) => Some("role"),
                PartyField::Owner(_) => Some("owner"),
                _ => None,
            },
            ctx.diagnostics,
        );
        match first(&party.fields, |f| match f {
            PartyField::Role(r) => Some(r),
            _ => None,
        }) {
            Some((role, _)) => {
                ctx.word(codes::UNKNOWN_WORD, role, "role", ROLES);
            }
            None => ctx.missing(
                "party",
                &party.name,
                "role",
                "say what the party is: `role provider`, or a partner role such as `role reseller`",
            ),
        }
        for values in all(&party.fields, |f| match f {
            PartyField::IdentifiedBy { values, .. } => Some(values),
            _ => None,
        }) {
            for value in values {
                if value.value == "unattributed" {
                    ctx.report(
                        codes::RESERVED_NAME,
                        value.span,
                        "the identifier \"unattributed\" is reserved".to_string(),
                        "reserved",
                        "the attribution row of untouched conversions is called `unattributed`; \
                         use another code for this party",
                    );
                }
                match identifiers.get(value.value.as_str()) {
                    Some((other, first_use)) if *other != party.name.name => {
                        ctx.push(
                            Diagnostic::new(
                                codes::SHARED_IDENTIFIER,
                                format!(
                                    "parties `{other}` and `{}` are both identified by \"{}\"",
                                    party.name.name, value.value
                                ),
                            )
                            .with_label(value.span, "used again here")
                            .with_label(first_use.span, format!("already identifies `{other}`"))
                            .with_help("a touch row must belong to one party; give each party its own codes"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        identifiers.insert(&value.value, (&party.name.name, value));
                    }
                }
            }
        }
    }
}

fn source_shape(ctx: &mut Ctx<'_, '_>, source: &Source) {
    single_fields(
        &source.fields,
        |f| match f {
            SourceField::Table(_) => Some("table"),
            SourceField::Owner(_) => Some("owner"),
            SourceField::Customer(_) => Some("customer"),
            SourceField::Time { .. } => Some("time"),
            SourceField::Id(_) => Some("id"),
            SourceField::Freshness(_) => Some("freshness"),
            SourceField::Column(_) => None,
        },
        ctx.diagnostics,
    );
    let has = |want: fn(&SourceField) -> bool| source.fields.iter().any(|f| want(&f.value));
    if !has(|f| matches!(f, SourceField::Table(_))) {
        ctx.missing(
            "source",
            &source.name,
            "table",
            "name the warehouse table: `table \"schema.table\"`",
        );
    }
    if !has(|f| matches!(f, SourceField::Customer(_))) {
        ctx.missing(
            "source",
            &source.name,
            "customer",
            "name the customer key column: `customer account_id`",
        );
    }
    if !has(|f| matches!(f, SourceField::Time { .. })) {
        ctx.missing(
            "source",
            &source.name,
            "time",
            "name the timestamp column: `time occurred_at`",
        );
    }
    // Column names are unique within a source, keys included.
    let mut seen: Vec<&Ident> = Vec::new();
    for field in &source.fields {
        let name = match &field.value {
            SourceField::Customer(c) | SourceField::Time { column: c, .. } | SourceField::Id(c) => {
                &c.name
            }
            SourceField::Column(c) => &c.name,
            _ => continue,
        };
        if let Some(earlier) = seen.iter().find(|s| s.name == name.name) {
            ctx.push(
                Diagnostic::new(
                    codes::DUPLICATE_NAME,
                    format!(
                        "source `{}` declares column `{}` twice",
                        source.name.name, name.name
                    ),
                )
                .with_label(name.span, "declared again here")
                .with_label(earlier.span, "first declared here")
                .with_help(
                    "give each column one line; use `named \"...\"` when the physical name differs",
                ),
            );
        } else {
            seen.push(name);
        }
    }
}

fn source_owner(ctx: &mut Ctx<'_, '_>, source: &Source, own: bool, agreement: bool) {
    let scope = ctx.scope;
    match first(&source.fields, |f| match f {
        SourceField::Owner(o) => Some(o),
        _ => None,
    }) {
        // Parties live in agreements: a catalog's owners are resolved in
        // each agreement that imports it.
        Some(_) if !agreement => {}
        Some((owner, _)) => {
            let before = ctx.diagnostics.len();
            scope.party(owner, ctx.diagnostics);
            if !own {
                // The owner of a catalog source is resolved in each agreement
                // that imports the catalog: say which one.
                for d in &mut ctx.diagnostics[before..] {
                    d.message = format!(
                        "{} (in agreement `{}`, which imports this catalog)",
                        d.message, scope.name.name
                    );
                    if let Some(import) = scope.uses.first() {
                        d.labels.push(crate::diagnostics::Label {
                            span: import.span,
                            text: "the catalog is imported here".to_string(),
                        });
                    }
                }
            }
        }
        None if own => ctx.report(
            codes::SOURCE_OWNER,
            source.name.span,
            format!("source `{}` has no data owner", source.name.name),
            "no `owner`",
            "every source names the party that owns the data and answers for its quality: \
             `owner PARTY`",
        ),
        None => {}
    }
}

fn event_rows(ctx: &mut Ctx<'_, '_>, event: &Event) {
    let scope = ctx.scope;
    let source = match scope.resolve(&event.source, Kind::Source, ctx.diagnostics) {
        Some(Decl::Source(source)) => source,
        _ => return,
    };
    if let Some(filter) = &event.filter {
        Typer::new(scope, ctx.diagnostics).condition(filter, Some(source));
    }
}

/// Words of an event's name that say it happens once per customer.
const ONCE_WORDS: &[&str] = &[
    "first",
    "signup",
    "registration",
    "activation",
    "activated",
    "onboarded",
    "installed",
    "joined",
    "converted",
    "conversion",
];

/// Whether a name (of an event or a stage) says it happens once.
fn says_once(name: &str) -> bool {
    name.split('_')
        .any(|word| ONCE_WORDS.contains(&word.to_ascii_lowercase().as_str()))
}

/// An event named for something a customer does once (`first_payment`,
/// `signup`) but not marked `first per customer` counts every row its
/// condition matches: a fee ledger's every fee, a snapshot table's every
/// month. Warned where its use counts it once per customer too: an
/// attribution's conversion, a stage named for something done once
/// (`conversion`, `activation`), or `count_distinct(E.customer)`; and
/// `first per customer and partner` needs partner codes.
fn event_once(ctx: &mut Ctx<'_, '_>, event: &Event) {
    let scope = ctx.scope;
    let name = event.name.name.as_str();
    let reads_as_touches = |fields: &[Spanned<AttributionField>]| {
        fields.iter().any(|f| match &f.value {
            AttributionField::Touches(list) => list
                .iter()
                .any(|n| n.name == name || n.name == event.source.name),
            _ => false,
        })
    };
    let attributions = scope.decls.iter().filter_map(|d| match d {
        Decl::Attribution(a) => Some(*a),
        _ => None,
    });
    if let Some(once) = &event.once {
        let has_codes = attributions.clone().any(|a| {
            reads_as_touches(&a.fields)
                && a.fields
                    .iter()
                    .any(|f| matches!(f.value, AttributionField::Credit(_)))
        });
        if once.value == Once::PerCustomerAndPartner && !has_codes {
            ctx.report(
                codes::ONCE_WITHOUT_PARTNER,
                once.span,
                format!("event `{name}` has no partner codes to tell its partners apart"),
                "first per customer and partner",
                "an attribution must read this event (or its source) as `touches` with a \
                 `credit` column; else write `first per customer`",
            );
        }
        return;
    }
    if !says_once(name) {
        return;
    }
    let converted = attributions.clone().any(|a| {
        a.fields.iter().any(|f| match &f.value {
            AttributionField::Conversions(list) => list.iter().any(|n| n.name == name),
            _ => false,
        })
    });
    let measured = scope.decls.iter().any(|d| match d {
        Decl::Metric(m) => m.fields.iter().any(|f| match &f.value {
            MetricField::Value { expr, .. } => counts_customers_of(expr, name),
            _ => false,
        }),
        _ => false,
    });
    let staged = event
        .stage
        .as_ref()
        .filter(|s| says_once(&s.name))
        .map(|s| format!("stage `{}`", s.name));
    let uses: Vec<String> = [
        converted.then(|| "an attribution's conversion".to_string()),
        staged,
        measured.then(|| "`count_distinct` of its customers".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if uses.is_empty() {
        return;
    }
    ctx.report(
        codes::EVENT_MAY_REPEAT,
        event.name.span,
        format!(
            "event `{name}` is named for something done once, but every matching row counts ({})",
            uses.join(", ")
        ),
        "may match many rows per customer",
        "if each customer does this once, write `first per customer` after the condition \
         (`first per customer and partner` to keep one per partner); if it repeats by \
         design, rename it, or set `event-may-repeat: allow` in pactum.yaml",
    );
}

/// Whether an expression holds `count_distinct(name.customer)`: per
/// period, a repeating event counts the customer again in every period.
fn counts_customers_of(expr: &Expr, name: &str) -> bool {
    match expr {
        Expr::Call { function, args, .. } => {
            let own = function.name == "count_distinct"
                && matches!(args.first().map(|a| &a.value), Some(ArgValue::Expr(Expr::Path(p)))
                    if p.segments.len() == 2
                        && p.segments[0].name == name
                        && p.segments[1].name == "customer");
            own || args.iter().any(|a| match &a.value {
                ArgValue::Expr(e) => counts_customers_of(e, name),
                _ => false,
            })
        }
        Expr::Binary { lhs, rhs, .. } => {
            counts_customers_of(lhs, name) || counts_customers_of(rhs, name)
        }
        Expr::Neg { operand, .. } => counts_customers_of(operand, name),
        Expr::Path(_) | Expr::Literal(_) => false,
    }
}

fn event_stage(ctx: &mut Ctx<'_, '_>, event: &Event, own: bool, agreement: bool) {
    let scope = ctx.scope;
    let Some(stage) = &event.stage else {
        if own {
            ctx.report(
                codes::EVENT_WITHOUT_STAGE,
                event.name.span,
                format!("event `{}` is in no journey stage", event.name.name),
                "no `stage`",
                "place it in the journey with `stage STAGE`, so that funnels and stage \
                 segments count it",
            );
        }
        return;
    };
    // Stages are the agreement's: a catalog's are resolved where it is used.
    if !agreement {
        return;
    }
    let stages = scope.stages();
    if stages.contains(&stage.name.as_str()) {
        return;
    }
    let help = match crate::syntax::expected::closest(&stage.name, &stages) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("the agreement's stages are: {}", stages.join(", ")),
    };
    let mut diagnostic = Diagnostic::new(
        codes::UNKNOWN_STAGE,
        if own {
            format!("unknown journey stage `{}`", stage.name)
        } else {
            format!(
                "unknown journey stage `{}` (in agreement `{}`, which imports this catalog)",
                stage.name, scope.name.name
            )
        },
    )
    .with_label(stage.span, "not a stage of the journey")
    .with_help(help);
    if let Some(journey) = scope.header.journey {
        diagnostic = diagnostic.with_label(journey.span, "the journey is declared here");
    }
    ctx.push(diagnostic);
}

/// Metric results label their overall figures `all` and their per-partner
/// figures `partner`: a segment of either name would mix with them.
fn reserved_segment(ctx: &mut Ctx<'_, '_>, segment: &Segment) {
    let name = segment.name.name.as_str();
    if matches!(name, "all" | "partner") {
        ctx.report(
            codes::RESERVED_NAME,
            segment.name.span,
            format!("a segment cannot be called `{name}`"),
            "reserved name",
            "metric results label their overall figures `all` and their per-partner figures `partner`; give the segment another name",
        );
    }
}

fn segment_column(ctx: &mut Ctx<'_, '_>, segment: &Segment) {
    if let SegmentSource::Column(path) = &segment.from {
        Typer::new(ctx.scope, ctx.diagnostics).path_column(path, None);
    }
}

fn attribution(ctx: &mut Ctx<'_, '_>, attribution: &Attribution) {
    let scope = ctx.scope;
    let name = &attribution.name;
    single_fields(
        &attribution.fields,
        |f| match f {
            AttributionField::Touches(_) => Some("touches"),
            AttributionField::Credit(_) => Some("credit"),
            AttributionField::Channel(_) => Some("channel"),
            AttributionField::Conversions(_) => Some("conversions"),
            AttributionField::Value(_) => Some("value"),
            AttributionField::Model(_) => Some("model"),
            AttributionField::Lookback(_) => Some("lookback"),
            AttributionField::MaxTouches(_) => Some("max touches"),
            AttributionField::Repeats(_) => Some("repeats"),
            AttributionField::IgnoreChannels(_) => Some("ignore channels"),
        },
        ctx.diagnostics,
    );
    let fields = &attribution.fields;
    let credit = first(fields, |f| match f {
        AttributionField::Credit(c) => Some(c),
        _ => None,
    });
    let channel = first(fields, |f| match f {
        AttributionField::Channel(c) => Some(c),
        _ => None,
    });

    // Touches: sources (or events) with a customer key and a time, carrying
    // the credit and channel columns.
    match first(fields, |f| match f {
        AttributionField::Touches(t) => Some(t),
        _ => None,
    }) {
        Some((touches, _)) => {
            for touch in touches {
                let Some(rows) = scope.rows(touch, ctx.diagnostics) else {
                    continue;
                };
                keys(ctx, rows.source, touch, "touches");
                for (column_name, role) in [(credit, "credit"), (channel, "channel")] {
                    let Some((column_name, _)) = column_name else {
                        continue;
                    };
                    if column(rows.source, &column_name.name).is_none() {
                        let mut d = unknown_column(rows.source, column_name);
                        d.code = codes::CREDIT_COLUMN;
                        d.message = format!(
                            "the {role} column `{}` is not a column of touch source `{}`",
                            column_name.name, rows.source.name.name
                        );
                        d.labels.push(crate::diagnostics::Label {
                            span: touch.span,
                            text: "touches read from here".to_string(),
                        });
                        ctx.push(d);
                    }
                }
            }
        }
        None => ctx.missing(
            "attribution",
            name,
            "touches",
            "list the sources of partner touches: `touches touchpoints`",
        ),
    }
    if credit.is_none() {
        ctx.missing(
            "attribution",
            name,
            "credit",
            "name the touch column that says which partner made the touch: `credit partner_id`",
        );
    }
    match first(fields, |f| match f {
        AttributionField::Conversions(c) => Some(c),
        _ => None,
    }) {
        Some((conversions, _)) => {
            for conversion in conversions {
                if let Some(rows) = scope.rows(conversion, ctx.diagnostics) {
                    keys(ctx, rows.source, conversion, "conversions");
                }
            }
        }
        None => ctx.missing(
            "attribution",
            name,
            "conversions",
            "list the conversion events: `conversions purchase`",
        ),
    }
    match first(fields, |f| match f {
        AttributionField::Value(v) => Some(v),
        _ => None,
    }) {
        Some((path, _)) => {
            let info = Typer::new(scope, ctx.diagnostics).path_column(path, None);
            if let Some(info) = info
                && let Some(currency) = info.currency
                && let Some(agreement) = scope.header.currency
                && currency.code != agreement.value.code
            {
                let mut d =
                    crate::check::units::foreign_column(path, &info, currency, &agreement.value);
                d.help = Some(format!(
                    "credit is shared out in {}: use a column in {} (converted in the warehouse if need be)",
                    agreement.value.code, agreement.value.code
                ));
                ctx.push(d);
            }
            if let Some(info) = info
                && info.ty != ColumnType::Money
            {
                ctx.push(
                    Diagnostic::new(
                        codes::ATTRIBUTION_VALUE,
                        format!(
                            "the attribution value `{}` is a {} column, not money",
                            path.dotted(),
                            info.ty.word()
                        ),
                    )
                    .with_label(path.span, "not money")
                    .with_label(info.name.span, format!("declared {} here", info.ty.word()))
                    .with_help("credit is shared out in money: use a money column, such as `orders.amount`"),
                );
            }
        }
        None => ctx.missing(
            "attribution",
            name,
            "value",
            "name the money column of each conversion: `value orders.amount`",
        ),
    }
    match first(fields, |f| match f {
        AttributionField::Model(m) => Some(m),
        _ => None,
    }) {
        Some((model, _)) => self::model(ctx, model),
        None => ctx.missing(
            "attribution",
            name,
            "model",
            "choose how credit is shared, such as `model position_based { first 40% last 40% }`",
        ),
    }
    match first(fields, |f| match f {
        AttributionField::Lookback(l) => Some(l),
        _ => None,
    }) {
        Some((lookback, _)) => {
            if lookback.amount <= 0.0 {
                ctx.report(
                    codes::LOOKBACK,
                    lookback.span,
                    "the lookback must be longer than zero".to_string(),
                    "zero lookback",
                    "with no lookback no touch can ever count; 30 days is a common choice",
                );
            } else if let Some((start, end)) = scope.effective_days()
                && dates::add(start, lookback) > end
            {
                ctx.report(
                    codes::LOOKBACK,
                    lookback.span,
                    format!(
                        "the lookback of {} is at least as long as the agreement itself ({} days)",
                        show_duration(lookback),
                        end - start + 1
                    ),
                    "as long as the effective period, or longer",
                    "a lookback is a window before each conversion and must be shorter than the agreement",
                );
            }
        }
        None => ctx.missing(
            "attribution",
            name,
            "lookback",
            "say how far back a touch still counts: `lookback 30 days`",
        ),
    }
    if let Some((max, _)) = first(fields, |f| match f {
        AttributionField::MaxTouches(m) => Some(m),
        _ => None,
    }) && max.value == 0
    {
        ctx.report(
            codes::LOOKBACK,
            max.span,
            "`max touches 0` keeps no touch at all".to_string(),
            "zero",
            "keep at least one touch, or drop the line to keep them all",
        );
    }
    if let Some((_, span)) = first(fields, |f| match f {
        AttributionField::IgnoreChannels(i) => Some(i),
        _ => None,
    }) && channel.is_none()
    {
        ctx.report(
            codes::IGNORE_WITHOUT_CHANNEL,
            span,
            "channels are ignored, but the attribution has no `channel` column".to_string(),
            "which column holds the channel?",
            "add `channel COLUMN` naming the touch column that holds the channel",
        );
    }
}

/// Touches and conversions need a customer key and a time.
fn keys(ctx: &mut Ctx<'_, '_>, source: &Source, used: &Ident, role: &str) {
    let has_customer = source
        .fields
        .iter()
        .any(|f| matches!(f.value, SourceField::Customer(_)));
    let has_time = source
        .fields
        .iter()
        .any(|f| matches!(f.value, SourceField::Time { .. }));
    let missing = match (has_customer, has_time) {
        (true, true) => return,
        (false, false) => "customer key and no time",
        (false, true) => "customer key",
        (true, false) => "time",
    };
    ctx.push(
        Diagnostic::new(
            codes::TOUCH_KEYS,
            format!("`{}` is used as {role} but source `{}` has no {missing}", used.name, source.name.name, missing = missing),
        )
        .with_label(used.span, format!("used as {role}"))
        .with_label(source.name.span, "source declared here")
        .with_help("attribution matches touches and conversions by customer and orders them by time; declare `customer COLUMN` and `time COLUMN`"),
    );
}

/// The model against its entry in `crate::attribution_models`: a known
/// name, known settings each written once with a value of the right kind,
/// every setting without a default written, then the entry's own checks.
fn model(ctx: &mut Ctx<'_, '_>, model: &Spanned<Model>) {
    use crate::attribution_models::{self as models, Settings};
    let m = &model.value;
    let Some(rule) = models::lookup(m) else {
        let known = models::keywords(m.data_driven);
        let other = models::keywords(!m.data_driven);
        let what = if m.data_driven {
            "data-driven attribution method"
        } else {
            "attribution model"
        };
        let help = if other.contains(&m.name.name.as_str()) {
            if m.data_driven {
                format!(
                    "`{}` is a fixed rule: write `model {}`",
                    m.name.name, m.name.name
                )
            } else {
                format!(
                    "`{}` is data-driven: write `model data_driven {}`",
                    m.name.name, m.name.name
                )
            }
        } else {
            match closest(&m.name.name, &known) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("use one of: {}", known.join(", ")),
            }
        };
        ctx.report(
            codes::ATTRIBUTION_MODEL,
            m.name.span,
            format!("`{}` is not a known {what}", m.name.name),
            &format!("unknown {what}"),
            &help,
        );
        return;
    };
    let mut fine = true;
    for (i, setting) in m.settings.iter().enumerate() {
        let Some(spec) = rule.settings.iter().find(|s| s.words == setting.words) else {
            let words: Vec<&str> = rule.settings.iter().map(|s| s.words).collect();
            let help = if words.is_empty() {
                format!(
                    "`{}` takes no settings: write `model {}`",
                    rule.keyword, rule.example
                )
            } else {
                match closest(&setting.words, &words) {
                    Some(best) => format!(
                        "did you mean `{best}`? It is written `model {}`",
                        rule.example
                    ),
                    None => format!("its settings are written `model {}`", rule.example),
                }
            };
            ctx.report(
                codes::ATTRIBUTION_MODEL,
                setting.span,
                format!("`{}` has no setting `{}`", rule.keyword, setting.words),
                "unknown setting",
                &help,
            );
            fine = false;
            continue;
        };
        if let Some(earlier) = m.settings[..i].iter().find(|s| s.words == setting.words) {
            ctx.push(
                Diagnostic::new(
                    codes::ATTRIBUTION_MODEL,
                    format!("`{}` is set twice", setting.words),
                )
                .with_label(setting.span, "set again here")
                .with_label(earlier.span, "first set here")
                .with_help("keep one of them"),
            );
            fine = false;
            continue;
        }
        let kind = match setting.value {
            SettingValue::Percent(_) => SettingKind::Percent,
            SettingValue::Duration(_) => SettingKind::Duration,
        };
        if kind != spec.kind {
            ctx.report(
                codes::ATTRIBUTION_MODEL,
                setting.span,
                format!(
                    "`{}` is {}, not {}",
                    setting.words,
                    spec.kind.word(),
                    kind.word()
                ),
                &format!("expected {}", spec.kind.word()),
                &format!("write it as in `model {}`", rule.example),
            );
            fine = false;
        }
    }
    for spec in rule.settings.iter().filter(|s| s.default.is_none()) {
        if !m.settings.iter().any(|s| s.words == spec.words) {
            ctx.report(
                codes::ATTRIBUTION_MODEL,
                model.span,
                format!("`{}` needs `{} ...`", rule.keyword, spec.words),
                &format!("`{}` missing", spec.words),
                &format!("write `model {}`", rule.example),
            );
            fine = false;
        }
    }
    if fine && let Some(problem) = (rule.check)(&Settings::new(rule, &m.settings), model.span) {
        ctx.push(problem);
    }
}

fn trim(value: f64) -> String {
    let rounded = (value * 1e9).round() / 1e9;
    format!("{rounded}")
}

pub fn show_duration(d: &Duration) -> String {
    format!("{} {}", trim(d.amount), d.unit.word(d.amount != 1.0))
}

/// Whether a party has a partner-like role; `None` when its role is missing
/// or unknown (reported on the party itself).
pub fn is_partner(party: &Party) -> Option<bool> {
    let (role, _) = first(&party.fields, |f| match f {
        PartyField::Role(r) => Some(r),
        _ => None,
    })?;
    ROLES
        .contains(&role.name.as_str())
        .then(|| PARTNER_ROLES.contains(&role.name.as_str()))
}
