//! Inventory rules (`rules/inventory.toml`): which object of a vendor's MIB holds a device's
//! model, software version or serial number, the way network managers read them (LibreNMS's OS
//! definitions were the facts behind most rules). Each rule carries examples that a test runs.
//!
//! ```toml
//! [[rule]]
//! id = "huawei-device-esn"               # unique
//! source = "HUAWEI-DEVICE-EXT-MIB; recordings"  # required, as in rules/sysdescr.toml
//! from = ["vrp_5720.snmprec"]            # the recordings it was written from
//! field = "serial"                       # model | version | serial
//! vendor = ["Huawei"]                    # the identified vendor is one of these, and/or
//! under = ["1.3.6.1.4.1.2011"]           # the sysObjectID lies under one of these
//! get = "1.3.6.1.4.1.2011.5.25.188.1.1.0"  # exactly this object (a GET), or
//! # first = "1.3.6.1.4.1.2011.5.25.188.1"  # the first object under this prefix (a GETNEXT), or
//! # chassis = "entPhysicalSerialNum"      # this ENTITY-MIB column of the chassis row
//! pattern = '''^(?P<value>\S+)'''        # optional: what to keep of the value
//! template = "ESN ${value}"              # optional: built from the pattern's named captures
//! fallback = false                       # optional: see below
//! [[rule.example]]
//! from = ["vrp_5720.snmprec"]            # the recordings that hold this value, if any
//! oid = "1.3.6.1.4.1.2011.5.25.188.1.1.0"
//! value = "2102359576DMHC000120"         # text, a number, or { oid = "1.3.6..." }
//! expect = "2102359576DMHC000120"        # left out: the rule must give nothing
//! ```
//!
//! An OID may start at the device's own sysObjectID: `{sysObjectID}.1.2.0` is the object
//! `1.2.0` under it, and `{sysObjectID-1}.1.1.5.1.0` drops the sysObjectID's last arc first
//! (vendors that give each product its own MIB under its sysObjectID). An example of such a
//! rule names the `sys_object_id` it was seen with.
//!
//! `chassis` reads a column of the ENTITY-MIB row the record takes as the chassis (walked on
//! every device, so nothing more is fetched): for product lines whose chassis row says the model
//! better than their sysDescr does. Its examples' OIDs are of that column (the index is taken
//! as the chassis row's).
//!
//! A value is read as text (OCTET STRING as text, numbers in decimal, OIDs and addresses
//! dotted), trimmed; empty values give nothing. With a `pattern`, a value that does not match
//! gives nothing, and the `(?P<value>...)` capture (or the `template`) is the field. Patterns are
//! case-sensitive unless they say `(?i)`, with `.` matching newlines.
//!
//! Precedence, per field: the first rule in file order that applies and gives a value wins, so
//! a product line's rule goes before its vendor's. A rule's value beats the sysDescr capture and
//! the ENTITY-MIB chassis row, which are generic: measured against LibreNMS on the recorded
//! corpus, no rule did better ranked below them. A `fallback = true` rule is used only where
//! neither of those gave the field: for objects that say less than a sysDescr capture would (a
//! hardware revision standing in for a model, one access point of a cluster).
//!
//! A `first` prefix is read the way a sweep can afford: one GETNEXT, so only the object that
//! comes first under the prefix in OID order counts, never a later row.
//!
//! Pure functions over data: nothing here does I/O.

use std::collections::BTreeSet;
use std::ops::Bound;

use super::pattern::Pattern;
use serde::Deserialize;

use super::enterprises::RulesError;
use super::sysdescr::Provenance;
use super::vendors::Vendors;
use crate::record::Observations;
use crate::wire::{Oid, Value};

/// The rules shipped in `rules/`.
pub const BUNDLED: &str = include_str!("../../rules/inventory.toml");

