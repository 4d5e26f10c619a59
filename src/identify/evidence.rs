//! The sources of evidence: enterprise numbers (sysObjectID, engine ID), OUIs, the chassis'
//! ENTITY-MIB row, manufacturer fields, and what a sysDescr rule's match says.

use std::collections::BTreeMap;

use super::{
    Facts, Identifier, Module, VendorRef, enterprises_arc, hex_mac, oui, sysdescr, weight,
};
use crate::record::Evidence;
use crate::wire::Oid;
use crate::wire::engine_id::EngineId;

impl Identifier {
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
            None => match self.names().enterprise(pen) {
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
    ///
    /// Two kinds of sysObjectID name another maker than the holder of their first
    /// enterprise number. An OEM's own enterprise OID embedded in its supplier's arc
    /// (RADLAN-based switches answer 1.3.6.1.4.1.89.1.1.1.3.6.1.4.1.4526.…, Netgear's 4526
    /// inside RND's 89): the embedded enterprise is the maker. A product line that kept the arc
    /// it was born under when it changed hands (`rules/arcs.tsv`): the arc's vendor is.
    pub fn sys_object_id_evidence(&self, sys_object_id: &Oid) -> Option<Evidence> {
        let arcs = sys_object_id.suffix(&enterprises_arc())?;
        let outer = *arcs.first()?;
        const ENTERPRISES: [u32; 6] = [1, 3, 6, 1, 4, 1];
        let embedded = (1..arcs.len())
            .find(|&i| arcs[i..].starts_with(&ENTERPRISES) && arcs.len() > i + ENTERPRISES.len())
            .map(|i| arcs[i + ENTERPRISES.len()]);
        if let Some((_, r)) = self
            .arcs
            .iter()
            .filter(|(arc, _)| arcs.starts_with(arc))
            .max_by_key(|(arc, _)| arc.len())
        {
            return Some(Evidence {
                source: format!("sysObjectID under product-line arc of enterprise {outer}"),
                value: sys_object_id.to_string(),
                vendor: Some(r.vendor.clone()),
                origin: Some(r.origin.clone()),
                weight: weight::ENTERPRISE,
            });
        }
        let pen = embedded.unwrap_or(outer);
        let (vendor, origin, weight, how) = self.enterprise_claim(pen);
        let how = match embedded {
            Some(_) => format!("{how}, embedded in enterprise {outer}'s arc"),
            None => how.to_string(),
        };
        Some(Evidence {
            source: format!("sysObjectID enterprise {pen}{how}"),
            value: sys_object_id.to_string(),
            vendor,
            origin,
            weight,
        })
    }

    pub(super) fn oui_evidence(&self, source: String, mac: [u8; 6], w: f64) -> Option<Evidence> {
        let registry = oui::OuiRegistry::active().ok()?;
        let oui::Lookup::Found(a) = registry.lookup(mac) else {
            return None;
        };
        // A part's maker (a network chip's, a white-label board's) names no device maker.
        let r = self
            .organisation(&a.organization)
            .filter(|_| !self.names().is_part_maker(&a.organization));
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
    pub(super) fn chassis_evidence(&self, chassis: &Module) -> Vec<Evidence> {
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

    /// Evidence from a manufacturer field: its vendor where the name resolves (with weight
    /// `w`), else the name as said, with no weight.
    pub(super) fn maker_evidence(&self, source: String, name: &str, w: f64) -> Evidence {
        let r = self.vendors.resolve(name);
        Evidence {
            source,
            value: name.to_string(),
            vendor: Some(r.map_or_else(|| name.to_string(), |r| r.vendor.clone())),
            origin: r.map(|r| r.origin.clone()),
            weight: if r.is_some() { w } else { 0.0 },
        }
    }

    /// The maker most ENTITY-MIB rows other than the chassis name (resolved to a vendor; ties
    /// go to the first met), as weak evidence for the device: see [`weight::MODULE_MFG`].
    pub(super) fn modules_maker(&self, facts: &Facts<'_>) -> Option<Evidence> {
        let chassis = facts.chassis.map(|c| c.index);
        // Each distinct spelling is resolved once: big routers list hundreds of rows.
        let mut names: Vec<(&str, usize)> = Vec::new();
        // Pluggable transceivers, which ENTITY-MIB lists as ports, are anyone's: left out.
        let counted = |m: &&Module| {
            Some(m.index) != chassis && m.class != Some(crate::record::EntityClass::Port)
        };
        for m in facts.modules.iter().filter(counted) {
            let Some(mfg) = m.manufacturer.as_deref() else {
                continue;
            };
            match names.iter_mut().find(|(n, _)| *n == mfg) {
                Some((_, k)) => *k += 1,
                None => names.push((mfg, 1)),
            }
        }
        let mut votes: Vec<(&VendorRef, usize, &str)> = Vec::new();
        for (name, k) in names {
            let Some(r) = self.vendors.resolve(name) else {
                continue;
            };
            match votes.iter_mut().find(|(v, _, _)| *v == r) {
                Some((_, n, _)) => *n += k,
                None => votes.push((r, k, name)),
            }
        }
        let total: usize = votes.iter().map(|(_, k, _)| k).sum();
        let (r, k, name) = votes.into_iter().rev().max_by_key(|(_, k, _)| *k)?;
        Some(Evidence {
            source: format!("entPhysicalMfgName of {k} of {total} modules naming a maker"),
            value: name.to_string(),
            vendor: Some(r.vendor.clone()),
            origin: Some(r.origin.clone()),
            weight: weight::MODULE_MFG,
        })
    }
}

/// A sysDescr without the host name that `uname -a` puts second ("Linux cray 2.6.21 ...",
/// "FreeBSD fw1.example.org 13.2-RELEASE ..."): net-snmp and bsnmpd describe a Unix system by
/// its uname, and the host name is the administrator's word, not the maker's.
pub(super) fn without_uname_host(descr: &str) -> &str {
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
pub(super) fn majority_oui(macs: &[[u8; 6]]) -> Option<[u8; 6]> {
    let mut counts: BTreeMap<[u8; 3], ([u8; 6], usize)> = BTreeMap::new();
    for m in macs.iter().filter(|m| m[0] & 0x03 == 0) {
        counts.entry([m[0], m[1], m[2]]).or_insert((*m, 0)).1 += 1;
    }
    counts.into_values().max_by_key(|(_, n)| *n).map(|(m, _)| m)
}

/// Evidence from a sysDescr rule matching `text` read from `source`: the maker (or the vendor
/// the text shows), weighing `full`, or `named` for a last-resort rule that merely found a name.
pub(super) fn rule_evidence(
    source: &str,
    text: &str,
    m: &sysdescr::Match,
    full: f64,
    named: f64,
) -> Evidence {
    let maker = m.maker.as_ref().or(m.vendor.as_ref());
    Evidence {
        source: format!("{source} rule {}", m.rule),
        value: text.to_string(),
        vendor: maker.map(|v| v.vendor.clone()),
        origin: maker.map(|v| v.origin.clone()),
        weight: if m.rule.ends_with("-named") {
            named
        } else {
            full
        },
    }
}
