//! The IEEE registries of MAC address blocks: whose block a MAC address comes from.
//!
//! IEEE 802 (IEEE Std 802-2014 §8) gives organisations blocks of the universally administered
//! address space: MA-L (a 24-bit OUI), MA-M (28 bits), MA-S (36 bits) and the older IAB
//! (36 bits, inside 00-50-C2 and 40-D8-55, closed since 2014). The IEEE Registration
//! Authority publishes each registry as a CSV (`oui.csv`, `mam.csv`, `oui36.csv`, `iab.csv`,
//! `cid.csv`) with the header `Registry,Assignment,Organization Name,Organization Address`.
//! We read exactly those files: the copies in `oui-data/` are compiled in (see its `SOURCE`),
//! and `netorigin oui update --from` stores fresher ones from IEEE in the user's data folder
//! ([`user_data_dir`](crate::data_dir::user_data_dir)), where [`OuiRegistry::active`] prefers
//! them.
//!
//! ```
//! use netorigin::identify::oui::{Lookup, OuiRegistry, parse_mac};
//!
//! let mac = parse_mac("00:e0:fc:12:34:56").unwrap();
//! let Lookup::Found(a) = OuiRegistry::bundled().lookup(mac) else { panic!() };
//! assert!(a.organization.starts_with("HUAWEI"));
//! ```
//!
//! A lookup takes the most specific block: 36 bits (MA-S, IAB), then 28 (MA-M), then 24
//! (MA-L), so a small block wins over the IEEE Registration Authority's enclosing MA-L.
//! Addresses with the multicast bit (0x01 of the first octet) or the locally administered bit
//! (0x02) are not looked up: they name no manufacturer. That also leaves out the CID registry
//! (company IDs live in the locally administered space) and a score of historical MA-L entries
//! that have one of those bits set (02-07-01 Racal-Datacom, AA-00-00 DEC); they are loaded and
//! counted but never answer a lookup.
//!
//! What this does not do: read IEEE's `.txt` formats, or tell who made a device whose address
//! block was bought by someone else (an OUI names the block's holder, not the box's maker).

use std::fmt;
use std::path::PathBuf;

/// The header line of every IEEE registry CSV.
pub const HEADER: [&str; 4] = [
    "Registry",
    "Assignment",
    "Organization Name",
    "Organization Address",
];

/// The forms [`parse_mac`] accepts, for messages.
pub const MAC_FORMS: &str = "00:e0:fc:00:00:01, 00-E0-FC-00-00-01, 00e0.fc00.0001 or 00e0fc000001";

/// The bundled registries, compiled in from `oui-data/`: (name for messages, text), as
/// [`OuiRegistry::from_csv_texts`] takes them ([`OuiRegistry::bundled`] reads these).
pub const BUNDLED_FILES: [(&str, &str); 4] = [
    (
        "oui-data/oui.csv",
        include_str!("../../../oui-data/oui.csv"),
    ),
    (
        "oui-data/mam.csv",
        include_str!("../../../oui-data/mam.csv"),
    ),
    (
        "oui-data/oui36.csv",
        include_str!("../../../oui-data/oui36.csv"),
    ),
    (
        "oui-data/iab.csv",
        include_str!("../../../oui-data/iab.csv"),
    ),
];

/// `oui-data/SOURCE`, whose first line is `date: YYYY-MM`.
const BUNDLED_SOURCE: &str = include_str!("../../../oui-data/SOURCE");

/// The folder under [`user_data_dir`](crate::data_dir::user_data_dir) that `oui update` fills.
const USER_FOLDER: &str = "oui";

/// One of IEEE's registries of address blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Registry {
    /// MAC Address Block Large: a 24-bit OUI.
    MaL,
    /// MAC Address Block Medium: 28 bits.
    MaM,
    /// MAC Address Block Small: 36 bits.
    MaS,
    /// Individual Address Block: 36 bits (closed since 2014).
    Iab,
    /// Company ID: 24 bits in the locally administered space.
    Cid,
}

impl Registry {
    /// Every registry, in the order IEEE lists them.
    pub const ALL: [Registry; 5] = [
        Registry::MaL,
        Registry::MaM,
        Registry::MaS,
        Registry::Iab,
        Registry::Cid,
    ];

    /// The name IEEE uses in the `Registry` column.
    pub fn name(self) -> &'static str {
        match self {
            Registry::MaL => "MA-L",
            Registry::MaM => "MA-M",
            Registry::MaS => "MA-S",
            Registry::Iab => "IAB",
            Registry::Cid => "CID",
        }
    }

    /// How many hex digits an assignment of this registry has.
    pub fn digits(self) -> usize {
        match self {
            Registry::MaL | Registry::Cid => 6,
            Registry::MaM => 7,
            Registry::MaS | Registry::Iab => 9,
        }
    }

    fn from_name(s: &str) -> Option<Registry> {
        Registry::ALL.into_iter().find(|r| r.name() == s)
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One block and the organisation it is assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The registry it comes from.
    pub registry: Registry,
    /// The prefix in upper-case hex as in the CSV, e.g. `00E0FC`.
    pub prefix: String,
    /// The organisation, trimmed. A prefix IEEE lists more than once with different holders
    /// (08-00-30 has three) names them all, joined with `"; "`.
    pub organization: String,
}

