//! First contact: which targets answer SNMP at all, for thousands of addresses at once.
//!
//! Every address of a wave gets a short list of probes: a GET of sysDescr.0 with each
//! community of the ladder in v2c and then in v1 (v1 only when v2c got no answer), and the
//! credential-free SNMPv3 engine-ID probe. They go out through one socket per address family,
//! paced by the sweep's [`Pacer`], and answers are matched back by request ID (msgID for v3)
//! and checked against the address and port they were sent to. An address holds only a few
//! dozen bytes of state while its probes are out, so a /16 is in flight at once and the cost of
//! the silent addresses (timeout × attempts each) is paid in parallel, not one after another:
//! this is what sets a sweep's time on a sparse range.
//!
//! An address whose host says, by ICMP destination unreachable (port unreachable: no agent
//! listens), that nothing is there is done at once: no retry and no further probe goes to it,
//! as nmap treats a closed port. The sockets ask the kernel for these errors (IP_RECVERR).
//!
//! The per-device cap still holds: at most `max_in_flight_per_device` probes are out to one
//! address at any moment; the next goes when one is answered or has used its retries.
//!
//! Only addresses that answered something go on to the per-device stage (the credential ladder
//! and the walk), with what first contact learned: the engine ID, and which communities
//! answered in which version.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Pacer;
use crate::snmp::contact::Engine;
pub use crate::snmp::contact::{Contact, Plan};
use crate::snmp::{Credential, CredentialKind, oids};
use crate::wire::v3::V3Message;
use crate::wire::{Message, Pdu, PduKind, Value, VarBind, Version};

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

/// The sockets, one per family, opened when first needed.
#[derive(Default)]
struct Sockets {
    v4: Option<Arc<UdpSocket>>,
    v6: Option<Arc<UdpSocket>>,
}

impl Sockets {
    async fn for_address(&mut self, a: IpAddr) -> std::io::Result<Arc<UdpSocket>> {
        let (slot, bind) = match a {
            IpAddr::V4(_) => (&mut self.v4, "0.0.0.0:0"),
            IpAddr::V6(_) => (&mut self.v6, "[::]:0"),
        };
        if let Some(s) = slot {
            return Ok(s.clone());
        }
        let s = Arc::new(UdpSocket::bind(bind).await?);
        ask_for_icmp_errors(&s, a.is_ipv4());
        *slot = Some(s.clone());
        Ok(s)
    }
}

/// Asks the kernel to queue the ICMP errors that answer this socket's datagrams, with the
/// destination each was sent to. Without it (other systems), closed ports are timeouts.
///
/// Also gives the socket a receive buffer of [`RECEIVE_BUFFER`] bytes where the system allows
/// (beyond `net.core.rmem_max` only with CAP_NET_ADMIN), so that a burst of answers from
/// thousands of agents is not dropped while the sweep is sending.
#[cfg(target_os = "linux")]
fn ask_for_icmp_errors(socket: &UdpSocket, v4: bool) {
    use nix::sys::socket::{setsockopt, sockopt};
    let _ = if v4 {
        setsockopt(socket, sockopt::Ipv4RecvErr, &true)
    } else {
        setsockopt(socket, sockopt::Ipv6RecvErr, &true)
    };
    if setsockopt(socket, sockopt::RcvBufForce, &RECEIVE_BUFFER).is_err() {
        let _ = setsockopt(socket, sockopt::RcvBuf, &RECEIVE_BUFFER);
    }
}

/// The receive buffer first contact asks for.
const RECEIVE_BUFFER: usize = 8 << 20;

#[cfg(not(target_os = "linux"))]
fn ask_for_icmp_errors(_socket: &UdpSocket, _v4: bool) {}

/// How many times a probe's send is tried when it fails: a failed send may be reporting an
/// ICMP error of an earlier datagram instead of sending (each try takes one off).
const SEND_TRIES: usize = 4;

