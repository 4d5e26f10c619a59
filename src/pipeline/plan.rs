//! A sweep's plan: its options as a front end gives them ([`SweepPlan`]), checked and turned
//! into what the sweep needs ([`prepare_sweep`]): targets, the credential ladder, the sweep's
//! configuration, the identifier, the judging and the database. Also what a dry run says and
//! the options stored with a sweep.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use super::observers::Report;
use super::sweep::SweepRun;
use super::{Failure, Judging, Policies, Stop, other, store_failure, usage};
use crate::discover::sweep::DEFAULT_RETRIES;
use crate::discover::{SweepConfig, Targets};
use crate::identify::Identifier;
use crate::report::Provenance;
use crate::snmp::walk::WalkLimits;
use crate::snmp::{Credential, Secret};
use crate::wire::Version;

/// What to sweep and how: the options of `sweep` (and of each sweep of `schedule`).
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// Addresses, CIDRs, or @FILE with one per line.
    pub targets: Vec<String>,
    /// Follow neighbours inside `scope`.
    pub crawl: bool,
    /// Devices to start a crawl from (implies `crawl`).
    pub seed: Vec<String>,
    /// Where a crawl may go.
    pub scope: Vec<String>,
    /// Hops a crawl goes from the targets.
    pub max_depth: u32,
    /// Addresses a crawl probes at most, targets included.
    pub max_devices: usize,
    /// Communities to try, in order.
    pub community: Vec<String>,
    /// A credentials file.
    pub credentials: Option<PathBuf>,
    /// Tuning.
    pub sweep: Tuning,
    /// Addresses or CIDRs never to send to.
    pub exclude: Vec<String>,
    /// The most addresses the sweep may cover.
    pub max_hosts: u128,
    /// Say what would be probed, and send nothing.
    pub dry_run: bool,
    /// The policies.
    pub policy: Policies,
    /// The report.
    pub output: Report,
    /// The database.
    pub store: Storage,
    /// The site that sweeps (`--site`): stored with the sweep and in its parameters, and the
    /// site its bundle is uploaded as. Checked by [`crate::bundle::check_site`].
    pub site: Option<String>,
    /// Where to send the stored sweeps after this one (`--upload`).
    pub upload: Option<super::upload::UploadOptions>,
}

/// Where a sweep is stored (`--db`, `--no-db`).
#[derive(Debug, Clone, Default)]
pub struct Storage {
    /// The database; none for the default one.
    pub db: Option<PathBuf>,
    /// Do not store the sweep.
    pub no_db: bool,
}

impl Storage {
    /// The database to store in, if any: `--db`, else the default one, unless `--no-db`.
    pub fn path(&self) -> Result<Option<PathBuf>, Failure> {
        if self.no_db {
            return Ok(None);
        }
        match &self.db {
            Some(p) => Ok(Some(p.clone())),
            None => crate::store::default_path().map(Some).ok_or_else(|| {
                usage("no data folder for the history database (set NETORIGIN_DATA_DIR or HOME, or give --db FILE or --no-db)")
            }),
        }
    }
}

/// A rate in requests per second, or unlimited.
#[derive(Debug, Clone, Copy)]
pub struct Rate(pub Option<NonZeroU32>);

/// How hard and how far a sweep goes.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// The agents' UDP port.
    pub port: u16,
    /// How long to wait for each answer, in milliseconds.
    pub timeout: u64,
    /// Retries after a timeout, when asked for (else earned: see `SweepConfig::retries`).
    pub retries: Option<u32>,
    /// Requests per second across the whole sweep.
    pub rate: Rate,
    /// Requests in flight to any one device.
    pub max_in_flight_per_device: u64,
    /// Probe only.
    pub no_walk: bool,
    /// No credential-free engine-ID probe.
    pub no_engine_probe: bool,
    /// Every rung of the ladder to every address in first contact.
    pub probe_every_rung: bool,
    /// Rows at most per walked table.
    pub max_rows: u64,
    /// The most time spent on one device, in seconds.
    pub max_device_time: u64,
    /// Where to write each device's answers, if anywhere.
    pub save_walks: Option<PathBuf>,
}

fn credentials(communities: &[String]) -> Vec<Credential> {
    communities
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            [Version::V2c, Version::V1]
                .map(|version| Credential::community(version, Secret::new(c.clone()), i + 1))
        })
        .collect()
}

/// The credential ladder: the credentials file's, then any --community; `public` when neither
/// is given. A bad file is exit code 2; a file others can read is a warning.
fn ladder(args: &SweepPlan) -> Result<Vec<Credential>, Failure> {
    let mut ladder = Vec::new();
    if let Some(path) = &args.credentials {
        let loaded = crate::snmp::credentials::load(path).map_err(usage)?;
        for w in &loaded.warnings {
            eprintln!("netorigin: warning: {w}");
        }
        ladder = loaded.credentials;
    }
    let offset = ladder.iter().map(|c| c.index).max().unwrap_or(0);
    let communities: Vec<String> = if args.community.is_empty() && args.credentials.is_none() {
        vec!["public".into()]
    } else {
        args.community.clone()
    };
    ladder.extend(credentials(&communities).into_iter().map(|mut c| {
        c.index += offset;
        c
    }));
    Ok(ladder)
}

