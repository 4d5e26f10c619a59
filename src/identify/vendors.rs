//! Company names as devices and registries spell them, mapped to netorigin's vendor display
//! names and company groups (`origin`).
//!
//! Every vendor of `rules/enterprises.tsv` is known by its display name; `rules/vendors.tsv`
//! adds the other spellings met in ENTITY-MIB manufacturer names, IEEE OUI organisation names
//! and sysDescr text ("HUAWEI TECHNOLOGIES CO.,LTD", "Hangzhou H3C", "Quidway"). Matching is on
//! normalised words (lower case, punctuation dropped): a name matches when its words start the
//! organisation's words, and the longest match wins.

use super::enterprises::{Enterprises, GENERIC_AGENTS, RulesError, tsv_rows};

/// A vendor and its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorRef {
    /// Display name.
    pub vendor: String,
    /// Company group key.
    pub origin: String,
}

/// The name table.
#[derive(Debug, Clone, Default)]
pub struct Vendors {
    /// (normalised words, vendor), longest first.
    names: Vec<(Vec<String>, VendorRef)>,
    /// For each first word, the indices into `names` of the names that start with it, in
    /// `names`' order: a lookup reads those only.
    by_first_word: std::collections::HashMap<String, Vec<usize>>,
}

/// The aliases shipped in `rules/`.
pub const BUNDLED: &str = include_str!("../../rules/vendors.tsv");

/// Lower case, punctuation as spaces, split into words.
pub fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

impl Vendors {
    /// The enterprise vendors' display names plus the bundled aliases.
    pub fn bundled(enterprises: &Enterprises) -> Result<Self, RulesError> {
        Vendors::build(enterprises, "rules/vendors.tsv", BUNDLED)
    }

