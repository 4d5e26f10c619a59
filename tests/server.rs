//! The central server (issue 19) against a real PostgreSQL: sites that sweep simulated segments
//! and upload over TLS, one offline that catches up, a chassis moved between sites, each site's
//! removal ledger counted per site (issue 21), tokens and what each may do, the server killed
//! mid-ingest, and bundles it must refuse.
//!
//! `#[ignore]`d: they need PostgreSQL, which `scripts/test` starts (a throwaway cluster, its URL
//! in `NETORIGIN_TEST_POSTGRES`); run without it they fail, never skip. Simulated agents live on
//! 127.55.0.0/16 only; the server listens on 127.0.0.1.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::central::{
    LIMIT, Pg, Pki, Server, add_site, add_token, ok, pki, rec, runtime, sweep, with_token,
};
use common::{jsonl, netorigin, s};
use netorigin::record::LedgerState;

/// The devices of the newest sweep of a local database, by verdict.
fn local_counts(db: &Path) -> [u64; 5] {
    let o = netorigin()
        .args([
            "history",
            "show",
            "last",
            "--db",
            s(db),
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    ok(&o, "history show");
    let mut c = [0u64; 5];
    for d in jsonl(&o.stdout) {
        c[0] += 1;
        match d["verdict"].as_str().unwrap() {
            "banned" => c[1] += 1,
            "review" => c[2] += 1,
            "clear" => c[3] += 1,
            _ => c[4] += 1,
        }
    }
    c
}

fn counts(v: &serde_json::Value) -> [u64; 5] {
    ["devices", "banned", "review", "clear", "unknown"].map(|k| v[k].as_u64().unwrap())
}

fn fleet(server: &Server, pki: &Pki, token: &str, view: &[&str]) -> std::process::Output {
    let mut args = vec!["fleet"];
    args.extend_from_slice(view);
    args.extend([
        "--server",
        &server.url,
        "--ca",
        s(&pki.ca),
        "--format",
        "json",
    ]);
    with_token(&args, token)
}

fn summary(server: &Server, pki: &Pki, token: &str) -> serde_json::Value {
    let o = fleet(server, pki, token, &["summary"]);
    ok(&o, "fleet summary");
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `fleet summary` as a table.
fn summary_table(server: &Server, pki: &Pki, token: &str) -> String {
    let o = with_token(
        &[
            "fleet",
            "summary",
            "--server",
            &server.url,
            "--ca",
            s(&pki.ca),
        ],
        token,
    );
    ok(&o, "fleet summary table");
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// A local database's removal ledger as `ledger list` has it, counted as the fleet summary
/// counts a site's: items by state, reappeared, remaining (on the network, or seen again).
fn local_ledger(db: &Path) -> serde_json::Value {
    let o = netorigin()
        .args(["ledger", "list", "--db", s(db), "--format", "json"])
        .output()
        .unwrap();
    ok(&o, "ledger list");
    let items: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let state = |i: &serde_json::Value| i["state"].as_str().unwrap().to_string();
    let reappeared = |i: &serde_json::Value| {
        i["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "reappeared")
    };
    let mut counts = serde_json::Map::new();
    for word in LedgerState::ALL.map(LedgerState::as_str) {
        let n = items.iter().filter(|i| state(i) == word).count();
        counts.insert(word.into(), n.into());
    }
    let n = items.iter().filter(|i| reappeared(i)).count();
    counts.insert("reappeared".into(), n.into());
    let on_network = |i: &serde_json::Value| state(i).parse().is_ok_and(LedgerState::on_network);
    let n = items
        .iter()
        .filter(|i| reappeared(i) || on_network(i))
        .count();
    counts.insert("remaining".into(), n.into());
    serde_json::Value::Object(counts)
}

/// Marks `device` of the local database `db` as `args` say, with `netorigin ledger mark`.
fn mark(db: &Path, device: &str, args: &[&str]) {
    let mut all = vec!["ledger", "mark", device];
    all.extend_from_slice(args);
    all.extend(["--db", s(db)]);
    let o = netorigin().args(&all).output().unwrap();
    ok(&o, "ledger mark");
}

fn site<'a>(summary: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    summary["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == name)
        .unwrap_or_else(|| panic!("no site {name} in {summary}"))
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
fn three_sites_upload_catch_up_and_a_moved_chassis_is_one_device() {
    let pg = Pg::new();
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(dir.path());
    let server = Server::start(&pg, &pki, &dir.path().join("server.log"), &[]);
    let tokens: Vec<String> = ["a", "b", "c"].iter().map(|n| add_site(&pg, n)).collect();
    let viewer = add_token(&pg, "--viewer");
    let dbs: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|n| dir.path().join(format!("{n}.db")))
        .collect();
    let upload = ["--upload", &server.url, "--ca", s(&pki.ca)];

    // Site a has the CE12804 and a Cisco switch; site b an AR169.
    let ce = rec("huawei/vrp_ce12804-entity");
    let ios = rec("other/ios_c3560");
    let ar = rec("huawei/vrp_ar169sfp");
    sweep(
        "127.55.0.1",
        &[ce.clone(), ios.clone()],
        &dbs[0],
        "a",
        &upload,
        &tokens[0],
    );
    sweep(
        "127.55.1.1",
        std::slice::from_ref(&ar),
        &dbs[1],
        "b",
        &upload,
        &tokens[1],
    );

    // Site c is offline for three sweeps: its uploads find no server, its sweeps are kept.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("https://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    for _ in 0..3 {
        let err = sweep(
            "127.55.2.1",
            &[rec("huawei/vrp_5720"), rec("other/adtran-aos")],
            &dbs[2],
            "c",
            &[
                "--upload",
                &closed,
                "--ca",
                s(&pki.ca),
                "--upload-retry-for",
                "0",
            ],
            &tokens[2],
        );
        assert!(err.contains("upload"), "the failed upload is said: {err}");
    }

    // The chassis moves from a to b: a no longer has it, b does.
    sweep(
        "127.55.0.1",
        std::slice::from_ref(&ios),
        &dbs[0],
        "a",
        &upload,
        &tokens[0],
    );
    sweep(
        "127.55.1.1",
        &[ar.clone(), ce.clone()],
        &dbs[1],
        "b",
        &upload,
        &tokens[1],
    );

    // Site c catches up, oldest first.
    let o = with_token(
        &[
            "upload",
            "--db",
            s(&dbs[2]),
            &server.url,
            "--ca",
            s(&pki.ca),
        ],
        &tokens[2],
    );
    let err = ok(&o, "catch-up upload");
    assert!(err.contains("3 sweeps sent"), "{err}");

    let first = summary(&server, &pki, &viewer);
    let mut sum = [0u64; 5];
    for (name, db) in ["a", "b", "c"].iter().zip(&dbs) {
        let local = local_counts(db);
        assert_eq!(counts(site(&first, name)), local, "site {name}: {first}");
        for i in 0..5 {
            sum[i] += local[i];
        }
    }
    assert_eq!(counts(&first["total"]), sum, "{first}");
    assert_eq!(site(&first, "c")["sweeps"], 3);
    assert_eq!(site(&first, "b")["moved_in"], 1, "{first}");
    assert_eq!(
        site(&first, "a")["removed"],
        0,
        "moved is not removed: {first}"
    );

    // The chassis is one device, at b, reported as moved from a.
    let o = fleet(&server, &pki, &viewer, &["devices", "--model", "CE12800"]);
    ok(&o, "fleet devices");
    let page: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["devices"][0]["site"], "b");
    assert_eq!(page["devices"][0]["moved_from"], "a");
    let o = fleet(&server, &pki, &viewer, &["diff", "--since", "2000-01-01"]);
    ok(&o, "fleet diff");
    let changes: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let moved: Vec<&serde_json::Value> = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "moved")
        .collect();
    assert_eq!(moved.len(), 1, "{changes}");
    assert_eq!(
        (&moved[0]["site"], &moved[0]["from_site"]),
        (&"b".into(), &"a".into())
    );

    // Uploading everything again changes nothing.
    for (token, db) in tokens.iter().zip(&dbs) {
        let o = with_token(
            &["upload", "--db", s(db), &server.url, "--ca", s(&pki.ca)],
            token,
        );
        let err = ok(&o, "upload again");
        assert!(err.contains("0 sweeps sent"), "{err}");
    }
    assert_eq!(summary(&server, &pki, &viewer), first);

    // The table format names the sites too.
    let table = summary_table(&server, &pki, &viewer);
    assert!(
        table.contains("(all sites)") && table.contains("3 sites"),
        "{table}"
    );

    // Site b's ledger: the AR169 removed (with a photo), the chassis planned. Its next sweep
    // carries them, and sees the AR169 again: reappeared.
    let photo = dir.path().join("rack.jpg");
    std::fs::write(&photo, b"an empty rack").unwrap();
    mark(
        &dbs[1],
        "21500101573GK1000299",
        &["removed", "--by", "field team", "--evidence", s(&photo)],
    );
    mark(
        &dbs[1],
        "127.55.1.2",
        &["planned", "--target", "2027-06-30"],
    );
    sweep("127.55.1.1", &[ar, ce], &dbs[1], "b", &upload, &tokens[1]);
    let after = summary(&server, &pki, &viewer);
    for (name, db) in ["a", "b", "c"].iter().zip(&dbs) {
        assert_eq!(
            site(&after, name)["ledger"],
            local_ledger(db),
            "site {name}"
        );
    }
    let b = &site(&after, "b")["ledger"];
    assert_eq!(
        (&b["removed"], &b["planned"], &b["reappeared"]),
        (&1.into(), &1.into(), &1.into()),
        "{b}"
    );
    let total = &after["total"]["ledger"];
    for key in ["found", "planned", "removed", "reappeared", "remaining"] {
        let sum: u64 = ["a", "b", "c"]
            .iter()
            .map(|n| site(&after, n)["ledger"][key].as_u64().unwrap())
            .sum();
        assert_eq!(total[key], sum, "{key}: {after}");
    }
    let table = summary_table(&server, &pki, &viewer);
    assert!(table.contains("removal ledger"), "{table}");
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
fn tokens_do_only_what_they_may_and_appear_nowhere() {
    let pg = Pg::new();
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(dir.path());
    let server = Server::start(&pg, &pki, &dir.path().join("server.log"), &[]);
    let a = add_site(&pg, "a");
    let b = add_site(&pg, "b");
    let viewer = add_token(&pg, "--viewer");
    let admin = add_token(&pg, "--admin");
    let db = dir.path().join("a.db");
    sweep("127.55.3.1", &[rec("other/ios_c3560")], &db, "a", &[], &a);
    let up_db = |db: &Path, token: &str| {
        with_token(
            &["upload", "--db", s(db), &server.url, "--ca", s(&pki.ca)],
            token,
        )
    };
    let up = |token: &str, site: Option<&str>| {
        let mut args = vec![
            "upload",
            "--db",
            s(&db),
            &server.url,
            "--ca",
            s(&pki.ca),
            "--retry-for",
            "0",
        ];
        if let Some(site) = site {
            args.extend(["--site", site]);
        }
        with_token(&args, token)
    };
    let refused = |o: &std::process::Output, status: &str| {
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!o.status.success(), "{err}");
        assert!(err.contains(status), "expected {status}: {err}");
    };
    refused(&up(&b, None), "403");
    refused(&up(&a, Some("b")), "403");
    refused(&up(&viewer, None), "403");
    refused(&up(&admin, None), "403");
    refused(
        &up(
            "no1_0000000000000000000000000000000000000000000000000000000000000000",
            None,
        ),
        "401",
    );
    refused(&fleet(&server, &pki, &a, &["summary"]), "403");
    refused(&fleet(&server, &pki, "wrong", &["summary"]), "401");
    ok(&up(&a, None), "its own site's upload");
    ok(
        &fleet(&server, &pki, &viewer, &["summary"]),
        "a viewer reads",
    );

    // An admin adds a site over the API; nobody else may.
    let rt = runtime();
    let post_site = |token: &str, name: &str| {
        let client = netorigin::server::Client::new(
            &server.url,
            netorigin::usm::Secret::new(token.to_string()),
            Some(&pki.ca),
            false,
        )
        .unwrap();
        let body = serde_json::json!({ "name": name }).to_string().into_bytes();
        rt.block_on(client.post_json::<serde_json::Value>(
            "/api/v1/sites",
            "application/json",
            body,
        ))
    };
    let added = post_site(&admin, "d").unwrap();
    assert_eq!(added["site"], "d");
    let d = added["token"].as_str().unwrap().to_string();
    let status = |r: Result<serde_json::Value, netorigin::server::ClientError>| match r {
        Err(netorigin::server::ClientError::Refused { status, .. }) => status.as_u16(),
        other => panic!("{other:?}"),
    };
    assert_eq!(status(post_site(&admin, "d")), 409);
    assert_eq!(status(post_site(&viewer, "e")), 403);
    assert_eq!(status(post_site(&a, "e")), 403);
    assert_eq!(status(post_site(&admin, "")), 400);
    let db_d = dir.path().join("d.db");
    sweep("127.55.3.1", &[rec("other/ios_c3560")], &db_d, "d", &[], &d);
    ok(&up_db(&db_d, &d), "the new site uploads with its token");

    let log = server.log();
    let dump = pg.dump();
    assert!(log.contains("site a"), "the log says who uploaded: {log}");
    for token in [&a, &b, &viewer, &admin, &d] {
        assert!(!log.contains(token.as_str()), "a token in the server's log");
        assert!(!dump.contains(token.as_str()), "a token in the database");
        assert!(token.starts_with("no1_") && token.len() > 40, "{token}");
    }
}

/// The record `identify` makes of a recording, as JSON.
fn identified(recording: &str) -> serde_json::Value {
    let out = netorigin()
        .args([
            "identify",
            "--snmprec",
            s(&rec(recording)),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    ok(&out, "identify");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["devices"][0].clone()
}

/// A stored sweep of `n` devices made from a real record, each its own serial and address.
fn big_database(path: &Path, site: &str, n: usize) {
    let rt = runtime();
    rt.block_on(async {
        let template: netorigin::record::DeviceRecord =
            serde_json::from_value(identified("huawei/vrp_ar169sfp")).unwrap();
        let store = netorigin::store::Store::open(path).unwrap();
        let recorder = store
            .begin_sweep(
                &serde_json::json!({"targets": ["synthetic"]}),
                "test",
                "2026-12-07",
                Some(site),
            )
            .unwrap();
        for i in 0..n {
            let mut d = template.clone();
            d.address = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
            d.identification.serial = Some(format!("SYN{i:08}"));
            recorder.device(d);
        }
        recorder
            .finish(netorigin::store::writer::Status::Complete, None, None)
            .await
            .unwrap();
    });
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
fn a_server_killed_mid_ingest_keeps_all_or_nothing_and_the_next_upload_completes() {
    let pg = Pg::new();
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(dir.path());
    let log = dir.path().join("server.log");
    let mut server = Server::start(&pg, &pki, &log, &[]);
    let token = add_site(&pg, "big");
    let db = dir.path().join("big.db");
    const N: usize = 30_000;
    big_database(&db, "big", N);

    let mut upload = netorigin()
        .args([
            "upload",
            "--db",
            s(&db),
            &server.url,
            "--ca",
            s(&pki.ca),
            "--retry-for",
            "0",
        ])
        .env("NETORIGIN_TOKEN", &token)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + LIMIT;
    while !server.log().contains("ingesting sweep") {
        assert!(
            Instant::now() < deadline,
            "no ingest began: {}",
            server.log()
        );
        if let Some(status) = upload.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(upload.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!(
                "the upload ended ({status}) before an ingest began: {err}\n{}",
                server.log()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Devices are being written (uncommitted rows take pages already): SIGKILL now, with no
    // chance to roll back or flush anything.
    while pg.query_one_i64("SELECT pg_relation_size('device_state')") == 0 {
        assert!(
            Instant::now() < deadline,
            "no device written: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no chance to roll back or flush anything.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let o = upload.wait_with_output().unwrap();
    assert!(!o.status.success(), "the upload knows it did not land");

    let sweeps = pg.query_one_i64("SELECT count(*) FROM sweep");
    let states = pg.query_one_i64("SELECT count(*) FROM device_state");
    let devices = pg.query_one_i64("SELECT count(*) FROM device");
    let modules = pg.query_one_i64("SELECT count(*) FROM state_module");
    assert!(
        (sweeps, states, devices) == (0, 0, 0) && modules == 0
            || (sweeps, states, devices) == (1, N as i64, N as i64),
        "all or nothing: {sweeps} sweeps, {states} device states, {devices} devices, {modules} modules"
    );

    let server = Server::start(&pg, &pki, &log, &[]);
    let o = with_token(
        &["upload", "--db", s(&db), &server.url, "--ca", s(&pki.ca)],
        &token,
    );
    ok(&o, "the next upload");
    assert_eq!(pg.query_one_i64("SELECT count(*) FROM sweep"), 1);
    assert_eq!(
        pg.query_one_i64("SELECT count(*) FROM device_state"),
        N as i64
    );
    assert_eq!(pg.query_one_i64("SELECT count(*) FROM device"), N as i64);
}

/// Bytes gzip-compressed.
fn gzip(text: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text).unwrap();
    e.finish().unwrap()
}

fn header(site: &str) -> String {
    serde_json::json!({
        "netorigin_bundle": 1,
        "sweep": {
            "uuid": "6f1c1f4e-5d55-4e8e-9b43-0c8f2f1d2a11",
            "site": site,
            "started_ms": 1_765_000_000_000i64,
            "ended_ms": 1_765_000_060_000i64,
            "status": "complete",
            "parameters": {},
            "data_versions": "test",
            "judged_on": "2026-12-07",
            "probed": 1, "responders": 1, "silent": 0, "requests": 4, "timeouts": 0,
            "note": null
        }
    })
    .to_string()
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test starts one"]
fn bad_bundles_get_their_status_and_store_nothing() {
    let pg = Pg::new();
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(dir.path());
    let server = Server::start(
        &pg,
        &pki,
        &dir.path().join("server.log"),
        &["--max-bundle-mib", "1"],
    );
    let token = add_site(&pg, "a");
    let client = netorigin::server::Client::new(
        &server.url,
        netorigin::usm::Secret::new(token),
        Some(&pki.ca),
        false,
    )
    .unwrap();
    let record = identified("other/ios_c3560");
    let device = |r: &serde_json::Value| serde_json::json!({ "device": r }).to_string();
    let end = |n: u64| serde_json::json!({ "end": { "devices": n } }).to_string();
    let lines = |l: &[String]| gzip(format!("{}\n", l.join("\n")).as_bytes());
    let good = [header("a"), device(&record), end(1)];

    let mut hostile = record.clone();
    hostile["sys_name"] = "evil\u{1b}[2Jname".into();
    let mut huge = record.clone();
    huge["sys_descr"] = "x".repeat(200_000).into();
    let mut deep = String::new();
    for _ in 0..5_000 {
        deep.push_str("{\"a\":");
    }
    deep.push('1');
    for _ in 0..5_000 {
        deep.push('}');
    }
    let newer = header("a").replace("\"netorigin_bundle\":1", "\"netorigin_bundle\":99");
    let mut oversized = Vec::new();
    let mut seed = 1u64;
    while oversized.len() < (1 << 20) + 4096 {
        // Incompressible bytes: over the limit as sent.
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        oversized.extend_from_slice(&seed.to_le_bytes());
    }
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("not gzip", b"{\"netorigin_bundle\":1}".to_vec(), 400),
        ("truncated gzip", lines(&good)[..40].to_vec(), 400),
        ("no trailer", lines(&good[..2]), 400),
        (
            "wrong count",
            lines(&[header("a"), device(&record), end(2)]),
            400,
        ),
        (
            "newer format",
            lines(&[newer, device(&record), end(1)]),
            400,
        ),
        (
            "control characters",
            lines(&[header("a"), device(&hostile), end(1)]),
            400,
        ),
        (
            "a huge string",
            lines(&[header("a"), device(&huge), end(1)]),
            400,
        ),
        (
            "deep JSON",
            lines(&[header("a"), format!("{{\"device\":{deep}}}"), end(1)]),
            400,
        ),
        (
            "another site",
            lines(&[header("b"), device(&record), end(1)]),
            403,
        ),
        ("oversized", oversized, 413),
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (what, body, status) in cases {
        let e = rt
            .block_on(client.post_json::<serde_json::Value>(
                "/api/v1/bundles",
                "application/x-netorigin-bundle+gzip",
                body,
            ))
            .expect_err(what);
        match &e {
            netorigin::server::ClientError::Refused {
                status: s, message, ..
            } => {
                assert_eq!(s.as_u16(), status, "{what}: {message}");
                assert!(!message.is_empty(), "{what}");
            }
            e => panic!("{what}: {e}"),
        }
        assert_eq!(pg.query_one_i64("SELECT count(*) FROM sweep"), 0, "{what}");
        assert_eq!(
            pg.query_one_i64("SELECT count(*) FROM device_state"),
            0,
            "{what}"
        );
    }
    // And the good one is stored.
    let stored: serde_json::Value = rt
        .block_on(client.post_json(
            "/api/v1/bundles",
            "application/x-netorigin-bundle+gzip",
            lines(&good),
        ))
        .unwrap();
    assert_eq!(stored["stored"], true);
    assert_eq!(pg.query_one_i64("SELECT count(*) FROM device_state"), 1);
    // The same sweep again from its site: already there. As another site's: a conflict.
    let again: serde_json::Value = rt
        .block_on(client.post_json(
            "/api/v1/bundles",
            "application/x-netorigin-bundle+gzip",
            lines(&good),
        ))
        .unwrap();
    assert_eq!(again["stored"], false);
    let b = netorigin::server::Client::new(
        &server.url,
        netorigin::usm::Secret::new(add_site(&pg, "b")),
        Some(&pki.ca),
        false,
    )
    .unwrap();
    let e = rt
        .block_on(b.post_json::<serde_json::Value>(
            "/api/v1/bundles",
            "application/x-netorigin-bundle+gzip",
            lines(&[header("b"), device(&record), end(1)]),
        ))
        .unwrap_err();
    assert!(
        matches!(&e, netorigin::server::ClientError::Refused { status, .. } if status.as_u16() == 409),
        "{e}"
    );
    assert_eq!(pg.query_one_i64("SELECT count(*) FROM sweep"), 1);
}
