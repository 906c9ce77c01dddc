//! Change review: what changed between two versions of an agreement, in
//! business terms, and whether the other party must approve it again.
//!
//! Every change is classified:
//! - `breaking`: changes what a party owes or how a number is computed
//!   (targets, attribution, metric definitions, incentives, parties, data
//!   shared with a partner); the other party must approve it again, and the
//!   agreement's `version` must go up, and an `amendment` that brings in
//!   the new version must name the change and carry every party's dated
//!   approval;
//! - `notable`: worth a reviewer's attention but no new commitment (owners,
//!   initiatives, reviews, a new goal or metric);
//! - `cosmetic`: titles, doc comments, comments and layout only.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::ast::*;
use crate::syntax::format::review_parts;
use crate::syntax::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Breaking,
    Notable,
    Cosmetic,
}

impl Class {
    pub fn word(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Notable => "notable",
            Class::Cosmetic => "cosmetic",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub class: Class,
    /// A stable identifier of the kind of change, such as `target.lowered`.
    pub kind: String,
    /// What changed: `target new_customers`, `party acme`.
    pub subject: String,
    /// One sentence for people.
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// Where, in the new version (or the old one, for removals).
    #[serde(skip)]
    pub span: Option<Span>,
}

/// The review of one agreement's change.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub name: String,
    pub old_version: Option<u64>,
    pub new_version: Option<u64>,
    /// The version the new text should carry.
    pub expected_version: Option<u64>,
    pub changes: Vec<Change>,
    #[serde(skip)]
    pub findings: Vec<Diagnostic>,
}

impl Review {
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    pub fn worst(&self) -> Option<Class> {
        self.changes.iter().map(|c| c.class).min()
    }
}

struct Doc<'a> {
    name: &'a Ident,
    title: &'a Option<Str>,
    docs: &'a Docs,
    items: &'a [Item],
    kind: &'static str,
}

fn doc(file: &File) -> Doc<'_> {
    match &file.root {
        Root::Agreement(a) => Doc {
            name: &a.name,
            title: &a.title,
            docs: &a.docs,
            items: &a.items,
            kind: "agreement",
        },
        Root::Catalog(c) => Doc {
            name: &c.name,
            title: &c.title,
            docs: &c.docs,
            items: &c.items,
            kind: "catalog",
        },
    }
}

/// Compares two parsed versions of one file. `text_changed` says whether
/// the texts differ at all (for the formatting-only case).
pub fn compare(old: &File, new: &File, text_changed: bool) -> Review {
    let (o, n) = (doc(old), doc(new));
    let mut changes = Vec::new();
    if o.kind != n.kind {
        changes.push(change(
            Class::Breaking,
            "file.kind",
            &format!("{} {}", n.kind, n.name.name),
            format!(
                "the file changed from {} `{}` to {} `{}`",
                o.kind, o.name.name, n.kind, n.name.name
            ),
            None,
            None,
            Some(n.name.span),
        ));
    }
    if o.name.name != n.name.name {
        changes.push(change(
            Class::Notable,
            "agreement.renamed",
            &format!("{} {}", n.kind, n.name.name),
            format!("renamed from `{}` to `{}`", o.name.name, n.name.name),
            Some(o.name.name.clone()),
            Some(n.name.name.clone()),
            Some(n.name.span),
        ));
    }
    cosmetic_text(
        &mut changes,
        &format!("{} {}", n.kind, n.name.name),
        o.title,
        n.title,
        o.docs,
        n.docs,
        n.name.span,
    );
    imports(&mut changes, old, new);

    let old_items = keyed(o.items);
    let new_items = keyed(n.items);
    let old_index: HashMap<&str, &Item> = old_items.iter().map(|(k, i)| (k.as_str(), *i)).collect();
    let new_keys: BTreeSet<&str> = new_items.iter().map(|(k, _)| k.as_str()).collect();
    let (target_pairs, targets_removed) = pair_targets(o.items, n.items);
    for item in n.items {
        if let Item::Target(target) = item {
            let paired = target_pairs
                .iter()
                .find(|(new_target, _)| std::ptr::eq(*new_target, target))
                .and_then(|(_, old_target)| *old_target);
            match paired {
                Some(before) => item_changed(&mut changes, &Item::Target(before.clone()), item),
                None => changes.push(added(item, new)),
            }
            continue;
        }
        let Some((key, _)) = new_items.iter().find(|(_, i)| std::ptr::eq(*i, item)) else {
            continue;
        };
        match old_index.get(key.as_str()) {
            Some(before) => item_changed(&mut changes, before, item),
            None => changes.push(added(item, new)),
        }
    }
    for (key, item) in &old_items {
        if !new_keys.contains(key.as_str()) {
            changes.push(removed(item));
        }
    }
    for target in targets_removed {
        changes.push(removed(&Item::Target(target.clone())));
    }
    goals_left_without_target(&mut changes, old, new);
    let version = |items: &[Item]| {
        items.iter().find_map(|i| match i {
            Item::Version(v) => Some((v.value.value, v.span)),
            _ => None,
        })
    };
    let old_version = version(o.items).map(|v| v.0);
    let new_version = version(n.items);
    if let (Some(before), Some((after, span))) = (old_version, new_version)
        && before != after
    {
        changes.push(change(
            Class::Notable,
            "version.changed",
            "version",
            format!(
                "version {} from {before} to {after}",
                if after > before { "raised" } else { "lowered" }
            ),
            Some(before.to_string()),
            Some(after.to_string()),
            Some(span),
        ));
    }
    if changes.is_empty() && text_changed {
        changes.push(change(
            Class::Cosmetic,
            "layout",
            &format!("{} {}", n.kind, n.name.name),
            "formatting and comments only".to_string(),
            None,
            None,
            None,
        ));
    }
    // Breaking first, then notable, then cosmetic; source order within each.
    changes.sort_by_key(|c| c.class);

    let breaking = changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .count();
    let expected_version = old_version.map(|v| if breaking > 0 { v + 1 } else { v });
    let mut findings = Vec::new();
    if let (Some(before), Some((after, span))) = (old_version, new_version) {
        if breaking > 0 && after <= before {
            findings.push(
                Diagnostic::new(
                    codes::VERSION_NOT_RAISED,
                    format!(
                        "{breaking} breaking change{}, but the version {}",
                        if breaking == 1 { "" } else { "s" },
                        if after == before {
                            format!("is still {after}")
                        } else {
                            format!("went down from {before} to {after}")
                        }
                    ),
                )
                .with_label(span, format!("should be version {}", before + 1))
                .with_help(format!(
                    "breaking changes need the other party's approval: raise the version to {} and record the approval with an `amendment`",
                    before + 1
                )),
            );
        } else if after < before {
            findings.push(
                Diagnostic::new(
                    codes::VERSION_NOT_RAISED,
                    format!("the version went down from {before} to {after}"),
                )
                .with_label(span, "lower than before")
                .with_help("versions only go up; each approved revision gets the next number"),
            );
        } else if breaking > 0 {
            findings.extend(approval(o.items, n.items, &changes, after, span));
        }
    }
    Review {
        name: n.name.name.clone(),
        old_version,
        new_version: new_version.map(|v| v.0),
        expected_version,
        changes,
        findings,
    }
}

