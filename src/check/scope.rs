//! The names visible in one agreement (or catalog): its own declarations and
//! those of every catalog it imports. One name space for every kind of item,
//! as the language defines it.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::ast::*;
use crate::syntax::expected::closest;
use crate::syntax::span::{FileId, Span};

/// The kinds of named declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Party,
    Goal,
    Source,
    Event,
    Attribution,
    Segment,
    Metric,
    Pilot,
    Scorecard,
    Review,
    Initiative,
    Evidence,
    Incentive,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Party => "party",
            Kind::Goal => "goal",
            Kind::Source => "source",
            Kind::Event => "event",
            Kind::Attribution => "attribution",
            Kind::Segment => "segment",
            Kind::Metric => "metric",
            Kind::Pilot => "pilot",
            Kind::Scorecard => "scorecard",
            Kind::Review => "review",
            Kind::Initiative => "initiative",
            Kind::Evidence => "evidence",
            Kind::Incentive => "incentive",
        }
    }

    /// "a party", "an event".
    pub fn with_article(self) -> String {
        let word = self.word();
        let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {word}")
    }
}

/// A named declaration, borrowed from its file's tree.
#[derive(Debug, Clone, Copy)]
pub enum Decl<'a> {
    Party(&'a Party),
    Goal(&'a Goal),
    Source(&'a Source),
    Event(&'a Event),
    Attribution(&'a Attribution),
    Segment(&'a Segment),
    Metric(&'a Metric),
    Pilot(&'a Pilot),
    Scorecard(&'a Scorecard),
    Review(&'a Review),
    Initiative(&'a Initiative),
    Evidence(&'a Evidence),
    Incentive(&'a Incentive),
}

impl<'a> Decl<'a> {
    pub fn kind(&self) -> Kind {
        match self {
            Decl::Party(_) => Kind::Party,
            Decl::Goal(_) => Kind::Goal,
            Decl::Source(_) => Kind::Source,
            Decl::Event(_) => Kind::Event,
            Decl::Attribution(_) => Kind::Attribution,
            Decl::Segment(_) => Kind::Segment,
            Decl::Metric(_) => Kind::Metric,
            Decl::Pilot(_) => Kind::Pilot,
            Decl::Scorecard(_) => Kind::Scorecard,
            Decl::Review(_) => Kind::Review,
            Decl::Initiative(_) => Kind::Initiative,
            Decl::Evidence(_) => Kind::Evidence,
            Decl::Incentive(_) => Kind::Incentive,
        }
    }

    pub fn name(&self) -> &'a Ident {
        match self {
            Decl::Party(x) => &x.name,
            Decl::Goal(x) => &x.name,
            Decl::Source(x) => &x.name,
            Decl::Event(x) => &x.name,
            Decl::Attribution(x) => &x.name,
            Decl::Segment(x) => &x.name,
            Decl::Metric(x) => &x.name,
            Decl::Pilot(x) => &x.name,
            Decl::Scorecard(x) => &x.name,
            Decl::Review(x) => &x.name,
            Decl::Initiative(x) => &x.name,
            Decl::Evidence(x) => &x.name,
            Decl::Incentive(x) => &x.name,
        }
    }
}

/// Whether the scope is an agreement or a catalog checked on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Agreement,
    Catalog,
}

/// The header fields of an agreement (each at most once; repeats are
/// reported when the scope is built).
#[derive(Debug, Default)]
pub struct Header<'a> {
    pub version: Option<&'a Spanned<Integer>>,
    pub effective: Option<&'a Spanned<DateRange>>,
    pub currency: Option<&'a Spanned<Currency>>,
    pub timezone: Option<&'a Spanned<Str>>,
    pub journey: Option<&'a Spanned<Vec<Ident>>>,
    pub no_goals: Vec<&'a Spanned<NoGoal>>,
}

/// The stages used when an agreement has no `journey` line.
pub const DEFAULT_JOURNEY: &[&str] = &["awareness", "consideration", "conversion", "expansion"];

pub struct Scope<'a> {
    pub kind: ScopeKind,
    pub name: &'a Ident,
    pub title: Option<&'a Str>,
    /// The agreement's (or catalog's) doc comments.
    pub docs: &'a [String],
    pub file: FileId,
    pub header: Header<'a>,
    /// Imported declarations first (in import order), then the file's own.
    pub decls: Vec<Decl<'a>>,
    index: HashMap<&'a str, usize>,
    pub targets: Vec<&'a Target>,
    pub amendments: Vec<&'a Amendment>,
    pub audits: Vec<&'a Audit>,
    pub disputes: Vec<&'a Dispute>,
    /// The `use` lines of the scope's own file, for labels.
    pub uses: &'a [Use],
}

/// `scope.metric(ident, diagnostics)`: resolves a name that must be of one
/// kind and returns its declaration.
macro_rules! typed_resolvers {
    ($($method:ident => $kind:ident),* $(,)?) => {
        $(
            pub fn $method(&self, ident: &Ident, d: &mut Vec<Diagnostic>) -> Option<&'a $kind> {
                match self.resolve(ident, Kind::$kind, d)? {
                    Decl::$kind(x) => Some(x),
                    _ => None,
                }
            }
        )*
    };
}

impl<'a> Scope<'a> {
    /// Builds the scope of `own`, with the catalogs in `imports` (already
    /// deduplicated and in a stable order). Duplicate names are reported.
    pub fn build(
        own: &'a File,
        own_file: FileId,
        imports: &[&'a File],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Scope<'a> {
        let (kind, name, title, docs, items) = match &own.root {
            Root::Agreement(a) => (ScopeKind::Agreement, &a.name, &a.title, &a.docs, &a.items),
            Root::Catalog(c) => (ScopeKind::Catalog, &c.name, &c.title, &c.docs, &c.items),
        };
        let mut scope = Scope {
            kind,
            name,
            title: title.as_ref(),
            docs,
            file: own_file,
            header: Header::default(),
            decls: Vec::new(),
            index: HashMap::new(),
            targets: Vec::new(),
            amendments: Vec::new(),
            audits: Vec::new(),
            disputes: Vec::new(),
            uses: &own.uses,
        };
        for imported in imports {
            if let Root::Catalog(catalog) = &imported.root {
                for item in &catalog.items {
                    scope.add_item(item, diagnostics);
                }
            }
        }
        for item in items {
            scope.add_item(item, diagnostics);
        }
        scope
    }

    fn add_item(&mut self, item: &'a Item, diagnostics: &mut Vec<Diagnostic>) {
        let decl = match item {
            Item::Version(v) => {
                return set_once(&mut self.header.version, v, "version", diagnostics);
            }
            Item::Effective(v) => {
                return set_once(&mut self.header.effective, v, "effective", diagnostics);
            }
            Item::Currency(v) => {
                return set_once(&mut self.header.currency, v, "currency", diagnostics);
            }
            Item::Timezone(v) => {
                return set_once(&mut self.header.timezone, v, "timezone", diagnostics);
            }
            Item::Journey(v) => {
                return set_once(&mut self.header.journey, v, "journey", diagnostics);
            }
            Item::NoGoal(v) => {
                if let Some(earlier) = self
                    .header
                    .no_goals
                    .iter()
                    .find(|g| g.value.outcome.value == v.value.outcome.value)
                {
                    diagnostics.push(repeated(
                        &format!("no goal for {}", v.value.outcome.value.word()),
                        v.span,
                        earlier.span,
                    ));
                }
                self.header.no_goals.push(v);
                return;
            }
            Item::Target(t) => return self.targets.push(t),
            Item::Amendment(a) => return self.amendments.push(a),
            Item::Audit(a) => return self.audits.push(a),
            Item::Dispute(d) => {
                if let Some(earlier) = self.disputes.first() {
                    diagnostics.push(repeated("dispute", d.span, earlier.span));
                }
                return self.disputes.push(d);
            }
            Item::Party(x) => Decl::Party(x),
            Item::Goal(x) => Decl::Goal(x),
            Item::Source(x) => Decl::Source(x),
            Item::Event(x) => Decl::Event(x),
            Item::Attribution(x) => Decl::Attribution(x),
            Item::Segment(x) => Decl::Segment(x),
            Item::Metric(x) => Decl::Metric(x),
            Item::Pilot(x) => Decl::Pilot(x),
            Item::Scorecard(x) => Decl::Scorecard(x),
            Item::Review(x) => Decl::Review(x),
            Item::Initiative(x) => Decl::Initiative(x),
            Item::Evidence(x) => Decl::Evidence(x),
            Item::Incentive(x) => Decl::Incentive(x),
        };
        let name = decl.name();
        if let Some(&existing) = self.index.get(name.name.as_str()) {
            diagnostics.push(duplicate(&self.decls[existing], &decl));
            return;
        }
        self.index.insert(&name.name, self.decls.len());
        self.decls.push(decl);
    }

    pub fn get(&self, name: &str) -> Option<Decl<'a>> {
        self.index.get(name).map(|&i| self.decls[i])
    }

    /// Declarations of one kind, in scope order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = Decl<'a>> + '_ {
        self.decls.iter().copied().filter(move |d| d.kind() == kind)
    }

    /// Whether a span lies in the scope's own file (not in an import).
    pub fn is_own(&self, span: Span) -> bool {
        span.file == self.file
    }

    /// Resolves `ident` as a declaration of kind `want`; reports an unknown
    /// name (with a suggestion) or a name of another kind.
    pub fn resolve(
        &self,
        ident: &Ident,
        want: Kind,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Decl<'a>> {
        self.resolve_any(ident, &[want], diagnostics)
    }

    /// Like [`Scope::resolve`], accepting any of several kinds.
    pub fn resolve_any(
        &self,
        ident: &Ident,
        wants: &[Kind],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Decl<'a>> {
        let expected = wants
            .iter()
            .map(|k| k.word())
            .collect::<Vec<_>>()
            .join(" or ");
        match self.get(&ident.name) {
            Some(decl) if wants.contains(&decl.kind()) => Some(decl),
            Some(decl) => {
                diagnostics.push(
                    Diagnostic::new(
                        codes::WRONG_KIND,
                        format!(
                            "`{}` is {}, not {}",
                            ident.name,
                            decl.kind().with_article(),
                            article(&expected)
                        ),
                    )
                    .with_label(ident.span, format!("expected {}", article(&expected)))
                    .with_label(
                        decl.name().span,
                        format!("`{}` is declared here", ident.name),
                    )
                    .with_help(self.suggestion(&ident.name, wants)),
                );
                None
            }
            None => {
                diagnostics.push(
                    Diagnostic::new(
                        codes::UNKNOWN_NAME,
                        format!("unknown {expected} `{}`", ident.name),
                    )
                    .with_label(ident.span, format!("no {expected} has this name"))
                    .with_help(self.suggestion(&ident.name, wants)),
                );
                None
            }
        }
    }

    /// "did you mean `x`?", or the names that are available.
    pub fn suggestion(&self, word: &str, wants: &[Kind]) -> String {
        let names: Vec<&str> = self
            .decls
            .iter()
            .filter(|d| wants.contains(&d.kind()))
            .map(|d| d.name().name.as_str())
            .collect();
        let kinds = wants
            .iter()
            .map(|k| k.word())
            .collect::<Vec<_>>()
            .join(" or ");
        if let Some(best) = closest(word, &names) {
            return format!("did you mean `{best}`?");
        }
        match names.len() {
            0 => format!("this agreement declares no {kinds} yet"),
            1..=6 => format!(
                "known {kinds} names: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            n => format!("none of the {n} {kinds} names is close; check the spelling"),
        }
    }

    typed_resolvers! {
        party => Party,
        metric => Metric,
        goal => Goal,
        pilot => Pilot,
        segment => Segment,
        attribution => Attribution,
    }

    /// The rows of an event or a source: the source they come from.
    pub fn rows(&self, ident: &Ident, d: &mut Vec<Diagnostic>) -> Option<Rows<'a>> {
        match self.resolve_any(ident, &[Kind::Event, Kind::Source], d)? {
            Decl::Event(event) => Some(Rows {
                event: Some(event),
                source: self.source_of(event)?,
            }),
            Decl::Source(source) => Some(Rows {
                event: None,
                source,
            }),
            _ => None,
        }
    }

    /// The source of an event, when it exists (its absence is reported when
    /// the event itself is checked).
    pub fn source_of(&self, event: &Event) -> Option<&'a Source> {
        match self.get(&event.source.name) {
            Some(Decl::Source(source)) => Some(source),
            _ => None,
        }
    }

    /// The agreement's journey stages, in order.
    pub fn stages(&self) -> Vec<&str> {
        match self.header.journey {
            Some(journey) => journey.value.iter().map(|s| s.name.as_str()).collect(),
            None => DEFAULT_JOURNEY.to_vec(),
        }
    }

    /// The effective period as day numbers, when written and in order.
    pub fn effective_days(&self) -> Option<(i64, i64)> {
        let range = &self.header.effective?.value;
        let (start, end) = super::dates::range(range);
        (start <= end).then_some((start, end))
    }
}

/// The rows something reads: an event (a filtered source) or a whole source.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    pub event: Option<&'a Event>,
    pub source: &'a Source,
}

fn article(words: &str) -> String {
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

fn set_once<'a, T>(
    slot: &mut Option<&'a Spanned<T>>,
    value: &'a Spanned<T>,
    field: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match slot {
        Some(earlier) => diagnostics.push(repeated(field, value.span, earlier.span)),
        None => *slot = Some(value),
    }
}

/// A field written twice: the second is reported, the first is kept.
pub fn repeated(field: &str, span: Span, earlier: Span) -> Diagnostic {
    Diagnostic::new(
        codes::REPEATED_FIELD,
        format!("`{field}` is given more than once"),
    )
    .with_label(span, "given again here")
    .with_label(earlier, "first given here")
    .with_help(format!("keep one `{field}` line; the first one is used"))
}

fn duplicate(first: &Decl<'_>, second: &Decl<'_>) -> Diagnostic {
    let name = &second.name().name;
    if let (Decl::Event(a), Decl::Event(b)) = (first, second)
        && (a.source.name != b.source.name || !same_filter(&a.filter, &b.filter))
    {
        return Diagnostic::new(
            codes::CONFLICTING_EVENT,
            format!("event `{name}` is defined twice, with different rows"),
        )
        .with_label(second.name().span, "this definition")
        .with_label(first.name().span, "differs from this one")
        .with_help(
            "an event name must mean the same rows for every partner; keep one definition \
             (usually the catalog's) and give a different event another name",
        );
    }
    let message = if first.kind() == second.kind() {
        format!("{} `{name}` is declared twice", first.kind().word())
    } else {
        format!(
            "`{name}` is declared twice (as {} and as {})",
            first.kind().with_article(),
            second.kind().with_article()
        )
    };
    Diagnostic::new(codes::DUPLICATE_NAME, message)
        .with_label(second.name().span, "declared again here")
        .with_label(first.name().span, "first declared here")
        .with_help(
            "names are unique across an agreement and the catalogs it imports, whatever they name; \
         rename one of them",
        )
}

/// Two filters select the same rows when they are written the same way
/// (spans aside).
fn same_filter(a: &Option<Condition>, b: &Option<Condition>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            let a = serde_json::to_value(a).map(strip_spans);
            let b = serde_json::to_value(b).map(strip_spans);
            matches!((a, b), (Ok(a), Ok(b)) if a == b)
        }
        _ => false,
    }
}

/// A JSON tree without `span` fields, for comparing trees by content.
pub fn strip_spans(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(k, _)| k != "span")
                .map(|(k, v)| (k, strip_spans(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(strip_spans).collect())
        }
        other => other,
    }
}
