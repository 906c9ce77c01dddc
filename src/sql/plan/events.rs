//! `events_<event>`: the rows of each catalog event, with normalised
//! columns, so that every later query and every analyst reads events the
//! same way.

use super::QueryId;
use super::{
    ColumnKind, Options, Planned, out, partner, partner_code_column, source_column, table_name,
    table_path,
};
use crate::model::{Agreement, Event};
use crate::sql::tree::{self, Body, Expr, Order, Query, Select, item};

pub fn plan(agreement: &Agreement<'_>, event: &Event<'_>, options: &Options) -> Option<Planned> {
    let source = agreement.source_of(event)?;
    let alias = "e";
    let event_name = event.named.name;
    // Partner and channel come from the attribution that reads these rows as
    // touches, if any; the value from the attribution whose value column
    // lives in this source.
    let touching = || {
        agreement.attributions.iter().filter(|a| {
            a.touches
                .iter()
                .any(|n| *n == source.name() || *n == event_name)
        })
    };
    let credit = partner_code_column(agreement, event, source);
    let channel = touching().find_map(|a| a.channel);
    let value = agreement.attributions.iter().find_map(|a| match a.value {
        Some((value_source, column)) if value_source == source.name() => Some(column),
        _ => None,
    });
    let text_null = || Expr::ToText(Box::new(Expr::Null));
    let id = if source.id.is_some() {
        Expr::ToText(Box::new(source_column(alias, source, "id")))
    } else {
        text_null()
    };
    let mut filters = super::event_rows(agreement, event, alias, source, options);
    if let Some(as_of) = &options.as_of {
        filters.push(tree::bin(
            tree::Op::Lt,
            source_column(alias, source, "time"),
            Expr::Date(as_of.next().to_string()),
        ));
    }
    let select = Select {
        columns: vec![
            item(Expr::Str(event_name.to_string()), "event"),
            item(
                Expr::ToText(Box::new(source_column(alias, source, "customer"))),
                "customer_id",
            ),
            item(source_column(alias, source, "time"), "event_time"),
            item(id, "event_id"),
            item(
                match credit {
                    Some(column) => {
                        partner(agreement, column, source_column(alias, source, column))
                    }
                    None => text_null(),
                },
                "partner",
            ),
            item(
                match channel {
                    Some(column) => Expr::ToText(Box::new(source_column(alias, source, column))),
                    None => text_null(),
                },
                "channel",
            ),
            item(
                match value {
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
        id: QueryId::Events(event_name.to_string()),
        reads: Vec::new(),
        purpose: format!(
            "The rows of event `{}`{}: one row per event, with its customer, time, id, partner, channel and value.",
            event_name,
            event
                .named
                .title
                .map(|t| format!(" ({t})"))
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
