//! A hostile segment under load (issue 9): 2,000 simulated agents, 200 of them misbehaving in
//! ten mixed ways (every fault mode of `simulate` at least once), swept at `--rate 2000`.
//! Checked where the requests arrive, at the simulators: no one-second window holds more than
//! the rate plus 5%, and no slow device ever has more than one request in flight. Every
//! healthy device is complete and correct (each walked value against its recording), every
//! faulty one is reported with a note saying what went wrong, or counted silent where nothing
//! usable came back. The sweep's peak memory is printed (BENCHMARKS.md keeps it).
//!
//! Healthy agents on 127.44.0.1 and up, the faulty groups on 127.45.G.1 and up, the in-flight
//! check on 127.46.0.1 and up. All traffic stays on loopback.

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{corpus, expected_saved_walk, jsonl, root, s};
use netorigin::identify::Identifier;
use netorigin::simulate::{Agent, Fault, Faults, Recording, Simulation, Traffic};
use netorigin::wire::{Oid, Value};

const RATE: u32 = 2000;
const HEALTHY: usize = 1800;
const PER_GROUP: usize = 20;

/// The ten ways the faulty agents misbehave, and what each one's record must say (`None`: no
/// record, the device is counted silent; `Some("")`: a complete record, nothing to say).
fn groups() -> Vec<(Faults, Option<&'static [&'static str]>)> {
    use Fault::*;
    vec![
        (Faults::new(&[Silent]), None),
        (
            Faults::new(&[Slow]).delays(Duration::from_millis(200), Duration::from_millis(400)),
            Some(&[]),
        ),
        (Faults::new(&[Duplicate, TooBig]), Some(&["tooBig"])),
        (
            Faults::new(&[WrongId]),
            Some(&["msgID", "no credential worked"]),
        ),
        (Faults::new(&[WrongSource]), None),
        (Faults::new(&[Malformed]), Some(&["do not decode"])),
        (
            Faults::new(&[Truncated, Reboot]).after(4),
            Some(&["GETBULK went unanswered", "sysUpTime went back"]),
        ),
        (
            Faults::new(&[NonIncreasing, Oversized]),
            Some(&["does not come after", "values longer than 4096 octets"]),
        ),
        (
            Faults::new(&[OidLoop, BulkOverflow]),
            Some(&["looped back", "ignored max-repetitions"]),
        ),
        (Faults::new(&[Endless]), Some(&["row cap of 2000 reached"])),
    ]
}

/// The faulty agents all serve one recording, so what each fault does to it is known.
fn faulty_recording() -> PathBuf {
    root().join("tests/data/snmprec/huawei/vrp_ar169sfp.snmprec")
}

/// Recordings of the corpus small enough to keep the sweep short, cycled to `n` agents.
fn healthy_recordings(n: usize) -> Vec<PathBuf> {
    let small: Vec<PathBuf> = corpus()
        .into_iter()
        .filter(|p| {
            let len = Recording::load(p).map(|r| r.objects.len()).unwrap_or(0);
            (20..=800).contains(&len)
        })
        .collect();
    assert!(small.len() > 50, "{} small recordings", small.len());
    small.into_iter().cycle().take(n).collect()
}

fn load(path: &std::path::Path) -> Recording {
    Recording::load(path).unwrap()
}

/// Runs the binary like `common::run`, and samples its peak resident memory (VmHWM, KiB) from
/// /proc every 20 ms while it runs.
fn run_measured(args: &[&str], limit: Duration) -> (std::process::Output, u64) {
    let mut child = common::netorigin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let status_file = format!("/proc/{}/status", child.id());
    let start = Instant::now();
    let mut peak = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "netorigin ran past {limit:?}\nstderr: {}",
                String::from_utf8_lossy(&err.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        std::process::Output {
            status,
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        },
        peak,
    )
}