fn change(
    class: Class,
    kind: &str,
    subject: &str,
    summary: String,
    old: Option<String>,
    new: Option<String>,
    span: Option<Span>,
) -> Change {
    Change {
        class,
        kind: kind.to_string(),
        subject: subject.to_string(),
        summary,
        old,
        new,
        span,
    }
}

/// The identity of each item across versions.
fn keyed(items: &[Item]) -> Vec<(String, &Item)> {
    let mut out: Vec<(String, &Item)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in items {
        let base = match item {
            Item::Version(_) => continue,
            Item::Effective(_) => "effective".to_string(),
            Item::Currency(_) => "currency".to_string(),
            Item::Timezone(_) => "timezone".to_string(),
            Item::Journey(_) => "journey".to_string(),
            Item::NoGoal(n) => format!("no goal for {}", n.value.outcome.value.word()),
            // Targets are paired by `pair_targets`.
            Item::Target(_) => continue,
            Item::Amendment(a) => format!(
                "amendment {}-{:02}-{:02} {}",
                a.date.year, a.date.month, a.date.day, a.summary.value
            ),
            Item::Audit(a) => format!("audit {}", a.source.name),
            Item::Dispute(_) => "dispute".to_string(),
            other => {
                let (header, _) = review_parts(other);
                let mut words = header.split(' ');
                format!(
                    "{} {}",
                    words.next().unwrap_or_default(),
                    words.next().unwrap_or_default()
                )
            }
        };
        // Repeated keys (none are expected once names are unique) pair up
        // in order.
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let key = if *n == 1 {
            base
        } else {
            format!("{base} #{n}")
        };
        out.push((key, item));
    }
    out
}

fn subject_of(item: &Item) -> String {
    match item {
        Item::Target(t) => format!("target {}", t.metric.name),
        Item::Effective(_) => "effective".to_string(),
        Item::Currency(_) => "currency".to_string(),
        Item::Timezone(_) => "timezone".to_string(),
        Item::Journey(_) => "journey".to_string(),
        Item::NoGoal(n) => format!("no goal for {}", n.value.outcome.value.word()),
        Item::Amendment(a) => format!("amendment {}", crate::syntax::format::date(&a.date)),
        Item::Audit(a) => format!("audit {}", a.source.name),
        Item::Dispute(_) => "dispute".to_string(),
        other => {
            let (header, _) = review_parts(other);
            header.split(' ').take(2).collect::<Vec<_>>().join(" ")
        }
    }
}

fn kind_of(item: &Item) -> &'static str {
    match item {
        Item::Version(_) => "version",
        Item::Effective(_) => "effective",
        Item::Currency(_) => "currency",
        Item::Timezone(_) => "timezone",
        Item::Journey(_) => "journey",
        Item::NoGoal(_) => "no_goal",
        Item::Party(_) => "party",
        Item::Goal(_) => "goal",
        Item::Source(_) => "source",
        Item::Event(_) => "event",
        Item::Attribution(_) => "attribution",
        Item::Segment(_) => "segment",
        Item::Metric(_) => "metric",
        Item::Target(_) => "target",
        Item::Pilot(_) => "pilot",
        Item::Scorecard(_) => "scorecard",
        Item::Review(_) => "review",
        Item::Initiative(_) => "initiative",
        Item::Evidence(_) => "evidence",
        Item::Amendment(_) => "amendment",
        Item::Incentive(_) => "incentive",
        Item::Audit(_) => "audit",
        Item::Dispute(_) => "dispute",
    }
}

fn whole_text(item: &Item) -> String {
    let (header, fields) = review_parts(item);
    if fields.is_empty() {
        return header;
    }
    let body: Vec<String> = fields.into_iter().map(|(_, t, _)| t).collect();
    format!("{header} {{ {} }}", body.join("; "))
}

