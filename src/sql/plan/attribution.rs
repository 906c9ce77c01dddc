//! Attribution: which touches count for each conversion, and how its credit
//! and value are shared (docs/language.md, "Attribution"; measures.md).
//!
//! The CTE chain, shared by both queries of an attribution:
//!
//! 1. `touches`: every touch row, partner codes mapped to parties;
//! 2. `conversions`: every conversion row with its value;
//! 3. `eligible`: touches of the same customer at or before the conversion
//!    and within the lookback (exact seconds, inclusive), in the fixed order
//!    time, touch id (text, NULLs last), partner, channel;
//! 4. `collapsed` (with `repeats collapse`): the first touch of each run of
//!    consecutive touches from the same partner and channel;
//! 5. `limited` (with `max touches N`): the last N touches;
//! 6. `numbered`: positions 1..n and n;
//! 7. `shares`: each touch's share by the model; `credits` per partner;
//! 8. `attributed`: one row per conversion and partner, and an
//!    `unattributed` row for conversions with no eligible touch, so that the
//!    credits always add up to the conversions and their value.

use super::QueryId;
use super::{
    ColumnKind, Options, OutputColumn, Planned, out, partner, source_column, table_name, table_path,
};
use crate::attribution_models::Touch;
use crate::check::dates::approx_days;
use crate::model::{Agreement, Attribution, Event, Rows, Source};
use crate::sql::tree::{
    self, Body, Cte, Expr, From, Join, JoinKind, Op, Order, Query, Select, bin, field, func, item,
    name, window,
};

/// The CTE chain of an attribution (see the module docs), ending with
/// `attributed`, for queries that credit rows to partners; `None` for
/// data-driven models.
pub fn credit_chain(
    agreement: &Agreement<'_>,
    attribution: &Attribution<'_>,
    options: &Options,
) -> Option<Vec<Cte>> {
    if !supported(attribution) {
        return None;
    }
    let id = QueryId::Credits(attribution.named.name.to_string());
    if options.reuse.contains(&id) {
        return Some(reused_chain(&id));
    }
    let s = resolve(agreement, attribution)?;
    Some(chain(agreement, &s, options))
}

/// The end of the chain read from the engine's table of the attribution's
/// results: `attributed`, and `conversions` (every conversion has a row in
/// `attributed`, an `unattributed` one at least).
fn reused_chain(id: &QueryId) -> Vec<Cte> {
    let table = || From::Table {
        path: vec![super::reused_table(id)],
        alias: "r".to_string(),
    };
    vec![
        Cte {
            name: "attributed".to_string(),
            body: Body::Select(Box::new(Select {
                columns: per_conversion_columns()
                    .iter()
                    .map(|c| item(field("r", &c.name), &c.name))
                    .collect(),
                from: Some(table()),
                ..Select::default()
            })),
        },
        Cte {
            name: "conversions".to_string(),
            body: Body::Select(Box::new(Select {
                distinct: true,
                columns: [
                    "conversion_event",
                    "conversion_id",
                    "customer_id",
                    "converted_at",
                ]
                .iter()
                .map(|c| item(field("r", c), c))
                .collect(),
                from: Some(table()),
                ..Select::default()
            })),
        },
    ]
}

/// An attribution with the rows it names: each touch source or event, and
/// each conversion event with its source.
struct Resolved<'m, 'a> {
    rule: &'m Attribution<'a>,
    touches: Vec<Rows<'m, 'a>>,
    conversions: Vec<(&'m Source<'a>, &'m Event<'a>)>,
}

impl Resolved<'_, '_> {
    /// The channels passed over, as literals.
    fn ignored_channels(&self) -> Vec<Expr> {
        self.rule
            .ignored_channels
            .iter()
            .map(|c| Expr::Str(c.to_string()))
            .collect()
    }

    /// The column naming the partner of a touch.
    fn credit(&self) -> &str {
        self.rule.credit.unwrap_or("")
    }

    fn lookback_seconds(&self) -> i64 {
        self.rule
            .lookback
            .map_or(0, |d| (approx_days(d) * 86_400.0).round() as i64)
    }
}

