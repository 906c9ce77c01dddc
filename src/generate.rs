//! Deterministic generator of realistic agreements, for benchmarks and load
//! tests. The same seed always gives the same text.

use std::fmt::Write;

/// SplitMix64: tiny, fast and good enough to vary generated text.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const STAGES: &[&str] = &["awareness", "consideration", "conversion", "expansion"];

/// One agreement with `items` partners and `items` metrics, each metric
/// unused by any scorecard (so every one is a finding): the size test of
/// `check`, whose time and memory must grow linearly with it.
pub fn large_agreement(items: usize) -> String {
    let mut s = String::from(
        "agreement large \"Large\" {\n  version 1\n  effective 2026-01-01 to 2026-12-31\n  currency USD\n  party north \"North\" {\n    role provider\n  }\n",
    );
    for i in 0..items {
        let _ = writeln!(s, "  party p{i} \"Partner {i}\" {{\n    role partner\n  }}");
    }
    s.push_str("  source orders {\n    table \"orders\"\n    owner north\n    customer customer_id\n    time ordered_at\n    id order_id\n    column amount money\n  }\n  event purchase from orders stage conversion\n");
    for i in 0..items {
        let _ = writeln!(
            s,
            "  metric m{i} \"Metric {i}\" {{\n    value sum(orders.amount)\n    indicator lagging\n    unit money\n    owner north\n  }}"
        );
    }
    s.push_str("}\n");
    s
}

/// The shared catalog that generated agreements import with `use`.
pub fn catalog() -> String {
    "/// Shared product events.\ncatalog shared_product \"Shared product events\" {\n  source product_usage {\n    table \"product.usage_events\"\n    owner provider\n    customer account_id\n    time used_at\n    id usage_id\n    column feature text\n    column seats number\n  }\n\n  event feature_used from product_usage where feature != \"login\" stage expansion\n}\n".to_string()
}

