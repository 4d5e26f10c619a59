//! The credentials file (`--credentials FILE`, TOML): an ordered ladder of v1/v2c communities
//! and v3 users, each optionally scoped to CIDRs. Secrets come from the file, from an
//! environment variable (`*_env`), or from a file of their own (`*_file`). A credentials file
//! that others can read gets a warning. Errors name the file, line and column, and never
//! quote a secret.
//!
//! ```toml
//! [[credential]]
//! community_env = "NOC_COMMUNITY"     # or community = "...", or community_file = "path"
//! version = "v2c"                      # "v1", "v2c", or "both" (the default: v2c, then v1)
//! scope = ["10.20.0.0/16"]
//!
//! [[credential]]
//! user = "monitor"
//! auth = "sha512"                      # md5, sha1, sha224, sha256, sha384, sha512
//! auth_password_file = "/etc/netorigin/monitor.auth"
//! privacy = "aes256"                   # des, 3des, aes128, aes192, aes256, aes192-cisco, aes256-cisco
//!                                      # (net-snmp's SHA-512, AES-256, AES, DES also, any case)
//! privacy_password_env = "MONITOR_PRIV"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{AuthProtocol, Credential, CredentialKind, PrivProtocol, Secret, UsmUser};
use crate::wire::Version;

/// A mistake in a credentials file (its reason never a secret).
pub type CredentialsError = crate::location::FileError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    credential: Vec<Spanned<RawCredential>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredential {
    community: Option<String>,
    community_env: Option<String>,
    community_file: Option<PathBuf>,
    version: Option<Spanned<String>>,
    user: Option<String>,
    auth: Option<Spanned<String>>,
    auth_password: Option<String>,
    auth_password_env: Option<String>,
    auth_password_file: Option<PathBuf>,
    privacy: Option<Spanned<String>>,
    privacy_password: Option<String>,
    privacy_password_env: Option<String>,
    privacy_password_file: Option<PathBuf>,
    context: Option<String>,
    #[serde(default)]
    scope: Vec<Spanned<String>>,
}

/// What loading found besides the ladder: warnings to show (a file others can read).
#[derive(Debug, Default)]
pub struct Loaded {
    /// The ladder, in file order (a community of version "both" gives two rungs).
    pub credentials: Vec<Credential>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// Loads a credentials file.
pub fn load(path: &Path) -> Result<Loaded, CredentialsError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CredentialsError::unreadable(path, &e))?;
    let mut loaded = parse(
        &file,
        &text,
        |k| std::env::var(k).ok(),
        |p| std::fs::read_to_string(p).ok(),
    )?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            loaded.warnings.push(format!(
                "{file} can be read by other users (mode {:o}): chmod 600 it",
                meta.permissions().mode() & 0o777
            ));
        }
    }
    Ok(loaded)
}

/// Parses credentials text; `env` and `read` look up `*_env` variables and `*_file` files.
pub fn parse(
    file: &str,
    text: &str,
    env: impl Fn(&str) -> Option<String>,
    read: impl Fn(&Path) -> Option<String>,
) -> Result<Loaded, CredentialsError> {
    // toml's messages quote the offending value, which may be a secret: keep only the kind.
    let raw: RawFile = crate::location::parse_toml(file, text, |e| {
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .to_string();
        if message.contains("unknown field") || message.contains("missing field") {
            message
        } else {
            "invalid value or syntax".into()
        }
    })?;
    let reader = Reader {
        file,
        text,
        env: &env,
        read: &read,
    };
    let mut out = Loaded::default();
    for (n, spanned) in raw.credential.into_iter().enumerate() {
        let at = Place {
            start: spanned.span().start,
            index: n + 1,
        };
        out.credentials
            .extend(reader.credential(&spanned.into_inner(), at)?);
    }
    if out.credentials.is_empty() {
        return Err(reader.at(0, "no [[credential]] in the file".into()));
    }
    Ok(out)
}

