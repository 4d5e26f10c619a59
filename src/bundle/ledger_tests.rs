//! Format 2: the removal ledger's lines written and read back, and every way they can be wrong;
//! format 1 bundles still read. Also the sample items and entries other layers' tests use.

use super::tests::{gunzip, header, joined, records};
use super::*;
use crate::date::Date;
use crate::record::{LedgerState, Verdict};

/// A banned Huawei chassis of the ledger, in `state` since `since`.
pub(crate) fn item(identity: &str, state: LedgerState, since: &str) -> LedgerItemLine {
    LedgerItemLine {
        id: 1,
        identity: identity.into(),
        kind: LedgerKind::Device,
        parent: None,
        serial: identity.strip_prefix("serial:").map(str::to_string),
        chassis_mac: None,
        engine_id: None,
        address: "192.0.2.7".into(),
        vendor: Some("Huawei".into()),
        model: Some("NE40E-X8A".into()),
        sys_name: Some("tor-pe1".into()),
        site: Some("TOR01".into()),
        role: Some("core".into()),
        technology: Some("ip".into()),
        acquired: Date::parse("2019-03-01"),
        verdict: Verdict::Banned,
        rule: Some("us-fcc-covered-list/huawei".into()),
        jurisdiction: Some("US".into()),
        deadline: Date::parse("2027-06-30"),
        state,
        since: Date::parse(since).expect("a date"),
        target: None,
        exception: None,
        first_seen_ms: 1_767_225_600_000,
        last_seen_ms: 1_767_225_612_000,
        absent_sweeps: 0,
        reappeared: false,
    }
}

/// A step of item `item` (`identity`) from `from` to `state`, with one evidence file.
pub(crate) fn entry(
    id: i64,
    item: i64,
    identity: &str,
    from: Option<LedgerState>,
    state: LedgerState,
) -> LedgerEntryLine {
    LedgerEntryLine {
        id,
        item,
        identity: identity.into(),
        from,
        state,
        day: Date::parse("2026-01-02").expect("a date"),
        recorded_ms: 1_767_312_000_000,
        by: "Dana Field Ops".into(),
        note: Some("pulled from rack 4\nticket CHG-1182".into()),
        target: None,
        exception: None,
        evidence: vec![EvidenceLine {
            name: "removal-photo.jpg".into(),
            sha256: "ab".repeat(32),
            size: 182_113,
        }],
    }
}

/// A chassis found by a sweep, then removed, and a module planned.
fn ledger() -> (Vec<LedgerItemLine>, Vec<LedgerEntryLine>) {
    let chassis = item(
        "serial:2102351931P0K3000107",
        LedgerState::Removed,
        "2026-01-02",
    );
    let mut card = item(
        "module:serial:0231F1P0K3000123",
        LedgerState::Planned,
        "2026-01-02",
    );
    card.id = 2;
    card.kind = LedgerKind::Module;
    card.parent = Some(chassis.identity.clone());
    card.target = Date::parse("2026-09-30");
    let mut found = entry(1, 1, &chassis.identity, None, LedgerState::Found);
    found.by = "netorigin sweep #1".into();
    found.evidence.clear();
    found.note = None;
    let removed = entry(
        2,
        1,
        &chassis.identity,
        Some(LedgerState::Found),
        LedgerState::Removed,
    );
    let mut planned = entry(
        3,
        2,
        &card.identity,
        Some(LedgerState::Found),
        LedgerState::Planned,
    );
    planned.target = card.target;
    (vec![chassis, card], vec![found, removed, planned])
}

/// A format 2 bundle of `records()` and the ledger.
pub(super) fn ledger_bundle() -> Vec<u8> {
    let (items, entries) = ledger();
    let mut w = Writer::new(&header(), Vec::new()).unwrap();
    for d in &records() {
        w.device(d).unwrap();
    }
    for i in &items {
        w.ledger_item(i).unwrap();
    }
    for e in &entries {
        w.ledger_entry(e).unwrap();
    }
    w.finish().unwrap()
}

/// Every line of a bundle after its header, or the first error.
pub(super) fn read_lines(
    bytes: &[u8],
    limits: Limits,
) -> Result<(SweepHeader, Vec<Line>), BundleError> {
    let mut reader = Reader::new(bytes, limits)?;
    let mut lines = Vec::new();
    while let Some(l) = reader.next_line()? {
        lines.push(l);
    }
    assert!(reader.next_line()?.is_none());
    Ok((reader.header().clone(), lines))
}

fn read(bytes: &[u8]) -> Result<(SweepHeader, Vec<Line>), BundleError> {
    read_lines(bytes, Limits::default())
}

