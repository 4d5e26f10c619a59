//! Crawling: recordings written for the test whose LLDP tables point at each other in a ring
//! and a chain, served by `netorigin simulate`. The crawl from one seed finds every device
//! once, stops at the scope boundary and at the depth bound, follows a device with two
//! addresses once, and terminates on the ring. All on 127.25.0.0/24. A second segment, on
//! 127.27.0.0/24, mixes the neighbour tables: LLDP-MIB, LLDP-V2-MIB and the CDP cache. And the
//! CDP cache of a real recording decodes to what the recording holds.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use common::{Simulator, jsonl, run};

/// A device's recording: its own chassis MAC and sysName, and LLDP neighbours given as
/// (neighbour number, management addresses).
/// A neighbour: its number and the management addresses it is known by.
type Neighbour<'a> = (u8, &'a [&'a str]);

fn recording(n: u8, neighbours: &[Neighbour<'_>]) -> String {
    let mut t = format!(
        "1.3.6.1.2.1.1.1.0|4|Cisco IOS Software, crawl test device {n}\n\
         1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1\n\
         1.3.6.1.2.1.1.5.0|4|dev-{n}\n\
         1.0.8802.1.1.2.1.3.1.0|2|4\n\
         1.0.8802.1.1.2.1.3.2.0|4x|0200000000{n:02x}\n"
    );
    for (k, (m, addresses)) in neighbours.iter().enumerate() {
        let port = k + 1;
        t.push_str(&format!("1.0.8802.1.1.2.1.4.1.1.4.0.{port}.1|2|4\n"));
        t.push_str(&format!(
            "1.0.8802.1.1.2.1.4.1.1.5.0.{port}.1|4x|0200000000{m:02x}\n"
        ));
        t.push_str(&format!("1.0.8802.1.1.2.1.4.1.1.9.0.{port}.1|4|dev-{m}\n"));
        for a in *addresses {
            t.push_str(&format!(
                "1.0.8802.1.1.2.1.4.2.1.3.0.{port}.1.1.4.{a}|2|2\n"
            ));
        }
    }
    t
}

struct Segment {
    _dir: tempfile::TempDir,
    sim: Simulator,
    scope: &'static str,
}

/// Devices 1..=8 on 127.25.0.1..8: a ring 1 → 2 → 3 → 1 (1 knows 3 by two addresses, one
/// with no agent behind it; 3 also sees 127.26.0.1, outside the scope), and a chain
/// 5 → 6 → 7 → 8. Device 4 is reachable from nobody.
fn segment() -> Segment {
    let dir = tempfile::tempdir().unwrap();
    let devices: [(u8, Vec<Neighbour<'_>>); 8] = [
        (
            1,
            vec![(2, &["127.25.0.2"]), (3, &["127.25.0.3", "127.25.0.9"])],
        ),
        (2, vec![(3, &["127.25.0.3"])]),
        (3, vec![(1, &["127.25.0.1"]), (40, &["127.26.0.1"])]),
        (4, vec![]),
        (5, vec![(6, &["127.25.0.6"])]),
        (6, vec![(7, &["127.25.0.7"]), (5, &["127.25.0.5"])]),
        (7, vec![(8, &["127.25.0.8"])]),
        (8, vec![]),
    ];
    let mut paths: Vec<PathBuf> = Vec::new();
    for (n, neighbours) in &devices {
        let p = dir.path().join(format!("dev{n}.snmprec"));
        std::fs::write(&p, recording(*n, neighbours)).unwrap();
        paths.push(p);
    }
    let sim = Simulator::start("127.25.0.1", &paths, &[]);
    Segment {
        _dir: dir,
        sim,
        scope: "127.25.0.0/24",
    }
}

/// What a crawl reported.
struct Crawl {
    /// Addresses of the devices polled, each reported once.
    polled: BTreeSet<String>,
    /// Addresses of the devices seen only as neighbours.
    neighbours: BTreeSet<String>,
    stderr: String,
    records: Vec<serde_json::Value>,
}

fn crawl(seg: &Segment, extra: &[&str]) -> (BTreeSet<String>, BTreeSet<String>, String) {
    let c = crawl_records(seg, extra);
    (c.polled, c.neighbours, c.stderr)
}

fn crawl_records(seg: &Segment, extra: &[&str]) -> Crawl {
    let port = seg.sim.port.to_string();
    let mut args = vec![
        "sweep",
        "--scope",
        seg.scope,
        "--port",
        &port,
        "--timeout",
        "300",
        "--retries",
        "0",
        "--format",
        "jsonl",
    ];
    args.extend_from_slice(extra);
    let o = run(&args, Duration::from_secs(60));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let records = jsonl(&o.stdout);
    let polled: Vec<String> = records
        .iter()
        .filter(|r| r["discovered_via"] == "snmp")
        .map(|r| r["address"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<String> = polled.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        polled.len(),
        "a device reported twice: {polled:?}"
    );
    let neighbours: BTreeSet<String> = records
        .iter()
        .filter(|r| r["discovered_via"] == "lldp-neighbor" || r["discovered_via"] == "cdp-neighbor")
        .map(|r| r["address"].as_str().unwrap().to_string())
        .collect();
    Crawl {
        polled: unique,
        neighbours,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        records,
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_ring_is_crawled_once_within_scope_and_ends() {
    let seg = segment();
    let (polled, neighbours, stderr) = crawl(&seg, &["--seed", "127.25.0.1"]);
    assert_eq!(polled, set(&["127.25.0.1", "127.25.0.2", "127.25.0.3"]));
    // Device 3's second address was not probed (same chassis), nor the out-of-scope one.
    assert!(stderr.contains("3 addresses probed"), "{stderr}");
    assert!(
        neighbours.contains("127.26.0.1"),
        "seen, reported, never probed: {neighbours:?}"
    );
}

#[test]
fn the_chain_stops_at_the_depth_bound() {
    let seg = segment();
    let (polled, neighbours, _) = crawl(&seg, &["--seed", "127.25.0.5", "--max-depth", "2"]);
    assert_eq!(polled, set(&["127.25.0.5", "127.25.0.6", "127.25.0.7"]));
    assert!(
        neighbours.contains("127.25.0.8"),
        "beyond the depth: reported as a neighbour only"
    );
    let (polled, _, _) = crawl(&seg, &["--seed", "127.25.0.5"]);
    assert_eq!(
        polled,
        set(&["127.25.0.5", "127.25.0.6", "127.25.0.7", "127.25.0.8"])
    );
}

#[test]
fn exclude_and_device_budget_are_never_crossed() {
    let seg = segment();
    let (polled, _, _) = crawl(&seg, &["--seed", "127.25.0.5", "--exclude", "127.25.0.7"]);
    assert_eq!(polled, set(&["127.25.0.5", "127.25.0.6"]));
    let (polled, _, stderr) = crawl(&seg, &["--seed", "127.25.0.5", "--max-devices", "2"]);
    assert_eq!(polled, set(&["127.25.0.5", "127.25.0.6"]));
    assert!(stderr.contains("2 addresses probed"), "{stderr}");
    // Without --crawl, a sweep of one address stays there.
    let (polled, _, _) = crawl(&seg, &["127.25.0.5"]);
    assert_eq!(polled, set(&["127.25.0.5"]));
}

/// The second segment's recordings: each device's own part (system group, its chassis MAC
/// 02:00:00:00:00:nn in LLDP-MIB or LLDP-V2-MIB local data, or none), then its neighbours.
fn mixed_recording(n: u8, local: Local, neighbours: &[Known<'_>]) -> String {
    let mut t = format!(
        "1.3.6.1.2.1.1.1.0|4|Cisco IOS Software, crawl test device {n}\n\
         1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1\n\
         1.3.6.1.2.1.1.5.0|4|dev-{n}\n"
    );
    for (k, _) in neighbours.iter().enumerate() {
        t.push_str(&format!(
            "1.3.6.1.2.1.2.2.1.2.{}|4|GigabitEthernet1/0/{}\n",
            k + 1,
            k + 1
        ));
    }
    match local {
        Local::Lldp => t.push_str(&format!(
            "1.0.8802.1.1.2.1.3.1.0|2|4\n1.0.8802.1.1.2.1.3.2.0|4x|0200000000{n:02x}\n"
        )),
        Local::LldpV2 => t.push_str(&format!(
            "1.3.111.2.802.1.1.13.1.3.1.0|2|4\n1.3.111.2.802.1.1.13.1.3.2.0|4x|0200000000{n:02x}\n"
        )),
        Local::None => {}
    }
    for (k, (table, m, address)) in neighbours.iter().enumerate() {
        let port = k + 1;
        match table {
            Table::Lldp => {
                let rem = "1.0.8802.1.1.2.1.4.1.1";
                t.push_str(&format!("{rem}.4.0.{port}.1|2|4\n"));
                t.push_str(&format!("{rem}.5.0.{port}.1|4x|0200000000{m:02x}\n"));
                t.push_str(&format!("{rem}.9.0.{port}.1|4|dev-{m}\n"));
                t.push_str(&format!(
                    "1.0.8802.1.1.2.1.4.2.1.3.0.{port}.1.1.4.{address}|2|2\n"
                ));
            }
            Table::LldpV2 => {
                // INDEX timeMark, lldpV2RemLocalIfIndex, lldpV2RemLocalDestMACAddress (row 1 of
                // lldpV2DestAddressTable: the nearest-bridge address), lldpV2RemIndex.
                let rem = "1.3.111.2.802.1.1.13.1.4.1.1";
                t.push_str(&format!("{rem}.5.0.{port}.1.1|2|4\n"));
                t.push_str(&format!("{rem}.6.0.{port}.1.1|4x|0200000000{m:02x}\n"));
                t.push_str(&format!("{rem}.7.0.{port}.1.1|2|5\n"));
                t.push_str(&format!("{rem}.8.0.{port}.1.1|4|GigabitEthernet0/{port}\n"));
                t.push_str(&format!("{rem}.10.0.{port}.1.1|4|dev-{m}\n"));
                t.push_str(&format!("{rem}.13.0.{port}.1.1|4x|2800\n"));
                t.push_str(&format!(
                    "1.3.111.2.802.1.1.13.1.4.2.1.3.0.{port}.1.1.1.4.{address}|2|2\n"
                ));
            }
            Table::Cdp { platform, version } => {
                let cdp = "1.3.6.1.4.1.9.9.23.1.2.1.1";
                let octets: Vec<u8> = address.split('.').map(|x| x.parse().unwrap()).collect();
                t.push_str(&format!("{cdp}.3.{port}.1|2|1\n"));
                t.push_str(&format!(
                    "{cdp}.4.{port}.1|4x|{:02x}{:02x}{:02x}{:02x}\n",
                    octets[0], octets[1], octets[2], octets[3]
                ));
                t.push_str(&format!("{cdp}.5.{port}.1|4|{version}\n"));
                t.push_str(&format!("{cdp}.6.{port}.1|4|dev-{m}\n"));
                t.push_str(&format!("{cdp}.7.{port}.1|4|GigabitEthernet0/{port}\n"));
                t.push_str(&format!("{cdp}.8.{port}.1|4|{platform}\n"));
                t.push_str(&format!("{cdp}.9.{port}.1|4x|00000029\n"));
            }
        }
    }
    t
}

/// Where a device keeps its own chassis ID.
#[derive(Clone, Copy)]
enum Local {
    Lldp,
    LldpV2,
    None,
}

/// A neighbour of the second segment: the table it is known from, its number, its address.
type Known<'a> = (Table, u8, &'a str);

/// The table a neighbour is known from.
enum Table {
    Lldp,
    LldpV2,
    Cdp {
        platform: &'static str,
        version: &'static str,
    },
}

const CISCO_VERSION: &str = "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), \
                             Version 15.2(2)E7, RELEASE SOFTWARE (fc3)";
const HUAWEI_VERSION: &str = "Huawei Versatile Routing Platform Software VRP (R) software, \
                              Version 5.170 (S5735 V200R019C10SPC500)";

/// Devices 1..=4 on 127.27.0.1..4, a ring whose links are each in another table: 1 knows 2
/// from LLDP-MIB; 2 (its own chassis in LLDP-V2-MIB) knows 3 only from its CDP cache; 3 (own
/// chassis in LLDP-V2-MIB) knows 4 only from LLDP-V2-MIB, and a Huawei switch outside the
/// scope (127.27.1.1) from its CDP cache; 4 knows 1 from its CDP cache, and 3 from LLDP-V2-MIB
/// by a second address with no agent behind it (127.27.0.9): known by its chassis ID, which
/// only 3's own LLDP-V2-MIB local data gives, it is not probed.
fn mixed_segment() -> Segment {
    let dir = tempfile::tempdir().unwrap();
    let cisco = |platform| Table::Cdp {
        platform,
        version: CISCO_VERSION,
    };
    let devices: [(u8, Local, Vec<Known<'_>>); 4] = [
        (1, Local::Lldp, vec![(Table::Lldp, 2, "127.27.0.2")]),
        (
            2,
            Local::LldpV2,
            vec![(cisco("cisco WS-C2960X-48FPD-L"), 3, "127.27.0.3")],
        ),
        (
            3,
            Local::LldpV2,
            vec![
                (Table::LldpV2, 4, "127.27.0.4"),
                (
                    Table::Cdp {
                        platform: "HUAWEI S5735-L48T4X-A1",
                        version: HUAWEI_VERSION,
                    },
                    40,
                    "127.27.1.1",
                ),
            ],
        ),
        (
            4,
            Local::None,
            vec![
                (cisco("cisco WS-C3850-12S"), 1, "127.27.0.1"),
                (Table::LldpV2, 3, "127.27.0.9"),
            ],
        ),
    ];
    let mut paths: Vec<PathBuf> = Vec::new();
    for (n, local, neighbours) in &devices {
        let p = dir.path().join(format!("dev{n}.snmprec"));
        std::fs::write(&p, mixed_recording(*n, *local, neighbours)).unwrap();
        paths.push(p);
    }
    let sim = Simulator::start("127.27.0.1", &paths, &[]);
    Segment {
        _dir: dir,
        sim,
        scope: "127.27.0.0/24",
    }
}

#[test]
fn the_crawl_follows_lldp_v2_and_cdp_neighbours() {
    let seg = mixed_segment();
    let c = crawl_records(&seg, &["--seed", "127.27.0.1"]);
    assert_eq!(
        c.polled,
        set(&["127.27.0.1", "127.27.0.2", "127.27.0.3", "127.27.0.4"]),
        "{}",
        c.stderr
    );
    assert!(c.stderr.contains("4 addresses probed"), "{}", c.stderr);
    assert_eq!(c.neighbours, set(&["127.27.1.1"]));

    let polled = |address: &str| {
        c.records
            .iter()
            .find(|r| r["address"] == address && r["discovered_via"] == "snmp")
            .unwrap_or_else(|| panic!("{address} not reported"))
    };
    // Device 2's CDP neighbour, as the JSON record shows it.
    let n = &polled("127.27.0.2")["neighbors"][0];
    assert_eq!(n["protocol"], "cdp", "{n}");
    assert_eq!(n["chassis_id"], "dev-3");
    assert_eq!(n["chassis_id_subtype"], "deviceId");
    assert_eq!(n["port_id"], "GigabitEthernet0/1");
    assert_eq!(n["platform"], "cisco WS-C2960X-48FPD-L");
    assert_eq!(
        n["capabilities"],
        serde_json::json!(["router", "switch", "igmp"])
    );
    assert_eq!(n["sys_descr"], CISCO_VERSION);
    assert_eq!(n["local_port"], 1);
    assert_eq!(n["local_port_descr"], "GigabitEthernet1/0/1");
    assert_eq!(n["management_addresses"], serde_json::json!(["127.27.0.3"]));
    // Device 3's LLDP-V2-MIB neighbour, and its own chassis MAC from LLDP-V2-MIB.
    let d3 = polled("127.27.0.3");
    assert_eq!(d3["chassis_mac"], "02:00:00:00:00:03");
    let n = &d3["neighbors"][0];
    assert_eq!(n["protocol"], "lldp", "{n}");
    assert_eq!(n["chassis_id"], "02:00:00:00:00:04");
    assert_eq!(n["port_id_subtype"], "interfaceName");
    assert_eq!(n["port_id"], "GigabitEthernet0/1");
    assert_eq!(n["sys_name"], "dev-4");
    assert_eq!(n["capabilities"], serde_json::json!(["bridge", "router"]));
    assert_eq!(n["platform"], serde_json::Value::Null);
    assert_eq!(n["management_addresses"], serde_json::json!(["127.27.0.4"]));

    // The Huawei switch outside the scope: reported from device 3's CDP cache, never probed.
    let h = c
        .records
        .iter()
        .find(|r| r["address"] == "127.27.1.1")
        .unwrap();
    assert_eq!(h["discovered_via"], "cdp-neighbor");
    assert_eq!(h["origin"], "huawei", "{h}");
    assert_eq!(h["model"], "HUAWEI S5735-L48T4X-A1");
    assert!(
        h["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("seen only in the CDP cache of 127.27.0.3 (dev-3)"),
        "{h}"
    );
}

/// A real Catalyst 2960-X's cdpCacheTable (tests/data/snmprec/other/ios_2960x): seven rows,
/// five access points and one switch heard on two ports.
#[test]
fn a_recorded_cdp_cache_decodes() {
    let path = common::root().join("tests/data/snmprec/other/ios_2960x.snmprec");
    let o = run(
        &[
            "identify",
            "--format",
            "jsonl",
            "--snmprec",
            common::s(&path),
        ],
        Duration::from_secs(60),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let records = jsonl(&o.stdout);
    let device = records
        .iter()
        .find(|r| r["discovered_via"] == "recording")
        .unwrap();
    let neighbours = device["neighbors"].as_array().unwrap();
    assert_eq!(neighbours.len(), 7);
    assert!(neighbours.iter().all(|n| n["protocol"] == "cdp"));
    let ids: BTreeSet<&str> = neighbours
        .iter()
        .map(|n| n["chassis_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "acme-fr-ap-011",
            "acme-fr-ap-012",
            "acme-fr-ap-013",
            "acme-fr-ap-014",
            "acme-fr-ap-015",
            "acme-fr-s-001"
        ]
        .into_iter()
        .collect()
    );
    // cdpCache*.10152.8.
    let s = neighbours
        .iter()
        .find(|n| n["local_port"] == 10152)
        .unwrap();
    assert_eq!(s["local_port_descr"], "GigabitEthernet1/0/52");
    assert_eq!(s["chassis_id"], "acme-fr-s-001");
    assert_eq!(s["port_id"], "GigabitEthernet1/0/3");
    assert_eq!(s["platform"], "cisco WS-C3850-12S");
    assert_eq!(s["management_addresses"], serde_json::json!(["10.54.64.5"]));
    assert_eq!(
        s["capabilities"],
        serde_json::json!(["router", "switch", "igmp"])
    );
    assert!(
        s["sys_descr"]
            .as_str()
            .unwrap()
            .contains("(CAT3K_CAA-UNIVERSALK9-M), Version 03.07.05E"),
        "{s}"
    );
    // cdpCache*.10103.1.
    let ap = neighbours
        .iter()
        .find(|n| n["local_port"] == 10103)
        .unwrap();
    assert_eq!(ap["chassis_id"], "acme-fr-ap-011");
    assert_eq!(ap["platform"], "cisco AIR-AP2702I-UXK9");
    assert_eq!(
        ap["management_addresses"],
        serde_json::json!(["172.27.49.84"])
    );
    assert_eq!(
        ap["capabilities"],
        serde_json::json!(["transparentBridge", "sourceRouteBridge", "igmp"])
    );
    // Each neighbour once more as a record of its own, the switch once for its two links.
    let only: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["discovered_via"] == "cdp-neighbor")
        .collect();
    assert_eq!(only.len(), 6);
    let ap = only
        .iter()
        .find(|r| r["address"] == "172.27.49.84")
        .unwrap();
    assert_eq!(ap["vendor"], "Cisco");
    assert_eq!(ap["model"], "cisco AIR-AP2702I-UXK9");
    assert!(
        ap["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("seen only in the CDP cache of "),
        "{ap}"
    );
}
