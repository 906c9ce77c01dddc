//! The domain rules. Each rule reports through a stable code (see
//! `diagnostics::codes`), and each submodule covers one part of an
//! agreement:
//!
//! - [`data`]: parties, sources, events, segments, attribution;
//! - [`metrics`]: metrics and their units, targets, goals, vanity metrics;
//! - [`programs`]: the header, pilots, scorecards, reviews, the roadmap,
//!   incentives, audits.

mod data;
mod metrics;
mod programs;

use std::collections::HashMap;

use super::dates;
use super::scope::{Scope, ScopeKind, repeated};
use super::units::{ColumnInfo, Quantity};
use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::ast::{DateRange, Ident, Spanned, Unit};
use crate::syntax::expected::closest;
use crate::syntax::span::Span;

/// What the rules learn about each metric, shared between rule families.
#[derive(Debug, Clone, Default)]
pub struct MetricFacts<'a> {
    /// What its value computes, when that could be worked out.
    pub quantity: Option<Quantity>,
    /// Its declared unit, or the one inferred from its value.
    pub unit: Option<Unit>,
    /// Every column its value and filter read.
    pub reads: Vec<ColumnInfo<'a>>,
}

pub struct Ctx<'s, 'a> {
    pub scope: &'s Scope<'a>,
    pub diagnostics: &'s mut Vec<Diagnostic>,
    pub metrics: HashMap<&'a str, MetricFacts<'a>>,
}

/// Runs every rule on one scope.
pub fn check(scope: &Scope<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let mut ctx = Ctx {
        scope,
        diagnostics,
        metrics: HashMap::new(),
    };
    data::check(&mut ctx);
    if scope.kind == ScopeKind::Agreement {
        metrics::check(&mut ctx);
        programs::check(&mut ctx);
    }
}

impl Ctx<'_, '_> {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A `Diagnostic` with one label and a help line.
    pub fn report(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: &str,
    ) {
        self.diagnostics.push(
            Diagnostic::new(code, message)
                .with_label(span, label)
                .with_help(help),
        );
    }

    /// A required field is missing from a block.
    pub fn missing(&mut self, block: &str, name: &Ident, field: &str, help: &str) {
        self.report(
            codes::MISSING_FIELD,
            name.span,
            format!("{block} `{}` has no `{field}`", name.name),
            &format!("`{field}` missing"),
            help,
        );
    }

    /// An identifier that must be one of a fixed set of words.
    pub fn word(&mut self, code: &'static str, ident: &Ident, what: &str, words: &[&str]) -> bool {
        if words.contains(&ident.name.as_str()) {
            return true;
        }
        let help = match closest(&ident.name, words) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("use one of: {}", words.join(", ")),
        };
        self.report(
            code,
            ident.span,
            format!("`{}` is not a known {what}", ident.name),
            &format!("unknown {what}"),
            &help,
        );
        false
    }
}

/// Reports fields that may appear once but appear again. `key` names the
/// single-valued fields and returns `None` for repeatable ones.
pub fn single_fields<F>(
    fields: &[Spanned<F>],
    key: impl Fn(&F) -> Option<&'static str>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen: Vec<(&'static str, Span)> = Vec::new();
    for field in fields {
        if let Some(name) = key(&field.value) {
            match seen.iter().find(|(n, _)| *n == name) {
                Some((_, earlier)) => diagnostics.push(repeated(name, field.span, *earlier)),
                None => seen.push((name, field.span)),
            }
        }
    }
}

/// Reports a date range that ends before it starts; true when in order.
pub fn range_in_order(ctx: &mut Ctx<'_, '_>, range: &DateRange, what: &str) -> bool {
    let (start, end) = dates::range(range);
    if end >= start {
        return true;
    }
    ctx.push(
        Diagnostic::new(
            codes::DATE_ORDER,
            format!(
                "the {what} ends ({}) before it starts ({})",
                dates::show(end),
                dates::show(start)
            ),
        )
        .with_label(range.span, "ends before it starts")
        .with_help("write the earlier date first: `START to END`"),
    );
    false
}

/// The first field `pick` accepts, with its span.
pub fn first<'a, F, T>(
    fields: &'a [Spanned<F>],
    pick: impl Fn(&'a F) -> Option<T>,
) -> Option<(T, Span)> {
    fields
        .iter()
        .find_map(|f| pick(&f.value).map(|v| (v, f.span)))
}

/// Every value `pick` accepts, in order.
pub fn all<'a, F, T>(fields: &'a [Spanned<F>], pick: impl Fn(&'a F) -> Option<T>) -> Vec<T> {
    fields.iter().filter_map(|f| pick(&f.value)).collect()
}

/// Roles of parties that act as partners (can be credited, paid, piloted).
pub const PARTNER_ROLES: &[&str] = &[
    "partner",
    "reseller",
    "marketplace",
    "integrator",
    "referrer",
];
pub const ROLES: &[&str] = &[
    "provider",
    "partner",
    "reseller",
    "marketplace",
    "integrator",
    "referrer",
];
