//! Identification: whose device is it? Every source yields [`Evidence`] with a weight; the
//! evidence is combined per company group (origin) and the strongest group wins. Evidence for
//! another group is kept as a conflict, never hidden.
//!
//! Sources and weights (see [`weight`]):
//! - the enterprise number under sysObjectID (`1.3.6.1.4.1.PEN`) or in the SNMPv3 engine ID,
//!   against `rules/enterprises.tsv` (0.9); a generic agent's number (net-snmp, Windows, the
//!   agent toolkits) says the agent, not the maker (0.1, no group); a number with no curated
//!   row names its registrant in the whole IANA registry ([`iana`], as [`names`] cleans and
//!   resolves it) at 0.6: the registry says who holds the number, but OEM firmware answers
//!   with its supplier's number often enough that a curated row, a sysDescr rule (0.8) or the
//!   ENTITY-MIB manufacturer (0.85) must outweigh it, while it still outweighs a MAC's OUI;
//! - a sysDescr fingerprint of `rules/sysdescr.toml` (vendor, model, OS, version);
//! - the ENTITY-MIB manufacturer of the chassis (RFC 6933 entPhysicalMfgName);
//! - an organisation or brand named in free text ([`Identifier::named_in`], 0.45): a sysDescr
//!   no rule claims, the chassis' entPhysicalMfgName, entPhysicalDescr and
//!   entPhysicalModelName when the manufacturer is no known vendor. Below a sysDescr rule that
//!   merely names a vendor (0.5): a rule is written and checked for that vendor's text, while
//!   a name found in text is only a name (a reseller's, a licence's, a partner's); below a
//!   registry enterprise number, which the device's maker chose;
//! - a vendor's private subtree answering on a device whose sysObjectID names no maker (Huawei
//!   power units answer with net-snmp's sysObjectID and a plain Linux sysDescr, but their own
//!   1.3.6.1.4.1.2011 subtree gives them away);
//! - the IEEE OUI of the chassis MAC and of the interfaces' MACs (weak: a NIC's maker is often
//!   not the device's); an organisation no table knows is named by its cleaned name, with its
//!   own group key ([`names::clean_organisation`]).
//!
//! Model, version and serial come from the sysDescr capture and the ENTITY-MIB chassis row,
//! and, where `rules/inventory.toml` knows the vendor's own objects, from those
//! ([`inventory`]; [`Identifier::inventory_oids`] says what a sweep must fetch for them).
//!
//! Functions over data: the only I/O is the OUI registry's first use, which reads the user's
//! updated copy (`netorigin oui update`) if there is one.

pub mod enterprises;
pub mod iana;
pub mod inventory;
pub mod names;
pub mod oui;
pub mod pattern;
pub mod sysdescr;
pub mod vendors;

use std::collections::BTreeMap;

pub use enterprises::{Enterprise, Enterprises, RulesError};
pub use inventory::{Inventory, InventoryRules, Subject};
pub use names::Names;
pub use sysdescr::SysDescrRules;
pub use vendors::{VendorRef, Vendors};

use crate::device::{Evidence, Module, Observations};
use crate::wire::engine_id::EngineId;
use crate::wire::{Oid, Value};

/// The result of identification.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identification {
    /// The maker's display name.
    pub vendor: Option<String>,
    /// The maker's company group key.
    pub origin: Option<String>,
    /// The brand the device shows, where it differs from the maker (an HPE-branded Comware
    /// switch made by H3C).
    pub brand: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// Software version.
    pub version: Option<String>,
    /// 0..1.
    pub confidence: f64,
    /// Everything that was considered.
    pub evidence: Vec<Evidence>,
    /// Evidence pointing to another company group than the answer.
    pub conflicts: Vec<Evidence>,
}

