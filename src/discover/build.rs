//! Turns one device's observations into its record: decodes the walked tables (system,
//! ENTITY-MIB, IF-MIB, the neighbour tables, ARP, FDB), identifies, and judges.
//!
//! Neighbours come from three tables, each decoded to the same [`Neighbor`]: IEEE 802.1AB
//! LLDP-MIB lldpRemTable (1.0.8802.1.1.2), its 802.1AB-2009 successor LLDP-V2-MIB
//! lldpV2RemTable (1.3.111.2.802.1.1.13), each with its management-address table, and
//! CISCO-CDP-MIB cdpCacheTable (1.3.6.1.4.1.9.9.23). The LLDP tables differ only in their
//! index (V2 adds the destination-address row between local port and remote index, and its
//! local port is an ifIndex) and so in their column numbers. Not decoded: the LLDP extension
//! MIBs (802.1, 802.3, MED), cdpCtAddressTable (a CDP neighbour's second and later addresses).

use std::collections::BTreeMap;

use super::plan::{
    DOT1D_BASE_BRIDGE_ADDRESS, HR_DEVICE_DESCR, HR_PRINTER_STATUS, PRT_GENERAL_PRINTER_NAME,
    UPS_IDENT_MANUFACTURER, UPS_IDENT_MODEL,
};
use crate::identify::{Facts, Identification, Identifier, Subject, mac_of, private_oids};
use crate::record::{
    DiscoveredVia, EngineId, EntityClass, Interface, Mac, Module, Neighbor, NeighborId, NotJudged,
    Observations, Observed, Protocol, Record,
};
use crate::snmp::oids;
use crate::text::{clean, escaped, serial_placeholder};
use crate::wire::engine_id::EngineId as DecodedEngineId;
use crate::wire::lldp::{Id, address_text, id_text};
use crate::wire::{Oid, Value};

fn text(v: Option<&Value>) -> Option<String> {
    v?.trimmed_text()
}

fn col(table: &[u32], column: u32) -> Oid {
    let mut arcs = Vec::with_capacity(table.len() + 2);
    arcs.extend_from_slice(table);
    arcs.push(column);
    Oid::new(arcs)
}

const ENT_PHYSICAL_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1];
const IF_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 2, 2, 1];
const LLDP_LOC: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 3];
const LLDP_V2_LOC: &[u32] = &[1, 3, 111, 2, 802, 1, 1, 13, 1, 3];
const CDP_CACHE_ENTRY: &[u32] = &[1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1];

/// Where one version of the LLDP MIB keeps its remote data.
struct LldpMib {
    /// lldpRemEntry / lldpV2RemEntry.
    rem_entry: &'static [u32],
    /// lldpRemManAddrEntry / lldpV2RemManAddrEntry.
    man_addr_entry: &'static [u32],
    /// Sub-identifiers of the remote-table index: timeMark, localPortNum, remIndex (V1);
    /// timeMark, localIfIndex, localDestMACAddress (a row of lldpV2DestAddressTable, one
    /// sub-identifier), remIndex (V2). The local port is the second in both.
    index_len: usize,
    /// The column of lldpRemChassisIdSubtype; the eight after it follow in the same order in
    /// both versions (chassis ID, port ID subtype, port ID, port description, system name,
    /// system description, capabilities supported, capabilities enabled).
    first_column: u32,
}

/// LLDP-MIB (IEEE 802.1AB-2005): lldpRemTable and lldpRemManAddrTable.
const LLDP_V1: LldpMib = LldpMib {
    rem_entry: &[1, 0, 8802, 1, 1, 2, 1, 4, 1, 1],
    man_addr_entry: &[1, 0, 8802, 1, 1, 2, 1, 4, 2, 1],
    index_len: 3,
    first_column: 4,
};

/// LLDP-V2-MIB (IEEE 802.1AB-2009): lldpV2RemTable and lldpV2RemManAddrTable.
const LLDP_V2: LldpMib = LldpMib {
    rem_entry: &[1, 3, 111, 2, 802, 1, 1, 13, 1, 4, 1, 1],
    man_addr_entry: &[1, 3, 111, 2, 802, 1, 1, 13, 1, 4, 2, 1],
    index_len: 4,
    first_column: 5,
};

/// The rows of a table, in index order, with the `N` columns asked for: a merge of the columns'
/// ranges of the observations, as they are already in index order. Nothing is copied or sorted:
/// a sweep builds several tables for every device, some with thousands of rows.
struct Table<'a, const N: usize> {
    columns: [u32; N],
    /// Sub-identifiers before a row's index: the entry's and the column's.
    prefix: usize,
    /// One per column, after its head; none when the agent answered nothing under the entry.
    cursors: Option<[std::collections::btree_map::Range<'a, Oid, Value>; N]>,
    /// Each column's next cell not yet given: its index and value.
    heads: [Option<(&'a [u32], &'a Value)>; N],
}

/// One row of a [`Table`]: its index suffix and the values of its columns.
struct Row<'a, const N: usize> {
    index: &'a [u32],
    columns: [u32; N],
    cells: [Option<&'a Value>; N],
}

impl<'a, const N: usize> Row<'a, N> {
    /// The value in `column`, if the agent answered it.
    fn get(&self, column: u32) -> Option<&'a Value> {
        let i = self.columns.iter().position(|&c| c == column)?;
        self.cells[i]
    }
}

impl<'a, const N: usize> Iterator for Table<'a, N> {
    type Item = Row<'a, N>;

    fn next(&mut self) -> Option<Row<'a, N>> {
        let prefix = self.prefix;
        let cursors = self.cursors.as_mut()?;
        let index = self.heads.iter().flatten().map(|(i, _)| *i).min()?;
        let mut cells = [None; N];
        for ((cell, head), cursor) in cells.iter_mut().zip(&mut self.heads).zip(cursors) {
            if let Some((i, v)) = *head
                && i == index
            {
                *cell = Some(v);
                *head = cell_of(prefix, cursor.next());
            }
        }
        Some(Row {
            index,
            columns: self.columns,
            cells,
        })
    }
}

/// A cell of a column's range: its index (the sub-identifiers after `prefix`) and value.
fn cell_of<'a>(
    prefix: usize,
    entry: Option<(&'a Oid, &'a Value)>,
) -> Option<(&'a [u32], &'a Value)> {
    let (o, v) = entry?;
    Some((o.arcs().get(prefix..).unwrap_or_default(), v))
}

/// The table under `entry` (an ...Entry OID), with the columns asked for.
fn rows<'a, const N: usize>(
    obs: &'a Observations,
    entry: &[u32],
    columns: [u32; N],
) -> Table<'a, N> {
    let entry = Oid::new(entry);
    // Most agents have none of most tables: one look spares a seek per column.
    let answered = obs
        .values
        .range::<Oid, _>(&entry..)
        .next()
        .is_some_and(|(o, _)| o.starts_with(&entry));
    let prefix = entry.arcs().len() + 1;
    let mut heads = [None; N];
    let cursors = answered.then(|| {
        let mut cursors = columns.map(|c| {
            let column = entry.child(c);
            let end = entry.child(c.saturating_add(1));
            obs.values.range(column..end)
        });
        for (head, cursor) in heads.iter_mut().zip(&mut cursors) {
            *head = cell_of(prefix, cursor.next());
        }
        cursors
    });
    Table {
        columns,
        prefix,
        cursors,
        heads,
    }
}

fn entity_class(v: Option<&Value>) -> Option<EntityClass> {
    let Value::Integer(i) = v? else { return None };
    Some(EntityClass::from_number(*i))
}

fn modules(obs: &Observations) -> Vec<Module> {
    rows(obs, ENT_PHYSICAL_ENTRY, [2, 4, 5, 7, 8, 10, 11, 12, 13])
        .filter_map(|c| {
            let [index] = c.index[..] else { return None };
            Some(Module {
                index,
                class: entity_class(c.get(5)),
                name: text(c.get(7)),
                description: text(c.get(2)),
                manufacturer: text(c.get(12)),
                model: text(c.get(13)),
                serial: text(c.get(11)),
                hardware_rev: text(c.get(8)),
                software_rev: text(c.get(10)),
                contained_in: c
                    .get(4)
                    .and_then(|v| v.as_u64())
                    .and_then(|v| u32::try_from(v).ok()),
                ..Module::default()
            })
        })
        .collect()
}

/// The interfaces, and the MACs among their ifPhysAddress (for the OUI evidence).
fn interfaces(obs: &Observations) -> (Vec<Interface>, Vec<[u8; 6]>) {
    let mut macs = Vec::new();
    let interfaces = rows(obs, IF_ENTRY, [2, 6])
        .filter_map(|c| {
            // Every row's MAC is evidence, as identify() takes them, whatever its index.
            let mac = mac_of(c.get(6));
            macs.extend(mac);
            let [index] = c.index[..] else { return None };
            Some(Interface {
                index,
                descr: text(c.get(2)),
                mac: mac.map(Mac),
            })
        })
        .collect();
    (interfaces, macs)
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

/// LldpPortIdSubtype (the same in both MIB versions; not the chassis numbering).
fn port_id_subtype(v: Option<&Value>) -> Option<&'static str> {
    let Value::Integer(i) = v? else { return None };
    Some(match i {
        1 => "interfaceAlias",
        2 => "portComponent",
        3 => "macAddress",
        4 => "networkAddress",
        5 => "interfaceName",
        6 => "agentCircuitId",
        7 => "local",
        _ => "unknown",
    })
}

