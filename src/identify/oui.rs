//! The IEEE registries of MAC address blocks: whose block a MAC address comes from.
//!
//! IEEE 802 (IEEE Std 802-2014 §8) gives organisations blocks of the universally administered
//! address space: MA-L (a 24-bit OUI), MA-M (28 bits), MA-S (36 bits) and the older IAB
//! (36 bits, inside 00-50-C2 and 40-D8-55, closed since 2014). The IEEE Registration
//! Authority publishes each registry as a CSV (`oui.csv`, `mam.csv`, `oui36.csv`, `iab.csv`,
//! `cid.csv`) with the header `Registry,Assignment,Organization Name,Organization Address`.
//! We read exactly those files: the copies in `oui-data/` are compiled in (see its `SOURCE`),
//! and `netorigin oui update --from` stores fresher ones from IEEE in the user's data folder
//! ([`user_data_dir`]), where [`OuiRegistry::active`] prefers them.
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

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::data_dir::user_data_dir;

/// The header line of every IEEE registry CSV.
pub const HEADER: [&str; 4] = [
    "Registry",
    "Assignment",
    "Organization Name",
    "Organization Address",
];

/// The forms [`parse_mac`] accepts, for messages.
pub const MAC_FORMS: &str = "00:e0:fc:00:00:01, 00-E0-FC-00-00-01, 00e0.fc00.0001 or 00e0fc000001";

/// The bundled registries, compiled in from `oui-data/`.
const BUNDLED_FILES: [(&str, &str); 4] = [
    ("oui-data/oui.csv", include_str!("../../oui-data/oui.csv")),
    ("oui-data/mam.csv", include_str!("../../oui-data/mam.csv")),
    (
        "oui-data/oui36.csv",
        include_str!("../../oui-data/oui36.csv"),
    ),
    ("oui-data/iab.csv", include_str!("../../oui-data/iab.csv")),
];

/// `oui-data/SOURCE`, whose first line is `date: YYYY-MM`.
const BUNDLED_SOURCE: &str = include_str!("../../oui-data/SOURCE");

/// The folder under [`user_data_dir`] that `oui update` fills.
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

/// A hasher for prefix keys: one multiply, as the keys are IEEE's (not an attacker's) and a
/// lookup must cost tens of nanoseconds. Lookups never insert, so a hostile MAC address cannot
/// lengthen a probe chain.
#[derive(Default)]
struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let h = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 32);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type PrefixMap<V> = HashMap<u64, V, BuildHasherDefault<PrefixHasher>>;

/// What the registry knows about one 24-bit prefix.
#[derive(Debug, Clone, Copy, Default)]
struct Block24 {
    /// The MA-L (or CID) assignment of the whole prefix.
    assignment: Option<u32>,
    /// Whether smaller blocks (MA-M, MA-S, IAB) sit inside it.
    subdivided: bool,
}

/// The registries, indexed for lookup.
#[derive(Debug, Clone)]
pub struct OuiRegistry {
    assignments: Vec<Assignment>,
    by24: PrefixMap<Block24>,
    by28: PrefixMap<u32>,
    by36: PrefixMap<u32>,
    date: String,
}

