//! Storing one bundle's sweep: its row, its devices as intervals and the site's removal ledger
//! (`ledger`), all in one transaction.
//!
//! Each batch of devices costs a handful of statements whatever its size: one lookup of every
//! key it carries (`= ANY($1)`), then inserts from arrays (`UNNEST`) and one `UPDATE ... FROM
//! UNNEST` for the devices found again. Identity is the local store's
//! ([`crate::store::Identity`]): serial, then chassis MAC, then SNMPv3 engine ID, each across
//! sites; the address only within the site and only for a device with no other key. A key two
//! devices of one batch share, or that two stored devices share, identifies nobody.
//!
//! Intervals never move back in time: a sweep older than the site's newest applied sweep is
//! kept (`applied = false`) without touching a device, and a device last seen (anywhere) after
//! this sweep started is left as it is. Ingests take turns (a transaction-scoped advisory
//! lock), so two sites uploading the same chassis at once cannot make it two devices.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_postgres::Transaction;

mod ledger;
mod rows;

use super::{Central, CentralError, query_error, time};
use crate::bundle::{LedgerEntryLine, LedgerItemLine, Line, SweepHeader};
use crate::date::Date;
use crate::record::DeviceRecord;
use crate::store::Identity;
use rows::{insert_devices, insert_parts, insert_states, update_devices};

/// What [`Central::ingest`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingested {
    /// Whether the sweep was stored now (`false`: it was there already, nothing changed).
    pub stored: bool,
    /// Its devices (for a sweep there already, as stored then).
    pub devices: u64,
    /// Whether its devices moved the intervals (`false`: older than the site's newest sweep).
    pub applied: bool,
}

/// A batch of a bundle's lines, as [`Central::ingest`] takes them: devices first, then the
/// ledger's items, then its entries (the order a bundle holds them in).
#[derive(Debug, Clone)]
pub enum Batch {
    /// Judged device records.
    Devices(Vec<DeviceRecord>),
    /// Items of the site's removal ledger.
    LedgerItems(Vec<LedgerItemLine>),
    /// Steps of the site's removal ledger.
    LedgerEntries(Vec<LedgerEntryLine>),
}

impl Batch {
    /// Its lines.
    pub fn len(&self) -> usize {
        match self {
            Batch::Devices(v) => v.len(),
            Batch::LedgerItems(v) => v.len(),
            Batch::LedgerEntries(v) => v.len(),
        }
    }

    /// Whether it holds no line.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A batch of one line.
impl From<Line> for Batch {
    fn from(line: Line) -> Batch {
        match line {
            Line::Device(d) => Batch::Devices(vec![*d]),
            Line::LedgerItem(i) => Batch::LedgerItems(vec![*i]),
            Line::LedgerEntry(e) => Batch::LedgerEntries(vec![*e]),
        }
    }
}

/// The advisory lock every ingest takes for its transaction.
const INGEST_LOCK: i64 = 0x6e65_746f_7269_6732;

/// One device of a batch, ready to store.
struct Incoming {
    id: Identity,
    /// The keys as stored: serial, chassis MAC, engine ID (normalised text).
    keys: [Option<String>; 3],
    fingerprint: Vec<u8>,
    record: DeviceRecord,
    earliest_deadline: Option<String>,
}

/// A stored device a batch's keys found.
struct Known {
    id: i64,
    keys: [Option<String>; 3],
    address_key: Option<String>,
    site_id: i64,
    state_id: i64,
    last_seen: SystemTime,
    fingerprint: Vec<u8>,
}

impl Incoming {
    fn new(record: DeviceRecord, site: &str) -> Incoming {
        let id = Identity::of(&record);
        let keys = [
            id.serial.clone(),
            id.chassis_mac.map(|m| m.to_string()),
            id.engine_id.as_ref().map(|e| e.to_string()),
        ]
        .map(|k| k.filter(|k| k.len() <= super::MAX_KEY_BYTES));
        let earliest_deadline = record
            .judgement
            .findings
            .iter()
            .filter(|f| f.exception.is_none())
            .filter_map(|f| f.deadline.as_deref().and_then(Date::parse))
            .min()
            .map(|d| d.to_string());
        Incoming {
            fingerprint: fingerprint(&record, site),
            id,
            keys,
            record,
            earliest_deadline,
        }
    }

