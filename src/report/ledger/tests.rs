//! The ledger's reports: each column's count, the percentage, overdue and the next deadline,
//! the groups and the total, the deadlines per jurisdiction, the annual list, which items a
//! site and a year take in, and hostile text in every format.

use super::sheets::tenths;
use super::*;
use crate::record::{LedgerState, Verdict};
use crate::report::html::csp_hash;
use crate::store::LedgerEntry;

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn ms(s: &str) -> i64 {
    day(s).days() * 86_400_000 + 3_600_000
}

/// A banned Huawei router at TOR01 (core, 5g), Canada's 5G rule, found by sweep 1.
fn item(id: i64, state: LedgerState) -> LedgerItem {
    LedgerItem {
        id,
        identity: format!("serial:S{id}"),
        kind: "device".into(),
        parent: None,
        serial: Some(format!("S{id}")),
        chassis_mac: None,
        engine_id: None,
        address: format!("192.0.2.{id}"),
        vendor: Some("Huawei".into()),
        model: Some("NE40E".into()),
        sys_name: None,
        site: Some("TOR01".into()),
        role: Some("core".into()),
        technology: Some("5g".into()),
        acquired: None,
        verdict: Verdict::Banned,
        rule: Some("canada-2022 1/huawei-zte-5g".into()),
        jurisdiction: Some("CA".into()),
        deadline: Some("2027-12-31".into()),
        state,
        since: "2026-01-05".into(),
        target: None,
        exception: None,
        first_sweep: 1,
        first_seen_ms: ms("2025-03-01"),
        last_sweep: 1,
        last_seen_ms: ms("2025-03-01"),
        absent_sweeps: 0,
        reappeared_sweep: None,
    }
}

fn with(mut i: LedgerItem, f: impl FnOnce(&mut LedgerItem)) -> LedgerItem {
    f(&mut i);
    i
}

/// The cells of `key` in every row of `sheet`, then the total's, as a person reads them.
fn column(sheet: &Sheet, key: &str) -> Vec<String> {
    sheet
        .rows
        .iter()
        .chain(&sheet.total)
        .map(|r| sheet.cell(r, key).unwrap().words())
        .collect()
}

fn today() -> Date {
    day("2026-06-01")
}

#[test]
fn each_state_is_counted_in_its_column_and_exempt_gear_is_no_item() {
    use LedgerState::*;
    let states = [
        Found,
        Found,
        Planned,
        Decommissioned,
        Removed,
        InCustody,
        Sanitised,
        Destroyed,
        Exempt,
    ];
    let items: Vec<_> = (1..).zip(states).map(|(n, s)| item(n, s)).collect();
    let sheet = status(&items, today());
    assert_eq!(sheet.rows.len(), 1);
    let got: Vec<(&str, String)> = sheet
        .columns
        .iter()
        .zip(&sheet.rows[0])
        .map(|(c, v)| (c.key, v.words()))
        .collect();
    let want = [
        ("site", "TOR01"),
        ("role", "core"),
        ("technology", "5g"),
        ("items", "8"),
        ("found", "2"),
        ("planned", "1"),
        ("decommissioned", "1"),
        ("removed", "3"),
        ("destroyed", "1"),
        ("exempt", "1"),
        ("remaining", "4"),
        // 4 of 8 removed or later.
        ("percent_complete", "50.0"),
        ("overdue", "0"),
        ("next_deadline", "2027-12-31"),
        ("reappeared", "0"),
        ("unconfirmed_absent", "0"),
    ];
    let want: Vec<(&str, String)> = want.iter().map(|(k, v)| (*k, v.to_string())).collect();
    assert_eq!(got, want);
    // One group: the total says the same.
    assert_eq!(&sheet.total.as_ref().unwrap()[3..], &sheet.rows[0][3..]);
    assert_eq!(sheet.total.as_ref().unwrap()[0].words(), "total");
}

