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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::{Credential, CredentialKind};

mod outcome;
mod probe;
mod timing;
pub use outcome::{Contact, Engine};
pub use probe::opening_size;
use probe::{Answer, Host, Phase, Probe, Request, State, decode, encode};
pub use timing::{Account, MIN_ROUND_TRIPS, RoundTrips, TIMEOUT_FLOOR};

/// How first contact goes.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The agents' UDP port.
    pub port: u16,
    /// The longest wait for an answer (`--timeout`): what an address that has answered gets,
    /// and any address until a timeout is learned from the segment's round trips.
    pub timeout: Duration,
    /// Retries after a timeout for an address that has answered something, and the most a
    /// silent address can earn from the sweep's evidence of loss.
    pub retries: u32,
    /// Whether `retries` was asked for (`--retries`): then every address gets them, silent
    /// or not.
    pub retries_explicit: bool,
    /// Whether to send the engine-ID probe.
    pub engine_probe: bool,
    /// Probes out to one address at once, once it has answered (its opening may have two).
    pub max_in_flight_per_device: usize,
    /// Addresses in first contact at once (bounds memory; the rate bounds the traffic).
    pub max_addresses: usize,
    /// Every rung of the ladder to every address (`--probe-every-rung`), not only the opening.
    pub every_rung: bool,
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
    /// What falls due when: a request's deadline, or the end of a host's lingering. Entries
    /// whose request or lingering is gone are skipped when they come up.
    deadlines: BinaryHeap<Reverse<(Instant, Due)>>,
    next_id: i32,
    /// Addresses done, to be reported.
    done: VecDeque<Contact>,
    account: Account,
    /// The latest time the caller gave.
    now: Option<Instant>,
}

/// Something that falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Request(i32),
    Linger(IpAddr),
    /// A request the agent may have been working on is past the plan's timeout: its slot under
    /// the host's cap is free again.
    Release(IpAddr),
}

/// What counts against a host's cap.
struct Load {
    /// Requests out by our clock (queued, or sent and within their timeout).
    out: usize,
    /// For a host that has answered: requests that timed out on a learned timeout, or whose
    /// probe another attempt answered, still within the plan's timeout and unanswered: the
    /// agent may be working on them.
    held: usize,
    /// When the first of those is released.
    release: Option<Instant>,
}

impl<'a> FirstContact<'a> {
    /// First contact over `ladder` as `plan` says; request IDs are taken after `first_id`.
    pub fn new(ladder: &'a [Credential], plan: Plan, first_id: i32) -> Self {
        FirstContact {
            plan: plan.clone(),
            ladder,
            hosts: HashMap::new(),
            requests: HashMap::new(),
            queue: VecDeque::new(),
            deadlines: BinaryHeap::new(),
            next_id: first_id,
            done: VecDeque::new(),
            now: None,
            account: Account {
                timeout: plan.timeout,
                explicit_retries: plan.retries_explicit.then_some(plan.retries),
                ..Account::default()
            },
        }
    }

