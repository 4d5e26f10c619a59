//! Crawling: recordings written for the test whose LLDP tables point at each other in a ring
//! and a chain, served by `netorigin simulate`. The crawl from one seed finds every device
//! once, stops at the scope boundary and at the depth bound, follows a device with two
//! addresses once, and terminates on the ring. All on 127.25.0.0/24.

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
    Segment { _dir: dir, sim }
}

fn crawl(seg: &Segment, extra: &[&str]) -> (BTreeSet<String>, BTreeSet<String>, String) {
    let port = seg.sim.port.to_string();
    let mut args = vec![
        "sweep",
        "--scope",
        "127.25.0.0/24",
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
        .filter(|r| r["discovered_via"] == "lldp-neighbor")
        .map(|r| r["address"].as_str().unwrap().to_string())
        .collect();
    (
        unique,
        neighbours,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
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