fn added(item: &Item, new: &File) -> Change {
    let kind = kind_of(item);
    let subject = subject_of(item);
    let class = match item {
        Item::Party(_) | Item::Incentive(_) | Item::Dispute(_) | Item::Target(_) => Class::Breaking,
        Item::Effective(_) | Item::Currency(_) | Item::Timezone(_) => Class::Breaking,
        Item::Scorecard(s) if is_shared(s) => Class::Breaking,
        _ => Class::Notable,
    };
    let summary = match item {
        Item::Target(t) => format!(
            "new target: {} {}",
            t.metric.name,
            review_parts(item)
                .0
                .splitn(3, ' ')
                .nth(2)
                .unwrap_or_default()
        ),
        Item::Scorecard(s) if is_shared(s) => format!(
            "new scorecard shared with {}",
            shared_with(s).into_iter().collect::<Vec<_>>().join(", ")
        ),
        Item::Goal(g) => {
            let targeted = goal_has_target(g, new);
            if targeted {
                format!("goal `{}` added", g.name.name)
            } else {
                format!(
                    "goal `{}` added, with no metric that has a target",
                    g.name.name
                )
            }
        }
        _ => format!("{subject} added"),
    };
    change(
        class,
        &format!("{kind}.added"),
        &subject,
        summary,
        None,
        Some(whole_text(item)),
        Some(item.span()),
    )
}

fn removed(item: &Item) -> Change {
    let kind = kind_of(item);
    let subject = subject_of(item);
    let class = match item {
        Item::Party(_)
        | Item::Goal(_)
        | Item::Metric(_)
        | Item::Attribution(_)
        | Item::Pilot(_)
        | Item::Incentive(_)
        | Item::Dispute(_)
        | Item::Target(_)
        | Item::Effective(_)
        | Item::Currency(_)
        | Item::Timezone(_) => Class::Breaking,
        _ => Class::Notable,
    };
    let summary = match item {
        Item::Goal(g) => format!("goal `{}` dropped", g.name.name),
        _ => format!("{subject} removed"),
    };
    change(
        class,
        &format!("{kind}.removed"),
        &subject,
        summary,
        Some(whole_text(item)),
        None,
        Some(item.span()),
    )
}

fn is_shared(s: &Scorecard) -> bool {
    !shared_with(s).is_empty()
}

fn shared_with(s: &Scorecard) -> BTreeSet<String> {
    s.fields
        .iter()
        .filter_map(|f| match &f.value {
            ScorecardField::SharedWith(p) => Some(p.iter().map(|i| i.name.clone())),
            _ => None,
        })
        .flatten()
        .collect()
}

fn list_of(s: &Scorecard, pick: fn(&ScorecardField) -> Option<&Vec<Ident>>) -> BTreeSet<String> {
    s.fields
        .iter()
        .filter_map(|f| pick(&f.value))
        .flatten()
        .map(|i| i.name.clone())
        .collect()
}

fn minimum_group(s: &Scorecard) -> Option<u64> {
    s.fields.iter().find_map(|f| match &f.value {
        ScorecardField::MinimumGroup { size, .. } => Some(size.value),
        _ => None,
    })
}

/// Titles and doc comments: cosmetic.
fn cosmetic_text(
    changes: &mut Vec<Change>,
    subject: &str,
    old_title: &Option<Str>,
    new_title: &Option<Str>,
    old_docs: &Docs,
    new_docs: &Docs,
    span: Span,
) {
    let title = |t: &Option<Str>| t.as_ref().map(|s| s.value.clone());
    if title(old_title) != title(new_title) {
        changes.push(change(
            Class::Cosmetic,
            "title.changed",
            subject,
            match (title(old_title), title(new_title)) {
                (Some(a), Some(b)) => format!("title changed from \"{a}\" to \"{b}\""),
                (None, Some(b)) => format!("title \"{b}\" added"),
                (Some(a), None) => format!("title \"{a}\" removed"),
                (None, None) => unreachable!("the titles differ"),
            },
            title(old_title),
            title(new_title),
            Some(span),
        ));
    }
    if old_docs != new_docs {
        changes.push(change(
            Class::Cosmetic,
            "docs.changed",
            subject,
            "documentation comment changed".to_string(),
            Some(old_docs.join("\n")),
            Some(new_docs.join("\n")),
            Some(span),
        ));
    }
}

fn title_and_docs(item: &Item) -> Option<(&Option<Str>, &Docs, Span)> {
    let none: &'static Option<Str> = &None;
    Some(match item {
        Item::Party(x) => (&x.title, &x.docs, x.name.span),
        Item::Goal(x) => (&x.title, &x.docs, x.name.span),
        Item::Source(x) => (&x.title, &x.docs, x.name.span),
        Item::Event(x) => (&x.title, &x.docs, x.name.span),
        Item::Attribution(x) => (&x.title, &x.docs, x.name.span),
        Item::Segment(x) => (&x.title, &x.docs, x.name.span),
        Item::Metric(x) => (&x.title, &x.docs, x.name.span),
        Item::Pilot(x) => (&x.title, &x.docs, x.name.span),
        Item::Scorecard(x) => (&x.title, &x.docs, x.name.span),
        Item::Review(x) => (&x.title, &x.docs, x.name.span),
        Item::Initiative(x) => (&x.title, &x.docs, x.name.span),
        Item::Evidence(x) => (&x.title, &x.docs, x.name.span),
        Item::Incentive(x) => (&x.title, &x.docs, x.name.span),
        Item::Target(x) => (none, &x.docs, x.metric.span),
        Item::Amendment(x) => (none, &x.docs, x.span),
        Item::Audit(x) => (none, &x.docs, x.source.span),
        Item::Dispute(x) => (none, &x.docs, x.span),
        _ => return None,
    })
}

fn imports(changes: &mut Vec<Change>, old: &File, new: &File) {
    let paths = |f: &File| {
        f.uses
            .iter()
            .map(|u| u.path.value.clone())
            .collect::<BTreeSet<_>>()
    };
    let (before, after) = (paths(old), paths(new));
    for path in after.difference(&before) {
        let span = new
            .uses
            .iter()
            .find(|u| &u.path.value == path)
            .map(|u| u.span);
        changes.push(change(
            Class::Notable,
            "import.added",
            &format!("use \"{path}\""),
            format!("now imports \"{path}\""),
            None,
            Some(path.clone()),
            span,
        ));
    }
    for path in before.difference(&after) {
        changes.push(change(
            Class::Notable,
            "import.removed",
            &format!("use \"{path}\""),
            format!("no longer imports \"{path}\""),
            Some(path.clone()),
            None,
            None,
        ));
    }
}