impl OuiRegistry {
    /// The registries compiled into the binary from `oui-data/`, parsed on first use.
    pub fn bundled() -> &'static OuiRegistry {
        static BUNDLED: OnceLock<OuiRegistry> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            // Compiled-in data, checked by the test `bundled_data_is_well_formed`: an error
            // here is a build that should never have passed, not a run-time condition.
            let mut registry = OuiRegistry::from_csv_texts(&BUNDLED_FILES)
                .unwrap_or_else(|e| panic!("the bundled OUI registry is malformed: {e}"));
            registry.date = source_date(BUNDLED_SOURCE).unwrap_or("unknown").to_string();
            registry
        })
    }

    /// Parses IEEE registry CSVs, each given as (name for messages, text). The `Registry`
    /// column says which registry a row belongs to, whatever the file is called.
    pub fn from_csv_texts(files: &[(&str, &str)]) -> Result<OuiRegistry, OuiError> {
        let mut registry = OuiRegistry {
            assignments: Vec::new(),
            by24: PrefixMap::default(),
            by28: PrefixMap::default(),
            by36: PrefixMap::default(),
            date: "unknown".to_string(),
        };
        for (name, text) in files {
            registry.add_csv(name, text)?;
        }
        Ok(registry)
    }

    /// Reads IEEE registry CSVs from files.
    pub fn load_files(paths: &[PathBuf]) -> Result<OuiRegistry, OuiError> {
        let texts = read_texts(paths)?;
        let named: Vec<(String, &str)> = texts
            .iter()
            .map(|(path, text)| (path.display().to_string(), text.as_str()))
            .collect();
        let borrowed: Vec<(&str, &str)> = named.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        OuiRegistry::from_csv_texts(&borrowed)
    }

    /// The registries to use: the user's copy stored by `oui update` if there is one (in
    /// [`user_data_dir`]`/oui/`), else the bundled one. Read once per process.
    pub fn active() -> Result<&'static OuiRegistry, OuiError> {
        static ACTIVE: OnceLock<&'static OuiRegistry> = OnceLock::new();
        static USER: OnceLock<OuiRegistry> = OnceLock::new();
        if let Some(registry) = ACTIVE.get() {
            return Ok(registry);
        }
        let user = match user_data_dir() {
            Some(dir) => load_user_copy(&dir.join(USER_FOLDER))?,
            None => None,
        };
        let chosen = match user {
            Some(registry) => USER.get_or_init(|| registry),
            None => OuiRegistry::bundled(),
        };
        Ok(ACTIVE.get_or_init(|| chosen))
    }

    /// The most specific block holding `mac`: 36 bits, then 28, then 24.
    pub fn lookup(&self, mac: [u8; 6]) -> Lookup<'_> {
        if mac[0] & 0x01 != 0 {
            return Lookup::Multicast;
        }
        if mac[0] & 0x02 != 0 {
            return Lookup::LocallyAdministered;
        }
        let bits = u64::from_be_bytes([0, 0, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]]);
        let Some(block) = self.by24.get(&(bits >> 24)) else {
            return Lookup::NotFound;
        };
        let index = if block.subdivided {
            self.by36
                .get(&(bits >> 12))
                .or_else(|| self.by28.get(&(bits >> 20)))
                .copied()
                .or(block.assignment)
        } else {
            block.assignment
        };
        match index.and_then(|i| self.assignments.get(i as usize)) {
            Some(assignment) => Lookup::Found(assignment),
            None => Lookup::NotFound,
        }
    }

    /// The registry's date, for reports: `2026-06` for the bundled data, the day of the
    /// update for the user's copy, `unknown` for files read directly.
    pub fn date(&self) -> &str {
        &self.date
    }

    /// How many assignments (distinct prefixes) the registry holds.
    pub fn len(&self) -> usize {
        self.assignments.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.assignments.is_empty()
    }

    /// How many assignments one registry contributes.
    pub fn count(&self, registry: Registry) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.registry == registry)
            .count()
    }

    /// Every assignment, in the order read.
    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }

    /// Adds the rows of one CSV; returns how many it held.
    fn add_csv(&mut self, file: &str, text: &str) -> Result<usize, OuiError> {
        let malformed = |line: u64, reason: String| OuiError::Malformed {
            file: file.to_string(),
            line,
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut lines = LineCounter::new(text);
        let mut header = false;
        let mut rows = 0;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| lines.record_at(p.byte()));
                    return Err(malformed(line, format!("not CSV: {e}")));
                }
            }
            let line = record.position().map_or(0, |p| lines.record_at(p.byte()));
            if !header {
                let fields: Vec<&str> = record
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        if i == 0 {
                            f.trim_start_matches('\u{feff}')
                        } else {
                            f
                        }
                    })
                    .map(str::trim)
                    .collect();
                if fields != HEADER {
                    return Err(malformed(
                        line,
                        format!(
                            "expected the header {} of IEEE's registry CSVs",
                            HEADER.join(",")
                        ),
                    ));
                }
                header = true;
                continue;
            }
            if record.len() != HEADER.len() {
                return Err(malformed(
                    line,
                    format!(
                        "expected 4 columns ({}), found {}",
                        HEADER.join(","),
                        record.len()
                    ),
                ));
            }
            let Some(registry) = Registry::from_name(record[0].trim()) else {
                return Err(malformed(
                    line,
                    format!(
                        "expected the registry MA-L, MA-M, MA-S, IAB or CID, found {:?}",
                        &record[0]
                    ),
                ));
            };
            let prefix = record[1].trim();
            if prefix.len() != registry.digits() || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(malformed(
                    line,
                    format!(
                        "expected {} hex digits for a {registry} assignment, found {prefix:?}",
                        registry.digits()
                    ),
                ));
            }
            let organization = record[2].trim();
            if organization.is_empty() {
                return Err(malformed(line, "expected an organization name".into()));
            }
            self.insert(Assignment {
                registry,
                prefix: prefix.to_ascii_uppercase(),
                organization: organization.to_string(),
            });
            rows += 1;
        }
        if !header {
            return Err(malformed(
                1,
                format!(
                    "empty file: expected the header {} of IEEE's registry CSVs",
                    HEADER.join(",")
                ),
            ));
        }
        Ok(rows)
    }

    /// Indexes one assignment; a prefix seen before gains the new holder's name.
    fn insert(&mut self, assignment: Assignment) {
        // The prefix was checked to be 6, 7 or 9 hex digits, so it fits and parses.
        let value = u64::from_str_radix(&assignment.prefix, 16).unwrap_or(0);
        let next = self.assignments.len() as u32;
        let (slot, top) = match assignment.prefix.len() {
            6 => {
                let block = self.by24.entry(value).or_default();
                (block.assignment.get_or_insert(next), value)
            }
            7 => (self.by28.entry(value).or_insert(next), value >> 4),
            _ => (self.by36.entry(value).or_insert(next), value >> 12),
        };
        let index = *slot as usize;
        if assignment.prefix.len() > 6 {
            self.by24.entry(top).or_default().subdivided = true;
        }
        match self.assignments.get_mut(index) {
            None => self.assignments.push(assignment),
            Some(known) => {
                if !known
                    .organization
                    .split("; ")
                    .any(|o| o == assignment.organization)
                {
                    known.organization.push_str("; ");
                    known.organization.push_str(&assignment.organization);
                }
            }
        }
    }
}