/// The field a rule fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The model (LibreNMS's "hardware").
    Model,
    /// The software version.
    Version,
    /// The chassis serial number.
    Serial,
}

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
    field: Field,
    #[serde(default)]
    vendor: Vec<String>,
    #[serde(default)]
    under: Vec<String>,
    get: Option<String>,
    first: Option<String>,
    chassis: Option<String>,
    pattern: Option<String>,
    template: Option<String>,
    #[serde(default)]
    fallback: bool,
    #[serde(default)]
    example: Vec<RawExample>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExample {
    #[serde(default)]
    from: Vec<String>,
    oid: String,
    value: ExampleValue,
    expect: Option<String>,
    sys_object_id: Option<String>,
}

/// The value of an example, as TOML writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ExampleValue {
    Text(String),
    Number(i64),
    Oid {
        #[serde(rename = "oid")]
        object_id: String,
    },
}

/// An example a rule must pass: the object it reads and what the field must be.
#[derive(Debug, Clone)]
pub struct Example {
    /// The recordings that hold this value.
    pub from: Vec<String>,
    /// The device's sysObjectID, where the rule's OID is relative to it.
    pub sys_object_id: Option<Oid>,
    /// The object's OID.
    pub oid: Oid,
    /// Its value.
    pub value: Value,
    /// The field the rule must give (`None`: it must give nothing).
    pub expect: Option<String>,
}

/// Where a rule reads its value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Exactly this object (a GET).
    Get(Oid),
    /// The first object under this prefix, in OID order (one GETNEXT).
    First(Oid),
}

impl Source {
    /// The OID a sweep asks for.
    pub fn oid(&self) -> &Oid {
        match self {
            Source::Get(o) | Source::First(o) => o,
        }
    }

    /// The object this source reads among observations.
    pub fn read<'a>(&self, obs: &'a Observations) -> Option<(&'a Oid, &'a Value)> {
        match self {
            Source::Get(o) => obs.values.get_key_value(o),
            Source::First(p) => obs
                .values
                .range((Bound::Excluded(p), Bound::Unbounded))
                .next()
                .filter(|(o, _)| o.starts_with(p)),
        }
    }

    /// Whether an object a sweep got back answers this source (for a prefix: lies below it).
    pub fn answered_by(&self, oid: &Oid) -> bool {
        match self {
            Source::Get(o) => oid == o,
            Source::First(p) => oid.starts_with(p) && oid != p,
        }
    }
}

/// What the rules are told of a device besides its observations.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// Its sysObjectID.
    pub sys_object_id: Option<&'a Oid>,
    /// The vendor identification found.
    pub vendor: Option<&'a str>,
    /// The entPhysicalIndex of the ENTITY-MIB row taken as its chassis.
    pub chassis: Option<u32>,
}

/// entPhysicalEntry, whose columns `chassis` rules read.
const ENT_PHYSICAL_ENTRY: [u32; 11] = [1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1];

/// The ENTITY-MIB columns a `chassis` rule may name (RFC 6933).
const ENTITY_COLUMNS: [(&str, u32); 10] = [
    ("entPhysicalDescr", 2),
    ("entPhysicalName", 7),
    ("entPhysicalHardwareRev", 8),
    ("entPhysicalFirmwareRev", 9),
    ("entPhysicalSoftwareRev", 10),
    ("entPhysicalSerialNum", 11),
    ("entPhysicalMfgName", 12),
    ("entPhysicalModelName", 13),
    ("entPhysicalAlias", 14),
    ("entPhysicalAssetID", 15),
];

/// Where a rule reads, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Locator {
    /// An OID, absolute or under the device's sysObjectID.
    Oid {
        /// A prefix (GETNEXT) rather than an object (GET).
        first: bool,
        /// `Some(n)`: relative to the sysObjectID less its last `n` arcs.
        relative: Option<usize>,
        /// The arcs (after the sysObjectID, when relative).
        arcs: Vec<u32>,
    },
    /// A column of the chassis row of entPhysicalTable.
    Chassis {
        /// The column number.
        column: u32,
    },
}

impl Locator {
    const SYS_OBJECT_ID: &'static str = "{sysObjectID";