/// A chassis (`chassis`) or port ID in its canonical form for its subtype (the MIB's subtype
/// numbers are the LLDP TLV's: [`id_text`]); nothing when it is empty.
fn lldp_id(chassis: bool, subtype: Option<&Value>, v: Option<&Value>) -> Option<String> {
    let subtype = match subtype {
        Some(Value::Integer(i)) => u8::try_from(*i).unwrap_or(0),
        _ => 0,
    };
    let id = id_text(chassis, subtype, v?.as_bytes()?);
    (!id.is_empty()).then_some(id)
}

/// A neighbour's chassis ID: a MAC where its subtype says so and it holds one, else its
/// canonical text ([`lldp_id`]).
fn lldp_chassis_id(subtype: Option<&Value>, v: Option<&Value>) -> Option<NeighborId> {
    let id = Id {
        subtype: match subtype {
            Some(Value::Integer(i)) => u8::try_from(*i).unwrap_or(0),
            _ => 0,
        },
        value: v?.as_bytes()?.to_vec(),
        chassis: true,
    };
    match id.mac() {
        Some(m) => Some(NeighborId::Mac(Mac(m))),
        None => lldp_id(true, subtype, v).map(NeighborId::Text),
    }
}

/// LldpSystemCapabilitiesMap / LldpV2SystemCapabilitiesMap bit names (V1 defines 0..7).
const LLDP_CAPABILITIES: [&str; 11] = [
    "other",
    "repeater",
    "bridge",
    "wlanAccessPoint",
    "router",
    "telephone",
    "docsisCableDevice",
    "stationOnly",
    "cVLANComponent",
    "sVLANComponent",
    "twoPortMACRelay",
];

/// A BITS value of capabilities as names: bit 0 is the high-order bit of the first octet
/// (RFC 2578 7.1.4). Bits beyond the MIB's are named by number.
fn lldp_capabilities(v: Option<&Value>) -> Vec<String> {
    let Some(b) = v.and_then(Value::as_bytes) else {
        return Vec::new();
    };
    (0..b.len() * 8)
        .filter(|&n| b[n / 8] & (0x80 >> (n % 8)) != 0)
        .map(|n| {
            LLDP_CAPABILITIES
                .get(n)
                .map_or_else(|| format!("bit {n}"), |s| (*s).to_string())
        })
        .collect()
}

/// CDP capability bits, from 0x01 up (the CDP specification; the MIB leaves them to it).
const CDP_CAPABILITIES: [&str; 11] = [
    "router",
    "transparentBridge",
    "sourceRouteBridge",
    "switch",
    "host",
    "igmp",
    "repeater",
    "voipPhone",
    "remotelyManaged",
    "cvta",
    "twoPortMacRelay",
];

/// cdpCacheCapabilities (an octet string of up to four octets, the CDP TLV's 32-bit word in
/// network order) as names. Bits beyond the known ones are named by value.
fn cdp_capabilities(v: Option<&Value>) -> Vec<String> {
    let word = match v {
        Some(Value::OctetString(b)) => b[b.len().saturating_sub(4)..]
            .iter()
            .fold(0u32, |w, &x| (w << 8) | u32::from(x)),
        Some(v) => v.as_u64().and_then(|w| u32::try_from(w).ok()).unwrap_or(0),
        None => 0,
    };
    (0..32)
        .filter(|&n| word & (1 << n) != 0)
        .map(|n| {
            CDP_CAPABILITIES
                .get(n)
                .map_or_else(|| format!("bit 0x{:x}", 1u32 << n), |s| (*s).to_string())
        })
        .collect()
}

/// Management addresses of an LLDP remote management-address table, by the index of their
/// remote-table row. Each row's index is that row's index, then the address subtype (an IANA
/// address family) and the address, length-prefixed (some agents leave the length out).
fn management_addresses(obs: &Observations, mib: &LldpMib) -> BTreeMap<Vec<u32>, Vec<String>> {
    let mut addrs: BTreeMap<Vec<u32>, Vec<String>> = BTreeMap::new();
    // lldpRemManAddrIfSubtype, IfId and OID (columns 3 to 5 in both versions): any one
    // answered makes a row.
    for row in rows(obs, mib.man_addr_entry, [3, 4, 5]) {
        let idx = row.index;
        if idx.len() < mib.index_len + 2 {
            continue;
        }
        let (key, addr) = idx.split_at(mib.index_len);
        let (subtype, rest) = (addr[0], &addr[1..]);
        let octets: Vec<u8> = match rest.split_first() {
            Some((&len, tail)) if tail.len() == len as usize => {
                tail.iter().filter_map(|&x| u8::try_from(x).ok()).collect()
            }
            _ => rest.iter().filter_map(|&x| u8::try_from(x).ok()).collect(),
        };
        addrs
            .entry(key.to_vec())
            .or_default()
            .push(address_text(subtype, &octets));
    }
    addrs
}

fn port_descr(ifaces: &[Interface], index: u32) -> Option<String> {
    ifaces
        .iter()
        .find(|i| i.index == index)
        .and_then(|i| i.descr.clone())
}

fn lldp_neighbors(obs: &Observations, ifaces: &[Interface], mib: &LldpMib) -> Vec<Neighbor> {
    let mut addrs = management_addresses(obs, mib);
    let c0 = mib.first_column;
    rows(
        obs,
        mib.rem_entry,
        [c0, c0 + 1, c0 + 2, c0 + 3, c0 + 4, c0 + 5, c0 + 6, c0 + 8],
    )
    .filter(|c| c.index.len() == mib.index_len)
    .map(|c| {
        let idx = c.index;
        let column = |k: u32| c.get(c0 + k);
        let subtype = chassis_id_subtype(column(0));
        let port_subtype = port_id_subtype(column(2));
        let local_port = idx[1];
        Neighbor {
            protocol: Protocol::Lldp,
            local_port,
            local_port_descr: port_descr(ifaces, local_port),
            chassis_id_subtype: subtype.map(str::to_string),
            chassis_id: lldp_chassis_id(column(0), column(1)),
            port_id_subtype: port_subtype.map(str::to_string),
            port_id: lldp_id(false, column(2), column(3)),
            port_descr: text(column(4)),
            sys_name: text(column(5)),
            sys_descr: text(column(6)),
            platform: None,
            capabilities: lldp_capabilities(column(8)),
            management_addresses: addrs.remove(idx).unwrap_or_default(),
        }
    })
    .collect()
}

/// cdpCacheAddress by cdpCacheAddressType (CISCO-TC CiscoNetworkProtocol: ip(1), ipv6(20)).
/// Other protocols and the unspecified address (agents fill it in when the neighbour sent
/// none) are left out: nobody can be reached at them.
fn cdp_address(kind: Option<&Value>, address: Option<&Value>) -> Option<String> {
    let octets: Vec<u8> = match address? {
        Value::OctetString(b) => b.clone(),
        Value::IpAddress(a) => a.to_vec(),
        _ => return None,
    };
    let ip: std::net::IpAddr = match (kind.and_then(Value::as_u64), octets.len()) {
        (Some(1) | None, 4) => <[u8; 4]>::try_from(octets.as_slice()).ok()?.into(),
        (Some(20), 16) => crate::wire::lldp::ip_address(2, &octets)?,
        _ => return None,
    };
    (!ip.is_unspecified()).then(|| ip.to_string())
}

/// cdpCacheTable, INDEX { cdpCacheIfIndex, cdpCacheDeviceIndex }: columns 3 address type,
/// 4 address, 5 version, 6 device ID, 7 device port, 8 platform, 9 capabilities, 17 sysName.
fn cdp_neighbors(obs: &Observations, ifaces: &[Interface]) -> Vec<Neighbor> {
    rows(obs, CDP_CACHE_ENTRY, [3, 4, 5, 6, 7, 8, 9, 17])
        .filter(|c| c.index.len() == 2)
        .map(|c| {
            let column = |k: u32| c.get(k);
            let local_port = c.index[0];
            let chassis_id = text(column(6));
            Neighbor {
                protocol: Protocol::Cdp,
                local_port,
                local_port_descr: port_descr(ifaces, local_port),
                chassis_id_subtype: chassis_id.as_ref().map(|_| "deviceId".to_string()),
                chassis_id: chassis_id.map(NeighborId::Text),
                port_id_subtype: None,
                port_id: text(column(7)),
                port_descr: None,
                sys_name: text(column(17)),
                sys_descr: text(column(5)),
                platform: text(column(8)),
                capabilities: cdp_capabilities(column(9)),
                management_addresses: cdp_address(column(3), column(4)).into_iter().collect(),
            }
        })
        .collect()
}

/// Every neighbour of the device: LLDP (V1, then V2 rows that V1 did not already list, as
/// agents that implement both MIBs show the same neighbours twice), then CDP.
fn neighbors(obs: &Observations, ifaces: &[Interface]) -> Vec<Neighbor> {
    let mut out = lldp_neighbors(obs, ifaces, &LLDP_V1);
    for n in lldp_neighbors(obs, ifaces, &LLDP_V2) {
        let same = |m: &Neighbor| {
            m.chassis_id.is_some() && m.chassis_id == n.chassis_id && m.port_id == n.port_id
        };
        if !out.iter().any(same) {
            out.push(n);
        }
    }
    out.extend(cdp_neighbors(obs, ifaces));
    out
}

fn count_under(obs: &Observations, column: &[u32]) -> usize {
    let c = Oid::new(column);
    obs.column(&c).count()
}

fn sys_object_id(obs: &Observations) -> Option<Oid> {
    obs.get(&oids::sys_object_id())
        .and_then(Value::as_oid)
        .cloned()
}

