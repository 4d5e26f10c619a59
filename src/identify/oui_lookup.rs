//! Looking up what a person types in the IEEE registries ([`super::oui`]): a whole MAC
//! address, or a prefix of 24, 28 or 36 bits, each answered in one line.

use super::oui::{self, Lookup, OuiRegistry};
use crate::wire::ethernet::mac_string;

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
        let hex: String = mac_string(&mac).replace(':', "");
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

/// The answer for one `lookup` argument, in one line (`ADDRESS<TAB>REGISTRY<TAB>PREFIX<TAB>
/// ORGANIZATION`, or what the address is when no registry holds it); the organization passed
/// through `safe`, which makes registry text fit where the line goes. An argument that is
/// neither an address nor a prefix is an error saying what was expected.
pub fn answer(
    registry: &OuiRegistry,
    arg: &str,
    safe: impl Fn(&str) -> String,
) -> Result<String, String> {
    let (shown, answer) = match parse_query(arg)? {
        Query::Mac(mac) => (mac_string(&mac), registry.lookup(mac)),
        Query::Prefix(hex) => (prefix_string(&hex), lookup_prefix(registry, &hex)),
    };
    Ok(match answer {
        Lookup::Found(a) => format!(
            "{shown}\t{}\t{}\t{}",
            a.registry,
            a.prefix,
            safe(&a.organization)
        ),
        Lookup::LocallyAdministered => {
            format!("{shown}\tlocally administered (not in any registry)")
        }
        Lookup::Multicast => format!("{shown}\tmulticast (not in any registry)"),
        Lookup::NotFound => format!("{shown}\tnot found"),
    })
}
