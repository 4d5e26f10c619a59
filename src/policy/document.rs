//! Policy files (TOML), parsed into typed structures at load. Unknown keys, wrong types, bad
//! dates, unknown origin groups, bad patterns, bad CIDRs, empty roles and technologies and bad
//! shares are errors naming file, line and column. A role or technology word the rules do not
//! know is taken as a carrier's own (as inventories may use them) and noted with its place
//! ([`Policy::notes`], a warning when the policies are loaded): a misspelt one would match
//! nothing.
//!
//! ```toml
//! [policy]
//! name = "canada-2022"
//! jurisdiction = "CA"
//! version = "2022-05-19"
//! [[policy.source]]
//! title = "Policy Statement – Securing Canada's Telecommunications System"
//! url = "https://www.canada.ca/..."
//!
//! [[rule]]
//! id = "huawei-zte-5g"
//! verdict = "banned"                 # or "review"
//! severity = "high"
//! reason = "Huawei and ZTE 5G equipment must be removed"
//! origins = ["huawei", "zte"]        # any of: origins, vendors, model
//! vendors = ["Huawei"]
//! model = "^S57"                     # a regular expression over the model
//! applies_to = ["device", "module"]  # default: both
//! discovered_via = ["snmp"]          # default: any
//! min_confidence = 0.5               # default: 0
//! scope = ["10.0.0.0/8"]             # default: everywhere
//! no_new_installs_after = 2022-09-01
//! remove_by = 2024-06-28
//! # Where the device stands (its context; see `conditions`): each absent says nothing, each
//! # the context does not settle makes the finding a review.
//! technologies = ["5g"]              # any in common (LTE is 4g, NR 5g, GPON fibre-access...)
//! roles = ["core"]                   # core, aggregation, access, ran, transport...
//! sites = ["TOR01", "/^LON[0-9]+$/"] # names (any case) or /patterns/
//! owners = ["Acme Mobile Ltd"]
//! acquired_by = 2020-06-30           # acquired on or before
//! acquired_after = 2018-08-13        # acquired strictly after
//! first_seen_as_acquired = true      # first seen on or before D proves acquired_by D and
//!                                    # disproves acquired_after D (also in [policy])
//!
//! [[share]]                          # a cap on a group's share of a technology or role
//! id = "huawei-fibre-access"
//! reason = "Huawei at most 35% of the full-fibre access network"
//! origins = ["huawei"]               # whose: origins, vendors, model, as rules
//! technologies = ["fibre-access"]    # of what: technologies and/or roles
//! max_share = 0.35
//! count = "devices"                  # or "ports" (a device's interfaces, at least 1)
//!
//! [[exception]]
//! serial = "2102359576DMHC000120"     # or chassis_mac, or address
//! justification = "lab unit, isolated"
//! approved_by = "J. Doe, CISO"
//! expires = 2025-12-31
//! rules = ["huawei-zte-5g"]          # default: every rule of this policy
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use ipnet::IpNet;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

pub use super::conditions::{Conditions, SiteName};
pub use super::shares::{Count, ShareCap};
use crate::date::Date;
use crate::record::{Verdict, role_word, technology_words};

/// A mistake in a policy file.
pub type PolicyError = crate::location::FileError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    policy: RawHeader,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    exception: Vec<Spanned<RawException>>,
    #[serde(default)]
    share: Vec<RawShare>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    jurisdiction: Option<String>,
    version: String,
    #[serde(default)]
    source: Vec<Source>,
    first_seen_as_acquired: Option<bool>,
}

/// The published text a policy rests on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Its title.
    pub title: String,
    /// Where it is published.
    pub url: Option<String>,
    /// When.
    pub published: Option<toml::value::Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    verdict: Spanned<String>,
    severity: Option<String>,
    reason: String,
    #[serde(default)]
    origins: Vec<Spanned<String>>,
    #[serde(default)]
    vendors: Vec<String>,
    model: Option<Spanned<String>>,
    applies_to: Option<Vec<Spanned<String>>>,
    discovered_via: Option<Vec<String>>,
    min_confidence: Option<f64>,
    #[serde(default)]
    scope: Vec<Spanned<String>>,
    no_new_installs_after: Option<Spanned<toml::value::Datetime>>,
    remove_by: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    roles: Vec<Spanned<String>>,
    #[serde(default)]
    technologies: Vec<Spanned<String>>,
    #[serde(default)]
    sites: Vec<Spanned<String>>,
    #[serde(default)]
    owners: Vec<Spanned<String>>,
    acquired_by: Option<Spanned<toml::value::Datetime>>,
    acquired_after: Option<Spanned<toml::value::Datetime>>,
    first_seen_as_acquired: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShare {
    id: Spanned<String>,
    reason: String,
    #[serde(default)]
    origins: Vec<Spanned<String>>,
    #[serde(default)]
    vendors: Vec<String>,
    model: Option<Spanned<String>>,
    #[serde(default)]
    technologies: Vec<Spanned<String>>,
    #[serde(default)]
    roles: Vec<Spanned<String>>,
    max_share: Spanned<f64>,
    count: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    serial: Option<String>,
    chassis_mac: Option<String>,
    address: Option<String>,
    justification: String,
    approved_by: String,
    expires: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
}