fn item_changed(changes: &mut Vec<Change>, before: &Item, after: &Item) {
    let subject = subject_of(after);
    let kind = kind_of(after);
    if let (Some((t1, d1, _)), Some((t2, d2, span))) =
        (title_and_docs(before), title_and_docs(after))
    {
        cosmetic_text(changes, &subject, t1, t2, d1, d2, span);
    }
    let (old_header, old_fields) = review_parts(before);
    let (new_header, new_fields) = review_parts(after);
    let span = Some(after.span());
    if old_header != new_header {
        let (class, kind_id, summary) = match (before, after) {
            (Item::Target(a), Item::Target(b)) => {
                let (class, id, summary) = target_change(a, b);
                (class, id, summary)
            }
            (Item::Event(a), Item::Event(b)) => {
                let same_rows = a.source.name == b.source.name
                    && crate::check::scope::strip_spans(
                        serde_json::to_value(&a.filter).unwrap_or_default(),
                    ) == crate::check::scope::strip_spans(
                        serde_json::to_value(&b.filter).unwrap_or_default(),
                    );
                if same_rows {
                    let stage = |e: &Event| {
                        e.stage
                            .as_ref()
                            .map_or("no stage".to_string(), |s| format!("`{}`", s.name))
                    };
                    (
                        Class::Notable,
                        "event.stage".to_string(),
                        format!(
                            "`{}` moved from stage {} to {}",
                            b.name.name,
                            stage(a),
                            stage(b)
                        ),
                    )
                } else {
                    (
                        Class::Breaking,
                        "event.definition".to_string(),
                        format!(
                            "`{}` now means different rows: every metric built on it changes",
                            b.name.name
                        ),
                    )
                }
            }
            (Item::Effective(_), _) => (
                Class::Breaking,
                "effective.changed".to_string(),
                format!(
                    "the effective period changed from {} to {}",
                    old_header.trim_start_matches("effective "),
                    new_header.trim_start_matches("effective ")
                ),
            ),
            (Item::Currency(_), _) => (
                Class::Breaking,
                "currency.changed".to_string(),
                format!(
                    "the currency changed from {} to {}",
                    old_header.trim_start_matches("currency "),
                    new_header.trim_start_matches("currency ")
                ),
            ),
            (Item::Timezone(_), _) => (
                Class::Breaking,
                "timezone.changed".to_string(),
                "the time zone changed: day, week and month boundaries move".to_string(),
            ),
            _ => (
                Class::Notable,
                format!("{kind}.changed"),
                format!("{subject} changed"),
            ),
        };
        changes.push(change(
            class,
            &kind_id,
            &subject,
            summary,
            Some(old_header),
            Some(new_header),
            span,
        ));
    }
    // Fields, grouped by key, in the new order then the old-only ones.
    let group = |fields: &[(String, String, Span)]| {
        let mut keys: Vec<String> = Vec::new();
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, t, _) in fields {
            if !map.contains_key(k) {
                keys.push(k.clone());
            }
            map.entry(k.clone()).or_default().push(t.clone());
        }
        (keys, map)
    };
    // Where a changed field is in the new version: the line with that text,
    // else the first line of that field, else the item.
    let field_span = |key: &str, text: Option<&str>| -> Option<Span> {
        new_fields
            .iter()
            .find(|(k, t, _)| k == key && Some(t.as_str()) == text)
            .or_else(|| new_fields.iter().find(|(k, _, _)| k == key))
            .map(|(_, _, span)| *span)
            .or(span)
    };
    let (old_keys, old_map) = group(&old_fields);
    let (new_keys, new_map) = group(&new_fields);
    let mut keys = new_keys.clone();
    keys.extend(old_keys.into_iter().filter(|k| !new_map.contains_key(k)));
    for key in keys {
        let a = old_map.get(&key).cloned().unwrap_or_default();
        let b = new_map.get(&key).cloned().unwrap_or_default();
        if a == b {
            continue;
        }
        if a.len() <= 1 && b.len() <= 1 {
            let old_text = a.first().map(String::as_str);
            let new_text = b.first().map(String::as_str);
            let (class, id, summary) = field_change(before, after, &key, old_text, new_text);
            changes.push(change(
                class,
                &id,
                &subject,
                summary,
                old_text.map(str::to_string),
                new_text.map(str::to_string),
                field_span(&key, new_text),
            ));
            continue;
        }
        // A repeated field (contacts, actions, escalation steps, payments):
        // lines present on both sides cancel out; the rest are added or
        // removed one by one, or changed when one line replaced one line.
        let mut gone: Vec<&String> = Vec::new();
        let mut remaining: Vec<&String> = b.iter().collect();
        for line in &a {
            match remaining.iter().position(|r| *r == line) {
                Some(i) => {
                    remaining.remove(i);
                }
                None => gone.push(line),
            }
        }
        match (gone.as_slice(), remaining.as_slice()) {
            ([], []) => {
                // Same lines in another order: only order-sensitive fields matter.
                let class = if kind == "dispute" {
                    Class::Breaking
                } else {
                    Class::Notable
                };
                changes.push(change(
                    class,
                    &format!("{kind}.{}_order", key.replace(' ', "_")),
                    &subject,
                    format!("the `{key}` lines are in a new order"),
                    Some(a.join("; ")),
                    Some(b.join("; ")),
                    field_span(&key, None),
                ));
            }
            ([one_old], [one_new]) => {
                let (class, id, summary) =
                    field_change(before, after, &key, Some(one_old), Some(one_new));
                changes.push(change(
                    class,
                    &id,
                    &subject,
                    summary,
                    Some(one_old.to_string()),
                    Some(one_new.to_string()),
                    field_span(&key, Some(one_new)),
                ));
            }
            _ => {
                for line in remaining {
                    let (class, id, summary) = field_change(before, after, &key, None, Some(line));
                    changes.push(change(
                        class,
                        &id,
                        &subject,
                        summary,
                        None,
                        Some(line.clone()),
                        field_span(&key, Some(line)),
                    ));
                }
                for line in gone {
                    let (class, id, summary) = field_change(before, after, &key, Some(line), None);
                    changes.push(change(
                        class,
                        &id,
                        &subject,
                        summary,
                        Some(line.clone()),
                        None,
                        span,
                    ));
                }
            }
        }
    }
    if let (Item::Source(a), Item::Source(b)) = (before, after) {
        column_docs(changes, a, b, &subject);
    }
}

