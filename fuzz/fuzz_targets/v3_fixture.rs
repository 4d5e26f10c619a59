//! The SNMPv3 agent the `agent_v3` target attacks, and real messages to it built with
//! netorigin's own USM code: shared by the target and by `examples/fuzz_seeds.rs`, which writes
//! the messages as the target's seeds. Not a fuzz target itself (no `[[bin]]` names it).

// Each user of this module uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use netorigin::simulate::{Agent, Recording};
use netorigin::snmp::{AuthProtocol, PrivProtocol, Secret, UsmUser};
use netorigin::usm::{LocalKeys, UserKeys};
use netorigin::wire::v3::{self, V3Message};
use netorigin::wire::{Pdu, PduKind, Value, VarBind};

/// A Huawei router's system group, with a fixed engine ID so that saved seeds stay valid.
const RECORDING: &[u8] = b"# engine-id: 800007db03001122334455\n\
1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform Software\n\
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n\
1.3.6.1.2.1.1.3.0|67|233425120\n\
1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n\
1.3.6.1.2.1.31.1.1.1.6.1|70|5\n";

/// One user of each security level that checks something, with the protocols of each family:
/// HMAC-MD5/SHA-1 with DES, SHA-2 with AES-128 and AES-256.
pub fn users() -> Vec<UsmUser> {
    let user = |name: &str, auth: AuthProtocol, privacy: Option<PrivProtocol>| UsmUser {
        name: name.into(),
        auth: Some((auth, Secret::new("fuzzauth1"))),
        privacy: privacy.map(|p| (p, Secret::new("fuzzpriv1"))),
        context: None,
    };
    vec![
        user("md5-none", AuthProtocol::Md5, None),
        user("sha512-none", AuthProtocol::Sha512, None),
        user("sha-des", AuthProtocol::Sha1, Some(PrivProtocol::Des)),
        user(
            "sha256-aes",
            AuthProtocol::Sha256,
            Some(PrivProtocol::Aes128),
        ),
        user(
            "sha512-aes256",
            AuthProtocol::Sha512,
            Some(PrivProtocol::Aes256),
        ),
    ]
}

/// The agent, serving every user of [`users`].
pub fn agent() -> Agent {
    let rec = Recording::parse_strict(Path::new("fuzz"), RECORDING).expect("fixture parses");
    let keys: Vec<UserKeys> = users()
        .iter()
        .map(|u| UserKeys::new(u).expect("fixture user"))
        .collect();
    Agent::new(Arc::new(rec), None)
        .with_v3_users(&keys)
        .expect("fixture users localize")
        .with_max_message_size(1500)
}

/// Each user's name and keys localized to `agent`'s engine.
pub fn local_keys(agent: &Agent) -> Vec<(Vec<u8>, LocalKeys)> {
    users()
        .iter()
        .map(|u| {
            let keys = UserKeys::new(u).expect("fixture user");
            let local = keys.localize(agent.engine_id()).expect("localizes");
            (u.name.clone().into_bytes(), local)
        })
        .collect()
}

/// A request of `user` whose scoped PDU is `scoped` (its plaintext encoding): encrypted when
/// the user encrypts, signed when it authenticates, as a manager sends it.
pub fn request(
    agent: &Agent,
    user: &[u8],
    keys: &LocalKeys,
    msg_id: i32,
    scoped: &[u8],
) -> Vec<u8> {
    let (boots, time) = (1u32, 2_334_251u32);
    let mut flags = v3::flags::REPORTABLE;
    let (scoped, privacy) = if keys.encrypts() {
        flags |= v3::flags::PRIV;
        let (cipher, params) = keys.encrypt(scoped, boots, time).expect("encrypts");
        (v3::Scoped::Encrypted(cipher), params)
    } else {
        let plain = v3::decode_scoped_pdu(scoped).unwrap_or(v3::Scoped::Encrypted(scoped.to_vec()));
        (plain, Vec::new())
    };
    if keys.authenticates() {
        flags |= v3::flags::AUTH;
    }
    let mut m = V3Message {
        msg_id,
        max_size: 65_507,
        flags,
        security_model: 3,
        usm: v3::Usm {
            engine_id: agent.engine_id().to_vec(),
            boots: i64::from(boots),
            time: i64::from(time),
            user: user.to_vec(),
            auth: vec![0; keys.mac_len()],
            privacy,
        },
        scoped,
    };
    if keys.authenticates() {
        m.usm.auth = keys.sign(&m.encode()).expect("signs");
    }
    m.encode()
}

/// The plaintext scoped PDU of a request of `kind` for `oids`, in the agent's context.
pub fn scoped_pdu(agent: &Agent, kind: PduKind, oids: &[&str], repetitions: i64) -> Vec<u8> {
    let pdu = Pdu {
        kind,
        request_id: 77,
        error_status: 0,
        error_index: repetitions,
        varbinds: oids
            .iter()
            .map(|o| VarBind::new(o.parse().expect("fixture OID"), Value::Null))
            .collect(),
    };
    v3::encode_scoped_pdu(agent.engine_id(), b"", &pdu)
}

/// Real requests to the agent: discovery, then a GET, a GETNEXT and a GETBULK of every user.
pub fn messages(agent: &Agent) -> Vec<Vec<u8>> {
    let mut out = vec![V3Message::discovery(1, 1).encode()];
    for (i, (name, keys)) in local_keys(agent).iter().enumerate() {
        let id = i32::try_from(i).unwrap_or(0) * 3 + 2;
        for (n, (kind, oids, reps)) in [
            (
                PduKind::Get,
                &["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0"][..],
                0,
            ),
            (PduKind::GetNext, &["1.3.6.1.2.1.1"][..], 0),
            (PduKind::GetBulk, &["1.3.6.1.2.1"][..], 8),
        ]
        .into_iter()
        .enumerate()
        {
            let scoped = scoped_pdu(agent, kind, oids, reps);
            out.push(request(agent, name, keys, id + n as i32, &scoped));
        }
    }
    out
}