    /// Its keys, digested: two records with the same are one box.
    fn keys_digest(&self) -> [u8; 16] {
        let mut h = Sha256::new();
        for k in &self.keys {
            h.update(k.as_deref().unwrap_or("").as_bytes());
            h.update([0]);
        }
        let mut out = [0; 16];
        out.copy_from_slice(&h.finalize()[..16]);
        out
    }

    fn keyless(&self) -> bool {
        self.keys.iter().all(Option::is_none)
    }
}

/// What makes a new state: a change in any of these is a new interval.
fn fingerprint(d: &DeviceRecord, site: &str) -> Vec<u8> {
    let i = &d.identification;
    let c = &d.context;
    let findings: Vec<_> = d
        .judgement
        .findings
        .iter()
        .map(|f| (&f.rule, &f.policy, &f.deadline, &f.exception, f.module))
        .collect();
    let modules: Vec<_> = d
        .modules
        .iter()
        .map(|m| (m.index, &m.model, &m.serial))
        .collect();
    let value = serde_json::json!([
        site,
        d.address,
        d.sys_name,
        i.vendor,
        i.model,
        i.version,
        i.serial,
        d.judgement.verdict,
        findings,
        modules,
        c.site.as_ref().map(|s| &s.value),
        c.role.as_ref().map(|s| &s.value),
        c.technology.as_ref().map(|s| &s.value),
        c.owner.as_ref().map(|s| &s.value),
        c.acquired.as_ref().map(|s| s.value.to_string()),
    ]);
    Sha256::digest(value.to_string().as_bytes()).to_vec()
}

/// The sweep `uuid` if it is stored already: of `site`, as it was stored; of another site, an
/// error (a retry is the same site's; another site's is a mistake or a forgery).
async fn stored_already(
    client: &impl tokio_postgres::GenericClient,
    uuid: &str,
    site: &str,
) -> Result<Option<Ingested>, CentralError> {
    let Some(row) = client
        .query_opt(
            "SELECT w.devices, w.applied, s.name FROM sweep w JOIN site s ON s.id = w.site_id
             WHERE w.uuid = $1::text::uuid",
            &[&uuid],
        )
        .await
        .map_err(query_error)?
    else {
        return Ok(None);
    };
    let stored_site: String = row.get(2);
    if stored_site != site {
        return Err(CentralError::SweepOfAnotherSite {
            uuid: uuid.to_string(),
            site: stored_site,
        });
    }
    let devices: i64 = row.get(0);
    Ok(Some(Ingested {
        stored: false,
        devices: devices as u64,
        applied: row.get(1),
    }))
}

fn lower(s: &Option<String>) -> Option<String> {
    s.as_deref().map(super::search_text)
}

impl Central {
    /// Stores one sweep: its header, its devices and the site's removal ledger, read batch by
    /// batch from `batches`, all in one transaction. A sweep whose UUID is stored already
    /// changes nothing (`stored: false`); an `Err` from the stream stores nothing
    /// ([`CentralError::Aborted`]). The site must exist ([`CentralError::UnknownSite`]); who
    /// may upload for it is the caller's business. The ledger's items are stored only when the
    /// sweep is applied (not older than the site's newest), its entries whenever the server
    /// lacks them.
    pub async fn ingest<S>(
        &self,
        header: SweepHeader,
        mut batches: S,
    ) -> Result<Ingested, CentralError>
    where
        S: Stream<Item = Result<Batch, String>> + Unpin,
    {
        if !["complete", "interrupted", "failed"].contains(&header.status.as_str()) {
            return Err(CentralError::BadHeader(format!(
                "status {:?} is none of complete, interrupted, failed",
                header.status
            )));
        }
        if !super::valid_site(&header.site) {
            return Err(CentralError::BadSite(header.site.clone()));
        }
        let uuid = header.uuid.to_string();
        let mut client = self.client().await?;
        // A sweep stored already is answered without waiting for the other ingests.
        let plain: &tokio_postgres::Client = &client;
        if let Some(done) = stored_already(plain, &uuid, &header.site).await? {
            return Ok(done);
        }
        let tx = client.transaction().await.map_err(query_error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])
            .await
            .map_err(query_error)?;
        let inner: &tokio_postgres::Transaction = &tx;
        if let Some(done) = stored_already(inner, &uuid, &header.site).await? {
            return Ok(done);
        }
        let site = tx
            .query_opt(
                "SELECT id, newest_started FROM site WHERE name = $1 FOR UPDATE",
                &[&header.site],
            )
            .await
            .map_err(query_error)?
            .ok_or_else(|| CentralError::UnknownSite(header.site.clone()))?;
        let site_id: i64 = site.get(0);
        let newest: Option<SystemTime> = site.get(1);
        let started = time(header.started_ms);
        let applied = newest.is_none_or(|n| started >= n);
        insert_sweep(&tx, &header, site_id, applied).await?;
        let devices = store_lines(
            &tx,
            &mut batches,
            &header.site,
            site_id,
            started,
            &uuid,
            applied,
        )
        .await?;
        tx.execute(
            "UPDATE sweep SET devices = $2 WHERE uuid = $1::text::uuid",
            &[&uuid, &(devices as i64)],
        )
        .await
        .map_err(query_error)?;
        if applied {
            tx.execute(
                "UPDATE site SET newest_started = $2,
                     current_since = CASE WHEN $3 THEN $2 ELSE current_since END
                 WHERE id = $1",
                &[&site_id, &started, &(header.status == "complete")],
            )
            .await
            .map_err(query_error)?;
        }
        tx.commit().await.map_err(query_error)?;
        Ok(Ingested {
            stored: true,
            devices,
            applied,
        })
    }
}

