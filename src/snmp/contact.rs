//! First contact, sans IO: which targets answer SNMP at all, for thousands of addresses at
//! once. [`FirstContact`] keeps the probe state of every address in first contact; the
//! sockets, the pacer and the clock are the driver's (`net::first_contact`), in the pattern
//! of [`super::walk`].
//!
//! Every address gets a short list of probes: a GET of sysDescr.0 with each community of the
//! ladder that applies to it, in the ladder's order and version (v1 only when the same
//! community got no answer in v2c), and the credential-free SNMPv3 engine-ID probe. Answers
//! are matched back by request ID (msgID for v3) and checked against the address and port
//! they were sent to, and the community and version asked. An address holds only a few dozen
//! bytes of state while its probes are out, so a /16 is in flight at once and the cost of the
//! silent addresses (timeout × attempts each) is paid in parallel.
//!
//! Each attempt has a request ID of its own, so an answer to one whose time ran out is known
//! as late (counted, not used). An address whose host says, by ICMP port unreachable, that
//! no agent listens is done at once: no retry and no further probe goes to it, as nmap treats
//! a closed port. At most `max_in_flight_per_device` probes are out to one address at any
//! moment; the next goes when one is answered or has used its retries.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::{Credential, CredentialKind, oids};
use crate::wire::v3::V3Message;
use crate::wire::{Message, Pdu, PduKind, Value, VarBind, Version};

/// What an engine-ID probe learns: the authoritative engine's ID, boots and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// snmpEngineID.
    pub id: Vec<u8>,
    /// snmpEngineBoots.
    pub boots: u32,
    /// snmpEngineTime, as of the answer.
    pub time: u32,
}

/// How first contact goes.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The agents' UDP port.
    pub port: u16,
    /// How long to wait for each answer.
    pub timeout: Duration,
    /// Retries after a timeout.
    pub retries: u32,
    /// Whether to send the engine-ID probe.
    pub engine_probe: bool,
    /// Probes out to one address at once.
    pub max_in_flight_per_device: usize,
    /// Addresses in first contact at once (bounds memory; the rate bounds the traffic).
    pub max_addresses: usize,
}

/// What first contact learned of one address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// The address.
    pub address: Option<IpAddr>,
    /// The engine ID, boots and time, when the engine-ID probe was answered.
    pub engine: Option<Engine>,
    /// Positions in the credential ladder of the community credentials (in their version)
    /// that answered.
    pub answered: Vec<usize>,
    /// Answers from the address that came only after their request's timeout (each attempt
    /// has its own request ID, so a late answer is told from a timely one).
    pub late: u32,
    /// Answers from the address for no request it was sent: (SNMPv3 by msgID, v1/v2c by
    /// request ID, or a community or version other than the one asked).
    pub unmatched_v3: u32,
    /// The same for v1/v2c.
    pub unmatched: u32,
    /// Answers from the address that do not decode as SNMP, while the engine-ID probe was out.
    pub undecodable_engine: u32,
    /// The same while a community probe was out.
    pub undecodable_community: u32,
    /// The host answered a probe with ICMP destination unreachable: no agent on the port.
    pub refused: bool,
}

impl Contact {
    /// Whether anything usable answered.
    pub fn reached(&self) -> bool {
        self.engine.is_some() || !self.answered.is_empty()
    }

    /// Whether anything came back from the address, usable or not.
    pub fn heard(&self) -> bool {
        self.reached()
            || self.late > 0
            || self.unmatched_v3 > 0
            || self.unmatched > 0
            || self.undecodable_engine > 0
            || self.undecodable_community > 0
    }

    /// What came back that could not be used, as notes for the device's record.
    pub fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.undecodable_engine > 0 {
            out.push(format!(
                "engine-ID probe: malformed response: {} answer(s) that do not decode as SNMP",
                self.undecodable_engine
            ));
        }
        if self.undecodable_community > 0 {
            out.push(format!(
                "community probe: {} answer(s) that do not decode as SNMP",
                self.undecodable_community
            ));
        }
        if self.unmatched_v3 > 0 {
            out.push(format!(
                "engine-ID probe: {} answer(s) for a msgID that was not asked",
                self.unmatched_v3
            ));
        }
        if self.unmatched > 0 {
            out.push(format!(
                "community probe: {} answer(s) for a request ID, community or version that \
                 was not asked",
                self.unmatched
            ));
        }
        if self.late > 0 {
            out.push(format!(
                "first contact: {} answer(s) came only after the timeout, and were not used \
                 (answered only after the timeout)",
                self.late
            ));
        }
        out
    }
}

