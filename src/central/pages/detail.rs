//! One device with its history, one site's page, one sweep, and the newest sweeps.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{CURRENT, WORKLIST, record, verdict};
use crate::central::fleet::{
    Filter, SWEEP_COLUMNS, SiteCounts, SweepInfo, differences, sweep_info,
};
use crate::central::{Central, CentralError, millis, query_error};
use crate::record::{DeviceRecord, Verdict};

/// One stretch of a device's history in which it looked the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateSpan {
    /// The state's id.
    pub state_id: i64,
    /// Where it was.
    pub site: String,
    /// The site it came from, when this state began with a move.
    pub moved_from: Option<String>,
    /// The start of the first sweep that saw it so (Unix milliseconds).
    pub first_seen_ms: i64,
    /// The start of the last.
    pub last_seen_ms: i64,
    /// The first sweep that saw it so.
    pub first_sweep: uuid::Uuid,
    /// The last.
    pub last_sweep: uuid::Uuid,
    /// Its verdict then.
    pub verdict: Verdict,
    /// What changed from the state before, in words (`first seen` for the first; `site A ->
    /// B` first for a move).
    pub changes: Vec<String>,
}

/// A device and its history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceDetail {
    /// Its id.
    pub id: i64,
    /// Where it is (or was last, if removed).
    pub site: String,
    /// Whether it is current at its site.
    pub current: bool,
    /// First seen anywhere (Unix milliseconds).
    pub first_seen_ms: i64,
    /// Last seen.
    pub last_seen_ms: i64,
    /// The site it last moved from, if it ever moved.
    pub moved_from: Option<String>,
    /// When its site's first complete sweep that missed it started, if one did.
    pub removed_at_ms: Option<i64>,
    /// Its current state's record.
    pub record: DeviceRecord,
    /// Its states, oldest first.
    pub history: Vec<StateSpan>,
}

/// One site's page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteDetail {
    /// Its figures, as [`Central::summary`] has them (as of today).
    pub counts: SiteCounts,
    /// Its sweeps, newest first, at most 20.
    pub sweeps: Vec<SweepInfo>,
    /// Its current devices (id, record) in work-list order, at most as many as asked.
    pub devices: Vec<(i64, DeviceRecord)>,
}

/// One sweep as its site sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepDetail {
    /// What the lists show.
    pub info: SweepInfo,
    /// Its site.
    pub site: String,
    /// The parameters it ran with.
    pub parameters: serde_json::Value,
    /// The data (OUI registries, rules) it was judged with.
    pub data_versions: String,
    /// The day it was judged on.
    pub judged_on: String,
    /// Addresses probed.
    pub probed: Option<u64>,
    /// Of them answering.
    pub responders: Option<u64>,
    /// Of them silent.
    pub silent: Option<u64>,
    /// SNMP requests sent.
    pub requests: Option<u64>,
    /// Of them timed out.
    pub timeouts: Option<u64>,
    /// Its note, if any.
    pub note: Option<String>,
}

fn opt_count(r: &tokio_postgres::Row, i: usize) -> Option<u64> {
    r.get::<_, Option<i64>>(i).map(|n| n.max(0) as u64)
}

impl Central {
    /// A device (current or removed) with its current record and its history, `None` if no
    /// device has this id.
    pub async fn device(&self, id: i64) -> Result<Option<DeviceDetail>, CentralError> {
        let client = self.client().await?;
        let Some(d) = client
            .query_opt(
                &format!(
                    "SELECT s.name, {CURRENT}, d.first_seen, d.last_seen, mf.name, st.record,
                        (SELECT min(w.started) FROM sweep w
                         WHERE w.site_id = d.site_id AND w.applied AND w.status = 'complete'
                           AND w.started > d.last_seen)
                     FROM device d JOIN site s ON s.id = d.site_id
                     JOIN device_state st ON st.id = d.state_id
                     LEFT JOIN site mf ON mf.id = d.moved_from
                     WHERE d.id = $1"
                ),
                &[&id],
            )
            .await
            .map_err(query_error)?
        else {
            return Ok(None);
        };
        let states = client
            .query(
                "SELECT st.id, s.name, mf.name, st.first_seen, st.last_seen,
                        st.first_sweep::text, st.last_sweep::text, st.verdict, st.record
                 FROM device_state st JOIN site s ON s.id = st.site_id
                 LEFT JOIN site mf ON mf.id = st.moved_from
                 WHERE st.device_id = $1 ORDER BY st.first_seen, st.id",
                &[&id],
            )
            .await
            .map_err(query_error)?;
        let mut history = Vec::with_capacity(states.len());
        let mut previous: Option<DeviceRecord> = None;
        for r in &states {
            let this = record(r.get(8))?;
            let site: String = r.get(1);
            let moved_from: Option<String> = r.get(2);
            let changes = match &previous {
                None => vec!["first seen".to_string()],
                Some(p) => {
                    let mut w: Vec<String> = moved_from
                        .iter()
                        .map(|from| format!("site {from} -> {site}"))
                        .collect();
                    w.extend(differences(p, &this));
                    w
                }
            };
            let first: String = r.get(5);
            let last: String = r.get(6);
            let uuid = |s: String| {
                s.parse::<uuid::Uuid>()
                    .map_err(|e| CentralError::Query(format!("a stored UUID: {e}")))
            };
            history.push(StateSpan {
                state_id: r.get(0),
                site,
                moved_from,
                first_seen_ms: millis(r.get(3)),
                last_seen_ms: millis(r.get(4)),
                first_sweep: uuid(first)?,
                last_sweep: uuid(last)?,
                verdict: verdict(r.get(7)),
                changes,
            });
            previous = Some(this);
        }
        let removed: Option<SystemTime> = d.get(6);
        let current: bool = d.get(1);
        Ok(Some(DeviceDetail {
            id,
            site: d.get(0),
            current,
            first_seen_ms: millis(d.get(2)),
            last_seen_ms: millis(d.get(3)),
            moved_from: d.get(4),
            removed_at_ms: removed.filter(|_| !current).map(millis),
            record: record(d.get(5))?,
            history,
        }))
    }