/// Weights of each source.
pub mod weight {
    /// The enterprise number under sysObjectID of a maker's own agent.
    pub const ENTERPRISE: f64 = 0.9;
    /// The enterprise number of a generic agent (net-snmp): says the agent, not the maker.
    pub const GENERIC_AGENT: f64 = 0.1;
    /// An enterprise number with no curated row: its registrant in the IANA registry.
    pub const REGISTRY_ENTERPRISE: f64 = 0.6;
    /// An organisation or brand named in a device's free text (sysDescr with no rule,
    /// ENTITY-MIB and UPS-MIB texts).
    pub const NAMED_IN_TEXT: f64 = 0.45;
    /// A sysDescr fingerprint.
    pub const SYSDESCR: f64 = 0.8;
    /// A sysDescr that merely names a vendor somewhere.
    pub const SYSDESCR_NAMED: f64 = 0.5;
    /// The chassis' ENTITY-MIB manufacturer.
    pub const ENTITY_MFG: f64 = 0.85;
    /// A vendor's private subtree answering on a generic agent.
    pub const PRIVATE_SUBTREE: f64 = 0.7;
    /// The OUI of the chassis MAC.
    pub const CHASSIS_OUI: f64 = 0.3;
    /// The OUI shared by most interface MACs.
    pub const INTERFACE_OUI: f64 = 0.2;
    /// A neighbour's LLDP system description of a device (scaled from the sysDescr weights).
    pub const NEIGHBOR_SCALE: f64 = 0.8;
}

/// The enterprises arc, 1.3.6.1.4.1.
pub fn enterprises_arc() -> Oid {
    crate::oid![1, 3, 6, 1, 4, 1]
}

/// Company groups whose private subtrees are looked for on generic agents.
pub const WATCHED_ORIGINS: [&str; 4] = ["huawei", "zte", "h3c", "xfusion"];

/// Identifies devices from their observations.
#[derive(Debug, Clone)]
pub struct Identifier {
    enterprises: Enterprises,
    vendors: Vendors,
    sysdescr: SysDescrRules,
    inventory: InventoryRules,
    names: &'static Names,
}

/// What the identifier is given about one device, however it was learnt.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// sysObjectID.
    pub sys_object_id: Option<&'a Oid>,
    /// sysDescr (or an LLDP system description).
    pub sys_descr: Option<&'a str>,
    /// The chassis row of ENTITY-MIB, if any.
    pub chassis: Option<&'a Module>,
    /// The chassis MAC.
    pub chassis_mac: Option<[u8; 6]>,
    /// Interface MACs.
    pub interface_macs: Vec<[u8; 6]>,
    /// Private enterprise OIDs that answered (the first one seen under each enterprise).
    pub private_oids: Vec<&'a Oid>,
    /// The SNMPv3 engine ID, decoded.
    pub engine_id: Option<&'a EngineId>,
}

impl Identifier {
    /// An identifier over the bundled rules.
    pub fn bundled() -> Result<Self, RulesError> {
        let enterprises = Enterprises::bundled()?;
        let vendors = Vendors::bundled(&enterprises)?;
        let sysdescr = SysDescrRules::bundled(&vendors)?;
        let inventory = InventoryRules::bundled(&vendors)?;
        Ok(Identifier {
            enterprises,
            vendors,
            sysdescr,
            inventory,
            names: Names::bundled(),
        })
    }

    /// The enterprise table.
    pub fn enterprises(&self) -> &Enterprises {
        &self.enterprises
    }

    /// The vendor names.
    pub fn vendors(&self) -> &Vendors {
        &self.vendors
    }

    /// The registry's and the curated tables' names.
    pub fn names(&self) -> &Names {
        self.names
    }

    /// The vendor an organisation name from a registry (an IEEE OUI's holder, a registrant)
    /// stands for: a known vendor, else its cleaned name with its own group key.
    pub fn organisation(&self, organisation: &str) -> Option<VendorRef> {
        self.names.organisation(&self.vendors, organisation)
    }

    /// Evidence from a device's free text (sysDescr, an ENTITY-MIB or UPS-MIB text, an LLDP
    /// description): one piece per vendor whose name the text holds (see [`Names::find`]:
    /// whole words, longest first, names too common to tell anything left out), each with
    /// `weight` ([`weight::NAMED_IN_TEXT`] for the standard objects). `source` says where the
    /// text came from ("sysDescr", "entPhysicalDescr of chassis 1"); the evidence's source
    /// reads "<source> names <name>", its value is the text.
    pub fn named_in(&self, source: &str, text: &str, weight: f64) -> Vec<Evidence> {
        self.names
            .find(text)
            .into_iter()
            .map(|f| Evidence {
                source: format!("{source} names \"{}\"", f.name),
                value: text.to_string(),
                vendor: Some(f.vendor.vendor.clone()),
                origin: Some(f.vendor.origin.clone()),
                weight,
            })
            .collect()
    }