/// Stores a bundle's lines batch by batch: its devices (when `applied`), its ledger's items
/// (when `applied`) and entries. Returns the devices read.
async fn store_lines<S>(
    tx: &Transaction<'_>,
    batches: &mut S,
    site: &str,
    site_id: i64,
    started: SystemTime,
    uuid: &str,
    applied: bool,
) -> Result<u64, CentralError>
where
    S: Stream<Item = Result<Batch, String>> + Unpin,
{
    let mut devices = 0u64;
    // One box that answered on two addresses (a loopback and a management address) is in
    // the sweep twice with the same keys: it is stored once, as the local store's first
    // sighting counts it (16 bytes of SHA-256 of its keys a box, whatever the bundle).
    let mut boxes: HashSet<[u8; 16]> = HashSet::new();
    while let Some(batch) = batches.next().await {
        match batch.map_err(CentralError::Aborted)? {
            Batch::Devices(batch) => {
                devices += batch.len() as u64;
                if applied && !batch.is_empty() {
                    let batch: Vec<Incoming> = batch
                        .into_iter()
                        .map(|r| Incoming::new(r, site))
                        .filter(|d| d.keyless() || boxes.insert(d.keys_digest()))
                        .collect();
                    if !batch.is_empty() {
                        store_batch(tx, batch, site_id, started, uuid).await?;
                    }
                }
            }
            Batch::LedgerItems(items) if applied && !items.is_empty() => {
                ledger::upsert_items(tx, &items, site_id, uuid).await?;
            }
            Batch::LedgerItems(_) => {}
            Batch::LedgerEntries(entries) if !entries.is_empty() => {
                ledger::insert_entries(tx, &entries, site_id, uuid).await?;
            }
            Batch::LedgerEntries(_) => {}
        }
    }
    Ok(devices)
}

