//! What first contact learns of the segment as it goes, and its account of itself: the round
//! trips of the answers (from which a silent address's timeout is learned, nmap's way) and the
//! answers that came only on a retry (the evidence of loss that earns silent addresses their
//! retries).

use std::time::Duration;

/// The learned timeout is never shorter than this (nmap's `--min-rtt-timeout` default).
pub const TIMEOUT_FLOOR: Duration = Duration::from_millis(100);
/// Round trips timed before a timeout is learned from them.
pub const MIN_ROUND_TRIPS: u64 = 5;
/// The percentile of the round trips the timeout is made from, in per cent.
pub const PERCENTILE: u64 = 99;
/// The margin the percentile is multiplied by.
pub const MARGIN: u32 = 2;

/// Quarter-octave buckets from 1 µs: the last ends past two minutes, beyond any `--timeout`.
const BUCKETS: usize = 4 * 28;

/// Round trips, counted in quarter-octave buckets: a bucket's bounds are within 19% of each
/// other, and the whole is under a kilobyte whatever the count.
#[derive(Clone)]
pub struct RoundTrips {
    buckets: [u64; BUCKETS],
    count: u64,
}

impl Default for RoundTrips {
    fn default() -> Self {
        RoundTrips {
            buckets: [0; BUCKETS],
            count: 0,
        }
    }
}

impl std::fmt::Debug for RoundTrips {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoundTrips")
            .field("count", &self.count)
            .field("p99", &self.percentile(PERCENTILE))
            .finish()
    }
}

/// The bucket of a round trip of `micros` (at least 1).
fn bucket(micros: u64) -> usize {
    let micros = micros.max(1);
    let octave = 63 - micros.leading_zeros() as usize;
    // The two bits below the leading one: which quarter of its octave.
    let quarter = if octave >= 2 {
        (micros >> (octave - 2)) & 3
    } else {
        (micros << (2 - octave)) & 3
    } as usize;
    (octave * 4 + quarter).min(BUCKETS - 1)
}

/// The upper bound of bucket `i`, in microseconds.
fn upper(i: usize) -> u64 {
    let (octave, quarter) = (i / 4, (i % 4) as u64);
    ((4 + quarter + 1) << octave) >> 2
}

impl RoundTrips {
    /// Counts one round trip.
    pub fn add(&mut self, rtt: Duration) {
        let micros = u64::try_from(rtt.as_micros()).unwrap_or(u64::MAX);
        self.buckets[bucket(micros)] += 1;
        self.count += 1;
    }

    /// Round trips counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `p`th percentile (nearest rank, 1 to 100) as its bucket's upper bound: never below
    /// the true value. `None` before any round trip.
    pub fn percentile(&self, p: u64) -> Option<Duration> {
        if self.count == 0 {
            return None;
        }
        let rank = (self.count * p.clamp(1, 100)).div_ceil(100).max(1);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(Duration::from_micros(upper(i)));
            }
        }
        None
    }

    /// The timeout for an address that has not answered: the 99th percentile times 2, at
    /// least [`TIMEOUT_FLOOR`], at most `longest` (the sweep's `--timeout`); `None` (use
    /// `longest`) until [`MIN_ROUND_TRIPS`] round trips are known.
    pub fn timeout(&self, longest: Duration) -> Option<Duration> {
        if self.count < MIN_ROUND_TRIPS {
            return None;
        }
        let learned = self.percentile(PERCENTILE)? * MARGIN;
        Some(learned.max(TIMEOUT_FLOOR).min(longest))
    }
}

/// First contact's account of itself, for the sweep's summary.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Datagrams sent to addresses that had not answered anything yet.
    pub to_silent: u64,
    /// Retries among them.
    pub retries_silent: u64,
    /// Retries sent to addresses that had answered something.
    pub retries_live: u64,
    /// Answers that came only on a retry: the sweep's evidence of loss.
    pub recovered: u64,
    /// The most retries an answer needed.
    pub deepest: u32,
    /// Answers that came after an address's learned timeout but within the sweep's own, and
    /// were taken (the address had not been given up for good).
    pub slower_than_learned: u64,
    /// The answers' round trips.
    pub round_trips: RoundTrips,
    /// The timeout last given to an address that had not answered, once one was learned.
    pub learned: Option<Duration>,
    /// The plan's own timeout (`--timeout`).
    pub timeout: Duration,
    /// The retries asked for with `--retries`, if they were.
    pub explicit_retries: Option<u32>,
}

impl serde::Serialize for Account {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let ms = |d: Option<Duration>| d.map(|d| d.as_secs_f64() * 1000.0);
        let mut m = s.serialize_struct("Account", 10)?;
        m.serialize_field("datagrams_to_silent", &self.to_silent)?;
        m.serialize_field("retries_to_silent", &self.retries_silent)?;
        m.serialize_field("retries_to_responders", &self.retries_live)?;
        m.serialize_field("answers_only_on_a_retry", &self.recovered)?;
        m.serialize_field("answers_after_learned_timeout", &self.slower_than_learned)?;
        m.serialize_field("round_trips", &self.round_trips.count)?;
        m.serialize_field(
            "round_trip_p99_ms",
            &ms(self.round_trips.percentile(PERCENTILE)),
        )?;
        m.serialize_field("learned_timeout_ms", &ms(self.learned))?;
        m.serialize_field("timeout_ms", &ms(Some(self.timeout)))?;
        m.serialize_field("retries_asked", &self.explicit_retries)?;
        m.end()
    }
}