    /// The sysDescr rules.
    pub fn sysdescr_rules(&self) -> &SysDescrRules {
        &self.sysdescr
    }

    /// The inventory rules.
    pub fn inventory_rules(&self) -> &InventoryRules {
        &self.inventory
    }

    /// What a sweep must fetch for the inventory rules that apply to a device with this
    /// sysObjectID and identified vendor: each an object (GET) or a prefix (one GETNEXT), as
    /// [`inventory::Source`] says; in OID order, once each.
    pub fn inventory_sources(
        &self,
        sys_object_id: Option<&Oid>,
        vendor: Option<&str>,
    ) -> Vec<inventory::Source> {
        self.inventory.sources(sys_object_id, vendor)
    }

    /// The OIDs of [`Identifier::inventory_sources`].
    pub fn inventory_oids(&self, sys_object_id: Option<&Oid>, vendor: Option<&str>) -> Vec<Oid> {
        self.inventory_sources(sys_object_id, vendor)
            .iter()
            .map(|s| s.oid().clone())
            .collect()
    }

    /// Model, version and serial as the inventory rules read them from a device's
    /// observations; each [`inventory::Choice`] says how it ranks against the generic sources.
    pub fn inventory(&self, obs: &Observations, subject: &Subject<'_>) -> Inventory {
        self.inventory.apply(obs, subject)
    }

    /// The roots of the private subtrees of [`WATCHED_ORIGINS`], to probe on generic agents.
    pub fn watched_roots(&self) -> Vec<Oid> {
        self.enterprises
            .iter()
            .filter(|e| WATCHED_ORIGINS.contains(&e.origin.as_str()))
            .map(|e| enterprises_arc().child(e.pen))
            .collect()
    }

    /// Evidence from an SNMPv3 engine ID: its enterprise number (as strong as a sysObjectID's,
    /// and there before any credential), and the OUI of the MAC it carries.
    pub fn engine_id_evidence(&self, e: &EngineId) -> Vec<Evidence> {
        let (vendor, origin, w, how) = self.enterprise_claim(e.enterprise);
        let mut out = vec![Evidence {
            source: format!("SNMPv3 engine ID enterprise {}{how}", e.enterprise),
            value: e.hex.clone(),
            vendor,
            origin,
            weight: w,
        }];
        if let Some(mac) = e.mac() {
            out.extend(self.oui_evidence(
                "OUI of the engine ID's MAC".into(),
                mac,
                weight::CHASSIS_OUI,
            ));
        }
        out
    }

    /// What an enterprise number says of a maker, wherever it was read (sysObjectID, engine
    /// ID): its curated vendor and group with the enterprise weight; a generic agent's vendor
    /// with no group; else its registrant with the registry weight; nothing for an unassigned
    /// number. The last element is what the evidence's source adds ("" or " (registrant)").
    fn enterprise_claim(&self, pen: u32) -> (Option<String>, Option<String>, f64, &'static str) {
        match self.enterprises.get(pen) {
            Some(e) if e.is_generic_agent() => {
                (Some(e.vendor.clone()), None, weight::GENERIC_AGENT, "")
            }
            Some(e) => (
                Some(e.vendor.clone()),
                Some(e.origin.clone()),
                weight::ENTERPRISE,
                "",
            ),
            None => match self.names.enterprise(pen) {
                Some(r) => (
                    Some(r.vendor.clone()),
                    Some(r.origin.clone()),
                    weight::REGISTRY_ENTERPRISE,
                    " (IANA registrant)",
                ),
                None => (None, None, 0.0, ""),
            },
        }
    }

    /// Evidence from a sysObjectID.
    pub fn sys_object_id_evidence(&self, sys_object_id: &Oid) -> Option<Evidence> {
        let pen = *sys_object_id.suffix(&enterprises_arc())?.first()?;
        let (vendor, origin, weight, how) = self.enterprise_claim(pen);
        Some(Evidence {
            source: format!("sysObjectID enterprise {pen}{how}"),
            value: sys_object_id.to_string(),
            vendor,
            origin,
            weight,
        })
    }

