//! The burn-down of banned gear, day by day, and the deadlines ahead.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::CURRENT;
use crate::central::fleet::count;
use crate::central::{Central, CentralError, query_error};
use crate::date::Date;

/// The most points a burn-down has day by day; past it, one a week (ending today).
pub const MAX_DAILY_POINTS: i64 = 400;

/// The banned gear on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurnPoint {
    /// The day (`YYYY-MM-DD`, UTC).
    pub day: String,
    /// Devices whose state that day was banned.
    pub banned_devices: u64,
    /// Banned modules in the devices' states that day.
    pub banned_modules: u64,
}

/// A deadline of the current gear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineMark {
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// The policy whose rule sets it.
    pub policy: String,
    /// The rule.
    pub rule: String,
    /// Current devices with a finding of this rule and deadline and no exception.
    pub devices: u64,
}

/// The burn-down chart's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Burndown {
    /// From the first sweep's day to today, oldest first.
    pub points: Vec<BurnPoint>,
    /// Each deadline of the current gear, by day.
    pub deadlines: Vec<DeadlineMark>,
}

/// Per day (days since 1970-01-01, UTC), the change in banned devices and modules. A state
/// covers the days from its `first_seen` to the day before the state after it began; a
/// device's current state, to today if the device is current, else to its `last_seen` (a
/// removed device stops counting then). So each device counts once a day.
const DELTAS: &str = "WITH mods AS (
        SELECT state_id, count(*) AS n FROM state_module WHERE verdict = 'banned'
        GROUP BY state_id),
    spans AS (
        SELECT (st.first_seen AT TIME ZONE 'UTC')::date - DATE '1970-01-01' AS a,
               CASE WHEN nx.id IS NOT NULL
                        THEN (nx.first_seen AT TIME ZONE 'UTC')::date - DATE '1970-01-01' - 1
                    WHEN d.state_id = st.id AND d.last_seen >= coalesce(s.current_since, '-infinity')
                        THEN $1::bigint
                    ELSE (st.last_seen AT TIME ZONE 'UTC')::date - DATE '1970-01-01' END AS b,
               (st.verdict = 'banned')::int AS dev, coalesce(mods.n, 0) AS mods
        FROM device_state st JOIN device d ON d.id = st.device_id
        JOIN site s ON s.id = d.site_id
        LEFT JOIN mods ON mods.state_id = st.id
        LEFT JOIN device_state nx ON nx.previous_id = st.id
        WHERE st.verdict = 'banned' OR mods.n > 0)
    SELECT day::bigint, sum(dev)::bigint, sum(mods)::bigint FROM (
        SELECT a AS day, dev, mods FROM spans WHERE b >= a
        UNION ALL
        SELECT b + 1, -dev, -mods FROM spans WHERE b >= a) x
    GROUP BY day ORDER BY day";

/// The first `n` of `marks` (in day order) on or after `today`.
pub fn ahead(marks: &[DeadlineMark], today: Date, n: usize) -> Vec<DeadlineMark> {
    let today = today.to_string();
    marks
        .iter()
        .filter(|m| m.day >= today)
        .take(n)
        .cloned()
        .collect()
}

impl Central {
    /// The banned devices and modules day by day from the first sweep's day to `today` (one
    /// point a week, ending today, past `MAX_DAILY_POINTS` days), and the deadlines of the
    /// current gear. A device counts on the days a banned state of it covers: from the state's
    /// first sighting to the day before the next state began, or for its current state to
    /// today (to its last sighting if it was removed). Days are UTC. It reads every banned
    /// state: a scan.
    pub async fn burndown(&self, today: Date) -> Result<Burndown, CentralError> {
        // One connection at a time: `deadlines` takes its own once this one is back.
        let client = self.client().await?;
        let first: Option<std::time::SystemTime> = client
            .query_one("SELECT min(started) FROM sweep", &[])
            .await
            .map_err(query_error)?
            .get(0);
        let mut points = Vec::new();
        if let Some(first) = first {
            let first = crate::central::millis(first).div_euclid(86_400_000);
            let end = today.days();
            let deltas: BTreeMap<i64, (i64, i64)> = client
                .query(DELTAS, &[&end])
                .await
                .map_err(query_error)?
                .iter()
                .map(|r| (r.get(0), (r.get(1), r.get(2))))
                .collect();
            let step = match end - first + 1 > MAX_DAILY_POINTS {
                true => 7,
                false => 1,
            };
            let (mut devices, mut modules) = (0i64, 0i64);
            let mut running = deltas.range(..=end).peekable();
            let mut day = first;
            // The first point a week back from today by steps, so the last point is today.
            day += (end - first).rem_euclid(step);
            while let Some((_, (d, m))) = running.next_if(|(k, _)| **k < day) {
                devices += d;
                modules += m;
            }
            while day <= end {
                while let Some((_, (d, m))) = running.next_if(|(k, _)| **k <= day) {
                    devices += d;
                    modules += m;
                }
                points.push(BurnPoint {
                    day: Date::from_days(day).to_string(),
                    banned_devices: devices.max(0) as u64,
                    banned_modules: modules.max(0) as u64,
                });
                day += step;
            }
        }
        drop(client);
        Ok(Burndown {
            points,
            deadlines: self.deadlines().await?,
        })
    }

    /// The next `n` deadlines of the current gear on or after `today`, soonest first (those
    /// passed are [`Central::summary`]'s overdue).
    pub async fn nearest_deadlines(
        &self,
        today: Date,
        n: usize,
    ) -> Result<Vec<DeadlineMark>, CentralError> {
        Ok(ahead(&self.deadlines().await?, today, n))
    }

    /// Each deadline (day, policy, rule) of a finding without an exception of a current
    /// device, with how many current devices have it, by day then policy and rule. A deadline
    /// that is not a date (`YYYY-MM-DD`) is left out.
    async fn deadlines(&self) -> Result<Vec<DeadlineMark>, CentralError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT f.deadline, f.policy, f.rule, count(DISTINCT d.id)
                     FROM device d JOIN site s ON s.id = d.site_id
                     JOIN state_finding f ON f.state_id = d.state_id
                     WHERE {CURRENT} AND d.earliest_deadline IS NOT NULL
                       AND f.exception IS NULL AND f.deadline IS NOT NULL
                     GROUP BY 1, 2, 3"
                ),
                &[],
            )
            .await
            .map_err(query_error)?;
        let mut marks: BTreeMap<(Date, String, String), u64> = BTreeMap::new();
        for r in &rows {
            let day: String = r.get(0);
            if let Some(day) = Date::parse(&day) {
                *marks.entry((day, r.get(1), r.get(2))).or_default() += count(r, 3);
            }
        }
        Ok(marks
            .into_iter()
            .map(|((day, policy, rule), devices)| DeadlineMark {
                day: day.to_string(),
                policy,
                rule,
                devices,
            })
            .collect())
    }
}