/// The chassis MAC: LLDP's local chassis ID (lldpLocChassisId.0, else lldpV2LocChassisId.0)
/// where its subtype is a MAC address, else the MAC an RFC 3411 engine ID carries (agents build
/// it from the chassis MAC).
fn chassis_mac(obs: &Observations) -> Option<[u8; 6]> {
    [LLDP_LOC, LLDP_V2_LOC]
        .into_iter()
        .find_map(|local| match obs.get(&col(local, 1).child(0)) {
            Some(Value::Integer(4)) => mac_of(obs.get(&col(local, 2).child(0))),
            _ => None,
        })
        .or_else(|| {
            obs.engine_id
                .as_deref()
                .and_then(|b| DecodedEngineId::decode(b).ok())
                .and_then(|e| e.mac())
        })
}

/// The note that says how many values were left out as sanitised placeholders (see
/// [`Value::placeholder`]: `<private>`, `XXX`, `*.*.*.*`...), of which kinds, if any were.
/// [`Observations::extend`] sets them aside as they come, so a record is built as if those
/// objects were absent.
fn placeholder_note(obs: &Observations) -> Option<String> {
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    for kind in obs.placeholders.values().filter_map(Value::placeholder) {
        *kinds.entry(kind).or_default() += 1;
    }
    if kinds.is_empty() {
        return None;
    }
    let count: usize = kinds.values().sum();
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let note = format!(
        "{count} sanitised value{} taken as absent, never as the device's: {}",
        if count == 1 { "" } else { "s" },
        kinds.join("; ")
    );
    Some(note)
}

/// Cleans a record's fields for display ([`clean`]) and keeps the originals of those it
/// changed ([`DeviceRecord::cleaned`]), with a note per field of the device itself and one for
/// the fields of its modules and neighbours together.
#[derive(Default)]
pub(super) struct Cleaner {
    cleaned: BTreeMap<String, String>,
    notes: Vec<String>,
    /// Fields of modules and neighbours cleaned.
    nested: usize,
}

impl Cleaner {
    /// The field `path` cleaned; `top`: a field of the device itself, noted by name.
    pub(super) fn field(
        &mut self,
        path: impl FnOnce() -> String,
        value: Option<String>,
        top: bool,
    ) -> Option<String> {
        let raw = value?;
        let c = clean(&raw);
        if c.changed() {
            let path = path();
            if top {
                self.notes
                    .push(format!("{path} cleaned: {}", c.changes.join(", ")));
            } else {
                self.nested += 1;
            }
            self.cleaned.insert(path, escaped(&raw));
        }
        c.text
    }

    /// A serial number cleaned, and left out when it is a placeholder.
    pub(super) fn serial(
        &mut self,
        path: impl Fn() -> String,
        value: Option<String>,
        top: bool,
    ) -> Option<String> {
        let s = self.field(&path, value, top)?;
        let Some(kind) = serial_placeholder(&s) else {
            return Some(s);
        };
        let path = path();
        let counted = self.cleaned.contains_key(&path);
        if top {
            self.notes.push(format!(
                "{path} {s:?} left out: {kind}, not a serial number"
            ));
        } else if !counted {
            self.nested += 1;
        }
        self.cleaned.entry(path).or_insert_with(|| escaped(&s));
        None
    }

    pub(super) fn modules(&mut self, modules: &mut [Module]) {
        for m in modules {
            let i = m.index;
            let at = |f: &str| format!("modules[{i}].{f}");
            m.name = self.field(|| at("name"), m.name.take(), false);
            m.description = self.field(|| at("description"), m.description.take(), false);
            m.manufacturer = self.field(|| at("manufacturer"), m.manufacturer.take(), false);
            m.model = self.field(|| at("model"), m.model.take(), false);
            m.serial = self.serial(|| at("serial"), m.serial.take(), false);
            m.hardware_rev = self.field(|| at("hardware_rev"), m.hardware_rev.take(), false);
            m.software_rev = self.field(|| at("software_rev"), m.software_rev.take(), false);
        }
    }

    fn neighbors(&mut self, neighbors: &mut [Neighbor]) {
        for (i, n) in neighbors.iter_mut().enumerate() {
            let at = |f: &str| format!("neighbors[{i}].{f}");
            if n.protocol == Protocol::Cdp {
                let id = n.chassis_id.take().map(|id| id.to_string());
                n.chassis_id = self
                    .field(|| at("chassis_id"), id, false)
                    .map(NeighborId::Text);
                n.port_id = self.field(|| at("port_id"), n.port_id.take(), false);
            }
            n.port_descr = self.field(|| at("port_descr"), n.port_descr.take(), false);
            n.sys_name = self.field(|| at("sys_name"), n.sys_name.take(), false);
            n.sys_descr = self.field(|| at("sys_descr"), n.sys_descr.take(), false);
            n.platform = self.field(|| at("platform"), n.platform.take(), false);
        }
    }

    /// The first of `candidates` (in order of precedence) that is left once cleaned.
    pub(super) fn first(&mut self, what: &str, candidates: [Option<String>; 3]) -> Option<String> {
        candidates.into_iter().find_map(|c| {
            if what == "serial" {
                self.serial(|| what.to_string(), c, true)
            } else {
                self.field(|| what.to_string(), c, true)
            }
        })
    }

    /// The notes: one per field of the device, one for its modules' and neighbours' fields.
    pub(super) fn notes(mut self) -> (Vec<String>, BTreeMap<String, String>) {
        if self.nested > 0 {
            self.notes.push(format!(
                "{} of modules or neighbours cleaned for display (originals in `cleaned`)",
                crate::words::count(self.nested as u64, "value", "values")
            ));
        }
        (self.notes, self.cleaned)
    }
}

/// Neighbours that name no device (an empty or absent chassis ID and no system name: nothing
/// to tell them apart or find them by) are taken out of the list and said in one note per
/// protocol on the device whose table held them, with the ports they were seen on.
fn nameless_neighbors(neighbors: &mut Vec<Neighbor>) -> Vec<String> {
    let mut ports: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    neighbors.retain(|n| {
        let nameless = n.chassis_id.is_none() && n.sys_name.is_none();
        if nameless {
            let port = n
                .local_port_descr
                .clone()
                .unwrap_or_else(|| format!("port {}", n.local_port));
            ports.entry(n.protocol.as_str()).or_default().push(port);
        }
        !nameless
    });
    ports
        .into_iter()
        .map(|(protocol, ports)| {
            let (protocol, id) = if protocol == "cdp" {
                ("CDP", "device ID")
            } else {
                ("LLDP", "chassis ID")
            };
            let n = ports.len() as u64;
            format!(
                "{} with an empty {id} and no name, on {}: not reported as {}",
                crate::words::count(
                    n,
                    &format!("{protocol} neighbour"),
                    &format!("{protocol} neighbours")
                ),
                ports.join(", "),
                if n == 1 { "a device" } else { "devices" }
            )
        })
        .collect()
}

/// Identifies a device from its observations, as [`device_record`] does (a sweep asks this
/// before it fetches the objects of the inventory rules that apply to the vendor).
pub fn identify(obs: &Observations, identifier: &Identifier) -> Identification {
    let interface_macs = rows(obs, IF_ENTRY, [6])
        .filter_map(|c| mac_of(c.get(6)))
        .collect();
    identify_with(obs, &modules(obs), interface_macs, identifier)
}

/// The first value under `prefix` (a scalar's instance, a column's first row), with its index:
/// what a GETNEXT of the prefix answers.
fn first_under<'a>(obs: &'a Observations, prefix: &[u32]) -> Option<(&'a [u32], &'a Value)> {
    use std::ops::Bound::{Excluded, Unbounded};
    let prefix = Oid::new(prefix);
    let (o, v) = obs
        .values
        .range::<Oid, _>((Excluded(&prefix), Unbounded))
        .next()?;
    Some((o.suffix(&prefix)?, v))
}

/// The standard objects besides sysDescr and ENTITY-MIB that name a maker or a model (see
/// [`crate::discover::plan::identity_objects`]), as text.
#[derive(Default)]
struct StandardTexts {
    local_sys_descr: Option<String>,
    maker_names: Vec<(String, String)>,
    texts: Vec<(String, String)>,
    models: Vec<(String, String)>,
}

fn standard_texts(obs: &Observations) -> StandardTexts {
    let scalar = |prefix: &[u32]| first_under(obs, prefix).and_then(|(_, v)| text(Some(v)));
    let mut t = StandardTexts {
        local_sys_descr: [LLDP_LOC, LLDP_V2_LOC]
            .into_iter()
            .find_map(|local| text(obs.get(&col(local, 4).child(0)))),
        ..StandardTexts::default()
    };
    if let Some(m) = scalar(UPS_IDENT_MANUFACTURER) {
        t.maker_names.push(("upsIdentManufacturer".into(), m));
    }
    if let Some(m) = scalar(UPS_IDENT_MODEL) {
        t.models.push(("upsIdentModel".into(), m));
    }
    if let Some(n) = scalar(PRT_GENERAL_PRINTER_NAME) {
        t.texts.push(("prtGeneralPrinterName".into(), n));
    }
    if let Some((index, _)) = first_under(obs, HR_PRINTER_STATUS) {
        let mut descr = Oid::new(HR_DEVICE_DESCR);
        for &i in index {
            descr = descr.child(i);
        }
        if let Some(d) = text(obs.get(&descr)) {
            t.texts.push(("hrDeviceDescr of the printer".into(), d));
        }
    }
    t
}

/// (source, text) pairs borrowing their texts, as [`Facts`] takes them.
fn pairs(v: &[(String, String)]) -> Vec<(String, &str)> {
    v.iter().map(|(s, t)| (s.clone(), t.as_str())).collect()
}

