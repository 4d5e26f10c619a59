//! LLDP data units (IEEE 802.1AB-2016 clause 8) and the LLDP-MED inventory TLVs
//! (ANSI/TIA-1057 clause 10.2.6).
//!
//! [`Lldpdu::parse`] decodes the TLVs after the Ethernet header. It is total: a TLV that runs
//! past the buffer, or a base TLV whose length breaks its own grammar, is a [`WireError`]. It
//! is lenient where real captures are: the mandatory chassis ID, port ID and TTL TLVs are
//! `None` when absent or out of order, since what else the frame says still identifies a
//! device. Organisationally specific TLVs are kept with their OUI and subtype; of those only
//! LLDP-MED inventory (OUI 00:12:bb, subtypes 5..=11) is decoded.
//!
//! ```
//! use netorigin::wire::lldp::Lldpdu;
//! // Chassis ID (MAC), port ID (interface name "g1"), TTL 120, end.
//! let tlvs = [
//!     0x02, 0x07, 0x04, 0x00, 0x35, 0x35, 0x35, 0x35, 0x35, //
//!     0x04, 0x03, 0x05, b'g', b'1', //
//!     0x06, 0x02, 0x00, 0x78, //
//!     0x00, 0x00,
//! ];
//! let du = Lldpdu::parse(&tlvs).unwrap();
//! assert_eq!(du.chassis_id.unwrap().to_string(), "00:35:35:35:35:35");
//! assert_eq!(du.port_id.unwrap().to_string(), "g1");
//! assert_eq!(du.ttl, Some(120));
//! ```

use super::WireError;
use super::ethernet::mac_string;

/// TLV types (IEEE 802.1AB table 8-1).
#[allow(missing_docs)]
pub mod tlv {
    pub const END: u8 = 0;
    pub const CHASSIS_ID: u8 = 1;
    pub const PORT_ID: u8 = 2;
    pub const TTL: u8 = 3;
    pub const PORT_DESCRIPTION: u8 = 4;
    pub const SYSTEM_NAME: u8 = 5;
    pub const SYSTEM_DESCRIPTION: u8 = 6;
    pub const SYSTEM_CAPABILITIES: u8 = 7;
    pub const MANAGEMENT_ADDRESS: u8 = 8;
    pub const ORGANIZATIONAL: u8 = 127;
}

/// The LLDP-MED OUI (TIA).
pub const OUI_MED: [u8; 3] = [0x00, 0x12, 0xbb];

/// A chassis or port ID: its subtype and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id {
    /// The subtype (chassis: 4 = MAC address, 7 = locally assigned...; port: 3 = MAC address,
    /// 5 = interface name, 7 = locally assigned...).
    pub subtype: u8,
    /// The raw value.
    pub value: Vec<u8>,
    /// Whether this is a chassis ID (the subtype numbers differ from a port ID's).
    pub chassis: bool,
}

impl Id {
    /// The value as a MAC address, when the subtype says so and it is six octets.
    pub fn mac(&self) -> Option<[u8; 6]> {
        let mac_subtype = if self.chassis { 4 } else { 3 };
        if self.subtype == mac_subtype {
            self.value.as_slice().try_into().ok()
        } else {
            None
        }
    }

    /// The subtype as the LLDP-MIB word.
    pub fn subtype_name(&self) -> &'static str {
        match (self.chassis, self.subtype) {
            (true, 1) => "chassisComponent",
            (true, 2) | (false, 1) => "interfaceAlias",
            (true, 3) => "portComponent",
            (true, 4) | (false, 3) => "macAddress",
            (true, 5) | (false, 4) => "networkAddress",
            (true, 6) | (false, 5) => "interfaceName",
            (false, 2) => "portComponent",
            (false, 6) => "agentCircuitId",
            (true, 7) | (false, 7) => "local",
            _ => "reserved",
        }
    }
}

impl std::fmt::Display for Id {
    /// MACs as colon hex, network addresses as IPv4/IPv6 where they fit, text as text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(mac) = self.mac() {
            return f.write_str(&mac_string(&mac));
        }
        let network = if self.chassis { 5 } else { 4 };
        if self.subtype == network
            && let Some(a) = address(&self.value)
        {
            return f.write_str(&a);
        }
        f.write_str(&text(&self.value))
    }
}

