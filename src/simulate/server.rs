//! Serves agents on UDP: one socket per simulated address, on consecutive addresses from a
//! base, each answered by a task that decodes, asks its [`Agent`] and replies.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::task::JoinSet;

use super::Agent;
use crate::wire::v3::{Scoped, V3Message};
use crate::wire::{Message, PduKind, WireError};

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
    /// When it arrived.
    pub at: Instant,
    /// The agent address it was sent to.
    pub agent: SocketAddr,
    /// Its PDU type, `None` if it did not decode.
    pub kind: Option<PduKind>,
}

/// Counters and an optional log of arrivals, shared by every agent of a simulation.
#[derive(Debug, Default)]
pub struct Traffic {
    /// Datagrams received.
    pub received: AtomicU64,
    /// Datagrams that did not decode as a v1/v2c message.
    pub undecodable: AtomicU64,
    /// Responses sent.
    pub answered: AtomicU64,
    log: Option<Mutex<Vec<Arrival>>>,
}

impl Traffic {
    /// Counters plus a log of every arrival.
    pub fn logged() -> Self {
        Traffic {
            log: Some(Mutex::new(Vec::new())),
            ..Traffic::default()
        }
    }

    /// The arrivals so far (empty unless logging).
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.log
            .as_ref()
            .map(|l| l.lock().map(|v| v.clone()).unwrap_or_default())
            .unwrap_or_default()
    }

    fn record(&self, agent: SocketAddr, kind: Option<PduKind>) {
        self.received.fetch_add(1, Ordering::Relaxed);
        if kind.is_none() {
            self.undecodable.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(log) = &self.log
            && let Ok(mut l) = log.lock()
        {
            l.push(Arrival {
                at: Instant::now(),
                agent,
                kind,
            });
        }
    }
}

/// A running simulated segment. Dropping it stops every agent.
pub struct Simulation {
    /// Each agent's address, in the order the agents were given.
    pub addresses: Vec<SocketAddr>,
    /// What arrived.
    pub traffic: Arc<Traffic>,
    tasks: JoinSet<()>,
}

impl Simulation {
    /// Binds one socket per agent on consecutive addresses from `base` and starts serving.
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
            sockets.push(socket);
        }
        let mut addresses = Vec::with_capacity(sockets.len());
        let mut tasks = JoinSet::new();
        for (socket, agent) in sockets.into_iter().zip(agents) {
            let addr = socket.local_addr().map_err(|source| SimulateError::Bind {
                addr: SocketAddr::new(base, port),
                source,
            })?;
            addresses.push(addr);
            tasks.spawn(serve(socket, addr, agent, traffic.clone()));
        }
        Ok(Simulation {
            addresses,
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

async fn serve(socket: UdpSocket, addr: SocketAddr, agent: Agent, traffic: Arc<Traffic>) {
    let mut buf = vec![0u8; 65_536];
    let mut out = Vec::with_capacity(1500);
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let datagram = &buf[..len];
        let answer = match Message::decode(datagram) {
            Ok(request) => {
                traffic.record(addr, Some(request.pdu.kind));
                agent.answer(&request).map(|r| {
                    r.encode_into(&mut out);
                })
            }
            Err(WireError::UnsupportedVersion(3)) => match V3Message::decode(datagram) {
                Ok(request) => {
                    let kind = match &request.scoped {
                        Scoped::Plain { pdu, .. } => Some(pdu.kind),
                        Scoped::Encrypted(_) => None,
                    };
                    traffic.record(addr, kind);
                    agent.answer_v3(&request).map(|r| out = r.encode())
                }
                Err(_) => {
                    traffic.record(addr, None);
                    None
                }
            },
            Err(_) => {
                traffic.record(addr, None);
                None
            }
        };
        if answer.is_some() && socket.send_to(&out, peer).await.is_ok() {
            traffic.answered.fetch_add(1, Ordering::Relaxed);
        }
    }
}