/// The most requests that arrived within any one second, all simulators together, and how
/// many arrived in all. Each arrival is timed by the kernel as it reached the agent's socket
/// (SO_TIMESTAMPNS): a simulator that reads late, then several at once, does not bunch them
/// up; a sweep that stalls can only send fewer in a second, never more (its token bucket
/// keeps no more than its small burst through a stall).
fn busiest_second(traffic: &[Arc<Traffic>]) -> (usize, usize) {
    let mut at: Vec<Instant> = traffic
        .iter()
        .flat_map(|t| t.arrivals().into_iter().map(|a| a.at))
        .collect();
    at.sort();
    let mut worst = 0;
    let mut j = 0;
    for i in 0..at.len() {
        while j < at.len() && at[j].duration_since(at[i]) < Duration::from_secs(1) {
            j += 1;
        }
        worst = worst.max(j - i);
    }
    (worst, at.len())
}

/// The most requests an agent had received and not yet answered at any moment, from the order
/// of arrivals and answers in the simulator's log (an answer is logged before it leaves, on
/// the clock the kernel stamps arrivals by, so the request it allows always comes after it).
/// Only meaningful for agents that answer later than they receive (`slow`).
///
/// A request the sweep has given up on is no longer in flight: when an answer is held up past
/// the sweep's `timeout` (a simulator stalled on a busy machine), the sweep's retry is a new
/// request, not a second one in flight. So a request counts until an answer leaves or until a
/// later request to the same agent arrives half the timeout after it (half: the sweep may
/// start its clock a little before it sends). Answers go to the oldest request in flight. A
/// stall can only make this count lower, never higher; two requests sent together, as a
/// sweep that breaks the cap sends them, are always counted.
///
/// `answered_first`: count only what arrives after the agent's first answer (the per-device cap
/// holds for an address that has answered; before that, its opening goes together). What was
/// still in flight from before counts all the same.
fn most_in_flight(
    traffic: &Traffic,
    timeout: Duration,
    answered_first: bool,
) -> HashMap<SocketAddr, usize> {
    let mut events: Vec<(Instant, bool, SocketAddr)> = traffic
        .arrivals()
        .into_iter()
        .map(|a| (a.at, true, a.agent))
        .chain(
            traffic
                .departures()
                .into_iter()
                .map(|d| (d.at, false, d.agent)),
        )
        .collect();
    // At the same instant, the answer first.
    events.sort_by_key(|e| (e.0, e.1));
    let mut out: HashMap<SocketAddr, std::collections::VecDeque<Instant>> = HashMap::new();
    let mut most: HashMap<SocketAddr, usize> = HashMap::new();
    let mut answered: std::collections::HashSet<SocketAddr> = Default::default();
    for (at, arrival, agent) in events {
        let waiting = out.entry(agent).or_default();
        if !arrival {
            waiting.pop_front();
            answered.insert(agent);
            continue;
        }
        waiting.retain(|&sent| at.duration_since(sent) < timeout / 2);
        waiting.push_back(at);
        let m = most.entry(agent).or_default();
        if !answered_first || answered.contains(&agent) {
            *m = (*m).max(waiting.len());
        }
    }
    most
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_agents_ten_percent_hostile_swept_at_the_rate_cap() {
    let port = loop {
        let p = common::free_port("127.44.0.1");
        let free = |ip: String| std::net::UdpSocket::bind((ip.as_str(), p)).is_ok();
        if (0..10).all(|g| free(format!("127.45.{g}.1")) && free(format!("127.45.{g}.21"))) {
            break p;
        }
    };
    let healthy_paths = healthy_recordings(HEALTHY);
    let loaded: HashMap<PathBuf, Arc<Recording>> = healthy_paths
        .iter()
        .chain(std::iter::once(&faulty_recording()))
        .map(|p| (p.clone(), Arc::new(load(p))))
        .collect();
    let healthy_traffic = Arc::new(Traffic::logged_with_capacity(100_000));
    let healthy = Simulation::start(
        healthy_paths
            .iter()
            .map(|p| Agent::new(loaded[p].clone(), None))
            .collect(),
        "127.44.0.1".parse().unwrap(),
        port,
        healthy_traffic.clone(),
    )
    .await
    .unwrap();
    let mut faulty = Vec::new();
    for (g, (faults, _)) in groups().into_iter().enumerate() {
        let traffic = Arc::new(Traffic::logged());
        let faults = Arc::new(faults);
        let sim = Simulation::start(
            (0..PER_GROUP)
                .map(|_| {
                    Agent::new(loaded[&faulty_recording()].clone(), None)
                        .with_faults(faults.clone())
                })
                .collect(),
            format!("127.45.{g}.1").parse().unwrap(),
            port,
            traffic.clone(),
        )
        .await
        .unwrap();
        faulty.push((sim, traffic));
    }

    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("targets.txt");
    let mut targets: Vec<String> = healthy
        .addresses
        .iter()
        .chain(faulty.iter().flat_map(|(s, _)| s.addresses.iter()))
        .map(|a| a.ip().to_string())
        .collect();
    // Interleave the faulty devices with the healthy ones, as on a real segment.
    targets.sort();
    assert_eq!(targets.len(), 2000);
    std::fs::write(&list, targets.join("\n")).unwrap();
    let walks = dir.path().join("walks");
    let args: Vec<String> = [
        "sweep",
        &format!("@{}", list.display()),
        "--port",
        &port.to_string(),
        "--rate",
        &RATE.to_string(),
        "--timeout",
        "1000",
        "--retries",
        "1",
        "--max-rows",
        "2000",
        "--format",
        "jsonl",
        "--save-walks",
        s(&walks),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let started = Instant::now();
    let (out, peak_kib) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_measured(&args, Duration::from_secs(600))
    })
    .await
    .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");

    let mut all_traffic = vec![healthy_traffic.clone()];
    all_traffic.extend(faulty.iter().map(|(_, t)| t.clone()));
    let (worst, requests) = busiest_second(&all_traffic);
    let cap = (f64::from(RATE) * 1.05).floor() as usize + 1;
    eprintln!(
        "sweep of 2,000 agents (200 hostile): {took:.1?}, {requests} requests, busiest second \
         {worst} (rate {RATE}, cap {cap}), peak memory {} MiB; {}",
        peak_kib / 1024,
        stderr.trim()
    );
    assert!(
        worst <= cap,
        "{worst} requests within one second at --rate {RATE}"
    );
    // At that rate the sweep needs several seconds: the windows measured are full ones.
    assert!(requests > 5 * RATE as usize, "only {requests} requests");

    // The slow agents answer 200 to 600 ms after each request, within the 1 s timeout: once
    // one has answered, none may ever have had two requests in flight (counting what it still
    // held from before). Before its first answer, its opening (an SNMPv1 GET and the engine-ID
    // probe) goes together, and with the timeout learned from the fast agents, shorter than a
    // slow agent's answers, each is retried once (--retries 1): four at most.
    let slow = &faulty[1].1;
    let most = most_in_flight(slow, Duration::from_millis(1000), true);
    assert_eq!(most.len(), PER_GROUP);
    assert!(
        most.values().all(|&m| m == 1),
        "in flight at slow agents once they answered: {most:?}"
    );
    let before = most_in_flight(slow, Duration::from_millis(1000), false);
    eprintln!("in flight at slow agents, first contact included: {before:?}");
    assert!(
        before.values().all(|&m| m <= 4),
        "in flight at slow agents, first contact included: {before:?}"
    );

    let records: HashMap<String, serde_json::Value> = jsonl(&out.stdout)
        .into_iter()
        .filter(|r| r["discovered_via"] == "snmp")
        .map(|r| (r["address"].as_str().unwrap().to_string(), r))
        .collect();

    // Every healthy device, complete and correct.
    let identifier = Identifier::bundled().unwrap();
    let mut expected: HashMap<PathBuf, HashMap<Oid, Value>> = HashMap::new();
    let mut problems = Vec::new();
    for (addr, path) in healthy.addresses.iter().zip(&healthy_paths) {
        let ip = addr.ip().to_string();
        let Some(r) = records.get(&ip) else {
            problems.push(format!("{ip} ({}) not reported", path.display()));
            continue;
        };
        for t in r["tables"].as_array().unwrap() {
            if !matches!(t["end"].as_str(), Some("end-of-table" | "end-of-mib-view")) {
                problems.push(format!("{ip} ({}): {t}", path.display()));
            }
        }
        let want = expected.entry(path.clone()).or_insert_with(|| {
            expected_saved_walk(&loaded[path], &identifier)
                .into_iter()
                .map(|vb| (vb.oid, vb.value))
                .collect()
        });
        let got: HashMap<Oid, Value> = Recording::load_strict(&walks.join(format!("{ip}.snmprec")))
            .unwrap()
            .objects
            .into_iter()
            .map(|vb| (vb.oid, vb.value))
            .collect();
        if &got != want {
            problems.push(format!(
                "{ip} ({}): {} values walked, {} recorded, {} differ",
                path.display(),
                got.len(),
                want.len(),
                want.iter().filter(|(o, v)| got.get(*o) != Some(*v)).count()
            ));
        }
    }
    for p in problems.iter().take(20) {
        eprintln!("{p}");
    }
    assert!(
        problems.is_empty(),
        "{} healthy devices wrong",
        problems.len()
    );

    // Every faulty device: reported with its notes, or silent.
    let mut silent = 0;
    for ((sim, _), (faults, says)) in faulty.iter().zip(groups()) {
        for addr in &sim.addresses {
            let ip = addr.ip().to_string();
            match (records.get(&ip), says) {
                (None, None) => silent += 1,
                (Some(r), Some(says)) => {
                    let notes = r["notes"].to_string();
                    for s in says {
                        assert!(notes.contains(s), "{ip} {:?}: {notes}", faults.modes());
                    }
                    if says.is_empty() {
                        // No note of a fault (a recording's sanitised values are noted as
                        // such, whatever the agent does).
                        let fault_notes = r["notes"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter(|n| {
                                !n.as_str().is_some_and(|n| {
                                    n.contains("taken as absent, never as the device")
                                })
                            })
                            .count();
                        assert_eq!(fault_notes, 0, "{ip}: {notes}");
                    }
                }
                (r, _) => panic!("{ip} {:?}: {r:?}", faults.modes()),
            }
        }
    }
    assert_eq!(silent, 2 * PER_GROUP);
    assert!(
        stderr.contains(&format!(
            "2000 addresses probed, 1960 answered, {silent} silent"
        )),
        "{stderr}"
    );

    healthy.stop().await;
    for (sim, _) in faulty {
        sim.stop().await;
    }
}

/// The measurement of requests in flight can see a breach: with `--max-in-flight-per-device 3`
/// the slow agents do have three at once; with the default of one, never more than one once
/// they have answered, and two (the opening) before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_per_device_are_measured_at_the_simulator() {
    let port = common::free_port("127.46.0.1");
    let rec = Arc::new(load(&faulty_recording()));
    let faults = Arc::new(
        Faults::new(&[Fault::Slow]).delays(Duration::from_millis(60), Duration::from_millis(60)),
    );
    for (cap, most_expected, opening_expected) in [(1, 1, 2), (3, 3, 3)] {
        let traffic = Arc::new(Traffic::logged());
        let sim = Simulation::start(
            (0..4)
                .map(|_| Agent::new(rec.clone(), None).with_faults(faults.clone()))
                .collect(),
            "127.46.0.1".parse().unwrap(),
            port,
            traffic.clone(),
        )
        .await
        .unwrap();
        let args: Vec<String> = [
            "sweep",
            "127.46.0.1",
            "127.46.0.2",
            "127.46.0.3",
            "127.46.0.4",
            "--port",
            &port.to_string(),
            "--rate",
            "unlimited",
            "--timeout",
            "1000",
            "--max-in-flight-per-device",
            &cap.to_string(),
            "--format",
            "jsonl",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let out = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            common::run(&args, Duration::from_secs(120))
        })
        .await
        .unwrap();
        assert!(out.status.success());
        assert_eq!(jsonl(&out.stdout).len(), 4);
        sim.stop().await;
        let most = most_in_flight(&traffic, Duration::from_millis(1000), true);
        eprintln!("--max-in-flight-per-device {cap}: at most {most:?} in flight");
        assert!(
            most.values().all(|&m| m == most_expected),
            "cap {cap}: {most:?}"
        );
        let opening = most_in_flight(&traffic, Duration::from_millis(1000), false);
        assert!(
            opening.values().all(|&m| m == opening_expected),
            "cap {cap}, first contact included: {opening:?}"
        );
    }
}
