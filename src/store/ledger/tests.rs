//! The ledger in the store: items made by sweeps, steps recorded with evidence, and what later
//! sweeps say.

use super::*;
use crate::record::{DeviceRecord, Finding, Identification, Judgement, Module, Observed, Verdict};
use crate::store::writer::Status;

fn record(address: &str, serial: &str, verdict: Verdict) -> DeviceRecord {
    Observed {
        address: address.into(),
        sys_name: Some(format!("name-{serial}")),
        identification: Identification {
            serial: Some(serial.into()),
            vendor: Some("Huawei".into()),
            model: Some("NE40E".into()),
            ..Identification::default()
        },
        modules: vec![Module {
            index: 7,
            serial: Some(format!("{serial}-LC")),
            model: Some("LPUI-51".into()),
            verdict: Some(verdict),
            ..Module::default()
        }],
        ..Observed::default()
    }
    .judged(Judgement {
        verdict,
        findings: if verdict == Verdict::Banned {
            vec![Finding {
                rule: "huawei-zte-5g".into(),
                policy: "canada-2022 1".into(),
                jurisdiction: Some("CA".into()),
                verdict: Verdict::Banned,
                severity: "high".into(),
                reason: "r".into(),
                module: None,
                no_new_installs_after: None,
                deadline: Some("2027-12-31".into()),
                days_left: Some(300),
                exception: None,
            }]
        } else {
            Vec::new()
        },
    })
}

/// Stores a sweep of `targets` that found `devices`.
fn sweep(path: &std::path::Path, targets: &[&str], devices: Vec<DeviceRecord>, status: Status) {
    let store = Store::open(path).unwrap();
    let rec = store
        .begin_sweep(
            &serde_json::json!({ "targets": targets }),
            "v",
            "2026-12-07",
            None,
        )
        .unwrap();
    for d in devices {
        rec.device(d);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(rec.finish(status, None, None)).unwrap();
}

fn mark(store: &Store, name: &str, to: LedgerState) -> Result<LedgerItem, LedgerError> {
    store
        .ledger_mark(
            name,
            to,
            Mark {
                by: "A. Auditor".into(),
                target: Some(Date::parse("2027-06-30").unwrap()),
                ..Mark::default()
            },
        )
        .map(|(i, _)| i)
}

#[test]
fn a_sweep_makes_banned_devices_and_modules_found_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    sweep(
        &db,
        &["192.0.2.0/24"],
        vec![
            record("192.0.2.1", "H1", Verdict::Banned),
            record("192.0.2.2", "C1", Verdict::Clear),
        ],
        Status::Complete,
    );
    let store = Store::open(&db).unwrap();
    let items = store.ledger_items(&LedgerFilter::default()).unwrap();
    let got: Vec<_> = items
        .iter()
        .map(|i| (i.identity.as_str(), i.kind.as_str(), i.state))
        .collect();
    assert_eq!(
        got,
        [
            ("serial:H1", "device", LedgerState::Found),
            ("module:serial:H1-LC", "module", LedgerState::Found)
        ]
    );
    assert_eq!(
        items[0].rule.as_deref(),
        Some("canada-2022 1/huawei-zte-5g")
    );
    assert_eq!(items[0].deadline.as_deref(), Some("2027-12-31"));
    assert_eq!(items[1].parent.as_deref(), Some("serial:H1"));
    let entries = store.ledger_entries(Some(items[0].id)).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].by, "netorigin sweep #1");
    assert_eq!(entries[0].from, None);
}