/// Doc comments of columns: cosmetic, but shown in reports.
fn column_docs(changes: &mut Vec<Change>, before: &Source, after: &Source, subject: &str) {
    let columns = |s: &Source| -> Vec<(String, Docs, Span)> {
        s.fields
            .iter()
            .filter_map(|f| match &f.value {
                SourceField::Column(c) => Some((c.name.name.clone(), c.docs.clone(), c.name.span)),
                _ => None,
            })
            .collect()
    };
    let old_columns = columns(before);
    for (name, docs, span) in columns(after) {
        if let Some((_, old_docs, _)) = old_columns.iter().find(|(n, _, _)| *n == name)
            && *old_docs != docs
        {
            changes.push(change(
                Class::Cosmetic,
                "docs.changed",
                subject,
                format!("documentation comment of column `{name}` changed"),
                Some(old_docs.join("\n")),
                Some(docs.join("\n")),
                Some(span),
            ));
        }
    }
}

/// Classifies and describes a changed field of a block.
fn field_change(
    before: &Item,
    after: &Item,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> (Class, String, String) {
    let kind = kind_of(after);
    let field = key.split(' ').next().unwrap_or(key);
    // `lookback 30 days` -> `30 days` when the key says what it is.
    let value = |text: &str| -> String {
        text.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(' '))
            .filter(|rest| {
                !rest.is_empty()
                    && !old.is_some_and(|o| o.contains("; "))
                    && !new.is_some_and(|n| n.contains("; "))
            })
            .unwrap_or(text)
            .to_string()
    };
    let describe = |what: &str| match (old, new) {
        (Some(a), Some(b)) => format!("{what} changed from `{}` to `{}`", value(a), value(b)),
        (None, Some(b)) => format!("`{b}` added"),
        (Some(a), None) => format!("`{a}` removed"),
        (None, None) => format!("{what} changed"),
    };
    let id = |suffix: &str| format!("{kind}.{}", suffix.replace(' ', "_"));
    match (before, after) {
        (Item::Scorecard(a), Item::Scorecard(b)) => return scorecard_change(a, b, key, &describe),
        (Item::Incentive(_), Item::Incentive(_)) if field == "cap" => {
            let summary = match (old, new) {
                (Some(a), Some(b)) => format!("cap changed from {} to {}", value(a), value(b)),
                _ => describe("cap"),
            };
            return (Class::Breaking, id("cap"), summary);
        }
        (Item::Incentive(_), Item::Incentive(_)) => {
            let summary = match (field, old, new) {
                ("pay", Some(a), Some(b)) => payment_change(a, b),
                _ => describe(key),
            };
            return (Class::Breaking, id(field), summary);
        }
        (Item::Metric(_), _) if field == "value" => {
            return (Class::Breaking, id("definition"), describe("definition"));
        }
        (Item::Attribution(_), _) => {
            let what = match field {
                "model" => "attribution model",
                "lookback" => "lookback window",
                _ => key,
            };
            return (Class::Breaking, id(field), describe(what));
        }
        (Item::Source(_), _) if field == "column" => {
            let lost_pii = old.is_some_and(|a| a.split(' ').any(|w| w == "pii"))
                && new.is_some_and(|b| !b.split(' ').any(|w| w == "pii"));
            let type_of = |t: Option<&str>| t.and_then(|t| t.split(' ').nth(2)).map(str::to_string);
            if lost_pii {
                return (
                    Class::Breaking,
                    id("pii_removed"),
                    format!(
                        "`{}` is no longer marked as personal data",
                        key.trim_start_matches("column ")
                    ),
                );
            }
            if old.is_some() && new.is_some() && type_of(old) != type_of(new) {
                return (Class::Breaking, id("column_type"), describe(key));
            }
            return (Class::Notable, id("column"), describe(key));
        }
        _ => {}
    }
    let class = match (kind, field) {
        ("party", "role" | "identified") => Class::Breaking,
        ("goal", "party" | "outcome") => Class::Breaking,
        ("source", "customer" | "time" | "id" | "table") => Class::Breaking,
        ("metric", "attributed") => Class::Breaking,
        ("pilot", "partners" | "during" | "baseline" | "control" | "expect") => Class::Breaking,
        ("dispute", _) => Class::Breaking,
        _ => Class::Notable,
    };
    let summary = match field {
        "owner" => describe("owner"),
        "during" => describe("pilot period"),
        "baseline" => describe("baseline period"),
        _ => describe(key),
    };
    (class, id(key), summary)
}

