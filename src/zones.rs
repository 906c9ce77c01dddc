//! Time zones and instants: the one place that reads the time zone
//! database (bundled, so that every machine converts the same way).
//!
//! An agreement's `timezone` is an IANA name. Local timestamps are read as
//! they are; instants (`time ... instant`, `column ... instant`) are
//! converted to the zone's local time before any day, period or cohort
//! boundary is taken.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{self, Offset, TimeZone};

/// The zone an IANA name names, spelled exactly as the database does.
pub fn find(name: &str) -> Option<TimeZone> {
    let zone = tz::db().get(name).ok()?;
    (zone.iana_name() == Some(name)).then_some(zone)
}

/// The database's spelling of a name written with another case
/// (`america/new_york` is `America/New_York`).
pub fn canonical(name: &str) -> Option<String> {
    tz::db()
        .get(name)
        .ok()
        .and_then(|zone| zone.iana_name().map(str::to_string))
}

/// Every zone name of the database, sorted.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .collect();
    names.sort();
    names
}

/// The offset from UTC in seconds of a zone that never changes it (`UTC`,
/// `Etc/GMT+5`); `None` for a zone with daylight saving or a history of
/// changes, and for an unknown name.
pub fn fixed_offset_seconds(name: &str) -> Option<i32> {
    let zone = find(name)?;
    if let Ok(offset) = zone.to_fixed_offset() {
        return Some(offset.seconds());
    }
    let first = zone.following(Timestamp::MIN).next();
    first
        .is_none()
        .then(|| zone.to_offset(Timestamp::UNIX_EPOCH).seconds())
}

/// An instant as written in data: `YYYY-MM-DD HH:MM:SS` (or with `T`)
/// followed by `Z` or a UTC offset `+HH:MM`, `+HHMM` or `+HH` (or `-`).
/// Returns it as a UTC time, `YYYY-MM-DD HH:MM:SSZ`, the one spelling every
/// engine reads. A time without an offset is refused: it would be a guess.
pub fn parse_instant(text: &str) -> Option<String> {
    Some(format_utc(instant(text)?))
}

/// The local time, `YYYY-MM-DD HH:MM:SS`, of an instant (as
/// [`parse_instant`] reads it) in a zone.
pub fn local_time(text: &str, zone: &TimeZone) -> Option<String> {
    let local = zone.to_datetime(instant(text)?);
    Some(format_civil(local))
}

fn instant(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10)?;
    crate::check::dates::parse(date)?;
    let rest = rest.strip_prefix([' ', 'T'])?;
    let (time, offset) = rest.split_at_checked(8)?;
    let b = time.as_bytes();
    if b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |s: &str| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (h, m, s) = (two(&time[0..2])?, two(&time[3..5])?, two(&time[6..8])?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let offset_seconds = match offset {
        "Z" | "z" => 0,
        _ => {
            let sign = match offset.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits = &offset[1..];
            let (oh, om) = match digits.len() {
                2 => (two(digits)?, 0),
                4 => (two(&digits[0..2])?, two(&digits[2..4])?),
                5 if digits.as_bytes()[2] == b':' => (two(&digits[0..2])?, two(&digits[3..5])?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let year: i16 = date[0..4].parse().ok()?;
    let month: i8 = date[5..7].parse().ok()?;
    let day: i8 = date[8..10].parse().ok()?;
    let civil = DateTime::new(year, month, day, h as i8, m as i8, s as i8, 0).ok()?;
    Offset::from_seconds(offset_seconds)
        .ok()?
        .to_timestamp(civil)
        .ok()
}

fn format_utc(instant: Timestamp) -> String {
    format!("{}Z", format_civil(TimeZone::UTC.to_datetime(instant)))
}

fn format_civil(t: DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_read_with_their_offsets() {
        assert_eq!(
            parse_instant("2026-03-08 06:59:59Z").as_deref(),
            Some("2026-03-08 06:59:59Z")
        );
        assert_eq!(
            parse_instant("2026-03-08T01:59:59-05:00").as_deref(),
            Some("2026-03-08 06:59:59Z")
        );
        assert_eq!(
            parse_instant("2026-01-01 00:30:00+0100").as_deref(),
            Some("2025-12-31 23:30:00Z")
        );
        assert_eq!(
            parse_instant("2026-01-01 05:30:00+05").as_deref(),
            Some("2026-01-01 00:30:00Z")
        );
        // No offset, a bad offset, a bad day or time: refused.
        for bad in [
            "2026-03-08 06:59:59",
            "2026-03-08 06:59:59+5",
            "2026-03-08 06:59:59 +05:00",
            "2026-02-30 06:59:59Z",
            "2026-03-08 24:00:00Z",
            "2026-03-08",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn local_times_follow_daylight_saving_in_new_york() {
        let ny = find("America/New_York").unwrap();
        // Clocks go forward at 2:00 EST on 2026-03-08 (07:00 UTC).
        assert_eq!(
            local_time("2026-03-08 06:59:59Z", &ny).as_deref(),
            Some("2026-03-08 01:59:59")
        );
        assert_eq!(
            local_time("2026-03-08 07:00:00Z", &ny).as_deref(),
            Some("2026-03-08 03:00:00")
        );
        // And back at 2:00 EDT on 2026-11-01 (06:00 UTC): 1:30 twice.
        assert_eq!(
            local_time("2026-11-01 05:30:00Z", &ny).as_deref(),
            Some("2026-11-01 01:30:00")
        );
        assert_eq!(
            local_time("2026-11-01 06:30:00Z", &ny).as_deref(),
            Some("2026-11-01 01:30:00")
        );
        // Midnight starting November in New York is 04:00 UTC.
        assert_eq!(
            local_time("2026-11-01 03:59:59Z", &ny).as_deref(),
            Some("2026-10-31 23:59:59")
        );
    }

    #[test]
    fn zones_are_found_by_their_exact_names() {
        assert!(find("Europe/Amsterdam").is_some());
        assert!(find("europe/amsterdam").is_none());
        assert_eq!(
            canonical("europe/amsterdam").as_deref(),
            Some("Europe/Amsterdam")
        );
        assert!(find("Mars/Olympus_Mons").is_none());
        assert_eq!(fixed_offset_seconds("UTC"), Some(0));
        assert_eq!(fixed_offset_seconds("Etc/GMT+5"), Some(-5 * 3600));
        assert_eq!(fixed_offset_seconds("America/New_York"), None);
    }
}
