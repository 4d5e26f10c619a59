//! The device record (DESIGN.md "The device record"): what a sweep knows of one device, as
//! every report format writes it. Field names are stable; more may be added.

mod identification;
mod judgement;
mod observations;
mod parts;
mod walk;

use serde::Serialize;
use std::collections::BTreeMap;

pub use identification::Evidence;
pub use judgement::{Finding, Verdict};
pub use observations::Observations;
pub use parts::{Interface, Module, Neighbor};
pub use walk::{TableWalk, WalkEnd};

/// How a device came to be known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscoveredVia {
    /// It answered SNMP itself.
    #[default]
    Snmp,
    /// It was read from a recording (`identify --snmprec`).
    Recording,
    /// It was seen only in another device's LLDP remote table.
    LldpNeighbor,
    /// It was seen only in another device's CDP cache.
    CdpNeighbor,
    /// It was heard in LLDP or CDP frames.
    Passive,
}

/// One device, as reported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeviceRecord {
    /// The address it answered on (or the recording's path).
    pub address: String,
    /// How it was found.
    pub discovered_via: DiscoveredVia,
    /// For a device seen only as a neighbour: the address of the polled device whose LLDP
    /// table or CDP cache reported it (the first, where several did). `None` for the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
    /// The SNMP version and credential that worked, e.g. `v2c community #1` (never the secret).
    pub credential: Option<String>,
    /// sysName.0.
    pub sys_name: Option<String>,
    /// sysDescr.0.
    pub sys_descr: Option<String>,
    /// sysObjectID.0.
    pub sys_object_id: Option<String>,
    /// sysUpTime.0 in hundredths of a second.
    pub sys_uptime: Option<u64>,
    /// The SNMPv3 authoritative engine ID, hex, from the credential-free probe.
    pub engine_id: Option<String>,
    /// The vendor's display name.
    pub vendor: Option<String>,
    /// The vendor's company group key.
    pub origin: Option<String>,
    /// The brand the device shows where it differs from the maker (HPE on an H3C-made switch).
    pub brand: Option<String>,
    /// Model: from an inventory rule, a sysDescr fingerprint or the ENTITY-MIB chassis row.
    pub model: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// Software version: from an inventory rule, a sysDescr fingerprint or the chassis row.
    pub version: Option<String>,
    /// Serial number: from an inventory rule or the ENTITY-MIB chassis (or main board) row.
    pub serial: Option<String>,
    /// Chassis MAC: lldpLocChassisId (or lldpV2LocChassisId) when it is a MAC, else the MAC in
    /// the v3 engine ID.
    pub chassis_mac: Option<String>,
    /// Confidence of the identification, 0..1.
    pub confidence: f64,
    /// The evidence behind it.
    pub evidence: Vec<Evidence>,
    /// Evidence that disagrees with the identification.
    pub conflicts: Vec<Evidence>,
    /// ENTITY-MIB rows.
    pub modules: Vec<Module>,
    /// LLDP and CDP neighbours.
    pub neighbors: Vec<Neighbor>,
    /// Interfaces.
    pub interfaces: Vec<Interface>,
    /// ARP / neighbour cache entries seen (ipNetToMedia + ipNetToPhysical).
    pub arp_entries: usize,
    /// Bridge forwarding entries seen (dot1dTpFdb).
    pub fdb_entries: usize,
    /// How each walked table ended.
    pub tables: Vec<TableWalk>,
    /// The verdict.
    pub verdict: Verdict,
    /// The policy findings behind it.
    pub findings: Vec<Finding>,
    /// What went wrong while collecting, in words.
    pub notes: Vec<String>,
    /// The originals of the fields cleaned for display ([`crate::text::clean`]: a hex-dump
    /// tail decoded, NULs or control characters dropped) or left out as placeholders
    /// ([`crate::text::serial_placeholder`]), by field: `sys_name`, `serial`,
    /// `modules[INDEX].serial` (by entPhysicalIndex), `neighbors[N].sys_name` (by position).
    /// An original is the field's text before cleaning (the value as text, trimmed of white
    /// space and NULs at its ends), escaped ([`crate::text::escaped`]: NULs and control
    /// characters as `\xNN`). Only in JSON, and only when a field was cleaned; the notes say
    /// which were.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cleaned: BTreeMap<String, String>,
}