#[test]
fn steps_are_recorded_with_evidence_and_impossible_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    sweep(
        &db,
        &["192.0.2.1"],
        vec![record("192.0.2.1", "H1", Verdict::Banned)],
        Status::Complete,
    );
    let store = Store::open(&db).unwrap();
    let (item, entry) = store
        .ledger_mark(
            "H1",
            LedgerState::Planned,
            Mark {
                by: "ops".into(),
                note: Some("swap in Q2".into()),
                target: Some(Date::parse("2027-06-30").unwrap()),
                evidence: vec![("plan.pdf".into(), b"%PDF-1.4 plan".to_vec())],
                ..Mark::default()
            },
        )
        .unwrap();
    assert_eq!(item.state, LedgerState::Planned);
    assert_eq!(item.target.as_deref(), Some("2027-06-30"));
    assert_eq!(entry.from, Some(LedgerState::Found));
    assert_eq!(entry.evidence[0].sha256, sha256_hex(b"%PDF-1.4 plan"));
    assert_eq!(
        store.evidence_content(&entry.evidence[0].sha256).unwrap(),
        Some(b"%PDF-1.4 plan".to_vec())
    );
    // By address, by number.
    mark(&store, "192.0.2.1", LedgerState::Removed).unwrap();
    mark(&store, &format!("#{}", item.id), LedgerState::InCustody).unwrap();
    let e = mark(&store, "H1", LedgerState::Destroyed).unwrap_err();
    assert!(e.is_usage());
    assert!(
        e.to_string()
            .contains("cannot mark in-custody gear destroyed"),
        "{e}"
    );
    mark(&store, "H1", LedgerState::Sanitised).unwrap();
    mark(&store, "H1", LedgerState::Destroyed).unwrap();
    let e = mark(&store, "H1", LedgerState::Planned).unwrap_err();
    assert!(
        e.to_string().contains("destroyed") && e.to_string().contains("planned"),
        "{e}"
    );
    assert_eq!(store.ledger_entries(Some(item.id)).unwrap().len(), 6);
    // A module by its serial; gear nobody judged banned is no ledger item.
    assert_eq!(
        mark(&store, "H1-LC", LedgerState::Removed).unwrap().kind,
        "module"
    );
    assert!(matches!(
        mark(&store, "nothing-here", LedgerState::Removed),
        Err(LedgerError::NotFound(_))
    ));
    let e = store
        .ledger_mark(
            "H1-LC",
            LedgerState::InCustody,
            Mark {
                day: Some(Date::parse("2000-01-01").unwrap()),
                ..Mark::default()
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("before the day"), "{e}");
}

#[test]
fn later_sweeps_confirm_absence_only_where_they_looked_and_flag_gear_seen_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let h1 = || record("192.0.2.1", "H1", Verdict::Banned);
    let h2 = || record("198.51.100.7", "H2", Verdict::Banned);
    sweep(
        &db,
        &["192.0.2.0/24", "198.51.100.0/24"],
        vec![h1(), h2()],
        Status::Complete,
    );
    mark(&Store::open(&db).unwrap(), "H1", LedgerState::Removed).unwrap();
    // Sweep 2 covers only H2's range and sees neither.
    sweep(&db, &["198.51.100.0/24"], vec![], Status::Complete);
    // Sweep 3 covers both and sees H1 again.
    sweep(
        &db,
        &["192.0.2.0/24", "198.51.100.0/24"],
        vec![h1()],
        Status::Complete,
    );
    let store = Store::open(&db).unwrap();
    let outcomes = |s: i64| -> Vec<(String, String)> {
        store
            .ledger_sightings(s)
            .unwrap()
            .into_iter()
            .filter(|s| s.identity.starts_with("serial:"))
            .map(|s| (s.identity, s.outcome))
            .collect()
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        outcomes(2),
        [pair("serial:H1", "uncovered"), pair("serial:H2", "absent")]
    );
    assert_eq!(
        outcomes(3),
        [pair("serial:H1", "reappeared"), pair("serial:H2", "absent")]
    );
    let h1 = store.ledger_find("H1").unwrap();
    assert_eq!(h1.reappeared_sweep, Some(3));
    let h2 = store.ledger_find("H2").unwrap();
    assert_eq!(h2.absent_sweeps, 2);
    assert!(h2.unconfirmed_absent(2) && !h2.unconfirmed_absent(3));
    let reappeared = LedgerFilter {
        reappeared: true,
        ..LedgerFilter::default()
    };
    assert_eq!(store.ledger_items(&reappeared).unwrap().len(), 1);
    // An interrupted sweep proves no absence; gear seen again may be found again.
    sweep(&db, &["198.51.100.0/24"], vec![], Status::Interrupted);
    assert_eq!(store.ledger_find("H2").unwrap().absent_sweeps, 2);
    let again = mark(&store, "H1", LedgerState::Found).unwrap();
    assert_eq!(
        (again.state, again.reappeared_sweep),
        (LedgerState::Found, None)
    );
}

