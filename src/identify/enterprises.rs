//! IANA private enterprise numbers of network vendors (`rules/enterprises.tsv`), with each
//! vendor's display name and company group.

/// One enterprise number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enterprise {
    /// The private enterprise number.
    pub pen: u32,
    /// The vendor's display name.
    pub vendor: String,
    /// The company group key.
    pub origin: String,
}

impl Enterprise {
    /// Whether this number belongs to a generic agent (net-snmp, UCD-SNMP, Windows) rather
    /// than to the maker of the device: such a sysObjectID says little about whose box it is.
    pub fn is_generic_agent(&self) -> bool {
        matches!(self.origin.as_str(), GENERIC_AGENTS | "microsoft")
    }
}

/// The company group of generic SNMP agents and of enterprise numbers that many makers'
/// firmware share (net-snmp, UCD-SNMP, Broadcom FASTPATH...): never a maker.
pub const GENERIC_AGENTS: &str = "net-snmp";

/// A mistake in a rules file: a table's row names its line, a TOML file's mistake its line and
/// column.
pub type RulesError = crate::location::FileError;

/// The rows of a rules table: `#` comments and blank lines skipped, then a header line that
/// must be `header`, then rows of exactly `N` tab-separated columns, each with its line number.
pub fn tsv_rows<'a, const N: usize>(
    file: &str,
    text: &'a str,
    header: [&str; N],
) -> Result<Vec<(usize, [&'a str; N])>, RulesError> {
    let err = |line: usize, reason: String| RulesError::on_line(file, line, reason);
    let mut rows = Vec::new();
    let mut seen_header = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
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
                return Err(err(
                    n,
                    format!("expected the header line {}", header.join("<TAB>")),
                ));
            }
            seen_header = true;
            continue;
        }
        if found != N {
            return Err(err(
                n,
                format!("expected {N} tab-separated columns, found {found}"),
            ));
        }
        rows.push((n, cols));
    }
    Ok(rows)
}

/// The table, sorted by number.
#[derive(Debug, Clone, Default)]
pub struct Enterprises {
    entries: Vec<Enterprise>,
}

/// The table shipped in `rules/`, compiled in (IANA data; see rules/README.md).
pub const BUNDLED: &str = include_str!("../../rules/enterprises.tsv");

impl Enterprises {
    /// The bundled table.
    pub fn bundled() -> Result<Self, RulesError> {
        Enterprises::parse("rules/enterprises.tsv", BUNDLED)
    }

    /// Parses `pen<TAB>vendor<TAB>origin` lines after a `pen vendor origin` header. The
    /// numbers must be strictly increasing (sorted, no duplicates).
    pub fn parse(file: &str, text: &str) -> Result<Self, RulesError> {
        let err = |line: usize, reason: String| RulesError::on_line(file, line, reason);
        let mut entries: Vec<Enterprise> = Vec::new();
        for (n, [pen, vendor, origin]) in tsv_rows(file, text, ["pen", "vendor", "origin"])? {
            let pen: u32 = pen
                .parse()
                .map_err(|_| err(n, format!("enterprise number expected, found {pen:?}")))?;
            if vendor.is_empty() || origin.is_empty() || origin != origin.to_lowercase() {
                return Err(err(
                    n,
                    "vendor must be non-empty and origin a non-empty lower-case key".into(),
                ));
            }
            if let Some(prev) = entries.last()
                && prev.pen >= pen
            {
                return Err(err(
                    n,
                    format!(
                        "numbers must be sorted and unique: {pen} after {}",
                        prev.pen
                    ),
                ));
            }
            entries.push(Enterprise {
                pen,
                vendor: vendor.to_string(),
                origin: origin.to_string(),
            });
        }
        Ok(Enterprises { entries })
    }

    /// The entry for a number.
    pub fn get(&self, pen: u32) -> Option<&Enterprise> {
        self.entries
            .binary_search_by_key(&pen, |e| e.pen)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Every entry, by number.
    pub fn iter(&self) -> impl Iterator<Item = &Enterprise> {
        self.entries.iter()
    }

    /// How many numbers are known.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_loads_sorted_and_knows_the_huawei_group() {
        let t = Enterprises::bundled().unwrap();
        assert!(t.len() > 300);
        for (pen, origin) in [
            (2011, "huawei"),
            (34774, "huawei"),
            (3902, "zte"),
            (25506, "h3c"),
            (58132, "xfusion"),
        ] {
            assert_eq!(t.get(pen).unwrap().origin, origin, "{pen}");
        }
        assert!(t.get(8072).unwrap().is_generic_agent());
        assert!(t.get(4_000_000).is_none());
    }

    #[test]
    fn one_vendor_one_spelling_one_origin() {
        let t = Enterprises::bundled().unwrap();
        let mut by_vendor = std::collections::HashMap::new();
        for e in &t.entries {
            let prev = by_vendor.insert(
                e.vendor.to_lowercase(),
                (e.vendor.clone(), e.origin.clone()),
            );
            if let Some(prev) = prev {
                assert_eq!(prev, (e.vendor.clone(), e.origin.clone()), "PEN {}", e.pen);
            }
        }
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = Enterprises::parse(
            "x.tsv",
            "pen\tvendor\torigin\n9\tCisco\tcisco\n9\tCisco\tcisco\n",
        )
        .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.tsv", 3));
        let e =
            Enterprises::parse("x.tsv", "pen\tvendor\torigin\nnine\tCisco\tcisco\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(Enterprises::parse("x.tsv", "9\tCisco\tcisco\n").is_err());
    }
}
