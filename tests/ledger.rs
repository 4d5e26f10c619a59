//! The removal ledger through the real binary (issue 21): one Huawei device walked through
//! every state with evidence files, an impossible step refused with exit code 2, and three
//! sweeps that confirm a removal only where they looked: gear marked removed and seen again is
//! `reappeared` in the diff, the sweep's report, the ledger and the scheduler's metrics; gear
//! outside a sweep's targets is not counted absent. Simulated agents live on 127.71.0.0/16
//! and 127.72.0.0/16 only.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Simulator, free_port, jsonl, root, run, s};
use sha2::{Digest, Sha256};

const LIMIT: Duration = Duration::from_secs(120);
const AR169_SERIAL: &str = "21500101573GK1000299";
const YUNSHAN_SERIAL: &str = "102459162713";

fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Sweeps `targets` on `port` into `db`; the sweep's JSON lines.
fn sweep(db: &Path, port: u16, targets: &[&str]) -> Vec<serde_json::Value> {
    let p = port.to_string();
    let mut args = vec!["sweep"];
    args.extend_from_slice(targets);
    args.extend([
        "--port",
        &p,
        "--rate",
        "unlimited",
        "--timeout",
        "300",
        "--retries",
        "0",
        "--db",
        s(db),
        "--format",
        "jsonl",
    ]);
    let o = run(&args, LIMIT);
    assert!(o.status.success(), "{}", stderr(&o));
    jsonl(&o.stdout)
}

/// `netorigin ledger ARGS... --db DB`, with its exit code checked.
fn ledger(db: &Path, args: &[&str], code: i32) -> std::process::Output {
    let mut all = vec!["ledger"];
    all.extend_from_slice(args);
    all.extend(["--db", s(db)]);
    let o = run(&all, LIMIT);
    assert_eq!(o.status.code(), Some(code), "{all:?}: {}", stderr(&o));
    o
}

/// The ledger item `name` names, as `ledger show --format json` has it.
fn item(db: &Path, name: &str) -> serde_json::Value {
    let o = ledger(db, &["show", name, "--format", "json"], 0);
    serde_json::from_slice(&o.stdout).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn one_huawei_device_goes_through_every_state_with_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let sim = Simulator::start("127.71.0.1", &[rec("huawei/vrp_ar169sfp")], &[]);
    sweep(&db, sim.port, &["127.71.0.1"]);

    let list = jsonl(&ledger(&db, &["list", "--format", "jsonl"], 0).stdout);
    assert_eq!(list.len(), 1, "the device, and no module twice: {list:?}");
    assert_eq!(list[0]["identity"], format!("serial:{AR169_SERIAL}"));
    assert_eq!(list[0]["state"], "found");
    assert_eq!(list[0]["verdict"], "banned");

    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let plan = file("plan.pdf", "%PDF-1.4 removal plan");
    let cert = file("destruction.pdf", "%PDF-1.4 certificate of destruction");
    let steps: [(&str, Vec<&str>); 6] = [
        (
            "planned",
            vec!["--target", "2027-03-31", "--evidence", s(&plan)],
        ),
        ("decommissioned", vec!["--note", "traffic moved to PE-2"]),
        ("removed", vec![]),
        ("in-custody", vec!["--note", "held by Shred-It Ltd, job 44"]),
        ("sanitised", vec![]),
        ("destroyed", vec!["--evidence", s(&cert)]),
    ];
    for (state, extra) in &steps {
        let mut args = vec!["mark", AR169_SERIAL, state, "--by", "N. Engineer"];
        args.extend(extra.iter().copied());
        ledger(&db, &args, 0);
        let now = item(&db, AR169_SERIAL);
        assert_eq!(now["item"]["state"], *state, "{now}");
    }
    let now = item(&db, "127.71.0.1");
    let entries = now["entries"].as_array().unwrap();
    let states: Vec<&str> = entries
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "found",
            "planned",
            "decommissioned",
            "removed",
            "in-custody",
            "sanitised",
            "destroyed"
        ]
    );
    assert_eq!(entries[1]["target"], "2027-03-31");
    assert_eq!(entries[1]["by"], "N. Engineer");
    assert_eq!(entries[1]["evidence"][0]["name"], "plan.pdf");
    assert_eq!(
        entries[6]["evidence"][0]["sha256"],
        sha256(b"%PDF-1.4 certificate of destruction")
    );
    assert_eq!(entries[4]["note"], "held by Shred-It Ltd, job 44");

    // Destroyed gear cannot be planned: exit 2, naming both states.
    let o = ledger(
        &db,
        &["mark", AR169_SERIAL, "planned", "--target", "2027-06-30"],
        2,
    );
    let e = stderr(&o);
    assert!(e.contains("destroyed") && e.contains("planned"), "{e}");
    // Nor can a word that is no state, or gear nobody found.
    let o = ledger(&db, &["mark", AR169_SERIAL, "gone"], 2);
    assert!(stderr(&o).contains("not a ledger state"), "{}", stderr(&o));
    let o = ledger(&db, &["mark", "NO-SUCH-SERIAL", "removed"], 2);
    assert!(stderr(&o).contains("NO-SUCH-SERIAL"), "{}", stderr(&o));
    // An evidence file that cannot be read is named, and nothing is recorded.
    let o = ledger(
        &db,
        &["mark", "#1", "found", "--evidence", "/nonexistent/cert.pdf"],
        2,
    );
    assert!(
        stderr(&o).contains("/nonexistent/cert.pdf"),
        "{}",
        stderr(&o)
    );
    assert_eq!(item(&db, "#1")["entries"].as_array().unwrap().len(), 7);
}

