//! Ed25519 keys for signing packs, over *ring*: a private key file (`PREFIX.key`, mode 0600,
//! a first line [`PRIVATE_HEADER`] then the 32-byte seed as 64 hexadecimal digits) and a
//! public key file (`PREFIX.pub`, one line: [`PUBLIC_TAG`], a space, 64 hexadecimal digits).
//!
//! The seed is wiped from memory when dropped ([`zeroize`]) and never shown: a
//! [`SigningKey`]'s `Debug` prints its public key, and no error quotes a key file's contents.
//! A private key file that anyone but its owner may read is refused.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use zeroize::Zeroizing;

use super::{hex, unhex, unhex_into};

/// The first line of a private key file.
pub const PRIVATE_HEADER: &str = "netorigin-ed25519-private-key";

/// The word before the digits of a public key file.
pub const PUBLIC_TAG: &str = "netorigin-ed25519";

/// The most bytes read of a key file (a key file is under 100 bytes).
const MAX_KEY_FILE: u64 = 4096;

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// The key of these 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> PublicKey {
        PublicKey(bytes)
    }

    /// Its 32 bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key of 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<PublicKey> {
        unhex(text).map(PublicKey)
    }

    /// Its 64 hexadecimal digits.
    pub fn hex(&self) -> String {
        hex(&self.0)
    }

    /// Its first 16 hexadecimal digits, enough for a person to tell two keys apart.
    pub fn short(&self) -> String {
        hex(&self.0[..8])
    }

    /// The text of its file: `netorigin-ed25519 <64 hex>` and a line feed.
    pub fn file_text(&self) -> String {
        format!("{PUBLIC_TAG} {}\n", self.hex())
    }

    /// Reads the text of a public key file; the error says what is wrong.
    pub fn parse_file_text(text: &str) -> Result<PublicKey, String> {
        let line = text.trim();
        let Some(digits) = line
            .strip_prefix(PUBLIC_TAG)
            .and_then(|r| r.strip_prefix(' '))
        else {
            return Err(format!(
                "not a netorigin public key: one line `{PUBLIC_TAG} <64 hexadecimal digits>` expected"
            ));
        };
        PublicKey::from_hex(digits.trim())
            .ok_or_else(|| format!("the key is not 64 hexadecimal digits after `{PUBLIC_TAG} `"))
    }

    /// Whether `signature` is this key's signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.hex())
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

/// An Ed25519 private key: its seed, wiped when dropped, and its public key.
pub struct SigningKey {
    seed: Zeroizing<[u8; 32]>,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public.hex())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new key from the operating system's random numbers.
    pub fn generate() -> Result<SigningKey, KeyError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut seed[..]).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(SigningKey::from_seed(seed))
    }

    /// The key of a seed.
    pub fn from_seed(seed: Zeroizing<[u8; 32]>) -> SigningKey {
        let public = {
            let pair = key_pair(&seed);
            let mut bytes = [0u8; 32];
            bytes.copy_from_slice(pair.public_key().as_ref());
            PublicKey(bytes)
        };
        SigningKey { seed, public }
    }

    /// Its public key.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// Its signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(key_pair(&self.seed).sign(message).as_ref());
        out
    }

    /// The text of its private key file.
    pub fn file_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(PRIVATE_HEADER.len() + 66));
        text.push_str(PRIVATE_HEADER);
        text.push('\n');
        text.push_str(&Zeroizing::new(hex(&self.seed[..])));
        text.push('\n');
        text
    }

    /// Reads the text of a private key file; the error says what is wrong without quoting it.
    pub fn parse_file_text(text: &str) -> Result<SigningKey, String> {
        let mut lines = text.lines().map(str::trim);
        if lines.next() != Some(PRIVATE_HEADER) {
            return Err(format!(
                "not a netorigin private key: its first line is not `{PRIVATE_HEADER}`"
            ));
        }
        let mut seed = Zeroizing::new([0u8; 32]);
        if !lines.next().is_some_and(|l| unhex_into(l, &mut seed[..])) {
            return Err("its second line is not 64 hexadecimal digits".into());
        }
        if lines.any(|l| !l.is_empty()) {
            return Err("it holds more than a header and a key".into());
        }
        Ok(SigningKey::from_seed(seed))
    }
}

