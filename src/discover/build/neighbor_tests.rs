//! Records built from the neighbour tables: LLDP (both MIBs), CDP, and neighbour-only devices.

use super::neighbors::{cdp_capabilities, lldp_capabilities};
use super::tests::{identifier, lldp_row, observations, observations_of, octets, record, string};
use super::*;
use crate::record::{Neighbor, NeighborId, Protocol};
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