/// The destinations that answered with ICMP destination unreachable, from the socket's error
/// queue (never blocks).
#[cfg(target_os = "linux")]
fn unreachable_destinations(socket: &UdpSocket) -> Vec<SocketAddr> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg};
    use std::os::fd::AsRawFd;
    const SO_EE_ORIGIN_ICMP: u8 = 2;
    const SO_EE_ORIGIN_ICMP6: u8 = 3;
    let mut out = Vec::new();
    let mut payload = [0u8; 512];
    let mut control = nix::cmsg_space!(nix::libc::sock_extended_err, nix::libc::sockaddr_in6);
    // Bounded: the queue is drained, but never more than this many at one go.
    for _ in 0..4096 {
        let mut iov = [std::io::IoSliceMut::new(&mut payload)];
        let Ok(msg) = recvmsg::<SockaddrStorage>(
            socket.as_raw_fd(),
            &mut iov,
            Some(&mut control),
            MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT,
        ) else {
            break;
        };
        let unreachable = msg.cmsgs().is_ok_and(|mut c| {
            c.any(|m| match m {
                ControlMessageOwned::Ipv4RecvErr(e, _) => {
                    // Destination unreachable, port unreachable: no agent listens. Other
                    // unreachables (no route, filtered) are silence, retried as usual.
                    e.ee_origin == SO_EE_ORIGIN_ICMP && e.ee_type == 3 && e.ee_code == 3
                }
                ControlMessageOwned::Ipv6RecvErr(e, _) => {
                    e.ee_origin == SO_EE_ORIGIN_ICMP6 && e.ee_type == 1 && e.ee_code == 4
                }
                _ => false,
            })
        });
        let destination = msg.address.and_then(|a| {
            a.as_sockaddr_in()
                .map(|s| SocketAddr::from((s.ip(), s.port())))
                .or_else(|| {
                    a.as_sockaddr_in6()
                        .map(|s| SocketAddr::from((s.ip(), s.port())))
                })
        });
        if unreachable && let Some(d) = destination {
            out.push(d);
        }
    }
    out
}

#[cfg(not(target_os = "linux"))]
fn unreachable_destinations(_socket: &UdpSocket) -> Vec<SocketAddr> {
    Vec::new()
}

async fn readable(s: &Option<Arc<UdpSocket>>) {
    match s {
        // An ICMP error queued on the socket is an ERROR readiness, not a READABLE one.
        Some(s) => {
            let _ = s
                .ready(tokio::io::Interest::READABLE | tokio::io::Interest::ERROR)
                .await;
        }
        None => std::future::pending().await,
    }
}

/// The state of a first contact in progress.
struct Run<'a> {
    plan: &'a Plan,
    ladder: &'a [Credential],
    pacer: &'a Pacer,
    sockets: Sockets,
    hosts: HashMap<IpAddr, Host>,
    requests: HashMap<i32, Request>,
    /// Requests to send (new, or again after a timeout), by ID.
    queue: VecDeque<i32>,
    /// When each sent request times out: in sending order, so in deadline order.
    deadlines: VecDeque<(Instant, i32)>,
    next_id: i32,
    done: mpsc::UnboundedSender<Contact>,
    buf: Vec<u8>,
}

