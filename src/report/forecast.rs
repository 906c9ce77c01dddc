//! Forecasts of the scorecard's figures for the next period
//! (docs/scorecard.md, "Forecasts"): a straight-line trend fitted by least
//! squares to the last complete periods, with a 95% prediction interval
//! from the residuals (Student's t with n - 2 degrees of freedom).
//!
//! Computed where the report is rendered, from the scorecard's rows, so
//! that it is the same for results from any warehouse.

use serde::Serialize;
use serde_json::Value;

use crate::check::dates;
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
    let current = period_start(period, today);
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
        // The consecutive periods ending with the last complete one.
        let mut first = series.len();
        while first > 0
            && (first == series.len()
                || next_period(period, series[first - 1].0) == series[first].0)
        {
            first -= 1;
        }
        let tail = &series[first..];
        let Some(values) = tail.iter().map(|(_, v)| *v).collect::<Option<Vec<f64>>>() else {
            continue;
        };
        let (Some((value, low, high, slope)), Some((last, _))) =
            (linear_trend(&values, 1), tail.last())
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
            period_start: next_period(period, *last).to_string(),
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

/// The first day of the period holding `day` (weeks start on Monday).
fn period_start(period: Period, day: Day) -> Day {
    let n = day.number();
    let (y, m, _) = dates::civil_from_days(n);
    let first_of = |year: i64, month: i64| {
        Day::parse(&format!("{year:04}-{month:02}-01")).expect("the first of a month")
    };
    match period {
        Period::Day => day,
        // 1970-01-01 was a Thursday.
        Period::Week => Day::parse(&dates::show(n - (n + 3).rem_euclid(7))).expect("a day"),
        Period::Month => first_of(y, m),
        Period::Quarter => first_of(y, (m - 1) / 3 * 3 + 1),
        Period::Year => first_of(y, 1),
    }
}

/// The first day of the period after the one starting on `start`.
fn next_period(period: Period, start: Day) -> Day {
    let n = start.number();
    let (y, m, _) = dates::civil_from_days(n);
    let months_later = |k: i64| {
        let index = y * 12 + (m - 1) + k;
        Day::parse(&format!(
            "{:04}-{:02}-01",
            index.div_euclid(12),
            index.rem_euclid(12) + 1
        ))
        .expect("the first of a month")
    };
    match period {
        Period::Day => start.next(),
        Period::Week => Day::parse(&dates::show(n + 7)).expect("a day"),
        Period::Month => months_later(1),
        Period::Quarter => months_later(3),
        Period::Year => months_later(12),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn periods_start_and_follow_on_the_calendar() {
        let day = |text: &str| Day::parse(text).unwrap();
        assert_eq!(
            period_start(Period::Week, day("2026-03-08")),
            day("2026-03-02")
        );
        assert_eq!(
            period_start(Period::Quarter, day("2026-08-31")),
            day("2026-07-01")
        );
        assert_eq!(
            next_period(Period::Month, day("2026-12-01")),
            day("2027-01-01")
        );
        assert_eq!(
            next_period(Period::Quarter, day("2026-10-01")),
            day("2027-01-01")
        );
        assert_eq!(
            next_period(Period::Week, day("2026-12-28")),
            day("2027-01-04")
        );
    }
}
