//! Writing a pack: `pack.json` first, then each file as it is given (hashed as it goes into
//! the tar), then `SHA256SUMS` and its signature.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};

use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::SigningKey;
use super::tar::{self, check_path};
use super::{EvidenceError, FORMAT, MANIFEST, ROOT, SIGNATURE, SUMS, hex};

/// What `pack.json` says: what the pack is of, and who signed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The pack format ([`FORMAT`]).
    pub format: u32,
    /// The sweep the pack is of.
    pub sweep: PackSweep,
    /// The data versions (rules, registries, policies) its devices were judged with.
    pub data_versions: String,
    /// The date its deadlines were judged at (`YYYY-MM-DD`).
    pub judged_on: String,
    /// When the pack was made (Unix milliseconds).
    pub created_ms: i64,
    /// The same, as text (UTC).
    pub created: String,
    /// The program and version that made it (`netorigin 0.1.0`).
    pub tool: String,
    /// The public key of the signature, in hex (the writer fills it in).
    pub signer: String,
    /// The folder the sweep saved its walks in, as found when packing (none if it saved
    /// none).
    pub walks_dir: Option<String>,
    /// Devices of the sweep whose saved walk was not found (by address).
    pub walks_missing: Vec<String>,
    /// The captures packed, each under `captures/`.
    pub captures: Vec<CaptureRef>,
    /// Entries of the removal ledger packed.
    pub ledger_entries: u64,
}

/// The sweep a pack is of, as its history database stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackSweep {
    /// Its number in the database it was packed from.
    pub number: i64,
    /// Its identity everywhere.
    pub uuid: uuid::Uuid,
    /// The site that swept, if named.
    pub site: Option<String>,
    /// `complete`, `interrupted`, `failed` or `running`.
    pub status: String,
    /// When it started (Unix milliseconds).
    pub started_ms: i64,
    /// When it ended.
    pub ended_ms: Option<i64>,
    /// When it started, as text (UTC).
    pub started: String,
    /// When it ended, as text.
    pub ended: Option<String>,
    /// Devices stored.
    pub devices: i64,
    /// Its options as stored (never a secret).
    pub parameters: serde_json::Value,
}

/// A capture in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureRef {
    /// Its path in the pack, under `captures/`.
    pub path: String,
    /// Its file name as given.
    pub given: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A finished pack.
#[derive(Debug)]
pub struct Packed<W> {
    /// Where it was written.
    pub out: W,
    /// The SHA-256 of the whole pack, as written.
    pub sha256: [u8; 32],
    /// Files listed in its `SHA256SUMS`.
    pub files: usize,
}

/// Writes a pack: [`PackWriter::new`] writes `pack.json`, [`PackWriter::add`] and
/// [`PackWriter::add_reader`] each file, [`PackWriter::finish`] the digests and signature.
pub struct PackWriter<'k, W: Write> {
    tar: tar::Writer<GzEncoder<Hashing<W>>>,
    key: &'k SigningKey,
    sums: BTreeMap<String, [u8; 32]>,
}

impl<'k, W: Write> PackWriter<'k, W> {
    /// Starts a pack into `out`, signed by `key`, with `manifest` (its signer and format set
    /// here) as its `pack.json`.
    pub fn new(out: W, key: &'k SigningKey, mut manifest: Manifest) -> Result<Self, EvidenceError> {
        manifest.format = FORMAT;
        manifest.signer = key.public().hex();
        let gz = GzEncoder::new(
            Hashing {
                inner: out,
                hash: Sha256::new(),
            },
            flate2::Compression::default(),
        );
        let mtime = u64::try_from(manifest.created_ms / 1000).unwrap_or(0);
        let mut pack = PackWriter {
            tar: tar::Writer::new(gz, mtime),
            key,
            sums: BTreeMap::new(),
        };
        let mut json = serde_json::to_vec_pretty(&manifest).map_err(|e| io_error(&e))?;
        json.push(b'\n');
        pack.put(MANIFEST, json.len() as u64, &json[..])?;
        Ok(pack)
    }

