//! Checking a pack: every file's digest against `SHA256SUMS`, files added and removed, and
//! the signature of `SHA256SUMS`, read as a stream under [`Limits`].

use std::collections::BTreeMap;
use std::io::{self, Read};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use super::keys::PublicKey;
use super::pack::Manifest;
use super::tar::{self, Kind, TarError};
use super::{EvidenceError, FORMAT, Limits, MANIFEST, ROOT, SIGNATURE, SUMS, unhex};

/// The key a signature must be made by, and how to name it in a message (`the key in
/// other.pub`).
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The key.
    pub key: PublicKey,
    /// Where it came from, for messages.
    pub named: String,
}

/// One way a pack differs from what was signed. Paths are relative to `netorigin-evidence/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A file whose digest is not the one `SHA256SUMS` lists.
    Changed(String),
    /// A file that `SHA256SUMS` does not list.
    Added(String),
    /// A file that `SHA256SUMS` lists (or `SHA256SUMS` or its signature) that is not there.
    Removed(String),
    /// A file the pack holds twice (unpacking keeps only the last).
    Twice(String),
    /// A file outside `netorigin-evidence/` (its whole path).
    Outside(String),
    /// `SHA256SUMS` cannot be read as digests.
    Sums(String),
    /// `pack.json` cannot be read.
    Manifest(String),
    /// The signature is missing, malformed, or not the key's.
    Signature(String),
    /// The pack could not be read to its end: what was read is checked.
    Damaged(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Changed(p) => write!(f, "changed: {p}"),
            Problem::Added(p) => write!(f, "added: {p}"),
            Problem::Removed(p) => write!(f, "removed: {p}"),
            Problem::Twice(p) => write!(f, "twice: {p} (the pack holds two files of that name)"),
            Problem::Outside(p) => write!(f, "added: {p} (outside {ROOT}/)"),
            Problem::Sums(r) => write!(f, "{SUMS}: {r}"),
            Problem::Manifest(r) => write!(f, "{MANIFEST}: {r}"),
            Problem::Signature(r) => write!(f, "signature: {r}"),
            Problem::Damaged(r) => write!(f, "damaged: {r}"),
        }
    }
}

/// What checking a pack found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Files `SHA256SUMS` lists.
    pub files: usize,
    /// The key the signature was found to be made by, if it was.
    pub signer: Option<PublicKey>,
    /// What `pack.json` says, if it could be read.
    pub manifest: Option<Manifest>,
    /// Every difference found, each naming its file; none for a good pack.
    pub problems: Vec<Problem>,
}

impl Verification {
    /// Whether the pack is as it was signed: no problem, and a good signature.
    pub fn is_good(&self) -> bool {
        self.problems.is_empty() && self.signer.is_some()
    }
}

/// What was read of a pack.
#[derive(Default)]
struct Contents {
    /// Each file under the root by path: its digest.
    files: BTreeMap<String, [u8; 32]>,
    /// `pack.json`, `SHA256SUMS` and the signature, when not over the limit.
    held: BTreeMap<String, Vec<u8>>,
    problems: Vec<Problem>,
    /// Whether anything was under the root.
    ours: bool,
}

/// Checks the pack read from `r` against its `SHA256SUMS` and signature: the signature is
/// checked with `key` when given, else with the key `pack.json` names. An error only for bytes
/// that are no pack at all (not gzip, not a tar, or nothing under `netorigin-evidence/`) and
/// for a read that fails before the pack begins; never a panic, whatever the bytes.
pub fn verify(
    r: impl Read,
    limits: Limits,
    key: Option<&TrustedKey>,
) -> Result<Verification, EvidenceError> {
    let read = read_pack(r, limits)?;
    let mut problems = read.problems;
    let listed = match read.held.get(SUMS) {
        Some(bytes) => sums(bytes, &mut problems),
        None => {
            problems.push(Problem::Removed(SUMS.into()));
            Vec::new()
        }
    };
    let mut by_path: Vec<Problem> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (path, digest) in &listed {
        seen.insert(path.as_str());
        match read.files.get(path) {
            None => by_path.push(Problem::Removed(path.clone())),
            Some(d) if d != digest => by_path.push(Problem::Changed(path.clone())),
            Some(_) => {}
        }
    }
    if read.held.contains_key(SUMS) {
        by_path.extend(
            read.files
                .keys()
                .filter(|p| !seen.contains(p.as_str()) && *p != SUMS && *p != SIGNATURE)
                .map(|p| Problem::Added(p.clone())),
        );
    }
    by_path.sort_by(|a, b| path_of(a).cmp(path_of(b)));
    problems.extend(by_path);
    let manifest = read
        .held
        .get(MANIFEST)
        .and_then(|b| manifest(b, &mut problems));
    let signer = signature(&read.held, manifest.as_ref(), key, &mut problems);
    Ok(Verification {
        files: listed.len(),
        signer,
        manifest,
        problems,
    })
}