#[test]
fn percentages_are_to_a_tenth_rounded_half_up() {
    assert_eq!(tenths(3, 7), Some(429));
    assert_eq!(tenths(1, 3), Some(333));
    assert_eq!(tenths(2, 3), Some(667));
    assert_eq!(tenths(1, 8), Some(125));
    assert_eq!(tenths(7, 7), Some(1000));
    assert_eq!(tenths(0, 0), None);
    let items = [
        item(1, LedgerState::Destroyed),
        item(2, LedgerState::Found),
        item(3, LedgerState::Found),
    ];
    assert_eq!(
        column(&status(&items, today()), "percent_complete"),
        ["33.3", "33.3"]
    );
    // Only exempt gear: no items, no percentage.
    let exempt = [item(1, LedgerState::Exempt)];
    let sheet = status(&exempt, today());
    assert_eq!(column(&sheet, "percent_complete"), ["-", "-"]);
    assert_eq!(sheet.rows[0][11].for_csv(), "");
    assert_eq!(sheet.rows[0][11].json(), serde_json::Value::Null);
}

#[test]
fn overdue_and_the_next_deadline_count_only_gear_still_on_the_network() {
    use LedgerState::*;
    let items = [
        // Past its deadline, still there: overdue.
        with(item(1, Found), |i| i.deadline = Some("2026-05-31".into())),
        // Deadline ahead but its planned target passed: overdue.
        with(item(2, Planned), |i| i.target = Some("2026-04-30".into())),
        // Due today: not overdue yet.
        with(item(3, Decommissioned), |i| {
            i.deadline = Some("2026-06-01".into())
        }),
        // Removed long after its deadline: neither overdue nor next.
        with(item(4, Removed), |i| i.deadline = Some("2020-01-01".into())),
        // Exempt: neither.
        with(item(5, Exempt), |i| i.deadline = Some("2019-01-01".into())),
        // Review gear with no deadline and no target.
        with(item(6, Found), |i| {
            i.deadline = None;
            i.rule = None;
        }),
    ];
    let sheet = status(&items, today());
    assert_eq!(column(&sheet, "overdue"), ["2", "2"]);
    assert_eq!(
        column(&sheet, "next_deadline"),
        ["2026-04-30", "2026-04-30"]
    );
    assert_eq!(column(&sheet, "remaining"), ["4", "4"]);
    // Nothing remaining: no next deadline.
    let done = [item(1, Destroyed)];
    assert_eq!(column(&status(&done, today()), "next_deadline"), ["-", "-"]);
}

#[test]
fn gear_seen_again_and_gear_unconfirmed_absent_are_counted() {
    use LedgerState::*;
    let items = [
        with(item(1, Removed), |i| i.reappeared_sweep = Some(4)),
        with(item(2, Found), |i| i.absent_sweeps = 3),
        with(item(3, Found), |i| i.absent_sweeps = 2),
        // Off the network: its absence is expected.
        with(item(4, Destroyed), |i| i.absent_sweeps = 9),
    ];
    let sheet = status(&items, today());
    assert_eq!(column(&sheet, "reappeared"), ["1", "1"]);
    assert_eq!(column(&sheet, "unconfirmed_absent"), ["1", "1"]);
    assert!(
        sheets::STATUS[15]
            .means
            .contains(&format!("{} or more", crate::store::ledger::ABSENT_AFTER))
    );
}

#[test]
fn a_row_per_site_role_and_technology_unknown_last_and_a_total() {
    use LedgerState::*;
    let items = [
        with(item(1, Found), |i| i.site = Some("YVR02".into())),
        item(2, Destroyed),
        item(3, Found),
        with(item(4, Found), |i| i.technology = Some("4g".into())),
        with(item(5, Planned), |i| {
            i.site = None;
            i.role = None;
            i.technology = None;
        }),
    ];
    let sheet = status(&items, today());
    let keys: Vec<String> = sheet
        .rows
        .iter()
        .chain(&sheet.total)
        .map(|r| format!("{} {} {}", r[0].words(), r[1].words(), r[2].words()))
        .collect();
    assert_eq!(
        keys,
        [
            "TOR01 core 4g",
            "TOR01 core 5g",
            "YVR02 core 5g",
            "- - -",
            "total - -"
        ]
    );
    assert_eq!(column(&sheet, "items"), ["1", "2", "1", "1", "5"]);
    assert_eq!(column(&sheet, "destroyed"), ["0", "1", "0", "0", "1"]);
    assert_eq!(
        column(&sheet, "percent_complete"),
        ["0.0", "50.0", "0.0", "0.0", "20.0"]
    );
}