impl Account {
    /// Adds another wave's account to this one.
    pub fn merge(&mut self, other: &Account) {
        self.to_silent += other.to_silent;
        self.retries_silent += other.retries_silent;
        self.retries_live += other.retries_live;
        self.recovered += other.recovered;
        self.deepest = self.deepest.max(other.deepest);
        self.slower_than_learned += other.slower_than_learned;
        for (a, b) in self
            .round_trips
            .buckets
            .iter_mut()
            .zip(other.round_trips.buckets)
        {
            *a += b;
        }
        self.round_trips.count += other.round_trips.count;
        if other.learned.is_some() {
            self.learned = other.learned;
        }
        self.timeout = other.timeout;
        self.explicit_retries = other.explicit_retries;
    }

    /// What first contact did, in a sentence or two for the summary: the timeout a silent
    /// address was given and why, and the retries sent and why.
    pub fn line(&self) -> String {
        let (timeout, explicit) = (self.timeout, self.explicit_retries);
        let ms = |d: Duration| d.as_millis();
        let timeouts = match self.learned {
            Some(t) => format!(
                "first contact: silent addresses given up after {} ms, learned from {} round \
                 trips (99th percentile {:.1} ms × {MARGIN}, at least {} ms, at most --timeout \
                 {} ms; --timeout before the first answers and for addresses that answered)",
                ms(t),
                self.round_trips.count,
                self.round_trips
                    .percentile(PERCENTILE)
                    .unwrap_or_default()
                    .as_secs_f64()
                    * 1000.0,
                ms(TIMEOUT_FLOOR),
                ms(timeout),
            ),
            None => format!(
                "first contact: silent addresses given up after --timeout {} ms ({} round \
                 trips timed, fewer than the {MIN_ROUND_TRIPS} a timeout is learned from)",
                ms(timeout),
                self.round_trips.count,
            ),
        };
        let why = match (explicit, self.recovered) {
            (Some(n), _) => format!("--retries {n} asked for"),
            (None, 0) => "no answer came only on a retry, so no loss was seen".to_string(),
            (None, r) => format!(
                "{} of responders came only on a retry (loss seen)",
                crate::words::count(r, "answer", "answers")
            ),
        };
        let slow = if self.slower_than_learned > 0 {
            format!(
                "; {} came after the learned timeout and were taken",
                crate::words::count(self.slower_than_learned, "answer", "answers")
            )
        } else {
            String::new()
        };
        format!(
            "{timeouts}; {} sent to silent addresses ({why}), {} to addresses that answered{slow}",
            crate::words::count(self.retries_silent, "retry", "retries"),
            self.retries_live,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_values_within_a_quarter_octave() {
        for micros in [1u64, 2, 3, 5, 7, 100, 999, 1_000, 1_001, 65_535, 3_000_000] {
            let i = bucket(micros);
            assert!(upper(i) >= micros, "{micros} in {i} up to {}", upper(i));
            assert!(upper(i) <= micros * 2, "{micros} in {i} up to {}", upper(i));
            if micros >= 4 {
                assert!(
                    upper(i - 1) <= micros,
                    "{micros}: bucket {i} is not the first"
                );
            }
        }
        assert_eq!(bucket(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn the_percentile_is_the_nearest_rank_and_never_below_it() {
        let mut r = RoundTrips::default();
        assert_eq!(r.percentile(99), None);
        for _ in 0..99 {
            r.add(Duration::from_micros(500));
        }
        r.add(Duration::from_millis(40));
        let p99 = r.percentile(99).unwrap();
        assert!((Duration::from_micros(500)..Duration::from_micros(600)).contains(&p99));
        let p100 = r.percentile(100).unwrap();
        assert!((Duration::from_millis(40)..Duration::from_millis(48)).contains(&p100));
    }

    #[test]
    fn the_timeout_is_learned_floored_and_capped() {
        let longest = Duration::from_secs(1);
        let mut r = RoundTrips::default();
        for _ in 0..MIN_ROUND_TRIPS - 1 {
            r.add(Duration::from_millis(150));
        }
        assert_eq!(r.timeout(longest), None, "too few round trips");
        r.add(Duration::from_millis(150));
        let t = r.timeout(longest).unwrap();
        assert!((Duration::from_millis(300)..Duration::from_millis(360)).contains(&t));
        let mut fast = RoundTrips::default();
        for _ in 0..10 {
            fast.add(Duration::from_micros(80));
        }
        assert_eq!(fast.timeout(longest), Some(TIMEOUT_FLOOR));
        let mut slow = RoundTrips::default();
        for _ in 0..10 {
            slow.add(Duration::from_millis(900));
        }
        assert_eq!(slow.timeout(longest), Some(longest));
    }

    #[test]
    fn the_line_says_why() {
        let t = Duration::from_secs(1);
        let mut a = Account {
            timeout: t,
            ..Account::default()
        };
        let line = a.line();
        assert!(line.contains("after --timeout 1000 ms"), "{line}");
        assert!(
            line.contains("0 retries sent to silent addresses (no answer came only on a retry")
        );
        for _ in 0..20 {
            a.round_trips.add(Duration::from_micros(300));
        }
        a.learned = a.round_trips.timeout(t);
        a.recovered = 3;
        a.retries_silent = 40;
        let line = a.line();
        assert!(
            line.contains("given up after 100 ms, learned from 20 round trips"),
            "{line}"
        );
        assert!(
            line.contains(
                "40 retries sent to silent addresses (3 answers of responders came only on a retry"
            ),
            "{line}"
        );
        a.explicit_retries = Some(2);
        assert!(a.line().contains("(--retries 2 asked for)"));
    }
}