fn identify_with(
    obs: &Observations,
    modules: &[Module],
    interface_macs: Vec<[u8; 6]>,
    identifier: &Identifier,
) -> Identification {
    let sys_object_id = sys_object_id(obs);
    let sys_descr = text(obs.get(&oids::sys_descr()));
    let engine_id = obs
        .engine_id
        .as_deref()
        .and_then(|b| DecodedEngineId::decode(b).ok());
    let standard = standard_texts(obs);
    identifier.identify(&Facts {
        sys_object_id: sys_object_id.as_ref(),
        sys_descr: sys_descr.as_deref(),
        local_sys_descr: standard.local_sys_descr.as_deref(),
        chassis: chassis(modules),
        modules,
        maker_names: pairs(&standard.maker_names),
        texts: pairs(&standard.texts),
        models: pairs(&standard.models),
        chassis_mac: chassis_mac(obs),
        bridge_mac: mac_of(first_under(obs, DOT1D_BASE_BRIDGE_ADDRESS).map(|(_, v)| v)),
        interface_macs,
        private_oids: private_oids(obs),
        engine_id: engine_id.as_ref(),
    })
}

/// Builds the record of one device: identification, then the model, version and serial of the
/// inventory rules where they apply (see [`crate::identify::inventory`] for the precedence).
/// Sanitised placeholders among the values are left out and noted
/// ([`crate::wire::value::placeholder`] says which).
pub fn device_record(
    address: String,
    via: DiscoveredVia,
    credential: Option<String>,
    obs: &Observations,
    mut notes: Vec<String>,
    identifier: &Identifier,
) -> Observed {
    notes.extend(placeholder_note(obs));
    let sys_object_id = sys_object_id(obs);
    let sys_descr = text(obs.get(&oids::sys_descr()));
    let mut modules = modules(obs);
    for m in &mut modules {
        if let Some(r) = identifier.module_vendor(m) {
            m.vendor = Some(r.vendor.clone());
            m.origin = Some(r.origin.clone());
        }
    }
    let (interfaces, interface_macs) = interfaces(obs);
    let chassis_mac = chassis_mac(obs);
    let mut id = identify_with(obs, &modules, interface_macs, identifier);
    let subject = Subject {
        sys_object_id: sys_object_id.as_ref(),
        vendor: id.vendor.as_deref(),
        chassis: chassis(&modules).map(|c| c.index),
    };
    let inventory = identifier.inventory(obs, &subject);
    let mut cleaner = Cleaner::default();
    cleaner.modules(&mut modules);
    let mut neighbors = neighbors(obs, &interfaces);
    notes.extend(nameless_neighbors(&mut neighbors));
    cleaner.neighbors(&mut neighbors);
    let sys_name = cleaner.field(|| "sys_name".into(), text(obs.get(&oids::sys_name())), true);
    let sys_descr = cleaner.field(|| "sys_descr".into(), sys_descr, true);
    let (model, version, serial) = (inventory.model, inventory.version, inventory.serial);
    id.model = cleaner.first(
        "model",
        [
            model.first.map(|f| f.value),
            id.model,
            model.fallback.map(|f| f.value),
        ],
    );
    id.version = cleaner.first(
        "version",
        [
            version.first.map(|f| f.value),
            id.version,
            version.fallback.map(|f| f.value),
        ],
    );
    id.serial = cleaner.first(
        "serial",
        [
            serial.first.map(|f| f.value),
            chassis_serial(&modules),
            serial.fallback.map(|f| f.value),
        ],
    );
    id.chassis_mac = chassis_mac.map(Mac);
    let (cleaning_notes, cleaned) = cleaner.notes();
    notes.extend(cleaning_notes);
    Record {
        address,
        discovered_via: via,
        reported_by: None,
        credential,
        sys_name,
        sys_descr,
        sys_object_id: sys_object_id.map(|o| o.to_string()),
        sys_uptime: obs.get(&oids::sys_uptime()).and_then(Value::as_u64),
        engine_id: obs.engine_id.clone().map(EngineId),
        identification: id,
        neighbors,
        modules,
        interfaces,
        arp_entries: count_under(obs, &[1, 3, 6, 1, 2, 1, 4, 22, 1, 2])
            + count_under(obs, &[1, 3, 6, 1, 2, 1, 4, 35, 1, 4]),
        fdb_entries: count_under(obs, &[1, 3, 6, 1, 2, 1, 17, 4, 3, 1, 1]),
        tables: obs.tables.clone(),
        judgement: NotJudged,
        notes,
        cleaned,
    }
}

/// `f` over every item, on every core: one thread per core takes the next item not yet taken
/// until none is left (devices differ a hundredfold in size, so fixed shares would leave a core
/// idle), and the results come back in the items' order. For work that is independent per
/// device and bound by the CPU, such as [`device_record`] over recordings.
pub fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if cores < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..cores.min(items.len()))
            .map(|_| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break out };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| match t.join() {
                Ok(out) => out,
                // A panic in `f` is a bug: let it go on as the panic it was.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The chassis: the first ENTITY row of class chassis contained in nothing, else the first
/// chassis row, else the first row with a manufacturer or model, else the first row of class
/// stack or of no class at all that has a serial number or software revision (agents that
/// answer only some columns of the table, such as entPhysicalSerialNum.1).
fn chassis(modules: &[Module]) -> Option<&Module> {
    let is_chassis = |m: &&Module| m.class == Some(EntityClass::Chassis);
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
                matches!(m.class, None | Some(EntityClass::Stack))
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
                        m.class,
                        None | Some(
                            EntityClass::Chassis | EntityClass::Module | EntityClass::Stack
                        )
                    )
                })
                .find_map(|m| m.serial.clone().filter(usable))
        })
}

/// Devices seen only in another device's LLDP table or CDP cache become records of their own,
/// identified from what the neighbour said of them (system description or CDP software
/// version; and the model text: the LLDP port description where it names a model, as Huawei
/// access nodes do, or the CDP platform), with lower confidence. One record per chassis ID.
pub fn neighbor_records<J>(parent: &Record<J>, identifier: &Identifier) -> Vec<Observed> {
    let mut out: Vec<Observed> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in &parent.neighbors {
        let key = n
            .chassis_id
            .as_ref()
            .map(NeighborId::to_string)
            .or_else(|| n.sys_name.clone());
        if let Some(k) = &key
            && !seen.insert(k.clone())
        {
            continue;
        }
        let cdp = n.protocol == Protocol::Cdp;
        let (protocol, table) = if cdp {
            ("CDP", "CDP cache")
        } else {
            ("LLDP", "LLDP table")
        };
        let chassis_mac = match n.chassis_id_subtype.as_deref() {
            Some("macAddress") => n.chassis_id.as_ref().and_then(NeighborId::mac),
            _ => None,
        };
        let facts = Facts {
            sys_descr: n.sys_descr.as_deref(),
            chassis_mac: chassis_mac.map(Mac::octets),
            ..Facts::default()
        };
        let mut id = identifier.identify(&facts);
        // The CDP platform is the model as the device names itself ("cisco AIR-AP2702I-UXK9"),
        // better than what its software version suggests (the image family, "C2700").
        let version_model = if cdp { id.model.take() } else { None };
        let model_texts = [
            ("LLDP port description", n.port_descr.as_deref()),
            ("CDP platform", n.platform.as_deref()),
        ];
        for (what, value) in model_texts {
            let Some(value) = value else { continue };
            let Some(m) = identifier
                .sysdescr_rules()
                .matches(value, identifier.vendors())
            else {
                continue;
            };
            let same = m.vendor.as_ref().map(|v| &v.origin) == id.origin.as_ref();
            if same || id.origin.is_none() {
                id.model = id.model.or(m.model);
                id.version = id.version.or(m.version);
            }
            if id.origin.is_none() {
                let ev = crate::record::Evidence {
                    source: format!("{what} rule {}", m.rule),
                    value: value.to_string(),
                    vendor: m.vendor.as_ref().map(|v| v.vendor.clone()),
                    origin: m.vendor.as_ref().map(|v| v.origin.clone()),
                    weight: crate::identify::weight::SYSDESCR_NAMED,
                };
                let (model, version) = (id.model.take(), id.version.take());
                id = identifier.combine(id.evidence.into_iter().chain([ev]).collect());
                id.model = model;
                id.version = version;
            }
        }
        if cdp {
            id.model = id.model.or_else(|| n.platform.clone()).or(version_model);
        }
        for e in &mut id.evidence {
            e.source = format!("{protocol} neighbour of {}: {}", parent.address, e.source);
            e.weight *= crate::identify::weight::NEIGHBOR_SCALE;
        }
        id.confidence =
            (id.confidence * crate::identify::weight::NEIGHBOR_SCALE * 100.0).round() / 100.0;
        id.chassis_mac = chassis_mac;
        let port = n
            .local_port_descr
            .clone()
            .unwrap_or_else(|| format!("port {}", n.local_port));
        out.push(Record {
            address: neighbor_address(n, key.as_deref()),
            discovered_via: if cdp {
                DiscoveredVia::CdpNeighbor
            } else {
                DiscoveredVia::LldpNeighbor
            },
            reported_by: Some(parent.address.clone()),
            credential: None,
            sys_name: n.sys_name.clone(),
            sys_descr: n.sys_descr.clone(),
            sys_object_id: None,
            sys_uptime: None,
            engine_id: None,
            identification: id,
            modules: Vec::new(),
            neighbors: Vec::new(),
            interfaces: Vec::new(),
            arp_entries: 0,
            fdb_entries: 0,
            tables: Vec::new(),
            judgement: NotJudged,
            notes: vec![format!(
                "seen only in the {table} of {} ({}), on {port}, remote port {}",
                parent.address,
                parent.sys_name.as_deref().unwrap_or("?"),
                n.port_id.as_deref().unwrap_or("?")
            )],
            cleaned: BTreeMap::new(),
        });
    }
    out
}

