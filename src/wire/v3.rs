//! The SNMPv3 message (RFC 3412) with USM security parameters (RFC 3414), as far as engine
//! discovery needs it: a manager sends a `reportable` GetRequest with an empty user and engine
//! ID, and the agent's Report carries its authoritative engine ID, boots and time. Encrypted
//! scoped PDUs are kept as octets; authentication and privacy are not done here.

use super::ber::{self, Reader, tag};
use super::{Oid, Pdu, PduKind, Value, VarBind, WireError};

/// msgFlags bits.
pub mod flags {
    /// authFlag.
    pub const AUTH: u8 = 0x01;
    /// privFlag.
    pub const PRIV: u8 = 0x02;
    /// reportableFlag.
    pub const REPORTABLE: u8 = 0x04;
}

/// The User-based Security Model's parameters (RFC 3414 section 2.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usm {
    /// msgAuthoritativeEngineID.
    pub engine_id: Vec<u8>,
    /// msgAuthoritativeEngineBoots.
    pub boots: i64,
    /// msgAuthoritativeEngineTime.
    pub time: i64,
    /// msgUserName.
    pub user: Vec<u8>,
    /// msgAuthenticationParameters.
    pub auth: Vec<u8>,
    /// msgPrivacyParameters.
    pub privacy: Vec<u8>,
}

/// The scoped PDU, in clear or encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scoped {
    /// A plaintext ScopedPDU.
    Plain {
        /// contextEngineID.
        context_engine_id: Vec<u8>,
        /// contextName.
        context_name: Vec<u8>,
        /// The PDU.
        pdu: Pdu,
    },
    /// An encrypted ScopedPDU, as octets.
    Encrypted(Vec<u8>),
}

/// An SNMPv3 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Message {
    /// msgID.
    pub msg_id: i32,
    /// msgMaxSize.
    pub max_size: i64,
    /// msgFlags.
    pub flags: u8,
    /// msgSecurityModel (3 = USM).
    pub security_model: i64,
    /// USM parameters (empty when the security model is not USM).
    pub usm: Usm,
    /// The scoped PDU.
    pub scoped: Scoped,
}

/// usmStatsUnknownEngineIDs.0, the counter a discovery Report carries.
pub fn usm_stats_unknown_engine_ids() -> Oid {
    crate::oid![1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0]
}

/// usmStatsUnknownUserNames.0.
pub fn usm_stats_unknown_user_names() -> Oid {
    crate::oid![1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0]
}

/// usmStatsUnsupportedSecLevels.0.
pub fn usm_stats_unsupported_sec_levels() -> Oid {
    crate::oid![1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0]
}

/// usmStatsWrongDigests.0.
pub fn usm_stats_wrong_digests() -> Oid {
    crate::oid![1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0]
}

/// usmStatsDecryptionErrors.0.
pub fn usm_stats_decryption_errors() -> Oid {
    crate::oid![1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0]
}

impl V3Message {
    /// The engine-discovery request of RFC 3414 section 4: reportable, no user, no engine ID,
    /// a GetRequest with no bindings.
    pub fn discovery(msg_id: i32, request_id: i32) -> V3Message {
        V3Message {
            msg_id,
            max_size: 65_507,
            flags: flags::REPORTABLE,
            security_model: 3,
            usm: Usm::default(),
            scoped: Scoped::Plain {
                context_engine_id: Vec::new(),
                context_name: Vec::new(),
                pdu: Pdu {
                    kind: PduKind::Get,
                    request_id,
                    error_status: 0,
                    error_index: 0,
                    varbinds: Vec::new(),
                },
            },
        }
    }

    /// The Report an agent answers a discovery with.
    pub fn discovery_report(
        request: &V3Message,
        engine_id: Vec<u8>,
        boots: i64,
        time: i64,
        unknown_engine_ids: u32,
    ) -> V3Message {
        let request_id = match &request.scoped {
            Scoped::Plain { pdu, .. } => pdu.request_id,
            Scoped::Encrypted(_) => 0,
        };
        V3Message {
            msg_id: request.msg_id,
            max_size: 65_507,
            flags: 0,
            security_model: 3,
            usm: Usm {
                engine_id: engine_id.clone(),
                boots,
                time,
                ..Usm::default()
            },
            scoped: Scoped::Plain {
                context_engine_id: engine_id,
                context_name: Vec::new(),
                pdu: Pdu {
                    kind: PduKind::Report,
                    request_id,
                    error_status: 0,
                    error_index: 0,
                    varbinds: vec![VarBind::new(
                        usm_stats_unknown_engine_ids(),
                        Value::Counter32(unknown_engine_ids),
                    )],
                },
            },
        }
    }