fn scorecard_change(
    a: &Scorecard,
    b: &Scorecard,
    key: &str,
    describe: &dyn Fn(&str) -> String,
) -> (Class, String, String) {
    let shared = is_shared(b);
    match key {
        "shared with" => {
            let (before, after) = (shared_with(a), shared_with(b));
            let gained: Vec<String> = after.difference(&before).cloned().collect();
            if !gained.is_empty() {
                return (
                    Class::Breaking,
                    "scorecard.shared_widened".to_string(),
                    format!(
                        "now also shared with {}: data shared with a partner widened",
                        gained.join(", ")
                    ),
                );
            }
            (
                Class::Notable,
                "scorecard.shared_narrowed".to_string(),
                describe("sharing"),
            )
        }
        "minimum group" => match (minimum_group(a), minimum_group(b)) {
            (Some(x), Some(y)) if y < x && shared => (
                Class::Breaking,
                "scorecard.minimum_lowered".to_string(),
                format!(
                    "minimum group lowered from {x} to {y} customers: smaller groups become visible to partners"
                ),
            ),
            (Some(x), None) if shared => (
                Class::Breaking,
                "scorecard.minimum_removed".to_string(),
                format!(
                    "minimum group of {x} customers removed: small groups become visible to partners"
                ),
            ),
            _ => (
                Class::Notable,
                "scorecard.minimum_group".to_string(),
                describe("minimum group"),
            ),
        },
        "metrics" | "by" => {
            let pick: fn(&ScorecardField) -> Option<&Vec<Ident>> = if key == "metrics" {
                |f| match f {
                    ScorecardField::Metrics(m) => Some(m),
                    _ => None,
                }
            } else {
                |f| match f {
                    ScorecardField::By(m) => Some(m),
                    _ => None,
                }
            };
            let gained: Vec<String> = list_of(b, pick)
                .difference(&list_of(a, pick))
                .cloned()
                .collect();
            if shared && !gained.is_empty() {
                let what = if key == "metrics" {
                    "metrics"
                } else {
                    "splits"
                };
                return (
                    Class::Breaking,
                    "scorecard.shared_widened".to_string(),
                    format!(
                        "more {what} shared with partners ({}): data shared with a partner widened",
                        gained.join(", ")
                    ),
                );
            }
            (
                Class::Notable,
                format!("scorecard.{}", key.replace(' ', "_")),
                describe(key),
            )
        }
        _ => (
            Class::Notable,
            format!("scorecard.{}", key.replace(' ', "_")),
            describe(key),
        ),
    }
}

/// `pay acme 10% of ...` to `pay acme 12% of ...`: the rate, by how much.
fn payment_change(old: &str, new: &str) -> String {
    let rate = |t: &str| {
        t.split(' ')
            .find_map(|w| w.strip_suffix('%'))
            .and_then(|n| n.parse::<f64>().ok())
    };
    match (rate(old), rate(new)) {
        (Some(a), Some(b)) if a != b => format!(
            "rate {} from {}% to {}% (`{new}`)",
            if b > a { "raised" } else { "lowered" },
            crate::syntax::format::number(a),
            crate::syntax::format::number(b)
        ),
        _ => format!("payment changed from `{old}` to `{new}`"),
    }
}

fn literal_value(l: &Literal) -> Option<f64> {
    match l {
        Literal::Number(n) | Literal::Percent(n) => Some(n.value),
        Literal::Money(m) => Some(m.amount),
        Literal::Duration(d) => Some(crate::check::dates::approx_days(d)),
        _ => None,
    }
}

/// How a target moved: `lowered from 200 to 150 (-50, -25%)`.
fn target_change(a: &Target, b: &Target) -> (Class, String, String) {
    let show = |l: &Literal| crate::syntax::format::literal(l);
    // `at least` is harder to meet when raised, `at most` when lowered.
    let at_least = matches!(b.goalpost, Goalpost::AtLeast { .. });
    let moved = |x: f64, y: f64, old: &Literal, new: &Literal| {
        let verb = if y < x { "lowered" } else { "raised" };
        let harder = (y > x) == at_least;
        let delta = y - x;
        let points = if matches!(new, Literal::Percent(_)) {
            " points"
        } else {
            ""
        };
        let relative = if x != 0.0 {
            format!(", {:+}%", ((delta / x) * 1000.0).round() / 10.0)
        } else {
            String::new()
        };
        (
            verb,
            format!(
                "{verb} from {} to {} ({:+}{points}{relative}): {} to meet",
                show(old),
                show(new),
                (delta * 1e6).round() / 1e6,
                if harder { "harder" } else { "easier" }
            ),
        )
    };
    let mut parts = Vec::new();
    let mut id = "target.changed".to_string();
    let period = |t: &Target| t.per.as_ref().map(|p| p.value);
    match (&a.goalpost, &b.goalpost) {
        // Thresholds per quarter and per month do not compare as numbers.
        _ if period(a) != period(b) => {}
        (Goalpost::AtLeast { value: x }, Goalpost::AtLeast { value: y })
        | (Goalpost::AtMost { value: x }, Goalpost::AtMost { value: y }) => {
            if let (Some(p), Some(q)) = (literal_value(x), literal_value(y))
                && p != q
            {
                let (verb, text) = moved(p, q, x, y);
                id = format!("target.{verb}");
                parts.push(text);
            }
        }
        (
            Goalpost::Change {
                amount: Some(x),
                direction: dx,
                ..
            },
            Goalpost::Change {
                amount: Some(y),
                direction: dy,
                ..
            },
        ) if dx.value == dy.value && x.value != y.value => {
            let verb = if y.value < x.value {
                "lowered"
            } else {
                "raised"
            };
            id = format!("target.{verb}");
            parts.push(format!(
                "{verb} from {}% to {}% ({:+} points): {} to meet",
                crate::syntax::format::number(x.value),
                crate::syntax::format::number(y.value),
                ((y.value - x.value) * 1e6).round() / 1e6,
                if y.value > x.value {
                    "harder"
                } else {
                    "easier"
                }
            ));
        }
        _ => {}
    }
    // The goalpost and deadline, without `target METRIC`.
    let tail = |t: &Target| {
        let text = review_parts(&Item::Target(t.clone())).0;
        let prefix = format!("target {} ", t.metric.name);
        text.strip_prefix(&prefix).unwrap_or(&text).to_string()
    };
    let deadline = |t: &Target| {
        let text = tail(t);
        text.find(" by ")
            .or_else(|| text.find(" within "))
            .map(|i| text[i + 1..].to_string())
    };
    if deadline(a) != deadline(b) {
        parts.push(format!(
            "deadline {}",
            match (deadline(a), deadline(b)) {
                (Some(x), Some(y)) => format!("moved from `{x}` to `{y}`"),
                (None, Some(y)) => format!("`{y}` added"),
                (Some(x), None) => format!("`{x}` removed"),
                (None, None) => String::new(),
            }
        ));
        if id == "target.changed" {
            id = "target.deadline".to_string();
        }
    }
    if parts.is_empty() {
        parts.push(format!("changed from `{}` to `{}`", tail(a), tail(b)));
    }
    (Class::Breaking, id, parts.join("; "))
}

