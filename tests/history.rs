//! The history store through the real binary: sweeps stored and diffed after the simulated
//! segment changes, a sweep killed with SIGKILL and one stopped with Ctrl-C, a database of an
//! older schema migrated, no secret in the file, and bad input refused with exit code 2.
//! Simulated agents live on 127.31.0.0/24 and 127.32.0.0/24 only.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Simulator, corpus, free_port, jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `netorigin ARGS... --db DB --format jsonl`, which must succeed; its JSON lines.
fn history(db: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = args.to_vec();
    all.extend(["--db", s(db), "--format", "jsonl"]);
    let o = run(&all, LIMIT);
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    jsonl(&o.stdout)
}

/// Waits until `what` holds, polling, for at most `limit`.
fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A count from the database, read as another process would while a sweep writes.
fn count(db: &Path, sql: &str) -> i64 {
    if !db.exists() {
        return 0;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(60)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn history_diff_reports_exactly_what_changed_on_the_segment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let port = free_port("127.31.0.1");
    let p = port.to_string();
    let sweep = |extra: &[&str]| {
        let mut args = vec![
            "sweep",
            "127.31.0.0/28",
            "--port",
            &p,
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
        ];
        args.extend_from_slice(extra);
        let o = run(&args, LIMIT);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("stored as sweep #"), "{}", stderr(&o));
        jsonl(&o.stdout)
    };

    // Before: .1 a Huawei AR169 (to be removed), .2 a Cisco 3560 (to move to .7), .3 a Juniper
    // QFX5100 (to be upgraded), .4 a Huawei CE12800 (stays).
    let qfx = rec("other/junos_qfx5100");
    let before = Simulator::start_on(
        "127.31.0.1",
        port,
        &[
            rec("huawei/vrp_ar169sfp"),
            rec("other/ios_c3560"),
            qfx.clone(),
            rec("huawei/vrp_ce12804-entity"),
        ],
        &[],
    );
    let first = sweep(&[]);
    drop(before);

    // After: the AR169 is gone, a Huawei S6700 (YunShan) is new at .6, the 3560 answers at .7,
    // and the QFX runs other firmware.
    let upgraded = dir.path().join("junos_qfx5100-upgraded.snmprec");
    let text = std::fs::read_to_string(&qfx).unwrap();
    assert!(text.contains("JUNOS 14.1X53-D40.8"));
    std::fs::write(&upgraded, text.replace("14.1X53-D40.8", "15.1X53-D60.4")).unwrap();
    let _stays = Simulator::start_on(
        "127.31.0.3",
        port,
        &[upgraded, rec("huawei/vrp_ce12804-entity")],
        &[],
    );
    let _arrived = Simulator::start_on(
        "127.31.0.6",
        port,
        &[rec("huawei/yunshan"), rec("other/ios_c3560")],
        &[],
    );
    let second = sweep(&[]);
    // The same device seen by two sweeps: what the records say, before the diff does.
    let by_serial = |records: &[serde_json::Value], serial: &str| -> serde_json::Value {
        records
            .iter()
            .find(|r| r["serial"] == serial)
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no {serial} in {:?}",
                    records
                        .iter()
                        .map(|r| (
                            r["address"].clone(),
                            r["serial"].clone(),
                            r["notes"].clone()
                        ))
                        .collect::<Vec<_>>()
                )
            })
    };
    assert_eq!(by_serial(&first, "CAT0912N0CU")["address"], "127.31.0.2");
    assert_eq!(by_serial(&second, "CAT0912N0CU")["address"], "127.31.0.7");

    let sweeps = history(&db, &["history", "list"]);
    assert_eq!(sweeps.len(), 2);
    for (i, sw) in sweeps.iter().enumerate() {
        assert_eq!(sw["sweep"], i as i64 + 1);
        assert_eq!(sw["status"], "complete");
        assert_eq!(sw["parameters"]["targets"][0], "127.31.0.0/28");
    }
    assert_eq!(sweeps[0]["devices"], first.len());
    assert_eq!(sweeps[1]["devices"], second.len());

    let changes = history(&db, &["history", "diff"]);
    let mut got: Vec<(String, String, String, String, String)> = changes
        .iter()
        .map(|c| {
            let t = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (t("kind"), t("identity"), t("field"), t("from"), t("to"))
        })
        .collect();
    got.sort();
    let want: Vec<(String, String, String, String, String)> = [
        ("banned-new", "serial:102459162713", "", "", ""),
        ("banned-removed", "serial:21500101573GK1000299", "", "", ""),
        (
            "changed",
            "serial:CAT0912N0CU",
            "address",
            "127.31.0.2",
            "127.31.0.7",
        ),
        (
            "changed",
            "serial:TA3716123456",
            "version",
            "14.1X53-D40.8",
            "15.1X53-D60.4",
        ),
    ]
    .iter()
    .map(|(a, b, c, d, e)| {
        (
            a.to_string(),
            b.to_string(),
            c.to_string(),
            d.to_string(),
            e.to_string(),
        )
    })
    .collect();
    assert_eq!(got, want, "{changes:#?}");
    let removed = changes
        .iter()
        .find(|c| c["kind"] == "banned-removed")
        .unwrap();
    assert_eq!(removed["address"], "127.31.0.1");
    // Last seen: while the first sweep ran.
    let seen = removed["last_seen"].as_str().unwrap();
    assert!(
        sweeps[0]["started"].as_str().unwrap() <= seen
            && seen <= sweeps[0]["ended"].as_str().unwrap(),
        "{seen} {:?}",
        sweeps[0]
    );
    let new = changes.iter().find(|c| c["kind"] == "banned-new").unwrap();
    assert_eq!(new["address"], "127.31.0.6");
    assert_eq!(new["vendor"], "Huawei");
    // Naming the sweeps gives the same; the other way round, the opposite.
    assert_eq!(history(&db, &["history", "diff", "1", "2"]), changes);
    let back = history(&db, &["history", "diff", "2", "1"]);
    let kinds: Vec<&str> = back.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["banned-new", "banned-removed", "changed", "changed"]
    );

    // Judged by Canada's policy as of 2025-01-01, the Huawei gear still there is past the
    // 2024-06-28 deadline for 5G equipment, by 187 days; nothing else changed. (With no
    // inventory its technology is unknown, so Canada's findings are reviews; the default
    // policy beside it keeps the verdicts banned as before.)
    sweep(&[
        "--policy",
        s(&root().join("policies/huawei-origin.toml")),
        "--policy",
        s(&root().join("policies/canada-2022.toml")),
        "--today",
        "2025-01-01",
    ]);
    let overdue = history(&db, &["history", "diff"]);
    let mut got: Vec<(String, String, String, i64)> = overdue
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["identity"].as_str().unwrap().to_string(),
                c["deadline"].as_str().unwrap_or("").to_string(),
                c["days_overdue"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "overdue".into(),
                "serial:102459162713".into(),
                "2024-06-28".into(),
                187
            ),
            (
                "overdue".into(),
                "serial:2102113774P0HC000023".into(),
                "2024-06-28".into(),
                187
            ),
        ],
        "{overdue:#?}"
    );

    // The same in the other formats: a table for people, CSV with one row per change.
    let o = run(&["history", "diff", "1", "2", "--db", s(&db)], LIMIT);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("address: 127.31.0.2 → 127.31.0.7")
            && table.contains("1 banned-new, 1 banned-removed, 2 changed"),
        "{table}"
    );
    let o = run(
        &[
            "history",
            "diff",
            "1",
            "2",
            "--db",
            s(&db),
            "--format",
            "csv",
        ],
        LIMIT,
    );
    let csv = String::from_utf8_lossy(&o.stdout);
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.starts_with("from_sweep,to_sweep,kind,identity"),
        "{csv}"
    );
    // And the stored devices of a sweep, as the sweep reported them.
    let shown = history(&db, &["history", "show", "2"]);
    assert_eq!(shown.len(), second.len());
    let mut shown_addresses: Vec<&str> = shown
        .iter()
        .map(|d| d["address"].as_str().unwrap())
        .collect();
    let mut swept: Vec<&str> = second
        .iter()
        .map(|d| d["address"].as_str().unwrap())
        .collect();
    shown_addresses.sort();
    swept.sort();
    assert_eq!(shown_addresses, swept);
}

