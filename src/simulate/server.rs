//! Serves agents on UDP: one socket per simulated address, on consecutive addresses from a
//! base, each answered by a task that hands each datagram to its [`Agent`] and replies.
//!
//! The delivery faults are applied here: `silent` drops the answer, `slow` sends it later,
//! `duplicate` sends it twice, `wrong-source` sends it from one more socket, bound to the
//! address after the last agent.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime};

use tokio::net::UdpSocket;
use tokio::task::JoinSet;

use super::Agent;
use super::fault::Fault;
use crate::wire::PduKind;

/// Why the simulated segment could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// An address could not be bound (in use, not local, out of file descriptors...).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Consecutive addresses from the base run out.
    #[error("{count} agents from {base} run past the end of the address space")]
    AddressRange {
        /// The first address.
        base: IpAddr,
        /// How many were asked for.
        count: usize,
    },
}

/// One request as it arrived, for tests and measurements of what a scanner sends.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// When it arrived: the kernel's stamp where there is one, read from the wall clock and
    /// turned into an `Instant` by one offset per process, as departures are.
    pub at: Instant,
    /// The agent address it was sent to.
    pub agent: SocketAddr,
    /// Its PDU type (an SNMPv3 user's PDU once decrypted), `None` if it did not decode.
    pub kind: Option<PduKind>,
}

/// One answer as it left (logged just before it is sent), for measurements of requests in
/// flight.
#[derive(Debug, Clone)]
pub struct Departure {
    /// When it was sent (logged just before), on the same clock as arrivals.
    pub at: Instant,
    /// The agent that answered.
    pub agent: SocketAddr,
}

/// A reading of the wall clock as an [`Instant`], by one offset between the two clocks taken
/// once per process. The kernel stamps arrivals by the wall clock; departures are read from it
/// too, and both are converted the same way, so that the log's times keep the order of the
/// events (an answer logged before it leaves comes before the request it allows), and a
/// simulator that stalls between two clock readings cannot move an arrival (as converting each
/// stamp by its own pair of readings would).
fn wall_clock(t: SystemTime) -> Instant {
    static ORIGIN: OnceLock<(SystemTime, Instant)> = OnceLock::new();
    let (wall, mono) = *ORIGIN.get_or_init(|| (SystemTime::now(), Instant::now()));
    match t.duration_since(wall) {
        Ok(after) => mono + after,
        Err(before) => mono.checked_sub(before.duration()).unwrap_or(mono),
    }
}

/// Counters and an optional log of arrivals, shared by every agent of a simulation.
#[derive(Debug, Default)]
pub struct Traffic {
    /// Datagrams received.
    pub received: AtomicU64,
    /// Datagrams that did not decode as an SNMP request (v1, v2c, or v3 with a PDU the agent
    /// could read).
    pub undecodable: AtomicU64,
    /// Responses sent.
    pub answered: AtomicU64,
    log: Option<Mutex<Vec<Arrival>>>,
    departures: Option<Mutex<Vec<Departure>>>,
}

impl Traffic {
    /// Counters plus a log of every arrival and answer.
    pub fn logged() -> Self {
        Traffic::logged_with_capacity(0)
    }

    /// The same, with room for `n` of each made up front (so that a long measurement is not
    /// held up while its log grows).
    pub fn logged_with_capacity(n: usize) -> Self {
        Traffic {
            log: Some(Mutex::new(Vec::with_capacity(n))),
            departures: Some(Mutex::new(Vec::with_capacity(n))),
            ..Traffic::default()
        }
    }

    /// The answers sent so far (empty unless logging).
    pub fn departures(&self) -> Vec<Departure> {
        self.departures
            .as_ref()
            .map(|l| l.lock().map(|v| v.clone()).unwrap_or_default())
            .unwrap_or_default()
    }

    /// Logs an answer about to leave: before it is sent, so that no request it makes possible
    /// can be logged before it.
    fn leaving(&self, agent: SocketAddr) {
        if let Some(log) = &self.departures
            && let Ok(mut l) = log.lock()
        {
            l.push(Departure {
                at: wall_clock(SystemTime::now()),
                agent,
            });
        }
    }

    /// The arrivals so far (empty unless logging).
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.log
            .as_ref()
            .map(|l| l.lock().map(|v| v.clone()).unwrap_or_default())
            .unwrap_or_default()
    }

    fn record(&self, at: Instant, agent: SocketAddr, kind: Option<PduKind>) {
        self.received.fetch_add(1, Ordering::Relaxed);
        if kind.is_none() {
            self.undecodable.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(log) = &self.log
            && let Ok(mut l) = log.lock()
        {
            l.push(Arrival { at, agent, kind });
        }
    }
}

