//! The fleet views: per-site counts, the current devices page by page in work-list order,
//! what changed since a time, and the gear past its deadline. Every type here is what the HTTP
//! API writes as JSON; times are Unix milliseconds (`..._ms`), as in the bundle's header.
//!
//! A device is *current* at its site when it was last seen at or after the start of the
//! site's newest complete sweep (`site.current_since`; every device of a site with no complete
//! sweep yet is current), and *removed* when it was last seen before: a complete sweep that
//! did not find it. An interrupted sweep removes nothing.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use tokio_postgres::types::ToSql;

use super::ledger::LedgerCounts;
use super::{Central, CentralError, millis, query_error, time};
use crate::date::Date;
use crate::record::{DeviceRecord, Verdict};
use crate::store::Identity;

/// Which devices a view is about; `None` is any. Vendor and model compare without case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// The site (exact).
    pub site: Option<String>,
    /// The vendor.
    pub vendor: Option<String>,
    /// The verdict.
    pub verdict: Option<Verdict>,
    /// The model.
    pub model: Option<String>,
}

/// A site's figures (or the fleet's, in [`Summary::total`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCounts {
    /// The site (empty in the total).
    pub site: String,
    /// Current devices.
    pub devices: u64,
    /// Of them banned.
    pub banned: u64,
    /// Of them to review.
    pub review: u64,
    /// Of them clear.
    pub clear: u64,
    /// Of them unknown.
    pub unknown: u64,
    /// Current devices with a finding past its deadline and no exception.
    pub overdue: u64,
    /// Devices last at this site that its newest complete sweep did not find.
    pub removed: u64,
    /// Current devices that came from another site.
    pub moved_in: u64,
    /// When its newest sweep started (Unix milliseconds).
    pub last_sweep_ms: Option<i64>,
    /// Sweeps stored.
    pub sweeps: u64,
    /// Its removal ledger, as its newest applied bundle carried it (zeros from a server
    /// before the ledger).
    #[serde(default)]
    pub ledger: LedgerCounts,
}

impl SiteCounts {
    fn add(&mut self, o: &SiteCounts) {
        self.devices += o.devices;
        self.banned += o.banned;
        self.review += o.review;
        self.clear += o.clear;
        self.unknown += o.unknown;
        self.overdue += o.overdue;
        self.removed += o.removed;
        self.moved_in += o.moved_in;
        self.sweeps += o.sweeps;
        self.last_sweep_ms = self.last_sweep_ms.max(o.last_sweep_ms);
        self.ledger.add(&o.ledger);
    }
}

/// The fleet in figures: each site (by name) and the total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Each site, by name.
    pub sites: Vec<SiteCounts>,
    /// Their sum.
    pub total: SiteCounts,
}

/// A current device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FleetDevice {
    /// Where it is.
    pub site: String,
    /// When it was first seen anywhere (Unix milliseconds).
    pub first_seen_ms: i64,
    /// When it was last seen.
    pub last_seen_ms: i64,
    /// The site it last moved from, if it ever moved.
    pub moved_from: Option<String>,
    /// Its record as last stored.
    pub record: DeviceRecord,
}

/// A page of devices.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevicePage {
    /// Devices in the whole list.
    pub total: u64,
    /// This page (the first is 1).
    pub page: u64,
    /// Devices a page.
    pub per_page: u64,
    /// This page's devices, in work-list order: banned first, then review, unknown, clear;
    /// then by site and address.
    pub devices: Vec<FleetDevice>,
}

/// What a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// First seen.
    New,
    /// Not found by its site's complete sweep.
    Removed,
    /// Found at another site.
    Moved,
    /// Found changed (address, name, maker, model, firmware, verdict, findings, modules,
    /// context).
    Changed,
}

/// One change to the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetChange {
    /// What kind.
    pub kind: ChangeKind,
    /// The site where it is (where it was, for a removed device).
    pub site: String,
    /// For a moved device, where it came from.
    pub from_site: Option<String>,
    /// When: the start of the sweep that saw it (Unix milliseconds).
    pub at_ms: i64,
    /// Its identity key (`serial:...`, `mac:...`, `engine:...`, `address:...`).
    pub identity: String,
    /// Its address.
    pub address: String,
    /// Vendor.
    pub vendor: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// What changed, in words (`version 1.0 -> 2.0`).
    pub changes: Vec<String>,
}