/// A rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// `Banned` or `Review`.
    pub verdict: Verdict,
    /// How serious.
    pub severity: String,
    /// Why.
    pub reason: String,
    /// Whose equipment it is about.
    pub whose: Whose,
    /// Whether it judges whole devices.
    pub devices: bool,
    /// Whether it judges modules (cards, optics, power supplies).
    pub modules: bool,
    /// How the device must have been found (empty: any way).
    pub discovered_via: Vec<String>,
    /// The least confidence at which it applies.
    pub min_confidence: f64,
    /// Where it applies (empty: everywhere).
    pub scope: Vec<IpNet>,
    /// No new installs after this date.
    pub no_new_installs_after: Option<Date>,
    /// Removal deadline.
    pub remove_by: Option<Date>,
    /// Where the device must stand (role, technology, site, owner, acquisition date).
    pub conditions: Conditions,
}

/// Whose equipment a rule or a share cap is about: company groups, vendor names, a model
/// pattern.
#[derive(Debug, Clone)]
pub struct Whose {
    /// Company groups it matches.
    pub origins: Vec<String>,
    /// Vendor display names it matches.
    pub vendors: Vec<String>,
    /// Model pattern.
    pub model: Option<Regex>,
}

impl Whose {
    /// Whether equipment of this company group, vendor and model is meant. Origins and vendors
    /// name whose gear it is; a model pattern alone names a product line, and together with
    /// them narrows it.
    pub fn matches(&self, origin: Option<&str>, vendor: Option<&str>, model: Option<&str>) -> bool {
        let by_origin = origin.is_some_and(|o| self.origins.iter().any(|r| r == o));
        let by_vendor =
            vendor.is_some_and(|v| self.vendors.iter().any(|r| r.eq_ignore_ascii_case(v)));
        let by_model = match (&self.model, model) {
            (Some(re), Some(m)) => re.is_match(m),
            _ => false,
        };
        let whose = self.origins.is_empty() && self.vendors.is_empty() || by_origin || by_vendor;
        let which = self.model.is_none() || by_model;
        whose && which
    }
}

/// An exception granted to one device.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Serial number it names.
    pub serial: Option<String>,
    /// Chassis MAC it names (lower-case colon hex).
    pub chassis_mac: Option<String>,
    /// Address it names.
    pub address: Option<String>,
    /// Why.
    pub justification: String,
    /// Who approved it.
    pub approved_by: String,
    /// When it ends.
    pub expires: Option<Date>,
    /// Which rules it lifts (empty: all of the policy's).
    pub rules: Vec<String>,
}

/// A parsed policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Name.
    pub name: String,
    /// Jurisdiction (ISO country code or other).
    pub jurisdiction: Option<String>,
    /// Version.
    pub version: String,
    /// Published sources.
    pub sources: Vec<Source>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Exceptions.
    pub exceptions: Vec<Exception>,
    /// Caps on a group's share of a technology or role.
    pub shares: Vec<ShareCap>,
    /// What a person should know of the file that is no mistake: a role or technology word
    /// the rules do not know, taken as the carrier's own (`FILE:LINE:COLUMN: ...`).
    pub notes: Vec<String>,
}

