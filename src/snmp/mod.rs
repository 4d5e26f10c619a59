//! The SNMP manager side: a small trait that the rest of netorigin speaks ([`Session`],
//! [`Connector`]), its implementation over the `async-snmp` crate ([`backend`]), the sans-IO
//! GETBULK/GETNEXT walk ([`walk`]), and the guard that keeps a misbehaving device's session
//! bounded ([`guard`]).
//!
//! Nothing outside this module and [`crate::usm`] (the v3 keys) names `async-snmp`, so the
//! client can be replaced. The v3 user and its protocols are [`crate::usm`]'s, re-exported
//! here.

pub mod backend;
pub mod contact;
pub mod credentials;
pub mod guard;
#[cfg(test)]
pub(crate) mod in_memory;
pub mod walk;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

pub use crate::usm::{AuthProtocol, PrivProtocol, Secret, UsmUser};
use crate::wire::{Oid, VarBind, Version};

/// What a credential is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialKind {
    /// A v1 or v2c community.
    Community {
        /// v1 or v2c.
        version: Version,
        /// The community.
        community: Secret,
    },
    /// A v3 user.
    Usm(UsmUser),
}

/// How to talk to an agent: one rung of the credential ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// What it is.
    pub kind: CredentialKind,
    /// Its place in the user's list (1-based), to name it without its secret.
    pub index: usize,
    /// Where it may be used (empty: everywhere).
    pub scope: Vec<ipnet::IpNet>,
}

impl Credential {
    /// A community credential usable everywhere.
    pub fn community(version: Version, community: Secret, index: usize) -> Self {
        Credential {
            kind: CredentialKind::Community { version, community },
            index,
            scope: Vec::new(),
        }
    }

    /// The message version it speaks.
    pub fn version(&self) -> Version {
        match &self.kind {
            CredentialKind::Community { version, .. } => *version,
            CredentialKind::Usm(_) => Version::V3,
        }
    }

    /// Whether it may be used for `address`.
    pub fn applies_to(&self, address: std::net::IpAddr) -> bool {
        self.scope.is_empty() || self.scope.iter().any(|n| n.contains(&address))
    }

    /// A name for this credential that reveals no secret: `v2c community #1`,
    /// `v3 user "monitor" (SHA-512, AES-256) #3`.
    pub fn label(&self) -> String {
        match &self.kind {
            CredentialKind::Community { version, .. } => {
                format!("{version} community #{}", self.index)
            }
            CredentialKind::Usm(u) => {
                let level = match (&u.auth, &u.privacy) {
                    (None, _) => "noAuthNoPriv".to_string(),
                    (Some((a, _)), None) => format!("{a:?}"),
                    (Some((a, _)), Some((p, _))) => format!("{a:?}, {p:?}"),
                };
                format!("v3 user {:?} ({level}) #{}", u.name, self.index)
            }
        }
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
    /// Not sent: the device stopped answering and is left alone ([`guard`]).
    #[error("{}", crate::record::GAVE_UP)]
    GaveUp,
    /// Not sent: the device's time limit was reached ([`guard`]).
    #[error("not asked: the device's time limit was reached")]
    TimeLimit,
}

impl From<crate::usm::KeyError> for SnmpError {
    fn from(e: crate::usm::KeyError) -> Self {
        SnmpError::Other(e.0)
    }
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

/// A session around another that does something around each of its exchanges (pacing and
/// retries in `net::Paced`, the device's protections in [`guard::Guarded`]): it names the
/// session inside and how one exchange is carried, and is a [`Session`] by forwarding, its
/// version and peer the inner session's.
pub trait Wrapper: Send + Sync {
    /// The session wrapped.
    type Inner: Session;

    /// The session wrapped.
    fn inner(&self) -> &Self::Inner;

    /// One exchange: `call` asks the inner session (once, or again on a retry).
    fn exchange<'a, F, Fut>(
        &'a self,
        call: F,
    ) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send
    where
        F: Fn(&'a Self::Inner) -> Fut + Send,
        Fut: Future<Output = Result<Vec<VarBind>, SnmpError>> + Send;

    /// GETBULK through the wrapper: by default one exchange like the others.
    fn bulk(
        &self,
        oids: &[Oid],
        non_repeaters: u32,
        max_repetitions: u32,
    ) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send {
        self.exchange(move |s| s.get_bulk(oids, non_repeaters, max_repetitions))
    }
}

impl<W: Wrapper> Session for W {
    fn version(&self) -> Version {
        self.inner().version()
    }

    fn peer(&self) -> SocketAddr {
        self.inner().peer()
    }

    fn get(&self, oids: &[Oid]) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send {
        self.exchange(move |s| s.get(oids))
    }

    fn get_next(
        &self,
        oids: &[Oid],
    ) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send {
        self.exchange(move |s| s.get_next(oids))
    }

    fn get_bulk(
        &self,
        oids: &[Oid],
        non_repeaters: u32,
        max_repetitions: u32,
    ) -> impl Future<Output = Result<Vec<VarBind>, SnmpError>> + Send {
        self.bulk(oids, non_repeaters, max_repetitions)
    }
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
    /// sysContact.0 (RFC 3418): who to ask about the device, as its operator wrote it.
    pub fn sys_contact() -> Oid {
        crate::oid![1, 3, 6, 1, 2, 1, 1, 4, 0]
    }
    /// sysLocation.0 (RFC 3418): where the device is, as its operator wrote it (site codes
    /// are often in it).
    pub fn sys_location() -> Oid {
        crate::oid![1, 3, 6, 1, 2, 1, 1, 6, 0]
    }
}