fn path_of(p: &Problem) -> &str {
    match p {
        Problem::Changed(p) | Problem::Added(p) | Problem::Removed(p) => p,
        _ => "",
    }
}

/// Reads every entry, hashing files and holding the pack's own small files.
fn read_pack(mut r: impl Read, limits: Limits) -> Result<Contents, EvidenceError> {
    let mut magic = Vec::with_capacity(2);
    (&mut r)
        .take(2)
        .read_to_end(&mut magic)
        .map_err(|e| EvidenceError::Io(e.to_string()))?;
    if magic != [0x1f, 0x8b] {
        return Err(EvidenceError::NotPack("it is not gzip-compressed".into()));
    }
    // Every gzip member, as gunzip and tar read them: a member appended is part of the pack.
    let gz = MultiGzDecoder::new(io::Cursor::new(magic).chain(r));
    let mut tar = tar::Reader::new(gz, limits);
    let mut read = Contents::default();
    let prefix = format!("{ROOT}/");
    loop {
        let entry = match tar.next_entry() {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(e) => {
                if !read.ours {
                    return Err(not_pack(&e));
                }
                read.problems.push(Problem::Damaged(e.to_string()));
                return Ok(read);
            }
        };
        let inside = entry.path.strip_prefix(&prefix);
        if inside.is_some() || entry.path == ROOT {
            read.ours = true;
        }
        let (Kind::File, Some(path)) = (entry.kind, inside) else {
            if entry.kind == Kind::File {
                read.problems.push(Problem::Outside(entry.path.clone()));
            }
            continue;
        };
        let hold = [MANIFEST, SUMS, SIGNATURE].contains(&path) && entry.size <= limits.max_held;
        let mut hash = Sha256::new();
        let mut held = Vec::new();
        if let Err(e) = tar.data(|chunk| {
            hash.update(chunk);
            if hold {
                held.extend_from_slice(chunk);
            }
        }) {
            read.problems.push(Problem::Damaged(e.to_string()));
            return Ok(read);
        }
        if [MANIFEST, SUMS, SIGNATURE].contains(&path) && !hold {
            read.problems.push(Problem::Damaged(format!(
                "{path} is larger than {} bytes",
                limits.max_held
            )));
        }
        if read
            .files
            .insert(path.to_string(), hash.finalize().into())
            .is_some()
        {
            read.problems.push(Problem::Twice(path.to_string()));
        } else if hold {
            read.held.insert(path.to_string(), held);
        }
    }
    if !read.ours {
        return Err(EvidenceError::NotPack(format!(
            "nothing in it is under {ROOT}/"
        )));
    }
    if let Err(e) = tar.drain() {
        read.problems.push(Problem::Damaged(e.to_string()));
    }
    Ok(read)
}

fn not_pack(e: &TarError) -> EvidenceError {
    EvidenceError::NotPack(match e {
        TarError::Header { .. } | TarError::Truncated => format!("it is not a tar archive ({e})"),
        e => e.to_string(),
    })
}

