//! The report as a work list, through the real binary: tables that fit 80, 100 and 200 columns
//! (by `$COLUMNS` and on a terminal of set width), `history` views likewise; polled banned
//! devices first and neighbours under the device that reported them, in the table, CSV and
//! HTML; deadlines that say what to do; the deciding evidence first; history's help offering
//! only the formats it writes; counts of one in the singular.
//! Simulated agents live on 127.35.0.0/24 only.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{Simulator, bin, root, s, test_data_dir};

/// Runs netorigin with `$COLUMNS` set (or unset), output captured; it must succeed.
fn run_with(args: &[&str], columns: Option<u16>) -> String {
    let mut c = Command::new(bin());
    c.args(args)
        .env("NETORIGIN_DATA_DIR", test_data_dir())
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
    if let Some(w) = columns {
        c.env("COLUMNS", w.to_string());
    }
    let o: Output = c.output().expect("run netorigin");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Text without terminal colour sequences or carriage returns.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// Every line of `text` at most `width` characters (not bytes), and at least one line.
fn assert_fits(text: &str, width: usize, what: &str) {
    let text = plain(text);
    assert!(text.lines().count() > 3, "{what}: {text}");
    for line in text.lines() {
        assert!(
            line.chars().count() <= width,
            "{what}: a line of {} characters at {width}:\n{line}\n\n{text}",
            line.chars().count()
        );
    }
}

fn widest(text: &str) -> usize {
    plain(text)
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn the_demo_table_fits_80_100_and_200_columns_and_wide_keeps_everything() {
    for width in [80, 100, 200] {
        let table = run_with(&["demo"], Some(width));
        assert_fits(&table, usize::from(width), &format!("demo at {width}"));
        assert!(!table.contains('\u{1b}'), "no colour on a pipe");
    }
    // Without $COLUMNS on a pipe: 100.
    assert!(widest(&run_with(&["demo"], None)) <= 100);
    let wide = run_with(&["demo", "--wide"], Some(80));
    assert!(widest(&wide) > 200, "--wide keeps every column whole");
    for column in ["serial", "sys_name", "evidence"] {
        assert!(wide.lines().nth(1).unwrap().contains(column), "{wide}");
    }
}

#[test]
fn the_demo_table_fits_a_terminal_of_80_columns() {
    let command = format!("stty cols 80 rows 50; {} demo 2>/dev/null", bin());
    let o = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NETORIGIN_DATA_DIR", test_data_dir())
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("script(1) from util-linux runs the demo on a terminal");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("banned"), "{text}");
    assert_fits(&text, 80, "demo on an 80-column terminal");
}

/// A history database holding two sweeps of six Huawei recordings (among them a serial with a
/// hex dump behind it and a placeholder serial), the second without one of them.
fn history_db(dir: &Path) -> PathBuf {
    let recordings: Vec<PathBuf> = [
        "vrp_5720",
        "vrp_ce12804-entity",
        "smartax-mdu",
        "ibmc",
        "huawei-optixrtn_optixrtn905",
        "huawei-smu",
    ]
    .iter()
    .map(|n| root().join(format!("tests/data/snmprec/huawei/{n}.snmprec")))
    .collect();
    let db = dir.join("history.db");
    for n in [recordings.len(), recordings.len() - 1] {
        let sim = Simulator::start("127.35.0.1", &recordings[..n], &[]);
        let port = sim.port.to_string();
        run_with(
            &[
                "sweep",
                "127.35.0.0/28",
                "--port",
                &port,
                "--rate",
                "unlimited",
                "--timeout",
                "300",
                "--retries",
                "0",
                "--db",
                s(&db),
                "--format",
                "jsonl",
            ],
            None,
        );
    }
    db
}

#[test]
fn history_views_fit_80_100_and_200_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_db(dir.path());
    for width in [80, 100, 200] {
        for view in [
            &["history", "show", "1"][..],
            &["history", "list"],
            &["history", "diff"],
        ] {
            let mut args = view.to_vec();
            args.extend(["--db", s(&db)]);
            let text = run_with(&args, Some(width));
            assert_fits(&text, usize::from(width), &format!("{view:?} at {width}"));
        }
    }
    let mut args = vec!["history", "show", "1", "--wide", "--db", s(&db)];
    let wide = run_with(&args, Some(80));
    assert!(wide.contains("identity"), "{wide}");
    args.truncate(3);
    args.extend(["--db", s(&db), "--format", "csv"]);
    assert!(run_with(&args, Some(80)).lines().count() > 5);
}

