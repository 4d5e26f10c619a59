//! The probes of first contact: what each address is sent and in what order (the opening, then
//! the rest of the ladder for an address that answered), their requests' state, and the
//! encoding of the probes and decoding of the answers.

use std::net::IpAddr;
use std::time::Instant;

use super::{Contact, Engine, Plan};
use crate::snmp::{Credential, CredentialKind, oids};
use crate::wire::v3::V3Message;
use crate::wire::{Message, Pdu, PduKind, Value, VarBind, Version};

/// One probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Probe {
    Engine,
    /// A community credential, by its position in the ladder.
    Community(usize),
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// Sent or waiting to be, its answer awaited.
    Out,
    /// Its time ran out: an answer now is late (or, after a learned timeout, slow: see
    /// [`FirstContact::handle_datagram`]).
    TimedOut,
    /// Its probe was answered through another attempt, or its host refused: an answer to
    /// this one is a duplicate.
    Superseded,
    /// Answered (late, or as a duplicate): the agent is done with it.
    Gone,
}

pub(super) struct Request {
    pub(super) address: IpAddr,
    pub(super) probe: Probe,
    pub(super) attempt: u32,
    pub(super) state: State,
    /// When it was sent (`None` while queued).
    pub(super) sent: Option<Instant>,
    /// Whether its deadline is the plan's own timeout (`false`: a learned one).
    pub(super) full: bool,
}

/// Which probes of an address are being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// The opening every address gets: each community once, in its opening version, and the
    /// engine-ID probe.
    Opening,
    /// The other rungs of the ladder, for an address that answered something.
    Rest,
}

pub(super) struct Host {
    pub(super) phase: Phase,
    /// Where the probes of the phase not sent yet begin: a position in the ladder, the
    /// ladder's length for the engine-ID probe (see [`Host::next_probe`]). A position, not a
    /// queue: first contact holds up to 65,536 hosts at once.
    pub(super) next: usize,
    /// Retries waiting for room under the cap: the probe and the attempt it will be.
    pub(super) retries: Vec<(Probe, u32)>,
    /// Every request ID this host was given (a handful: one per attempt of each probe); their
    /// requests are kept until the host is reported, so that an answer to one whose time ran
    /// out is known. Kept here to be forgotten with the host.
    pub(super) ids: Vec<i32>,
    /// When its first and last requests were sent.
    pub(super) first_sent: Option<Instant>,
    pub(super) last_sent: Option<Instant>,
    /// The most attempts any of its probes had.
    pub(super) attempts: u32,
    /// Whether a request of it timed out on a learned timeout, shorter than the plan's.
    pub(super) cut_short: bool,
    /// Until when it is listened to after its last probe gave up on a learned timeout: it is
    /// reported silent only once the plan's own timeout has passed since its last request.
    pub(super) linger: Option<Instant>,
    pub(super) contact: Contact,
}

/// Whether rung `i` is the one its community opens with at `address`: the v1 rung if the
/// ladder has one there (an SNMPv1 GET is the one message every v1 and v2c agent answers, as
/// onesixtyone's and nmap's probes are), else the community's first rung in the ladder.
/// `address` `None`: as if every rung applied.
pub(super) fn opens(ladder: &[Credential], i: usize, address: Option<IpAddr>) -> bool {
    let CredentialKind::Community { version, community } = &ladder[i].kind else {
        return false;
    };
    let rank = |v: &Version, j: usize| (*v != Version::V1, j);
    !ladder.iter().enumerate().any(|(j, c)| {
        j != i
            && address.is_none_or(|a| c.applies_to(a))
            && matches!(&c.kind, CredentialKind::Community { version: v, community: s }
                if s.expose() == community.expose() && rank(v, j) < rank(version, i))
    })
}

/// How many datagrams the opening sends to an address where every rung applies: one per
/// community (or per rung, with `every_rung`), and the engine-ID probe.
pub fn opening_size(ladder: &[Credential], engine_probe: bool, every_rung: bool) -> usize {
    let rungs = ladder
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            matches!(c.kind, CredentialKind::Community { .. })
                && (every_rung || opens(ladder, *i, None))
        })
        .count();
    rungs + usize::from(engine_probe)
}

impl Host {
    /// The next probe of `address` to send. The opening first: each community of the ladder
    /// that applies to the address, once (see [`opens`]), then the engine-ID probe if the plan
    /// has it; with `every_rung`, every rung in the ladder's order. Then, once the address has
    /// answered anything, the ladder's other rungs in its order. A v1 rung is left out when the
    /// same community already answered in v2c (the ladder would use v2c).
    pub(super) fn next_probe(
        &mut self,
        address: IpAddr,
        ladder: &[Credential],
        plan: &Plan,
    ) -> Option<Probe> {
        loop {
            let i = self.next;
            if self.phase == Phase::Opening && i > ladder.len() {
                self.phase = Phase::Rest;
                self.next = 0;
                continue;
            }
            if self.phase == Phase::Rest && (i >= ladder.len() || !self.contact.heard()) {
                return None;
            }
            self.next += 1;
            let Some(c) = ladder.get(i) else {
                if plan.engine_probe {
                    return Some(Probe::Engine);
                }
                continue;
            };
            let CredentialKind::Community { version, community } = &c.kind else {
                continue;
            };
            if !c.applies_to(address) {
                continue;
            }
            let opening = plan.every_rung || opens(ladder, i, Some(address));
            if opening != (self.phase == Phase::Opening) {
                continue;
            }
            let twin_answered = *version == Version::V1
                && self.contact.answered.iter().any(|&j| {
                    matches!(&ladder[j].kind, CredentialKind::Community { community: c, .. }
                        if c.expose() == community.expose())
                });
            if !twin_answered {
                return Some(Probe::Community(i));
            }
        }
    }

    /// No probe is left to send.
    pub(super) fn give_up(&mut self) {
        self.phase = Phase::Rest;
        self.next = usize::MAX;
    }
}

pub(super) fn encode(probe: Probe, id: i32, ladder: &[Credential]) -> Vec<u8> {
    match probe {
        Probe::Engine => V3Message::discovery(id, id).encode(),
        Probe::Community(i) => {
            let CredentialKind::Community { version, community } = &ladder[i].kind else {
                return Vec::new();
            };
            Message {
                version: *version,
                community: community.expose().as_bytes().to_vec(),
                pdu: Pdu {
                    kind: PduKind::Get,
                    request_id: id,
                    error_status: 0,
                    error_index: 0,
                    varbinds: vec![VarBind::new(oids::sys_descr(), Value::Null)],
                },
            }
            .encode()
        }
    }
}

/// What an answer is, once decoded: the ID it answers and what it says.
pub(super) enum Answer {
    Community {
        id: i32,
        version: Version,
        community: Vec<u8>,
    },
    Engine {
        id: i32,
        engine: Option<Engine>,
    },
}

pub(super) fn decode(bytes: &[u8]) -> Option<Answer> {
    if let Ok(m) = Message::decode(bytes) {
        return (m.pdu.kind == PduKind::Response).then_some(Answer::Community {
            id: m.pdu.request_id,
            version: m.version,
            community: m.community,
        });
    }
    let m = V3Message::decode(bytes).ok()?;
    let engine = (!m.usm.engine_id.is_empty()).then(|| Engine {
        id: m.usm.engine_id.clone(),
        boots: u32::try_from(m.usm.boots).unwrap_or(0),
        time: u32::try_from(m.usm.time).unwrap_or(0),
    });
    Some(Answer::Engine {
        id: m.msg_id,
        engine,
    })
}
