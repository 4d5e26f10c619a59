//! Verdicts that know where a device stands, through the real binary: a simulated segment
//! swept with an inventory file and the shipped policies (Canada's 4G and 5G deadlines, each
//! device only its own; `review` with "technology unknown" without the inventory), and the UK's
//! cap on Huawei's share of full-fibre access in every report format (the DOT graph's caption
//! too), and the day a storing sweep first saw a device. Simulated agents live on
//! 127.53.0.0/24 and 127.54.0.0/24 only.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Simulator, huawei_enodeb, jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `sweep TARGET --policy POLICY [EXTRA...] --format jsonl --no-db` at 2024-01-01: the device
/// records, by address.
fn sweep(target: &str, port: u16, policy: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let p = port.to_string();
    let policy = root().join("policies").join(policy);
    let mut args = vec![
        "sweep",
        target,
        "--port",
        &p,
        "--rate",
        "unlimited",
        "--no-db",
        "--today",
        "2024-01-01",
        "--policy",
        s(&policy),
        "--format",
        "jsonl",
    ];
    args.extend_from_slice(extra);
    let o = run(&args, LIMIT);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    jsonl(&o.stdout)
        .into_iter()
        .filter(|d| d.get("address").is_some())
        .collect()
}

fn at<'a>(devices: &'a [serde_json::Value], address: &str) -> &'a serde_json::Value {
    devices
        .iter()
        .find(|d| d["address"] == address)
        .unwrap_or_else(|| panic!("no {address} in {devices:?}"))
}

/// The (rule, verdict, deadline) of each finding about the device itself.
fn findings(d: &serde_json::Value) -> Vec<(String, String, String)> {
    d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["module"].is_null())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["verdict"].as_str().unwrap().to_string(),
                f["deadline"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn canada_gives_a_4g_enodeb_and_a_5g_core_router_each_its_own_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Simulator::start(
        "127.53.0.1",
        &[huawei_enodeb(dir.path()), rec("huawei/vrp_ne8000-m8")],
        &[],
    );
    let inventory = dir.path().join("inventory.csv");
    std::fs::write(
        &inventory,
        "address,site,role,technology\n\
         127.53.0.1,TOR01,ran,LTE\n\
         127.53.0.2,TOR01,core,5G\n",
    )
    .unwrap();
    let with = sweep(
        "127.53.0.0/29",
        sim.port,
        "canada-2022.toml",
        &["--inventory", s(&inventory)],
    );
    let (enb, router) = (at(&with, "127.53.0.1"), at(&with, "127.53.0.2"));
    assert_eq!(enb["origin"], "huawei");
    assert_eq!(router["origin"], "huawei");
    assert_eq!(enb["technology"]["value"], "4g");
    assert!(
        enb["technology"]["source"]
            .as_str()
            .unwrap()
            .contains("inventory.csv:2"),
        "{}",
        enb["technology"]
    );
    assert_eq!(router["role"]["value"], "core");
    assert_eq!(
        findings(enb),
        [("huawei-zte-4g".into(), "banned".into(), "2027-12-31".into())]
    );
    assert_eq!(
        findings(router),
        [("huawei-zte-5g".into(), "banned".into(), "2024-06-28".into())]
    );

    // Without the inventory nothing says which technology: each rule asks for a review.
    let without = sweep("127.53.0.0/29", sim.port, "canada-2022.toml", &[]);
    for address in ["127.53.0.1", "127.53.0.2"] {
        let d = at(&without, address);
        assert_eq!(d["verdict"], "review", "{d}");
        let all = d["findings"].as_array().unwrap();
        for rule in ["huawei-zte-5g", "huawei-zte-4g"] {
            let f = all
                .iter()
                .find(|f| f["rule"] == rule && f["module"].is_null())
                .unwrap_or_else(|| panic!("no {rule} finding on {address}: {all:?}"));
            assert_eq!(f["verdict"], "review");
            assert!(
                f["reason"].as_str().unwrap().contains("technology unknown"),
                "{f}"
            );
        }
    }
}

/// Ten fibre-access devices on 127.54.0.0/24, `huawei` of them Huawei SmartAX access nodes
/// (copies of one recording under other names, so each is an agent of its own) and the others
/// OLTs and access nodes of other makers; the inventory says each is fibre access.
fn fibre_segment(dir: &Path, huawei: usize) -> (Simulator, PathBuf) {
    let mut paths: Vec<PathBuf> = (0..huawei)
        .map(|i| {
            let copy = dir.join(format!("smartax-mdu-{i}.snmprec"));
            std::fs::copy(rec("huawei/smartax-mdu"), &copy).unwrap();
            copy
        })
        .collect();
    let others = [
        "other/calix",
        "other/calix_716ge",
        "zte/zxa10",
        "other/nokia-isam",
        "other/dasan-nos",
        "other/ubiquoss-pon_9500",
        "other/adtran-aos",
    ];
    paths.extend(others[..10 - huawei].iter().map(|o| rec(o)));
    let inventory = dir.join("fibre.csv");
    std::fs::write(&inventory, "address,technology\n127.54.0.0/24,GPON\n").unwrap();
    (Simulator::start("127.54.0.1", &paths, &[]), inventory)
}

