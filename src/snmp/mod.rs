//! The SNMP manager side: a small trait that the rest of netorigin speaks ([`Session`],
//! [`Connector`]), its implementation over the `async-snmp` crate ([`backend`]), and the
//! sans-IO GETBULK/GETNEXT walk ([`walk`]).
//!
//! Nothing outside this module names `async-snmp`, so the client can be replaced.

pub mod backend;
pub mod walk;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use crate::wire::{Oid, VarBind, Version};

/// A secret string (a community, later a v3 pass phrase). `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself, for the wire only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How to talk to an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The message version.
    pub version: Version,
    /// The community.
    pub community: Secret,
    /// The credential's place in the user's list (1-based), to name it without its secret.
    pub index: usize,
}

impl Credential {
    /// A name for this credential that reveals no secret: `v2c community #1`.
    pub fn label(&self) -> String {
        format!("{} community #{}", self.version, self.index)
    }
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnmpError {
    /// No answer within the timeout (after every retry).
    #[error("no response")]
    Timeout,
    /// The agent answered with an error status.
    #[error("agent answered error status {status} at index {index}")]
    Status {
        /// The error status (RFC 3416: 1 tooBig, 2 noSuchName, 5 genErr...).
        status: i32,
        /// The error index.
        index: u32,
    },
    /// The answer was not a well-formed response.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// A local socket error.
    #[error("network error: {0}")]
    Network(String),
    /// Anything else the client reported.
    #[error("{0}")]
    Other(String),
}

/// An established path to one agent with one credential. Each call is one exchange (the
/// client sends, waits up to its timeout, and does not retry: retries and pacing are the
/// caller's, so that every datagram is counted by the rate limiter).
pub trait Session: Send + Sync {
    /// The message version in use.
    fn version(&self) -> Version;
    /// The agent's address.
    fn peer(&self) -> SocketAddr;
    /// GET.
    fn get(&self, oids: &[Oid]) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send;
    /// GETNEXT.
    fn get_next(
        &self,
        oids: &[Oid],
    ) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send;
    /// GETBULK (v2c).
    fn get_bulk(
        &self,
        oids: &[Oid],
        non_repeaters: u32,
        max_repetitions: u32,
    ) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send;
}

/// Makes sessions.
pub trait Connector: Send + Sync + 'static {
    /// The session type.
    type Session: Session + 'static;
    /// A session to `peer` with `credential`, each exchange bounded by `timeout`.
    fn session(
        &self,
        peer: SocketAddr,
        credential: &Credential,
        timeout: Duration,
    ) -> impl Future<Output = Result<Self::Session, SnmpError>> + Send;
}

/// Well-known OIDs of the probe.
pub mod oids {
    use crate::wire::Oid;

    /// sysDescr.0
    pub fn sys_descr() -> Oid {
        crate::oid![1, 3, 6, 1, 2, 1, 1, 1, 0]
    }
    /// sysObjectID.0
    pub fn sys_object_id() -> Oid {
        crate::oid![1, 3, 6, 1, 2, 1, 1, 2, 0]
    }
    /// sysUpTime.0
    pub fn sys_uptime() -> Oid {
        crate::oid![1, 3, 6, 1, 2, 1, 1, 3, 0]
    }
    /// sysName.0
    pub fn sys_name() -> Oid {
        crate::oid![1, 3, 6, 1, 2, 1, 1, 5, 0]
    }
}