/// One probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    Engine,
    /// A community credential, by its position in the ladder.
    Community(usize),
}

struct Request {
    address: IpAddr,
    probe: Probe,
    attempt: u32,
}

struct Host {
    /// Where the probes not sent yet begin: a position in the ladder, the ladder's length
    /// for the engine-ID probe, past it when none is left (see [`Host::next_probe`]). A
    /// position, not a queue: first contact holds up to 65,536 hosts at once.
    next: usize,
    out: usize,
    /// Every request ID this host was given (a handful: one per attempt of each probe), and
    /// whether its time ran out: an answer to one that did is late. Kept here rather than in
    /// a map of the run's: a /16 of silent addresses has a third of a million of them.
    ids: Vec<(i32, bool)>,
    contact: Contact,
}

impl Host {
    /// The next probe of `address` to send, in the order they go: each community of the
    /// ladder that applies to the address, in its version, then the engine-ID probe if the plan
    /// has it. A v1 community probe is left out when the same community already answered in
    /// v2c (the ladder would use v2c).
    fn next_probe(&mut self, address: IpAddr, ladder: &[Credential], plan: &Plan) -> Option<Probe> {
        while self.next <= ladder.len() {
            let i = self.next;
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
            let twin_answered = *version == Version::V1
                && self.contact.answered.iter().any(|&j| {
                    matches!(&ladder[j].kind, CredentialKind::Community { community: c, .. }
                        if c.expose() == community.expose())
                });
            if !twin_answered {
                return Some(Probe::Community(i));
            }
        }
        None
    }

    /// No probe is left to send.
    fn give_up(&mut self) {
        self.next = usize::MAX;
    }
}

