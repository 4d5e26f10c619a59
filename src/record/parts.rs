//! The parts of a device its tables describe: ENTITY-MIB modules, LLDP and CDP neighbours,
//! interfaces.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ids::as_text;
use super::{Mac, Verdict};

/// A row of ENTITY-MIB entPhysicalTable (RFC 6933): a chassis, card, power supply, optic...
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Module {
    /// entPhysicalIndex.
    pub index: u32,
    /// entPhysicalClass, written as its word (chassis, module, port, powerSupply, ...).
    pub class: Option<EntityClass>,
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Neighbor {
    /// Protocol: `lldp` (either LLDP MIB) or `cdp`.
    pub protocol: Protocol,
    /// The local port it was seen on: lldpRemLocalPortNum, lldpV2RemLocalIfIndex or
    /// cdpCacheIfIndex.
    pub local_port: u32,
    /// The local port's ifDescr, when known.
    pub local_port_descr: Option<String>,
    /// lldpRemChassisIdSubtype as a word; `deviceId` for CDP, whose ID is the Device-ID.
    pub chassis_id_subtype: Option<String>,
    /// lldpRemChassisId, a MAC when its subtype says so, else text (or colon-separated hex);
    /// cdpCacheDeviceId.
    pub chassis_id: Option<NeighborId>,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interface {
    /// ifIndex.
    pub index: u32,
    /// ifDescr.
    pub descr: Option<String>,
    /// ifPhysAddress, when six octets (written as colon-separated hex).
    pub mac: Option<Mac>,
}

/// entPhysicalClass (ENTITY-MIB PhysicalClass, RFC 6933).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityClass {
    /// other(1).
    Other,
    /// unknown(2).
    Unknown,
    /// chassis(3).
    Chassis,
    /// backplane(4).
    Backplane,
    /// container(5).
    Container,
    /// powerSupply(6).
    PowerSupply,
    /// fan(7).
    Fan,
    /// sensor(8).
    Sensor,
    /// module(9).
    Module,
    /// port(10).
    Port,
    /// stack(11).
    Stack,
    /// cpu(12).
    Cpu,
    /// energyObject(13).
    EnergyObject,
    /// battery(14).
    Battery,
    /// storageDrive(15).
    StorageDrive,
    /// A number the MIB does not define, written `class N`.
    Undefined(i64),
}

/// The defined classes in MIB order, from 1.
const ENTITY_CLASSES: [(EntityClass, &str); 15] = [
    (EntityClass::Other, "other"),
    (EntityClass::Unknown, "unknown"),
    (EntityClass::Chassis, "chassis"),
    (EntityClass::Backplane, "backplane"),
    (EntityClass::Container, "container"),
    (EntityClass::PowerSupply, "powerSupply"),
    (EntityClass::Fan, "fan"),
    (EntityClass::Sensor, "sensor"),
    (EntityClass::Module, "module"),
    (EntityClass::Port, "port"),
    (EntityClass::Stack, "stack"),
    (EntityClass::Cpu, "cpu"),
    (EntityClass::EnergyObject, "energyObject"),
    (EntityClass::Battery, "battery"),
    (EntityClass::StorageDrive, "storageDrive"),
];

impl EntityClass {
    /// The class of an entPhysicalClass number.
    pub fn from_number(n: i64) -> EntityClass {
        usize::try_from(n)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| ENTITY_CLASSES.get(i))
            .map_or(EntityClass::Undefined(n), |(c, _)| *c)
    }
}

impl fmt::Display for EntityClass {
    /// The MIB's word (`powerSupply`), or `class N` for an undefined number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match ENTITY_CLASSES.iter().find(|(c, _)| c == self) {
            Some((_, word)) => f.write_str(word),
            None => match self {
                EntityClass::Undefined(n) => write!(f, "class {n}"),
                _ => unreachable!("every defined class has its word"),
            },
        }
    }
}

/// Text that names no entity class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an entity class: {0:?}")]
pub struct NotAClass(String);

impl FromStr for EntityClass {
    type Err = NotAClass;

    fn from_str(s: &str) -> Result<EntityClass, NotAClass> {
        if let Some((c, _)) = ENTITY_CLASSES.iter().find(|(_, word)| *word == s) {
            return Ok(*c);
        }
        s.strip_prefix("class ")
            .and_then(|n| n.parse().ok())
            .map(EntityClass::Undefined)
            .ok_or_else(|| NotAClass(s.to_string()))
    }
}

