//! A [`Session`] to an in-memory simulated agent, for the tests of the walk and of the guard:
//! requests and answers go through the real codec with no sockets. An answer the client could
//! not decode, one to another request ID, or no answer is a timeout, as with the real client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{Session, SnmpError};
use crate::agent::{Agent, Fault};
use crate::wire::{Message, Oid, Pdu, PduKind, Value, VarBind, Version};

/// The session; counts the requests it carried.
pub struct InMemory {
    agent: Agent,
    version: Version,
    /// Rewrites each response before the caller sees it (to play a broken agent).
    tamper: fn(&mut Vec<VarBind>),
    /// Requests sent.
    pub sent: AtomicU32,
    /// GETBULK requests among them.
    pub bulks: AtomicU32,
}

impl InMemory {
    /// A session to `agent` in `version`.
    pub fn new(agent: Agent, version: Version) -> Self {
        InMemory {
            agent,
            version,
            tamper: |_| {},
            sent: AtomicU32::new(0),
            bulks: AtomicU32::new(0),
        }
    }

    /// Each response rewritten by `tamper` first.
    pub fn tampered(mut self, tamper: fn(&mut Vec<VarBind>)) -> Self {
        self.tamper = tamper;
        self
    }

    fn exchange(
        &self,
        kind: PduKind,
        oids: &[Oid],
        nr: u32,
        mr: u32,
    ) -> Result<Vec<VarBind>, SnmpError> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        if kind == PduKind::GetBulk {
            self.bulks.fetch_add(1, Ordering::Relaxed);
        }
        let req = Message {
            version: self.version,
            community: b"public".to_vec(),
            pdu: Pdu {
                kind,
                request_id: 1,
                error_status: i64::from(nr),
                error_index: i64::from(mr),
                varbinds: oids
                    .iter()
                    .map(|o| VarBind::new(o.clone(), Value::Null))
                    .collect(),
            },
        };
        let mut out = Vec::new();
        let reply = self.agent.respond(&req.encode(), &mut out);
        let silenced = reply.faulty && self.agent.faults().is_some_and(|f| f.has(Fault::Silent));
        if !reply.answered || silenced {
            return Err(SnmpError::Timeout);
        }
        let resp = Message::decode(&out).map_err(|_| SnmpError::Timeout)?;
        if resp.pdu.request_id != 1 {
            return Err(SnmpError::Timeout);
        }
        if resp.pdu.error_status != 0 {
            return Err(SnmpError::Status {
                status: resp.pdu.error_status as i32,
                index: resp.pdu.error_index as u32,
            });
        }
        let mut vbs = resp.pdu.varbinds;
        (self.tamper)(&mut vbs);
        Ok(vbs)
    }
}

impl Session for InMemory {
    fn version(&self) -> Version {
        self.version
    }
    fn peer(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 161))
    }
    async fn get(&self, oids: &[Oid]) -> Result<Vec<VarBind>, SnmpError> {
        self.exchange(PduKind::Get, oids, 0, 0)
    }
    async fn get_next(&self, oids: &[Oid]) -> Result<Vec<VarBind>, SnmpError> {
        self.exchange(PduKind::GetNext, oids, 0, 0)
    }
    async fn get_bulk(&self, oids: &[Oid], nr: u32, mr: u32) -> Result<Vec<VarBind>, SnmpError> {
        self.exchange(PduKind::GetBulk, oids, nr, mr)
    }
}
