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

/// The parts of a field this subset takes: numbers, `*`, ranges, steps and lists.
fn in_subset(text: &str) -> bool {
    text.split(',').all(|part| {
        !part.is_empty()
            && !part.starts_with('/')
            && part
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '*' | '-' | '/'))
    })
}

/// The fields' names and ranges, in order.
const FIELDS: [(&str, &str); 5] = [
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31"),
    ("month", "1-12"),
    ("day-of-week", "0-7"),
];

/// The parser of this subset: five fields, and `5/15` read as from 5 to the end, every 15.
fn parser() -> croner::parser::CronParser {
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Disallowed)
        .year(croner::parser::Year::Disallowed)
        .sloppy_ranges(true)
        .build()
}

/// A cron expression of the subset above, parsed by `croner`.
#[derive(Clone, PartialEq, Eq)]
pub struct Cron {
    cron: croner::Cron,
    text: String,
}

impl Cron {
    /// Parses the five fields.
    pub fn parse(s: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = s.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "{s:?} is not a cron expression: five fields expected (minute hour day-of-month month day-of-week), e.g. \"0 */6 * * *\""
            ));
        }
        for (i, (text, (name, range))) in fields.iter().zip(FIELDS).enumerate() {
            let bad = |why: String| format!("cron {name} field {text:?}: {why}");
            if !in_subset(text) {
                return Err(bad(
                    "a number, a range A-B, a step */S or a list expected (names are not supported)"
                        .into(),
                ));
            }
            // The field alone, every other one `*`, tells which field `croner` refuses.
            let mut alone = ["*"; 5];
            alone[i] = text;
            if parser().parse(&alone.join(" ")).is_err() {
                return Err(bad(format!(
                    "values within {range} expected: a number, a range A-B with A at most B, \
                     a step */S or A-B/S with S at least 1, or a list of those"
                )));
            }
        }
        let cron = parser()
            .parse(&fields.join(" "))
            .map_err(|e| format!("{s:?} is not a cron expression: {e}"))?;
        Ok(Cron {
            cron,
            text: s.to_string(),
        })
    }

    /// The first minute strictly after `after_secs` (Unix seconds, UTC) that the expression
    /// names, as Unix seconds; `None` if there is none within five years (`0 0 31 2 *`).
    pub fn next_after(&self, after_secs: i64) -> Option<i64> {
        let after = chrono::DateTime::from_timestamp(after_secs, 0)?;
        let next = self.cron.find_next_occurrence(&after, false).ok()?;
        let limit = after_secs.saturating_add(5 * 366 * 86_400);
        Some(next.timestamp()).filter(|&t| t <= limit)
    }
}

impl std::fmt::Display for Cron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The expression as written, quoted (`schedule` names it so in its messages).
impl std::fmt::Debug for Cron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.text, f)
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
            ("0 0 * 13 *", "cron month field \"13\": values within 1-12"),
            ("0 0 * * 1,,2", "cron day-of-week field"),
            ("/5 * * * *", "cron minute field"),
            ("0 0 L * *", "names are not supported"),
            ("@daily", "five fields"),
            ("0 0 * * * 2026", "five fields"),
        ] {
            let e = Cron::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn a_step_from_a_number_runs_to_the_end_of_the_field() {
        let c = Cron::parse("5/20 * * * *").unwrap();
        for (after, next) in [((0, 5), (0, 25)), ((0, 45), (1, 5))] {
            let next = at(2026, 5, 1, next.0, next.1);
            assert_eq!(c.next_after(at(2026, 5, 1, after.0, after.1)), Some(next));
        }
        assert_eq!(format!("{c} {c:?}"), "5/20 * * * * \"5/20 * * * *\"");
    }
}
