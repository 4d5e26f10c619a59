//! Where devices stand, as a carrier's own files say: inventory files (`--inventory FILE`, CSV
//! or TOML), NetBox's device export read as one, and patterns on sysLocation and sysName. They
//! fill a record's [`Context`](crate::record::Context) (site, role, technology, owner,
//! acquired), each value with its source, before the policies judge it.
//!
//! Precedence, highest first: inventory rows (by the most specific key that matched: serial,
//! chassis MAC, address — a longer CIDR before a shorter —, sysName pattern; then files in the
//! order given, then rows in file order), NetBox rows (the same order), then `[[pattern]]`s on
//! sysLocation, then on sysName. Of two rows of the same rank that disagree, the first wins
//! and a note on the record says so.

mod document;
mod index;
pub mod netbox;
mod table;
#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use regex::Regex;

use crate::date::Date;
use crate::location::FileError;
use crate::record::{Mac, Record, Sourced};

/// The inventory: every row and pattern of the files given, in their order.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    rows: Vec<Row>,
    patterns: Vec<Pattern>,
    netbox: netbox::Objects,
    /// The rows by key, remade as each file is read.
    index: index::Index,
}

/// What a row or a pattern says of a device: any of the context's fields, as records keep them
/// (roles and technologies through [`crate::record::role_word`] and
/// [`crate::record::technology_words`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Values {
    site: Option<String>,
    role: Option<String>,
    technology: Option<String>,
    owner: Option<String>,
    acquired: Option<Date>,
}

impl Values {
    /// Whether it says nothing.
    fn is_empty(&self) -> bool {
        *self == Values::default()
    }
}

/// What picks a device out: one of a row's keys.
#[derive(Debug, Clone)]
enum Key {
    /// The device's serial number (compared without regard to case).
    Serial(String),
    /// Its chassis MAC.
    ChassisMac(Mac),
    /// The address it answered on lies in this network (a bare address is its /32 or /128).
    Address(IpNet),
    /// A regular expression that the whole sysName matches.
    SysName(Regex),
    /// NetBox's device name: the sysName, exactly but for case.
    Name(String),
}

impl Key {
    /// How specific it is, most specific first: serial, chassis MAC, address (a longer prefix
    /// first), sysName.
    fn rank(&self) -> (u8, u8) {
        match self {
            Key::Serial(_) => (0, 0),
            Key::ChassisMac(_) => (1, 0),
            Key::Address(net) => (2, net.max_prefix_len() - net.prefix_len()),
            Key::SysName(_) | Key::Name(_) => (3, 0),
        }
    }

    /// Whether it picks out `d`.
    fn matches<J>(&self, d: &Record<J>) -> bool {
        let id = &d.identification;
        match self {
            Key::Serial(s) => id
                .serial
                .as_deref()
                .is_some_and(|x| x.trim().eq_ignore_ascii_case(s)),
            Key::ChassisMac(m) => id.chassis_mac == Some(*m),
            Key::Address(net) => d.address.parse::<IpAddr>().is_ok_and(|a| net.contains(&a)),
            Key::SysName(re) => d.sys_name.as_deref().is_some_and(|n| re.is_match(n)),
            Key::Name(name) => d
                .sys_name
                .as_deref()
                .is_some_and(|n| n.trim().to_lowercase() == *name),
        }
    }
}

/// Which kind of file a row came from: inventory rows rank above NetBox's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Inventory,
    Netbox,
}

/// One row of an inventory file or a NetBox export: the keys that pick its device out (any of
/// them) and what it says of it.
#[derive(Debug, Clone)]
struct Row {
    tier: Tier,
    keys: Vec<Key>,
    values: Values,
    /// `inventory FILE:LINE` or `netbox FILE:LINE`.
    source: String,
}

/// The field a pattern reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    SysLocation,
    SysName,
}

/// A `[[pattern]]` of a TOML inventory: named groups among site, role, technology and owner
/// set those fields from the match; the fixed values are set whenever it matches.
#[derive(Debug, Clone)]
struct Pattern {
    field: Field,
    regex: Regex,
    fixed: Values,
    /// `sysLocation pattern FILE:LINE` or `sysName pattern FILE:LINE`.
    source: String,
}

