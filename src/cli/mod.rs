//! The command line: the definition of the interface and the glue between the layers. Progress
//! bars and report writers are two observers of the same sweep events.

pub mod central;
pub mod evidence;
pub mod export;
pub mod history;
pub mod ledger;
pub mod ledger_report;
pub mod listen;
pub mod oui;
pub mod schedule;

use std::io::Write;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use crate::pipeline::Failure;
use crate::pipeline::observers::Report;
use crate::pipeline::plan::{Rate, Storage, SweepPlan, Tuning, prepare_sweep};
use crate::pipeline::{FailOn, Policies, Stop, other, write_failure};
use crate::report::Format;
use crate::simulate::recording::BadLines;

/// netorigin finds the network equipment on a carrier's segments, tells whose it is, and flags
/// what a policy forbids.
#[derive(Debug, Parser)]
#[command(name = "netorigin", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a simulated carrier segment from bundled recordings on loopback, sweep it, report.
    Demo(DemoArgs),
    /// Probe, walk, identify and judge every device in the targets.
    Sweep(Box<SweepArgs>),
    /// Serve .snmprec recordings as live SNMP v1/v2c agents, one per address.
    Simulate(SimulateArgs),
    /// Identify recordings offline, with no network.
    Identify(IdentifyArgs),
    /// Look up MAC addresses in the IEEE registries, or update them.
    Oui(oui::OuiArgs),
    /// Listen for LLDP and CDP frames (live on an interface, or from a pcap or pcapng file), and
    /// identify who sent them. Nothing is sent.
    Listen(listen::ListenArgs),
    /// What the stored sweeps found: list them, show one, or what changed between two.
    History(history::HistoryArgs),
    /// The removal ledger: record each step of banned gear's removal (with evidence), show
    /// it, list what remains.
    Ledger(ledger::LedgerArgs),
    /// Write a stored sweep for another system: NetBox's bulk-import CSV files.
    Export(export::ExportArgs),
    /// Signed evidence packs of a stored sweep (saved walks, captures, reports, the removal
    /// ledger): make a key, pack, verify.
    Evidence(evidence::EvidenceArgs),
    /// Sweep on a schedule (every DURATION or a cron expression), storing each sweep, with
    /// Prometheus metrics.
    Schedule(Box<schedule::ScheduleArgs>),
    /// The central server that many sites report to: run it, add sites and tokens.
    Server(central::ServerArgs),
    /// Send the stored sweeps the central server does not have yet, oldest first.
    Upload(Box<central::UploadArgs>),
    /// What the central server knows of every site: summary, devices, changes, overdue.
    Fleet(Box<central::FleetArgs>),
    /// Print a shell completion script, e.g. `netorigin completions bash >
    /// /usr/local/share/bash-completion/completions/netorigin`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `netorigin man > /usr/local/share/man/man1/netorigin.1`.
    Man,
}

/// Options of every report.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The table with every column, nothing shortened (default: fit the terminal's width, else
    /// $COLUMNS, else 100 columns).
    #[arg(long)]
    pub wide: bool,
}

/// Which policies judge the devices, and at what date.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A policy file (TOML; repeatable: several policies apply at once). Default: the bundled
    /// huawei-origin policy. Shipped policies are in policies/ (canada-2022, uk-2020,
    /// us-fcc-covered-list).
    #[arg(long = "policy", value_name = "FILE")]
    pub policies: Vec<PathBuf>,
    /// Judge deadlines as of this date (YYYY-MM-DD) instead of today, for audits and reruns.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<crate::date::Date>,
    /// Exit with code 3 when any device gets this verdict or a worse one (banned < review).
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub fail_on: Option<FailOn>,
    /// An inventory file (repeatable; earlier files win): CSV or TOML rows giving site, role,
    /// technology, owner, acquired by address/CIDR, serial, chassis MAC or sysName; NetBox's
    /// device export CSV; TOML patterns on sysLocation and sysName.
    #[arg(long = "inventory", value_name = "FILE")]
    pub inventory: Vec<PathBuf>,
}