    /// What first contact has done and learned so far.
    pub fn account(&self) -> &Account {
        &self.account
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
            phase: Phase::Opening,
            next: 0,
            retries: Vec::new(),
            ids: Vec::new(),
            first_sent: None,
            last_sent: None,
            attempts: 0,
            cut_short: false,
            linger: None,
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
            if let Some(r) = self.requests.get(id).filter(|r| r.state == State::Out) {
                return Some(r.address);
            }
            self.queue.pop_front();
        }
        None
    }

    /// The timeout an address that has not answered gets now: learned from the round trips
    /// so far, or the plan's.
    fn silent_timeout(&mut self) -> Option<Duration> {
        let learned = self.account.round_trips.timeout(self.plan.timeout);
        if learned.is_some() {
            self.account.learned = learned;
        }
        learned.filter(|t| *t < self.plan.timeout)
    }

    /// The next datagram to send, sent at `now`: its answer is due by `now` plus the timeout
    /// (the plan's, or for an address that has not answered, one learned from the segment).
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.now = Some(now);
        while let Some(id) = self.queue.pop_front() {
            let Some(address) = self
                .requests
                .get(&id)
                .filter(|r| r.state == State::Out)
                .map(|r| r.address)
            else {
                continue;
            };
            let heard = self.hosts.get(&address).is_some_and(|h| h.contact.heard());
            let learned = if heard { None } else { self.silent_timeout() };
            let Some(r) = self.requests.get_mut(&id) else {
                continue;
            };
            r.sent = Some(now);
            r.full = learned.is_none();
            let retry = r.attempt > 0;
            let attempt = r.attempt;
            let payload = encode(r.probe, id, self.ladder);
            let wait = learned.unwrap_or(self.plan.timeout);
            self.deadlines.push(Reverse((now + wait, Due::Request(id))));
            if let Some(h) = self.hosts.get_mut(&address) {
                h.first_sent.get_or_insert(now);
                h.last_sent = Some(now);
                h.attempts = h.attempts.max(attempt + 1);
            }
            match (heard, retry) {
                (true, true) => self.account.retries_live += 1,
                (false, true) => {
                    self.account.retries_silent += 1;
                    self.account.to_silent += 1;
                }
                (false, false) => self.account.to_silent += 1,
                (true, false) => {}
            }
            return Some(Transmit {
                destination: SocketAddr::new(address, self.plan.port),
                payload,
            });
        }
        None
    }

    /// When [`FirstContact::handle_timeout`] is next due, if anything is out.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.peek().map(|Reverse((t, _))| *t)
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

    /// Reports `address` and forgets it and its requests.
    fn report(&mut self, address: IpAddr) {
        if let Some(host) = self.hosts.remove(&address) {
            for id in &host.ids {
                self.requests.remove(id);
            }
            self.done.push_back(host.contact);
        }
    }

    /// What counts against `address`'s cap now.
    fn load(&self, address: IpAddr) -> Load {
        let mut load = Load {
            out: 0,
            held: 0,
            release: None,
        };
        let Some(h) = self.hosts.get(&address) else {
            return load;
        };
        let heard = h.contact.heard();
        for r in h.ids.iter().filter_map(|id| self.requests.get(id)) {
            match r.state {
                State::Out => load.out += 1,
                State::TimedOut | State::Superseded if heard => {
                    let until = r.sent.map(|s| s + self.plan.timeout);
                    if let (Some(until), Some(now)) = (until, self.now)
                        && until > now
                    {
                        load.held += 1;
                        load.release = Some(load.release.map_or(until, |r| r.min(until)));
                    }
                }
                _ => {}
            }
        }
        load
    }

    /// Queues the next probes of `address` up to its cap (the opening may have two out at
    /// once); reports it when it has none left, or lets it linger first when it was given up
    /// on a learned timeout. For an address that has answered, the cap counts what the agent
    /// may still be working on (see [`Load::held`]), so that it never has more than the cap
    /// in hand, even after a learned timeout was too short for it.
    fn advance(&mut self, address: IpAddr) {
        let Load {
            mut out,
            held,
            release,
        } = self.load(address);
        let Some(host) = self.hosts.get_mut(&address) else {
            return;
        };
        let mut new = Vec::new();
        let mut blocked = false;
        loop {
            let saved = (host.phase, host.next);
            // A retry waiting goes first, then the next probe.
            let (p, attempt) = match host.retries.first() {
                Some(&r) => r,
                None => match host.next_probe(address, self.ladder, &self.plan) {
                    Some(p) => (p, 0),
                    None => break,
                },
            };
            // Until the address answers, its opening's two go together even under a cap of
            // one, so that a silent address costs one timeout, not two (and so do their
            // retries); with every rung (`every_rung`), and once it has answered, the cap holds.
            let cap = if host.contact.heard() || self.plan.every_rung {
                self.plan.max_in_flight_per_device.max(1)
            } else {
                self.plan.max_in_flight_per_device.max(2)
            };
            if out + held >= cap {
                // Not sent yet: taken again next time.
                (host.phase, host.next) = saved;
                blocked = true;
                break;
            }
            if attempt > 0 {
                host.retries.remove(0);
            }
            out += 1;
            new.push((p, attempt));
        }
        if blocked && out == 0 {
            // Only requests the agent may still hold stand in the way: try again when the
            // first of them is past the plan's timeout.
            if let Some(at) = release {
                self.deadlines.push(Reverse((at, Due::Release(address))));
            }
            return;
        }
        if out == 0 && held > 0 && host.contact.heard() {
            // Done sending, but the agent may still answer what it holds (an engine-ID probe
            // cut short, say): reported once that is answered or past the plan's timeout.
            if let Some(at) = release {
                self.deadlines.push(Reverse((at, Due::Release(address))));
            }
            return;
        }
        if out == 0 {
            let quiet = !host.contact.heard() && !host.contact.refused;
            match (host.first_sent, host.last_sent) {
                (Some(first), Some(last)) if quiet && host.cut_short && host.linger.is_none() => {
                    // Listened to for as long as the plan's own timeout would have kept it:
                    // an answer that would have been seen (if only as late) is seen.
                    let until =
                        (last + self.plan.timeout).max(first + self.plan.timeout * host.attempts);
                    host.linger = Some(until);
                    self.deadlines.push(Reverse((until, Due::Linger(address))));
                }
                _ if host.linger.is_some() && quiet => {}
                _ => self.report(address),
            }
            return;
        }
        if !new.is_empty() {
            host.linger = None;
        }
        for (probe, attempt) in new {
            // Each attempt gets an ID of its own, so that an answer to an earlier one, coming
            // late, is known for what it is.
            let id = self.new_id();
            if let Some(h) = self.hosts.get_mut(&address) {
                h.ids.push(id);
            }
            let request = Request {
                address,
                probe,
                attempt,
                state: State::Out,
                sent: None,
                full: true,
            };
            self.requests.insert(id, request);
            self.queue.push_back(id);
        }
    }

    /// Takes a datagram that came from `from` at `now`. Only what comes from the address and
    /// port asked counts for it; anything else is ignored, as if it never came.
    ///
    /// An answer to a request whose time ran out is late: counted, not used. But where that
    /// time was a learned one (the address had not answered, and the segment's round trips
    /// said it could be given up sooner than `--timeout`), an answer within `--timeout` is
    /// taken, and its round trip raises the learned timeout: the learned timeout only decides
    /// when a silent address stops being sent to, never that a slow agent is missed.
    pub fn handle_datagram(&mut self, from: SocketAddr, bytes: &[u8], now: Instant) {
        self.now = Some(now);
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
            self.unmatched(source, v3);
            return;
        };
        if r.address != source {
            // Another address's request ID: for the one that sent it, an answer to nothing.
            self.unmatched(source, v3);
            return;
        }
        let (address, probe, attempt, state, sent, full) =
            (r.address, r.probe, r.attempt, r.state, r.sent, r.full);
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
        let rtt = sent.map(|s| now.saturating_duration_since(s));
        let slow_but_taken = state == State::TimedOut
            && !full
            && matches
            && rtt.is_some_and(|t| t <= self.plan.timeout);
        match state {
            State::Gone => return,
            // Not an answer to what was asked (another community or version): it changes
            // nothing, whatever the request's state.
            _ if !matches => {
                self.unmatched(address, v3);
                return;
            }
            State::Superseded | State::TimedOut if !slow_but_taken => {
                // The agent is done with it (a duplicate of an answered probe, or late): its
                // slot is free.
                if state == State::TimedOut
                    && let Some(h) = self.hosts.get_mut(&address)
                {
                    h.contact.late += 1;
                }
                if let Some(r) = self.requests.get_mut(&id) {
                    r.state = State::Gone;
                }
                self.advance(address);
                return;
            }
            _ => {}
        }
        if let Some(t) = rtt {
            self.account.round_trips.add(t);
        }
        if attempt > 0 && !self.answered_late(address, probe) {
            // Loss, not slowness: no earlier attempt's answer came late either.
            self.account.recovered += 1;
            self.account.deepest = self.account.deepest.max(attempt);
        }
        let was_heard = self.hosts.get(&address).is_some_and(|h| h.contact.heard());
        // Any other attempt of the same probe still out is done with: an answer to it now
        // would be a duplicate.
        self.supersede(address, probe, id);
        if slow_but_taken {
            self.account.slower_than_learned += 1;
        }
        self.requests.remove(&id);
        if let Some(h) = self.hosts.get_mut(&address) {
            match (answer, probe) {
                (Some(Answer::Engine { engine, .. }), _) => h.contact.engine = engine,
                (_, Probe::Community(i)) => h.contact.answered.push(i),
                _ => {}
            }
        }
        if !was_heard {
            self.retry_cut_short(address);
        }
        self.advance(address);
    }

    /// Whether an attempt of `probe` to `address` was answered late (after its timeout).
    fn answered_late(&self, address: IpAddr, probe: Probe) -> bool {
        self.hosts.get(&address).is_some_and(|h| {
            h.ids.iter().any(|id| {
                self.requests
                    .get(id)
                    .is_some_and(|r| r.probe == probe && r.state == State::Gone)
            })
        })
    }

    /// `address` has just answered: a probe of it that was given up on a learned timeout
    /// without the retries an address that answered gets, and not answered since, gets them
    /// now.
    fn retry_cut_short(&mut self, address: IpAddr) {
        let Some(h) = self.hosts.get(&address) else {
            return;
        };
        let mut owed: Vec<(Probe, u32)> = Vec::new();
        for r in h.ids.iter().filter_map(|id| self.requests.get(id)) {
            let answered = match r.probe {
                Probe::Engine => h.contact.engine.is_some(),
                Probe::Community(i) => h.contact.answered.contains(&i),
            };
            let pending = h.retries.iter().any(|(p, _)| *p == r.probe)
                || h.ids
                    .iter()
                    .filter_map(|id| self.requests.get(id))
                    .any(|o| {
                        o.probe == r.probe && (o.state == State::Out || o.attempt > r.attempt)
                    });
            if r.state == State::TimedOut
                && !r.full
                && !answered
                && !pending
                && r.attempt < self.plan.retries
                && !owed.iter().any(|(p, _)| *p == r.probe)
            {
                owed.push((r.probe, r.attempt + 1));
            }
        }
        if let Some(h) = self.hosts.get_mut(&address) {
            h.retries.extend(owed);
        }
    }

    /// Marks every other attempt of `probe` to `address` superseded, and drops a retry of it
    /// still waiting.
    fn supersede(&mut self, address: IpAddr, probe: Probe, answered: i32) {
        let Some(h) = self.hosts.get_mut(&address) else {
            return;
        };
        h.retries.retain(|(p, _)| *p != probe);
        for id in &h.ids {
            if *id == answered {
                continue;
            }
            if let Some(r) = self.requests.get_mut(id)
                && r.probe == probe
                && matches!(r.state, State::Out | State::TimedOut)
            {
                r.state = State::Superseded;
            }
        }
    }

    /// Counts an answer from `source` that does not decode. Which probe it answered cannot be
    /// told: blame what is out to the host.
    fn undecodable(&mut self, source: IpAddr) {
        let engine_out = self.hosts.get(&source).is_some_and(|h| {
            h.ids.iter().any(|i| {
                self.requests
                    .get(i)
                    .is_some_and(|r| r.probe == Probe::Engine && r.state == State::Out)
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
        h.retries.clear();
        for id in &h.ids {
            if let Some(r) = self.requests.get_mut(id)
                && r.state == State::Out
            {
                r.state = State::Superseded;
            }
        }
        self.advance(address);
    }

    /// The retries a probe to an address gets: what `--retries` asked for; otherwise the
    /// plan's retries for an address that has answered something, and for one that has not,
    /// as many as the sweep has seen loss for (the most retries any answer needed so far).
    fn retries_for(&self, heard: bool) -> u32 {
        if heard || self.plan.retries_explicit {
            self.plan.retries
        } else {
            self.account.deepest.min(self.plan.retries)
        }
    }

    /// What falls due at `now`: requests whose time is up, queued again with an ID of their
    /// own or given up, and lingering hosts reported. Returns how many requests timed out.
    pub fn handle_timeout(&mut self, now: Instant) -> u64 {
        self.now = Some(now);
        let mut timeouts = 0;
        while let Some(&Reverse((t, due))) = self.deadlines.peek() {
            if t > now {
                break;
            }
            self.deadlines.pop();
            let id = match due {
                Due::Linger(address) => {
                    if self
                        .hosts
                        .get(&address)
                        .is_some_and(|h| h.linger == Some(t))
                    {
                        self.report(address);
                    }
                    continue;
                }
                Due::Release(address) => {
                    self.advance(address);
                    continue;
                }
                Due::Request(id) => id,
            };
            let Some(r) = self.requests.get(&id).filter(|r| r.state == State::Out) else {
                continue;
            };
            let (address, probe, attempt, sent, full) =
                (r.address, r.probe, r.attempt, r.sent, r.full);
            let heard = self.hosts.get(&address).is_some_and(|h| h.contact.heard());
            if !full && heard {
                // The address answered something meanwhile: its probes get the plan's timeout.
                let until = sent.unwrap_or(t) + self.plan.timeout;
                if let Some(r) = self.requests.get_mut(&id) {
                    r.full = true;
                }
                if until > t {
                    self.deadlines.push(Reverse((until, Due::Request(id))));
                    continue;
                }
            }
            timeouts += 1;
            if let Some(r) = self.requests.get_mut(&id) {
                r.state = State::TimedOut;
            }
            if let Some(h) = self.hosts.get_mut(&address) {
                h.cut_short |= !full;
            }
            if attempt < self.retries_for(heard)
                && let Some(h) = self.hosts.get_mut(&address)
            {
                h.retries.push((probe, attempt + 1));
            }
            self.advance(address);
        }
        timeouts
    }
}

#[cfg(test)]
mod tests;