/// The address of a neighbour-only record, in one form: its first management address that is
/// an IP address one could reach (not the unspecified address), else `lldp:` or `cdp:` and its
/// key (the canonical chassis ID or CDP device ID, else the name).
fn neighbor_address(n: &Neighbor, key: Option<&str>) -> String {
    n.management_addresses
        .iter()
        .find(|a| {
            a.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| !ip.is_unspecified())
        })
        .cloned()
        .unwrap_or_else(|| format!("{}:{}", n.protocol, key.unwrap_or_default()))
}

/// Gathers the neighbour-only devices of a sweep: every polled device's neighbours, less those
/// that turned out to be polled devices themselves (same address, chassis MAC or name), each
/// reported once.
#[derive(Debug, Default)]
pub struct NeighborCollector {
    known: std::collections::HashSet<String>,
    candidates: Vec<Observed>,
}

impl NeighborCollector {
    /// Takes a polled device: its identity keys, and its neighbours as candidates.
    pub fn add<J>(&mut self, device: &Record<J>, identifier: &Identifier) {
        self.known.extend(keys(device));
        self.candidates.extend(neighbor_records(device, identifier));
    }

    /// Takes in what another collector gathered.
    pub fn merge(&mut self, other: NeighborCollector) {
        self.known.extend(other.known);
        self.candidates.extend(other.candidates);
    }

