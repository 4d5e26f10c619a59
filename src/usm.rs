//! SNMPv3 users of the User-based Security Model and their keys (RFC 3414 A.2 key localization,
//! RFC 3414/7860 HMACs, RFC 3414 DES and RFC 3826 AES privacy), over the `async-snmp` crate's
//! primitives: below both the manager (`snmp`, which re-exports the user types) and the
//! sans-IO agent (`agent`), so that the agent can serve v3 users without naming that crate or
//! sitting above the manager.

use std::sync::Arc;

use async_snmp::v3::{PrivKey, SaltCounter};
use async_snmp::{DesSaltState, LocalizedKey, MasterKey, PersistedDesSaltState};

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

/// A key that could not be derived or used (the crypto library's words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

/// The library's auth protocol for ours.
pub(crate) fn lib_auth(a: AuthProtocol) -> async_snmp::AuthProtocol {
    use async_snmp::AuthProtocol as A;
    match a {
        AuthProtocol::Md5 => A::Md5,
        AuthProtocol::Sha1 => A::Sha1,
        AuthProtocol::Sha224 => A::Sha224,
        AuthProtocol::Sha256 => A::Sha256,
        AuthProtocol::Sha384 => A::Sha384,
        AuthProtocol::Sha512 => A::Sha512,
    }
}

/// The library's privacy protocol for ours.
pub(crate) fn lib_priv(p: PrivProtocol) -> async_snmp::PrivProtocol {
    use async_snmp::PrivProtocol as P;
    match p {
        PrivProtocol::Des => P::Des,
        PrivProtocol::Des3 => P::Des3,
        PrivProtocol::Aes128 => P::Aes128,
        PrivProtocol::Aes192 => P::Aes192Blumenthal,
        PrivProtocol::Aes256 => P::Aes256Blumenthal,
        PrivProtocol::Aes192Cisco => P::Aes192Reeder,
        PrivProtocol::Aes256Cisco => P::Aes256Reeder,
    }
}

fn err(e: impl std::fmt::Display) -> KeyError {
    KeyError(e.to_string())
}

/// A user's master keys (the expensive 1 MB password hashing, done once), ready to be
/// localized to each engine.
#[derive(Clone)]
pub struct UserKeys {
    name: String,
    auth: Option<Arc<MasterKey>>,
    privacy: Option<(PrivProtocol, Arc<MasterKey>)>,
}

impl UserKeys {
    /// Derives a user's master keys.
    pub fn new(user: &UsmUser) -> Result<Self, KeyError> {
        let auth = match &user.auth {
            Some((a, pass)) => Some(Arc::new(
                MasterKey::from_str_password(lib_auth(*a), pass.expose()).map_err(err)?,
            )),
            None => None,
        };
        let privacy = match (&user.auth, &user.privacy) {
            (Some((a, _)), Some((p, pass))) => Some((
                *p,
                Arc::new(MasterKey::from_str_password(lib_auth(*a), pass.expose()).map_err(err)?),
            )),
            _ => None,
        };
        Ok(UserKeys {
            name: user.name.clone(),
            auth,
            privacy,
        })
    }

    /// The user name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The keys localized to an engine ID.
    pub fn localize(&self, engine_id: &[u8]) -> Result<LocalKeys, KeyError> {
        let auth = match &self.auth {
            Some(m) => Some(m.localize(engine_id).map_err(err)?),
            None => None,
        };
        let privacy = match &self.privacy {
            Some((p, m)) => {
                Some(PrivKey::from_master_key(m, lib_priv(*p), engine_id).map_err(err)?)
            }
            None => None,
        };
        // A simulated agent's DES salts only need to be unique within its run.
        let des = DesSaltState::install(|_: &PersistedDesSaltState| Ok::<(), std::io::Error>(()))
            .map_err(err)?;
        Ok(LocalKeys {
            name: self.name.clone().into_bytes(),
            auth,
            privacy,
            des,
            salt: SaltCounter::new().map_err(err)?,
        })
    }
}

impl std::fmt::Debug for UserKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserKeys")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for LocalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKeys")
            .field("name", &String::from_utf8_lossy(&self.name))
            .finish_non_exhaustive()
    }
}

/// A user's keys localized to one engine.
pub struct LocalKeys {
    /// The user name, as on the wire.
    pub name: Vec<u8>,
    auth: Option<LocalizedKey>,
    privacy: Option<PrivKey>,
    des: DesSaltState,
    salt: SaltCounter,
}

impl LocalKeys {
    /// Whether the user authenticates.
    pub fn authenticates(&self) -> bool {
        self.auth.is_some()
    }

    /// Whether the user encrypts.
    pub fn encrypts(&self) -> bool {
        self.privacy.is_some()
    }

    /// The length of this user's message authentication code.
    pub fn mac_len(&self) -> usize {
        self.auth.as_ref().map_or(0, LocalizedKey::mac_len)
    }

    /// The MAC of a whole message whose authentication parameters are zeros.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.auth
            .as_ref()
            .ok_or_else(|| err("no auth key"))?
            .compute_hmac(message)
            .map_err(err)
    }

    /// Whether `mac` authenticates `message` (whose authentication parameters are zeros).
    pub fn verify(&self, message: &[u8], mac: &[u8]) -> bool {
        self.auth
            .as_ref()
            .is_some_and(|k| k.verify_hmac(message, mac).unwrap_or(false))
    }

    /// Decrypts a scoped PDU.
    pub fn decrypt(
        &self,
        ciphertext: &[u8],
        boots: u32,
        time: u32,
        params: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        let k = self.privacy.as_ref().ok_or_else(|| err("no privacy key"))?;
        k.decrypt(ciphertext, boots, time, params)
            .map(|b| b.to_vec())
            .map_err(err)
    }

    /// Encrypts a scoped PDU as the authoritative engine: ciphertext and privacy parameters.
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        boots: u32,
        time: u32,
    ) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
        let k = self.privacy.as_ref().ok_or_else(|| err("no privacy key"))?;
        let (c, p) = match k.protocol() {
            async_snmp::PrivProtocol::Des | async_snmp::PrivProtocol::Des3 => {
                k.encrypt_des_family(plaintext, &self.des)
            }
            _ => k.encrypt_aes(plaintext, boots, time, &self.salt),
        }
        .map_err(err)?;
        Ok((c.to_vec(), p.to_vec()))
    }
}