fn parse_date(s: &str) -> Result<crate::date::Date, String> {
    crate::date::Date::parse(s).ok_or_else(|| format!("{s:?} is not a date: YYYY-MM-DD expected"))
}

fn parse_rate(s: &str) -> Result<Rate, String> {
    if s == "unlimited" {
        return Ok(Rate(None));
    }
    match s.parse::<u32>() {
        Ok(0) => Err("the rate must be at least 1 request per second (or `unlimited`)".into()),
        Ok(n) => Ok(Rate(NonZeroU32::new(n))),
        Err(_) => Err(format!(
            "{s:?} is not a rate: a whole number of requests per second, or `unlimited`"
        )),
    }
}

/// `netorigin sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Addresses, CIDRs (IPv4 or IPv6), or @FILE with one per line.
    #[arg(required_unless_present = "seed", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Follow neighbours: probe the LLDP management addresses that swept devices report, as
    /// long as they lie inside --scope, breadth-first (needs --scope).
    #[arg(long, requires = "scope")]
    pub crawl: bool,
    /// A device to start a crawl from (repeatable; implies --crawl).
    #[arg(long, value_name = "ADDRESS", requires = "scope")]
    pub seed: Vec<String>,
    /// Where a crawl may go (CIDR, repeatable); --exclude still applies.
    #[arg(long, value_name = "CIDR")]
    pub scope: Vec<String>,
    /// Hops a crawl goes from the targets.
    #[arg(long, default_value_t = 3)]
    pub max_depth: u32,
    /// Addresses a crawl probes at most, targets included.
    #[arg(long, default_value_t = 10_000)]
    pub max_devices: usize,
    /// Community to try, in order (repeatable; v2c then v1 for each; default `public` when no
    /// credentials file is given). Command-line arguments are visible to other users of the
    /// machine in the process list: prefer --credentials.
    #[arg(long, value_name = "COMMUNITY")]
    pub community: Vec<String>,
    /// A credentials file (TOML): the ladder of communities and v3 users, tried in order, each
    /// optionally scoped to CIDRs; secrets inline, from the environment or from files.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Tuning.
    #[command(flatten)]
    pub sweep: SweepTuning,
    /// Addresses or CIDRs never to send to (repeatable).
    #[arg(long, value_name = "CIDR")]
    pub exclude: Vec<String>,
    /// The most addresses a sweep may cover; a larger range must raise this on purpose.
    #[arg(long, default_value_t = 65_536)]
    pub max_hosts: u128,
    /// Say what would be probed, at what rate and for how long, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Policies.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Report options.
    #[command(flatten)]
    pub output: OutputArgs,
    /// History options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The site this sweep is of (1 to 200 characters, no control characters): stored with
    /// the sweep, shown with it in `history`, and the site it is uploaded to a central server
    /// as.
    #[arg(long, value_name = "NAME", value_parser = site_name)]
    pub site: Option<String>,
    /// Forwarding to a central server.
    #[command(flatten)]
    pub upload: central::UploadAfterArgs,
}

/// A `--site` name, checked as a bundle's header will be.
fn site_name(s: &str) -> Result<String, String> {
    crate::bundle::check_site(s).map(|()| s.to_string())
}

/// Where a sweep is stored.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The history database (SQLite) to store the sweep in. Default: netorigin.db in the data
    /// folder ($NETORIGIN_DATA_DIR, else $XDG_DATA_HOME/netorigin, else
    /// ~/.local/share/netorigin).
    #[arg(long, value_name = "FILE", conflicts_with = "no_db")]
    pub db: Option<PathBuf>,
    /// Do not store the sweep.
    #[arg(long)]
    pub no_db: bool,
}

