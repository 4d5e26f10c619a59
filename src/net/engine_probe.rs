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
use crate::usm::LocalKeys;
use crate::wire::v3::{self, V3Message};
use crate::wire::{Pdu, PduKind, Value, VarBind};

static NEXT_ID: AtomicI32 = AtomicI32::new(0x2f00_0000);

pub use crate::snmp::contact::Engine;

/// Asks `peer` for its engine ID; waits `timeout` per attempt, `retries` more attempts, each
/// counted by the pacer. Answers from elsewhere (the socket is connected), for another msgID,
/// or that do not decode are ignored; when nothing else came, the error says what did
/// ([`SnmpError::Malformed`], or [`SnmpError::Other`] for answers that came too late), so a
/// device that only misbehaves is still told from a silent address.
pub async fn discover_engine_id(
    peer: SocketAddr,
    timeout: Duration,
    retries: u32,
    pacer: &Arc<Pacer>,
) -> Result<Engine, SnmpError> {
    let reply = exchange(peer, timeout, retries, pacer, |id| {
        V3Message::discovery(id, id).encode()
    })
    .await?;
    if reply.usm.engine_id.is_empty() {
        return Err(SnmpError::Malformed(
            "discovery Report without an engine ID".into(),
        ));
    }
    Ok(Engine {
        id: reply.usm.engine_id,
        boots: u32::try_from(reply.usm.boots).unwrap_or(0),
        time: u32::try_from(reply.usm.time).unwrap_or(0),
    })
}

/// Why a v3 user was refused, from the agent's Report (RFC 3414 section 3.2).
pub fn refusal(report: &crate::wire::Oid) -> &'static str {
    match report.arcs() {
        [1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0] => {
            "security level not supported for this user (usmStatsUnsupportedSecLevels)"
        }
        [1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0] => "not in the time window (usmStatsNotInTimeWindows)",
        [1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0] => "unknown user (usmStatsUnknownUserNames)",
        [1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0] => "unknown engine ID (usmStatsUnknownEngineIDs)",
        [1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0] => {
            "wrong authentication pass phrase or protocol (usmStatsWrongDigests)"
        }
        [1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0] => {
            "wrong privacy pass phrase or protocol (usmStatsDecryptionErrors)"
        }
        _ => "refused by the agent (an unexpected Report)",
    }
}

/// Tries a v3 user with one authenticated (and, where the user has privacy, encrypted)
/// GET of sysUpTime.0, built here from the keys, so that an agent's Report says at once why a
/// user is refused. `Ok` when the agent answered; `Err` with the reason otherwise.
pub async fn check_user(
    peer: SocketAddr,
    engine: &Engine,
    keys: &LocalKeys,
    timeout: Duration,
    retries: u32,
    pacer: &Arc<Pacer>,
) -> Result<(), String> {
    let build = |id: i32| -> Vec<u8> {
        let pdu = Pdu {
            kind: PduKind::Get,
            request_id: id,
            error_status: 0,
            error_index: 0,
            varbinds: vec![VarBind::new(
                crate::oid![1, 3, 6, 1, 2, 1, 1, 3, 0],
                Value::Null,
            )],
        };
        let mut flags = v3::flags::REPORTABLE;
        let mut usm = v3::Usm {
            engine_id: engine.id.clone(),
            boots: i64::from(engine.boots),
            time: i64::from(engine.time),
            user: keys.name.clone(),
            auth: vec![0; keys.mac_len()],
            privacy: Vec::new(),
        };
        let plain = v3::encode_scoped_pdu(&engine.id, &[], &pdu);
        let scoped = if keys.encrypts() {
            flags |= v3::flags::PRIV;
            match keys.encrypt(&plain, engine.boots, engine.time) {
                Ok((cipher, params)) => {
                    usm.privacy = params;
                    v3::Scoped::Encrypted(cipher)
                }
                Err(_) => return Vec::new(),
            }
        } else {
            v3::Scoped::Plain {
                context_engine_id: engine.id.clone(),
                context_name: Vec::new(),
                pdu,
            }
        };
        if keys.authenticates() {
            flags |= v3::flags::AUTH;
        }
        let mut m = V3Message {
            msg_id: id,
            max_size: 65_507,
            flags,
            security_model: 3,
            usm,
            scoped,
        };
        if keys.authenticates() {
            match keys.sign(&m.encode()) {
                Ok(mac) => m.usm.auth = mac,
                Err(_) => return Vec::new(),
            }
        }
        m.encode()
    };
    let reply = exchange(peer, timeout, retries, pacer, build)
        .await
        .map_err(|e| match e {
            SnmpError::Timeout => "no response".to_string(),
            other => other.to_string(),
        })?;
    match &reply.scoped {
        v3::Scoped::Plain { pdu, .. } if pdu.kind == PduKind::Report => Err(pdu
            .varbinds
            .first()
            .map_or("refused by the agent (an empty Report)", |vb| {
                refusal(&vb.oid)
            })
            .to_string()),
        _ => Ok(()),
    }
}

/// One v3 request and the reply with its msgID, retried on silence; [`SnmpError::Timeout`] only
/// when nothing at all came back.
async fn exchange(
    peer: SocketAddr,
    timeout: Duration,
    retries: u32,
    pacer: &Arc<Pacer>,
    build: impl Fn(i32) -> Vec<u8>,
) -> Result<V3Message, SnmpError> {
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
    let mut buf = vec![0u8; 65_536];
    let mut asked: Vec<i32> = Vec::new();
    // What came back that was not the answer, to say why a probe with replies still failed.
    let mut ignored: Option<SnmpError> = None;
    for _ in 0..=retries {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed) & 0x7fff_ffff;
        let request = build(id);
        if request.is_empty() {
            return Err(SnmpError::Other("cannot build the request".into()));
        }
        asked.push(id);
        pacer.ready().await;
        // A closed port answers with ICMP, which a connected socket reports: that is silence.
        if socket.send(&request).await.is_err() {
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
                Ok(Ok(n)) => match V3Message::decode(&buf[..n]) {
                    Ok(m) if m.msg_id == id => return Ok(m),
                    Ok(m) if asked.contains(&m.msg_id) => {
                        ignored.get_or_insert(SnmpError::Other(
                            "answered only after the timeout".into(),
                        ));
                    }
                    Ok(m) => {
                        ignored.get_or_insert(SnmpError::Malformed(format!(
                            "answered for msgID {} where {id} was asked",
                            m.msg_id
                        )));
                    }
                    Err(e) => {
                        ignored.get_or_insert(SnmpError::Malformed(format!(
                            "answered with {n} octets that do not decode as SNMPv3 ({e})"
                        )));
                    }
                },
            }
        }
    }
    Err(ignored.unwrap_or(SnmpError::Timeout))
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
        let e = EngineId::decode(&id.id).unwrap();
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
