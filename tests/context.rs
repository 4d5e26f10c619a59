//! Verdicts that know where a device stands, through the real binary: a simulated segment
//! swept with an inventory file and the shipped policies (Canada's 4G and 5G deadlines, each
//! device only its own; `review` with "technology unknown" without the inventory), and the UK's
//! cap on Huawei's share of full-fibre access in every report format. Simulated agents live on
//! 127.53.0.0/24 and 127.54.0.0/24 only.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Simulator, jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A Huawei radio base station as far as the sweep's probe and system group go, written for
/// this test: only its enterprise number (2011, Huawei's in the IANA registry) identifies it;
/// what it is (an eNodeB, 4G) the inventory says.
fn enodeb(dir: &Path) -> PathBuf {
    let path = dir.join("huawei-enodeb.snmprec");
    std::fs::write(
        &path,
        "1.3.6.1.2.1.1.1.0|4|Huawei base station\n\
         1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.1\n\
         1.3.6.1.2.1.1.3.0|67|42\n\
         1.3.6.1.2.1.1.5.0|4|tor01-enb-7\n",
    )
    .unwrap();
    path
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
        &[enodeb(dir.path()), rec("huawei/vrp_ne8000-m8")],
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