/// One agreement of roughly 300 lines. With `import`, it starts with
/// `use "catalog.pactum"` (see [`catalog`]).
pub fn agreement(seed: u64, import: bool) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(12_000);
    let name = format!("deal_{seed}");
    if import {
        s.push_str("use \"catalog.pactum\"\n\n");
    }
    let _ = writeln!(
        s,
        "/// Generated agreement number {seed}.\nagreement {name} \"Generated partnership {seed}\" {{"
    );
    s.push_str(
        "  version 2\n  effective 2026-01-01 to 2026-12-31\n  currency USD\n  timezone \"UTC\"\n",
    );
    s.push_str("  journey awareness, consideration, conversion, expansion\n\n");
    s.push_str("  party provider \"Provider Inc\" {\n    role provider\n    contact \"ops@provider.example\"\n  }\n");
    let partners = 3 + rng.below(3) as usize;
    for p in 0..partners {
        let _ = writeln!(
            s,
            "\n  /// Partner {p}.\n  party partner{p} \"Partner {p}\" {{\n    role partner\n    contact \"team{p}@partner.example\"\n    identified by partner_id \"P-{seed}-{p}\"\n  }}"
        );
    }
    let metrics = 10 + rng.below(6) as usize;
    let extra: Vec<String> = (0..metrics).map(|m| format!(", m{m}")).collect();
    let _ = writeln!(
        s,
        "\n  goal grow \"Grow new customers\" {{\n    party provider\n    outcome acquisition\n    measured by new_customers{}\n  }}",
        extra.concat()
    );
    s.push_str("\n  goal keep \"Keep them\" {\n    party provider\n    outcome retention\n    measured by retention_90d\n  }\n");
    s.push_str("\n  goal expand \"Grow accounts\" {\n    party provider\n    outcome value\n    measured by arpu\n  }\n");
    s.push_str("\n  /// Partner-side touches.\n  source touches {\n    table \"analytics.touches\"\n    owner provider\n    customer customer_id\n    time occurred_at\n    id touch_id\n    column event_name text\n    column partner_id text\n    column channel text\n    column email text pii\n    freshness 24 hours\n  }\n");
    s.push_str("\n  source orders {\n    table \"billing.orders\"\n    owner provider\n    customer customer_id\n    time ordered_at\n    id order_id\n    column amount money\n    column order_type text\n    column plan text\n    column region text\n  }\n\n");
    let events = 6 + rng.below(4) as usize;
    for e in 0..events {
        let stage = rng.pick(STAGES);
        let _ = writeln!(
            s,
            "  event touch_{e} from touches where event_name = \"touch_{e}\" and channel in [\"web\", \"email\"] stage {stage}"
        );
    }
    s.push_str("  event purchase from orders where order_type = \"new\" stage conversion\n");
    s.push_str("  event expansion from orders where order_type in [\"upsell\", \"cross_sell\"] stage expansion\n\n");
    s.push_str("  segment plan from orders.plan\n  segment region from orders.region\n  segment lifecycle from stage\n");
    let models: Vec<&str> = crate::attribution_models::MODELS
        .iter()
        .filter(|m| m.share.is_some())
        .map(|m| m.example)
        .collect();
    let model = rng.pick(&models);
    let lookback = 14 + rng.below(30);
    let _ = writeln!(
        s,
        "\n  attribution credit {{\n    touches touches\n    credit partner_id\n    channel channel\n    conversions purchase\n    value orders.amount\n    model {model}\n    lookback {lookback} days\n    max touches 10\n    repeats collapse\n    ignore channels \"direct\"\n  }}"
    );
    let exprs = [
        "count_distinct(purchase.customer)",
        "sum(orders.amount) / count_distinct(orders.customer)",
        "retention(purchase, after 90 days, activity orders)",
        "median(days_between(first touch_0, first purchase))",
        "count(touch_1) * 2 + count(touch_2)",
        "percentile(orders.amount, 90%)",
    ];
    let fixed = [
        (
            "new_customers",
            "count_distinct(purchase.customer)",
            "lagging",
        ),
        (
            "retention_90d",
            "retention(purchase, after 90 days, activity orders)",
            "lagging",
        ),
        (
            "arpu",
            "sum(orders.amount) / count_distinct(orders.customer)",
            "lagging",
        ),
    ];
    for (name, expr, indicator) in fixed {
        let _ = writeln!(
            s,
            "\n  metric {name} {{\n    value {expr}\n    attributed credit\n    by plan, region\n    indicator {indicator}\n    owner provider\n  }}"
        );
    }
    // Each extra metric's kind decides the unit its target is written in.
    let kinds: Vec<usize> = (0..metrics)
        .map(|_| rng.below(exprs.len() as u64) as usize)
        .collect();
    for (m, &kind) in kinds.iter().enumerate() {
        let expr = exprs[kind];
        let indicator = if rng.below(2) == 0 {
            "leading"
        } else {
            "lagging"
        };
        let _ = writeln!(
            s,
            "\n  /// Metric {m}.\n  metric m{m} \"Metric {m}\" {{\n    value {expr} where orders.region != \"test\"\n    by plan\n    indicator {indicator}\n    owner partner{}\n  }}",
            m % partners
        );
    }
    s.push_str("\n  target new_customers increase 15% within 90 days of pilot\n  target retention_90d at least 85%\n  target arpu at least 120 USD per quarter by 2026-12-31\n");
    for (m, &kind) in kinds.iter().enumerate() {
        let amount = 10 + rng.below(80);
        let threshold = match kind {
            1 | 5 => format!("{amount} USD"),
            2 => format!("{amount}%"),
            3 => format!("{amount} days"),
            _ => amount.to_string(),
        };
        let _ = writeln!(s, "  target m{m} at least {threshold} per month");
    }
    s.push_str("\n  pilot pilot \"Pilot\" {\n    partners partner0\n    during 2026-02-01 to 2026-04-30\n    baseline 2025-11-01 to 2026-01-31\n    hypothesis \"Partner 0 adds 15% new customers\"\n    inputs touch_0, touch_1\n    expect new_customers increase 15% within 90 days\n  }\n");
    s.push_str("\n  scorecard joint \"Joint scorecard\" {\n    shared with partner0, partner1\n    metrics new_customers, retention_90d, arpu\n    minimum group 20 customers\n    on track from 95%\n    at risk from 80%\n  }\n");
    s.push_str("\n  review quarterly {\n    cadence quarterly\n    attendees provider, partner0\n    scorecard joint\n    agenda progress, retrospective, forecast, actions\n    action \"Share the Q1 case study\" owner partner0 due 2026-04-15\n  }\n");
    s.push_str("\n  initiative launch \"Listing live\" {\n    owner partner0\n    due 2026-02-15\n    supports grow\n  }\n");
    s.push_str("\n  evidence case_one \"Customer moved to paid in 9 days\" {\n    kind case_study\n    goal grow\n    recorded 2026-03-01\n  }\n");
    s.push_str("\n  amendment 2026-04-01 \"Lookback widened after the Q1 review\" {\n    approved by provider, partner0\n  }\n");
    s.push_str("\n  incentive bonus {\n    pay partner0 10% of attributed value by credit\n    when retention_90d at least 85%\n    cap 50000 USD per quarter\n  }\n");
    s.push_str(
        "\n  audit touches daily {\n    owner provider\n    freshness 24 hours\n    drift 3 sigma over 28 days\n  }\n",
    );
    s.push_str(
        "\n  dispute {\n    escalate \"Joint partnership council\" within 14 days\n  }\n}\n",
    );
    s
}