/// The files `SHA256SUMS` lists, by path, each once; a problem per line that is not
/// `<64 hex>  <path>` (or `<64 hex> *<path>`, sha256sum's binary mode).
fn sums(bytes: &[u8], problems: &mut Vec<Problem>) -> Vec<(String, [u8; 32])> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(Problem::Sums("it is not text".into()));
        return Vec::new();
    };
    let mut listed: Vec<(String, [u8; 32])> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let parsed = line
            .split_at_checked(64)
            .and_then(|(digits, rest)| {
                let path = rest
                    .strip_prefix("  ")
                    .or_else(|| rest.strip_prefix(" *"))?;
                Some((unhex::<32>(digits)?, path))
            })
            .filter(|(_, path)| !path.is_empty());
        let Some((digest, path)) = parsed.filter(|(_, p)| !p.chars().any(char::is_control)) else {
            problems.push(Problem::Sums(format!(
                "line {} is not `<64 hexadecimal digits>  <path>`",
                n + 1
            )));
            continue;
        };
        if !seen.insert(path.to_string()) {
            problems.push(Problem::Sums(format!(
                "line {} lists {} again",
                n + 1,
                path.escape_debug()
            )));
            continue;
        }
        listed.push((path.to_string(), digest));
    }
    listed
}

/// `pack.json` read, or a problem saying why it cannot be.
fn manifest(bytes: &[u8], problems: &mut Vec<Problem>) -> Option<Manifest> {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            problems.push(Problem::Manifest(format!("not JSON: {}", plain(&e))));
            return None;
        }
    };
    if let Some(format) = value.get("format").and_then(serde_json::Value::as_u64)
        && format > u64::from(FORMAT)
    {
        problems.push(Problem::Manifest(format!(
            "format {format} is newer than this netorigin reads (up to {FORMAT}): upgrade it"
        )));
        return None;
    }
    match serde_json::from_value(value) {
        Ok(m) => Some(m),
        Err(e) => {
            problems.push(Problem::Manifest(format!(
                "not a pack's description: {}",
                plain(&e)
            )));
            None
        }
    }
}

/// Checks the signature of `SHA256SUMS` with `trusted`, else with the key `pack.json` names;
/// the key it was made by, or a problem.
fn signature(
    held: &BTreeMap<String, Vec<u8>>,
    manifest: Option<&Manifest>,
    trusted: Option<&TrustedKey>,
    problems: &mut Vec<Problem>,
) -> Option<PublicKey> {
    let named = manifest.map(|m| (m, PublicKey::from_hex(&m.signer)));
    if let Some((_, None)) = named {
        problems.push(Problem::Manifest("its signer is not a public key".into()));
    }
    let named = named.and_then(|(_, k)| k);
    let sums = held.get(SUMS)?;
    let Some(sig) = held.get(SIGNATURE) else {
        problems.push(Problem::Removed(SIGNATURE.into()));
        return None;
    };
    let Some(sig) = std::str::from_utf8(sig)
        .ok()
        .and_then(|t| unhex::<64>(t.trim()))
    else {
        problems.push(Problem::Signature(format!(
            "{SIGNATURE} is not 128 hexadecimal digits"
        )));
        return None;
    };
    let (key, name) = match (trusted, named) {
        (Some(t), _) => (t.key, t.named.clone()),
        (None, Some(k)) => (k, format!("the key {MANIFEST} names ({})", k.short())),
        (None, None) => {
            problems.push(Problem::Signature(format!(
                "no key to check it with: {MANIFEST} names none (give --key PUB)"
            )));
            return None;
        }
    };
    if key.verifies(sums, &sig) {
        if let Some(n) = named.filter(|n| *n != key) {
            problems.push(Problem::Manifest(format!(
                "it names the key {} as its signer, but the signature is {name}'s",
                n.short()
            )));
        }
        return Some(key);
    }
    let note = match named {
        Some(n) if trusted.is_some() && n != key => {
            format!(" ({MANIFEST} names the key {})", n.short())
        }
        _ => String::new(),
    };
    problems.push(Problem::Signature(format!("not made by {name}{note}")));
    None
}

/// A message with its control characters escaped: serde's quote what they were given.
fn plain(e: &dyn std::fmt::Display) -> String {
    e.to_string()
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = match c.is_control() {
                true => c.escape_default().collect(),
                false => vec![c],
            };
            escaped
        })
        .collect()
}
