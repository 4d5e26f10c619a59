//! The web pages' queries against PostgreSQL (`#[ignore]`d like [`super::tests`]: they need
//! PostgreSQL): the search's filters, text and paging, modules, a device's history, a site's
//! page, sweeps and their difference, the burn-down and its deadlines.

use super::testing::TestDb;
use super::tests::*;
use super::*;
use crate::date::Date;
use crate::record::{DeviceRecord, Verdict};

const DAY: i64 = 86_400_000;

fn q() -> Search {
    Search::default()
}

fn addresses(p: &SearchPage) -> Vec<String> {
    p.rows
        .iter()
        .map(|r| format!("{}/{}", r.site, r.address))
        .collect()
}

fn banned_module(mut d: DeviceRecord) -> DeviceRecord {
    d.modules[0].verdict = Some(Verdict::Banned);
    d
}

/// Sites A and B, five devices each (one with hostile text at A).
async fn two_sites(c: &Central) {
    for s in ["A", "B"] {
        c.add_site(s).await.unwrap();
        let sn = |i: u32| format!("{s}-sn{i}");
        let mut hostile = device(
            "10.1.2.30",
            Some(&sn(5)),
            "Cisco",
            "C9300",
            "17",
            Verdict::Clear,
        );
        hostile.sys_name = Some("<script>alert('x')</script> 100%_\\ \"q\"".into());
        hostile.identification.origin = Some("US".into());
        let mut devices = vec![
            banned_module(device(
                "10.1.2.3",
                Some(&sn(1)),
                "Huawei",
                "NE40E",
                "8",
                Verdict::Banned,
            )),
            device(
                "10.1.3.4",
                Some(&sn(2)),
                "Huawei",
                "S5720",
                "8",
                Verdict::Review,
            ),
            device(
                "10.2.0.1",
                Some(&sn(3)),
                "Nokia",
                "7750",
                "22",
                Verdict::Clear,
            ),
            device("10.2.0.2", None, "Acme", "X1", "1", Verdict::Unknown),
        ];
        for d in &mut devices[..2] {
            d.identification.origin = Some("CN".into());
        }
        devices.push(hostile);
        sweep(c, s, 1000, "complete", devices).await;
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn search_filters_each_in_work_list_order() {
    let db = TestDb::new().await;
    let c = db.central().await;
    two_sites(&c).await;
    let all = c.search(&q(), 1, 100).await.unwrap();
    assert_eq!((all.total, all.total_exact), (10, true));
    assert_eq!(
        addresses(&all),
        [
            "A/10.1.2.3",
            "B/10.1.2.3",
            "A/10.1.3.4",
            "B/10.1.3.4",
            "A/10.2.0.2",
            "B/10.2.0.2",
            "A/10.1.2.30",
            "A/10.2.0.1",
            "B/10.1.2.30",
            "B/10.2.0.1"
        ]
    );
    let first = &all.rows[0];
    assert_eq!((first.modules, first.banned_modules), (1, 1));
    assert_eq!(first.verdict, Verdict::Banned);
    assert_eq!(first.sys_name.as_deref(), Some("dev-10.1.2.3"));
    assert_eq!(first.serial.as_deref(), Some("A-sn1"));
    let all_rows = c.search_all(&q(), 3).await.unwrap();
    assert_eq!(all_rows, all.rows[..3].to_vec());
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn search_filters_alone_and_together() {
    let db = TestDb::new().await;
    let c = db.central().await;
    two_sites(&c).await;
    let total = |s: Search| {
        let c = c.clone();
        async move { c.search(&s, 1, 100).await.unwrap().total }
    };
    let site = |v: &str| Search {
        site: Some(v.into()),
        ..q()
    };
    assert_eq!(total(site("A")).await, 5);
    assert_eq!(total(site("a")).await, 0, "the site is exact");
    assert_eq!(total(site("nowhere")).await, 0);
    assert_eq!(
        total(Search {
            vendor: Some("hUAWEI".into()),
            ..q()
        })
        .await,
        4
    );
    assert_eq!(
        total(Search {
            origin: Some("cn".into()),
            ..q()
        })
        .await,
        4
    );
    assert_eq!(
        total(Search {
            verdict: Some(Verdict::Unknown),
            ..q()
        })
        .await,
        2
    );
    assert_eq!(
        total(Search {
            model: Some("ne40e".into()),
            ..q()
        })
        .await,
        2
    );
    assert_eq!(
        total(Search {
            serial: Some("a-SN2".into()),
            ..q()
        })
        .await,
        1
    );
    assert_eq!(
        total(Search {
            address: Some("10.1.2.3".into()),
            ..q()
        })
        .await,
        4
    );
    assert_eq!(
        total(Search {
            address: Some("10.1.".into()),
            ..q()
        })
        .await,
        6
    );
    assert_eq!(
        total(Search {
            address: Some("10.1._".into()),
            ..q()
        })
        .await,
        0
    );
    let both = Search {
        site: Some("B".into()),
        vendor: Some("huawei".into()),
        verdict: Some(Verdict::Review),
        ..q()
    };
    assert_eq!(
        addresses(&c.search(&both, 1, 10).await.unwrap()),
        ["B/10.1.3.4"]
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn text_search_is_a_substring_without_case_and_hostile_text_round_trips() {
    let db = TestDb::new().await;
    let c = db.central().await;
    two_sites(&c).await;
    let text = |t: &str| {
        let c = c.clone();
        let s = Search {
            text: Some(t.into()),
            ..q()
        };
        async move { c.search(&s, 1, 100).await.unwrap() }
    };
    assert_eq!(text("uawe").await.total, 4, "vendor");
    assert_eq!(text("NE40").await.total, 2, "model");
    assert_eq!(text("b-sn3").await.total, 1, "serial");
    assert_eq!(text("0.2.0.").await.total, 4, "address");
    assert_eq!(text("DEV-10.2").await.total, 4, "sysName");
    assert_eq!(text("%").await.total, 2, "a % is itself");
    assert_eq!(text("_").await.total, 2, "an _ is itself");
    assert_eq!(text("\\").await.total, 2);
    assert_eq!(text("nokia\n7750").await.total, 0, "not across fields");
    let hostile = text("<script>").await;
    assert_eq!(hostile.total, 2);
    let raw = "<script>alert('x')</script> 100%_\\ \"q\"";
    assert_eq!(hostile.rows[0].sys_name.as_deref(), Some(raw));
    let json = serde_json::to_string(&hostile).unwrap();
    let back: SearchPage = serde_json::from_str(&json).unwrap();
    assert_eq!(back, hostile);
    let id = hostile.rows[0].id;
    let detail = c.device(id).await.unwrap().unwrap();
    assert_eq!(detail.record.sys_name.as_deref(), Some(raw));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn pages_split_the_list_and_a_large_count_stops_at_the_cap() {
    let db = TestDb::new().await;
    let c = db.central().await;
    two_sites(&c).await;
    let all = c.search(&q(), 1, 100).await.unwrap();
    let mut paged = Vec::new();
    for page in 1..=4 {
        let p = c.search(&q(), page, 3).await.unwrap();
        assert_eq!((p.total, p.page, p.per_page), (10, page, 3));
        paged.extend(p.rows);
    }
    assert_eq!(paged, all.rows);
    // Past the cap: 10,005 more current devices, copies of one, made by SQL.
    db.client()
        .await
        .batch_execute(
            "BEGIN;
             INSERT INTO device (id, first_seen, last_seen, site_id, state_id, verdict, site_name,
                                 address)
             SELECT 1000000 + g, d.first_seen, d.last_seen, d.site_id, 1000000 + g, 'clear',
                    d.site_name, '192.168.' || g
             FROM device d, generate_series(1, 10005) g WHERE d.id = (SELECT min(id) FROM device);
             INSERT INTO device_state (id, device_id, site_id, first_seen, last_seen,
                 first_sweep, last_sweep, fingerprint, address, verdict, record)
             SELECT d.id, d.id, d.site_id, d.first_seen, d.last_seen, st.first_sweep,
                    st.last_sweep, st.fingerprint, d.address, 'clear', st.record
             FROM device d, device_state st
             WHERE d.id > 1000000 AND st.id = (SELECT min(id) FROM device_state);
             COMMIT;",
        )
        .await
        .unwrap();
    let p = c.search(&q(), 2, 50).await.unwrap();
    assert_eq!(
        (p.total, p.total_exact, p.rows.len()),
        (pages::COUNT_CAP, false, 50)
    );
    let banned = Search {
        verdict: Some(Verdict::Banned),
        ..q()
    };
    let p = c.search(&banned, 1, 50).await.unwrap();
    assert_eq!((p.total, p.total_exact), (2, true));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn modules_are_filtered_by_their_own_columns_and_their_devices_site() {
    let db = TestDb::new().await;
    let c = db.central().await;
    two_sites(&c).await;
    let all = c.modules(&q(), 1, 100).await.unwrap();
    assert_eq!(all.total, 10);
    assert_eq!(all.rows[0].address, "10.1.2.3");
    assert_eq!(all.rows[0].device_vendor.as_deref(), Some("Huawei"));
    assert_eq!(all.rows[0].class.as_deref(), Some("chassis"));
    let banned = Search {
        verdict: Some(Verdict::Banned),
        ..q()
    };
    assert_eq!(c.modules(&banned, 1, 10).await.unwrap().total, 2);
    let a_model = Search {
        site: Some("A".into()),
        model: Some("s5720".into()),
        ..q()
    };
    let p = c.modules(&a_model, 1, 10).await.unwrap();
    assert_eq!((p.total, p.rows[0].serial.as_deref()), (1, Some("A-sn2")));
    let text = Search {
        text: Some("B-SN".into()),
        ..q()
    };
    assert_eq!(c.modules(&text, 1, 10).await.unwrap().total, 4);
    let p = c.modules(&q(), 2, 4).await.unwrap();
    assert_eq!(p.rows, all.rows[4..8].to_vec());
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_device_history_shows_its_changes_and_its_move() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    c.add_site("B").await.unwrap();
    let v = |version: &str| {
        device(
            "10.0.0.1",
            Some("S1"),
            "Huawei",
            "NE40E",
            version,
            Verdict::Banned,
        )
    };
    sweep(&c, "A", DAY, "complete", vec![v("8")]).await;
    sweep(&c, "A", 2 * DAY, "complete", vec![v("8")]).await;
    sweep(&c, "A", 3 * DAY, "complete", vec![v("9")]).await;
    sweep(&c, "B", 4 * DAY, "complete", vec![v("9")]).await;
    let id = c.search(&q(), 1, 1).await.unwrap().rows[0].id;
    let d = c.device(id).await.unwrap().unwrap();
    assert_eq!((d.site.as_str(), d.current), ("B", true));
    assert_eq!(d.moved_from.as_deref(), Some("A"));
    assert_eq!(
        (d.first_seen_ms, d.last_seen_ms, d.removed_at_ms),
        (DAY, 4 * DAY, None)
    );
    let spans: Vec<_> = d
        .history
        .iter()
        .map(|s| {
            (
                s.site.as_str(),
                s.first_seen_ms,
                s.last_seen_ms,
                s.changes.clone(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("A", DAY, 2 * DAY, vec!["first seen".to_string()]),
            ("A", 3 * DAY, 3 * DAY, vec!["version 8 -> 9".to_string()]),
            ("B", 4 * DAY, 4 * DAY, vec!["site A -> B".to_string()]),
        ]
    );
    assert_eq!(d.history[2].moved_from.as_deref(), Some("A"));
    assert_ne!(d.history[0].first_sweep, d.history[0].last_sweep);
    assert!(c.device(id + 1000).await.unwrap().is_none());
    // Removed from B by its next complete sweep.
    sweep(&c, "B", 5 * DAY, "complete", vec![]).await;
    let d = c.device(id).await.unwrap().unwrap();
    assert_eq!((d.current, d.removed_at_ms), (false, Some(5 * DAY)));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn site_detail_sweep_detail_and_all_sweeps() {
    let db = TestDb::new().await;
    let c = db.central().await;
    two_sites(&c).await;
    let h = header("A", 2000, "interrupted");
    ingest(&c, &h, vec![]).await;
    let a = c.site_detail("A", 3).await.unwrap();
    assert_eq!(
        (a.counts.site.as_str(), a.counts.devices, a.counts.sweeps),
        ("A", 5, 2)
    );
    assert_eq!(a.sweeps.len(), 2);
    assert_eq!(
        (a.sweeps[0].uuid, a.sweeps[0].status.as_str()),
        (h.uuid, "interrupted")
    );
    let shown: Vec<_> = a.devices.iter().map(|(_, r)| r.address.as_str()).collect();
    assert_eq!(shown, ["10.1.2.3", "10.1.3.4", "10.2.0.2"]);
    assert!(matches!(
        c.site_detail("Z", 3).await,
        Err(CentralError::UnknownSite(_))
    ));
    let s = c.sweep_detail(h.uuid).await.unwrap().unwrap();
    assert_eq!(
        (s.site.as_str(), s.info.started_ms, s.probed, s.timeouts),
        ("A", 2000, Some(256), Some(10))
    );
    assert_eq!(s.parameters, h.parameters);
    assert!(
        c.sweep_detail(uuid::Uuid::new_v4())
            .await
            .unwrap()
            .is_none()
    );
    let all = c.all_sweeps(10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!((all[0].0.as_str(), all[0].1.uuid), ("A", h.uuid));
    assert_eq!(c.all_sweeps(1).await.unwrap().len(), 1);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn sweep_diff_tells_new_removed_changed_and_moved() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    c.add_site("B").await.unwrap();
    let d = |a: &str, s: &str, v: &str| device(a, Some(s), "Huawei", "NE40E", v, Verdict::Banned);
    let h1 = header("A", DAY, "complete");
    ingest(
        &c,
        &h1,
        vec![
            d("10.0.0.1", "S1", "8"),
            d("10.0.0.2", "S2", "8"),
            d("10.0.0.3", "S3", "8"),
        ],
    )
    .await;
    let h2 = header("A", 2 * DAY, "complete");
    ingest(
        &c,
        &h2,
        vec![
            d("10.0.0.1", "S1", "8"),
            d("10.0.0.2", "S2", "9"),
            d("10.0.0.4", "S4", "8"),
        ],
    )
    .await;
    let h3 = header("B", 3 * DAY, "complete");
    ingest(&c, &h3, vec![d("10.9.0.1", "S1", "8")]).await;
    let diff = c.sweep_diff(h1.uuid, h2.uuid).await.unwrap();
    let kinds: Vec<_> = diff
        .changes
        .iter()
        .map(|ch| (ch.kind, ch.address.as_str(), ch.changes.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::New, "10.0.0.4", vec![]),
            (ChangeKind::Removed, "10.0.0.3", vec![]),
            (
                ChangeKind::Changed,
                "10.0.0.2",
                vec!["version 8 -> 9".to_string()]
            ),
        ]
    );
    assert_eq!((diff.from.uuid, diff.to.uuid), (h1.uuid, h2.uuid));
    let moved = c.sweep_diff(h2.uuid, h3.uuid).await.unwrap();
    assert_eq!(
        (moved.from_site.as_str(), moved.to_site.as_str()),
        ("A", "B")
    );
    let m = moved
        .changes
        .iter()
        .find(|ch| ch.kind == ChangeKind::Moved)
        .unwrap();
    assert_eq!(m.address, "10.9.0.1");
    assert_eq!(
        m.changes,
        [
            "site A -> B",
            "address 10.0.0.1 -> 10.9.0.1",
            "sys_name dev-10.0.0.1 -> dev-10.9.0.1"
        ]
    );
    assert_eq!(
        moved
            .changes
            .iter()
            .filter(|ch| ch.kind == ChangeKind::Removed)
            .count(),
        2
    );
    assert!(
        c.sweep_diff(h1.uuid, h1.uuid)
            .await
            .unwrap()
            .changes
            .is_empty()
    );
    assert!(matches!(
        c.sweep_diff(h1.uuid, uuid::Uuid::new_v4()).await,
        Err(CentralError::UnknownSweep(_))
    ));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn burndown_counts_across_a_removal_and_a_verdict_change_and_lists_deadlines() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let day0 = Date::parse("2026-01-01").unwrap().days() * DAY;
    let banned = |a: &str, s: &str| {
        with_finding(
            banned_module(device(a, Some(s), "Huawei", "NE40E", "8", Verdict::Banned)),
            "2026-03-01",
            None,
        )
    };
    let clear = |a: &str, s: &str| device(a, Some(s), "Huawei", "NE40E", "9", Verdict::Clear);
    let mut other = with_finding(banned("10.0.0.3", "S3"), "2026-06-30", None);
    other.judgement.findings[1].rule = "huawei-edge".into();
    // Day 0: three banned; day 2: one turned clear; day 4: another removed.
    let all = vec![
        banned("10.0.0.1", "S1"),
        banned("10.0.0.2", "S2"),
        other.clone(),
    ];
    sweep(&c, "A", day0, "complete", all).await;
    let two = vec![
        clear("10.0.0.1", "S1"),
        banned("10.0.0.2", "S2"),
        other.clone(),
    ];
    sweep(&c, "A", day0 + 2 * DAY, "complete", two).await;
    sweep(
        &c,
        "A",
        day0 + 4 * DAY,
        "complete",
        vec![clear("10.0.0.1", "S1"), other],
    )
    .await;
    let b = c
        .burndown(Date::parse("2026-01-06").unwrap())
        .await
        .unwrap();
    let points: Vec<_> = b
        .points
        .iter()
        .map(|p| (p.day.as_str(), p.banned_devices, p.banned_modules))
        .collect();
    assert_eq!(
        points,
        [
            ("2026-01-01", 3, 3),
            ("2026-01-02", 3, 3),
            ("2026-01-03", 2, 2),
            // S2, last seen on the 3rd, counts no more: the sweep of the 5th removed it.
            ("2026-01-04", 1, 1),
            ("2026-01-05", 1, 1),
            ("2026-01-06", 1, 1),
        ]
    );
    let marks: Vec<_> = b
        .deadlines
        .iter()
        .map(|m| (m.day.as_str(), m.rule.as_str(), m.devices))
        .collect();
    assert_eq!(
        marks,
        [
            ("2026-03-01", "huawei-core", 1),
            ("2026-06-30", "huawei-edge", 1)
        ]
    );
    let next = c
        .nearest_deadlines(Date::parse("2026-04-01").unwrap(), 5)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].day, "2026-06-30");
    // Long histories are weekly, ending today.
    let far = c
        .burndown(Date::parse("2028-01-01").unwrap())
        .await
        .unwrap();
    assert!(far.points.len() <= 400, "{}", far.points.len());
    assert_eq!(far.points.last().unwrap().day, "2028-01-01");
    assert_eq!(far.points.last().unwrap().banned_devices, 1);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_device_with_kilobytes_of_model_and_serial_is_stored_and_found() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    // Text that does not compress (a btree entry holds about 2,700 bytes, compressed): a
    // hostile or broken agent's 4 KB model name and serial.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: String = (0..4000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    let model = format!("M{noise}");
    let serial = format!("S{noise}");
    let d = device(
        "10.9.9.9",
        Some(&serial),
        "Huawei",
        &model,
        "8",
        Verdict::Banned,
    );
    sweep(&c, "A", 1000, "complete", vec![d.clone()]).await;
    // A second sweep finds it again (by address: the serial is too long to be a key).
    sweep(&c, "A", 2000, "complete", vec![d]).await;
    let found = c
        .search(
            &Search {
                model: Some(model.to_uppercase()),
                ..q()
            },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(addresses(&found), ["A/10.9.9.9"]);
    assert_eq!(found.rows[0].model.as_deref(), Some(model.as_str()));
    let by_serial = Search {
        serial: Some(serial.clone()),
        ..q()
    };
    assert_eq!(c.search(&by_serial, 1, 10).await.unwrap().total, 1);
    assert_eq!(c.search(&q(), 1, 10).await.unwrap().total, 1);
}