#[test]
fn a_clear_chassis_with_a_banned_card_is_only_the_card_and_modules_are_missed_only_where_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    // A Cisco chassis judged banned only for the Huawei card it holds (a module finding).
    let mut chassis = record("192.0.2.9", "C9", Verdict::Banned);
    chassis.identification.vendor = Some("Cisco".into());
    chassis.judgement.findings[0].module = Some(7);
    sweep(
        &db,
        &["192.0.2.0/24"],
        vec![chassis.clone()],
        Status::Complete,
    );
    let store = Store::open(&db).unwrap();
    let items = store.ledger_items(&LedgerFilter::default()).unwrap();
    let got: Vec<_> = items.iter().map(|i| i.identity.as_str()).collect();
    assert_eq!(got, ["module:serial:C9-LC"]);
    assert_eq!(
        items[0].rule.as_deref(),
        Some("canada-2022 1/huawei-zte-5g")
    );
    // The chassis seen again without its module table (no walk): the card is not missed.
    let mut bare = chassis.clone();
    bare.modules.clear();
    sweep(&db, &["192.0.2.0/24"], vec![bare], Status::Complete);
    assert_eq!(store.ledger_find("C9-LC").unwrap().absent_sweeps, 0);
    assert_eq!(store.ledger_sightings(2).unwrap()[0].outcome, "uncovered");
    // Seen with another card: now the card is missed.
    let mut other = chassis;
    other.modules[0].serial = Some("C9-LC2".into());
    sweep(&db, &["192.0.2.0/24"], vec![other], Status::Complete);
    assert_eq!(store.ledger_find("C9-LC").unwrap().absent_sweeps, 1);
}

#[test]
fn a_bare_number_is_a_serial_and_only_hash_n_a_ledger_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    sweep(
        &db,
        &["192.0.2.0/24"],
        vec![
            record("192.0.2.1", "H1", Verdict::Banned),
            record("192.0.2.2", "3", Verdict::Banned),
        ],
        Status::Complete,
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.ledger_find("3").unwrap().identity, "serial:3");
    assert_eq!(store.ledger_find("#2").unwrap().identity, "serial:3");
    assert_eq!(
        store.ledger_find("#3").unwrap().identity,
        "module:serial:H1-LC"
    );
    assert_eq!(store.ledger_find("#1").unwrap().identity, "serial:H1");
    assert!(matches!(
        store.ledger_find("#99"),
        Err(LedgerError::NotFound(_))
    ));
    // A refused mark keeps nothing, not even an item it made.
    let e = mark(&store, "#1", LedgerState::Destroyed).unwrap_err();
    assert!(e.is_usage());
    assert_eq!(store.ledger_entries(Some(1)).unwrap().len(), 1);
}

#[test]
fn a_module_marked_removed_and_seen_again_reappears_under_its_device() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let h1 = || record("192.0.2.1", "H1", Verdict::Banned);
    sweep(&db, &["192.0.2.0/24"], vec![h1()], Status::Complete);
    let store = Store::open(&db).unwrap();
    mark(&store, "H1-LC", LedgerState::Removed).unwrap();
    sweep(&db, &["192.0.2.0/24"], vec![h1()], Status::Complete);
    let seen: Vec<_> = store
        .ledger_sightings(2)
        .unwrap()
        .into_iter()
        .map(|s| (s.identity, s.outcome))
        .collect();
    assert_eq!(
        seen,
        [
            ("serial:H1".to_string(), "seen".to_string()),
            ("module:serial:H1-LC".to_string(), "reappeared".to_string())
        ]
    );
    let card = store.ledger_find("H1-LC").unwrap();
    assert_eq!(card.parent.as_deref(), Some("serial:H1"));
    assert!(card.still_there());
}

#[test]
fn a_module_without_a_model_is_named_by_its_entity_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut d = record("192.0.2.1", "H1", Verdict::Banned);
    d.modules[0].model = None;
    d.modules[0].name = Some("LPU 3".into());
    sweep(&db, &["192.0.2.0/24"], vec![d], Status::Complete);
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.ledger_find("H1-LC").unwrap().model.as_deref(),
        Some("LPU 3")
    );
}