/// The sweep's configuration from its tuning, with `communities` as its credentials; the
/// folder for saved walks made.
pub fn sweep_config(t: &Tuning, communities: &[String]) -> Result<SweepConfig, Failure> {
    if let Some(dir) = &t.save_walks {
        std::fs::create_dir_all(dir)
            .map_err(|e| usage(format!("--save-walks {}: {e}", dir.display())))?;
    }
    Ok(SweepConfig {
        credentials: credentials(communities),
        port: t.port,
        timeout: Duration::from_millis(t.timeout),
        retries: t.retries.unwrap_or(DEFAULT_RETRIES),
        retries_explicit: t.retries.is_some(),
        probe_every_rung: t.probe_every_rung,
        rate: t.rate.0,
        max_in_flight_per_device: t.max_in_flight_per_device as usize,
        walk: !t.no_walk,
        engine_probe: !t.no_engine_probe,
        limits: WalkLimits {
            max_rows: t.max_rows as usize,
            ..WalkLimits::default()
        },
        max_device_time: Duration::from_secs(t.max_device_time),
        save_walks: t.save_walks.clone(),
        ..SweepConfig::default()
    })
}

/// The data a report is made with: rules, registries and policies, with their versions.
pub fn provenance(identifier: &Identifier, judging: &Judging) -> Provenance {
    let oui = crate::identify::oui::OuiRegistry::active();
    Provenance {
        netorigin: env!("CARGO_PKG_VERSION"),
        enterprise_numbers: identifier.enterprises().len(),
        enterprise_registry: {
            let iana = crate::identify::iana::IanaRegistry::bundled();
            format!(
                "IANA enterprise registry {} ({} numbers)",
                crate::identify::iana::DATE,
                iana.len()
            )
        },
        sysdescr_rules: identifier.sysdescr_rules().rules().len(),
        oui_registry: match oui {
            Ok(r) => format!("IEEE registry {} ({} assignments)", r.date(), r.len()),
            Err(e) => format!("unavailable: {e}"),
        },
        policy: judging.describe(),
    }
}

/// A sweep ready to run: targets parsed, credentials loaded, policies checked, database open.
pub struct PreparedSweep {
    targets: Targets,
    config: SweepConfig,
    identifier: Identifier,
    judging: Judging,
    store: Option<crate::store::Store>,
}

/// Checks a sweep's options (exit code 2 for what a person got wrong) and opens its database;
/// `None` for a dry run, which has said what it would do.
pub fn prepare_sweep(args: &SweepPlan) -> Result<Option<PreparedSweep>, Failure> {
    if let Some(site) = &args.site {
        crate::bundle::check_site(site).map_err(|e| usage(format!("--site: {e}")))?;
    }
    let all: Vec<String> = args.targets.iter().chain(&args.seed).cloned().collect();
    let targets = Targets::parse(&all)
        .and_then(|t| t.exclude(&args.exclude))
        .map_err(usage)?;
    let hosts = targets.len_hint();
    if hosts > args.max_hosts {
        return Err(usage(format!(
            "the targets hold {hosts} addresses, more than --max-hosts {}: raise it on purpose for a sweep this large (and consider --dry-run first)",
            args.max_hosts
        )));
    }
    if args.dry_run {
        super::failure::say(dry_run(&targets, args))?;
        return Ok(None);
    }
    let mut config = sweep_config(&args.sweep, &[])?;
    config.credentials = ladder(args)?;
    if args.crawl || !args.seed.is_empty() {
        let nets = |list: &[String], what: &str| -> Result<Vec<ipnet::IpNet>, Failure> {
            list.iter()
                .map(|c| {
                    c.parse::<ipnet::IpNet>()
                        .or_else(|_| c.parse::<IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            usage(format!(
                                "{what} {c:?} is not a CIDR (expected e.g. 10.20.0.0/16)"
                            ))
                        })
                })
                .collect()
        };
        config.crawl = Some(crate::discover::sweep::Crawl {
            scope: nets(&args.scope, "--scope")?,
            exclude: nets(&args.exclude, "--exclude")?,
            max_depth: args.max_depth,
            max_devices: args.max_devices,
        });
    }
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(&args.policy, &identifier)?;
    let store =
        match args.store.path()? {
            Some(path) => Some(crate::store::Store::open(&path).map_err(
                |e| match store_failure(e) {
                    Failure::Usage(m) => Failure::Usage(format!(
                        "{m} (--db FILE stores the sweep elsewhere, --no-db not at all)"
                    )),
                    f => f,
                },
            )?),
            None => None,
        };
    Ok(Some(PreparedSweep {
        targets,
        config,
        identifier,
        judging,
        store,
    }))
}

impl PreparedSweep {
    /// Runs the sweep, storing it if it has a database.
    pub async fn run(self, args: &SweepPlan, stop: Stop) -> Result<SweepRun, Failure> {
        let parameters = sweep_parameters(args, &self.config);
        let store = self.store.map(|store| super::sweep::StoreAs {
            store,
            parameters,
            site: args.site.clone(),
        });
        super::sweep::run_sweep(
            self.targets,
            self.config,
            self.identifier,
            self.judging,
            &args.output,
            store,
            stop,
        )
        .await
    }
}

