//! The canonical layout. The tree is printed item by item; plain comments,
//! which are not in the tree, are put back by position: a comment before a
//! node is printed above it, a comment on the line where a node ends stays at
//! the end of that line. Single blank lines between items are kept.

use super::ast::*;
use super::lexer::Comment;

const INDENT: &str = "  ";

pub fn format_file(file: &File, comments: &[Comment], source: &str) -> String {
    let mut p = Printer {
        out: String::with_capacity(source.len() + 64),
        depth: 0,
        comments,
        next: 0,
        source,
        last_end: 0,
        at_block_start: true,
    };
    for u in &file.uses {
        p.line(u.span, format!("use {}", string(&u.path.value)));
    }
    let (keyword, docs, name, title, items, span) = match &file.root {
        Root::Agreement(a) => ("agreement", &a.docs, &a.name, &a.title, &a.items, a.span),
        Root::Catalog(c) => ("catalog", &c.docs, &c.name, &c.title, &c.items, c.span),
    };
    // Exactly one blank line between the imports and what follows.
    if !file.uses.is_empty() {
        p.out.push('\n');
        p.at_block_start = true;
    }
    p.leading(span.start);
    p.blank_line_before(span.start);
    p.docs_of(span, docs);
    p.open(
        span,
        format!("{keyword} {}{}", name.name, title_suffix(title)),
    );
    for item in items {
        p.item(item);
    }
    p.close(span);
    // Comments after the last closing brace.
    p.leading(source.len() + 1);
    p.out
}

struct Printer<'a> {
    out: String,
    depth: usize,
    comments: &'a [Comment],
    next: usize,
    source: &'a str,
    /// End of the last printed node, to find blank lines in the source.
    last_end: usize,
    at_block_start: bool,
}