#[test]
fn deadlines_are_counted_per_jurisdiction_rule_and_date() {
    use LedgerState::*;
    let uk = |i: &mut LedgerItem| {
        i.jurisdiction = Some("UK".into());
        i.rule = Some("uk-2020 1/huawei-core".into());
        i.deadline = Some("2023-01-28".into());
    };
    let items = [
        item(1, Found),
        item(2, Destroyed),
        item(3, Exempt),
        with(item(4, Found), uk),
        with(item(5, Sanitised), uk),
        with(item(6, Found), |i| {
            i.rule = None;
            i.jurisdiction = None;
            i.deadline = None;
        }),
    ];
    let sheet = deadlines(&items, today());
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .chain(&sheet.total)
        .map(|r| r.iter().map(Cell::words).collect())
        .collect();
    let want = [
        [
            "UK",
            "uk-2020 1/huawei-core",
            "2023-01-28",
            "2",
            "1",
            "1",
            "-1220",
            "50.0",
            "0",
        ],
        [
            "CA",
            "canada-2022 1/huawei-zte-5g",
            "2027-12-31",
            "2",
            "1",
            "0",
            "578",
            "50.0",
            "1",
        ],
        ["-", "-", "-", "1", "1", "0", "-", "0.0", "0"],
        ["total", "-", "-", "5", "3", "1", "-", "40.0", "1"],
    ];
    assert_eq!(rows, want);
    assert_eq!(sheet.rows[0][6].json(), serde_json::json!(-1220));
}

#[test]
fn the_annual_list_has_a_row_per_item_with_its_plan() {
    let planned = with(item(7, LedgerState::Planned), |i| {
        i.target = Some("2027-06-30".into());
        i.acquired = Some("2019-04-01".into());
        i.last_sweep = 3;
        i.last_seen_ms = ms("2026-05-30");
    });
    let sheet = annual(&[planned, item(8, LedgerState::InCustody)]);
    let got = |key: &str| column(&sheet, key);
    assert_eq!(got("number"), ["7", "8"]);
    assert_eq!(got("identity"), ["serial:S7", "serial:S8"]);
    assert_eq!(got("acquired"), ["2019-04-01", "unknown"]);
    assert_eq!(got("first_seen"), ["2025-03-01", "2025-03-01"]);
    assert_eq!(got("state"), ["planned", "in-custody"]);
    assert_eq!(got("target"), ["2027-06-30", "-"]);
    assert_eq!(got("removed"), ["no", "yes"]);
    assert_eq!(got("last_seen"), ["2026-05-30", "2025-03-01"]);
    assert_eq!(got("last_sweep"), ["3", "1"]);
    assert!(sheet.total.is_none());
}

fn sweep(id: i64, site: Option<&str>) -> SweepRow {
    SweepRow {
        id,
        uuid: uuid::Uuid::from_u128(id as u128),
        site: site.map(str::to_string),
        started_ms: ms("2025-03-01"),
        ended_ms: None,
        status: "complete".into(),
        pid: 1,
        parameters: serde_json::json!({}),
        data_versions: format!("netorigin 1; policy v{id}"),
        judged_on: "2025-03-01".into(),
        probed: None,
        responders: None,
        silent: None,
        requests: None,
        timeouts: None,
        note: None,
        devices: 1,
        banned: 1,
    }
}

fn entry(id: i64, item: i64, day: &str) -> LedgerEntry {
    LedgerEntry {
        id,
        item,
        identity: format!("serial:S{item}"),
        from: None,
        state: LedgerState::Found,
        day: day.into(),
        recorded_ms: 0,
        by: "ops".into(),
        note: None,
        target: None,
        exception: None,
        sweep: None,
        evidence: Vec::new(),
    }
}

