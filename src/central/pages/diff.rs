//! The difference between two sweeps: the devices each saw, compared by device.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::record;
use crate::central::fleet::{ChangeKind, SWEEP_COLUMNS, SweepInfo, differences, sweep_info};
use crate::central::{Central, CentralError, query_error};
use crate::record::{DeviceRecord, Verdict};

/// How a device differs between two sweeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepChange {
    /// New (seen by `to` only), removed (by `from` only), changed (by both, in another
    /// state) or moved (by both, at another site).
    pub kind: ChangeKind,
    /// The device's id.
    pub device_id: i64,
    /// Its address (as `to` saw it, else as `from` did).
    pub address: String,
    /// Its name (sysName).
    pub sys_name: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// What changed, in words (`site A -> B` first for a move); empty for new and removed.
    pub changes: Vec<String>,
}

/// Two sweeps compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepDiff {
    /// The earlier (or first named) sweep.
    pub from: SweepInfo,
    /// The other.
    pub to: SweepInfo,
    /// `from`'s site.
    pub from_site: String,
    /// `to`'s site.
    pub to_site: String,
    /// The devices that differ, by kind then address; unchanged ones are left out.
    pub changes: Vec<SweepChange>,
}

/// A state a sweep saw: its id, site and record.
struct Seen {
    state: i64,
    site: String,
    record: DeviceRecord,
}

impl Central {
    /// The devices two sweeps saw, compared by device. A sweep *saw* a device when a state of
    /// the device at the sweep's site has `first_seen <= started <= last_seen`, `started` the
    /// sweep's start: ingest sets a state's `first_seen` to the start of the sweep that began
    /// it and moves `last_seen` to the start of each later sweep that found it unchanged, so
    /// for an applied sweep these are the devices it found, plus any its span covers that it
    /// missed but a later sweep found again unchanged (an interrupted sweep's gaps). A sweep
    /// stored but not applied (older than its site's newest) is read the same way, from the
    /// states around its start. An unknown UUID is [`CentralError::UnknownSweep`].
    pub async fn sweep_diff(
        &self,
        from: uuid::Uuid,
        to: uuid::Uuid,
    ) -> Result<SweepDiff, CentralError> {
        let (from_info, from_site, a) = self.seen(from).await?;
        let (to_info, to_site, b) = self.seen(to).await?;
        let mut changes = Vec::new();
        for (id, x) in &a {
            match b.get(id) {
                None => changes.push(change(ChangeKind::Removed, *id, &x.record, Vec::new())),
                Some(y) if y.state == x.state => {}
                Some(y) => {
                    let mut words = Vec::new();
                    let kind = match x.site != y.site {
                        true => {
                            words.push(format!("site {} -> {}", x.site, y.site));
                            ChangeKind::Moved
                        }
                        false => ChangeKind::Changed,
                    };
                    words.extend(differences(&x.record, &y.record));
                    changes.push(change(kind, *id, &y.record, words));
                }
            }
        }
        for (id, y) in &b {
            if !a.contains_key(id) {
                changes.push(change(ChangeKind::New, *id, &y.record, Vec::new()));
            }
        }
        changes.sort_by(|p, q| {
            (p.kind, &p.address, p.device_id).cmp(&(q.kind, &q.address, q.device_id))
        });
        Ok(SweepDiff {
            from: from_info,
            to: to_info,
            from_site,
            to_site,
            changes,
        })
    }

    /// A sweep, its site, and the state of each device it saw, by device id.
    async fn seen(
        &self,
        uuid: uuid::Uuid,
    ) -> Result<(SweepInfo, String, BTreeMap<i64, Seen>), CentralError> {
        let client = self.client().await?;
        let w = client
            .query_opt(
                &format!(
                    "SELECT {SWEEP_COLUMNS}, s.name, w.site_id FROM sweep w
                     JOIN site s ON s.id = w.site_id WHERE w.uuid = $1::text::uuid"
                ),
                &[&uuid.to_string()],
            )
            .await
            .map_err(query_error)?
            .ok_or_else(|| CentralError::UnknownSweep(uuid.to_string()))?;
        let info = sweep_info(&w)?;
        let site: String = w.get(7);
        let site_id: i64 = w.get(8);
        let started: SystemTime = w.get(1);
        let rows = client
            .query(
                "SELECT st.device_id, st.id, st.record FROM device_state st
                 WHERE st.site_id = $1 AND st.first_seen <= $2 AND st.last_seen >= $2",
                &[&site_id, &started],
            )
            .await
            .map_err(query_error)?;
        let mut seen = BTreeMap::new();
        for r in &rows {
            seen.insert(
                r.get::<_, i64>(0),
                Seen {
                    state: r.get(1),
                    site: site.clone(),
                    record: record(r.get(2))?,
                },
            );
        }
        Ok((info, site, seen))
    }
}

fn change(kind: ChangeKind, device_id: i64, d: &DeviceRecord, changes: Vec<String>) -> SweepChange {
    SweepChange {
        kind,
        device_id,
        address: d.address.clone(),
        sys_name: d.sys_name.clone(),
        vendor: d.identification.vendor.clone(),
        model: d.identification.model.clone(),
        verdict: d.judgement.verdict,
        changes,
    }
}