/// The text lines of the ledger bundle, to be spoiled: 0 the header, 1-3 devices, 4-5 items,
/// 6-8 entries, 9 the trailer.
fn text() -> Vec<String> {
    gunzip(&ledger_bundle())
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_ledger_reads_back_as_written_after_the_devices() {
    let (items, entries) = ledger();
    let bytes = ledger_bundle();
    let (h, lines) = read(&bytes).unwrap();
    assert_eq!(h, header());
    let (mut devices, mut got_items, mut got_entries) = (0, Vec::new(), Vec::new());
    for l in lines {
        match l {
            Line::Device(_) => devices += 1,
            Line::LedgerItem(i) => got_items.push(*i),
            Line::LedgerEntry(e) => got_entries.push(*e),
        }
    }
    assert_eq!(devices, 3);
    assert_eq!(got_items, items);
    assert_eq!(got_entries, entries);
    let t = text();
    assert_eq!(t.len(), 10);
    assert!(
        t[4].starts_with(
            r#"{"ledger_item":{"id":1,"identity":"serial:2102351931P0K3000107","kind":"device""#
        ),
        "{}",
        t[4]
    );
    assert!(t[5].contains(r#""kind":"module""#), "{}", t[5]);
    assert!(
        t[7].contains(r#""from":"found","state":"removed","day":"2026-01-02""#),
        "{}",
        t[7]
    );
    assert!(
        t[7].contains(r#""evidence":[{"name":"removal-photo.jpg","sha256":"abab"#),
        "{}",
        t[7]
    );
    assert_eq!(
        t[9],
        r#"{"end":{"devices":3,"ledger_items":2,"ledger_entries":3}}"#
    );
    // A reader that wants the devices passes over the ledger, still checking its counts.
    let mut reader = Reader::new(&bytes[..], Limits::default()).unwrap();
    let mut n = 0;
    while reader.next_device().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(
        (
            n,
            reader.ledger_items(),
            reader.ledger_entries(),
            reader.format()
        ),
        (3, 2, 3, 2)
    );
}

#[test]
fn a_ledger_count_that_does_not_match_is_refused() {
    for (end, what, said, read_) in [
        (
            r#"{"end":{"devices":3,"ledger_items":3,"ledger_entries":3}}"#,
            "ledger items",
            3,
            2,
        ),
        (
            r#"{"end":{"devices":3,"ledger_items":2,"ledger_entries":0}}"#,
            "ledger entries",
            0,
            3,
        ),
    ] {
        let mut l = text();
        l[9] = end.into();
        assert_eq!(
            read(&joined(&l)).err(),
            Some(BundleError::Count {
                what,
                said,
                read: read_
            })
        );
    }
    // An entry dropped on the way.
    let mut l = text();
    l.remove(7);
    assert_eq!(
        read(&joined(&l)).err(),
        Some(BundleError::Count {
            what: "ledger entries",
            said: 3,
            read: 2
        })
    );
    // A format 2 trailer must count the ledger, even when it is empty.
    let mut l = text();
    l.truncate(4);
    l.push(r#"{"end":{"devices":3}}"#.into());
    let e = read(&joined(&l)).err().unwrap();
    assert!(
        matches!(&e, BundleError::Json { line: 5, reason } if reason.contains("ledger_items")),
        "{e}"
    );
}

#[test]
fn a_format_1_bundle_still_reads_and_holds_no_ledger() {
    let mut l: Vec<String> = super::tests::lines()[..4].to_vec();
    l[0] = l[0].replacen(r#"{"netorigin_bundle":2"#, r#"{"netorigin_bundle":1"#, 1);
    l.push(r#"{"end":{"devices":3}}"#.into());
    let bytes = joined(&l);
    let mut reader = Reader::new(&bytes[..], Limits::default()).unwrap();
    assert_eq!(reader.format(), 1);
    let mut devices = 0;
    while let Some(line) = reader.next_line().unwrap() {
        assert!(matches!(line, Line::Device(_)));
        devices += 1;
    }
    assert_eq!(devices, 3);
    // Its trailer counts devices only; a ledger line is no part of it.
    let mut counted = l.clone();
    counted[4] = r#"{"end":{"devices":3,"ledger_items":0,"ledger_entries":0}}"#.into();
    assert!(matches!(
        read(&joined(&counted)),
        Err(BundleError::Json { line: 5, .. })
    ));
    let mut with_ledger = l.clone();
    with_ledger.insert(4, text()[4].clone());
    let e = read(&joined(&with_ledger)).err().unwrap();
    assert!(
        matches!(&e, BundleError::Json { line: 5, reason } if reason.contains("format 1")),
        "{e}"
    );
}

#[test]
fn ledger_lines_come_after_the_devices_items_before_entries() {
    // A device after an item.
    let mut l = text();
    let device = l.remove(3);
    l.insert(5, device);
    let e = read(&joined(&l)).err().unwrap();
    assert!(
        matches!(&e, BundleError::Json { line: 6, reason } if reason.contains("devices come first")),
        "{e}"
    );
    // An item after an entry.
    let mut l = text();
    let item = l.remove(5);
    l.insert(6, item);
    let e = read(&joined(&l)).err().unwrap();
    assert!(
        matches!(&e, BundleError::Json { line: 7, reason } if reason.contains("items come first")),
        "{e}"
    );
    // The writer keeps the same order.
    let (items, entries) = ledger();
    let mut w = Writer::new(&header(), Vec::new()).unwrap();
    w.ledger_item(&items[0]).unwrap();
    assert!(w.device(&records()[0]).is_err());
    w.ledger_entry(&entries[0]).unwrap();
    assert!(w.ledger_item(&items[1]).is_err());
    assert_eq!(
        (w.devices(), w.ledger_items(), w.ledger_entries()),
        (0, 1, 1)
    );
}

#[test]
fn hostile_ledger_text_is_refused_and_the_writer_makes_it_fit() {
    for (at, from, to) in [
        (7, r#""by":"Dana Field Ops""#, r#""by":"Dana\u001b[2J""#),
        (7, r#""note":"pulled"#, r#""note":"\u0000pulled"#),
        (4, r#""sys_name":"tor-pe1""#, r#""sys_name":"tor\u009bpe1""#),
        (
            7,
            r#""name":"removal-photo.jpg""#,
            r#""name":"x\u007f.jpg""#,
        ),
    ] {
        let mut l = text();
        l[at] = l[at].replacen(from, to, 1);
        assert_ne!(l[at], text()[at], "{from}");
        let e = read(&joined(&l)).err().unwrap();
        assert!(
            matches!(&e, BundleError::Hostile { line, reason }
                if *line == at as u64 + 1 && reason.contains("control character")),
            "{to}: {e}"
        );
    }
    let mut l = text();
    let huge = "A".repeat(Limits::default().max_string + 1);
    l[7] = l[7].replacen("Dana Field Ops", &huge, 1);
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Hostile { line: 8, .. })
    ));
    // People's text as typed is made fit to send, as device text is.
    let (mut items, entries) = ledger();
    let mut e = entries[1].clone();
    e.by = "Dana\u{1b}[31m".into();
    e.note = Some(format!("{}\u{7}", "n".repeat(70_000)));
    items[0].exception = Some("x\u{0}y".into());
    let mut w = Writer::new(&header(), Vec::new()).unwrap();
    w.ledger_item(&items[0]).unwrap();
    w.ledger_entry(&e).unwrap();
    let (_, back) = read(&w.finish().unwrap()).unwrap();
    let [Line::LedgerItem(i), Line::LedgerEntry(e)] = &back[..] else {
        panic!("{back:?}");
    };
    assert_eq!(i.exception.as_deref(), Some(r"x\x00y"));
    assert_eq!(e.by, r"Dana\x1b[31m");
    let note = e.note.as_deref().unwrap();
    assert!(note.len() <= Limits::default().max_string && note.ends_with("… (cut)"));
}

#[test]
fn a_ledger_line_that_is_not_one_is_refused() {
    for (at, from, to) in [
        (4, r#""state":"removed""#, r#""state":"gone""#),
        (4, r#""since":"2026-01-02""#, r#""since":"2026-02-30""#),
        (4, r#""kind":"device""#, r#""kind":"rack""#),
        (4, r#""verdict":"banned""#, r#""verdict":"evil""#),
        (4, r#""id":1,"#, r#""id":1,"extra":true,"#),
        (
            4,
            r#""identity":"serial:2102351931P0K3000107""#,
            r#""identity":"""#,
        ),
        (7, r#""day":"2026-01-02""#, r#""day":"yesterday""#),
        (7, r#""sha256":"abab"#, r#""sha256":"ABAB"#),
        (7, r#""size":182113"#, r#""size":-1"#),
        (7, r#""from":"found""#, r#""from":"nowhere""#),
        (7, r#""ledger_entry":{"#, r#""ledger_entry":{"more":[],"#),
    ] {
        let mut l = text();
        l[at] = l[at].replacen(from, to, 1);
        assert_ne!(l[at], text()[at], "{from}");
        let e = read(&joined(&l)).err().unwrap();
        assert!(
            matches!(e, BundleError::Json { line, .. } if line == at as u64 + 1),
            "{to}: {e}"
        );
    }
    let mut l = text();
    l[4] = r#"{"ledger_items":{}}"#.into();
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Json { line: 5, .. })
    ));
}

#[test]
fn more_ledger_lines_than_the_limit_are_refused() {
    let limits = Limits {
        max_ledger: 4,
        ..Limits::default()
    };
    assert_eq!(
        read_lines(&ledger_bundle(), limits).err(),
        Some(BundleError::TooManyLedgerLines { limit: 4 })
    );
    let limits = Limits {
        max_ledger: 5,
        ..Limits::default()
    };
    assert_eq!(read_lines(&ledger_bundle(), limits).unwrap().1.len(), 8);
}

#[test]
fn what_reads_writes_back_line_for_line() {
    let (h, lines) = read(&ledger_bundle()).unwrap();
    let mut w = Writer::new(&h, Vec::new()).unwrap();
    for l in &lines {
        w.write_line(l).unwrap();
    }
    assert_eq!(gunzip(&w.finish().unwrap()), gunzip(&ledger_bundle()));
}
