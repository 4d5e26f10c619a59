//! Identification: whose device is it? Every source yields [`Evidence`] with a weight; the
//! evidence is combined per company group (origin) and the strongest group wins. Evidence for
//! another group is kept as a conflict, never hidden.
//!
//! Sources and weights (see [`weight`]):
//! - the enterprise number under sysObjectID (`1.3.6.1.4.1.PEN`) or in the SNMPv3 engine ID,
//!   against `rules/enterprises.tsv` (0.9); a generic agent's number (net-snmp, Windows, the
//!   agent toolkits) says the agent, not the maker (0.1, no group); a number with no curated
//!   row names its registrant in the whole IANA registry ([`iana`], as [`names`] cleans and
//!   resolves it) at 0.45: the registry says who holds the number, but OEM firmware answers
//!   with its supplier's number (or squats an unassigned one) often enough that a curated
//!   row, any sysDescr rule or the ENTITY-MIB manufacturer must outweigh it, while it still
//!   outweighs a name found in text and a MAC's OUI;
//! - a sysDescr fingerprint of `rules/sysdescr.toml` (vendor, model, OS, version);
//! - the ENTITY-MIB manufacturer of the chassis (RFC 6933 entPhysicalMfgName), the chassis'
//!   entPhysicalDescr where that field is empty, and the modules' manufacturers where the
//!   chassis names none;
//! - the other standard objects that name a maker: UPS-MIB upsIdentManufacturer (RFC 1628),
//!   the printer's PRINTER-MIB prtGeneralPrinterName (RFC 3805) and HOST-RESOURCES-MIB
//!   hrDeviceDescr (RFC 2790), the LLDP-MIB local system description where sysDescr says
//!   nothing ([`Facts`] keeps each free text with its source);
//! - an organisation or brand named in free text ([`Identifier::named_in`], 0.4): a sysDescr
//!   no rule claims, the chassis' entPhysicalMfgName, entPhysicalDescr and
//!   entPhysicalModelName when the manufacturer is no known vendor, and the standard texts
//!   above where no rule knows them. Below a sysDescr rule that merely names a vendor (0.5):
//!   a rule is written and checked for that vendor's text, while a name found in text is only
//!   a name (a reseller's, a licence's, a partner's); below a registry enterprise number,
//!   which the device's maker chose;
//! - the private subtrees that answer: the first [`MAX_PRIVATE_SUBTREES`] enterprise subtrees a
//!   device serves, in OID order ([`SubtreeSteps`], the same steps for a sweep and for a
//!   recording), each evidence for its owner: strong where the sysObjectID names no maker
//!   (Huawei power units answer with net-snmp's sysObjectID and a plain Linux sysDescr, but
//!   their own 1.3.6.1.4.1.2011 subtree gives them away), weak beside a maker's sysObjectID;
//! - the IEEE OUI of the chassis MAC, of the bridge's base MAC and of the interfaces' MACs
//!   (weak: a NIC's maker is often not the device's); an organisation no table knows is named
//!   by its cleaned name, with its own group key ([`names::clean_organisation`]).
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
pub mod oui_lookup;
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
    /// An enterprise number with no curated row: its registrant in the IANA registry. Below
    /// a sysDescr rule, even one that only finds a maker's word (0.5): a rule is curated
    /// knowledge checked against that maker's texts, while an uncurated number may be one the
    /// firmware squats (Hikvision's recorders answer with 1.3.6.1.4.1.50001, which IANA gave
    /// to Scildon). Above a name found in text and a MAC's OUI.
    pub const REGISTRY_ENTERPRISE: f64 = 0.45;
    /// An organisation or brand named in a device's free text (sysDescr with no rule,
    /// ENTITY-MIB and UPS-MIB texts).
    pub const NAMED_IN_TEXT: f64 = 0.4;
    /// A sysDescr fingerprint.
    pub const SYSDESCR: f64 = 0.8;
    /// A sysDescr that merely names a vendor somewhere.
    pub const SYSDESCR_NAMED: f64 = 0.5;
    /// The chassis' ENTITY-MIB manufacturer (RFC 6933 entPhysicalMfgName).
    pub const ENTITY_MFG: f64 = 0.85;
    /// The manufacturer most of the other ENTITY-MIB rows (boards, power supplies, fans; not
    /// ports, which is how pluggable optics are listed) name, counted for the device only where
    /// the chassis names no maker, and weakly: optics and OEM boards are anyone's (a Huawei
    /// optic in a Cisco box is the optic's verdict, which each module gets on its own, not the
    /// box's vendor).
    pub const MODULE_MFG: f64 = 0.25;
    /// UPS-MIB upsIdentManufacturer (RFC 1628, 1.3.6.1.2.1.33.1.1.1.0): the maker of the UPS
    /// the agent manages, as its own firmware names it. Below entPhysicalMfgName: the SNMP
    /// card in a UPS is often another company's, and some fill in the card's maker.
    pub const UPS_MFG: f64 = 0.8;
    /// A sysDescr rule matching another standard free text that describes the device: the
    /// chassis' entPhysicalDescr where its entPhysicalMfgName is empty (RFC 6933), the
    /// printer's prtGeneralPrinterName (RFC 3805) and hrDeviceDescr (RFC 2790). These texts
    /// are shorter and less often the maker's own wording than a sysDescr.
    pub const STANDARD_TEXT: f64 = 0.6;
    /// The same texts where only a last-resort rule (a vendor named somewhere) matches.
    pub const STANDARD_TEXT_NAMED: f64 = 0.4;
    /// A vendor's private subtree answering where the sysObjectID names no maker (a generic
    /// agent such as net-snmp, an unknown enterprise, or none).
    pub const PRIVATE_SUBTREE: f64 = 0.7;
    /// A private subtree of another enterprise answering beside a sysObjectID that names the
    /// maker: agents implement other vendors' MIBs (OEM firmware, compatibility), so it is
    /// mostly a conflict to show, barely a vote.
    pub const PRIVATE_SUBTREE_BESIDE_MAKER: f64 = 0.1;
    /// The OUI of the chassis MAC (LLDP-MIB lldpLocChassisId, or the engine ID's MAC).
    pub const CHASSIS_OUI: f64 = 0.3;
    /// The OUI of BRIDGE-MIB dot1dBaseBridgeAddress (RFC 4188, 1.3.6.1.2.1.17.1.1.0), the
    /// bridge's own MAC, usually the chassis' base MAC; counted only where its OUI differs from
    /// the chassis MAC's and the engine ID's (the same fact is not counted twice).
    pub const BRIDGE_OUI: f64 = 0.3;
    /// The OUI shared by most interface MACs.
    pub const INTERFACE_OUI: f64 = 0.2;
    /// A neighbour's LLDP system description of a device (scaled from the sysDescr weights).
    pub const NEIGHBOR_SCALE: f64 = 0.8;
}

