//! Helpers shared by the integration tests: the real binary, a simulated segment started as a
//! child process, free loopback ports. All traffic stays on 127.0.0.0/8.
#![allow(dead_code)]

pub mod central;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use netorigin::discover::build::{device_record, identify};
use netorigin::discover::plan::{HR_DEVICE_DESCR, HR_PRINTER_STATUS, identity_objects, walk_plan};
use netorigin::identify::inventory::Source;
use netorigin::identify::{Identifier, SubtreeSteps};
use netorigin::record::{DiscoveredVia, Observations, Observed};
use netorigin::simulate::Recording;
use netorigin::snmp::oids;
use netorigin::wire::{Oid, VarBind};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_netorigin")
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every recording of the corpus copied into tests/data, sorted.
pub fn corpus() -> Vec<PathBuf> {
    let mut all = Vec::new();
    for group in ["huawei", "zte", "h3c", "historical", "other"] {
        let dir = root().join("tests/data/snmprec").join(group);
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "snmprec") {
                all.push(p);
            }
        }
    }
    all.sort();
    all
}

/// The record a sweep would build from a recording's objects (`identify --snmprec`'s pipeline).
pub fn recorded_device(path: &Path, objects: Vec<VarBind>, identifier: &Identifier) -> Observed {
    let mut obs = Observations::default();
    obs.extend(objects);
    device_record(
        path.display().to_string(),
        DiscoveredVia::Recording,
        None,
        &obs,
        Vec::new(),
        identifier,
    )
}

/// A UDP port free on `ip` right now.
pub fn free_port(ip: &str) -> u16 {
    UdpSocket::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `netorigin simulate` running as a child; killed when dropped.
pub struct Simulator {
    pub child: Child,
    pub agents: Vec<(SocketAddr, PathBuf)>,
    pub port: u16,
    /// Its ready line (`ready: 3 agents on ...`).
    pub ready: String,
}

impl Simulator {
    /// Starts `netorigin simulate --base BASE --port (free) PATHS... EXTRA...` and waits for
    /// its ready line.
    pub fn start(base: &str, paths: &[PathBuf], extra: &[&str]) -> Simulator {
        Simulator::start_on(base, free_port(base), paths, extra)
    }

    /// Starts `netorigin simulate --base BASE --port PORT PATHS... EXTRA...` (several
    /// simulators may share a port on different addresses) and waits for its ready line.
    pub fn start_on(base: &str, port: u16, paths: &[PathBuf], extra: &[&str]) -> Simulator {
        let mut child = Command::new(bin())
            .arg("simulate")
            .args(["--base", base, "--port", &port.to_string()])
            .args(extra)
            .args(paths)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start netorigin simulate");
        let stdout = child.stdout.take().unwrap();
        let mut agents = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if line.starts_with("ready:") {
                return Simulator {
                    child,
                    agents,
                    port,
                    ready: line,
                };
            }
            let (addr, path) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("unexpected line {line:?}"));
            agents.push((addr.parse().unwrap(), PathBuf::from(path)));
            assert!(Instant::now() < deadline, "simulate did not become ready");
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("simulate exited before it was ready");
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The data folder the tests give the binary (`NETORIGIN_DATA_DIR`), under the target folder,
/// so that no test writes to the real home: sweeps store their history there unless told
/// otherwise. One per test program, emptied when the program first asks for it, so that it
/// does not grow from run to run.
pub fn test_data_dir() -> PathBuf {
    static EMPTIED: std::sync::Once = std::sync::Once::new();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("netorigin-data-{}", env!("CARGO_CRATE_NAME")));
    EMPTIED.call_once(|| {
        let _ = std::fs::remove_dir_all(&dir);
    });
    dir
}

/// The binary as a command with the tests' data folder (`NETORIGIN_DATA_DIR`,
/// [`test_data_dir`]), so that nothing it stores lands in the real home.
pub fn netorigin() -> Command {
    let mut c = Command::new(bin());
    c.env("NETORIGIN_DATA_DIR", test_data_dir());
    c
}

/// Runs `command`, whose program is a copy of the binary this test just wrote. Another test
/// thread that starts a child meanwhile holds the copy open for writing in that child until it
/// execs (the descriptor is close-on-exec, not closed at fork), and executing the copy then
/// fails with "Text file busy": tried again a few times, a moment apart.
pub fn output_of_copy(command: &mut Command) -> Output {
    for _ in 0..50 {
        match command.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other.expect("the copied binary runs"),
        }
    }
    panic!("the copied binary stayed busy for 5 s")
}