#[test]
fn history_help_offers_only_the_formats_it_writes() {
    for command in ["list", "show", "diff"] {
        let help = run_with(&["history", command, "--help"], None);
        let formats = help
            .split("--format")
            .nth(1)
            .unwrap_or_else(|| panic!("{help}"));
        let formats = formats.split("[default").next().unwrap();
        for offered in ["table", "jsonl", "json", "csv"] {
            assert!(formats.contains(offered), "{command}: {help}");
        }
        for refused in ["html", "dot"] {
            assert!(
                !formats.contains(refused),
                "{command} offers {refused}: {help}"
            );
        }
    }
}

/// A row of a report in the order written.
#[derive(Debug)]
struct Row {
    address: String,
    verdict: String,
    /// Polled (not seen only as a neighbour).
    polled: bool,
    /// Listed under the row above's polled device, where the format shows it.
    nested: Option<bool>,
    /// The polled device that reported it, where the format says.
    reported_by: Option<String>,
}

/// The work-list order: the first row is a polled banned device, and polled banned devices
/// come before every other row that is not listed under another; every neighbour-only row is
/// listed directly under the polled device that reported it.
fn check_order(rows: &[Row], what: &str) {
    assert!(rows.len() > 40, "{what}: {rows:?}");
    assert!(
        rows[0].polled && rows[0].verdict == "banned",
        "{what}: {rows:?}"
    );
    let polled: Vec<&str> = rows
        .iter()
        .filter(|r| r.polled)
        .map(|r| r.address.as_str())
        .collect();
    // Listed under another: as the format marks it, else as its reporter says.
    let under = |r: &Row| {
        r.nested.unwrap_or_else(|| {
            r.reported_by
                .as_deref()
                .is_some_and(|b| polled.contains(&b))
        })
    };
    let heads: Vec<&Row> = rows.iter().filter(|r| !under(r)).collect();
    let prefix = heads
        .iter()
        .take_while(|r| r.polled && r.verdict == "banned")
        .count();
    assert!(prefix >= 12, "{what}: {prefix} polled banned devices first");
    assert!(
        heads[prefix..]
            .iter()
            .all(|r| !(r.polled && r.verdict == "banned")),
        "{what}: a polled banned device after others: {heads:?}"
    );
    let mut under_someone = 0;
    for (i, r) in rows.iter().enumerate() {
        if r.polled {
            assert_ne!(r.nested, Some(true), "{what}: {r:?}");
            continue;
        }
        // Walk up over the rows listed under the same device to the device itself.
        let head = rows[..i]
            .iter()
            .rev()
            .find(|h| h.polled || h.nested == Some(false) || h.reported_by != r.reported_by);
        if let Some(by) = &r.reported_by
            && polled.contains(&by.as_str())
        {
            let head = head.unwrap_or_else(|| panic!("{what}: {r:?} first"));
            assert_eq!(&head.address, by, "{what}: {r:?} not under its reporter");
            assert_ne!(r.nested, Some(false), "{what}: {r:?}");
        }
        if r.nested == Some(true) {
            under_someone += 1;
            let head = rows[..i].iter().rev().find(|h| h.nested != Some(true));
            assert!(head.is_some_and(|h| h.polled), "{what}: {r:?}");
        }
    }
    if rows.iter().any(|r| r.nested.is_some()) {
        assert!(under_someone > 20, "{what}: {under_someone} rows nested");
    }
}

fn csv_rows(text: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (a, v, via, by) = (
        col("address"),
        col("verdict"),
        col("discovered_via"),
        col("reported_by"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                address: r[a].to_string(),
                verdict: r[v].to_string(),
                polled: !r[via].ends_with("-neighbor"),
                nested: None,
                reported_by: (!r[by].is_empty()).then(|| r[by].to_string()),
            }
        })
        .collect()
}

/// The value of `name="..."` in a tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[start..].split('"').next()?.to_string())
}

fn html_rows(page: &str) -> Vec<Row> {
    page.split("<tr class=\"device ")
        .skip(1)
        .map(|tr| {
            let tag = tr.split('>').next().unwrap();
            let address = tr
                .split("<td class=\"address\">")
                .nth(1)
                .and_then(|t| t.split('<').next())
                .unwrap();
            Row {
                address: address.to_string(),
                verdict: attribute(tag, "data-verdict").unwrap(),
                polled: !attribute(tag, "data-via").unwrap().ends_with("-neighbor"),
                nested: Some(tag.split('"').next().unwrap().contains("under")),
                reported_by: attribute(tag, "data-reported-by"),
            }
        })
        .collect()
}