/// Line numbers of records from their byte offsets. The `csv` crate's own line count lags by
/// one after a CRLF record end (it takes the LF as the start of the next record), and IEEE's
/// files end lines with CRLF.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record that starts at `byte` (or after the line ends there), from 1.
    /// Offsets must not decrease from one call to the next.
    fn record_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .clamp(self.offset, self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let skipped = self.text.get(self.offset..start).unwrap_or_default();
        self.line += skipped.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = start;
        self.line
    }
}

/// Checks IEEE registry CSVs and stores them in [`user_data_dir`]`/oui/` in place of any
/// earlier update, with a `SOURCE` naming them and the day. Returns how many assignments they
/// hold and the folder.
pub fn update_from(paths: &[PathBuf]) -> Result<(usize, PathBuf), OuiError> {
    update_into(&user_data_dir().ok_or(OuiError::NoDataDir)?, paths)
}

/// [`update_from`] into the data folder `base`.
fn update_into(base: &Path, paths: &[PathBuf]) -> Result<(usize, PathBuf), OuiError> {
    let texts = read_texts(paths)?;
    let mut registry = OuiRegistry::from_csv_texts(&[])?;
    let mut stored: Vec<(String, &str, usize)> = Vec::new();
    for (path, text) in &texts {
        let rows = registry.add_csv(&path.display().to_string(), text)?;
        let name = stored_name(path);
        if stored.iter().any(|(n, _, _)| *n == name) {
            return Err(OuiError::SameName { name });
        }
        stored.push((name, text, rows));
    }
    if registry.is_empty() {
        let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(OuiError::Empty {
            files: files.join(", "),
        });
    }

    let folder = base.join(USER_FOLDER);
    let write = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OuiError::Write { path, source }
    };
    std::fs::create_dir_all(base).map_err(write(base))?;
    // Fill a fresh folder beside the old one, then swap, so a failed update leaves the
    // previous copy whole.
    let pid = std::process::id();
    let staging = base.join(format!("{USER_FOLDER}.new-{pid}"));
    let retired = base.join(format!("{USER_FOLDER}.old-{pid}"));
    let fill = || -> Result<(), OuiError> {
        std::fs::create_dir_all(&staging).map_err(write(&staging))?;
        let today = today();
        let mut source = format!(
            "date: {today}\nIEEE registry CSVs stored by `netorigin oui update` on {today} from:\n"
        );
        for ((name, text, rows), (path, _)) in stored.iter().zip(&texts) {
            let target = staging.join(name);
            std::fs::write(&target, text).map_err(write(&target))?;
            source.push_str(&format!("  {} -> {name} ({rows} rows)\n", path.display()));
        }
        let target = staging.join("SOURCE");
        std::fs::write(&target, source).map_err(write(&target))
    };
    if let Err(e) = fill() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_copy = folder.exists();
    if had_copy {
        std::fs::rename(&folder, &retired).map_err(write(&folder))?;
    }
    if let Err(source) = std::fs::rename(&staging, &folder) {
        if had_copy {
            let _ = std::fs::rename(&retired, &folder);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(OuiError::Write {
            path: folder,
            source,
        });
    }
    if had_copy {
        std::fs::remove_dir_all(&retired).map_err(write(&retired))?;
    }
    registry.date = today();
    Ok((registry.len(), folder))
}