/// A seeded touch and order dataset at scale, for the SQL benchmarks:
/// `touches.csv` (touch_id, customer_id, occurred_at, partner_id, channel,
/// event_name) and `orders.csv` (order_id, customer_id, ordered_at, amount,
/// order_type) in `dir`, matching the sources of
/// `tests/sql/attribution/agreement.pactum`. Touches fall in the 60 days
/// before a customer's orders, so that most conversions have eligible
/// touches and some have none.
pub fn attribution_data(
    seed: u64,
    touches: usize,
    conversions: usize,
    dir: &std::path::Path,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut rng = Rng::new(seed);
    let customers = (conversions * 2).max(1);
    // 2026-01-01 00:00:00 as seconds since 1970.
    const START: i64 = 1_767_225_600;
    const YEAR: u64 = 365 * 86_400;
    let stamp = |seconds: i64| {
        let days = seconds.div_euclid(86_400);
        let rest = seconds.rem_euclid(86_400);
        let date = crate::check::dates::show(days);
        format!(
            "{date} {:02}:{:02}:{:02}",
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        )
    };
    let mut orders = std::io::BufWriter::new(std::fs::File::create(dir.join("orders.csv"))?);
    writeln!(orders, "order_id,customer_id,ordered_at,amount,order_type")?;
    // Each order's customer and time; touches are drawn around them.
    let mut anchors = Vec::with_capacity(conversions);
    for i in 0..conversions {
        let customer = rng.below(customers as u64);
        let at = START + 60 * 86_400 + rng.below(YEAR - 60 * 86_400) as i64;
        let cents = 1_000 + rng.below(200_000);
        let kind = if rng.below(10) == 0 { "upsell" } else { "new" };
        writeln!(
            orders,
            "o{i:07},c{customer:07},{},{}.{:02},{kind}",
            stamp(at),
            cents / 100,
            cents % 100
        )?;
        anchors.push((customer, at));
    }
    orders.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("touches.csv"))?);
    writeln!(
        out,
        "touch_id,customer_id,occurred_at,partner_id,channel,event_name"
    )?;
    const PARTNERS: &[&str] = &["A", "A2", "B", "C", "Z"];
    const CHANNELS: &[&str] = &["email", "webinar", "web", "direct", "social"];
    for i in 0..touches {
        // Nine touches in ten go to a converting customer, within 60 days
        // before one of their orders; the rest to anyone, any time.
        let (customer, at) = if anchors.is_empty() || rng.below(10) == 0 {
            (rng.below(customers as u64), START + rng.below(YEAR) as i64)
        } else {
            let (customer, order_at) = anchors[rng.below(anchors.len() as u64) as usize];
            (customer, order_at - rng.below(60 * 86_400) as i64)
        };
        writeln!(
            out,
            "t{i:08},c{customer:07},{},{},{},touch",
            stamp(at),
            rng.pick(PARTNERS),
            rng.pick(CHANNELS)
        )?;
    }
    out.flush()
}