async fn insert_sweep(
    tx: &Transaction<'_>,
    h: &SweepHeader,
    site_id: i64,
    applied: bool,
) -> Result<(), CentralError> {
    let ended = h.ended_ms.map(time);
    tx.execute(
        "INSERT INTO sweep (uuid, site_id, started, ended, status, parameters, data_versions,
             judged_on, probed, responders, silent, requests, timeouts, note, applied)
         VALUES ($1::text::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        &[
            &h.uuid.to_string(),
            &site_id,
            &time(h.started_ms),
            &ended,
            &h.status,
            &h.parameters,
            &h.data_versions,
            &h.judged_on,
            &h.probed,
            &h.responders,
            &h.silent,
            &h.requests,
            &h.timeouts,
            &h.note,
            &applied,
        ],
    )
    .await
    .map_err(query_error)?;
    Ok(())
}

/// The keys of a batch that identify someone: those only one of its devices carries.
fn unique_keys(batch: &[Incoming]) -> [HashSet<String>; 4] {
    let mut counts: [HashMap<&str, usize>; 4] = Default::default();
    for d in batch {
        for (level, k) in d.keys.iter().enumerate() {
            if let Some(k) = k {
                *counts[level].entry(k).or_default() += 1;
            }
        }
        if d.keyless() {
            *counts[3].entry(&d.id.address).or_default() += 1;
        }
    }
    counts.map(|c| {
        c.into_iter()
            .filter(|(_, n)| *n == 1)
            .map(|(k, _)| k.to_string())
            .collect()
    })
}

/// Finds the stored device of each device of the batch, if any.
async fn find_known(
    tx: &Transaction<'_>,
    batch: &[Incoming],
    site_id: i64,
) -> Result<Vec<Option<Known>>, CentralError> {
    let unique = unique_keys(batch);
    let wanted = |level: usize| -> Vec<String> { unique[level].iter().cloned().collect() };
    let rows = tx
        .query(
            "SELECT d.id, d.serial, d.chassis_mac, d.engine_id, d.address_key, d.site_id,
                    d.state_id, d.last_seen, s.fingerprint
             FROM device d JOIN device_state s ON s.id = d.state_id
             WHERE d.serial = ANY($1) OR d.chassis_mac = ANY($2) OR d.engine_id = ANY($3)
                OR (d.site_id = $4 AND d.address_key = ANY($5))",
            &[&wanted(0), &wanted(1), &wanted(2), &site_id, &wanted(3)],
        )
        .await
        .map_err(query_error)?;
    let known: Vec<Known> = rows
        .iter()
        .map(|r| Known {
            id: r.get(0),
            keys: [r.get(1), r.get(2), r.get(3)],
            address_key: r.get(4),
            site_id: r.get(5),
            state_id: r.get(6),
            last_seen: r.get(7),
            fingerprint: r.get(8),
        })
        .collect();
    // Stored devices by key, level by level (address keys only at this site).
    let mut by_key: [HashMap<&str, Vec<usize>>; 4] = Default::default();
    for (i, k) in known.iter().enumerate() {
        for (level, key) in k.keys.iter().enumerate() {
            if let Some(key) = key {
                by_key[level].entry(key).or_default().push(i);
            }
        }
        if let Some(a) = &k.address_key
            && k.site_id == site_id
        {
            by_key[3].entry(a).or_default().push(i);
        }
    }
    let mut found: Vec<Option<usize>> = vec![None; batch.len()];
    let mut taken = vec![false; known.len()];
    for level in 0..4 {
        for (j, d) in batch.iter().enumerate() {
            if found[j].is_some() {
                continue;
            }
            let key = match level {
                3 if d.keyless() => Some(d.id.address.as_str()),
                3 => None,
                _ => d.keys[level].as_deref(),
            };
            let Some(key) = key.filter(|k| unique[level].contains(*k)) else {
                continue;
            };
            let Some(candidates) = by_key[level].get(key) else {
                continue;
            };
            let free: Vec<usize> = candidates.iter().copied().filter(|&i| !taken[i]).collect();
            if let [i] = free[..]
                && compatible(&known[i].keys, &d.keys)
            {
                found[j] = Some(i);
                taken[i] = true;
            }
        }
    }
    let mut known: Vec<Option<Known>> = known.into_iter().map(Some).collect();
    Ok(found
        .into_iter()
        .map(|f| f.and_then(|i| known[i].take()))
        .collect())
}

