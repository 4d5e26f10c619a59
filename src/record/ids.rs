//! The identifiers a record carries as values, each written as text in JSON exactly as the
//! record has always written it: MAC addresses (lower-case colon hex) and SNMPv3 engine IDs
//! (lower-case hex).

use std::fmt;
use std::str::FromStr;

use crate::wire::ethernet::mac_string;
use crate::wire::lldp::mac_from_text;

/// Serialises a type as its `Display` text and reads it back with its `FromStr`.
macro_rules! as_text {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use as_text;

/// A MAC address: six octets.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// The octets.
    pub fn octets(self) -> [u8; 6] {
        self.0
    }
}

impl From<[u8; 6]> for Mac {
    fn from(octets: [u8; 6]) -> Mac {
        Mac(octets)
    }
}

impl fmt::Display for Mac {
    /// Lower-case colon hex (`00:e0:fc:12:34:56`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mac_string(&self.0))
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mac({self})")
    }
}

/// Text that is not a MAC address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a MAC address: {0:?}")]
pub struct NotAMac(String);

impl FromStr for Mac {
    type Err = NotAMac;

    /// Six groups of hex separated by `:`, `-`, ` ` or `.`, three of four, or twelve digits
    /// ([`mac_from_text`]).
    fn from_str(s: &str) -> Result<Mac, NotAMac> {
        mac_from_text(s)
            .map(Mac)
            .ok_or_else(|| NotAMac(s.to_string()))
    }
}

as_text!(Mac);

/// An SNMPv3 authoritative engine ID: its octets as sent (RFC 3411 says what they hold:
/// [`crate::wire::engine_id::EngineId`] decodes them).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EngineId(pub Vec<u8>);

impl EngineId {
    /// The octets.
    pub fn octets(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for EngineId {
    /// Lower-case hex, no separators (`80001f8880...`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|x| write!(f, "{x:02x}"))
    }
}

impl fmt::Debug for EngineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EngineId({self})")
    }
}

/// Text that is not an engine ID in hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an engine ID in hex: {0:?}")]
pub struct NotAnEngineId(String);

impl FromStr for EngineId {
    type Err = NotAnEngineId;

    /// Hex digits, two per octet, either case.
    fn from_str(s: &str) -> Result<EngineId, NotAnEngineId> {
        let bad = || NotAnEngineId(s.to_string());
        if !s.len().is_multiple_of(2) || !s.is_ascii() {
            return Err(bad());
        }
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| bad()))
            .collect::<Result<_, _>>()
            .map(EngineId)
    }
}

as_text!(EngineId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mac_is_written_and_read_as_lower_case_colon_hex() {
        let mac = Mac([0x00, 0xe0, 0xfc, 0x12, 0x3a, 0xbc]);
        let json = serde_json::to_string(&mac).unwrap();
        assert_eq!(json, r#""00:e0:fc:12:3a:bc""#);
        assert_eq!(serde_json::from_str::<Mac>(&json).unwrap(), mac);
        assert_eq!("00-E0-FC-12-3A-BC".parse::<Mac>().unwrap(), mac);
        assert!(serde_json::from_str::<Mac>(r#""00:e0:fc""#).is_err());
        assert!(serde_json::from_str::<Mac>("7").is_err());
    }

    #[test]
    fn an_engine_id_is_written_and_read_as_hex() {
        let id = EngineId(vec![0x80, 0x00, 0x1f, 0x88, 0x80, 0xab]);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, r#""80001f8880ab""#);
        assert_eq!(serde_json::from_str::<EngineId>(&json).unwrap(), id);
        assert_eq!("80001F8880AB".parse::<EngineId>().unwrap(), id);
        for bad in [r#""800""#, r#""zz""#, r#""é0""#] {
            assert!(serde_json::from_str::<EngineId>(bad).is_err(), "{bad}");
        }
    }
}