fn resolve<'m, 'a>(
    agreement: &'m Agreement<'a>,
    rule: &'m Attribution<'a>,
) -> Option<Resolved<'m, 'a>> {
    let touches = rule
        .touches
        .iter()
        .map(|name| agreement.rows(name))
        .collect::<Option<Vec<_>>>()?;
    let conversions = rule
        .conversions
        .iter()
        .map(|name| {
            let event = agreement.event(name)?;
            Some((agreement.source_of(event)?, event))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Resolved {
        rule,
        touches,
        conversions,
    })
}

/// Both queries of an attribution block: per conversion and partner, and
/// per period and partner.
/// `None` for data-driven models, which are learned from all paths rather
/// than computed by a fixed rule, and have no SQL planner yet.
pub fn plan(
    agreement: &Agreement<'_>,
    attribution: &Attribution<'_>,
    options: &Options,
) -> Option<[Planned; 2]> {
    if !supported(attribution) {
        return None;
    }
    let s = resolve(agreement, attribution)?;
    let name_text = &attribution.named.name.to_string();
    let ctes = chain(agreement, &s, options);
    let mut inputs: Vec<String> = s
        .touches
        .iter()
        .map(|rows| table_name(rows.source))
        .chain(s.conversions.iter().map(|(source, _)| table_name(source)))
        .collect();
    inputs.sort();
    inputs.dedup();

    let model = model_words(&s);
    let per_conversion = Planned {
        id: QueryId::Credits(name_text.clone()),
        reads: Vec::new(),
        purpose: format!(
            "Credit for each conversion by attribution `{name_text}` ({model}): one row per conversion and partner, an `unattributed` row for conversions no partner touched; credits of a conversion add up to 1."
        ),
        inputs: inputs.clone(),
        columns: per_conversion_columns(),
        query: Query {
            ctes: ctes.clone(),
            body: Body::Select(Box::new(Select {
                columns: per_conversion_columns()
                    .iter()
                    .map(|c| item(field("a", &c.name), &c.name))
                    .collect(),
                from: Some(tree::cte("attributed", "a")),
                order_by: vec![
                    Order::asc(name("conversion_event")),
                    Order::asc(name("conversion_id")),
                    Order::asc(name("partner")),
                ],
                ..Select::default()
            })),
        },
    };

    // Per period and partner: credits, value and assisted conversions.
    let period = options.period;
    let mut by_period_ctes = ctes;
    // The engine holding the credits already: read them, and compute only
    // the eligible touches for the assists.
    if options.reuse.contains(&per_conversion.id) {
        let kept = reused_chain(&per_conversion.id)
            .into_iter()
            .find(|c| c.name == "attributed");
        if let (Some(kept), Some(attributed)) = (
            kept,
            by_period_ctes.iter_mut().find(|c| c.name == "attributed"),
        ) {
            *attributed = kept;
        }
    }
    by_period_ctes.push(Cte {
        name: "assists".to_string(),
        body: Body::Select(Box::new(Select {
            distinct: true,
            columns: vec![
                item(field("e", "conversion_event"), "conversion_event"),
                item(field("e", "conversion_id"), "conversion_id"),
                item(field("e", "converted_at"), "converted_at"),
                item(field("e", "partner"), "partner"),
            ],
            from: Some(tree::cte("eligible", "e")),
            ..Select::default()
        })),
    });
    let zero = || Expr::ToFloat(Box::new(Expr::Int(0)));
    by_period_ctes.push(Cte {
        name: "period_rows".to_string(),
        body: Body::UnionAll(vec![
            Select {
                columns: vec![
                    item(
                        Expr::PeriodStart(period, Box::new(field("a", "converted_at"))),
                        "period_start",
                    ),
                    item(field("a", "partner"), "partner"),
                    item(field("a", "credit"), "credit"),
                    item(field("a", "credited_value"), "credited_value"),
                    item(Expr::Int(0), "assisted"),
                ],
                from: Some(tree::cte("attributed", "a")),
                ..Select::default()
            },
            Select {
                columns: vec![
                    item(
                        Expr::PeriodStart(period, Box::new(field("s", "converted_at"))),
                        "period_start",
                    ),
                    item(field("s", "partner"), "partner"),
                    item(zero(), "credit"),
                    item(zero(), "credited_value"),
                    item(Expr::Int(1), "assisted"),
                ],
                from: Some(tree::cte("assists", "s")),
                ..Select::default()
            },
        ]),
    });
    let by_period = Planned {
        id: QueryId::CreditsByPartner(name_text.clone()),
        reads: Vec::new(),
        purpose: format!(
            "Attributed conversions, attributed value and assisted conversions per {} and partner, by attribution `{name_text}` ({model}).",
            period.word()
        ),
        inputs,
        columns: vec![
            out("period_start", ColumnKind::Date, "first day of the period"),
            out(
                "partner",
                ColumnKind::Text,
                "party credited, or `unattributed`",
            ),
            out(
                "attributed_conversions",
                ColumnKind::Number,
                "sum of the partner's credit shares",
            ),
            out(
                "attributed_value",
                ColumnKind::Number,
                "sum of credit share times conversion value",
            ),
            out(
                "assisted_conversions",
                ColumnKind::Integer,
                "conversions with at least one eligible touch from the partner, whatever its credit",
            ),
        ],
        query: Query {
            ctes: by_period_ctes,
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("r", "period_start"), "period_start"),
                    item(field("r", "partner"), "partner"),
                    item(
                        func("SUM", vec![field("r", "credit")]),
                        "attributed_conversions",
                    ),
                    item(
                        func("SUM", vec![field("r", "credited_value")]),
                        "attributed_value",
                    ),
                    item(
                        func("SUM", vec![field("r", "assisted")]),
                        "assisted_conversions",
                    ),
                ],
                from: Some(tree::cte("period_rows", "r")),
                group_by: vec![field("r", "period_start"), field("r", "partner")],
                order_by: vec![
                    Order::asc(name("period_start")),
                    Order::asc(name("partner")),
                ],
                ..Select::default()
            })),
        },
    };
    Some([per_conversion, by_period])
}