    fn parse(text: &str, first: bool) -> Result<Locator, String> {
        let bad = || format!("{text:?} is neither an OID nor {{sysObjectID}}.arcs");
        let (relative, rest) = match text.strip_prefix(Self::SYS_OBJECT_ID) {
            None => (None, text),
            Some(t) => {
                let (drop, rest) = t.split_once('}').ok_or_else(bad)?;
                let drop = match drop.strip_prefix('-') {
                    None if drop.is_empty() => 0,
                    Some(n) => n.parse::<usize>().map_err(|_| bad())?,
                    None => return Err(bad()),
                };
                (Some(drop), rest.strip_prefix('.').unwrap_or(rest))
            }
        };
        let arcs = if rest.is_empty() && relative.is_some() {
            Vec::new()
        } else {
            rest.parse::<Oid>()
                .map_err(|e| e.to_string())?
                .arcs()
                .to_vec()
        };
        Ok(Locator::Oid {
            first,
            relative,
            arcs,
        })
    }

    fn chassis(column: &str) -> Result<Locator, String> {
        ENTITY_COLUMNS
            .iter()
            .find(|(name, _)| *name == column)
            .map(|&(_, column)| Locator::Chassis { column })
            .ok_or_else(|| format!("{column:?} is not an entPhysicalTable column"))
    }

    fn is_relative(&self) -> bool {
        matches!(
            self,
            Locator::Oid {
                relative: Some(_),
                ..
            }
        )
    }

    /// The concrete source on a device.
    fn resolve(&self, subject: &Subject<'_>) -> Option<Source> {
        match self {
            Locator::Chassis { column } => Some(Source::Get(Oid::new(
                [&ENT_PHYSICAL_ENTRY[..], &[*column, subject.chassis?]].concat(),
            ))),
            Locator::Oid {
                first,
                relative,
                arcs,
            } => {
                let oid = match relative {
                    None => Oid::new(arcs.clone()),
                    Some(drop) => {
                        let base = subject.sys_object_id?.arcs();
                        let keep = base.len().checked_sub(*drop).filter(|&k| k > 0)?;
                        Oid::new([&base[..keep], &arcs[..]].concat())
                    }
                };
                Some(if *first {
                    Source::First(oid)
                } else {
                    Source::Get(oid)
                })
            }
        }
    }
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// Where it comes from.
    pub provenance: Provenance,
    /// The field it fills.
    pub field: Field,
    /// Vendor display names it applies to (empty: any).
    pub vendors: Vec<String>,
    /// sysObjectID prefixes it applies to (empty: any).
    pub under: Vec<Oid>,
    locator: Locator,
    /// Used only where the generic sources gave nothing.
    pub fallback: bool,
    pattern: Option<Pattern>,
    template: Option<String>,
    /// Its examples.
    pub examples: Vec<Example>,
}

/// A field's value and the rule that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The value.
    pub value: String,
    /// The rule's id.
    pub rule: String,
}

/// What the rules say of one field: the winning ordinary rule, and the winning fallback rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    /// From the first ordinary rule that gave a value.
    pub first: Option<Found>,
    /// From the first fallback rule that gave a value.
    pub fallback: Option<Found>,
}

impl Choice {
    /// The field, given what the generic sources (sysDescr, ENTITY-MIB) made of it.
    pub fn over(self, generic: Option<String>) -> Option<String> {
        self.first
            .map(|f| f.value)
            .or(generic)
            .or(self.fallback.map(|f| f.value))
    }
}

/// What the rules make of one device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    /// Model.
    pub model: Choice,
    /// Software version.
    pub version: Choice,
    /// Serial number.
    pub serial: Choice,
}

impl Inventory {
    fn choice_mut(&mut self, field: Field) -> &mut Choice {
        match field {
            Field::Model => &mut self.model,
            Field::Version => &mut self.version,
            Field::Serial => &mut self.serial,
        }
    }
}

/// The rule set, in file order.
#[derive(Debug, Clone, Default)]
pub struct InventoryRules {
    rules: Vec<Rule>,
}

