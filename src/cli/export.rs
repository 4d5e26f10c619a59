//! `netorigin export netbox [SWEEP] --out DIR`: a stored sweep's devices, modules and
//! manufacturers in the CSV layouts NetBox's bulk import accepts
//! ([`crate::pipeline::export`]).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::pipeline::Failure;
use crate::pipeline::history::SweepRef;
use crate::report::netbox::Defaults;

/// `netorigin export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export to.
    #[command(subcommand)]
    pub command: ExportCommand,
}

/// The systems a sweep is exported to.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write manufacturers.csv, device-types.csv, devices.csv, module-types.csv and
    /// modules.csv for NetBox's bulk import (import them in that order).
    Netbox {
        /// The sweep: its number, or `last` (default).
        #[arg(value_name = "SWEEP", value_parser = super::history::parse_sweep_ref)]
        sweep: Option<SweepRef>,
        /// The history database. Default: netorigin.db in the data folder.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// The folder the CSV files are written to (made if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The site of devices whose context names none (NetBox requires a site).
        #[arg(long, value_name = "NAME", default_value = "netorigin-unassigned")]
        site: String,
        /// The role of devices whose context names none (NetBox requires a role).
        #[arg(long, value_name = "NAME", default_value = "netorigin-discovered")]
        role: String,
    },
}

/// Runs an export command and says on standard error what it wrote.
pub fn export_command(args: ExportArgs) -> Result<(), Failure> {
    let ExportCommand::Netbox {
        sweep,
        db,
        out,
        site,
        role,
    } = args.command;
    let defaults = Defaults {
        site,
        role,
        ..Defaults::default()
    };
    let done =
        crate::pipeline::export::netbox(db, sweep.unwrap_or(SweepRef::Last), &out, &defaults)?;
    let files: Vec<String> = done
        .files
        .iter()
        .map(|(f, n)| format!("{f} ({n})"))
        .collect();
    eprintln!(
        "wrote {} in {}",
        files.join(", "),
        crate::report::terminal_safe(&done.folder.display().to_string())
    );
    Ok(())
}
