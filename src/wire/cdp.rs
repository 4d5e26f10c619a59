//! Cisco Discovery Protocol, versions 1 and 2, as Cisco's "CDP" white paper and Wireshark's
//! dissector describe it: a 4-octet header (version, TTL, checksum) and TLVs of a 2-octet type
//! and a 2-octet length that counts the 4-octet TLV header.
//!
//! [`Packet::parse`] decodes the packet after the LLC/SNAP header. It is total: a TLV that runs
//! past the buffer or whose value breaks its grammar is a [`WireError`]. The checksum is
//! checked but not enforced ([`Packet::checksum_valid`]): a report of what a device says is
//! worth more than a strict drop. TLVs other than the ones decoded here are kept raw.
//!
//! ```
//! use netorigin::wire::cdp::Packet;
//! let bytes = [0x02, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, b'R', b'1'];
//! let p = Packet::parse(&bytes).unwrap();
//! assert_eq!(p.device_id.as_deref(), Some("R1"));
//! ```

use super::WireError;
use super::lldp::text;

/// TLV types.
#[allow(missing_docs)]
pub mod tlv {
    pub const DEVICE_ID: u16 = 0x0001;
    pub const ADDRESSES: u16 = 0x0002;
    pub const PORT_ID: u16 = 0x0003;
    pub const CAPABILITIES: u16 = 0x0004;
    pub const SOFTWARE_VERSION: u16 = 0x0005;
    pub const PLATFORM: u16 = 0x0006;
    pub const NATIVE_VLAN: u16 = 0x000a;
    pub const DUPLEX: u16 = 0x000b;
}

/// A decoded CDP packet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packet {
    /// CDP version (1 or 2; others are decoded all the same).
    pub version: u8,
    /// Hold time, seconds.
    pub ttl: u8,
    /// The checksum in the header.
    pub checksum: u16,
    /// Whether the checksum matches the packet (either way of summing an odd last octet).
    pub checksum_valid: bool,
    /// Device ID.
    pub device_id: Option<String>,
    /// Addresses (IPv4 and IPv6 as text; others as `proto:<hex>/<hex>`).
    pub addresses: Vec<String>,
    /// Port ID.
    pub port_id: Option<String>,
    /// Capability bits (0x01 router, 0x02 transparent bridge, 0x04 source-route bridge,
    /// 0x08 switch, 0x10 host, 0x20 IGMP, 0x40 repeater...).
    pub capabilities: Option<u32>,
    /// Software version (a sysDescr, in practice).
    pub software_version: Option<String>,
    /// Platform (the model).
    pub platform: Option<String>,
    /// Native VLAN.
    pub native_vlan: Option<u16>,
    /// Full duplex (`Some(true)`) or half.
    pub full_duplex: Option<bool>,
    /// Other TLVs, by type, raw.
    pub unknown: Vec<(u16, Vec<u8>)>,
}

impl Packet {
    /// Decodes a CDP packet (the payload after LLC/SNAP). Bytes after the last TLV that are
    /// too short for a TLV header (Ethernet padding) are an error only if they are not zero.
    pub fn parse(buf: &[u8]) -> Result<Self, WireError> {
        let [version, ttl, c1, c2, tlvs @ ..] = buf else {
            return Err(WireError::Truncated("CDP header"));
        };
        let mut rest = tlvs;
        let mut p = Packet {
            version: *version,
            ttl: *ttl,
            checksum: u16::from_be_bytes([*c1, *c2]),
            checksum_valid: checksum_valid(buf),
            ..Packet::default()
        };
        while !rest.is_empty() {
            let [t1, t2, l1, l2, after @ ..] = rest else {
                return Err(WireError::Truncated("CDP TLV header"));
            };
            let kind = u16::from_be_bytes([*t1, *t2]);
            let len = usize::from(u16::from_be_bytes([*l1, *l2]));
            if len < 4 {
                return Err(WireError::BadValue("CDP TLV length"));
            }
            if after.len() < len - 4 {
                return Err(WireError::Truncated("CDP TLV value"));
            }
            let (value, after) = after.split_at(len - 4);
            rest = after;
            match kind {
                tlv::DEVICE_ID => p.device_id = Some(text(value)),
                tlv::ADDRESSES => p.addresses.extend(addresses(value)?),
                tlv::PORT_ID => p.port_id = Some(text(value)),
                tlv::CAPABILITIES => {
                    let v: [u8; 4] = value
                        .try_into()
                        .map_err(|_| WireError::BadValue("CDP capabilities"))?;
                    p.capabilities = Some(u32::from_be_bytes(v));
                }
                tlv::SOFTWARE_VERSION => p.software_version = Some(text(value)),
                tlv::PLATFORM => p.platform = Some(text(value)),
                tlv::NATIVE_VLAN => {
                    let v: [u8; 2] = value
                        .try_into()
                        .map_err(|_| WireError::BadValue("CDP native VLAN"))?;
                    p.native_vlan = Some(u16::from_be_bytes(v));
                }
                tlv::DUPLEX => {
                    let [d] = value else {
                        return Err(WireError::BadValue("CDP duplex"));
                    };
                    p.full_duplex = Some(*d != 0);
                }
                other => p.unknown.push((other, value.to_vec())),
            }
        }
        Ok(p)
    }
}