impl Run<'_> {
    fn new_id(&mut self) -> i32 {
        self.next_id = self.next_id.wrapping_add(1) & 0x7fff_ffff;
        if self.next_id == 0 {
            self.next_id = 1;
        }
        self.next_id
    }

    /// Queues the next probes of `address` up to its cap; reports it when it has none left.
    async fn advance(&mut self, address: IpAddr) {
        let Some(host) = self.hosts.get_mut(&address) else {
            return;
        };
        let mut new = Vec::new();
        while host.out < self.plan.max_in_flight_per_device.max(1) {
            let Some(p) = host.next_probe(address, self.ladder, self.plan) else {
                break;
            };
            host.out += 1;
            new.push(p);
        }
        if host.out == 0 {
            if let Some(host) = self.hosts.remove(&address) {
                let _ = self.done.send(host.contact);
            }
            return;
        }
        for probe in new {
            let id = self.new_id();
            if let Some(h) = self.hosts.get_mut(&address) {
                h.ids.push((id, false));
            }
            self.requests.insert(
                id,
                Request {
                    address,
                    probe,
                    attempt: 0,
                },
            );
            self.queue.push_back(id);
        }
    }

    /// A probe is over (answered, or out of retries).
    async fn finished(&mut self, address: IpAddr) {
        if let Some(h) = self.hosts.get_mut(&address) {
            h.out = h.out.saturating_sub(1);
        }
        self.advance(address).await;
    }

    async fn send(&mut self, id: i32) {
        let Some(r) = self.requests.get(&id) else {
            return;
        };
        let (address, probe) = (r.address, r.probe);
        let bytes = encode(probe, id, self.ladder);
        self.pacer.ready().await;
        // A send that fails (no route, refused by the host's own firewall) is silence, retried
        // like a lost datagram: its deadline is set all the same.
        if let Ok(s) = self.sockets.for_address(address).await {
            let to = SocketAddr::new(address, self.plan.port);
            // An ICMP error that came in for an earlier datagram (to another address) is
            // pending on the socket (the socket asks for them: IP_RECVERR), and the kernel
            // reports it on the next send instead of sending: port or host unreachable,
            // administratively prohibited, and the others ICMP can say. That send took it off,
            // so the datagram goes on the next try. Without this, each closed port answered
            // during a sweep cost another address a timeout. Any error is tried again, a few
            // times: one of the send's own (no route) merely repeats.
            for _ in 0..SEND_TRIES {
                if s.send_to(&bytes, to).await.is_ok() {
                    break;
                }
            }
        }
        self.deadlines
            .push_back((Instant::now() + self.plan.timeout, id));
    }

    /// Takes every answer waiting on the sockets.
    async fn drain(&mut self) {
        for family in 0..2 {
            loop {
                let socket = match family {
                    0 => self.sockets.v4.clone(),
                    _ => self.sockets.v6.clone(),
                };
                let Some(socket) = socket else { break };
                let (n, from) = match socket.try_recv_from(&mut self.buf) {
                    Ok(x) => x,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        // The ERROR readiness is spent once the error queue is read (kept, it
                        // would wake every wait at once, and the wait would spin). Cleared
                        // before the queue is read, so that an error coming in meanwhile
                        // raises it again instead of being wiped with it.
                        let _ = socket.try_io(tokio::io::Interest::ERROR, || {
                            Err::<(), _>(std::io::ErrorKind::WouldBlock.into())
                        });
                        for d in unreachable_destinations(&socket) {
                            self.refused(d).await;
                        }
                        break;
                    }
                    // An ICMP error reported on the socket: its details are in the error
                    // queue, read above once the datagrams are.
                    Err(_) => continue,
                };
                let answer = decode(&self.buf[..n]);
                self.answer(from, answer).await;
            }
        }
    }

    async fn answer(&mut self, from: SocketAddr, answer: Option<Answer>) {
        // Only what comes from the address and port asked counts for it; anything else is
        // ignored, as if it never came.
        if from.port() != self.plan.port {
            return;
        }
        let source = from.ip();
        let (id, v3) = match &answer {
            Some(Answer::Community { id, .. }) => (*id, false),
            Some(Answer::Engine { id, .. }) => (*id, true),
            None => {
                // Which probe it answered cannot be told: blame what is out to the host.
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
                return;
            }
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
        self.finished(address).await;
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

    /// The host at `to` said its port is unreachable: no agent there. Its remaining probes
    /// are dropped, and those out are not sent again.
    async fn refused(&mut self, to: SocketAddr) {
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
                self.finished(address).await;
            }
        }
    }

    /// Requests whose time is up: sent again, or given up.
    async fn expire(&mut self) {
        let now = Instant::now();
        while let Some(&(t, id)) = self.deadlines.front() {
            if t > now {
                break;
            }
            self.deadlines.pop_front();
            let Some(r) = self.requests.remove(&id) else {
                continue;
            };
            self.pacer.timeouts.fetch_add(1, Ordering::Relaxed);
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
                self.requests.insert(
                    again,
                    Request {
                        attempt: r.attempt + 1,
                        ..r
                    },
                );
                self.queue.push_back(again);
            } else {
                self.finished(r.address).await;
            }
        }
    }
}

