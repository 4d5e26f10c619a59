//! What the web pages ask of the central database (issue 20): the device and module search,
//! a device's history, a site's page, a sweep and the difference between two, and the burn-down
//! of banned gear with its deadlines. Every type is what the pages show and export as JSON;
//! times are Unix milliseconds (`..._ms`) as in [`super::fleet`]; text a device sent is
//! returned as it is (the pages escape it).
//!
//! The search stays fast at a million devices: it reads copies of the current state's columns
//! on `device` (schema v2, filled by ingest) in the work-list order of indexes (rank, site,
//! address, id; and the same after a site, vendor or model), so a page's `LIMIT` stops early,
//! and counts no further than [`COUNT_CAP`].

mod burndown;
mod detail;
mod diff;

use serde::{Deserialize, Serialize};
use tokio_postgres::types::ToSql;

use super::fleet::count;
use super::{Central, CentralError, millis, query_error};
use crate::record::{DeviceRecord, Verdict};

pub use burndown::{BurnPoint, Burndown, DeadlineMark, ahead};
pub use detail::{DeviceDetail, SiteDetail, StateSpan, SweepDetail};
pub use diff::{SweepChange, SweepDiff};

/// A count stops here: past it, `total` is this and `total_exact` false ("more than 10,000").
pub const COUNT_CAP: u64 = 10_001;

/// The most rows a page holds.
pub const MAX_PER_PAGE: u64 = 10_000;

/// What a search asks for; `None` is any. Vendor, model, origin and serial compare without
/// case; the address is a prefix (`10.1.` finds `10.1.2.3`; a whole address finds itself);
/// `text` is a substring, without case, of any of sysName, vendor, model, serial, address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search {
    /// The site (exact).
    pub site: Option<String>,
    /// The vendor.
    pub vendor: Option<String>,
    /// The origin (the vendor's country).
    pub origin: Option<String>,
    /// The verdict.
    pub verdict: Option<Verdict>,
    /// The model.
    pub model: Option<String>,
    /// The serial number.
    pub serial: Option<String>,
    /// An address or its beginning.
    pub address: Option<String>,
    /// Words to find anywhere.
    pub text: Option<String>,
}

/// A current device as a list shows it (not its whole record: pages stay light).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRow {
    /// The device's id (for [`Central::device`]).
    pub id: i64,
    /// Where it is.
    pub site: String,
    /// Its address.
    pub address: String,
    /// Its sysName.
    pub sys_name: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// The vendor's origin.
    pub origin: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Firmware version.
    pub version: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// Its modules.
    pub modules: u64,
    /// Of them banned.
    pub banned_modules: u64,
    /// The earliest deadline of a finding without an exception (`YYYY-MM-DD`).
    pub earliest_deadline: Option<String>,
    /// First seen anywhere (Unix milliseconds).
    pub first_seen_ms: i64,
    /// Last seen.
    pub last_seen_ms: i64,
    /// The site it last moved from, if it ever moved.
    pub moved_from: Option<String>,
}

/// A page of devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    /// Devices found, counted up to [`COUNT_CAP`].
    pub total: u64,
    /// Whether `total` is all of them (false: there are at least that many).
    pub total_exact: bool,
    /// This page (the first is 1).
    pub page: u64,
    /// Rows a page.
    pub per_page: u64,
    /// This page's devices in work-list order: banned, review, unknown, clear; then site,
    /// address, id.
    pub rows: Vec<DeviceRow>,
}

/// A module of a current device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleRow {
    /// Its device's id.
    pub device_id: i64,
    /// The device's site.
    pub site: String,
    /// The device's address.
    pub address: String,
    /// The device's vendor.
    pub device_vendor: Option<String>,
    /// Its index in the device.
    pub idx: i64,
    /// Its class (`chassis`, `module`, ...).
    pub class: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// The vendor's origin.
    pub origin: Option<String>,
    /// Its own verdict, if judged.
    pub verdict: Option<Verdict>,
}

/// A page of modules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModulePage {
    /// Modules found, counted up to [`COUNT_CAP`].
    pub total: u64,
    /// Whether `total` is all of them.
    pub total_exact: bool,
    /// This page (the first is 1).
    pub page: u64,
    /// Rows a page.
    pub per_page: u64,
    /// This page's modules, in their devices' work-list order, then by index.
    pub rows: Vec<ModuleRow>,
}

