//! The SNMP manager side: a small trait that the rest of netorigin speaks ([`Session`],
//! [`Connector`]), its implementation over the `async-snmp` crate ([`backend`]), the sans-IO
//! GETBULK/GETNEXT walk ([`walk`]), and the guard that keeps a misbehaving device's session
//! bounded ([`guard`]).
//!
//! Nothing outside this module names `async-snmp`, so the client can be replaced.

pub mod backend;
pub mod contact;
pub mod credentials;
pub mod guard;
pub mod usm;
pub mod walk;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use crate::wire::{Oid, VarBind, Version};

/// A secret (a community, a v3 pass phrase). Its memory is wiped when dropped; `Debug` never
/// shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(zeroize::Zeroizing::new(s.into()))
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

/// SNMPv3 authentication protocols (RFC 3414, RFC 7860).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProtocol {
    /// HMAC-MD5-96.
    Md5,
    /// HMAC-SHA-96.
    Sha1,
    /// HMAC-SHA-224-128.
    Sha224,
    /// HMAC-SHA-256-192.
    Sha256,
    /// HMAC-SHA-384-256.
    Sha384,
    /// HMAC-SHA-512-384.
    Sha512,
}

/// SNMPv3 privacy protocols (RFC 3414 DES, RFC 3826 AES-128; AES-192/256 with Blumenthal's
/// key extension as net-snmp does it, or Reeder's as Cisco does it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivProtocol {
    /// DES-CBC.
    Des,
    /// 3DES-EDE.
    Des3,
    /// AES-128-CFB.
    Aes128,
    /// AES-192-CFB, Blumenthal key extension.
    Aes192,
    /// AES-256-CFB, Blumenthal key extension.
    Aes256,
    /// AES-192-CFB, Reeder (Cisco) key extension.
    Aes192Cisco,
    /// AES-256-CFB, Reeder (Cisco) key extension.
    Aes256Cisco,
}

/// A v3 user of the User-based Security Model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsmUser {
    /// The user name.
    pub name: String,
    /// Authentication protocol and pass phrase (`None`: noAuthNoPriv).
    pub auth: Option<(AuthProtocol, Secret)>,
    /// Privacy protocol and pass phrase (`None`: no privacy).
    pub privacy: Option<(PrivProtocol, Secret)>,
    /// The context name.
    pub context: Option<String>,
}

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