    fn oui_evidence(&self, source: String, mac: [u8; 6], w: f64) -> Option<Evidence> {
        let registry = oui::OuiRegistry::active().ok()?;
        let oui::Lookup::Found(a) = registry.lookup(mac) else {
            return None;
        };
        let r = self.organisation(&a.organization);
        Some(Evidence {
            source,
            value: format!("{} ({} {})", hex_mac(mac), a.registry, a.organization),
            weight: if r.is_some() { w } else { 0.0 },
            vendor: Some(
                r.as_ref()
                    .map_or_else(|| a.organization.clone(), |r| r.vendor.clone()),
            ),
            origin: r.map(|r| r.origin),
        })
    }

    /// Evidence from the chassis row of ENTITY-MIB: its manufacturer when that is a known
    /// vendor (the ENTITY-MIB weight); else the names its manufacturer, description and model
    /// name hold ([`Identifier::named_in`]), one piece per vendor, with the unknown
    /// manufacturer kept at weight 0 for the reader.
    fn chassis_evidence(&self, chassis: &Module) -> Vec<Evidence> {
        let mfg = chassis.manufacturer.as_deref();
        if let Some((mfg, r)) = mfg.and_then(|m| Some((m, self.vendors.resolve(m)?))) {
            return vec![Evidence {
                source: format!("entPhysicalMfgName of chassis {}", chassis.index),
                value: mfg.to_string(),
                vendor: Some(r.vendor.clone()),
                origin: Some(r.origin.clone()),
                weight: weight::ENTITY_MFG,
            }];
        }
        let mut out: Vec<Evidence> = mfg
            .map(|m| Evidence {
                source: format!("entPhysicalMfgName of chassis {}", chassis.index),
                value: m.to_string(),
                vendor: Some(m.to_string()),
                origin: None,
                weight: 0.0,
            })
            .into_iter()
            .collect();
        for (object, text) in [
            ("entPhysicalMfgName", mfg),
            ("entPhysicalDescr", chassis.description.as_deref()),
            ("entPhysicalModelName", chassis.model.as_deref()),
        ] {
            let Some(text) = text else { continue };
            let source = format!("{object} of chassis {}", chassis.index);
            for e in self.named_in(&source, text, weight::NAMED_IN_TEXT) {
                if !out
                    .iter()
                    .any(|o| o.origin.is_some() && o.origin == e.origin)
                {
                    out.push(e);
                }
            }
        }
        out
    }

    /// Identifies one device from its facts.
    pub fn identify(&self, facts: &Facts<'_>) -> Identification {
        let mut evidence = Vec::new();
        let enterprise = facts
            .sys_object_id
            .and_then(|o| self.sys_object_id_evidence(o));
        let maker_known = enterprise.as_ref().is_some_and(|e| e.origin.is_some());
        evidence.extend(enterprise);

        let described = facts
            .sys_descr
            .and_then(|d| self.sysdescr.matches(d, &self.vendors));
        // A rule that names a maker knows its text better than a name found in it.
        if let Some(d) = facts.sys_descr
            && described
                .as_ref()
                .is_none_or(|m| m.maker.is_none() && m.vendor.is_none())
        {
            evidence.extend(self.named_in(
                "sysDescr",
                without_uname_host(d),
                weight::NAMED_IN_TEXT,
            ));
        }
        if let Some(m) = &described {
            let named_only = m.rule.ends_with("-named");
            let maker = m.maker.as_ref().or(m.vendor.as_ref());
            evidence.push(Evidence {
                source: format!("sysDescr rule {}", m.rule),
                value: facts.sys_descr.unwrap_or_default().to_string(),
                vendor: maker.map(|v| v.vendor.clone()),
                origin: maker.map(|v| v.origin.clone()),
                weight: if named_only {
                    weight::SYSDESCR_NAMED
                } else {
                    weight::SYSDESCR
                },
            });
        }

        if let Some(chassis) = facts.chassis {
            evidence.extend(self.chassis_evidence(chassis));
        }

        if !maker_known {
            for oid in &facts.private_oids {
                let Some(&pen) = oid.suffix(&enterprises_arc()).and_then(|s| s.first()) else {
                    continue;
                };
                let Some(e) = self.enterprises.get(pen) else {
                    continue;
                };
                if e.is_generic_agent() {
                    continue;
                }
                evidence.push(Evidence {
                    source: format!("private subtree of enterprise {pen} answers"),
                    value: oid.to_string(),
                    vendor: Some(e.vendor.clone()),
                    origin: Some(e.origin.clone()),
                    weight: weight::PRIVATE_SUBTREE,
                });
            }
        }

        if let Some(e) = facts.engine_id {
            evidence.extend(self.engine_id_evidence(e));
        }
        if let Some(mac) = facts.chassis_mac {
            evidence.extend(self.oui_evidence(
                "OUI of chassis MAC".into(),
                mac,
                weight::CHASSIS_OUI,
            ));
        }
        if let Some(mac) = majority_oui(&facts.interface_macs) {
            evidence.extend(self.oui_evidence(
                "OUI of most interface MACs".into(),
                mac,
                weight::INTERFACE_OUI,
            ));
        }

        let mut id = self.combine(evidence);
        if let Some(m) = described {
            let shown = m.vendor.as_ref().map(|v| &v.vendor);
            if id.origin.is_some() && shown.is_some() && shown != id.vendor.as_ref() {
                id.brand = shown.cloned();
            }
            id.model = m.model;
            id.os = m.os;
            id.version = m.version;
        }
        if let Some(c) = facts.chassis {
            id.model = id.model.or_else(|| c.model.clone());
            id.version = id.version.or_else(|| c.software_rev.clone());
        }
        id
    }

