//! Durations (`90s`, `15m`, `6h`, `1d`, `1h30m`) and the five-field cron expressions of
//! `schedule --cron`, in UTC.
//!
//! The cron subset: `minute hour day-of-month month day-of-week`, each field `*`, a number,
//! a range `A-B`, a step `*/S` or `A-B/S`, or a comma-separated list of those. Day of week is
//! 0-7 (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a day
//! matching either runs. Names (`MON`, `JAN`) and `@daily`-style macros are not supported.

use std::time::Duration;

/// Parses a duration: one or more `NUMBER UNIT` with units `s`, `m`, `h`, `d`, e.g. `6h`,
/// `1h30m`, `90s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let expected = "a duration such as 90s, 15m, 6h, 1d or 1h30m expected";
    let mut total = 0u64;
    let mut number = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(format!("{s:?} is not a duration: {expected}")),
        };
        let n: u64 = number
            .parse()
            .map_err(|_| format!("{s:?} is not a duration: {expected}"))?;
        total = n
            .checked_mul(unit)
            .and_then(|x| total.checked_add(x))
            .ok_or_else(|| format!("{s:?} is too long a duration"))?;
        number.clear();
        any = true;
    }
    if !number.is_empty() || !any {
        return Err(format!("{s:?} is not a duration: {expected}"));
    }
    Ok(Duration::from_secs(total))
}

/// Parses an interval: a duration of at least one second.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("{s:?}: the interval must be at least 1s"));
    }
    Ok(d)
}

/// A cron expression: the minutes, hours, days, months and weekdays it runs at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    day_restricted: bool,
    weekday_restricted: bool,
    text: String,
}

fn field(text: &str, name: &str, lo: u32, hi: u32) -> Result<(u64, bool), String> {
    let bad = |why: &str| format!("cron {name} field {text:?}: {why}");
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let s: u32 = s.parse().map_err(|_| bad("the step is not a number"))?;
                if s == 0 {
                    return Err(bad("the step must be at least 1"));
                }
                (r, s)
            }
            None => (part, 1),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            let a: u32 = a.parse().map_err(|_| bad("not a number"))?;
            let b: u32 = b.parse().map_err(|_| bad("not a number"))?;
            (a, b)
        } else {
            let a: u32 = range.parse().map_err(|_| {
                bad("a number, a range A-B, a step */S or a list expected (names are not supported)")
            })?;
            // `5/15` means from 5 to the end, every 15.
            (a, if part.contains('/') { hi } else { a })
        };
        if a < lo || b > hi || a > b {
            return Err(bad(&format!("values must be within {lo}-{hi}")));
        }
        let mut v = a;
        while v <= b {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok((bits, text != "*"))
}

