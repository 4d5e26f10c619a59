//! Uploading stored sweeps to a central server (issue 19). A stored sweep is sent as one
//! bundle ([`crate::bundle`]): [`write_bundle`] writes it from the history database, its
//! devices streamed from the store so that a sweep of any size is never held whole, then the
//! site's removal ledger as it stands (issue 21: its items, then every step); [`upload`]
//! sends every finished sweep the server lacks, oldest first, retrying with back-off while the
//! server cannot be reached.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::{Failure, other, usage};
use crate::bundle::{
    self, BundleError, EvidenceLine, LedgerEntryLine, LedgerItemLine, LedgerKind, SweepHeader,
};
use crate::date::Date;
use crate::server::{Client, ClientError};
use crate::store::{LedgerEntry, LedgerFilter, LedgerItem, Store, StoreError, SweepRow};

/// Why a stored sweep cannot be uploaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The sweep names no site and none was given.
    #[error(
        "sweep #{sweep} names no site: give the site it was swept at with --site NAME (later sweeps: sweep --site NAME)"
    )]
    NoSite {
        /// The sweep's number in the database.
        sweep: i64,
    },
    /// The sweep has not ended.
    #[error("sweep #{sweep} is still running: a sweep is uploaded once it has ended")]
    Running {
        /// The sweep's number in the database.
        sweep: i64,
    },
    /// The site given is no site name.
    #[error("--site: {0}")]
    BadSite(String),
    /// The history database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The ledger holds what a bundle cannot carry (a date that is none, a kind of gear
    /// unknown): the history database was changed by hand.
    #[error("the removal ledger's {0}")]
    Ledger(String),
    /// The bundle could not be written.
    #[error("sweep #{sweep}: {source}")]
    Bundle {
        /// The sweep's number in the database.
        sweep: i64,
        /// Why.
        source: BundleError,
    },
}

/// The bundle header of a stored sweep: its row, as the site `site_override` if given (a
/// laptop's database imported for a site), else as the site it was swept at.
pub fn header(sweep: &SweepRow, site_override: Option<&str>) -> Result<SweepHeader, UploadError> {
    if sweep.status == "running" {
        return Err(UploadError::Running { sweep: sweep.id });
    }
    let site = match site_override {
        Some(site) => {
            bundle::check_site(site).map_err(UploadError::BadSite)?;
            site.to_string()
        }
        None => sweep
            .site
            .clone()
            .ok_or(UploadError::NoSite { sweep: sweep.id })?,
    };
    let header = SweepHeader {
        uuid: sweep.uuid,
        site,
        started_ms: sweep.started_ms,
        ended_ms: sweep.ended_ms,
        status: sweep.status.clone(),
        parameters: sweep.parameters.clone(),
        data_versions: sweep.data_versions.clone(),
        judged_on: sweep.judged_on.clone(),
        probed: sweep.probed,
        responders: sweep.responders,
        silent: sweep.silent,
        requests: sweep.requests,
        timeouts: sweep.timeouts,
        note: sweep.note.clone(),
    };
    header.check().map_err(|source| UploadError::Bundle {
        sweep: sweep.id,
        source,
    })?;
    Ok(header)
}

