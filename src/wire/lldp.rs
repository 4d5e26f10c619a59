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
    /// The value as a MAC address, when the subtype says so and it is six octets or text that
    /// writes a MAC ([`mac_from_text`]).
    pub fn mac(&self) -> Option<[u8; 6]> {
        let mac_subtype = if self.chassis { 4 } else { 3 };
        if self.subtype != mac_subtype {
            return None;
        }
        self.value.as_slice().try_into().ok().or_else(|| {
            std::str::from_utf8(&self.value)
                .ok()
                .and_then(mac_from_text)
        })
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
    /// The ID in its canonical form for its subtype ([`id_text`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&id_text(self.chassis, self.subtype, &self.value))
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
    /// The address in its textual form ([`address_text`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&address_text(u32::from(self.family), &self.address))
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
        while !buf.is_empty() {
            let [a, b, rest @ ..] = buf else {
                return Err(WireError::Truncated("LLDP TLV header"));
            };
            let header = u16::from_be_bytes([*a, *b]);
            let kind = (header >> 9) as u8;
            let len = usize::from(header & 0x01ff);
            if rest.len() < len {
                // A text TLV cut by a capture's snapshot length: keep what is there.
                if let Some(slot) = self.text_slot(kind) {
                    slot.get_or_insert(text(rest));
                }
                return Err(WireError::Truncated("LLDP TLV value"));
            }
            let (value, after) = rest.split_at(len);
            buf = after;
            if kind == tlv::END {
                break;
            }
            self.take(kind, value)?;
        }
        Ok(())
    }

    /// Where a text TLV of `kind` goes, if it is one.
    fn text_slot(&mut self, kind: u8) -> Option<&mut Option<String>> {
        match kind {
            tlv::PORT_DESCRIPTION => Some(&mut self.port_description),
            tlv::SYSTEM_NAME => Some(&mut self.system_name),
            tlv::SYSTEM_DESCRIPTION => Some(&mut self.system_description),
            _ => None,
        }
    }

    /// One whole TLV other than End; of each single TLV the first is kept.
    fn take(&mut self, kind: u8, value: &[u8]) -> Result<(), WireError> {
        match kind {
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
                    &mut self.chassis_id
                } else {
                    &mut self.port_id
                };
                slot.get_or_insert(id);
            }
            tlv::TTL => {
                let [hi, lo] = value else {
                    return Err(WireError::BadValue("LLDP TTL"));
                };
                self.ttl.get_or_insert(u16::from_be_bytes([*hi, *lo]));
            }
            tlv::PORT_DESCRIPTION | tlv::SYSTEM_NAME | tlv::SYSTEM_DESCRIPTION => {
                if let Some(slot) = self.text_slot(kind) {
                    slot.get_or_insert(text(value));
                }
            }
            tlv::SYSTEM_CAPABILITIES => {
                let [a, b, c, d] = value else {
                    return Err(WireError::BadValue("LLDP system capabilities"));
                };
                self.capabilities.get_or_insert(Capabilities {
                    system: u16::from_be_bytes([*a, *b]),
                    enabled: u16::from_be_bytes([*c, *d]),
                });
            }
            tlv::MANAGEMENT_ADDRESS => self.management_addresses.push(management(value)?),
            tlv::ORGANIZATIONAL => self.take_organizational(value)?,
            other => self.unknown.push((other, value.to_vec())),
        }
        Ok(())
    }

    /// An organisationally specific TLV; LLDP-MED's inventory ones are read too.
    fn take_organizational(&mut self, value: &[u8]) -> Result<(), WireError> {
        let [o1, o2, o3, subtype, info @ ..] = value else {
            return Err(WireError::BadValue("LLDP organisationally specific TLV"));
        };
        let org = OrgTlv {
            oui: [*o1, *o2, *o3],
            subtype: *subtype,
            info: info.to_vec(),
        };
        if org.oui == OUI_MED {
            let inv = &mut self.med_inventory;
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
        self.org.push(org);
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

/// An address of an IANA address family (IANA "Address Family Numbers", which LLDP's
/// management address and network-address IDs and LLDP-MIB's lldpRemManAddrSubtype use) in
/// one textual form: IPv4 (family 1, four octets) dotted; IPv6 (family 2, sixteen octets) as
/// RFC 5952 text, except an IPv4 address carried in one, IPv4-mapped (`::ffff:a.b.c.d`) or
/// IPv4-compatible (`::a.b.c.d`, RFC 4291 2.5.5.1; not `::` nor `::1`), which is its IPv4
/// form; a MAC (family 6, IEEE 802, six octets) as lower-case colon hex. Anything else is
/// colon hex followed by what it is not (`ac:10:fb:03:00 (5 octets: not an IPv4 address)`),
/// so nobody takes it for an address or a MAC.
pub fn address_text(family: u32, octets: &[u8]) -> String {
    if let Some(ip) = ip_address(family, octets) {
        return ip.to_string();
    }
    if let (6, Ok(mac)) = (family, <[u8; 6]>::try_from(octets)) {
        return mac_string(&mac);
    }
    let what = match family {
        1 => "not an IPv4 address".to_string(),
        2 => "not an IPv6 address".to_string(),
        6 => "not a MAC address".to_string(),
        f => format!("address family {f}"),
    };
    not_a(octets, &what)
}

/// The IP address of an IANA address family's octets (see [`address_text`]), IPv4 where an
/// IPv6 address carries one.
pub fn ip_address(family: u32, octets: &[u8]) -> Option<std::net::IpAddr> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    match family {
        1 => <[u8; 4]>::try_from(octets)
            .ok()
            .map(|o| IpAddr::V4(Ipv4Addr::from(o))),
        2 => {
            let a = Ipv6Addr::from(<[u8; 16]>::try_from(octets).ok()?);
            let compatible = a.octets()[..12].iter().all(|&x| x == 0) && a.octets()[12] != 0;
            Some(match a.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None if compatible => {
                    IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(&a.octets()[12..]).ok()?))
                }
                None => IpAddr::V6(a),
            })
        }
        _ => None,
    }
}