impl Cron {
    /// Parses the five fields.
    pub fn parse(s: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = s.split_whitespace().collect();
        let [min, hour, day, month, weekday] = fields[..] else {
            return Err(format!(
                "{s:?} is not a cron expression: five fields expected (minute hour day-of-month month day-of-week), e.g. \"0 */6 * * *\""
            ));
        };
        let (minutes, _) = field(min, "minute", 0, 59)?;
        let (hours, _) = field(hour, "hour", 0, 23)?;
        let (days, day_restricted) = field(day, "day-of-month", 1, 31)?;
        let (months, _) = field(month, "month", 1, 12)?;
        let (mut weekdays, weekday_restricted) = field(weekday, "day-of-week", 0, 7)?;
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1;
        }
        Ok(Cron {
            minutes,
            hours,
            days,
            months,
            weekdays,
            day_restricted,
            weekday_restricted,
            text: s.to_string(),
        })
    }

    /// The first minute strictly after `after_secs` (Unix seconds, UTC) that the expression
    /// names, as Unix seconds; `None` if there is none within five years (`0 0 31 2 *`).
    pub fn next_after(&self, after_secs: i64) -> Option<i64> {
        let mut t = after_secs.div_euclid(60) * 60 + 60;
        let limit = t + 5 * 366 * 86_400;
        while t < limit {
            let days = t.div_euclid(86_400);
            let date = crate::date::Date::from_days(days);
            let (_, month, day) = date.parts();
            if self.months & (1 << month) == 0 {
                // Next month's first day.
                let (y, m, _) = date.parts();
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                t = crate::date::Date::new(ny, nm, 1)?.days() * 86_400;
                continue;
            }
            // 1970-01-01 was a Thursday (4).
            let weekday = (days + 4).rem_euclid(7) as u32;
            let day_ok = self.days & (1 << day) != 0;
            let weekday_ok = self.weekdays & (1 << weekday) != 0;
            let runs_today = match (self.day_restricted, self.weekday_restricted) {
                (true, true) => day_ok || weekday_ok,
                _ => day_ok && weekday_ok,
            };
            if !runs_today {
                t = (days + 1) * 86_400;
                continue;
            }
            let secs = t.rem_euclid(86_400);
            let (hour, minute) = (secs / 3600, (secs / 60) % 60);
            if self.hours & (1 << hour) == 0 {
                t = days * 86_400 + (hour + 1) * 3600;
                continue;
            }
            if self.minutes & (1 << minute) != 0 {
                return Some(t);
            }
            t += 60;
        }
        None
    }
}

impl std::fmt::Display for Cron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    fn at(y: i32, mo: u8, d: u8, h: i64, mi: i64) -> i64 {
        Date::new(y, mo, d).unwrap().days() * 86_400 + h * 3600 + mi * 60
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(21_600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        for bad in ["", "6", "h", "6x", "-1h", "1.5h", "6 h"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert!(parse_interval("0s").is_err());
    }

    #[test]
    fn every_six_hours() {
        let c = Cron::parse("0 */6 * * *").unwrap();
        assert_eq!(
            c.next_after(at(2026, 5, 1, 5, 59)),
            Some(at(2026, 5, 1, 6, 0))
        );
        assert_eq!(
            c.next_after(at(2026, 5, 1, 6, 0)),
            Some(at(2026, 5, 1, 12, 0))
        );
        assert_eq!(
            c.next_after(at(2026, 12, 31, 18, 30)),
            Some(at(2027, 1, 1, 0, 0))
        );
    }

    #[test]
    fn weekdays_months_lists_and_ranges() {
        // 2026-05-01 is a Friday.
        let c = Cron::parse("30 2 * * 1-5").unwrap();
        assert_eq!(
            c.next_after(at(2026, 5, 1, 3, 0)),
            Some(at(2026, 5, 4, 2, 30))
        );
        let sunday = Cron::parse("0 0 * * 7").unwrap();
        assert_eq!(
            sunday.next_after(at(2026, 5, 1, 0, 0)),
            Some(at(2026, 5, 3, 0, 0))
        );
        let c = Cron::parse("15,45 8-9 1 1,7 *").unwrap();
        assert_eq!(
            c.next_after(at(2026, 5, 1, 0, 0)),
            Some(at(2026, 7, 1, 8, 15))
        );
        // Both day fields restricted: either runs (the 13th, or any Friday).
        let c = Cron::parse("0 12 13 * 5").unwrap();
        assert_eq!(
            c.next_after(at(2026, 5, 2, 0, 0)),
            Some(at(2026, 5, 8, 12, 0))
        );
        assert_eq!(Cron::parse("0 0 31 2 *").unwrap().next_after(0), None);
    }

    #[test]
    fn bad_expressions_say_what_was_expected() {
        for (bad, says) in [
            ("0 */6 * *", "five fields"),
            ("60 * * * *", "0-59"),
            ("* * * * MON", "names are not supported"),
            ("*/0 * * * *", "at least 1"),
            ("5-1 * * * *", "within"),
        ] {
            let e = Cron::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
