//! Lock files beside the database: one per storing sweep (a dead sweep's lock is free, so it
//! can be told from a live one), one per scheduler.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::StoreError;

/// Where the lock files of a database are: `DB-locks/` beside it.
pub(super) fn lock_dir(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push("-locks");
    db.with_file_name(name)
}

/// Whether some process holds an exclusive lock on `path` (a missing file: nobody).
pub(super) fn lock_is_held(path: &Path) -> bool {
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
    pub(super) fn take(db: &Path) -> Result<SweepLock, StoreError> {
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

    pub(super) fn name(&self) -> String {
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