/// *ring*'s key pair of a seed. Every 32 bytes are an Ed25519 seed, so this cannot fail.
fn key_pair(seed: &[u8; 32]) -> Ed25519KeyPair {
    match Ed25519KeyPair::from_seed_unchecked(seed) {
        Ok(pair) => pair,
        Err(_) => unreachable!("every 32 bytes are an Ed25519 seed"),
    }
}

/// Why a key cannot be made, written or read. Each message names the file; none holds a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// `keygen` would overwrite a file.
    #[error("{}: exists already; keygen does not overwrite a key (choose another -o PREFIX)", .path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A key file could not be written.
    #[error("{}: cannot write: {reason}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A key file could not be read.
    #[error("{}: cannot read the key: {reason}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A private key file that others than its owner may use.
    #[error("{}: mode {mode:04o}: others can {what} it; chmod 600 {}", .path.display(), .path.display())]
    Exposed {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// `read` or `write or run`.
        what: &'static str,
    },
    /// A key file that does not hold a key.
    #[error("{}: {reason}", .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The operating system gave no random numbers.
    #[error("no random numbers for a key: {0}")]
    Random(String),
}

/// `PREFIX.key` and `PREFIX.pub`.
pub fn key_paths(prefix: &Path) -> (PathBuf, PathBuf) {
    let with = |ext: &str| {
        let mut s = prefix.as_os_str().to_owned();
        s.push(ext);
        PathBuf::from(s)
    };
    (with(".key"), with(".pub"))
}

/// Makes a key and writes `PREFIX.key` (mode 0600) and `PREFIX.pub`, refusing to overwrite
/// either; gives the key and the two paths.
pub fn generate(prefix: &Path) -> Result<(SigningKey, PathBuf, PathBuf), KeyError> {
    let (private, public) = key_paths(prefix);
    for path in [&private, &public] {
        if path.symlink_metadata().is_ok() {
            return Err(KeyError::Exists { path: path.clone() });
        }
    }
    let key = SigningKey::generate()?;
    write_new(&private, key.file_text().as_bytes(), 0o600)?;
    if let Err(e) = write_new(&public, key.public().file_text().as_bytes(), 0o644) {
        let _ = std::fs::remove_file(&private);
        return Err(e);
    }
    Ok((key, private, public))
}

/// Writes a file that must not exist yet, created with `mode`.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let fail = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::AlreadyExists => KeyError::Exists {
            path: path.to_path_buf(),
        },
        _ => KeyError::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)
}

/// Reads a private key file, refused (before it is read) when others than its owner may read,
/// write or run it.
pub fn load_private(path: &Path) -> Result<SigningKey, KeyError> {
    let read = |e: std::io::Error| KeyError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(read)?;
    let mode = file.metadata().map_err(read)?.mode() & 0o7777;
    if mode & 0o077 != 0 {
        // A public key given by mistake is said to be one, not to be chmod'ed.
        if let Ok(text) = read_small(file)
            && std::str::from_utf8(&text).is_ok_and(|t| PublicKey::parse_file_text(t).is_ok())
        {
            return Err(KeyError::Malformed {
                path: path.to_path_buf(),
                reason: "this is a public key: sign with the private key beside it (PREFIX.key)"
                    .into(),
            });
        }
        return Err(KeyError::Exposed {
            path: path.to_path_buf(),
            mode,
            what: if mode & 0o044 != 0 {
                "read"
            } else {
                "write or run"
            },
        });
    }
    let text = read_small(file).map_err(read)?;
    let text = std::str::from_utf8(&text).map_err(|_| KeyError::Malformed {
        path: path.to_path_buf(),
        reason: "not a netorigin private key: it is not text".into(),
    })?;
    SigningKey::parse_file_text(text).map_err(|reason| KeyError::Malformed {
        path: path.to_path_buf(),
        reason,
    })
}

/// Reads a public key file.
pub fn load_public(path: &Path) -> Result<PublicKey, KeyError> {
    let read = |e: std::io::Error| KeyError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let text = read_small(File::open(path).map_err(read)?).map_err(read)?;
    let malformed = |reason| KeyError::Malformed {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::str::from_utf8(&text)
        .map_err(|_| malformed("not a netorigin public key: it is not text".into()))?;
    PublicKey::parse_file_text(text).map_err(malformed)
}

/// A key file's bytes, at most [`MAX_KEY_FILE`] (more is refused), in a buffer wiped when
/// dropped.
fn read_small(file: File) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(128));
    file.take(MAX_KEY_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_KEY_FILE} bytes: not a key file"
        )));
    }
    Ok(bytes)
}
