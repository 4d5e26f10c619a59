//! The binary's contract with people: bad input gets a clear message and exit code 2, silent
//! addresses are reported as silent, the demo identifies every Huawei recording, and saved
//! walks replay.

mod common;

use std::net::UdpSocket;
use std::path::PathBuf;
use std::time::Duration;

use common::{Simulator, free_port, jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn unparsable_target_is_exit_2_naming_it() {
    let o = run(&["sweep", "127.0.0.300", "--port", "16999"], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("127.0.0.300") && stderr(&o).contains("expected"),
        "{}",
        stderr(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("segment.txt");
    std::fs::write(&list, "127.0.0.1\n\n127.0.0.0/40\n").unwrap();
    let o = run(&["sweep", &format!("@{}", list.display())], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("segment.txt:3"), "{}", stderr(&o));
}

#[test]
fn a_site_is_stored_with_the_sweep_and_a_bad_one_is_exit_2_naming_site() {
    let long = "x".repeat(201);
    for bad in ["", " ", "TOR\u{1b}[2J01", long.as_str()] {
        for command in [&["sweep"][..], &["schedule", "--every", "6h"]] {
            let mut args = command.to_vec();
            args.extend(["127.0.0.1", "--no-db", "--site", bad]);
            let o = run(&args, LIMIT);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("--site"), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("site name"), "{args:?}: {}", stderr(&o));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let port = free_port("127.21.0.10").to_string();
    let sweep = [
        "sweep",
        "127.21.0.10",
        "--port",
        &port,
        "--timeout",
        "200",
        "--retries",
        "0",
        "--format",
        "jsonl",
        "--db",
        s(&db),
        "--site",
        "TOR01 Front St.",
    ];
    let o = run(&sweep, LIMIT);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        &["history", "list", "--db", s(&db), "--format", "jsonl"],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = jsonl(&o.stdout);
    assert_eq!(lines[0]["site"], "TOR01 Front St.");
    assert_eq!(lines[0]["parameters"]["site"], "TOR01 Front St.");
    assert_eq!(lines[0]["uuid"].as_str().map(str::len), Some(36));
    let o = run(&["history", "list", "--db", s(&db)], LIMIT);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("TOR01"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn rate_zero_is_exit_2() {
    let o = run(&["sweep", "127.0.0.1", "--rate", "0"], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at least 1"), "{}", stderr(&o));
}

#[test]
fn missing_recording_is_exit_2_naming_it() {
    let o = run(
        &["simulate", "--port", "16998", "/nonexistent/device.snmprec"],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/device.snmprec"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn malformed_recording_under_strict_is_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.snmprec");
    std::fs::write(&f, "1.3.6.1.2.1.1.1.0|4|fine\n1.3.6.1.2.1.1.3.0|67|soon\n").unwrap();
    let o = run(&["simulate", "--strict", "--port", "16997", s(&f)], LIMIT);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.snmprec:2:"), "{}", stderr(&o));
}

#[test]
fn port_in_use_is_exit_2() {
    let held = UdpSocket::bind("127.21.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let rec = root().join("tests/data/snmprec/huawei/vrp_route.snmprec");
    let o = run(
        &["simulate", "--base", "127.21.0.1", "--port", &port, s(&rec)],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("in use"), "{}", stderr(&o));
}

#[test]
fn an_address_that_never_answers_is_reported_silent_not_an_error() {
    let port = free_port("127.21.0.9").to_string();
    let o = run(
        &[
            "sweep",
            "127.21.0.9",
            "--port",
            &port,
            "--timeout",
            "200",
            "--retries",
            "0",
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("1 silent")
            && out.contains("silent (no answer to any credential): 127.21.0.9"),
        "{out}"
    );
    let o = run(
        &[
            "sweep",
            "127.21.0.9",
            "--port",
            &port,
            "--timeout",
            "200",
            "--retries",
            "0",
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("1 silent"), "{}", stderr(&o));
}

#[test]
fn demo_identifies_every_bundled_huawei_recording_as_huawei() {
    let segment: Vec<PathBuf> = std::fs::read_to_string(root().join("demo/segment.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
        .collect();
    let o = run(&["demo", "--format", "jsonl"], LIMIT);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = jsonl(&o.stdout);
    let records: Vec<_> = all
        .iter()
        .filter(|r| r["discovered_via"] == "snmp")
        .collect();
    assert_eq!(
        records.len(),
        segment.len(),
        "one polled device per recording"
    );
    // Devices seen only in the polled devices' LLDP tables are reported too, after them.
    let neighbours = all
        .iter()
        .filter(|r| r["discovered_via"] == "lldp-neighbor")
        .count();
    assert_eq!(all.len(), records.len() + neighbours);
    let mut huawei = 0;
    for r in &records {
        // Agents are on consecutive addresses from 127.77.0.1, in segment order.
        let addr: std::net::Ipv4Addr = r["address"].as_str().unwrap().parse().unwrap();
        let i = (u32::from(addr) - u32::from(std::net::Ipv4Addr::new(127, 77, 0, 1))) as usize;
        let path = &segment[i];
        if path.starts_with("tests/data/snmprec/huawei") {
            huawei += 1;
            assert_eq!(r["vendor"], "Huawei", "{}", path.display());
            assert_eq!(r["origin"], "huawei", "{}", path.display());
            assert_eq!(r["verdict"], "banned", "{}", path.display());
        } else {
            assert_ne!(r["origin"], "huawei", "{}", path.display());
        }
    }
    assert!(huawei >= 10, "the demo carries {huawei} Huawei recordings");
    let o = run(&["demo"], LIMIT);
    let table = String::from_utf8_lossy(&o.stdout);
    let huawei_all = all.iter().filter(|r| r["origin"] == "huawei").count();
    assert!(
        table.contains(&format!("Huawei-origin: {huawei_all};")),
        "{table}"
    );
    assert!(table.contains(&format!("{} devices", all.len())), "{table}");
}

#[test]
fn saved_walks_replay_to_the_same_records() {
    let recs: Vec<PathBuf> = [
        "huawei/vrp_ar169sfp",
        "zte/zxr10_5928",
        "other/arista_eos",
        "h3c/comware_hpe5900",
    ]
    .iter()
    .map(|n| root().join(format!("tests/data/snmprec/{n}.snmprec")))
    .collect();
    let first = Simulator::start("127.22.0.1", &recs, &[]);
    let dir = tempfile::tempdir().unwrap();
    let walks = dir.path().join("walks");
    let port = first.port.to_string();
    let sweep = |port: &str, extra: &[&str]| {
        let mut args = vec![
            "sweep",
            "127.22.0.0/29",
            "--port",
            port,
            "--rate",
            "unlimited",
            "--format",
            "jsonl",
        ];
        args.extend_from_slice(extra);
        let o = run(&args, LIMIT);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut r = jsonl(&o.stdout);
        r.sort_by_key(|d| d["address"].as_str().unwrap().to_string());
        r
    };
    let original = sweep(&port, &["--save-walks", s(&walks)]);
    drop(first);
    let mut saved: Vec<PathBuf> = std::fs::read_dir(&walks)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    saved.sort();
    assert_eq!(saved.len(), 4);
    let again = Simulator::start("127.22.0.1", &saved, &[]);
    let replayed = sweep(&again.port.to_string(), &[]);
    assert_eq!(original.len(), replayed.len());
    for (a, b) in original.iter().zip(&replayed) {
        for (key, value) in a.as_object().unwrap() {
            // A saved walk holds the plan's tables only, so where a walk ended can differ
            // (end of table versus end of the MIB view); everything reported must not.
            // The replay is a later sweep into the same history database: it knows the day
            // the first saw each device.
            if key == "first_seen" {
                assert!(b[key].is_string(), "{} {key}: {}", a["address"], b[key]);
            } else if key != "tables" {
                assert_eq!(value, &b[key], "{} {key}", a["address"]);
            }
        }
    }
}

#[test]
fn eltex_lldp_table_reveals_a_huawei_ma5801_as_a_device_of_its_own() {
    let rec = root().join("tests/data/snmprec/other/eltex-mes23xx_mes2324fb.snmprec");
    let o = run(
        &["identify", "--snmprec", s(&rec), "--format", "jsonl"],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let records = jsonl(&o.stdout);
    let polled: Vec<_> = records
        .iter()
        .filter(|r| r["discovered_via"] == "recording")
        .collect();
    assert_eq!(polled.len(), 1);
    assert_eq!(polled[0]["vendor"], "Eltex");
    let ma5801: Vec<_> = records
        .iter()
        .filter(|r| r["discovered_via"] == "lldp-neighbor" && r["model"] == "MA5801")
        .collect();
    assert_eq!(
        ma5801.len(),
        1,
        "one MA5801 among {} neighbours",
        records.len() - 1
    );
    let d = ma5801[0];
    assert_eq!(d["vendor"], "Huawei");
    assert_eq!(d["origin"], "huawei");
    assert_eq!(d["verdict"], "banned");
    assert!(
        d["confidence"].as_f64().unwrap() < polled[0]["confidence"].as_f64().unwrap(),
        "a neighbour's word counts less"
    );
    assert!(
        d["notes"][0].as_str().unwrap().contains("LLDP table of"),
        "{}",
        d["notes"]
    );
    assert!(
        d["evidence"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("LLDP neighbour of")
    );
}

#[test]
fn every_format_carries_every_device_and_the_data_versions() {
    let recs: Vec<PathBuf> = [
        "huawei/vrp_ar169sfp",
        "h3c/comware_hpe5900",
        "other/arista_eos",
    ]
    .iter()
    .map(|n| root().join(format!("tests/data/snmprec/{n}.snmprec")))
    .collect();
    let mut args = vec!["identify", "--snmprec"];
    args.extend(recs.iter().map(|p| s(p)));
    let with = |format: &str| {
        let mut a = args.clone();
        a.extend(["--format", format]);
        let o = run(&a, LIMIT);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let table = with("table");
    assert!(table.contains("H3C (HPE brand)"), "{table}");
    assert!(
        table.contains("enterprise numbers") && table.contains("OUIs: IEEE registry"),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&with("json")).unwrap();
    // The data versions name the whole IANA registry beside the curated numbers.
    assert_eq!(
        json["provenance"]["enterprise_registry"],
        "IANA enterprise registry 2024-08-23 (62240 numbers)"
    );
    let polled = |v: &Vec<serde_json::Value>| {
        v.iter()
            .filter(|d| d["discovered_via"] == "recording")
            .count()
    };
    assert_eq!(polled(json["devices"].as_array().unwrap()), 3);
    assert!(
        json["provenance"]["oui_registry"]
            .as_str()
            .unwrap()
            .starts_with("IEEE registry")
    );
    let csv = with("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        rows.iter()
            .filter(|r| r[col("discovered_via")] == *"recording")
            .count(),
        3
    );
    assert_eq!(
        rows.len(),
        json["devices"].as_array().unwrap().len(),
        "csv and json carry the same devices"
    );
    let comware = rows.iter().find(|r| r[col("vendor")] == *"H3C").unwrap();
    assert_eq!(&comware[col("brand")], "HPE");
    // Nested parts are kept whole, as JSON in their cells.
    let modules: serde_json::Value = serde_json::from_str(&comware[col("modules")]).unwrap();
    assert!(modules.as_array().unwrap().len() > 10, "{modules}");
    assert_eq!(&comware[col("discovered_via")], "recording");
    let lines = jsonl(with("jsonl").as_bytes());
    assert_eq!(polled(&lines), 3);
    // Streamed rows name the data versions they were judged with, as the other formats do.
    for l in &lines {
        assert!(
            l["data_versions"]
                .as_str()
                .unwrap()
                .contains("policy: huawei-origin"),
            "{}",
            l["data_versions"]
        );
    }
    assert!(
        rows.iter()
            .all(|r| r[col("data_versions")].contains("enterprise numbers"))
    );
}

#[test]
fn fail_on_sets_exit_code_3_and_bad_policies_are_exit_2() {
    let huawei = root().join("tests/data/snmprec/huawei/vrp_route.snmprec");
    let arista = root().join("tests/data/snmprec/other/arista_eos.snmprec");
    let canada = root().join("policies/canada-2022.toml");
    let us = root().join("policies/us-fcc-covered-list.toml");
    let o = run(
        &[
            "identify",
            "--snmprec",
            s(&huawei),
            "--policy",
            s(&us),
            "--fail-on",
            "banned",
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let r = &jsonl(&o.stdout)[0];
    assert_eq!(r["verdict"], "banned");
    assert_eq!(r["findings"][0]["jurisdiction"], "US");
    assert!(
        !o.stdout.is_empty(),
        "the report is written before the exit code is set"
    );
    let o = run(
        &[
            "identify",
            "--snmprec",
            s(&arista),
            "--policy",
            s(&canada),
            "--fail-on",
            "review",
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad-policy.toml");
    std::fs::write(&bad, "[policy]\nname = \"x\"\nversion = \"1\"\n[[rule]]\nid = \"a\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\", \"acme\"]\n").unwrap();
    let o = run(
        &["identify", "--snmprec", s(&huawei), "--policy", s(&bad)],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad-policy.toml:8:22: unknown origin group \"acme\""),
        "{}",
        stderr(&o)
    );
    assert!(
        o.stdout.is_empty(),
        "nothing is judged with a broken policy"
    );
}

#[test]
fn without_context_canada_is_a_review_and_the_uk_cap_reaches_the_json_report() {
    let huawei = root().join("tests/data/snmprec/huawei/vrp_route.snmprec");
    let identify = |policy: &str, fail_on: &str| {
        let policy = root().join(policy);
        run(
            &[
                "identify",
                "--snmprec",
                s(&huawei),
                "--policy",
                s(&policy),
                "--fail-on",
                fail_on,
                "--format",
                "json",
            ],
            LIMIT,
        )
    };
    let o = identify("policies/canada-2022.toml", "banned");
    assert_eq!(
        o.status.code(),
        Some(0),
        "review is not banned: {}",
        stderr(&o)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &doc["devices"][0];
    assert_eq!(d["verdict"], "review");
    for f in d["findings"].as_array().unwrap() {
        assert!(
            f["reason"]
                .as_str()
                .unwrap()
                .ends_with("(technology unknown: review)"),
            "{f}"
        );
    }
    assert_eq!(doc["shares"], serde_json::json!([]));
    let o = identify("policies/uk-2020.toml", "review");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let share = &doc["shares"][0];
    assert_eq!(share["rule"], "huawei-fibre-access-35");
    assert_eq!(share["of"], "technology fibre-access");
    assert_eq!(share["max_share"], 0.35);
    assert_eq!(
        (&share["found"], &share["total"], &share["unsettled"]),
        (
            &serde_json::json!(0),
            &serde_json::json!(0),
            &serde_json::json!(1)
        ),
        "a Huawei device of unknown technology is counted apart: {share}"
    );
    assert_eq!(share["exceeded"], false);
}

#[test]
fn a_device_with_no_working_credential_is_reported_from_its_engine_id() {
    let rec = root().join("tests/data/snmprec/zte/zxr10_5928.snmprec");
    let sim = Simulator::start("127.22.1.1", &[rec], &["--community", "only-the-noc-knows"]);
    let port = sim.port.to_string();
    let o = run(
        &[
            "sweep",
            "127.22.1.1",
            "--port",
            &port,
            "--timeout",
            "300",
            "--retries",
            "0",
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r = &jsonl(&o.stdout)[0];
    assert_eq!(r["vendor"], "ZTE");
    assert_eq!(r["origin"], "zte");
    assert_eq!(r["verdict"], "banned");
    assert!(r["credential"].is_null());
    assert!(
        r["engine_id"].as_str().unwrap().starts_with("80000f3e03"),
        "ZTE's 3902 in RFC 3411's MAC format: {}",
        r["engine_id"]
    );
    assert_eq!(r["chassis_mac"], "00:19:c6:01:0e:3c", "the engine ID's MAC");
    assert_eq!(
        r["evidence"][0]["source"],
        "SNMPv3 engine ID enterprise 3902"
    );
    assert!(
        r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("engine-ID probe"))
    );
    // With the probe off, the same device is silent.
    let o = run(
        &[
            "sweep",
            "127.22.1.1",
            "--port",
            &port,
            "--timeout",
            "300",
            "--retries",
            "0",
            "--no-engine-probe",
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert!(o.status.success());
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn sweeps_and_simulates_over_ipv6() {
    let rec = root().join("tests/data/snmprec/huawei/vrp_route.snmprec");
    let sim = Simulator::start("::1", &[rec], &[]);
    assert_eq!(sim.agents[0].0.to_string(), format!("[::1]:{}", sim.port));
    let o = run(
        &[
            "sweep",
            "::1/128",
            "--port",
            &sim.port.to_string(),
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r = &jsonl(&o.stdout)[0];
    assert_eq!(r["address"], "::1");
    assert_eq!(r["vendor"], "Huawei");
    assert!(
        r["engine_id"].as_str().unwrap().starts_with("800007db"),
        "the v3 probe works over IPv6 too"
    );
}

#[test]
fn credentials_files_drive_the_ladder_and_bad_ones_are_exit_2() {
    let rec = root().join("tests/data/snmprec/huawei/vrp_route.snmprec");
    let sim = Simulator::start("127.22.2.1", &[rec], &["--community", "noc-community"]);
    let port = sim.port.to_string();
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("creds.toml");
    std::fs::write(
        &creds,
        "[[credential]]\ncommunity = \"elsewhere\"\nscope = [\"10.0.0.0/8\"]\n\
         [[credential]]\ncommunity_env = \"TEST_NOC_COMMUNITY\"\nversion = \"v2c\"\n",
    )
    .unwrap();
    let o = common::netorigin()
        .args([
            "sweep",
            "127.22.2.1",
            "--port",
            &port,
            "--credentials",
            s(&creds),
            "--timeout",
            "300",
            "--format",
            "jsonl",
        ])
        .env("TEST_NOC_COMMUNITY", "noc-community")
        .env("NETORIGIN_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let r = &jsonl(&o.stdout)[0];
    assert_eq!(
        r["credential"], "v2c community #2",
        "the first is out of scope and never tried"
    );
    assert!(!r["notes"].to_string().contains("#1"), "{}", r["notes"]);
    assert!(
        stderr(&o).contains("can be read by other users"),
        "{}",
        stderr(&o)
    );
    for text in [&o.stdout, &o.stderr] {
        assert!(
            !String::from_utf8_lossy(text).contains("noc-community"),
            "the community leaked"
        );
    }

    std::fs::write(
        &creds,
        "[[credential]]\ncommunity = \"x\"\nversion = \"v3\"\n",
    )
    .unwrap();
    let o = run(
        &[
            "sweep",
            "127.22.2.1",
            "--port",
            &port,
            "--credentials",
            s(&creds),
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("creds.toml:3:11: version must be"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn v3_sweep_of_a_simulated_agent_with_every_pairing() {
    let rec = root().join("tests/data/snmprec/zte/zxr10_5928.snmprec");
    let pairings = [
        ("md5", "des"),
        ("sha1", "aes128"),
        ("sha256", "aes192"),
        ("sha512", "aes256"),
        ("sha224", "3des"),
        ("sha384", "aes256-cisco"),
    ];
    let users: Vec<String> = pairings
        .iter()
        .map(|(a, p)| format!("u-{a}-{p}:{a}:auth-{a}-pass:{p}:priv-{p}-pass"))
        .collect();
    let mut args: Vec<&str> = Vec::new();
    for u in &users {
        args.extend(["--v3-user", u.as_str()]);
    }
    let sim = Simulator::start("127.22.3.1", &[rec], &args);
    let dir = tempfile::tempdir().unwrap();
    for (a, p) in pairings {
        let creds = dir.path().join(format!("{a}-{p}.toml"));
        std::fs::write(
            &creds,
            format!("[[credential]]\nuser = \"u-{a}-{p}\"\nauth = \"{a}\"\nauth_password = \"auth-{a}-pass\"\nprivacy = \"{p}\"\nprivacy_password = \"priv-{p}-pass\"\n"),
        )
        .unwrap();
        let o = common::netorigin()
            .args([
                "sweep",
                "127.22.3.1",
                "--port",
                &sim.port.to_string(),
                "--credentials",
                s(&creds),
                "--format",
                "jsonl",
            ])
            .env("NETORIGIN_DATA_DIR", dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{a}/{p}: {}", stderr(&o));
        let r = &jsonl(&o.stdout)[0];
        assert!(
            r["credential"]
                .as_str()
                .unwrap()
                .starts_with(&format!("v3 user \"u-{a}-{p}\"")),
            "{a}/{p}: {}",
            r["credential"]
        );
        assert_eq!(r["vendor"], "ZTE", "{a}/{p}");
        assert!(
            r["interfaces"].as_array().unwrap().len() > 10,
            "{a}/{p}: the walk ran over v3"
        );
        let all =
            String::from_utf8_lossy(&[o.stdout.clone(), o.stderr.clone()].concat()).into_owned();
        assert!(
            !all.contains(&format!("auth-{a}-pass")) && !all.contains(&format!("priv-{p}-pass")),
            "a secret leaked"
        );
    }
}

#[test]
fn refused_v3_users_are_reported_with_the_agents_reason_and_the_ladder_goes_on() {
    let rec = root().join("tests/data/snmprec/huawei/vrp_route.snmprec");
    let sim = Simulator::start(
        "127.22.4.1",
        &[rec],
        &[
            "--v3-user",
            "noc:sha256:noc-auth-pass:aes128:noc-priv-pass",
            "--v3-user",
            "ro:sha1:ro-auth-pass",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("ladder.toml");
    let user = |name: &str, auth: &str, pass: &str, privacy: Option<&str>| {
        let mut t = format!(
            "[[credential]]\nuser = \"{name}\"\nauth = \"{auth}\"\nauth_password = \"{pass}\"\n"
        );
        if let Some(p) = privacy {
            t.push_str(&format!(
                "privacy = \"{p}\"\nprivacy_password = \"noc-priv-pass\"\n"
            ));
        }
        t
    };
    std::fs::write(
        &creds,
        [
            user("noc", "sha256", "not-the-pass", Some("aes128")),
            user("intruder", "sha256", "whatever-pass", None),
            user("ro", "sha1", "ro-auth-pass", Some("aes128")),
            user("noc", "sha256", "noc-auth-pass", Some("aes128")),
        ]
        .concat(),
    )
    .unwrap();
    let o = run(
        &[
            "sweep",
            "127.22.4.1",
            "--port",
            &sim.port.to_string(),
            "--credentials",
            s(&creds),
            "--timeout",
            "10000",
            "--format",
            "json",
        ],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &doc["devices"][0];
    assert!(
        r["credential"].as_str().unwrap().ends_with("#4"),
        "{}",
        r["credential"]
    );
    let notes: Vec<&str> = r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes[0].contains("#1") && notes[0].contains("usmStatsWrongDigests"),
        "{notes:?}"
    );
    assert!(
        notes[1].contains("#2") && notes[1].contains("usmStatsUnknownUserNames"),
        "{notes:?}"
    );
    assert!(
        notes[2].contains("#3") && notes[2].contains("usmStatsUnsupportedSecLevels"),
        "{notes:?}"
    );
    // Each refusal came back as a Report, not after a timeout: the sweep counts none (a
    // refusal left to time out would be counted, however fast or slow the machine).
    assert_eq!(doc["summary"]["timeouts"], 0, "{}", doc["summary"]);
}
