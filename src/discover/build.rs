//! Turns one device's observations into its record: decodes the walked tables (system,
//! ENTITY-MIB, IF-MIB, LLDP-MIB, ARP, FDB), identifies, and judges.

use std::collections::BTreeMap;

use crate::device::{
    DeviceRecord, DiscoveredVia, Interface, Module, Neighbor, Observations, Verdict,
};
use crate::identify::{Facts, Identification, Identifier, Subject, hex_mac, mac_of, private_oids};
use crate::snmp::oids;
use crate::wire::engine_id::EngineId;
use crate::wire::{Oid, Value};

fn text(v: Option<&Value>) -> Option<String> {
    let t = v?.as_text()?;
    let t = t.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!t.is_empty()).then(|| t.to_string())
}

/// Colon-separated hex of six octets; `None` otherwise or when all zero.
pub fn mac(v: Option<&Value>) -> Option<String> {
    let b = v?.as_bytes()?;
    (b.len() == 6 && b.iter().any(|&x| x != 0)).then(|| hex_colon(b))
}

fn hex_colon(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn col(table: &str, column: u32) -> Oid {
    let mut o: Oid = table.parse().unwrap_or_default();
    o = o.child(column);
    o
}

const ENT_PHYSICAL_ENTRY: &str = "1.3.6.1.2.1.47.1.1.1.1";
const IF_ENTRY: &str = "1.3.6.1.2.1.2.2.1";
const LLDP_LOC: &str = "1.0.8802.1.1.2.1.3";
const LLDP_REM_ENTRY: &str = "1.0.8802.1.1.2.1.4.1.1";
const LLDP_REM_MAN_ADDR_ENTRY: &str = "1.0.8802.1.1.2.1.4.2.1";

/// Rows of a table: index suffix → column → value.
fn rows<'a>(
    obs: &'a Observations,
    entry: &str,
    columns: &[u32],
) -> BTreeMap<Vec<u32>, BTreeMap<u32, &'a Value>> {
    let mut out: BTreeMap<Vec<u32>, BTreeMap<u32, &Value>> = BTreeMap::new();
    for &c in columns {
        let column = col(entry, c);
        for (idx, v) in obs.column(&column) {
            out.entry(idx.to_vec()).or_default().insert(c, v);
        }
    }
    out
}

fn entity_class(v: Option<&Value>) -> Option<String> {
    let Value::Integer(i) = v? else { return None };
    Some(
        match i {
            1 => "other",
            2 => "unknown",
            3 => "chassis",
            4 => "backplane",
            5 => "container",
            6 => "powerSupply",
            7 => "fan",
            8 => "sensor",
            9 => "module",
            10 => "port",
            11 => "stack",
            12 => "cpu",
            13 => "energyObject",
            14 => "battery",
            15 => "storageDrive",
            _ => return Some(format!("class {i}")),
        }
        .to_string(),
    )
}

fn modules(obs: &Observations) -> Vec<Module> {
    rows(obs, ENT_PHYSICAL_ENTRY, &[2, 4, 5, 7, 8, 10, 11, 12, 13])
        .into_iter()
        .filter_map(|(idx, c)| {
            let [index] = idx[..] else { return None };
            Some(Module {
                index,
                class: entity_class(c.get(&5).copied()),
                name: text(c.get(&7).copied()),
                description: text(c.get(&2).copied()),
                manufacturer: text(c.get(&12).copied()),
                model: text(c.get(&13).copied()),
                serial: text(c.get(&11).copied()),
                hardware_rev: text(c.get(&8).copied()),
                software_rev: text(c.get(&10).copied()),
                contained_in: c
                    .get(&4)
                    .and_then(|v| v.as_u64())
                    .and_then(|v| u32::try_from(v).ok()),
                ..Module::default()
            })
        })
        .collect()
}