/// A management address TLV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagementAddress {
    /// The IANA address family number (1 = IPv4, 2 = IPv6, 6 = 802 MAC).
    pub family: u8,
    /// The address octets.
    pub address: Vec<u8>,
    /// The interface numbering subtype (2 = ifIndex, 3 = system port number).
    pub interface_subtype: u8,
    /// The interface number.
    pub interface_number: u32,
    /// The object identifier, BER-encoded, if any.
    pub oid: Vec<u8>,
}

impl std::fmt::Display for ManagementAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut with_family = vec![self.family];
        with_family.extend(&self.address);
        match address(&with_family) {
            Some(a) => f.write_str(&a),
            None => f.write_str(&mac_string(&self.address)),
        }
    }
}

/// An organisationally specific TLV (type 127), kept as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgTlv {
    /// The organisation's OUI.
    pub oui: [u8; 3],
    /// Its subtype.
    pub subtype: u8,
    /// The information string.
    pub info: Vec<u8>,
}

/// LLDP-MED inventory (TIA-1057 10.2.6), each as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MedInventory {
    /// Subtype 5.
    pub hardware_revision: Option<String>,
    /// Subtype 6.
    pub firmware_revision: Option<String>,
    /// Subtype 7.
    pub software_revision: Option<String>,
    /// Subtype 8.
    pub serial_number: Option<String>,
    /// Subtype 9.
    pub manufacturer: Option<String>,
    /// Subtype 10.
    pub model: Option<String>,
    /// Subtype 11.
    pub asset_id: Option<String>,
}

impl MedInventory {
    /// Whether no inventory TLV was seen.
    pub fn is_empty(&self) -> bool {
        *self == MedInventory::default()
    }
}

/// System capabilities (bit 0 other, 1 repeater, 2 bridge, 3 WLAN AP, 4 router, 5 telephone,
/// 6 DOCSIS, 7 station only, 8 C-VLAN, 9 S-VLAN, 10 two-port MAC relay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// What the system can do.
    pub system: u16,
    /// What is enabled.
    pub enabled: u16,
}

/// A decoded LLDPDU.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lldpdu {
    /// Chassis ID (mandatory first TLV; `None` when missing).
    pub chassis_id: Option<Id>,
    /// Port ID.
    pub port_id: Option<Id>,
    /// Time to live, seconds.
    pub ttl: Option<u16>,
    /// Port description.
    pub port_description: Option<String>,
    /// System name.
    pub system_name: Option<String>,
    /// System description.
    pub system_description: Option<String>,
    /// System capabilities.
    pub capabilities: Option<Capabilities>,
    /// Management addresses.
    pub management_addresses: Vec<ManagementAddress>,
    /// Organisationally specific TLVs, in order.
    pub org: Vec<OrgTlv>,
    /// LLDP-MED inventory.
    pub med_inventory: MedInventory,
    /// TLVs of reserved types (9..=126), by type, kept raw.
    pub unknown: Vec<(u8, Vec<u8>)>,
}

impl Lldpdu {
    /// Decodes the TLVs of an LLDPDU (the Ethernet payload). Stops at the End TLV; bytes after
    /// it (Ethernet padding) are ignored.
    pub fn parse(buf: &[u8]) -> Result<Self, WireError> {
        match Lldpdu::parse_prefix(buf) {
            (du, None) => Ok(du),
            (_, Some(e)) => Err(e),
        }
    }

    /// Decodes as much as it can: the TLVs before the first bad one (and the start of a text
    /// TLV cut by the end of the buffer), and the error if there was one. For captures cut
    /// short by a snapshot length, where the TLVs before the cut still say who sent the frame.
    pub fn parse_prefix(buf: &[u8]) -> (Self, Option<WireError>) {
        let mut du = Lldpdu::default();
        let e = du.decode_tlvs(buf).err();
        (du, e)
    }

