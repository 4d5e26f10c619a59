//! sysDescr fingerprints (`rules/sysdescr.toml`): regular expressions that name the vendor and
//! capture model, OS and version, each carrying examples that a test runs (recog's discipline).
//!
//! ```toml
//! [[rule]]
//! id = "huawei-vrp"              # unique
//! source = "recog snmp_sysdescr.xml; recordings"  # required: where the rule comes from
//! from = ["vrp_5720.snmprec"]    # the recordings it was written from (with "recordings")
//! vendor = "Huawei"              # a display name known to the vendor table
//! os = "VRP"                     # optional, unless captured
//! pattern = '''Huawei Versatile Routing Platform.*?\((?:(?P<model>\S+) )?(?P<version>V\d{3}R\d{3}\w*)\)'''
//! [[rule.example]]
//! from = ["vrp_5720.snmprec"]    # the recordings whose sysDescr this example is, if any
//! text = "Huawei AR1220 Huawei Versatile Routing Platform ... (AR1200 V200R003C01SPC900) ..."
//! model = "AR1200"
//! version = "V200R003C01SPC900"
//! ```
//! `maker` names who makes what the text describes where that differs from the brand it
//! shows: `maker = "H3C"` on Comware rules, whose `vendor` is the badge (HP, HPE, H3C, 3Com).
//! Captures named `model`, `os`, `version` and `vendor` (a vendor name the text itself carries,
//! resolved through the vendor table) fill those fields. Rules are tried in file order; the
//! first that matches wins, so specific rules go before general ones. Patterns are matched
//! case-sensitively unless they say `(?i)`, with `.` matching newlines (`(?s)` is implied).
//!
//! Every rule names its `source`: a document, a registry, a MIB, recog, or `recordings`, in
//! which case `from` lists the file names of the recordings of `tests/data/snmprec` it was
//! written from (and a `from` needs the word). [`SysDescrRules::without`] leaves out what
//! names a recording, so that a test can measure identification on a device the rules were
//! not written from.

use super::pattern::Pattern;
use serde::Deserialize;

use super::enterprises::RulesError;
use super::vendors::{VendorRef, Vendors};

/// The rules shipped in `rules/`.
pub const BUNDLED: &str = include_str!("../../rules/sysdescr.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    source: Option<String>,
    #[serde(default)]
    from: Vec<String>,
    vendor: Option<String>,
    os: Option<String>,
    model: Option<String>,
    maker: Option<String>,
    pattern: String,
    #[serde(default)]
    example: Vec<Example>,
}

/// An example a rule must match, with what it must extract.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The recordings whose sysDescr (or an LLDP neighbour's description) this is.
    #[serde(default)]
    pub from: Vec<String>,
    /// The sysDescr.
    pub text: String,
    /// Expected vendor (default: the rule's).
    pub vendor: Option<String>,
    /// Expected maker (default: the rule's).
    pub maker: Option<String>,
    /// Expected model.
    pub model: Option<String>,
    /// Expected OS.
    pub os: Option<String>,
    /// Expected version.
    pub version: Option<String>,
}

/// Parses a TOML rules file; a syntax or type error names file, line and column.
pub(crate) fn parse_rules_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, RulesError> {
    crate::location::parse_toml(file, text, |e| e.message().to_string())
}

/// What a rule was written from: its `source` (required) and the recordings it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// A document, a registry, a MIB, recog, or "recordings".
    pub source: String,
    /// File names of the recordings it was written from.
    pub from: Vec<String>,
}

/// `rules` less every rule whose provenance names `recording`, and less every example of the
/// others that names it: what the rules would be had that device never been recorded. For
/// the sysDescr and the inventory rules alike.
pub(crate) fn without_recording<R: Clone, E>(
    rules: &[R],
    recording: &str,
    provenance: impl Fn(&R) -> &Provenance,
    examples: impl Fn(&mut R) -> &mut Vec<E>,
    example_from: impl Fn(&E) -> &[String],
) -> Vec<R> {
    rules
        .iter()
        .filter(|r| !provenance(r).names(recording))
        .map(|r| {
            let mut r = r.clone();
            examples(&mut r).retain(|e| !example_from(e).iter().any(|f| f == recording));
            r
        })
        .collect()
}

impl Provenance {
    /// Checks a rule's `source` and `from`: a source is required, and names "recordings"
    /// exactly when `from` lists some.
    pub(crate) fn new(source: Option<String>, from: Vec<String>) -> Result<Self, String> {
        let source = source.map(|s| s.trim().to_string()).unwrap_or_default();
        if source.is_empty() {
            return Err(
                "needs a source (a document, a registry, a MIB, recog, or \"recordings\" with from = [file names])"
                    .into(),
            );
        }
        match (source.contains("recordings"), from.is_empty()) {
            (true, true) => Err("source says recordings: name them in from = [...]".into()),
            (false, false) => Err("from lists recordings: say \"recordings\" in its source".into()),
            _ => Ok(Provenance { source, from }),
        }
    }