#[test]
fn a_site_takes_in_its_own_items_and_those_its_sweeps_saw_and_a_year_those_seen_or_changed() {
    let items = [
        item(1, LedgerState::Found),
        // No site of its own: the sweep's.
        with(item(2, LedgerState::Found), |i| {
            i.site = None;
            i.last_sweep = 2;
        }),
        // Seen 2023 to 2024 only, changed in 2026.
        with(item(3, LedgerState::Removed), |i| {
            i.site = Some("YVR02".into());
            i.first_seen_ms = ms("2023-05-01");
            i.last_seen_ms = ms("2024-12-31");
        }),
    ];
    let sweeps = [sweep(1, None), sweep(2, Some("tor01"))];
    let entries = [entry(1, 1, "2025-03-01"), entry(2, 3, "2026-02-01")];
    let scope = |site: Option<&str>, year: Option<i32>| Scope {
        today: today(),
        site: site.map(str::to_string),
        year,
    };
    let ids = |s: &Scope| -> Vec<i64> {
        select(&items, &entries, &sweeps, s, None)
            .0
            .iter()
            .map(|i| i.id)
            .collect()
    };
    assert_eq!(ids(&scope(Some("TOR01"), None)), [1, 2]);
    assert_eq!(ids(&scope(Some("YVR02"), None)), [3]);
    assert_eq!(ids(&scope(None, Some(2024))), [3]);
    assert_eq!(ids(&scope(None, Some(2025))), [1, 2]);
    assert_eq!(ids(&scope(None, Some(2026))), [3]);
    assert_eq!(ids(&scope(None, Some(2022))), Vec::<i64>::new());
    let (chosen, basis) = select(&items, &entries, &sweeps, &scope(Some("tor01"), None), None);
    assert_eq!(chosen[1].site.as_deref(), Some("tor01"));
    let rested: Vec<i64> = basis.sweeps.iter().map(|s| s.id).collect();
    assert_eq!(rested, [1, 2]);
    assert_eq!((basis.entries, basis.last_entry), (1, Some(2)));
    assert_eq!(
        basis.data_versions(),
        ["netorigin 1; policy v1", "netorigin 1; policy v2"]
    );
}

/// A report over hostile device text, resting on one sweep and a pack.
fn hostile() -> (Sheet, Scope, Basis) {
    let bad = with(item(1, LedgerState::Found), |i| {
        i.vendor = Some("=HYPERLINK(\"http://x\")".into());
        i.model = Some("<script>alert(1)</script>".into());
        i.serial = Some("S\u{1b}[2J\u{202e}1".into());
        i.site = Some("@SUM(A1)".into());
    });
    let scope = Scope {
        today: today(),
        site: Some("\"</style><script>x</script>".into()),
        year: None,
    };
    let basis = Basis {
        sweeps: vec![sweep(1, None)],
        entries: 1,
        last_entry: Some(1),
        pack: Some(Pack {
            file: "pack.tar".into(),
            sha256: "ab".repeat(32),
        }),
    };
    (annual(&[bad]), scope, basis)
}

