//! Reading back: sweeps as rows, devices with their judged records and findings, typed.

use rusqlite::types::Type;
use rusqlite::{OptionalExtension, params};

use super::{Identity, Store, StoreError};
use crate::record::{DeviceRecord, Verdict};

/// A sweep as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SweepRow {
    /// Its number.
    pub id: i64,
    /// Its identity beyond this database (what the central server knows it by).
    pub uuid: uuid::Uuid,
    /// The site that swept, if the sweep named one (`--site`).
    pub site: Option<String>,
    /// When it started (Unix milliseconds).
    pub started_ms: i64,
    /// When it ended, if it did.
    pub ended_ms: Option<i64>,
    /// `running`, `complete`, `interrupted` or `failed`.
    pub status: String,
    /// The process that ran it.
    pub pid: i64,
    /// Its options, as JSON, without secrets.
    pub parameters: serde_json::Value,
    /// The data versions (rules, OUI registry, policies) its devices were judged with.
    pub data_versions: String,
    /// The date deadlines were judged at.
    pub judged_on: String,
    /// Addresses probed.
    pub probed: Option<i64>,
    /// Addresses that answered.
    pub responders: Option<i64>,
    /// Addresses that never answered.
    pub silent: Option<i64>,
    /// Requests sent.
    pub requests: Option<i64>,
    /// Requests that timed out.
    pub timeouts: Option<i64>,
    /// Why it is interrupted or failed, in words.
    pub note: Option<String>,
    /// Devices stored.
    pub devices: i64,
    /// Devices judged banned.
    pub banned: i64,
}

/// A finding as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredFinding {
    /// The rule.
    pub rule: String,
    /// The policy, with its version.
    pub policy: String,
    /// What the rule rules.
    pub verdict: Verdict,
    /// The module it is about, if not the device.
    pub module: Option<i64>,
    /// Remove-by date.
    pub deadline: Option<String>,
    /// Days left at the sweep's date (negative: overdue).
    pub days_left: Option<i64>,
    /// The exception that lifts it.
    pub exception: Option<String>,
}

/// A device as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredDevice {
    /// The sweep it belongs to.
    pub sweep: i64,
    /// When it was stored (Unix milliseconds).
    pub seen_ms: i64,
    /// Its identity key (`serial:...`, `mac:...`, `engine:...`, `address:...`).
    pub identity: String,
    /// The address it answered on.
    pub address: String,
    /// How it was found.
    pub discovered_via: String,
    /// Serial number.
    pub serial: Option<String>,
    /// Chassis MAC.
    pub chassis_mac: Option<String>,
    /// SNMPv3 engine ID, hex.
    pub engine_id: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// Company group.
    pub origin: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Software version.
    pub version: Option<String>,
    /// sysName.
    pub sys_name: Option<String>,
    /// sysLocation, as read.
    pub sys_location: Option<String>,
    /// Its site (the record says where that came from).
    pub site: Option<String>,
    /// Its role.
    pub role: Option<String>,
    /// Its technologies (`4g+5g`).
    pub technology: Option<String>,
    /// Its owner.
    pub owner: Option<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// The whole device record, as the sweep's JSON report has it (a record an older version
    /// stored with fewer fields has the others empty).
    pub record: DeviceRecord,
    /// Its findings.
    pub findings: Vec<StoredFinding>,
}

impl StoredDevice {
    /// Its identity parts, for matching across sweeps.
    pub fn identity_parts(&self) -> Identity {
        Identity::of(&self.record)
    }

    /// Whether it was judged banned.
    pub fn banned(&self) -> bool {
        self.verdict == Verdict::Banned
    }
}

impl Store {
    /// Every sweep, oldest first.
    pub fn sweeps(&self) -> Result<Vec<SweepRow>, StoreError> {
        self.sweep_rows("1 = 1", [])
    }

    /// One sweep.
    pub fn sweep(&self, id: i64) -> Result<Option<SweepRow>, StoreError> {
        Ok(self.sweep_rows("s.id = ?1", [id])?.pop())
    }

    /// The last `n` complete sweeps, oldest first.
    pub fn last_complete(&self, n: usize) -> Result<Vec<SweepRow>, StoreError> {
        let mut all = self.sweep_rows("s.status = 'complete'", [])?;
        let keep = all.len().saturating_sub(n);
        Ok(all.split_off(keep))
    }