    /// Whether it names this recording.
    pub fn names(&self, recording: &str) -> bool {
        self.from.iter().any(|f| f == recording)
    }
}

/// The line of a rule's `id = "..."`, to name it in errors found after parsing.
pub(crate) fn rule_line(text: &str, id: &str) -> usize {
    let quoted = format!("\"{id}\"");
    text.lines()
        .position(|l| l.trim_start().starts_with("id") && l.contains(&quoted))
        .map_or(0, |i| i + 1)
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// Where it comes from.
    pub provenance: Provenance,
    vendor: Option<VendorRef>,
    maker: Option<VendorRef>,
    os: Option<String>,
    model: Option<String>,
    regex: Pattern,
    /// Its examples.
    pub examples: Vec<Example>,
}

/// What a rule made of a sysDescr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The rule.
    pub rule: String,
    /// The vendor (the brand the text shows).
    pub vendor: Option<VendorRef>,
    /// Who makes what the text describes, where the rule knows it differs from the brand
    /// (Comware is H3C's, whatever the badge).
    pub maker: Option<VendorRef>,
    /// Model, if captured.
    pub model: Option<String>,
    /// OS, if known.
    pub os: Option<String>,
    /// Version, if captured.
    pub version: Option<String>,
}

/// The rule set.
#[derive(Debug, Clone, Default)]
pub struct SysDescrRules {
    rules: Vec<Rule>,
}

impl SysDescrRules {
    /// The bundled rules.
    pub fn bundled(vendors: &Vendors) -> Result<Self, RulesError> {
        SysDescrRules::parse("rules/sysdescr.toml", BUNDLED, vendors)
    }

