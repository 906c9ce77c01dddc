//! Forecasts of the scorecard's figures for the next period
//! (docs/scorecard.md, "Forecasts"): a straight-line trend fitted by least
//! squares to the last complete periods, with a 95% prediction interval
//! from the residuals (Student's t with n - 2 degrees of freedom).
//!
//! Computed where the report is rendered, from the scorecard's rows, so
//! that it is the same for results from any warehouse.

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{Agreement, Metric};
use crate::sql::plan::QueryId;
use crate::sql::plan::figures::shape;
use crate::syntax::ast::Target;
use crate::vocabulary::{Day, Period};

/// The fewest complete periods a trend is fitted to: two points always fit
/// a line, and three leave one degree of freedom, an interval too wide to
/// read.
pub const MIN_PERIODS: usize = 4;
/// The most recent periods a trend is fitted to: about a year of months.
pub const MAX_PERIODS: usize = 12;

/// The expected value of the period after the last of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// The period forecast (its first day).
    pub period_start: String,
    pub value: f64,
    /// The 95% prediction interval.
    pub low: f64,
    pub high: f64,
    /// How many complete periods the trend was fitted to.
    pub periods: usize,
    /// The fitted change per period.
    pub slope: f64,
}

/// The straight-line trend of `values` (one per period, oldest first)
/// extended `ahead` periods past the last, with its 95% prediction
/// interval; `None` below [`MIN_PERIODS`] values. Only the last
/// [`MAX_PERIODS`] are used.
pub fn linear_trend(values: &[f64], ahead: usize) -> Option<(f64, f64, f64, f64)> {
    let values = &values[values.len().saturating_sub(MAX_PERIODS)..];
    let n = values.len();
    if n < MIN_PERIODS {
        return None;
    }
    let count = n as f64;
    let mean_x = (count - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / count;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxx += dx * dx;
        sxy += dx * (y - mean_y);
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let residuals: f64 = values
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let r = y - (intercept + slope * i as f64);
            r * r
        })
        .sum();
    let s2 = residuals / (count - 2.0);
    let x = (n - 1 + ahead) as f64;
    let value = intercept + slope * x;
    let se = (s2 * (1.0 + 1.0 / count + (x - mean_x).powi(2) / sxx)).sqrt();
    let half = t_975(n - 2) * se;
    Some((value, value - half, value + half, slope))
}

/// The 97.5th percentile of Student's t with `df` degrees of freedom (the
/// two-sided 95% quantile), from the standard table.
fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
        2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
        2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
        2.048407, 2.045230, 2.042272,
    ];
    TABLE.get(df.wrapping_sub(1)).copied().unwrap_or(1.959964)
}

/// The next period's forecast of each metric of a scorecard's rows (the
/// `all` group), from its complete periods: those before the period
/// holding `today`, the report's day, consecutive up to the last. A series
/// with a missing or suppressed figure among them gets none, so that a
/// forecast never stands in for a figure the audience may not see.
pub fn scorecard(rows: &[Value], period: Period, today: Day) -> serde_json::Map<String, Value> {
    let current = today.period_start(period);
    let mut metrics: Vec<&str> = Vec::new();
    for row in rows {
        if let Some(metric) = row["metric"].as_str()
            && !metrics.contains(&metric)
        {
            metrics.push(metric);
        }
    }
    let mut forecasts = serde_json::Map::new();
    for metric in metrics {
        let mut series: Vec<(Day, Option<f64>)> = rows
            .iter()
            .filter(|r| {
                r["metric"].as_str() == Some(metric) && r["segment"].as_str() == Some("all")
            })
            .filter_map(|r| {
                let start = Day::parse(r["period_start"].as_str()?)?;
                let value = if r["status"].as_str() == Some("suppressed") {
                    None
                } else {
                    r["actual"].as_f64()
                };
                (start < current).then_some((start, value))
            })
            .collect();
        series.sort_by_key(|(start, _)| *start);
        let Some(values) = consecutive_tail(&series, period) else {
            continue;
        };
        let (Some((value, low, high, slope)), Some((last, _))) =
            (linear_trend(&values, 1), series.last())
        else {
            continue;
        };
        // A series that was never negative (counts, amounts, rates) cannot
        // become negative: its forecast and interval are cut at zero.
        let floor = |x: f64| {
            if values.iter().all(|v| *v >= 0.0) {
                x.max(0.0)
            } else {
                x
            }
        };
        let forecast = Forecast {
            period_start: last.next_period_start(period).to_string(),
            value: floor(value),
            low: floor(low),
            high: floor(high),
            periods: values.len().min(MAX_PERIODS),
            slope,
        };
        forecasts.insert(
            metric.to_string(),
            serde_json::to_value(forecast).expect("a forecast serializes"),
        );
    }
    forecasts
}