/// A stored sweep, as a site's list of them shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepInfo {
    /// Its UUID.
    pub uuid: uuid::Uuid,
    /// When it started (Unix milliseconds).
    pub started_ms: i64,
    /// When it ended.
    pub ended_ms: Option<i64>,
    /// `complete`, `interrupted` or `failed`.
    pub status: String,
    /// Its devices.
    pub devices: u64,
    /// When the server stored it.
    pub received_ms: i64,
    /// Whether its devices moved the intervals (false: older than the site's newest sweep).
    pub applied: bool,
}

/// The filter's four parameters ($1 site id, $2 vendor, $3 verdict, $4 model) over `device d`.
const DEVICE_FILTER: &str = "($1::bigint IS NULL OR d.site_id = $1)
    AND ($2::text IS NULL OR d.vendor_lc = $2)
    AND ($3::text IS NULL OR d.verdict = $3)
    AND ($4::text IS NULL OR d.model_lc = $4)";

/// The work-list rank of `d.verdict`.
const RANK: &str =
    "CASE d.verdict WHEN 'banned' THEN 0 WHEN 'review' THEN 1 WHEN 'unknown' THEN 2 ELSE 3 END";

struct Params {
    site: Option<i64>,
    vendor: Option<String>,
    verdict: Option<String>,
    model: Option<String>,
}

impl Params {
    fn four(&self) -> [&(dyn ToSql + Sync); 4] {
        [&self.site, &self.vendor, &self.verdict, &self.model]
    }
}

pub(super) fn count(r: &tokio_postgres::Row, i: usize) -> u64 {
    r.get::<_, i64>(i).max(0) as u64
}

impl Central {
    async fn params(
        &self,
        client: &deadpool_postgres::Client,
        f: &Filter,
    ) -> Result<Params, CentralError> {
        let site = match &f.site {
            None => None,
            Some(name) => Some(
                client
                    .query_opt("SELECT id FROM site WHERE name = $1", &[name])
                    .await
                    .map_err(query_error)?
                    .ok_or_else(|| CentralError::UnknownSite(name.clone()))?
                    .get(0),
            ),
        };
        Ok(Params {
            site,
            vendor: f.vendor.as_deref().map(super::search_text),
            verdict: f.verdict.map(|v| v.as_str().to_string()),
            model: f.model.as_deref().map(super::search_text),
        })
    }

    /// Each site's figures and their total, as of `today` (for what is overdue). Every site is
    /// listed, with zeros where the filter leaves nothing.
    pub async fn summary(&self, filter: &Filter, today: Date) -> Result<Summary, CentralError> {
        let client = self.client().await?;
        let p = self.params(&client, filter).await?;
        let today = today.to_string();
        let mut params: Vec<&(dyn ToSql + Sync)> = p.four().to_vec();
        params.push(&today);
        let counts = client
            .query(
                &format!(
                    "SELECT d.site_id,
                        count(*) FILTER (WHERE d.cur),
                        count(*) FILTER (WHERE d.cur AND d.verdict = 'banned'),
                        count(*) FILTER (WHERE d.cur AND d.verdict = 'review'),
                        count(*) FILTER (WHERE d.cur AND d.verdict = 'clear'),
                        count(*) FILTER (WHERE d.cur AND d.verdict = 'unknown'),
                        count(*) FILTER (WHERE d.cur AND d.earliest_deadline < $5::text::date),
                        count(*) FILTER (WHERE NOT d.cur),
                        count(*) FILTER (WHERE d.cur AND d.moved_from IS NOT NULL)
                     FROM (SELECT d.site_id, d.verdict, d.earliest_deadline, d.moved_from,
                                  d.last_seen >= coalesce(s.current_since, '-infinity') AS cur
                           FROM device d JOIN site s ON s.id = d.site_id
                           WHERE {DEVICE_FILTER}) d
                     GROUP BY d.site_id"
                ),
                &params,
            )
            .await
            .map_err(query_error)?;
        let sites = client
            .query(
                "SELECT s.id, s.name, count(w.uuid), max(w.started)
                 FROM site s LEFT JOIN sweep w ON w.site_id = s.id
                 WHERE $1::bigint IS NULL OR s.id = $1
                 GROUP BY s.id, s.name ORDER BY s.name",
                &[&p.site],
            )
            .await
            .map_err(query_error)?;
        let ledger = super::ledger::counts(&client, &p.four()).await?;
        let mut summary = Summary::default();
        for s in &sites {
            let id: i64 = s.get(0);
            let last: Option<SystemTime> = s.get(3);
            let mut c = SiteCounts {
                site: s.get(1),
                sweeps: count(s, 2),
                last_sweep_ms: last.map(millis),
                ..SiteCounts::default()
            };
            if let Some(l) = ledger.iter().find(|(site, _)| *site == id) {
                c.ledger = l.1.clone();
            }
            if let Some(r) = counts.iter().find(|r| r.get::<_, i64>(0) == id) {
                c.devices = count(r, 1);
                c.banned = count(r, 2);
                c.review = count(r, 3);
                c.clear = count(r, 4);
                c.unknown = count(r, 5);
                c.overdue = count(r, 6);
                c.removed = count(r, 7);
                c.moved_in = count(r, 8);
            }
            summary.total.add(&c);
            summary.sites.push(c);
        }
        Ok(summary)
    }