/// Writes the stored sweep `sweep` of `store` as a bundle to `out` and gives `out` back: the
/// header from its row ([`header`]: `site_override`, else the sweep's own site; a sweep with
/// neither, or still running, is an error naming it), then its devices' records in the order
/// they were stored, read from the database one at a time, then the site's removal ledger as
/// it stands now (every item a sweep of the bundle's site saw last, then their steps, oldest
/// first; evidence files by name, SHA-256 and size), then the trailer. Device text and people's text in the ledger (who, notes) are
/// made fit to send as [`bundle::Writer::device`] says; the database is not changed.
pub fn write_bundle<W: Write>(
    store: &Store,
    sweep: &SweepRow,
    site_override: Option<&str>,
    out: W,
) -> Result<W, UploadError> {
    let id = sweep.id;
    let bundle = |source| UploadError::Bundle { sweep: id, source };
    let header = header(sweep, site_override)?;
    let mut writer = bundle::Writer::new(&header, out).map_err(bundle)?;
    store.each_record(id, |record| writer.device(&record).map_err(bundle))?;
    // The site's items only: those a sweep of this site saw last (a database that sweeps
    // several sites sends each its own).
    let site_of: std::collections::HashMap<i64, Option<String>> = store
        .sweeps()?
        .into_iter()
        .map(|s| (s.id, s.site.or_else(|| site_override.map(str::to_string))))
        .collect();
    let mut sent = std::collections::HashSet::new();
    for item in store.ledger_items(&LedgerFilter::default())? {
        if site_of.get(&item.last_sweep).cloned().flatten().as_deref() == Some(&header.site) {
            writer.ledger_item(&item_line(&item)?).map_err(bundle)?;
            sent.insert(item.id);
        }
    }
    for entry in store.ledger_entries(None)? {
        if sent.contains(&entry.item) {
            writer.ledger_entry(&entry_line(&entry)?).map_err(bundle)?;
        }
    }
    writer.finish().map_err(bundle)
}

/// A date of the ledger, which the store writes as `YYYY-MM-DD`.
fn ledger_date(what: &str, text: &str) -> Result<Date, UploadError> {
    Date::parse(text).ok_or_else(|| UploadError::Ledger(format!("{what}: {text:?} is not a date")))
}

/// An optional date of the ledger.
fn ledger_day(what: &str, text: &Option<String>) -> Result<Option<Date>, UploadError> {
    text.as_deref().map(|t| ledger_date(what, t)).transpose()
}

/// A ledger item of the store as a bundle carries it.
fn item_line(i: &LedgerItem) -> Result<LedgerItemLine, UploadError> {
    let what = |field: &str| format!("item #{} {}", i.id, field);
    let kind = match i.kind.as_str() {
        "device" => LedgerKind::Device,
        "module" => LedgerKind::Module,
        other => {
            return Err(UploadError::Ledger(format!(
                "item #{}: {other:?} is neither a device nor a module",
                i.id
            )));
        }
    };
    Ok(LedgerItemLine {
        id: i.id,
        identity: i.identity.clone(),
        kind,
        parent: i.parent.clone(),
        serial: i.serial.clone(),
        chassis_mac: i.chassis_mac.clone(),
        engine_id: i.engine_id.clone(),
        address: i.address.clone(),
        vendor: i.vendor.clone(),
        model: i.model.clone(),
        sys_name: i.sys_name.clone(),
        site: i.site.clone(),
        role: i.role.clone(),
        technology: i.technology.clone(),
        acquired: ledger_day(&what("acquired"), &i.acquired)?,
        verdict: i.verdict,
        rule: i.rule.clone(),
        jurisdiction: i.jurisdiction.clone(),
        deadline: ledger_day(&what("deadline"), &i.deadline)?,
        state: i.state,
        since: ledger_date(&what("since"), &i.since)?,
        target: ledger_day(&what("target"), &i.target)?,
        exception: i.exception.clone(),
        first_seen_ms: i.first_seen_ms,
        last_seen_ms: i.last_seen_ms,
        absent_sweeps: i.absent_sweeps,
        reappeared: i.reappeared(),
    })
}

/// A step of the store's ledger as a bundle carries it: its evidence files by name, SHA-256
/// and size.
fn entry_line(e: &LedgerEntry) -> Result<LedgerEntryLine, UploadError> {
    let what = |field: &str| format!("entry #{} {}", e.id, field);
    Ok(LedgerEntryLine {
        id: e.id,
        item: e.item,
        identity: e.identity.clone(),
        from: e.from,
        state: e.state,
        day: ledger_date(&what("day"), &e.day)?,
        recorded_ms: e.recorded_ms,
        by: e.by.clone(),
        note: e.note.clone(),
        target: ledger_day(&what("target"), &e.target)?,
        exception: e.exception.clone(),
        evidence: e
            .evidence
            .iter()
            .map(|f| EvidenceLine {
                name: f.name.clone(),
                sha256: f.sha256.clone(),
                size: u64::try_from(f.size).unwrap_or(0),
            })
            .collect(),
    })
}