/// Octets that are not what their subtype or family says, shown as colon hex with their
/// length and what they are not.
fn not_a(octets: &[u8], what: &str) -> String {
    format!(
        "{} ({}: {what})",
        mac_string(octets),
        crate::words::count(octets.len() as u64, "octet", "octets")
    )
}

/// A MAC address written as text, as some agents put it in a chassis ID of subtype MAC
/// (`C0:06:C3:A1:3F:46`, `20-4C-9E-6E-08-FE`, `3c 2c 30 16 74 80`, `0011.2233.4455`,
/// `00112233aabb`), quotes around it allowed.
pub fn mac_from_text(s: &str) -> Option<[u8; 6]> {
    let s = s
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '\u{201c}' | '\u{201d}'));
    let groups: Vec<&str> = s.split([':', '-', ' ', '.']).collect();
    let width = match groups.len() {
        6 => 2,
        3 => 4,
        1 => 12,
        _ => return None,
    };
    let mut hex = String::with_capacity(12);
    for g in &groups {
        if g.is_empty() || g.len() > width || !g.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        if width == 2 && g.len() == 1 {
            hex.push('0');
        } else if g.len() != width {
            return None;
        }
        hex.push_str(g);
    }
    let mut mac = [0u8; 6];
    for (i, m) in mac.iter_mut().enumerate() {
        *m = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(mac)
}

