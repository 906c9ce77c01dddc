-- Hand-written: average revenue per customer per month (the sum of order
-- amounts over the distinct customers who ordered), with the customers
-- behind it, data before 2026-10-01.
SELECT
  CAST(date_trunc('month', ordered_at) AS DATE) AS period_start,
  'all' AS segment,
  CAST(NULL AS TEXT) AS segment_value,
  COALESCE(SUM(amount), 0) / NULLIF(COUNT(DISTINCT customer_id), 0) AS value,
  COUNT(DISTINCT customer_id) AS customers
FROM {prefix}billing.orders
WHERE ordered_at < TIMESTAMP '2026-10-01 00:00:00'
GROUP BY 1
ORDER BY 1