impl Printer<'_> {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
    }

    fn blank_line_before(&mut self, start: usize) {
        if !self.at_block_start
            && start > self.last_end
            && self
                .source
                .get(self.last_end..start)
                .is_some_and(has_blank_line)
        {
            self.out.push('\n');
        }
        self.at_block_start = false;
    }

    /// Prints the comments that start before `position` on lines of their own.
    fn leading(&mut self, position: usize) {
        while let Some(comment) = self.comments.get(self.next) {
            if comment.span.start >= position {
                break;
            }
            self.blank_line_before(comment.span.start);
            self.indent();
            self.out.push_str(&comment.text);
            self.out.push('\n');
            self.last_end = comment.span.end;
            self.next += 1;
        }
    }

    /// Comments inside the node's span or on the line where it ends.
    fn trailing(&mut self, end: usize) {
        let line_end = self.source[end.min(self.source.len())..]
            .find('\n')
            .map_or(self.source.len(), |i| end + i);
        let mut texts = Vec::new();
        while let Some(comment) = self.comments.get(self.next) {
            if comment.span.start >= line_end {
                break;
            }
            texts.push(comment.text.as_str());
            self.last_end = self.last_end.max(comment.span.end);
            self.next += 1;
        }
        if !texts.is_empty() {
            self.out.push(' ');
            self.out.push_str(&texts.join(" "));
        }
    }

    fn docs(&mut self, docs: &Docs) {
        for line in docs {
            self.indent();
            if line.is_empty() {
                self.out.push_str("///");
            } else {
                self.out.push_str("/// ");
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
    }

    /// A node printed on one line.
    fn line(&mut self, span: super::span::Span, text: String) {
        self.leading(span.start);
        self.blank_line_before(span.start);
        self.indent();
        self.out.push_str(&text);
        self.trailing(span.end);
        self.out.push('\n');
        self.last_end = self.last_end.max(span.end);
    }

    /// Prints doc comments, then the plain comments written between them
    /// and the item they document.
    fn docs_of(&mut self, span: super::span::Span, docs: &Docs) {
        self.at_block_start = true;
        self.docs(docs);
        if !docs.is_empty() {
            self.leading(after_comments(self.source, span.start));
        }
        self.at_block_start = false;
    }

    fn documented_line(&mut self, span: super::span::Span, docs: &Docs, text: String) {
        self.leading(span.start);
        self.blank_line_before(span.start);
        self.docs_of(span, docs);
        self.indent();
        self.out.push_str(&text);
        self.trailing(span.end);
        self.out.push('\n');
        self.last_end = self.last_end.max(span.end);
    }

    /// The header line of a block, ending in `{`.
    fn open(&mut self, span: super::span::Span, header: String) {
        self.indent();
        self.out.push_str(&header);
        self.out.push_str(" {");
        // A comment on the header line stays there.
        let header_start = after_comments(self.source, span.start);
        let brace = opening_brace(&self.source[header_start..span.end])
            .map_or(span.start, |i| header_start + i);
        self.trailing(brace + 1);
        self.out.push('\n');
        self.last_end = brace + 1;
        self.depth += 1;
        self.at_block_start = true;
    }

    fn close(&mut self, span: super::span::Span) {
        let closing = span.end.saturating_sub(1);
        self.leading(closing);
        self.depth -= 1;
        self.indent();
        self.out.push('}');
        self.trailing(span.end);
        self.out.push('\n');
        self.last_end = span.end;
        self.at_block_start = false;
    }

    /// Prints `header {}` for a block with no fields and no comments inside;
    /// returns false (printing nothing) when comments must go inside it.
    fn empty_block(&mut self, span: super::span::Span, header: &str) -> bool {
        if self
            .comments
            .get(self.next)
            .is_some_and(|c| c.span.start < span.end)
        {
            return false;
        }
        self.indent();
        self.out.push_str(header);
        self.out.push_str(" {}");
        self.trailing(span.end);
        self.out.push('\n');
        self.last_end = span.end;
        self.at_block_start = false;
        true
    }

    /// A block whose fields are printed one per line.
    fn block<F>(
        &mut self,
        span: super::span::Span,
        docs: &Docs,
        header: String,
        fields: &[Spanned<F>],
        field: impl Fn(&F) -> String,
    ) {
        self.leading(span.start);
        self.blank_line_before(span.start);
        self.docs_of(span, docs);
        if fields.is_empty() && self.empty_block(span, &header) {
            return;
        }
        self.open(span, header);
        for f in fields {
            self.line(f.span, field(&f.value));
        }
        self.close(span);
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Version(v) => self.line(v.span, format!("version {}", v.value.value)),
            Item::Effective(e) => self.line(e.span, format!("effective {}", date_range(&e.value))),
            Item::Currency(c) => self.line(c.span, format!("currency {}", c.value.code)),
            Item::Timezone(t) => self.line(t.span, format!("timezone {}", string(&t.value.value))),
            Item::Journey(j) => self.line(j.span, format!("journey {}", idents(&j.value))),
            Item::NoGoal(n) => self.line(
                n.span,
                format!(
                    "no goal for {} {}",
                    n.value.outcome.value.word(),
                    string(&n.value.reason.value)
                ),
            ),
            Item::Party(x) => self.block(
                x.span,
                &x.docs,
                named("party", &x.name, &x.title),
                &x.fields,
                party_field,
            ),
            Item::Goal(x) => self.block(
                x.span,
                &x.docs,
                named("goal", &x.name, &x.title),
                &x.fields,
                goal_field,
            ),
            Item::Source(x) => self.source(x),
            Item::Event(x) => self.documented_line(x.span, &x.docs, event(x)),
            Item::Attribution(x) => self.block(
                x.span,
                &x.docs,
                named("attribution", &x.name, &x.title),
                &x.fields,
                attribution_field,
            ),
            Item::Segment(x) => self.documented_line(x.span, &x.docs, segment(x)),
            Item::Metric(x) => self.block(
                x.span,
                &x.docs,
                named("metric", &x.name, &x.title),
                &x.fields,
                metric_field,
            ),
            Item::Target(x) => self.documented_line(
                x.span,
                &x.docs,
                format!(
                    "target {} {}",
                    x.metric.name,
                    goal_tail(&x.goalpost, &x.per, &x.deadline)
                ),
            ),
            Item::Pilot(x) => self.block(
                x.span,
                &x.docs,
                named("pilot", &x.name, &x.title),
                &x.fields,
                pilot_field,
            ),
            Item::Scorecard(x) => self.block(
                x.span,
                &x.docs,
                named("scorecard", &x.name, &x.title),
                &x.fields,
                scorecard_field,
            ),
            Item::Review(x) => self.block(
                x.span,
                &x.docs,
                named("review", &x.name, &x.title),
                &x.fields,
                review_field,
            ),
            Item::Initiative(x) => self.block(
                x.span,
                &x.docs,
                named("initiative", &x.name, &x.title),
                &x.fields,
                initiative_field,
            ),
            Item::Evidence(x) => self.block(
                x.span,
                &x.docs,
                named("evidence", &x.name, &x.title),
                &x.fields,
                evidence_field,
            ),
            Item::Amendment(x) => {
                let header = format!("amendment {} {}", date(&x.date), string(&x.summary.value));
                match &x.fields {
                    None => self.documented_line(x.span, &x.docs, header),
                    Some(fields) => self.block(x.span, &x.docs, header, fields, amendment_field),
                }
            }
            Item::Incentive(x) => self.block(
                x.span,
                &x.docs,
                named("incentive", &x.name, &x.title),
                &x.fields,
                incentive_field,
            ),
            Item::Audit(x) => {
                let schedule = x
                    .schedule
                    .as_ref()
                    .map(|s| format!(" {}", s.name))
                    .unwrap_or_default();
                self.block(
                    x.span,
                    &x.docs,
                    format!("audit {}{schedule}", x.source.name),
                    &x.fields,
                    audit_field,
                )
            }
            Item::Dispute(x) => self.block(x.span, &x.docs, "dispute".to_string(), &x.steps, |s| {
                format!(
                    "escalate {} within {}",
                    string(&s.to.value),
                    duration(&s.within)
                )
            }),
        }
    }

    /// Sources have documented columns, so they are printed field by field.
    fn source(&mut self, x: &Source) {
        self.leading(x.span.start);
        self.blank_line_before(x.span.start);
        self.docs_of(x.span, &x.docs);
        let header = named("source", &x.name, &x.title);
        if x.fields.is_empty() && self.empty_block(x.span, &header) {
            return;
        }
        self.open(x.span, header);
        for f in &x.fields {
            match &f.value {
                SourceField::Column(c) => self.documented_line(f.span, &c.docs, column(c)),
                other => self.line(f.span, source_field(other)),
            }
        }
        self.close(x.span);
    }
}

