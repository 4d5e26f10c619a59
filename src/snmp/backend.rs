//! [`Connector`] and [`Session`] over the `async-snmp` crate: one shared UDP socket per
//! address family, responses matched to requests by request ID.

use std::net::SocketAddr;
use std::time::Duration;

use async_snmp::transport::{UdpHandle, UdpTransport};
use async_snmp::{Auth, Client, Retry};

use super::{Connector, Credential, Session, SnmpError};
use crate::wire::{Oid, Value, VarBind, Version};

/// Sessions over two shared sockets, one for IPv4 targets and one for IPv6.
pub struct AsyncSnmp {
    v4: UdpTransport,
    v6: Option<UdpTransport>,
}

impl AsyncSnmp {
    /// Binds the shared sockets on ephemeral ports. IPv6 is optional: a host without it still
    /// sweeps IPv4.
    pub async fn bind() -> Result<Self, SnmpError> {
        let v4 = UdpTransport::bind("0.0.0.0:0")
            .await
            .map_err(|e| SnmpError::Network(e.to_string()))?;
        let v6 = UdpTransport::bind("[::]:0").await.ok();
        Ok(AsyncSnmp { v4, v6 })
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
        let community = credential.community.expose();
        let auth = match credential.version {
            Version::V1 => Auth::v1(community),
            Version::V2c => Auth::v2c(community),
        };
        let client = Client::builder(peer, auth)
            .request_timeout(timeout)
            .retry(Retry::none())
            .build_with(transport)
            .await
            .map_err(convert_error)?;
        Ok(AsyncSnmpSession {
            client,
            version: credential.version,
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