/// No key that both have differs.
fn compatible(a: &[Option<String>; 3], b: &[Option<String>; 3]) -> bool {
    a.iter().zip(b).all(|(a, b)| match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    })
}

/// Ids for `n` new rows of a table, taken from its sequence.
async fn new_ids(tx: &Transaction<'_>, table: &str, n: usize) -> Result<Vec<i64>, CentralError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let rows = tx
        .query(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2::bigint)",
            &[&table, &(n as i64)],
        )
        .await
        .map_err(query_error)?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The new states of a batch, column by column.
#[derive(Default)]
struct States {
    id: Vec<i64>,
    device_id: Vec<i64>,
    previous_id: Vec<Option<i64>>,
    moved_from: Vec<Option<i64>>,
    fingerprint: Vec<Vec<u8>>,
    address: Vec<String>,
    sys_name: Vec<Option<String>>,
    vendor: Vec<Option<String>>,
    origin: Vec<Option<String>>,
    model: Vec<Option<String>>,
    version: Vec<Option<String>>,
    serial: Vec<Option<String>>,
    verdict: Vec<String>,
    site_ctx: Vec<Option<String>>,
    role: Vec<Option<String>>,
    technology: Vec<Option<String>>,
    earliest_deadline: Vec<Option<String>>,
    record: Vec<String>,
}

/// Devices of a batch, new or found again, column by column.
#[derive(Default)]
struct DeviceRows {
    id: Vec<i64>,
    /// The new state, or the same.
    state_id: Vec<i64>,
    serial: Vec<Option<String>>,
    chassis_mac: Vec<Option<String>>,
    engine_id: Vec<Option<String>>,
    address_key: Vec<Option<String>>,
    verdict: Vec<String>,
    vendor_lc: Vec<Option<String>>,
    model_lc: Vec<Option<String>>,
    earliest_deadline: Vec<Option<String>>,
    moved_from: Vec<Option<i64>>,
    /// Copies the web pages search by (schema v2).
    address: Vec<String>,
    sys_name: Vec<Option<String>>,
    origin_lc: Vec<Option<String>>,
    serial_lc: Vec<Option<String>>,
}

impl DeviceRows {
    fn push(&mut self, id: i64, state: i64, moved: Option<i64>, d: &Incoming) {
        let r = &d.record;
        self.id.push(id);
        self.state_id.push(state);
        self.serial.push(d.keys[0].clone());
        self.chassis_mac.push(d.keys[1].clone());
        self.engine_id.push(d.keys[2].clone());
        self.address_key
            .push(d.keyless().then(|| d.id.address.clone()));
        self.verdict.push(r.judgement.verdict.as_str().to_string());
        self.vendor_lc.push(lower(&r.identification.vendor));
        self.model_lc.push(lower(&r.identification.model));
        self.earliest_deadline.push(d.earliest_deadline.clone());
        self.moved_from.push(moved);
        self.address.push(r.address.clone());
        self.sys_name.push(r.sys_name.clone());
        self.origin_lc.push(lower(&r.identification.origin));
        self.serial_lc.push(lower(&r.identification.serial));
    }
}