    fn decode_tlvs(&mut self, mut buf: &[u8]) -> Result<(), WireError> {
        let du = self;
        while !buf.is_empty() {
            let [a, b, rest @ ..] = buf else {
                return Err(WireError::Truncated("LLDP TLV header"));
            };
            let header = u16::from_be_bytes([*a, *b]);
            let kind = (header >> 9) as u8;
            let len = usize::from(header & 0x01ff);
            if rest.len() < len {
                // A text TLV cut by a capture's snapshot length: keep what is there.
                let slot = match kind {
                    tlv::PORT_DESCRIPTION => Some(&mut du.port_description),
                    tlv::SYSTEM_NAME => Some(&mut du.system_name),
                    tlv::SYSTEM_DESCRIPTION => Some(&mut du.system_description),
                    _ => None,
                };
                if let Some(slot) = slot {
                    slot.get_or_insert(text(rest));
                }
                return Err(WireError::Truncated("LLDP TLV value"));
            }
            let (value, after) = rest.split_at(len);
            buf = after;
            match kind {
                tlv::END => break,
                tlv::CHASSIS_ID | tlv::PORT_ID => {
                    let chassis = kind == tlv::CHASSIS_ID;
                    let what = if chassis { "chassis ID" } else { "port ID" };
                    let [subtype, id @ ..] = value else {
                        return Err(WireError::BadValue(what));
                    };
                    if id.is_empty() || id.len() > 255 {
                        return Err(WireError::BadValue(what));
                    }
                    let id = Id {
                        subtype: *subtype,
                        value: id.to_vec(),
                        chassis,
                    };
                    let slot = if chassis {
                        &mut du.chassis_id
                    } else {
                        &mut du.port_id
                    };
                    slot.get_or_insert(id);
                }
                tlv::TTL => {
                    let [hi, lo] = value else {
                        return Err(WireError::BadValue("LLDP TTL"));
                    };
                    du.ttl.get_or_insert(u16::from_be_bytes([*hi, *lo]));
                }
                tlv::PORT_DESCRIPTION => {
                    du.port_description.get_or_insert(text(value));
                }
                tlv::SYSTEM_NAME => {
                    du.system_name.get_or_insert(text(value));
                }
                tlv::SYSTEM_DESCRIPTION => {
                    du.system_description.get_or_insert(text(value));
                }
                tlv::SYSTEM_CAPABILITIES => {
                    let [a, b, c, d] = value else {
                        return Err(WireError::BadValue("LLDP system capabilities"));
                    };
                    du.capabilities.get_or_insert(Capabilities {
                        system: u16::from_be_bytes([*a, *b]),
                        enabled: u16::from_be_bytes([*c, *d]),
                    });
                }
                tlv::MANAGEMENT_ADDRESS => du.management_addresses.push(management(value)?),
                tlv::ORGANIZATIONAL => {
                    let [o1, o2, o3, subtype, info @ ..] = value else {
                        return Err(WireError::BadValue("LLDP organisationally specific TLV"));
                    };
                    let org = OrgTlv {
                        oui: [*o1, *o2, *o3],
                        subtype: *subtype,
                        info: info.to_vec(),
                    };
                    if org.oui == OUI_MED {
                        let inv = &mut du.med_inventory;
                        let slot = match org.subtype {
                            5 => Some(&mut inv.hardware_revision),
                            6 => Some(&mut inv.firmware_revision),
                            7 => Some(&mut inv.software_revision),
                            8 => Some(&mut inv.serial_number),
                            9 => Some(&mut inv.manufacturer),
                            10 => Some(&mut inv.model),
                            11 => Some(&mut inv.asset_id),
                            _ => None,
                        };
                        if let Some(slot) = slot {
                            slot.get_or_insert(text(info));
                        }
                    }
                    du.org.push(org);
                }
                other => du.unknown.push((other, value.to_vec())),
            }
        }
        Ok(())
    }
}

/// Management address TLV: address string length, family, address, interface numbering
/// subtype, interface number, OID string length, OID.
fn management(value: &[u8]) -> Result<ManagementAddress, WireError> {
    let bad = WireError::BadValue("LLDP management address");
    let [len, rest @ ..] = value else {
        return Err(bad);
    };
    let len = usize::from(*len);
    if !(2..=32).contains(&len) || rest.len() < len + 5 {
        return Err(bad);
    }
    let (addr, rest) = rest.split_at(len);
    let [ifs, i1, i2, i3, i4, oid_len, oid @ ..] = rest else {
        return Err(bad);
    };
    if oid.len() != usize::from(*oid_len) {
        return Err(bad);
    }
    Ok(ManagementAddress {
        family: addr[0],
        address: addr[1..].to_vec(),
        interface_subtype: *ifs,
        interface_number: u32::from_be_bytes([*i1, *i2, *i3, *i4]),
        oid: oid.to_vec(),
    })
}