/// A statement's conditions and their parameters, numbered as they are added.
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Conditions {
    /// Adds `clause`, whose `$?` is the parameter `p`.
    fn add(&mut self, clause: &str, p: impl ToSql + Sync + Send + 'static) {
        self.params.push(Box::new(p));
        let n = format!("${}", self.params.len());
        self.clauses.push(clause.replace("$?", &n));
    }

    /// The number the next parameter will have.
    fn next(&self) -> usize {
        self.params.len() + 1
    }

    fn sql(&self) -> String {
        match self.clauses.is_empty() {
            true => "TRUE".into(),
            false => self.clauses.join(" AND "),
        }
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|b| b.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// `s` for a LIKE pattern, its wildcards taken literally.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The work-list rank of a verdict (`device.rank`).
fn rank(v: Verdict) -> i16 {
    match v {
        Verdict::Banned => 0,
        Verdict::Review => 1,
        Verdict::Unknown => 2,
        Verdict::Clear => 3,
    }
}

/// A stored verdict (anything else reads as unknown).
pub(super) fn verdict(s: &str) -> Verdict {
    serde_json::from_value(serde_json::Value::String(s.to_string())).unwrap_or(Verdict::Unknown)
}

/// A stored record.
pub(super) fn record(v: serde_json::Value) -> Result<DeviceRecord, CentralError> {
    serde_json::from_value(v)
        .map_err(|e| CentralError::Query(format!("a stored record does not read: {e}")))
}

/// A current device: `device d JOIN site s`.
const CURRENT: &str = "d.last_seen >= coalesce(s.current_since, '-infinity')";

/// The work-list order of `device d`.
const WORKLIST: &str = "d.rank, d.site_name, d.address, d.id";

/// The conditions of a device search over `device d JOIN site s`.
fn device_conditions(q: &Search) -> Conditions {
    let mut c = Conditions::default();
    c.clauses.push(CURRENT.into());
    if let Some(site) = &q.site {
        c.add("d.site_name = $?", site.clone());
    }
    if let Some(v) = &q.vendor {
        c.add("d.vendor_lc = $?", super::search_text(v));
    }
    if let Some(v) = &q.origin {
        c.add("d.origin_lc = $?", super::search_text(v));
    }
    if let Some(v) = q.verdict {
        c.add("d.rank = $?", rank(v));
    }
    if let Some(v) = &q.model {
        c.add("d.model_lc = $?", super::search_text(v));
    }
    if let Some(v) = &q.serial {
        c.add("d.serial_lc = $?", super::search_text(v));
    }
    address_and_text(&mut c, q, "d.search_lc");
    c
}

/// The address prefix (of `d.address`) and the text (a substring of `haystack`).
fn address_and_text(c: &mut Conditions, q: &Search, haystack: &str) {
    if let Some(v) = &q.address {
        c.add("d.address LIKE $?", format!("{}%", like_escape(v)));
    }
    if let Some(v) = &q.text {
        // The fields are joined by newlines: a newline asked for would match across them.
        let v = v.replace('\n', " ");
        c.add(
            &format!("{haystack} LIKE lower($?)"),
            // Lowered by the database, as the column is (one locale on both sides).
            format!("%{}%", like_escape(&v)),
        );
    }
}

/// Counts the rows of `FROM ... WHERE ...` no further than [`COUNT_CAP`].
async fn capped_count(
    client: &deadpool_postgres::Client,
    from_where: &str,
    c: &Conditions,
) -> Result<(u64, bool), CentralError> {
    let n = count(
        &client
            .query_one(
                &format!("SELECT count(*) FROM (SELECT 1 {from_where} LIMIT {COUNT_CAP}) capped"),
                &c.refs(),
            )
            .await
            .map_err(query_error)?,
        0,
    );
    Ok((n, n < COUNT_CAP))
}

fn device_row(r: &tokio_postgres::Row) -> DeviceRow {
    let deadline: Option<String> = r.get(12);
    DeviceRow {
        id: r.get(0),
        site: r.get(1),
        address: r.get(2),
        sys_name: r.get(3),
        vendor: r.get(4),
        origin: r.get(5),
        model: r.get(6),
        version: r.get(7),
        serial: r.get(8),
        verdict: verdict(r.get(9)),
        modules: count(r, 10),
        banned_modules: count(r, 11),
        earliest_deadline: deadline,
        first_seen_ms: millis(r.get(13)),
        last_seen_ms: millis(r.get(14)),
        moved_from: r.get(15),
    }
}

/// The offset of a page (from 1) of `per_page`.
fn offset(page: u64, per_page: u64) -> i64 {
    (page.max(1) - 1)
        .saturating_mul(per_page)
        .min(i64::MAX as u64) as i64
}

impl Central {
    /// The current devices a search finds (current as [`Central::devices`] has it), page
    /// `page` (from 1) of `per_page` (1 to [`MAX_PER_PAGE`]), in work-list order. A site
    /// nobody added finds nothing.
    pub async fn search(
        &self,
        q: &Search,
        page: u64,
        per_page: u64,
    ) -> Result<SearchPage, CentralError> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let c = device_conditions(q);
        let client = self.client().await?;
        let from = format!(
            "FROM device d JOIN site s ON s.id = d.site_id WHERE {}",
            c.sql()
        );
        let (total, total_exact) = capped_count(&client, &from, &c).await?;
        let rows = self
            .device_rows(&client, &c, per_page as i64, offset(page, per_page))
            .await?;
        Ok(SearchPage {
            total,
            total_exact,
            page,
            per_page,
            rows,
        })
    }

    /// All a search finds (for exports), in work-list order, at most `limit`.
    pub async fn search_all(&self, q: &Search, limit: u64) -> Result<Vec<DeviceRow>, CentralError> {
        let c = device_conditions(q);
        let client = self.client().await?;
        let limit = limit.min(i64::MAX as u64) as i64;
        self.device_rows(&client, &c, limit, 0).await
    }

    async fn device_rows(
        &self,
        client: &deadpool_postgres::Client,
        c: &Conditions,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DeviceRow>, CentralError> {
        let (l, o) = (c.next(), c.next() + 1);
        let mut params = c.refs();
        params.push(&limit);
        params.push(&offset);
        let rows = client
            .query(
                &format!(
                    "WITH page AS MATERIALIZED (
                         SELECT d.id FROM device d JOIN site s ON s.id = d.site_id
                         WHERE {} ORDER BY {WORKLIST} LIMIT ${l} OFFSET ${o})
                     SELECT d.id, d.site_name, d.address, d.sys_name, st.vendor, st.origin,
                            st.model, st.version, st.serial, d.verdict,
                            (SELECT count(*) FROM state_module m WHERE m.state_id = d.state_id),
                            (SELECT count(*) FROM state_module m
                             WHERE m.state_id = d.state_id AND m.verdict = 'banned'),
                            d.earliest_deadline::text, d.first_seen, d.last_seen, mf.name
                     FROM page JOIN device d ON d.id = page.id
                     JOIN device_state st ON st.id = d.state_id
                     LEFT JOIN site mf ON mf.id = d.moved_from
                     ORDER BY {WORKLIST}",
                    c.sql()
                ),
                &params,
            )
            .await
            .map_err(query_error)?;
        Ok(rows.iter().map(device_row).collect())
    }

    /// The modules of the current devices (each one's current state's), page by page in
    /// their devices' work-list order, then by index. The search's vendor, origin, verdict,
    /// model and serial are the module's own; its site and address its device's; its text a
    /// substring of the module's class, model, serial or vendor.
    pub async fn modules(
        &self,
        q: &Search,
        page: u64,
        per_page: u64,
    ) -> Result<ModulePage, CentralError> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let c = module_conditions(q);
        let client = self.client().await?;
        let from = format!(
            "FROM device d JOIN site s ON s.id = d.site_id
             JOIN device_state st ON st.id = d.state_id
             JOIN state_module m ON m.state_id = d.state_id WHERE {}",
            c.sql()
        );
        let (total, total_exact) = capped_count(&client, &from, &c).await?;
        let (limit, off) = (per_page as i64, offset(page, per_page));
        let (l, o) = (c.next(), c.next() + 1);
        let mut params = c.refs();
        params.push(&limit);
        params.push(&off);
        let rows = client
            .query(
                &format!(
                    "SELECT d.id, d.site_name, d.address, st.vendor, m.idx, m.class, m.model,
                            m.serial, m.vendor, m.origin, m.verdict
                     {from} ORDER BY {WORKLIST}, m.idx LIMIT ${l} OFFSET ${o}"
                ),
                &params,
            )
            .await
            .map_err(query_error)?;
        let rows = rows
            .iter()
            .map(|r| {
                let v: Option<String> = r.get(10);
                ModuleRow {
                    device_id: r.get(0),
                    site: r.get(1),
                    address: r.get(2),
                    device_vendor: r.get(3),
                    idx: r.get(4),
                    class: r.get(5),
                    model: r.get(6),
                    serial: r.get(7),
                    vendor: r.get(8),
                    origin: r.get(9),
                    verdict: v.as_deref().map(verdict),
                }
            })
            .collect();
        Ok(ModulePage {
            total,
            total_exact,
            page,
            per_page,
            rows,
        })
    }
}

/// The conditions of a module search over `device d JOIN site s JOIN state_module m`.
fn module_conditions(q: &Search) -> Conditions {
    let mut c = Conditions::default();
    c.clauses.push(CURRENT.into());
    if let Some(site) = &q.site {
        c.add("d.site_name = $?", site.clone());
    }
    for (column, v) in [
        ("m.vendor", &q.vendor),
        ("m.origin", &q.origin),
        ("m.model", &q.model),
        ("m.serial", &q.serial),
    ] {
        if let Some(v) = v {
            c.add(&format!("lower({column}) = lower($?)"), v.clone());
        }
    }
    if let Some(v) = q.verdict {
        c.add("m.verdict = $?", v.as_str().to_string());
    }
    address_and_text(
        &mut c,
        q,
        "lower(concat_ws(E'\\n', m.class, m.model, m.serial, m.vendor))",
    );
    c
}