    fn sweep_rows<P: rusqlite::Params>(
        &self,
        filter: &str,
        p: P,
    ) -> Result<Vec<SweepRow>, StoreError> {
        let sql = format!(
            "SELECT s.id, s.started_ms, s.ended_ms, s.status, s.pid, s.parameters, s.data_versions,
                    s.judged_on, s.probed, s.responders, s.silent, s.requests, s.timeouts, s.note,
                    (SELECT count(*) FROM device d WHERE d.sweep = s.id),
                    (SELECT count(*) FROM device d WHERE d.sweep = s.id AND d.verdict = 'banned'),
                    s.uuid, s.site
             FROM sweep s WHERE {filter} ORDER BY s.id"
        );
        let mut q = self.conn.prepare(&sql).map_err(|e| self.sqlite(e))?;
        q.query_map(p, |r| {
            let parameters: String = r.get(5)?;
            let uuid: String = r.get(16)?;
            let uuid = uuid.parse().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(16, Type::Text, Box::new(e))
            })?;
            Ok(SweepRow {
                id: r.get(0)?,
                uuid,
                site: r.get(17)?,
                started_ms: r.get(1)?,
                ended_ms: r.get(2)?,
                status: r.get(3)?,
                pid: r.get(4)?,
                parameters: serde_json::from_str(&parameters).unwrap_or(serde_json::Value::Null),
                data_versions: r.get(6)?,
                judged_on: r.get(7)?,
                probed: r.get(8)?,
                responders: r.get(9)?,
                silent: r.get(10)?,
                requests: r.get(11)?,
                timeouts: r.get(12)?,
                note: r.get(13)?,
                devices: r.get(14)?,
                banned: r.get(15)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.sqlite(e))
    }

    /// Each device record of a sweep, in the order they were stored, handed to `each` one at
    /// a time, so that a sweep of any size is never held whole (uploading it as a bundle);
    /// stops at the first error, `each`'s or the store's. Returns how many were handed over.
    pub fn each_record<E: From<StoreError>>(
        &self,
        sweep: i64,
        mut each: impl FnMut(DeviceRecord) -> Result<(), E>,
    ) -> Result<u64, E> {
        let mut q = self
            .conn
            .prepare("SELECT record FROM device WHERE sweep = ?1 ORDER BY id")
            .map_err(|e| self.sqlite(e))?;
        let mut rows = q.query([sweep]).map_err(|e| self.sqlite(e))?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(|e| self.sqlite(e))? {
            let record = row.get::<_, String>(0).and_then(|text| {
                serde_json::from_str(&text).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(e))
                })
            });
            each(record.map_err(|e| self.sqlite(e))?)?;
            n += 1;
        }
        Ok(n)
    }

    /// The devices of a sweep, in the order they were stored, with their findings.
    pub fn devices(&self, sweep: i64) -> Result<Vec<StoredDevice>, StoreError> {
        let mut q = self
            .conn
            .prepare(
                "SELECT id, sweep, seen_ms, identity, address, discovered_via, serial, chassis_mac,
                        engine_id, vendor, origin, model, version, sys_name, verdict, record,
                        sys_location, site, role, technology, owner
                 FROM device WHERE sweep = ?1 ORDER BY id",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows: Vec<(i64, StoredDevice)> = q
            .query_map([sweep], |r| {
                let record: String = r.get(15)?;
                let record = serde_json::from_str(&record).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(15, Type::Text, Box::new(e))
                })?;
                Ok((
                    r.get(0)?,
                    StoredDevice {
                        sweep: r.get(1)?,
                        seen_ms: r.get(2)?,
                        identity: r.get(3)?,
                        address: r.get(4)?,
                        discovered_via: r.get(5)?,
                        serial: r.get(6)?,
                        chassis_mac: r.get(7)?,
                        engine_id: r.get(8)?,
                        vendor: r.get(9)?,
                        origin: r.get(10)?,
                        model: r.get(11)?,
                        version: r.get(12)?,
                        sys_name: r.get(13)?,
                        sys_location: r.get(16)?,
                        site: r.get(17)?,
                        role: r.get(18)?,
                        technology: r.get(19)?,
                        owner: r.get(20)?,
                        verdict: verdict(r, 14)?,
                        record,
                        findings: Vec::new(),
                    },
                ))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.sqlite(e))?;
        let mut findings = self
            .conn
            .prepare(
                "SELECT f.device, f.rule, f.policy, f.verdict, f.module, f.deadline, f.days_left,
                        f.exception
                 FROM finding f JOIN device d ON d.id = f.device WHERE d.sweep = ?1
                 ORDER BY f.rowid",
            )
            .map_err(|e| self.sqlite(e))?;
        let mut by_device: std::collections::HashMap<i64, Vec<StoredFinding>> =
            std::collections::HashMap::new();
        let all: Vec<(i64, StoredFinding)> = findings
            .query_map([sweep], |r| {
                Ok((
                    r.get(0)?,
                    StoredFinding {
                        rule: r.get(1)?,
                        policy: r.get(2)?,
                        verdict: verdict(r, 3)?,
                        module: r.get(4)?,
                        deadline: r.get(5)?,
                        days_left: r.get(6)?,
                        exception: r.get(7)?,
                    },
                ))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.sqlite(e))?;
        for (device, f) in all {
            by_device.entry(device).or_default().push(f);
        }
        Ok(rows
            .into_iter()
            .map(|(id, mut d)| {
                d.findings = by_device.remove(&id).unwrap_or_default();
                d
            })
            .collect())
    }

    /// When a device of this identity key was last stored in a sweep numbered `before` or
    /// lower (Unix milliseconds).
    pub fn last_seen(&self, identity: &str, before: i64) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT max(seen_ms) FROM device WHERE identity = ?1 AND sweep <= ?2",
                params![identity, before],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.sqlite(e))
    }
}

/// Puts the database in WAL mode. Switching needs the file to itself, and SQLite does not wait
/// for that with the busy timeout: when several processes open a new file at once, the switch
/// is tried again for a while (the others are only opening, so this is short).
/// The verdict in column `i`, as the record writes it.
fn verdict(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Verdict> {
    r.get::<_, String>(i)?
        .parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}