/// An address with its IANA family octet in front, as IPv4 or IPv6 text.
fn address(v: &[u8]) -> Option<String> {
    match v {
        [1, a @ ..] => <[u8; 4]>::try_from(a)
            .ok()
            .map(|o| std::net::Ipv4Addr::from(o).to_string()),
        [2, a @ ..] => <[u8; 16]>::try_from(a)
            .ok()
            .map(|o| std::net::Ipv6Addr::from(o).to_string()),
        _ => None,
    }
}

/// Device text: UTF-8 where it is, lossy otherwise; trailing NULs kept as sent.
pub(crate) fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// lldpd's tests/lldp.1.raw payload, trimmed: a Linux host running lldpd, with LLDP-MED.
    #[test]
    fn lldpd_host_with_med() {
        let mut b = hex("0207 04 0016172fa1b6 0407 03 0016172fa1b6 0602 0078");
        b.extend([0x0a, 6]);
        b.extend(b"naruto");
        // Management address 192.168.10.1 on ifIndex 3, no OID.
        b.extend(hex("100c 05 01 c0a80a01 02 00000003 00"));
        // MED: manufacturer "Dell", model "X", serial "S1".
        b.extend(hex("fe08 0012bb 09"));
        b.extend(b"Dell");
        b.extend(hex("fe05 0012bb 0a"));
        b.extend(b"X");
        b.extend(hex("fe06 0012bb 08"));
        b.extend(b"S1");
        b.extend(hex("fe09 00120f 01 036c000010"));
        b.extend(hex("0000 0000"));
        let du = Lldpdu::parse(&b).unwrap();
        let c = du.chassis_id.as_ref().unwrap();
        assert_eq!(c.subtype_name(), "macAddress");
        assert_eq!(c.to_string(), "00:16:17:2f:a1:b6");
        assert_eq!(du.port_id.unwrap().to_string(), "00:16:17:2f:a1:b6");
        assert_eq!(du.ttl, Some(120));
        assert_eq!(du.system_name.as_deref(), Some("naruto"));
        assert_eq!(du.management_addresses[0].to_string(), "192.168.10.1");
        assert_eq!(du.management_addresses[0].interface_number, 3);
        assert_eq!(du.med_inventory.manufacturer.as_deref(), Some("Dell"));
        assert_eq!(du.med_inventory.model.as_deref(), Some("X"));
        assert_eq!(du.med_inventory.serial_number.as_deref(), Some("S1"));
        assert_eq!(du.org.len(), 4);
        assert_eq!(du.org[3].oui, [0x00, 0x12, 0x0f]);
    }

    #[test]
    fn bad_lengths_are_errors() {
        // TLV longer than the buffer.
        assert!(Lldpdu::parse(&hex("0207 04 0016")).is_err());
        // Odd byte.
        assert!(Lldpdu::parse(&hex("06")).is_err());
        // TTL of three octets.
        assert!(Lldpdu::parse(&hex("0603 000000")).is_err());
        // Empty chassis ID.
        assert!(Lldpdu::parse(&hex("0200")).is_err());
        // Management address whose length points past the TLV.
        assert!(Lldpdu::parse(&hex("1004 20 01 c0a8")).is_err());
        // What came before a bad TLV is kept by parse_prefix.
        let (du, e) = Lldpdu::parse_prefix(&hex("0602 0078 0a05 6e61"));
        assert_eq!(
            (du.ttl, e),
            (Some(120), Some(WireError::Truncated("LLDP TLV value")))
        );
        // Empty input is an empty LLDPDU.
        assert_eq!(Lldpdu::parse(&[]).unwrap(), Lldpdu::default());
    }

    #[test]
    fn padding_after_end_is_ignored() {
        let du = Lldpdu::parse(&hex("0602 0078 0000 ffff ff")).unwrap();
        assert_eq!(du.ttl, Some(120));
    }
}
