//! `netorigin oui`: look MAC addresses up in the IEEE registries ([`crate::identify::oui`]),
//! or replace the bundled registries with fresher CSVs downloaded from IEEE.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::Failure;
use crate::identify::oui::{self, Lookup, OuiError, OuiRegistry, Registry};
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
    /// Look up MAC addresses
    Lookup {
        /// MAC addresses: 00:e0:fc:00:00:01, 00-E0-FC-00-00-01, 00e0.fc00.0001 or 00e0fc000001.
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

fn lookup(macs: &[String]) -> Result<(), Failure> {
    // Every address is checked before anything is printed.
    let parsed = macs
        .iter()
        .map(|m| oui::parse_mac(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let registry = OuiRegistry::active().map_err(|e| {
        Failure::Other(format!(
            "the IEEE registry stored by `netorigin oui update` cannot be read: {e}; run the \
             update again, or remove that folder to use the bundled registry"
        ))
    })?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = (|| -> std::io::Result<()> {
        for mac in &parsed {
            let shown = crate::wire::ethernet::mac_string(mac);
            match registry.lookup(*mac) {
                Lookup::Found(a) => writeln!(
                    out,
                    "{shown}\t{}\t{}\t{}",
                    a.registry,
                    a.prefix,
                    terminal_safe(&a.organization)
                )?,
                Lookup::LocallyAdministered => {
                    writeln!(out, "{shown}\tlocally administered (not in any registry)")?
                }
                Lookup::Multicast => writeln!(out, "{shown}\tmulticast (not in any registry)")?,
                Lookup::NotFound => writeln!(out, "{shown}\tnot found")?,
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
    match written {
        // The reader has gone (`| head`): nothing left to do.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Other(format!("cannot write: {e}"))),
        Ok(()) => Ok(()),
    }
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
    println!(
        "read {count} assignments ({}) from {} files; stored in {}",
        per_registry.join(", "),
        from.len(),
        folder.display()
    );
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