/// What reads the credentials of one file: its name and text, for errors with line and column,
/// and how `*_env` variables and `*_file` files are looked up.
struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
    read: &'a dyn Fn(&Path) -> Option<String>,
}

/// Where a credential is: the byte offset of its table and its number in the file, from 1.
#[derive(Clone, Copy)]
struct Place {
    start: usize,
    index: usize,
}

impl Reader<'_> {
    /// A mistake at byte `offset` of the file.
    fn at(&self, offset: usize, reason: String) -> CredentialsError {
        CredentialsError::at(self.file, self.text, offset, reason)
    }

    /// The rungs of one `[[credential]]`: a community's (one per version) or a user's.
    fn credential(
        &self,
        c: &RawCredential,
        at: Place,
    ) -> Result<Vec<Credential>, CredentialsError> {
        let Place { start, index } = at;
        let scope = crate::location::networks(self.file, self.text, &c.scope, "10.20.0.0/16")?;
        let community = self.secret(
            at,
            "the community",
            &c.community,
            &c.community_env,
            &c.community_file,
        )?;
        match (community, &c.user) {
            (Some(_), Some(_)) => Err(self.at(
                start,
                format!("credential {index}: a community or a user, not both"),
            )),
            (None, None) => Err(self.at(
                start,
                format!("credential {index}: needs a community or a user"),
            )),
            (Some(community), None) => {
                let versions: &[Version] = match c.version.as_ref().map(|v| v.get_ref().as_str()) {
                    None | Some("both") => &[Version::V2c, Version::V1],
                    Some("v2c") => &[Version::V2c],
                    Some("v1") => &[Version::V1],
                    Some(other) => {
                        let span = c.version.as_ref().map_or(start, |v| v.span().start);
                        return Err(self.at(
                            span,
                            format!("version must be \"v1\", \"v2c\" or \"both\", found {other:?}"),
                        ));
                    }
                };
                Ok(versions
                    .iter()
                    .map(|&version| Credential {
                        kind: CredentialKind::Community {
                            version,
                            community: community.clone(),
                        },
                        index,
                        scope: scope.clone(),
                    })
                    .collect())
            }
            (None, Some(user)) => Ok(vec![Credential {
                kind: CredentialKind::Usm(self.user(c, user, at)?),
                index,
                scope,
            }]),
        }
    }

    /// A v3 user: its protocols, each with its password.
    fn user(&self, c: &RawCredential, user: &str, at: Place) -> Result<UsmUser, CredentialsError> {
        let Place { start, index } = at;
        let auth_key = self.secret(
            at,
            "auth_password",
            &c.auth_password,
            &c.auth_password_env,
            &c.auth_password_file,
        )?;
        let priv_key = self.secret(
            at,
            "privacy_password",
            &c.privacy_password,
            &c.privacy_password_env,
            &c.privacy_password_file,
        )?;
        let auth = match (&c.auth, auth_key) {
            (None, None) => None,
            (Some(a), Some(k)) => Some((auth_protocol(a.get_ref()).ok_or_else(|| self.at(a.span().start, format!("unknown auth protocol {:?} (expected md5, sha1, sha224, sha256, sha384 or sha512, or net-snmp's MD5, SHA, SHA-256...)", a.get_ref())))?, k)),
            (Some(_), None) => return Err(self.at(start, format!("credential {index}: auth needs auth_password (or _env, _file)"))),
            (None, Some(_)) => return Err(self.at(start, format!("credential {index}: auth_password needs auth (the protocol)"))),
        };
        let privacy = match (&c.privacy, priv_key) {
            (None, None) => None,
            (Some(p), Some(k)) => Some((priv_protocol(p.get_ref()).ok_or_else(|| self.at(p.span().start, format!("unknown privacy protocol {:?} (expected des, 3des, aes128, aes192, aes256, aes192-cisco or aes256-cisco, or net-snmp's DES, AES, AES-256...)", p.get_ref())))?, k)),
            (Some(_), None) => return Err(self.at(start, format!("credential {index}: privacy needs privacy_password (or _env, _file)"))),
            (None, Some(_)) => return Err(self.at(start, format!("credential {index}: privacy_password needs privacy (the protocol)"))),
        };
        if privacy.is_some() && auth.is_none() {
            return Err(self.at(
                start,
                format!(
                    "credential {index}: privacy needs auth too (USM has no privacy without authentication)"
                ),
            ));
        }
        Ok(UsmUser {
            name: user.to_string(),
            auth,
            privacy,
            context: c.context.clone(),
        })
    }

    /// A secret given one way at most: inline, from an environment variable, or from a file.
    fn secret(
        &self,
        at: Place,
        what: &str,
        inline: &Option<String>,
        var: &Option<String>,
        path: &Option<PathBuf>,
    ) -> Result<Option<Secret>, CredentialsError> {
        let Place { start, index } = at;
        match (inline, var, path) {
            (None, None, None) => Ok(None),
            (Some(s), None, None) => Ok(Some(Secret::new(s.clone()))),
            (None, Some(v), None) => (self.env)(v).map(|s| Some(Secret::new(s))).ok_or_else(|| {
                self.at(
                    start,
                    format!("credential {index}: environment variable {v} (for {what}) is not set"),
                )
            }),
            (None, None, Some(p)) => (self.read)(p)
                .map(|s| Some(Secret::new(s.trim_end_matches(['\r', '\n']).to_string())))
                .ok_or_else(|| {
                    self.at(
                        start,
                        format!(
                            "credential {index}: cannot read {} (for {what})",
                            p.display()
                        ),
                    )
                }),
            _ => Err(self.at(
                start,
                format!("credential {index}: give {what} one way only (inline, _env or _file)"),
            )),
        }
    }
}