/// The options of a sweep as stored with it: everything but secrets (credentials by their
/// label only; community strings and pass phrases never).
fn sweep_parameters(args: &SweepPlan, config: &SweepConfig) -> serde_json::Value {
    serde_json::json!({
        "targets": args.targets,
        "seed": args.seed,
        "crawl": config.crawl.is_some(),
        "scope": args.scope,
        "exclude": args.exclude,
        "max_depth": args.max_depth,
        "max_devices": args.max_devices,
        "max_hosts": args.max_hosts.to_string(),
        "credentials": config.credentials.iter().map(Credential::label).collect::<Vec<_>>(),
        "credentials_file": args.credentials,
        "port": args.sweep.port,
        "timeout_ms": args.sweep.timeout,
        "retries": args.sweep.retries,
        "probe_every_rung": args.sweep.probe_every_rung,
        "rate": args.sweep.rate.0.map_or("unlimited".to_string(), |r| r.to_string()),
        "max_in_flight_per_device": args.sweep.max_in_flight_per_device,
        "walk": !args.sweep.no_walk,
        "engine_probe": !args.sweep.no_engine_probe,
        "max_rows": args.sweep.max_rows,
        "save_walks": args.sweep.save_walks,
        "policies": args.policy.policies,
        "today": args.policy.today.map(|d| d.to_string()),
        "site": args.site,
    })
}

/// What a sweep would do: how many addresses, the first and last, the credentials (by label),
/// the rate, and the least time it takes for silent addresses (each credential tried, with
/// retries, before it is called silent).
fn dry_run(targets: &Targets, args: &SweepPlan) -> String {
    let hosts = targets.len_hint();
    let first = targets
        .iter()
        .next()
        .map_or("-".to_string(), |a| a.to_string());
    let given: Vec<&str> = args
        .targets
        .iter()
        .chain(&args.seed)
        .map(String::as_str)
        .collect();
    let rungs = ladder(args).unwrap_or_default();
    let opening = crate::snmp::contact::opening_size(
        &rungs,
        !args.sweep.no_engine_probe,
        args.sweep.probe_every_rung,
    );
    // A silent address gets its opening, and retries only when asked for (or earned by loss
    // seen during the sweep, which a dry run cannot know).
    let per_silent = opening as u128 * u128::from(args.sweep.retries.unwrap_or(0) + 1);
    let retries = args.sweep.retries.unwrap_or(DEFAULT_RETRIES);
    let rate = match args.sweep.rate.0 {
        Some(r) => format!(
            "{} per second",
            crate::words::count(r.get(), "request", "requests")
        ),
        None => "no rate cap".to_string(),
    };
    let floor = match args.sweep.rate.0 {
        Some(r) => format!(
            "; at that rate, probing every address once takes at least {} s",
            hosts * per_silent / u128::from(r.get()).max(1)
        ),
        None => String::new(),
    };
    let walking = if args.sweep.no_walk {
        "no"
    } else {
        "the full plan"
    };
    let crawl = if args.crawl || !args.seed.is_empty() {
        format!(
            "up to depth {} inside {}",
            args.max_depth,
            args.scope.join(" ")
        )
    } else {
        "no".into()
    };
    // The most one device can take: every probe timing out, then the device's time limit.
    let exchange_ms = u128::from(args.sweep.timeout) * u128::from(retries + 1);
    let per_device = (rungs.len() as u128 + u128::from(!args.sweep.no_engine_probe)) * exchange_ms
        / 1000
        + u128::from(args.sweep.max_device_time);
    let retry_text = match args.sweep.retries {
        Some(n) => format!("{} each", crate::words::count(n, "retry", "retries")),
        None => format!(
            "retries earned ({retries} for an address that answered; for a silent one only as \
             far as the sweep sees loss)"
        ),
    };
    format!(
        "dry run: would probe up to {} of {} (the first {first}), excluded ranges left out, \
         on UDP port {}, with {} ({} to every address: {}), {retry_text}, {rate}{floor}; \
         walking: {walking}; crawl: {crawl}; one device takes at most about {per_device} s \
         (every probe timing out, then --max-device-time). Nothing was sent.",
        crate::words::count(
            u64::try_from(hosts).unwrap_or(u64::MAX),
            "address",
            "addresses"
        ),
        given.join(" "),
        args.sweep.port,
        crate::words::count(rungs.len() as u64, "credential rung", "credential rungs"),
        crate::words::count(opening as u64, "datagram", "datagrams"),
        match (args.sweep.probe_every_rung, args.sweep.no_engine_probe) {
            (true, true) => "every rung",
            (true, false) => "every rung and the engine-ID probe",
            (false, true) => {
                "one GET per community, in v1 where the ladder has it; the other rungs only \
                 to addresses that answered"
            }
            (false, false) => {
                "one GET per community, in v1 where the ladder has it, and the engine-ID \
                 probe; the other rungs only to addresses that answered"
            }
        },
    )
}