/// Where and how a database's sweeps are uploaded.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// The server.
    pub client: Client,
    /// The site every sweep is uploaded as (a laptop's database), instead of each sweep's own.
    pub site: Option<String>,
    /// How long one exchange is retried, with back-off, while the server is unreachable or
    /// failing (0: once).
    pub retry_for: Duration,
}

/// What an upload did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The sweeps sent, oldest first: number, UUID, devices.
    pub sent: Vec<(i64, uuid::Uuid, u64)>,
    /// Sweeps the server had already.
    pub already: usize,
}

/// The longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Sends every finished sweep of the database at `db` that the server does not have yet,
/// oldest first, one bundle each, retrying with back-off while the server is unreachable.
/// Stops at the first sweep the server refuses (nothing after it is sent out of order).
pub async fn upload(db: &Path, options: &UploadOptions) -> Result<Uploaded, Failure> {
    let store = Store::open_existing(db).map_err(crate::pipeline::store_failure)?;
    let sweeps: Vec<SweepRow> = store
        .sweeps()
        .map_err(crate::pipeline::store_failure)?
        .into_iter()
        .filter(|s| s.status != "running")
        .collect();
    let mut by_site: Vec<(String, SweepRow)> = Vec::with_capacity(sweeps.len());
    for sweep in sweeps {
        let site = match (&options.site, &sweep.site) {
            (Some(site), _) | (None, Some(site)) => site.clone(),
            (None, None) => {
                return Err(usage(format!(
                    "{}: sweep {} has no site: sweep with --site NAME, or upload with --site NAME",
                    db.display(),
                    sweep.id
                )));
            }
        };
        by_site.push((site, sweep));
    }
    let mut known: std::collections::HashMap<String, std::collections::HashSet<uuid::Uuid>> =
        std::collections::HashMap::new();
    let mut done = Uploaded::default();
    for (site, sweep) in by_site {
        if !known.contains_key(&site) {
            let path = format!(
                "/api/v1/sites/{}/sweeps",
                crate::server::client::encode(&site)
            );
            let have: SiteSweeps = retrying(options, "list the site's sweeps", || {
                options.client.get_json(&path)
            })
            .await?;
            known.insert(
                site.clone(),
                have.sweeps.into_iter().map(|s| s.uuid).collect(),
            );
        }
        if known[&site].contains(&sweep.uuid) {
            done.already += 1;
            continue;
        }
        let bundle = write_bundle(&store, &sweep, Some(&site), Vec::new())
            .map_err(|e| other(format!("{}: sweep {}: {e}", db.display(), sweep.id)))?;
        let answer: Stored = retrying(options, "upload", || {
            options
                .client
                .post_json("/api/v1/bundles", BUNDLE_TYPE, bundle.clone())
        })
        .await?;
        eprintln!(
            "upload: sweep {} of site {} ({}): {}",
            sweep.id,
            site,
            sweep.uuid,
            if answer.stored {
                format!(
                    "{} stored",
                    crate::words::count(answer.devices, "device", "devices")
                )
            } else {
                "the server had it already".to_string()
            }
        );
        if answer.stored {
            done.sent.push((sweep.id, sweep.uuid, answer.devices));
        } else {
            done.already += 1;
        }
        known.get_mut(&site).map(|s| s.insert(sweep.uuid));
    }
    Ok(done)
}