impl Pattern {
    /// What it says of `d`, if its field matches.
    fn values<J>(&self, d: &Record<J>) -> Option<Values> {
        let text = match self.field {
            Field::SysLocation => d.sys_location.as_deref(),
            Field::SysName => d.sys_name.as_deref(),
        }?;
        let caps = self.regex.captures(text)?;
        let group = |name: &str| caps.name(name).map(|m| m.as_str().trim());
        let mut v = self.fixed.clone();
        let known = |s: &&str| !s.is_empty() && !crate::record::unknown_word(s);
        if let Some(s) = group("site").filter(known) {
            v.site = Some(s.to_string());
        }
        if let Some(r) = group("role").and_then(crate::record::role_word) {
            v.role = Some(r);
        }
        if let Some(t) = group("technology").and_then(crate::record::technology_words) {
            v.technology = Some(t);
        }
        if let Some(o) = group("owner").filter(known) {
            v.owner = Some(o.to_string());
        }
        (!v.is_empty()).then_some(v)
    }
}

/// Where a value that matched ranks: tier (inventory, NetBox, patterns), then the key's (or
/// the pattern's field's) rank. Equal ranks are the "same rank" whose disagreements are noted.
type Rank = (u8, u8, u8);

impl Inventory {
    /// Reads inventory files in the order given, each by its extension: `.csv` (an inventory
    /// table, or NetBox's device export, told apart by the header) or `.toml`.
    pub fn load(paths: &[PathBuf]) -> Result<Inventory, FileError> {
        let mut inventory = Inventory::default();
        for path in paths {
            let bytes = std::fs::read(path).map_err(|e| FileError::unreadable(path, &e))?;
            let file = path.display().to_string();
            let text = String::from_utf8(bytes).map_err(|e| FileError {
                file: file.clone(),
                line: 0,
                column: 0,
                reason: format!(
                    "not UTF-8 text (after byte {})",
                    e.utf8_error().valid_up_to()
                ),
            })?;
            inventory.read(path, &file, &text)?;
        }
        Ok(inventory)
    }

    /// Adds the rows and patterns of one file's text, read by `path`'s extension; `file` names
    /// it in errors and sources.
    pub fn read(&mut self, path: &Path, file: &str, text: &str) -> Result<(), FileError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => self.rows.extend(table::read(file, text, &mut self.netbox)?),
            Some("toml") => {
                let (rows, patterns) = document::read(file, text)?;
                self.rows.extend(rows);
                self.patterns.extend(patterns);
            }
            _ => {
                return Err(FileError {
                    file: file.to_string(),
                    line: 0,
                    column: 0,
                    reason: "not an inventory file: expected a name ending in .csv (an inventory \
                             table or NetBox's device export) or .toml"
                        .into(),
                });
            }
        }
        self.index = index::Index::of(&self.rows);
        Ok(())
    }

    /// What NetBox's tables held: device names, modules, manufacturers, device and module
    /// types.
    pub fn netbox(&self) -> &netbox::Objects {
        &self.netbox
    }

    /// Whether it has no rows and no patterns.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.patterns.is_empty()
    }

    /// Sets the context of `d` from every row and pattern that picks it out, by precedence;
    /// each value says its source, and a disagreement between rows of the same rank is a note.
    /// Fields nothing speaks of are left as they were.
    pub fn apply<J>(&self, d: &mut Record<J>) {
        let mut found: Vec<(Rank, Values, &str)> = Vec::new();
        for row in self.index.candidates(d).into_iter().map(|i| &self.rows[i]) {
            let best = row
                .keys
                .iter()
                .filter(|k| k.matches(d))
                .map(Key::rank)
                .min();
            if let Some((kind, breadth)) = best {
                found.push((
                    (row.tier as u8, kind, breadth),
                    row.values.clone(),
                    &row.source,
                ));
            }
        }
        for p in &self.patterns {
            if let Some(v) = p.values(d) {
                found.push(((2, p.field as u8, 0), v, &p.source));
            }
        }
        if found.is_empty() {
            return;
        }
        found.sort_by_key(|(rank, _, _)| *rank);
        let mut notes = Vec::new();
        let c = &mut d.context;
        pick(&found, "site", |v| v.site.as_ref(), &mut c.site, &mut notes);
        pick(&found, "role", |v| v.role.as_ref(), &mut c.role, &mut notes);
        pick(
            &found,
            "technology",
            |v| v.technology.as_ref(),
            &mut c.technology,
            &mut notes,
        );
        pick(
            &found,
            "owner",
            |v| v.owner.as_ref(),
            &mut c.owner,
            &mut notes,
        );
        pick(
            &found,
            "acquired",
            |v| v.acquired.as_ref(),
            &mut c.acquired,
            &mut notes,
        );
        d.notes.extend(notes);
    }
}