    /// Adds the file `path` (relative to `netorigin-evidence/`) holding `bytes`.
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> Result<(), EvidenceError> {
        self.check(path)?;
        self.put(path, bytes.len() as u64, bytes)
    }

    /// Adds the file `path` (relative to `netorigin-evidence/`) of `size` bytes read from
    /// `data`, streamed; an error if `data` holds another number of bytes.
    pub fn add_reader(
        &mut self,
        path: &str,
        size: u64,
        data: impl Read,
    ) -> Result<(), EvidenceError> {
        self.check(path)?;
        self.put(path, size, data)
    }

    /// Writes `SHA256SUMS` (every file added, by path) and `SHA256SUMS.sig`, ends the tar and
    /// the gzip stream, and gives back the output with the pack's own digest.
    pub fn finish(mut self) -> Result<Packed<W>, EvidenceError> {
        let sums: String = self
            .sums
            .iter()
            .map(|(path, digest)| format!("{}  {path}\n", hex(digest)))
            .collect();
        let files = self.sums.len();
        let signature = format!("{}\n", hex(&self.key.sign(sums.as_bytes())));
        let whole = |name: &str| format!("{ROOT}/{name}");
        let io = |e: io::Error| io_error(&e);
        self.tar
            .append(&whole(SUMS), sums.len() as u64, sums.as_bytes())
            .map_err(io)?;
        self.tar
            .append(
                &whole(SIGNATURE),
                signature.len() as u64,
                signature.as_bytes(),
            )
            .map_err(io)?;
        let hashing = self.tar.finish().map_err(io)?.finish().map_err(io)?;
        let Hashing { mut inner, hash } = hashing;
        inner.flush().map_err(io)?;
        Ok(Packed {
            out: inner,
            sha256: hash.finalize().into(),
            files,
        })
    }

    /// Whether `path` may be added: a safe path that fits a tar header, none of the pack's
    /// own files, not added before.
    fn check(&self, path: &str) -> Result<(), EvidenceError> {
        let refuse = |reason: &str| EvidenceError::Path {
            path: path.to_string(),
            reason: reason.to_string(),
        };
        let whole = format!("{ROOT}/{path}");
        check_path(&whole, 255).map_err(|e| refuse(&e.to_string()))?;
        if !tar::fits(&whole) {
            return Err(refuse(
                "it does not fit a tar header (a name over 100 bytes)",
            ));
        }
        if [MANIFEST, SUMS, SIGNATURE].contains(&path) {
            return Err(refuse("the pack writes that file itself"));
        }
        if self.sums.contains_key(path) {
            return Err(refuse("it was added already"));
        }
        Ok(())
    }

    /// Appends a file, hashing it on the way, and lists it.
    fn put(&mut self, path: &str, size: u64, data: impl Read) -> Result<(), EvidenceError> {
        let mut hashed = HashRead {
            inner: data,
            hash: Sha256::new(),
        };
        self.tar
            .append(&format!("{ROOT}/{path}"), size, &mut hashed)
            .map_err(|e| match e.kind() {
                io::ErrorKind::InvalidData => EvidenceError::Changed {
                    path: path.to_string(),
                    reason: e.to_string(),
                },
                _ => io_error(&e),
            })?;
        self.sums
            .insert(path.to_string(), hashed.hash.finalize().into());
        Ok(())
    }
}

fn io_error(e: &dyn std::fmt::Display) -> EvidenceError {
    EvidenceError::Io(e.to_string())
}

/// A writer that hashes what goes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes what it reads.
struct HashRead<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for HashRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// A file name made fit for a pack and for `sha256sum -c`: letters, digits, `.`, `_`, `-`,
/// `+` and `@` kept, anything else `_`, a leading `.` made `_`, at most `max` bytes; `file`
/// when nothing is left.
pub fn safe_name(name: &str, max: usize) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' | '+' | '@' => c,
            _ => '_',
        })
        .take(max.max(1))
        .collect();
    if out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    if out.is_empty() {
        out.push_str("file");
    }
    out
}
