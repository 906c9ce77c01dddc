//! Unit inference, expression by expression, with the unit worked out by
//! hand: what each metric value computes.

use pactum::check::scope::{Decl, Scope};
use pactum::check::units::{Quantity, Typer};
use pactum::source::SourceMap;
use pactum::syntax::ast::MetricField;

/// Infers the unit of `value` inside the minimal clean agreement.
fn infer(value: &str) -> (Option<Quantity>, Vec<String>) {
    let base = std::fs::read_to_string("tests/check/minimal_clean.pactum").unwrap();
    let text = base.replace(
        "  target new_customers",
        &format!("  metric probe {{\n    value {value}\n    indicator lagging\n    owner acme\n  }}\n\n  target new_customers"),
    );
    let mut sources = SourceMap::new();
    let id = sources.add("probe.pactum", text);
    let parsed = pactum::parse(&sources, id);
    assert!(
        parsed.diagnostics.is_empty(),
        "{value}: {:?}",
        parsed.diagnostics
    );
    let file = parsed.file.unwrap();
    let mut diagnostics = Vec::new();
    let scope = Scope::build(&file, id, &[], &mut diagnostics);
    let Some(Decl::Metric(metric)) = scope.get("probe") else {
        panic!("probe metric")
    };
    let expr = metric
        .fields
        .iter()
        .find_map(|f| match &f.value {
            MetricField::Value { expr, .. } => Some(expr),
            _ => None,
        })
        .unwrap();
    let mut typer = Typer::new(&scope, &mut diagnostics);
    let quantity = typer.metric_value(expr);
    let codes = diagnostics.iter().map(|d| d.code.to_string()).collect();
    (quantity, codes)
}

#[test]
fn units_follow_from_the_functions_and_the_arithmetic() {
    use Quantity::*;
    let cases: &[(&str, Quantity)] = &[
        ("count(purchase)", Count),
        ("count_distinct(purchase.customer)", Count),
        ("sum(orders.amount)", Money),
        ("avg(orders.amount)", Money),
        // money / count: money per customer
        (
            "sum(orders.amount) / count_distinct(orders.customer)",
            Money,
        ),
        // count / count: a ratio
        (
            "count_distinct(purchase.customer) / count(referral_click)",
            Ratio,
        ),
        // money / money: a ratio
        ("sum(orders.amount) / sum(orders.amount)", Ratio),
        ("count(purchase) * 2 + count(referral_click)", Count),
        ("sum(orders.amount) * 10%", Money),
        ("-sum(orders.amount)", Money),
        (
            "retention(purchase, after 90 days, activity orders)",
            Percent,
        ),
        (
            "retention(purchase, from 30 days to 60 days, activity orders)",
            Percent,
        ),
        ("churn(orders, per month)", Percent),
        ("clv(orders.amount, activity orders, per month)", Money),
        (
            "conversion_rate(referral_click, purchase, within 30 days)",
            Percent,
        ),
        ("upsell_rate(purchase, purchase, within 90 days)", Percent),
        (
            "median(days_between(first referral_click, first purchase))",
            Days,
        ),
        (
            "percentile(days_between(first referral_click, first purchase), 90%)",
            Days,
        ),
        (
            "avg(days_between(first referral_click, first purchase))",
            Days,
        ),
        ("percentile(orders.amount, 90%)", Money),
    ];
    for (value, expected) in cases {
        let (quantity, codes) = infer(value);
        assert!(codes.is_empty(), "{value}: {codes:?}");
        assert_eq!(quantity, Some(*expected), "{value}");
    }
}

#[test]
fn incompatible_units_and_wrong_arguments_are_reported() {
    let cases: &[(&str, &str)] = &[
        ("sum(orders.amount) + count(purchase)", "P0203"),
        ("count(purchase) / sum(orders.amount)", "P0203"),
        ("sum(orders.amount) * sum(orders.amount)", "P0203"),
        ("sum(touches.partner_id)", "P0202"),
        ("count(orders.amount)", "P0202"),
        (
            "days_between(first referral_click, first purchase)",
            "P0202",
        ),
        ("retention(purchase, activity orders)", "P0202"),
        ("churn(orders)", "P0202"),
        ("churn(orders, per fortnight)", "P0202"),
        ("percentile(orders.amount, 150%)", "P0202"),
        (
            "count_distinct(purchase.customer, purchase.customer)",
            "P0202",
        ),
        ("count_dinstinct(purchase.customer)", "P0201"),
        ("orders.amount", "P0202"),
        ("sum(orders.amout)", "P0106"),
        ("count(purchses)", "P0101"),
    ];
    for (value, code) in cases {
        let (_, codes) = infer(value);
        assert_eq!(codes, vec![code.to_string()], "{value}");
    }
}