/// A projection of each target not yet due to its deadline
/// (docs/scorecard.md, "Forecasts"), by target number: the metric's
/// figures of the complete periods inside the target's window, extended by
/// their straight-line trend. A target judged on one period's figure (`per
/// P`, P the report's period) is compared with the trend's value in the
/// deadline's period; a total (a count or sum over the window) with the
/// total so far plus the trend's pace for the next period, per day, over
/// the days left. Any other figure over a whole window (a rate, an average,
/// revenue per customer) is not the sum of period figures: no projection,
/// and the reason says so. It is `likely` met when the whole 95% interval
/// meets the target, `unlikely` when none of it does, else `uncertain`.
pub fn targets(
    agreement: &Agreement<'_>,
    rows: &[Value],
    results: &serde_json::Map<String, Value>,
    period: Period,
) -> serde_json::Map<String, Value> {
    let mut projections = serde_json::Map::new();
    for row in rows {
        let (Some(number), Some(deadline), Some(evaluated_on), Some(window_start)) = (
            row["target_number"].as_u64(),
            row["deadline"].as_str().and_then(Day::parse),
            row["evaluated_on"].as_str().and_then(Day::parse),
            row["window_start"].as_str().and_then(Day::parse),
        ) else {
            continue;
        };
        if row["verdict"].as_str() != Some("not yet due") || deadline <= evaluated_on {
            continue;
        }
        let Some(target) = (number as usize)
            .checked_sub(1)
            .and_then(|i| agreement.targets.get(i))
        else {
            continue;
        };
        let Some(metric) = agreement.metric(&target.metric.name) else {
            continue;
        };
        let window = (window_start, evaluated_on, deadline);
        let projection = project(row, target, metric, results, period, window);
        projections.insert(number.to_string(), projection);
    }
    projections
}

fn project(
    row: &Value,
    target: &Target,
    metric: &Metric<'_>,
    results: &serde_json::Map<String, Value>,
    period: Period,
    (window_start, evaluated_on, deadline): (Day, Day, Day),
) -> Value {
    let why_not = |reason: &str| json!({ "reason": reason });
    if target.per.as_ref().is_some_and(|per| per.value != period) {
        return why_not("the target is per another period than the figures");
    }
    let figures = QueryId::Metric(metric.named.name.to_string()).name();
    let Some(figures) = results.get(&figures).and_then(Value::as_array) else {
        return why_not("no figures of the metric");
    };
    let current = evaluated_on.period_start(period);
    let first = window_start.period_start(period);
    let mut series: Vec<(Day, Option<f64>)> = figures
        .iter()
        .filter(|r| r["segment"].as_str() == Some("all"))
        .filter_map(|r| {
            let start = Day::parse(r["period_start"].as_str()?)?;
            (start >= first && start < current).then_some((start, r["value"].as_f64()))
        })
        .collect();
    series.sort_by_key(|(start, _)| *start);
    let Some(values) = consecutive_tail(&series, period) else {
        return why_not("a period without a figure");
    };
    let (Some(last), Some(threshold)) = (
        series.last().map(|(day, _)| *day),
        row["threshold"].as_f64(),
    ) else {
        return why_not("no complete period in the window yet");
    };
    let never_negative = values.iter().all(|v| *v >= 0.0);
    let floor = |x: f64| if never_negative { x.max(0.0) } else { x };
    let total = target.per.is_none();
    if total && !shape(metric).extensive() {
        return why_not("a figure over the whole window, which period figures do not add up to");
    }
    let projected = if total {
        // The pace of the next period, per day, over the days left.
        let (Some(value), Some(days_left)) = (row["value"].as_f64(), row["days_left"].as_f64())
        else {
            return why_not("no value so far");
        };
        linear_trend(&values, 1).map(|(next, low, high, _)| {
            let next_start = last.next_period_start(period);
            let days = (next_start.next_period_start(period).number() - next_start.number()) as f64;
            let at = |x: f64| value + floor(x) / days * days_left;
            (at(next), at(low), at(high), "pace")
        })
    } else {
        let deadline_period = deadline.period_start(period);
        let mut ahead = 0;
        let mut start = last;
        while start < deadline_period && ahead < 120 {
            start = start.next_period_start(period);
            ahead += 1;
        }
        linear_trend(&values, ahead)
            .map(|(value, low, high, _)| (floor(value), floor(low), floor(high), "trend"))
    };
    let Some((value, low, high, method)) = projected else {
        return why_not("fewer than 4 complete periods in the window");
    };
    let high_bound = row["threshold_high"].as_f64();
    let meets = |x: f64| match row["goalpost"].as_str() {
        Some("at most" | "decrease") => x <= threshold,
        Some("between") => x >= threshold && high_bound.is_none_or(|h| x <= h),
        _ => x >= threshold,
    };
    let likelihood = if meets(low) && meets(high) && meets(value) {
        "likely"
    } else if !meets(low) && !meets(high) && !meets(value) {
        "unlikely"
    } else {
        "uncertain"
    };
    json!({
        "deadline": deadline.to_string(),
        "value": value,
        "low": low,
        "high": high,
        "method": method,
        "periods": values.len().min(MAX_PERIODS),
        "likelihood": likelihood,
    })
}

