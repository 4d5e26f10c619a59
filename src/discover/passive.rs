//! Passive discovery: LLDP and CDP frames decoded ([`decode`]), and device records from what
//! they say on a segment, with no packet sent. One record per LLDP chassis ID or CDP device ID;
//! the first frame heard from a device fills it, later ones are counted in its notes.
//!
//! Identification is as for an LLDP neighbour ([`super::build::neighbor_records`]): the system
//! description (CDP: software version) and the chassis MAC go to
//! [`Identifier::identify`]; LLDP-MED inventory and the CDP platform go in as the chassis row,
//! so a manufacturer name counts as ENTITY-MIB evidence would. The frame's source MAC counts as
//! an interface MAC. The records are as observed: the caller judges them.

use super::build::Cleaner;
use crate::identify::{Facts, Identifier};
use crate::record::{DiscoveredVia, EntityClass, Mac, Module, Observed};
use crate::wire::WireError;
use crate::wire::cdp::Packet;
use crate::wire::ethernet::{Frame, Payload, mac_string};
use crate::wire::lldp::{Lldpdu, ip_address};

/// An IP address one could reach a device at (not the unspecified address), as text.
fn reachable(ip: Option<std::net::IpAddr>) -> Option<String> {
    ip.filter(|ip| !ip.is_unspecified())
        .map(|ip| ip.to_string())
}

/// What one frame said, with who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// An LLDPDU.
    Lldp {
        /// The frame's source MAC.
        source: [u8; 6],
        /// The decoded LLDPDU (boxed: it is much larger than a CDP packet).
        du: Box<Lldpdu>,
    },
    /// A CDP packet.
    Cdp {
        /// The frame's source MAC.
        source: [u8; 6],
        /// The decoded packet.
        packet: Packet,
    },
}

/// Decodes one Ethernet frame: `None` when it is neither LLDP nor CDP.
pub fn decode(frame: &[u8]) -> Result<Option<Heard>, WireError> {
    decode_frame(Frame::parse(frame)?)
}

/// Decodes the payload of a parsed frame: `None` when it is neither LLDP nor CDP.
pub(crate) fn decode_frame(f: Frame<'_>) -> Result<Option<Heard>, WireError> {
    Ok(match f.payload {
        Payload::Lldp(b) => Some(Heard::Lldp {
            source: f.source,
            du: Box::new(Lldpdu::parse(b)?),
        }),
        Payload::Cdp(b) => Some(Heard::Cdp {
            source: f.source,
            packet: Packet::parse(b)?,
        }),
        Payload::Unknown(_) => None,
    })
}

impl Heard {
    /// The key that says which device sent it: `lldp:<chassis ID>` or `cdp:<device ID>`
    /// (the source MAC when the frame has neither).
    pub fn key(&self) -> String {
        match self {
            Heard::Lldp { source, du } => format!(
                "lldp:{}",
                du.chassis_id
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| mac_string(source))
            ),
            Heard::Cdp { source, packet } => format!(
                "cdp:{}",
                packet
                    .device_id
                    .clone()
                    .unwrap_or_else(|| mac_string(source))
            ),
        }
    }
}

/// One record per device heard, in the order first heard.
pub fn records(heard: &[Heard], identifier: &Identifier) -> Vec<Observed> {
    let mut order: Vec<(String, &Heard, usize)> = Vec::new();
    for h in heard {
        let key = h.key();
        match order.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, n)) => *n += 1,
            None => order.push((key, h, 1)),
        }
    }
    order
        .into_iter()
        .map(|(key, h, n)| record(key, h, n, identifier))
        .collect()
}

/// What one frame says of its sender, as a record takes it.
struct Said {
    source: [u8; 6],
    sys_name: Option<String>,
    sys_descr: Option<String>,
    chassis_mac: Option<[u8; 6]>,
    /// LLDP-MED inventory or the CDP platform, as the chassis row.
    chassis: Option<Module>,
    /// The first management address one could reach it at.
    address: Option<String>,
    /// Heard how, from which MAC, on which port.
    note: String,
    /// The model, serial and firmware an inventory gives, before identification's.
    model: Option<String>,
    serial: Option<String>,
    firmware: Option<String>,
}