/// The offset of the first `{` outside a string.
fn opening_brace(header: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// The first offset at or after `start` that is not whitespace or a comment.
fn after_comments(source: &str, start: usize) -> usize {
    let mut position = start;
    loop {
        let rest = &source[position..];
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        if !trimmed.starts_with("//") {
            return position + skipped;
        }
        position += skipped + trimmed.find('\n').unwrap_or(trimmed.len());
    }
}

fn has_blank_line(between: &str) -> bool {
    let lines: Vec<&str> = between.split('\n').collect();
    lines.len() >= 3
        && lines[1..lines.len() - 1]
            .iter()
            .any(|l| l.trim().is_empty())
}

// ------------------------------------------------------------------ pieces

fn named(keyword: &str, name: &Ident, title: &Option<Str>) -> String {
    format!("{keyword} {}{}", name.name, title_suffix(title))
}

fn title_suffix(title: &Option<Str>) -> String {
    title
        .as_ref()
        .map(|t| format!(" {}", string(&t.value)))
        .unwrap_or_default()
}

/// A string literal, escaped so that it reads back identically.
pub fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn idents(list: &[Ident]) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn strings(list: &[Str]) -> String {
    list.iter()
        .map(|s| string(&s.value))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn number(value: f64) -> String {
    format!("{value}")
}

pub fn percent(n: &Number) -> String {
    format!("{}%", number(n.value))
}

pub fn money(m: &Money) -> String {
    format!("{} {}", number(m.amount), m.currency.code)
}

pub fn duration(d: &Duration) -> String {
    format!("{} {}", number(d.amount), d.unit.word(d.amount != 1.0))
}

pub fn date(d: &Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

pub fn date_range(r: &DateRange) -> String {
    format!("{} to {}", date(&r.start), date(&r.end))
}

pub fn literal(l: &Literal) -> String {
    match l {
        Literal::Number(n) => number(n.value),
        Literal::Percent(n) => percent(n),
        Literal::Money(m) => money(m),
        Literal::Duration(d) => duration(d),
        Literal::Date(d) => date(d),
        Literal::String(s) => string(&s.value),
        Literal::Bool(b) => b.value.to_string(),
    }
}

pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Binary { op, lhs, rhs, .. } => {
            let left = match lhs.as_ref() {
                Expr::Binary { op: inner, .. } if inner.precedence() < op.precedence() => {
                    format!("({})", expr(lhs))
                }
                _ => expr(lhs),
            };
            let right = match rhs.as_ref() {
                Expr::Binary { op: inner, .. } if inner.precedence() <= op.precedence() => {
                    format!("({})", expr(rhs))
                }
                _ => expr(rhs),
            };
            format!("{left} {} {right}", op.symbol())
        }
        Expr::Neg { operand, .. } => match operand.as_ref() {
            Expr::Binary { .. } => format!("-({})", expr(operand)),
            _ => format!("-{}", expr(operand)),
        },
        Expr::Call { function, args, .. } => {
            let args: Vec<String> = args.iter().map(arg).collect();
            format!("{}({})", function.name, args.join(", "))
        }
        Expr::Path(p) => p.dotted(),
        Expr::Literal(l) => literal(l),
    }
}

fn arg(a: &Arg) -> String {
    let value = match &a.value {
        ArgValue::Expr(e) => expr(e),
        ArgValue::Range(from, to) => format!("{} to {}", duration(from), duration(to)),
    };
    match &a.label {
        Some(label) => format!("{} {value}", label.name),
        None => value,
    }
}

pub fn condition(c: &Condition) -> String {
    match c {
        Condition::Or { operands, .. } => operands
            .iter()
            .map(|o| match o {
                Condition::Or { .. } => format!("({})", condition(o)),
                _ => condition(o),
            })
            .collect::<Vec<_>>()
            .join(" or "),
        Condition::And { operands, .. } => operands
            .iter()
            .map(|o| match o {
                Condition::Or { .. } | Condition::And { .. } => format!("({})", condition(o)),
                _ => condition(o),
            })
            .collect::<Vec<_>>()
            .join(" and "),
        Condition::Not { operand, .. } => match operand.as_ref() {
            Condition::Compare { .. } | Condition::In { .. } | Condition::IsNull { .. } => {
                format!("not {}", condition(operand))
            }
            _ => format!("not ({})", condition(operand)),
        },
        Condition::Compare {
            column, op, value, ..
        } => {
            format!("{} {} {}", column.dotted(), op.symbol(), literal(value))
        }
        Condition::In {
            column,
            negated,
            values,
            ..
        } => {
            let values: Vec<String> = values.iter().map(literal).collect();
            let not = if *negated { "not " } else { "" };
            format!("{} {not}in [{}]", column.dotted(), values.join(", "))
        }
        Condition::IsNull {
            column, negated, ..
        } => {
            let not = if *negated { "not " } else { "" };
            format!("{} is {not}null", column.dotted())
        }
    }
}

pub fn goalpost(g: &Goalpost) -> String {
    match g {
        Goalpost::AtLeast { value } => format!("at least {}", literal(value)),
        Goalpost::AtMost { value } => format!("at most {}", literal(value)),
        Goalpost::Between { low, high } => {
            format!("between {} and {}", literal(low), literal(high))
        }
        Goalpost::Change {
            direction,
            amount,
            baseline,
        } => {
            let mut out = match direction.value {
                Direction::Increase => "increase".to_string(),
                Direction::Decrease => "decrease".to_string(),
            };
            if let Some(a) = amount {
                out.push(' ');
                out.push_str(&percent(a));
            }
            if let Some(b) = baseline {
                out.push_str(" over baseline ");
                out.push_str(&date_range(b));
            }
            out
        }
    }
}

pub fn goal_tail(
    g: &Goalpost,
    per: &Option<Spanned<Period>>,
    deadline: &Option<Spanned<Deadline>>,
) -> String {
    let mut out = goalpost(g);
    if let Some(p) = per {
        out.push_str(" per ");
        out.push_str(p.value.word());
    }
    if let Some(d) = deadline {
        match &d.value {
            Deadline::By { date: day } => {
                out.push_str(" by ");
                out.push_str(&date(day));
            }
            Deadline::Within {
                duration: length,
                of,
            } => {
                out.push_str(" within ");
                out.push_str(&duration(length));
                if let Some(of) = of {
                    out.push_str(" of ");
                    out.push_str(&of.name);
                }
            }
        }
    }
    out
}

fn party_field(f: &PartyField) -> String {
    match f {
        PartyField::Role(r) => format!("role {}", r.name),
        PartyField::Contact(c) => format!("contact {}", string(&c.value)),
        PartyField::Owner(o) => format!("owner {}", string(&o.value)),
        PartyField::IdentifiedBy { column, values } => {
            format!("identified by {} {}", column.name, strings(values))
        }
    }
}

fn goal_field(f: &GoalField) -> String {
    match f {
        GoalField::Party(p) => format!("party {}", p.name),
        GoalField::Outcome(o) => format!("outcome {}", o.value.word()),
        GoalField::MeasuredBy(m) => format!("measured by {}", idents(m)),
        GoalField::Owner(o) => format!("owner {}", o.name),
    }
}

fn column_ref(c: &ColumnRef) -> String {
    match &c.physical {
        Some(p) => format!("{} named {}", c.name.name, string(&p.value)),
        None => c.name.name.clone(),
    }
}

fn source_field(f: &SourceField) -> String {
    match f {
        SourceField::Table(t) => format!("table {}", string(&t.value)),
        SourceField::Owner(o) => format!("owner {}", o.name),
        SourceField::Customer(c) => format!("customer {}", column_ref(c)),
        SourceField::Time { column: c, instant } => match (&c.physical, instant) {
            (Some(p), true) => format!("time {} instant named {}", c.name.name, string(&p.value)),
            (None, true) => format!("time {} instant", c.name.name),
            (_, false) => format!("time {}", column_ref(c)),
        },
        SourceField::Id(c) => format!("id {}", column_ref(c)),
        SourceField::Column(c) => column(c),
        SourceField::Freshness(d) => format!("freshness {}", duration(d)),
    }
}

fn column(c: &Column) -> String {
    let mut out = format!("column {} {}", c.name.name, c.ty.value.word());
    if let Some(currency) = &c.currency {
        out.push(' ');
        out.push_str(&currency.code);
    }
    if c.pii {
        out.push_str(" pii");
    }
    if let Some(p) = &c.physical {
        out.push_str(" named ");
        out.push_str(&string(&p.value));
    }
    out
}

fn event(e: &Event) -> String {
    let mut out = format!(
        "event {}{} from {}",
        e.name.name,
        title_suffix(&e.title),
        e.source.name
    );
    if let Some(f) = &e.filter {
        out.push_str(" where ");
        out.push_str(&condition(f));
    }
    if let Some(once) = &e.once {
        out.push(' ');
        out.push_str(once.value.words());
    }
    if let Some(s) = &e.stage {
        out.push_str(" stage ");
        out.push_str(&s.name);
    }
    out
}

fn segment(s: &Segment) -> String {
    let from = match &s.from {
        SegmentSource::Stage { .. } => "stage".to_string(),
        SegmentSource::Column(p) => p.dotted(),
    };
    format!(
        "segment {}{} from {from}",
        s.name.name,
        title_suffix(&s.title)
    )
}

fn model(m: &Model) -> String {
    if m.data_driven {
        return format!("data_driven {}", m.name.name);
    }
    if m.settings.is_empty() {
        return m.name.name.clone();
    }
    let settings: Vec<String> = m
        .settings
        .iter()
        .map(|s| match &s.value {
            SettingValue::Percent(n) => format!("{} {}", s.words, percent(n)),
            SettingValue::Duration(d) => format!("{} {}", s.words, duration(d)),
        })
        .collect();
    format!("{} {{ {} }}", m.name.name, settings.join(" "))
}

fn attribution_field(f: &AttributionField) -> String {
    match f {
        AttributionField::Touches(t) => format!("touches {}", idents(t)),
        AttributionField::Credit(c) => format!("credit {}", c.name),
        AttributionField::Channel(c) => format!("channel {}", c.name),
        AttributionField::Conversions(c) => format!("conversions {}", idents(c)),
        AttributionField::Value(v) => format!("value {}", v.dotted()),
        AttributionField::Model(m) => format!("model {}", model(&m.value)),
        AttributionField::Lookback(d) => format!("lookback {}", duration(d)),
        AttributionField::MaxTouches(n) => format!("max touches {}", n.value),
        AttributionField::Repeats(r) => match r.value {
            Repeats::Collapse => "repeats collapse".into(),
            Repeats::Keep => "repeats keep".into(),
        },
        AttributionField::IgnoreChannels(c) => format!("ignore channels {}", strings(c)),
    }
}

fn metric_field(f: &MetricField) -> String {
    match f {
        MetricField::Value { expr: e, filter } => match filter {
            Some(c) => format!("value {} where {}", expr(e), condition(c)),
            None => format!("value {}", expr(e)),
        },
        MetricField::Attributed(a) => format!("attributed {}", a.name),
        MetricField::By(b) => format!("by {}", idents(b)),
        MetricField::Indicator(i) => match i.value {
            Indicator::Leading => "indicator leading".into(),
            Indicator::Lagging => "indicator lagging".into(),
        },
        MetricField::Owner(o) => format!("owner {}", o.name),
        MetricField::Unit(u) => format!("unit {}", u.value.word()),
    }
}

fn pilot_field(f: &PilotField) -> String {
    match f {
        PilotField::Partners(p) => format!("partners {}", idents(p)),
        PilotField::During(r) => format!("during {}", date_range(r)),
        PilotField::Baseline(r) => format!("baseline {}", date_range(r)),
        PilotField::ControlPartners(p) => format!("control partners {}", idents(p)),
        PilotField::ControlCustomers(c) => format!("control customers where {}", condition(c)),
        PilotField::Hypothesis(h) => format!("hypothesis {}", string(&h.value)),
        PilotField::Inputs(i) => format!("inputs {}", idents(i)),
        PilotField::Outputs(o) => format!("outputs {}", idents(o)),
        PilotField::MinimumGroup {
            size,
            customers_word,
        } => {
            let suffix = if *customers_word { " customers" } else { "" };
            format!("minimum group {}{suffix}", size.value)
        }
        PilotField::Expect(e) => format!(
            "expect {} {}",
            e.metric.name,
            goal_tail(&e.goalpost, &e.per, &e.deadline)
        ),
    }
}

fn scorecard_field(f: &ScorecardField) -> String {
    match f {
        ScorecardField::SharedWith(p) => format!("shared with {}", idents(p)),
        ScorecardField::Metrics(m) => format!("metrics {}", idents(m)),
        ScorecardField::MinimumGroup {
            size,
            customers_word,
        } => {
            let suffix = if *customers_word { " customers" } else { "" };
            format!("minimum group {}{suffix}", size.value)
        }
        ScorecardField::OnTrackFrom(n) => format!("on track from {}", percent(n)),
        ScorecardField::AtRiskFrom(n) => format!("at risk from {}", percent(n)),
        ScorecardField::By(b) => format!("by {}", idents(b)),
    }
}

fn review_field(f: &ReviewField) -> String {
    match f {
        ReviewField::Cadence(c) => format!("cadence {}", c.name),
        ReviewField::Attendees(a) => format!("attendees {}", idents(a)),
        ReviewField::Scorecard(s) => format!("scorecard {}", s.name),
        ReviewField::Agenda(a) => format!("agenda {}", idents(a)),
        ReviewField::Reporting(r) => format!("reporting {}", r.name),
        ReviewField::Action {
            what,
            owner,
            due,
            done,
        } => {
            let mut line = format!(
                "action {} owner {} due {}",
                string(&what.value),
                owner.name,
                date(due)
            );
            if let Some(done) = done {
                line.push_str(&format!(" done {}", date(done)));
            }
            line
        }
    }
}

fn initiative_field(f: &InitiativeField) -> String {
    match f {
        InitiativeField::Owner(o) => format!("owner {}", o.name),
        InitiativeField::Due(d) => format!("due {}", date(d)),
        InitiativeField::DependsOn(d) => format!("depends on {}", idents(d)),
        InitiativeField::Supports(s) => format!("supports {}", idents(s)),
        InitiativeField::Status(s) => format!("status {}", s.name),
    }
}

fn evidence_field(f: &EvidenceField) -> String {
    match f {
        EvidenceField::Kind(k) => format!("kind {}", k.name),
        EvidenceField::Goal(g) => format!("goal {}", g.name),
        EvidenceField::Link(l) => format!("link {}", string(&l.value)),
        EvidenceField::Recorded(d) => format!("recorded {}", date(d)),
    }
}

pub fn amendment_field(f: &AmendmentField) -> String {
    match f {
        AmendmentField::Version(v) => format!("version {}", v.value),
        AmendmentField::Changes(s) => format!("changes {}", subjects(s)),
        AmendmentField::Removes(s) => format!("removes {}", subjects(s)),
        AmendmentField::ApprovedBy(a) => format!("approved by {}", approvals(a)),
    }
}

/// `target new_customers, effective`
pub fn subjects(list: &[Subject]) -> String {
    list.iter()
        .map(Subject::text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `northwind on 2026-03-28, acme on 2026-03-30`
pub fn approvals(list: &[Approval]) -> String {
    list.iter()
        .map(|a| match &a.date {
            Some(d) => format!("{} on {}", a.party.name, date(d)),
            None => a.party.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `pay` line's payment as written after the party.
pub fn payment(payment: &Payment) -> String {
    match payment {
        Payment::ShareOfAttributed { rate, attribution } => {
            format!(
                "{} of attributed value by {}",
                percent(rate),
                attribution.name
            )
        }
        Payment::ShareOfMetric { rate, metric } => {
            format!("{} of {}", percent(rate), metric.name)
        }
        Payment::AmountPerMetric { amount, metric } => {
            format!("{} per {}", money(amount), metric.name)
        }
    }
}

pub fn incentive_field(f: &IncentiveField) -> String {
    match f {
        IncentiveField::Pay {
            party,
            payment: what,
        } => {
            format!("pay {} {}", party.name, payment(what))
        }
        IncentiveField::When(conditions) => {
            let parts: Vec<String> = conditions
                .iter()
                .map(|c| format!("{} {}", c.metric.name, goalpost(&c.goalpost)))
                .collect();
            format!("when {}", parts.join(" and "))
        }
        IncentiveField::Cap { amount, per } => cap(amount, per.as_ref().map(|p| p.value)),
    }
}

/// `cap 5000 USD per quarter`.
pub fn cap(amount: &Money, per: Option<Period>) -> String {
    match per {
        Some(p) => format!("cap {} per {}", money(amount), p.word()),
        None => format!("cap {}", money(amount)),
    }
}

fn audit_field(f: &AuditField) -> String {
    match f {
        AuditField::Freshness(d) => format!("freshness {}", duration(d)),
        AuditField::Drift { sigma, window } => format!(
            "drift {} sigma over {}",
            number(sigma.value),
            duration(window)
        ),
        AuditField::Owner(o) => format!("owner {}", o.name),
        AuditField::Checks(c) => format!("checks {}", idents(c)),
    }
}

/// The canonical text of an item's parts, for change review: the header line
/// (without title) and each field as `(key, text, span)`. Keys group the fields
/// that are compared with each other: the keyword, plus the column, metric
/// or payee for fields that may appear once per name.
pub fn review_parts(item: &Item) -> (String, Vec<(String, String, super::span::Span)>) {
    fn keyed<F>(
        fields: &[Spanned<F>],
        print: fn(&F) -> String,
        key: fn(&F, &str) -> String,
    ) -> Vec<(String, String, super::span::Span)> {
        fields
            .iter()
            .map(|f| {
                let text = print(&f.value);
                (key(&f.value, &text), text, f.span)
            })
            .collect()
    }
    /// The leading keyword(s) of a printed field: words before the first
    /// name, number or string.
    fn keyword<F>(_: &F, text: &str) -> String {
        const TWO_WORDS: &[&str] = &[
            "identified",
            "measured",
            "max",
            "ignore",
            "shared",
            "minimum",
            "on",
            "at",
            "depends",
            "control",
            "approved",
        ];
        let mut words = text.split(' ');
        let first = words.next().unwrap_or_default();
        if TWO_WORDS.contains(&first) {
            // `identified by`, `on track`, `at risk`, `control partners`, ...
            return format!("{first} {}", words.next().unwrap_or_default());
        }
        first.to_string()
    }
    let header = |keyword: &str, name: &Ident| format!("{keyword} {}", name.name);
    match item {
        Item::Version(v) => (format!("version {}", v.value.value), Vec::new()),
        Item::Effective(e) => (format!("effective {}", date_range(&e.value)), Vec::new()),
        Item::Currency(c) => (format!("currency {}", c.value.code), Vec::new()),
        Item::Timezone(t) => (format!("timezone {}", string(&t.value.value)), Vec::new()),
        Item::Journey(j) => (format!("journey {}", idents(&j.value)), Vec::new()),
        Item::NoGoal(n) => (
            format!(
                "no goal for {} {}",
                n.value.outcome.value.word(),
                string(&n.value.reason.value)
            ),
            Vec::new(),
        ),
        Item::Party(x) => (
            header("party", &x.name),
            keyed(&x.fields, party_field, keyword),
        ),
        Item::Goal(x) => (
            header("goal", &x.name),
            keyed(&x.fields, goal_field, keyword),
        ),
        Item::Source(x) => (
            header("source", &x.name),
            x.fields
                .iter()
                .map(|f| match &f.value {
                    SourceField::Column(c) => {
                        (format!("column {}", c.name.name), column(c), f.span)
                    }
                    other => {
                        let text = source_field(other);
                        (keyword(other, &text), text, f.span)
                    }
                })
                .collect(),
        ),
        Item::Event(x) => {
            let untitled = Event {
                title: None,
                ..x.clone()
            };
            (event(&untitled), Vec::new())
        }
        Item::Segment(x) => {
            let untitled = Segment {
                title: None,
                ..x.clone()
            };
            (segment(&untitled), Vec::new())
        }
        Item::Attribution(x) => (
            header("attribution", &x.name),
            keyed(&x.fields, attribution_field, keyword),
        ),
        Item::Metric(x) => (
            header("metric", &x.name),
            keyed(&x.fields, metric_field, keyword),
        ),
        Item::Target(x) => (
            format!(
                "target {} {}",
                x.metric.name,
                goal_tail(&x.goalpost, &x.per, &x.deadline)
            ),
            Vec::new(),
        ),
        Item::Pilot(x) => (
            header("pilot", &x.name),
            keyed(&x.fields, pilot_field, |f, text| match f {
                PilotField::Expect(e) => format!("expect {}", e.metric.name),
                _ => keyword(f, text),
            }),
        ),
        Item::Scorecard(x) => (
            header("scorecard", &x.name),
            keyed(&x.fields, scorecard_field, keyword),
        ),
        Item::Review(x) => (
            header("review", &x.name),
            keyed(&x.fields, review_field, keyword),
        ),
        Item::Initiative(x) => (
            header("initiative", &x.name),
            keyed(&x.fields, initiative_field, keyword),
        ),
        Item::Evidence(x) => (
            header("evidence", &x.name),
            keyed(&x.fields, evidence_field, keyword),
        ),
        Item::Amendment(x) => (
            format!("amendment {} {}", date(&x.date), string(&x.summary.value)),
            keyed(x.fields(), amendment_field, keyword),
        ),
        Item::Incentive(x) => (
            header("incentive", &x.name),
            keyed(&x.fields, incentive_field, |f, text| match f {
                IncentiveField::Pay { party, .. } => format!("pay {}", party.name),
                _ => keyword(f, text),
            }),
        ),
        Item::Audit(x) => (
            format!(
                "audit {}{}",
                x.source.name,
                x.schedule
                    .as_ref()
                    .map(|s| format!(" {}", s.name))
                    .unwrap_or_default()
            ),
            keyed(&x.fields, audit_field, keyword),
        ),
        Item::Dispute(x) => (
            "dispute".to_string(),
            x.steps
                .iter()
                .map(|s| {
                    (
                        "escalate".to_string(),
                        format!(
                            "escalate {} within {}",
                            string(&s.value.to.value),
                            duration(&s.value.within)
                        ),
                        s.span,
                    )
                })
                .collect(),
        ),
    }
}
