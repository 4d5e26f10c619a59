//! The history store: every sweep, with its parameters (never a secret), start and end, status
//! and data versions, and every device record with its modules and findings, in one SQLite
//! file (`rusqlite`, SQLite bundled: no system library).
//!
//! - The file is in WAL mode and each batch of devices is one transaction, so a sweep killed
//!   at any point (SIGKILL included) leaves a consistent database that holds every device
//!   committed before it died.
//! - The schema is a list of [`MIGRATIONS`]; `PRAGMA user_version` says how many are applied,
//!   and each is applied in its own transaction. A database from a newer netorigin is refused.
//! - A sweep that stores holds an exclusive lock on a file of its own beside the database
//!   (`DB-locks/`), named in its row. Whoever opens the database and finds a sweep still
//!   `running` whose lock nobody holds knows that its process died, and marks it `interrupted`.
//!   Several sweeps may store into one database at once; `schedule` takes one more lock so that
//!   two schedulers never sweep the same database.
//! - Devices are recognised across sweeps by serial, then chassis MAC, then SNMPv3 engine ID,
//!   then address ([`identity`]); [`diff()`] compares two sweeps.
//!
//! Writing goes through [`writer`]: one thread owns the connection and is fed through a
//! channel, so the sweep never waits on the disk.

pub mod diff;
pub mod identity;
pub mod writer;

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, params};

use crate::record::{DeviceRecord, Verdict};

pub use diff::{Change, ChangeKind, diff};
pub use identity::Identity;
pub use writer::Recorder;

/// The file name of the default database, in the user's data folder.
pub const DEFAULT_FILE: &str = "netorigin.db";

/// The default database: `netorigin.db` in the data folder (`$NETORIGIN_DATA_DIR`, else
/// `$XDG_DATA_HOME/netorigin`, else `~/.local/share/netorigin`).
pub fn default_path() -> Option<PathBuf> {
    crate::data_dir::user_data_dir().map(|d| d.join(DEFAULT_FILE))
}

/// The schema, one step a migration. `PRAGMA user_version` is the number of steps applied.
/// Steps are never edited once released: a change is a new step.
pub const MIGRATIONS: &[&str] = &[
    // v1: sweeps, devices (key columns and the whole record as JSON), modules, findings.
    "CREATE TABLE sweep (
        id INTEGER PRIMARY KEY,
        started_ms INTEGER NOT NULL,
        ended_ms INTEGER,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
        pid INTEGER NOT NULL,
        lock TEXT,
        parameters TEXT NOT NULL,
        data_versions TEXT NOT NULL,
        judged_on TEXT NOT NULL,
        probed INTEGER,
        responders INTEGER,
        silent INTEGER,
        requests INTEGER,
        timeouts INTEGER,
        note TEXT
    ) STRICT;
    CREATE TABLE device (
        id INTEGER PRIMARY KEY,
        sweep INTEGER NOT NULL REFERENCES sweep(id) ON DELETE CASCADE,
        seen_ms INTEGER NOT NULL,
        identity TEXT NOT NULL,
        address TEXT NOT NULL,
        discovered_via TEXT NOT NULL,
        serial TEXT,
        chassis_mac TEXT,
        engine_id TEXT,
        vendor TEXT,
        origin TEXT,
        model TEXT,
        version TEXT,
        verdict TEXT NOT NULL,
        record TEXT NOT NULL
    ) STRICT;
    CREATE INDEX device_by_sweep ON device(sweep);
    CREATE TABLE module (
        device INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        class TEXT,
        name TEXT,
        manufacturer TEXT,
        model TEXT,
        serial TEXT,
        vendor TEXT,
        origin TEXT,
        verdict TEXT
    ) STRICT;
    CREATE INDEX module_by_device ON module(device);
    CREATE TABLE finding (
        device INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        policy TEXT NOT NULL,
        jurisdiction TEXT,
        verdict TEXT NOT NULL,
        severity TEXT NOT NULL,
        module INTEGER,
        deadline TEXT,
        days_left INTEGER,
        exception TEXT,
        reason TEXT NOT NULL
    ) STRICT;
    CREATE INDEX finding_by_device ON finding(device);",
    // v2: sysName as a column (history tables show it; filled in from the stored records), and
    // an index by identity, for when a device was last seen.
    "ALTER TABLE device ADD COLUMN sys_name TEXT;
    UPDATE device SET sys_name = json_extract(record, '$.sys_name');
    CREATE INDEX device_by_identity ON device(identity, sweep);",
];

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file cannot be opened or is not a netorigin database (a person's mistake).
    #[error("{path}: {reason}")]
    Unusable {
        /// The database file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The database is fine but an operation failed.
    #[error("{path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A lock file could not be made or taken.
    #[error("{path}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another scheduler sweeps into this database.
    #[error(
        "another `netorigin schedule` sweeps into {path} (its lock {lock} is held): one scheduler per database"
    )]
    Busy {
        /// The database file.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// The writer thread is gone.
    #[error("the store's writer stopped: {0}")]
    WriterGone(String),
}

