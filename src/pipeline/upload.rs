//! Uploading stored sweeps to a central server (issue 19). A stored sweep is sent as one
//! bundle ([`crate::bundle`]): [`write_bundle`] writes it from the history database, its
//! devices streamed from the store so that a sweep of any size is never held whole.

use std::io::Write;

use crate::bundle::{self, BundleError, SweepHeader};
use crate::store::{Store, StoreError, SweepRow};

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
/// they were stored, read from the database one at a time, then the trailer. Device text is
/// made fit to send as [`bundle::Writer::device`] says; the database is not changed.
pub fn write_bundle<W: Write>(
    store: &Store,
    sweep: &SweepRow,
    site_override: Option<&str>,
    out: W,
) -> Result<W, UploadError> {
    let id = sweep.id;
    let bundle = |source| UploadError::Bundle { sweep: id, source };
    let mut writer = bundle::Writer::new(&header(sweep, site_override)?, out).map_err(bundle)?;
    store.each_record(id, |record| writer.device(&record).map_err(bundle))?;
    writer.finish().map_err(bundle)
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
