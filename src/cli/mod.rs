//! The command line: the definition of the interface and the glue between the layers. Progress
//! bars and report writers are two observers of the same sweep events.

pub mod history;
pub mod listen;
pub mod oui;
pub mod schedule;

use std::io::Write;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;

use crate::discover::build::{NeighborCollector, device_record, on_every_core};
use crate::discover::{Event, SweepConfig, SweepSummary, Targets, sweep};
use crate::identify::Identifier;
use crate::record::{DeviceRecord, DiscoveredVia, Judgement, Observations, Observed, Verdict};
use crate::report::{Format, Layout, Provenance, Writer};
use crate::simulate::recording::BadLines;
use crate::simulate::{Agent, Recording, SimulateError, Simulation, Traffic};
use crate::snmp::backend::AsyncSnmp;
use crate::snmp::walk::WalkLimits;
use crate::snmp::{Credential, Secret};
use crate::wire::Version;

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
    /// Sweep on a schedule (every DURATION or a cron expression), storing each sweep, with
    /// Prometheus metrics.
    Schedule(Box<schedule::ScheduleArgs>),
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
}

/// The verdicts `--fail-on` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any banned device.
    Banned,
    /// Any banned device, or any for review.
    Review,
}

fn parse_date(s: &str) -> Result<crate::date::Date, String> {
    crate::date::Date::parse(s).ok_or_else(|| format!("{s:?} is not a date: YYYY-MM-DD expected"))
}

/// The policies, loaded and checked, and the date they judge at.
pub struct Judging {
    policies: Vec<crate::policy::document::Policy>,
    today: crate::date::Date,
    fail_on: Option<FailOn>,
    /// How many devices met the `--fail-on` threshold, and the first few of them.
    failing: u64,
    first_failing: Vec<String>,
}

/// How many of the devices that met `--fail-on` its message names.
const FAILING_NAMED: usize = 3;

/// The default policy, bundled.
const DEFAULT_POLICY: &str = include_str!("../../policies/huawei-origin.toml");

impl Judging {
    /// Loads the policies named (or the default); a bad file is exit code 2 with file, line
    /// and column.
    pub fn load(args: &PolicyArgs, identifier: &Identifier) -> Result<Judging, Failure> {
        use crate::policy::document::Policy as Document;
        let origins = identifier.vendors().origins();
        let policies = if args.policies.is_empty() {
            vec![
                Document::parse(
                    "policies/huawei-origin.toml (bundled)",
                    DEFAULT_POLICY,
                    &origins,
                )
                .map_err(other)?,
            ]
        } else {
            args.policies
                .iter()
                .map(|p| Document::load(p, &origins).map_err(usage))
                .collect::<Result<_, _>>()?
        };
        Ok(Judging {
            policies,
            today: args.today.unwrap_or_else(crate::date::Date::today),
            fail_on: args.fail_on,
            failing: 0,
            first_failing: Vec::new(),
        })
    }

    /// Judges a device by every policy.
    pub fn judge(&mut self, d: Observed) -> DeviceRecord {
        let (verdict, findings) = crate::policy::judge::judge(&self.policies, &d, self.today);
        let mut d = d.judged(Judgement { verdict, findings });
        crate::policy::judge::module_verdicts(&mut d.modules, &d.judgement.findings);
        if self.threshold().is_some_and(|t| verdict <= t) {
            self.failing += 1;
            if self.first_failing.len() < FAILING_NAMED {
                let name = d
                    .sys_name
                    .as_deref()
                    .map(|n| format!(" ({})", crate::report::terminal_safe(n)))
                    .unwrap_or_default();
                self.first_failing.push(format!(
                    "{}{name}",
                    crate::report::terminal_safe(&d.address)
                ));
            }
        }
        d
    }

    /// The verdict `--fail-on` fails at, or worse.
    fn threshold(&self) -> Option<Verdict> {
        match self.fail_on? {
            FailOn::Banned => Some(Verdict::Banned),
            FailOn::Review => Some(Verdict::Review),
        }
    }

