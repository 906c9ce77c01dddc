//! Values of the language that every stage shares: the reporting period,
//! a calendar day and a column's type. The syntax tree, the model, the
//! planners, the dialects and the command line all use these types (the
//! syntax tree re-exports them), so that no stage depends on another for
//! them, and a period or a date is parsed once, at the edge, and never
//! travels as text.

use serde::Serialize;

use crate::check::dates;

/// A reporting period: how figures are grouped in time (`per month`,
/// `--period week`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
    /// Targets and caps may be stated per year; reports are not grouped by
    /// year, so the command line does not offer it.
    #[value(skip)]
    Year,
}

impl Period {
    pub fn word(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }
}

/// The type of a source column, as declared (`column amount money`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Text,
    Number,
    Money,
    /// A local wall-clock time in the agreement's zone.
    Timestamp,
    /// A moment in time stored with its zone or UTC offset, converted to
    /// the agreement's zone when read.
    Instant,
    Date,
    Boolean,
}

impl ColumnType {
    pub fn word(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Number => "number",
            ColumnType::Money => "money",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Instant => "instant",
            ColumnType::Date => "date",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// A calendar day (proleptic Gregorian), as days since 1970-01-01. Shown
/// and parsed as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// The day a `YYYY-MM-DD` text names, when it is a real calendar day.
    pub fn parse(text: &str) -> Option<Day> {
        dates::parse(text).map(Day)
    }

    /// Days since 1970-01-01.
    pub fn number(self) -> i64 {
        self.0
    }

    /// The day after this one: the exclusive upper bound of data "as of"
    /// this day.
    pub fn next(self) -> Day {
        Day(self.0 + 1)
    }

    /// The day before this one.
    pub fn before(self) -> Day {
        Day(self.0 - 1)
    }

    /// The first day of a month; months past 12 (or before 1) run into the
    /// next (or previous) years.
    pub fn first_of_month(year: i64, month: i64) -> Day {
        let index = year * 12 + month - 1;
        Day(dates::days_from_civil(
            index.div_euclid(12),
            index.rem_euclid(12) + 1,
            1,
        ))
    }

    /// The first day of the period holding this day (weeks start on
    /// Monday).
    pub fn period_start(self, period: Period) -> Day {
        let (y, m, _) = dates::civil_from_days(self.0);
        match period {
            Period::Day => self,
            // 1970-01-01 was a Thursday.
            Period::Week => Day(self.0 - (self.0 + 3).rem_euclid(7)),
            Period::Month => Day::first_of_month(y, m),
            Period::Quarter => Day::first_of_month(y, (m - 1) / 3 * 3 + 1),
            Period::Year => Day::first_of_month(y, 1),
        }
    }

    /// The first day of the period after the one holding this day.
    pub fn next_period_start(self, period: Period) -> Day {
        let start = self.period_start(period);
        let (y, m, _) = dates::civil_from_days(start.0);
        match period {
            Period::Day => Day(start.0 + 1),
            Period::Week => Day(start.0 + 7),
            Period::Month => Day::first_of_month(y, m + 1),
            Period::Quarter => Day::first_of_month(y, m + 3),
            Period::Year => Day::first_of_month(y + 1, 1),
        }
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&dates::show(self.0))
    }
}

impl std::str::FromStr for Day {
    type Err = String;

    /// For the command line: `--as-of 2026-09-30`.
    fn from_str(text: &str) -> Result<Day, String> {
        Day::parse(text).ok_or_else(|| format!("`{text}` is not a date; write YYYY-MM-DD"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_and_follow_on_the_calendar() {
        let day = |text: &str| Day::parse(text).unwrap();
        assert_eq!(
            day("2026-03-08").period_start(Period::Week),
            day("2026-03-02")
        );
        assert_eq!(
            day("2026-08-31").period_start(Period::Quarter),
            day("2026-07-01")
        );
        assert_eq!(
            day("2026-12-01").next_period_start(Period::Month),
            day("2027-01-01")
        );
        assert_eq!(
            day("2026-11-15").next_period_start(Period::Quarter),
            day("2027-01-01")
        );
        assert_eq!(
            day("2026-12-31").next_period_start(Period::Week),
            day("2027-01-04")
        );
        assert_eq!(Day::first_of_month(2026, 0), day("2025-12-01"));
        assert_eq!(Day::first_of_month(2026, 13), day("2027-01-01"));
    }

    #[test]
    fn days_parse_show_and_step_across_month_and_year_ends() {
        let day: Day = "2026-12-31".parse().unwrap();
        assert_eq!(day.next().to_string(), "2027-01-01");
        assert_eq!(
            Day::parse("2028-02-28").unwrap().next().to_string(),
            "2028-02-29"
        );
        assert_eq!(Day::parse("1970-01-02").unwrap().number(), 1);
        assert_eq!(
            "2026-02-30".parse::<Day>(),
            Err("`2026-02-30` is not a date; write YYYY-MM-DD".to_string())
        );
        assert!(Day::parse("2026-9-30").is_none());
    }

    #[test]
    fn the_command_line_offers_every_period_but_year() {
        use clap::ValueEnum;
        let offered: Vec<String> = Period::value_variants()
            .iter()
            .filter_map(|p| p.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect();
        assert_eq!(offered, ["day", "week", "month", "quarter"]);
    }
}