/// A running simulated segment. Dropping it stops every agent.
pub struct Simulation {
    /// Each agent's address, in the order the agents were given.
    pub addresses: Vec<SocketAddr>,
    /// Where `wrong-source` answers come from, when an agent has that fault.
    pub wrong_source: Option<SocketAddr>,
    /// What arrived.
    pub traffic: Arc<Traffic>,
    tasks: JoinSet<()>,
}

impl Simulation {
    /// Binds one socket per agent on consecutive addresses from `base` and starts serving; when
    /// an agent has the `wrong-source` fault, one more socket on the next address, which its
    /// answers are sent from.
    pub async fn start(
        agents: Vec<Agent>,
        base: IpAddr,
        port: u16,
        traffic: Arc<Traffic>,
    ) -> Result<Simulation, SimulateError> {
        let mut sockets = Vec::with_capacity(agents.len());
        for i in 0..agents.len() {
            let ip = nth_address(base, i).ok_or(SimulateError::AddressRange {
                base,
                count: agents.len(),
            })?;
            let addr = SocketAddr::new(ip, port);
            let socket = UdpSocket::bind(addr)
                .await
                .map_err(|source| SimulateError::Bind { addr, source })?;
            ask_for_arrival_times(&socket);
            sockets.push(socket);
        }
        await_arrival_stamps().await;
        let wrong_source = if agents
            .iter()
            .any(|a| a.faults().is_some_and(|f| f.has(Fault::WrongSource)))
        {
            let ip = nth_address(base, agents.len()).ok_or(SimulateError::AddressRange {
                base,
                count: agents.len() + 1,
            })?;
            let addr = SocketAddr::new(ip, port);
            let socket = UdpSocket::bind(addr)
                .await
                .map_err(|source| SimulateError::Bind { addr, source })?;
            Some(Arc::new(socket))
        } else {
            None
        };
        let mut addresses = Vec::with_capacity(sockets.len());
        let mut tasks = JoinSet::new();
        for (socket, agent) in sockets.into_iter().zip(agents) {
            let addr = socket.local_addr().map_err(|source| SimulateError::Bind {
                addr: SocketAddr::new(base, port),
                source,
            })?;
            addresses.push(addr);
            tasks.spawn(serve(
                Arc::new(socket),
                addr,
                agent,
                traffic.clone(),
                wrong_source.clone(),
            ));
        }
        Ok(Simulation {
            addresses,
            wrong_source: wrong_source.and_then(|s| s.local_addr().ok()),
            traffic,
            tasks,
        })
    }

