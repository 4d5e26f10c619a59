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

/// A `lookup` argument: a whole MAC address, or the first 24, 28 or 36 bits of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// A whole address.
    Mac([u8; 6]),
    /// A prefix: its hex digits, lower case (6, 7 or 9 of them).
    Prefix(String),
}

/// The forms `lookup` takes, for messages.
const QUERY_FORMS: &str = "a MAC address (00:e0:fc:00:00:01, 00-E0-FC-00-00-01, 00e0.fc00.0001 \
     or 00e0fc000001) or a prefix of 24, 28 or 36 bits (00:e0:fc, 00-E0-FC, 00e0fc, 70:b3:d5:1, \
     70:b3:d5:1f:2, or 70-B3-D5-10-00-00/28)";

/// Parses a `lookup` argument: a MAC address in the forms [`oui::parse_mac`] takes; a prefix
/// of 6, 7 or 9 hex digits (IEEE MA-L, MA-M, MA-S), in groups of two separated by `:` or `-`
/// (the last group may be one digit) or run together; or an address with `/24`, `/28` or
/// `/36` after it, as IEEE writes MA-M and MA-S blocks.
pub fn parse_query(s: &str) -> Result<Query, String> {
    let bad = || format!("{s:?} is neither a MAC address nor a prefix: expected {QUERY_FORMS}");
    if let Some((address, bits)) = s.split_once('/') {
        let digits = match bits {
            "24" => 6,
            "28" => 7,
            "36" => 9,
            _ => return Err(bad()),
        };
        let mac = oui::parse_mac(address).map_err(|_| bad())?;
        let hex: String = crate::wire::ethernet::mac_string(&mac).replace(':', "");
        return Ok(Query::Prefix(hex[..digits].to_string()));
    }
    if let Ok(mac) = oui::parse_mac(s) {
        return Ok(Query::Mac(mac));
    }
    let separators: Vec<char> = s.chars().filter(|c| matches!(c, ':' | '-')).collect();
    let groups: Vec<&str> = match separators.first() {
        None => vec![s],
        Some(&sep) if separators.iter().all(|&c| c == sep) => s.split(sep).collect(),
        Some(_) => return Err(bad()),
    };
    let paired = groups.len() == 1
        || groups
            .iter()
            .enumerate()
            .all(|(i, g)| g.len() == 2 || (i + 1 == groups.len() && g.len() == 1));
    let hex: String = groups.concat().to_ascii_lowercase();
    if !paired || !hex.bytes().all(|b| b.is_ascii_hexdigit()) || ![6, 7, 9].contains(&hex.len()) {
        return Err(bad());
    }
    Ok(Query::Prefix(hex))
}

/// A prefix's digits in the colon form: `00:e0:fc`, `70:b3:d5:1`.
fn prefix_string(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// The answer for a prefix: the most specific assignment holding all of it (for a 24-bit
/// prefix of a subdivided block, the block's own MA-L holder), else what its first octet says.
fn lookup_prefix<'a>(registry: &'a OuiRegistry, hex: &str) -> Lookup<'a> {
    let found = registry
        .assignments()
        .iter()
        .filter(|a| {
            a.prefix.len() <= hex.len() && hex[..a.prefix.len()].eq_ignore_ascii_case(&a.prefix)
        })
        .max_by_key(|a| a.prefix.len());
    if let Some(a) = found {
        return Lookup::Found(a);
    }
    let first = u8::from_str_radix(&hex[..2], 16).unwrap_or(0);
    if first & 0x01 != 0 {
        Lookup::Multicast
    } else if first & 0x02 != 0 {
        Lookup::LocallyAdministered
    } else {
        Lookup::NotFound
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
            let (shown, answer) = match parse_query(arg) {
                Ok(Query::Mac(mac)) => (
                    crate::wire::ethernet::mac_string(&mac),
                    registry.lookup(mac),
                ),
                Ok(Query::Prefix(hex)) => (prefix_string(&hex), lookup_prefix(registry, &hex)),
                Err(e) => {
                    // Said in its place among the answers.
                    out.flush()?;
                    eprintln!("netorigin: {}", terminal_safe(&e));
                    bad += 1;
                    continue;
                }
            };
            match answer {
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
