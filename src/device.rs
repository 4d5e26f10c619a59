//! The device record (DESIGN.md "The device record"): what a sweep knows of one device, as
//! every report format writes it. Field names are stable; more may be added.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::wire::{Oid, Value, VarBind};

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

/// One piece of evidence for an identification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Where it came from (`sysObjectID`, ...), with the OID that carried it.
    pub source: String,
    /// The value seen.
    pub value: String,
    /// The vendor it points to.
    pub vendor: Option<String>,
    /// The company group it points to.
    pub origin: Option<String>,
    /// How much it counts, 0..1.
    pub weight: f64,
}

/// A finding of a policy against a device or module.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule that matched.
    pub rule: String,
    /// The policy it belongs to, with its version.
    pub policy: String,
    /// The policy's jurisdiction.
    pub jurisdiction: Option<String>,
    /// What the rule rules (`banned` or `review`), before any exception.
    pub verdict: Verdict,
    /// How serious it is.
    pub severity: String,
    /// Why, in words.
    pub reason: String,
    /// The ENTITY-MIB module it is about (`None`: the device itself).
    pub module: Option<u32>,
    /// No new installs after this date, if the rule says.
    pub no_new_installs_after: Option<String>,
    /// When the equipment must be gone, if the rule says.
    pub deadline: Option<String>,
    /// Days until the deadline at the date of the report (negative: overdue).
    pub days_left: Option<i64>,
    /// The exception that lifts this finding, if one applies and has not expired.
    pub exception: Option<String>,
}

/// A row of ENTITY-MIB entPhysicalTable (RFC 6933): a chassis, card, power supply, optic...
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Module {
    /// entPhysicalIndex.
    pub index: u32,
    /// entPhysicalClass as a word (chassis, module, port, powerSupply, ...).
    pub class: Option<String>,
    /// entPhysicalName.
    pub name: Option<String>,
    /// entPhysicalDescr.
    pub description: Option<String>,
    /// entPhysicalMfgName.
    pub manufacturer: Option<String>,
    /// entPhysicalModelName.
    pub model: Option<String>,
    /// entPhysicalSerialNum.
    pub serial: Option<String>,
    /// entPhysicalHardwareRev.
    pub hardware_rev: Option<String>,
    /// entPhysicalSoftwareRev.
    pub software_rev: Option<String>,
    /// entPhysicalContainedIn.
    pub contained_in: Option<u32>,
    /// The module's own vendor, once identified.
    pub vendor: Option<String>,
    /// The module's own company group, once identified.
    pub origin: Option<String>,
    /// The module's own verdict, for modules whose maker is known (`None` for the others).
    pub verdict: Option<Verdict>,
}

/// A neighbour from one of the device's neighbour tables: the LLDP remote table (IEEE 802.1AB
/// LLDP-MIB lldpRemTable, or LLDP-V2-MIB lldpV2RemTable) or the CDP cache (CISCO-CDP-MIB
/// cdpCacheTable).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Neighbor {
    /// Protocol: `lldp` (either LLDP MIB) or `cdp`.
    pub protocol: &'static str,
    /// The local port it was seen on: lldpRemLocalPortNum, lldpV2RemLocalIfIndex or
    /// cdpCacheIfIndex.
    pub local_port: u32,
    /// The local port's ifDescr, when known.
    pub local_port_descr: Option<String>,
    /// lldpRemChassisIdSubtype as a word; `deviceId` for CDP, whose ID is the Device-ID.
    pub chassis_id_subtype: Option<String>,
    /// lldpRemChassisId, as text or colon-separated hex; cdpCacheDeviceId.
    pub chassis_id: Option<String>,
    /// lldpRemPortIdSubtype as a word (`interfaceName`, `macAddress`, ...); `None` for CDP.
    pub port_id_subtype: Option<String>,
    /// lldpRemPortId; cdpCacheDevicePort.
    pub port_id: Option<String>,
    /// lldpRemPortDesc.
    pub port_descr: Option<String>,
    /// lldpRemSysName.
    pub sys_name: Option<String>,
    /// lldpRemSysDesc; cdpCacheVersion (the software version text, a sysDescr in practice).
    pub sys_descr: Option<String>,
    /// cdpCachePlatform: the model as the neighbour names it (CDP only).
    pub platform: Option<String>,
    /// Enabled capabilities: lldpRemSysCapEnabled bit names (`bridge`, `router`, ...), or
    /// the CDP capability bits (`router`, `switch`, `igmp`, ...).
    pub capabilities: Vec<String>,
    /// Management addresses: lldpRemManAddrTable, lldpV2RemManAddrTable, or cdpCacheAddress.
    pub management_addresses: Vec<String>,
}

