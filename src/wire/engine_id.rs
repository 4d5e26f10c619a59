//! SNMP engine IDs (RFC 3411 section 5, SnmpEngineID): what an agent's authoritative engine ID
//! says of its maker. The first four octets carry the enterprise number, with the top bit set
//! in the RFC 3411 form; the fifth octet then says how the rest is made (IPv4, IPv6, MAC, text,
//! octets, or enterprise-specific). Without the top bit it is the pre-RFC 3411 12-octet form:
//! the enterprise number and eight octets of the enterprise's choosing.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// What the rest of an RFC 3411 engine ID holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "format", content = "value", rename_all = "kebab-case")]
pub enum EngineIdData {
    /// Format 1: an IPv4 address.
    Ipv4(Ipv4Addr),
    /// Format 2: an IPv6 address.
    Ipv6(Ipv6Addr),
    /// Format 3: a MAC address.
    Mac([u8; 6]),
    /// Format 4: administratively assigned text.
    Text(String),
    /// Format 5: administratively assigned octets.
    Octets(Vec<u8>),
    /// Formats 128-255: defined by the enterprise (net-snmp uses 128 for random octets and
    /// 129 for the time of its first boot).
    Enterprise {
        /// The format octet.
        format: u8,
        /// The octets.
        octets: Vec<u8>,
    },
    /// Formats 0 and 6-127, reserved.
    Reserved {
        /// The format octet.
        format: u8,
        /// The octets.
        octets: Vec<u8>,
    },
    /// The pre-RFC 3411 form: eight octets after the enterprise number.
    Legacy(Vec<u8>),
}

/// A decoded engine ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineId {
    /// The whole engine ID as sent, hex.
    pub hex: String,
    /// The private enterprise number it names.
    pub enterprise: u32,
    /// The rest.
    pub data: EngineIdData,
}

/// Why engine-ID octets could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineIdError {
    /// Engine IDs are 5 to 32 octets long (RFC 3411).
    #[error("an engine ID is 5 to 32 octets, this one is {0}")]
    Length(usize),
    /// A format's contents have the wrong length.
    #[error(
        "engine ID format {format} needs {expected} octets after the format octet, found {found}"
    )]
    FormatLength {
        /// The format.
        format: u8,
        /// Octets expected.
        expected: usize,
        /// Octets found.
        found: usize,
    },
}

impl EngineId {
    /// Decodes engine-ID octets.
    pub fn decode(b: &[u8]) -> Result<EngineId, EngineIdError> {
        if !(5..=32).contains(&b.len()) {
            return Err(EngineIdError::Length(b.len()));
        }
        let hex = b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let head = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        if head & 0x8000_0000 == 0 {
            return Ok(EngineId {
                hex,
                enterprise: head,
                data: EngineIdData::Legacy(b[4..].to_vec()),
            });
        }
        let enterprise = head & 0x7fff_ffff;
        let (format, rest) = (b[4], &b[5..]);
        let exact = |n: usize| {
            if rest.len() == n {
                Ok(())
            } else {
                Err(EngineIdError::FormatLength {
                    format,
                    expected: n,
                    found: rest.len(),
                })
            }
        };
        let data = match format {
            1 => {
                exact(4)?;
                EngineIdData::Ipv4(Ipv4Addr::new(rest[0], rest[1], rest[2], rest[3]))
            }
            2 => {
                exact(16)?;
                let mut a = [0u8; 16];
                a.copy_from_slice(rest);
                EngineIdData::Ipv6(Ipv6Addr::from(a))
            }
            3 => {
                exact(6)?;
                let mut m = [0u8; 6];
                m.copy_from_slice(rest);
                EngineIdData::Mac(m)
            }
            4 => EngineIdData::Text(String::from_utf8_lossy(rest).into_owned()),
            5 => EngineIdData::Octets(rest.to_vec()),
            128..=255 => EngineIdData::Enterprise {
                format,
                octets: rest.to_vec(),
            },
            _ => EngineIdData::Reserved {
                format,
                octets: rest.to_vec(),
            },
        };
        Ok(EngineId {
            hex,
            enterprise,
            data,
        })
    }

    /// The MAC address it carries, if any.
    pub fn mac(&self) -> Option<[u8; 6]> {
        match self.data {
            EngineIdData::Mac(m) => Some(m),
            _ => None,
        }
    }

    /// Builds an RFC 3411 engine ID of the MAC format (for simulated agents).
    pub fn mac_format(enterprise: u32, mac: [u8; 6]) -> Vec<u8> {
        let mut v = (enterprise | 0x8000_0000).to_be_bytes().to_vec();
        v.push(3);
        v.extend_from_slice(&mac);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn net_snmp_random_engine_id() {
        // As net-snmp 5.9 creates it: 8072 with the top bit, format 128, random octets.
        let e = EngineId::decode(&hex("80001f8880b1a4c3015a1e2b6500000000")).unwrap();
        assert_eq!(e.enterprise, 8072);
        assert!(matches!(
            e.data,
            EngineIdData::Enterprise { format: 128, .. }
        ));
    }

    #[test]
    fn vendor_engine_ids_in_each_format() {
        // Huawei 2011 = 0x7db, ZTE 3902 = 0xf3e, H3C 25506 = 0x63a2, Cisco 9.
        let e = EngineId::decode(&hex("800007db0300e0fc123456")).unwrap();
        assert_eq!(
            (e.enterprise, e.mac()),
            (2011, Some([0x00, 0xe0, 0xfc, 0x12, 0x34, 0x56]))
        );
        let e = EngineId::decode(&hex("80000f3e010a141e28")).unwrap();
        assert_eq!(
            (e.enterprise, e.data),
            (3902, EngineIdData::Ipv4(Ipv4Addr::new(10, 20, 30, 40)))
        );
        let e = EngineId::decode(&hex("800063a20420010db8000000000000000000000001")).unwrap();
        assert_eq!(e.enterprise, 25506);
        assert!(matches!(e.data, EngineIdData::Text(_)));
        let e = EngineId::decode(&hex("800063a20220010db8000000000000000000000001")).unwrap();
        assert_eq!(e.data, EngineIdData::Ipv6("2001:db8::1".parse().unwrap()));
        let e = EngineId::decode(&hex("800000090573776974636831")).unwrap();
        assert_eq!(
            (e.enterprise, e.data),
            (9, EngineIdData::Octets(b"switch1".to_vec()))
        );
        // Cisco's pre-RFC 3411 form: enterprise 9, then eight octets.
        let e = EngineId::decode(&hex("00000009020000000a0b0c0d")).unwrap();
        assert_eq!(e.enterprise, 9);
        assert!(matches!(e.data, EngineIdData::Legacy(ref o) if o.len() == 8));
    }

    #[test]
    fn malformed_engine_ids_are_errors() {
        assert_eq!(
            EngineId::decode(&[0x80, 0, 0x07]),
            Err(EngineIdError::Length(3))
        );
        assert_eq!(
            EngineId::decode(&[0x80; 33]),
            Err(EngineIdError::Length(33))
        );
        assert!(matches!(
            EngineId::decode(&hex("800007db0300e0fc")),
            Err(EngineIdError::FormatLength { format: 3, .. })
        ));
        assert_eq!(
            EngineId::mac_format(2011, [0, 0xe0, 0xfc, 1, 2, 3]),
            hex("800007db0300e0fc010203")
        );
    }
}