/// How hard and how far a sweep goes.
#[derive(Debug, Args)]
pub struct SweepTuning {
    /// The agents' UDP port.
    #[arg(long, default_value_t = 161)]
    pub port: u16,
    /// How long to wait for each answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub timeout: u64,
    /// Retries after a timeout, for every request. Without it: 1 for a device that has
    /// answered, and for an address that has not, only as many as the sweep has seen loss for
    /// (answers from other devices that came only on a retry).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// Requests per second across the whole sweep (retries included), or `unlimited`.
    #[arg(long, value_name = "PPS", default_value = "300", value_parser = parse_rate)]
    pub rate: Rate,
    /// Requests in flight to any one device.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub max_in_flight_per_device: u64,
    /// Probe only: do not walk the responders' tables.
    #[arg(long)]
    pub no_walk: bool,
    /// Do not ask targets for their SNMPv3 engine ID (a credential-free first probe that
    /// reveals the maker's enterprise number of almost every v3-capable agent).
    #[arg(long)]
    pub no_engine_probe: bool,
    /// Send every rung of the credential ladder (each community in v2c and v1) to every
    /// address, not only the opening (one SNMPv1 GET per community and the engine-ID probe,
    /// the rest to addresses that answered): finds an agent that answers v2c alone with v1
    /// and v3 turned off, at the cost of more datagrams to every silent address, one rung at a
    /// time under --max-in-flight-per-device. Retries and the learned timeout are as without it.
    #[arg(long)]
    pub probe_every_rung: bool,
    /// Rows at most per walked table.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub max_rows: u64,
    /// The most time spent on one device, in seconds, once a credential is tried on it (its
    /// probe, walks and inventory): what is not asked by then is left out, and the record says so.
    #[arg(long, value_name = "SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub max_device_time: u64,
    /// Write each device's answers to DIR/ADDRESS.snmprec, to replay with `simulate`.
    #[arg(long, value_name = "DIR")]
    pub save_walks: Option<PathBuf>,
}

/// `netorigin simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Recordings (.snmprec files, or folders of them).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The first agent's address; the others follow it.
    #[arg(long, default_value = "127.1.0.1")]
    pub base: IpAddr,
    /// The UDP port every agent listens on.
    #[arg(long, default_value_t = 161)]
    pub port: u16,
    /// Answer only this community (default: any).
    #[arg(long)]
    pub community: Option<String>,
    /// Refuse a recording that has a line it cannot read (exit 2, naming file and line),
    /// instead of serving the rest of it.
    #[arg(long)]
    pub strict: bool,
    /// Accepted and ignored: leaving out the lines that cannot be read is the default.
    #[arg(long, hide = true, conflicts_with = "strict")]
    pub skip_bad_lines: bool,
    /// An SNMPv3 user every agent serves (repeatable): NAME (noAuthNoPriv), NAME:AUTH:PASS
    /// (authNoPriv) or NAME:AUTH:PASS:PRIV:PASS (authPriv), e.g.
    /// `monitor:sha512:authpass1:aes256:privpass1` (net-snmp's spellings too, in any case:
    /// `monitor:SHA-512:authpass1:AES-256:privpass1`). For test set-ups: the pass phrases are
    /// visible in the process list.
    #[arg(long = "v3-user", value_name = "USER", value_parser = parse_v3_user)]
    pub v3_users: Vec<V3UserArg>,
    /// Make every agent misbehave this way, as agents on live networks do (repeatable, to
    /// combine). Without it every answer is a healthy agent's.
    #[arg(long = "fault", value_enum, value_name = "MODE")]
    pub faults: Vec<crate::simulate::Fault>,
    /// Each agent answers its first N requests healthily, then its faults begin (`reboot`:
    /// it restarts then).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fault_after: u64,
    /// `slow`: the fixed delay before each answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub fault_delay_ms: u64,
    /// `slow`: the most random delay added to the fixed one, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub fault_jitter_ms: u64,
}

/// A `--v3-user` argument.
#[derive(Debug, Clone)]
pub struct V3UserArg(pub crate::snmp::UsmUser);

fn parse_v3_user(s: &str) -> Result<V3UserArg, String> {
    crate::simulate::users::parse_user(s).map(V3UserArg)
}

