//! Hostile device text (HTML and JavaScript, terminal escapes, spreadsheet formulas in
//! sysDescr, sysName and LLDP fields) is reported safely in every format, and kept where the
//! format can carry it (JSON): control characters are dropped from the record's fields where
//! records are built, and the originals kept, escaped, in its `cleaned`.

mod common;

use std::time::Duration;

use common::{jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(60);

fn report(format: &str) -> String {
    report_with(&["--format", format])
}

fn report_with(args: &[&str]) -> String {
    let rec = root().join("tests/data/hostile/hostile-text.snmprec");
    let mut all = vec!["identify", "--snmprec", s(&rec)];
    all.extend(args);
    let o = run(&all, LIMIT);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn json_keeps_the_text_exactly() {
    let records = jsonl(report("jsonl").as_bytes());
    assert_eq!(records.len(), 2, "the device and its LLDP neighbour");
    let d = &records[0];
    assert!(
        d["sys_descr"]
            .as_str()
            .unwrap()
            .starts_with("<script>document.title='pwned'</script>")
    );
    let descr = d["sys_descr"].as_str().unwrap();
    assert!(descr.ends_with("Software [2J]0;pwned"), "{descr:?}");
    assert!(
        d["cleaned"]["sys_descr"]
            .as_str()
            .unwrap()
            .ends_with("Software \\x1b[2J\\x1b]0;pwned\\x07")
    );
    assert_eq!(
        d["cleaned"]["neighbors[0].sys_name"],
        "\\x1b[31m<b onmouseover=alert(1)>neighbour</b>"
    );
    assert_eq!(
        d["sys_name"],
        "=HYPERLINK(\"http://evil.example/\",\"click\")"
    );
    assert!(
        records[1]["sys_name"]
            .as_str()
            .unwrap()
            .starts_with("[31m<b onmouseover")
    );
}

#[test]
fn no_escape_sequence_reaches_the_terminal() {
    // The table fitted to the default width, and with every column (sysName among them).
    for table in [
        report("table"),
        report_with(&["--format", "table", "--wide"]),
    ] {
        assert!(
            !table.contains('\u{1b}') && !table.contains('\u{7}'),
            "{table:?}"
        );
    }
    // Dropped where the record was built: what is left of the sequences is plain text.
    let wide = report_with(&["--format", "table", "--wide"]);
    assert!(wide.contains("[31m<b onmouseover"), "{wide:?}");
}

#[test]
fn no_formula_is_live_in_csv() {
    let csv = report("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    for row in reader.records() {
        let row = row.unwrap();
        for (h, cell) in header.iter().zip(row.iter()) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "{h}: {cell:?} would run as a formula"
            );
        }
    }
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        csv.contains("'-2+3"),
        "the neighbour's description too: {csv}"
    );
}

#[test]
fn html_escapes_every_device_field() {
    let html = report("html");
    for raw in [
        "<script>document",
        "<img src=x",
        "<b onmouseover",
        "<svg/onload",
    ] {
        assert!(!html.contains(raw), "{raw} reached the page raw");
    }
    assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
    assert!(!html.contains('\u{1b}'));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "the page's own script only"
    );
}

#[test]
fn bidirectional_overrides_reach_no_format_but_json_s_cleaned() {
    // "Trojan Source" (CVE-2021-42574): a right-to-left override in a sysName makes it read
    // as another name wherever it is shown.
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("bidi.snmprec");
    let name: String = "core-\u{202e}1-ws\u{202c}\u{200b}"
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        &rec,
        format!(
            "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform Software\n\
             1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.291\n\
             1.3.6.1.2.1.1.5.0|4x|{name}\n"
        ),
    )
    .unwrap();
    for format in ["table", "csv", "html", "jsonl"] {
        let o = run(
            &[
                "identify",
                "--wide",
                "--format",
                format,
                "--snmprec",
                s(&rec),
            ],
            LIMIT,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8(o.stdout).unwrap();
        for c in ['\u{202e}', '\u{202c}', '\u{200b}'] {
            assert!(!out.contains(c), "{format} shows U+{:04X}", u32::from(c));
        }
        if format == "jsonl" {
            let d = &jsonl(out.as_bytes())[0];
            assert_eq!(d["sys_name"], "core-1-ws");
            assert_eq!(
                d["cleaned"]["sys_name"],
                "core-\\u{202e}1-ws\\u{202c}\\u{200b}"
            );
        } else {
            assert!(out.contains("core-1-ws"), "{format}:\n{out}");
        }
    }
}

/// Whether text holds a character a terminal may obey or that hides what follows: a control
/// character other than a line feed (a CSV row's end), DEL, a C1 control, an invisible one.
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
    })
}

/// Every CSV cell of `text`, none of which may start a formula.
fn no_live_formula(what: &str, text: &str) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for row in reader.records() {
        for cell in row.unwrap().iter() {
            assert!(
                !cell.trim_start().starts_with(['=', '+', '-', '@']),
                "{what}: {cell:?} would run as a formula"
            );
        }
    }
}

#[test]
fn a_sys_name_of_escapes_and_a_formula_reaches_no_terminal_and_no_spreadsheet() {
    // sysName: `=cmd|' /C calc'!A0`, OSC and CSI sequences, BEL, the one-character C1 CSI
    // (U+009B) and a right-to-left override; sysDescr and sysLocation carry more.
    let rec = root().join("tests/data/hostile/hostile-sysname.snmprec");
    for format in ["csv", "jsonl", "table"] {
        let o = run(
            &[
                "identify",
                "--wide",
                "--format",
                format,
                "--snmprec",
                s(&rec),
            ],
            LIMIT,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8(o.stdout).unwrap();
        assert_eq!(
            raw_control(&out),
            None,
            "identify --format {format}:\n{out}"
        );
        if format == "csv" {
            no_live_formula("identify --format csv", &out);
            assert!(out.contains("'=cmd|"), "{out}");
        }
    }

    // The same device swept and stored: the history and the removal ledger's exports too.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let sim = common::Simulator::start("127.74.0.1", std::slice::from_ref(&rec), &[]);
    let port = sim.port.to_string();
    let o = run(
        &[
            "sweep",
            "127.74.0.1",
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
            "csv",
        ],
        LIMIT,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let swept = String::from_utf8(o.stdout).unwrap();
    assert_eq!(raw_control(&swept), None, "sweep --format csv:\n{swept}");
    no_live_formula("sweep --format csv", &swept);
    let exports: [&[&str]; 6] = [
        &["history", "show", "last", "--format", "csv"],
        &["history", "show", "last", "--format", "jsonl"],
        &["history", "show", "last", "--format", "table", "--wide"],
        &["ledger", "list", "--format", "csv"],
        &["ledger", "list", "--format", "jsonl"],
        &["ledger", "list", "--format", "table", "--wide"],
    ];
    for args in exports {
        let mut all = args.to_vec();
        all.extend(["--db", s(&db)]);
        let o = run(&all, LIMIT);
        assert!(
            o.status.success(),
            "{all:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = String::from_utf8(o.stdout).unwrap();
        assert_eq!(raw_control(&out), None, "{all:?}:\n{out}");
        assert!(out.contains("cmd|"), "{all:?} shows the sysName:\n{out}");
        if args.contains(&"csv") {
            no_live_formula(&args.join(" "), &out);
        }
    }
}
