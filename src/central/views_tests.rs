//! The central store's views against PostgreSQL: overdue, filters, one box on two addresses,
//! and the time of an ingest (`#[ignore]`d like [`super::tests`]: they need PostgreSQL).

use super::testing::TestDb;
use super::tests::*;
use super::*;
use crate::date::Date;
use crate::record::{DeviceRecord, Verdict};

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn overdue_is_a_deadline_passed_without_an_exception() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let h = |a: &str, s: &str| device(a, Some(s), "Huawei", "NE40E", "8", Verdict::Banned);
    sweep(
        &c,
        "A",
        1000,
        "complete",
        vec![
            with_finding(h("10.0.0.1", "H1"), "2025-12-31", None),
            with_finding(h("10.0.0.2", "H2"), "2025-12-31", Some("waiver 7")),
            with_finding(h("10.0.0.3", "H3"), "2030-01-01", None),
            h("10.0.0.4", "H4"),
        ],
    )
    .await;
    let on = Date::parse("2026-01-01").unwrap();
    let page = c.overdue(on, &Filter::default(), 1, 10).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.devices[0].record.address, "10.0.0.1");
    let sum = c.summary(&Filter::default(), on).await.unwrap();
    assert_eq!((sum.total.overdue, sum.total.banned), (1, 4));
    let later = Date::parse("2031-01-01").unwrap();
    assert_eq!(
        c.overdue(later, &Filter::default(), 1, 10)
            .await
            .unwrap()
            .total,
        2
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn filters_by_site_vendor_verdict_and_model() {
    let db = TestDb::new().await;
    let c = db.central().await;
    for s in ["A", "B"] {
        c.add_site(s).await.unwrap();
        sweep(
            &c,
            s,
            1000,
            "complete",
            vec![
                device(
                    "10.0.0.1",
                    Some(&format!("{s}1")),
                    "Huawei",
                    "NE40E",
                    "8",
                    Verdict::Banned,
                ),
                device(
                    "10.0.0.2",
                    Some(&format!("{s}2")),
                    "Huawei",
                    "S5720",
                    "8",
                    Verdict::Review,
                ),
                device(
                    "10.0.0.3",
                    Some(&format!("{s}3")),
                    "Nokia",
                    "7750",
                    "22",
                    Verdict::Clear,
                ),
            ],
        )
        .await;
    }
    let total = |f: Filter| {
        let c = c.clone();
        async move {
            let page = c.devices(&f, 1, 100).await.unwrap();
            let sum = c.summary(&f, today()).await.unwrap();
            assert_eq!(page.total, sum.total.devices, "{f:?}");
            page.total
        }
    };
    let f = |site: Option<&str>,
             vendor: Option<&str>,
             verdict: Option<Verdict>,
             model: Option<&str>| Filter {
        site: site.map(str::to_string),
        vendor: vendor.map(str::to_string),
        verdict,
        model: model.map(str::to_string),
    };
    assert_eq!(total(f(None, None, None, None)).await, 6);
    assert_eq!(total(f(Some("A"), None, None, None)).await, 3);
    assert_eq!(total(f(None, Some("hUAWEI"), None, None)).await, 4);
    assert_eq!(total(f(None, None, Some(Verdict::Clear), None)).await, 2);
    assert_eq!(total(f(None, None, None, Some("ne40e"))).await, 2);
    assert_eq!(
        total(f(
            Some("B"),
            Some("huawei"),
            Some(Verdict::Review),
            Some("S5720")
        ))
        .await,
        1
    );
    let only_a = c
        .summary(&f(Some("A"), None, None, None), today())
        .await
        .unwrap();
    assert_eq!(only_a.sites.len(), 1);
    assert!(matches!(
        c.devices(&f(Some("Z"), None, None, None), 1, 10).await,
        Err(CentralError::UnknownSite(_))
    ));
    let diff = c
        .diff(0, &f(None, Some("nokia"), None, None))
        .await
        .unwrap();
    assert_eq!(diff.len(), 2);
}

/// Not a check: how long a 1,000-device sweep takes to ingest (new devices, then unchanged,
/// then every tenth changed), printed.
#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn ingest_time_of_a_thousand_devices() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let sweep = |version: usize| -> Vec<DeviceRecord> {
        (0..1000)
            .map(|i| {
                let v = match i % 10 {
                    0 => version.to_string(),
                    _ => "1".to_string(),
                };
                with_finding(
                    device(
                        &format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
                        Some(&format!("SN{i:06}")),
                        "Huawei",
                        "NE40E",
                        &v,
                        Verdict::Banned,
                    ),
                    "2027-01-01",
                    None,
                )
            })
            .collect()
    };
    for (i, (n, what)) in [(1, "new"), (1, "unchanged"), (2, "a tenth changed")]
        .into_iter()
        .enumerate()
    {
        let devices = sweep(n);
        let h = header("A", 1000 * (i as i64 + 1), "complete");
        let t = std::time::Instant::now();
        let done = c.ingest(h, batches(devices, 500)).await.unwrap();
        eprintln!(
            "ingest of 1,000 devices ({what}): {:?} ({} devices, stored {})",
            t.elapsed(),
            done.devices,
            done.stored
        );
    }
    let t = std::time::Instant::now();
    c.summary(&Filter::default(), today()).await.unwrap();
    eprintln!("summary: {:?}", t.elapsed());
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_box_that_answers_on_two_addresses_is_one_device_sweep_after_sweep() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let on = |address: &str| device(address, Some("S1"), "Huawei", "NE40E", "8", Verdict::Banned);
    let other = device(
        "10.0.0.9",
        Some("S9"),
        "Cisco",
        "C9300",
        "17",
        Verdict::Clear,
    );
    // Its loopback and its management address, in different batches (of two) of one sweep.
    for started in [1000, 2000, 3000] {
        sweep(
            &c,
            "A",
            started,
            "complete",
            vec![on("10.0.0.1"), other.clone(), on("10.255.0.1")],
        )
        .await;
    }
    assert_eq!(rows(&db, "device").await, 2);
    assert_eq!(
        rows(&db, "device_state").await,
        2,
        "no change, no new state"
    );
    let a = c.summary(&Filter::default(), today()).await.unwrap().sites[0].clone();
    assert_eq!((a.devices, a.banned, a.removed), (2, 1, 0));
    let changes = c.diff(0, &Filter::default()).await.unwrap();
    assert!(
        changes.iter().all(|ch| ch.kind == ChangeKind::New),
        "{changes:?}"
    );
}
