//! The writer: one thread owns the database connection for the length of a sweep and is fed
//! device records through a channel, so the sweep never waits on the disk. What is waiting in
//! the channel is written in one transaction, so a burst of devices costs one commit.
//!
//! If the sending side goes away without saying how the sweep ended (a panic, a dropped
//! [`Recorder`]), the sweep is stored as interrupted; if the process is killed, the next
//! opening of the database finds it (see [`super::Store::recover`]).

use std::path::PathBuf;
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction, params};
use tokio::sync::mpsc;

use super::{StoreError, SweepLock, now_ms};
use crate::discover::SweepSummary;
use crate::record::{DeviceRecord, Sourced};

/// How a sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every target was swept.
    Complete,
    /// Stopped before the end (Ctrl-C, SIGTERM, a reader gone).
    Interrupted,
    /// Failed.
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Interrupted => "interrupted",
            Status::Failed => "failed",
        }
    }
}

enum Message {
    Device(Box<DeviceRecord>, i64),
    Finish {
        status: Status,
        summary: Option<SweepSummary>,
        note: Option<String>,
    },
}

/// Stores one sweep as it goes: devices are handed over at once and written by the writer
/// thread.
pub struct Recorder {
    tx: mpsc::UnboundedSender<Message>,
    thread: Option<JoinHandle<Result<u64, StoreError>>>,
    id: i64,
}

/// The most devices written in one transaction.
const BATCH: usize = 256;

impl Recorder {
    pub(super) fn start(conn: Connection, path: PathBuf, id: i64, lock: SweepLock) -> Recorder {
        let (tx, rx) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("netorigin-store".into())
            .spawn(move || {
                let result = write(&conn, id, rx).map_err(|source| StoreError::Sqlite {
                    path: path.clone(),
                    source,
                });
                if result.is_err() {
                    // Say what we can: the row must not stay `running`.
                    let _ = conn.execute(
                        "UPDATE sweep SET status = 'failed', ended_ms = ?2, note = 'the store could not be written'
                         WHERE id = ?1 AND status = 'running'",
                        params![id, now_ms()],
                    );
                }
                drop(conn);
                drop(lock);
                result
            });
        match thread {
            Ok(t) => Recorder {
                tx,
                thread: Some(t),
                id,
            },
            // No thread: every send fails and finish() says so.
            Err(_) => Recorder {
                tx,
                thread: None,
                id,
            },
        }
    }

    /// The sweep's number.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Hands a device over to be stored; never waits.
    pub fn device(&self, d: DeviceRecord) {
        let _ = self.tx.send(Message::Device(Box::new(d), now_ms()));
    }

    /// Says how the sweep ended and waits until everything is on disk; returns how many
    /// devices were stored.
    pub async fn finish(
        mut self,
        status: Status,
        summary: Option<SweepSummary>,
        note: Option<String>,
    ) -> Result<u64, StoreError> {
        let _ = self.tx.send(Message::Finish {
            status,
            summary,
            note,
        });
        let Some(thread) = self.thread.take() else {
            return Err(StoreError::WriterGone("its thread could not start".into()));
        };
        tokio::task::spawn_blocking(move || thread.join())
            .await
            .map_err(|e| StoreError::WriterGone(e.to_string()))?
            .map_err(|_| StoreError::WriterGone("it panicked".into()))?
    }
}

fn write(
    conn: &Connection,
    sweep: i64,
    mut rx: mpsc::UnboundedReceiver<Message>,
) -> rusqlite::Result<u64> {
    let mut stored = 0u64;
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        let mut finished = false;
        for m in batch {
            match m {
                Message::Device(d, seen) => {
                    insert_device(&tx, sweep, seen, &d)?;
                    stored += 1;
                }
                Message::Finish {
                    status,
                    summary,
                    note,
                } => {
                    end_sweep(&tx, sweep, status, summary.as_ref(), note.as_deref())?;
                    super::ledger::sweeps::after_sweep(&tx, sweep, status == Status::Complete)?;
                    finished = true;
                }
            }
        }
        tx.commit()?;
        if finished {
            return Ok(stored);
        }
    }
    // The sender went away without a word.
    end_sweep(
        conn,
        sweep,
        Status::Interrupted,
        None,
        Some("the sweep stopped without saying how it ended"),
    )?;
    Ok(stored)
}

fn end_sweep(
    conn: &Connection,
    sweep: i64,
    status: Status,
    summary: Option<&SweepSummary>,
    note: Option<&str>,
) -> rusqlite::Result<()> {
    let n = |f: fn(&SweepSummary) -> u64| summary.map(|s| f(s) as i64);
    conn.execute(
        "UPDATE sweep SET status = ?2, ended_ms = ?3, probed = ?4, responders = ?5, silent = ?6,
             requests = ?7, timeouts = ?8, note = ?9, lock = NULL
         WHERE id = ?1",
        params![
            sweep,
            status.as_str(),
            now_ms(),
            n(|s| s.probed),
            n(|s| s.responders),
            n(|s| s.silent),
            n(|s| s.requests),
            n(|s| s.timeouts),
            note
        ],
    )?;
    Ok(())
}

