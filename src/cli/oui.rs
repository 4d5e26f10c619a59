//! `netorigin oui`: look MAC addresses up in the IEEE registries
//! ([`crate::identify::oui_lookup`]), or replace the bundled registries with fresher CSVs
//! downloaded from IEEE.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::identify::oui::{self, OuiError, OuiRegistry, Registry};
use crate::identify::oui_lookup::answer;
use crate::pipeline::Failure;
use crate::report::terminal_safe;

/// `netorigin oui`.
#[derive(Debug, clap::Args)]
pub struct OuiArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: OuiCommand,
}

/// The `oui` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum OuiCommand {
    /// Look up MAC addresses and prefixes
    Lookup {
        /// MAC addresses (00:e0:fc:00:00:01, 00-E0-FC-00-00-01, 00e0.fc00.0001 or
        /// 00e0fc000001) or prefixes of 24, 28 or 36 bits (00:e0:fc, 70:b3:d5:1,
        /// 70:b3:d5:1f:2, 70-B3-D5-10-00-00/28).
        #[arg(required = true, value_name = "MAC")]
        macs: Vec<String>,
    },
    /// Read fresh IEEE CSVs into the user's data folder
    ///
    /// Download them from standards-oui.ieee.org (oui/oui.csv, oui28/mam.csv,
    /// oui36/oui36.csv, iab/iab.csv, cid/cid.csv). They replace the bundled registries as a
    /// whole, so give every registry you want looked up.
    Update {
        /// IEEE registry CSVs.
        #[arg(long = "from", required = true, num_args = 1.., value_name = "CSV")]
        from: Vec<PathBuf>,
    },
}

/// Runs `netorigin oui`.
pub fn oui_command(args: OuiArgs) -> Result<(), Failure> {
    match args.command {
        OuiCommand::Lookup { macs } => lookup(&macs),
        OuiCommand::Update { from } => update(&from),
    }
}

fn lookup(args: &[String]) -> Result<(), Failure> {
    let registry = OuiRegistry::active().map_err(|e| {
        Failure::Other(format!(
            "the IEEE registry stored by `netorigin oui update` cannot be read: {e}; run the \
             update again, or remove that folder to use the bundled registry"
        ))
    })?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut bad = 0u64;
    let written = (|| -> std::io::Result<()> {
        for arg in args {
            match answer(registry, arg, terminal_safe) {
                Ok(line) => writeln!(out, "{line}")?,
                Err(e) => {
                    // Said in its place among the answers.
                    out.flush()?;
                    eprintln!("netorigin: {}", terminal_safe(&e));
                    bad += 1;
                }
            }
        }
        writeln!(
            out,
            "registry: {} ({} assignments)",
            terminal_safe(registry.date()),
            registry.len()
        )?;
        out.flush()
    })();
    written.map_err(crate::pipeline::write_failure)?;
    if bad > 0 {
        return Err(Failure::Usage(format!(
            "{} of {} not looked up",
            crate::words::count(bad, "argument", "arguments"),
            args.len()
        )));
    }
    Ok(())
}

fn update(from: &[PathBuf]) -> Result<(), Failure> {
    let failure = |e: OuiError| {
        let message = format!("oui update: {e}");
        if e.is_bad_input() {
            Failure::Usage(message)
        } else {
            Failure::Other(message)
        }
    };
    // Read once here for the counts per registry; update_from checks and stores them.
    let read = OuiRegistry::load_files(from).map_err(failure)?;
    let (count, folder) = oui::update_from(from).map_err(failure)?;
    let per_registry: Vec<String> = Registry::ALL
        .iter()
        .map(|&r| format!("{r} {}", read.count(r)))
        .collect();
    crate::pipeline::failure::say(format!(
        "read {count} assignments ({}) from {} files; stored in {}",
        per_registry.join(", "),
        from.len(),
        folder.display()
    ))?;
    let missing: Vec<&str> = [Registry::MaL, Registry::MaM, Registry::MaS, Registry::Iab]
        .into_iter()
        .filter(|&r| read.count(r) == 0)
        .map(Registry::name)
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "netorigin: note: no {} assignments in these files; the bundled registry is no \
             longer used, so addresses in those blocks will not be found",
            missing.join(", ")
        );
    }
    Ok(())
}