    /// The neighbour-only devices.
    pub fn finish(self) -> Vec<Observed> {
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

fn keys<J>(d: &Record<J>) -> Vec<String> {
    let mut k = vec![format!("address {}", d.address)];
    k.extend(
        d.identification
            .chassis_mac
            .iter()
            .map(|m| format!("mac {m}")),
    );
    k.extend(
        d.sys_name
            .iter()
            .filter(|n| crate::wire::value::placeholder(n.as_bytes()).is_none())
            .map(|n| format!("name {n}")),
    );
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::VarBind;

    fn identifier() -> Identifier {
        Identifier::bundled().unwrap()
    }

    fn observations(values: &[(&str, Value)]) -> Observations {
        let mut obs = Observations::default();
        obs.extend(
            values
                .iter()
                .map(|(o, v)| VarBind::new(o.parse().unwrap(), v.clone())),
        );
        obs
    }

    fn octets(b: &[u8]) -> Value {
        Value::OctetString(b.to_vec())
    }

    fn string(s: &str) -> Value {
        Value::OctetString(s.as_bytes().to_vec())
    }

    fn record(obs: &Observations) -> Observed {
        device_record(
            "192.0.2.1".into(),
            DiscoveredVia::Snmp,
            None,
            obs,
            Vec::new(),
            &identifier(),
        )
    }

    fn evidence_sources(r: &Observed) -> Vec<&str> {
        r.identification
            .evidence
            .iter()
            .map(|e| e.source.as_str())
            .collect()
    }

    /// A Huawei UPS behind net-snmp (as /tmp/sd's huawei-gse200m, but without its private
    /// subtree): a plain Linux sysDescr, the generic agent's sysObjectID, and UPS-MIB's
    /// identity naming the maker and the model.
    #[test]
    fn a_generic_agent_named_only_by_its_ups_identity_is_identified() {
        let obs = observations(&[
            (
                "1.3.6.1.2.1.1.1.0",
                string("Linux GSE200M 2.6.27 #591 armv5tejl"),
            ),
            (
                "1.3.6.1.2.1.1.2.0",
                Value::ObjectId("1.3.6.1.4.1.8072.3.2.10".parse().unwrap()),
            ),
            ("1.3.6.1.2.1.33.1.1.1.0", string("HUAWEI")),
            ("1.3.6.1.2.1.33.1.1.2.0", string("UPS5000")),
        ]);
        let r = record(&obs);
        assert_eq!(
            (
                r.identification.vendor.as_deref(),
                r.identification.origin.as_deref(),
                r.identification.model.as_deref()
            ),
            (Some("Huawei"), Some("huawei"), Some("UPS5000")),
            "{:?}",
            r.identification.evidence
        );
        assert!(evidence_sources(&r).contains(&"upsIdentManufacturer"));
    }

    /// The chassis' entPhysicalDescr where its entPhysicalMfgName is empty, and a printer's
    /// hrDeviceDescr (the row hrPrinterStatus names) or prtGeneralPrinterName, go through the
    /// sysDescr rules.
    #[test]
    fn a_chassis_description_or_a_printer_name_names_the_maker() {
        let net_snmp = || {
            (
                "1.3.6.1.2.1.1.2.0",
                Value::ObjectId("1.3.6.1.4.1.8072.3.2.10".parse().unwrap()),
            )
        };
        let chassis = observations(&[
            net_snmp(),
            (
                "1.3.6.1.2.1.47.1.1.1.1.2.1",
                string("Huawei S5735-L48T4X-A1 Routing Switch"),
            ),
            ("1.3.6.1.2.1.47.1.1.1.1.5.1", Value::Integer(3)),
        ]);
        let r = record(&chassis);
        assert_eq!(
            r.identification.origin.as_deref(),
            Some("huawei"),
            "{:?}",
            r.identification.evidence
        );
        assert!(
            evidence_sources(&r)
                .iter()
                .any(|s| s.starts_with("entPhysicalDescr of chassis 1 rule ")),
            "{:?}",
            r.identification.evidence
        );
        // With its maker named, the description is not read.
        let mut named = chassis.clone();
        named.extend([VarBind::new(
            "1.3.6.1.2.1.47.1.1.1.1.12.1".parse().unwrap(),
            string("Cisco"),
        )]);
        assert_eq!(
            record(&named).identification.origin.as_deref(),
            Some("cisco")
        );

        let printer = "Dell 5330dn Mono Laser Printer";
        for obs in [
            observations(&[
                net_snmp(),
                (
                    "1.3.6.1.2.1.25.3.2.1.3.1",
                    string("GenuineIntel: Intel(R) Atom(TM)"),
                ),
                ("1.3.6.1.2.1.25.3.2.1.3.2", string(printer)),
                ("1.3.6.1.2.1.25.3.5.1.1.2", Value::Integer(3)),
            ]),
            observations(&[net_snmp(), ("1.3.6.1.2.1.43.5.1.1.16.1", string(printer))]),
        ] {
            let r = record(&obs);
            assert_eq!(
                (
                    r.identification.vendor.as_deref(),
                    r.identification.model.as_deref()
                ),
                (Some("Dell"), Some("5330dn")),
                "{:?}",
                r.identification.evidence
            );
        }
        // The processor's row names the chip's maker, not the device's: not read.
        let cpu_only = observations(&[net_snmp(), ("1.3.6.1.2.1.25.3.2.1.3.1", string(printer))]);
        assert_eq!(record(&cpu_only).identification.vendor, None);
    }

    /// LLDP-MIB's lldpLocSysDesc is read as sysDescr where sysDescr names nothing.
    #[test]
    fn the_lldp_local_description_speaks_where_sysdescr_says_nothing() {
        let vrp = "Huawei Versatile Routing Platform Software VRP (R) software, Version 5.170 \
                   (S5735 V200R019C10SPC500)";
        let obs = observations(&[
            ("1.3.6.1.2.1.1.1.0", string("switch")),
            ("1.0.8802.1.1.2.1.3.4.0", string(vrp)),
        ]);
        let r = record(&obs);
        assert_eq!(
            r.identification.origin.as_deref(),
            Some("huawei"),
            "{:?}",
            r.identification.evidence
        );
        assert_eq!(
            r.identification.version.as_deref(),
            Some("V200R019C10SPC500")
        );
        assert!(evidence_sources(&r)[0].starts_with("lldpLocSysDesc rule "));
    }

    /// BRIDGE-MIB's dot1dBaseBridgeAddress gives its OUI, unless the chassis MAC already did.
    #[test]
    fn the_bridge_address_gives_its_oui_once() {
        let bridge = ("1.3.6.1.2.1.17.1.1.0", octets(&[0x00, 0xe0, 0xfc, 1, 2, 3]));
        let r = record(&observations(std::slice::from_ref(&bridge)));
        assert_eq!(
            r.identification.origin.as_deref(),
            Some("huawei"),
            "{:?}",
            r.identification.evidence
        );
        assert_eq!(evidence_sources(&r), ["OUI of dot1dBaseBridgeAddress"]);
        let r = record(&observations(&[
            bridge,
            ("1.0.8802.1.1.2.1.3.1.0", Value::Integer(4)),
            (
                "1.0.8802.1.1.2.1.3.2.0",
                octets(&[0x00, 0xe0, 0xfc, 1, 2, 4]),
            ),
        ]));
        assert_eq!(evidence_sources(&r), ["OUI of chassis MAC"]);
    }

    /// Where the chassis names no maker, the maker most boards, power supplies and fans name
    /// counts, weakly; optics (class port) do not vote. Where the chassis names one, modules
    /// are their own verdicts only.
    #[test]
    fn modules_vote_weakly_only_where_the_chassis_names_no_maker() {
        let ent = "1.3.6.1.2.1.47.1.1.1.1";
        let mut rows = vec![(format!("{ent}.5.1"), Value::Integer(3))];
        for i in 2..=3 {
            rows.push((format!("{ent}.5.{i}"), Value::Integer(6)));
            rows.push((format!("{ent}.12.{i}"), string("Huawei")));
        }
        for i in 4..=8 {
            rows.push((format!("{ent}.5.{i}"), Value::Integer(10)));
            rows.push((format!("{ent}.12.{i}"), string("Cisco")));
        }
        let as_refs = |rows: &[(String, Value)]| {
            observations(
                &rows
                    .iter()
                    .map(|(o, v)| (o.as_str(), v.clone()))
                    .collect::<Vec<_>>(),
            )
        };
        let r = record(&as_refs(&rows));
        assert_eq!(
            r.identification.origin.as_deref(),
            Some("huawei"),
            "{:?}",
            r.identification.evidence
        );
        let e = &r.identification.evidence[0];
        assert_eq!(
            (e.source.as_str(), e.weight),
            (
                "entPhysicalMfgName of 2 of 2 modules naming a maker",
                crate::identify::weight::MODULE_MFG
            )
        );
        rows.push((format!("{ent}.12.1"), string("Juniper Networks")));
        let r = record(&as_refs(&rows));
        assert_eq!(
            r.identification.origin.as_deref(),
            Some("juniper"),
            "{:?}",
            r.identification.evidence
        );
        assert!(
            r.identification.conflicts.is_empty(),
            "{:?}",
            r.identification.conflicts
        );
    }

    /// Rows are merged from their columns in index order (numeric, so 2 before 10), each row
    /// with the cells its agent answered, whichever columns those are.
    #[test]
    fn table_rows_merge_sparse_columns_in_index_order() {
        let obs = observations(&[
            ("1.3.6.1.2.1.47.1.1.1.1.2.10", string("ten")),
            ("1.3.6.1.2.1.47.1.1.1.1.2.2", string("two")),
            ("1.3.6.1.2.1.47.1.1.1.1.7.1", string("one")),
            ("1.3.6.1.2.1.47.1.1.1.1.13.10", string("NE40E")),
            // A column not asked for, and the next table's first column.
            ("1.3.6.1.2.1.47.1.1.1.1.3.2", string("x")),
            ("1.3.6.1.2.1.47.1.1.1.2.1.1", string("y")),
        ]);
        type Cells<'a> = [Option<&'a Value>; 3];
        let got: Vec<(Vec<u32>, Cells)> = rows(&obs, ENT_PHYSICAL_ENTRY, [2, 7, 13])
            .map(|r| (r.index.to_vec(), [r.get(2), r.get(7), r.get(13)]))
            .collect();
        assert_eq!(
            got,
            vec![
                (vec![1], [None, Some(&string("one")), None]),
                (vec![2], [Some(&string("two")), None, None]),
                (
                    vec![10],
                    [Some(&string("ten")), None, Some(&string("NE40E"))]
                ),
            ]
        );
        assert_eq!(rows(&obs, CDP_CACHE_ENTRY, [6]).count(), 0);
    }

    #[test]
    fn text_trims_white_space_and_nuls_and_falls_back_to_latin1() {
        assert_eq!(
            text(Some(&octets(b" \0 NE40E\r\n\0\0"))),
            Some("NE40E".into())
        );
        assert_eq!(
            text(Some(&octets(b"\xa0Caf\xe9\xa0"))),
            Some("Caf\u{e9}".into())
        );
        assert_eq!(text(Some(&string("\u{3000}x\u{3000}"))), Some("x".into()));
        assert_eq!(text(Some(&octets(b" \0\t"))), None);
        assert_eq!(text(Some(&Value::Integer(3))), None);
    }

    /// Sanitised values are built as if absent, from sysName to an LLDP neighbour's name, and
    /// said once in the notes with their count.
    #[test]
    fn placeholders_are_absent_from_the_record_and_noted_once() {
        let real = [
            (
                "1.3.6.1.2.1.1.1.0",
                string(
                    "Huawei Versatile Routing Platform Software VRP (R) software, Version 8.180 (NE40E V800R011C00SPC200)",
                ),
            ),
            (
                "1.3.6.1.2.1.1.2.0",
                Value::ObjectId("1.3.6.1.4.1.2011.2.62.2.3".parse().unwrap()),
            ),
            ("1.3.6.1.2.1.47.1.1.1.1.5.1", Value::Integer(3)),
            ("1.3.6.1.2.1.47.1.1.1.1.13.1", string("NE40E-X8")),
            ("1.0.8802.1.1.2.1.4.1.1.5.0.7.1", string("00e0fc000001")),
            (
                "1.0.8802.1.1.2.1.4.1.1.10.0.7.1",
                string("ZXR10 ROS Version V4.08.23"),
            ),
        ];
        let sanitised = [
            ("1.3.6.1.2.1.1.5.0", string("<private>")),
            ("1.3.6.1.2.1.1.6.0", string("<private> ")),
            ("1.3.6.1.2.1.47.1.1.1.1.11.1", string("XXXXXXXX")),
            ("1.3.6.1.2.1.47.1.1.1.1.12.1", string("<removed>")),
            ("1.0.8802.1.1.2.1.4.1.1.9.0.7.1", string("removed")),
        ];
        let mut all = real.to_vec();
        all.extend(sanitised.iter().cloned());
        let clean = record(&observations(&real));
        let mut dirty = record(&observations(&all));
        assert_eq!(dirty.sys_name, None);
        assert_eq!(dirty.identification.serial, None);
        assert_eq!(dirty.modules[0].manufacturer, None);
        assert_eq!(dirty.neighbors[0].sys_name, None);
        assert_eq!(
            dirty.notes,
            [
                "5 sanitised values taken as absent, never as the device's: \
              3 a bracketed word such as <private>; 1 a mask such as XXXX; 1 the word removed or redacted"
            ]
        );
        dirty.notes.clear();
        assert_eq!(
            serde_json::to_value(&dirty).unwrap(),
            serde_json::to_value(&clean).unwrap()
        );
        let obs = observations(&all);
        assert_eq!(
            identify(&obs, &identifier()),
            identify(&observations(&real), &identifier())
        );
    }

    /// Every item once, results in the items' order, whatever thread took which.
    #[test]
    fn on_every_core_keeps_order() {
        let items: Vec<u64> = (0..1000).collect();
        let out = on_every_core(&items, |&n| {
            // Uneven work, as devices are.
            (0..(n % 7) * 1000).fold(n, |a, b| a.wrapping_add(b % 3))
                - (0..(n % 7) * 1000).map(|b| b % 3).sum::<u64>()
        });
        assert_eq!(out, items);
    }

    /// lldpV2RemTable row 0.7.1.3 (timeMark 0, ifIndex 7, destination-address row 1, remote
    /// index 3) and its lldpV2RemManAddrTable row for 10.0.0.3, as a switch answers them; the
    /// device's own chassis MAC in lldpV2LocalSystemData.
    #[test]
    fn lldp_v2_remote_table_decodes_with_its_management_address() {
        let rem = "1.3.111.2.802.1.1.13.1.4.1.1";
        let row = "0.7.1.3";
        let obs = observations(&[
            ("1.3.6.1.2.1.2.2.1.2.7", string("GigabitEthernet0/7")),
            ("1.3.111.2.802.1.1.13.1.3.1.0", Value::Integer(4)),
            (
                "1.3.111.2.802.1.1.13.1.3.2.0",
                octets(&[0x00, 0xe0, 0xfc, 0x01, 0x02, 0x03]),
            ),
            (&format!("{rem}.5.{row}"), Value::Integer(4)),
            (
                &format!("{rem}.6.{row}"),
                octets(&[0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc]),
            ),
            (&format!("{rem}.7.{row}"), Value::Integer(5)),
            (&format!("{rem}.8.{row}"), string("ge-0/0/1")),
            (&format!("{rem}.9.{row}"), string("uplink to core")),
            (&format!("{rem}.10.{row}"), string("core-1")),
            (
                &format!("{rem}.11.{row}"),
                string("Juniper Networks, Inc. ex4300"),
            ),
            (&format!("{rem}.12.{row}"), octets(&[0x28, 0x00])),
            (&format!("{rem}.13.{row}"), octets(&[0x20, 0x00])),
            (
                "1.3.111.2.802.1.1.13.1.4.2.1.3.0.7.1.3.1.4.10.0.0.3",
                Value::Integer(2),
            ),
            (
                "1.3.111.2.802.1.1.13.1.4.2.1.4.0.7.1.3.1.4.10.0.0.3",
                Value::Gauge32(1),
            ),
        ]);
        let r = record(&obs);
        assert_eq!(
            r.identification
                .chassis_mac
                .map(|m| m.to_string())
                .as_deref(),
            Some("00:e0:fc:01:02:03")
        );
        assert_eq!(
            r.neighbors,
            vec![Neighbor {
                protocol: Protocol::Lldp,
                local_port: 7,
                local_port_descr: Some("GigabitEthernet0/7".into()),
                chassis_id_subtype: Some("macAddress".into()),
                chassis_id: Some(NeighborId::Mac("00:1b:21:aa:bb:cc".parse().unwrap())),
                port_id_subtype: Some("interfaceName".into()),
                port_id: Some("ge-0/0/1".into()),
                port_descr: Some("uplink to core".into()),
                sys_name: Some("core-1".into()),
                sys_descr: Some("Juniper Networks, Inc. ex4300".into()),
                platform: None,
                capabilities: vec!["bridge".into()],
                management_addresses: vec!["10.0.0.3".into()],
            }]
        );
    }

    /// The same neighbour in both LLDP MIBs is listed once; the V1 row's lldpLocChassisId.0
    /// gives the chassis MAC.
    #[test]
    fn a_neighbour_in_both_lldp_mibs_is_listed_once() {
        let obs = observations(&[
            ("1.0.8802.1.1.2.1.3.1.0", Value::Integer(4)),
            ("1.0.8802.1.1.2.1.3.2.0", octets(&[0x02, 0, 0, 0, 0, 0x01])),
            ("1.0.8802.1.1.2.1.4.1.1.4.0.7.3", Value::Integer(7)),
            ("1.0.8802.1.1.2.1.4.1.1.5.0.7.3", string("core-1")),
            ("1.0.8802.1.1.2.1.4.1.1.6.0.7.3", Value::Integer(3)),
            (
                "1.0.8802.1.1.2.1.4.1.1.7.0.7.3",
                octets(&[0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcd]),
            ),
            ("1.0.8802.1.1.2.1.4.1.1.12.0.7.3", octets(&[0x08])),
            ("1.3.111.2.802.1.1.13.1.4.1.1.5.0.7.1.3", Value::Integer(7)),
            ("1.3.111.2.802.1.1.13.1.4.1.1.6.0.7.1.3", string("core-1")),
            ("1.3.111.2.802.1.1.13.1.4.1.1.7.0.7.1.3", Value::Integer(3)),
            (
                "1.3.111.2.802.1.1.13.1.4.1.1.8.0.7.1.3",
                octets(&[0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcd]),
            ),
            ("1.3.111.2.802.1.1.13.1.4.1.1.6.0.8.1.4", string("core-2")),
        ]);
        let r = record(&obs);
        assert_eq!(
            r.identification
                .chassis_mac
                .map(|m| m.to_string())
                .as_deref(),
            Some("02:00:00:00:00:01")
        );
        let chassis_ids: Vec<_> = r
            .neighbors
            .iter()
            .map(|n| n.chassis_id.as_ref().map(ToString::to_string))
            .collect();
        let ids: Vec<_> = r
            .neighbors
            .iter()
            .zip(&chassis_ids)
            .map(|(n, c)| (c.as_deref(), n.port_id.as_deref()))
            .collect();
        assert_eq!(
            ids,
            vec![
                (Some("core-1"), Some("00:1b:21:aa:bb:cd")),
                (Some("core-2"), None)
            ]
        );
        assert_eq!(
            r.neighbors[0].port_id_subtype.as_deref(),
            Some("macAddress")
        );
        assert_eq!(r.neighbors[0].capabilities, ["router"]);
    }

    /// Two rows of a Catalyst 2960-X's cdpCacheTable (tests/data/snmprec/other/ios_2960x),
    /// and one whose neighbour sent no address.
    #[test]
    fn cdp_cache_rows_decode() {
        let cdp = "1.3.6.1.4.1.9.9.23.1.2.1.1";
        let version = "Cisco IOS Software, IOS-XE Software, Catalyst L3 Switch Software \
                       (CAT3K_CAA-UNIVERSALK9-M), Version 03.07.05E RELEASE SOFTWARE (fc1)";
        let obs = observations(&[
            ("1.3.6.1.2.1.2.2.1.2.10152", string("GigabitEthernet1/0/52")),
            (&format!("{cdp}.3.10152.8"), Value::Integer(1)),
            (
                &format!("{cdp}.4.10152.8"),
                octets(&[0x0a, 0x36, 0x40, 0x05]),
            ),
            (&format!("{cdp}.5.10152.8"), string(version)),
            (&format!("{cdp}.6.10152.8"), string("acme-fr-s-001")),
            (&format!("{cdp}.7.10152.8"), string("GigabitEthernet1/0/3")),
            (&format!("{cdp}.8.10152.8"), string("cisco WS-C3850-12S")),
            (&format!("{cdp}.9.10152.8"), octets(&[0, 0, 0, 0x29])),
            (&format!("{cdp}.3.10153.1"), Value::Integer(1)),
            (&format!("{cdp}.4.10153.1"), octets(&[0, 0, 0, 0])),
            (&format!("{cdp}.6.10153.1"), string("SEP001122334455")),
            (&format!("{cdp}.8.10153.1"), string("Cisco IP Phone 7962")),
            (&format!("{cdp}.9.10153.1"), octets(&[0, 0, 0x04, 0x90])),
        ]);
        let r = record(&obs);
        assert_eq!(
            r.neighbors[0],
            Neighbor {
                protocol: Protocol::Cdp,
                local_port: 10152,
                local_port_descr: Some("GigabitEthernet1/0/52".into()),
                chassis_id_subtype: Some("deviceId".into()),
                chassis_id: Some(NeighborId::Text("acme-fr-s-001".into())),
                port_id_subtype: None,
                port_id: Some("GigabitEthernet1/0/3".into()),
                port_descr: None,
                sys_name: None,
                sys_descr: Some(version.into()),
                platform: Some("cisco WS-C3850-12S".into()),
                capabilities: vec!["router".into(), "switch".into(), "igmp".into()],
                management_addresses: vec!["10.54.64.5".into()],
            }
        );
        let phone = &r.neighbors[1];
        assert_eq!(phone.local_port, 10153);
        assert_eq!(phone.local_port_descr, None);
        assert!(
            phone.management_addresses.is_empty(),
            "0.0.0.0 is no address"
        );
        assert_eq!(phone.capabilities, ["host", "voipPhone", "twoPortMacRelay"]);
    }

    #[test]
    fn capability_bits() {
        let lldp = |b: &[u8]| lldp_capabilities(Some(&octets(b)));
        // BITS: bit 0 is the high-order bit of the first octet.
        assert_eq!(lldp(&[0x80]), ["other"]);
        assert_eq!(lldp(&[0x28, 0x00]), ["bridge", "router"]);
        assert_eq!(lldp(&[0x05]), ["telephone", "stationOnly"]);
        assert_eq!(
            lldp(&[0x00, 0xf0]),
            [
                "cVLANComponent",
                "sVLANComponent",
                "twoPortMACRelay",
                "bit 11"
            ]
        );
        assert!(lldp(&[]).is_empty());
        assert!(lldp_capabilities(None).is_empty());
        let cdp = |b: &[u8]| cdp_capabilities(Some(&octets(b)));
        // A 32-bit word in network order, bit 0x01 first.
        assert_eq!(
            cdp(&[0, 0, 0, 0x26]),
            ["transparentBridge", "sourceRouteBridge", "igmp"]
        );
        assert_eq!(cdp(&[0x29]), ["router", "switch", "igmp"]);
        assert_eq!(
            cdp(&[0, 0, 0x03, 0x50]),
            ["host", "repeater", "remotelyManaged", "cvta"]
        );
        assert_eq!(cdp(&[0, 0, 0x08, 0x00]), ["bit 0x800"]);
        assert!(cdp(&[0, 0, 0, 0]).is_empty());
    }

    /// A CDP neighbour seen only in the cache becomes a record that says so, identified from
    /// its platform alone (a Huawei switch answering CDP), or from its software version.
    #[test]
    fn cdp_neighbours_become_records_identified_from_platform_or_version() {
        let id = identifier();
        let neighbour = |platform: Option<&str>, version: Option<&str>| Neighbor {
            protocol: Protocol::Cdp,
            local_port: 3,
            local_port_descr: Some("Gi1/0/3".into()),
            chassis_id_subtype: Some("deviceId".into()),
            chassis_id: Some(NeighborId::Text("access-7".into())),
            port_id: Some("GigabitEthernet0/0/1".into()),
            sys_descr: version.map(str::to_string),
            platform: platform.map(str::to_string),
            management_addresses: vec!["10.0.0.7".into()],
            ..Neighbor::default()
        };
        let parent = |n: Neighbor| Observed {
            address: "10.0.0.1".into(),
            sys_name: Some("core".into()),
            neighbors: vec![n],
            ..Observed::default()
        };

        let r = neighbor_records(
            &parent(neighbour(Some("HUAWEI S5735-L48T4X-A1"), None)),
            &id,
        );
        assert_eq!(r.len(), 1);
        let d = &r[0];
        assert_eq!(d.address, "10.0.0.7");
        assert_eq!(d.discovered_via, DiscoveredVia::CdpNeighbor);
        assert_eq!(d.reported_by.as_deref(), Some("10.0.0.1"));
        assert_eq!(
            d.identification.origin.as_deref(),
            Some("huawei"),
            "{:?}",
            d.identification.evidence
        );
        assert!(
            d.identification.evidence.iter().any(|e| e
                .source
                .starts_with("CDP neighbour of 10.0.0.1: CDP platform rule")),
            "{:?}",
            d.identification.evidence
        );
        assert_eq!(
            d.notes,
            [
                "seen only in the CDP cache of 10.0.0.1 (core), on Gi1/0/3, remote port \
              GigabitEthernet0/0/1"
            ]
        );

        let version = "Huawei Versatile Routing Platform Software VRP (R) software, Version \
                       5.170 (S5735 V200R019C10SPC500)";
        let r = neighbor_records(&parent(neighbour(None, Some(version))), &id);
        assert_eq!(
            r[0].identification.origin.as_deref(),
            Some("huawei"),
            "{:?}",
            r[0].identification.evidence
        );
        assert_eq!(
            r[0].identification.version.as_deref(),
            Some("V200R019C10SPC500")
        );

        // The platform names the model, rather than the image family of the version text.
        let cisco = "Cisco IOS Software, C2700 Software (AP3G2-K9W8-M), Version 15.3(3)JC14, \
                     RELEASE SOFTWARE (fc1)";
        let mut n = neighbour(Some("cisco AIR-AP2702I-UXK9"), Some(cisco));
        n.management_addresses.clear();
        let r = neighbor_records(&parent(n), &id);
        assert_eq!(
            r[0].identification.origin.as_deref(),
            Some("cisco"),
            "{:?}",
            r[0].identification.evidence
        );
        assert_eq!(
            r[0].identification.model.as_deref(),
            Some("cisco AIR-AP2702I-UXK9")
        );
        assert_eq!(r[0].identification.version.as_deref(), Some("15.3(3)JC14"));
        assert_eq!(r[0].address, "cdp:access-7");
    }

    /// An LLDP V1 remote row on local port 5: subtype, chassis ID, name, and the
    /// management-address rows given as (subtype, octets).
    fn lldp_row(
        rem_index: u32,
        subtype: i64,
        chassis: &[u8],
        name: Option<&[u8]>,
        addresses: &[(u32, &[u8])],
    ) -> Vec<(String, Value)> {
        let row = format!("0.5.{rem_index}");
        let mut v = vec![
            (
                format!("1.0.8802.1.1.2.1.4.1.1.4.{row}"),
                Value::Integer(subtype),
            ),
            (format!("1.0.8802.1.1.2.1.4.1.1.5.{row}"), octets(chassis)),
            (format!("1.0.8802.1.1.2.1.4.1.1.6.{row}"), Value::Integer(5)),
            (format!("1.0.8802.1.1.2.1.4.1.1.7.{row}"), string("ge1")),
        ];
        if let Some(name) = name {
            v.push((format!("1.0.8802.1.1.2.1.4.1.1.9.{row}"), octets(name)));
        }
        for (family, address) in addresses {
            let arcs: Vec<String> = address.iter().map(u8::to_string).collect();
            v.push((
                format!(
                    "1.0.8802.1.1.2.1.4.2.1.3.{row}.{family}.{}.{}",
                    address.len(),
                    arcs.join(".")
                ),
                Value::Integer(2),
            ));
        }
        v
    }

    fn observations_of(rows: Vec<(String, Value)>) -> Observations {
        let mut obs = Observations::default();
        obs.extend(
            rows.into_iter()
                .map(|(o, v)| VarBind::new(o.parse().unwrap(), v)),
        );
        obs
    }

    /// smartax-mdu's chassis and board rows and routeros_rb760igs's neighbour name, as the
    /// recordings hold them: text, then a hex dump of the rest.
    #[test]
    fn text_with_nuls_and_hex_dump_tails_is_cleaned_and_kept_aside() {
        let dump = "\n00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ";
        let mut name = b"peca-sw02\0\0\0\0\0\0\0".to_vec();
        name.extend(dump.as_bytes());
        let mut nuls = vec![0u8; 16];
        nuls.extend(dump.as_bytes());
        let ent = "1.3.6.1.2.1.47.1.1.1.1";
        let mut rows = vec![
            ("1.3.6.1.2.1.1.5.0".to_string(), octets(&name)),
            (format!("{ent}.5.1"), Value::Integer(3)),
            (format!("{ent}.10.1"), octets(&nuls)),
            (format!("{ent}.11.1"), octets(&nuls)),
            (format!("{ent}.5.2"), Value::Integer(9)),
            (format!("{ent}.4.2"), Value::Integer(1)),
            (
                format!("{ent}.11.2"),
                string("21980302203G1200\n34 32 36 30 00 00 00 00 00 00 00 00 00 00 00 00 "),
            ),
            (format!("{ent}.13.2"), string("H822EPUB\u{1}")),
        ];
        rows.extend(lldp_row(
            1,
            4,
            &[0xc0, 6, 0xc3, 0xa1, 0x3f, 0x46],
            Some(&name),
            &[],
        ));
        let r = record(&observations_of(rows));
        assert_eq!(r.sys_name.as_deref(), Some("peca-sw02"));
        assert_eq!(
            r.identification.serial.as_deref(),
            Some("21980302203G12004260")
        );
        assert_eq!(r.identification.version, None);
        assert_eq!(r.modules[0].serial, None);
        assert_eq!(r.modules[0].software_rev, None);
        assert_eq!(r.modules[1].model.as_deref(), Some("H822EPUB"));
        assert_eq!(r.neighbors[0].sys_name.as_deref(), Some("peca-sw02"));
        assert!(
            r.notes.contains(
                &"sys_name cleaned: a hex dump of 16 octets decoded, 23 trailing NUL bytes dropped"
                    .to_string()
            ),
            "{:?}",
            r.notes
        );
        assert!(
            r.notes.contains(
                &"5 values of modules or neighbours cleaned for display (originals in `cleaned`)"
                    .to_string()
            ),
            "{:?}",
            r.notes
        );
        let original = "peca-sw02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x0a00 00";
        assert!(
            r.cleaned["sys_name"].starts_with(original),
            "{:?}",
            r.cleaned
        );
        assert!(r.cleaned["neighbors[0].sys_name"].starts_with(original));
        assert_eq!(r.cleaned["modules[2].model"], "H822EPUB\\x01");
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["cleaned"].is_object());
        // A record with nothing to clean has no `cleaned` in its JSON.
        let plain = record(&observations(&[("1.3.6.1.2.1.1.5.0", string("core-1"))]));
        assert!(plain.cleaned.is_empty());
        assert!(
            serde_json::to_value(&plain)
                .unwrap()
                .get("cleaned")
                .is_none()
        );
    }