/// The UK policy's sweep of the fibre segment in `format`: its report.
fn uk_report(port: u16, inventory: &Path, format: &str) -> String {
    let p = port.to_string();
    let policy = root().join("policies/uk-2020.toml");
    let args = [
        "sweep",
        "127.54.0.0/27",
        "--port",
        &p,
        "--rate",
        "unlimited",
        "--no-db",
        "--today",
        "2024-01-01",
        "--policy",
        s(&policy),
        "--inventory",
        s(inventory),
        "--format",
        format,
        "--wide",
    ];
    let o = run(&args, LIMIT);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn the_uk_full_fibre_share_is_reported_within_or_over_its_cap_in_every_format() {
    for (huawei, share, exceeded) in [(3, "30%", false), (4, "40%", true)] {
        let dir = tempfile::tempdir().unwrap();
        let (sim, inventory) = fibre_segment(dir.path(), huawei);
        let found = format!("({huawei} of 10 devices)");

        let table = uk_report(sim.port, &inventory, "table");
        let line = table
            .lines()
            .find(|l| l.contains("huawei-fibre-access-35"))
            .unwrap_or_else(|| panic!("no share line in\n{table}"));
        assert!(line.contains(share) && line.contains(&found), "{line}");
        assert!(line.contains("cap 35%"), "{line}");
        assert_eq!(line.contains("EXCEEDED"), exceeded, "{line}");

        let json: serde_json::Value =
            serde_json::from_str(&uk_report(sim.port, &inventory, "json")).unwrap();
        let shares = json["shares"].as_array().unwrap();
        assert_eq!(shares.len(), 1, "{shares:?}");
        let one = &shares[0];
        assert_eq!(one["rule"], "huawei-fibre-access-35");
        assert_eq!(
            (one["found"].as_u64(), one["total"].as_u64()),
            (Some(huawei as u64), Some(10))
        );
        assert_eq!(one["max_share"], 0.35);
        assert_eq!(one["exceeded"], exceeded);
        assert_eq!(json["devices"].as_array().unwrap().len(), 10);

        let lines = jsonl(uk_report(sim.port, &inventory, "jsonl").as_bytes());
        let last = lines.last().unwrap();
        assert_eq!(
            last["share"]["found"].as_u64(),
            Some(huawei as u64),
            "{last}"
        );
        assert_eq!(last["share"]["exceeded"], exceeded);
        assert_eq!(
            lines.iter().filter(|l| l.get("address").is_some()).count(),
            10
        );

        let csv = uk_report(sim.port, &inventory, "csv");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let share_rows: Vec<&csv::StringRecord> = rows
            .iter()
            .filter(|r| &r[column("discovered_via")] == "share")
            .collect();
        assert_eq!(share_rows.len(), 1, "{csv}");
        let words = &share_rows[0][column("share")];
        assert!(words.contains(share) && words.contains(&found), "{words}");
        assert_eq!(words.contains("EXCEEDED"), exceeded, "{words}");
        assert_eq!(rows.len(), 11);
        for r in rows
            .iter()
            .filter(|r| &r[column("discovered_via")] != "share")
        {
            assert_eq!(&r[column("technology")], "fibre-access", "{r:?}");
        }

        let dot = uk_report(sim.port, &inventory, "dot");
        let caption = dot
            .lines()
            .find(|l| l.trim_start().starts_with("label=") && l.contains("huawei-fibre-access-35"))
            .unwrap_or_else(|| panic!("no caption in\n{dot}"));
        assert!(
            caption.contains(share) && caption.contains(&found),
            "{caption}"
        );
        assert_eq!(caption.contains("EXCEEDED"), exceeded, "{caption}");

        let html = uk_report(sim.port, &inventory, "html");
        assert!(
            html.contains("huawei-fibre-access-35"),
            "no share in the page"
        );
        let at = html.find("huawei-fibre-access-35").unwrap();
        let near = &html[at..(at + 600).min(html.len())];
        assert!(near.contains(share) && near.contains("35%"), "{near}");
        assert_eq!(
            near.contains("EXCEEDED") || near.contains("exceeded"),
            exceeded,
            "{near}"
        );
    }
}

#[test]
fn a_storing_sweep_gives_each_device_the_day_it_was_first_seen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let sim = Simulator::start("127.53.0.17", &[rec("huawei/vrp_ne8000-m8")], &[]);
    let p = sim.port.to_string();
    let sweep = || {
        let args = [
            "sweep",
            "127.53.0.17",
            "--port",
            &p,
            "--rate",
            "unlimited",
            "--db",
            s(&db),
            "--format",
            "jsonl",
        ];
        let o = run(&args, LIMIT);
        assert!(o.status.success(), "{}", stderr(&o));
        jsonl(&o.stdout)
    };
    let first = sweep();
    assert!(first[0]["first_seen"].is_null(), "{}", first[0]);
    let second = sweep();
    let today = netorigin::date::Date::today().to_string();
    assert_eq!(second[0]["first_seen"], today.as_str(), "{}", second[0]);
}