    /// A site's page: its figures (as of today), its newest 20 sweeps, and its current
    /// devices' records in work-list order, at most `max_devices`.
    pub async fn site_detail(
        &self,
        site: &str,
        max_devices: u64,
    ) -> Result<SiteDetail, CentralError> {
        let filter = Filter {
            site: Some(site.to_string()),
            ..Filter::default()
        };
        let summary = self.summary(&filter, crate::date::Date::today()).await?;
        let counts = summary.sites.into_iter().next().unwrap_or_default();
        let client = self.client().await?;
        let sweeps = client
            .query(
                &format!(
                    "SELECT {SWEEP_COLUMNS} FROM sweep w JOIN site s ON s.id = w.site_id
                     WHERE s.name = $1 ORDER BY w.started DESC, w.received DESC LIMIT 20"
                ),
                &[&site],
            )
            .await
            .map_err(query_error)?
            .iter()
            .map(sweep_info)
            .collect::<Result<Vec<_>, _>>()?;
        let limit = max_devices.min(i64::MAX as u64) as i64;
        let rows = client
            .query(
                &format!(
                    "SELECT d.id, st.record FROM device d JOIN site s ON s.id = d.site_id
                     JOIN device_state st ON st.id = d.state_id
                     WHERE d.site_name = $1 AND {CURRENT}
                     ORDER BY {WORKLIST} LIMIT $2"
                ),
                &[&site, &limit],
            )
            .await
            .map_err(query_error)?;
        let devices = rows
            .iter()
            .map(|r| Ok((r.get(0), record(r.get(1))?)))
            .collect::<Result<Vec<_>, CentralError>>()?;
        Ok(SiteDetail {
            counts,
            sweeps,
            devices,
        })
    }

    /// A sweep as its site sent it, `None` if no sweep has this UUID.
    pub async fn sweep_detail(
        &self,
        uuid: uuid::Uuid,
    ) -> Result<Option<SweepDetail>, CentralError> {
        let client = self.client().await?;
        let Some(r) = client
            .query_opt(
                &format!(
                    "SELECT {SWEEP_COLUMNS}, s.name, w.parameters, w.data_versions, w.judged_on,
                            w.probed, w.responders, w.silent, w.requests, w.timeouts, w.note
                     FROM sweep w JOIN site s ON s.id = w.site_id
                     WHERE w.uuid = $1::text::uuid"
                ),
                &[&uuid.to_string()],
            )
            .await
            .map_err(query_error)?
        else {
            return Ok(None);
        };
        Ok(Some(SweepDetail {
            info: sweep_info(&r)?,
            site: r.get(7),
            parameters: r.get(8),
            data_versions: r.get(9),
            judged_on: r.get(10),
            probed: opt_count(&r, 11),
            responders: opt_count(&r, 12),
            silent: opt_count(&r, 13),
            requests: opt_count(&r, 14),
            timeouts: opt_count(&r, 15),
            note: r.get(16),
        }))
    }

    /// The newest `limit` sweeps of every site, newest first, each with its site.
    pub async fn all_sweeps(&self, limit: u64) -> Result<Vec<(String, SweepInfo)>, CentralError> {
        let client = self.client().await?;
        let limit = limit.min(i64::MAX as u64) as i64;
        let rows = client
            .query(
                &format!(
                    "SELECT {SWEEP_COLUMNS}, s.name FROM sweep w JOIN site s ON s.id = w.site_id
                     ORDER BY w.started DESC, w.received DESC, w.uuid LIMIT $1"
                ),
                &[&limit],
            )
            .await
            .map_err(query_error)?;
        rows.iter()
            .map(|r| Ok((r.get(7), sweep_info(r)?)))
            .collect()
    }
}