/// The name a given file is stored under: its own, with `.csv` added if it lacks it (the
/// folder is read by that extension).
fn stored_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "registry".into(), |n| n.to_string_lossy().into_owned());
    if name.to_ascii_lowercase().ends_with(".csv") {
        name
    } else {
        format!("{name}.csv")
    }
}

/// Reads files as UTF-8 text; invalid UTF-8 is a malformed line.
fn read_texts(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, OuiError> {
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|source| OuiError::Read {
                path: path.clone(),
                source,
            })?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                OuiError::Malformed {
                    file: path.display().to_string(),
                    line: 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64,
                    reason: "not UTF-8 text: expected IEEE's CSV, which is UTF-8".into(),
                }
            })?;
            Ok((path.clone(), text))
        })
        .collect()
}

/// The user's copy in `folder`, if there is one: every `*.csv` there, dated by its `SOURCE`.
fn load_user_copy(folder: &Path) -> Result<Option<OuiRegistry>, OuiError> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(OuiError::Read {
                path: folder.to_path_buf(),
                source,
            });
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| OuiError::Read {
                path: folder.to_path_buf(),
                source,
            })?
            .path();
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Ok(None);
    }
    paths.sort();
    let mut registry = OuiRegistry::load_files(&paths)?;
    let source = std::fs::read_to_string(folder.join("SOURCE")).unwrap_or_default();
    registry.date = source_date(&source).unwrap_or("unknown").to_string();
    Ok(Some(registry))
}