    /// Parses and compiles rules; errors name file, line and column.
    pub fn parse(file: &str, text: &str, vendors: &Vendors) -> Result<Self, RulesError> {
        let parsed: File = parse_rules_toml(file, text)?;
        let id_line = |id: &str| rule_line(text, id);
        let mut rules: Vec<Rule> = Vec::with_capacity(parsed.rule.len());
        let mut ids = std::collections::HashSet::with_capacity(parsed.rule.len());
        for r in parsed.rule {
            let err = |reason: String| RulesError::on_line(file, id_line(&r.id), reason);
            if !ids.insert(r.id.clone()) {
                return Err(err(format!("rule id {:?} is used twice", r.id)));
            }
            let provenance = Provenance::new(r.source.clone(), r.from.clone())
                .map_err(|e| err(format!("rule {}: {e}", r.id)))?;
            let vendor = match &r.vendor {
                Some(v) => Some(
                    vendors
                        .by_name(v)
                        .cloned()
                        .ok_or_else(|| err(format!("rule {}: unknown vendor {v:?}", r.id)))?,
                ),
                None => None,
            };
            let maker = match &r.maker {
                Some(v) => Some(
                    vendors
                        .by_name(v)
                        .cloned()
                        .ok_or_else(|| err(format!("rule {}: unknown maker {v:?}", r.id)))?,
                ),
                None => None,
            };
            let regex = Pattern::new(&r.pattern).map_err(|e| err(format!("rule {}: {e}", r.id)))?;
            if vendor.is_none() && !regex.group_names().any(|n| n == "vendor") {
                return Err(err(format!(
                    "rule {}: needs a vendor or a (?P<vendor>...) capture",
                    r.id
                )));
            }
            rules.push(Rule {
                id: r.id,
                provenance,
                vendor,
                maker,
                os: r.os,
                model: r.model,
                regex,
                examples: r.example,
            });
        }
        Ok(SysDescrRules { rules })
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules less every rule and example that names `recording` in its `from`.
    pub fn without(&self, recording: &str) -> Self {
        let rules = without_recording(
            &self.rules,
            recording,
            |r| &r.provenance,
            |r| &mut r.examples,
            |e| &e.from,
        );
        SysDescrRules { rules }
    }

    /// The first rule that matches `text`.
    pub fn matches(&self, text: &str, vendors: &Vendors) -> Option<Match> {
        self.rules.iter().find_map(|r| r.apply(text, vendors))
    }
}

impl Rule {
    /// What this rule makes of `text`, if it matches.
    pub fn apply(&self, text: &str, vendors: &Vendors) -> Option<Match> {
        let caps = self.regex.captures(text)?;
        let cap = |name: &str| {
            caps.name(name)
                .map(|m| m.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let vendor = match cap("vendor") {
            Some(v) => vendors.resolve(&v).cloned().or_else(|| self.vendor.clone()),
            None => self.vendor.clone(),
        };
        vendor.as_ref()?;
        Some(Match {
            rule: self.id.clone(),
            vendor,
            maker: self.maker.clone(),
            model: cap("model").or_else(|| self.model.clone()),
            os: cap("os").or_else(|| self.os.clone()),
            version: cap("version"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::Enterprises;

    fn vendors() -> Vendors {
        Vendors::bundled(&Enterprises::bundled().unwrap()).unwrap()
    }

    /// Patterns are built on first use (see [`crate::identify::pattern`]): every bundled
    /// one must build, so that none fails in a sweep.
    #[test]
    fn every_bundled_pattern_builds() {
        let rules = SysDescrRules::bundled(&vendors()).unwrap();
        for r in rules.rules() {
            r.regex.build().unwrap_or_else(|e| panic!("{}: {e}", r.id));
        }
    }

    /// Every example of every bundled rule is matched by its own rule (not an earlier one),
    /// with the vendor, model, OS and version it states.
    #[test]
    fn every_bundled_rule_passes_its_examples() {
        let v = vendors();
        let rules = SysDescrRules::bundled(&v).unwrap();
        assert!(!rules.rules().is_empty());
        let mut failures = Vec::new();
        for r in rules.rules() {
            if r.examples.is_empty() {
                failures.push(format!("{}: no example", r.id));
            }
            for ex in &r.examples {
                let Some(m) = rules.matches(&ex.text, &v) else {
                    failures.push(format!("{}: no rule matches {:?}", r.id, ex.text));
                    continue;
                };
                if m.rule != r.id {
                    failures.push(format!(
                        "{}: {:?} is taken by earlier rule {}",
                        r.id, ex.text, m.rule
                    ));
                    continue;
                }
                let want_vendor = ex
                    .vendor
                    .clone()
                    .or_else(|| r.vendor.as_ref().map(|x| x.vendor.clone()));
                let got_vendor = m.vendor.as_ref().map(|x| x.vendor.clone());
                let want_maker = ex
                    .maker
                    .clone()
                    .or_else(|| r.maker.as_ref().map(|x| x.vendor.clone()));
                let got_maker = m.maker.as_ref().map(|x| x.vendor.clone());
                for (what, want, got) in [
                    ("vendor", want_vendor, got_vendor),
                    ("maker", want_maker, got_maker),
                    ("model", ex.model.clone(), m.model.clone()),
                    ("os", ex.os.clone(), m.os.clone()),
                    ("version", ex.version.clone(), m.version.clone()),
                ] {
                    if want.is_some() && want != got {
                        failures.push(format!(
                            "{}: {what} {got:?}, example says {want:?} for {:?}",
                            r.id, ex.text
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn a_rule_names_its_source_and_its_recordings() {
        let v = vendors();
        let rule = |extra: &str| {
            SysDescrRules::parse(
                "s.toml",
                &format!("[[rule]]\nid = \"a\"\nvendor = \"Huawei\"\n{extra}pattern = \"x\"\n"),
                &v,
            )
        };
        let e = rule("").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("s.toml", 2));
        assert!(e.reason.contains("needs a source"), "{}", e.reason);
        let e = rule("source = \"recordings\"\n").unwrap_err();
        assert!(e.reason.contains("from"), "{}", e.reason);
        let e = rule("source = \"recog\"\nfrom = [\"x.snmprec\"]\n").unwrap_err();
        assert!(e.reason.contains("recordings"), "{}", e.reason);
        let r = rule("source = \"recordings\"\nfrom = [\"x.snmprec\"]\n").unwrap();
        assert_eq!(r.rules().len(), 1);
        assert!(r.without("x.snmprec").rules().is_empty());
        assert_eq!(r.without("y.snmprec").rules().len(), 1);
        // Every bundled rule names a source; an example's recordings are among its rule's.
        for r in SysDescrRules::bundled(&v).unwrap().rules() {
            assert!(!r.provenance.source.is_empty(), "{}", r.id);
            for ex in &r.examples {
                for f in &ex.from {
                    assert!(r.provenance.names(f), "{}: example from {f}", r.id);
                }
            }
        }
    }

    #[test]
    fn bad_rules_name_file_and_line() {
        let v = vendors();
        let e = SysDescrRules::parse(
            "s.toml",
            "[[rule]]\nid = \"a\"\nsource = \"s\"\nvendor = \"Huawei\"\npattern = \"(\"\n",
            &v,
        )
        .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("s.toml", 2));
        let e = SysDescrRules::parse(
            "s.toml",
            "[[rule]]\nid = \"a\"\nvendr = \"Huawei\"\npattern = \"x\"\n",
            &v,
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{}", e.reason);
        let e = SysDescrRules::parse(
            "s.toml",
            "[[rule]]\nid = \"a\"\nsource = \"s\"\nvendor = \"Nobody\"\npattern = \"x\"\n",
            &v,
        )
        .unwrap_err();
        assert!(e.reason.contains("unknown vendor"));
    }
}
