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
#[cfg(test)]
mod tests;
mod v3_answer;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

pub use fault::{Fault, Faults};
pub use recording::{Recording, RecordingError};

use crate::usm::{KeyError, LocalKeys, UserKeys};
use crate::wire::engine_id::EngineId;
use crate::wire::message::error_status;
use crate::wire::v3::V3Message;
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
    /// Where the last GETBULK's last repeater stopped: the index of the next object. A walk's
    /// next request asks for the object before it, found there without a search (a hint,
    /// checked before it is used).
    resume: Arc<AtomicUsize>,
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
            resume: Arc::new(AtomicUsize::new(0)),
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
        let mut enc = Vec::new();
        for vb in &response.varbinds {
            enc.clear();
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
        let mut enc = Vec::new();
        let mut push = |vb: VarBind, out: &mut Vec<VarBind>| -> bool {
            enc.clear();
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
        if !faulty {
            // Nothing changes what is found: each repeater is a place in the recording, moved
            // on by one a repetition rather than looked up again. Each cursor: its OID, the
            // index of the object after it, whether its walk has ended.
            let objects = &self.recording.objects;
            let resume = self.resume.load(Ordering::Relaxed);
            let mut cursors: Vec<(&crate::wire::Oid, usize, bool)> = repeaters
                .iter()
                .map(|vb| {
                    let next = match resume.checked_sub(1) {
                        Some(last) if objects.get(last).is_some_and(|o| o.oid == vb.oid) => {
                            after(objects, last)
                        }
                        _ => objects.partition_point(|o| o.oid <= vb.oid),
                    };
                    (&vb.oid, next, vb.value == Value::EndOfMibView)
                })
                .collect();
            for _ in 0..m {
                if cursors.is_empty() || cursors.iter().all(|c| c.2) {
                    break;
                }
                for c in cursors.iter_mut() {
                    let next = match objects.get(c.1) {
                        Some(found) if !c.2 => {
                            *c = (
                                &found.oid,
                                after(objects, c.1),
                                found.value == Value::EndOfMibView,
                            );
                            found.clone()
                        }
                        _ => {
                            c.2 = true;
                            VarBind::new(c.0.clone(), Value::EndOfMibView)
                        }
                    };
                    if !push(next, out) {
                        return;
                    }
                    self.resume.store(c.1, Ordering::Relaxed);
                }
            }
            return;
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

/// The index of the first object after `objects[i]`, in a recording's sorted objects.
fn after(objects: &[VarBind], i: usize) -> usize {
    let next = i + 1;
    if objects.get(next).is_none_or(|o| o.oid > objects[i].oid) {
        next
    } else {
        objects.partition_point(|o| o.oid <= objects[i].oid)
    }
}
