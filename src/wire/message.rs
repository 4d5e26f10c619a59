//! The community-based SNMP message (RFC 1157 v1, RFC 1901/3416 v2c) and its PDUs.
//!
//! ```text
//! Message ::= SEQUENCE { version INTEGER, community OCTET STRING, data PDU }
//! PDU     ::= [tag] SEQUENCE { request-id, error-status | non-repeaters,
//!                              error-index | max-repetitions, SEQUENCE OF VarBind }
//! ```
//! The v1 Trap PDU, whose shape differs, is refused with [`WireError::UnsupportedPdu`].

use super::ber::{self, Reader, tag};
use super::{VarBind, WireError};

/// A message version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// SNMPv1 (0).
    V1,
    /// SNMPv2c (1).
    V2c,
    /// SNMPv3 (3): named here for sessions; the community codec never carries it.
    V3,
}

impl Version {
    fn code(self) -> i64 {
        match self {
            Version::V1 => 0,
            Version::V2c => 1,
            Version::V3 => 3,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Version::V1 => "v1",
            Version::V2c => "v2c",
            Version::V3 => "v3",
        })
    }
}

/// The PDU types, by their context tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PduKind {
    /// GetRequest (0xa0).
    Get,
    /// GetNextRequest (0xa1).
    GetNext,
    /// Response (0xa2).
    Response,
    /// SetRequest (0xa3). Decoded so an agent can refuse it; netorigin never sends one.
    Set,
    /// GetBulkRequest (0xa5), v2c only.
    GetBulk,
    /// InformRequest (0xa6).
    Inform,
    /// SNMPv2-Trap (0xa7).
    TrapV2,
    /// Report (0xa8).
    Report,
}

impl PduKind {
    /// The context tag.
    pub fn tag(self) -> u8 {
        match self {
            PduKind::Get => 0xa0,
            PduKind::GetNext => 0xa1,
            PduKind::Response => 0xa2,
            PduKind::Set => 0xa3,
            PduKind::GetBulk => 0xa5,
            PduKind::Inform => 0xa6,
            PduKind::TrapV2 => 0xa7,
            PduKind::Report => 0xa8,
        }
    }

    fn from_tag(t: u8) -> Result<Self, WireError> {
        Ok(match t {
            0xa0 => PduKind::Get,
            0xa1 => PduKind::GetNext,
            0xa2 => PduKind::Response,
            0xa3 => PduKind::Set,
            0xa5 => PduKind::GetBulk,
            0xa6 => PduKind::Inform,
            0xa7 => PduKind::TrapV2,
            0xa8 => PduKind::Report,
            other => return Err(WireError::UnsupportedPdu(other)),
        })
    }
}

/// Error status codes (RFC 3416 section 3).
#[allow(missing_docs)]
pub mod error_status {
    pub const NO_ERROR: i64 = 0;
    pub const TOO_BIG: i64 = 1;
    pub const NO_SUCH_NAME: i64 = 2;
    pub const GEN_ERR: i64 = 5;
    pub const NO_ACCESS: i64 = 6;
    pub const NOT_WRITABLE: i64 = 17;
}

/// A PDU. For GetBulk, `error_status` holds non-repeaters and `error_index` max-repetitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    /// The PDU type.
    pub kind: PduKind,
    /// The request ID that matches a response to its request.
    pub request_id: i32,
    /// Error status, or non-repeaters in a GetBulk.
    pub error_status: i64,
    /// Error index, or max-repetitions in a GetBulk.
    pub error_index: i64,
    /// The variable bindings.
    pub varbinds: Vec<VarBind>,
}

impl Pdu {
    /// Decodes a PDU from its context tag and contents.
    pub fn decode(t: u8, contents: &[u8]) -> Result<Pdu, WireError> {
        let kind = PduKind::from_tag(t)?;
        let mut p = Reader::new(contents);
        let request_id = p.integer("request-id")?;
        let request_id =
            i32::try_from(request_id).map_err(|_| WireError::BadInteger("request-id"))?;
        let error_status = p.integer("error-status")?;
        let error_index = p.integer("error-index")?;
        let mut list = p.sub(tag::SEQUENCE, "VarBindList")?;
        p.finish()?;
        let mut varbinds = Vec::new();
        while !list.is_empty() {
            varbinds.push(VarBind::decode(&mut list)?);
        }
        Ok(Pdu {
            kind,
            request_id,
            error_status,
            error_index,
            varbinds,
        })
    }