    /// ibmc's chassis serial is the word `SerialNumber`; the board's is a serial.
    #[test]
    fn a_placeholder_is_not_a_serial() {
        let ent = "1.3.6.1.2.1.47.1.1.1.1";
        let obs = observations(&[
            (&format!("{ent}.5.1"), Value::Integer(3)),
            (&format!("{ent}.11.1"), string("SerialNumber")),
            (&format!("{ent}.5.2"), Value::Integer(9)),
            (&format!("{ent}.11.2"), string("2102310YPX10H2000123")),
        ]);
        let r = record(&obs);
        assert_eq!(r.modules[0].serial, None);
        assert_eq!(
            r.identification.serial.as_deref(),
            Some("2102310YPX10H2000123")
        );
        assert_eq!(r.cleaned["modules[1].serial"], "SerialNumber");
        // One value, counted once, though both cleaned and a placeholder.
        let padded = observations(&[
            (&format!("{ent}.5.1"), Value::Integer(3)),
            (&format!("{ent}.11.1"), string("SerialNumber\0\u{1}\0")),
        ]);
        let r = record(&padded);
        assert_eq!(r.cleaned["modules[1].serial"], "SerialNumber\\x00\\x01");
        assert_eq!(
            r.notes,
            ["1 value of modules or neighbours cleaned for display (originals in `cleaned`)"]
        );
        let only = observations(&[
            (&format!("{ent}.5.1"), Value::Integer(3)),
            (&format!("{ent}.11.1"), string("To be filled by O.E.M.")),
        ]);
        let r = record(&only);
        assert_eq!(r.identification.serial, None);
        assert_eq!(r.modules[0].serial, None);
    }

