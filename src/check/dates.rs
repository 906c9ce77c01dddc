//! Calendar arithmetic on the AST's dates: days since 1970-01-01, and adding
//! durations the way the language defines them (months are calendar months).

use crate::syntax::ast::{Date, DateRange, Duration, TimeUnit};

/// Days since 1970-01-01 (proleptic Gregorian calendar).
pub fn day_number(date: &Date) -> i64 {
    days_from_civil(
        i64::from(date.year),
        i64::from(date.month),
        i64::from(date.day),
    )
}

pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Howard Hinnant's algorithm: count from 0000-03-01 so that leap days fall
    // at the end of each year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The calendar date of a day number, as `(year, month, day)`.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD` of a day number.
pub fn show(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The day number of a `YYYY-MM-DD` text, when it is a real calendar date.
pub fn parse(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = text[..4].parse().ok()?;
    let month: i64 = text[5..7].parse().ok()?;
    let day: i64 = text[8..].parse().ok()?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// The day reached by adding a duration to a day. Months, quarters and years
/// are calendar steps (2026-01-31 plus one month is 2026-02-28); hours are
/// rounded up to whole days, so a window never ends early.
pub fn add(days: i64, duration: &Duration) -> i64 {
    let amount = duration.amount;
    match duration.unit {
        TimeUnit::Hour => days + (amount / 24.0).ceil() as i64,
        TimeUnit::Day => days + amount.ceil() as i64,
        TimeUnit::Week => days + (amount * 7.0).ceil() as i64,
        TimeUnit::Month => add_months(days, amount),
        TimeUnit::Quarter => add_months(days, amount * 3.0),
        TimeUnit::Year => add_months(days, amount * 12.0),
    }
}

fn add_months(days: i64, months: f64) -> i64 {
    let whole = months.trunc() as i64;
    let (y, m, d) = civil_from_days(days);
    let index = y * 12 + (m - 1) + whole;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let day = d.min(days_in_month(year, month));
    let landed = days_from_civil(year, month, day);
    // A fractional month counts as 30 days per month, rounded up.
    landed + ((months - months.trunc()) * 30.0).ceil() as i64
}

/// The length of a duration in days, for comparisons (a month is 30.44 days).
pub fn approx_days(duration: &Duration) -> f64 {
    let per_unit = match duration.unit {
        TimeUnit::Hour => 1.0 / 24.0,
        TimeUnit::Day => 1.0,
        TimeUnit::Week => 7.0,
        TimeUnit::Month => 30.436_875,
        TimeUnit::Quarter => 91.310_625,
        TimeUnit::Year => 365.2425,
    };
    duration.amount * per_unit
}

/// Inclusive day range of a written range.
pub fn range(range: &DateRange) -> (i64, i64) {
    (day_number(&range.start), day_number(&range.end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::span::Span;

    fn date(year: u16, month: u8, day: u8) -> Date {
        Date {
            year,
            month,
            day,
            span: Span::default(),
        }
    }

    fn duration(amount: f64, unit: TimeUnit) -> Duration {
        Duration {
            amount,
            unit,
            span: Span::default(),
        }
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number(&date(1970, 1, 1)), 0);
        assert_eq!(day_number(&date(2000, 3, 1)), 11_017);
        assert_eq!(
            day_number(&date(2026, 12, 31)) - day_number(&date(2026, 1, 1)),
            364
        );
        for days in [-1000, 0, 59, 60, 11_016, 20_454, 40_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(show(day_number(&date(2024, 2, 29))), "2024-02-29");
        assert_eq!(parse("2024-02-29"), Some(day_number(&date(2024, 2, 29))));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "20260101",
            "2026-01-3x",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_are_calendar_steps() {
        let jan31 = day_number(&date(2026, 1, 31));
        assert_eq!(
            show(add(jan31, &duration(1.0, TimeUnit::Month))),
            "2026-02-28"
        );
        assert_eq!(
            show(add(jan31, &duration(1.0, TimeUnit::Quarter))),
            "2026-04-30"
        );
        assert_eq!(
            show(add(jan31, &duration(1.0, TimeUnit::Year))),
            "2027-01-31"
        );
        assert_eq!(
            show(add(jan31, &duration(90.0, TimeUnit::Day))),
            "2026-05-01"
        );
        assert_eq!(
            show(add(jan31, &duration(25.0, TimeUnit::Hour))),
            "2026-02-02"
        );
    }
}