fn interfaces(obs: &Observations) -> Vec<Interface> {
    rows(obs, IF_ENTRY, &[2, 6])
        .into_iter()
        .filter_map(|(idx, c)| {
            let [index] = idx[..] else { return None };
            Some(Interface {
                index,
                descr: text(c.get(&2).copied()),
                mac: mac(c.get(&6).copied()),
            })
        })
        .collect()
}

fn chassis_id_subtype(v: Option<&Value>) -> Option<&'static str> {
    let Value::Integer(i) = v? else { return None };
    Some(match i {
        1 => "chassisComponent",
        2 => "interfaceAlias",
        3 => "portComponent",
        4 => "macAddress",
        5 => "networkAddress",
        6 => "interfaceName",
        7 => "local",
        _ => "unknown",
    })
}

/// A chassis or port ID: a MAC as hex, printable text as text, anything else as hex.
fn lldp_id(subtype_is_mac: bool, v: Option<&Value>) -> Option<String> {
    let b = v?.as_bytes()?;
    if subtype_is_mac && b.len() == 6 {
        return Some(hex_colon(b));
    }
    if !b.is_empty() && b.iter().all(|&c| (0x20..0x7f).contains(&c)) {
        return text(v);
    }
    (!b.is_empty()).then(|| hex_colon(b))
}

fn neighbors(obs: &Observations, ifaces: &[Interface]) -> Vec<Neighbor> {
    let mut addrs: BTreeMap<Vec<u32>, Vec<String>> = BTreeMap::new();
    // lldpRemManAddrTable index: timeMark, localPort, remIndex, addrSubtype, addr (length-prefixed).
    let if_subtype = col(LLDP_REM_MAN_ADDR_ENTRY, 3);
    for (idx, _) in obs.column(&if_subtype) {
        if idx.len() < 5 {
            continue;
        }
        let (key, addr) = idx.split_at(3);
        let (subtype, rest) = (addr[0], &addr[1..]);
        let octets: Vec<u8> = match rest.split_first() {
            Some((&len, tail)) if tail.len() == len as usize => {
                tail.iter().filter_map(|&x| u8::try_from(x).ok()).collect()
            }
            _ => rest.iter().filter_map(|&x| u8::try_from(x).ok()).collect(),
        };
        let shown = match (subtype, octets.len()) {
            (1, 4) => {
                std::net::Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3]).to_string()
            }
            (2, 16) => {
                let a: [u8; 16] = octets.clone().try_into().unwrap_or([0; 16]);
                std::net::Ipv6Addr::from(a).to_string()
            }
            _ => hex_colon(&octets),
        };
        addrs.entry(key.to_vec()).or_default().push(shown);
    }
    rows(obs, LLDP_REM_ENTRY, &[4, 5, 6, 7, 8, 9, 10])
        .into_iter()
        .filter(|(idx, _)| idx.len() == 3)
        .map(|(idx, c)| {
            let subtype = chassis_id_subtype(c.get(&4).copied());
            let local_port = idx[1];
            Neighbor {
                protocol: "lldp",
                local_port,
                local_port_descr: ifaces
                    .iter()
                    .find(|i| i.index == local_port)
                    .and_then(|i| i.descr.clone()),
                chassis_id_subtype: subtype.map(str::to_string),
                chassis_id: lldp_id(subtype == Some("macAddress"), c.get(&5).copied()),
                port_id: lldp_id(
                    matches!(c.get(&6), Some(Value::Integer(3))),
                    c.get(&7).copied(),
                ),
                port_descr: text(c.get(&8).copied()),
                sys_name: text(c.get(&9).copied()),
                sys_descr: text(c.get(&10).copied()),
                management_addresses: addrs.remove(&idx).unwrap_or_default(),
            }
        })
        .collect()
}

fn count_under(obs: &Observations, column: &str) -> usize {
    let c: Oid = column.parse().unwrap_or_default();
    obs.column(&c).count()
}

fn sys_object_id(obs: &Observations) -> Option<Oid> {
    obs.get(&oids::sys_object_id())
        .and_then(Value::as_oid)
        .cloned()
}

