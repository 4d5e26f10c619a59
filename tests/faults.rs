//! One sweep per fault mode of `simulate` (issue 9): a healthy segment and one misbehaving
//! agent, swept together by the real binary. Each test checks that the sweep ends within a
//! bound derived from its options, that every healthy device is complete and correct (each
//! walked value compared with its recording), and that the faulty device's record says what
//! went wrong (or, where nothing usable came back, that it is reported silent).
//!
//! The misbehaving agent serves a Huawei AR169 router's recording; so does one healthy agent,
//! its twin, to compare with. Healthy agents on 127.40.N.0/24, the faulty one on 127.41.N.1
//! (its wrong-source address is 127.41.N.2), N one per test. All traffic stays on loopback.

mod common;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Simulator, expected_saved_walk, root, run, s};
use netorigin::identify::Identifier;
use netorigin::simulate::{Agent, Fault, Faults, Recording, Simulation, Traffic};
use netorigin::wire::{Oid, Value};
use serde_json::Value as Json;

/// The misbehaving device and its healthy twin.
const FAULTY: &str = "huawei/vrp_ar169sfp";
/// The rest of the healthy segment: small recordings of three makers.
const HEALTHY: [&str; 3] = [
    "other/datacom-dmos_dm4610-hw2",
    "other/zynos_xs1930-12hp",
    "other/weos_ddw-225",
];

fn recording(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn load(path: &Path) -> Recording {
    Recording::load(path).unwrap()
}

/// The sweep's options that the bound is derived from.
#[derive(Clone, Copy)]
struct Options {
    timeout_ms: u64,
    retries: u32,
    max_rows: u64,
    max_device_time_s: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout_ms: 300,
            retries: 1,
            max_rows: 20_000,
            max_device_time_s: 10,
        }
    }
}

/// Credential rungs the sweep tries: `public` as v2c, then as v1.
const RUNGS: u64 = 2;

/// Time to start the binary, load its data and write the report, and for whatever else a busy
/// machine holds it up by: the bound guards against a hung sweep, it does not time one.
const SLACK: Duration = Duration::from_secs(60);

impl Options {
    /// The longest a sweep is waited for before it is taken to hang: devices are swept at once,
    /// so one device's worst case, plus the slack.
    /// That is the engine-ID probe and each credential's probe, every attempt timing out, then
    /// the device's time limit, plus one exchange already sent when the limit falls.
    fn bound(&self) -> Duration {
        let exchange = Duration::from_millis(self.timeout_ms) * (self.retries + 1);
        SLACK
            + exchange * (1 + RUNGS as u32)
            + Duration::from_secs(self.max_device_time_s)
            + exchange
    }