    /// The current devices, page `page` (from 1) of `per_page` (1 to 10,000), in work-list
    /// order.
    pub async fn devices(
        &self,
        filter: &Filter,
        page: u64,
        per_page: u64,
    ) -> Result<DevicePage, CentralError> {
        self.page(filter, None, page, per_page).await
    }

    /// The current devices with a finding whose deadline is before `on` and no exception,
    /// page by page as [`Central::devices`].
    pub async fn overdue(
        &self,
        on: Date,
        filter: &Filter,
        page: u64,
        per_page: u64,
    ) -> Result<DevicePage, CentralError> {
        self.page(filter, Some(on), page, per_page).await
    }

    async fn page(
        &self,
        filter: &Filter,
        overdue_on: Option<Date>,
        page: u64,
        per_page: u64,
    ) -> Result<DevicePage, CentralError> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, 10_000);
        let client = self.client().await?;
        let p = self.params(&client, filter).await?;
        let on = overdue_on.map(|d| d.to_string());
        let mut params: Vec<&(dyn ToSql + Sync)> = p.four().to_vec();
        params.push(&on);
        let condition = format!(
            "d.last_seen >= coalesce(s.current_since, '-infinity')
               AND ($5::text IS NULL OR d.earliest_deadline < $5::text::date)
               AND {DEVICE_FILTER}"
        );
        let total = count(
            &client
                .query_one(
                    &format!(
                        "SELECT count(*) FROM device d JOIN site s ON s.id = d.site_id
                         WHERE {condition}"
                    ),
                    &params,
                )
                .await
                .map_err(query_error)?,
            0,
        );
        let limit = per_page as i64;
        let offset = (page - 1).saturating_mul(per_page).min(i64::MAX as u64) as i64;
        params.push(&limit);
        params.push(&offset);
        let rows = client
            .query(
                &format!(
                    "SELECT s.name, d.first_seen, d.last_seen, mf.name, st.record
                     FROM device d JOIN site s ON s.id = d.site_id
                     JOIN device_state st ON st.id = d.state_id
                     LEFT JOIN site mf ON mf.id = d.moved_from
                     WHERE {condition}
                     ORDER BY {RANK}, s.name, st.address, d.id
                     LIMIT $6 OFFSET $7"
                ),
                &params,
            )
            .await
            .map_err(query_error)?;
        let mut devices = Vec::with_capacity(rows.len());
        for r in &rows {
            let record: serde_json::Value = r.get(4);
            let record = serde_json::from_value(record)
                .map_err(|e| CentralError::Query(format!("a stored record does not read: {e}")))?;
            devices.push(FleetDevice {
                site: r.get(0),
                first_seen_ms: millis(r.get(1)),
                last_seen_ms: millis(r.get(2)),
                moved_from: r.get(3),
                record,
            });
        }
        Ok(DevicePage {
            total,
            page,
            per_page,
            devices,
        })
    }

    /// What changed since `since_ms` (Unix milliseconds): devices new, moved or changed (each
    /// state that began since), and removed (by a complete sweep since), oldest first.
    pub async fn diff(
        &self,
        since_ms: i64,
        filter: &Filter,
    ) -> Result<Vec<FleetChange>, CentralError> {
        let client = self.client().await?;
        let p = self.params(&client, filter).await?;
        let since = time(since_ms);
        let mut params: Vec<&(dyn ToSql + Sync)> = p.four().to_vec();
        params.push(&since);
        let states = client
            .query(
                "SELECT s.name, mf.name, st.first_seen, st.record, st.previous_id IS NULL,
                        prev.record, st.verdict
                 FROM device_state st JOIN site s ON s.id = st.site_id
                 LEFT JOIN site mf ON mf.id = st.moved_from
                 LEFT JOIN device_state prev ON prev.id = st.previous_id
                 WHERE st.first_seen >= $5
                   AND ($1::bigint IS NULL OR st.site_id = $1)
                   AND ($2::text IS NULL OR lower(st.vendor) = lower($2))
                   AND ($3::text IS NULL OR st.verdict = $3)
                   AND ($4::text IS NULL OR lower(st.model) = lower($4))",
                &params,
            )
            .await
            .map_err(query_error)?;
        let removed = client
            .query(
                &format!(
                    "SELECT s.name, r.at, st.record
                     FROM device d JOIN site s ON s.id = d.site_id
                     JOIN device_state st ON st.id = d.state_id
                     CROSS JOIN LATERAL (
                         SELECT min(w.started) AS at FROM sweep w
                         WHERE w.site_id = d.site_id AND w.applied AND w.status = 'complete'
                           AND w.started > d.last_seen) r
                     WHERE s.current_since IS NOT NULL AND d.last_seen < s.current_since
                       AND r.at >= $5 AND {DEVICE_FILTER}"
                ),
                &params,
            )
            .await
            .map_err(query_error)?;
        let read = |v: serde_json::Value| -> Result<DeviceRecord, CentralError> {
            serde_json::from_value(v)
                .map_err(|e| CentralError::Query(format!("a stored record does not read: {e}")))
        };
        let mut changes = Vec::with_capacity(states.len() + removed.len());
        for r in &states {
            let record = read(r.get(3))?;
            let from_site: Option<String> = r.get(1);
            let first: bool = r.get(4);
            let previous: Option<serde_json::Value> = r.get(5);
            let previous = previous.map(read).transpose()?;
            let (kind, words) = match (first, &from_site, &previous) {
                (true, _, _) => (ChangeKind::New, Vec::new()),
                (false, Some(from), p) => {
                    let site: String = r.get(0);
                    let mut w = vec![format!("site {from} -> {site}")];
                    w.extend(
                        p.as_ref()
                            .map(|p| differences(p, &record))
                            .unwrap_or_default(),
                    );
                    (ChangeKind::Moved, w)
                }
                (false, None, p) => (
                    ChangeKind::Changed,
                    p.as_ref()
                        .map(|p| differences(p, &record))
                        .unwrap_or_default(),
                ),
            };
            changes.push(change(
                kind,
                r.get(0),
                from_site,
                millis(r.get(2)),
                &record,
                words,
            ));
        }
        for r in &removed {
            let record = read(r.get(2))?;
            changes.push(change(
                ChangeKind::Removed,
                r.get(0),
                None,
                millis(r.get(1)),
                &record,
                Vec::new(),
            ));
        }
        changes.sort_by(|a, b| {
            (a.at_ms, &a.site, a.kind, &a.identity).cmp(&(b.at_ms, &b.site, b.kind, &b.identity))
        });
        Ok(changes)
    }

    /// The sweeps stored for `site`, oldest first.
    pub async fn sweeps(&self, site: &str) -> Result<Vec<SweepInfo>, CentralError> {
        let client = self.client().await?;
        let id: i64 = client
            .query_opt("SELECT id FROM site WHERE name = $1", &[&site])
            .await
            .map_err(query_error)?
            .ok_or_else(|| CentralError::UnknownSite(site.to_string()))?
            .get(0);
        let rows = client
            .query(
                &format!(
                    "SELECT {SWEEP_COLUMNS} FROM sweep w
                     WHERE w.site_id = $1 ORDER BY w.started, w.received"
                ),
                &[&id],
            )
            .await
            .map_err(query_error)?;
        rows.iter().map(sweep_info).collect()
    }
}