/// The answer for one MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The most specific block holding the address.
    Found(&'a Assignment),
    /// The locally administered bit is set: the address was not assigned by IEEE.
    LocallyAdministered,
    /// The group bit is set: a multicast or broadcast address, no station's.
    Multicast,
    /// No block holds the address.
    NotFound,
}

/// A registry file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OuiError {
    /// A line that is not what an IEEE registry CSV holds.
    #[error("{file}:{line}: {reason}")]
    Malformed {
        /// The file.
        file: String,
        /// The line the record starts on, from 1.
        line: u64,
        /// What was wrong and what was expected.
        reason: String,
    },
    /// A file given to read could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The user's data folder could not be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The files hold no assignment at all.
    #[error(
        "{files}: no assignments (expected IEEE's registry CSVs: oui.csv, mam.csv, oui36.csv, iab.csv, cid.csv)"
    )]
    Empty {
        /// The files, comma-separated.
        files: String,
    },
    /// Two files to store have the same name.
    #[error("two of the files are named {name}: give each registry once")]
    SameName {
        /// The file name.
        name: String,
    },
    /// No folder to store the user's registry in.
    #[error("no data folder: set NETORIGIN_DATA_DIR, XDG_DATA_HOME or HOME")]
    NoDataDir,
}

impl OuiError {
    /// Whether the error is in the files a person gave (bad input) rather than in the machine.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            OuiError::Malformed { .. }
                | OuiError::Read { .. }
                | OuiError::Empty { .. }
                | OuiError::SameName { .. }
        )
    }
}

/// A MAC address that [`parse_mac`] does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MacParseError {
    /// A character that is neither a hex digit nor a separator.
    #[error("{0:?} is not a MAC address: {1:?} is not a hex digit; expected {MAC_FORMS}")]
    NotHex(String, char),
    /// Hex digits in the wrong number or grouping.
    #[error("{0:?} is not a MAC address: expected {MAC_FORMS}")]
    Shape(String),
}

/// Parses a MAC address: six groups of one or two hex digits separated by `:` or `-`, three
/// groups of four separated by `.` (Cisco), or twelve hex digits. Either case.
pub fn parse_mac(s: &str) -> Result<[u8; 6], MacParseError> {
    let shape = || MacParseError::Shape(s.to_string());
    if let Some(c) = s
        .chars()
        .find(|c| !c.is_ascii_hexdigit() && !matches!(c, ':' | '-' | '.'))
    {
        return Err(MacParseError::NotHex(s.to_string(), c));
    }
    let separators: Vec<char> = s.chars().filter(|c| !c.is_ascii_hexdigit()).collect();
    let mut mac = [0u8; 6];
    match separators.first() {
        None if s.len() == 12 => {
            for (octet, pair) in mac.iter_mut().zip(s.as_bytes().chunks(2)) {
                *octet = hex_octet(pair).ok_or_else(shape)?;
            }
        }
        Some(&sep @ (':' | '-')) if separators.iter().all(|&c| c == sep) => {
            let groups: Vec<&str> = s.split(sep).collect();
            if groups.len() != 6 || groups.iter().any(|g| g.is_empty() || g.len() > 2) {
                return Err(shape());
            }
            for (octet, group) in mac.iter_mut().zip(groups) {
                *octet = hex_octet(group.as_bytes()).ok_or_else(shape)?;
            }
        }
        Some('.') if separators.iter().all(|&c| c == '.') => {
            let groups: Vec<&str> = s.split('.').collect();
            if groups.len() != 3 || groups.iter().any(|g| g.len() != 4) {
                return Err(shape());
            }
            for (pair, group) in mac.chunks_mut(2).zip(groups) {
                let word = hex_value(group.as_bytes()).ok_or_else(shape)?;
                pair.copy_from_slice(&word.to_be_bytes());
            }
        }
        _ => return Err(shape()),
    }
    Ok(mac)
}

/// The value of one to four ASCII hex digits.
fn hex_value(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    digits.iter().try_fold(0u16, |acc, &d| {
        Some(acc << 4 | u16::try_from(char::from(d).to_digit(16)?).ok()?)
    })
}

/// The value of one or two ASCII hex digits.
fn hex_octet(digits: &[u8]) -> Option<u8> {
    u8::try_from(hex_value(digits)?).ok()
}

mod loader;
mod registry;
mod user_copy;

pub use registry::OuiRegistry;
pub use user_copy::update_from;

#[cfg(test)]
mod tests;
