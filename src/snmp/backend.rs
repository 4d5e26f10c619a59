//! [`Connector`] and [`Session`] over the `async-snmp` crate: one shared UDP socket per
//! address family, responses matched to requests by request ID and source address (an answer
//! from another address than the one asked is dropped); the client drops answers sent twice
//! and those that do not decode.

use std::net::SocketAddr;
use std::time::Duration;

use async_snmp::transport::{UdpHandle, UdpTransport};
use async_snmp::{Auth, Client, Retry};

use super::{Connector, Credential, CredentialKind, PrivProtocol, Session, SnmpError, UsmUser};
use crate::wire::{Oid, Value, VarBind, Version};

/// Sessions over two shared sockets, one for IPv4 targets and one for IPv6.
pub struct AsyncSnmp {
    v4: UdpTransport,
    v6: Option<UdpTransport>,
    des: std::sync::OnceLock<Result<async_snmp::DesSaltState, String>>,
}

/// The receive buffer asked for the shared sockets.
const RECEIVE_BUFFER: usize = 8 << 20;

impl AsyncSnmp {
    /// Binds the shared sockets on ephemeral ports. IPv6 is optional: a host without it still
    /// sweeps IPv4.
    pub async fn bind() -> Result<Self, SnmpError> {
        // Walks of hundreds of devices at once answer in bursts of large GETBULK responses:
        // ask for a receive buffer that holds them (the kernel caps it at net.core.rmem_max).
        let bind = |addr: &'static str| {
            UdpTransport::builder()
                .bind(addr)
                .recv_buffer_size(RECEIVE_BUFFER)
                .build()
        };
        let v4 = bind("0.0.0.0:0")
            .await
            .map_err(|e| SnmpError::Network(e.to_string()))?;
        let v6 = bind("[::]:0").await.ok();
        Ok(AsyncSnmp {
            v4,
            v6,
            des: std::sync::OnceLock::new(),
        })
    }
}

/// One agent, one credential.
#[derive(Clone)]
pub struct AsyncSnmpSession {
    client: Client<UdpHandle>,
    version: Version,
}

impl Connector for AsyncSnmp {
    type Session = AsyncSnmpSession;

    async fn session(
        &self,
        peer: SocketAddr,
        credential: &Credential,
        timeout: Duration,
    ) -> Result<Self::Session, SnmpError> {
        let transport = match peer {
            SocketAddr::V4(_) => &self.v4,
            SocketAddr::V6(_) => self
                .v6
                .as_ref()
                .ok_or_else(|| SnmpError::Network("no IPv6 socket".into()))?,
        };
        let auth: Auth = match &credential.kind {
            CredentialKind::Community {
                version: Version::V1,
                community,
            } => Auth::v1(community.expose()),
            CredentialKind::Community { community, .. } => Auth::v2c(community.expose()),
            CredentialKind::Usm(u) => usm(u)?.into(),
        };
        // An answer must come from the address asked: one from elsewhere (a spoof, or another
        // device's answer that happens to carry a pending request-id) is dropped, and the
        // request waits on for the real one.
        let mut builder = Client::builder(peer, auth)
            .request_timeout(timeout)
            .retry(Retry::none())
            .strict_source(true);
        if let CredentialKind::Usm(UsmUser {
            privacy: Some((PrivProtocol::Des | PrivProtocol::Des3, _)),
            ..
        }) = &credential.kind
        {
            let state = self
                .des
                .get_or_init(des_salt_state)
                .clone()
                .map_err(SnmpError::Other)?;
            builder = builder.des_salt_state(state);
        }
        let client = builder.build_with(transport).await.map_err(convert_error)?;
        Ok(AsyncSnmpSession {
            client,
            version: credential.version(),
        })
    }
}

impl Session for AsyncSnmpSession {
    fn version(&self) -> Version {
        self.version
    }

    fn peer(&self) -> SocketAddr {
        self.client.peer_addr()
    }

    async fn get(&self, oids: &[Oid]) -> Result<Vec<VarBind>, SnmpError> {
        let oids: Vec<_> = oids.iter().map(to_lib_oid).collect();
        let r = self.client.get_many(&oids).await.map_err(convert_error)?;
        Ok(r.varbinds.into_iter().map(from_lib_varbind).collect())
    }

    async fn get_next(&self, oids: &[Oid]) -> Result<Vec<VarBind>, SnmpError> {
        let oids: Vec<_> = oids.iter().map(to_lib_oid).collect();
        let r = self
            .client
            .get_next_many(&oids)
            .await
            .map_err(convert_error)?;
        Ok(r.varbinds.into_iter().map(from_lib_varbind).collect())
    }

