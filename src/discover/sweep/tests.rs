//! Sweeps of simulated agents, in memory of this process.

use super::*;
use crate::agent::Agent;
use crate::discover::build::device_record;
use crate::record::{DiscoveredVia, Observations};
use crate::simulate::fault::{Fault, Faults};
use crate::simulate::recording::Recording;
use crate::simulate::server::{Simulation, Traffic};
use crate::snmp::Secret;
use crate::snmp::backend::AsyncSnmp;
use crate::wire::Version;
use std::path::Path;

/// A simulation of `agents` from `base` on port 16161, and a sweep of it with the v2c
/// community `public` and no rate cap.
async fn simulated(agents: Vec<Agent>, base: &str) -> (Simulation, SweepConfig) {
    let sim = Simulation::start(
        agents,
        base.parse().unwrap(),
        16_161,
        Arc::new(Traffic::logged()),
    )
    .await
    .unwrap();
    let config = SweepConfig {
        credentials: vec![Credential::community(
            Version::V2c,
            Secret::new("public"),
            1,
        )],
        port: sim.addresses[0].port(),
        rate: None,
        ..SweepConfig::default()
    };
    (sim, config)
}

/// Sweeps the agents of `texts` (recordings) with a v2c community, and returns each
/// record with the offline record of the same recording, in the agents' order.
async fn sweep_and_replay(texts: &[String], base: &str) -> Vec<(Observed, Observed)> {
    let identifier = Arc::new(Identifier::bundled().unwrap());
    let recordings: Vec<Arc<Recording>> = texts
        .iter()
        .map(|t| Arc::new(Recording::parse(Path::new("t"), t.as_bytes()).unwrap()))
        .collect();
    let agents = recordings
        .iter()
        .map(|r| Agent::new(r.clone(), None))
        .collect();
    let (sim, config) = simulated(agents, base).await;
    let config = SweepConfig {
        timeout: Duration::from_millis(2000),
        ..config
    };
    let targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
    let (tx, mut rx) = mpsc::channel(64);
    let running = tokio::spawn(sweep(
        Arc::new(AsyncSnmp::bind().await.unwrap()),
        targets.clone().into_iter(),
        Arc::new(config),
        identifier.clone(),
        tx,
    ));
    let mut records = HashMap::new();
    let events = async {
        while let Some(e) = rx.recv().await {
            if let Event::Device(d) = e {
                records.insert(d.address.clone(), *d);
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), events)
        .await
        .expect("the sweep ends");
    running.await.unwrap();
    sim.stop().await;
    targets
        .iter()
        .zip(&recordings)
        .map(|(a, rec)| {
            let mut obs = Observations::default();
            obs.extend(rec.objects.iter().cloned());
            let offline = device_record(
                a.to_string(),
                DiscoveredVia::Snmp,
                None,
                &obs,
                Vec::new(),
                &identifier,
            );
            (records.remove(&a.to_string()).expect("swept"), offline)
        })
        .collect()
}

fn subtrees(r: &Observed) -> Vec<(String, String)> {
    r.identification
        .evidence
        .iter()
        .filter(|e| e.source.starts_with("private subtree"))
        .map(|e| (e.source.clone(), e.value.clone()))
        .collect()
}

/// A generic agent (net-snmp's sysObjectID, a plain Linux sysDescr) whose only maker
/// evidence is a private subtree of a vendor that no list names in advance (Ubiquiti's),
/// behind a CDP cache row, UCD's and net-snmp's own subtrees; and an agent serving more
/// subtrees than the cap. The sweep finds what offline identification of the whole
/// recording finds: the first subtrees in OID order, the same evidence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_finds_the_private_subtrees_offline_identification_finds() {
    let head = "1.3.6.1.2.1.1.1.0|4|Linux ap 4.4.153 #1 SMP armv7l\n\
                1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n\
                1.3.6.1.2.1.1.5.0|4|ap\n";
    let mut ubiquiti = head.to_string();
    ubiquiti.push_str(
        "1.3.6.1.4.1.9.9.23.1.2.1.1.6.1.1|4|core-1\n\
         1.3.6.1.4.1.2021.4.5.0|2|1024\n\
         1.3.6.1.4.1.8072.1.3.2.1.0|2|0\n\
         1.3.6.1.4.1.41112.1.4.1.1.4.1|4|airMAX\n\
         1.3.6.1.4.1.41112.1.4.1.1.5.1|4|more\n",
    );
    let mut many = head.to_string();
    for pen in [
        11, 43, 171, 2011, 2636, 3902, 4881, 6527, 14988, 25506, 41112,
    ] {
        many.push_str(&format!("1.3.6.1.4.1.{pen}.1.2.0|2|{pen}\n"));
        many.push_str(&format!("1.3.6.1.4.1.{pen}.1.3.0|2|{pen}\n"));
    }
    let got = sweep_and_replay(&[ubiquiti, many], "127.67.1.1").await;
    let (swept, offline) = &got[0];
    assert_eq!(
        (
            swept.identification.vendor.as_deref(),
            swept.identification.origin.as_deref()
        ),
        (Some("Ubiquiti"), Some("ubiquiti")),
        "{:?}",
        swept.identification.evidence
    );
    assert_eq!(
        subtrees(swept),
        [(
            "private subtree of enterprise 41112 answers".to_string(),
            "1.3.6.1.4.1.41112.1.4.1.1.4.1".to_string()
        )]
    );
    assert_eq!(subtrees(swept), subtrees(offline));
    assert_eq!(
        (&swept.identification.vendor, &swept.identification.origin),
        (
            &offline.identification.vendor,
            &offline.identification.origin
        )
    );
    let (swept, offline) = &got[1];
    let pens: Vec<String> = subtrees(swept)
        .into_iter()
        .map(|(s, _)| s.split(' ').nth(4).unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        pens,
        ["11", "43", "171", "2011", "2636", "3902", "4881", "6527"],
        "the first {} in OID order",
        crate::identify::MAX_PRIVATE_SUBTREES
    );
    assert_eq!(subtrees(swept), subtrees(offline));
}