/// A sweep as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SweepRow {
    /// Its number.
    pub id: i64,
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

/// An open history database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Unix time in milliseconds, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2026-05-01 12:00:00Z` for a Unix time in milliseconds.
pub fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let day = crate::policy::date::Date::from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{day} {:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60)
}

impl Store {
    /// Opens (creating it and its folder when missing) the database at `path`, brings its
    /// schema up to date, and marks the sweeps whose process died as interrupted.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unusable {
                path: path.to_path_buf(),
                reason: format!("cannot create its folder: {e}"),
            })?;
        }
        Self::open_file(path)
    }

    /// Opens an existing database (history commands: a missing file is a mistake, not an
    /// empty history).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Unusable {
                path: path.to_path_buf(),
                reason: "no such database (sweeps store there once they have run; give --db FILE for another)".into(),
            });
        }
        Self::open_file(path)
    }

    fn open_file(path: &Path) -> Result<Store, StoreError> {
        let unusable = |e: rusqlite::Error| StoreError::Unusable {
            path: path.to_path_buf(),
            reason: match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::NotADatabase =>
                {
                    "not a netorigin database (not an SQLite file)".to_string()
                }
                e => format!("cannot open the database: {e}"),
            },
        };
        let conn = Connection::open(path).map_err(unusable)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(unusable)?;
        // WAL: readers (history) never block the writer, and a killed writer loses nothing it
        // committed. NORMAL is durable across a process crash, which is what a sweep meets.
        set_wal(&conn).map_err(unusable)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unusable)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(unusable)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate(MIGRATIONS)?;
        store.recover()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The schema version: how many migrations are applied.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        let v: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.sqlite(e))?;
        Ok(v as usize)
    }

    /// Applies the steps of `migrations` that the database lacks, each in a transaction.
    fn migrate(&self, migrations: &[&str]) -> Result<(), StoreError> {
        let have = self.schema_version().map_err(|e| match e {
            StoreError::Sqlite { path, source } => StoreError::Unusable {
                path,
                reason: format!("not a netorigin database ({source})"),
            },
            e => e,
        })?;
        if have > migrations.len() {
            return Err(StoreError::Unusable {
                path: self.path.clone(),
                reason: format!(
                    "written by a newer netorigin (schema version {have}; this one knows up to {})",
                    migrations.len()
                ),
            });
        }
        if have == migrations.len() {
            return Ok(());
        }
        // Each step in a write transaction that first reads the version again: another process
        // opening the same new file at the same moment may have applied it already.
        loop {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.sqlite(e))?;
            let step = self.migration_step(migrations);
            match step {
                Ok(true) => {
                    self.conn
                        .execute_batch("COMMIT")
                        .map_err(|e| self.sqlite(e))?;
                }
                Ok(false) => {
                    self.conn
                        .execute_batch("COMMIT")
                        .map_err(|e| self.sqlite(e))?;
                    return Ok(());
                }
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
    }

    /// Inside a write transaction: applies the next step the database lacks; `false` when it
    /// lacks none.
    fn migration_step(&self, migrations: &[&str]) -> Result<bool, StoreError> {
        let have = self.schema_version()?;
        if have >= migrations.len() {
            return Ok(false);
        }
        if have == 0 {
            // A file that already holds tables of someone else's is not ours to change.
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| self.sqlite(e))?;
            if tables > 0 {
                return Err(StoreError::Unusable {
                    path: self.path.clone(),
                    reason: "an SQLite database, but not netorigin's".into(),
                });
            }
        }
        self.conn
            .execute_batch(&format!(
                "{}; PRAGMA user_version = {};",
                migrations[have].trim().trim_end_matches(';'),
                have + 1
            ))
            .map_err(|e| self.sqlite(e))?;
        Ok(true)
    }

    /// Marks as interrupted every sweep still `running` whose process no longer holds its
    /// lock (killed, or the machine went down). Returns their numbers.
    pub fn recover(&self) -> Result<Vec<i64>, StoreError> {
        let running: Vec<(i64, Option<String>)> = {
            let mut q = self
                .conn
                .prepare("SELECT id, lock FROM sweep WHERE status = 'running' ORDER BY id")
                .map_err(|e| self.sqlite(e))?;
            q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(Iterator::collect)
                .map_err(|e| self.sqlite(e))?
        };
        let mut dead = Vec::new();
        for (id, lock) in running {
            let lock = lock.map(|l| lock_dir(&self.path).join(l));
            if lock.as_deref().is_some_and(lock_is_held) {
                continue;
            }
            let marked = self
                .conn
                .execute(
                    "UPDATE sweep SET status = 'interrupted',
                        ended_ms = COALESCE((SELECT max(seen_ms) FROM device WHERE sweep = ?1), started_ms),
                        note = ?2
                     WHERE id = ?1 AND status = 'running'",
                    params![
                        id,
                        format!(
                            "its process stopped without finishing (killed?); found at {}",
                            timestamp(now_ms())
                        )
                    ],
                )
                .map_err(|e| self.sqlite(e))?;
            if marked > 0 {
                dead.push(id);
            }
            if let Some(l) = lock {
                let _ = std::fs::remove_file(l);
            }
        }
        Ok(dead)
    }

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
                    (SELECT count(*) FROM device d WHERE d.sweep = s.id AND d.verdict = 'banned')
             FROM sweep s WHERE {filter} ORDER BY s.id"
        );
        let mut q = self.conn.prepare(&sql).map_err(|e| self.sqlite(e))?;
        q.query_map(p, |r| {
            let parameters: String = r.get(5)?;
            Ok(SweepRow {
                id: r.get(0)?,
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

    /// The devices of a sweep, in the order they were stored, with their findings.
    pub fn devices(&self, sweep: i64) -> Result<Vec<StoredDevice>, StoreError> {
        let mut q = self
            .conn
            .prepare(
                "SELECT id, sweep, seen_ms, identity, address, discovered_via, serial, chassis_mac,
                        engine_id, vendor, origin, model, version, sys_name, verdict, record
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

    /// Starts storing a sweep: takes its lock, writes its row (`running`), and hands the
    /// connection to a writer thread. `parameters` must hold no secret.
    pub fn begin_sweep(
        self,
        parameters: &serde_json::Value,
        data_versions: &str,
        judged_on: &str,
    ) -> Result<Recorder, StoreError> {
        let lock = SweepLock::take(&self.path)?;
        let started = now_ms();
        self.conn
            .execute(
                "INSERT INTO sweep (started_ms, status, pid, lock, parameters, data_versions, judged_on)
                 VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6)",
                params![
                    started,
                    i64::from(std::process::id()),
                    lock.name(),
                    parameters.to_string(),
                    data_versions,
                    judged_on
                ],
            )
            .map_err(|e| self.sqlite(e))?;
        let id = self.conn.last_insert_rowid();
        Ok(writer::Recorder::start(self.conn, self.path, id, lock))
    }

    /// The raw connection, for tests.
    #[cfg(test)]
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
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

fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut tries = 0;
    loop {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy && tries < 300 =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Where the lock files of a database are: `DB-locks/` beside it.
fn lock_dir(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push("-locks");
    db.with_file_name(name)
}

/// Whether some process holds an exclusive lock on `path` (a missing file: nobody).
fn lock_is_held(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => false,
        Err(std::fs::TryLockError::WouldBlock) => true,
        // Cannot tell: do not declare a live sweep dead.
        Err(std::fs::TryLockError::Error(_)) => true,
    }
}

/// The lock a storing sweep holds while it runs: a file of its own under `DB-locks/`, locked
/// exclusively before its row exists, released (and removed) when it ends. The kernel releases
/// it when the process dies, however it dies.
#[derive(Debug)]
pub struct SweepLock {
    file: Option<File>,
    path: PathBuf,
}

impl SweepLock {
    fn take(db: &Path) -> Result<SweepLock, StoreError> {
        let dir = lock_dir(db);
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Lock {
            path: dir.clone(),
            source,
        })?;
        let path = dir.join(format!(
            "sweep-{}-{}.lock",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let file = File::create(&path).map_err(|source| StoreError::Lock {
            path: path.clone(),
            source,
        })?;
        file.lock().map_err(|source| StoreError::Lock {
            path: path.clone(),
            source,
        })?;
        Ok(SweepLock {
            file: Some(file),
            path,
        })
    }

    fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

impl Drop for SweepLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        drop(self.file.take());
    }
}

/// The lock of a scheduler: one per database, held for the scheduler's life, so two
/// schedulers never sweep the same database.
#[derive(Debug)]
pub struct ScheduleLock {
    _file: File,
}

impl ScheduleLock {
    /// Takes the lock of the database at `db`, or says who holds it.
    pub fn take(db: &Path) -> Result<ScheduleLock, StoreError> {
        let dir = lock_dir(db);
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Lock {
            path: dir.clone(),
            source,
        })?;
        let path = dir.join("schedule.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StoreError::Lock {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(ScheduleLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Busy {
                path: db.to_path_buf(),
                lock: path,
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Lock { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_utc() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00Z");
        assert_eq!(timestamp(1_700_000_000_123), "2023-11-14 22:13:20Z");
    }

    #[test]
    fn a_fresh_database_gets_every_migration() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a/b/h.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        // Opening again applies nothing and keeps the version.
        drop(store);
        let store = Store::open(&dir.path().join("a/b/h.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
    }

    #[test]
    fn migrations_apply_one_by_one_and_v2_fills_sys_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let store = Store {
            conn: Connection::open(&path).unwrap(),
            path: path.clone(),
        };
        store.migrate(&MIGRATIONS[..1]).unwrap();
        assert_eq!(store.schema_version().unwrap(), 1);
        store
            .conn
            .execute_batch(
                "INSERT INTO sweep (id, started_ms, status, pid, parameters, data_versions, judged_on)
                 VALUES (1, 0, 'complete', 1, '{}', 'v', '2026-01-01');
                 INSERT INTO device (sweep, seen_ms, identity, address, discovered_via, verdict, record)
                 VALUES (1, 0, 'address:a', 'a', 'snmp', 'clear', '{\"sys_name\":\"core-1\"}');",
            )
            .unwrap();
        store.migrate(MIGRATIONS).unwrap();
        assert_eq!(store.schema_version().unwrap(), 2);
        let name: String = store
            .conn
            .query_row("SELECT sys_name FROM device", [], |r| r.get(0))
            .unwrap();
        assert_eq!(name, "core-1");
    }

    #[test]
    fn processes_opening_a_new_file_at_once_migrate_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version().unwrap()))
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap(), MIGRATIONS.len());
        }
    }

    #[test]
    fn a_newer_schema_or_a_foreign_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let newer = dir.path().join("newer.db");
        Connection::open(&newer)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let e = Store::open(&newer).err().unwrap().to_string();
        assert!(e.contains("newer netorigin"), "{e}");
        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let e = Store::open(&foreign).err().unwrap().to_string();
        assert!(e.contains("not netorigin's"), "{e}");
        let text = dir.path().join("text.db");
        std::fs::write(
            &text,
            "hello, this is not SQLite at all, not even close to it\n",
        )
        .unwrap();
        let e = Store::open(&text).err().unwrap().to_string();
        assert!(e.contains("not a netorigin database"), "{e}");
    }

    #[test]
    fn a_running_sweep_whose_lock_is_free_is_marked_interrupted_and_a_held_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let store = Store::open(&path).unwrap();
        let held = SweepLock::take(&path).unwrap();
        store
            .conn
            .execute(
                "INSERT INTO sweep (id, started_ms, status, pid, lock, parameters, data_versions, judged_on)
                 VALUES (1, 5, 'running', 1, ?1, '{}', 'v', '2026-01-01'),
                        (2, 6, 'running', 1, 'sweep-gone.lock', '{}', 'v', '2026-01-01')",
                [held.name()],
            )
            .unwrap();
        assert_eq!(store.recover().unwrap(), vec![2]);
        let status = |id: i64| store.sweep(id).unwrap().unwrap().status;
        assert_eq!(status(1), "running");
        assert_eq!(status(2), "interrupted");
        drop(held);
        assert_eq!(store.recover().unwrap(), vec![1]);
        assert_eq!(status(1), "interrupted");
    }

    /// Writes `tests/data/store/v1.db`, the fixture of a database written by schema version 1
    /// (two sweeps: one complete with a banned Huawei router and a Cisco switch, one
    /// interrupted). Written with `NETORIGIN_WRITE_FIXTURES=1 cargo test --lib v1_fixture`;
    /// kept so that `tests/history.rs` proves every later migration on a real old file. Without
    /// the variable, the same database is written to a temporary folder and the committed
    /// fixture must hold the same rows at schema version 1.
    #[test]
    fn v1_fixture() {
        let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/store/v1.db");
        let temp = tempfile::tempdir().unwrap();
        let write = std::env::var_os("NETORIGIN_WRITE_FIXTURES").is_some();
        let path = if write {
            fixture.clone()
        } else {
            temp.path().join("v1.db")
        };
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&path);
        let store = Store {
            conn: Connection::open(&path).unwrap(),
            path: path.clone(),
        };
        store.migrate(&MIGRATIONS[..1]).unwrap();
        let huawei = serde_json::json!({
            "address": "192.0.2.1", "discovered_via": "snmp", "sys_name": "pe-1.pop3",
            "vendor": "Huawei", "origin": "huawei", "model": "NetEngine 8000",
            "version": "V800R012C10SPC300", "serial": "2102351931P0K8000123", "verdict": "banned"
        });
        let cisco = serde_json::json!({
            "address": "192.0.2.2", "discovered_via": "snmp", "sys_name": "agg-1.pop3",
            "vendor": "Cisco", "origin": "cisco", "model": "WS-C3560-48TS-S",
            "version": "12.2(55)SE12", "serial": "CAT0912N0CU", "verdict": "clear"
        });
        store
            .conn
            .execute_batch(&format!(
                "INSERT INTO sweep (id, started_ms, ended_ms, status, pid, lock, parameters, data_versions,
                     judged_on, probed, responders, silent, requests, timeouts, note)
                 VALUES (1, 1767225600000, 1767225612000, 'complete', 4242, NULL,
                     '{{\"targets\":[\"192.0.2.0/29\"],\"credentials\":[\"v2c community #1\"]}}',
                     'netorigin 0.1.0 (fixture)', '2026-01-01', 6, 2, 4, 40, 12, NULL),
                     (2, 1767247200000, 1767247203000, 'interrupted', 4243, NULL,
                     '{{\"targets\":[\"192.0.2.0/29\"]}}', 'netorigin 0.1.0 (fixture)', '2026-01-01',
                     1, 1, 0, 9, 0, 'stopped by a signal');
                 INSERT INTO device (id, sweep, seen_ms, identity, address, discovered_via, serial,
                     chassis_mac, engine_id, vendor, origin, model, version, verdict, record)
                 VALUES (1, 1, 1767225605000, 'serial:2102351931P0K8000123', '192.0.2.1', 'snmp',
                     '2102351931P0K8000123', NULL, NULL, 'Huawei', 'huawei', 'NetEngine 8000',
                     'V800R012C10SPC300', 'banned', '{huawei}'),
                     (2, 1, 1767225606000, 'serial:CAT0912N0CU', '192.0.2.2', 'snmp', 'CAT0912N0CU',
                     NULL, NULL, 'Cisco', 'cisco', 'WS-C3560-48TS-S', '12.2(55)SE12', 'clear', '{cisco}'),
                     (3, 2, 1767247201000, 'serial:CAT0912N0CU', '192.0.2.2', 'snmp', 'CAT0912N0CU',
                     NULL, NULL, 'Cisco', 'cisco', 'WS-C3560-48TS-S', '12.2(55)SE12', 'clear', '{cisco}');
                 INSERT INTO module (device, idx, class, name, manufacturer, model, serial, vendor,
                     origin, verdict)
                 VALUES (1, 1, 'chassis', 'NE8000 M8', 'Huawei', 'NE8000 M8', '2102351931P0K8000123',
                     'Huawei', 'huawei', 'banned');
                 INSERT INTO finding (device, rule, policy, jurisdiction, verdict, severity, module,
                     deadline, days_left, exception, reason)
                 VALUES (1, 'huawei-group', 'huawei-origin 2026-11', NULL, 'banned', 'high', NULL,
                     NULL, NULL, NULL, 'Huawei-group equipment is banned');",
                huawei = huawei.to_string().replace('\'', "''"),
                cisco = cisco.to_string().replace('\'', "''"),
            ))
            .unwrap();
        store.conn.execute_batch("VACUUM").unwrap();
        assert_eq!(store.schema_version().unwrap(), 1);
        let rows = |conn: &Connection| -> Vec<String> {
            ["sweep", "device", "module", "finding"]
                .iter()
                .map(|t| {
                    let q = format!("SELECT * FROM {t} ORDER BY rowid");
                    let mut st = conn.prepare(&q).unwrap();
                    let n = st.column_count();
                    let all: Vec<String> = st
                        .query_map([], |r| {
                            Ok((0..n)
                                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                                .collect::<Vec<_>>()
                                .join("|"))
                        })
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect();
                    format!("{t}: {}", all.join("\n"))
                })
                .collect()
        };
        let committed =
            Connection::open_with_flags(&fixture, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        let version: i64 = committed
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1, "the committed fixture is at schema version 1");
        assert_eq!(rows(&committed), rows(&store.conn));
    }

    #[test]
    fn one_scheduler_per_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let first = ScheduleLock::take(&path).unwrap();
        let e = ScheduleLock::take(&path).err().unwrap();
        assert!(matches!(e, StoreError::Busy { .. }), "{e}");
        drop(first);
        ScheduleLock::take(&path).unwrap();
    }
}