/// Writes one device with its modules and findings.
pub(super) fn insert_device(
    conn: &Connection,
    sweep: i64,
    seen_ms: i64,
    d: &DeviceRecord,
) -> rusqlite::Result<()> {
    let record = serde_json::to_string(d)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let identity = super::Identity::of(d);
    conn.prepare_cached(
        "INSERT INTO device (sweep, seen_ms, identity, address, discovered_via, serial, chassis_mac,
             engine_id, vendor, origin, model, version, verdict, record, sys_name, sys_location,
             site, role, technology, owner, acquired)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21)",
    )?
    .execute(params![
        sweep,
        seen_ms,
        identity.key(),
        d.address,
        d.discovered_via.as_str(),
        d.identification.serial,
        d.identification.chassis_mac.map(|m| m.to_string()),
        d.engine_id.as_ref().map(ToString::to_string),
        d.identification.vendor,
        d.identification.origin,
        d.identification.model,
        d.identification.version,
        d.judgement.verdict.to_string(),
        record,
        d.sys_name,
        d.sys_location,
        value(&d.context.site),
        value(&d.context.role),
        value(&d.context.technology),
        value(&d.context.owner),
        d.context.acquired.as_ref().map(|a| a.value.to_string()),
    ])?;
    let device = conn.last_insert_rowid();
    let mut module = conn.prepare_cached(
        "INSERT INTO module (device, idx, class, name, manufacturer, model, serial, vendor, origin, verdict)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for m in &d.modules {
        module.execute(params![
            device,
            m.index,
            m.class.map(|c| c.to_string()),
            m.name,
            m.manufacturer,
            m.model,
            m.serial,
            m.vendor,
            m.origin,
            m.verdict.map(|v| v.to_string()),
        ])?;
    }
    let mut finding = conn.prepare_cached(
        "INSERT INTO finding (device, rule, policy, jurisdiction, verdict, severity, module, deadline,
             days_left, exception, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for f in &d.judgement.findings {
        finding.execute(params![
            device,
            f.rule,
            f.policy,
            f.jurisdiction,
            f.verdict.to_string(),
            f.severity,
            f.module,
            f.deadline,
            f.days_left,
            f.exception,
            f.reason,
        ])?;
    }
    Ok(())
}

/// A context value without its source (the record keeps that).
fn value(v: &Option<Sourced<String>>) -> Option<&str> {
    v.as_ref().map(|v| v.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{
        EntityClass, Finding, Identification, Judgement, Module, Observed, Verdict,
    };
    use crate::store::Store;

    fn record(address: &str, serial: &str) -> DeviceRecord {
        Observed {
            address: address.into(),
            sys_name: Some(format!("name-{serial}")),
            identification: Identification {
                serial: Some(serial.into()),
                vendor: Some("Huawei".into()),
                ..Identification::default()
            },
            modules: vec![Module {
                index: 1,
                class: Some(EntityClass::Chassis),
                ..Module::default()
            }],
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Banned,
            findings: vec![Finding {
                rule: "huawei-group".into(),
                policy: "huawei-origin 2026-11".into(),
                jurisdiction: None,
                verdict: Verdict::Banned,
                severity: "high".into(),
                reason: "r".into(),
                module: None,
                no_new_installs_after: None,
                deadline: Some("2024-06-28".into()),
                days_left: Some(-3),
                exception: None,
            }],
        })
    }

    #[tokio::test]
    async fn a_sweep_is_stored_with_its_devices_modules_and_findings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let rec = Store::open(&path)
            .unwrap()
            .begin_sweep(
                &serde_json::json!({"targets": ["10.0.0.0/30"]}),
                "data v1",
                "2026-05-01",
                Some("TOR01"),
            )
            .unwrap();
        let id = rec.id();
        // While it runs, another reader sees it running, and does not take it for dead.
        let reader = Store::open(&path).unwrap();
        assert_eq!(reader.sweep(id).unwrap().unwrap().status, "running");
        rec.device(record("10.0.0.1", "S1"));
        rec.device(record("10.0.0.2", "S2"));
        let summary = SweepSummary {
            probed: 2,
            responders: 2,
            ..SweepSummary::default()
        };
        assert_eq!(
            rec.finish(Status::Complete, Some(summary), None)
                .await
                .unwrap(),
            2
        );
        let row = reader.sweep(id).unwrap().unwrap();
        assert_eq!(
            (row.status.as_str(), row.devices, row.banned, row.probed),
            ("complete", 2, 2, Some(2))
        );
        assert_eq!(row.parameters["targets"][0], "10.0.0.0/30");
        assert_eq!(row.site.as_deref(), Some("TOR01"));
        assert_eq!(row.uuid.get_version_num(), 4);
        let devices = reader.devices(id).unwrap();
        assert_eq!(devices[1].identity, "serial:S2");
        assert_eq!(devices[1].sys_name.as_deref(), Some("name-S2"));
        assert_eq!(devices[1].record.address, "10.0.0.2");
        assert_eq!(devices[1].findings[0].days_left, Some(-3));
        let modules: i64 = reader
            .connection()
            .query_row("SELECT count(*) FROM module", [], |r| r.get(0))
            .unwrap();
        assert_eq!(modules, 2);
        // Its lock is gone with it.
        assert_eq!(
            std::fs::read_dir(dir.path().join("h.db-locks"))
                .unwrap()
                .count(),
            0
        );
    }

    #[tokio::test]
    async fn a_recorder_dropped_without_a_word_leaves_an_interrupted_sweep() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let rec = Store::open(&path)
            .unwrap()
            .begin_sweep(&serde_json::json!({}), "v", "2026-05-01", None)
            .unwrap();
        let id = rec.id();
        rec.device(record("10.0.0.1", "S1"));
        drop(rec);
        let reader = Store::open(&path).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let row = reader.sweep(id).unwrap().unwrap();
            if row.status != "running" {
                assert_eq!((row.status.as_str(), row.devices), ("interrupted", 1));
                break;
            }
            assert!(std::time::Instant::now() < deadline, "still running");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