/// After a stored sweep (`--upload`): sends what the server lacks, and when that fails says so
/// without failing the sweep, whose data stays stored for the next upload.
pub async fn after_sweep(db: &Path, options: &UploadOptions) {
    match upload(db, options).await {
        Ok(done) => eprintln!(
            "netorigin: upload: {} sent, {} the server had already",
            crate::words::count(done.sent.len() as u64, "sweep", "sweeps"),
            done.already
        ),
        Err(e) => {
            eprintln!("netorigin: upload: {e}; the sweeps stay stored and go with the next upload")
        }
    }
}

/// The variable a client's token is read from when no token file is given.
pub const TOKEN_VAR: &str = "NETORIGIN_TOKEN";

/// The token: the first line of `file`, else `$NETORIGIN_TOKEN` (never a command-line
/// argument, which other users see in the process list).
pub fn token(file: Option<&Path>) -> Result<crate::usm::Secret, Failure> {
    let token = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("{}: {e}", path.display())))?;
            let token = text.lines().next().unwrap_or("").trim().to_string();
            if token.is_empty() {
                return Err(usage(format!(
                    "{}:1: expected the token on the first line",
                    path.display()
                )));
            }
            token
        }
        None => match std::env::var(TOKEN_VAR) {
            Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => {
                return Err(usage(format!(
                    "no token: give --token-file FILE or set {TOKEN_VAR}"
                )));
            }
        },
    };
    Ok(crate::usm::Secret::new(token))
}

/// The content type of a bundle.
pub const BUNDLE_TYPE: &str = "application/x-netorigin-bundle+gzip";

/// `GET /api/v1/sites/{site}/sweeps`: what the server has of the site.
#[derive(serde::Deserialize)]
struct SiteSweeps {
    sweeps: Vec<SweepRef>,
}

/// A stored sweep in that list: its UUID is all an upload needs.
#[derive(serde::Deserialize)]
struct SweepRef {
    uuid: uuid::Uuid,
}

#[derive(serde::Deserialize)]
struct Stored {
    stored: bool,
    devices: u64,
}