    #[test]
    fn neighbour_ids_and_addresses_take_one_form() {
        let mut compatible = [0u8; 16];
        compatible[12..].copy_from_slice(&[169, 254, 2, 140]);
        let mut rows = Vec::new();
        // A MAC written as upper-case text (routeros_rb760igs).
        rows.extend(lldp_row(
            1,
            4,
            b"C0:06:C3:A1:3F:46",
            Some(b"peca-sw02"),
            &[],
        ));
        // An IPv4-compatible IPv6 management address (eltex-mes24xx).
        rows.extend(lldp_row(
            2,
            4,
            &[0x00, 0x1b, 0x21, 0xbb, 0xe6, 0xea],
            Some(b"b"),
            &[(2, &compatible)],
        ));
        // Five octets of the IPv4 family (edgecos_ecs4610-24f), and five of a MAC.
        rows.extend(lldp_row(
            3,
            4,
            &[0xac, 0x10, 0xfb, 3, 0],
            Some(b"c"),
            &[(1, &[172, 16, 251, 3, 0])],
        ));
        // A MAC as management address (eltex-mes23xx).
        rows.extend(lldp_row(
            4,
            4,
            &[4, 0xfe, 0x8d, 0x9e, 0x7a, 0x49],
            Some(b"OLT_1"),
            &[(6, &[4, 0xfe, 0x8d, 0x9e, 0x7a, 0x49])],
        ));
        let r = record(&observations_of(rows));
        let ids: Vec<_> = r
            .neighbors
            .iter()
            .map(|n| n.chassis_id.as_ref().map(ToString::to_string))
            .collect();
        let ids: Vec<_> = ids.iter().map(Option::as_deref).collect();
        assert_eq!(
            ids,
            [
                Some("c0:06:c3:a1:3f:46"),
                Some("00:1b:21:bb:e6:ea"),
                Some("ac:10:fb:03:00 (5 octets: not a MAC address)"),
                Some("04:fe:8d:9e:7a:49"),
            ]
        );
        assert_eq!(r.neighbors[1].management_addresses, ["169.254.2.140"]);
        assert_eq!(
            r.neighbors[2].management_addresses,
            ["ac:10:fb:03:00 (5 octets: not an IPv4 address)"]
        );
        let addresses: Vec<String> = neighbor_records(&r, &identifier())
            .into_iter()
            .map(|d| d.address)
            .collect();
        assert_eq!(
            addresses,
            [
                "lldp:c0:06:c3:a1:3f:46",
                "169.254.2.140",
                "lldp:ac:10:fb:03:00 (5 octets: not a MAC address)",
                "lldp:04:fe:8d:9e:7a:49",
            ]
        );
    }

    #[test]
    fn a_neighbour_with_an_empty_chassis_id_is_a_note_not_a_device() {
        let mut rows = lldp_row(1, 4, &[], None, &[]);
        rows.extend(lldp_row(
            2,
            4,
            &[0x00, 0x1b, 0x21, 0xbb, 0xe6, 0xea],
            None,
            &[],
        ));
        rows.push(("1.3.6.1.2.1.2.2.1.2.5".into(), string("Te0/5")));
        let r = record(&observations_of(rows));
        assert_eq!(r.neighbors.len(), 1);
        assert_eq!(
            r.notes,
            [
                "1 LLDP neighbour with an empty chassis ID and no name, on Te0/5: not reported as a device"
            ]
        );
        let addresses: Vec<String> = neighbor_records(&r, &identifier())
            .into_iter()
            .map(|d| d.address)
            .collect();
        assert_eq!(addresses, ["lldp:00:1b:21:bb:e6:ea"]);
    }
}
