//! Each site's removal ledger on the central server (issue 21) against a real PostgreSQL
//! (`NETORIGIN_TEST_POSTGRES`): stored with its bundle's sweep, items moved only by an applied
//! sweep, entries kept as first received, and the fleet summary's counts per site.

use futures::stream;

use super::testing::TestDb;
use super::tests::{device, header, rows, site, today};
use super::*;
use crate::bundle::ledger_tests::{entry, item};
use crate::bundle::{LedgerEntryLine, LedgerItemLine, LedgerKind, SweepHeader};
use crate::date::Date;
use crate::record::LedgerState::{self, *};
use crate::record::Verdict;

/// Stores a sweep of `h` with one Huawei device, then `items` and `entries`.
async fn ingest(
    c: &Central,
    h: &SweepHeader,
    items: Vec<LedgerItemLine>,
    entries: Vec<LedgerEntryLine>,
) -> Ingested {
    let d = device(
        "10.0.0.1",
        Some("S1"),
        "Huawei",
        "NE40E",
        "8",
        Verdict::Banned,
    );
    let lines: Vec<Result<Batch, String>> = vec![
        Ok(Batch::Devices(vec![d])),
        Ok(Batch::LedgerItems(items)),
        Ok(Batch::LedgerEntries(entries)),
    ];
    c.ingest(h.clone(), stream::iter(lines)).await.unwrap()
}

/// Item `n` of a site's ledger: `identity`, in `state`.
fn numbered(n: i64, identity: &str, state: LedgerState) -> LedgerItemLine {
    LedgerItemLine {
        id: n,
        ..item(identity, state, "2026-01-02")
    }
}