/// What an LLDPDU says of its sender.
fn lldp_said(source: [u8; 6], du: &Lldpdu) -> Said {
    let inv = &du.med_inventory;
    let chassis = (!inv.is_empty()).then(|| Module {
        index: 1,
        class: Some(EntityClass::Chassis),
        manufacturer: inv.manufacturer.clone(),
        model: inv.model.clone(),
        serial: inv.serial_number.clone(),
        hardware_rev: inv.hardware_revision.clone(),
        software_rev: inv.software_revision.clone(),
        ..Module::default()
    });
    let note = format!(
        "heard in LLDP from {}, port {}{}",
        mac_string(&source),
        du.port_id
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "?".into()),
        du.port_description
            .as_ref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default()
    );
    Said {
        source,
        sys_name: du.system_name.clone(),
        sys_descr: du.system_description.clone(),
        chassis_mac: du.chassis_id.as_ref().and_then(|c| c.mac()),
        chassis,
        address: du
            .management_addresses
            .iter()
            .find_map(|a| reachable(ip_address(u32::from(a.family), &a.address))),
        note,
        model: inv.model.clone(),
        serial: inv.serial_number.clone(),
        firmware: inv
            .firmware_revision
            .clone()
            .or_else(|| inv.software_revision.clone()),
    }
}

/// What a CDP packet says of its sender.
fn cdp_said(source: [u8; 6], packet: &Packet) -> Said {
    let chassis = packet.platform.as_ref().map(|p| Module {
        index: 1,
        class: Some(EntityClass::Chassis),
        model: Some(p.clone()),
        ..Module::default()
    });
    let note = format!(
        "heard in CDP v{} from {}, port {}",
        packet.version,
        mac_string(&source),
        packet.port_id.as_deref().unwrap_or("?")
    );
    Said {
        source,
        sys_name: packet.device_id.clone(),
        sys_descr: packet.software_version.clone(),
        chassis_mac: None,
        chassis,
        address: packet
            .addresses
            .iter()
            .find_map(|a| reachable(a.parse().ok())),
        note,
        model: packet.platform.clone(),
        serial: None,
        firmware: None,
    }
}