    /// Combines evidence: per company group, weights add as independent chances
    /// (1 - Π(1 - w)); the strongest group wins; evidence for other groups are conflicts and
    /// lower the confidence.
    pub fn combine(&self, evidence: Vec<Evidence>) -> Identification {
        let mut scores: BTreeMap<&str, f64> = BTreeMap::new();
        for e in &evidence {
            if let Some(o) = &e.origin {
                let s = scores.entry(o.as_str()).or_insert(0.0);
                *s = 1.0 - (1.0 - *s) * (1.0 - e.weight.clamp(0.0, 1.0));
            }
        }
        let Some((&winner, &score)) = scores
            .iter()
            .filter(|(_, s)| **s > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
        else {
            return Identification {
                evidence,
                ..Identification::default()
            };
        };
        let runner_up = scores
            .iter()
            .filter(|(o, _)| **o != winner)
            .map(|(_, s)| *s)
            .fold(0.0, f64::max);
        let vendor = evidence
            .iter()
            .filter(|e| e.origin.as_deref() == Some(winner) && e.vendor.is_some())
            .max_by(|a, b| a.weight.total_cmp(&b.weight))
            .and_then(|e| e.vendor.clone());
        let conflicts = evidence
            .iter()
            .filter(|e| e.origin.is_some() && e.origin.as_deref() != Some(winner) && e.weight > 0.0)
            .cloned()
            .collect();
        Identification {
            vendor,
            origin: Some(winner.to_string()),
            confidence: ((score - runner_up / 2.0).max(0.0) * 100.0).round() / 100.0,
            evidence,
            conflicts,
            ..Identification::default()
        }
    }

    /// The vendor and group of a module from its own ENTITY-MIB manufacturer.
    pub fn module_vendor(&self, m: &Module) -> Option<&VendorRef> {
        m.manufacturer
            .as_deref()
            .and_then(|mfg| self.vendors.resolve(mfg))
    }
}

/// Colon-separated hex.
pub fn hex_mac(mac: [u8; 6]) -> String {
    crate::wire::ethernet::mac_string(&mac)
}

/// A sysDescr without the host name that `uname -a` puts second ("Linux cray 2.6.21 ...",
/// "FreeBSD fw1.example.org 13.2-RELEASE ..."): net-snmp and bsnmpd describe a Unix system by
/// its uname, and the host name is the administrator's word, not the maker's.
fn without_uname_host(descr: &str) -> &str {
    const KERNELS: [&str; 7] = [
        "Linux", "FreeBSD", "NetBSD", "OpenBSD", "SunOS", "Darwin", "HP-UX",
    ];
    let mut words = descr.split_whitespace();
    match (words.next(), words.next()) {
        (Some(kernel), Some(host)) if KERNELS.contains(&kernel) => descr
            .find(host)
            .map_or(descr, |at| &descr[at + host.len()..]),
        _ => descr,
    }
}

/// The MAC whose OUI (first three octets) most interface MACs share; ties go to the lowest.
/// Locally administered and multicast MACs are left out.
fn majority_oui(macs: &[[u8; 6]]) -> Option<[u8; 6]> {
    let mut counts: BTreeMap<[u8; 3], ([u8; 6], usize)> = BTreeMap::new();
    for m in macs.iter().filter(|m| m[0] & 0x03 == 0) {
        counts.entry([m[0], m[1], m[2]]).or_insert((*m, 0)).1 += 1;
    }
    counts.into_values().max_by_key(|(_, n)| *n).map(|(m, _)| m)
}

/// The private enterprise OIDs among observations: the first under each enterprise number.
pub fn private_oids(obs: &Observations) -> Vec<&Oid> {
    let arc = enterprises_arc();
    let mut seen = Vec::new();
    // CISCO-CDP-MIB lives under Cisco's arc but other makers' agents implement it too (the walk
    // plan asks every agent for its cdpCacheTable): an answer there says nothing of the maker.
    let cdp: Oid = "1.3.6.1.4.1.9.9.23".parse().unwrap_or_default();
    // Seek from subtree to subtree instead of reading every private value: a full recording
    // holds tens of thousands of them under a handful of enterprises.
    let mut from = arc.clone();
    while let Some((oid, _)) = obs.values.range(from..).next() {
        let Some(&pen) = oid.suffix(&arc).and_then(|s| s.first()) else {
            break;
        };
        from = if oid.starts_with(&cdp) {
            // Past the CDP subtree; the rest of Cisco's arc still counts.
            subtree_end(&cdp)
        } else {
            seen.push(oid);
            match pen.checked_add(1) {
                Some(next) => arc.child(next),
                None => break,
            }
        };
    }
    seen
}

/// The first OID after every OID under `root` (its last sub-identifier plus one).
fn subtree_end(root: &Oid) -> Oid {
    let mut arcs = root.arcs().to_vec();
    if let Some(last) = arcs.last_mut() {
        *last = last.saturating_add(1);
    }
    Oid::new(arcs)
}

/// A six-octet MAC from a value.
pub fn mac_of(v: Option<&Value>) -> Option<[u8; 6]> {
    let b: [u8; 6] = v?.as_bytes()?.try_into().ok()?;
    (b != [0; 6]).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Identifier {
        Identifier::bundled().unwrap()
    }

    #[test]
    fn huawei_enterprise_number_identifies_huawei() {
        let oid: Oid = "1.3.6.1.4.1.2011.2.23.96".parse().unwrap();
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            ..Facts::default()
        });
        assert_eq!(r.vendor.as_deref(), Some("Huawei"));
        assert_eq!(r.origin.as_deref(), Some("huawei"));
        assert!(r.confidence > 0.5);
        assert_eq!(r.evidence[0].source, "sysObjectID enterprise 2011");
    }

    #[test]
    fn generic_agent_is_evidence_but_not_a_maker() {
        let oid: Oid = "1.3.6.1.4.1.8072.3.2.10".parse().unwrap();
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            sys_descr: Some("Linux gse 2.6.27"),
            ..Facts::default()
        });
        assert_eq!((r.vendor, r.origin), (None, None));
        assert_eq!(r.evidence.len(), 1);
    }

    #[test]
    fn a_huawei_subtree_behind_net_snmp_gives_it_away() {
        let oid: Oid = "1.3.6.1.4.1.8072.3.2.10".parse().unwrap();
        let private: Oid = "1.3.6.1.4.1.2011.6.164.1.1.1.1.0".parse().unwrap();
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            private_oids: vec![&private],
            ..Facts::default()
        });
        assert_eq!(r.origin.as_deref(), Some("huawei"));
        assert!(
            r.evidence
                .iter()
                .any(|e| e.source.starts_with("private subtree of enterprise 2011"))
        );
    }

    #[test]
    fn a_cdp_cache_is_not_cisco_evidence_but_other_cisco_subtrees_are() {
        use crate::wire::VarBind;
        let vb = |o: &str| VarBind {
            oid: o.parse().unwrap(),
            value: Value::Integer(1),
        };
        let mut obs = Observations::default();
        obs.extend([
            vb("1.3.6.1.4.1.9.9.23.1.2.1.1.4.1.1"),
            vb("1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.1"),
        ]);
        let seen: Vec<String> = private_oids(&obs).iter().map(|o| o.to_string()).collect();
        assert_eq!(seen, ["1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.1"]);
        obs.extend([vb("1.3.6.1.4.1.9.9.109.1.1.1.1.2.1")]);
        let seen: Vec<String> = private_oids(&obs).iter().map(|o| o.to_string()).collect();
        assert_eq!(
            seen,
            [
                "1.3.6.1.4.1.9.9.109.1.1.1.1.2.1",
                "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.1"
            ]
        );
    }

    #[test]
    fn an_hp_branded_comware_switch_is_h3c_made_and_says_both() {
        let oid: Oid = "1.3.6.1.4.1.25506.11.1.120".parse().unwrap();
        let descr = "HPE Comware Platform Software, Software Version 7.1.045, Release 2422P01\nHPE 5900AF-48G-4XG-2QSFP+ Switch\r\nCopyright";
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            sys_descr: Some(descr),
            ..Facts::default()
        });
        assert_eq!(r.vendor.as_deref(), Some("H3C"));
        assert_eq!(r.brand.as_deref(), Some("HPE"));
        // An HP manufacturer name on the chassis disagrees, and is kept as a conflict.
        let chassis = Module {
            index: 1,
            class: Some("chassis".into()),
            manufacturer: Some("HP".into()),
            ..Module::default()
        };
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            sys_descr: Some(descr),
            chassis: Some(&chassis),
            ..Facts::default()
        });
        assert_eq!(
            (r.vendor.as_deref(), r.brand.as_deref()),
            (Some("H3C"), Some("HPE"))
        );
        assert_eq!(r.conflicts.len(), 1);
        assert!(
            r.confidence < 0.9,
            "a conflict lowers confidence: {}",
            r.confidence
        );
        assert_eq!(r.model.as_deref(), Some("5900AF-48G-4XG-2QSFP+"));
    }

    #[test]
    fn evidence_of_one_group_adds_up() {
        let oid: Oid = "1.3.6.1.4.1.2011.2.23.291".parse().unwrap();
        let descr = "Huawei AR169F Huawei Versatile Routing Platform Software  VRP (R) software,Version 5.170 (AR160 V200R009C00SPC500)";
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            sys_descr: Some(descr),
            ..Facts::default()
        });
        assert!(r.confidence > 0.97, "{}", r.confidence);
        assert_eq!(
            (r.model.as_deref(), r.version.as_deref()),
            (Some("AR169F"), Some("V200R009C00SPC500"))
        );
    }

    #[test]
    fn a_registry_only_enterprise_names_its_cleaned_registrant() {
        // 15 is "Xylogics, Inc." in the IANA registry; rules/enterprises.tsv has no row for it.
        let oid: Oid = "1.3.6.1.4.1.15.1.2".parse().unwrap();
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            ..Facts::default()
        });
        assert_eq!(
            (r.vendor.as_deref(), r.origin.as_deref()),
            (Some("Xylogics"), Some("xylogics"))
        );
        assert_eq!(r.evidence[0].weight, weight::REGISTRY_ENTERPRISE);
        assert!(r.evidence[0].source.contains("IANA registrant"));
        // The same number in an engine ID.
        let e = EngineId::decode(&[0x80, 0, 0, 15, 4, b'x']).unwrap();
        assert_eq!(
            id().engine_id_evidence(&e)[0].origin.as_deref(),
            Some("xylogics")
        );
    }

    #[test]
    fn a_curated_row_wins_over_the_registrant() {
        // 3709 is registered to Teracom Telematica; the curated row says Datacom.
        let oid: Oid = "1.3.6.1.4.1.3709.1".parse().unwrap();
        let e = id().sys_object_id_evidence(&oid).unwrap();
        assert_eq!(e.vendor.as_deref(), Some("Datacom"));
        assert_eq!(e.weight, weight::ENTERPRISE);
        // A registry-only number does not outweigh a sysDescr rule of another vendor.
        let oid: Oid = "1.3.6.1.4.1.15.1".parse().unwrap();
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            sys_descr: Some(
                "Huawei Versatile Routing Platform Software VRP (R) software, Version 5.170",
            ),
            ..Facts::default()
        });
        assert_eq!(r.origin.as_deref(), Some("huawei"));
        // The registrant stays in view, as a conflict.
        assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
        assert_eq!(r.conflicts[0].origin.as_deref(), Some("xylogics"));
    }

    #[test]
    fn agent_toolkits_name_no_vendor() {
        // lwIP's agent answers with 26381 unless the firmware sets its own; AGENT++ with 4976;
        // VxWorks' with Wind River's 731.
        for pen in [26381, 4976, 731, 8072] {
            let oid = enterprises_arc().child(pen);
            let r = id().identify(&Facts {
                sys_object_id: Some(&oid),
                ..Facts::default()
            });
            assert_eq!(r.origin, None, "{pen}");
            assert_eq!(r.evidence[0].weight, weight::GENERIC_AGENT, "{pen}");
        }
    }

    #[test]
    fn a_sysdescr_naming_a_registrant_is_evidence() {
        let oid: Oid = "1.3.6.1.4.1.8072.3.2.10".parse().unwrap();
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            sys_descr: Some(
                "GR-2408 industrial switch, made by Shenzhen Guanri Technology Co., Ltd.",
            ),
            ..Facts::default()
        });
        assert_eq!(r.origin.as_deref(), Some("shenzhen-guanri-technology"));
        assert_eq!(r.vendor.as_deref(), Some("Shenzhen Guanri Technology"));
        let named = r
            .evidence
            .iter()
            .find(|e| e.source.contains("names"))
            .unwrap();
        assert_eq!(named.weight, weight::NAMED_IN_TEXT);
        // The chassis' description when its manufacturer is no known vendor.
        let chassis = Module {
            index: 1,
            class: Some("chassis".into()),
            manufacturer: Some("OEM".into()),
            description: Some("Shenzhen Guanri Technology GR-2408".into()),
            ..Module::default()
        };
        let r = id().identify(&Facts {
            chassis: Some(&chassis),
            ..Facts::default()
        });
        assert_eq!(r.origin.as_deref(), Some("shenzhen-guanri-technology"));
    }

    #[test]
    fn english_word_registrants_do_not_fire_in_text() {
        // 4 is registered to "Unix"; "switch", "gateway" and "core" are registrants' names too.
        // Only Xylogics, a name that is no word, counts.
        let r = id().identify(&Facts {
            sys_descr: Some("Unix core switch and Internet gateway, firmware by Xylogics"),
            ..Facts::default()
        });
        let named: Vec<&str> = r
            .evidence
            .iter()
            .filter_map(|e| e.origin.as_deref())
            .collect();
        assert_eq!(named, ["xylogics"], "{:?}", r.evidence);
        // A Linux host name is the administrator's word.
        let r = id().identify(&Facts {
            sys_descr: Some("Linux xylogics 2.6.21.5-smp #2 SMP i686"),
            ..Facts::default()
        });
        assert_eq!(r.origin, None, "{:?}", r.evidence);
    }

    #[test]
    fn an_oui_outside_the_vendor_table_names_the_cleaned_organisation() {
        // 00-15-3A: "Shenzhen Syscan Technology Co.,Ltd." in the IEEE registry.
        let r = id().identify(&Facts {
            chassis_mac: Some([0x00, 0x15, 0x3a, 1, 2, 3]),
            ..Facts::default()
        });
        assert_eq!(
            (r.vendor.as_deref(), r.origin.as_deref()),
            (
                Some("Shenzhen Syscan Technology"),
                Some("shenzhen-syscan-technology")
            )
        );
        assert_eq!(r.evidence[0].weight, weight::CHASSIS_OUI);
    }

    #[test]
    fn majority_oui_ignores_locally_administered() {
        let a = [0x00, 0xe0, 0xfc, 0, 0, 1];
        let l = [0x02, 0, 0, 0, 0, 1];
        assert_eq!(majority_oui(&[l, l, l, a]), Some(a));
        assert_eq!(majority_oui(&[l]), None);
    }
}