/// The date on the first line of a `SOURCE` file, `date: 2026-06`.
fn source_date(source: &str) -> Option<&str> {
    let date = source.lines().next()?.strip_prefix("date:")?.trim();
    (!date.is_empty()).then_some(date)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    crate::date::Date::today().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a bundled CSV, read independently of the code under test.
    fn rows(file: &str) -> Vec<Vec<String>> {
        let (_, text) = BUNDLED_FILES
            .iter()
            .find(|(name, _)| name.ends_with(file))
            .unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    /// A MAC address inside a prefix of hex digits, with the remaining digits `fill`.
    fn mac_in(prefix: &str, fill: char) -> [u8; 6] {
        let mut hex = prefix.to_string();
        while hex.len() < 12 {
            hex.push(fill);
        }
        parse_mac(&hex).unwrap()
    }

    fn found(mac: [u8; 6]) -> &'static Assignment {
        match OuiRegistry::bundled().lookup(mac) {
            Lookup::Found(a) => a,
            other => panic!("{mac:02x?}: {other:?}"),
        }
    }

    fn assert_row(mac: [u8; 6], row: &[String]) {
        let a = found(mac);
        assert_eq!(a.registry.name(), row[0]);
        assert_eq!(a.prefix, row[1]);
        assert_eq!(a.organization, row[2].trim());
    }

    #[test]
    fn bundled_data_is_well_formed() {
        let registry = OuiRegistry::bundled();
        assert_eq!(registry.date(), "2026-06");
        let mut total = 0;
        for (file, registry_name) in [
            ("oui.csv", "MA-L"),
            ("mam.csv", "MA-M"),
            ("oui36.csv", "MA-S"),
            ("iab.csv", "IAB"),
        ] {
            let rows = rows(file);
            assert!(rows.len() > 4000, "{file}: {} rows", rows.len());
            assert!(rows.iter().all(|r| r[0] == registry_name), "{file}");
            // Sorted, hence no duplicates.
            assert!(
                rows.windows(2).all(|w| w[0][1] < w[1][1]),
                "{file} not sorted"
            );
            total += rows.len();
        }
        assert_eq!(registry.len(), total);
    }

    #[test]
    fn bundled_files_are_byte_compatible_with_ieee() {
        for (name, text) in BUNDLED_FILES {
            assert!(
                text.starts_with("Registry,Assignment,Organization Name,Organization Address\r\n"),
                "{name}"
            );
            assert!(text.ends_with("\r\n"), "{name}");
            assert!(!text.replace("\r\n", "").contains('\n'), "{name}: bare LF");
        }
    }

    #[test]
    fn huawei_ma_l() {
        let row = rows("oui.csv")
            .into_iter()
            .find(|r| r[1] == "00E0FC")
            .unwrap();
        assert!(row[2].contains("HUAWEI"));
        assert_row(parse_mac("00:e0:fc:00:00:01").unwrap(), &row);
    }

    #[test]
    fn ma_m_ma_s_and_iab_blocks() {
        for file in ["mam.csv", "oui36.csv", "iab.csv"] {
            let rows = rows(file);
            for row in [&rows[0], &rows[rows.len() / 2], &rows[rows.len() - 1]] {
                assert_row(mac_in(&row[1], '0'), row);
                assert_row(mac_in(&row[1], 'f'), row);
            }
        }
    }

    #[test]
    fn the_most_specific_block_wins() {
        let ma_l = rows("oui.csv");
        let enclosing = |prefix: &str| ma_l.iter().find(|r| r[1] == prefix[..6]).unwrap();
        // An MA-S block inside 70-B3-D5 and an IAB inside 00-50-C2, both MA-L of the IEEE RA.
        let ma_s = rows("oui36.csv");
        let ma_s = ma_s.iter().find(|r| r[1].starts_with("70B3D5")).unwrap();
        let iab = rows("iab.csv");
        let iab = iab.iter().find(|r| r[1].starts_with("0050C2")).unwrap();
        for row in [ma_s, iab] {
            assert_eq!(enclosing(&row[1])[2], "IEEE Registration Authority");
            assert_row(mac_in(&row[1], '7'), row);
        }
        // An MA-M block, and its enclosing MA-L outside every small block in it.
        let registry = OuiRegistry::bundled();
        let free_nibble = |ma_l: &str| {
            (0..16).map(|d| format!("{ma_l}{d:X}")).find(|p| {
                registry
                    .assignments()
                    .iter()
                    .all(|a| !a.prefix.starts_with(p.as_str()))
            })
        };
        let ma_m = rows("mam.csv");
        let (ma_m, outside) = ma_m
            .iter()
            .filter(|r| ma_l.iter().any(|l| l[1] == r[1][..6]))
            .find_map(|r| Some((r, free_nibble(&r[1][..6])?)))
            .unwrap();
        assert_row(mac_in(&ma_m[1], '3'), ma_m);
        assert_row(mac_in(&outside, '0'), enclosing(&ma_m[1]));
    }

    #[test]
    fn local_and_multicast_addresses_are_not_looked_up() {
        let registry = OuiRegistry::bundled();
        assert_eq!(
            registry.lookup(parse_mac("02:00:00:00:00:01").unwrap()),
            Lookup::LocallyAdministered
        );
        assert_eq!(
            registry.lookup(parse_mac("01:80:C2:00:00:0E").unwrap()),
            Lookup::Multicast
        );
        assert_eq!(registry.lookup([0xff; 6]), Lookup::Multicast);
        // A historical MA-L with the local bit set (Racal-Datacom) answers nothing.
        assert_eq!(
            registry.lookup(parse_mac("02:07:01:00:00:01").unwrap()),
            Lookup::LocallyAdministered
        );
    }

    #[test]
    fn unassigned_prefix_is_not_found() {
        let registry = OuiRegistry::bundled();
        let free = (0u32..1 << 22)
            .map(|p| p << 2) // universal, individual
            .find(|p| {
                let [_, a, b, c] = p.to_be_bytes();
                !matches!(registry.lookup([a, b, c, 0, 0, 0]), Lookup::Found(_))
            })
            .unwrap();
        let [_, a, b, c] = free.to_be_bytes();
        assert_eq!(registry.lookup([a, b, c, 1, 2, 3]), Lookup::NotFound);
    }

    #[test]
    fn mac_forms() {
        let want = [0x00, 0xe0, 0xfc, 0x00, 0x00, 0x01];
        for s in [
            "00:e0:fc:00:00:01",
            "00-E0-FC-00-00-01",
            "00e0.fc00.0001",
            "00e0fc000001",
            "00E0FC000001",
            "0:e0:fc:0:0:1",
        ] {
            assert_eq!(parse_mac(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn mac_errors() {
        for s in [
            "",
            "00:e0:fc:00:00",
            "00:e0:fc:00:00:01:02",
            "00:e0:fc:00:00:001",
            "00:e0:fc::00:01",
            "00:e0-fc:00:00:01",
            "00e0.fc00.001",
            "00e0.fc00.0001.0002",
            "00e0fc00001",
            "00e0fc0000012",
            "0:e0:fc:0:0:1:",
        ] {
            let e = parse_mac(s).unwrap_err();
            assert_eq!(e, MacParseError::Shape(s.to_string()), "{s}");
            assert!(e.to_string().contains("00e0.fc00.0001"), "{e}");
        }
        assert_eq!(
            parse_mac("00:e0:fg:00:00:01"),
            Err(MacParseError::NotHex("00:e0:fg:00:00:01".into(), 'g'))
        );
        assert!(matches!(
            parse_mac(" 00e0fc000001"),
            Err(MacParseError::NotHex(_, ' '))
        ));
    }

    const HEAD: &str = "Registry,Assignment,Organization Name,Organization Address\r\n";

    fn parse_one(text: &str) -> Result<OuiRegistry, OuiError> {
        OuiRegistry::from_csv_texts(&[("test.csv", text)])
    }

    fn malformed(text: &str) -> (u64, String) {
        match parse_one(text) {
            Err(OuiError::Malformed { file, line, reason }) => {
                assert_eq!(file, "test.csv");
                (line, reason)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn csv_errors_name_file_and_line() {
        let (line, reason) = malformed("OUI/MA-L\tOrganization\r\n");
        assert_eq!(line, 1);
        assert!(reason.contains("header"), "{reason}");
        assert_eq!(malformed("").0, 1);

        let text = format!("{HEAD}MA-L,00E0FC,Huawei,Shenzhen CN \r\nMA-L,00E0FD,Short\r\n");
        let (line, reason) = malformed(&text);
        assert_eq!(line, 3);
        assert!(reason.contains("expected 4 columns"), "{reason}");

        let text = format!("{HEAD}MA-X,00E0FC,Huawei,\r\n");
        assert!(malformed(&text).1.contains("MA-L, MA-M, MA-S, IAB or CID"));

        let text = format!("{HEAD}MA-M,00E0FC,Huawei,\r\n");
        let (line, reason) = malformed(&text);
        assert_eq!(line, 2);
        assert!(reason.contains("7 hex digits for a MA-M"), "{reason}");
        assert!(
            malformed(&format!("{HEAD}MA-L,00E0FG,X,\r\n"))
                .1
                .contains("6 hex digits")
        );
        assert!(
            malformed(&format!("{HEAD}MA-L,00E0FC, ,\r\n"))
                .1
                .contains("organization")
        );

        // A quoted address over two lines moves the next record's line on.
        let text = format!("{HEAD}MA-L,00E0FC,Huawei,\"a\nb\"\r\nIAB,0050C2,X,\r\n");
        assert_eq!(malformed(&text).0, 4);

        let e = parse_one(&format!("{HEAD}CID,ZZ,X,\r\n")).unwrap_err();
        assert!(e.to_string().starts_with("test.csv:2: "), "{e}");
    }

    #[test]
    fn ieee_quirks_are_read() {
        // A byte order mark, lower-case hex, IEEE's padded names, doubled quotes, a
        // multi-line address, a prefix listed twice with two holders (as 08-00-30 is).
        let text = format!(
            "\u{feff}{HEAD}MA-L,00e0fc,\"HUAWEI TECHNOLOGIES CO.,LTD\"  ,\"KEFA ROAD\nSHENZHEN\"\r\n\
             MA-S,70B3D5F2F,\"OOO \"\"Quote\"\"\",\r\n\
             MA-L,080030,NETWORK RESEARCH CORPORATION,x \r\n\
             MA-L,080030,CERN,y \r\n\
             MA-L,080030,CERN,y \r\n"
        );
        let registry = parse_one(&text).unwrap();
        assert_eq!(registry.len(), 3);
        assert_eq!(registry.date(), "unknown");
        let Lookup::Found(a) = registry.lookup([0x00, 0xe0, 0xfc, 1, 2, 3]) else {
            panic!()
        };
        assert_eq!(
            (a.registry, a.prefix.as_str(), a.organization.as_str()),
            (Registry::MaL, "00E0FC", "HUAWEI TECHNOLOGIES CO.,LTD")
        );
        let Lookup::Found(a) = registry.lookup([0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x00]) else {
            panic!()
        };
        assert_eq!(a.organization, "OOO \"Quote\"");
        // 70-B3-D5 itself is not in this registry: outside the MA-S block, nothing.
        assert_eq!(
            registry.lookup([0x70, 0xb3, 0xd5, 0x00, 0, 0]),
            Lookup::NotFound
        );
        let Lookup::Found(a) = registry.lookup([0x08, 0x00, 0x30, 0, 0, 0]) else {
            panic!()
        };
        assert_eq!(a.organization, "NETWORK RESEARCH CORPORATION; CERN");
        assert_eq!(registry.count(Registry::MaL), 2);
    }

    #[test]
    fn ieee_2022_files_are_read() {
        // IEEE's own files as shipped by Debian, when the shared test data is at hand.
        let dir = Path::new("/work/shared/testdata/oui");
        let paths: Vec<PathBuf> = ["oui.csv", "mam.csv", "oui36.csv", "iab.csv"]
            .iter()
            .map(|f| dir.join(f))
            .collect();
        if !paths.iter().all(|p| p.exists()) {
            return;
        }
        let registry = OuiRegistry::load_files(&paths).unwrap();
        assert!(registry.len() > 46_000, "{}", registry.len());
        assert!(matches!(
            registry.lookup([0x00, 0xe0, 0xfc, 0, 0, 1]),
            Lookup::Found(a) if a.organization == "HUAWEI TECHNOLOGIES CO.,LTD"
        ));
    }

    #[test]
    fn update_stores_and_replaces_the_user_copy() {
        let input = tempfile::tempdir().unwrap();
        let base = tempfile::tempdir().unwrap();
        let folder = base.path().join(USER_FOLDER);
        assert!(load_user_copy(&folder).unwrap().is_none());

        let first = input.path().join("oui.csv");
        std::fs::write(&first, format!("{HEAD}MA-L,00E0FC,First Org,\r\n")).unwrap();
        let second = input.path().join("mam");
        std::fs::write(&second, format!("{HEAD}MA-M,00E0FC1,Second Org,\r\n")).unwrap();
        let (count, stored) = update_into(base.path(), &[first.clone(), second]).unwrap();
        assert_eq!((count, stored.as_path()), (2, folder.as_path()));
        assert!(folder.join("mam.csv").exists(), "a .csv extension is added");
        let registry = load_user_copy(&folder).unwrap().unwrap();
        assert_eq!(registry.date(), today());
        assert!(matches!(
            registry.lookup([0x00, 0xe0, 0xfc, 0x10, 0, 0]),
            Lookup::Found(a) if a.organization == "Second Org"
        ));

        // A second update replaces the first whole; a failed one leaves it as it was.
        std::fs::write(&first, format!("{HEAD}MA-L,00E0FC,Third Org,\r\n")).unwrap();
        assert_eq!(
            update_into(base.path(), std::slice::from_ref(&first))
                .unwrap()
                .0,
            1
        );
        let bad = input.path().join("bad.csv");
        std::fs::write(&bad, format!("{HEAD}MA-L,00E0F,Bad,\r\n")).unwrap();
        let e = update_into(base.path(), &[first.clone(), bad.clone()]).unwrap_err();
        assert!(e.is_bad_input());
        assert!(e.to_string().contains("bad.csv:2: "), "{e}");
        let e = update_into(base.path(), &[first.clone(), first.clone()]).unwrap_err();
        assert!(matches!(e, OuiError::SameName { .. }), "{e}");
        let empty = input.path().join("empty.csv");
        std::fs::write(&empty, HEAD).unwrap();
        assert!(matches!(
            update_into(base.path(), &[empty]),
            Err(OuiError::Empty { .. })
        ));
        let registry = load_user_copy(&folder).unwrap().unwrap();
        assert_eq!(registry.len(), 1);
        assert_eq!(registry.assignments()[0].organization, "Third Org");
        let names: Vec<_> = std::fs::read_dir(base.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [USER_FOLDER], "no staging folder left behind");
    }

    #[test]
    fn lines_are_counted_with_lf_and_crlf() {
        for end in ["\n", "\r\n"] {
            let text = format!(
                "Registry,Assignment,Organization Name,Organization Address{end}{end}\
                 MA-L,00E0FC,A,\"x{end}y\"{end}MA-L,00E0FD,B,{end}MA-L,00E0FE,C{end}"
            );
            assert_eq!(malformed(&text).0, 6, "{end:?}");
        }
        let bytes =
            b"Registry,Assignment,Organization Name,Organization Address\nMA-L,00E0FC,\xff,\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.csv");
        std::fs::write(&path, bytes).unwrap();
        let e = OuiRegistry::load_files(&[path]).unwrap_err();
        assert!(e.to_string().contains("latin1.csv:2: not UTF-8"), "{e}");
    }

    #[test]
    fn dates() {
        assert_eq!(source_date("date: 2026-06\nmore"), Some("2026-06"));
        assert_eq!(source_date("nothing"), None);
        assert_eq!(today().len(), 10);
    }
}