/// Pairs each new target with the old one it replaces. A metric may carry
/// several targets: identical ones pair first, then the rest in order, so
/// that inserting an interim target reads as an addition, not as a change
/// of every later target. Returns the pairs (new, old if any) and the old
/// targets left unpaired (removed).
fn pair_targets<'a>(
    old: &'a [Item],
    new: &'a [Item],
) -> (Vec<(&'a Target, Option<&'a Target>)>, Vec<&'a Target>) {
    let targets = |items: &'a [Item]| -> Vec<&'a Target> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Target(t) => Some(t),
                _ => None,
            })
            .collect()
    };
    let text = |t: &Target| review_parts(&Item::Target(t.clone())).0;
    let mut unpaired_old = targets(old);
    let new_targets = targets(new);
    let mut pairs: Vec<(&Target, Option<&Target>)> =
        new_targets.iter().map(|t| (*t, None)).collect();
    // Identical targets first.
    for pair in &mut pairs {
        if let Some(i) = unpaired_old.iter().position(|o| text(o) == text(pair.0)) {
            pair.1 = Some(unpaired_old.remove(i));
        }
    }
    // Then the remaining targets of the same metric, in order.
    for pair in &mut pairs {
        if pair.1.is_none()
            && let Some(i) = unpaired_old
                .iter()
                .position(|o| o.metric.name == pair.0.metric.name)
        {
            pair.1 = Some(unpaired_old.remove(i));
        }
    }
    (pairs, unpaired_old)
}

/// Metrics with at least one target, per file.
fn targeted(file: &File) -> BTreeSet<&str> {
    doc(file)
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Target(t) => Some(t.metric.name.as_str()),
            _ => None,
        })
        .collect()
}

fn goal_has_target(goal: &Goal, file: &File) -> bool {
    let targets = targeted(file);
    goal.fields.iter().any(|f| match &f.value {
        GoalField::MeasuredBy(ms) => ms.iter().any(|m| targets.contains(m.name.as_str())),
        _ => false,
    })
}

fn goals_left_without_target(changes: &mut Vec<Change>, old: &File, new: &File) {
    let goals = |f: &File| -> Vec<Goal> {
        doc(f)
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Goal(g) => Some(g.clone()),
                _ => None,
            })
            .collect()
    };
    let before = goals(old);
    for goal in goals(new) {
        let Some(was) = before.iter().find(|g| g.name.name == goal.name.name) else {
            continue;
        };
        if goal_has_target(was, old) && !goal_has_target(&goal, new) {
            changes.push(change(
                Class::Breaking,
                "goal.without_target",
                &format!("goal {}", goal.name.name),
                format!(
                    "goal `{}` is left without a target: its progress can no longer be judged",
                    goal.name.name
                ),
                None,
                None,
                Some(goal.name.span),
            ));
        }
    }
}

/// The text an amendment is known by across versions.
fn amendment_key(a: &Amendment) -> String {
    format!(
        "{} {}",
        crate::syntax::format::date(&a.date),
        a.summary.value
    )
}

/// What one amendment lacks to approve a version's breaking changes.
struct Shortfall<'a> {
    amendment: &'a Amendment,
    /// Breaking changes it does not name, by subject.
    unnamed: Vec<&'a str>,
    /// Parties with no approval, and parties whose approval has no date.
    unapproved: Vec<&'a str>,
    undated: Vec<&'a str>,
}

impl Shortfall<'_> {
    fn size(&self) -> usize {
        self.unnamed.len() + self.unapproved.len() + self.undated.len()
    }
}