fn per_conversion_columns() -> Vec<OutputColumn> {
    vec![
        out("conversion_event", ColumnKind::Text, "the conversion event"),
        out("conversion_id", ColumnKind::Text, "the conversion's row id"),
        out("customer_id", ColumnKind::Text, "the customer key"),
        out(
            "converted_at",
            ColumnKind::Timestamp,
            "when the conversion happened",
        ),
        out(
            "conversion_value",
            ColumnKind::Number,
            "the conversion's value",
        ),
        out(
            "partner",
            ColumnKind::Text,
            "party credited, or `unattributed`",
        ),
        out(
            "credit",
            ColumnKind::Number,
            "the partner's share of the conversion (0 to 1)",
        ),
        out(
            "credited_value",
            ColumnKind::Number,
            "credit times the conversion's value",
        ),
    ]
}

fn model_words(s: &Resolved<'_, '_>) -> String {
    let rule = s.rule.model();
    let model = (rule.rule.summary)(&rule.settings());
    format!("{model}, lookback {} seconds", s.lookback_seconds())
}

/// The shared CTE chain (see the module docs).
fn chain(agreement: &Agreement<'_>, s: &Resolved<'_, '_>, options: &Options) -> Vec<Cte> {
    let mut ctes = Vec::new();
    let as_of = super::data_end(options);

    // 1. touches. Customer keys are joined as they are (no cast), so that
    // engines can use an index on them.
    let ignored = &s.rule.ignored_channels;
    let ignore_before_model = !ignored.is_empty() && !s.rule.model().rule.picks_past_ignored;
    let touch_selects = touch_selects(agreement, s, options, ignore_before_model);
    ctes.push(Cte {
        name: "touches".to_string(),
        body: tree::union(touch_selects),
    });

    // 2. conversions
    let conversion_selects: Vec<Select> = s
        .conversions
        .iter()
        .map(|(source, event)| {
            let alias = "c";
            let mut filters = super::event_rows(agreement, event, alias, source, options);
            if let Some(bound) = &as_of {
                filters.push(bin(
                    Op::Lt,
                    source_column(alias, source, "time"),
                    bound.clone(),
                ));
            }
            let id = if source.id.is_some() {
                Expr::ToText(Box::new(source_column(alias, source, "id")))
            } else {
                // Without an id, the customer and time identify a conversion.
                Expr::ToText(Box::new(window(
                    func("ROW_NUMBER", vec![]),
                    vec![],
                    vec![
                        Order::asc(source_column(alias, source, "customer")),
                        Order::asc(source_column(alias, source, "time")),
                    ],
                )))
            };
            let value = match s.rule.value {
                Some((value_source, column)) if value_source == source.name() => func(
                    "COALESCE",
                    vec![
                        Expr::ToFloat(Box::new(source_column(alias, source, column))),
                        Expr::ToFloat(Box::new(Expr::Int(0))),
                    ],
                ),
                _ => Expr::ToFloat(Box::new(Expr::Int(0))),
            };
            Select {
                columns: vec![
                    item(Expr::Str(event.named.name.to_string()), "conversion_event"),
                    item(id, "conversion_id"),
                    item(source_column(alias, source, "customer"), "customer_id"),
                    item(source_column(alias, source, "time"), "converted_at"),
                    item(value, "conversion_value"),
                ],
                from: Some(From::Table {
                    path: table_path(source, options),
                    alias: alias.to_string(),
                }),
                filter: tree::and(filters),
                ..Select::default()
            }
        })
        .collect();
    ctes.push(Cte {
        name: "conversions".to_string(),
        body: tree::union(conversion_selects),
    });

    // 3. eligible touches, in the fixed order
    let conversion_key = || vec![field("c", "conversion_event"), field("c", "conversion_id")];
    let touch_order = |t: &str| {
        vec![
            Order::asc(field(t, "touched_at")),
            Order::asc(field(t, "touch_id")),
            Order::asc(field(t, "partner")),
            Order::asc(field(t, "channel")),
        ]
    };
    let seconds_before = bin(
        Op::Sub,
        Expr::EpochSeconds(Box::new(field("c", "converted_at"))),
        Expr::EpochSeconds(Box::new(field("t", "touched_at"))),
    );
    ctes.push(Cte {
        name: "eligible".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(field("c", "conversion_event"), "conversion_event"),
                item(field("c", "conversion_id"), "conversion_id"),
                item(field("c", "converted_at"), "converted_at"),
                item(field("t", "touched_at"), "touched_at"),
                item(field("t", "touch_id"), "touch_id"),
                item(field("t", "partner"), "partner"),
                item(field("t", "channel"), "channel"),
                item(seconds_before.clone(), "seconds_before"),
                item(
                    window(
                        func("ROW_NUMBER", vec![]),
                        conversion_key(),
                        touch_order("t"),
                    ),
                    "touch_order",
                ),
            ],
            from: Some(tree::cte("conversions", "c")),
            joins: vec![Join {
                kind: JoinKind::Inner,
                from: tree::cte("touches", "t"),
                on: tree::and(vec![
                    bin(Op::Eq, field("t", "customer_id"), field("c", "customer_id")),
                    bin(Op::Le, field("t", "touched_at"), field("c", "converted_at")),
                    bin(Op::Le, seconds_before, Expr::Int(s.lookback_seconds())),
                ])
                .expect("three conditions"),
            }],
            ..Select::default()
        })),
    });
    let key = |t: &str| vec![field(t, "conversion_event"), field(t, "conversion_id")];
    let by_order = |t: &str| vec![Order::asc(field(t, "touch_order"))];
    let mut current = "eligible";

    // 4. repeats collapse: keep the first touch of each run.
    if s.rule.collapse {
        let previous = |column: &str| {
            window(
                func("LAG", vec![field("e", column)]),
                key("e"),
                by_order("e"),
            )
        };
        ctes.push(Cte {
            name: "with_previous".to_string(),
            body: Body::Select(Box::new(Select {
                columns: touch_columns("e")
                    .into_iter()
                    .chain([
                        item(previous("partner"), "previous_partner"),
                        item(previous("channel"), "previous_channel"),
                    ])
                    .collect(),
                from: Some(tree::cte("eligible", "e")),
                ..Select::default()
            })),
        });
        ctes.push(Cte {
            name: "collapsed".to_string(),
            body: Body::Select(Box::new(Select {
                columns: touch_columns("p"),
                from: Some(tree::cte("with_previous", "p")),
                filter: Some(bin(
                    Op::Or,
                    bin(Op::Eq, field("p", "touch_order"), Expr::Int(1)),
                    bin(
                        Op::Or,
                        Expr::Distinct(
                            Box::new(field("p", "partner")),
                            Box::new(field("p", "previous_partner")),
                        ),
                        Expr::Distinct(
                            Box::new(field("p", "channel")),
                            Box::new(field("p", "previous_channel")),
                        ),
                    ),
                )),
                ..Select::default()
            })),
        });
        current = "collapsed";
    }

    // 5. max touches: the last N.
    if let Some(limit) = s.rule.max_touches {
        let mut columns = touch_columns("k");
        columns.push(item(
            window(
                func("ROW_NUMBER", vec![]),
                key("k"),
                vec![Order {
                    expr: field("k", "touch_order"),
                    descending: true,
                    nulls_last: true,
                }],
            ),
            "from_last",
        ));
        ctes.push(Cte {
            name: "counted_from_last".to_string(),
            body: Body::Select(Box::new(Select {
                columns,
                from: Some(tree::cte(current, "k")),
                ..Select::default()
            })),
        });
        ctes.push(Cte {
            name: "limited".to_string(),
            body: Body::Select(Box::new(Select {
                columns: touch_columns("l"),
                from: Some(tree::cte("counted_from_last", "l")),
                filter: Some(bin(
                    Op::Le,
                    field("l", "from_last"),
                    Expr::Int(limit as i64),
                )),
                ..Select::default()
            })),
        });
        current = "limited";
    }

    // 6. positions 1..n
    let mut numbered_columns = touch_columns("k");
    numbered_columns.push(item(
        window(func("ROW_NUMBER", vec![]), key("k"), by_order("k")),
        "position",
    ));
    numbered_columns.push(item(
        window(Expr::CountStar, key("k"), vec![]),
        "touch_count",
    ));
    if s.rule.model().rule.picks_past_ignored && !ignored.is_empty() {
        // The last touch outside the ignored channels; all ignored: the last.
        let kept = Expr::Case {
            whens: vec![(
                bin(
                    Op::Or,
                    Expr::IsNull {
                        expr: Box::new(field("k", "channel")),
                        negated: false,
                    },
                    Expr::In {
                        expr: Box::new(field("k", "channel")),
                        list: s.ignored_channels(),
                        negated: true,
                    },
                ),
                field("k", "touch_order"),
            )],
            otherwise: Box::new(Expr::Null),
        };
        numbered_columns.push(item(
            window(func("MAX", vec![kept]), key("k"), vec![]),
            "last_kept_order",
        ));
        numbered_columns.push(item(
            window(
                func("MAX", vec![field("k", "touch_order")]),
                key("k"),
                vec![],
            ),
            "last_order",
        ));
    }
    let model = s.rule.model();
    if let Some(weight) = model.rule.weight {
        numbered_columns.push(item(
            weight(&model.settings(), field("k", "seconds_before")),
            "weight",
        ));
    }
    ctes.push(Cte {
        name: "numbered".to_string(),
        body: Body::Select(Box::new(Select {
            columns: numbered_columns,
            from: Some(tree::cte(current, "k")),
            ..Select::default()
        })),
    });

    // 7. shares and credits
    let touch = Touch {
        ignoring: !ignored.is_empty(),
    };
    // `plan` refuses models without a fixed rule (see `supported`).
    let share = model
        .rule
        .share
        .map_or(Expr::Null, |share| share(&model.settings(), &touch));
    ctes.push(Cte {
        name: "shares".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(field("n", "conversion_event"), "conversion_event"),
                item(field("n", "conversion_id"), "conversion_id"),
                item(field("n", "partner"), "partner"),
                item(share, "share"),
            ],
            from: Some(tree::cte("numbered", "n")),
            ..Select::default()
        })),
    });
    ctes.push(Cte {
        name: "credits".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(field("s", "conversion_event"), "conversion_event"),
                item(field("s", "conversion_id"), "conversion_id"),
                item(field("s", "partner"), "partner"),
                item(func("SUM", vec![field("s", "share")]), "credit"),
            ],
            from: Some(tree::cte("shares", "s")),
            group_by: vec![
                field("s", "conversion_event"),
                field("s", "conversion_id"),
                field("s", "partner"),
            ],
            having: Some(bin(
                Op::Gt,
                func("SUM", vec![field("s", "share")]),
                Expr::Int(0),
            )),
            ..Select::default()
        })),
    });

    // 8. one row per conversion and partner, `unattributed` when untouched
    let credit = func(
        "COALESCE",
        vec![field("r", "credit"), Expr::ToFloat(Box::new(Expr::Int(1)))],
    );
    ctes.push(Cte {
        name: "attributed".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(field("c", "conversion_event"), "conversion_event"),
                item(field("c", "conversion_id"), "conversion_id"),
                item(field("c", "customer_id"), "customer_id"),
                item(field("c", "converted_at"), "converted_at"),
                item(field("c", "conversion_value"), "conversion_value"),
                item(
                    func(
                        "COALESCE",
                        vec![field("r", "partner"), Expr::Str("unattributed".to_string())],
                    ),
                    "partner",
                ),
                item(credit.clone(), "credit"),
                item(
                    bin(Op::Mul, credit, field("c", "conversion_value")),
                    "credited_value",
                ),
            ],
            from: Some(tree::cte("conversions", "c")),
            joins: vec![Join {
                kind: JoinKind::Left,
                from: tree::cte("credits", "r"),
                on: bin(
                    Op::And,
                    bin(
                        Op::Eq,
                        field("r", "conversion_event"),
                        field("c", "conversion_event"),
                    ),
                    bin(
                        Op::Eq,
                        field("r", "conversion_id"),
                        field("c", "conversion_id"),
                    ),
                ),
            }],
            ..Select::default()
        })),
    });
    ctes
}