fn written(format: LedgerFormat, sheet: &Sheet, scope: &Scope, basis: &Basis) -> String {
    let mut out = Vec::new();
    write(sheet, scope, basis, format, Layout::wide(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_is_formula_and_terminal_safe_and_names_what_it_rests_on() {
    let (sheet, scope, basis) = hostile();
    let text = written(LedgerFormat::Csv, &sheet, &scope, &basis);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    let mut r = ::csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[0], "number");
    assert_eq!(&header[21..], BASIS_COLUMNS);
    let row: Vec<String> = r
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(row[3], "'=HYPERLINK(\"http://x\")");
    assert_eq!(row[5], "S\\u{1b}[2J\\u{202e}1");
    assert_eq!(row[6], "'@SUM(A1)");
    assert_eq!(row[21], "2026-06-01");
    assert_eq!(
        row[22],
        "#1 00000000-0000-0000-0000-000000000001 started 2025-03-01 01:00:00Z (complete)"
    );
    assert_eq!(row[23], "netorigin 1; policy v1");
    assert_eq!((row[24].as_str(), row[25].as_str()), ("2025-03-01", "1"));
    assert_eq!(row[26], "ab".repeat(32));
}

#[test]
fn the_table_lets_no_control_character_through() {
    let (sheet, scope, basis) = hostile();
    let text = written(LedgerFormat::Table, &sheet, &scope, &basis);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(text.contains("S\\u{1b}[2J\\u{202e}1"), "{text}");
    assert!(
        text.contains("rests on sweep #1 00000000-0000-0000-0000-000000000001"),
        "{text}"
    );
    assert!(
        text.contains("evidence pack pack.tar: SHA-256 abab"),
        "{text}"
    );
    assert!(text.contains("1 ledger entry about these items (the ledger as of entry #1)"));
}

#[test]
fn the_page_escapes_device_text_and_allows_only_its_own_style() {
    let (sheet, scope, basis) = hostile();
    let page = written(LedgerFormat::Html, &sheet, &scope, &basis);
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains('\u{1b}') && !page.contains('\u{202e}'));
    // The style element is the page's one: the site in its running header cannot end it.
    assert_eq!(page.matches("</style>").count(), 1, "{page}");
    let style = page
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    assert!(page.contains(&format!("style-src 'sha256-{}'", csp_hash(style))));
    assert!(style.contains("@page{size:A4 landscape"), "{style}");
    assert!(style.contains("@top-left{content:\"netorigin: Annual list of covered equipment; as of 2026-06-01; site: \\22 \\3c /style\\3e \\3c script\\3e x\\3c /script\\3e \""), "{style}");
    assert!(style.contains("section+section{break-before:page}"));
    assert!(page.contains("<h2>What this report rests on</h2>"));
    assert!(page.contains("<code>00000000-0000-0000-0000-000000000001</code>"));
    assert!(page.contains("SHA-256 <code>abab"));
}

#[test]
fn json_keeps_numbers_as_numbers_and_says_what_it_rests_on() {
    let items = [item(1, LedgerState::Destroyed), item(2, LedgerState::Found)];
    let scope = Scope {
        today: today(),
        site: None,
        year: None,
    };
    let (chosen, basis) = select(&items, &[], &[sweep(1, None)], &scope, None);
    let text = written(
        LedgerFormat::Json,
        &status(&chosen, today()),
        &scope,
        &basis,
    );
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["report"], "status");
    assert_eq!(doc["as_of"], "2026-06-01");
    assert_eq!(doc["rows"][0]["percent_complete"], 50.0);
    assert_eq!(doc["rows"][0]["site"], "TOR01");
    assert_eq!(doc["total"]["items"], 2);
    assert_eq!(doc["total"]["role"], serde_json::Value::Null);
    assert_eq!(
        doc["rests_on"]["sweeps"][0]["uuid"],
        "00000000-0000-0000-0000-000000000001"
    );
    assert_eq!(doc["rests_on"]["ledger_entries"], 0);
    assert_eq!(doc["rests_on"]["pack"], serde_json::Value::Null);
}

#[test]
fn a_fitted_table_is_never_wider_than_its_width_and_each_row_is_one_line() {
    use LedgerState::*;
    let long = |i: &mut LedgerItem| {
        i.site = Some("TORONTO-EAST-CENTRAL-OFFICE-01".into());
        i.role = Some("aggregation".into());
        i.technology = Some("full-fibre".into());
        i.model = Some("NetEngine 8000 M8 with a long description".into());
        i.identity = "module:serial:2102359576DMHC000120".into();
        i.acquired = Some("2019-03-15".into());
        i.target = Some("2027-06-30".into());
    };
    let items = [
        with(item(1, Decommissioned), long),
        with(item(2, InCustody), long),
        item(3, Found),
    ];
    for kind in [Kind::Status, Kind::Annual, Kind::Deadlines] {
        let (columns, rows) = table_cells(&sheet(kind, &items, today()));
        for width in (80..=240).step_by(10) {
            let t = fitted(&columns, &rows, Layout::fit(width)).to_string();
            let widest = t.lines().map(|l| l.chars().count()).max().unwrap();
            assert!(widest <= usize::from(width), "{kind:?} at {width}:\n{t}");
            // Top border, header, separator, the rows, bottom border.
            assert_eq!(
                t.lines().count(),
                rows.len() + 4,
                "{kind:?} at {width}:\n{t}"
            );
        }
    }
}

#[test]
fn json_lets_no_escape_sequence_or_invisible_character_through() {
    let (sheet, scope, basis) = hostile();
    let text = written(LedgerFormat::Json, &sheet, &scope, &basis);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["rows"][0]["serial"], "S\u{1b}[2J\u{202e}1");
    assert_eq!(doc["rows"][0]["vendor"], "=HYPERLINK(\"http://x\")");
}
