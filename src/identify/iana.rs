//! The whole IANA Private Enterprise Numbers registry (`rules/iana-enterprises.tsv`): every
//! number and the organisation that holds it, as the registry spells it.
//!
//! IANA data as of 2024-08-23, read from Wireshark's `enterprises` file (Debian
//! libwireshark-data 4.0.17); only the number and the organisation are kept (see the file's
//! header and rules/README.md). What a registrant's name becomes as a vendor is
//! [`super::names`]' business; the curated choices stay in `rules/enterprises.tsv`.
//!
//! The table is parsed once per process ([`IanaRegistry::bundled`]) into borrowed slices of
//! the compiled-in text: one pass, no allocation per entry.

use std::sync::OnceLock;

use super::enterprises::{RulesError, tsv_rows};

/// The registry shipped in `rules/`, compiled in (IANA data; see rules/README.md).
pub const BUNDLED: &str = include_str!("../../rules/iana-enterprises.tsv");

/// The date of the IANA data in [`BUNDLED`] (see its header).
pub const DATE: &str = "2024-08-23";

/// The name IANA gives numbers it holds back; such a number names no organisation.
const RESERVED: &str = "Reserved";

/// Every enterprise number and its organisation, sorted by number.
#[derive(Debug, Clone, Default)]
pub struct IanaRegistry {
    entries: Vec<(u32, &'static str)>,
}

impl IanaRegistry {
    /// The bundled registry, parsed on first use.
    ///
    /// # Panics
    /// Never on the bundled file, whose parse a unit test checks.
    pub fn bundled() -> &'static IanaRegistry {
        static REGISTRY: OnceLock<IanaRegistry> = OnceLock::new();
        REGISTRY.get_or_init(|| {
            IanaRegistry::parse("rules/iana-enterprises.tsv", BUNDLED)
                .expect("the bundled IANA registry parses (checked by a unit test)")
        })
    }

    /// Parses `pen<TAB>organisation` rows after a `pen organisation` header (`#` comments and
    /// blank lines skipped); numbers strictly increasing, organisations non-empty.
    pub fn parse(file: &str, text: &'static str) -> Result<Self, RulesError> {
        let err = |line: usize, reason: String| RulesError::on_line(file, line, reason);
        let mut entries: Vec<(u32, &'static str)> = Vec::with_capacity(text.len() / 28);
        for (n, cols) in tsv_rows(file, text, ["pen", "organisation"])? {
            let [pen, organisation] = cols;
            let pen: u32 = pen
                .parse()
                .map_err(|_| err(n, format!("enterprise number expected, found {pen:?}")))?;
            if organisation.trim().is_empty() {
                return Err(err(n, "organisation must be non-empty".into()));
            }
            if let Some(&(prev, _)) = entries.last()
                && prev >= pen
            {
                return Err(err(
                    n,
                    format!("numbers must be sorted and unique: {pen} after {prev}"),
                ));
            }
            entries.push((pen, organisation));
        }
        Ok(IanaRegistry { entries })
    }

    /// The organisation holding a number, as registered; `None` for an unassigned or reserved
    /// number.
    pub fn organisation(&self, pen: u32) -> Option<&'static str> {
        let i = self.entries.binary_search_by_key(&pen, |e| e.0).ok()?;
        Some(self.entries[i].1).filter(|o| *o != RESERVED)
    }

    /// Every assigned number and its organisation, by number (reserved numbers left out).
    pub fn iter(&self) -> impl Iterator<Item = (u32, &'static str)> + '_ {
        self.entries.iter().copied().filter(|(_, o)| *o != RESERVED)
    }

    /// How many entries the file holds (reserved ones included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_registry_is_whole() {
        let r = IanaRegistry::bundled();
        assert_eq!(r.len(), 62_240);
        assert_eq!(r.organisation(9), Some("ciscoSystems"));
        assert_eq!(r.organisation(2011), Some("HUAWEI Technology Co.,Ltd"));
        assert_eq!(r.organisation(0), None, "reserved");
        assert_eq!(r.organisation(4_000_000), None);
        assert!(r.iter().all(|(_, o)| o != "Reserved"));
    }

    #[test]
    fn the_date_is_the_bundled_files() {
        let header = BUNDLED.lines().take(5).collect::<Vec<_>>().join(" ");
        assert!(header.contains(&format!("as of # {DATE}")), "{header}");
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = IanaRegistry::parse("p.tsv", "pen\torganisation\n9\tA\n9\tB\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("p.tsv", 3));
        let e = IanaRegistry::parse("p.tsv", "pen\torganisation\nx\tA\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(IanaRegistry::parse("p.tsv", "pen\torganisation\n7\t \n").is_err());
    }
}