    /// Names and versions of the policies, and the date.
    pub fn describe(&self) -> String {
        let names: Vec<String> = self
            .policies
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        format!("{} (as of {})", names.join(", "), self.today)
    }

    /// The `--fail-on` outcome: exit code 3 when a verdict at or above the threshold was
    /// given, naming how many devices got one and the first few of them.
    pub fn outcome(&self) -> Result<(), Failure> {
        let Some(threshold) = self.threshold() else {
            return Ok(());
        };
        if self.failing == 0 {
            return Ok(());
        }
        let judged = if threshold == Verdict::Banned {
            "banned"
        } else {
            "banned or for review"
        };
        let more = self.failing - self.first_failing.len() as u64;
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        Err(Failure::Findings(format!(
            "{} judged {judged} (--fail-on {threshold}): {}{more}",
            crate::words::count(self.failing, "device", "devices"),
            self.first_failing.join(", ")
        )))
    }
}

/// A rate in requests per second, or unlimited.
#[derive(Debug, Clone, Copy)]
pub struct Rate(pub Option<NonZeroU32>);

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

impl StoreArgs {
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

/// How hard and how far a sweep goes.
#[derive(Debug, Args)]
pub struct SweepTuning {
    /// The agents' UDP port.
    #[arg(long, default_value_t = 161)]
    pub port: u16,
    /// How long to wait for each answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub timeout: u64,
    /// Retries after a timeout.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
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
    use crate::snmp::credentials::{auth_protocol, priv_protocol};
    let parts: Vec<&str> = s.splitn(5, ':').collect();
    let expected = "expected NAME, NAME:AUTH:PASS or NAME:AUTH:PASS:PRIV:PASS";
    let auth = |a: &str, p: &str| {
        auth_protocol(a)
            .map(|a| (a, Secret::new(p)))
            .ok_or_else(|| format!("unknown auth protocol {a:?} ({expected})"))
    };
    let privacy = |a: &str, p: &str| {
        priv_protocol(a)
            .map(|a| (a, Secret::new(p)))
            .ok_or_else(|| format!("unknown privacy protocol {a:?} ({expected})"))
    };
    let (auth, privacy) = match parts[..] {
        [_] => (None, None),
        [_, a, p] => (Some(auth(a, p)?), None),
        [_, a, p, x, q] => (Some(auth(a, p)?), Some(privacy(x, q)?)),
        _ => return Err(expected.into()),
    };
    if parts[0].is_empty() {
        return Err(format!("empty user name: {expected}"));
    }
    Ok(V3UserArg(crate::snmp::UsmUser {
        name: parts[0].to_string(),
        auth,
        privacy,
        context: None,
    }))
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

/// A failure with its exit code: 2 for bad input from a person, 1 for anything else.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad input: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else: exit code 1.
    #[error("{0}")]
    Other(String),
    /// `--fail-on` met a verdict it was told to fail on: exit code 3.
    #[error("{0}")]
    Findings(String),
    /// The report's reader went away (`| head`): nothing more to say, exit code 0.
    #[error("the report's reader went away")]
    ReaderGone,
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Other(_) => 1,
            Failure::Findings(_) => 3,
            Failure::ReaderGone => 0,
        }
    }

    /// Whether the failure is worth a message on standard error (a reader that went away is
    /// not).
    pub fn is_quiet(&self) -> bool {
        matches!(self, Failure::ReaderGone)
    }
}

/// Whether a write failed because the reader went away, also when the error of a JSON or CSV
/// writer wraps that of the pipe.
pub(crate) fn is_closed_pipe(e: &std::io::Error) -> bool {
    let broken = std::io::ErrorKind::BrokenPipe;
    if e.kind() == broken {
        return true;
    }
    let Some(inner) = e.get_ref() else {
        return false;
    };
    if let Some(json) = inner.downcast_ref::<serde_json::Error>() {
        return json.io_error_kind() == Some(broken);
    }
    inner
        .downcast_ref::<csv::Error>()
        .is_some_and(|csv| matches!(csv.kind(), csv::ErrorKind::Io(io) if io.kind() == broken))
}

