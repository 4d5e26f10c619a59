//! Issue 18 in every report format: the device's context with its sources, sysLocation and
//! sysContact, and the UK's full-fibre share (3 Huawei OLTs of 10 within the 35% cap, 4 of 10
//! over it), written through [`Writer`] as a sweep writes them.

use super::shares::tests::fibre;
use super::*;
use crate::date::Date;
use crate::record::{Context, Identification, Judgement, Observed, Sourced, Verdict};

/// Ten fibre-access OLTs at one site, the first `huawei` of them Huawei's (banned), the rest
/// Nokia's; the first one's site is hostile text.
fn segment(huawei: usize) -> Vec<DeviceRecord> {
    (0..10)
        .map(|i| {
            let (vendor, verdict) = match i < huawei {
                true => ("Huawei", Verdict::Banned),
                false => ("Nokia", Verdict::Clear),
            };
            let site = match i {
                0 => "=HYPERLINK(\"x\")<script>\u{1b}[2J",
                _ => "TOR01",
            };
            Observed {
                address: format!("127.18.0.{}", i + 1),
                sys_location: Some("TOR01 OLT room".into()),
                sys_contact: Some("noc@example.net".into()),
                context: Context {
                    site: Some(Sourced::new(site.into(), "inventory sites.csv:4")),
                    role: Some(Sourced::new("access".into(), "netbox devices.csv:12")),
                    technology: Some(Sourced::new(
                        "fibre-access".into(),
                        "sysLocation pattern inventory.toml:7",
                    )),
                    owner: Some(Sourced::new(
                        "Example Fibre Ltd".into(),
                        "inventory sites.csv:4",
                    )),
                    acquired: Some(Sourced::new(
                        Date::parse("2019-03-01").unwrap(),
                        "inventory sites.csv:4",
                    )),
                    first_seen: Some(Date::parse("2024-01-02").unwrap()),
                },
                identification: Identification {
                    vendor: Some(vendor.into()),
                    ..Identification::default()
                },
                ..Observed::default()
            }
            .judged(Judgement {
                verdict,
                findings: Vec::new(),
            })
        })
        .collect()
}

fn provenance() -> Provenance {
    Provenance {
        netorigin: "test",
        enterprise_numbers: 1,
        enterprise_registry: "IANA".into(),
        sysdescr_rules: 1,
        oui_registry: "IEEE".into(),
        policy: "uk-2020 1".into(),
    }
}

/// The report of the segment with `huawei` Huawei OLTs and its share, in `format`.
fn written(format: Format, huawei: usize, layout: Layout) -> String {
    let mut out = Vec::new();
    let mut w = Writer::new(format, &mut out)
        .unwrap()
        .layout(layout)
        .data_versions(provenance().line());
    for d in segment(huawei) {
        w.device(d).unwrap();
    }
    let summary = SweepSummary::default();
    w.finish(&summary, &[fibre(huawei as u64)], &provenance())
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_table_says_each_share_against_its_cap_and_shows_the_site() {
    let within = written(Format::Table, 3, Layout::wide());
    assert!(
        within.contains(
            "uk-2020 1/huawei-full-fibre: 30% of technology fibre-access (3 of 10 devices), cap 35%: within"
        ),
        "{within}"
    );
    let over = written(Format::Table, 4, Layout::wide());
    assert!(
        over.contains("40% of technology fibre-access (4 of 10 devices), cap 35%: EXCEEDED"),
        "{over}"
    );
    let header = over.lines().nth(1).unwrap();
    for column in ["site", "role", "technology"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        over.contains("TOR01") && over.contains("fibre-access"),
        "{over}"
    );
    assert!(!over.contains('\u{1b}'), "{over}");
    // At 100 columns the site is shown, the role and technology are not.
    let narrow = written(Format::Table, 4, Layout::fit(100));
    let header = narrow.lines().nth(1).unwrap();
    assert!(
        header.contains("site") && !header.contains("role"),
        "{header}"
    );
}

#[test]
fn a_table_without_context_has_no_empty_context_columns() {
    let bare = Observed::default().judged(Judgement {
        verdict: Verdict::Unknown,
        findings: Vec::new(),
    });
    let t = table(&[bare], Layout::wide()).to_string();
    let header = t.lines().nth(1).unwrap();
    assert!(
        header.contains("serial") && !header.contains("site"),
        "{header}"
    );
}

#[test]
fn json_has_the_shares_and_each_context_value_with_its_source() {
    for (huawei, exceeded) in [(3, false), (4, true)] {
        let doc: serde_json::Value =
            serde_json::from_str(&written(Format::Json, huawei, Layout::wide())).unwrap();
        let share = &doc["shares"][0];
        assert_eq!(share["found"], huawei);
        assert_eq!(share["total"], 10);
        assert_eq!(share["max_share"], 0.35);
        assert_eq!(share["exceeded"], exceeded);
        let d = &doc["devices"][1];
        assert_eq!(d["site"]["value"], "TOR01");
        assert_eq!(d["site"]["source"], "inventory sites.csv:4");
        assert_eq!(d["acquired"]["value"], "2019-03-01");
        assert_eq!(d["first_seen"], "2024-01-02");
        assert_eq!(d["sys_location"], "TOR01 OLT room");
        assert_eq!(d["sys_contact"], "noc@example.net");
    }
}

#[test]
fn json_lines_end_with_a_line_per_share() {
    for (huawei, exceeded) in [(3, false), (4, true)] {
        let text = written(Format::Jsonl, huawei, Layout::wide());
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 11);
        assert!(lines[..10].iter().all(|l| l["share"].is_null()));
        assert_eq!(lines[0]["technology"]["value"], "fibre-access");
        assert_eq!(lines[0]["role"]["source"], "netbox devices.csv:12");
        let share = &lines[10]["share"];
        assert_eq!(
            (share["found"].as_u64(), share["exceeded"].as_bool()),
            (Some(huawei as u64), Some(exceeded))
        );
        assert_eq!(share["of"], "technology fibre-access");
    }
}

