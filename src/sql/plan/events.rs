//! `events_<event>`: the rows of each catalog event, with normalised
//! columns, so that every later query and every analyst reads events the
//! same way.

use super::QueryId;
use super::{
    ColumnKind, Options, Planned, condition, out, partner, source_column, table_name, table_path,
};
use crate::check::scope::{Decl, Kind, Scope};
use crate::sql::tree::{self, Body, Expr, Order, Query, Select, item};
use crate::syntax::ast::*;

pub fn plan(scope: &Scope<'_>, event: &Event, options: &Options) -> Option<Planned> {
    let source = scope.source_of(event)?;
    let alias = "e";
    let attributions: Vec<&Attribution> = scope
        .of_kind(Kind::Attribution)
        .filter_map(|d| match d {
            Decl::Attribution(a) => Some(a),
            _ => None,
        })
        .collect();
    let touches_here = |a: &&&Attribution| {
        a.fields.iter().any(|f| match &f.value {
            AttributionField::Touches(t) => t
                .iter()
                .any(|n| n.name == source.name.name || n.name == event.name.name),
            _ => false,
        })
    };
    let field = |a: &Attribution, pick: fn(&AttributionField) -> Option<&Ident>| {
        a.fields
            .iter()
            .find_map(|f| pick(&f.value))
            .map(|i| i.name.clone())
    };
    // Partner and channel come from the attribution that reads these rows as
    // touches, if any; the value from the attribution whose value column
    // lives in this source.
    let credit = attributions.iter().filter(touches_here).find_map(|a| {
        field(a, |f| match f {
            AttributionField::Credit(c) => Some(c),
            _ => None,
        })
    });
    let channel = attributions.iter().filter(touches_here).find_map(|a| {
        field(a, |f| match f {
            AttributionField::Channel(c) => Some(c),
            _ => None,
        })
    });
    let value = attributions.iter().find_map(|a| {
        a.fields.iter().find_map(|f| match &f.value {
            AttributionField::Value(path)
                if path.segments.len() == 2 && path.segments[0].name == source.name.name =>
            {
                Some(path.segments[1].name.clone())
            }
            _ => None,
        })
    });
    let text_null = || Expr::ToText(Box::new(Expr::Null));
    let id = if super::has_key(source, |f| matches!(f, SourceField::Id(_))) {
        Expr::ToText(Box::new(source_column(alias, source, "id")))
    } else {
        text_null()
    };
    let mut filters = Vec::new();
    if let Some(filter) = &event.filter {
        filters.push(condition(filter, alias, source));
    }
    if let Some(as_of) = &options.as_of {
        filters.push(tree::bin(
            tree::Op::Lt,
            source_column(alias, source, "time"),
            Expr::Date(as_of.next().to_string()),
        ));
    }
    let select = Select {
        columns: vec![
            item(Expr::Str(event.name.name.clone()), "event"),
            item(
                Expr::ToText(Box::new(source_column(alias, source, "customer"))),
                "customer_id",
            ),
            item(source_column(alias, source, "time"), "event_time"),
            item(id, "event_id"),
            item(
                match &credit {
                    Some(column) => partner(scope, column, source_column(alias, source, column)),
                    None => text_null(),
                },
                "partner",
            ),
            item(
                match &channel {
                    Some(column) => Expr::ToText(Box::new(source_column(alias, source, column))),
                    None => text_null(),
                },
                "channel",
            ),
            item(
                match &value {
                    Some(column) => Expr::ToFloat(Box::new(source_column(alias, source, column))),
                    None => Expr::ToFloat(Box::new(Expr::Null)),
                },
                "value",
            ),
        ],
        from: Some(tree::From::Table {
            path: table_path(source, options),
            alias: alias.to_string(),
        }),
        filter: tree::and(filters),
        order_by: vec![
            Order::asc(tree::name("event_time")),
            Order::asc(tree::name("event_id")),
        ],
        ..Select::default()
    };
    Some(Planned {
        id: QueryId::Events(event.name.name.clone()),
        reads: Vec::new(),
        purpose: format!(
            "The rows of event `{}`{}: one row per event, with its customer, time, id, partner, channel and value.",
            event.name.name,
            event
                .title
                .as_ref()
                .map(|t| format!(" ({})", t.value))
                .unwrap_or_default()
        ),
        inputs: vec![table_name(source)],
        columns: vec![
            out("event", ColumnKind::Text, "the event name"),
            out("customer_id", ColumnKind::Text, "the customer key"),
            out(
                "event_time",
                ColumnKind::Timestamp,
                "when it happened, in the agreement's time zone",
            ),
            out(
                "event_id",
                ColumnKind::Text,
                "the row id, if the source has one",
            ),
            out(
                "partner",
                ColumnKind::Text,
                "the party credited by the touch (partner code mapped through `identified by`)",
            ),
            out("channel", ColumnKind::Text, "the touch channel"),
            out("value", ColumnKind::Number, "the conversion value"),
        ],
        query: Query {
            ctes: Vec::new(),
            body: Body::Select(Box::new(select)),
        },
    })
}