impl States {
    fn push(
        &mut self,
        id: i64,
        device: i64,
        previous: Option<i64>,
        moved: Option<i64>,
        d: &Incoming,
    ) {
        let r = &d.record;
        let i = &r.identification;
        let c = &r.context;
        self.id.push(id);
        self.device_id.push(device);
        self.previous_id.push(previous);
        self.moved_from.push(moved);
        self.fingerprint.push(d.fingerprint.clone());
        self.address.push(r.address.clone());
        self.sys_name.push(r.sys_name.clone());
        self.vendor.push(i.vendor.clone());
        self.origin.push(i.origin.clone());
        self.model.push(i.model.clone());
        self.version.push(i.version.clone());
        self.serial.push(i.serial.clone());
        self.verdict.push(r.judgement.verdict.as_str().to_string());
        self.site_ctx.push(c.site.as_ref().map(|s| s.value.clone()));
        self.role.push(c.role.as_ref().map(|s| s.value.clone()));
        self.technology
            .push(c.technology.as_ref().map(|s| s.value.clone()));
        self.earliest_deadline.push(d.earliest_deadline.clone());
        self.record
            .push(serde_json::to_string(r).unwrap_or_else(|_| "{}".into()));
    }
}

async fn store_batch(
    tx: &Transaction<'_>,
    batch: Vec<Incoming>,
    site_id: i64,
    started: SystemTime,
    sweep: &str,
) -> Result<(), CentralError> {
    let known = find_known(tx, &batch, site_id).await?;
    // What each device of the batch comes to.
    let changed = |d: &Incoming, k: &Known| k.fingerprint != d.fingerprint || k.site_id != site_id;
    let fresh = known.iter().filter(|k| k.is_none()).count();
    let new_states = batch
        .iter()
        .zip(&known)
        .filter(|(d, k)| match k {
            None => true,
            Some(k) => k.last_seen <= started && changed(d, k),
        })
        .count();
    let device_ids = new_ids(tx, "device", fresh).await?;
    let state_ids = new_ids(tx, "device_state", new_states).await?;
    let (mut device_ids, mut state_ids) = (device_ids.into_iter(), state_ids.into_iter());
    let mut states = States::default();
    let mut news = DeviceRows::default();
    let mut updates = DeviceRows::default();
    let mut extended: Vec<i64> = Vec::new();
    let mut stated: Vec<(i64, &Incoming)> = Vec::new();
    for (d, k) in batch.iter().zip(&known) {
        match k {
            None => {
                let (Some(id), Some(state)) = (device_ids.next(), state_ids.next()) else {
                    continue;
                };
                states.push(state, id, None, None, d);
                stated.push((state, d));
                news.push(id, state, None, d);
            }
            // Seen later elsewhere (or by a newer sweep): this sweep does not move it back.
            Some(k) if k.last_seen > started => {}
            Some(k) => {
                let moved = (k.site_id != site_id).then_some(k.site_id);
                let state = match changed(d, k) {
                    true => {
                        let Some(state) = state_ids.next() else {
                            continue;
                        };
                        states.push(state, k.id, Some(k.state_id), moved, d);
                        stated.push((state, d));
                        state
                    }
                    false => {
                        extended.push(k.state_id);
                        k.state_id
                    }
                };
                updates.push(k.id, state, moved, d);
            }
        }
    }
    if !news.id.is_empty() {
        insert_devices(tx, &news, started, site_id).await?;
    }
    if !states.id.is_empty() {
        insert_states(tx, &states, site_id, started, sweep).await?;
        insert_parts(tx, &stated).await?;
    }
    if !extended.is_empty() {
        tx.execute(
            "UPDATE device_state SET last_seen = greatest(last_seen, $2),
                 last_sweep = $3::text::uuid
             WHERE id = ANY($1)",
            &[&extended, &started, &sweep],
        )
        .await
        .map_err(query_error)?;
    }
    if !updates.id.is_empty() {
        update_devices(tx, &updates, started, site_id).await?;
    }
    Ok(())
}