    /// Appends the PDU's TLV.
    pub fn encode(&self, out: &mut Vec<u8>) {
        ber::push_constructed(out, self.kind.tag(), |o| {
            ber::push_signed(o, tag::INTEGER, i64::from(self.request_id));
            ber::push_signed(o, tag::INTEGER, self.error_status);
            ber::push_signed(o, tag::INTEGER, self.error_index);
            ber::push_constructed(o, tag::SEQUENCE, |o| {
                for vb in &self.varbinds {
                    vb.encode(o);
                }
            });
        });
    }
}

/// A whole community-based message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// v1 or v2c.
    pub version: Version,
    /// The community string, a secret: never print it.
    pub community: Vec<u8>,
    /// The PDU.
    pub pdu: Pdu,
}

impl Message {
    /// Decodes a datagram. The whole buffer must be one message.
    pub fn decode(buf: &[u8]) -> Result<Message, WireError> {
        let mut outer = Reader::new(buf);
        let mut msg = outer.sub(tag::SEQUENCE, "Message")?;
        outer.finish()?;
        let version = match msg.integer("version")? {
            0 => Version::V1,
            1 => Version::V2c,
            other => return Err(WireError::UnsupportedVersion(other)),
        };
        let community = msg.expect(tag::OCTET_STRING, "community")?.to_vec();
        let (t, contents) = msg.tlv()?;
        msg.finish()?;
        let pdu = Pdu::decode(t, contents)?;
        Ok(Message {
            version,
            community,
            pdu,
        })
    }

    /// Encodes the message into `out` (which is cleared first).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.clear();
        ber::push_constructed(out, tag::SEQUENCE, |o| {
            ber::push_signed(o, tag::INTEGER, self.version.code());
            ber::push_tlv(o, tag::OCTET_STRING, &self.community);
            self.pdu.encode(o);
        });
    }

    /// Encodes the message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.pdu.varbinds.len() * 32);
        self.encode_into(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Oid, Value};

    /// A GetRequest for sysDescr.0 with community "public", as net-snmp 5.9 `snmpget -v2c` sends it.
    const NET_SNMP_GET: [u8; 43] = [
        0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', 0xa0, 0x1c,
        0x02, 0x04, 0x2a, 0x1b, 0x3c, 0x4d, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30,
        0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00,
    ];

    #[test]
    fn decodes_a_net_snmp_get_and_encodes_it_back() {
        let m = Message::decode(&NET_SNMP_GET).unwrap();
        assert_eq!(m.version, Version::V2c);
        assert_eq!(m.community, b"public");
        assert_eq!(m.pdu.kind, PduKind::Get);
        assert_eq!(m.pdu.request_id, 0x2a1b3c4d);
        assert_eq!(m.pdu.varbinds.len(), 1);
        assert_eq!(
            m.pdu.varbinds[0].oid,
            "1.3.6.1.2.1.1.1.0".parse::<Oid>().unwrap()
        );
        assert_eq!(m.pdu.varbinds[0].value, Value::Null);
        assert_eq!(m.encode(), NET_SNMP_GET);
    }

    #[test]
    fn every_truncation_is_an_error() {
        for end in 0..NET_SNMP_GET.len() {
            assert!(
                Message::decode(&NET_SNMP_GET[..end]).is_err(),
                "prefix of {end} bytes"
            );
        }
        let mut extra = NET_SNMP_GET.to_vec();
        extra.push(0);
        assert_eq!(Message::decode(&extra), Err(WireError::TrailingBytes(1)));
    }

    #[test]
    fn v1_trap_and_v3_are_refused() {
        let mut trap = NET_SNMP_GET;
        trap[13] = 0xa4;
        assert_eq!(Message::decode(&trap), Err(WireError::UnsupportedPdu(0xa4)));
        let mut v3 = NET_SNMP_GET;
        v3[4] = 3;
        assert_eq!(Message::decode(&v3), Err(WireError::UnsupportedVersion(3)));
    }
}