#[test]
fn csv_has_the_context_columns_and_a_row_per_share() {
    for (huawei, state) in [
        (
            3,
            "30% of technology fibre-access (3 of 10 devices), cap 35%: within",
        ),
        (
            4,
            "40% of technology fibre-access (4 of 10 devices), cap 35%: EXCEEDED",
        ),
    ] {
        let text = written(Format::Csv, huawei, Layout::wide());
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        assert_eq!(col("notes") + 1, col("sys_location"));
        assert_eq!(col("share") + 1, col("data_versions"));
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 11);
        let devices: Vec<_> = rows
            .iter()
            .filter(|r| r[col("discovered_via")] != *"share")
            .collect();
        assert_eq!(devices.len(), 10);
        let d = devices
            .iter()
            .find(|r| r[col("address")] == *"127.18.0.2")
            .unwrap();
        assert_eq!(&d[col("site")], "TOR01");
        assert_eq!(&d[col("site_source")], "inventory sites.csv:4");
        assert_eq!(&d[col("technology")], "fibre-access");
        assert_eq!(&d[col("acquired")], "2019-03-01");
        assert_eq!(&d[col("first_seen")], "2024-01-02");
        assert_eq!(&d[col("sys_contact")], "noc@example.net");
        assert_eq!(&d[col("share")], "");
        // The hostile site is no formula.
        let first = devices
            .iter()
            .find(|r| r[col("address")] == *"127.18.0.1")
            .unwrap();
        assert!(first[col("site")].starts_with("'="), "{first:?}");
        let share = rows.last().unwrap();
        assert_eq!(&share[col("discovered_via")], "share");
        assert!(share[col("share")].ends_with(state), "{share:?}");
        assert_eq!(&share[col("address")], "");
        assert_eq!(&share[col("data_versions")], provenance().line().as_str());
    }
}

#[test]
fn html_has_a_shares_section_and_the_context_columns_escaped() {
    let within = written(Format::Html, 3, Layout::wide());
    assert!(
        within.contains(r#"<section id="shares">"#),
        "shares section"
    );
    assert!(
        within.contains(r#"<td class="found">30% (3 of 10 devices)</td><td class="cap">35%</td><td class="state">within</td>"#),
        "within"
    );
    let over = written(Format::Html, 4, Layout::wide());
    assert!(over.contains(r#"<tr class="share exceeded">"#), "exceeded");
    assert!(over.contains(">EXCEEDED</td>"), "exceeded");
    for key in ["site", "role", "technology"] {
        assert!(over.contains(&format!(r#"<th data-key="{key}">"#)), "{key}");
    }
    assert!(
        over.contains(r#"<td class="site" title="inventory sites.csv:4">TOR01</td>"#),
        "site cell"
    );
    assert!(over.contains("<li>owner: Example Fibre Ltd (from inventory sites.csv:4)</li>"));
    assert!(over.contains("<li>sysLocation: TOR01 OLT room</li>"));
    assert!(over.contains("&lt;script&gt;"), "hostile site escaped");
    assert!(!over.contains("<script>\u{1b}"), "hostile site escaped");
}

#[test]
fn a_stored_sweep_is_written_with_the_data_versions_it_was_stored_with() {
    let stored = "netorigin 0.0.9; rules: <old> & \u{1b}[2J; policy: uk-2020 1";
    let write = |format| {
        let mut out = Vec::new();
        let mut w = Writer::new(format, &mut out)
            .unwrap()
            .data_versions(stored.into());
        for d in segment(1) {
            w.device(d).unwrap();
        }
        w.finish_stored(&SweepSummary::default(), &[]).unwrap();
        String::from_utf8(out).unwrap()
    };
    let html = write(Format::Html);
    assert!(
        html.contains(
            r#"<p class="provenance">netorigin 0.0.9; rules: &lt;old&gt; &amp; \u{1b}[2J; policy: uk-2020 1</p>"#
        ),
        "{html}"
    );
    let json: serde_json::Value = serde_json::from_str(&write(Format::Json)).unwrap();
    assert_eq!(json["provenance"]["data_versions"], stored);
    let table = write(Format::Table);
    assert!(table.contains("netorigin 0.0.9; rules:"), "{table}");
    assert!(
        !table.contains("netorigin test") && !table.contains('\u{1b}'),
        "{table}"
    );
    assert!(write(Format::Jsonl).lines().all(|l| l.contains("0.0.9")));
    // A report made now says the data it was made with, as before.
    let now = written(Format::Html, 1, Layout::wide());
    assert!(now.contains(r#"<p class="provenance">netorigin test; rules: 1 curated enterprise numbers, IANA, 1 sysDescr fingerprints; OUIs: IEEE; policies: uk-2020 1</p>"#), "{now}");
}