/// A chassis ID (`chassis`) or port ID of an LLDP subtype, in one form per subtype (the LLDP
/// TLV's subtype numbers, which LLDP-MIB's LldpChassisIdSubtype and LldpPortIdSubtype use):
/// a MAC address (chassis 4, port 3) as lower-case colon hex, from six octets or from text
/// that writes a MAC ([`mac_from_text`]), and otherwise colon hex saying it is not a MAC; a
/// network address (chassis 5, port 4: an IANA family octet, then the address) as
/// [`address_text`] gives it; any other subtype as its text when it is text (UTF-8 with no
/// control character, NUL padding at the end allowed), else as colon hex. Empty for an
/// empty ID.
pub fn id_text(chassis: bool, subtype: u8, value: &[u8]) -> String {
    let (mac, network) = if chassis { (4, 5) } else { (3, 4) };
    if value.is_empty() {
        return String::new();
    }
    if subtype == mac {
        if let Ok(m) = <[u8; 6]>::try_from(value) {
            return mac_string(&m);
        }
        if let Some(m) = std::str::from_utf8(value).ok().and_then(mac_from_text) {
            return mac_string(&m);
        }
        return not_a(value, "not a MAC address");
    }
    if subtype == network
        && let [family, address @ ..] = value
    {
        return address_text(u32::from(*family), address);
    }
    let end = value.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    match std::str::from_utf8(&value[..end]) {
        Ok(t) if !t.chars().any(char::is_control) && !t.trim().is_empty() => t.trim().to_string(),
        _ => mac_string(value),
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

    #[test]
    fn ids_take_one_form_per_subtype() {
        // MAC subtype: six octets, or text writing a MAC, in lower-case colon hex.
        let mac = [0xc0, 0x06, 0xc3, 0xa1, 0x3f, 0x46];
        assert_eq!(id_text(true, 4, &mac), "c0:06:c3:a1:3f:46");
        for text in [
            "C0:06:C3:A1:3F:46",
            "c0-06-c3-a1-3f-46",
            "c0 06 c3 a1 3f 46 ",
            "c006.c3a1.3f46",
            "C006C3A13F46",
            "\u{201c}C0:06:C3:A1:3F:46\u{201d}",
        ] {
            assert_eq!(
                id_text(true, 4, text.as_bytes()),
                "c0:06:c3:a1:3f:46",
                "{text}"
            );
        }
        // Port IDs number their MAC subtype 3.
        assert_eq!(id_text(false, 3, b"00:0C:29:93:07:F1"), "00:0c:29:93:07:f1");
        // Five octets are no MAC, and say so.
        assert_eq!(
            id_text(true, 4, &[0xac, 0x10, 0xfb, 3, 0]),
            "ac:10:fb:03:00 (5 octets: not a MAC address)"
        );
        assert_eq!(id_text(true, 4, b"0"), "30 (1 octet: not a MAC address)");
        // Network address: the family octet, then the address.
        assert_eq!(id_text(true, 5, &[1, 10, 0, 0, 1]), "10.0.0.1");
        // Text subtypes: text, NUL padding dropped; binary as hex.
        assert_eq!(id_text(true, 7, b"sw-7\0\0"), "sw-7");
        assert_eq!(
            id_text(false, 5, b"GigabitEthernet0/0/1"),
            "GigabitEthernet0/0/1"
        );
        assert_eq!(id_text(true, 7, &[0x41, 1, 2]), "41:01:02");
        assert_eq!(id_text(true, 4, &[]), "");
    }

    #[test]
    fn addresses_take_their_textual_form() {
        assert_eq!(address_text(1, &[172, 16, 251, 3]), "172.16.251.3");
        // An IPv4-compatible IPv6 address (eltex-mes24xx's lldpRemManAddrTable) and an
        // IPv4-mapped one are their IPv4 address.
        let mut compatible = [0u8; 16];
        compatible[12..].copy_from_slice(&[169, 254, 2, 140]);
        assert_eq!(address_text(2, &compatible), "169.254.2.140");
        let mut mapped = compatible;
        mapped[10..12].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(address_text(2, &mapped), "169.254.2.140");
        let mut loopback = [0u8; 16];
        loopback[15] = 1;
        assert_eq!(address_text(2, &loopback), "::1");
        let v6: std::net::Ipv6Addr = "2001:db8::1".parse().unwrap();
        assert_eq!(address_text(2, &v6.octets()), "2001:db8::1");
        // IEEE 802: a MAC.
        assert_eq!(
            address_text(6, &[4, 0xfe, 0x8d, 0x9e, 0x7a, 0x49]),
            "04:fe:8d:9e:7a:49"
        );
        // Five octets of the IPv4 family (edgecos_ecs4610-24f's lldpRemManAddrTable).
        assert_eq!(
            address_text(1, &[172, 16, 251, 3, 0]),
            "ac:10:fb:03:00 (5 octets: not an IPv4 address)"
        );
        assert_eq!(
            address_text(9, &[1, 2]),
            "01:02 (2 octets: address family 9)"
        );
        let ma = ManagementAddress {
            family: 2,
            address: compatible.to_vec(),
            interface_subtype: 2,
            interface_number: 1,
            oid: Vec::new(),
        };
        assert_eq!(ma.to_string(), "169.254.2.140");
    }
}