/// `netorigin demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The folder holding demo/segment.txt and the recordings it names (a clone of the
    /// repository). Default: found beside the binary, in its installed data folder
    /// (../share/netorigin), in a folder above it (a build in the source tree), or in the
    /// current folder.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Policies.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Report options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `netorigin identify`.
#[derive(Debug, Args)]
pub struct IdentifyArgs {
    /// Recordings to identify.
    #[arg(long = "snmprec", required = true, value_name = "FILE", num_args = 1..)]
    pub snmprec: Vec<PathBuf>,
    /// Refuse a recording that has a line it cannot read (exit 2, naming file and line),
    /// instead of identifying from the rest of it.
    #[arg(long)]
    pub strict: bool,
    /// Accepted and ignored: leaving out the lines that cannot be read is the default.
    #[arg(long, hide = true, conflicts_with = "strict")]
    pub skip_bad_lines: bool,
    /// Policies.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Report options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Sweep(args) => sweep_command(*args).await,
        Command::Simulate(args) => simulate_command(args).await,
        Command::Demo(args) => {
            let policy = args.policy.policies();
            crate::pipeline::simulation::demo(args.data, &policy, &args.output.report()).await
        }
        Command::Identify(args) => {
            let (policy, output) = (args.policy.policies(), args.output.report());
            let lines = bad_lines(args.strict);
            crate::pipeline::offline::identify(&args.snmprec, lines, &policy, &output).await
        }
        Command::Oui(args) => oui::oui_command(args),
        Command::Listen(args) => listen::listen_command(args).await,
        Command::History(args) => history::history_command(args),
        Command::Ledger(args) => ledger::ledger_command(args),
        Command::Export(args) => export::export_command(args),
        Command::Evidence(args) => evidence::evidence_command(args),
        Command::Schedule(args) => schedule::schedule_command(*args).await,
        Command::Server(args) => central::server_command(args).await,
        Command::Upload(args) => central::upload_command(*args).await,
        Command::Fleet(args) => central::fleet_command(*args).await,
        Command::Completions { shell } => completions(shell),
        Command::Man => manual(),
    }
}

/// `netorigin completions SHELL`: the shell's completion script on standard output.
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "netorigin", &mut out);
    out.flush().map_err(write_failure)
}

/// `netorigin man`: the manual page, every subcommand included, in roff on standard output.
fn manual() -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let command = <Cli as clap::CommandFactory>::command();
    let written = (|| -> std::io::Result<()> {
        let page = clap_mangen::Man::new(command.clone());
        page.render_title(&mut out)?;
        page.render_name_section(&mut out)?;
        page.render_synopsis_section(&mut out)?;
        page.render_description_section(&mut out)?;
        page.render_options_section(&mut out)?;
        for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
            manual_section(&mut out, &command, sub, &[])?;
        }
        page.render_version_section(&mut out)?;
        out.flush()
    })();
    written.map_err(write_failure)
}

/// A subcommand's section of the manual page (its own subcommands after it): its synopsis,
/// what it does and its options.
fn manual_section(
    out: &mut impl Write,
    root: &clap::Command,
    sub: &clap::Command,
    parents: &[&str],
) -> std::io::Result<()> {
    let mut path: Vec<&str> = parents.to_vec();
    path.push(sub.get_name());
    writeln!(out, ".SH \"{}\"", path.join(" ").to_uppercase())?;
    // The subcommand rendered as a page of its own, its title and name sections left out.
    let name = format!("{} {}", root.get_name(), path.join(" "));
    let page = clap_mangen::Man::new(sub.clone().bin_name(name));
    let mut section = Vec::new();
    page.render_synopsis_section(&mut section)?;
    page.render_description_section(&mut section)?;
    page.render_options_section(&mut section)?;
    // Its sections become subsections of this one.
    let text = String::from_utf8_lossy(&section).replace(".SH ", ".SS ");
    out.write_all(text.as_bytes())?;
    for inner in sub.get_subcommands().filter(|c| !c.is_hide_set()) {
        manual_section(out, root, inner, &path)?;
    }
    Ok(())
}

