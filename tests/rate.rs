//! `--rate` is honoured: requests are counted where they arrive, at the simulator, and no
//! one-second window holds more than the rate allows. Counts, not durations, are asserted.

mod common;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use common::{free_port, root, run};
use netorigin::simulate::{Agent, Recording, Simulation, Traffic};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_caps_requests_in_every_one_second_window() {
    let names = [
        "huawei/vrp_5720",
        "huawei/vrp_ce12804-entity",
        "other/arista_eos",
        "other/iosxe_c3850",
        "h3c/comware_hpe5900",
        "other/junos_qfx5100",
    ];
    let agents: Vec<Agent> = names
        .iter()
        .map(|n| {
            let rec =
                Recording::load(&root().join(format!("tests/data/snmprec/{n}.snmprec"))).unwrap();
            Agent::new(Arc::new(rec), None)
        })
        .collect();
    let base: IpAddr = "127.23.0.1".parse().unwrap();
    let port = free_port("127.23.0.1");
    let traffic = Arc::new(Traffic::logged());
    let sim = Simulation::start(agents, base, port, traffic.clone())
        .await
        .unwrap();

    let rate = 60u32;
    let out = tokio::task::spawn_blocking(move || {
        run(
            &[
                "sweep",
                "127.23.0.0/29",
                "--port",
                &port.to_string(),
                "--rate",
                &rate.to_string(),
                "--format",
                "jsonl",
                "--timeout",
                "2000",
            ],
            Duration::from_secs(120),
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Timed by the kernel as each reached its agent's socket: a simulator that reads late
    // cannot bunch them up, and a sweep that stalls can only send fewer in a second, never
    // more. Six agents log apart, so the log is put in the order of those times.
    let mut arrivals = traffic.arrivals();
    sim.stop().await;
    arrivals.sort_by_key(|a| a.at);

    // Six agents answer and walk their tables: enough requests for several seconds at this rate.
    assert!(
        arrivals.len() as u32 > 3 * rate,
        "only {} requests arrived",
        arrivals.len()
    );
    let mut worst = 0usize;
    for (i, a) in arrivals.iter().enumerate() {
        let in_window = arrivals[i..]
            .iter()
            .take_while(|b| b.at.duration_since(a.at) < Duration::from_secs(1))
            .count();
        worst = worst.max(in_window);
    }
    let cap = (f64::from(rate) * 1.05).floor() as usize + 1;
    eprintln!(
        "{} requests; busiest one-second window: {worst} (rate {rate}, cap {cap})",
        arrivals.len()
    );
    assert!(
        worst <= cap,
        "{worst} requests arrived within one second at --rate {rate}"
    );
    // And the limiter is what sets the pace: the whole run cannot have been faster than the rate.
    let span = arrivals.last().unwrap().at.duration_since(arrivals[0].at);
    let burst = (rate / 20).max(1) as usize;
    let floor = Duration::from_secs_f64((arrivals.len() - burst - 1) as f64 / f64::from(rate));
    assert!(
        span >= floor,
        "{} requests in {span:?} at --rate {rate}",
        arrivals.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_sends_nothing_and_a_large_sweep_needs_max_hosts_raised() {
    let rec = Recording::load(&root().join("tests/data/snmprec/huawei/vrp_route.snmprec")).unwrap();
    let port = free_port("127.23.1.1");
    let traffic = Arc::new(Traffic::default());
    let sim = Simulation::start(
        vec![Agent::new(Arc::new(rec), None)],
        "127.23.1.1".parse().unwrap(),
        port,
        traffic.clone(),
    )
    .await
    .unwrap();
    let p = port.to_string();
    let out = tokio::task::spawn_blocking(move || {
        run(
            &["sweep", "127.23.1.0/29", "--port", &p, "--dry-run"],
            Duration::from_secs(120),
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("up to 6 addresses of 127.23.1.0/29") && said.contains("Nothing was sent"),
        "{said}"
    );
    // All of loopback is more than the default --max-hosts: refused, nothing sent.
    let out =
        tokio::task::spawn_blocking(|| run(&["sweep", "127.0.0.0/8"], Duration::from_secs(120)))
            .await
            .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than --max-hosts 65536"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        traffic.received.load(std::sync::atomic::Ordering::Relaxed),
        0,
        "a datagram reached the simulator"
    );
    sim.stop().await;
}
