//! The schema: every migration in order, applied one by one, each in its own transaction.

use rusqlite::Connection;

use super::{Store, StoreError};

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
    // v3: where a device stands (issue 18), as columns the fleet views filter by: sysLocation,
    // and the context's site, role, technology, owner and acquisition date (their sources stay
    // in the record); filled in from the stored records, which older versions wrote without
    // them (NULL).
    "ALTER TABLE device ADD COLUMN sys_location TEXT;
    ALTER TABLE device ADD COLUMN site TEXT;
    ALTER TABLE device ADD COLUMN role TEXT;
    ALTER TABLE device ADD COLUMN technology TEXT;
    ALTER TABLE device ADD COLUMN owner TEXT;
    ALTER TABLE device ADD COLUMN acquired TEXT;
    UPDATE device SET sys_location = json_extract(record, '$.sys_location'),
        site = json_extract(record, '$.site.value'),
        role = json_extract(record, '$.role.value'),
        technology = json_extract(record, '$.technology.value'),
        owner = json_extract(record, '$.owner.value'),
        acquired = json_extract(record, '$.acquired.value');
    CREATE INDEX device_by_site ON device(site);",
    // v4: each sweep's identity everywhere (issue 19: a bundle uploaded twice is stored once)
    // and the site that swept. Sweeps stored before get a random version 4 UUID: 32 random hex
    // digits, then the version digit and the variant bits set in place.
    "ALTER TABLE sweep ADD COLUMN uuid TEXT;
    ALTER TABLE sweep ADD COLUMN site TEXT;
    UPDATE sweep SET uuid = lower(hex(randomblob(16)));
    UPDATE sweep SET uuid = substr(uuid, 1, 8) || '-' || substr(uuid, 9, 4) || '-4'
        || substr(uuid, 14, 3) || '-' || substr('89ab', unicode(substr(uuid, 17, 1)) % 4 + 1, 1)
        || substr(uuid, 18, 3) || '-' || substr(uuid, 21, 12);
    CREATE UNIQUE INDEX sweep_by_uuid ON sweep(uuid);",
    // v5: the removal ledger (issue 21). An item is one banned or review device or module,
    // found by the sweeps (`found`) or named by a person; its entries are the steps people
    // recorded, each with its day, who, a note, and evidence files kept by their SHA-256 (one
    // copy of a file however many entries name it). Each finished sweep says of each item
    // what it saw: seen, seen again after removal (`reappeared`), absent from a range it
    // swept, or not covered by its targets.
    "CREATE TABLE ledger_item (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('device', 'module')),
        parent TEXT,
        serial TEXT,
        chassis_mac TEXT,
        engine_id TEXT,
        address TEXT NOT NULL,
        vendor TEXT,
        model TEXT,
        sys_name TEXT,
        site TEXT,
        role TEXT,
        technology TEXT,
        acquired TEXT,
        verdict TEXT NOT NULL,
        rule TEXT,
        jurisdiction TEXT,
        deadline TEXT,
        state TEXT NOT NULL,
        since TEXT NOT NULL,
        target TEXT,
        exception TEXT,
        first_sweep INTEGER NOT NULL,
        first_seen_ms INTEGER NOT NULL,
        last_sweep INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        absent_sweeps INTEGER NOT NULL DEFAULT 0,
        reappeared_sweep INTEGER
    ) STRICT;
    CREATE INDEX ledger_item_by_serial ON ledger_item(serial);
    CREATE INDEX ledger_item_by_address ON ledger_item(address);
    CREATE TABLE ledger_entry (
        id INTEGER PRIMARY KEY,
        item INTEGER NOT NULL REFERENCES ledger_item(id),
        from_state TEXT,
        state TEXT NOT NULL,
        day TEXT NOT NULL,
        recorded_ms INTEGER NOT NULL,
        by TEXT NOT NULL,
        note TEXT,
        target TEXT,
        exception TEXT,
        sweep INTEGER
    ) STRICT;
    CREATE INDEX ledger_entry_by_item ON ledger_entry(item);
    CREATE TABLE evidence_file (
        sha256 TEXT PRIMARY KEY,
        content BLOB NOT NULL
    ) STRICT;
    CREATE TABLE ledger_evidence (
        entry INTEGER NOT NULL REFERENCES ledger_entry(id),
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES evidence_file(sha256),
        size INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX ledger_evidence_by_entry ON ledger_evidence(entry);
    CREATE TABLE ledger_sighting (
        sweep INTEGER NOT NULL REFERENCES sweep(id) ON DELETE CASCADE,
        item INTEGER NOT NULL REFERENCES ledger_item(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('seen', 'reappeared', 'absent', 'uncovered')),
        PRIMARY KEY (sweep, item)
    ) STRICT;",
];

impl Store {
    /// The schema version: how many migrations are applied.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        let v: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.sqlite(e))?;
        Ok(v as usize)
    }

    /// Applies the steps of `migrations` that the database lacks, each in a transaction.
    pub(super) fn migrate(&self, migrations: &[&str]) -> Result<(), StoreError> {
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
    pub(super) fn migration_step(&self, migrations: &[&str]) -> Result<bool, StoreError> {
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
}

pub(super) fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
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
