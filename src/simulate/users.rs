//! The SNMPv3 users a simulated agent serves, as a person writes them on the command line.

use crate::snmp::credentials::{auth_protocol, priv_protocol};
use crate::snmp::{Secret, UsmUser};

/// Parses a user as `simulate --v3-user` takes it: NAME (noAuthNoPriv), NAME:AUTH:PASS
/// (authNoPriv) or NAME:AUTH:PASS:PRIV:PASS (authPriv), protocols in our spellings or
/// net-snmp's, in any case.
pub fn parse_user(s: &str) -> Result<UsmUser, String> {
    let parts: Vec<&str> = s.splitn(5, ':').collect();
    let expected = "expected NAME, NAME:AUTH:PASS or NAME:AUTH:PASS:PRIV:PASS";
    let auth = |a: &str, p: &str| {
        auth_protocol(a)
            .map(|a| (a, Secret::new(p)))
            .ok_or_else(|| format!("unknown auth protocol {a:?} ({expected})"))
    };
    let privacy = |a: &str, p: &str| {
        priv_protocol(a)
            .map(|a| (a, Secret::new(p)))
            .ok_or_else(|| format!("unknown privacy protocol {a:?} ({expected})"))
    };
    let (auth, privacy) = match parts[..] {
        [_] => (None, None),
        [_, a, p] => (Some(auth(a, p)?), None),
        [_, a, p, x, q] => (Some(auth(a, p)?), Some(privacy(x, q)?)),
        _ => return Err(expected.into()),
    };
    if parts[0].is_empty() {
        return Err(format!("empty user name: {expected}"));
    }
    Ok(UsmUser {
        name: parts[0].to_string(),
        auth,
        privacy,
        context: None,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_user;
    use crate::snmp::{AuthProtocol, PrivProtocol};

    #[test]
    fn v3_users_take_net_snmp_spellings_beside_ours() {
        for (arg, auth, privacy) in [
            (
                "u:SHA-512:authpass1:AES-256:privpass1",
                AuthProtocol::Sha512,
                PrivProtocol::Aes256,
            ),
            (
                "u:sha512:authpass1:aes256:privpass1",
                AuthProtocol::Sha512,
                PrivProtocol::Aes256,
            ),
            (
                "u:SHA:authpass1:AES:privpass1",
                AuthProtocol::Sha1,
                PrivProtocol::Aes128,
            ),
            (
                "u:MD5:authpass1:DES:privpass1",
                AuthProtocol::Md5,
                PrivProtocol::Des,
            ),
            (
                "u:Sha-256:authpass1:Aes-192:privpass1",
                AuthProtocol::Sha256,
                PrivProtocol::Aes192,
            ),
        ] {
            let user = parse_user(arg).unwrap_or_else(|e| panic!("{arg}: {e}"));
            assert_eq!(user.auth.map(|a| a.0), Some(auth), "{arg}");
            assert_eq!(user.privacy.map(|p| p.0), Some(privacy), "{arg}");
        }
        assert!(parse_user("u:sha3:authpass1").is_err());
    }
}