    fn args(&self) -> Vec<String> {
        [
            "--timeout",
            &self.timeout_ms.to_string(),
            "--retries",
            &self.retries.to_string(),
            "--max-rows",
            &self.max_rows.to_string(),
            "--max-device-time",
            &self.max_device_time_s.to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

/// What one sweep gave.
struct Outcome {
    devices: HashMap<String, Json>,
    summary: Json,
    walks: tempfile::TempDir,
    healthy: Vec<(SocketAddr, PathBuf)>,
    faulty: SocketAddr,
    faulty_traffic: Arc<Traffic>,
    healthy_traffic: Arc<Traffic>,
    wrong_source: Option<SocketAddr>,
}

impl Outcome {
    fn device(&self, addr: &SocketAddr) -> Option<&Json> {
        self.devices.get(&addr.ip().to_string())
    }

    fn faulty_record(&self) -> &Json {
        self.device(&self.faulty).unwrap_or_else(|| {
            panic!(
                "the faulty device is not reported; summary: {}",
                self.summary
            )
        })
    }

    fn notes(&self) -> String {
        self.notes_of(&self.faulty)
    }

    fn notes_of(&self, addr: &SocketAddr) -> String {
        self.device(addr)
            .unwrap_or_else(|| panic!("{addr} not reported"))["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The faulty device's tables by name: (end, rows).
    fn tables(&self) -> HashMap<String, (String, u64)> {
        self.faulty_record()["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["table"].as_str().unwrap().to_string(),
                    (
                        t["end"].as_str().unwrap().to_string(),
                        t["rows"].as_u64().unwrap(),
                    ),
                )
            })
            .collect()
    }

    fn saved(&self, addr: &SocketAddr) -> HashMap<Oid, Value> {
        let path = self.walks.path().join(format!("{}.snmprec", addr.ip()));
        Recording::load_strict(&path)
            .unwrap_or_else(|e| panic!("{e}"))
            .objects
            .into_iter()
            .map(|vb| (vb.oid, vb.value))
            .collect()
    }

    /// Every healthy device is reported with every table complete and exactly the values of its
    /// recording that a correct sweep collects.
    fn assert_healthy_complete(&self) {
        for (addr, path) in &self.healthy {
            self.assert_complete(addr, path);
        }
    }

    fn assert_complete(&self, addr: &SocketAddr, path: &Path) {
        let r = self
            .device(addr)
            .unwrap_or_else(|| panic!("{addr} ({}) not reported", path.display()));
        for t in r["tables"].as_array().unwrap() {
            assert!(
                matches!(t["end"].as_str(), Some("end-of-table" | "end-of-mib-view")),
                "{addr} {}: {t}",
                path.display()
            );
        }
        let want = expected_saved_walk(&load(path), &Identifier::bundled().unwrap());
        let got = self.saved(addr);
        for w in &want {
            assert_eq!(
                got.get(&w.oid),
                Some(&w.value),
                "{addr} {}: {}",
                path.display(),
                w.oid
            );
        }
        assert_eq!(got.len(), want.len(), "{addr} {}", path.display());
    }

    /// Every value saved for the faulty device is its recording's (seen through `served`, what
    /// the faulty agent makes of a recorded value), or made up by `endless`.
    fn assert_faulty_values_are_recorded(&self, served: impl Fn(&Oid, &Value) -> Value) {
        let rec = load(&recording(FAULTY));
        let got = self.saved(&self.faulty);
        assert!(!got.is_empty());
        for (oid, value) in &got {
            match rec.get(oid) {
                Some(vb) => assert_eq!(*value, served(oid, &vb.value), "{oid}"),
                None => assert!(
                    value
                        .as_bytes()
                        .is_some_and(|b| b.starts_with(b"endless row")),
                    "{oid} = {value:?} is not in the recording"
                ),
            }
        }
    }

    /// The faulty device is counted silent and has no record.
    fn assert_faulty_silent(&self) {
        assert!(
            self.device(&self.faulty).is_none(),
            "{}",
            self.faulty_record()
        );
        let silent: Vec<&str> = self.summary["silent_examples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(silent, [self.faulty.ip().to_string()], "{}", self.summary);
    }

    /// Requests that reached the faulty agent, and its healthy twin.
    fn requests(&self) -> (usize, usize) {
        let twin = self.healthy[0].0;
        let at = |t: &Traffic, a: SocketAddr| t.arrivals().iter().filter(|x| x.agent == a).count();
        (
            at(&self.faulty_traffic, self.faulty),
            at(&self.healthy_traffic, twin),
        )
    }
}

/// A port free on both 127.40.N.1 and 127.41.N.1 (and .2, for wrong-source).
fn shared_port(n: u8) -> u16 {
    loop {
        let port = common::free_port(&format!("127.40.{n}.1"));
        let free = |ip: String| std::net::UdpSocket::bind((ip.as_str(), port)).is_ok();
        if free(format!("127.41.{n}.1")) && free(format!("127.41.{n}.2")) {
            return port;
        }
    }
}

fn agents(names: &[PathBuf], faults: &Faults) -> Vec<Agent> {
    names
        .iter()
        .map(|p| Agent::new(Arc::new(load(p)), None).with_faults(Arc::new(faults.clone())))
        .collect()
}

/// Serves the healthy segment on 127.40.N.1.. and the faulty agent on 127.41.N.1, sweeps both
/// with `options` plus `extra`, and checks the bound.
async fn sweep(n: u8, faults: Faults, options: Options, extra: &[&str]) -> Outcome {
    let port = shared_port(n);
    let healthy_paths: Vec<PathBuf> = std::iter::once(FAULTY)
        .chain(HEALTHY)
        .map(recording)
        .collect();
    let healthy_traffic = Arc::new(Traffic::logged());
    let healthy = Simulation::start(
        agents(&healthy_paths, &Faults::default()),
        format!("127.40.{n}.1").parse().unwrap(),
        port,
        healthy_traffic.clone(),
    )
    .await
    .unwrap();
    let faulty_traffic = Arc::new(Traffic::logged());
    let faulty = Simulation::start(
        agents(&[recording(FAULTY)], &faults),
        format!("127.41.{n}.1").parse().unwrap(),
        port,
        faulty_traffic.clone(),
    )
    .await
    .unwrap();
    let outcome = sweep_addresses(
        port,
        healthy
            .addresses
            .iter()
            .zip(healthy_paths)
            .map(|(a, p)| (*a, p))
            .collect(),
        &faulty.addresses,
        options,
        extra,
    )
    .await;
    let wrong_source = faulty.wrong_source;
    match outcome.device(&outcome.faulty) {
        Some(r) => eprintln!("faulty device's notes: {}", r["notes"]),
        None => eprintln!("faulty device not reported; summary: {}", outcome.summary),
    }
    healthy.stop().await;
    faulty.stop().await;
    Outcome {
        faulty_traffic,
        healthy_traffic,
        wrong_source,
        ..outcome
    }
}

async fn sweep_addresses(
    port: u16,
    healthy: Vec<(SocketAddr, PathBuf)>,
    faulty: &[SocketAddr],
    options: Options,
    extra: &[&str],
) -> Outcome {
    let walks = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = ["sweep", "--port", &port.to_string(), "--rate", "unlimited"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(healthy.iter().map(|(a, _)| a.ip().to_string()));
    args.extend(faulty.iter().map(|a| a.ip().to_string()));
    args.extend(options.args());
    args.extend(["--format", "json", "--save-walks", s(walks.path())].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let bound = options.bound();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // run() kills the sweep and fails the test past the bound.
        run(&args, bound)
    })
    .await
    .unwrap();
    eprintln!(
        "sweep took {:?} (bound {bound:?}); {}",
        started.elapsed(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Json = serde_json::from_slice(&out.stdout).unwrap();
    let devices = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["discovered_via"] == "snmp")
        .map(|d| (d["address"].as_str().unwrap().to_string(), d.clone()))
        .collect();
    Outcome {
        devices,
        summary: doc["summary"].clone(),
        walks,
        healthy,
        faulty: faulty[0],
        faulty_traffic: Arc::new(Traffic::default()),
        healthy_traffic: Arc::new(Traffic::default()),
        wrong_source: None,
    }
}

fn same(_: &Oid, v: &Value) -> Value {
    v.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_device_is_reported_silent_and_stalls_nobody() {
    let o = sweep(1, Faults::new(&[Fault::Silent]), Options::default(), &[]).await;
    o.assert_healthy_complete();
    o.assert_faulty_silent();
    // Asked only the opening (an SNMPv1 GET and the engine-ID probe), each with the retry
    // that --retries 1 asks for; never the v2c rung, which only goes to addresses that
    // answered; nothing more.
    assert_eq!(o.requests().0, 2 * 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_that_stops_answering_mid_walk_is_left_alone_after_three_requests() {
    // Answers first contact (the v1 GET of sysDescr and the engine-ID probe, then the v2c
    // GET), the probe and the system table's GETBULK, then nothing.
    let o = sweep(
        2,
        Faults::new(&[Fault::Silent]).after(5),
        Options::default(),
        &[],
    )
    .await;
    o.assert_healthy_complete();
    let notes = o.notes();
    assert!(
        notes.contains("stopped asking after 3 requests in a row went unanswered"),
        "{notes}"
    );
    let tables = o.tables();
    assert_eq!(tables["system"].0, "end-of-table");
    assert_eq!(tables["entPhysicalTable"].0, "error", "{tables:?}");
    assert!(
        tables.values().filter(|(end, _)| end == "error").count() == 14 - 1,
        "{tables:?}"
    );
    // Five healthy requests; then the next GETBULK and its retry, a GETNEXT and its retry,
    // and the next table's GETBULK and its retry: three unanswered exchanges. Nothing after.
    assert_eq!(o.requests().0, 5 + 3 * 2);
    o.assert_faulty_values_are_recorded(same);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_answers_within_the_timeout_give_a_complete_device() {
    // Answers 50 to 150 ms late, well within the timeout: seconds of margin, so that a stalled
    // simulator does not turn one into a retry.
    let options = Options {
        timeout_ms: 5000,
        ..Options::default()
    };
    let faults =
        Faults::new(&[Fault::Slow]).delays(Duration::from_millis(50), Duration::from_millis(100));
    let o = sweep(3, faults, options, &[]).await;
    o.assert_healthy_complete();
    o.assert_complete(&o.faulty, &recording(FAULTY));
    assert_eq!(
        o.requests().0,
        o.requests().1,
        "as many requests as its twin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_later_than_the_timeout_are_ignored_and_said() {
    // Each answer comes 750 ms after its request; the timeout is 500 ms, so the answer to a
    // first attempt arrives while its retry waits, 250 ms from either edge.
    let options = Options {
        timeout_ms: 500,
        ..Options::default()
    };
    let faults = Faults::new(&[Fault::Slow]).delays(Duration::from_millis(750), Duration::ZERO);
    let o = sweep(4, faults, options, &[]).await;
    o.assert_healthy_complete();
    let notes = o.notes();
    assert!(notes.contains("answered only after the timeout"), "{notes}");
    assert!(notes.contains("no credential worked"), "{notes}");
    assert!(o.faulty_record()["sys_descr"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_sent_twice_are_taken_once() {
    let o = sweep(5, Faults::new(&[Fault::Duplicate]), Options::default(), &[]).await;
    o.assert_healthy_complete();
    o.assert_complete(&o.faulty, &recording(FAULTY));
    let (faulty, twin) = o.requests();
    assert_eq!(faulty, twin, "no request more than to its twin");
    let answers = o
        .faulty_traffic
        .departures()
        .iter()
        .filter(|d| d.agent == o.faulty)
        .count();
    assert_eq!(answers, 2 * faulty, "every answer did go out twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_with_the_wrong_request_id_are_refused_and_said() {
    let o = sweep(6, Faults::new(&[Fault::WrongId]), Options::default(), &[]).await;
    o.assert_healthy_complete();
    let notes = o.notes();
    assert!(
        notes.contains("engine-ID probe") && notes.contains("msgID"),
        "{notes}"
    );
    assert!(notes.contains("v2c community #1: no response"), "{notes}");
    assert!(
        o.faulty_record()["sys_descr"].is_null(),
        "nothing taken from it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_from_another_address_are_ignored() {
    let o = sweep(
        7,
        Faults::new(&[Fault::WrongSource]),
        Options::default(),
        &[],
    )
    .await;
    o.assert_healthy_complete();
    assert_eq!(
        o.wrong_source.map(|a| a.ip().to_string()).as_deref(),
        Some("127.41.7.2")
    );
    assert!(
        !o.faulty_traffic.departures().is_empty(),
        "the agent did answer, from elsewhere"
    );
    o.assert_faulty_silent();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_answers_are_refused_and_said() {
    let o = sweep(8, Faults::new(&[Fault::Malformed]), Options::default(), &[]).await;
    o.assert_healthy_complete();
    let notes = o.notes();
    assert!(
        notes.contains("engine-ID probe: malformed response") && notes.contains("do not decode"),
        "{notes}"
    );
    assert!(notes.contains("no credential worked"), "{notes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_bulk_answers_make_the_walk_fall_back_to_getnext() {
    let o = sweep(9, Faults::new(&[Fault::Truncated]), Options::default(), &[]).await;
    o.assert_healthy_complete();
    let notes = o.notes();
    assert!(
        notes.contains("GETBULK went unanswered") && notes.contains("walked with GETNEXT"),
        "{notes}"
    );
    // Every table of the plan is complete; only answers that cannot fit in 484 octets, if any,
    // are missing.
    for (table, (end, _)) in o.tables() {
        assert!(
            end == "end-of-table" || end == "end-of-mib-view",
            "{table}: {end}"
        );
    }
    o.assert_faulty_values_are_recorded(same);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_answered_with_the_oid_asked_for_stops_with_a_note() {
    let o = sweep(
        10,
        Faults::new(&[Fault::NonIncreasing]),
        Options::default(),
        &[],
    )
    .await;
    o.assert_healthy_complete();
    let tables = o.tables();
    assert!(
        tables.values().any(|(end, _)| end == "non-increasing"),
        "{tables:?}"
    );
    let notes = o.notes();
    assert!(
        notes.contains("which does not come after the OID asked for"),
        "{notes}"
    );
    assert_eq!(o.faulty_record()["vendor"], "Huawei");
    o.assert_faulty_values_are_recorded(same);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_that_cycles_stops_with_a_note() {
    let o = sweep(11, Faults::new(&[Fault::OidLoop]), Options::default(), &[]).await;
    o.assert_healthy_complete();
    let tables = o.tables();
    assert!(tables.values().any(|(end, _)| end == "loop"), "{tables:?}");
    assert!(o.notes().contains("looped back to"), "{}", o.notes());
    o.assert_faulty_values_are_recorded(same);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn getbulk_answers_past_max_repetitions_make_the_walk_fall_back_to_getnext() {
    let o = sweep(
        12,
        Faults::new(&[Fault::BulkOverflow]),
        Options::default(),
        &[],
    )
    .await;
    o.assert_healthy_complete();
    o.assert_complete(&o.faulty, &recording(FAULTY));
    assert!(
        o.notes().contains("GETBULK ignored max-repetitions"),
        "{}",
        o.notes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_that_never_ends_stops_at_the_row_cap() {
    let options = Options {
        max_rows: 300,
        ..Options::default()
    };
    let o = sweep(13, Faults::new(&[Fault::Endless]), options, &[]).await;
    let tables = o.tables();
    assert_eq!(tables["ifDescr"], ("row-cap".to_string(), 300));
    assert!(
        o.notes()
            .contains("walk of ifDescr stopped: row cap of 300 reached")
    );
    assert!(!o.notes().contains("time limit"), "the row cap ended it");
    o.assert_faulty_values_are_recorded(same);
    // The healthy devices are complete: none of their tables is near 300 rows.
    o.assert_healthy_complete();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_values_are_cut_and_said() {
    let o = sweep(
        14,
        Faults::new(&[Fault::Oversized]),
        Options::default(),
        &[],
    )
    .await;
    o.assert_healthy_complete();
    assert!(
        o.notes()
            .contains("values longer than 4096 octets were cut to 4096"),
        "{}",
        o.notes()
    );
    for (table, (end, _)) in o.tables() {
        assert!(
            end == "end-of-table" || end == "end-of-mib-view",
            "{table}: {end}"
        );
    }
    o.assert_faulty_values_are_recorded(|_, v| match v {
        Value::OctetString(b) if !b.is_empty() => {
            Value::OctetString(b.iter().copied().cycle().take(4096).collect())
        }
        other => other.clone(),
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn getbulk_answered_toobig_falls_back_to_getnext() {
    let o = sweep(15, Faults::new(&[Fault::TooBig]), Options::default(), &[]).await;
    o.assert_healthy_complete();
    o.assert_complete(&o.faulty, &recording(FAULTY));
    assert!(
        o.notes().contains("GETBULK was answered tooBig"),
        "{}",
        o.notes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_walk_is_said() {
    // Restarts after first contact (the v1 GET of sysDescr and the engine-ID probe, then the
    // v2c GET) and the probe.
    let o = sweep(
        16,
        Faults::new(&[Fault::Reboot]).after(4),
        Options::default(),
        &[],
    )
    .await;
    o.assert_healthy_complete();
    assert!(
        o.notes().contains("sysUpTime went back from 892464591 to"),
        "{}",
        o.notes()
    );
    let uptime: Oid = "1.3.6.1.2.1.1.3.0".parse().unwrap();
    let walked = o.saved(&o.faulty)[&uptime].clone();
    assert!(walked.as_u64().unwrap() < 892_464_591);
    o.assert_faulty_values_are_recorded(|oid, v| {
        if *oid == uptime {
            walked.clone()
        } else {
            v.clone()
        }
    });
}

/// The command line's `--fault`: the same as the library's, through `netorigin simulate`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_fault_on_the_command_line_reaches_every_agent() {
    let n = 17;
    let port = shared_port(n);
    let faulty = Simulator::start_on(
        &format!("127.41.{n}.1"),
        port,
        &[recording(FAULTY), recording(FAULTY)],
        &[
            "--fault",
            "toobig",
            "--fault",
            "duplicate",
            "--fault-after",
            "2",
        ],
    );
    let healthy_paths: Vec<PathBuf> = HEALTHY.into_iter().map(recording).collect();
    let healthy = Simulation::start(
        agents(&healthy_paths, &Faults::default()),
        format!("127.40.{n}.1").parse::<IpAddr>().unwrap(),
        port,
        Arc::new(Traffic::default()),
    )
    .await
    .unwrap();
    let faulty_addresses: Vec<SocketAddr> = faulty.agents.iter().map(|(a, _)| *a).collect();
    let o = sweep_addresses(
        port,
        healthy
            .addresses
            .iter()
            .zip(healthy_paths)
            .map(|(a, p)| (*a, p))
            .collect(),
        &faulty_addresses,
        Options::default(),
        &[],
    )
    .await;
    o.assert_healthy_complete();
    for addr in &faulty_addresses {
        o.assert_complete(addr, &recording(FAULTY));
        let notes = o.notes_of(addr);
        assert!(
            notes.contains("GETBULK was answered tooBig"),
            "{addr}: {notes}"
        );
    }
    healthy.stop().await;
}
