//! The scanner never sends a SET, and never crosses the scope or an exclusion (issue 9): every
//! datagram a full sweep sends is captured where it arrives, at the simulator, and counted by
//! PDU type. The sweep crawls a ring of six devices from one seed, with a credential ladder of
//! SNMPv3 users (one refused, one authPriv), a v2c and a v1 community; SNMPv3 requests are
//! counted once decrypted, and a datagram the simulator could not decode (which could hide a
//! SET) fails the test. The requests after the walks (the identity objects and the steps
//! through private subtrees) are among those counted. A seventh device inside the scope is
//! excluded, an eighth lies outside it: both are in the ring's neighbour tables, and neither
//! may receive a single datagram.
//!
//! All on 127.48.0.0/24 (the scope) and 127.49.0.1 (outside it).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::{free_port, jsonl, run, s};
use netorigin::simulate::{Agent, Recording, Simulation, Traffic};
use netorigin::snmp::{AuthProtocol, PrivProtocol, Secret, UsmUser};
use netorigin::usm::UserKeys;
use netorigin::wire::PduKind;

/// Device `n` of the ring, its neighbours given as (number, management address).
fn recording(n: u8, neighbours: &[(u8, &str)]) -> Recording {
    let mut t = format!(
        "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform, ring device {n}\n\
         1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n\
         1.3.6.1.2.1.1.3.0|67|{}\n\
         1.3.6.1.2.1.1.5.0|4|ring-{n}\n\
         1.0.8802.1.1.2.1.3.1.0|2|4\n\
         1.0.8802.1.1.2.1.3.2.0|4x|00e0fc0000{n:02x}\n",
        1000 + u32::from(n)
    );
    for i in 1..=40 {
        t.push_str(&format!(
            "1.3.6.1.2.1.2.2.1.2.{i}|4|GigabitEthernet0/0/{i}\n"
        ));
    }
    for (k, (m, address)) in neighbours.iter().enumerate() {
        let port = k + 1;
        let rem = "1.0.8802.1.1.2.1.4.1.1";
        t.push_str(&format!("{rem}.4.0.{port}.1|2|4\n"));
        t.push_str(&format!("{rem}.5.0.{port}.1|4x|00e0fc0000{m:02x}\n"));
        t.push_str(&format!("{rem}.9.0.{port}.1|4|ring-{m}\n"));
        t.push_str(&format!(
            "1.0.8802.1.1.2.1.4.2.1.3.0.{port}.1.1.4.{address}|2|2\n"
        ));
    }
    Recording::parse(std::path::Path::new(&format!("ring-{n}")), t.as_bytes()).unwrap()
}