    async fn get_bulk(
        &self,
        oids: &[Oid],
        non_repeaters: u32,
        max_repetitions: u32,
    ) -> Result<Vec<VarBind>, SnmpError> {
        let oids: Vec<_> = oids.iter().map(to_lib_oid).collect();
        let r = self
            .client
            .get_bulk(&oids, non_repeaters, max_repetitions)
            .await
            .map_err(convert_error)?;
        Ok(r.into_iter().map(from_lib_varbind).collect())
    }
}

/// DES and 3DES privacy need salts that never repeat for a key, across runs too: the
/// generating-engine boots counter that makes them unique is kept in the user's data folder
/// (`des-salt-boots`) and advanced at every run that uses DES.
fn des_salt_state() -> Result<async_snmp::DesSaltState, String> {
    use async_snmp::{DesSaltState, PersistedDesSaltState};
    let dir = crate::data_dir::user_data_dir()
        .ok_or("no data folder for the DES salt state (set NETORIGIN_DATA_DIR)")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("des-salt-boots");
    let persist = |s: &PersistedDesSaltState| -> Result<(), std::io::Error> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, s.engine_boots().to_string())?;
        std::fs::rename(&tmp, &path)
    };
    let previous = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| t.trim().parse::<u32>().ok());
    let state = match previous {
        Some(boots) => {
            PersistedDesSaltState::new(boots).and_then(|p| DesSaltState::restart(p, persist))
        }
        None => DesSaltState::install(persist),
    };
    state.map_err(|e| format!("DES salt state in {}: {e}", path.display()))
}

/// The library's USM configuration for a user.
fn usm(u: &UsmUser) -> Result<async_snmp::UsmConfig, SnmpError> {
    use crate::usm::{lib_auth as auth, lib_priv as privacy};
    let config = async_snmp::UsmConfig::new(u.name.clone().into_bytes());
    let config = match (&u.auth, &u.privacy) {
        (None, _) => Ok(config),
        (Some((a, ap)), None) => config.auth(auth(*a), ap.expose().as_bytes()),
        (Some((a, ap)), Some((p, pp))) => config.auth_priv(
            auth(*a),
            ap.expose().as_bytes(),
            privacy(*p),
            pp.expose().as_bytes(),
        ),
    }
    .map_err(|e| SnmpError::Other(format!("cannot set up v3 user {:?}: {e}", u.name)))?;
    Ok(match &u.context {
        Some(c) => config.context_name(c.clone().into_bytes()),
        None => config,
    })
}

fn to_lib_oid(oid: &Oid) -> async_snmp::Oid {
    async_snmp::Oid::from_slice(oid.arcs())
}

fn from_lib_varbind(vb: async_snmp::VarBind) -> VarBind {
    use async_snmp::Value as L;
    let value = match vb.value {
        L::Integer(i) => Value::Integer(i64::from(i)),
        L::OctetString(b) => Value::OctetString(b.to_vec()),
        L::Null => Value::Null,
        L::ObjectIdentifier(o) => Value::ObjectId(Oid::new(o.arcs().to_vec())),
        L::IpAddress(a) => Value::IpAddress(a),
        L::Counter32(v) => Value::Counter32(v),
        L::Gauge32(v) | L::UInteger32(v) => Value::Gauge32(v),
        L::TimeTicks(v) => Value::TimeTicks(v),
        L::Opaque(b) => Value::Opaque(b.to_vec()),
        L::Nsap(b) => Value::Unknown(crate::wire::ber::tag::NSAP_ADDRESS, b.to_vec()),
        L::Counter64(v) => Value::Counter64(v),
        L::NoSuchObject => Value::NoSuchObject,
        L::NoSuchInstance => Value::NoSuchInstance,
        L::EndOfMibView => Value::EndOfMibView,
        other => Value::Unknown(0, format!("{other:?}").into_bytes()),
    };
    VarBind::new(Oid::new(vb.oid.arcs().to_vec()), value)
}

fn convert_error(e: Box<async_snmp::Error>) -> SnmpError {
    use async_snmp::ErrorKind as K;
    match (e.kind(), e.as_ref()) {
        (_, async_snmp::Error::Snmp { status, index, .. }) => SnmpError::Status {
            status: status.as_i32(),
            index: *index,
        },
        (K::Timeout, _) => SnmpError::Timeout,
        (K::Network | K::Closed, _) => SnmpError::Network(e.to_string()),
        (K::Decode | K::MalformedResponse | K::ResponseShape, _) => {
            SnmpError::Malformed(e.to_string())
        }
        _ => SnmpError::Other(e.to_string()),
    }
}