impl InventoryRules {
    /// The bundled rules.
    pub fn bundled(vendors: &Vendors) -> Result<Self, RulesError> {
        InventoryRules::parse("rules/inventory.toml", BUNDLED, vendors)
    }

    /// Parses and compiles rules; errors name file and line.
    pub fn parse(file: &str, text: &str, vendors: &Vendors) -> Result<Self, RulesError> {
        let parsed: File = super::sysdescr::parse_rules_toml(file, text)?;
        let id_line = |id: &str| super::sysdescr::rule_line(text, id);
        let mut rules: Vec<Rule> = Vec::with_capacity(parsed.rule.len());
        let mut ids = std::collections::HashSet::with_capacity(parsed.rule.len());
        for r in parsed.rule {
            let id = r.id.clone();
            // The line is looked for only when there is an error to name it in.
            let err = |reason: String| {
                RulesError::on_line(file, id_line(&id), format!("rule {id}: {reason}"))
            };
            if !ids.insert(r.id.clone()) {
                return Err(err("id is used twice".into()));
            }
            rules.push(compile(r, vendors).map_err(err)?);
        }
        Ok(InventoryRules { rules })
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules less every rule and example that names `recording` in its `from`.
    pub fn without(&self, recording: &str) -> Self {
        let rules = super::sysdescr::without_recording(
            &self.rules,
            recording,
            |r| &r.provenance,
            |r| &mut r.examples,
            |e| &e.from,
        );
        InventoryRules { rules }
    }

    /// The rules that apply to a device with this sysObjectID and identified vendor.
    pub fn applicable<'a>(
        &'a self,
        sys_object_id: Option<&'a Oid>,
        vendor: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.applies(sys_object_id, vendor))
    }

    /// What a sweep must fetch for a device: each applicable rule's OID, once, in OID order
    /// (`chassis` rules read the walked entPhysicalTable, and need nothing more).
    pub fn sources(&self, sys_object_id: Option<&Oid>, vendor: Option<&str>) -> Vec<Source> {
        let subject = Subject {
            sys_object_id,
            vendor,
            chassis: None,
        };
        let unique: BTreeSet<Source> = self
            .applicable(sys_object_id, vendor)
            .filter_map(|r| r.source(&subject))
            .collect();
        let mut out: Vec<Source> = unique.into_iter().collect();
        out.sort_by(|a, b| a.oid().cmp(b.oid()));
        out
    }

    /// What the applicable rules make of a device's observations.
    pub fn apply(&self, obs: &Observations, subject: &Subject<'_>) -> Inventory {
        let mut inv = Inventory::default();
        for r in self.applicable(subject.sys_object_id, subject.vendor) {
            let choice = inv.choice_mut(r.field);
            let slot = if r.fallback {
                &mut choice.fallback
            } else {
                &mut choice.first
            };
            if slot.is_some() {
                continue;
            }
            let read = r.source(subject);
            if let Some(value) = read.as_ref().and_then(|s| r.read(s, obs)) {
                *slot = Some(Found {
                    value,
                    rule: r.id.clone(),
                });
            }
        }
        inv
    }
}

