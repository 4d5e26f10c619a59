//! The central database against a real PostgreSQL (`NETORIGIN_TEST_POSTGRES`; `scripts/test`
//! starts a cluster): migrations, tokens, ingest as one idempotent transaction, intervals, the
//! fleet views and their filters.

use futures::stream;
use serde_json::json;

use super::testing::TestDb;
use super::*;
use crate::bundle::SweepHeader;
use crate::date::Date;
use crate::record::{DeviceRecord, Verdict};

/// A device: address, serial, vendor, model, version and verdict; a finding with `deadline`
/// (and `exception`) when given.
pub(super) fn device(
    address: &str,
    serial: Option<&str>,
    vendor: &str,
    model: &str,
    version: &str,
    verdict: Verdict,
) -> DeviceRecord {
    serde_json::from_value(json!({
        "address": address,
        "sys_name": format!("dev-{address}"),
        "vendor": vendor,
        "model": model,
        "version": version,
        "serial": serial,
        "verdict": verdict,
        "modules": [{"index": 1, "class": "chassis", "model": model, "serial": serial}],
    }))
    .unwrap()
}

pub(super) fn with_finding(
    mut d: DeviceRecord,
    deadline: &str,
    exception: Option<&str>,
) -> DeviceRecord {
    d.judgement.findings.push(
        serde_json::from_value(json!({
            "rule": "huawei-core", "policy": "uk-2020 1", "verdict": "banned",
            "severity": "high", "reason": "a high-risk vendor in the core",
            "deadline": deadline, "exception": exception,
        }))
        .unwrap(),
    );
    d
}

pub(super) fn header(site: &str, started_ms: i64, status: &str) -> SweepHeader {
    SweepHeader {
        uuid: uuid::Uuid::new_v4(),
        site: site.into(),
        started_ms,
        ended_ms: Some(started_ms + 1000),
        status: status.into(),
        parameters: json!({"targets": ["10.0.0.0/24"]}),
        data_versions: "test".into(),
        judged_on: "2026-01-01".into(),
        probed: Some(256),
        responders: Some(3),
        silent: Some(253),
        requests: Some(900),
        timeouts: Some(10),
        note: None,
    }
}

pub(super) type Batches = stream::Iter<std::vec::IntoIter<Result<Batch, String>>>;

/// The devices as one stream of batches of `size`.
pub(super) fn batches(devices: Vec<DeviceRecord>, size: usize) -> Batches {
    let batches: Vec<Result<Batch, String>> = devices
        .chunks(size.max(1))
        .map(|c| Ok(Batch::Devices(c.to_vec())))
        .collect();
    stream::iter(batches)
}

pub(super) async fn ingest(c: &Central, h: &SweepHeader, devices: Vec<DeviceRecord>) -> Ingested {
    c.ingest(h.clone(), batches(devices, 2)).await.unwrap()
}

/// A sweep of `site` started at `started_ms`, ingested.
pub(super) async fn sweep(
    c: &Central,
    site: &str,
    started_ms: i64,
    status: &str,
    devices: Vec<DeviceRecord>,
) -> Ingested {
    ingest(c, &header(site, started_ms, status), devices).await
}

/// Rows in each table.
pub(super) async fn counts(db: &TestDb) -> Vec<(String, i64)> {
    let client = db.client().await;
    let mut out = Vec::new();
    for t in [
        "site",
        "token",
        "sweep",
        "device",
        "device_state",
        "state_module",
        "state_finding",
        "ledger_item",
        "ledger_entry",
    ] {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {t}"), &[])
            .await
            .unwrap()
            .get(0);
        out.push((t.to_string(), n));
    }
    out
}

pub(super) async fn rows(db: &TestDb, table: &str) -> i64 {
    counts(db)
        .await
        .into_iter()
        .find(|(t, _)| t == table)
        .map(|(_, n)| n)
        .unwrap()
}

