//! Property: for generated syntax trees, `parse(format(tree)) == tree`,
//! ignoring spans.

use pactum::syntax::ast::*;
use pactum::syntax::span::Span;
use proptest::prelude::*;

const S: Span = Span {
    file: pactum::syntax::span::FileId(0),
    start: 0,
    end: 0,
};

fn ident() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec![
        "acme",
        "orders",
        "plan",
        "region",
        "x1",
        "beta_2",
        "customer_id",
        "_hidden",
        "first",
        "value",
    ])
    .prop_map(|n| Ident {
        name: n.to_string(),
        span: S,
    })
}

fn idents() -> impl Strategy<Value = Vec<Ident>> {
    prop::collection::vec(ident(), 1..4)
}

fn text() -> impl Strategy<Value = Str> {
    "[a-zA-Z0-9 \"\\\\/{}%é\n\t\u{1}\u{7f}-]{0,16}".prop_map(|v| Str { value: v, span: S })
}

fn docs() -> impl Strategy<Value = Docs> {
    prop::collection::vec(
        "[a-zA-Z0-9 ,./]{0,12}".prop_map(|s| s.trim_end().to_string()),
        0..3,
    )
}

fn amount() -> impl Strategy<Value = f64> {
    (0u32..1_000_000).prop_map(|n| f64::from(n) / 100.0)
}

fn number() -> impl Strategy<Value = Number> {
    amount().prop_map(|value| Number { value, span: S })
}

fn money() -> impl Strategy<Value = Money> {
    (amount(), prop::sample::select(vec!["USD", "EUR", "JPY"])).prop_map(|(amount, code)| Money {
        amount,
        currency: Currency {
            code: code.into(),
            span: S,
        },
        span: S,
    })
}

fn duration() -> impl Strategy<Value = Duration> {
    let unit = prop::sample::select(vec![
        TimeUnit::Hour,
        TimeUnit::Day,
        TimeUnit::Week,
        TimeUnit::Month,
        TimeUnit::Quarter,
        TimeUnit::Year,
    ]);
    (0u32..400, unit).prop_map(|(n, unit)| Duration {
        amount: f64::from(n),
        unit,
        span: S,
    })
}

fn date() -> impl Strategy<Value = Date> {
    (2000u16..2100, 1u8..=12, 1u8..=28).prop_map(|(year, month, day)| Date {
        year,
        month,
        day,
        span: S,
    })
}

fn date_range() -> impl Strategy<Value = DateRange> {
    (date(), date()).prop_map(|(start, end)| DateRange {
        start,
        end,
        span: S,
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        number().prop_map(Literal::Number),
        number().prop_map(Literal::Percent),
        money().prop_map(Literal::Money),
        duration().prop_map(Literal::Duration),
        date().prop_map(Literal::Date),
        text().prop_map(Literal::String),
        any::<bool>().prop_map(|value| Literal::Bool(Spanned { value, span: S })),
    ]
}

fn path() -> impl Strategy<Value = Path> {
    prop::collection::vec(ident(), 1..3).prop_map(|segments| Path { segments, span: S })
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        path().prop_map(Expr::Path),
        number().prop_map(|n| Expr::Literal(Literal::Number(n))),
        duration().prop_map(|d| Expr::Literal(Literal::Duration(d))),
        money().prop_map(|m| Expr::Literal(Literal::Money(m))),
        text().prop_map(|s| Expr::Literal(Literal::String(s))),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = prop::sample::select(vec![BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]);
        // A labelled argument must start with a name or a number.
        let labelled_value = prop_oneof![
            path().prop_map(Expr::Path),
            number().prop_map(|n| Expr::Literal(Literal::Number(n))),
            duration().prop_map(|d| Expr::Literal(Literal::Duration(d))),
        ];
        let arg = prop_oneof![
            inner.clone().prop_map(|e| Arg {
                label: None,
                value: ArgValue::Expr(e),
                span: S
            }),
            (ident(), labelled_value).prop_map(|(l, e)| Arg {
                label: Some(l),
                value: ArgValue::Expr(e),
                span: S
            }),
            (prop::option::of(ident()), duration(), duration()).prop_map(|(label, a, b)| Arg {
                label,
                value: ArgValue::Range(a, b),
                span: S
            }),
        ];
        prop_oneof![
            (op, inner.clone(), inner.clone()).prop_map(|(op, l, r)| Expr::Binary {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r),
                span: S
            }),
            inner.clone().prop_map(|e| Expr::Neg {
                operand: Box::new(e),
                span: S
            }),
            (ident(), prop::collection::vec(arg, 0..3)).prop_map(|(function, args)| Expr::Call {
                function,
                args,
                span: S
            }),
        ]
    })
}