    /// Stops every agent and waits for them.
    pub async fn stop(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// The address `n` places after `base`.
pub fn nth_address(base: IpAddr, n: usize) -> Option<IpAddr> {
    match base {
        IpAddr::V4(v4) => u32::from(v4)
            .checked_add(u32::try_from(n).ok()?)
            .map(|a| IpAddr::V4(Ipv4Addr::from(a))),
        IpAddr::V6(v6) => u128::from(v6)
            .checked_add(n as u128)
            .map(|a| IpAddr::V6(Ipv6Addr::from(a))),
    }
}

/// Asks the kernel to stamp each datagram with the time it arrived (SO_TIMESTAMPNS), so that
/// the traffic log says when a request reached the agent's socket, not when a busy simulator
/// got round to reading it: a stalled reader would otherwise log a backlog as arriving at once.
/// (Linux turns stamping on a moment after the first socket asks; until then a datagram is
/// stamped when it is read, as without it: [`Simulation::start`] waits for it.)
#[cfg(target_os = "linux")]
fn ask_for_arrival_times(socket: &UdpSocket) {
    use nix::sys::socket::{setsockopt, sockopt::ReceiveTimestampns};
    let _ = setsockopt(socket, ReceiveTimestampns, &true);
}

#[cfg(not(target_os = "linux"))]
fn ask_for_arrival_times(_socket: &UdpSocket) {}

/// Reads one datagram: its length, its sender, and when it arrived (the kernel's stamp
/// where there is one, else now).
async fn receive(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr, Instant)> {
    let (len, peer, stamped) = receive_stamped(socket, buf).await?;
    Ok((
        len,
        peer,
        wall_clock(stamped.unwrap_or_else(SystemTime::now)),
    ))
}

/// Waits until the kernel stamps arrivals (it turns stamping on a moment after the first
/// socket asks, later on a busy machine): each try sends a datagram to a socket of its own
/// that asked, and reads whether it came stamped. Gives up after about ten seconds, leaving
/// arrivals timed when they are read.
#[cfg(target_os = "linux")]
async fn await_arrival_stamps() {
    let Ok(socket) = UdpSocket::bind("127.0.0.1:0").await else {
        return;
    };
    ask_for_arrival_times(&socket);
    let Ok(to) = socket.local_addr() else { return };
    let mut buf = [0u8; 8];
    for _ in 0..1000 {
        if socket.send_to(b"stamp?", to).await.is_err() {
            return;
        }
        match receive_stamped(&socket, &mut buf).await {
            Ok((_, _, Some(_))) => return,
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            Err(_) => return,
        }
    }
}

#[cfg(not(target_os = "linux"))]
async fn await_arrival_stamps() {}

/// Reads one datagram: its length, its sender, and the kernel's stamp of its arrival if it has
/// one.
#[cfg(target_os = "linux")]
async fn receive_stamped(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr, Option<SystemTime>)> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg};
    use std::os::fd::AsRawFd;
    use std::time::{Duration, UNIX_EPOCH};
    loop {
        socket.readable().await?;
        let got = socket.try_io(tokio::io::Interest::READABLE, || {
            let mut control = nix::cmsg_space!(nix::sys::time::TimeSpec);
            let mut iov = [std::io::IoSliceMut::new(buf)];
            let msg = recvmsg::<SockaddrStorage>(
                socket.as_raw_fd(),
                &mut iov,
                Some(&mut control),
                MsgFlags::MSG_DONTWAIT,
            )
            .map_err(std::io::Error::from)?;
            let stamped = msg.cmsgs().ok().and_then(|mut c| {
                c.find_map(|m| match m {
                    ControlMessageOwned::ScmTimestampns(t) => Some(
                        UNIX_EPOCH
                            + Duration::new(
                                u64::try_from(t.tv_sec()).unwrap_or(0),
                                u32::try_from(t.tv_nsec()).unwrap_or(0),
                            ),
                    ),
                    _ => None,
                })
            });
            let peer = msg.address.and_then(|a| {
                a.as_sockaddr_in()
                    .map(|s| SocketAddr::from((s.ip(), s.port())))
                    .or_else(|| {
                        a.as_sockaddr_in6()
                            .map(|s| SocketAddr::from((s.ip(), s.port())))
                    })
            });
            Ok((msg.bytes, peer, stamped))
        });
        let (len, peer, stamped) = match got {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            other => other?,
        };
        let Some(peer) = peer else { continue };
        return Ok((len, peer, stamped));
    }
}

#[cfg(not(target_os = "linux"))]
async fn receive_stamped(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr, Option<SystemTime>)> {
    let (len, peer) = socket.recv_from(buf).await?;
    Ok((len, peer, None))
}

