//! `netorigin simulate` at scale: 2,000 agents at once, each answering, and a clean stop on
//! Ctrl-C (SIGINT) and SIGTERM.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Simulator, corpus, jsonl, run};

fn signal(sim: &mut Simulator, name: &str) {
    let status = Command::new("kill")
        .args(["-s", name, &sim.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = sim.child.try_wait().unwrap() {
            assert!(status.success(), "simulate exited with {status} on {name}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "simulate did not stop within 60 s of {name}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn two_thousand_agents_answer_and_stop_cleanly_on_ctrl_c() {
    let all = corpus();
    let paths: Vec<PathBuf> = all.iter().cycle().take(2000).cloned().collect();
    let mut sim = Simulator::start("127.30.0.1", &paths, &[]);
    assert_eq!(sim.agents.len(), 2000);
    assert_eq!(sim.agents[1999].0.ip().to_string(), "127.30.7.208");
    // Consecutive addresses, in the order given.
    for (i, (addr, path)) in sim.agents.iter().enumerate().take(5) {
        assert_eq!(addr.ip().to_string(), format!("127.30.0.{}", i + 1));
        assert_eq!(path, &paths[i]);
    }
    let o = run(
        &[
            "sweep",
            "127.30.0.0/21",
            "--exclude",
            "127.30.7.209/32",
            "--exclude",
            "127.30.7.210/31",
            "--exclude",
            "127.30.7.212/30",
            "--exclude",
            "127.30.7.216/29",
            "--exclude",
            "127.30.7.224/27",
            "--port",
            &sim.port.to_string(),
            "--rate",
            "unlimited",
            "--no-walk",
            "--timeout",
            "3000",
            "--retries",
            "2",
            "--format",
            "jsonl",
        ],
        Duration::from_secs(300),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let records = jsonl(&o.stdout);
    assert_eq!(
        records.len(),
        2000,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    signal(&mut sim, "INT");
}

#[test]
fn stops_cleanly_on_sigterm_even_right_after_ready() {
    // A signal sent the moment the ready line is read once killed the process uncleanly: the
    // handlers were installed after the ready line. Several tries, to catch the race.
    let paths = vec![corpus()[0].clone()];
    for name in ["TERM", "INT"].iter().cycle().take(60) {
        let mut sim = Simulator::start("127.30.9.1", &paths, &[]);
        signal(&mut sim, name);
    }
}