/// The record of one device from the first frame it sent (`frames`: how many it sent).
pub fn record(key: String, heard: &Heard, frames: usize, identifier: &Identifier) -> Observed {
    let said = match heard {
        Heard::Lldp { source, du } => lldp_said(*source, du),
        Heard::Cdp { source, packet } => cdp_said(*source, packet),
    };
    let facts = Facts {
        sys_descr: said.sys_descr.as_deref(),
        chassis_mac: said.chassis_mac,
        chassis: said.chassis.as_ref(),
        interface_macs: vec![said.source],
        ..Facts::default()
    };
    let mut id = identifier.identify(&facts);
    let mut notes = vec![said.note];
    if frames > 1 {
        notes.push(format!("{frames} frames heard"));
    }
    // Identification saw the text as sent; the record shows it cleaned.
    let mut cleaner = Cleaner::default();
    let mut modules: Vec<Module> = said.chassis.into_iter().collect();
    cleaner.modules(&mut modules);
    let sys_name = cleaner.field(|| "sys_name".into(), said.sys_name, true);
    let sys_descr = cleaner.field(|| "sys_descr".into(), said.sys_descr, true);
    id.model = cleaner.first("model", [said.model, id.model, None]);
    id.version = cleaner.first("version", [id.version, said.firmware, None]);
    id.serial = cleaner.first("serial", [said.serial, None, None]);
    id.chassis_mac = said.chassis_mac.map(Mac);
    id.confidence = (id.confidence * 100.0).round() / 100.0;
    let (cleaning_notes, cleaned) = cleaner.notes();
    notes.extend(cleaning_notes);
    Observed {
        address: said.address.unwrap_or(key),
        discovered_via: DiscoveredVia::Passive,
        sys_name,
        sys_descr,
        identification: id,
        modules,
        notes,
        cleaned,
        ..Observed::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::lldp::{Id, MedInventory};

    fn identifier() -> Identifier {
        Identifier::bundled().unwrap()
    }

    #[test]
    fn cdp_cisco_switch() {
        let packet = Packet {
            version: 2,
            device_id: Some("S1".into()),
            addresses: vec!["10.0.0.1".into()],
            port_id: Some("FastEthernet0/13".into()),
            software_version: Some(
                "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(44)SE, RELEASE SOFTWARE (fc1)".into(),
            ),
            platform: Some("cisco WS-C3560-24TS".into()),
            ..Packet::default()
        };
        let h = Heard::Cdp {
            source: [0x00, 0x18, 0xba, 0x98, 0x68, 0x8f],
            packet,
        };
        let recs = records(&[h.clone(), h], &identifier());
        assert_eq!(recs.len(), 1);
        let r = &recs[0];
        assert_eq!(r.address, "10.0.0.1");
        assert_eq!(r.discovered_via, DiscoveredVia::Passive);
        assert_eq!(r.identification.vendor.as_deref(), Some("Cisco"));
        assert_eq!(
            r.identification.model.as_deref(),
            Some("cisco WS-C3560-24TS")
        );
        assert!(r.notes.iter().any(|n| n == "2 frames heard"));
    }

    #[test]
    fn lldp_med_fills_inventory() {
        let du = Lldpdu {
            chassis_id: Some(Id {
                subtype: 7,
                value: b"sw-7".to_vec(),
                chassis: true,
            }),
            system_name: Some("sw-7".into()),
            med_inventory: MedInventory {
                manufacturer: Some("Huawei Technologies Co., Ltd.".into()),
                model: Some("S5720".into()),
                serial_number: Some("2102".into()),
                firmware_revision: Some("V200R011".into()),
                ..MedInventory::default()
            },
            ..Lldpdu::default()
        };
        let recs = records(
            &[Heard::Lldp {
                source: [0x02, 0, 0, 0, 0, 1],
                du: Box::new(du),
            }],
            &identifier(),
        );
        let r = &recs[0];
        assert_eq!(r.address, "lldp:sw-7");
        assert_eq!(r.identification.model.as_deref(), Some("S5720"));
        assert_eq!(r.identification.serial.as_deref(), Some("2102"));
        assert_eq!(r.identification.version.as_deref(), Some("V200R011"));
        assert_eq!(r.identification.origin.as_deref(), Some("huawei"));
    }

    /// LLDP frames give keys, addresses and text in the same forms as a polled device's LLDP
    /// table: the MAC written as text in lower-case colon hex, an IPv4 address carried in IPv6
    /// as IPv4, a NUL-padded name cleaned, a placeholder serial left out.
    #[test]
    fn lldp_frames_take_the_canonical_forms() {
        use crate::wire::lldp::ManagementAddress;
        let mut compatible = vec![0u8; 12];
        compatible.extend([169, 254, 2, 140]);
        let du = Lldpdu {
            chassis_id: Some(Id {
                subtype: 4,
                value: b"C0:06:C3:A1:3F:46".to_vec(),
                chassis: true,
            }),
            system_name: Some("peca-sw02\0\0\0\0".into()),
            management_addresses: vec![
                ManagementAddress {
                    family: 6,
                    address: vec![0xc0, 6, 0xc3, 0xa1, 0x3f, 0x46],
                    interface_subtype: 2,
                    interface_number: 1,
                    oid: Vec::new(),
                },
                ManagementAddress {
                    family: 2,
                    address: compatible,
                    interface_subtype: 2,
                    interface_number: 1,
                    oid: Vec::new(),
                },
            ],
            med_inventory: MedInventory {
                serial_number: Some("To Be Filled By O.E.M.".into()),
                ..MedInventory::default()
            },
            ..Lldpdu::default()
        };
        let h = Heard::Lldp {
            source: [0xc0, 6, 0xc3, 0xa1, 0x3f, 0x46],
            du: Box::new(du),
        };
        assert_eq!(h.key(), "lldp:c0:06:c3:a1:3f:46");
        let r = &records(&[h], &identifier())[0];
        assert_eq!(r.address, "169.254.2.140");
        assert_eq!(r.sys_name.as_deref(), Some("peca-sw02"));
        assert_eq!(r.cleaned["sys_name"], "peca-sw02\\x00\\x00\\x00\\x00");
        assert_eq!(r.identification.serial, None);
        assert_eq!(r.modules[0].serial, None);
        assert_eq!(
            r.identification
                .chassis_mac
                .map(|m| m.to_string())
                .as_deref(),
            Some("c0:06:c3:a1:3f:46")
        );
    }
}