impl Policy {
    /// Loads a policy file; `known_origins` are the company groups the rules know.
    pub fn load(path: &Path, known_origins: &BTreeSet<String>) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::unreadable(path, &e))?;
        Policy::parse(&path.display().to_string(), &text, known_origins)
    }

    /// Parses policy text; `file` names it in errors.
    pub fn parse(
        file: &str,
        text: &str,
        known_origins: &BTreeSet<String>,
    ) -> Result<Policy, PolicyError> {
        let raw: RawFile =
            crate::location::parse_toml(file, text, |e| e.message().trim().to_string())?;
        let reader = Reader {
            file,
            text,
            known_origins,
            first_seen_as_acquired: raw.policy.first_seen_as_acquired.unwrap_or(false),
            notes: Default::default(),
        };
        let mut rules: Vec<Rule> = Vec::new();
        for r in raw.rule {
            if rules.iter().any(|x| x.id == *r.id.get_ref()) {
                return Err(reader.at(
                    r.id.span().start,
                    format!("rule id {:?} is used twice", r.id.get_ref()),
                ));
            }
            rules.push(reader.rule(r)?);
        }
        let exceptions = raw
            .exception
            .into_iter()
            .map(|e| reader.exception(e, &rules))
            .collect::<Result<_, _>>()?;
        let mut shares: Vec<ShareCap> = Vec::new();
        for r in raw.share {
            if rules.iter().any(|x| x.id == *r.id.get_ref())
                || shares.iter().any(|x| x.id == *r.id.get_ref())
            {
                return Err(reader.at(
                    r.id.span().start,
                    format!("rule or share id {:?} is used twice", r.id.get_ref()),
                ));
            }
            shares.push(reader.share(r)?);
        }
        Ok(Policy {
            name: raw.policy.name,
            jurisdiction: raw.policy.jurisdiction,
            version: raw.policy.version,
            sources: raw.policy.source,
            rules,
            exceptions,
            shares,
            notes: reader.notes.into_inner(),
        })
    }
}

/// What reads the parts of one policy file: the file's name and text, for errors with line and
/// column, and the company groups the rules know.
struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    known_origins: &'a BTreeSet<String>,
    /// The policy header's `first_seen_as_acquired`, which a rule may override.
    first_seen_as_acquired: bool,
    /// Words taken as a carrier's own, said where they are.
    notes: std::cell::RefCell<Vec<String>>,
}

/// The roles [`role_word`] names; another word is a carrier's own.
const KNOWN_ROLES: [&str; 7] = [
    "core",
    "aggregation",
    "access",
    "ran",
    "transport",
    "customer-premises",
    "management",
];

/// The technologies [`technology_words`] names; another word is a carrier's own.
const KNOWN_TECHNOLOGIES: [&str; 6] = ["2g", "3g", "4g", "5g", "fibre-access", "microwave"];