/// Runs the binary with `args`, bounded by `limit` (killed past it). Output is drained as it
/// comes so that a large report never blocks the child on a full pipe.
pub fn run(args: &[&str], limit: Duration) -> Output {
    let mut child = netorigin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run netorigin");
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let err = err.join().unwrap();
            panic!(
                "netorigin {args:?} ran past {limit:?}\nstderr: {}",
                String::from_utf8_lossy(&err)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Parses JSON Lines.
pub fn jsonl(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Path as &str.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// What a correct sweep must have saved: the probe objects, every object under the plan, the
/// identity objects (the first object under each prefix, the printer's hrDeviceDescr), the
/// first object of each of the first private subtrees (the steps that unmask Huawei power
/// units behind net-snmp), and the objects of the inventory rules that apply to the device as
/// identified from all that.
pub fn expected_saved_walk(rec: &Recording, identifier: &Identifier) -> Vec<VarBind> {
    let plan = walk_plan();
    let probe = [
        oids::sys_descr(),
        oids::sys_object_id(),
        oids::sys_name(),
        oids::sys_uptime(),
    ];
    let mut want: Vec<VarBind> = rec
        .objects
        .iter()
        .filter(|vb| !vb.value.is_exception())
        .filter(|vb| {
            probe.contains(&vb.oid)
                || plan
                    .iter()
                    .any(|t| vb.oid.starts_with(&t.root) && vb.oid != t.root)
        })
        .cloned()
        .collect();
    // The identity objects: the first recorded object under each prefix, and the printer's
    // hrDeviceDescr row.
    for t in identity_objects() {
        if let Some(vb) = rec
            .next_after(&t.root)
            .filter(|vb| vb.oid.starts_with(&t.root) && !vb.value.is_exception())
        {
            if t.root == Oid::new(HR_PRINTER_STATUS) {
                let mut descr = Oid::new(HR_DEVICE_DESCR);
                for &i in vb.oid.suffix(&t.root).unwrap() {
                    descr = descr.child(i);
                }
                want.extend(rec.get(&descr).filter(|d| !d.value.is_exception()).cloned());
            }
            want.push(vb.clone());
        }
    }
    // The private subtrees, stepped through as the sweep does.
    let mut steps = SubtreeSteps::default();
    while let Some(from) = steps.request() {
        let next = rec.next_after(from);
        if steps.answer(
            next.map(|vb| &vb.oid),
            next.is_some_and(|vb| !vb.value.is_exception()),
        ) {
            want.extend(next.cloned());
        }
    }
    want.sort_by(|a, b| a.oid.cmp(&b.oid));
    want.dedup_by(|a, b| a.oid == b.oid);
    want.extend(inventory(rec, identifier, &want));
    want
}

/// The inventory objects a sweep fetches after `seen`: for an exact object its recorded value,
/// for a prefix the first recorded object under it; each once, and none already seen.
fn inventory(rec: &Recording, identifier: &Identifier, seen: &[VarBind]) -> Vec<VarBind> {
    let mut obs = Observations::default();
    obs.extend(seen.iter().cloned());
    let id = identify(&obs, identifier);
    let sys_object_id = obs.get(&oids::sys_object_id()).and_then(|v| v.as_oid());
    let mut out: Vec<VarBind> = Vec::new();
    for source in identifier.inventory_sources(sys_object_id, id.vendor.as_deref()) {
        let found = match &source {
            Source::Get(o) => rec.get(o),
            Source::First(p) => rec.next_after(p),
        };
        if let Some(vb) = found.filter(|vb| source.answered_by(&vb.oid) && !vb.value.is_exception())
            && obs.get(&vb.oid).is_none()
            && !out.iter().any(|x| x.oid == vb.oid)
        {
            out.push(vb.clone());
        }
    }
    out
}

/// Undoes the escapes of the TSV files in tests/data (FRAMES.tsv, librenms-expected/os.tsv):
/// `\n`, `\t`, `\r`, `\\`, `\'`, `\xNN` (a Latin-1 character); others are kept as they are.
pub fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('x') => {
                let h: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&h, 16).unwrap()));
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The company groups that the shipped policies (policies/*.toml) name.
pub const WATCHED_GROUPS: [&str; 8] = [
    "huawei",
    "zte",
    "h3c",
    "hikvision",
    "dahua",
    "hytera",
    "xfusion",
    "honor",
];

/// A Huawei radio base station as far as the sweep's probe and system group go, written into
/// `dir`: only its enterprise number (2011, Huawei's in the IANA registry) identifies it; what
/// it is (an eNodeB, 4G) an inventory says.
pub fn huawei_enodeb(dir: &Path) -> PathBuf {
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