pub(super) fn site<'a>(s: &'a Summary, name: &str) -> &'a SiteCounts {
    s.sites.iter().find(|c| c.site == name).unwrap()
}

pub(super) fn today() -> Date {
    Date::parse("2026-06-01").unwrap()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn migrating_twice_changes_nothing_and_a_newer_schema_is_refused() {
    let db = TestDb::new().await;
    let c = Central::connect(&db.url).await.unwrap();
    assert_eq!(c.schema_version().await.unwrap(), 0);
    assert_eq!(c.migrate().await.unwrap(), MIGRATIONS.len());
    assert_eq!(c.migrate().await.unwrap(), MIGRATIONS.len());
    assert_eq!(c.schema_version().await.unwrap(), MIGRATIONS.len());
    db.client()
        .await
        .execute("INSERT INTO netorigin_schema (version) VALUES (99)", &[])
        .await
        .unwrap();
    match c.migrate().await {
        Err(CentralError::NewerSchema { found: 99, known }) => {
            assert_eq!(known, MIGRATIONS.len())
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_connection_error_names_host_and_database_never_the_password() {
    let e = Central::connect("postgres://u:sekrit-pw@127.0.0.1:1/fleet")
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, CentralError::Connect { .. }), "{text}");
    assert!(
        text.contains("127.0.0.1:1") && text.contains("fleet"),
        "{text}"
    );
    assert!(!text.contains("sekrit"), "{text}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn tokens_are_stored_hashed_and_found_by_principal() {
    let db = TestDb::new().await;
    let c = db.central().await;
    let site = c.add_site("TOR01").await.unwrap();
    let viewer = c.add_token(Role::Viewer, "noc").await.unwrap();
    let admin = c.add_token(Role::Admin, "ops").await.unwrap();
    assert!(matches!(
        c.add_site("TOR01").await,
        Err(CentralError::SiteExists(_))
    ));
    assert!(matches!(
        c.add_token(Role::Site, "x").await,
        Err(CentralError::BadRole(_))
    ));
    assert!(matches!(
        c.add_site("bad\u{1b}name").await,
        Err(CentralError::BadSite(_))
    ));
    for t in [&site, &viewer, &admin] {
        assert!(t.starts_with("no1_") && t.len() == 68, "{t}");
    }
    assert_eq!(
        c.principal(&site).await.unwrap(),
        Some(Principal {
            role: Role::Site,
            site: Some("TOR01".into())
        })
    );
    assert_eq!(
        c.principal(&viewer).await.unwrap().unwrap().role,
        Role::Viewer
    );
    assert_eq!(
        c.principal(&admin).await.unwrap().unwrap().role,
        Role::Admin
    );
    assert_eq!(c.principal("no1_00").await.unwrap(), None);
    assert_eq!(c.principal("").await.unwrap(), None);
    // Every text, bytea and jsonb column of every table, searched for each token in clear.
    let client = db.client().await;
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'jsonb')",
            &[],
        )
        .await
        .unwrap();
    assert!(columns.len() > 20);
    for t in [&site, &viewer, &admin] {
        let hex = crate::wire::hex(t.as_bytes());
        let secret = &t[4..];
        for col in &columns {
            let (table, column): (String, String) = (col.get(0), col.get(1));
            let n: i64 = client
                .query_one(
                    &format!(
                        "SELECT count(*) FROM {table}
                         WHERE position($1 in coalesce({column}::text, '')) > 0
                            OR position($2 in coalesce(encode(convert_to({column}::text, 'UTF8'), 'hex'), '')) > 0"
                    ),
                    &[&secret, &hex],
                )
                .await
                .unwrap()
                .get(0);
            assert_eq!(n, 0, "a token in clear in {table}.{column}");
        }
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_sweep_ingested_twice_is_stored_once() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let h = header("A", 1_000_000, "complete");
    let devices = vec![
        with_finding(
            device(
                "10.0.0.1",
                Some("S1"),
                "Huawei",
                "NE40E",
                "8.1",
                Verdict::Banned,
            ),
            "2027-01-01",
            None,
        ),
        device(
            "10.0.0.2",
            Some("S2"),
            "Nokia",
            "7750",
            "22",
            Verdict::Clear,
        ),
        device("10.0.0.3", None, "Cisco", "C9300", "17", Verdict::Clear),
    ];
    let first = ingest(&c, &h, devices.clone()).await;
    assert_eq!(
        first,
        Ingested {
            stored: true,
            devices: 3,
            applied: true
        }
    );
    let before = counts(&db).await;
    let second = ingest(&c, &h, devices).await;
    assert_eq!(
        second,
        Ingested {
            stored: false,
            devices: 3,
            applied: true
        }
    );
    assert_eq!(counts(&db).await, before);
    let sweeps = c.sweeps("A").await.unwrap();
    assert_eq!(sweeps.len(), 1);
    assert_eq!((sweeps[0].uuid, sweeps[0].devices), (h.uuid, 3));
    assert!(before.contains(&("device".into(), 3)), "{before:?}");
    assert!(before.contains(&("state_finding".into(), 1)), "{before:?}");
    assert!(before.contains(&("state_module".into(), 3)), "{before:?}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn an_error_in_the_stream_stores_nothing() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let before = counts(&db).await;
    let items: Vec<Result<Batch, String>> = vec![
        Ok(Batch::Devices(vec![device(
            "10.0.0.1",
            Some("S1"),
            "Nokia",
            "7750",
            "22",
            Verdict::Clear,
        )])),
        Ok(Batch::LedgerItems(vec![crate::bundle::ledger_tests::item(
            "serial:S1",
            crate::record::LedgerState::Found,
            "2026-01-01",
        )])),
        Err("the bundle is truncated".into()),
        Ok(Batch::Devices(vec![device(
            "10.0.0.2",
            Some("S2"),
            "Nokia",
            "7750",
            "22",
            Verdict::Clear,
        )])),
    ];
    let e = c
        .ingest(header("A", 1000, "complete"), stream::iter(items))
        .await
        .unwrap_err();
    assert!(
        matches!(e, CentralError::Aborted(ref m) if m.contains("truncated")),
        "{e}"
    );
    assert_eq!(counts(&db).await, before);
    // An unknown site is refused too, with nothing stored.
    let e = c
        .ingest(header("nowhere", 1000, "complete"), batches(vec![], 1))
        .await
        .unwrap_err();
    assert!(matches!(e, CentralError::UnknownSite(_)), "{e}");
    assert_eq!(counts(&db).await, before);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn three_sites_summaries_equal_their_devices() {
    let db = TestDb::new().await;
    let c = db.central().await;
    let verdicts = [
        Verdict::Banned,
        Verdict::Review,
        Verdict::Clear,
        Verdict::Unknown,
    ];
    for (s, n) in [("A", 3usize), ("B", 4), ("C", 5)] {
        c.add_site(s).await.unwrap();
        let devices = (0..n)
            .map(|i| {
                device(
                    &format!("10.0.0.{i}"),
                    Some(&format!("{s}-{i}")),
                    "Huawei",
                    "S5720",
                    "1",
                    verdicts[i % 4],
                )
            })
            .collect();
        sweep(&c, s, 1000, "complete", devices).await;
    }
    let sum = c.summary(&Filter::default(), today()).await.unwrap();
    assert_eq!(
        sum.sites.iter().map(|s| s.devices).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    let c5 = site(&sum, "C");
    assert_eq!(
        (c5.banned, c5.review, c5.clear, c5.unknown, c5.sweeps),
        (2, 1, 1, 1, 1)
    );
    assert_eq!(c5.last_sweep_ms, Some(1000));
    assert_eq!(sum.total.devices, 12);
    assert_eq!(sum.total.banned, 1 + 1 + 2);
    assert_eq!(sum.total.sweeps, 3);
    let page = c.devices(&Filter::default(), 1, 5).await.unwrap();
    assert_eq!((page.total, page.devices.len()), (12, 5));
    // Work-list order: the banned first.
    assert!(
        page.devices[..4]
            .iter()
            .all(|d| d.record.judgement.verdict == Verdict::Banned)
    );
    let last = c.devices(&Filter::default(), 3, 5).await.unwrap();
    assert_eq!(last.devices.len(), 2);
    assert_eq!(last.devices[1].record.judgement.verdict, Verdict::Clear);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_chassis_moved_between_sites_is_one_device_counted_where_it_is() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    c.add_site("B").await.unwrap();
    let huawei = |addr: &str| {
        device(
            addr,
            Some("21A0X"),
            "Huawei",
            "NE40E",
            "8.1",
            Verdict::Banned,
        )
    };
    let other = |addr: &str, s: &str| device(addr, Some(s), "Nokia", "7750", "22", Verdict::Clear);
    sweep(
        &c,
        "A",
        1000,
        "complete",
        vec![huawei("10.1.0.1"), other("10.1.0.2", "N1")],
    )
    .await;
    sweep(&c, "B", 1500, "complete", vec![other("10.2.0.2", "N2")]).await;
    // The chassis turns up at B (another address), then A sweeps without it.
    sweep(
        &c,
        "B",
        2000,
        "complete",
        vec![huawei("10.2.0.1"), other("10.2.0.2", "N2")],
    )
    .await;
    sweep(&c, "A", 3000, "complete", vec![other("10.1.0.2", "N1")]).await;
    let n: i64 = db
        .client()
        .await
        .query_one("SELECT count(*) FROM device WHERE serial = '21A0X'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let sum = c.summary(&Filter::default(), today()).await.unwrap();
    let (a, b) = (site(&sum, "A"), site(&sum, "B"));
    assert_eq!((a.devices, a.banned, a.removed, a.moved_in), (1, 0, 0, 0));
    assert_eq!((b.devices, b.banned, b.removed, b.moved_in), (2, 1, 0, 1));
    let banned = c
        .devices(
            &Filter {
                verdict: Some(Verdict::Banned),
                ..Filter::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(banned.total, 1);
    let d = &banned.devices[0];
    assert_eq!((d.site.as_str(), d.moved_from.as_deref()), ("B", Some("A")));
    assert_eq!((d.first_seen_ms, d.last_seen_ms), (1000, 2000));
    let diff = c.diff(1800, &Filter::default()).await.unwrap();
    assert_eq!(diff.len(), 1, "{diff:?}");
    let m = &diff[0];
    assert_eq!(m.kind, ChangeKind::Moved);
    assert_eq!(
        (m.site.as_str(), m.from_site.as_deref(), m.at_ms),
        ("B", Some("A"), 2000)
    );
    assert_eq!(m.identity, "serial:21A0X");
    assert!(
        m.changes.contains(&"site A -> B".to_string()),
        "{:?}",
        m.changes
    );
    assert!(
        m.changes
            .contains(&"address 10.1.0.1 -> 10.2.0.1".to_string()),
        "{:?}",
        m.changes
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_device_missing_from_the_next_complete_sweep_is_removed_and_changes_are_new_states() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let d1 = |v: &str| device("10.0.0.1", Some("S1"), "Cisco", "C9300", v, Verdict::Clear);
    let d2 = device(
        "10.0.0.2",
        Some("S2"),
        "Cisco",
        "C9300",
        "17",
        Verdict::Clear,
    );
    sweep(&c, "A", 1000, "complete", vec![d1("17"), d2.clone()]).await;
    // Unchanged: the state is extended, not copied.
    sweep(&c, "A", 2000, "complete", vec![d1("17"), d2]).await;
    assert_eq!(rows(&db, "device_state").await, 2);
    sweep(&c, "A", 3000, "complete", vec![d1("18")]).await;
    assert_eq!(rows(&db, "device_state").await, 3);
    let sum = c.summary(&Filter::default(), today()).await.unwrap();
    let a = site(&sum, "A");
    assert_eq!((a.devices, a.removed, a.sweeps), (1, 1, 3));
    let diff = c.diff(2500, &Filter::default()).await.unwrap();
    let kinds: Vec<_> = diff
        .iter()
        .map(|c| (c.kind, c.identity.as_str(), c.at_ms))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Removed, "serial:S2", 3000),
            (ChangeKind::Changed, "serial:S1", 3000)
        ]
    );
    assert_eq!(diff[1].changes, ["version 17 -> 18"]);
    // From the start: both new at 1000, and the same two later.
    let all = c.diff(0, &Filter::default()).await.unwrap();
    assert_eq!(
        all.iter().filter(|c| c.kind == ChangeKind::New).count(),
        2,
        "{all:?}"
    );
    // Found again later: current again.
    sweep(
        &c,
        "A",
        4000,
        "complete",
        vec![
            d1("18"),
            device(
                "10.0.0.2",
                Some("S2"),
                "Cisco",
                "C9300",
                "17",
                Verdict::Clear,
            ),
        ],
    )
    .await;
    let a = c.summary(&Filter::default(), today()).await.unwrap().sites[0].clone();
    assert_eq!((a.devices, a.removed), (2, 0));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn an_interrupted_sweep_removes_nothing() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let d1 = device(
        "10.0.0.1",
        Some("S1"),
        "Cisco",
        "C9300",
        "17",
        Verdict::Clear,
    );
    let d2 = device(
        "10.0.0.2",
        Some("S2"),
        "Cisco",
        "C9300",
        "17",
        Verdict::Clear,
    );
    let d3 = device(
        "10.0.0.3",
        Some("S3"),
        "Cisco",
        "C9300",
        "17",
        Verdict::Clear,
    );
    sweep(&c, "A", 1000, "complete", vec![d1.clone(), d2]).await;
    sweep(&c, "A", 2000, "interrupted", vec![d1, d3]).await;
    let a = c.summary(&Filter::default(), today()).await.unwrap().sites[0].clone();
    assert_eq!((a.devices, a.removed, a.sweeps), (3, 0, 2));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn an_older_sweep_after_a_newer_one_is_kept_but_moves_nothing() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    c.add_site("B").await.unwrap();
    let d1 = |v: &str| device("10.0.0.1", Some("S1"), "Cisco", "C9300", v, Verdict::Clear);
    sweep(&c, "A", 2000, "complete", vec![d1("18")]).await;
    let before = counts(&db).await;
    let late = sweep(
        &c,
        "A",
        1000,
        "complete",
        vec![
            d1("17"),
            device(
                "10.0.0.3",
                Some("S3"),
                "Cisco",
                "C9300",
                "17",
                Verdict::Clear,
            ),
        ],
    )
    .await;
    assert_eq!(
        late,
        Ingested {
            stored: true,
            devices: 2,
            applied: false
        }
    );
    let after = counts(&db).await;
    let sweeps = |c: &[(String, i64)]| c.iter().find(|(t, _)| t == "sweep").unwrap().1;
    assert_eq!(sweeps(&after), sweeps(&before) + 1);
    let rest = |c: &[(String, i64)]| {
        c.iter()
            .filter(|(t, _)| t != "sweep")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(rest(&after), rest(&before));
    // Another site's sweep that started before the device was last seen does not move it.
    sweep(&c, "B", 1500, "complete", vec![d1("18")]).await;
    let page = c.devices(&Filter::default(), 1, 10).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.devices[0].site, "A");
    assert_eq!(
        page.devices[0].record.identification.version.as_deref(),
        Some("18")
    );
    let sweeps = c.sweeps("A").await.unwrap();
    assert_eq!(
        sweeps
            .iter()
            .map(|s| (s.started_ms, s.applied))
            .collect::<Vec<_>>(),
        [(1000, false), (2000, true)]
    );
}
