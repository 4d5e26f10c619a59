//! Ethernet II and IEEE 802.3 with LLC/SNAP, as far as link-layer discovery needs: who sent the
//! frame, to whom, and whether it carries LLDP (EtherType 0x88cc, IEEE 802.1AB) or CDP (802.3
//! length, LLC 0xaa 0xaa 0x03, SNAP OUI 00:00:0c, protocol 0x2000).
//!
//! 802.1Q tags (0x8100, also 0x88a8 and 0x9100 for stacked tags) are skipped. Other payloads
//! are kept as [`Payload::Unknown`] with their EtherType (or 802.3 length), never dropped
//! silently. The frame check sequence is not expected: captures rarely keep it.

use super::WireError;

/// Field offsets.
mod field {
    pub type Field = core::ops::Range<usize>;
    pub const DESTINATION: Field = 0..6;
    pub const SOURCE: Field = 6..12;
    pub const ETHERTYPE: usize = 12;
}

/// EtherType of LLDP.
pub const ETHERTYPE_LLDP: u16 = 0x88cc;
/// EtherType of an 802.1Q VLAN tag.
pub const ETHERTYPE_VLAN: u16 = 0x8100;
/// LLC/SNAP header of CDP: DSAP, SSAP, control, OUI 00:00:0c, protocol ID 0x2000.
const CDP_SNAP: [u8; 8] = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00];

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// An LLDP data unit (the TLVs).
    Lldp(&'a [u8]),
    /// A CDP packet (version, TTL, checksum, TLVs).
    Cdp(&'a [u8]),
    /// Anything else, with its EtherType (or 802.3 length field).
    Unknown(u16),
}

/// A decoded Ethernet frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Destination MAC.
    pub destination: [u8; 6],
    /// Source MAC.
    pub source: [u8; 6],
    /// 802.1Q VLAN ID of the outermost tag, if tagged.
    pub vlan: Option<u16>,
    /// The payload.
    pub payload: Payload<'a>,
}

impl<'a> Frame<'a> {
    /// Decodes a frame (without FCS). Total: short frames are an error, never a panic.
    pub fn parse(buf: &'a [u8]) -> Result<Self, WireError> {
        if buf.len() < field::ETHERTYPE + 2 {
            return Err(WireError::Truncated("ethernet header"));
        }
        let mut destination = [0; 6];
        destination.copy_from_slice(&buf[field::DESTINATION]);
        let mut source = [0; 6];
        source.copy_from_slice(&buf[field::SOURCE]);
        let mut rest = &buf[field::ETHERTYPE..];
        let mut vlan = None;
        let kind = loop {
            let (kind, after) = be16(rest, "ethertype")?;
            if matches!(kind, ETHERTYPE_VLAN | 0x88a8 | 0x9100) {
                let (tci, after) = be16(after, "802.1Q tag")?;
                vlan = vlan.or(Some(tci & 0x0fff));
                rest = after;
                continue;
            }
            rest = after;
            break kind;
        };
        let payload = if kind == ETHERTYPE_LLDP {
            Payload::Lldp(rest)
        } else if kind <= 1500 {
            // 802.3: a length; the frame may be padded past it.
            let body = rest.get(..usize::from(kind)).unwrap_or(rest);
            match body.strip_prefix(&CDP_SNAP[..]) {
                Some(cdp) => Payload::Cdp(cdp),
                None => Payload::Unknown(kind),
            }
        } else {
            Payload::Unknown(kind)
        };
        Ok(Frame {
            destination,
            source,
            vlan,
            payload,
        })
    }
}

fn be16<'a>(buf: &'a [u8], what: &'static str) -> Result<(u16, &'a [u8]), WireError> {
    match buf {
        [a, b, rest @ ..] => Ok((u16::from_be_bytes([*a, *b]), rest)),
        _ => Err(WireError::Truncated(what)),
    }
}

/// A MAC address as colon-separated lower-case hex ("00:e0:fc:12:34:56"); any other octets
/// (an LLDP ID, an address of an unknown family) the same way.
pub fn mac_string(mac: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(mac.len() * 3);
    for (i, &x) in mac.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push(char::from(HEX[usize::from(x >> 4)]));
        s.push(char::from(HEX[usize::from(x & 0xf)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lldp_ethertype() {
        let mut f = vec![
            0x01, 0x80, 0xc2, 0, 0, 0x0e, 0, 0x19, 0x2f, 0xa7, 0xb2, 0x8d,
        ];
        f.extend([0x88, 0xcc, 0x02, 0x07]);
        let frame = Frame::parse(&f).unwrap();
        assert_eq!(frame.payload, Payload::Lldp(&[0x02, 0x07]));
        assert_eq!(mac_string(&frame.source), "00:19:2f:a7:b2:8d");
    }

    #[test]
    fn vlan_tag_is_skipped() {
        let mut f = vec![0; 12];
        f.extend([0x81, 0x00, 0x00, 0x64, 0x88, 0xcc, 0xff]);
        let frame = Frame::parse(&f).unwrap();
        assert_eq!(frame.vlan, Some(100));
        assert_eq!(frame.payload, Payload::Lldp(&[0xff]));
    }

    #[test]
    fn cdp_snap() {
        let mut f = vec![0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, 0, 1, 2, 3, 4, 5];
        f.extend([0x00, 0x0a]);
        f.extend(CDP_SNAP);
        f.extend([0x02, 0xb4, 0, 0, 0xee]); // padding past the length
        let frame = Frame::parse(&f).unwrap();
        assert_eq!(frame.payload, Payload::Cdp(&[0x02, 0xb4]));
    }

    #[test]
    fn short_and_other() {
        assert!(Frame::parse(&[0; 13]).is_err());
        let mut f = vec![0; 12];
        f.extend([0x08, 0x00]);
        assert_eq!(Frame::parse(&f).unwrap().payload, Payload::Unknown(0x0800));
        let mut f = vec![0; 12];
        f.extend([0x81, 0x00, 0x00]);
        assert!(Frame::parse(&f).is_err());
    }
}
