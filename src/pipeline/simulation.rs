//! Simulated segments: recordings served as live agents until a signal (`simulate`), and the
//! demo, which serves the bundled segment on loopback and sweeps it.

use std::io::Write;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::observers::Report;
use super::plan::{Rate, Tuning, sweep_config};
use super::{Failure, Judging, Policies, Shutdown, Stop, other, tell_recording_notes, usage};
use crate::discover::Targets;
use crate::identify::Identifier;
use crate::simulate::files::{load_recordings, load_shared_recordings};
use crate::simulate::recording::BadLines;
use crate::simulate::{Agent, Faults, SimulateError, Simulation, Traffic};

/// What `simulate` serves, and how.
#[derive(Debug)]
pub struct Serving {
    /// Recordings (files, or folders of them).
    pub paths: Vec<PathBuf>,
    /// What a line that cannot be read does.
    pub bad_lines: BadLines,
    /// The first agent's address.
    pub base: IpAddr,
    /// The UDP port every agent listens on.
    pub port: u16,
    /// The only community answered; none for any.
    pub community: Option<String>,
    /// SNMPv3 users every agent serves.
    pub v3_users: Vec<crate::snmp::UsmUser>,
    /// How every agent misbehaves.
    pub faults: Faults,
}

fn bind_failure(e: SimulateError, port: u16) -> Failure {
    let hint = match &e {
        SimulateError::Bind { source, .. } if source.kind() == std::io::ErrorKind::AddrInUse => {
            format!(" (port {port} is in use: choose another with --port)")
        }
        SimulateError::Bind { source, .. }
            if source.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            format!(" (port {port} needs root: choose one above 1024 with --port)")
        }
        _ => String::new(),
    };
    usage(format!("{e}{hint}"))
}

/// Serves the recordings as agents on `base` onwards until Ctrl-C or SIGTERM: says which agent
/// serves which file, then a ready line.
pub async fn serve(args: Serving) -> Result<(), Failure> {
    let recordings = load_shared_recordings(&args.paths, args.bad_lines).map_err(usage)?;
    {
        // Notes once per file read.
        let mut told = std::collections::HashSet::new();
        for (_, r) in &recordings {
            if told.insert(Arc::as_ptr(r)) {
                tell_recording_notes(std::slice::from_ref(r.as_ref()));
            }
        }
    }
    let community = args.community.map(String::into_bytes);
    let users = args
        .v3_users
        .iter()
        .map(crate::usm::UserKeys::new)
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let faults = Arc::new(args.faults);
    let sources: Vec<PathBuf> = recordings.iter().map(|(f, _)| f.clone()).collect();
    let agents: Vec<Agent> = recordings
        .into_iter()
        .map(|(_, r)| {
            Agent::new(r, community.clone())
                .with_faults(faults.clone())
                .with_v3_users(&users)
        })
        .collect::<Result<_, _>>()
        .map_err(usage)?;
    let sim = Simulation::start(agents, args.base, args.port, Arc::new(Traffic::default()))
        .await
        .map_err(|e| bind_failure(e, args.port))?;
    let shutdown = Shutdown::listen();
    let mut out = std::io::stdout().lock();
    for (addr, src) in sim.addresses.iter().zip(&sources) {
        let _ = writeln!(out, "{addr}\t{}", src.display());
    }
    let last = sim
        .addresses
        .last()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if !faults.is_empty() {
        let modes: Vec<String> = faults
            .modes()
            .iter()
            .filter_map(clap::ValueEnum::to_possible_value)
            .map(|v| v.get_name().to_string())
            .collect();
        eprintln!(
            "netorigin: every agent misbehaves ({}) after its first {}{}",
            modes.join(", "),
            crate::words::count(faults.after, "request", "requests"),
            sim.wrong_source
                .map(|a| format!("; wrong-source answers come from {}", a.ip()))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "ready: {} on {}..{} port {}",
        crate::words::count(sim.addresses.len() as u64, "agent", "agents"),
        args.base,
        last,
        args.port
    );
    let _ = out.flush();
    drop(out);
    shutdown.wait().await;
    sim.stop().await;
    Ok(())
}

/// The demo segment's base address and first port to try.
const DEMO_BASE: [u8; 4] = [127, 77, 0, 1];
const DEMO_PORT: u16 = 16_100;

/// The demo's list of recordings, relative to its data folder.
const DEMO_SEGMENT: &str = "demo/segment.txt";

/// Where the demo's data is when `--data` is not given: beside the binary, in its installed
/// data folder (`../share/netorigin`), in a folder above it (a build inside the source tree),
/// then in the current folder.
pub fn demo_data(exe: Option<&Path>, current: Option<&Path>) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(dir) = exe.and_then(Path::parent) {
        candidates.push(dir.to_path_buf());
        if let Some(prefix) = dir.parent() {
            candidates.push(prefix.join("share/netorigin"));
        }
        candidates.extend(dir.ancestors().skip(1).map(Path::to_path_buf));
    }
    candidates.extend(current.map(Path::to_path_buf));
    candidates
        .into_iter()
        .find(|c| c.join(DEMO_SEGMENT).is_file())
}

