//! Real peer: `lldpd` (Debian's package) in one network namespace, `netorigin listen
//! --interface` in another, joined by a veth pair that the test makes and removes. The lldpd
//! side carries a Huawei VRP system description and a chassis MAC from Huawei's OUI
//! (00:e0:fc); the listener must report a Huawei device, banned by the default policy, within
//! the test's bound, and a SIGTERM must stop it promptly with what it heard so far.
//!
//! Needs root (namespaces, packet sockets), lldpd and iproute2: `scripts/test` installs them
//! and runs this with `--include-ignored`. Without root it fails: it never skips silently.
//! No traffic leaves the namespaces.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, jsonl, run};

const HUAWEI_MAC: &str = "00:e0:fc:12:34:56";
const HUAWEI_DESCR: &str = "Huawei Versatile Routing Platform Software VRP (R) software, \
                            Version 8.180 (NE40E V800R011C00SPC200)";

fn sh(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (scripts/test installs iproute2 and lldpd)",
                args[0]
            )
        });
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two namespaces joined by a veth pair; removed (with whatever runs in them) on drop.
struct Link {
    a: String,
    b: String,
    if_a: String,
    if_b: String,
    children: Vec<Child>,
    dir: tempfile::TempDir,
}

impl Link {
    fn new() -> Link {
        let pid = std::process::id();
        let euid = Command::new("id").arg("-u").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&euid.stdout).trim(),
            "0",
            "this test needs root for network namespaces: run it through scripts/test as root"
        );
        let link = Link {
            a: format!("netorigin-a-{pid}"),
            b: format!("netorigin-b-{pid}"),
            if_a: format!("noa{pid}"),
            if_b: format!("nob{pid}"),
            children: Vec::new(),
            dir: tempfile::tempdir().unwrap(),
        };
        sh(&["ip", "netns", "add", &link.a]);
        sh(&["ip", "netns", "add", &link.b]);
        sh(&[
            "ip", "link", "add", &link.if_a, "type", "veth", "peer", "name", &link.if_b,
        ]);
        sh(&["ip", "link", "set", &link.if_a, "netns", &link.a]);
        sh(&["ip", "link", "set", &link.if_b, "netns", &link.b]);
        sh(&[
            "ip", "-n", &link.a, "link", "set", &link.if_a, "address", HUAWEI_MAC,
        ]);
        for (ns, ifname) in [(&link.a, &link.if_a), (&link.b, &link.if_b)] {
            sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
            sh(&["ip", "-n", ns, "link", "set", ifname, "up"]);
        }
        link
    }

    /// lldpd on side A, sending every second, as a Huawei NE40E.
    fn start_lldpd(&mut self) {
        let conf = self.dir.path().join("lldpd.conf");
        std::fs::write(
            &conf,
            "configure system hostname HW-NE40E-LAB\nconfigure lldp tx-interval 1\n",
        )
        .unwrap();
        let log = std::fs::File::create(self.dir.path().join("lldpd.log")).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &self.a, "lldpd", "-d", "-u"])
            .arg(self.dir.path().join("lldpd.socket"))
            .args(["-I", &self.if_a, "-O"])
            .arg(&conf)
            .args(["-S", HUAWEI_DESCR])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("lldpd (scripts/test installs it)");
        self.children.push(child);
    }

    /// `netorigin listen --interface` on side B, its standard error going to `name`.log.
    fn start_listener(&mut self, name: &str, extra: &[&str]) -> usize {
        let err = std::fs::File::create(self.path(&format!("{name}.log"))).unwrap();
        let out = std::fs::File::create(self.path(&format!("{name}.jsonl"))).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &self.b, bin(), "listen", "--interface"])
            .arg(&self.if_b)
            .args(["--format", "jsonl"])
            .args(extra)
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap();
        self.children.push(child);
        self.children.len() - 1
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Waits (bounded) until `name`.log contains `what`.
    fn wait_for(&self, name: &str, what: &str, limit: Duration) {
        let start = Instant::now();
        while !self.log(&format!("{name}.log")).contains(what) {
            assert!(
                start.elapsed() < limit,
                "{name} did not say {what:?} within {limit:?}:\n{}\nlldpd:\n{}",
                self.log(&format!("{name}.log")),
                self.log("lldpd.log")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (bounded) for child `i` to exit; its exit code.
    fn wait_exit(&mut self, i: usize, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.children[i].try_wait().unwrap() {
                return status.code();
            }
            assert!(
                start.elapsed() < limit,
                "the listener did not stop within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn huawei_record(path: &Path) -> serde_json::Value {
    let text = std::fs::read(path).unwrap();
    let records: Vec<serde_json::Value> = jsonl(&text)
        .into_iter()
        .filter(|v| v.get("discovered_via").is_some())
        .collect();
    assert_eq!(
        records.len(),
        1,
        "one device on the link: {}",
        String::from_utf8_lossy(&text)
    );
    let d = records[0].clone();
    assert_eq!(d["discovered_via"], "passive", "{d}");
    assert_eq!(d["vendor"], "Huawei", "{d}");
    assert_eq!(d["verdict"], "banned", "{d}");
    assert_eq!(d["chassis_mac"], HUAWEI_MAC, "{d}");
    assert_eq!(d["sys_name"], "HW-NE40E-LAB", "{d}");
    d
}

#[test]
#[ignore = "real peer: needs root, lldpd and iproute2 (scripts/test runs it)"]
fn lldpd_in_a_namespace_is_heard_as_huawei() {
    let mut link = Link::new();
    // First listener: stops by itself once it has heard one device.
    let pcap = link.path("heard.pcap");
    let first = link.start_listener(
        "first",
        &[
            "--duration",
            "60",
            "--until-heard",
            "1",
            "--save-pcap",
            pcap.to_str().unwrap(),
        ],
    );
    link.wait_for("first", "listening on", Duration::from_secs(60));
    link.start_lldpd();
    let code = link.wait_exit(first, Duration::from_secs(60));
    assert_eq!(code, Some(0), "{}", link.log("first.log"));
    let d = huawei_record(&link.path("first.jsonl"));
    assert!(
        d["model"].as_str().unwrap_or("").contains("NE40E"),
        "the model from the VRP description: {d}"
    );

    // The saved capture reads back to the same verdict, offline.
    let out = run(
        &[
            "listen",
            "--format",
            "jsonl",
            "--pcap",
            pcap.to_str().unwrap(),
        ],
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offline = link.path("offline.jsonl");
    std::fs::write(&offline, &out.stdout).unwrap();
    huawei_record(&offline);

    // Second listener: told to listen for ten minutes, stopped by SIGTERM once it has heard
    // the device; it stops within the read tick and reports what it heard.
    let second = link.start_listener("second", &["--duration", "600"]);
    link.wait_for("second", "heard LLDP", Duration::from_secs(60));
    let pid = link.children[second].id().to_string();
    sh(&["kill", "-TERM", &pid]);
    let code = link.wait_exit(second, Duration::from_secs(60));
    assert_eq!(code, Some(0), "{}", link.log("second.log"));
    huawei_record(&link.path("second.jsonl"));
}
