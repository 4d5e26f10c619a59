//! Calendar dates (UTC, proleptic Gregorian), enough for deadlines, the store's timestamps and
//! the OUI registry's day: parsing `YYYY-MM-DD`, day arithmetic, and today's date, over
//! `chrono`'s `NaiveDate`.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// 1970-01-01 counted from 0001-01-01 (day 1), as `chrono` counts days.
const UNIX_EPOCH_FROM_CE: i64 = 719_163;

/// A calendar date.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    /// A date, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day)).map(Date)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Year, month (1-12) and day (1-31).
    pub fn parts(self) -> (i32, u8, u8) {
        // Month and day are at most 12 and 31.
        (self.0.year(), self.0.month() as u8, self.0.day() as u8)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        i64::from(self.0.num_days_from_ce()) - UNIX_EPOCH_FROM_CE
    }

    /// The date `days` after 1970-01-01; days beyond `chrono`'s range (some 262,000 years
    /// either way) give its first or last date.
    pub fn from_days(days: i64) -> Date {
        let from_ce = days.saturating_add(UNIX_EPOCH_FROM_CE);
        let clamped = i32::try_from(from_ce).ok();
        Date(
            clamped
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .unwrap_or(if days < 0 {
                    NaiveDate::MIN
                } else {
                    NaiveDate::MAX
                }),
        )
    }

    /// Today, in UTC.
    pub fn today() -> Date {
        Date(chrono::Utc::now().date_naive())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.parts();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

/// Written as `YYYY-MM-DD`, as records and reports show it.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Read from `YYYY-MM-DD`.
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a date like 2024-06-28, found {text:?}"))
        })
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.parts();
        f.debug_struct("Date")
            .field("year", &year)
            .field("month", &month)
            .field("day", &day)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_dates_only() {
        assert_eq!(Date::parse("2024-06-28").unwrap().to_string(), "2024-06-28");
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-13-01").is_none());
        assert!(Date::parse("24-06-28").is_none());
        assert!(Date::parse("2024-06-28x").is_none());
    }

    #[test]
    fn day_arithmetic_round_trips() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().days(), 11_017);
        for d in [-1000, 0, 19_000, 20_633, 100_000] {
            assert_eq!(Date::from_days(d).days(), d);
        }
        let a = Date::parse("2024-06-28").unwrap();
        let b = Date::parse("2027-12-31").unwrap();
        assert_eq!(b.days() - a.days(), 1281);
        assert_eq!(Date::from_days(20_454).parts(), (2026, 1, 1));
        assert_eq!(Date::from_days(11_016).parts(), (2000, 2, 29));
        assert_eq!(Date::from_days(i64::MAX), Date(NaiveDate::MAX));
        assert_eq!(Date::from_days(i64::MIN), Date(NaiveDate::MIN));
        assert_eq!(Date::today().to_string().len(), 10);
    }
}