/// `call` until it succeeds, fails for good, or `options.retry_for` is spent on waits that
/// double from one second up to a minute.
async fn retrying<T, F, Fut>(options: &UploadOptions, what: &str, call: F) -> Result<T, Failure>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let mut waited = Duration::ZERO;
    let mut wait = Duration::from_secs(1);
    loop {
        match call().await {
            Ok(t) => return Ok(t),
            Err(e) if e.transient() && waited + wait <= options.retry_for => {
                eprintln!(
                    "upload: cannot {what} yet: {e}; trying again in {} s",
                    wait.as_secs()
                );
                tokio::time::sleep(wait).await;
                waited += wait;
                wait = (wait * 2).min(MAX_BACKOFF);
            }
            Err(e @ ClientError::Url { .. }) | Err(e @ ClientError::Tls(_)) => {
                return Err(usage(e));
            }
            Err(e) => return Err(other(format!("cannot {what}: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::bundle::{Limits, Reader};
    use crate::identify::Identifier;
    use crate::pipeline::offline::recorded;
    use crate::pipeline::{Judging, Policies};
    use crate::record::DeviceRecord;
    use crate::simulate::files::load_recordings;
    use crate::simulate::recording::BadLines;
    use crate::store::writer::Status;

    /// Real recordings (Huawei routers and a storage array, a Cisco firewall), identified and
    /// judged as `identify` does.
    fn judged() -> Vec<DeviceRecord> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/snmprec");
        let paths: Vec<PathBuf> = [
            "huawei/vrp_1",
            "huawei/vrp_3",
            "huawei/oceanstor",
            "other/fxos",
        ]
        .iter()
        .map(|p| root.join(format!("{p}.snmprec")))
        .collect();
        let identifier = Identifier::bundled().unwrap();
        let mut judging = Judging::load(&Policies::default(), &identifier).unwrap();
        load_recordings(&paths, BadLines::Skip)
            .unwrap()
            .iter()
            .map(|r| judging.judge(recorded(r, &identifier)))
            .collect()
    }

    /// A database with one complete sweep of `devices`, stored as a sweep stores them, at
    /// `site`.
    fn stored(path: &std::path::Path, devices: &[DeviceRecord], site: Option<&str>) -> i64 {
        let recorder = Store::open(path)
            .unwrap()
            .begin_sweep(
                &serde_json::json!({"targets": ["192.0.2.0/28"], "site": site}),
                "netorigin test data",
                "2026-12-01",
                site,
            )
            .unwrap();
        let id = recorder.id();
        for d in devices {
            recorder.device(d.clone());
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(recorder.finish(Status::Complete, None, None))
            .unwrap();
        id
    }

    fn json(d: &DeviceRecord) -> serde_json::Value {
        serde_json::to_value(d).unwrap()
    }

    #[test]
    fn a_stored_sweep_reads_back_from_its_bundle_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let devices = judged();
        assert_eq!(devices.len(), 4);
        assert!(
            devices
                .iter()
                .any(|d| d.judgement.verdict == crate::record::Verdict::Banned)
        );
        let id = stored(&path, &devices, Some("TOR01"));
        let store = Store::open(&path).unwrap();
        let row = store.sweep(id).unwrap().unwrap();
        let bytes = write_bundle(&store, &row, None, Vec::new()).unwrap();

        let mut reader = Reader::new(&bytes[..], Limits::default()).unwrap();
        let h = reader.header().clone();
        assert_eq!(
            (h.uuid, h.site.as_str(), h.status.as_str(), h.started_ms),
            (row.uuid, "TOR01", "complete", row.started_ms)
        );
        assert_eq!(h.parameters, row.parameters);
        assert_eq!(h.judged_on, "2026-12-01");
        let mut back = Vec::new();
        while let Some(d) = reader.next_device().unwrap() {
            back.push(json(&d));
        }
        let stored: Vec<serde_json::Value> = store
            .devices(id)
            .unwrap()
            .iter()
            .map(|d| json(&d.record))
            .collect();
        assert_eq!(back, stored);
        assert_eq!(back, devices.iter().map(json).collect::<Vec<_>>());
    }

    #[test]
    fn the_sites_ledger_follows_the_devices_with_evidence_by_digest() {
        use crate::bundle::Line;
        use crate::record::LedgerState;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let id = stored(&path, &judged(), Some("TOR01"));
        let store = Store::open(&path).unwrap();
        let items = store.ledger_items(&LedgerFilter::default()).unwrap();
        let banned = items.iter().find(|i| i.kind == "device").unwrap();
        let photo = b"a photo of an empty rack".to_vec();
        store
            .ledger_mark(
                &format!("#{}", banned.id),
                LedgerState::Removed,
                crate::store::Mark {
                    by: "Dana\u{1b}[2J".into(),
                    note: Some("rack 4\u{7}".into()),
                    evidence: vec![("rack.jpg".into(), photo.clone())],
                    ..crate::store::Mark::default()
                },
            )
            .unwrap();
        let row = store.sweep(id).unwrap().unwrap();
        let bytes = write_bundle(&store, &row, None, Vec::new()).unwrap();
        let mut reader = Reader::new(&bytes[..], Limits::default()).unwrap();
        let (mut devices, mut got_items, mut entries) = (0, Vec::new(), Vec::new());
        while let Some(line) = reader.next_line().unwrap() {
            match line {
                Line::Device(_) => devices += 1,
                Line::LedgerItem(i) => got_items.push(*i),
                Line::LedgerEntry(e) => entries.push(*e),
            }
        }
        assert_eq!(devices, 4);
        assert_eq!(got_items.len(), items.len());
        let item = got_items.iter().find(|i| i.id == banned.id).unwrap();
        assert_eq!(
            (item.identity.as_str(), item.state),
            (banned.identity.as_str(), LedgerState::Removed)
        );
        let steps: Vec<_> = entries.iter().filter(|e| e.item == banned.id).collect();
        assert_eq!(steps.len(), 2, "{steps:?}");
        assert_eq!((steps[0].from, steps[0].state), (None, LedgerState::Found));
        let removed = steps[1];
        assert_eq!(removed.from, Some(LedgerState::Found));
        assert_eq!(removed.by, r"Dana\x1b[2J");
        assert_eq!(removed.note.as_deref(), Some(r"rack 4\x07"));
        assert_eq!(removed.evidence.len(), 1);
        let file = &removed.evidence[0];
        assert_eq!(
            (file.name.as_str(), file.size, file.sha256.as_str()),
            (
                "rack.jpg",
                photo.len() as u64,
                crate::store::ledger::sha256_hex(&photo).as_str()
            )
        );
        // The file's bytes never travel.
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        assert!(!text.contains("empty rack"));
    }

    #[test]
    fn a_database_that_swept_two_sites_sends_each_its_own_ledger() {
        use crate::bundle::Line;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let devices = judged();
        let (tor, mtl) = devices.split_at(2);
        let first = stored(&path, tor, Some("TOR01"));
        let second = stored(&path, mtl, Some("MTL02"));
        let store = Store::open(&path).unwrap();
        let all = store.ledger_items(&LedgerFilter::default()).unwrap();
        let items_of = |id: i64| -> Vec<i64> {
            let row = store.sweep(id).unwrap().unwrap();
            let bytes = write_bundle(&store, &row, None, Vec::new()).unwrap();
            let mut reader = Reader::new(&bytes[..], Limits::default()).unwrap();
            let mut ids = Vec::new();
            while let Some(line) = reader.next_line().unwrap() {
                if let Line::LedgerItem(i) = line {
                    ids.push(i.id);
                }
            }
            ids
        };
        let (a, b) = (items_of(first), items_of(second));
        let want = |sweep: i64| -> Vec<i64> {
            all.iter()
                .filter(|i| i.last_sweep == sweep)
                .map(|i| i.id)
                .collect()
        };
        assert_eq!(a, want(first));
        assert_eq!(b, want(second));
        assert!(!a.is_empty() || !b.is_empty(), "{all:?}");
        assert_eq!(a.len() + b.len(), all.len());
    }

    #[test]
    fn a_sweep_without_a_site_needs_one_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let id = stored(&path, &judged()[..1], None);
        let store = Store::open(&path).unwrap();
        let row = store.sweep(id).unwrap().unwrap();
        let e = write_bundle(&store, &row, None, Vec::new()).err().unwrap();
        assert!(
            matches!(e, UploadError::NoSite { sweep } if sweep == id),
            "{e}"
        );
        assert!(e.to_string().contains(&format!("sweep #{id}")), "{e}");
        let e = write_bundle(&store, &row, Some("a\u{1b}b"), Vec::new())
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("--site: "), "{e}");
        let bytes = write_bundle(&store, &row, Some("laptop import MTL02"), Vec::new()).unwrap();
        let mut reader = Reader::new(&bytes[..], Limits::default()).unwrap();
        assert_eq!(reader.header().site, "laptop import MTL02");
        assert!(reader.next_device().unwrap().is_some());
        assert!(reader.next_device().unwrap().is_none());
    }

    #[test]
    fn a_running_sweep_is_not_bundled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let recorder = Store::open(&path)
            .unwrap()
            .begin_sweep(&serde_json::json!({}), "v", "2026-12-01", Some("TOR01"))
            .unwrap();
        let store = Store::open(&path).unwrap();
        let row = store.sweep(recorder.id()).unwrap().unwrap();
        let e = write_bundle(&store, &row, None, Vec::new()).err().unwrap();
        assert!(matches!(e, UploadError::Running { .. }), "{e}");
        drop(recorder);
    }
}