/// The chassis MAC: LLDP's local chassis ID where its subtype is a MAC address, else the MAC
/// an RFC 3411 engine ID carries (agents build it from the chassis MAC).
fn chassis_mac(obs: &Observations) -> Option<[u8; 6]> {
    match obs.get(&col(LLDP_LOC, 1)) {
        Some(Value::Integer(4)) => mac_of(obs.get(&col(LLDP_LOC, 2))),
        _ => None,
    }
    .or_else(|| {
        obs.engine_id
            .as_deref()
            .and_then(|b| EngineId::decode(b).ok())
            .and_then(|e| e.mac())
    })
}

/// Identifies a device from its observations, as [`device_record`] does (a sweep asks this
/// before it fetches the objects of the inventory rules that apply to the vendor).
pub fn identify(obs: &Observations, identifier: &Identifier) -> Identification {
    identify_with(obs, &modules(obs), identifier)
}

fn identify_with(
    obs: &Observations,
    modules: &[Module],
    identifier: &Identifier,
) -> Identification {
    let sys_object_id = sys_object_id(obs);
    let sys_descr = text(obs.get(&oids::sys_descr()));
    let interface_macs: Vec<[u8; 6]> = rows(obs, IF_ENTRY, &[6])
        .values()
        .filter_map(|c| mac_of(c.get(&6).copied()))
        .collect();
    let engine_id = obs
        .engine_id
        .as_deref()
        .and_then(|b| EngineId::decode(b).ok());
    identifier.identify(&Facts {
        sys_object_id: sys_object_id.as_ref(),
        sys_descr: sys_descr.as_deref(),
        chassis: chassis(modules),
        chassis_mac: chassis_mac(obs),
        interface_macs,
        private_oids: private_oids(obs),
        engine_id: engine_id.as_ref(),
    })
}

/// Builds the record of one device: identification, then the model, version and serial of the
/// inventory rules where they apply (see [`crate::identify::inventory`] for the precedence).
pub fn device_record(
    address: String,
    via: DiscoveredVia,
    credential: Option<String>,
    obs: &Observations,
    notes: Vec<String>,
    identifier: &Identifier,
) -> DeviceRecord {
    let sys_object_id = sys_object_id(obs);
    let sys_descr = text(obs.get(&oids::sys_descr()));
    let mut modules = modules(obs);
    for m in &mut modules {
        if let Some(r) = identifier.module_vendor(m) {
            m.vendor = Some(r.vendor.clone());
            m.origin = Some(r.origin.clone());
        }
    }
    let interfaces = interfaces(obs);
    let chassis_mac = chassis_mac(obs);
    let id = identify_with(obs, &modules, identifier);
    let subject = Subject {
        sys_object_id: sys_object_id.as_ref(),
        vendor: id.vendor.as_deref(),
        chassis: chassis(&modules).map(|c| c.index),
    };
    let inventory = identifier.inventory(obs, &subject);
    DeviceRecord {
        address,
        discovered_via: via,
        credential,
        sys_name: text(obs.get(&oids::sys_name())),
        sys_descr,
        sys_object_id: sys_object_id.map(|o| o.to_string()),
        sys_uptime: obs.get(&oids::sys_uptime()).and_then(Value::as_u64),
        engine_id: obs
            .engine_id
            .as_ref()
            .map(|b| b.iter().map(|x| format!("{x:02x}")).collect()),
        vendor: id.vendor,
        origin: id.origin,
        brand: id.brand,
        model: inventory.model.over(id.model),
        os: id.os,
        version: inventory.version.over(id.version),
        serial: inventory.serial.over(chassis_serial(&modules)),
        chassis_mac: chassis_mac.map(hex_mac),
        confidence: id.confidence,
        evidence: id.evidence,
        conflicts: id.conflicts,
        neighbors: neighbors(obs, &interfaces),
        modules,
        interfaces,
        arp_entries: count_under(obs, "1.3.6.1.2.1.4.22.1.2")
            + count_under(obs, "1.3.6.1.2.1.4.35.1.4"),
        fdb_entries: count_under(obs, "1.3.6.1.2.1.17.4.3.1.1"),
        tables: obs.tables.clone(),
        // Judged later, by the policies the user chose (see crate::policy::judge).
        verdict: Verdict::Unknown,
        findings: Vec::new(),
        notes,
    }
}

