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

mod combine;
mod evidence;
mod subtrees;
#[cfg(test)]
mod tests;

pub use enterprises::{Enterprise, Enterprises, RulesError};
pub use inventory::{Inventory, InventoryRules, Subject};
pub use names::Names;
pub use subtrees::{SubtreeSteps, private_oids};
pub use sysdescr::SysDescrRules;
pub use vendors::{VendorRef, Vendors};

use crate::record::{Evidence, Module, Observations};
use crate::wire::engine_id::EngineId;
use crate::wire::{Oid, Value};

/// The result of identification (its `serial` left empty: the inventory rules find it).
pub use crate::record::Identification;

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
        // The registry's names (every IANA registrant cleaned and indexed) are most of the
        // time this takes and are first needed to identify a device: built on a thread of
        // their own meanwhile (a sweep starts and walks in the meantime), and waited for
        // where first used. Without a thread, they are built there.
        let _ = std::thread::Builder::new().name("names".into()).spawn(|| {
            Names::bundled();
        });
        // So is the IEEE registry (a sweep's provenance names its date and size before the
        // first datagram goes; a device's MACs need it): parsed meanwhile, waited for there.
        let _ = std::thread::Builder::new().name("oui".into()).spawn(|| {
            let _ = oui::OuiRegistry::active();
        });
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
    pub fn names(&self) -> &'static Names {
        Names::bundled()
    }

    /// The vendor an organisation name from a registry (an IEEE OUI's holder, a registrant)
    /// stands for: a known vendor, else its cleaned name with its own group key.
    pub fn organisation(&self, organisation: &str) -> Option<VendorRef> {
        self.names().organisation(&self.vendors, organisation)
    }

    /// Evidence from a device's free text (sysDescr, an ENTITY-MIB or UPS-MIB text, an LLDP
    /// description): one piece per vendor whose name the text holds (see [`Names::find`]:
    /// whole words, longest first, names too common to tell anything left out), each with
    /// `weight` ([`weight::NAMED_IN_TEXT`] for the standard objects). `source` says where the
    /// text came from ("sysDescr", "entPhysicalDescr of chassis 1"); the evidence's source
    /// reads "`<source>` names `<name>`", its value is the text.
    pub fn named_in(&self, source: &str, text: &str, weight: f64) -> Vec<Evidence> {
        self.names()
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

/// Parses `rules/arcs.tsv`: `arc<TAB>vendor<TAB>source`, each vendor a known one.
fn product_arcs(
    file: &str,
    text: &str,
    vendors: &Vendors,
) -> Result<Vec<(Vec<u32>, VendorRef)>, RulesError> {
    let err = |line: usize, reason: String| RulesError::on_line(file, line, reason);
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

/// A six-octet MAC from a value.
pub fn mac_of(v: Option<&Value>) -> Option<[u8; 6]> {
    let b: [u8; 6] = v?.as_bytes()?.try_into().ok()?;
    (b != [0; 6]).then_some(b)
}
