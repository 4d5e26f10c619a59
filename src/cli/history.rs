//! `netorigin history list | show SWEEP | diff [A] [B]`: what the stored sweeps found and what
//! changed between two of them ([`crate::pipeline::history`]).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::pipeline::Failure;
use crate::pipeline::history::{Query, SweepRef, history};
use crate::pipeline::observers::Report;
use crate::report::Format;

/// `netorigin history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// What to show.
    #[command(subcommand)]
    pub command: HistoryCommand,
}

/// The history commands.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Every stored sweep, oldest first: when, how it ended, devices and banned gear.
    List(HistoryOptions),
    /// The devices one sweep stored.
    Show {
        /// The sweep: its number, or `last`.
        #[arg(value_name = "SWEEP", value_parser = parse_sweep_ref)]
        sweep: SweepRef,
        /// Database and report options.
        #[command(flatten)]
        options: HistoryOptions,
    },
    /// What changed from sweep A to sweep B (default: the last two complete sweeps).
    ///
    /// Devices new and gone; address, firmware, model and verdict changes; banned gear new and
    /// removed (with when it was last seen); banned gear past its policy deadline. With A
    /// alone, A against the last complete sweep.
    Diff {
        /// The earlier sweep: its number, or `last`.
        #[arg(value_name = "A", value_parser = parse_sweep_ref)]
        a: Option<SweepRef>,
        /// The later sweep: its number, or `last`.
        #[arg(value_name = "B", value_parser = parse_sweep_ref)]
        b: Option<SweepRef>,
        /// Database and report options.
        #[command(flatten)]
        options: HistoryOptions,
    },
}

/// Options of every history command.
#[derive(Debug, Args)]
pub struct HistoryOptions {
    /// The history database. Default: netorigin.db in the data folder ($NETORIGIN_DATA_DIR,
    /// else $XDG_DATA_HOME/netorigin, else ~/.local/share/netorigin).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Report options.
    #[command(flatten)]
    pub output: HistoryOutput,
}

/// The formats history writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    /// A table for people, with a summary line.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// One JSON document.
    Json,
    /// One CSV row per line of the table.
    Csv,
}

/// Report options of the history commands.
#[derive(Debug, Args)]
pub struct HistoryOutput {
    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: HistoryFormat,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The table with every column, nothing shortened (default: fit the terminal's width, else
    /// $COLUMNS, else 100 columns).
    #[arg(long)]
    pub wide: bool,
}

impl HistoryOutput {
    /// The report these options ask for.
    pub(super) fn report(self) -> Report {
        Report {
            format: match self.format {
                HistoryFormat::Table => Format::Table,
                HistoryFormat::Jsonl => Format::Jsonl,
                HistoryFormat::Json => Format::Json,
                HistoryFormat::Csv => Format::Csv,
            },
            output: self.output,
            wide: self.wide,
        }
    }
}

pub(super) fn parse_sweep_ref(s: &str) -> Result<SweepRef, String> {
    if s == "last" {
        return Ok(SweepRef::Last);
    }
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Ok(SweepRef::Id(n)),
        _ => Err(format!(
            "{s:?} is not a sweep: its number (see `history list`) or `last` expected"
        )),
    }
}

/// Runs a history command.
pub fn history_command(args: HistoryArgs) -> Result<(), Failure> {
    let (query, options) = match args.command {
        HistoryCommand::List(options) => (Query::List, options),
        HistoryCommand::Show { sweep, options } => (Query::Show(sweep), options),
        HistoryCommand::Diff { a, b, options } => (Query::Diff(a, b), options),
    };
    history(options.db, query, &options.output.report())
}