/// The state each stored item of `site` is in, by identity.
async fn states(db: &TestDb, site: &str) -> Vec<(String, String)> {
    db.client()
        .await
        .query(
            "SELECT i.identity, i.state FROM ledger_item i JOIN site s ON s.id = i.site_id
             WHERE s.name = $1 ORDER BY i.identity",
            &[&site],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn a_bundles_ledger_is_stored_with_its_sweep_and_counted_per_site() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    c.add_site("B").await.unwrap();
    c.add_site("C").await.unwrap();
    let mut seen_again = numbered(2, "serial:S2", Removed);
    seen_again.reappeared = true;
    let mut card = numbered(4, "module:serial:C4", Planned);
    card.kind = LedgerKind::Module;
    card.target = Date::parse("2026-09-30");
    let a_items = vec![
        numbered(1, "serial:S1", Found),
        seen_again,
        numbered(3, "serial:S3", Destroyed),
        card,
    ];
    let a_entries = vec![
        entry(1, 1, "serial:S1", None, Found),
        entry(2, 2, "serial:S2", None, Found),
        entry(3, 2, "serial:S2", Some(Found), Removed),
    ];
    let done = ingest(&c, &header("A", 1000, "complete"), a_items, a_entries).await;
    assert_eq!((done.stored, done.devices, done.applied), (true, 1, true));
    let b_items = vec![
        numbered(1, "serial:S1", Planned),
        numbered(2, "serial:B2", Exempt),
    ];
    ingest(&c, &header("B", 1000, "complete"), b_items, Vec::new()).await;
    assert_eq!(rows(&db, "ledger_item").await, 6);
    assert_eq!(rows(&db, "ledger_entry").await, 3);

    let s = c.summary(&Filter::default(), today()).await.unwrap();
    let a = &site(&s, "A").ledger;
    assert_eq!(
        (a.found, a.planned, a.removed, a.destroyed, a.exempt),
        (1, 1, 1, 1, 0)
    );
    // Found and planned are on the network; the removed box a sweep saw again is too.
    assert_eq!((a.reappeared, a.remaining, a.items()), (1, 3, 4));
    let b = &site(&s, "B").ledger;
    assert_eq!((b.planned, b.exempt, b.remaining, b.items()), (1, 1, 1, 2));
    assert_eq!(site(&s, "C").ledger, LedgerCounts::default());
    assert_eq!((s.total.ledger.items(), s.total.ledger.remaining), (6, 4));
    assert_eq!(s.total.ledger.of(Planned), 2);
    // The summary's JSON names each state as the ledger writes it.
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["total"]["ledger"]["in-custody"], 0);
    assert_eq!(json["total"]["ledger"]["remaining"], 4);

    // The filters apply to the ledger as to the devices.
    let only_b = Filter {
        site: Some("B".into()),
        ..Filter::default()
    };
    let s = c.summary(&only_b, today()).await.unwrap();
    assert_eq!((s.sites.len(), s.total.ledger.items()), (1, 2));
    let cisco = Filter {
        vendor: Some("CISCO".into()),
        ..Filter::default()
    };
    let huawei = Filter {
        vendor: Some("HUAWEI".into()),
        ..Filter::default()
    };
    let s = c.summary(&cisco, today()).await.unwrap();
    assert_eq!(s.total.ledger.items(), 0);
    let s = c.summary(&huawei, today()).await.unwrap();
    assert_eq!(s.total.ledger.items(), 6);

    // An entry keeps who, the day, its note and its evidence by digest.
    let row = db
        .client()
        .await
        .query_one(
            "SELECT e.from_state, e.state, e.day::text, e.recorded_by, e.note, e.evidence,
                    e.item_local_id, e.identity
             FROM ledger_entry e JOIN site s ON s.id = e.site_id
             WHERE s.name = 'A' AND e.local_id = 3",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("found"));
    assert_eq!(row.get::<_, String>(1), "removed");
    assert_eq!(row.get::<_, String>(2), "2026-01-02");
    assert_eq!(row.get::<_, String>(3), "Dana Field Ops");
    assert_eq!(
        row.get::<_, Option<String>>(4).as_deref(),
        Some("pulled from rack 4\nticket CHG-1182")
    );
    let evidence: serde_json::Value = row.get(5);
    assert_eq!(evidence[0]["name"], "removal-photo.jpg");
    assert_eq!(evidence[0]["sha256"], "ab".repeat(32));
    assert_eq!(evidence[0]["size"], 182_113);
    assert_eq!(
        (row.get::<_, i64>(6), row.get::<_, String>(7)),
        (2, "serial:S2".to_string())
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn only_an_applied_sweep_moves_the_items_and_entries_are_kept_as_first_received() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    let found = entry(1, 1, "serial:S1", None, Found);
    let first = header("A", 2000, "complete");
    ingest(
        &c,
        &first,
        vec![numbered(1, "serial:S1", Found)],
        vec![found.clone()],
    )
    .await;
    // The same bundle again (a retry) changes nothing.
    let again = ingest(
        &c,
        &first,
        vec![numbered(1, "serial:S1", Removed)],
        Vec::new(),
    )
    .await;
    assert!(!again.stored);
    assert_eq!(
        states(&db, "A").await,
        [("serial:S1".into(), "found".into())]
    );

    // A newer sweep: the item moves on; the entry sent again (its note edited at the site) is
    // kept as first received, the new one added.
    let newer = header("A", 3000, "complete");
    let mut edited = found.clone();
    edited.note = Some("edited later".into());
    let removed = entry(2, 1, "serial:S1", Some(Found), Removed);
    ingest(
        &c,
        &newer,
        vec![numbered(1, "serial:S1", Removed)],
        vec![edited, removed],
    )
    .await;
    assert_eq!(
        states(&db, "A").await,
        [("serial:S1".into(), "removed".into())]
    );
    assert_eq!(rows(&db, "ledger_entry").await, 2);
    let client = db.client().await;
    let note: Option<String> = client
        .query_one("SELECT note FROM ledger_entry WHERE local_id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(note, found.note);

    // An older sweep uploaded late is not applied: the items stay as the newer one said, but
    // a step the server lacks is kept.
    let late = header("A", 2500, "complete");
    let destroyed = entry(3, 1, "serial:S1", Some(Removed), InCustody);
    let done = ingest(
        &c,
        &late,
        vec![
            numbered(1, "serial:S1", InCustody),
            numbered(2, "serial:S9", Found),
        ],
        vec![destroyed],
    )
    .await;
    assert!(done.stored && !done.applied);
    assert_eq!(
        states(&db, "A").await,
        [("serial:S1".into(), "removed".into())]
    );
    assert_eq!(rows(&db, "ledger_entry").await, 3);
    let by: String = client
        .query_one("SELECT updated_by::text FROM ledger_item", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(by, newer.uuid.to_string());
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
async fn whatever_a_bundle_can_carry_is_stored() {
    let db = TestDb::new().await;
    let c = db.central().await;
    c.add_site("A").await.unwrap();
    // An identity longer than an index entry holds, twice in one batch (the last line wins);
    // dates at the ends of what a bundle can hold; the longest strings a bundle allows.
    let long = format!("serial:{}", "X".repeat(60_000));
    let mut first = numbered(1, &long, Found);
    first.since = Date::parse("0000-01-01").unwrap();
    let mut last = numbered(2, &long, Planned);
    last.target = Date::parse("9999-12-31");
    last.vendor = Some("V".repeat(64 << 10));
    let mut step = entry(1, 2, &long, Some(Found), Planned);
    step.day = Date::parse("0000-02-29").unwrap();
    step.note = Some("N".repeat(64 << 10));
    ingest(
        &c,
        &header("A", 1000, "complete"),
        vec![first, last],
        vec![step],
    )
    .await;
    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT identity, local_id, state, target::text, length(vendor) FROM ledger_item",
            &[],
        )
        .await
        .unwrap();
    let key: String = row.get(0);
    assert!(key.starts_with("sha256:") && key.len() == 71, "{key}");
    assert_eq!(row.get::<_, i64>(1), 2);
    assert_eq!(row.get::<_, String>(2), "planned");
    assert_eq!(
        row.get::<_, Option<String>>(3).as_deref(),
        Some("9999-12-31")
    );
    assert_eq!(row.get::<_, i32>(4), 64 << 10);
    let day: String = client
        .query_one("SELECT day::text FROM ledger_entry", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(day, "0001-02-29 BC");
    let s = c.summary(&Filter::default(), today()).await.unwrap();
    assert_eq!(s.total.ledger.planned, 1);
}
