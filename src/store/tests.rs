//! The database file: migrations, recovery of dead sweeps, the v1 fixture, locks.

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
    store.migrate(&MIGRATIONS[..2]).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
    let name: String = store
        .conn
        .query_row("SELECT sys_name FROM device", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "core-1");
}

#[test]
fn v3_fills_sys_location_and_the_context_columns_from_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let store = Store {
        conn: Connection::open(&path).unwrap(),
        path: path.clone(),
    };
    store.migrate(&MIGRATIONS[..2]).unwrap();
    let record = serde_json::json!({
        "address": "a", "sys_location": "TOR01 rack 3",
        "site": {"value": "TOR01", "source": "inventory sites.csv:4"},
        "role": {"value": "core", "source": "inventory sites.csv:4"},
        "technology": {"value": "4g+5g", "source": "netbox devices.csv:2"},
        "acquired": {"value": "2019-03-01", "source": "inventory sites.csv:4"},
        "verdict": "clear"
    });
    store
        .conn
        .execute(
            "INSERT INTO sweep (id, started_ms, status, pid, parameters, data_versions, judged_on)
             VALUES (1, 0, 'complete', 1, '{}', 'v', '2026-01-01')",
            [],
        )
        .unwrap();
    for (address, record) in [("a", record.to_string()), ("b", "{}".to_string())] {
        store
            .conn
            .execute(
                "INSERT INTO device (sweep, seen_ms, identity, address, discovered_via, verdict, record)
                 VALUES (1, 0, 'address:' || ?1, ?1, 'snmp', 'clear', ?2)",
                [address, &record],
            )
            .unwrap();
    }
    store.migrate(&MIGRATIONS[..3]).unwrap();
    assert_eq!(store.schema_version().unwrap(), 3);
    let rows: Vec<[Option<String>; 6]> = store
        .conn
        .prepare(
            "SELECT sys_location, site, role, technology, owner, acquired FROM device ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok([
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ])
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        rows,
        [
            [
                some("TOR01 rack 3"),
                some("TOR01"),
                some("core"),
                some("4g+5g"),
                None,
                some("2019-03-01")
            ],
            [None, None, None, None, None, None]
        ]
    );
}

#[test]
fn v4_gives_each_stored_sweep_its_own_version_4_uuid_and_new_sweeps_theirs_and_their_site() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let store = Store {
        conn: Connection::open(&path).unwrap(),
        path: path.clone(),
    };
    store.migrate(&MIGRATIONS[..3]).unwrap();
    for id in 1..=50 {
        store
            .conn
            .execute(
                "INSERT INTO sweep (id, started_ms, status, pid, parameters, data_versions, judged_on)
                 VALUES (?1, 0, 'complete', 1, '{}', 'v', '2026-01-01')",
                [id],
            )
            .unwrap();
    }
    store.migrate(&MIGRATIONS[..4]).unwrap();
    assert_eq!(store.schema_version().unwrap(), 4);
    let rows = store.sweeps().unwrap();
    assert_eq!(rows.len(), 50);
    let uuids: std::collections::BTreeSet<uuid::Uuid> = rows.iter().map(|r| r.uuid).collect();
    assert_eq!(uuids.len(), 50, "every sweep its own");
    for r in &rows {
        assert_eq!(r.uuid.get_version_num(), 4, "{}", r.uuid);
        assert_eq!(r.uuid.get_variant(), uuid::Variant::RFC4122, "{}", r.uuid);
        assert_eq!(r.site, None);
    }
    // Lower-case text, as `Uuid` writes it, so that the text in the database is the bundle's.
    let text: String = store
        .conn
        .query_row("SELECT uuid FROM sweep WHERE id = 7", [], |r| r.get(0))
        .unwrap();
    assert_eq!(text, rows[6].uuid.to_string());
    // A UUID is never stored twice.
    let e = store.conn.execute(
        "UPDATE sweep SET uuid = (SELECT uuid FROM sweep WHERE id = 1) WHERE id = 2",
        [],
    );
    assert!(e.is_err());
    // A new sweep gets a fresh one, and its site.
    drop(store);
    let store = Store::open(&path).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rec = store
        .begin_sweep(&serde_json::json!({}), "v", "2026-01-01", Some("TOR01"))
        .unwrap();
    let id = rec.id();
    rt.block_on(rec.finish(writer::Status::Complete, None, None))
        .unwrap();
    let store = Store::open(&path).unwrap();
    let row = store.sweep(id).unwrap().unwrap();
    assert!(!uuids.contains(&row.uuid));
    assert_eq!(row.uuid.get_version_num(), 4);
    assert_eq!(row.site.as_deref(), Some("TOR01"));
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
            "INSERT INTO sweep (id, started_ms, status, pid, lock, parameters, data_versions, judged_on,
                 uuid)
             VALUES (1, 5, 'running', 1, ?1, '{}', 'v', '2026-01-01',
                    '3f1c8a52-0d4e-4b6f-8a27-9c5e1d7b2a01'),
                    (2, 6, 'running', 1, 'sweep-gone.lock', '{}', 'v', '2026-01-01',
                    '3f1c8a52-0d4e-4b6f-8a27-9c5e1d7b2a02')",
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
        Connection::open_with_flags(&fixture, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
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