/// The figures of the consecutive periods ending with the last of
/// `series` (sorted); `None` when one of them has no figure.
fn consecutive_tail(series: &[(Day, Option<f64>)], period: Period) -> Option<Vec<f64>> {
    let mut first = series.len();
    while first > 0
        && (first == series.len()
            || series[first - 1].0.next_period_start(period) == series[first].0)
    {
        first -= 1;
    }
    series[first..].iter().map(|(_, v)| *v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn a_trend_and_its_interval_match_the_hand_computation() {
        // x = 0..3, y = 10, 12, 11, 15: slope 7 / 5 = 1.4, intercept 9.9;
        // residuals 0.1, 0.7, -1.7, 0.9, s² = 4.2 / 2 = 2.1; at x = 4 the
        // value is 15.5 and se = sqrt(2.1 × (1 + 1/4 + 6.25/5)) =
        // sqrt(5.25); t(0.975, 2) = 4.302653.
        let (value, low, high, slope) = linear_trend(&[10.0, 12.0, 11.0, 15.0], 1).unwrap();
        let half = 4.302653 * 5.25_f64.sqrt();
        assert!(close(slope, 1.4));
        assert!(close(value, 15.5));
        assert!(
            close(low, 15.5 - half) && close(high, 15.5 + half),
            "{low} {high}"
        );
        // A straight line is forecast exactly.
        let (value, low, high, _) = linear_trend(&[1.0, 2.0, 3.0, 4.0, 5.0], 2).unwrap();
        assert!(close(value, 7.0) && close(low, 7.0) && close(high, 7.0));
        // Too few periods: none.
        assert_eq!(linear_trend(&[1.0, 2.0, 3.0], 1), None);
        // Only the last twelve count: a jump before them changes nothing.
        let mut long = vec![1000.0];
        long.extend((0..12).map(|i| i as f64));
        let (value, ..) = linear_trend(&long, 1).unwrap();
        assert!(close(value, 12.0));
    }

    #[test]
    fn scorecard_forecasts_use_complete_periods_and_never_suppressed_ones() {
        let row = |metric: &str, period: &str, actual: Value, status: &str| {
            json!({"metric": metric, "segment": "all", "period_start": period,
                   "actual": actual, "status": status})
        };
        let rows = vec![
            row("a", "2026-01-01", json!(10.0), "on track"),
            row("a", "2026-02-01", json!(12.0), "on track"),
            row("a", "2026-03-01", json!(11.0), "at risk"),
            row("a", "2026-04-01", json!(15.0), "on track"),
            // The current period is not complete: left out.
            row("a", "2026-05-01", json!(1.0), "off track"),
            json!({"metric": "a", "segment": "partner", "period_start": "2026-04-01",
                   "actual": 99.0, "status": "on track"}),
            row("b", "2026-01-01", json!(5.0), "on track"),
            row("b", "2026-02-01", json!(5.0), "suppressed"),
            row("b", "2026-03-01", json!(5.0), "on track"),
            row("b", "2026-04-01", json!(5.0), "on track"),
        ];
        let today = Day::parse("2026-05-20").unwrap();
        let forecasts = scorecard(&rows, Period::Month, today);
        let a = &forecasts["a"];
        assert!(close(a["value"].as_f64().unwrap(), 15.5));
        assert_eq!(a["period_start"], "2026-05-01");
        assert_eq!(a["periods"], 4);
        assert!(!forecasts.contains_key("b"));
        // Falling towards zero: the interval stops at zero.
        let rows: Vec<Value> = [9.0, 6.0, 4.0, 1.0]
            .iter()
            .enumerate()
            .map(|(i, v)| row("c", &format!("2026-0{}-01", i + 1), json!(v), "on track"))
            .collect();
        let c = &scorecard(&rows, Period::Month, today)["c"];
        assert_eq!(c["value"].as_f64(), Some(0.0));
        assert_eq!(c["low"].as_f64(), Some(0.0));
        assert!(c["high"].as_f64().unwrap() > 0.0);
    }

    #[test]
    fn targets_are_projected_by_trend_by_pace_or_not_at_all() {
        let text = std::fs::read_to_string("tests/sql/zones/local/agreement.pactum")
            .unwrap()
            .replace(
                "  target orders_count at least 1\n",
                "  target orders_count at least 10 per month by 2026-12-31\n",
            )
            .replace(
                "  target revenue at least 1 USD\n",
                "  target revenue at least 5000 USD by 2026-12-31\n",
            )
            .replace(
                "  target time_to_value at most 14 days\n",
                "  target time_to_value at most 14 days by 2026-12-31\n",
            );
        let mut sources = crate::source::SourceMap::new();
        let id = sources.add("agreement.pactum", text);
        let file = crate::parse(&sources, id).file.unwrap();
        let scope = crate::check::scope::Scope::build(&file, id, &[], &mut Vec::new());
        let agreement = Agreement::of(&scope);
        let figures = |values: &[f64]| {
            let rows: Vec<Value> = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    json!({"period_start": format!("2026-0{}-01", i + 1),
                                     "segment": "all", "value": v})
                })
                .collect();
            Value::Array(rows)
        };
        let mut results = serde_json::Map::new();
        // January to June; June holds the evaluation day, so is left out.
        results.insert(
            "metric_orders_count".into(),
            figures(&[2.0, 4.0, 6.0, 8.0, 10.0, 1.0]),
        );
        results.insert("metric_revenue".into(), figures(&[100.0; 6]));
        results.insert(
            "metric_time_to_value".into(),
            figures(&[3.0, 2.0, 4.0, 3.0, 2.0, 1.0]),
        );
        let row = |number: u64, metric: &str, goalpost: &str, threshold: f64, value: f64| {
            json!({"target_number": number, "metric": metric, "goalpost": goalpost,
                   "threshold": threshold, "threshold_high": null, "window_start": "2026-01-01",
                   "deadline": "2026-12-31", "evaluated_on": "2026-06-15",
                   "days_left": 199, "value": value, "verdict": "not yet due"})
        };
        let rows = vec![
            json!({"target_number": 1, "verdict": "met", "deadline": null}),
            row(2, "orders_count", "at least", 10.0, 1.0),
            row(3, "revenue", "at least", 5000.0, 560.0),
            row(5, "time_to_value", "at most", 14.0, 3.0),
        ];
        let projections = targets(&agreement, &rows, &results, Period::Month);
        // 2, 4, 6, 8, 10 in January to May: 10 + 2 × 7 = 24 in December,
        // exactly (no scatter), at least 10: likely.
        let by_trend = &projections["2"];
        assert_eq!(by_trend["method"], "trend");
        assert!(close(by_trend["value"].as_f64().unwrap(), 24.0));
        assert!(close(by_trend["low"].as_f64().unwrap(), 24.0));
        assert_eq!(by_trend["likelihood"], "likely");
        // 560 so far, then 100 a month: June's 30 days give 100/30 a day,
        // over 199 days 663.33: 1,223.33, far below 5,000: unlikely.
        let by_pace = &projections["3"];
        assert_eq!(by_pace["method"], "pace");
        assert!(close(
            by_pace["value"].as_f64().unwrap(),
            560.0 + 100.0 / 30.0 * 199.0
        ));
        assert_eq!(by_pace["likelihood"], "unlikely");
        // A median over the window is no sum of months: no projection.
        assert!(
            projections["5"]["reason"]
                .as_str()
                .unwrap()
                .contains("whole window")
        );
        // A target already judged is not projected.
        assert!(!projections.contains_key("1"));
    }
}
