//! `netorigin ledger report status|annual|deadlines`: the regulator's reports from the removal
//! ledger ([`crate::pipeline::ledger_report`]).

use std::path::PathBuf;

use clap::Args;

use crate::pipeline::Failure;
use crate::pipeline::ledger_report::{LedgerReport, ledger_report};
use crate::report::ledger::{Kind, LedgerFormat};

/// `netorigin ledger report`.
#[derive(Debug, Args)]
pub struct LedgerReportArgs {
    /// Which report: the status update (per site, role and technology), the annual list of
    /// covered equipment, or the deadlines per jurisdiction.
    #[arg(value_enum)]
    pub kind: Kind,
    /// Report format (pdf: the printable page printed by headless Chromium).
    #[arg(long, value_enum, default_value = "table")]
    pub format: LedgerFormat,
    /// Write the report here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Judge deadlines and overdue gear as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub today: Option<crate::date::Date>,
    /// The annual list of this year: items seen or changed in it.
    #[arg(long, value_name = "YYYY", value_parser = clap::value_parser!(i32).range(1970..=9999))]
    pub year: Option<i32>,
    /// Only this site (the inventory's, else the sweep's --site).
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// The evidence pack the report goes with: its SHA-256 is written in the report.
    #[arg(long, value_name = "FILE")]
    pub pack: Option<PathBuf>,
    /// The history database. Default: netorigin.db in the data folder.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// The table with every column, nothing shortened.
    #[arg(long)]
    pub wide: bool,
}

/// Runs `ledger report`.
pub fn ledger_report_command(a: LedgerReportArgs) -> Result<(), Failure> {
    let args = LedgerReport {
        kind: a.kind,
        format: a.format,
        output: a.output,
        today: a.today,
        year: a.year,
        site: a.site,
        pack: a.pack,
        wide: a.wide,
    };
    ledger_report(a.db, &args)
}
