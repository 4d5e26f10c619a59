//! The credential-free SNMPv3 engine-ID probe (RFC 3414 section 4 discovery): one reportable
//! request with no user; almost every v3-capable agent answers with a Report that carries its
//! authoritative engine ID, which names the maker's enterprise number and often a MAC.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use tokio::net::UdpSocket;

use super::Pacer;
use crate::snmp::SnmpError;
use crate::wire::v3::V3Message;

static NEXT_ID: AtomicI32 = AtomicI32::new(0x2f00_0000);

/// Asks `peer` for its engine ID; waits `timeout` per attempt, `retries` more attempts, each
/// counted by the pacer. Answers from elsewhere or for another msgID are ignored.
pub async fn discover_engine_id(
    peer: SocketAddr,
    timeout: Duration,
    retries: u32,
    pacer: &Arc<Pacer>,
) -> Result<Vec<u8>, SnmpError> {
    let bind: SocketAddr = if peer.is_ipv4() {
        "0.0.0.0:0".parse()
    } else {
        "[::]:0".parse()
    }
    .map_err(|e: std::net::AddrParseError| SnmpError::Network(e.to_string()))?;
    let socket = UdpSocket::bind(bind)
        .await
        .map_err(|e| SnmpError::Network(e.to_string()))?;
    socket
        .connect(peer)
        .await
        .map_err(|e| SnmpError::Network(e.to_string()))?;
    let mut buf = vec![0u8; 4096];
    for _ in 0..=retries {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed) & 0x7fff_ffff;
        pacer.ready().await;
        // A closed port answers with ICMP, which a connected socket reports: that is silence.
        if socket
            .send(&V3Message::discovery(id, id).encode())
            .await
            .is_err()
        {
            continue;
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await {
                Err(_) => {
                    pacer.timeouts.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Ok(Err(_)) => break,
                Ok(Ok(n)) => {
                    let Ok(m) = V3Message::decode(&buf[..n]) else {
                        continue;
                    };
                    if m.msg_id == id && !m.usm.engine_id.is_empty() {
                        return Ok(m.usm.engine_id);
                    }
                }
            }
        }
    }
    Err(SnmpError::Timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{Agent, Recording, Simulation, Traffic};
    use crate::wire::engine_id::EngineId;

    #[tokio::test]
    async fn discovers_a_simulated_agents_engine_id_and_times_out_on_silence() {
        let rec = Recording::parse(
            std::path::Path::new("zte.snmprec"),
            b"1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.3902.3.100.20\n1.3.6.1.2.1.2.2.1.6.1|4x|0019c6010e3c\n",
        )
        .unwrap();
        let port = std::net::UdpSocket::bind("127.42.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let sim = Simulation::start(
            vec![Agent::new(Arc::new(rec), None)],
            "127.42.0.1".parse().unwrap(),
            port,
            Arc::new(Traffic::default()),
        )
        .await
        .unwrap();
        let pacer = Arc::new(Pacer::new(None));
        let id = discover_engine_id(sim.addresses[0], Duration::from_secs(2), 1, &pacer)
            .await
            .unwrap();
        let e = EngineId::decode(&id).unwrap();
        assert_eq!(
            (e.enterprise, e.mac()),
            (3902, Some([0x00, 0x19, 0xc6, 0x01, 0x0e, 0x3c]))
        );
        let silent = SocketAddr::new("127.42.0.2".parse().unwrap(), port);
        assert_eq!(
            discover_engine_id(silent, Duration::from_millis(100), 1, &pacer).await,
            Err(SnmpError::Timeout)
        );
        assert_eq!(
            pacer.sent.load(Ordering::Relaxed),
            3,
            "one probe plus one for each silent attempt"
        );
        sim.stop().await;
    }
}