fn user(name: &str, privacy: bool) -> UsmUser {
    UsmUser {
        name: name.into(),
        auth: Some((AuthProtocol::Sha256, Secret::new("ring-auth-pass"))),
        privacy: privacy.then(|| (PrivProtocol::Aes128, Secret::new("ring-priv-pass"))),
        context: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sweep_with_crawl_and_every_snmp_version_sends_no_set_and_stays_in_scope() {
    let port = loop {
        let p = free_port("127.48.0.1");
        if std::net::UdpSocket::bind(("127.49.0.1", p)).is_ok() {
            break p;
        }
    };
    // The ring 1 → 2 → ... → 6 → 1. Device 3 also sees 7 (excluded) and 8 (outside the scope).
    let at = |n: u8| format!("127.48.0.{n}");
    let mut agents = Vec::new();
    let auditor = UserKeys::new(&user("auditor", true)).unwrap();
    for n in 1..=7u8 {
        let next = n % 6 + 1;
        let mut neighbours = vec![(next, at(next))];
        if n == 3 {
            neighbours.push((7, at(7)));
            neighbours.push((8, "127.49.0.1".to_string()));
        }
        let neighbours: Vec<(u8, &str)> =
            neighbours.iter().map(|(m, a)| (*m, a.as_str())).collect();
        let rec = Arc::new(recording(n, &neighbours));
        // 1-2 answer SNMPv3 only (their community is one the sweep does not have), 3-4 the
        // v2c community, 5-6 the v1 one; 7 anything.
        let agent = match n {
            1 | 2 => Agent::new(rec, Some(b"not-in-the-ladder".to_vec()))
                .with_v3_users(std::slice::from_ref(&auditor))
                .unwrap(),
            3 | 4 => Agent::new(rec, Some(b"noc-v2c".to_vec())),
            5 | 6 => Agent::new(rec, Some(b"legacy-v1".to_vec())),
            _ => Agent::new(rec, None),
        };
        agents.push(agent);
    }
    let inside = Arc::new(Traffic::logged());
    let ring = Simulation::start(agents, "127.48.0.1".parse().unwrap(), port, inside.clone())
        .await
        .unwrap();
    let outside = Arc::new(Traffic::logged());
    let beyond = Simulation::start(
        vec![Agent::new(Arc::new(recording(8, &[])), None)],
        "127.49.0.1".parse().unwrap(),
        port,
        outside.clone(),
    )
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials.toml");
    std::fs::write(
        &creds,
        "[[credential]]\n\
         user = \"reader\"\nauth = \"sha256\"\nauth_password = \"ring-auth-pass\"\n\
         [[credential]]\n\
         user = \"auditor\"\nauth = \"sha256\"\nauth_password = \"ring-auth-pass\"\n\
         privacy = \"aes128\"\nprivacy_password = \"ring-priv-pass\"\n\
         scope = [\"127.48.0.1/32\", \"127.48.0.2/32\"]\n\
         [[credential]]\ncommunity = \"noc-v2c\"\nversion = \"v2c\"\n\
         [[credential]]\ncommunity = \"legacy-v1\"\nversion = \"v1\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let p = port.to_string();
    let args = [
        "sweep",
        "--seed",
        "127.48.0.1",
        "--scope",
        "127.48.0.0/24",
        "--exclude",
        "127.48.0.7",
        "--max-depth",
        "10",
        "--credentials",
        s(&creds),
        "--port",
        &p,
        "--timeout",
        "300",
        "--retries",
        "1",
        "--rate",
        "unlimited",
        "--format",
        "jsonl",
    ]
    .map(String::from);
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args, Duration::from_secs(120))
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let arrivals = inside.arrivals();
    ring.stop().await;
    beyond.stop().await;

    // Every device of the ring was found, each through the rung meant for it.
    let credential: BTreeMap<String, String> = jsonl(&out.stdout)
        .iter()
        .filter(|r| r["discovered_via"] == "snmp")
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_string(),
                r["credential"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect();
    let want: BTreeMap<String, String> = [
        (1, "v3 user \"auditor\" (Sha256, Aes128) #2"),
        (2, "v3 user \"auditor\" (Sha256, Aes128) #2"),
        (3, "v2c community #3"),
        (4, "v2c community #3"),
        (5, "v1 community #4"),
        (6, "v1 community #4"),
    ]
    .into_iter()
    .map(|(n, c)| (at(n), c.to_string()))
    .collect();
    assert_eq!(credential, want, "{stderr}");

    // What arrived, by PDU type.
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for a in &arrivals {
        let kind = a
            .kind
            .map_or("undecodable".to_string(), |k| format!("{k:?}"));
        *by_kind.entry(kind).or_default() += 1;
    }
    eprintln!("{} datagrams by PDU type: {by_kind:?}", arrivals.len());
    // The identity objects (UPS-MIB, BRIDGE-MIB, PRINTER-MIB, HOST-RESOURCES-MIB) and the
    // first step through the private subtrees go in one GETNEXT, counted here like every other
    // request: a device walked with GETBULK (v2c, v3) gets it and no other GETNEXT, as these
    // recordings serve no private subtree to step further into.
    for n in 1..=4 {
        let getnext = arrivals
            .iter()
            .filter(|a| a.agent.ip().to_string() == at(n) && a.kind == Some(PduKind::GetNext))
            .count();
        assert_eq!(getnext, 1, "GETNEXTs to {}: {by_kind:?}", at(n));
    }
    assert_eq!(
        inside
            .undecodable
            .load(std::sync::atomic::Ordering::Relaxed),
        0,
        "a datagram that did not decode could have been anything: {by_kind:?}"
    );
    assert!(
        arrivals.iter().all(|a| matches!(
            a.kind,
            Some(PduKind::Get | PduKind::GetNext | PduKind::GetBulk)
        )),
        "only GET, GETNEXT and GETBULK may be sent: {by_kind:?}"
    );
    assert!(!by_kind.contains_key("Set"));
    // The sweep did walk: all three request types went out (v1 walks with GETNEXT).
    for kind in ["Get", "GetNext", "GetBulk"] {
        assert!(by_kind.get(kind).copied().unwrap_or(0) > 0, "{by_kind:?}");
    }
    // The v3 devices were walked over SNMPv3 with privacy: their walks are encrypted GETBULKs
    // that the simulator could read only by decrypting them.
    let v3_walks = arrivals
        .iter()
        .filter(|a| a.agent.ip().to_string() == at(1) && a.kind == Some(PduKind::GetBulk))
        .count();
    assert!(v3_walks > 0);

    // Neither the excluded device nor the one outside the scope heard anything.
    let excluded = arrivals
        .iter()
        .filter(|a| a.agent.ip().to_string() == at(7))
        .count();
    assert_eq!(excluded, 0, "datagrams sent to the excluded 127.48.0.7");
    assert_eq!(
        outside.arrivals().len(),
        0,
        "datagrams sent to 127.49.0.1, outside the scope"
    );
}