    /// Decodes a datagram. The whole buffer must be one v3 message.
    pub fn decode(buf: &[u8]) -> Result<V3Message, WireError> {
        let mut outer = Reader::new(buf);
        let mut msg = outer.sub(tag::SEQUENCE, "SNMPv3Message")?;
        outer.finish()?;
        let version = msg.integer("msgVersion")?;
        if version != 3 {
            return Err(WireError::UnsupportedVersion(version));
        }
        let mut header = msg.sub(tag::SEQUENCE, "HeaderData")?;
        let msg_id =
            i32::try_from(header.integer("msgID")?).map_err(|_| WireError::BadInteger("msgID"))?;
        let max_size = header.integer("msgMaxSize")?;
        let flag_octets = header.expect(tag::OCTET_STRING, "msgFlags")?;
        let [flags] = flag_octets else {
            return Err(WireError::BadValue("msgFlags"));
        };
        let security_model = header.integer("msgSecurityModel")?;
        header.finish()?;
        let params = msg.expect(tag::OCTET_STRING, "msgSecurityParameters")?;
        let usm = if security_model == 3 {
            Usm::decode(params)?
        } else {
            Usm::default()
        };
        let (t, contents) = msg.tlv()?;
        msg.finish()?;
        let scoped = match t {
            tag::SEQUENCE => decode_scoped_contents(contents)?,
            tag::OCTET_STRING => Scoped::Encrypted(contents.to_vec()),
            found => {
                return Err(WireError::UnexpectedTag {
                    expected: tag::SEQUENCE,
                    found,
                    what: "msgData",
                });
            }
        };
        Ok(V3Message {
            msg_id,
            max_size,
            flags: *flags,
            security_model,
            usm,
            scoped,
        })
    }

    /// Encodes the message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        ber::push_constructed(&mut out, tag::SEQUENCE, |o| {
            ber::push_signed(o, tag::INTEGER, 3);
            ber::push_constructed(o, tag::SEQUENCE, |o| {
                ber::push_signed(o, tag::INTEGER, i64::from(self.msg_id));
                ber::push_signed(o, tag::INTEGER, self.max_size);
                ber::push_tlv(o, tag::OCTET_STRING, &[self.flags]);
                ber::push_signed(o, tag::INTEGER, self.security_model);
            });
            let mut params = Vec::with_capacity(64);
            self.usm.encode(&mut params);
            ber::push_tlv(o, tag::OCTET_STRING, &params);
            match &self.scoped {
                Scoped::Plain {
                    context_engine_id,
                    context_name,
                    pdu,
                } => o.extend_from_slice(&encode_scoped_pdu(context_engine_id, context_name, pdu)),
                Scoped::Encrypted(b) => ber::push_tlv(o, tag::OCTET_STRING, b),
            }
        });
        out
    }
}

/// Encodes a plaintext ScopedPDU (what privacy encrypts).
pub fn encode_scoped_pdu(context_engine_id: &[u8], context_name: &[u8], pdu: &Pdu) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    ber::push_constructed(&mut out, tag::SEQUENCE, |o| {
        ber::push_tlv(o, tag::OCTET_STRING, context_engine_id);
        ber::push_tlv(o, tag::OCTET_STRING, context_name);
        pdu.encode(o);
    });
    out
}

/// Decodes a plaintext ScopedPDU, as privacy decrypted it. Decryption pads to the cipher's
/// block size, so bytes after the ScopedPDU are ignored.
pub fn decode_scoped_pdu(buf: &[u8]) -> Result<Scoped, WireError> {
    let mut r = Reader::new(buf);
    decode_scoped_contents(r.expect(tag::SEQUENCE, "ScopedPDU")?)
}

fn decode_scoped_contents(contents: &[u8]) -> Result<Scoped, WireError> {
    let mut s = Reader::new(contents);
    let context_engine_id = s.expect(tag::OCTET_STRING, "contextEngineID")?.to_vec();
    let context_name = s.expect(tag::OCTET_STRING, "contextName")?.to_vec();
    let (pt, pc) = s.tlv()?;
    s.finish()?;
    Ok(Scoped::Plain {
        context_engine_id,
        context_name,
        pdu: Pdu::decode(pt, pc)?,
    })
}