/// The chassis: the first ENTITY row of class chassis contained in nothing, else the first
/// chassis row, else the first row with a manufacturer or model, else the first row of class
/// stack or of no class at all that has a serial number or software revision (agents that
/// answer only some columns of the table, such as entPhysicalSerialNum.1).
fn chassis(modules: &[Module]) -> Option<&Module> {
    let is_chassis = |m: &&Module| m.class.as_deref() == Some("chassis");
    modules
        .iter()
        .filter(is_chassis)
        .find(|m| m.contained_in.unwrap_or(0) == 0)
        .or_else(|| modules.iter().find(is_chassis))
        .or_else(|| {
            modules
                .iter()
                .find(|m| m.manufacturer.is_some() || m.model.is_some())
        })
        .or_else(|| {
            modules.iter().find(|m| {
                matches!(m.class.as_deref(), None | Some("stack"))
                    && (m.serial.is_some() || m.software_rev.is_some())
            })
        })
}

/// The serial of the chassis, or else of the first chassis, board or stack row that has one
/// (many agents leave the chassis row's serial empty and put it on the main board).
fn chassis_serial(modules: &[Module]) -> Option<String> {
    let usable = |s: &String| !s.chars().all(|c| c == '0' || c.is_whitespace());
    chassis(modules)
        .and_then(|c| c.serial.clone())
        .filter(usable)
        .or_else(|| {
            modules
                .iter()
                .filter(|m| {
                    matches!(
                        m.class.as_deref(),
                        None | Some("chassis" | "module" | "stack")
                    )
                })
                .find_map(|m| m.serial.clone().filter(usable))
        })
}

