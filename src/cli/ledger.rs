//! `netorigin ledger mark | show | list`: the removal ledger of the history database
//! ([`crate::pipeline::ledger`]).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::history::HistoryOutput;
use crate::date::Date;
use crate::pipeline::Failure;
use crate::pipeline::ledger::{LedgerQuery, LedgerView, ledger};
use crate::record::LedgerState;
use crate::store::ledger::ABSENT_AFTER;
use crate::store::{LedgerFilter, Mark};

/// `netorigin ledger`.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LedgerCommand,
}

/// The ledger commands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Record a step of a banned or review device or module: planned, decommissioned, removed,
    /// in-custody, sanitised, destroyed, exempt (or found again, for gear a sweep saw again).
    ///
    /// DEVICE is the ledger's number (#N), a serial (a module's too), a chassis MAC, an SNMPv3
    /// engine ID or an address. Steps go forward; from removed on, each custody step in turn.
    Mark {
        /// The device or module.
        #[arg(value_name = "DEVICE")]
        device: String,
        /// The state it is in now.
        #[arg(value_name = "STATE", value_parser = parse_state)]
        state: LedgerState,
        /// A file that proves it (a certificate of destruction, a photo, a signed form); kept
        /// in the database with its SHA-256. May be given several times.
        #[arg(long, value_name = "FILE")]
        evidence: Vec<PathBuf>,
        /// Who records it (default: $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// A note.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// The day it happened (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        date: Option<Date>,
        /// The target date of the removal (planned).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        target: Option<Date>,
        /// The approved exception it is kept under (exempt).
        #[arg(long, value_name = "TEXT")]
        exception: Option<String>,
        /// Database and report options.
        #[command(flatten)]
        options: LedgerOptions,
    },
    /// One device or module and every step recorded, with its evidence files.
    Show {
        /// The device or module (as for `mark`).
        #[arg(value_name = "DEVICE")]
        device: String,
        /// Database and report options.
        #[command(flatten)]
        options: LedgerOptions,
    },
    /// Every item of the ledger, with what the sweeps say of it (reappeared,
    /// unconfirmed-absent, overdue).
    List {
        /// Only items in this state.
        #[arg(long, value_name = "STATE", value_parser = parse_state)]
        state: Option<LedgerState>,
        /// Only items still on the network past their deadline or target date.
        #[arg(long)]
        overdue: bool,
        /// Only items a sweep saw again after they were marked off the network.
        #[arg(long)]
        reappeared: bool,
        /// Database and report options.
        #[command(flatten)]
        options: LedgerOptions,
    },
}

/// Options of every ledger command.
#[derive(Debug, Args)]
pub struct LedgerOptions {
    /// The history database (default: netorigin.db in the data folder).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Complete sweeps of its range in a row that must miss gear still on the network before
    /// it is called unconfirmed-absent (never removed by that alone).
    #[arg(long, value_name = "N", default_value_t = ABSENT_AFTER,
          value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub absent_after: i64,
    /// The day deadlines are judged at (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<Date>,
    /// Report options.
    #[command(flatten)]
    pub output: HistoryOutput,
}

fn parse_state(s: &str) -> Result<LedgerState, String> {
    s.parse()
        .map_err(|e: crate::record::NotAState| e.to_string())
}

fn parse_day(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD expected)"))
}

/// Who records a step when `--by` is not given: the login name, else `unknown`.
fn who() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Runs a ledger command.
pub fn ledger_command(args: LedgerArgs) -> Result<(), Failure> {
    let (query, options) = match args.command {
        LedgerCommand::Mark {
            device,
            state,
            evidence,
            by,
            note,
            date,
            target,
            exception,
            options,
        } => {
            let mark = Mark {
                day: date,
                by: by.unwrap_or_else(who),
                note,
                target,
                exception,
                evidence: Vec::new(),
            };
            let files = evidence;
            (
                LedgerQuery::Mark {
                    device,
                    state,
                    mark,
                    files,
                },
                options,
            )
        }
        LedgerCommand::Show { device, options } => (LedgerQuery::Show(device), options),
        LedgerCommand::List {
            state,
            overdue,
            reappeared,
            options,
        } => {
            let today = options.today.unwrap_or_else(Date::today);
            let filter = LedgerFilter {
                state,
                overdue_on: overdue.then_some(today),
                reappeared,
            };
            (LedgerQuery::List(filter), options)
        }
    };
    let view = LedgerView {
        absent_after: options.absent_after,
        today: options.today.unwrap_or_else(Date::today),
    };
    ledger(options.db, query, view, &options.output.report())
}