/// Breaking changes in a raised version need an amendment that brings in
/// that version (a `version` line, or an amendment new in this version),
/// names every breaking change's subject in `changes` or `removes`, and is
/// approved by every party of the agreement, each on a date.
fn approval(
    old: &[Item],
    new: &[Item],
    changes: &[Change],
    version: u64,
    version_span: Span,
) -> Vec<Diagnostic> {
    let breaking = changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .count();
    let mut subjects: Vec<&str> = Vec::new();
    for change in changes.iter().filter(|c| c.class == Class::Breaking) {
        if !subjects.contains(&change.subject.as_str()) {
            subjects.push(&change.subject);
        }
    }
    let parties: Vec<&str> = new
        .iter()
        .filter_map(|i| match i {
            Item::Party(p) => Some(p.name.name.as_str()),
            _ => None,
        })
        .collect();
    let old_amendments: BTreeSet<String> = old
        .iter()
        .filter_map(|i| match i {
            Item::Amendment(a) => Some(amendment_key(a)),
            _ => None,
        })
        .collect();
    let candidates: Vec<&Amendment> = new
        .iter()
        .filter_map(|i| match i {
            Item::Amendment(a) => Some(a),
            _ => None,
        })
        .filter(|a| match a.version() {
            Some(v) => v.value == version,
            None => !old_amendments.contains(&amendment_key(a)),
        })
        .collect();
    // What is still in the new version goes under `changes`, what left it
    // under `removes`.
    let present: BTreeSet<String> = new.iter().map(subject_of).collect();
    let removed = |subject: &str| !present.contains(subject);

    let shortfalls: Vec<Shortfall> = candidates
        .iter()
        .map(|&amendment| {
            let named: BTreeSet<String> = amendment.subjects().map(Subject::text).collect();
            let approval_of = |party: &str| {
                let mut approvals = amendment.approvals().filter(|a| a.party.name == party);
                let first = approvals.next()?;
                Some(first.date.is_some() || approvals.any(|a| a.date.is_some()))
            };
            Shortfall {
                amendment,
                unnamed: subjects
                    .iter()
                    .copied()
                    .filter(|s| !named.contains(*s))
                    .collect(),
                unapproved: parties
                    .iter()
                    .copied()
                    .filter(|p| approval_of(p).is_none())
                    .collect(),
                undated: parties
                    .iter()
                    .copied()
                    .filter(|p| approval_of(p) == Some(false))
                    .collect(),
            }
        })
        .collect();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let quoted = |list: &[&str]| {
        list.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The one that lacks least, preferring one that names the version, then
    // the last written.
    let Some(best) = shortfalls
        .iter()
        .rev()
        .min_by_key(|s| (s.size(), s.amendment.version().is_none()))
    else {
        let text = amendment_text(None, version, &subjects, &removed, &parties);
        return vec![
            Diagnostic::new(
                codes::AMENDMENT_MISSING,
                format!(
                    "{} in version {version}, but no amendment records {} approval",
                    plural(breaking, "breaking change"),
                    if breaking == 1 { "its" } else { "their" }
                ),
            )
            .with_label(version_span, format!("no amendment brings in version {version}"))
            .with_help(format!(
                "record the approval with an amendment (fill in the dates and the summary):\n\n{text}"
            )),
        ];
    };
    if best.size() == 0 {
        return Vec::new();
    }
    let amendment = best.amendment;
    let text = amendment_text(Some(amendment), version, &subjects, &removed, &parties);
    let line_of = |pick: fn(&AmendmentField) -> bool| {
        amendment
            .fields()
            .iter()
            .find(|f| pick(&f.value))
            .map_or(amendment.summary.span, |f| f.span)
    };
    let mut findings = Vec::new();
    if !best.unnamed.is_empty() {
        let span =
            line_of(|f| matches!(f, AmendmentField::Changes(_) | AmendmentField::Removes(_)));
        findings.push(
            Diagnostic::new(
                codes::AMENDMENT_INCOMPLETE,
                format!(
                    "the amendment for version {version} does not name {}: {}",
                    plural(best.unnamed.len(), "breaking change"),
                    quoted(&best.unnamed)
                ),
            )
            .with_label(span, format!("{} not named", quoted(&best.unnamed)))
            .with_help(format!(
                "name every breaking change, so that the approval covers it:\n\n{text}"
            )),
        );
    }
    if !best.unapproved.is_empty() || !best.undated.is_empty() {
        let span = line_of(|f| matches!(f, AmendmentField::ApprovedBy(_)));
        let mut lacks = Vec::new();
        if !best.unapproved.is_empty() {
            lacks.push(format!("no approval from {}", quoted(&best.unapproved)));
        }
        if !best.undated.is_empty() {
            lacks.push(format!(
                "no date for the approval of {}",
                quoted(&best.undated)
            ));
        }
        findings.push(
            Diagnostic::new(
                codes::APPROVAL_MISSING,
                format!(
                    "version {version} is not approved by every party with a date: {}",
                    lacks.join("; ")
                ),
            )
            .with_label(span, lacks.join("; "))
            .with_help(format!(
                "every party approves a breaking change, each on a date (fill in the dates):\n\n{text}"
            )),
        );
    }
    findings
}

/// The amendment that approves `version`: the one written so far (its date
/// and summary, what it already names, the approvals it has) completed with
/// what it lacks, or a new one with placeholders.
fn amendment_text(
    amendment: Option<&Amendment>,
    version: u64,
    subjects: &[&str],
    removed: &dyn Fn(&str) -> bool,
    parties: &[&str],
) -> String {
    use crate::syntax::format::{date, string};
    let written = |pick: fn(&AmendmentField) -> Option<&Vec<Subject>>| -> Vec<String> {
        amendment
            .into_iter()
            .flat_map(|a| a.fields())
            .filter_map(|f| pick(&f.value))
            .flatten()
            .map(Subject::text)
            .collect()
    };
    let mut changed = written(|f| match f {
        AmendmentField::Changes(s) => Some(s),
        _ => None,
    });
    let mut gone = written(|f| match f {
        AmendmentField::Removes(s) => Some(s),
        _ => None,
    });
    for subject in subjects {
        if changed.iter().chain(&gone).any(|s| s == subject) {
            continue;
        }
        if removed(subject) {
            gone.push(subject.to_string());
        } else {
            changed.push(subject.to_string());
        }
    }
    let approvals: Vec<String> = parties
        .iter()
        .map(|party| {
            let dated = amendment.and_then(|a| {
                a.approvals()
                    .filter(|x| x.party.name == *party)
                    .find_map(|x| x.date.as_ref())
            });
            match dated {
                Some(d) => format!("{party} on {}", date(d)),
                None => format!("{party} on YYYY-MM-DD"),
            }
        })
        .collect();
    let header = match amendment {
        Some(a) => format!("amendment {} {}", date(&a.date), string(&a.summary.value)),
        None => "amendment YYYY-MM-DD \"What changed, and why\"".to_string(),
    };
    let mut lines = vec![format!("{header} {{"), format!("  version {version}")];
    if !changed.is_empty() {
        lines.push(format!("  changes {}", changed.join(", ")));
    }
    if !gone.is_empty() {
        lines.push(format!("  removes {}", gone.join(", ")));
    }
    if !approvals.is_empty() {
        lines.push(format!("  approved by {}", approvals.join(", ")));
    }
    lines.push("}".to_string());
    lines.join("\n")
}