/// One select per touch source: customer, time, id (as text), partner (its
/// party) and channel of every touch up to `as of`; with
/// `drop_ignored`, touches in ignored channels are left out.
fn touch_selects(
    agreement: &Agreement<'_>,
    s: &Resolved<'_, '_>,
    options: &Options,
    drop_ignored: bool,
) -> Vec<Select> {
    let as_of = super::data_end(options);
    s.touches
        .iter()
        .map(|&Rows { source, event }| {
            let alias = "t";
            let mut filters = match event {
                Some(event) => super::event_rows(agreement, event, alias, source, options),
                None => Vec::new(),
            };
            if let Some(bound) = &as_of {
                filters.push(bin(
                    Op::Lt,
                    source_column(alias, source, "time"),
                    bound.clone(),
                ));
            }
            let channel = s
                .rule
                .channel
                .map(|c| Expr::ToText(Box::new(source_column(alias, source, c))));
            if drop_ignored && let Some(channel) = &channel {
                // A touch without a channel is not in an ignored channel.
                filters.push(bin(
                    Op::Or,
                    Expr::IsNull {
                        expr: Box::new(channel.clone()),
                        negated: false,
                    },
                    Expr::In {
                        expr: Box::new(channel.clone()),
                        list: s.ignored_channels(),
                        negated: true,
                    },
                ));
            }
            let id = if source.id.is_some() {
                Expr::ToText(Box::new(source_column(alias, source, "id")))
            } else {
                Expr::ToText(Box::new(Expr::Null))
            };
            Select {
                columns: vec![
                    item(source_column(alias, source, "customer"), "customer_id"),
                    item(source_column(alias, source, "time"), "touched_at"),
                    item(id, "touch_id"),
                    item(
                        partner(
                            agreement,
                            s.credit(),
                            source_column(alias, source, s.credit()),
                        ),
                        "partner",
                    ),
                    item(
                        channel.unwrap_or(Expr::ToText(Box::new(Expr::Null))),
                        "channel",
                    ),
                ],
                from: Some(From::Table {
                    path: table_path(source, options),
                    alias: alias.to_string(),
                }),
                filter: tree::and(filters),
                ..Select::default()
            }
        })
        .collect()
}