as_text!(EntityClass);

/// The discovery protocol a neighbour was seen by.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// LLDP (IEEE 802.1AB), either MIB.
    #[default]
    Lldp,
    /// CDP (Cisco Discovery Protocol).
    Cdp,
}

impl Protocol {
    /// As written in the record (`lldp`, `cdp`), as in a neighbour-only device's address.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Lldp => "lldp",
            Protocol::Cdp => "cdp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A neighbour's chassis ID: a MAC address, or text (any other LLDP subtype, a CDP device
/// ID). Written as text either way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NeighborId {
    /// A MAC address (LLDP chassis ID subtype macAddress).
    Mac(Mac),
    /// Any other ID, in its canonical text.
    Text(String),
}

impl NeighborId {
    /// The MAC address, when it is one.
    pub fn mac(&self) -> Option<Mac> {
        match self {
            NeighborId::Mac(m) => Some(*m),
            NeighborId::Text(_) => None,
        }
    }
}

impl fmt::Display for NeighborId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NeighborId::Mac(m) => m.fmt(f),
            NeighborId::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for NeighborId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NeighborId {
    /// A MAC in the form the record writes it (lower-case colon hex) reads back as a MAC;
    /// any other text as text.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(match text.parse::<Mac>() {
            Ok(m) if m.to_string() == text => NeighborId::Mac(m),
            _ => NeighborId::Text(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_classes_are_written_as_the_mib_words() {
        for n in 1..=15 {
            let c = EntityClass::from_number(n);
            let json = serde_json::to_string(&c).unwrap();
            assert!(!matches!(c, EntityClass::Undefined(_)), "{n}");
            assert_eq!(serde_json::from_str::<EntityClass>(&json).unwrap(), c);
        }
        assert_eq!(EntityClass::from_number(6).to_string(), "powerSupply");
        assert_eq!(EntityClass::from_number(3).to_string(), "chassis");
        for n in [0, 16, -1] {
            let c = EntityClass::from_number(n);
            assert_eq!(c, EntityClass::Undefined(n));
            assert_eq!(c.to_string(), format!("class {n}"));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<EntityClass>(&json).unwrap(), c);
        }
        assert!(serde_json::from_str::<EntityClass>(r#""rack""#).is_err());
    }

    #[test]
    fn a_neighbour_round_trips_with_its_protocol_and_ids() {
        let n = Neighbor {
            protocol: Protocol::Cdp,
            chassis_id: Some(NeighborId::Text("sw1.example".into())),
            ..Neighbor::default()
        };
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.starts_with(r#"{"protocol":"cdp","#), "{json}");
        assert!(json.contains(r#""chassis_id":"sw1.example""#), "{json}");
        assert_eq!(serde_json::from_str::<Neighbor>(&json).unwrap(), n);
        let mac = Neighbor {
            chassis_id: Some(NeighborId::Mac(Mac([0, 0xe0, 0xfc, 1, 2, 3]))),
            ..Neighbor::default()
        };
        let json = serde_json::to_string(&mac).unwrap();
        assert!(
            json.contains(r#""chassis_id":"00:e0:fc:01:02:03""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Neighbor>(&json).unwrap(), mac);
        let upper: NeighborId = serde_json::from_str(r#""00:E0:FC:01:02:03""#).unwrap();
        assert_eq!(upper, NeighborId::Text("00:E0:FC:01:02:03".into()));
    }

    #[test]
    fn modules_and_interfaces_round_trip() {
        let m = Module {
            index: 3,
            class: Some(EntityClass::PowerSupply),
            serial: Some("X1".into()),
            verdict: Some(Verdict::Review),
            ..Module::default()
        };
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains(r#""class":"powerSupply""#), "{json}");
        assert_eq!(serde_json::from_str::<Module>(&json).unwrap(), m);
        let i = Interface {
            index: 2,
            descr: Some("eth0".into()),
            mac: Some(Mac([0x52, 0x54, 0, 0xab, 0xcd, 0xef])),
        };
        let json = serde_json::to_string(&i).unwrap();
        assert_eq!(
            json,
            r#"{"index":2,"descr":"eth0","mac":"52:54:00:ab:cd:ef"}"#
        );
        assert_eq!(serde_json::from_str::<Interface>(&json).unwrap(), i);
    }
}