fn compile(r: RawRule, vendors: &Vendors) -> Result<Rule, String> {
    let oid = |s: &str| s.parse::<Oid>().map_err(|e| e.to_string());
    let provenance = Provenance::new(r.source, r.from)?;
    if r.vendor.is_empty() && r.under.is_empty() {
        return Err("needs a vendor or an under (sysObjectID prefix)".into());
    }
    let vendor_names = r
        .vendor
        .iter()
        .map(|v| {
            vendors
                .by_name(v)
                .map(|x| x.vendor.clone())
                .ok_or_else(|| format!("unknown vendor {v:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let under = r.under.iter().map(|s| oid(s)).collect::<Result<_, _>>()?;
    let locator = match (&r.get, &r.first, &r.chassis) {
        (Some(g), None, None) => Locator::parse(g, false)?,
        (None, Some(f), None) => Locator::parse(f, true)?,
        (None, None, Some(c)) => Locator::chassis(c)?,
        _ => {
            return Err(
                "needs exactly one of get (an object), first (a prefix) or chassis (a column)"
                    .into(),
            );
        }
    };
    let pattern = match &r.pattern {
        Some(p) => Some(Pattern::new(p)?),
        None => None,
    };
    match (&pattern, &r.template) {
        (None, Some(_)) => return Err("a template needs a pattern".into()),
        (Some(p), None) if !p.group_names().any(|n| n == "value") => {
            return Err("a pattern needs a (?P<value>...) capture, or a template".into());
        }
        _ => {}
    }
    if r.example.is_empty() {
        return Err("needs at least one example".into());
    }
    let examples = r
        .example
        .into_iter()
        .map(|e| {
            let value = match e.value {
                ExampleValue::Text(t) => Value::OctetString(t.into_bytes()),
                ExampleValue::Number(n) => Value::Integer(n),
                ExampleValue::Oid { object_id } => Value::ObjectId(oid(&object_id)?),
            };
            let sys_object_id = e.sys_object_id.as_deref().map(oid).transpose()?;
            if locator.is_relative() && sys_object_id.is_none() {
                return Err(
                    "an example of a rule under {sysObjectID} needs its sys_object_id".into(),
                );
            }
            Ok(Example {
                from: e.from,
                sys_object_id,
                oid: oid(&e.oid)?,
                value,
                expect: e.expect,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Rule {
        id: r.id,
        provenance,
        field: r.field,
        vendors: vendor_names,
        under,
        locator,
        fallback: r.fallback,
        pattern,
        template: r.template,
        examples,
    })
}

impl Rule {
    /// Whether the rule applies to a device with this sysObjectID and identified vendor.
    pub fn applies(&self, sys_object_id: Option<&Oid>, vendor: Option<&str>) -> bool {
        let vendor_ok =
            self.vendors.is_empty() || vendor.is_some_and(|v| self.vendors.iter().any(|x| x == v));
        let under_ok = self.under.is_empty()
            || sys_object_id.is_some_and(|o| self.under.iter().any(|p| o.starts_with(p)));
        vendor_ok && under_ok
    }

    /// Where the rule reads on a device (`None`: the rule reads under the sysObjectID or in
    /// the chassis row, and the device has none).
    pub fn source(&self, subject: &Subject<'_>) -> Option<Source> {
        self.locator.resolve(subject)
    }

    /// The field this rule makes of what `source` finds among observations.
    pub fn read(&self, source: &Source, obs: &Observations) -> Option<String> {
        source.read(obs).and_then(|(_, v)| self.extract(v))
    }

    /// The field this rule makes of a value, if any.
    pub fn extract(&self, value: &Value) -> Option<String> {
        let text = value_text(value)?;
        let out = match &self.pattern {
            None => text,
            Some(p) => {
                let caps = p.captures(&text)?;
                match &self.template {
                    Some(t) => {
                        let mut s = String::new();
                        caps.expand(t, &mut s);
                        s
                    }
                    None => caps.name("value")?.to_string(),
                }
            }
        };
        let out = out.trim();
        (!out.is_empty()).then(|| out.to_string())
    }
}

/// A value as text: OCTET STRING as text, numbers in decimal, OIDs and addresses dotted;
/// trimmed of white space and NULs. Empty values and the v2c exceptions give nothing.
pub fn value_text(v: &Value) -> Option<String> {
    let t = match v {
        Value::OctetString(_) => return v.trimmed_text(),
        Value::Integer(i) => i.to_string(),
        Value::Counter32(n) | Value::Gauge32(n) | Value::TimeTicks(n) => n.to_string(),
        Value::Counter64(n) => n.to_string(),
        Value::ObjectId(o) => o.to_string(),
        Value::IpAddress(a) => std::net::Ipv4Addr::from(*a).to_string(),
        _ => return None,
    };
    let t = t.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests;
