//! One simulated agent: answers GET, GETNEXT and GETBULK from a [`Recording`] as RFC 3416
//! (v2c) and RFC 1157 (v1) say a real agent would.
//!
//! Sans-IO: [`Agent::answer`] takes a decoded request and returns the response to send, if any;
//! [`Agent::respond`] does the same from datagram to datagram. SET is refused (`notWritable`,
//! or `noSuchName` in v1); a wrong community gets no answer, as on real agents.
//!
//! An agent given [`Faults`] misbehaves as they say once its first requests are answered; the
//! content faults are applied here, the delivery faults by the server.

pub mod fault;
pub mod recording;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

pub use fault::{Fault, Faults};
pub use recording::{Recording, RecordingError};

use crate::usm::{KeyError, LocalKeys, UserKeys};
use crate::wire::engine_id::EngineId;
use crate::wire::message::error_status;
use crate::wire::v3::{self, V3Message};
use crate::wire::{Message, Pdu, PduKind, Value, VarBind, Version};

/// The largest response this agent sends: the largest UDP payload over IPv4.
pub const MAX_MESSAGE_SIZE: usize = 65_507;

/// An agent serving one recording.
#[derive(Debug, Clone)]
pub struct Agent {
    recording: Arc<Recording>,
    community: Option<Vec<u8>>,
    max_message_size: usize,
    engine_id: Vec<u8>,
    users: Arc<Vec<LocalKeys>>,
    started: Instant,
    faults: Option<Arc<Faults>>,
    /// Datagrams received so far, to know when the faults begin.
    requests: Arc<AtomicU64>,
    /// When a `reboot` agent restarted.
    rebooted: Arc<OnceLock<Instant>>,
}

/// What [`Agent::respond`] made of one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// The request's PDU type (an SNMPv3 user's once decrypted); `None` when it did not decode.
    pub request: Option<PduKind>,
    /// Whether an answer was written.
    pub answered: bool,
    /// Whether the agent's faults applied to this request (so the server's delivery faults
    /// apply to its answer).
    pub faulty: bool,
}

/// sysUpTime.0
fn sys_uptime() -> crate::wire::Oid {
    crate::oid![1, 3, 6, 1, 2, 1, 1, 3, 0]
}

/// IF-MIB ifDescr, the column `endless` never ends.
fn if_descr() -> crate::wire::Oid {
    crate::oid![1, 3, 6, 1, 2, 1, 2, 2, 1, 2]
}

impl Agent {
    /// An agent that accepts any community when `community` is `None`.
    pub fn new(recording: Arc<Recording>, community: Option<Vec<u8>>) -> Self {
        let engine_id = recording
            .engine_id
            .clone()
            .unwrap_or_else(|| engine_id_for(&recording));
        Agent {
            recording,
            community,
            max_message_size: MAX_MESSAGE_SIZE,
            engine_id,
            users: Arc::new(Vec::new()),
            started: Instant::now(),
            faults: None,
            requests: Arc::new(AtomicU64::new(0)),
            rebooted: Arc::new(OnceLock::new()),
        }
    }

    /// The same agent misbehaving as `faults` say (none: healthy).
    pub fn with_faults(mut self, faults: Arc<Faults>) -> Self {
        self.faults = (!faults.is_empty()).then_some(faults);
        self
    }

    /// The faults this agent has, if any.
    pub fn faults(&self) -> Option<&Faults> {
        self.faults.as_deref()
    }

    /// Counts a request; returns whether the faults apply to it.
    fn begin(&self) -> bool {
        let Some(f) = &self.faults else {
            return false;
        };
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let faulty = n >= f.after;
        if faulty && f.has(Fault::Reboot) {
            self.rebooted.get_or_init(Instant::now);
        }
        faulty
    }

    /// The faults in force for one request.
    fn fault(&self, faulty: bool, mode: Fault) -> bool {
        faulty && self.faults.as_ref().is_some_and(|f| f.has(mode))
    }

    /// The same agent serving SNMPv3 users, their keys localized to its engine ID.
    pub fn with_v3_users(mut self, users: &[UserKeys]) -> Result<Self, KeyError> {
        let local = users
            .iter()
            .map(|u| u.localize(&self.engine_id))
            .collect::<Result<Vec<_>, _>>()?;
        self.users = Arc::new(local);
        Ok(self)
    }

    /// snmpEngineBoots and snmpEngineTime: one boot, up since the recorded sysUpTime plus the
    /// time this agent has run.
    fn boots_and_time(&self) -> (u32, u32) {
        if let Some(at) = self.rebooted.get() {
            let time = at.elapsed().as_secs();
            return (2, u32::try_from(time).unwrap_or(u32::MAX).min(0x7fff_ffff));
        }
        let uptime = self
            .recording
            .get(&crate::oid![1, 3, 6, 1, 2, 1, 1, 3, 0])
            .and_then(|v| v.value.as_u64())
            .unwrap_or(0);
        let time = uptime / 100 + self.started.elapsed().as_secs();
        (1, u32::try_from(time).unwrap_or(u32::MAX).min(0x7fff_ffff))
    }