/// Reads `demo/segment.txt` under `root`.
pub fn demo_segment(root: &Path) -> Result<Vec<PathBuf>, Failure> {
    let list = root.join(DEMO_SEGMENT);
    let text = std::fs::read_to_string(&list).map_err(|e| {
        usage(format!(
            "{}: {e} (--data names a clone of the repository: the demo needs its {DEMO_SEGMENT} \
             and tests/data)",
            list.display()
        ))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| root.join(l))
        .collect())
}

/// The demo: the segment's recordings served on loopback, swept and reported (`data`: where
/// the segment's list is; none to look for it).
pub async fn demo(
    data: Option<PathBuf>,
    policy: &Policies,
    output: &Report,
) -> Result<(), Failure> {
    let data = match data {
        Some(data) => data,
        None => {
            let exe = std::env::current_exe().ok();
            let current = std::env::current_dir().ok();
            demo_data(exe.as_deref(), current.as_deref()).ok_or_else(|| {
                usage(format!(
                    "the demo needs the source tree's {DEMO_SEGMENT} and tests/data (recordings \
                     of real devices, not installed with the binary): run it inside a clone of \
                     the repository, or give --data DIR with the clone's folder"
                ))
            })?
        }
    };
    let recordings = load_recordings(&demo_segment(&data)?, BadLines::Skip).map_err(usage)?;
    tell_recording_notes(&recordings);
    let count = recordings.len();
    let agents: Vec<Agent> = recordings
        .into_iter()
        .map(|r| Agent::new(Arc::new(r), None))
        .collect();
    let base = IpAddr::from(DEMO_BASE);
    let mut port = DEMO_PORT;
    let sim = loop {
        match Simulation::start(agents.clone(), base, port, Arc::new(Traffic::default())).await {
            Ok(sim) => break sim,
            Err(SimulateError::Bind { source, .. })
                if source.kind() == std::io::ErrorKind::AddrInUse && port < DEMO_PORT + 50 =>
            {
                port += 1;
            }
            Err(e) => return Err(bind_failure(e, port)),
        }
    };
    let last = sim.addresses.last().map(|a| a.ip()).unwrap_or(base);
    eprintln!(
        "netorigin demo: {count} simulated agents on {base}..{last} port {port}, from recordings of real devices \
         (LibreNMS test data, GPL-3.0; see tests/data/README.md). Sweeping..."
    );
    let targets = Targets::parse(&[format!("{base}"), format!("{last}")])
        .and_then(|_| {
            let cidrs: Vec<String> = sim.addresses.iter().map(|a| a.ip().to_string()).collect();
            Targets::parse(&cidrs)
        })
        .map_err(other)?;
    let tuning = Tuning {
        port,
        timeout: 1000,
        retries: None,
        // Loopback only: the demo may go faster than a polite field sweep.
        rate: Rate(NonZeroU32::new(5000)),
        max_in_flight_per_device: 1,
        no_walk: false,
        no_engine_probe: false,
        probe_every_rung: false,
        max_rows: 20_000,
        max_device_time: 600,
        save_walks: None,
    };
    let config = sweep_config(&tuning, &["public".to_string()])?;
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(policy, &identifier)?;
    let result = super::sweep::run_sweep(
        targets,
        config,
        identifier,
        judging,
        output,
        None,
        Stop::never(),
    )
    .await;
    sim.stop().await;
    result?.findings
}