/// A failure to write a report: the reader going away (a closed pipe) ends the output quietly
/// with exit code 0, anything else is exit code 1.
pub(crate) fn write_failure(e: std::io::Error) -> Failure {
    if is_closed_pipe(&e) {
        Failure::ReaderGone
    } else {
        other(format!("cannot write the report: {e}"))
    }
}

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Sweep(args) => sweep_command(*args).await,
        Command::Simulate(args) => simulate_command(args).await,
        Command::Demo(args) => demo_command(args).await,
        Command::Identify(args) => identify_command(args),
        Command::Oui(args) => oui::oui_command(args),
        Command::Listen(args) => listen::listen_command(args).await,
        Command::History(args) => history::history_command(args),
        Command::Schedule(args) => schedule::schedule_command(*args).await,
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
fn ladder(args: &SweepArgs) -> Result<Vec<Credential>, Failure> {
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

fn sweep_config(t: &SweepTuning, communities: &[String]) -> Result<SweepConfig, Failure> {
    if let Some(dir) = &t.save_walks {
        std::fs::create_dir_all(dir)
            .map_err(|e| usage(format!("--save-walks {}: {e}", dir.display())))?;
    }
    Ok(SweepConfig {
        credentials: credentials(communities),
        port: t.port,
        timeout: Duration::from_millis(t.timeout),
        retries: t.retries,
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

fn open_output(o: &OutputArgs) -> Result<Box<dyn Write + Send>, Failure> {
    Ok(match &o.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| usage(format!("--output {}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::stdout()),
    })
}

fn provenance(identifier: &Identifier, judging: &Judging) -> Provenance {
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

async fn sweep_command(args: SweepArgs) -> Result<(), Failure> {
    let Some(prepared) = prepare_sweep(&args)? else {
        return Ok(());
    };
    let run = prepared.run(&args, Stop::listen()).await?;
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

/// A sweep ready to run: targets parsed, credentials loaded, policies checked, database open.
pub(crate) struct PreparedSweep {
    targets: Targets,
    config: SweepConfig,
    identifier: Identifier,
    judging: Judging,
    store: Option<crate::store::Store>,
}

/// Checks a sweep's options (exit code 2 for what a person got wrong) and opens its database;
/// `None` for a dry run, which has said what it would do.
pub(crate) fn prepare_sweep(args: &SweepArgs) -> Result<Option<PreparedSweep>, Failure> {
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
        println!("{}", dry_run(&targets, args));
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
    pub(crate) async fn run(self, args: &SweepArgs, stop: Stop) -> Result<SweepRun, Failure> {
        let parameters = sweep_parameters(args, &self.config);
        let store = self.store.map(|s| (s, parameters));
        run_sweep(
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

/// A store error as a failure: a database a person pointed at that cannot be used is exit
/// code 2.
pub(crate) fn store_failure(e: crate::store::StoreError) -> Failure {
    match e {
        crate::store::StoreError::Unusable { .. } => usage(e),
        e => other(e),
    }
}

/// The options of a sweep as stored with it: everything but secrets (credentials by their
/// label only; community strings and pass phrases never).
fn sweep_parameters(args: &SweepArgs, config: &SweepConfig) -> serde_json::Value {
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
        "rate": args.sweep.rate.0.map_or("unlimited".to_string(), |r| r.to_string()),
        "max_in_flight_per_device": args.sweep.max_in_flight_per_device,
        "walk": !args.sweep.no_walk,
        "engine_probe": !args.sweep.no_engine_probe,
        "max_rows": args.sweep.max_rows,
        "save_walks": args.sweep.save_walks,
        "policies": args.policy.policies,
        "today": args.policy.today.map(|d| d.to_string()),
    })
}

/// What a sweep would do: how many addresses, the first and last, the credentials (by label),
/// the rate, and the least time it takes for silent addresses (each credential tried, with
/// retries, before it is called silent).
fn dry_run(targets: &Targets, args: &SweepArgs) -> String {
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
    let rungs = ladder(args).map(|l| l.len()).unwrap_or(0);
    let per_silent = (rungs as u128 + u128::from(!args.sweep.no_engine_probe))
        * u128::from(args.sweep.retries + 1);
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
    let exchange_ms = u128::from(args.sweep.timeout) * u128::from(args.sweep.retries + 1);
    let per_device = per_silent / u128::from(args.sweep.retries + 1) * exchange_ms / 1000
        + u128::from(args.sweep.max_device_time);
    format!(
        "dry run: would probe up to {} of {} (the first {first}), excluded ranges left out, \
         on UDP port {}, with {} plus {} engine-ID probe, {} each, {rate}{floor}; \
         walking: {walking}; crawl: {crawl}; one device takes at most about {per_device} s \
         (every probe timing out, then --max-device-time). Nothing was sent.",
        crate::words::count(
            u64::try_from(hosts).unwrap_or(u64::MAX),
            "address",
            "addresses"
        ),
        given.join(" "),
        args.sweep.port,
        crate::words::count(rungs as u64, "credential rung", "credential rungs"),
        if args.sweep.no_engine_probe {
            "no"
        } else {
            "one"
        },
        crate::words::count(args.sweep.retries, "retry", "retries"),
    )
}

/// What a sweep came to.
#[derive(Debug)]
pub(crate) struct SweepRun {
    /// Its totals (for an interrupted sweep, as far as it went).
    pub summary: SweepSummary,
    /// Whether it was stopped before the end.
    pub interrupted: bool,
    /// Devices collected.
    pub devices: u64,
    /// Devices by verdict and vendor.
    pub counts: std::collections::BTreeMap<(String, String), u64>,
    /// The sweep's number in the database and how many devices were stored.
    pub stored: Option<(i64, u64)>,
    /// The `--fail-on` outcome.
    pub findings: Result<(), Failure>,
}

/// Ctrl-C and SIGTERM as a value many can watch: a sweep stops at the first, storing what it
/// has; a second one ends the process at once.
#[derive(Clone)]
pub(crate) struct Stop {
    rx: tokio::sync::watch::Receiver<bool>,
    _tx: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Stop {
    /// Listens from now on.
    pub(crate) fn listen() -> Stop {
        let shutdown = Shutdown::listen();
        let (tx, rx) = tokio::sync::watch::channel(false);
        let tx = Arc::new(tx);
        let sender = tx.clone();
        tokio::spawn(async move {
            shutdown.wait().await;
            let _ = sender.send(true);
            let again = Shutdown::listen();
            again.wait().await;
            eprintln!("netorigin: stopping at once");
            std::process::exit(130);
        });
        Stop { rx, _tx: tx }
    }

    /// Never stops (the signals keep their default action).
    pub(crate) fn never() -> Stop {
        let (tx, rx) = tokio::sync::watch::channel(false);
        Stop {
            rx,
            _tx: Arc::new(tx),
        }
    }

    /// Waits for the signal.
    pub(crate) async fn stopped(&mut self) {
        let _ = self.rx.wait_for(|s| *s).await;
    }

    /// Whether the signal came.
    pub(crate) fn is_stopped(&self) -> bool {
        *self.rx.borrow()
    }
}

/// Sweeps, reports, and stores in `store` (with the sweep's parameters) if given; stops
/// early, keeping what it has, when `stop` says.
async fn run_sweep(
    targets: Targets,
    config: SweepConfig,
    identifier: Identifier,
    mut judging: Judging,
    output: &OutputArgs,
    store: Option<(crate::store::Store, serde_json::Value)>,
    mut stop: Stop,
) -> Result<SweepRun, Failure> {
    use crate::store::writer::Status;
    let identifier = Arc::new(identifier);
    let data_versions = provenance(&identifier, &judging).line();
    let mut writer = Writer::new(output.format, open_output(output)?)
        .map_err(write_failure)?
        .layout(Layout::detect(output.wide, output.output.is_none()))
        .data_versions(data_versions.clone());
    let connector = Arc::new(AsyncSnmp::bind().await.map_err(other)?);
    let recorder = match store {
        Some((store, parameters)) => Some(
            store
                .begin_sweep(&parameters, &data_versions, &judging.today.to_string())
                .map_err(store_failure)?,
        ),
        None => None,
    };

    let total = u64::try_from(targets.len_hint()).unwrap_or(u64::MAX);
    let progress = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} probed, {msg} ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    let (tx, mut rx) = mpsc::channel(1024);
    let (config, id2) = (Arc::new(config), identifier.clone());
    let addresses = targets.iter();
    let task = tokio::spawn(sweep(connector, addresses, config, id2, tx));
    let (mut probed, mut responders, mut walked) = (0u64, 0u64, 0u64);
    let mut counts = std::collections::BTreeMap::new();
    let mut write_error = None;
    let reader_gone = std::cell::Cell::new(false);
    let mut interrupted = false;
    let mut take = |event: Event| {
        match event {
            Event::Probed { answered, .. } => {
                progress.inc(1);
                probed += 1;
                responders += u64::from(answered);
            }
            Event::Device(d) => {
                walked += 1;
                let d = judging.judge(*d);
                *counts
                    .entry((
                        d.judgement.verdict.to_string(),
                        d.identification
                            .vendor
                            .clone()
                            .unwrap_or_else(|| "unidentified".into()),
                    ))
                    .or_insert(0) += 1;
                if let Some(r) = &recorder {
                    r.device(d.clone());
                }
                if write_error.is_none()
                    && !reader_gone.get()
                    && let Err(e) = writer.device(d)
                {
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        // The reader has gone (`| head`): nobody to report to, so stop.
                        reader_gone.set(true);
                    } else {
                        write_error = Some(e);
                    }
                }
            }
            Event::Warning(w) => progress.suspend(|| eprintln!("netorigin: {w}")),
        }
        progress.set_message(format!(
            "{}, {}",
            crate::words::count(responders, "responder", "responders"),
            crate::words::count(walked, "device", "devices")
        ));
    };
    loop {
        tokio::select! {
            biased;
            _ = stop.stopped() => {
                interrupted = true;
                break;
            }
            event = rx.recv() => match event {
                Some(event) => take(event),
                None => break,
            },
        }
        if reader_gone.get() {
            break;
        }
    }
    let reader_gone = reader_gone.get();
    if interrupted || reader_gone {
        task.abort();
        // What was already collected is kept: the events waiting in the channel.
        while let Ok(event) = rx.try_recv() {
            take(event);
        }
    }
    progress.finish_and_clear();
    let stopped_early = interrupted || reader_gone;
    let summary = if stopped_early {
        SweepSummary {
            probed,
            responders,
            silent: probed - responders,
            ..SweepSummary::default()
        }
    } else {
        match task.await {
            Ok(summary) => summary,
            Err(e) => {
                if let Some(r) = recorder {
                    let _ = r
                        .finish(Status::Failed, None, Some(format!("the sweep failed: {e}")))
                        .await;
                }
                return Err(other(e));
            }
        }
    };
    let stored = match recorder {
        Some(r) => {
            let id = r.id();
            let (status, note) = match (interrupted, reader_gone) {
                (true, _) => (Status::Interrupted, Some("stopped by a signal".to_string())),
                (_, true) => (
                    Status::Interrupted,
                    Some("the report's reader went away".to_string()),
                ),
                _ => (Status::Complete, None),
            };
            let n = r
                .finish(status, Some(summary.clone()), note)
                .await
                .map_err(|e| other(format!("cannot store the sweep: {e}")))?;
            Some((id, n))
        }
        None => None,
    };
    let run = |findings| SweepRun {
        summary: summary.clone(),
        interrupted,
        devices: walked,
        counts: counts.clone(),
        stored,
        findings,
    };
    if reader_gone {
        return Ok(run(Ok(())));
    }
    if let Some(e) = write_error {
        return Err(write_failure(e));
    }
    match writer.finish(&summary, &provenance(&identifier, &judging)) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(run(Ok(()))),
        other_result => other_result.map_err(write_failure)?,
    }
    let stored_line = stored
        .map(|(id, n)| {
            format!(
                "; {} stored as sweep #{id}",
                crate::words::count(n, "device", "devices")
            )
        })
        .unwrap_or_default();
    if output.format != Format::Table {
        // Machine formats keep standard output clean; the people's summary goes to stderr.
        eprintln!(
            "netorigin: {} probed, {} answered, {} silent{stored_line}",
            crate::words::count(summary.probed, "address", "addresses"),
            summary.responders,
            summary.silent
        );
    } else if !stored_line.is_empty() {
        eprintln!("netorigin: {}", stored_line.trim_start_matches("; "));
    }
    Ok(run(judging.outcome()))
}

/// Says on standard error what loading changed in each recording: lines left out (the first
/// few, then their count), repeated OIDs dropped.
fn tell_recording_notes(recordings: &[Recording]) {
    for r in recordings {
        for line in r.skipped_summary() {
            eprintln!("netorigin: {line}");
        }
        if r.duplicates_dropped > 0 {
            eprintln!(
                "netorigin: {}: {} dropped",
                r.source.display(),
                crate::words::count(r.duplicates_dropped as u64, "repeated OID", "repeated OIDs")
            );
        }
    }
}

/// The recording files named by `paths`: files as given, folders as their `.snmprec` files
/// sorted by name.
fn recording_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| usage(format!("{}: {e}", p.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "snmprec"))
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Loads recordings from files and folders (a folder's `.snmprec` files, sorted by name).
pub fn load_recordings(paths: &[PathBuf], bad_lines: BadLines) -> Result<Vec<Recording>, Failure> {
    recording_files(paths)?
        .iter()
        .map(|f| Recording::load_with(f, bad_lines).map_err(usage))
        .collect()
}

/// Loads recordings for agents: a file named more than once (or through links to it) is read
/// once and its recording shared by every agent serving it, so that a large simulated segment
/// cycled from a corpus costs the corpus's memory, not the segment's. Each entry keeps the path
/// it was named by.
pub fn load_shared_recordings(
    paths: &[PathBuf],
    bad_lines: BadLines,
) -> Result<Vec<(PathBuf, Arc<Recording>)>, Failure> {
    let mut loaded: std::collections::HashMap<PathBuf, Arc<Recording>> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for f in recording_files(paths)? {
        let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
        let r = match loaded.get(&key) {
            Some(r) => r.clone(),
            None => {
                let r = Arc::new(Recording::load_with(&f, bad_lines).map_err(usage)?);
                loaded.insert(key, r.clone());
                r
            }
        };
        out.push((f, r));
    }
    Ok(out)
}

/// What `--strict` asks of the recording reader.
fn bad_lines(strict: bool) -> BadLines {
    if strict {
        BadLines::Refuse
    } else {
        BadLines::Skip
    }
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

async fn simulate_command(args: SimulateArgs) -> Result<(), Failure> {
    let recordings = load_shared_recordings(&args.paths, bad_lines(args.strict))?;
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
        .map(|u| crate::usm::UserKeys::new(&u.0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let faults = Arc::new(
        crate::simulate::Faults::new(&args.faults)
            .after(args.fault_after)
            .delays(
                Duration::from_millis(args.fault_delay_ms),
                Duration::from_millis(args.fault_jitter_ms),
            ),
    );
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

/// Ctrl-C and SIGTERM, listened for from the moment this is made: make it before telling
/// anyone that the process is ready, so a signal sent right after is a clean stop.
struct Shutdown {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Shutdown {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Shutdown {
                signals: signal(SignalKind::interrupt())
                    .ok()
                    .zip(signal(SignalKind::terminate()).ok()),
            }
        }
        #[cfg(not(unix))]
        Shutdown {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
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

async fn demo_command(args: DemoArgs) -> Result<(), Failure> {
    let data = match args.data {
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
    let recordings = load_recordings(&demo_segment(&data)?, BadLines::Skip)?;
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
    let tuning = SweepTuning {
        port,
        timeout: 1000,
        retries: 1,
        // Loopback only: the demo may go faster than a polite field sweep.
        rate: Rate(NonZeroU32::new(5000)),
        max_in_flight_per_device: 1,
        no_walk: false,
        no_engine_probe: false,
        max_rows: 20_000,
        max_device_time: 600,
        save_walks: None,
    };
    let config = sweep_config(&tuning, &["public".to_string()])?;
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(&args.policy, &identifier)?;
    let result = run_sweep(
        targets,
        config,
        identifier,
        judging,
        &args.output,
        None,
        Stop::never(),
    )
    .await;
    sim.stop().await;
    result?.findings
}

fn identify_command(args: IdentifyArgs) -> Result<(), Failure> {
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(&args.policy, &identifier)?;
    let recordings = load_recordings(&args.snmprec, bad_lines(args.strict))?;
    tell_recording_notes(&recordings);
    let mut records = on_every_core(&recordings, |r| {
        let mut obs = Observations::default();
        obs.extend(r.objects.iter().cloned());
        device_record(
            r.source.display().to_string(),
            DiscoveredVia::Recording,
            None,
            &obs,
            r.skipped_summary(),
            &identifier,
        )
    });
    let mut neighbors = NeighborCollector::default();
    for record in &records {
        neighbors.add(record, &identifier);
    }
    records.extend(neighbors.finish());
    report_offline(
        records,
        recordings.len() as u64,
        &identifier,
        judging,
        &args.output,
    )
}

/// Judges and reports records made with no network (recordings, captures); `sources` is how
/// many recordings or senders they came from. Exit code 3 as `--fail-on` says.
fn report_offline(
    records: Vec<Observed>,
    sources: u64,
    identifier: &Identifier,
    mut judging: Judging,
    output: &OutputArgs,
) -> Result<(), Failure> {
    let mut writer = Writer::new(output.format, open_output(output)?)
        .map_err(write_failure)?
        .layout(Layout::detect(output.wide, output.output.is_none()))
        .data_versions(provenance(identifier, &judging).line());
    for record in records {
        writer
            .device(judging.judge(record))
            .map_err(write_failure)?;
    }
    let summary = SweepSummary {
        probed: sources,
        responders: sources,
        ..SweepSummary::default()
    };
    writer
        .finish(&summary, &provenance(identifier, &judging))
        .map_err(write_failure)?;
    judging.outcome()
}

#[cfg(test)]
mod tests {
    use super::parse_v3_user;
    use crate::snmp::{AuthProtocol, PrivProtocol};

    #[test]
    fn v3_users_take_net_snmp_spellings_beside_ours() {
        for (arg, auth, privacy) in [
            (
                "u:SHA-512:authpass1:AES-256:privpass1",
                AuthProtocol::Sha512,
                PrivProtocol::Aes256,
            ),
            (
                "u:sha512:authpass1:aes256:privpass1",
                AuthProtocol::Sha512,
                PrivProtocol::Aes256,
            ),
            (
                "u:SHA:authpass1:AES:privpass1",
                AuthProtocol::Sha1,
                PrivProtocol::Aes128,
            ),
            (
                "u:MD5:authpass1:DES:privpass1",
                AuthProtocol::Md5,
                PrivProtocol::Des,
            ),
            (
                "u:Sha-256:authpass1:Aes-192:privpass1",
                AuthProtocol::Sha256,
                PrivProtocol::Aes192,
            ),
        ] {
            let user = parse_v3_user(arg)
                .unwrap_or_else(|e| panic!("{arg}: {e}"))
                .0;
            assert_eq!(user.auth.map(|a| a.0), Some(auth), "{arg}");
            assert_eq!(user.privacy.map(|p| p.0), Some(privacy), "{arg}");
        }
        assert!(parse_v3_user("u:sha3:authpass1").is_err());
    }
}