fn condition() -> impl Strategy<Value = Condition> {
    let op = prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ]);
    let leaf = prop_oneof![
        (path(), op, literal()).prop_map(|(column, op, value)| Condition::Compare {
            column,
            op,
            value,
            span: S
        }),
        (
            path(),
            any::<bool>(),
            prop::collection::vec(literal(), 0..3)
        )
            .prop_map(|(column, negated, values)| Condition::In {
                column,
                negated,
                values,
                span: S
            }),
        (path(), any::<bool>()).prop_map(|(column, negated)| Condition::IsNull {
            column,
            negated,
            span: S
        }),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|operands| Condition::Or { operands, span: S }),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|operands| Condition::And { operands, span: S }),
            inner.prop_map(|c| Condition::Not {
                operand: Box::new(c),
                span: S
            }),
        ]
    })
}

fn spanned<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Spanned<T>> {
    s.prop_map(|value| Spanned { value, span: S })
}

fn goalpost() -> impl Strategy<Value = Goalpost> {
    let direction = prop::sample::select(vec![Direction::Increase, Direction::Decrease]);
    prop_oneof![
        literal().prop_map(|value| Goalpost::AtLeast { value }),
        literal().prop_map(|value| Goalpost::AtMost { value }),
        (literal(), literal()).prop_map(|(low, high)| Goalpost::Between { low, high }),
        (
            spanned(direction),
            prop::option::of(number()),
            prop::option::of(date_range())
        )
            .prop_map(|(direction, amount, baseline)| Goalpost::Change {
                direction,
                amount,
                baseline
            }),
    ]
}

fn period() -> impl Strategy<Value = Spanned<Period>> {
    spanned(prop::sample::select(vec![
        Period::Day,
        Period::Week,
        Period::Month,
        Period::Quarter,
        Period::Year,
    ]))
}

fn deadline() -> impl Strategy<Value = Spanned<Deadline>> {
    spanned(prop_oneof![
        date().prop_map(|date| Deadline::By { date }),
        (duration(), prop::option::of(ident()))
            .prop_map(|(duration, of)| Deadline::Within { duration, of }),
    ])
}

