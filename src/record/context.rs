//! Where a device stands: its site, role, technology, owner and acquisition date, each with the
//! source of its value (an inventory file's row, a NetBox export's row, a pattern on
//! sysLocation or sysName), and the day a sweep first saw it. The bans are not "Huawei
//! anywhere": their deadlines differ by technology (Canada's 5G and 4G), by role and site (the
//! UK's core and national-security sites) and by acquisition date (the US reimbursement
//! programme), so a verdict needs these.

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// A value and where it came from, in words: `inventory sites.csv:4`, `netbox devices.csv:12`,
/// `sysLocation pattern inventory.toml:7`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: String,
}

impl<T> Sourced<T> {
    /// A value from `source`.
    pub fn new(value: T, source: impl Into<String>) -> Sourced<T> {
        Sourced {
            value,
            source: source.into(),
        }
    }
}

/// Where a device stands, each field with its source; empty where nothing said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// The site (a carrier's site code or name).
    pub site: Option<Sourced<String>>,
    /// The role in the network ([`role_word`]: core, aggregation, access, ran, transport,
    /// customer-premises, management, or a carrier's own word).
    pub role: Option<Sourced<String>>,
    /// The access technologies it serves ([`technology_words`]: `4g`, `5g`, `4g+5g`,
    /// `fibre-access`, `microwave`...).
    pub technology: Option<Sourced<String>>,
    /// The legal entity or affiliate that owns it.
    pub owner: Option<Sourced<String>>,
    /// When it was acquired (bought, delivered or put in service, as the carrier's books say).
    pub acquired: Option<Sourced<Date>>,
    /// The day of the first stored sweep that saw it (the history database's), if it is known.
    pub first_seen: Option<Date>,
}

impl Context {
    /// The technologies it serves, one word each (`4g+5g` is `4g` and `5g`).
    pub fn technologies(&self) -> impl Iterator<Item = &str> {
        self.technology
            .iter()
            .flat_map(|t| t.value.split('+'))
            .filter(|t| !t.is_empty())
    }
}

/// Whether a person's text says "not known" rather than a value: empty, `unknown`, `tbd`,
/// `n/a`, `none`, `-`, `?`, `unassigned`, and the site and role `export netbox` writes for a
/// device whose context has none (`netorigin-unassigned`, `netorigin-discovered`), so that a
/// placeholder read back from NetBox or an inventory leaves the field unknown.
pub fn unknown_word(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "" | "unknown"
            | "tbd"
            | "n/a"
            | "na"
            | "none"
            | "-"
            | "?"
            | "unassigned"
            | "netorigin-unassigned"
            | "netorigin-discovered"
    )
}

/// A role as records keep it: trimmed, lower case, words joined by `-`, and the common other
/// names of the roles every carrier has taken to one word (`CPE` → `customer-premises`,
/// `distribution` → `aggregation`, `OOB` → `management`, `backhaul` → `transport`, `RAN` and
/// `radio access` → `ran`). Any other word is the carrier's own, kept as written (in lower
/// case). None for empty text and [`unknown_word`]s.
pub fn role_word(text: &str) -> Option<String> {
    if unknown_word(text) {
        return None;
    }
    let word = words(text).join("-");
    let known = match word.as_str() {
        "" => return None,
        "core" | "p" | "pe" | "core-router" => "core",
        "aggregation" | "agg" | "distribution" | "pre-aggregation" => "aggregation",
        "access" => "access",
        "ran" | "radio-access" | "radio-access-network" | "cell-site" => "ran",
        "transport" | "backhaul" | "metro" | "backbone-transport" => "transport",
        "customer-premises" | "cpe" | "customer-premises-equipment" => "customer-premises",
        "management" | "mgmt" | "oob" | "out-of-band" | "oam" => "management",
        other => other,
    };
    Some(known.to_string())
}

