//! `netorigin schedule` through the real binary: three sweeps at a one-second interval, the
//! Prometheus endpoint on loopback with the expected counts, one scheduler per database, a
//! clean stop on SIGTERM, and bad intervals and cron expressions refused with exit code 2.
//! Simulated agents live on 127.33.0.0/24 only.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Simulator, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn count(db: &Path, sql: &str) -> i64 {
    if !db.exists() {
        return 0;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(60)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

/// `GET path` over HTTP/1.1; the status line and the body.
fn get(addr: &str, path: &str) -> (String, String) {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(conn, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

#[test]
fn schedule_runs_sweeps_on_time_serves_metrics_and_stops_cleanly_on_sigterm() {
    let recs: Vec<_> = ["huawei/vrp_ar169sfp", "huawei/yunshan", "other/ios_c3560"]
        .iter()
        .map(|n| root().join(format!("tests/data/snmprec/{n}.snmprec")))
        .collect();
    let sim = Simulator::start("127.33.0.1", &recs, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let port = sim.port.to_string();
    let args = |metrics: &str| -> Vec<String> {
        [
            "schedule",
            "--every",
            "1s",
            "--jitter",
            "0s",
            "--metrics-listen",
            metrics,
            "127.33.0.1",
            "127.33.0.2",
            "127.33.0.3",
            "--port",
            &port,
            "--rate",
            "unlimited",
            "--timeout",
            "500",
            "--retries",
            "0",
            "--db",
            s(&db),
            "--format",
            "jsonl",
            "--output",
            s(&dir.path().join("last.jsonl")),
        ]
        .iter()
        .map(|a| a.to_string())
        .collect()
    };
    let mut child = common::netorigin()
        .args(args("127.33.0.1:0"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let metrics = loop {
        let line = rx.recv_timeout(LIMIT).expect("the metrics address");
        log.push(line.clone());
        if let Some(url) = line.strip_prefix("netorigin: metrics at http://") {
            break url.trim_end_matches("/metrics").to_string();
        }
    };
    let deadline = Instant::now() + LIMIT;
    while count(&db, "SELECT count(*) FROM sweep WHERE status = 'complete'") < 3 {
        assert!(
            Instant::now() < deadline,
            "three sweeps did not complete: {log:?}"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "schedule exited: {log:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Never two at once: a second scheduler on the same database refuses to start.
    let o = run(
        &args("127.33.0.1:0")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("another `netorigin schedule`"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let (status, body) = get(&metrics, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        body.contains("netorigin_devices{verdict=\"banned\",vendor=\"Huawei\"} 2\n")
            && body.contains("netorigin_devices{verdict=\"clear\",vendor=\"Cisco\"} 1\n"),
        "{body}"
    );
    let complete: u64 = body
        .lines()
        .find_map(|l| l.strip_prefix("netorigin_sweeps_total{status=\"complete\"} "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(complete >= 3, "{body}");
    assert!(body.contains("netorigin_sweep_errors_total 0\n"), "{body}");
    assert!(
        body.contains("netorigin_sweeps_total{status=\"failed\"} 0\n"),
        "{body}"
    );
    assert!(
        body.contains("netorigin_last_sweep_addresses{state=\"answered\"} 3\n"),
        "{body}"
    );
    assert!(
        body.contains("\nnetorigin_last_sweep_timestamp_seconds "),
        "{body}"
    );
    assert!(
        body.contains("\nnetorigin_last_sweep_duration_seconds "),
        "{body}"
    );
    let (status, _) = get(&metrics, "/");
    assert_eq!(status, "HTTP/1.1 404 Not Found");

    let killed = Command::new("kill")
        .args(["-s", "TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "schedule did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "schedule exited with {exit}");
    // Nothing is left running; every complete sweep holds the three devices.
    assert_eq!(
        count(&db, "SELECT count(*) FROM sweep WHERE status = 'running'"),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sweep s WHERE status = 'complete'
             AND (SELECT count(*) FROM device d WHERE d.sweep = s.id) != 3"
        ),
        0
    );
    // The sweeps were one after another, never two at once.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sweep a JOIN sweep b ON a.id < b.id
             WHERE b.started_ms < a.ended_ms"
        ),
        0
    );
}

#[test]
fn bad_schedules_are_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    for (args, says) in [
        (vec!["--every", "0s"], "at least 1s"),
        (vec!["--every", "soon"], "a duration such as"),
        (
            vec!["--every", "6h", "--jitter", "a bit"],
            "a duration such as",
        ),
        (vec!["--cron", "0 */6 * *"], "five fields"),
        (vec!["--cron", "0 25 * * *"], "0-23"),
        (
            vec!["--every", "6h", "--cron", "0 * * * *"],
            "cannot be used with",
        ),
        (vec![], "--every"),
    ] {
        let mut all = vec!["schedule"];
        all.extend(args.iter().copied());
        all.extend(["127.33.0.200", "--port", "9", "--db", s(&db)]);
        let o = run(&all, LIMIT);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(says), "{all:?}: {err}");
    }
    // A database that is not one, before the first sweep.
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database, just words, many of them\n".repeat(20),
    )
    .unwrap();
    let o = run(
        &[
            "schedule",
            "--every",
            "1h",
            "127.33.0.200",
            "--db",
            s(&text),
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not a netorigin database"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn sigterm_during_a_scheduled_sweep_stores_it_as_interrupted_and_exits_0() {
    let paths: Vec<_> = common::corpus().into_iter().step_by(13).take(25).collect();
    let sim = Simulator::start("127.33.0.65", &paths, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let port = sim.port.to_string();
    let mut child = common::netorigin()
        .args([
            "schedule",
            "--every",
            "1h",
            "--jitter",
            "0s",
            "127.33.0.64/27",
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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + LIMIT;
    while count(&db, "SELECT count(*) FROM device") < 2 {
        assert!(Instant::now() < deadline, "no device stored");
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = Command::new("kill")
        .args(["-s", "TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "schedule did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "schedule exited with {exit}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (status, note, devices): (String, String, i64) = conn
        .query_row(
            "SELECT status, note, (SELECT count(*) FROM device) FROM sweep",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), note.as_str()),
        ("interrupted", "stopped by a signal")
    );
    assert!((2..25).contains(&devices), "{devices}");
}