/// An interface (IF-MIB ifTable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interface {
    /// ifIndex.
    pub index: u32,
    /// ifDescr.
    pub descr: Option<String>,
    /// ifPhysAddress as colon-separated hex, when six octets.
    pub mac: Option<String>,
}

/// Why a walk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "end", rename_all = "kebab-case")]
pub enum WalkEnd {
    /// The agent moved past the subtree: the normal end.
    EndOfTable,
    /// The agent has nothing after the last row.
    EndOfMibView,
    /// The agent returned the OID asked for again, or one before it not walked before.
    NonIncreasing {
        /// The offending OID.
        oid: String,
    },
    /// The agent returned an OID walked before the one asked for: the walk would go round
    /// forever.
    Loop {
        /// The OID it came back to.
        oid: String,
    },
    /// The row cap was reached.
    RowCap,
    /// The device's time limit was reached before the walk ended.
    TimeLimit,
    /// A request failed.
    Error {
        /// What failed.
        reason: String,
    },
}

impl WalkEnd {
    /// Whether the walk ended normally (the table is complete).
    pub fn is_complete(&self) -> bool {
        matches!(self, WalkEnd::EndOfTable | WalkEnd::EndOfMibView)
    }
}

/// How one table of the walk plan went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableWalk {
    /// The table's name in the walk plan.
    pub table: &'static str,
    /// The root OID walked.
    pub root: String,
    /// Rows returned.
    pub rows: usize,
    /// How the walk ended.
    #[serde(flatten)]
    pub end: WalkEnd,
}

/// Everything collected from one device: the raw values with their OIDs.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// Every value collected, by OID.
    pub values: BTreeMap<Oid, Value>,
    /// How each table walk ended.
    pub tables: Vec<TableWalk>,
    /// The SNMPv3 authoritative engine ID, as the engine-ID probe found it.
    pub engine_id: Option<Vec<u8>>,
    /// Values that only stand where one was removed before a walk was shared (`<private>`,
    /// `XXX`: [`Value::placeholder`]), set aside as they come: never read as the device's,
    /// kept so that a saved walk holds what the agent answered.
    pub placeholders: BTreeMap<Oid, Value>,
}

impl Observations {
    /// Adds values.
    pub fn extend(&mut self, varbinds: impl IntoIterator<Item = VarBind>) {
        let placeholders = &mut self.placeholders;
        let values = varbinds
            .into_iter()
            .filter(|vb| !vb.value.is_exception())
            .filter_map(|vb| {
                if vb.value.placeholder().is_some() {
                    placeholders.insert(vb.oid, vb.value);
                    return None;
                }
                Some((vb.oid, vb.value))
            });
        if self.values.is_empty() {
            // Built in one step (sorted, then bulk-loaded) rather than inserted one by one: a
            // recording of millions of values loads several times faster. Either way the
            // last of an OID's values is kept.
            self.values = values.collect();
            return;
        }
        for (oid, value) in values {
            self.values.insert(oid, value);
        }
    }

    /// The value at `oid`.
    pub fn get(&self, oid: &Oid) -> Option<&Value> {
        self.values.get(oid)
    }

    /// Every (index suffix, value) under a column.
    pub fn column<'a, 'c>(
        &'a self,
        column: &'c Oid,
    ) -> impl Iterator<Item = (&'a [u32], &'a Value)> + use<'a, 'c> {
        self.values
            .range::<Oid, _>((
                std::ops::Bound::Included(column),
                std::ops::Bound::Unbounded,
            ))
            .map_while(move |(o, v)| o.suffix(column).map(|s| (s, v)))
    }

    /// The values as bindings in OID order (for `--save-walks`).
    pub fn varbinds(&self) -> Vec<VarBind> {
        let mut out: Vec<VarBind> = self
            .values
            .iter()
            .chain(&self.placeholders)
            .map(|(o, v)| VarBind::new(o.clone(), v.clone()))
            .collect();
        if !self.placeholders.is_empty() {
            out.sort_by(|a, b| a.oid.cmp(&b.oid));
            out.dedup_by(|later, first| later.oid == first.oid);
        }
        out
    }
}

/// A verdict on a device or module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A policy forbids it.
    Banned,
    /// A policy asks for a person to look.
    Review,
    /// Identified, and no rule matched.
    Clear,
    /// Not identified well enough to judge: never silently clear.
    #[default]
    Unknown,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Banned => "banned",
            Verdict::Review => "review",
            Verdict::Clear => "clear",
            Verdict::Unknown => "unknown",
        })
    }
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