async fn sweep_command(args: SweepArgs) -> Result<(), Failure> {
    let plan = args.plan_with_upload()?;
    let Some(prepared) = prepare_sweep(&plan)? else {
        return Ok(());
    };
    let run = prepared.run(&plan, Stop::listen()).await?;
    if let (Some(upload), Some(db)) = (&plan.upload, plan.store.path()?) {
        crate::pipeline::upload::after_sweep(&db, upload).await;
    }
    if run.interrupted {
        return Err(other(format!(
            "the sweep was interrupted: {} collected{}",
            crate::words::count(run.devices, "device", "devices"),
            run.stored
                .map(|(id, _)| format!(", stored as sweep #{id} (interrupted)"))
                .unwrap_or_default()
        )));
    }
    run.findings
}

async fn simulate_command(args: SimulateArgs) -> Result<(), Failure> {
    let faults = crate::simulate::Faults::new(&args.faults)
        .after(args.fault_after)
        .delays(
            std::time::Duration::from_millis(args.fault_delay_ms),
            std::time::Duration::from_millis(args.fault_jitter_ms),
        );
    crate::pipeline::simulation::serve(crate::pipeline::simulation::Serving {
        paths: args.paths,
        bad_lines: bad_lines(args.strict),
        base: args.base,
        port: args.port,
        community: args.community,
        v3_users: args.v3_users.into_iter().map(|u| u.0).collect(),
        faults,
    })
    .await
}

/// What `--strict` asks of the recording reader.
fn bad_lines(strict: bool) -> BadLines {
    if strict {
        BadLines::Refuse
    } else {
        BadLines::Skip
    }
}

impl OutputArgs {
    /// The report these options ask for.
    pub fn report(&self) -> Report {
        Report {
            format: self.format,
            output: self.output.clone(),
            wide: self.wide,
        }
    }
}

impl PolicyArgs {
    /// The policies these options name.
    pub fn policies(&self) -> Policies {
        Policies {
            policies: self.policies.clone(),
            today: self.today,
            fail_on: self.fail_on,
            inventory: self.inventory.clone(),
        }
    }
}

impl SweepArgs {
    /// The sweep these options ask for.
    pub fn plan(&self) -> SweepPlan {
        let t = &self.sweep;
        SweepPlan {
            targets: self.targets.clone(),
            crawl: self.crawl,
            seed: self.seed.clone(),
            scope: self.scope.clone(),
            max_depth: self.max_depth,
            max_devices: self.max_devices,
            community: self.community.clone(),
            credentials: self.credentials.clone(),
            sweep: Tuning {
                port: t.port,
                timeout: t.timeout,
                retries: t.retries,
                rate: t.rate,
                max_in_flight_per_device: t.max_in_flight_per_device,
                no_walk: t.no_walk,
                no_engine_probe: t.no_engine_probe,
                probe_every_rung: t.probe_every_rung,
                max_rows: t.max_rows,
                max_device_time: t.max_device_time,
                save_walks: t.save_walks.clone(),
            },
            exclude: self.exclude.clone(),
            max_hosts: self.max_hosts,
            dry_run: self.dry_run,
            policy: self.policy.policies(),
            output: self.output.report(),
            store: Storage {
                db: self.store.db.clone(),
                no_db: self.store.no_db,
            },
            site: self.site.clone(),
            upload: None,
        }
    }

    /// The plan with its upload (`--upload`), whose token and URL are checked now.
    pub fn plan_with_upload(&self) -> Result<SweepPlan, Failure> {
        let mut plan = self.plan();
        if let Some(url) = &self.upload.upload {
            if self.store.no_db {
                return Err(crate::pipeline::usage(
                    "--upload sends the stored sweeps: it needs the history database (drop --no-db)",
                ));
            }
            plan.upload = Some(crate::pipeline::upload::UploadOptions {
                client: self.upload.client.client(url)?,
                site: None,
                retry_for: self.upload.upload_retry_for,
            });
        }
        Ok(plan)
    }
}