/// An auth protocol by name (md5, sha1, sha224, sha256, sha384, sha512; case and dashes aside).
pub fn auth_protocol(s: &str) -> Option<AuthProtocol> {
    Some(match s.to_ascii_lowercase().replace('-', "").as_str() {
        "md5" => AuthProtocol::Md5,
        "sha" | "sha1" => AuthProtocol::Sha1,
        "sha224" => AuthProtocol::Sha224,
        "sha256" => AuthProtocol::Sha256,
        "sha384" => AuthProtocol::Sha384,
        "sha512" => AuthProtocol::Sha512,
        _ => return None,
    })
}

/// A privacy protocol by name (des, 3des, aes128, aes192, aes256, aes192-cisco, aes256-cisco;
/// case and dashes aside, so net-snmp's `AES-256`, `AES`, `DES` too).
pub fn priv_protocol(s: &str) -> Option<PrivProtocol> {
    Some(match s.to_ascii_lowercase().replace('-', "").as_str() {
        "des" => PrivProtocol::Des,
        "3des" => PrivProtocol::Des3,
        "aes" | "aes128" => PrivProtocol::Aes128,
        "aes192" => PrivProtocol::Aes192,
        "aes256" => PrivProtocol::Aes256,
        "aes192cisco" | "aes192c" => PrivProtocol::Aes192Cisco,
        "aes256cisco" | "aes256c" => PrivProtocol::Aes256Cisco,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_snmp_spellings_name_the_same_protocols_in_any_case() {
        for (name, protocol) in [
            ("SHA-512", AuthProtocol::Sha512),
            ("sha-256", AuthProtocol::Sha256),
            ("SHA", AuthProtocol::Sha1),
            ("MD5", AuthProtocol::Md5),
            ("sha512", AuthProtocol::Sha512),
        ] {
            assert_eq!(auth_protocol(name), Some(protocol), "{name}");
        }
        for (name, protocol) in [
            ("AES-256", PrivProtocol::Aes256),
            ("aes-192", PrivProtocol::Aes192),
            ("AES", PrivProtocol::Aes128),
            ("AES-128", PrivProtocol::Aes128),
            ("DES", PrivProtocol::Des),
            ("aes256", PrivProtocol::Aes256),
            ("AES256C", PrivProtocol::Aes256Cisco),
            ("aes192-cisco", PrivProtocol::Aes192Cisco),
        ] {
            assert_eq!(priv_protocol(name), Some(protocol), "{name}");
        }
        let loaded = parse_text(
            "[[credential]]\nuser = \"u\"\nauth = \"SHA-256\"\nauth_password = \"a-secret-1\"\nprivacy = \"AES-256\"\nprivacy_password = \"p-secret-1\"\n",
        )
        .unwrap();
        assert!(
            matches!(&loaded.credentials[0].kind, CredentialKind::Usm(u) if u.privacy.as_ref().is_some_and(|p| p.0 == PrivProtocol::Aes256)),
            "{:?}",
            loaded.credentials[0].kind
        );
    }

    fn parse_text(text: &str) -> Result<Loaded, CredentialsError> {
        parse(
            "creds.toml",
            text,
            |k| (k == "NOC_COMMUNITY").then(|| "from-env".to_string()),
            |p| (p == Path::new("/run/secret")).then(|| "from-file\n".to_string()),
        )
    }

    #[test]
    fn a_ladder_of_communities_and_users_with_secrets_from_everywhere() {
        let l = parse_text(
            "[[credential]]\ncommunity_env = \"NOC_COMMUNITY\"\nscope = [\"10.20.0.0/16\"]\n\
             [[credential]]\ncommunity = \"inline\"\nversion = \"v1\"\n\
             [[credential]]\nuser = \"monitor\"\nauth = \"SHA-512\"\nauth_password_file = \"/run/secret\"\nprivacy = \"aes256\"\nprivacy_password = \"p\"\n",
        )
        .unwrap();
        let labels: Vec<String> = l.credentials.iter().map(Credential::label).collect();
        assert_eq!(
            labels,
            [
                "v2c community #1",
                "v1 community #1",
                "v1 community #2",
                "v3 user \"monitor\" (Sha512, Aes256) #3"
            ]
        );
        assert!(l.credentials[0].applies_to("10.20.3.4".parse().unwrap()));
        assert!(!l.credentials[0].applies_to("10.30.3.4".parse().unwrap()));
        let CredentialKind::Community { community, .. } = &l.credentials[0].kind else {
            panic!()
        };
        assert_eq!(community.expose(), "from-env");
        let CredentialKind::Usm(u) = &l.credentials[3].kind else {
            panic!()
        };
        assert_eq!(
            u.auth.as_ref().unwrap().1.expose(),
            "from-file",
            "the file's trailing newline is not part of it"
        );
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let l = parse_text(
            "[[credential]]\nuser = \"u\"\nauth = \"md5\"\nauth_password = \"hunter2-secret\"\n",
        )
        .unwrap();
        let shown = format!("{:?}", l.credentials);
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn mistakes_name_file_line_and_column_and_never_the_secret() {
        let e = parse_text("[[credential]]\ncommunity = \"s3cret-value\"\ncolour = \"x\"\n")
            .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("creds.toml", 3), "{e}");
        let e = parse_text("[[credential]]\ncommunity = 12345\n").unwrap_err();
        assert!(!e.to_string().contains("12345"), "{e}");
        let e = parse_text(
            "[[credential]]\nuser = \"u\"\nauth = \"sha3\"\nauth_password = \"s3cret-value\"\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (3, 8), "{e}");
        assert!(!e.to_string().contains("s3cret-value"));
        let e = parse_text("[[credential]]\ncommunity_env = \"UNSET_VAR\"\n").unwrap_err();
        assert!(
            e.reason.contains("UNSET_VAR") && e.reason.ends_with("is not set"),
            "{e}"
        );
        let e = parse_text(
            "[[credential]]\nuser = \"u\"\nprivacy = \"aes\"\nprivacy_password = \"x\"\n",
        )
        .unwrap_err();
        assert!(e.reason.contains("privacy needs auth"), "{e}");
        let e = parse_text("[[credential]]\ncommunity = \"a\"\nscope = [\"10.0.0.0/33\"]\n")
            .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(parse_text("").is_err());
    }
}