/// Devices seen only in another device's LLDP table become records of their own, identified
/// from what the neighbour said of them (system description, and the port description where it
/// names a model, as Huawei access nodes do), with lower confidence. One record per chassis ID.
pub fn neighbor_records(parent: &DeviceRecord, identifier: &Identifier) -> Vec<DeviceRecord> {
    let mut out: Vec<DeviceRecord> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in &parent.neighbors {
        let key = n.chassis_id.clone().or_else(|| n.sys_name.clone());
        if let Some(k) = &key
            && !seen.insert(k.clone())
        {
            continue;
        }
        let chassis_mac = match n.chassis_id_subtype.as_deref() {
            Some("macAddress") => n.chassis_id.as_deref().and_then(parse_colon_mac),
            _ => None,
        };
        let facts = Facts {
            sys_descr: n.sys_descr.as_deref(),
            chassis_mac,
            ..Facts::default()
        };
        let mut id = identifier.identify(&facts);
        if let Some(m) = n
            .port_descr
            .as_deref()
            .and_then(|p| identifier.sysdescr_rules().matches(p, identifier.vendors()))
        {
            let same = m.vendor.as_ref().map(|v| &v.origin) == id.origin.as_ref();
            if same || id.origin.is_none() {
                id.model = id.model.or(m.model);
                id.version = id.version.or(m.version);
            }
            if id.origin.is_none() {
                let ev = crate::device::Evidence {
                    source: format!("LLDP port description rule {}", m.rule),
                    value: n.port_descr.clone().unwrap_or_default(),
                    vendor: m.vendor.as_ref().map(|v| v.vendor.clone()),
                    origin: m.vendor.as_ref().map(|v| v.origin.clone()),
                    weight: crate::identify::weight::SYSDESCR_NAMED,
                };
                let model = id.model.take();
                id = identifier.combine(id.evidence.into_iter().chain([ev]).collect());
                id.model = model;
            }
        }
        for e in &mut id.evidence {
            e.source = format!("LLDP neighbour of {}: {}", parent.address, e.source);
            e.weight *= crate::identify::weight::NEIGHBOR_SCALE;
        }
        let confidence =
            (id.confidence * crate::identify::weight::NEIGHBOR_SCALE * 100.0).round() / 100.0;
        let port = n
            .local_port_descr
            .clone()
            .unwrap_or_else(|| format!("port {}", n.local_port));
        out.push(DeviceRecord {
            address: n
                .management_addresses
                .first()
                .cloned()
                .unwrap_or_else(|| format!("lldp:{}", key.clone().unwrap_or_default())),
            discovered_via: DiscoveredVia::LldpNeighbor,
            credential: None,
            sys_name: n.sys_name.clone(),
            sys_descr: n.sys_descr.clone(),
            sys_object_id: None,
            sys_uptime: None,
            engine_id: None,
            vendor: id.vendor,
            origin: id.origin,
            brand: id.brand,
            model: id.model,
            os: id.os,
            version: id.version,
            serial: None,
            chassis_mac: chassis_mac.map(hex_mac),
            confidence,
            evidence: id.evidence,
            conflicts: id.conflicts,
            modules: Vec::new(),
            neighbors: Vec::new(),
            interfaces: Vec::new(),
            arp_entries: 0,
            fdb_entries: 0,
            tables: Vec::new(),
            verdict: Verdict::Unknown,
            findings: Vec::new(),
            notes: vec![format!(
                "seen only in the LLDP table of {} ({}), on {port}, remote port {}",
                parent.address,
                parent.sys_name.as_deref().unwrap_or("?"),
                n.port_id.as_deref().unwrap_or("?")
            )],
        });
    }
    out
}

fn parse_colon_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<u8> = s
        .split(':')
        .map(|p| u8::from_str_radix(p, 16).ok())
        .collect::<Option<_>>()?;
    parts.try_into().ok()
}

/// Gathers the neighbour-only devices of a sweep: every polled device's neighbours, less those
/// that turned out to be polled devices themselves (same address, chassis MAC or name), each
/// reported once.
#[derive(Debug, Default)]
pub struct NeighborCollector {
    known: std::collections::HashSet<String>,
    candidates: Vec<DeviceRecord>,
}

impl NeighborCollector {
    /// Takes a polled device: its identity keys, and its neighbours as candidates.
    pub fn add(&mut self, device: &DeviceRecord, identifier: &Identifier) {
        self.known.extend(keys(device));
        self.candidates.extend(neighbor_records(device, identifier));
    }

    /// Takes in what another collector gathered.
    pub fn merge(&mut self, other: NeighborCollector) {
        self.known.extend(other.known);
        self.candidates.extend(other.candidates);
    }

    /// The neighbour-only devices.
    pub fn finish(self) -> Vec<DeviceRecord> {
        let mut known = self.known;
        let mut candidates = self.candidates;
        // Devices complete in any order: sort so the same segment always gives the same report.
        candidates.sort_by(|a, b| {
            a.notes
                .cmp(&b.notes)
                .then_with(|| a.address.cmp(&b.address))
        });
        let mut out = Vec::new();
        for d in candidates {
            let k = keys(&d);
            if k.iter().any(|x| known.contains(x)) {
                continue;
            }
            known.extend(k);
            out.push(d);
        }
        out
    }
}

fn keys(d: &DeviceRecord) -> Vec<String> {
    let mut k = vec![format!("address {}", d.address)];
    k.extend(d.chassis_mac.iter().map(|m| format!("mac {m}")));
    k.extend(
        d.sys_name
            .iter()
            .filter(|n| !n.starts_with('<'))
            .map(|n| format!("name {n}")),
    );
    k
}