impl Reader<'_> {
    /// A mistake at byte `offset` of the file.
    fn at(&self, offset: usize, reason: String) -> PolicyError {
        PolicyError::at(self.file, self.text, offset, reason)
    }

    /// A calendar date (no time).
    fn date(&self, d: &Spanned<toml::value::Datetime>) -> Result<Date, PolicyError> {
        let v = d.get_ref();
        match (v.date, v.time) {
            (Some(x), None) => Date::new(i32::from(x.year), x.month, x.day)
                .ok_or_else(|| self.at(d.span().start, format!("{v} is not a calendar date"))),
            _ => Err(self.at(
                d.span().start,
                format!("expected a date like 2024-06-28, found {v}"),
            )),
        }
    }

    /// One rule, checked.
    fn rule(&self, r: RawRule) -> Result<Rule, PolicyError> {
        let verdict = match r.verdict.get_ref().as_str() {
            "banned" => Verdict::Banned,
            "review" => Verdict::Review,
            other => {
                return Err(self.at(
                    r.verdict.span().start,
                    format!("verdict must be \"banned\" or \"review\", found {other:?}"),
                ));
            }
        };
        let whose = self.whose(&r.id, "a rule", r.origins, r.vendors, r.model)?;
        let (devices, modules) = self.applies_to(r.applies_to.as_deref())?;
        let scope = crate::location::networks(self.file, self.text, &r.scope, "10.0.0.0/8")?;
        let min_confidence = r.min_confidence.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&min_confidence) {
            return Err(self.at(
                r.id.span().start,
                format!("min_confidence must be between 0 and 1, found {min_confidence}"),
            ));
        }
        let date = |d| self.date(d);
        let conditions = Conditions {
            roles: self.roles(&r.roles)?,
            technologies: self.technologies(&r.technologies)?,
            sites: self.sites(&r.sites)?,
            owners: self.owners(&r.owners)?,
            acquired_by: r.acquired_by.as_ref().map(date).transpose()?,
            acquired_after: r.acquired_after.as_ref().map(date).transpose()?,
            first_seen_as_acquired: r
                .first_seen_as_acquired
                .unwrap_or(self.first_seen_as_acquired),
        };
        if let (Some(by), Some(after), Some(at)) = (
            conditions.acquired_by,
            conditions.acquired_after,
            &r.acquired_after,
        ) && after >= by
        {
            return Err(self.at(
                at.span().start,
                format!(
                    "acquired_after {after} is not before acquired_by {by}: no device could match"
                ),
            ));
        }
        Ok(Rule {
            id: r.id.into_inner(),
            verdict,
            severity: r.severity.unwrap_or_else(|| "high".into()),
            reason: r.reason,
            whose,
            devices,
            modules,
            discovered_via: r.discovered_via.unwrap_or_default(),
            min_confidence,
            scope,
            no_new_installs_after: r.no_new_installs_after.as_ref().map(date).transpose()?,
            remove_by: r.remove_by.as_ref().map(date).transpose()?,
            conditions,
        })
    }

    /// One share cap, checked: whose, of what (technologies and/or roles), a cap from 0 to 1
    /// and what is counted.
    fn share(&self, r: RawShare) -> Result<ShareCap, PolicyError> {
        let whose = self.whose(&r.id, "a share", r.origins, r.vendors, r.model)?;
        let of = Conditions {
            roles: self.roles(&r.roles)?,
            technologies: self.technologies(&r.technologies)?,
            ..Conditions::default()
        };
        if of.is_empty() {
            return Err(self.at(
                r.id.span().start,
                "a share needs technologies or roles: what it is a share of".into(),
            ));
        }
        let max_share = *r.max_share.get_ref();
        if !(0.0..=1.0).contains(&max_share) {
            return Err(self.at(
                r.max_share.span().start,
                format!("max_share must be between 0 and 1 (0.35 is 35%), found {max_share}"),
            ));
        }
        let count = match r
            .count
            .as_ref()
            .map(|c| (c.get_ref().as_str(), c.span().start))
        {
            None | Some(("devices", _)) => Count::Devices,
            Some(("ports", _)) => Count::Ports,
            Some((other, at)) => {
                return Err(self.at(
                    at,
                    format!("count takes \"devices\" or \"ports\", found {other:?}"),
                ));
            }
        };
        Ok(ShareCap {
            id: r.id.into_inner(),
            reason: r.reason,
            whose,
            of,
            max_share,
            count,
        })
    }

    /// Roles as records keep them ([`role_word`]).
    fn roles(&self, words: &[Spanned<String>]) -> Result<Vec<String>, PolicyError> {
        let roles = self.words(words, role_word, "a role such as core, aggregation, access, ran, transport, customer-premises, management")?;
        self.note_unknown(words, &roles, &KNOWN_ROLES, "role");
        Ok(roles)
    }

    /// Notes each of `taken` (`words` as records keep them, in order) that is none of `known`:
    /// legal, as a carrier may use words of its own, but a misspelt word would match nothing.
    fn note_unknown(
        &self,
        words: &[Spanned<String>],
        taken: &[String],
        known: &[&str],
        what: &str,
    ) {
        for (w, t) in words.iter().zip(taken) {
            for part in t.split('+').filter(|p| !known.contains(p)) {
                self.notes.borrow_mut().push(
                    self.at(
                        w.span().start,
                        format!(
                            "{what} {part:?} is none the rules know ({}): taken as the carrier's own word, matching only devices whose context says it",
                            known.join(", ")
                        ),
                    )
                    .to_string(),
                );
            }
        }
    }

    /// Technologies as records keep them ([`technology_words`]; `4g+5g` is two).
    fn technologies(&self, words: &[Spanned<String>]) -> Result<Vec<String>, PolicyError> {
        let joined = self.words(
            words,
            technology_words,
            "a technology such as 2g, 3g, 4g, 5g, fibre-access, microwave",
        )?;
        self.note_unknown(words, &joined, &KNOWN_TECHNOLOGIES, "technology");
        let mut out: Vec<String> = joined
            .iter()
            .flat_map(|t| t.split('+'))
            .map(str::to_string)
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Owners as written, trimmed; none empty.
    fn owners(&self, words: &[Spanned<String>]) -> Result<Vec<String>, PolicyError> {
        self.words(
            words,
            |w| Some(w.trim().to_string()).filter(|w| !w.is_empty()),
            "an owner's name",
        )
    }

    /// Each word taken by `normal`; one it takes to nothing is an error expecting `what`.
    fn words(
        &self,
        words: &[Spanned<String>],
        normal: impl Fn(&str) -> Option<String>,
        what: &str,
    ) -> Result<Vec<String>, PolicyError> {
        words
            .iter()
            .map(|w| {
                normal(w.get_ref()).ok_or_else(|| {
                    self.at(
                        w.span().start,
                        format!("expected {what}, found {:?}", w.get_ref()),
                    )
                })
            })
            .collect()
    }

    /// Sites: names, or `/patterns/` (regular expressions over the site's name).
    fn sites(&self, sites: &[Spanned<String>]) -> Result<Vec<SiteName>, PolicyError> {
        sites
            .iter()
            .map(|s| {
                let text = s.get_ref().trim();
                if let Some(pattern) = text.strip_prefix('/').and_then(|t| t.strip_suffix('/')) {
                    Regex::new(pattern)
                        .map(SiteName::Pattern)
                        .map_err(|e| self.at(s.span().start, format!("bad site pattern: {e}")))
                } else if text.is_empty() || text == "/" {
                    Err(self.at(
                        s.span().start,
                        "expected a site name or a /pattern/, found an empty one".into(),
                    ))
                } else {
                    Ok(SiteName::Name(text.to_string()))
                }
            })
            .collect()
    }

    /// Whose equipment a rule or share cap (`what`, at `id`) is about: at least one of
    /// origins, vendors and a model pattern; origins known, the pattern valid.
    fn whose(
        &self,
        id: &Spanned<String>,
        what: &str,
        origins: Vec<Spanned<String>>,
        vendors: Vec<String>,
        model: Option<Spanned<String>>,
    ) -> Result<Whose, PolicyError> {
        for o in &origins {
            self.known_origin(o)?;
        }
        if origins.is_empty() && vendors.is_empty() && model.is_none() {
            return Err(self.at(
                id.span().start,
                format!("{what} needs origins, vendors or a model pattern to match"),
            ));
        }
        let model = match &model {
            Some(m) => Some(
                Regex::new(m.get_ref())
                    .map_err(|e| self.at(m.span().start, format!("bad model pattern: {e}")))?,
            ),
            None => None,
        };
        Ok(Whose {
            origins: origins.into_iter().map(Spanned::into_inner).collect(),
            vendors,
            model,
        })
    }

    /// An origin group the rules know, else an error listing known keys starting alike.
    fn known_origin(&self, o: &Spanned<String>) -> Result<(), PolicyError> {
        if self.known_origins.contains(o.get_ref()) {
            return Ok(());
        }
        let near: Vec<&str> = self
            .known_origins
            .iter()
            .map(String::as_str)
            .filter(|k| k.starts_with(&o.get_ref()[..1.min(o.get_ref().len())]))
            .take(12)
            .collect();
        Err(self.at(
            o.span().start,
            format!(
                "unknown origin group {:?}: expected a group key of rules/enterprises.tsv or rules/vendors.tsv such as huawei, zte, h3c{}",
                o.get_ref(),
                if near.is_empty() {
                    String::new()
                } else {
                    format!(" (known keys starting alike: {})", near.join(", "))
                }
            ),
        ))
    }

    /// Whether a rule judges devices and modules: both unless `applies_to` names them.
    fn applies_to(&self, kinds: Option<&[Spanned<String>]>) -> Result<(bool, bool), PolicyError> {
        let Some(kinds) = kinds else {
            return Ok((true, true));
        };
        let (mut devices, mut modules) = (false, false);
        for k in kinds {
            match k.get_ref().as_str() {
                "device" => devices = true,
                "module" => modules = true,
                other => {
                    return Err(self.at(
                        k.span().start,
                        format!("applies_to takes \"device\" or \"module\", found {other:?}"),
                    ));
                }
            }
        }
        Ok((devices, modules))
    }

    /// One exception, checked against the policy's `rules`.
    fn exception(
        &self,
        spanned: Spanned<RawException>,
        rules: &[Rule],
    ) -> Result<Exception, PolicyError> {
        let start = spanned.span().start;
        let e = spanned.into_inner();
        for r in &e.rules {
            if !rules.iter().any(|x| x.id == *r.get_ref()) {
                return Err(self.at(
                    r.span().start,
                    format!("exception names unknown rule {:?}", r.get_ref()),
                ));
            }
        }
        if e.serial.is_none() && e.chassis_mac.is_none() && e.address.is_none() {
            return Err(self.at(
                start,
                "an exception must name a serial, chassis_mac or address".into(),
            ));
        }
        Ok(Exception {
            serial: e.serial,
            chassis_mac: e.chassis_mac.map(|m| m.to_lowercase().replace('-', ":")),
            address: e.address,
            justification: e.justification,
            approved_by: e.approved_by,
            expires: e.expires.as_ref().map(|d| self.date(d)).transpose()?,
            rules: e.rules.into_iter().map(Spanned::into_inner).collect(),
        })
    }
}
