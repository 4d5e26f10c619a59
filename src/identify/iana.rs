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

    /// The table's rows as first split: every line read before any row is used.
    fn reference_tsv_rows<'a, const N: usize>(
        file: &str,
        text: &'a str,
        header: [&str; N],
    ) -> Result<Vec<(usize, [&'a str; N])>, RulesError> {
        let err = |line: usize, reason: String| RulesError::on_line(file, line, reason);
        let mut rows = Vec::new();
        let mut seen_header = false;
        for (i, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = [""; N];
            let mut found = 0;
            for (k, col) in line.split('\t').enumerate() {
                if let Some(slot) = cols.get_mut(k) {
                    *slot = col;
                }
                found = k + 1;
            }
            if !seen_header {
                if found != N || cols != header {
                    let h = header.join("<TAB>");
                    return Err(err(i + 1, format!("expected the header line {h}")));
                }
                seen_header = true;
                continue;
            }
            if found != N {
                let reason = format!("expected {N} tab-separated columns, found {found}");
                return Err(err(i + 1, reason));
            }
            rows.push((i + 1, cols));
        }
        Ok(rows)
    }

    /// The registry's parse as first written, over [`reference_tsv_rows`].
    fn reference_parse(
        file: &str,
        text: &'static str,
    ) -> Result<Vec<(u32, &'static str)>, RulesError> {
        let mut entries: Vec<(u32, &'static str)> = Vec::new();
        for (n, [pen, organisation]) in reference_tsv_rows(file, text, ["pen", "organisation"])? {
            let err = |reason: String| RulesError::on_line(file, n, reason);
            let pen: u32 = pen
                .parse()
                .map_err(|_| err(format!("enterprise number expected, found {pen:?}")))?;
            if organisation.trim().is_empty() {
                return Err(err("organisation must be non-empty".into()));
            }
            if let Some(&(prev, _)) = entries.last()
                && prev >= pen
            {
                return Err(err(format!(
                    "numbers must be sorted and unique: {pen} after {prev}"
                )));
            }
            entries.push((pen, organisation));
        }
        Ok(entries)
    }

    /// A table of well-formed and malformed lines: comments, blank and whitespace-only lines
    /// (Unicode's too), numbers with signs, out of order and not numbers, empty and blank
    /// organisations, too few and too many columns, LF, CRLF and a bare CR.
    fn random_table(seed: &mut u64) -> &'static str {
        let mut below = |n: usize| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 33) as usize % n
        };
        const ODD: [&str; 12] = [
            "# comment",
            "",
            "  ",
            "\u{a0}\u{2003}",
            "+7\tPlus",
            "x\tA",
            "3\t",
            "3",
            "4\tA\tB",
            "5\t \u{a0}",
            "\t",
            "pen\torganisation",
        ];
        const ENDS: [&str; 8] = ["\n", "\n", "\n", "\n", "\r\n", "\r\n", "\r\n", "\r"];
        let mut text = String::new();
        if below(6) != 0 {
            text.push_str(["pen\torganisation", "#h\npen\torganisation", "pen\tname"][below(3)]);
            text.push_str(ENDS[below(ENDS.len())]);
        }
        let mut pen = 0;
        for _ in 0..below(12) {
            if below(8) == 0 {
                text.push_str(ODD[below(ODD.len())]);
            } else {
                pen += [0, 1, 1, 1, 1, 2, 2, 9][below(8)];
                text.push_str(&format!("{pen}\tOrg {pen}"));
            }
            text.push_str(ENDS[below(ENDS.len())]);
        }
        Box::leak(text.into_boxed_str())
    }

    #[test]
    fn tables_parse_as_the_reference_parses_them() {
        let bundled = IanaRegistry::parse("r", BUNDLED).map(|r| r.entries);
        assert!(bundled == reference_parse("r", BUNDLED));
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let mut parsed = 0;
        for _ in 0..3000 {
            let text = random_table(&mut seed);
            let want = reference_parse("r", text);
            parsed += usize::from(want.as_ref().is_ok_and(|e| e.len() > 2));
            assert_eq!(
                IanaRegistry::parse("r", text).map(|r| r.entries),
                want,
                "{text:?}"
            );
            let rows = reference_tsv_rows("r", text, ["pen", "organisation"]);
            assert_eq!(
                tsv_rows("r", text, ["pen", "organisation"]),
                rows,
                "{text:?}"
            );
        }
        assert!(parsed > 100, "{parsed} tables of three rows or more parse");
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