/// With one device-stage slot taken by a slow device, the silent addresses that come out
/// of first contact meanwhile are done at once: they neither wait for the slot nor pile
/// up behind it (on a /8, millions would).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_addresses_do_not_wait_behind_a_slow_device() {
    let text = "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
                1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n";
    let rec = Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap());
    // Every answer of the first agent waits 150 ms: its walk of the plan's tables takes
    // seconds. The other twenty never answer: each is known silent once its v2c probe and
    // its engine-ID probe have waited out 500 ms each, while the slow walk goes on.
    let slow = Faults::new(&[Fault::Slow]).delays(Duration::from_millis(150), Duration::ZERO);
    let mut agents = vec![Agent::new(rec.clone(), None).with_faults(Arc::new(slow))];
    for _ in 0..20 {
        agents.push(
            Agent::new(rec.clone(), None).with_faults(Arc::new(Faults::new(&[Fault::Silent]))),
        );
    }
    let (sim, config) = simulated(agents, "127.67.0.1").await;
    let config = SweepConfig {
        timeout: Duration::from_millis(500),
        retries: 0,
        concurrency: 1,
        ..config
    };
    let targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
    let (tx, mut rx) = mpsc::channel(1024);
    let running = tokio::spawn(sweep(
        Arc::new(AsyncSnmp::bind().await.unwrap()),
        targets.into_iter(),
        Arc::new(config),
        Arc::new(Identifier::bundled().unwrap()),
        tx,
    ));
    let mut probed = Vec::new();
    let events = async {
        while let Some(e) = rx.recv().await {
            match e {
                Event::Probed { answered, .. } => probed.push(answered),
                Event::Silent(n) => probed.extend((0..n).map(|_| false)),
                _ => {}
            }
        }
    };
    // A bound far above what the exchange needs: never hang the suite.
    tokio::time::timeout(Duration::from_secs(60), events)
        .await
        .expect("the sweep ends");
    let summary = running.await.unwrap();
    sim.stop().await;
    assert_eq!((summary.responders, summary.silent), (1, 20));
    // The slow device is the last done, although it answered first.
    assert_eq!(probed.len(), 21);
    assert_eq!(probed.iter().position(|&a| a), Some(20), "{probed:?}");
}