    /// Builds the table from enterprise vendors and an alias file (`name<TAB>vendor` after a
    /// `name vendor` header; the vendor must be one of the enterprise table's display names,
    /// or a new one given as `vendor<TAB>origin` in a third column).
    pub fn build(enterprises: &Enterprises, file: &str, text: &str) -> Result<Self, RulesError> {
        let err = |line: usize, reason: String| RulesError::on_line(file, line, reason);
        let mut names: Vec<(Vec<String>, VendorRef)> = Vec::new();
        for e in enterprises.iter() {
            let r = VendorRef {
                vendor: e.vendor.clone(),
                origin: e.origin.clone(),
            };
            let w = words(&e.vendor);
            if !names.iter().any(|(n, _)| *n == w) {
                names.push((w, r));
            }
        }
        for (n, [name, vendor, origin]) in tsv_rows(file, text, ["name", "vendor", "origin"])? {
            let known = names
                .iter()
                .find(|(_, r)| r.vendor == vendor)
                .map(|(_, r)| r.clone());
            let r = match (known, origin) {
                (Some(r), "") => r,
                (Some(r), o) if o == r.origin => r,
                (Some(r), o) => {
                    return Err(err(
                        n,
                        format!("{vendor} belongs to origin {}, not {o}", r.origin),
                    ));
                }
                (None, "") => {
                    return Err(err(
                        n,
                        format!("unknown vendor {vendor:?}: give its origin in the third column"),
                    ));
                }
                (None, o) => VendorRef {
                    vendor: vendor.to_string(),
                    origin: o.to_string(),
                },
            };
            let w = words(name);
            if w.is_empty() {
                return Err(err(n, "empty name".into()));
            }
            if let Some((_, prev)) = names.iter().find(|(x, _)| *x == w) {
                if *prev != r {
                    return Err(err(n, format!("{name:?} already names {}", prev.vendor)));
                }
                continue;
            }
            names.push((w, r));
        }
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let mut by_first_word: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, (w, _)) in names.iter().enumerate() {
            if let Some(first) = w.first() {
                by_first_word.entry(first.clone()).or_default().push(i);
            }
        }
        Ok(Vendors {
            names,
            by_first_word,
        })
    }

    /// The vendor an organisation or manufacturer name stands for: its words must start with a
    /// known name's words ("Huawei Technologies Co., Ltd" → Huawei).
    pub fn resolve(&self, organisation: &str) -> Option<&VendorRef> {
        let w = words(organisation);
        // A generic agent's or shared number's owner names no maker (see GENERIC_AGENTS).
        self.by_first_word
            .get(w.first()?)?
            .iter()
            .map(|&i| &self.names[i])
            .find(|(n, r)| w.starts_with(n) && r.origin != GENERIC_AGENTS)
            .map(|(_, r)| r)
    }

    /// [`Vendors::resolve`] for a name already normalised ([`super::names::normalise`]: lower-case
    /// words joined by single spaces), without allocating for names no known name starts.
    pub fn resolve_normalised(&self, name: &str) -> Option<&VendorRef> {
        let first = name.split(' ').next()?;
        let candidates = self.by_first_word.get(first)?;
        let w: Vec<&str> = name.split(' ').collect();
        candidates
            .iter()
            .map(|&i| &self.names[i])
            .find(|(n, r)| {
                n.len() <= w.len()
                    && n.iter().zip(&w).all(|(a, b)| a == b)
                    && r.origin != GENERIC_AGENTS
            })
            .map(|(_, r)| r)
    }

    /// Every name (normalised words) and the vendor it stands for, longest first.
    pub fn names(&self) -> impl Iterator<Item = (&[String], &VendorRef)> {
        self.names.iter().map(|(w, r)| (w.as_slice(), r))
    }

    /// Every company group key known.
    pub fn origins(&self) -> std::collections::BTreeSet<String> {
        self.names.iter().map(|(_, r)| r.origin.clone()).collect()
    }

    /// The vendor named by its display name exactly.
    pub fn by_name(&self, vendor: &str) -> Option<&VendorRef> {
        self.names
            .iter()
            .map(|(_, r)| r)
            .find(|r| r.vendor == vendor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendors() -> Vendors {
        Vendors::bundled(&Enterprises::bundled().unwrap()).unwrap()
    }

    #[test]
    fn registry_spellings_resolve_to_the_group() {
        let v = vendors();
        for (name, origin) in [
            ("HUAWEI TECHNOLOGIES CO.,LTD", "huawei"),
            ("Huawei Device Co., Ltd.", "huawei"),
            ("zte corporation", "zte"),
            ("New H3C Technologies Co., Ltd", "h3c"),
            ("Hangzhou H3C Technologies Co., Limited", "h3c"),
            ("Cisco Systems, Inc", "cisco"),
            ("Juniper Networks", "juniper"),
        ] {
            assert_eq!(
                v.resolve(name).map(|r| r.origin.as_str()),
                Some(origin),
                "{name}"
            );
        }
        assert!(
            v.resolve("Intel Corporate")
                .is_none_or(|r| r.origin != "huawei")
        );
        assert!(v.resolve("").is_none());
    }

    #[test]
    fn a_name_must_start_the_organisation_not_merely_occur_in_it() {
        let v = vendors();
        assert_ne!(
            v.resolve("Huaweisoft Trading").map(|r| r.origin.as_str()),
            Some("huawei")
        );
    }

    #[test]
    fn a_shared_numbers_owner_names_no_maker() {
        let v = vendors();
        assert!(
            v.resolve("Frogfoot Networks").is_none(),
            "Frogfoot's number is shared by many makers' firmware"
        );
        assert!(v.resolve("net-snmp").is_none());
    }

    #[test]
    fn alias_errors_name_file_and_line() {
        let e = Enterprises::bundled().unwrap();
        let err =
            Vendors::build(&e, "v.tsv", "name\tvendor\torigin\nQuidway\tNobody\t\n").unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("v.tsv", 2));
        let err = Vendors::build(&e, "v.tsv", "name\tvendor\torigin\nQuidway\tHuawei\tzte\n")
            .unwrap_err();
        assert!(
            err.reason.contains("belongs to origin huawei"),
            "{}",
            err.reason
        );
    }
}