/// Probes every address of `targets` and sends what was learned of each to `done` as soon as
/// it is known, silent addresses included (`Contact::reached` is false for them). Returns when
/// every address is reported. `done` is unbounded so that a slow reader never holds up the
/// timers; a contact is a few dozen bytes, so even a /16 of them waiting is a few megabytes.
pub async fn first_contact(
    targets: impl Iterator<Item = IpAddr>,
    ladder: &[Credential],
    plan: &Plan,
    pacer: &Pacer,
    done: mpsc::UnboundedSender<Contact>,
) {
    let mut run = Run {
        plan,
        ladder,
        pacer,
        sockets: Sockets::default(),
        hosts: HashMap::new(),
        requests: HashMap::new(),
        queue: VecDeque::new(),
        deadlines: VecDeque::new(),
        next_id: 0x1000_0000 | (std::process::id() as i32 & 0x0fff_ffff),
        done,
        buf: vec![0u8; 65_536],
    };
    let mut targets = targets.fuse();
    let mut exhausted = false;
    // Answers are read between sends every fourth turn, not after each: a read that finds
    // nothing is a system call wasted, and the socket's buffer holds what comes meanwhile.
    let mut turn = 0u32;
    let mut woken = true;
    loop {
        turn = turn.wrapping_add(1);
        if woken || turn.is_multiple_of(4) {
            run.drain().await;
            run.expire().await;
            woken = false;
        }
        if run.done.is_closed() {
            // Nobody reads what is found any more (the sweep was stopped): stop sending.
            break;
        }
        if let Some(id) = run.queue.pop_front() {
            run.send(id).await;
            continue;
        }
        if !exhausted && run.hosts.len() < plan.max_addresses.max(1) {
            match targets.next() {
                Some(address) => {
                    if run.hosts.contains_key(&address) {
                        continue;
                    }
                    run.hosts.insert(
                        address,
                        Host {
                            next: 0,
                            out: 0,
                            ids: Vec::new(),
                            contact: Contact {
                                address: Some(address),
                                ..Contact::default()
                            },
                        },
                    );
                    run.advance(address).await;
                }
                None => exhausted = true,
            }
            continue;
        }
        if exhausted && run.hosts.is_empty() {
            break;
        }
        // Before waiting, make sure nothing is already waiting, and that there is still
        // something to wait for.
        run.drain().await;
        run.expire().await;
        if !run.queue.is_empty()
            || (exhausted && run.hosts.is_empty())
            || (!exhausted && run.hosts.len() < plan.max_addresses.max(1) && !run.done.is_closed())
        {
            continue;
        }
        if run.done.is_closed() {
            // Nobody reads what is found any more (the sweep was stopped): stop sending.
            break;
        }
        let Some(&(deadline, _)) = run.deadlines.front() else {
            // Nothing out and nothing to send while addresses remain cannot happen (a host with
            // nothing out is reported at once); should it, report them rather than spin.
            for (_, host) in run.hosts.drain() {
                let _ = run.done.send(host.contact);
            }
            break;
        };
        tokio::select! {
            () = readable(&run.sockets.v4) => {}
            () = readable(&run.sockets.v6) => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
        woken = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::agent::Agent;
    use crate::simulate::recording::Recording;
    use crate::simulate::server::{Simulation, Traffic};
    use crate::snmp::Secret;
    use std::path::Path;
    use std::time::Duration;

    fn plan(port: u16, retries: u32, cap: usize) -> Plan {
        Plan {
            port,
            timeout: Duration::from_millis(400),
            retries,
            engine_probe: true,
            max_in_flight_per_device: cap,
            max_addresses: 1024,
        }
    }

    fn ladder() -> Vec<Credential> {
        vec![
            Credential::community(Version::V2c, Secret::new("public"), 1),
            Credential::community(Version::V1, Secret::new("public"), 1),
        ]
    }

    async fn contacts(targets: Vec<IpAddr>, plan: &Plan, pacer: &Pacer) -> Vec<Contact> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        // A bound on the whole exchange, far above what it needs: never hang the suite.
        tokio::time::timeout(
            Duration::from_secs(30),
            first_contact(targets.into_iter(), &ladder(), plan, pacer, tx),
        )
        .await
        .expect("first contact ends");
        let mut out = Vec::new();
        while let Ok(c) = rx.try_recv() {
            out.push(c);
        }
        out.sort_by_key(|c| c.address);
        out
    }

    /// `n` agents on consecutive addresses from `base` (an address range of this test's own,
    /// so the port is free there).
    async fn agents(base: &str, n: usize) -> Simulation {
        let text = "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
                    1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n";
        let rec = Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap());
        let agents = (0..n).map(|_| Agent::new(rec.clone(), None)).collect();
        Simulation::start(
            agents,
            base.parse().unwrap(),
            16_161,
            Arc::new(Traffic::logged()),
        )
        .await
        .unwrap()
    }

    /// Agents answer v2c and the engine probe; the v1 probe of a community that answered in
    /// v2c is never sent; a closed port is done after one datagram, without its retries.
    #[tokio::test]
    async fn answers_are_matched_and_closed_ports_are_not_retried() {
        let sim = agents("127.61.0.1", 3).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let mut targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        // Nothing listens on .9 at that port: the host answers with ICMP port unreachable.
        targets.push("127.61.0.9".parse().unwrap());
        let got = contacts(targets, &plan(port, 3, 1), &pacer).await;
        assert_eq!(got.len(), 4);
        for c in &got[..3] {
            assert!(c.reached(), "{c:?}");
            assert_eq!(c.answered, vec![0], "v2c answered: {c:?}");
            assert!(c.engine.is_some(), "{c:?}");
            assert!(!c.refused);
        }
        let closed = &got[3];
        assert!(!closed.reached() && closed.refused, "{closed:?}");
        // Three agents × (v2c + engine probe), and one datagram to the closed port: no v1
        // probe, no retry.
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 7);
        let arrivals = sim.traffic.arrivals();
        assert_eq!(arrivals.len(), 6, "{arrivals:?}");
        sim.stop().await;
    }

    /// Many closed ports at once, with agents among them: every closed port is known from its
    /// ICMP answer, and no probe waits out a timeout. Each ICMP error also raises a pending
    /// error on the socket that the kernel reports on the next send instead of sending it; a
    /// probe lost that way used to wait out its timeout and go again.
    #[tokio::test]
    async fn closed_ports_cost_no_other_probe_a_timeout() {
        let sim = agents("127.61.2.1", 4).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let mut targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        // 127.61.3.0/24 has nothing listening: 256 closed ports.
        targets.extend((0..=255u8).map(|i| IpAddr::from([127, 61, 3, i])));
        let mut slow = plan(port, 1, 1);
        // Far beyond the whole exchange: a probe that times out shows in the count, and
        // would hold the test up for minutes, which the bound in contacts() stops.
        slow.timeout = Duration::from_secs(10);
        let got = contacts(targets, &slow, &pacer).await;
        assert_eq!(got.len(), 260);
        assert_eq!(got.iter().filter(|c| c.reached()).count(), 4);
        assert_eq!(got.iter().filter(|c| c.refused).count(), 256);
        assert_eq!(pacer.timeouts.load(Ordering::Relaxed), 0);
        // Four agents × (v2c + engine probe), and one datagram to each closed port.
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 8 + 256);
        sim.stop().await;
    }

    /// With room for three probes in flight per device, all of an address's probes go at
    /// once, and a silent address is still tried (timeout × attempts) before it is given up.
    #[tokio::test]
    async fn a_wider_cap_sends_the_probes_together() {
        let sim = agents("127.61.1.1", 2).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        let got = contacts(targets, &plan(port, 0, 3), &pacer).await;
        assert_eq!(got.len(), 2);
        for c in &got {
            // v2c and v1 both answered (they were out together), and the engine probe.
            assert_eq!(c.answered.len(), 2, "{c:?}");
            assert!(c.engine.is_some());
        }
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 6);
        sim.stop().await;
    }
}