/// The enterprises arc, 1.3.6.1.4.1.
pub fn enterprises_arc() -> Oid {
    crate::oid![1, 3, 6, 1, 4, 1]
}

/// How many enterprise subtrees are looked for, in OID order, on each device: a sweep asks one
/// GETNEXT per subtree found (plus the one that finds none), and offline identification of a
/// full recording takes the same first ones, so both come to the same evidence.
pub const MAX_PRIVATE_SUBTREES: usize = 8;

/// Identifies devices from their observations.
#[derive(Debug, Clone)]
pub struct Identifier {
    enterprises: Enterprises,
    vendors: Vendors,
    sysdescr: SysDescrRules,
    inventory: InventoryRules,
    names: &'static Names,
    /// Product-line arcs that name another maker than the enterprise's holder
    /// (`rules/arcs.tsv`): the arc's sub-identifiers after 1.3.6.1.4.1, and its vendor.
    arcs: Vec<(Vec<u32>, VendorRef)>,
}

/// What the identifier is given about one device, however it was learnt.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// sysObjectID.
    pub sys_object_id: Option<&'a Oid>,
    /// sysDescr (or an LLDP system description).
    pub sys_descr: Option<&'a str>,
    /// The device's own LLDP system description (LLDP-MIB lldpLocSysDesc, else LLDP-V2-MIB
    /// lldpV2LocSysDesc): read as sysDescr is where sysDescr is empty or no rule knows it.
    pub local_sys_descr: Option<&'a str>,
    /// The chassis row of ENTITY-MIB, if any.
    pub chassis: Option<&'a Module>,
    /// Every ENTITY-MIB row, the chassis' included.
    pub modules: &'a [Module],
    /// Maker names read from standard objects other than ENTITY-MIB (upsIdentManufacturer):
    /// (source, name). Each is a manufacturer field, resolved as one.
    pub maker_names: Vec<(String, &'a str)>,
    /// Free texts of standard objects that may name the maker (the chassis' entPhysicalDescr
    /// where its entPhysicalMfgName is empty, the printer's prtGeneralPrinterName and
    /// hrDeviceDescr): (source, text). The sysDescr rules run over each.
    pub texts: Vec<(String, &'a str)>,
    /// Model names of standard objects (upsIdentModel), the model where nothing better says
    /// one: (source, model).
    pub models: Vec<(String, &'a str)>,
    /// The chassis MAC.
    pub chassis_mac: Option<[u8; 6]>,
    /// BRIDGE-MIB dot1dBaseBridgeAddress.
    pub bridge_mac: Option<[u8; 6]>,
    /// Interface MACs.
    pub interface_macs: Vec<[u8; 6]>,
    /// The first OID of each private enterprise subtree that answered, in OID order, as
    /// [`private_oids`] or a sweep's [`SubtreeSteps`] found them.
    pub private_oids: Vec<Oid>,
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
        let arcs = product_arcs(
            "rules/arcs.tsv",
            include_str!("../../rules/arcs.tsv"),
            &vendors,
        )?;
        Ok(Identifier {
            enterprises,
            vendors,
            sysdescr,
            inventory,
            names: Names::bundled(),
            arcs,
        })
    }

    /// This identifier less every sysDescr and inventory rule and example whose `from` names
    /// `recording` (a file name of `tests/data/snmprec`): what it would know had that device
    /// never been recorded.
    pub fn without(&self, recording: &str) -> Self {
        Identifier {
            sysdescr: self.sysdescr.without(recording),
            inventory: self.inventory.without(recording),
            ..self.clone()
        }
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
    /// reads "`<source>` names `<name>`", its value is the text.
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

    fn oui_evidence(&self, source: String, mac: [u8; 6], w: f64) -> Option<Evidence> {
        let registry = oui::OuiRegistry::active().ok()?;
        let oui::Lookup::Found(a) = registry.lookup(mac) else {
            return None;
        };
        // A part's maker (a network chip's, a white-label board's) names no device maker.
        let r = self
            .organisation(&a.organization)
            .filter(|_| !self.names.is_part_maker(&a.organization));
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

        // sysDescr, or where it is empty or no rule knows it, the LLDP local description.
        let described = [
            ("sysDescr", facts.sys_descr),
            ("lldpLocSysDesc", facts.local_sys_descr),
        ]
        .into_iter()
        .find_map(|(source, text)| {
            let text = text?;
            let m = self.sysdescr.matches(text, &self.vendors)?;
            Some((source, text, m))
        });
        if let Some((source, text, m)) = &described {
            evidence.push(rule_evidence(
                source,
                text,
                m,
                weight::SYSDESCR,
                weight::SYSDESCR_NAMED,
            ));
        }

        // A rule that names a maker knows its text better than a name found in it.
        if let Some((source, text)) = [
            ("sysDescr", facts.sys_descr),
            ("lldpLocSysDesc", facts.local_sys_descr),
        ]
        .into_iter()
        .find_map(|(source, text)| Some((source, text?)))
        .filter(|_| {
            described
                .as_ref()
                .is_none_or(|(_, _, m)| m.maker.is_none() && m.vendor.is_none())
        }) {
            evidence.extend(self.named_in(source, without_uname_host(text), weight::NAMED_IN_TEXT));
        }

        let chassis_mfg = facts.chassis.and_then(|c| c.manufacturer.as_deref());
        if let Some(chassis) = facts.chassis {
            evidence.extend(self.chassis_evidence(chassis));
        }
        if chassis_mfg.and_then(|m| self.vendors.resolve(m)).is_none() {
            evidence.extend(self.modules_maker(facts));
        }
        for (source, name) in &facts.maker_names {
            evidence.push(self.maker_evidence(source.clone(), name, weight::UPS_MFG));
        }

        // The chassis' description where it names no manufacturer, then the other texts.
        let chassis_descr = facts
            .chassis
            .filter(|c| c.manufacturer.is_none())
            .and_then(|c| {
                let d = c.description.as_deref()?;
                Some((format!("entPhysicalDescr of chassis {}", c.index), d))
            });
        let mut text_models = Vec::new();
        for (source, text) in chassis_descr.iter().chain(&facts.texts) {
            let Some(mut m) = self.sysdescr.matches(text, &self.vendors) else {
                // The chassis' own texts were searched for names above.
                if !source.starts_with("entPhysical") {
                    evidence.extend(self.named_in(source, text, weight::NAMED_IN_TEXT));
                }
                continue;
            };
            // A text the sysDescr's own rule matches says the same thing again (a chassis
            // described as the sysDescr describes the device): not counted twice.
            if described.as_ref().is_some_and(|(_, _, d)| d.rule == m.rule) {
                continue;
            }
            // The badge the sysDescr already attributed to its maker (an HPE-badged Comware
            // switch is H3C's) is that maker's here too, not another maker.
            if let Some((_, _, d)) = &described
                && m.maker.is_none()
                && d.maker.is_some()
                && m.vendor == d.vendor
            {
                m.maker = d.maker.clone();
            }
            evidence.push(rule_evidence(
                source,
                text,
                &m,
                weight::STANDARD_TEXT,
                weight::STANDARD_TEXT_NAMED,
            ));
            text_models.extend(m.model);
        }

        let own_pen = facts
            .sys_object_id
            .and_then(|o| o.suffix(&enterprises_arc())?.first().copied());
        for oid in &facts.private_oids {
            let Some(&pen) = oid.suffix(&enterprises_arc()).and_then(|s| s.first()) else {
                continue;
            };
            // The sysObjectID's own enterprise answering says nothing it did not.
            if Some(pen) == own_pen {
                continue;
            }
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
                weight: if maker_known {
                    weight::PRIVATE_SUBTREE_BESIDE_MAKER
                } else {
                    weight::PRIVATE_SUBTREE
                },
            });
        }

        let engine_mac = facts.engine_id.and_then(EngineId::mac);
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
        let oui = |m: [u8; 6]| [m[0], m[1], m[2]];
        if let Some(mac) = facts.bridge_mac.filter(|b| {
            ![facts.chassis_mac, engine_mac]
                .iter()
                .flatten()
                .any(|m| oui(*m) == oui(*b))
        }) {
            evidence.extend(self.oui_evidence(
                "OUI of dot1dBaseBridgeAddress".into(),
                mac,
                weight::BRIDGE_OUI,
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
        if let Some((_, _, m)) = described {
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
        id.model = id
            .model
            .or_else(|| text_models.into_iter().next())
            .or_else(|| facts.models.first().map(|(_, m)| (*m).to_string()));
        id
    }

    /// Evidence from a manufacturer field: its vendor where the name resolves (with weight
    /// `w`), else the name as said, with no weight.
    fn maker_evidence(&self, source: String, name: &str, w: f64) -> Evidence {
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
    fn modules_maker(&self, facts: &Facts<'_>) -> Option<Evidence> {
        let chassis = facts.chassis.map(|c| c.index);
        // Each distinct spelling is resolved once: big routers list hundreds of rows.
        let mut names: Vec<(&str, usize)> = Vec::new();
        // Pluggable transceivers, which ENTITY-MIB lists as ports, are anyone's: left out.
        let counted = |m: &&Module| Some(m.index) != chassis && m.class.as_deref() != Some("port");
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

/// Evidence from a sysDescr rule matching `text` read from `source`: the maker (or the vendor
/// the text shows), weighing `full`, or `named` for a last-resort rule that merely found a name.
/// Parses `rules/arcs.tsv`: `arc<TAB>vendor<TAB>source`, each vendor a known one.
fn product_arcs(
    file: &str,
    text: &str,
    vendors: &Vendors,
) -> Result<Vec<(Vec<u32>, VendorRef)>, RulesError> {
    let err = |line: usize, reason: String| RulesError {
        file: file.to_string(),
        line,
        reason,
    };
    let mut out = Vec::new();
    for (n, [arc, vendor, source]) in
        enterprises::tsv_rows(file, text, ["arc", "vendor", "source"])?
    {
        let arcs: Oid = arc
            .parse()
            .map_err(|_| err(n, format!("dotted sub-identifiers expected, found {arc:?}")))?;
        let r = vendors
            .resolve(vendor)
            .ok_or_else(|| err(n, format!("unknown vendor {vendor:?}")))?;
        if source.trim().is_empty() {
            return Err(err(n, "every arc names its source".into()));
        }
        out.push((arcs.arcs().to_vec(), r.clone()));
    }
    Ok(out)
}

fn rule_evidence(source: &str, text: &str, m: &sysdescr::Match, full: f64, named: f64) -> Evidence {
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

/// The steps from one private enterprise subtree to the next, sans I/O: a GETNEXT at
/// 1.3.6.1.4.1 finds the first subtree a device serves; after an answer under enterprise P the
/// next GETNEXT asks from 1.3.6.1.4.1.(P+1), so that each request finds one more enterprise,
/// however large the subtree before it. CISCO-CDP-MIB is stepped over (every maker's agent may
/// implement it, and the walk plan reads it anyway), and so are exception values. It ends at
/// the first answer outside the enterprises arc, an answer that does not come after the
/// question, no answer, [`MAX_PRIVATE_SUBTREES`] subtrees found, or a few requests more than
/// that. A sweep asks the agent; [`private_oids`] asks the observations of a recording.
#[derive(Debug, Clone)]
pub struct SubtreeSteps {
    next: Option<Oid>,
    found: Vec<Oid>,
    asked: usize,
}

impl Default for SubtreeSteps {
    fn default() -> Self {
        SubtreeSteps {
            next: Some(enterprises_arc()),
            found: Vec::new(),
            asked: 0,
        }
    }
}

impl SubtreeSteps {
    /// The OID to ask GETNEXT from, while the steps go on.
    pub fn request(&self) -> Option<&Oid> {
        self.next.as_ref()
    }

    /// Takes the answer to [`SubtreeSteps::request`]: the OID that came back (`None`: no
    /// answer, an error) and whether its value is usable (not an exception). Returns whether
    /// the answer opened a new subtree (the caller keeps its value).
    pub fn answer(&mut self, oid: Option<&Oid>, usable: bool) -> bool {
        let Some(from) = self.next.take() else {
            return false;
        };
        self.asked += 1;
        let arc = enterprises_arc();
        let Some(oid) = oid.filter(|o| **o > from && o.starts_with(&arc)) else {
            return false;
        };
        if self.asked >= MAX_PRIVATE_SUBTREES + 4 {
            return false;
        }
        let cdp = cdp_subtree();
        if oid.starts_with(&cdp) {
            self.next = Some(subtree_end(&cdp));
            return false;
        }
        if !usable {
            self.next = Some(oid.clone());
            return false;
        }
        self.found.push(oid.clone());
        if self.found.len() < MAX_PRIVATE_SUBTREES {
            let pen = oid.suffix(&arc).and_then(|s| s.first()).copied();
            self.next = pen.and_then(|p| p.checked_add(1)).map(|p| arc.child(p));
        }
        true
    }

    /// The first OID of each subtree found, in OID order.
    pub fn found(self) -> Vec<Oid> {
        self.found
    }
}

/// CISCO-CDP-MIB, 1.3.6.1.4.1.9.9.23: under Cisco's arc, but other makers' agents implement it
/// too (the walk plan asks every agent for its cdpCacheTable): an answer there says nothing of
/// the maker.
fn cdp_subtree() -> Oid {
    crate::oid![1, 3, 6, 1, 4, 1, 9, 9, 23]
}

/// The private subtrees among observations, as a sweep's [`SubtreeSteps`] find them on the
/// agent: the first OID of each of the first [`MAX_PRIVATE_SUBTREES`] enterprise subtrees.
/// Each step seeks, instead of reading every private value: a full recording holds tens of
/// thousands of them under a handful of enterprises.
pub fn private_oids(obs: &Observations) -> Vec<Oid> {
    use std::ops::Bound::{Excluded, Unbounded};
    let mut steps = SubtreeSteps::default();
    while let Some(from) = steps.request() {
        let next = obs
            .values
            .range::<Oid, _>((Excluded(from), Unbounded))
            .next()
            .map(|(o, _)| o.clone());
        steps.answer(next.as_ref(), true);
    }
    steps.found()
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
            private_oids: vec![private.clone()],
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

    /// The steps: one request per subtree found, CDP stepped over, an exception value passed
    /// by, the cap, and the end at an answer outside the arc or not after the question.
    #[test]
    fn subtree_steps_find_one_enterprise_per_request_up_to_the_cap() {
        let o = |s: &str| -> Oid { s.parse().unwrap() };
        let mut steps = SubtreeSteps::default();
        let mut asked = Vec::new();
        let answers = [
            (o("1.3.6.1.4.1.9.9.23.1.2.1.1.6.1.1"), true),
            (o("1.3.6.1.4.1.9.9.109.1.1.1.1.2.1"), true),
            (o("1.3.6.1.4.1.11.2.3.0"), false),
            (o("1.3.6.1.4.1.11.2.4.0"), true),
            (o("1.3.6.1.6.3.10.2.1.1.0"), true),
        ];
        let mut opened = Vec::new();
        for (oid, usable) in &answers {
            let Some(from) = steps.request() else { break };
            asked.push(from.to_string());
            opened.push(steps.answer(Some(oid), *usable));
        }
        assert_eq!(
            asked,
            [
                "1.3.6.1.4.1",
                "1.3.6.1.4.1.9.9.24",
                "1.3.6.1.4.1.10",
                "1.3.6.1.4.1.11.2.3.0",
                "1.3.6.1.4.1.12",
            ]
        );
        assert_eq!(opened, [false, true, false, true, false]);
        assert!(steps.request().is_none());
        assert_eq!(
            steps.found(),
            [
                o("1.3.6.1.4.1.9.9.109.1.1.1.1.2.1"),
                o("1.3.6.1.4.1.11.2.4.0")
            ]
        );

        // An answer that does not come after the question ends the steps.
        let mut steps = SubtreeSteps::default();
        assert!(!steps.answer(Some(&o("1.3.6.1.2.1.1.1.0")), true));
        assert!(steps.request().is_none());

        // The cap.
        let mut steps = SubtreeSteps::default();
        let mut pen = 100;
        while steps.request().is_some() {
            steps.answer(Some(&o(&format!("1.3.6.1.4.1.{pen}.1.0"))), true);
            pen += 7;
        }
        assert_eq!(steps.found().len(), MAX_PRIVATE_SUBTREES);
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
    fn a_watched_groups_own_word_is_enough_alone_and_a_conflict_against_a_maker() {
        for (descr, origin) in [
            ("CloudEngine S5735-L", "huawei"),
            ("ZXA10 C300", "zte"),
            ("SecPath F1000-AK135", "h3c"),
            ("HIKVISION DS-2CD2143G2-I", "hikvision"),
            ("xFusion FusionServer 2288H V6", "xfusion"),
        ] {
            let r = id().identify(&Facts {
                sys_descr: Some(descr),
                ..Facts::default()
            });
            assert_eq!(r.origin.as_deref(), Some(origin), "{descr}");
            assert_eq!(r.confidence, weight::SYSDESCR_NAMED, "{descr}");
        }
        // A Cisco sysObjectID outweighs the word, which is kept as a conflict.
        let oid: Oid = "1.3.6.1.4.1.9.1.1".parse().unwrap();
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            sys_descr: Some("OceanStor gateway"),
            ..Facts::default()
        });
        assert_eq!(r.origin.as_deref(), Some("cisco"));
        assert_eq!(r.conflicts.len(), 1);
        assert_eq!(r.conflicts[0].origin.as_deref(), Some("huawei"));
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
    fn a_product_line_arc_names_its_own_maker() {
        // Canopy radios answer under Motorola's 161, in the 161.19 arc Cambium took with them.
        let canopy: Oid = "1.3.6.1.4.1.161.19.250.256".parse().unwrap();
        let other: Oid = "1.3.6.1.4.1.161.3.1".parse().unwrap();
        let vendor = |oid: &Oid| id().sys_object_id_evidence(oid).and_then(|e| e.vendor);
        assert_eq!(vendor(&canopy).as_deref(), Some("Cambium"));
        assert_eq!(vendor(&other).as_deref(), Some("Motorola"));
    }

    #[test]
    fn an_oem_enterprise_embedded_in_its_suppliers_arc_names_the_oem() {
        // A RADLAN-based Netgear switch: Netgear's 4526 inside RND's 89.
        let oid: Oid = ".1.3.6.1.4.1.89.1.1.1.3.6.1.4.1.4526.100.4.25"
            .parse()
            .unwrap();
        let e = id().sys_object_id_evidence(&oid).unwrap();
        assert_eq!(e.vendor.as_deref(), Some("Netgear"));
        assert!(
            e.source.contains("embedded in enterprise 89"),
            "{}",
            e.source
        );
        let plain: Oid = "1.3.6.1.4.1.89.1.1.1.3".parse().unwrap();
        assert_eq!(
            id().sys_object_id_evidence(&plain)
                .unwrap()
                .vendor
                .as_deref(),
            Some("RND")
        );
    }

    #[test]
    fn a_part_makers_oui_names_no_device_maker() {
        // 00:e0:4c is Realtek's: the network chip of countless makers' devices.
        let r = id().identify(&Facts {
            chassis_mac: Some([0x00, 0xe0, 0x4c, 1, 2, 3]),
            ..Facts::default()
        });
        assert_eq!((r.vendor, r.origin), (None, None));
        assert_eq!(r.evidence.len(), 1);
        assert_eq!(r.evidence[0].weight, 0.0);
    }

    #[test]
    fn majority_oui_ignores_locally_administered() {
        let a = [0x00, 0xe0, 0xfc, 0, 0, 1];
        let l = [0x02, 0, 0, 0, 0, 1];
        assert_eq!(majority_oui(&[l, l, l, a]), Some(a));
        assert_eq!(majority_oui(&[l]), None);
    }
}