/// `GET /metrics` over HTTP/1.1; the body.
fn metrics(addr: &str) -> String {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(conn, "GET /metrics HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// The third sweep, run by the scheduler: its report, and its metrics once they count the
/// gear seen again.
fn scheduled_sweep(db: &Path, port: u16, report: &Path) -> String {
    let p = port.to_string();
    let mut child = common::netorigin()
        .args(["schedule", "--every", "1h", "--jitter", "0s"])
        .args(["--metrics-listen", "127.71.0.1:0"])
        .args(["127.71.1.0/29", "127.72.0.0/29", "--port", &p])
        .args(["--rate", "unlimited", "--timeout", "300", "--retries", "0"])
        .args(["--db", s(db)])
        .args(["--format", "jsonl", "--output", s(report)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the metrics address").unwrap();
        if let Some(url) = line.strip_prefix("netorigin: metrics at http://") {
            break url.trim_end_matches("/metrics").to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let deadline = Instant::now() + LIMIT;
    let body = loop {
        let body = metrics(&addr);
        if body.contains("netorigin_ledger_reappeared 1") {
            break body;
        }
        assert!(Instant::now() < deadline, "no reappeared gear in: {body}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    body
}

#[test]
fn three_sweeps_confirm_a_removal_only_where_they_looked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let port = free_port("127.71.1.1");
    let ar169 = || Simulator::start_on("127.71.1.1", port, &[rec("huawei/vrp_ar169sfp")], &[]);
    let _yunshan = Simulator::start_on("127.72.0.1", port, &[rec("huawei/yunshan")], &[]);
    let both = ["127.71.1.0/29", "127.72.0.0/29"];

    // 1: both found. The AR169 is then marked removed.
    let first = ar169();
    sweep(&db, port, &both);
    ledger(
        &db,
        &["mark", AR169_SERIAL, "removed", "--by", "field team"],
        0,
    );
    drop(first);

    // 2: the AR169 is gone; the sweep looks only at its range, not the YunShan's.
    sweep(&db, port, &["127.71.1.0/29"]);
    let yunshan = item(&db, YUNSHAN_SERIAL)["item"].clone();
    assert_eq!(yunshan["absent_sweeps"], 0, "not counted absent: {yunshan}");
    let diff = |a: &str, b: &str| {
        let o = run(
            &["history", "diff", a, b, "--db", s(&db), "--format", "jsonl"],
            LIMIT,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        jsonl(&o.stdout)
    };
    let first_diff = diff("1", "2");
    let kind_of = |diff: &[serde_json::Value], serial: &str| -> Vec<String> {
        diff.iter()
            .filter(|c| c["identity"] == format!("serial:{serial}"))
            .map(|c| c["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        kind_of(&first_diff, YUNSHAN_SERIAL),
        ["not-covered"],
        "{first_diff:?}"
    );
    assert_eq!(
        kind_of(&first_diff, AR169_SERIAL),
        ["banned-removed"],
        "{first_diff:?}"
    );

    // 3: the AR169 is back, and the scheduler sweeps both ranges.
    let _back = ar169();
    let report = dir.path().join("third.jsonl");
    let body = scheduled_sweep(&db, port, &report);
    assert!(
        body.contains("netorigin_ledger_items{state=\"removed\"} 1"),
        "{body}"
    );
    let records = jsonl(&std::fs::read(&report).unwrap());
    let seen_again = records
        .iter()
        .find(|r| r["serial"] == AR169_SERIAL)
        .expect("the AR169 in the third sweep's report");
    assert!(
        seen_again["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .starts_with("reappeared: the removal ledger")),
        "{seen_again}"
    );
    let third_diff = diff("2", "3");
    assert_eq!(
        kind_of(&third_diff, AR169_SERIAL),
        ["reappeared"],
        "{third_diff:?}"
    );
    let listed = jsonl(&ledger(&db, &["list", "--reappeared", "--format", "jsonl"], 0).stdout);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["serial"], AR169_SERIAL);
    assert_eq!(listed[0]["flags"][0], "reappeared");
    // Seen again, it may be found again; the flag goes with that step.
    ledger(
        &db,
        &["mark", AR169_SERIAL, "found", "--note", "never left"],
        0,
    );
    assert_eq!(
        item(&db, AR169_SERIAL)["item"]["reappeared_sweep"],
        serde_json::Value::Null
    );
}
