//! The parts of a device its tables describe: ENTITY-MIB modules, LLDP and CDP neighbours,
//! interfaces.

use serde::Serialize;

use super::Verdict;

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
