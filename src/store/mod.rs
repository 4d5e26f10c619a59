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
//! - Each sweep has a UUID (its identity beyond this file: a bundle uploaded twice is stored
//!   once) and, when the sweep names one, the site that swept (schema v4).
//! - Devices are recognised across sweeps by serial, then chassis MAC, then SNMPv3 engine ID,
//!   then address ([`identity`]); [`diff()`] compares two sweeps; [`Store::first_seen`] says
//!   when each was first seen.
//!
//! Writing goes through [`writer`]: one thread owns the connection and is fed through a
//! channel, so the sweep never waits on the disk.

pub mod diff;
mod first_seen;
pub mod identity;
pub mod ledger;
mod locks;
mod read;
mod schema;
pub mod writer;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

pub use diff::{Change, ChangeKind, Confirmation, diff};
pub use first_seen::FirstSeen;
pub use identity::Identity;
pub use ledger::{
    EvidenceRef, LedgerEntry, LedgerError, LedgerFilter, LedgerItem, LedgerSighting, Mark,
};
pub use locks::{ScheduleLock, SweepLock};
pub use read::{StoredDevice, StoredFinding, SweepRow};
pub use schema::MIGRATIONS;
pub use writer::Recorder;

use locks::{lock_dir, lock_is_held};
use schema::set_wal;

/// The file name of the default database, in the user's data folder.
pub const DEFAULT_FILE: &str = "netorigin.db";

/// The default database: `netorigin.db` in the data folder (`$NETORIGIN_DATA_DIR`, else
/// `$XDG_DATA_HOME/netorigin`, else `~/.local/share/netorigin`).
pub fn default_path() -> Option<PathBuf> {
    crate::data_dir::user_data_dir().map(|d| d.join(DEFAULT_FILE))
}

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
    let day = crate::date::Date::from_days(secs.div_euclid(86_400));
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

    /// Starts storing a sweep: takes its lock, writes its row (`running`, with a fresh UUID and
    /// the site that sweeps, if named), and hands the connection to a writer thread.
    /// `parameters` must hold no secret.
    pub fn begin_sweep(
        self,
        parameters: &serde_json::Value,
        data_versions: &str,
        judged_on: &str,
        site: Option<&str>,
    ) -> Result<Recorder, StoreError> {
        let lock = SweepLock::take(&self.path)?;
        let started = now_ms();
        self.conn
            .execute(
                "INSERT INTO sweep (started_ms, status, pid, lock, parameters, data_versions, judged_on,
                     uuid, site)
                 VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    started,
                    i64::from(std::process::id()),
                    lock.name(),
                    parameters.to_string(),
                    data_versions,
                    judged_on,
                    uuid::Uuid::new_v4().to_string(),
                    site
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

#[cfg(test)]
mod tests;