/// A sweep's row as [`SWEEP_COLUMNS`] selects it (from `sweep w`).
pub(super) fn sweep_info(r: &tokio_postgres::Row) -> Result<SweepInfo, CentralError> {
    let uuid: String = r.get(0);
    let ended: Option<SystemTime> = r.get(2);
    Ok(SweepInfo {
        uuid: uuid
            .parse()
            .map_err(|e| CentralError::Query(format!("a stored UUID: {e}")))?,
        started_ms: millis(r.get(1)),
        ended_ms: ended.map(millis),
        status: r.get(3),
        devices: count(r, 4),
        received_ms: millis(r.get(5)),
        applied: r.get(6),
    })
}

/// The columns [`sweep_info`] reads, of `sweep w`.
pub(super) const SWEEP_COLUMNS: &str =
    "w.uuid::text, w.started, w.ended, w.status, w.devices, w.received, w.applied";

fn change(
    kind: ChangeKind,
    site: String,
    from_site: Option<String>,
    at_ms: i64,
    d: &DeviceRecord,
    changes: Vec<String>,
) -> FleetChange {
    FleetChange {
        kind,
        site,
        from_site,
        at_ms,
        identity: Identity::of(d).key(),
        address: d.address.clone(),
        vendor: d.identification.vendor.clone(),
        model: d.identification.model.clone(),
        verdict: d.judgement.verdict,
        changes,
    }
}