fn encode(probe: Probe, id: i32, ladder: &[Credential]) -> Vec<u8> {
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
enum Answer {
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

fn decode(bytes: &[u8]) -> Option<Answer> {
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

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where it goes: the address and the plan's port.
    pub destination: SocketAddr,
    /// The encoded request.
    pub payload: Vec<u8>,
}

/// The probe state of every address in first contact, sans IO: addresses go in with
/// [`FirstContact::add`], answers with [`FirstContact::handle_datagram`], ICMP port
/// unreachable with [`FirstContact::handle_unreachable`] and the time with
/// [`FirstContact::handle_timeout`]; datagrams to send come out of
/// [`FirstContact::poll_transmit`], the next deadline out of [`FirstContact::poll_timeout`] and
/// each address's outcome, once it has no probe left, out of [`FirstContact::poll_contact`].
/// The clock is the caller's: every `now` is passed in.
pub struct FirstContact<'a> {
    plan: Plan,
    ladder: &'a [Credential],
    hosts: HashMap<IpAddr, Host>,
    requests: HashMap<i32, Request>,
    /// Requests to send (new, or again after a timeout), by ID. An ID whose request is gone
    /// (its host refused) is skipped.
    queue: VecDeque<i32>,
    /// When each sent request times out: in sending order, so in deadline order.
    deadlines: VecDeque<(Instant, i32)>,
    next_id: i32,
    /// Addresses done, to be reported.
    done: VecDeque<Contact>,
}

impl<'a> FirstContact<'a> {
    /// First contact over `ladder` as `plan` says; request IDs are taken after `first_id`.
    pub fn new(ladder: &'a [Credential], plan: Plan, first_id: i32) -> Self {
        FirstContact {
            plan,
            ladder,
            hosts: HashMap::new(),
            requests: HashMap::new(),
            queue: VecDeque::new(),
            deadlines: VecDeque::new(),
            next_id: first_id,
            done: VecDeque::new(),
        }
    }

    /// Whether another address may be added (fewer than the plan's `max_addresses` are in
    /// first contact).
    pub fn has_room(&self) -> bool {
        self.hosts.len() < self.plan.max_addresses.max(1)
    }

    /// Whether no address is in first contact (every one added is reported or waiting in
    /// [`FirstContact::poll_contact`]).
    pub fn is_idle(&self) -> bool {
        self.hosts.is_empty()
    }

    /// Starts first contact with `address`; one already in it is left as it is.
    pub fn add(&mut self, address: IpAddr) {
        if self.hosts.contains_key(&address) {
            return;
        }
        let host = Host {
            next: 0,
            out: 0,
            ids: Vec::new(),
            contact: Contact {
                address: Some(address),
                ..Contact::default()
            },
        };
        self.hosts.insert(address, host);
        self.advance(address);
    }

    /// Whether [`FirstContact::poll_transmit`] has a datagram: asked before waiting for the
    /// right to send it.
    pub fn has_transmit(&mut self) -> bool {
        self.next_transmit_to().is_some()
    }

    /// The address [`FirstContact::poll_transmit`]'s next datagram goes to, if it has one.
    pub fn next_transmit_to(&mut self) -> Option<IpAddr> {
        while let Some(id) = self.queue.front() {
            if let Some(r) = self.requests.get(id) {
                return Some(r.address);
            }
            self.queue.pop_front();
        }
        None
    }

    /// The next datagram to send, sent at `now`: its answer is due by `now` plus the timeout.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        while let Some(id) = self.queue.pop_front() {
            let Some(r) = self.requests.get(&id) else {
                continue;
            };
            let destination = SocketAddr::new(r.address, self.plan.port);
            let payload = encode(r.probe, id, self.ladder);
            self.deadlines.push_back((now + self.plan.timeout, id));
            return Some(Transmit {
                destination,
                payload,
            });
        }
        None
    }

    /// When [`FirstContact::handle_timeout`] is next due, if anything is out.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.front().map(|&(t, _)| t)
    }

    /// The next address done, silent ones included ([`Contact::reached`] is false for them).
    pub fn poll_contact(&mut self) -> Option<Contact> {
        self.done.pop_front()
    }

    /// Reports every address still in first contact as it stands, and forgets them.
    pub fn abandon(&mut self) {
        self.requests.clear();
        self.queue.clear();
        self.deadlines.clear();
        for (_, host) in self.hosts.drain() {
            self.done.push_back(host.contact);
        }
    }

    fn new_id(&mut self) -> i32 {
        self.next_id = self.next_id.wrapping_add(1) & 0x7fff_ffff;
        if self.next_id == 0 {
            self.next_id = 1;
        }
        self.next_id
    }

    /// Queues the next probes of `address` up to its cap; reports it when it has none left.
    fn advance(&mut self, address: IpAddr) {
        let Some(host) = self.hosts.get_mut(&address) else {
            return;
        };
        let mut new = Vec::new();
        while host.out < self.plan.max_in_flight_per_device.max(1) {
            let Some(p) = host.next_probe(address, self.ladder, &self.plan) else {
                break;
            };
            host.out += 1;
            new.push(p);
        }
        if host.out == 0 {
            if let Some(host) = self.hosts.remove(&address) {
                self.done.push_back(host.contact);
            }
            return;
        }
        for probe in new {
            let id = self.new_id();
            if let Some(h) = self.hosts.get_mut(&address) {
                h.ids.push((id, false));
            }
            let request = Request {
                address,
                probe,
                attempt: 0,
            };
            self.requests.insert(id, request);
            self.queue.push_back(id);
        }
    }

    /// A probe is over (answered, or out of retries).
    fn finished(&mut self, address: IpAddr) {
        if let Some(h) = self.hosts.get_mut(&address) {
            h.out = h.out.saturating_sub(1);
        }
        self.advance(address);
    }

    /// Takes a datagram that came from `from`. Only what comes from the address and port
    /// asked counts for it; anything else is ignored, as if it never came.
    pub fn handle_datagram(&mut self, from: SocketAddr, bytes: &[u8]) {
        if from.port() != self.plan.port {
            return;
        }
        let source = from.ip();
        let answer = decode(bytes);
        let (id, v3) = match &answer {
            Some(Answer::Community { id, .. }) => (*id, false),
            Some(Answer::Engine { id, .. }) => (*id, true),
            None => return self.undecodable(source),
        };
        let Some(r) = self.requests.get(&id) else {
            let timed_out = self
                .hosts
                .get(&source)
                .is_some_and(|h| h.ids.contains(&(id, true)));
            if timed_out {
                if let Some(h) = self.hosts.get_mut(&source) {
                    h.contact.late += 1;
                }
            } else {
                self.unmatched(source, v3);
            }
            return;
        };
        if r.address != source {
            // Another address's request ID: for the one that sent it, an answer to nothing.
            self.unmatched(source, v3);
            return;
        }
        let (address, probe) = (r.address, r.probe);
        let matches = match (&answer, probe) {
            (Some(Answer::Engine { .. }), Probe::Engine) => true,
            (
                Some(Answer::Community {
                    version, community, ..
                }),
                Probe::Community(i),
            ) => matches!(&self.ladder[i].kind,
                CredentialKind::Community { version: v, community: c }
                    if v == version && c.expose().as_bytes() == community.as_slice()),
            _ => false,
        };
        if !matches {
            self.unmatched(address, v3);
            return;
        }
        self.requests.remove(&id);
        if let Some(h) = self.hosts.get_mut(&address) {
            match (answer, probe) {
                (Some(Answer::Engine { engine, .. }), _) => h.contact.engine = engine,
                (_, Probe::Community(i)) => h.contact.answered.push(i),
                _ => {}
            }
        }
        self.finished(address);
    }

    /// Counts an answer from `source` that does not decode. Which probe it answered cannot be
    /// told: blame what is out to the host.
    fn undecodable(&mut self, source: IpAddr) {
        let engine_out = self.hosts.get(&source).is_some_and(|h| {
            h.ids.iter().any(|(i, _)| {
                self.requests
                    .get(i)
                    .is_some_and(|r| r.probe == Probe::Engine)
            })
        });
        if let Some(h) = self.hosts.get_mut(&source) {
            if engine_out {
                h.contact.undecodable_engine += 1;
            } else {
                h.contact.undecodable_community += 1;
            }
        }
    }

    /// Counts an answer from `address` to no request it was sent.
    fn unmatched(&mut self, address: IpAddr, v3: bool) {
        if let Some(h) = self.hosts.get_mut(&address) {
            if v3 {
                h.contact.unmatched_v3 += 1;
            } else {
                h.contact.unmatched += 1;
            }
        }
    }

    /// The host at `to` said its port is unreachable (ICMP destination unreachable, port
    /// unreachable): no agent there. Its remaining probes are dropped, and those out are not
    /// sent again.
    pub fn handle_unreachable(&mut self, to: SocketAddr) {
        if to.port() != self.plan.port {
            return;
        }
        let address = to.ip();
        let Some(h) = self.hosts.get_mut(&address) else {
            return;
        };
        if h.contact.refused {
            return;
        }
        h.contact.refused = true;
        h.give_up();
        let ids: Vec<i32> = h.ids.iter().map(|&(id, _)| id).collect();
        for id in ids {
            if self.requests.remove(&id).is_some() {
                self.finished(address);
            }
        }
    }

    /// Requests whose time is up at `now`: queued again with an ID of their own, or given up.
    /// Returns how many timed out.
    pub fn handle_timeout(&mut self, now: Instant) -> u64 {
        let mut timeouts = 0;
        while let Some(&(t, id)) = self.deadlines.front() {
            if t > now {
                break;
            }
            self.deadlines.pop_front();
            let Some(r) = self.requests.remove(&id) else {
                continue;
            };
            timeouts += 1;
            if let Some(h) = self.hosts.get_mut(&r.address)
                && let Some(entry) = h.ids.iter_mut().find(|(i, _)| *i == id)
            {
                entry.1 = true;
            }
            if r.attempt < self.plan.retries {
                // The next attempt gets an ID of its own, so that an answer to this one,
                // coming late, is known for what it is.
                let again = self.new_id();
                if let Some(h) = self.hosts.get_mut(&r.address) {
                    h.ids.push((again, false));
                }
                let attempt = r.attempt + 1;
                self.requests.insert(again, Request { attempt, ..r });
                self.queue.push_back(again);
            } else {
                self.finished(r.address);
            }
        }
        timeouts
    }
}

#[cfg(test)]
mod tests;
