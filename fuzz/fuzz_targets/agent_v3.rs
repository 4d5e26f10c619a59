//! The simulated agent with SNMPv3 users (authNoPriv and authPriv, MD5 to SHA-512, DES and
//! AES): whatever arrives, authentication, decryption and answering never panic.
//!
//! The first byte chooses how the rest reaches the agent:
//! - as the datagram itself (seeds: real requests, see `v3_fixture::messages`), so that
//!   digests and ciphertexts are checked against what the fuzzer made of them;
//! - as the plaintext scoped PDU of a request that one of the users encrypts and signs, so that
//!   hostile plaintext gets past authentication and decryption into the PDU decoder and the
//!   answer;
//! - as a ciphertext (and its privacy parameters) under a valid signature, so that decryption
//!   itself meets hostile input: DES and AES padding, lengths, and what decrypts to garbage.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netorigin::simulate::Agent;
use netorigin::usm::LocalKeys;
use netorigin::wire::v3::{self, V3Message};

#[path = "v3_fixture.rs"]
mod v3_fixture;

struct Target {
    agent: Agent,
    keys: Vec<(Vec<u8>, LocalKeys)>,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let agent = v3_fixture::agent();
        let keys = v3_fixture::local_keys(&agent);
        Target { agent, keys }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let t = target();
    let mut out = Vec::new();
    match mode % 3 {
        0 => {
            let _ = t.agent.respond(rest, &mut out);
        }
        1 => {
            let Some((&who, scoped)) = rest.split_first() else {
                return;
            };
            let (name, keys) = &t.keys[usize::from(who) % t.keys.len()];
            let datagram = v3_fixture::request(&t.agent, name, keys, 5, scoped);
            let _ = t.agent.respond(&datagram, &mut out);
        }
        _ => {
            // Only the users that encrypt: ciphertext and privacy parameters from the input.
            let Some((&who, rest)) = rest.split_first() else {
                return;
            };
            let encrypting: Vec<&(Vec<u8>, LocalKeys)> =
                t.keys.iter().filter(|(_, k)| k.encrypts()).collect();
            let (name, keys) = encrypting[usize::from(who) % encrypting.len()];
            let (params, cipher) = rest.split_at(rest.len().min(8));
            let mut m = V3Message {
                msg_id: 6,
                max_size: 65_507,
                flags: v3::flags::REPORTABLE | v3::flags::AUTH | v3::flags::PRIV,
                security_model: 3,
                usm: v3::Usm {
                    engine_id: t.agent.engine_id().to_vec(),
                    boots: 1,
                    time: 2_334_251,
                    user: name.clone(),
                    auth: vec![0; keys.mac_len()],
                    privacy: params.to_vec(),
                },
                scoped: v3::Scoped::Encrypted(cipher.to_vec()),
            };
            m.usm.auth = keys.sign(&m.encode()).expect("signs");
            let _ = t.agent.respond(&m.encode(), &mut out);
        }
    }
});
