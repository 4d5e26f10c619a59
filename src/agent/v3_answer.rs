//! The SNMPv3 side of the agent (RFC 3412, RFC 3414): the Reports of discovery and of the
//! usmStats counters, a user's request checked, decrypted and answered like a v2c one.

use super::fault::{self, Fault};
use super::{Agent, malformed_marker};
use crate::usm::LocalKeys;
use crate::wire::v3::{self, V3Message};
use crate::wire::{Oid, Pdu, PduKind, Value, VarBind};

impl Agent {
    /// The answer to an SNMPv3 message (RFC 3412, RFC 3414). A discovery request (no or another
    /// engine ID) gets the Report that reveals the engine ID; an unknown user, a security level
    /// the user does not have, a wrong digest or an undecryptable PDU get their usmStats Report
    /// (when the request is reportable); a request of a known user is answered like a v2c one,
    /// authenticated and encrypted as the user's keys say.
    pub fn answer_v3(&self, request: &V3Message) -> Option<V3Message> {
        let faulty = self.begin();
        self.answer_v3_with(request, faulty).1
    }

    /// [`Agent::answer_v3`] for a request already counted, with the request's PDU type as the
    /// agent sees it (decrypted, for a user whose keys it has).
    pub(super) fn answer_v3_with(
        &self,
        request: &V3Message,
        faulty: bool,
    ) -> (Option<PduKind>, Option<V3Message>) {
        let mut kind = match &request.scoped {
            v3::Scoped::Plain { pdu, .. } => Some(pdu.kind),
            v3::Scoped::Encrypted(_) => None,
        };
        let answer = self.answer_v3_inner(request, faulty, &mut kind);
        (kind, answer)
    }

    fn answer_v3_inner(
        &self,
        request: &V3Message,
        faulty: bool,
        kind: &mut Option<PduKind>,
    ) -> Option<V3Message> {
        if request.security_model != 3 {
            return None;
        }
        let clock = self.boots_and_time();
        let (user, scoped) = match self.admit_v3(request) {
            Ok(admitted) => admitted,
            Err(Some(counter)) => return self.v3_report(request, counter, clock, faulty),
            Err(None) => return None,
        };
        let v3::Scoped::Plain {
            context_engine_id,
            context_name,
            pdu,
        } = scoped
        else {
            return None;
        };
        *kind = Some(pdu.kind);
        let answer =
            self.answer_pdu(false, &pdu, 160 + user.name.len() + user.mac_len(), faulty)?;
        self.v3_response(
            request,
            user,
            (context_engine_id, context_name, answer),
            clock,
            faulty,
        )
    }

    /// The user a request comes from and its scoped PDU, decrypted: else the usmStats counter
    /// whose Report answers it (`None`: no answer at all).
    fn admit_v3(&self, request: &V3Message) -> Result<(&LocalKeys, v3::Scoped), Option<Oid>> {
        if request.usm.engine_id != self.engine_id {
            return Err(Some(v3::usm_stats_unknown_engine_ids()));
        }
        let Some(user) = self.users.iter().find(|u| u.name == request.usm.user) else {
            return Err(Some(v3::usm_stats_unknown_user_names()));
        };
        let (auth, privacy) = (
            request.flags & v3::flags::AUTH != 0,
            request.flags & v3::flags::PRIV != 0,
        );
        if auth != user.authenticates() || privacy != user.encrypts() {
            return Err(Some(v3::usm_stats_unsupported_sec_levels()));
        }
        if auth {
            let mut zeroed = request.clone();
            zeroed.usm.auth = vec![0; request.usm.auth.len()];
            if request.usm.auth.len() != user.mac_len()
                || !user.verify(&zeroed.encode(), &request.usm.auth)
            {
                return Err(Some(v3::usm_stats_wrong_digests()));
            }
        }
        let scoped = match (&request.scoped, privacy) {
            (v3::Scoped::Plain { .. }, false) => request.scoped.clone(),
            (v3::Scoped::Encrypted(c), true) => {
                let boots = u32::try_from(request.usm.boots).unwrap_or(0);
                let time = u32::try_from(request.usm.time).unwrap_or(0);
                user.decrypt(c, boots, time, &request.usm.privacy)
                    .ok()
                    .and_then(|p| v3::decode_scoped_pdu(&p).ok())
                    .ok_or_else(|| Some(v3::usm_stats_decryption_errors()))?
            }
            _ => return Err(None),
        };
        Ok((user, scoped))
    }

    /// The Report of one usmStats `counter` (or of discovery), when the request is reportable.
    fn v3_report(
        &self,
        request: &V3Message,
        counter: Oid,
        (boots, time): (u32, u32),
        faulty: bool,
    ) -> Option<V3Message> {
        if request.flags & v3::flags::REPORTABLE == 0 {
            return None;
        }
        let wrong_id = self.fault(faulty, Fault::WrongId);
        let mut r = V3Message::discovery_report(
            request,
            self.engine_id.clone(),
            i64::from(boots),
            i64::from(time),
            1,
        );
        if let v3::Scoped::Plain { pdu, .. } = &mut r.scoped {
            pdu.varbinds = vec![VarBind::new(counter, Value::Counter32(1))];
            if wrong_id {
                pdu.request_id = pdu.request_id.wrapping_add(1);
            }
            if self.fault(faulty, Fault::Malformed) {
                pdu.varbinds.push(malformed_marker());
            }
        }
        if wrong_id {
            r.msg_id = r.msg_id.wrapping_add(1);
        }
        Some(r)
    }

    /// The response to a user's request: the answer PDU in its context, encrypted and signed as
    /// the request was.
    fn v3_response(
        &self,
        request: &V3Message,
        user: &LocalKeys,
        (context_engine_id, context_name, answer): (Vec<u8>, Vec<u8>, Pdu),
        (boots, time): (u32, u32),
        faulty: bool,
    ) -> Option<V3Message> {
        let (auth, privacy) = (
            request.flags & v3::flags::AUTH != 0,
            request.flags & v3::flags::PRIV != 0,
        );
        let wrong_id = self.fault(faulty, Fault::WrongId);
        let mut usm = v3::Usm {
            engine_id: self.engine_id.clone(),
            boots: i64::from(boots),
            time: i64::from(time),
            user: user.name.clone(),
            auth: vec![0; user.mac_len()],
            privacy: Vec::new(),
        };
        let mut plain = v3::encode_scoped_pdu(&context_engine_id, &context_name, &answer);
        if self.fault(faulty, Fault::Malformed) {
            fault::break_last_length(&mut plain);
        }
        let scoped = if privacy {
            let (cipher, params) = user.encrypt(&plain, boots, time).ok()?;
            usm.privacy = params;
            v3::Scoped::Encrypted(cipher)
        } else {
            v3::Scoped::Plain {
                context_engine_id,
                context_name,
                pdu: answer,
            }
        };
        let mut response = V3Message {
            msg_id: if wrong_id {
                request.msg_id.wrapping_add(1)
            } else {
                request.msg_id
            },
            max_size: 65_507,
            flags: request.flags & (v3::flags::AUTH | v3::flags::PRIV),
            security_model: 3,
            usm,
            scoped,
        };
        if auth {
            response.usm.auth = user.sign(&response.encode()).ok()?;
        }
        Some(response)
    }
}