/// Sets `slot` to the first value of `found` (sorted by rank) that `get` finds, with its
/// source; a different value of the same rank is noted as overruled.
fn pick<T: Clone + PartialEq + std::fmt::Display>(
    found: &[(Rank, Values, &str)],
    name: &str,
    get: fn(&Values) -> Option<&T>,
    slot: &mut Option<Sourced<T>>,
    notes: &mut Vec<String>,
) {
    let mut given = found
        .iter()
        .filter_map(|(rank, v, source)| Some((rank, get(v)?, *source)));
    let Some((rank, value, source)) = given.next() else {
        return;
    };
    for (_, other, other_source) in given.take_while(|(r, _, _)| *r == rank) {
        if other != value {
            notes.push(format!(
                "inventory: {name} \"{value}\" ({source}) kept over \"{other}\" ({other_source}), \
                 a row of the same rank"
            ));
        }
    }
    *slot = Some(Sourced::new(value.clone(), source));
}

/// The columns and keys of an inventory row, as both formats name them.
const KEYS: [&str; 4] = ["address", "serial", "chassis_mac", "sys_name"];
const VALUES: [&str; 5] = ["site", "role", "technology", "owner", "acquired"];

/// What a row lacks, if it has no key or no value: `key (address, ...)` or `value (...)`.
fn lacks(keys: &[Key], values: &Values) -> Option<String> {
    if keys.is_empty() {
        Some(format!("key ({})", KEYS.join(", ")))
    } else if values.is_empty() {
        Some(format!("value ({})", VALUES.join(", ")))
    } else {
        None
    }
}

/// What reads the cells of one file: its name and text, for errors with line and column.
struct Reader<'a> {
    file: &'a str,
    text: &'a str,
}

impl Reader<'_> {
    /// A mistake at byte `offset` of the file.
    fn at(&self, offset: usize, reason: String) -> FileError {
        FileError::at(self.file, self.text, offset, reason)
    }

    /// A key cell (`name` one of [`KEYS`]) at `offset`; none for an empty cell.
    fn key(&self, name: &str, cell: &str, offset: usize) -> Result<Option<Key>, FileError> {
        let cell = cell.trim();
        if cell.is_empty() {
            return Ok(None);
        }
        let key = match name {
            "address" => Key::Address(
                cell.parse::<IpNet>()
                    .or_else(|_| cell.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        self.at(
                            offset,
                            format!(
                                "{cell:?} is not an address or a CIDR (expected e.g. \
                                 192.0.2.7, 10.1.0.0/16 or 2001:db8::/48)"
                            ),
                        )
                    })?,
            ),
            "serial" => Key::Serial(cell.to_string()),
            "chassis_mac" => Key::ChassisMac(cell.parse::<Mac>().map_err(|_| {
                self.at(
                    offset,
                    format!(
                        "{cell:?} is not a MAC address (expected e.g. 00:e0:fc:12:34:56, \
                         00-E0-FC-12-34-56 or 00e0.fc12.3456)"
                    ),
                )
            })?),
            _ => Key::SysName(self.regex(&format!("^(?:{cell})$"), cell, offset)?),
        };
        Ok(Some(key))
    }

    /// A regular expression `pattern` written as `written` at `offset`.
    fn regex(&self, pattern: &str, written: &str, offset: usize) -> Result<Regex, FileError> {
        regex::RegexBuilder::new(pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                let e = e.to_string();
                let why = e.lines().last().unwrap_or("").trim();
                self.at(
                    offset,
                    format!("{written:?} is not a regular expression: {why}"),
                )
            })
    }

    /// A value cell (`name` one of [`VALUES`]) at `offset` into `values`; an empty cell says
    /// nothing.
    fn value(
        &self,
        name: &str,
        cell: &str,
        offset: usize,
        values: &mut Values,
    ) -> Result<(), FileError> {
        let cell = cell.trim();
        // A placeholder says nothing: the field stays unknown, so a rule that needs it asks
        // for a review rather than being settled by "unknown".
        let cell = if crate::record::unknown_word(cell) {
            ""
        } else {
            cell
        };
        let text = (!cell.is_empty()).then(|| cell.to_string());
        match name {
            "site" => values.site = text,
            "role" => values.role = crate::record::role_word(cell),
            "technology" => values.technology = crate::record::technology_words(cell),
            "owner" => values.owner = text,
            _ if cell.is_empty() => values.acquired = None,
            _ => {
                let date = Date::parse(cell).ok_or_else(|| {
                    self.at(
                        offset,
                        format!("{cell:?} is not a date (expected YYYY-MM-DD, e.g. 2019-05-01)"),
                    )
                })?;
                values.acquired = Some(date);
            }
        }
        Ok(())
    }
}