/// The table's rows: address (`└ ` marks a row listed under the one above) and verdict;
/// polled devices are the demo's agents on 127.77.0.0/24.
fn table_rows(table: &str) -> Vec<Row> {
    table
        .lines()
        .filter(|l| l.starts_with('│'))
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('│').split('┆').map(str::trim).collect();
            let nested = cells[0].starts_with("└ ");
            let address = cells[0].trim_start_matches("└ ").to_string();
            Row {
                polled: address.starts_with("127.77.0."),
                address,
                verdict: cells[1].to_string(),
                nested: Some(nested),
                reported_by: None,
            }
        })
        .collect()
}

#[test]
fn the_demo_lists_polled_banned_devices_first_and_neighbours_under_their_reporter() {
    let csv = csv_rows(&run_with(&["demo", "--format", "csv"], None));
    check_order(&csv, "csv");
    assert!(csv.iter().any(|r| r.reported_by.is_some()));
    check_order(
        &html_rows(&run_with(&["demo", "--format", "html"], None)),
        "html",
    );
    let table = run_with(&["demo", "--wide"], None);
    check_order(&table_rows(&table), "table");
    // The banned gear behind a polled device, counted under the table.
    let behind = table
        .lines()
        .find(|l| l.starts_with("127.77.0.30 ") && l.ends_with("banned neighbours behind it"));
    assert!(behind.is_some(), "{table}");
}

#[test]
fn deadlines_say_what_to_do_in_the_table_csv_and_html() {
    let table = run_with(&["demo", "--wide"], None);
    let rows = table_rows(&table);
    let deadline = |l: &str| l.split('┆').nth(2).unwrap().trim().to_string();
    let lines: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .skip(1)
        .collect();
    for (r, l) in rows.iter().zip(&lines) {
        match r.verdict.as_str() {
            "banned" | "review" => assert_eq!(deadline(l), "no deadline", "{l}"),
            _ => assert_eq!(deadline(l), "-", "{l}"),
        }
    }
    assert!(
        table.contains("--policy policies/canada-2022.toml"),
        "{table}"
    );
    // Canada's dates beside the default policy's bans (with no inventory, Canada's findings
    // are reviews: the technology is unknown).
    let policy = root().join("policies/canada-2022.toml");
    let origin = root().join("policies/huawei-origin.toml");
    let with_dates = [
        "--policy",
        s(&origin),
        "--policy",
        s(&policy),
        "--today",
        "2026-01-01",
    ];
    let mut args = vec!["demo", "--format", "csv"];
    args.extend(with_dates);
    let text = run_with(&args, None);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut dated = 0;
    for r in reader.records().map(Result::unwrap) {
        let d = &r[col("deadline")];
        if r[col("verdict")] == *"banned" {
            assert!(
                d.ends_with(" d left)") || d.ends_with(" d overdue)") || d == "no deadline",
                "{d}"
            );
            dated += usize::from(d != "no deadline");
        } else if r[col("verdict")] == *"clear" {
            assert_eq!(d, "", "{r:?}");
        }
    }
    assert!(dated > 10, "{dated} banned devices with a date");
    args[2] = "html";
    let page = run_with(&args, None);
    assert!(
        page.contains(r#"<th data-key="deadline">"#),
        "deadline column"
    );
    assert!(
        page.contains(" d overdue)</td>") || page.contains(" d left)</td>"),
        "dated cells in the page"
    );
}

#[test]
fn the_deciding_evidence_comes_first_with_a_count_of_the_rest() {
    // A Huawei power unit behind net-snmp: sysObjectID says net-snmp (0.1), Huawei's private
    // subtree decides (0.7).
    let rec = root().join("tests/data/snmprec/huawei/huawei-smu.snmprec");
    let args = ["identify", "--snmprec", s(&rec)];
    let csv = run_with(&[&args[..], &["--format", "csv"]].concat(), None);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let e = header.iter().position(|h| h == "evidence").unwrap();
    let row = reader.records().next().unwrap().unwrap();
    assert!(row[e].starts_with("private subtree"), "{}", &row[e]);
    let table = run_with(&[&args[..], &["--wide"]].concat(), None);
    assert!(
        table.contains("private subtree of enterprise 2011 answers (+1 more)"),
        "{table}"
    );
    let page = run_with(&[&args[..], &["--format", "html"]].concat(), None);
    assert!(
        page.contains("<summary>private subtree of enterprise 2011 answers (+1 more)"),
        "{page}"
    );
}

#[test]
fn counts_of_one_are_singular() {
    let rec = root().join("tests/data/snmprec/huawei/huawei-smu.snmprec");
    let table = run_with(&["identify", "--snmprec", s(&rec)], None);
    assert!(
        table.contains("1 device (1 of 1 address answered"),
        "{table}"
    );
    assert!(table.contains("1 banned or review device:"), "{table}");
    assert!(!table.contains("1 devices"), "{table}");
}