/// Technologies as records keep them: each word of the text (split at `+`, `,`, `/`, `;` or
/// white space) taken to one name, sorted, joined by `+`. Names: `2g` (GSM, GPRS, EDGE), `3g`
/// (UMTS, WCDMA, HSPA), `4g` (LTE, E-UTRAN), `5g` (NR), `fibre-access` (FTTH, FTTP, GPON,
/// XGS-PON, EPON, full fibre: the UK's term), `microwave`; any other word is kept in lower
/// case. None for empty text and [`unknown_word`]s.
pub fn technology_words(text: &str) -> Option<String> {
    if unknown_word(text) {
        return None;
    }
    let mut out: Vec<String> = text
        .split(['+', ',', '/', ';'])
        .flat_map(|part| {
            let part = words(part).join("-");
            // "full fibre", "5G NR" and the like are one technology written as two words.
            match technology_word(&part) {
                Some(known) => vec![known.to_string()],
                None => part
                    .split('-')
                    .filter(|w| !w.is_empty())
                    .map(|w| technology_word(w).unwrap_or(w).to_string())
                    .collect(),
            }
        })
        .collect();
    out.sort();
    out.dedup();
    (!out.is_empty()).then(|| out.join("+"))
}

/// One technology word's name, if it is one of the known.
fn technology_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "2g" | "gsm" | "gprs" | "edge" => "2g",
        "3g" | "umts" | "wcdma" | "hspa" | "hspa+" => "3g",
        "4g" | "lte" | "lte-a" | "e-utran" | "eutran" | "4g-lte" => "4g",
        "5g" | "nr" | "5g-nr" | "5gnr" | "5g-sa" | "5g-nsa" => "5g",
        "fibre-access" | "fiber-access" | "full-fibre" | "full-fiber" | "ftth" | "fttp"
        | "fttp-access" | "gpon" | "xgs-pon" | "xgspon" | "xg-pon" | "epon" | "10g-epon"
        | "pon" => "fibre-access",
        "microwave" | "mw" | "microwave-backhaul" => "microwave",
        _ => return None,
    })
}

/// The words of a text: lower case, split at white space, `_` and `-`.
fn words(text: &str) -> Vec<String> {
    text.trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_take_their_common_names_to_one_word() {
        assert_eq!(role_word(" CPE ").as_deref(), Some("customer-premises"));
        assert_eq!(role_word("Distribution").as_deref(), Some("aggregation"));
        assert_eq!(role_word("Radio Access").as_deref(), Some("ran"));
        assert_eq!(role_word("Core").as_deref(), Some("core"));
        assert_eq!(
            role_word("Lawful Intercept").as_deref(),
            Some("lawful-intercept")
        );
        assert_eq!(role_word("  "), None);
        assert_eq!(role_word("Unknown"), None);
        assert_eq!(role_word("netorigin-discovered"), None);
        assert_eq!(technology_words("TBD"), None);
        assert!(unknown_word(" N/A ") && unknown_word("netorigin-unassigned"));
        assert!(!unknown_word("TOR01"));
    }

    #[test]
    fn technologies_are_named_sorted_and_joined() {
        assert_eq!(technology_words("LTE").as_deref(), Some("4g"));
        assert_eq!(technology_words("5G NR").as_deref(), Some("5g"));
        assert_eq!(technology_words("NR, LTE").as_deref(), Some("4g+5g"));
        assert_eq!(
            technology_words("Full Fibre").as_deref(),
            Some("fibre-access")
        );
        assert_eq!(technology_words("XGS-PON").as_deref(), Some("fibre-access"));
        assert_eq!(
            technology_words("GPON/FTTH").as_deref(),
            Some("fibre-access")
        );
        assert_eq!(technology_words("4g+5g+4G").as_deref(), Some("4g+5g"));
        assert_eq!(technology_words("DOCSIS").as_deref(), Some("docsis"));
        assert_eq!(technology_words(" , "), None);
        let c = Context {
            technology: Some(Sourced::new("4g+5g".into(), "test")),
            ..Context::default()
        };
        assert_eq!(c.technologies().collect::<Vec<_>>(), ["4g", "5g"]);
    }
}