#[test]
fn a_sweep_killed_with_sigkill_leaves_a_consistent_database_that_the_next_sweep_uses() {
    let all = corpus();
    let paths: Vec<PathBuf> = all.iter().step_by(7).take(40).cloned().collect();
    let sim = Simulator::start("127.32.0.1", &paths, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let port = sim.port.to_string();
    // Slow: 40 devices at 40 requests a second take a good minute, so it is killed midway.
    let targets: Vec<String> = sim.agents.iter().map(|(a, _)| a.ip().to_string()).collect();
    let mut args: Vec<&str> = vec!["sweep"];
    args.extend(targets.iter().map(String::as_str));
    args.extend([
        "--port",
        &port,
        "--rate",
        "40",
        "--timeout",
        "2000",
        "--db",
        s(&db),
        "--format",
        "jsonl",
    ]);
    let mut child = common::netorigin()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("three devices stored", LIMIT, || {
        count(&db, "SELECT count(*) FROM device") >= 3
    });
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let stored = count(&db, "SELECT count(*) FROM device");
    assert!(stored < 40, "the sweep ended before it was killed");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let status: String = conn
        .query_row("SELECT status FROM sweep WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "running", "nobody has opened it since");
    drop(conn);

    // The next run opens it, marks the dead sweep interrupted, keeps its devices, and works.
    let o = run(
        &[
            "sweep",
            &targets[0],
            &targets[1],
            "--port",
            &port,
            "--rate",
            "unlimited",
            "--db",
            s(&db),
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sweeps = history(&db, &["history", "list"]);
    assert_eq!(sweeps.len(), 2);
    assert_eq!(sweeps[0]["status"], "interrupted");
    assert!(sweeps[0]["devices"].as_i64().unwrap() >= stored);
    assert!(
        sweeps[0]["note"]
            .as_str()
            .unwrap()
            .contains("stopped without finishing"),
        "{:?}",
        sweeps[0]
    );
    assert_eq!(sweeps[1]["status"], "complete");
    assert_eq!(sweeps[1]["devices"], jsonl(&o.stdout).len());
    // Every stored device of the dead sweep is whole: its record reads back.
    let shown = history(&db, &["history", "show", "1"]);
    assert_eq!(shown.len() as i64, sweeps[0]["devices"].as_i64().unwrap());
    assert!(
        shown
            .iter()
            .all(|d| d["address"].is_string() && d["verdict"].is_string())
    );
    // The dead sweep's lock file is gone with it.
    let locks = dir.path().join("history.db-locks");
    let left: Vec<_> = std::fs::read_dir(&locks)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn ctrl_c_stops_a_sweep_and_keeps_everything_it_collected() {
    let all = corpus();
    let paths: Vec<PathBuf> = all.iter().step_by(11).take(30).cloned().collect();
    let sim = Simulator::start("127.32.0.129", &paths, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let port = sim.port.to_string();
    let mut child = common::netorigin()
        .args([
            "sweep",
            "127.32.0.128/27",
            "--port",
            &port,
            "--rate",
            "40",
            "--timeout",
            "2000",
            "--db",
            s(&db),
            "--format",
            "jsonl",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut reported = Vec::new();
    while reported.len() < 2 {
        reported.push(rx.recv_timeout(LIMIT).expect("two devices reported"));
    }
    let status = Command::new("kill")
        .args(["-s", "INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the sweep did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(exit.code(), Some(1));
    reported.extend(rx.iter());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("interrupted"), "{err}");
    let sweeps = history(&db, &["history", "list"]);
    assert_eq!(sweeps[0]["status"], "interrupted");
    assert_eq!(sweeps[0]["note"], "stopped by a signal");
    assert!(sweeps[0]["devices"].as_u64().unwrap() < 30);
    // Every device reported was stored, and only those.
    let address = |l: &serde_json::Value| l["address"].as_str().unwrap().to_string();
    let mut shown: Vec<String> = history(&db, &["history", "show", "1"])
        .iter()
        .map(address)
        .collect();
    let mut printed: Vec<String> = jsonl(reported.join("\n").as_bytes())
        .iter()
        .map(address)
        .collect();
    shown.sort();
    printed.sort();
    assert_eq!(shown, printed);
}

#[test]
fn a_database_written_by_schema_v1_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    std::fs::copy(root().join("tests/data/store/v1.db"), &db).unwrap();
    let version = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&db), 1);
    let sweeps = history(&db, &["history", "list"]);
    assert_eq!(version(&db), 5);
    // v4's UUIDs, one each, given to the sweeps stored before; no site.
    let uuids: std::collections::BTreeSet<&str> =
        sweeps.iter().filter_map(|s| s["uuid"].as_str()).collect();
    assert_eq!(uuids.len(), 2, "{sweeps:?}");
    assert!(sweeps.iter().all(|s| s["site"].is_null()), "{sweeps:?}");
    assert_eq!(
        sweeps
            .iter()
            .map(|s| (
                s["sweep"].as_i64().unwrap(),
                s["status"].as_str().unwrap(),
                s["devices"].as_i64().unwrap()
            ))
            .collect::<Vec<_>>(),
        vec![(1, "complete", 2), (2, "interrupted", 1)]
    );
    // v2's sys_name column, filled in from the records v1 stored.
    let o = run(
        &["history", "show", "1", "--db", s(&db), "--format", "csv"],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut csv = csv::Reader::from_reader(&o.stdout[..]);
    let names: Vec<String> = csv
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap()["sys_name"].clone())
        .collect();
    assert_eq!(names, ["pe-1.pop3", "agg-1.pop3"]);
    let changes = history(&db, &["history", "diff", "1", "2"]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    // Sweep 2 was interrupted: it cannot confirm that what it did not see is gone (issue 21).
    assert_eq!(changes[0]["kind"], "not-covered");
    assert_eq!(changes[0]["last_seen"], "2026-01-01 00:00:05Z");
}

#[test]
fn no_secret_reaches_the_database() {
    let community = "n0c-s3cret-community";
    let sim = Simulator::start(
        "127.31.0.65",
        &[rec("huawei/vrp_route")],
        &["--community", community],
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let o = run(
        &[
            "sweep",
            "127.31.0.65",
            "--community",
            "wrong-one",
            "--community",
            community,
            "--port",
            &sim.port.to_string(),
            "--timeout",
            "300",
            "--retries",
            "0",
            "--db",
            s(&db),
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(jsonl(&o.stdout)[0]["vendor"], "Huawei");
    let sweeps = history(&db, &["history", "list"]);
    assert_eq!(
        sweeps[0]["parameters"]["credentials"][2], "v2c community #2",
        "credentials are stored by label"
    );
    // Every file the store wrote (the database, its WAL, the lock folder), byte by byte.
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes
                    .windows(community.len())
                    .any(|w| w == community.as_bytes()),
                "{} holds the community",
                path.display()
            );
            assert!(
                !bytes.windows(9).any(|w| w == b"wrong-one"),
                "{} holds a community",
                path.display()
            );
        }
    }
    assert!(files >= 1);
}

#[test]
fn bad_history_input_is_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, it is a note about one\n".repeat(20),
    )
    .unwrap();
    let o = run(&["history", "list", "--db", s(&text)], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a netorigin database"),
        "{}",
        stderr(&o)
    );
    let missing = dir.path().join("missing.db");
    let o = run(&["history", "list", "--db", s(&missing)], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such database"), "{}", stderr(&o));
    assert!(!missing.exists(), "history does not create a database");
    let db = dir.path().join("old.db");
    std::fs::copy(root().join("tests/data/store/v1.db"), &db).unwrap();
    let o = run(&["history", "show", "42", "--db", s(&db)], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no sweep #42"), "{}", stderr(&o));
    let o = run(&["history", "show", "first", "--db", s(&db)], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    // One complete sweep only: no default diff.
    let o = run(&["history", "diff", "--db", s(&db)], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("two complete sweeps"), "{}", stderr(&o));
    let o = run(
        &["history", "list", "--db", s(&db), "--format", "html"],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2));
    // A sweep told to store in a file that is not a database does not sweep.
    let o = run(
        &["sweep", "127.31.0.99", "--port", "9", "--db", s(&text)],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a netorigin database"),
        "{}",
        stderr(&o)
    );
}