impl Usm {
    fn decode(params: &[u8]) -> Result<Usm, WireError> {
        let mut outer = Reader::new(params);
        let mut r = outer.sub(tag::SEQUENCE, "UsmSecurityParameters")?;
        outer.finish()?;
        let usm = Usm {
            engine_id: r
                .expect(tag::OCTET_STRING, "msgAuthoritativeEngineID")?
                .to_vec(),
            boots: r.integer("msgAuthoritativeEngineBoots")?,
            time: r.integer("msgAuthoritativeEngineTime")?,
            user: r.expect(tag::OCTET_STRING, "msgUserName")?.to_vec(),
            auth: r
                .expect(tag::OCTET_STRING, "msgAuthenticationParameters")?
                .to_vec(),
            privacy: r
                .expect(tag::OCTET_STRING, "msgPrivacyParameters")?
                .to_vec(),
        };
        r.finish()?;
        Ok(usm)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        ber::push_constructed(out, tag::SEQUENCE, |o| {
            ber::push_tlv(o, tag::OCTET_STRING, &self.engine_id);
            ber::push_signed(o, tag::INTEGER, self.boots);
            ber::push_signed(o, tag::INTEGER, self.time);
            ber::push_tlv(o, tag::OCTET_STRING, &self.user);
            ber::push_tlv(o, tag::OCTET_STRING, &self.auth);
            ber::push_tlv(o, tag::OCTET_STRING, &self.privacy);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A discovery request captured from net-snmp 5.9.3's `snmpget -v3 -l noAuthNoPriv -u probe`
    /// (msgID 0x583a1554, request-id 0x41a8e2f3).
    const NET_SNMP_DISCOVERY: [u8; 64] = [
        0x30, 0x3e, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x58, 0x3a, 0x15, 0x54, 0x02, 0x03,
        0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03, 0x04, 0x10, 0x30, 0x0e, 0x04, 0x00,
        0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x30, 0x14, 0x04,
        0x00, 0x04, 0x00, 0xa0, 0x0e, 0x02, 0x04, 0x41, 0xa8, 0xe2, 0xf3, 0x02, 0x01, 0x00, 0x02,
        0x01, 0x00, 0x30, 0x00,
    ];

    #[test]
    fn decodes_net_snmp_discovery_and_encodes_it_back() {
        let m = V3Message::decode(&NET_SNMP_DISCOVERY).unwrap();
        assert_eq!(m.msg_id, 0x583a_1554);
        assert_eq!(m.max_size, 65_507);
        assert_eq!(m.flags, flags::REPORTABLE);
        assert_eq!(m.usm, Usm::default());
        let Scoped::Plain { pdu, .. } = &m.scoped else {
            panic!("plain")
        };
        assert_eq!(
            (pdu.kind, pdu.request_id, pdu.varbinds.len()),
            (PduKind::Get, 0x41a8_e2f3, 0)
        );
        assert_eq!(m.encode(), NET_SNMP_DISCOVERY);
        assert_eq!(
            V3Message::discovery(0x583a_1554, 0x41a8_e2f3).encode(),
            NET_SNMP_DISCOVERY
        );
    }

    #[test]
    fn report_round_trips_with_the_engine_id() {
        let req = V3Message::discovery(7, 9);
        let engine = vec![0x80, 0, 0x07, 0xdb, 3, 0, 0xe0, 0xfc, 1, 2, 3];
        let rep = V3Message::discovery_report(&req, engine.clone(), 3, 12_345, 1);
        let back = V3Message::decode(&rep.encode()).unwrap();
        assert_eq!(back, rep);
        assert_eq!(back.usm.engine_id, engine);
        let Scoped::Plain { pdu, .. } = back.scoped else {
            panic!("plain")
        };
        assert_eq!((pdu.kind, pdu.request_id), (PduKind::Report, 9));
    }

    #[test]
    fn every_truncation_is_an_error() {
        for end in 0..NET_SNMP_DISCOVERY.len() {
            assert!(
                V3Message::decode(&NET_SNMP_DISCOVERY[..end]).is_err(),
                "{end}"
            );
        }
    }
}
