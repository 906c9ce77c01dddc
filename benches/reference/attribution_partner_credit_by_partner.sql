-- Hand-written: position-based credit (40% first, 40% last, 20% shared by
-- the middle) per month and partner, 30-day lookback, repeated touches of
-- one partner and channel collapsed, data before 2026-10-01. One scan of
-- each table, one join, one window pass per step.
WITH conv AS (
  SELECT order_id AS id, customer_id, ordered_at AS converted_at, COALESCE(amount, 0) AS order_value
  FROM {prefix}billing.orders
  WHERE order_type = 'new' AND amount > 0 AND ordered_at < TIMESTAMP '2026-10-01 00:00:00'
),
touch AS (
  SELECT
    c.id,
    c.converted_at,
    CASE WHEN t.partner_id IN ('acme', 'acme-cloud') THEN 'acme' ELSE t.partner_id END AS partner,
    t.channel,
    ROW_NUMBER() OVER w AS k,
    LAG(CASE WHEN t.partner_id IN ('acme', 'acme-cloud') THEN 'acme' ELSE t.partner_id END) OVER w AS previous_partner,
    LAG(t.channel) OVER w AS previous_channel
  FROM conv AS c
  JOIN {prefix}partners.acme_touchpoints AS t
    ON t.customer_id = c.customer_id
   AND t.occurred_at <= c.converted_at
   AND t.occurred_at >= c.converted_at - INTERVAL '30 days'
   AND t.occurred_at < TIMESTAMP '2026-10-01 00:00:00'
  WINDOW w AS (
    PARTITION BY c.id
    ORDER BY t.occurred_at, t.touch_id,
      CASE WHEN t.partner_id IN ('acme', 'acme-cloud') THEN 'acme' ELSE t.partner_id END, t.channel
  )
),
kept AS (
  SELECT id, partner,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY k) AS place,
    COUNT(*) OVER (PARTITION BY id) AS n
  FROM touch
  WHERE k = 1 OR partner IS DISTINCT FROM previous_partner OR channel IS DISTINCT FROM previous_channel
),
credit AS (
  SELECT id, partner,
    SUM(CASE WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5
             WHEN place = 1 OR place = n THEN 0.4
             ELSE 0.2 / (n - 2) END) AS credit
  FROM kept
  GROUP BY id, partner
),
assist AS (
  SELECT DISTINCT id, converted_at, partner FROM touch
),
per_row AS (
  SELECT CAST(date_trunc('month', c.converted_at) AS DATE) AS period_start,
    COALESCE(r.partner, 'unattributed') AS partner,
    COALESCE(r.credit, 1.0) AS credit,
    COALESCE(r.credit, 1.0) * c.order_value AS credited_value,
    0 AS assisted
  FROM conv AS c
  LEFT JOIN credit AS r ON r.id = c.id
  UNION ALL
  SELECT CAST(date_trunc('month', converted_at) AS DATE), partner, 0, 0, 1
  FROM assist
)
SELECT period_start, partner,
  SUM(credit) AS attributed_conversions,
  SUM(credited_value) AS attributed_value,
  SUM(assisted) AS assisted_conversions
FROM per_row
GROUP BY period_start, partner
ORDER BY period_start, partner