/// What differs between two records of one device, in words.
pub(super) fn differences(a: &DeviceRecord, b: &DeviceRecord) -> Vec<String> {
    fn show(v: Option<&str>) -> &str {
        v.unwrap_or("-")
    }
    let mut out = Vec::new();
    let mut field = |name: &str, x: Option<&str>, y: Option<&str>| {
        if x != y {
            out.push(format!("{name} {} -> {}", show(x), show(y)));
        }
    };
    let (ia, ib) = (&a.identification, &b.identification);
    let (ca, cb) = (&a.context, &b.context);
    field("address", Some(&a.address), Some(&b.address));
    field("sys_name", a.sys_name.as_deref(), b.sys_name.as_deref());
    field("vendor", ia.vendor.as_deref(), ib.vendor.as_deref());
    field("model", ia.model.as_deref(), ib.model.as_deref());
    field("version", ia.version.as_deref(), ib.version.as_deref());
    field("serial", ia.serial.as_deref(), ib.serial.as_deref());
    field(
        "verdict",
        Some(a.judgement.verdict.as_str()),
        Some(b.judgement.verdict.as_str()),
    );
    let value = |s: &Option<crate::record::Sourced<String>>| s.as_ref().map(|s| s.value.clone());
    for (name, x, y) in [
        ("site", value(&ca.site), value(&cb.site)),
        ("role", value(&ca.role), value(&cb.role)),
        ("technology", value(&ca.technology), value(&cb.technology)),
        ("owner", value(&ca.owner), value(&cb.owner)),
    ] {
        field(name, x.as_deref(), y.as_deref());
    }
    let rules = |d: &DeviceRecord| -> Vec<String> {
        d.judgement
            .findings
            .iter()
            .map(|f| match &f.deadline {
                Some(dl) => format!("{} (deadline {dl})", f.rule),
                None => f.rule.clone(),
            })
            .collect()
    };
    let (ra, rb) = (rules(a), rules(b));
    if ra != rb {
        out.push(format!(
            "findings [{}] -> [{}]",
            ra.join(", "),
            rb.join(", ")
        ));
    }
    let modules = |d: &DeviceRecord| -> Vec<String> {
        d.modules
            .iter()
            .map(|m| format!("{}/{}", show(m.model.as_deref()), show(m.serial.as_deref())))
            .collect()
    };
    if modules(a) != modules(b) {
        out.push(format!(
            "modules {} -> {}",
            a.modules.len(),
            b.modules.len()
        ));
    }
    out
}