/// The Addresses TLV: a 4-octet count, then per address a protocol type (1 NLPID, 2 802.2),
/// protocol length, protocol, 2-octet address length, address.
fn addresses(mut v: &[u8]) -> Result<Vec<String>, WireError> {
    let bad = WireError::BadValue("CDP addresses");
    let [a, b, c, d, rest @ ..] = v else {
        return Err(bad);
    };
    let count = u32::from_be_bytes([*a, *b, *c, *d]);
    v = rest;
    let mut out = Vec::new();
    for _ in 0..count {
        let [_ptype, plen, rest @ ..] = v else {
            return Err(bad);
        };
        let plen = usize::from(*plen);
        if rest.len() < plen + 2 {
            return Err(bad);
        }
        let (proto, rest) = rest.split_at(plen);
        let alen = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let rest = &rest[2..];
        if rest.len() < alen {
            return Err(bad);
        }
        let (addr, rest) = rest.split_at(alen);
        v = rest;
        let ipv6_proto = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd];
        out.push(match (proto, addr.len()) {
            ([0xcc], 4) => {
                std::net::Ipv4Addr::from(<[u8; 4]>::try_from(addr).map_err(|_| bad.clone())?)
                    .to_string()
            }
            // An IPv4 address carried in IPv6 is its IPv4 form, as in LLDP.
            (p, 16) if p == ipv6_proto => super::lldp::ip_address(2, addr)
                .ok_or_else(|| bad.clone())?
                .to_string(),
            _ => format!("proto:{}/{}", super::hex(proto), super::hex(addr)),
        });
    }
    Ok(out)
}

/// The Internet checksum over the packet. Cisco sums an odd last octet sign-extended as the
/// low-order byte of a word, not as the RFC 1071 high-order byte; both are accepted.
fn checksum_valid(buf: &[u8]) -> bool {
    let fold = |mut sum: u32| {
        while sum >> 16 != 0 {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    };
    let mut sum = 0u32;
    let mut chunks = buf.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    match chunks.remainder() {
        [] => fold(sum) == 0,
        [last] => {
            let rfc = sum + (u32::from(*last) << 8);
            let cisco = sum + u32::from(*last as i8 as i16 as u16);
            fold(rfc) == 0 || fold(cisco) == 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_field() {
        let mut b = vec![0x02, 0xb4, 0x00, 0x00];
        b.extend([0x00, 0x01, 0x00, 0x06, b'S', b'1']);
        b.extend([
            0x00, 0x02, 0x00, 0x11, 0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1,
        ]);
        b.extend([0x00, 0x03, 0x00, 0x07, b'F', b'a', b'0']);
        b.extend([0x00, 0x04, 0x00, 0x08, 0, 0, 0, 0x28]);
        b.extend([0x00, 0x05, 0x00, 0x07, b'I', b'O', b'S']);
        b.extend([0x00, 0x06, 0x00, 0x07, b'c', b'i', b's']);
        b.extend([0x00, 0x0a, 0x00, 0x06, 0, 1]);
        b.extend([0x00, 0x0b, 0x00, 0x05, 1]);
        b.extend([0x00, 0x99, 0x00, 0x05, 7]);
        // Fill in a valid checksum.
        let mut sum = 0u32;
        for c in b.chunks(2) {
            sum += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
        }
        while sum >> 16 != 0 {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        let ck = !(sum as u16);
        b[2..4].copy_from_slice(&ck.to_be_bytes());
        let p = Packet::parse(&b).unwrap();
        assert!(p.checksum_valid);
        assert_eq!(p.version, 2);
        assert_eq!(p.ttl, 180);
        assert_eq!(p.device_id.as_deref(), Some("S1"));
        assert_eq!(p.addresses, ["10.0.0.1"]);
        assert_eq!(p.port_id.as_deref(), Some("Fa0"));
        assert_eq!(p.capabilities, Some(0x28));
        assert_eq!(p.software_version.as_deref(), Some("IOS"));
        assert_eq!(p.platform.as_deref(), Some("cis"));
        assert_eq!(p.native_vlan, Some(1));
        assert_eq!(p.full_duplex, Some(true));
        assert_eq!(p.unknown, [(0x99, vec![7])]);
        b[3] ^= 1;
        assert!(!Packet::parse(&b).unwrap().checksum_valid);
    }

    #[test]
    fn bad_packets_are_errors() {
        assert!(Packet::parse(&[2, 180, 0]).is_err());
        assert!(Packet::parse(&[2, 180, 0, 0, 0, 1, 0, 2]).is_err());
        assert!(Packet::parse(&[2, 180, 0, 0, 0, 1, 0, 9, b'a']).is_err());
        assert!(Packet::parse(&[2, 180, 0, 0, 0, 1]).is_err());
        // An address count larger than the TLV.
        assert!(Packet::parse(&[2, 180, 0, 0, 0, 2, 0, 8, 0, 0, 0, 9]).is_err());
        assert!(Packet::parse(&[2, 180, 0, 0, 0, 4, 0, 5, 1]).is_err());
    }

    #[test]
    fn an_ipv4_address_carried_in_ipv6_is_its_ipv4_form() {
        let ipv6 = |addr: [u8; 16]| {
            let mut v = vec![
                0, 0, 0, 1, 2, 8, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd, 0, 16,
            ];
            v.extend(addr);
            addresses(&v).unwrap()
        };
        let mut mapped = [0u8; 16];
        mapped[10..].copy_from_slice(&[0xff, 0xff, 10, 0, 0, 2]);
        assert_eq!(ipv6(mapped), ["10.0.0.2"]);
        let v6: std::net::Ipv6Addr = "2001:db8::2".parse().unwrap();
        assert_eq!(ipv6(v6.octets()), ["2001:db8::2"]);
    }
}