fn model() -> impl Strategy<Value = Model> {
    let value = prop_oneof![
        number().prop_map(SettingValue::Percent),
        duration().prop_map(SettingValue::Duration),
    ];
    let setting = (idents(), value).prop_map(|(words, value)| ModelSetting {
        words: words
            .iter()
            .map(|w| w.name.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        value,
        span: S,
    });
    prop_oneof![
        (ident(), prop::collection::vec(setting, 0..4)).prop_map(|(name, settings)| Model {
            name,
            data_driven: false,
            settings,
        }),
        ident().prop_map(|name| Model {
            name,
            data_driven: true,
            settings: Vec::new(),
        }),
    ]
}

fn fields<F: std::fmt::Debug + Clone>(
    f: impl Strategy<Value = F>,
) -> impl Strategy<Value = Vec<Spanned<F>>> {
    prop::collection::vec(spanned(f), 0..4)
}

fn subject() -> impl Strategy<Value = Subject> {
    (prop::sample::select(SubjectKind::ALL.to_vec()), ident()).prop_map(|(kind, name)| Subject {
        kind,
        name: kind.is_named().then_some(name),
        span: S,
    })
}

fn amendment_field() -> impl Strategy<Value = AmendmentField> {
    let approval = (ident(), prop::option::of(date())).prop_map(|(party, date)| Approval {
        party,
        date,
        span: S,
    });
    prop_oneof![
        (0u64..1000).prop_map(|value| AmendmentField::Version(Integer { value, span: S })),
        prop::collection::vec(subject(), 1..4).prop_map(AmendmentField::Changes),
        prop::collection::vec(subject(), 1..4).prop_map(AmendmentField::Removes),
        prop::collection::vec(approval, 1..4).prop_map(AmendmentField::ApprovedBy),
    ]
}

fn title() -> impl Strategy<Value = Option<Str>> {
    prop::option::of(text())
}

fn item() -> impl Strategy<Value = Item> {
    let outcome = spanned(prop::sample::select(vec![
        Outcome::Acquisition,
        Outcome::Retention,
        Outcome::Value,
    ]));
    let column_type = spanned(prop::sample::select(vec![
        ColumnType::Text,
        ColumnType::Number,
        ColumnType::Money,
        ColumnType::Timestamp,
        ColumnType::Instant,
        ColumnType::Date,
        ColumnType::Boolean,
    ]));
    let column_ref = || {
        (ident(), prop::option::of(text()))
            .prop_map(|(name, physical)| ColumnRef { name, physical })
    };
    let column = (
        docs(),
        ident(),
        column_type,
        prop::option::of(prop::sample::select(vec!["EUR", "GBP"])),
        any::<bool>(),
        prop::option::of(text()),
    )
        .prop_map(|(docs, name, ty, currency, pii, physical)| Column {
            docs,
            name,
            // Only money columns carry a currency.
            currency: currency
                .filter(|_| ty.value == ColumnType::Money)
                .map(|code| Currency {
                    code: code.into(),
                    span: S,
                }),
            ty,
            pii,
            physical,
            span: S,
        });
    let source_field = prop_oneof![
        text().prop_map(SourceField::Table),
        ident().prop_map(SourceField::Owner),
        column_ref().prop_map(SourceField::Customer),
        (column_ref(), any::<bool>())
            .prop_map(|(column, instant)| SourceField::Time { column, instant }),
        column_ref().prop_map(SourceField::Id),
        column.prop_map(SourceField::Column),
        duration().prop_map(SourceField::Freshness),
    ];
    let party_field = prop_oneof![
        ident().prop_map(PartyField::Role),
        text().prop_map(PartyField::Contact),
        text().prop_map(PartyField::Owner),
        (ident(), prop::collection::vec(text(), 1..3))
            .prop_map(|(column, values)| PartyField::IdentifiedBy { column, values }),
    ];
    let attribution_field = prop_oneof![
        idents().prop_map(AttributionField::Touches),
        ident().prop_map(AttributionField::Credit),
        ident().prop_map(AttributionField::Channel),
        idents().prop_map(AttributionField::Conversions),
        path().prop_map(AttributionField::Value),
        spanned(model()).prop_map(AttributionField::Model),
        duration().prop_map(AttributionField::Lookback),
        (0u64..u64::MAX).prop_map(|value| AttributionField::MaxTouches(Integer { value, span: S })),
        spanned(prop::sample::select(vec![Repeats::Collapse, Repeats::Keep]))
            .prop_map(AttributionField::Repeats),
        prop::collection::vec(text(), 1..3).prop_map(AttributionField::IgnoreChannels),
    ];
    let metric_field = prop_oneof![
        (expr(), prop::option::of(condition()))
            .prop_map(|(expr, filter)| MetricField::Value { expr, filter }),
        ident().prop_map(MetricField::Attributed),
        idents().prop_map(MetricField::By),
        spanned(prop::sample::select(vec![
            Indicator::Leading,
            Indicator::Lagging
        ]))
        .prop_map(MetricField::Indicator),
        ident().prop_map(MetricField::Owner),
        spanned(prop::sample::select(vec![
            Unit::Count,
            Unit::Money,
            Unit::Ratio,
            Unit::Percent,
            Unit::Days,
            Unit::Score
        ]))
        .prop_map(MetricField::Unit),
    ];
    let expectation = (
        ident(),
        goalpost(),
        prop::option::of(period()),
        prop::option::of(deadline()),
    )
        .prop_map(|(metric, goalpost, per, deadline)| Expectation {
            metric,
            goalpost,
            per,
            deadline,
        });
    let pilot_field = prop_oneof![
        idents().prop_map(PilotField::Partners),
        date_range().prop_map(PilotField::During),
        date_range().prop_map(PilotField::Baseline),
        idents().prop_map(PilotField::ControlPartners),
        condition().prop_map(PilotField::ControlCustomers),
        text().prop_map(PilotField::Hypothesis),
        idents().prop_map(PilotField::Inputs),
        expectation.prop_map(PilotField::Expect),
        (0u64..1000, any::<bool>()).prop_map(|(value, customers_word)| {
            PilotField::MinimumGroup {
                size: Integer { value, span: S },
                customers_word,
            }
        }),
    ];
    let scorecard_field = prop_oneof![
        idents().prop_map(ScorecardField::SharedWith),
        idents().prop_map(ScorecardField::Metrics),
        (0u64..1000, any::<bool>()).prop_map(|(value, customers_word)| {
            ScorecardField::MinimumGroup {
                size: Integer { value, span: S },
                customers_word,
            }
        }),
        number().prop_map(ScorecardField::OnTrackFrom),
        number().prop_map(ScorecardField::AtRiskFrom),
        idents().prop_map(ScorecardField::By),
    ];
    let review_field = prop_oneof![
        ident().prop_map(ReviewField::Cadence),
        idents().prop_map(ReviewField::Attendees),
        ident().prop_map(ReviewField::Scorecard),
        idents().prop_map(ReviewField::Agenda),
        ident().prop_map(ReviewField::Reporting),
        (text(), ident(), date(), prop::option::of(date())).prop_map(|(what, owner, due, done)| {
            ReviewField::Action {
                done,
                what,
                owner,
                due,
            }
        }),
    ];
    let metric_condition = (
        ident(),
        prop_oneof![
            literal().prop_map(|value| Goalpost::AtLeast { value }),
            literal().prop_map(|value| Goalpost::AtMost { value }),
        ],
    )
        .prop_map(|(metric, goalpost)| MetricCondition {
            metric,
            goalpost,
            span: S,
        });
    let incentive_field = prop_oneof![
        (ident(), number(), ident()).prop_map(|(party, rate, attribution)| IncentiveField::Pay {
            party,
            payment: Payment::ShareOfAttributed { rate, attribution }
        }),
        (ident(), number(), ident()).prop_map(|(party, rate, metric)| IncentiveField::Pay {
            party,
            payment: Payment::ShareOfMetric { rate, metric }
        }),
        (ident(), money(), ident()).prop_map(|(party, amount, metric)| IncentiveField::Pay {
            party,
            payment: Payment::AmountPerMetric { amount, metric }
        }),
        prop::collection::vec(metric_condition, 1..3).prop_map(IncentiveField::When),
        (money(), prop::option::of(period()))
            .prop_map(|(amount, per)| IncentiveField::Cap { amount, per }),
    ];
    let audit_field = prop_oneof![
        duration().prop_map(AuditField::Freshness),
        (number(), duration()).prop_map(|(sigma, window)| AuditField::Drift { sigma, window }),
        ident().prop_map(AuditField::Owner),
        idents().prop_map(AuditField::Checks),
    ];
    prop_oneof![
        (0u64..u64::MAX).prop_map(|value| Item::Version(Spanned {
            value: Integer { value, span: S },
            span: S
        })),
        spanned(date_range()).prop_map(Item::Effective),
        spanned(
            prop::sample::select(vec!["USD", "EUR"]).prop_map(|c| Currency {
                code: c.into(),
                span: S
            })
        )
        .prop_map(Item::Currency),
        spanned(text()).prop_map(Item::Timezone),
        spanned(idents()).prop_map(Item::Journey),
        spanned((outcome, text()).prop_map(|(outcome, reason)| NoGoal { outcome, reason }))
            .prop_map(Item::NoGoal),
        (docs(), ident(), title(), fields(party_field)).prop_map(|(docs, name, title, fields)| {
            Item::Party(Party {
                docs,
                name,
                title,
                fields,
                span: S,
            })
        }),
        (docs(), ident(), title(), fields(source_field)).prop_map(|(docs, name, title, fields)| {
            Item::Source(Source {
                docs,
                name,
                title,
                fields,
                span: S,
            })
        }),
        (
            docs(),
            ident(),
            title(),
            ident(),
            prop::option::of(condition()),
            prop::option::of(prop_oneof![
                Just(Once::PerCustomer),
                Just(Once::PerCustomerAndPartner)
            ]),
            prop::option::of(ident())
        )
            .prop_map(
                |(docs, name, title, source, filter, once, stage)| Item::Event(Event {
                    docs,
                    name,
                    title,
                    source,
                    filter,
                    once: once.map(|value| Spanned { value, span: S }),
                    stage,
                    span: S
                })
            ),
        (docs(), ident(), title(), prop::option::of(path())).prop_map(
            |(docs, name, title, column)| Item::Segment(Segment {
                docs,
                name,
                title,
                from: column.map_or(SegmentSource::Stage { span: S }, SegmentSource::Column),
                span: S
            })
        ),
        (docs(), ident(), title(), fields(attribution_field)).prop_map(
            |(docs, name, title, fields)| Item::Attribution(Attribution {
                docs,
                name,
                title,
                fields,
                span: S
            })
        ),
        (docs(), ident(), title(), fields(metric_field)).prop_map(|(docs, name, title, fields)| {
            Item::Metric(Metric {
                docs,
                name,
                title,
                fields,
                span: S,
            })
        }),
        (
            docs(),
            ident(),
            goalpost(),
            prop::option::of(period()),
            prop::option::of(deadline())
        )
            .prop_map(
                |(docs, metric, goalpost, per, deadline)| Item::Target(Target {
                    docs,
                    metric,
                    goalpost,
                    per,
                    deadline,
                    span: S
                })
            ),
        (docs(), ident(), title(), fields(pilot_field)).prop_map(|(docs, name, title, fields)| {
            Item::Pilot(Pilot {
                docs,
                name,
                title,
                fields,
                span: S,
            })
        }),
        (docs(), ident(), title(), fields(scorecard_field)).prop_map(
            |(docs, name, title, fields)| Item::Scorecard(Scorecard {
                docs,
                name,
                title,
                fields,
                span: S
            })
        ),
        (docs(), ident(), title(), fields(review_field)).prop_map(|(docs, name, title, fields)| {
            Item::Review(Review {
                docs,
                name,
                title,
                fields,
                span: S,
            })
        }),
        (
            docs(),
            date(),
            text(),
            prop::option::of(fields(amendment_field()))
        )
            .prop_map(|(docs, date, summary, fields)| Item::Amendment(Amendment {
                docs,
                date,
                summary,
                fields,
                span: S
            })),
        (docs(), ident(), title(), fields(incentive_field)).prop_map(
            |(docs, name, title, fields)| Item::Incentive(Incentive {
                docs,
                name,
                title,
                fields,
                span: S
            })
        ),
        (
            docs(),
            ident(),
            prop::option::of(ident()),
            fields(audit_field)
        )
            .prop_map(|(docs, source, schedule, fields)| Item::Audit(Audit {
                docs,
                source,
                schedule,
                fields,
                span: S
            })),
        (
            docs(),
            fields((text(), duration()).prop_map(|(to, within)| Escalation { to, within }))
        )
            .prop_map(|(docs, steps)| Item::Dispute(Dispute {
                docs,
                steps,
                span: S
            })),
    ]
}

fn file() -> impl Strategy<Value = File> {
    (
        prop::collection::vec(text().prop_map(|path| Use { path, span: S }), 0..2),
        docs(),
        ident(),
        title(),
        prop::collection::vec(item(), 0..6),
    )
        .prop_map(|(uses, docs, name, title, items)| File {
            uses,
            root: Root::Agreement(Agreement {
                docs,
                name,
                title,
                items,
                span: S,
            }),
            span: S,
        })
}

/// The tree as JSON with every span removed.
fn without_spans(file: &File) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(file).unwrap();
    strip(&mut value);
    value
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parse_of_format_gives_the_same_tree(tree in file()) {
        let text = pactum::syntax::format::format_file(&tree, &[], "");
        let mut sources = pactum::source::SourceMap::new();
        let id = sources.add("generated.pactum", text.clone());
        let parsed = pactum::parse(&sources, id);
        prop_assert!(parsed.diagnostics.is_empty(), "{:?}\n{}", parsed.diagnostics, text);
        let reparsed = parsed.file.unwrap();
        prop_assert_eq!(without_spans(&tree), without_spans(&reparsed), "{}", text);
        // And formatting is idempotent.
        let again = pactum::syntax::format::format_file(&reparsed, &parsed.comments, &text);
        prop_assert_eq!(again, text);
    }
}