/// Every touch of an attribution block (ignored channels included), one
/// row each: `customer_id`, `touched_at`, `touch_id`, `partner`, `channel`.
pub fn all_touches(
    agreement: &Agreement<'_>,
    attribution: &Attribution<'_>,
    options: &Options,
) -> Option<Body> {
    let s = resolve(agreement, attribution)?;
    Some(tree::union(touch_selects(agreement, &s, options, false)))
}

/// Every source an attribution block reads: touches, conversions and the
/// value's source.
pub fn sources<'m, 'a>(
    agreement: &'m Agreement<'a>,
    attribution: &'m Attribution<'a>,
) -> Vec<&'m Source<'a>> {
    let Some(s) = resolve(agreement, attribution) else {
        return Vec::new();
    };
    let mut list: Vec<&'m Source<'a>> = s.touches.iter().map(|rows| rows.source).collect();
    list.extend(s.conversions.iter().map(|(source, _)| *source));
    if let Some((name, _)) = attribution.value
        && let Some(source) = agreement.source(name)
    {
        list.push(source);
    }
    list
}

/// The sources an attribution block reads touches from.
pub fn touch_sources<'m, 'a>(
    agreement: &'m Agreement<'a>,
    attribution: &'m Attribution<'a>,
) -> Vec<&'m Source<'a>> {
    resolve(agreement, attribution)
        .map(|s| s.touches.iter().map(|rows| rows.source).collect())
        .unwrap_or_default()
}

/// The columns every touch-level CTE carries forward.
fn touch_columns(t: &str) -> Vec<tree::Item> {
    [
        "conversion_event",
        "conversion_id",
        "converted_at",
        "touched_at",
        "touch_id",
        "partner",
        "channel",
        "seconds_before",
        "touch_order",
    ]
    .iter()
    .map(|c| item(field(t, c), c))
    .collect()
}

/// Whether the model can be compiled to SQL by fixed rules.
pub fn supported(attribution: &Attribution<'_>) -> bool {
    attribution.model().rule.share.is_some()
}