async fn serve(
    socket: Arc<UdpSocket>,
    addr: SocketAddr,
    agent: Agent,
    traffic: Arc<Traffic>,
    wrong_source: Option<Arc<UdpSocket>>,
) {
    let mut buf = vec![0u8; 65_536];
    let mut out = Vec::with_capacity(1500);
    let mut count = 0u64;
    let seed = match addr.ip() {
        IpAddr::V4(v4) => u64::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6) as u64,
    } << 20;
    loop {
        let Ok((len, peer, at)) = receive(&socket, &mut buf).await else {
            continue;
        };
        let reply = agent.respond(&buf[..len], &mut out);
        traffic.record(at, addr, reply.request);
        if !reply.answered {
            continue;
        }
        let faults = agent.faults().filter(|_| reply.faulty);
        let Some(faults) = faults else {
            traffic.leaving(addr);
            if socket.send_to(&out, peer).await.is_ok() {
                traffic.answered.fetch_add(1, Ordering::Relaxed);
            }
            continue;
        };
        if faults.has(Fault::Silent) {
            continue;
        }
        let from = match (&wrong_source, faults.has(Fault::WrongSource)) {
            (Some(other), true) => other.clone(),
            _ => socket.clone(),
        };
        let copies = if faults.has(Fault::Duplicate) { 2 } else { 1 };
        count += 1;
        if faults.has(Fault::Slow) {
            let delay = faults.delay_for(seed + count);
            let (answer, traffic) = (out.clone(), traffic.clone());
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                for _ in 0..copies {
                    traffic.leaving(addr);
                    if from.send_to(&answer, peer).await.is_ok() {
                        traffic.answered.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
            continue;
        }
        for _ in 0..copies {
            traffic.leaving(addr);
            if from.send_to(&out, peer).await.is_ok() {
                traffic.answered.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{Fault, Faults, Recording};
    use crate::wire::{Message, Pdu, Value, VarBind, Version};
    use std::time::Duration;

    /// A datagram read late is logged at the time it arrived, not when it was read: a stalled
    /// simulator does not make a burst of what came in steadily. Told by order alone: its time
    /// comes before a reading of the clock taken after it was sent, before it was read.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn arrivals_are_timed_by_the_kernel_not_by_the_reader() {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        ask_for_arrival_times(&socket);
        await_arrival_stamps().await;
        let to = socket.local_addr().unwrap();
        let client = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        client.send_to(b"early", to).unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let before_reading = wall_clock(SystemTime::now());
        let mut buf = [0u8; 64];
        let (len, peer, at) = receive(&socket, &mut buf).await.unwrap();
        assert_eq!(
            (&buf[..len], peer),
            (&b"early"[..], client.local_addr().unwrap())
        );
        assert!(
            at < before_reading,
            "logged {:?} after the read began",
            at.duration_since(before_reading)
        );
    }

    fn agent(faults: Faults) -> Agent {
        let rec = Recording::parse(
            std::path::Path::new("t"),
            b"1.3.6.1.2.1.1.1.0|4|a test agent\n",
        )
        .unwrap();
        Agent::new(Arc::new(rec), None).with_faults(Arc::new(faults))
    }

    fn get(id: i32) -> Vec<u8> {
        Message {
            version: Version::V2c,
            community: b"public".to_vec(),
            pdu: Pdu {
                kind: PduKind::Get,
                request_id: id,
                error_status: 0,
                error_index: 0,
                varbinds: vec![VarBind::new(
                    "1.3.6.1.2.1.1.1.0".parse().unwrap(),
                    Value::Null,
                )],
            },
        }
        .encode()
    }

    /// What came back to one request: each answer's source and when. Waits as long as it takes
    /// for the `expected` answers (a minute at most), then a moment more for any beyond them:
    /// a stalled machine can delay an answer past the moment, and so only hide one too many,
    /// never make one too few.
    async fn ask(to: SocketAddr, expected: usize) -> Vec<(SocketAddr, Duration)> {
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let start = Instant::now();
        client.send_to(&get(42), to).await.unwrap();
        let mut got = Vec::new();
        let mut buf = vec![0u8; 2048];
        loop {
            let wait = if got.len() < expected {
                Duration::from_secs(60)
            } else {
                Duration::from_millis(300)
            };
            let Ok(Ok((n, from))) = tokio::time::timeout(wait, client.recv_from(&mut buf)).await
            else {
                break;
            };
            assert_eq!(Message::decode(&buf[..n]).unwrap().pdu.request_id, 42);
            got.push((from, start.elapsed()));
        }
        got
    }

    #[tokio::test]
    async fn delivery_faults_drop_delay_repeat_or_move_the_answer() {
        let base: IpAddr = "127.43.0.1".parse().unwrap();
        let port = std::net::UdpSocket::bind("127.43.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let agents = vec![
            agent(Faults::default()),
            agent(Faults::new(&[Fault::Silent])),
            agent(Faults::new(&[Fault::Duplicate])),
            agent(Faults::new(&[Fault::WrongSource])),
            agent(
                Faults::new(&[Fault::Slow])
                    .delays(Duration::from_millis(150), Duration::from_millis(50)),
            ),
            agent(Faults::new(&[Fault::Silent]).after(1)),
        ];
        let traffic = Arc::new(Traffic::logged());
        let sim = Simulation::start(agents, base, port, traffic.clone())
            .await
            .unwrap();
        let a = &sim.addresses;
        let healthy = ask(a[0], 1).await;
        assert_eq!(healthy.len(), 1);
        assert_eq!(healthy[0].0, a[0]);
        assert!(ask(a[1], 0).await.is_empty(), "silent");
        let twice = ask(a[2], 2).await;
        assert_eq!(twice.len(), 2, "duplicate");
        assert!(twice.iter().all(|(from, _)| *from == a[2]));
        let elsewhere = ask(a[3], 1).await;
        assert_eq!(
            sim.wrong_source,
            Some(SocketAddr::new("127.43.0.7".parse().unwrap(), port))
        );
        assert_eq!(elsewhere.len(), 1);
        assert_eq!(Some(elsewhere[0].0), sim.wrong_source, "wrong-source");
        let late = ask(a[4], 1).await;
        assert_eq!(late.len(), 1);
        assert!(
            late[0].1 >= Duration::from_millis(150),
            "slow: {:?}",
            late[0].1
        );
        // Healthy for one request, silent from the second.
        assert_eq!(ask(a[5], 1).await.len(), 1);
        assert!(ask(a[5], 0).await.is_empty());

        let arrivals = traffic.arrivals();
        assert_eq!(arrivals.len(), 7);
        assert!(arrivals.iter().all(|x| x.kind == Some(PduKind::Get)));
        assert_eq!(traffic.departures().len(), 6, "1 + 2 + 1 + 1 + 1 answers");
        sim.stop().await;
    }
}