    /// The agent's SNMPv3 authoritative engine ID.
    pub fn engine_id(&self) -> &[u8] {
        &self.engine_id
    }

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
    fn answer_v3_with(
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
        let (boots, time) = self.boots_and_time();
        let wrong_id = self.fault(faulty, Fault::WrongId);
        let report = |oid: crate::wire::Oid| {
            if request.flags & v3::flags::REPORTABLE == 0 {
                return None;
            }
            let mut r = V3Message::discovery_report(
                request,
                self.engine_id.clone(),
                i64::from(boots),
                i64::from(time),
                1,
            );
            if let v3::Scoped::Plain { pdu, .. } = &mut r.scoped {
                pdu.varbinds = vec![VarBind::new(oid, Value::Counter32(1))];
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
        };
        if request.usm.engine_id != self.engine_id {
            return report(v3::usm_stats_unknown_engine_ids());
        }
        let Some(user) = self.users.iter().find(|u| u.name == request.usm.user) else {
            return report(v3::usm_stats_unknown_user_names());
        };
        let (auth, privacy) = (
            request.flags & v3::flags::AUTH != 0,
            request.flags & v3::flags::PRIV != 0,
        );
        if auth != user.authenticates() || privacy != user.encrypts() {
            return report(v3::usm_stats_unsupported_sec_levels());
        }
        if auth {
            let mut zeroed = request.clone();
            zeroed.usm.auth = vec![0; request.usm.auth.len()];
            if request.usm.auth.len() != user.mac_len()
                || !user.verify(&zeroed.encode(), &request.usm.auth)
            {
                return report(v3::usm_stats_wrong_digests());
            }
        }
        let scoped = match (&request.scoped, privacy) {
            (v3::Scoped::Plain { .. }, false) => request.scoped.clone(),
            (v3::Scoped::Encrypted(c), true) => {
                let boots = u32::try_from(request.usm.boots).unwrap_or(0);
                let time = u32::try_from(request.usm.time).unwrap_or(0);
                match user
                    .decrypt(c, boots, time, &request.usm.privacy)
                    .ok()
                    .and_then(|p| v3::decode_scoped_pdu(&p).ok())
                {
                    Some(s) => {
                        if let v3::Scoped::Plain { pdu, .. } = &s {
                            *kind = Some(pdu.kind);
                        }
                        s
                    }
                    None => return report(v3::usm_stats_decryption_errors()),
                }
            }
            _ => return None,
        };
        let v3::Scoped::Plain {
            context_engine_id,
            context_name,
            pdu,
        } = scoped
        else {
            return None;
        };
        let answer =
            self.answer_pdu(false, &pdu, 160 + user.name.len() + user.mac_len(), faulty)?;
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

    /// The same agent with a smaller message size limit (to exercise tooBig).
    pub fn with_max_message_size(mut self, size: usize) -> Self {
        self.max_message_size = size;
        self
    }

    /// The recording served.
    pub fn recording(&self) -> &Recording {
        &self.recording
    }

    /// The response to a request, or `None` when a real agent would stay silent.
    pub fn answer(&self, request: &Message) -> Option<Message> {
        let faulty = self.begin();
        self.answer_with(request, faulty)
    }

    /// One datagram in, the answer's bytes into `out` (cleared first): v1, v2c and v3 alike,
    /// with this agent's content faults applied, BER-level ones (`malformed`, `truncated`)
    /// included.
    pub fn respond(&self, datagram: &[u8], out: &mut Vec<u8>) -> Reply {
        let faulty = self.begin();
        out.clear();
        let (request, answered) = match Message::decode(datagram) {
            Ok(request) => {
                let answer = self.answer_with(&request, faulty);
                if let Some(a) = &answer {
                    a.encode_into(out);
                }
                (Some(request.pdu.kind), answer.is_some())
            }
            Err(crate::wire::WireError::UnsupportedVersion(3)) => {
                match V3Message::decode(datagram) {
                    Ok(request) => {
                        let (kind, answer) = self.answer_v3_with(&request, faulty);
                        if let Some(a) = &answer {
                            *out = a.encode();
                        }
                        (kind, answer.is_some())
                    }
                    Err(_) => (None, false),
                }
            }
            Err(_) => (None, false),
        };
        if answered && self.fault(faulty, Fault::Malformed) {
            // The encrypted answers of v3 users were broken before encryption.
            fault::break_last_length(out);
        }
        if answered && self.fault(faulty, Fault::Truncated) {
            out.truncate(fault::TRUNCATED_LEN);
        }
        Reply {
            request,
            answered,
            faulty,
        }
    }

    fn answer_with(&self, request: &Message, faulty: bool) -> Option<Message> {
        if let Some(c) = &self.community
            && *c != request.community
        {
            return None;
        }
        let pdu = self.answer_pdu(
            request.version == Version::V1,
            &request.pdu,
            64 + request.community.len(),
            faulty,
        )?;
        Some(Message {
            version: request.version,
            community: request.community.clone(),
            pdu,
        })
    }

    /// The response PDU to a request PDU; `overhead` is what the message around it takes.
    fn answer_pdu(&self, v1: bool, pdu: &Pdu, overhead: usize, faulty: bool) -> Option<Pdu> {
        let mut answer = self.answer_pdu_healthy(v1, pdu, overhead, faulty)?;
        if self.fault(faulty, Fault::WrongId) {
            answer.request_id = answer.request_id.wrapping_add(1);
        }
        if self.fault(faulty, Fault::Malformed) {
            answer.varbinds.push(malformed_marker());
        }
        Some(answer)
    }

    /// The response PDU before the faults that spoil a whole answer.
    fn answer_pdu_healthy(
        &self,
        v1: bool,
        pdu: &Pdu,
        overhead: usize,
        faulty: bool,
    ) -> Option<Pdu> {
        let error = |status: i64, index: usize| Pdu {
            kind: PduKind::Response,
            request_id: pdu.request_id,
            error_status: status,
            error_index: i64::try_from(index).unwrap_or(0),
            varbinds: if status == error_status::TOO_BIG {
                Vec::new()
            } else {
                pdu.varbinds.clone()
            },
        };
        let mut response = Pdu {
            kind: PduKind::Response,
            request_id: pdu.request_id,
            error_status: error_status::NO_ERROR,
            error_index: 0,
            varbinds: Vec::with_capacity(pdu.varbinds.len()),
        };
        match pdu.kind {
            PduKind::Get | PduKind::GetNext => {
                for (i, vb) in pdu.varbinds.iter().enumerate() {
                    let found = match (pdu.kind, v1) {
                        (PduKind::Get, _) => self.get(vb, faulty),
                        (_, false) => self.next(vb, faulty),
                        (_, true) => self.next_v1(vb, faulty),
                    };
                    // v1 has no exceptions and cannot carry Counter64 (RFC 3584 4.2.2.1): the
                    // whole request fails with noSuchName.
                    if v1
                        && (found.value.is_exception()
                            || matches!(found.value, Value::Counter64(_)))
                    {
                        return Some(error(error_status::NO_SUCH_NAME, i + 1));
                    }
                    response.varbinds.push(found);
                }
            }
            PduKind::GetBulk if !v1 && self.fault(faulty, Fault::TooBig) => {
                return Some(error(error_status::TOO_BIG, 0));
            }
            PduKind::GetBulk if !v1 => self.bulk(pdu, &mut response.varbinds, overhead, faulty),
            PduKind::Set => {
                let status = if v1 {
                    error_status::NO_SUCH_NAME
                } else {
                    error_status::NOT_WRITABLE
                };
                return Some(error(status, 1));
            }
            // GetBulk in v1, responses, traps and reports are not requests an agent answers.
            _ => return None,
        }
        let mut size = overhead;
        for vb in &response.varbinds {
            let mut enc = Vec::new();
            vb.encode(&mut enc);
            size += enc.len();
        }
        if size > self.max_message_size {
            return Some(error(error_status::TOO_BIG, 0));
        }
        Some(response)
    }

    fn get(&self, vb: &VarBind, faulty: bool) -> VarBind {
        match self.recording.get(&vb.oid) {
            Some(found) => self.dress(found.clone(), faulty),
            None if self.recording.has_sibling(&vb.oid) => {
                VarBind::new(vb.oid.clone(), Value::NoSuchInstance)
            }
            None => VarBind::new(vb.oid.clone(), Value::NoSuchObject),
        }
    }

    fn next(&self, vb: &VarBind, faulty: bool) -> VarBind {
        if faulty && let Some(odd) = self.faulty_next(&vb.oid) {
            return self.dress(odd, faulty);
        }
        match self.recording.next_after(&vb.oid) {
            Some(found) => self.dress(found.clone(), faulty),
            None => VarBind::new(vb.oid.clone(), Value::EndOfMibView),
        }
    }

    /// The object after `oid` where a fault changes it: `non-increasing` and `oid-loop` after
    /// the fifth object of each column, `endless` past the last row of ifDescr.
    fn faulty_next(&self, oid: &crate::wire::Oid) -> Option<VarBind> {
        let faults = self.faults.as_ref()?;
        let objects = &self.recording.objects;
        let after = objects.partition_point(|o| o.oid <= *oid);
        if (faults.has(Fault::NonIncreasing) || faults.has(Fault::OidLoop))
            && after > 0
            && objects[after - 1].oid == *oid
            && let Some((_, parent)) = oid.arcs().split_last()
        {
            let here = after - 1;
            let parent = crate::wire::Oid::new(parent.to_vec());
            let first = objects.partition_point(|o| o.oid < parent);
            if here - first == 4 {
                if faults.has(Fault::NonIncreasing) {
                    return Some(objects[here].clone());
                }
                return Some(objects[first].clone());
            }
        }
        if !faults.has(Fault::Endless) {
            return None;
        }
        let column = if_descr();
        let next = objects.get(after);
        if next.is_some_and(|o| o.oid.starts_with(&column)) {
            return None;
        }
        // The recorded successor is past the column: continue it with made-up rows.
        let index = match oid.suffix(&column) {
            Some([]) => 1,
            Some([i, ..]) => i.checked_add(1)?,
            None if *oid < column && next.is_none_or(|o| o.oid > column) => 1,
            None => return None,
        };
        let mut arcs = column.arcs().to_vec();
        arcs.push(index);
        Some(VarBind::new(
            crate::wire::Oid::new(arcs),
            Value::OctetString(format!("endless row {index}").into_bytes()),
        ))
    }

    /// A recorded binding as a faulty agent answers it: `reboot`'s sysUpTime counts from the
    /// restart, `oversized` strings are long.
    fn dress(&self, mut vb: VarBind, faulty: bool) -> VarBind {
        if !faulty {
            return vb;
        }
        if let Some(at) = self.rebooted.get()
            && vb.oid == sys_uptime()
        {
            let ticks = at.elapsed().as_millis() / 10;
            vb.value = Value::TimeTicks(u32::try_from(ticks).unwrap_or(u32::MAX));
        }
        if self.fault(faulty, Fault::Oversized)
            && let Value::OctetString(b) = &vb.value
            && !b.is_empty()
        {
            let long: Vec<u8> = b
                .iter()
                .copied()
                .cycle()
                .take(fault::OVERSIZED_LEN)
                .collect();
            vb.value = Value::OctetString(long);
        }
        vb
    }

    /// GETNEXT as a v1 agent answers it: Counter64 objects are skipped (RFC 3584 4.2.2.1).
    fn next_v1(&self, vb: &VarBind, faulty: bool) -> VarBind {
        let mut cursor = vb.clone();
        loop {
            let next = self.next(&cursor, faulty);
            if !matches!(next.value, Value::Counter64(_)) {
                return next;
            }
            cursor = next;
        }
    }

    /// GETBULK (RFC 3416 4.2.3): non-repeaters get one GETNEXT each, then up to
    /// max-repetitions rounds over the repeaters, stopping when every repeater has reached the
    /// end of the MIB or the response would no longer fit.
    fn bulk(&self, pdu: &Pdu, out: &mut Vec<VarBind>, overhead: usize, faulty: bool) {
        let n = usize::try_from(pdu.error_status.max(0))
            .unwrap_or(0)
            .min(pdu.varbinds.len());
        let m = if self.fault(faulty, Fault::BulkOverflow) {
            usize::MAX
        } else {
            usize::try_from(pdu.error_index.max(0)).unwrap_or(0)
        };
        let (non_repeaters, repeaters) = pdu.varbinds.split_at(n);
        // Size accounting: the envelope is small and bounded; count each binding's encoding.
        let budget = self.max_message_size.saturating_sub(overhead);
        let mut used = 0usize;
        let mut push = |vb: VarBind, out: &mut Vec<VarBind>| -> bool {
            let mut enc = Vec::new();
            vb.encode(&mut enc);
            if used + enc.len() > budget {
                return false;
            }
            used += enc.len();
            out.push(vb);
            true
        };
        for vb in non_repeaters {
            if !push(self.next(vb, faulty), out) {
                return;
            }
        }
        let mut cursors: Vec<VarBind> = repeaters.to_vec();
        for _ in 0..m {
            if cursors.is_empty() || cursors.iter().all(|c| c.value == Value::EndOfMibView) {
                break;
            }
            for c in cursors.iter_mut() {
                let next = if c.value == Value::EndOfMibView {
                    c.clone()
                } else {
                    self.next(c, faulty)
                };
                if !push(next.clone(), out) {
                    return;
                }
                *c = next;
            }
        }
    }
}

/// The binding `malformed` appends to an answer: an empty OCTET STRING, last in the message, so
/// that [`fault::break_last_length`] can make its length run past the end.
fn malformed_marker() -> VarBind {
    VarBind::new(crate::oid![0, 0], Value::OctetString(Vec::new()))
}

/// An engine ID for a recording, as its device would have one: the enterprise number of its
/// sysObjectID (net-snmp's when it has none) and its chassis MAC (LLDP), else its first
/// interface MAC, in RFC 3411's MAC format; with neither, the recording's name as text.
fn engine_id_for(r: &Recording) -> Vec<u8> {
    let pen = r
        .get(&crate::oid![1, 3, 6, 1, 2, 1, 1, 2, 0])
        .and_then(|v| v.value.as_oid())
        .and_then(|o| {
            o.suffix(&crate::oid![1, 3, 6, 1, 4, 1])
                .and_then(|s| s.first().copied())
        })
        .unwrap_or(8072);
    let six = |v: &VarBind| -> Option<[u8; 6]> {
        let b: [u8; 6] = v.value.as_bytes()?.try_into().ok()?;
        (b != [0; 6] && b[0] & 0x01 == 0).then_some(b)
    };
    let lldp_mac = match r
        .get(&crate::oid![1, 0, 8802, 1, 1, 2, 1, 3, 1, 0])
        .map(|v| &v.value)
    {
        Some(Value::Integer(4)) => r
            .get(&crate::oid![1, 0, 8802, 1, 1, 2, 1, 3, 2, 0])
            .and_then(six),
        _ => None,
    };
    let if_phys = crate::oid![1, 3, 6, 1, 2, 1, 2, 2, 1, 6];
    let mac = lldp_mac.or_else(|| {
        let start = r.objects.partition_point(|vb| vb.oid < if_phys);
        r.objects[start..]
            .iter()
            .take_while(|vb| vb.oid.starts_with(&if_phys))
            .find_map(six)
    });
    match mac {
        Some(m) => EngineId::mac_format(pen, m),
        None => {
            let mut v = (pen | 0x8000_0000).to_be_bytes().to_vec();
            v.push(4);
            let name = r
                .source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            v.extend(name.bytes().take(27));
            if v.len() < 6 {
                v.extend_from_slice(b"sim");
            }
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn agent() -> Agent {
        let text = "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
                    1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n\
                    1.3.6.1.2.1.2.2.1.2.1|4|GigabitEthernet0/0/1\n\
                    1.3.6.1.2.1.2.2.1.2.2|4|GigabitEthernet0/0/2\n\
                    1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n";
        Agent::new(
            Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap()),
            None,
        )
    }

    fn request(version: Version, kind: PduKind, oids: &[&str], nr: i64, mr: i64) -> Message {
        Message {
            version,
            community: b"public".to_vec(),
            pdu: Pdu {
                kind,
                request_id: 7,
                error_status: nr,
                error_index: mr,
                varbinds: oids
                    .iter()
                    .map(|o| VarBind::new(o.parse().unwrap(), Value::Null))
                    .collect(),
            },
        }
    }

    fn oids(m: &Message) -> Vec<String> {
        m.pdu.varbinds.iter().map(|v| v.oid.to_string()).collect()
    }

    /// A recording's values of tags the codec does not know are served under their own tag, as
    /// primitive BER a manager decodes; its bad lines are left out and the rest served.
    #[test]
    fn unknown_types_are_served_with_their_tag() {
        let text = "1.3.6.1.2.1.1.1.0|4|ok\n\
                    1.3.6.1.2.1.1.2.0|69x|0102\n\
                    1.3.6.1.2.1.1.3.0|67|<private>\n\
                    1.3.6.1.2.1.1.4.0|3|ab\n\
                    1.3.6.1.2.1.1.5.0|48|3000\n";
        let rec = Recording::parse(Path::new("t"), text.as_bytes()).unwrap();
        assert_eq!(rec.skipped.len(), 2);
        let a = Agent::new(Arc::new(rec), None);
        let datagram = request(Version::V2c, PduKind::GetBulk, &["1.3.6.1.2.1.1"], 0, 10).encode();
        let mut out = Vec::new();
        assert!(a.respond(&datagram, &mut out).answered);
        let answer = Message::decode(&out).unwrap();
        let got: Vec<(String, Value)> = answer
            .pdu
            .varbinds
            .iter()
            .map(|vb| (vb.oid.to_string(), vb.value.clone()))
            .collect();
        let expected: [(String, Value); 3] = [
            (
                "1.3.6.1.2.1.1.1.0".into(),
                Value::OctetString(b"ok".to_vec()),
            ),
            ("1.3.6.1.2.1.1.2.0".into(), Value::Unknown(0x45, vec![1, 2])),
            (
                "1.3.6.1.2.1.1.4.0".into(),
                Value::Unknown(3, b"ab".to_vec()),
            ),
        ];
        assert_eq!(got[..3], expected);
        assert!(
            got[3..].iter().all(|(_, v)| *v == Value::EndOfMibView),
            "{got:?}"
        );
    }

    #[test]
    fn get_gives_value_or_the_right_exception() {
        let a = agent();
        let r = a
            .answer(&request(
                Version::V2c,
                PduKind::Get,
                &[
                    "1.3.6.1.2.1.1.1.0",
                    "1.3.6.1.2.1.1.1.5",
                    "1.3.6.1.2.1.1.9.0",
                ],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.request_id, 7);
        assert_eq!(
            r.pdu.varbinds[0].value.as_text().unwrap().as_ref(),
            "Huawei Versatile Routing Platform"
        );
        assert_eq!(r.pdu.varbinds[1].value, Value::NoSuchInstance);
        assert_eq!(r.pdu.varbinds[2].value, Value::NoSuchObject);
    }

    #[test]
    fn v1_reports_no_such_name_with_index() {
        let r = agent()
            .answer(&request(
                Version::V1,
                PduKind::Get,
                &["1.3.6.1.2.1.1.1.0", "1.3.6.1.9"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(
            (r.pdu.error_status, r.pdu.error_index),
            (error_status::NO_SUCH_NAME, 2)
        );
        let r = agent()
            .answer(&request(
                Version::V1,
                PduKind::GetNext,
                &["1.3.6.1.2.1.2.2.1.6.1"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.error_status, error_status::NO_SUCH_NAME);
        assert!(
            agent()
                .answer(&request(Version::V1, PduKind::GetBulk, &["1.3"], 0, 5))
                .is_none()
        );
    }

    #[test]
    fn v1_never_sees_counter64() {
        let text = "1.3.6.1.2.1.31.1.1.1.6.1|70|5\n1.3.6.1.2.1.31.1.1.1.6.2|70|6\n1.3.6.1.2.1.31.1.1.1.15.1|66|1000\n";
        let a = Agent::new(
            Arc::new(Recording::parse(std::path::Path::new("t"), text.as_bytes()).unwrap()),
            None,
        );
        let r = a
            .answer(&request(
                Version::V1,
                PduKind::GetNext,
                &["1.3.6.1.2.1.31"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(oids(&r), ["1.3.6.1.2.1.31.1.1.1.15.1"]);
        let r = a
            .answer(&request(
                Version::V1,
                PduKind::Get,
                &["1.3.6.1.2.1.31.1.1.1.6.1"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.error_status, error_status::NO_SUCH_NAME);
        let r = a
            .answer(&request(
                Version::V2c,
                PduKind::GetNext,
                &["1.3.6.1.2.1.31"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(oids(&r), ["1.3.6.1.2.1.31.1.1.1.6.1"]);
    }

    #[test]
    fn getnext_walks_in_order_and_ends() {
        let a = agent();
        let r = a
            .answer(&request(
                Version::V2c,
                PduKind::GetNext,
                &["1.3.6.1.2.1.2.2.1.2"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(oids(&r), ["1.3.6.1.2.1.2.2.1.2.1"]);
        let r = a
            .answer(&request(
                Version::V2c,
                PduKind::GetNext,
                &["1.3.6.1.2.1.2.2.1.6.1"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.varbinds[0].value, Value::EndOfMibView);
    }

    #[test]
    fn getbulk_repeats_and_stops_at_end_of_mib() {
        let a = agent();
        let r = a
            .answer(&request(
                Version::V2c,
                PduKind::GetBulk,
                &["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.2.2.1.2"],
                1,
                10,
            ))
            .unwrap();
        assert_eq!(
            oids(&r),
            [
                "1.3.6.1.2.1.1.2.0",
                "1.3.6.1.2.1.2.2.1.2.1",
                "1.3.6.1.2.1.2.2.1.2.2",
                "1.3.6.1.2.1.2.2.1.6.1",
                "1.3.6.1.2.1.2.2.1.6.1"
            ]
        );
        assert_eq!(r.pdu.varbinds.last().unwrap().value, Value::EndOfMibView);
    }

    #[test]
    fn getbulk_truncates_to_fit_and_get_says_too_big() {
        let a = agent().with_max_message_size(120);
        let r = a
            .answer(&request(Version::V2c, PduKind::GetBulk, &["1.3"], 0, 50))
            .unwrap();
        assert!(!r.pdu.varbinds.is_empty() && r.pdu.varbinds.len() < 5);
        assert!(r.encode().len() <= 120);
        let a = agent().with_max_message_size(60);
        let r = a
            .answer(&request(
                Version::V2c,
                PduKind::Get,
                &["1.3.6.1.2.1.1.1.0"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.error_status, error_status::TOO_BIG);
    }

    #[test]
    fn v3_discovery_reveals_an_engine_id_made_from_the_recording() {
        let a = agent();
        let r = a.answer_v3(&V3Message::discovery(5, 6)).unwrap();
        let e = EngineId::decode(&r.usm.engine_id).unwrap();
        assert_eq!(e.enterprise, 2011, "the sysObjectID's enterprise");
        assert_eq!(
            e.mac(),
            Some([0x00, 0xe0, 0xfc, 0, 0, 1]),
            "the first interface MAC"
        );
        let v3::Scoped::Plain { pdu, .. } = &r.scoped else {
            panic!()
        };
        assert_eq!((pdu.kind, pdu.request_id), (PduKind::Report, 6));
        assert_eq!(pdu.varbinds[0].oid, v3::usm_stats_unknown_engine_ids());
        // A request for this engine with a user it does not have.
        let mut req = V3Message::discovery(7, 8);
        req.usm.engine_id = a.engine_id().to_vec();
        req.usm.user = b"admin".to_vec();
        let r = a.answer_v3(&req).unwrap();
        let v3::Scoped::Plain { pdu, .. } = &r.scoped else {
            panic!()
        };
        assert_eq!(pdu.varbinds[0].oid, v3::usm_stats_unknown_user_names());
        req.flags = 0;
        assert!(a.answer_v3(&req).is_none(), "not reportable: silence");
    }

    #[test]
    fn wrong_community_is_silent_and_set_is_refused() {
        let a = Agent::new(agent().recording.clone(), Some(b"secret".to_vec()));
        assert!(
            a.answer(&request(
                Version::V2c,
                PduKind::Get,
                &["1.3.6.1.2.1.1.1.0"],
                0,
                0
            ))
            .is_none()
        );
        let r = agent()
            .answer(&request(
                Version::V2c,
                PduKind::Set,
                &["1.3.6.1.2.1.1.1.0"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.error_status, error_status::NOT_WRITABLE);
    }

    fn faulty(modes: &[Fault]) -> Agent {
        let mut text = String::from(
            "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
             1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n\
             1.3.6.1.2.1.1.3.0|67|123456789\n",
        );
        for i in 1..=12 {
            text.push_str(&format!(
                "1.3.6.1.2.1.2.2.1.2.{i}|4|GigabitEthernet0/0/{i}\n"
            ));
        }
        text.push_str("1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n");
        Agent::new(
            Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap()),
            None,
        )
        .with_faults(Arc::new(Faults::new(modes)))
    }

    fn respond(a: &Agent, m: &Message) -> (Reply, Vec<u8>) {
        let mut out = Vec::new();
        let r = a.respond(&m.encode(), &mut out);
        (r, out)
    }

    #[test]
    fn no_fault_answers_byte_for_byte_as_a_healthy_agent() {
        let healthy = agent();
        let none = agent().with_faults(Arc::new(Faults::new(&[])));
        assert!(none.faults().is_none());
        for (kind, oid) in [
            (PduKind::Get, "1.3.6.1.2.1.1.1.0"),
            (PduKind::GetNext, "1.3.6.1.2.1.2.2.1.2"),
            (PduKind::GetBulk, "1.3"),
        ] {
            let m = request(Version::V2c, kind, &[oid], 0, 10);
            assert_eq!(respond(&healthy, &m).1, respond(&none, &m).1);
            assert_eq!(
                respond(&healthy, &m).1,
                healthy.answer(&m).unwrap().encode()
            );
        }
    }

    #[test]
    fn wrong_id_answers_another_request() {
        let r = faulty(&[Fault::WrongId])
            .answer(&request(
                Version::V2c,
                PduKind::Get,
                &["1.3.6.1.2.1.1.1.0"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.request_id, 8);
        let r = faulty(&[Fault::WrongId])
            .answer_v3(&V3Message::discovery(5, 6))
            .unwrap();
        let v3::Scoped::Plain { pdu, .. } = &r.scoped else {
            panic!()
        };
        assert_eq!((r.msg_id, pdu.request_id), (6, 7));
    }

    #[test]
    fn malformed_answers_do_not_decode_and_truncated_ones_are_cut() {
        let get = request(Version::V2c, PduKind::Get, &["1.3.6.1.2.1.1.1.0"], 0, 0);
        let (reply, bytes) = respond(&faulty(&[Fault::Malformed]), &get);
        assert!(reply.answered && reply.faulty);
        assert!(Message::decode(&bytes).is_err());
        // The message's frame is intact (so a client still finds its request-id): only the
        // last value is broken.
        assert_eq!(&bytes[..2], &[0x30, (bytes.len() - 2) as u8]);
        let mut out = Vec::new();
        faulty(&[Fault::Malformed]).respond(&V3Message::discovery(5, 6).encode(), &mut out);
        assert!(!out.is_empty() && V3Message::decode(&out).is_err());

        let bulk = request(Version::V2c, PduKind::GetBulk, &["1.3"], 0, 25);
        let (_, bytes) = respond(&faulty(&[Fault::Truncated]), &bulk);
        assert_eq!(bytes.len(), fault::TRUNCATED_LEN);
        assert!(Message::decode(&bytes).is_err());
        let (_, small) = respond(&faulty(&[Fault::Truncated]), &get);
        assert!(Message::decode(&small).is_ok(), "short answers pass whole");
    }

    #[test]
    fn walks_go_backwards_or_loop_after_the_fifth_object_of_a_column() {
        let at = "1.3.6.1.2.1.2.2.1.2.5";
        let next = |modes: &[Fault], from: &str| {
            oids(
                &faulty(modes)
                    .answer(&request(Version::V2c, PduKind::GetNext, &[from], 0, 0))
                    .unwrap(),
            )
        };
        assert_eq!(next(&[], at), ["1.3.6.1.2.1.2.2.1.2.6"]);
        assert_eq!(next(&[Fault::NonIncreasing], at), [at]);
        assert_eq!(next(&[Fault::OidLoop], at), ["1.3.6.1.2.1.2.2.1.2.1"]);
        // Elsewhere the walk goes on, and columns of fewer than five objects are untouched.
        assert_eq!(next(&[Fault::OidLoop], "1.3.6.1.2.1.2.2.1.2.4"), [at]);
        assert_eq!(
            next(&[Fault::NonIncreasing], "1.3.6.1.2.1.1.2.0"),
            ["1.3.6.1.2.1.1.3.0"]
        );
        let bulk = faulty(&[Fault::OidLoop])
            .answer(&request(
                Version::V2c,
                PduKind::GetBulk,
                &["1.3.6.1.2.1.2.2.1.2"],
                0,
                12,
            ))
            .unwrap();
        let cycle: Vec<String> = (1..=5)
            .chain(1..=5)
            .chain(1..=2)
            .map(|i| format!("1.3.6.1.2.1.2.2.1.2.{i}"))
            .collect();
        assert_eq!(oids(&bulk), cycle);
    }

    #[test]
    fn bulk_overflow_ignores_max_repetitions_and_toobig_refuses_every_bulk() {
        let bulk = request(
            Version::V2c,
            PduKind::GetBulk,
            &["1.3.6.1.2.1.2.2.1.2"],
            0,
            2,
        );
        let r = faulty(&[Fault::BulkOverflow]).answer(&bulk).unwrap();
        assert_eq!(
            r.pdu.varbinds.len(),
            14,
            "every row, ifPhysAddress and endOfMibView"
        );
        let r = faulty(&[Fault::TooBig]).answer(&bulk).unwrap();
        assert_eq!(r.pdu.error_status, error_status::TOO_BIG);
        let next = request(
            Version::V2c,
            PduKind::GetNext,
            &["1.3.6.1.2.1.2.2.1.2"],
            0,
            0,
        );
        assert_eq!(
            faulty(&[Fault::TooBig])
                .answer(&next)
                .unwrap()
                .pdu
                .error_status,
            0
        );
    }

    #[test]
    fn endless_makes_up_ifdescr_rows_forever() {
        let a = faulty(&[Fault::Endless]);
        let mut cursor = "1.3.6.1.2.1.2.2.1.2.11".to_string();
        for expected in 12..40 {
            let r = a
                .answer(&request(Version::V2c, PduKind::GetNext, &[&cursor], 0, 0))
                .unwrap();
            cursor = oids(&r)[0].clone();
            assert_eq!(cursor, format!("1.3.6.1.2.1.2.2.1.2.{expected}"));
        }
        // Other walks end as they did.
        let r = a
            .answer(&request(
                Version::V2c,
                PduKind::GetNext,
                &["1.3.6.1.2.1.2.2.1.6.1"],
                0,
                0,
            ))
            .unwrap();
        assert_eq!(r.pdu.varbinds[0].value, Value::EndOfMibView);
    }

    #[test]
    fn oversized_strings_are_long_and_reboot_restarts_uptime_after_the_healthy_requests() {
        let get = request(
            Version::V2c,
            PduKind::Get,
            &["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0"],
            0,
            0,
        );
        let r = faulty(&[Fault::Oversized]).answer(&get).unwrap();
        let long = r.pdu.varbinds[0].value.as_bytes().unwrap();
        assert_eq!(long.len(), fault::OVERSIZED_LEN);
        assert!(long.starts_with(b"Huawei Versatile Routing PlatformHuawei"));

        let a = Agent::new(faulty(&[]).recording.clone(), None)
            .with_faults(Arc::new(Faults::new(&[Fault::Reboot]).after(2)));
        let uptime = |a: &Agent| a.answer(&get).unwrap().pdu.varbinds[1].value.clone();
        assert_eq!(uptime(&a), Value::TimeTicks(123_456_789));
        assert_eq!(uptime(&a), Value::TimeTicks(123_456_789));
        let Value::TimeTicks(after) = uptime(&a) else {
            panic!()
        };
        assert!(after < 100, "restarted: {after}");
        assert_eq!(a.boots_and_time().0, 2);
    }

    #[test]
    fn respond_says_what_each_request_was() {
        let a = agent();
        let mut out = Vec::new();
        let set = request(Version::V2c, PduKind::Set, &["1.3.6.1.2.1.1.5.0"], 0, 0);
        let r = a.respond(&set.encode(), &mut out);
        assert_eq!((r.request, r.answered), (Some(PduKind::Set), true));
        let r = a.respond(b"\x30\x03\x02\x01", &mut out);
        assert_eq!((r.request, r.answered), (None, false));
        let r = a.respond(&V3Message::discovery(1, 2).encode(), &mut out);
        assert_eq!(r.request, Some(PduKind::Get));
    }

    #[test]
    fn an_encrypted_v3_request_is_seen_for_what_it_is() {
        use crate::usm::{AuthProtocol, PrivProtocol, Secret, UsmUser};
        let user = UsmUser {
            name: "auditor".into(),
            auth: Some((AuthProtocol::Sha256, Secret::new("authpass1"))),
            privacy: Some((PrivProtocol::Aes128, Secret::new("privpass1"))),
            context: None,
        };
        let keys = UserKeys::new(&user).unwrap();
        let a = agent().with_v3_users(std::slice::from_ref(&keys)).unwrap();
        let local = keys.localize(a.engine_id()).unwrap();
        let pdu = Pdu {
            kind: PduKind::GetNext,
            request_id: 9,
            error_status: 0,
            error_index: 0,
            varbinds: vec![VarBind::new("1.3.6.1.2.1.1".parse().unwrap(), Value::Null)],
        };
        let (boots, time) = a.boots_and_time();
        let plain = v3::encode_scoped_pdu(a.engine_id(), &[], &pdu);
        let (cipher, params) = local.encrypt(&plain, boots, time).unwrap();
        let mut m = V3Message {
            msg_id: 9,
            max_size: 65_507,
            flags: v3::flags::REPORTABLE | v3::flags::AUTH | v3::flags::PRIV,
            security_model: 3,
            usm: v3::Usm {
                engine_id: a.engine_id().to_vec(),
                boots: i64::from(boots),
                time: i64::from(time),
                user: b"auditor".to_vec(),
                auth: vec![0; local.mac_len()],
                privacy: params,
            },
            scoped: v3::Scoped::Encrypted(cipher),
        };
        m.usm.auth = local.sign(&m.encode()).unwrap();
        let mut out = Vec::new();
        let r = a.respond(&m.encode(), &mut out);
        assert_eq!((r.request, r.answered), (Some(PduKind::GetNext), true));
    }
}
