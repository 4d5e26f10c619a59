//! The neighbour tables (LLDP-MIB, LLDP-V2-MIB, CISCO-CDP-MIB) decoded to one [`Neighbor`]
//! each, and the neighbours that name no device taken out as a note.

use std::collections::BTreeMap;

use super::tables::{CDP_CACHE_ENTRY, LLDP_V1, LLDP_V2, LldpMib, rows, text};
use crate::record::{Interface, Mac, Neighbor, NeighborId, Observations, Protocol};
use crate::wire::Value;
use crate::wire::lldp::{Id, address_text, id_text};

pub(super) fn chassis_id_subtype(v: Option<&Value>) -> Option<&'static str> {
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
pub(super) fn port_id_subtype(v: Option<&Value>) -> Option<&'static str> {
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
pub(super) fn lldp_id(chassis: bool, subtype: Option<&Value>, v: Option<&Value>) -> Option<String> {
    let subtype = match subtype {
        Some(Value::Integer(i)) => u8::try_from(*i).unwrap_or(0),
        _ => 0,
    };
    let id = id_text(chassis, subtype, v?.as_bytes()?);
    (!id.is_empty()).then_some(id)
}

/// A neighbour's chassis ID: a MAC where its subtype says so and it holds one, else its
/// canonical text ([`lldp_id`]).
pub(super) fn lldp_chassis_id(subtype: Option<&Value>, v: Option<&Value>) -> Option<NeighborId> {
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
pub(super) const LLDP_CAPABILITIES: [&str; 11] = [
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
pub(super) fn lldp_capabilities(v: Option<&Value>) -> Vec<String> {
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
pub(super) const CDP_CAPABILITIES: [&str; 11] = [
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
pub(super) fn cdp_capabilities(v: Option<&Value>) -> Vec<String> {
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
pub(super) fn management_addresses(
    obs: &Observations,
    mib: &LldpMib,
) -> BTreeMap<Vec<u32>, Vec<String>> {
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

pub(super) fn port_descr(ifaces: &[Interface], index: u32) -> Option<String> {
    ifaces
        .iter()
        .find(|i| i.index == index)
        .and_then(|i| i.descr.clone())
}

pub(super) fn lldp_neighbors(
    obs: &Observations,
    ifaces: &[Interface],
    mib: &LldpMib,
) -> Vec<Neighbor> {
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
pub(super) fn cdp_address(kind: Option<&Value>, address: Option<&Value>) -> Option<String> {
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
pub(super) fn cdp_neighbors(obs: &Observations, ifaces: &[Interface]) -> Vec<Neighbor> {
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
pub(super) fn neighbors(obs: &Observations, ifaces: &[Interface]) -> Vec<Neighbor> {
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

/// Neighbours that name no device (an empty or absent chassis ID and no system name: nothing
/// to tell them apart or find them by) are taken out of the list and said in one note per
/// protocol on the device whose table held them, with the ports they were seen on.
pub(super) fn nameless_neighbors(neighbors: &mut Vec<Neighbor>) -> Vec<String> {
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
