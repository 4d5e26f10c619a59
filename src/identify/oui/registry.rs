//! The registries indexed by prefix, and the lookup of a MAC address in them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use super::user_copy::{load_user_copy, read_texts, source_date};
use super::{Assignment, BUNDLED_FILES, BUNDLED_SOURCE, Lookup, OuiError, Registry, USER_FOLDER};
use crate::data_dir::user_data_dir;

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
    pub(super) date: String,
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
    /// [`user_data_dir`]`/oui/`), else the bundled one. Read once per process: a caller that
    /// comes while another reads them (the thread that reads them at start) waits for it.
    pub fn active() -> Result<&'static OuiRegistry, OuiError> {
        static ACTIVE: OnceLock<&'static OuiRegistry> = OnceLock::new();
        static USER: OnceLock<OuiRegistry> = OnceLock::new();
        static READING: Mutex<()> = Mutex::new(());
        if let Some(registry) = ACTIVE.get() {
            return Ok(registry);
        }
        let _reading = READING.lock().unwrap_or_else(|p| p.into_inner());
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

    /// Makes room for about `rows` more assignments (and as many 24-bit prefixes).
    pub(super) fn reserve(&mut self, rows: usize) {
        self.assignments.reserve(rows);
        self.by24.reserve(rows);
    }

    /// Indexes one assignment; a prefix seen before gains the new holder's name.
    pub(super) fn insert(&mut self, assignment: Assignment) {
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
