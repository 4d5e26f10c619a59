//! Evidence packs (issue 21): a stored sweep's saved walks, captures, reports and removal
//! ledger in one file whose every byte an auditor can check offline.
//!
//! A pack is a gzip'd POSIX tar (ustar), written and read by our own small [`tar`] code so
//! that reading one is total: every entry lies under `netorigin-evidence/`:
//!
//! ```text
//! netorigin-evidence/pack.json              what it is (format, the sweep, the signer's key)
//! netorigin-evidence/walks/ADDRESS.snmprec  the sweep's saved walks
//! netorigin-evidence/captures/NAME          captures given to the pack, as they were
//! netorigin-evidence/reports/...            the sweep's devices as JSON Lines, CSV and HTML
//! netorigin-evidence/ledger/...             the removal ledger's entries and evidence files
//! netorigin-evidence/SHA256SUMS             `<64 hex>  <path>` per file above (`sha256sum -c`)
//! netorigin-evidence/SHA256SUMS.sig         the Ed25519 signature of SHA256SUMS, in hex
//! ```
//!
//! [`PackWriter`] writes one (with a [`SigningKey`] from [`keys`]), streaming each file so that
//! captures of any size are never held whole; [`verify()`] reads one from any reader under
//! [`Limits`] and says in a [`Verification`] each file that was changed, added or removed and
//! whether the signature is the key's. Only what cannot be read as a pack at all is an
//! [`EvidenceError`]; every other way a pack can differ from what was signed is a [`Problem`]
//! naming the file.

pub mod keys;
mod pack;
pub mod tar;
mod verify;

#[cfg(test)]
mod tests;

pub use keys::{KeyError, PublicKey, SigningKey};
pub use pack::{CaptureRef, Manifest, PackSweep, PackWriter, Packed, safe_name};
pub use verify::{Problem, TrustedKey, Verification, verify};

/// The pack format this netorigin writes and the newest it reads.
pub const FORMAT: u32 = 1;

/// The folder every entry of a pack lies in.
pub const ROOT: &str = "netorigin-evidence";

/// The pack's description, inside [`ROOT`].
pub const MANIFEST: &str = "pack.json";

/// The digests of every other file, inside [`ROOT`].
pub const SUMS: &str = "SHA256SUMS";

/// The signature of [`SUMS`], inside [`ROOT`].
pub const SIGNATURE: &str = "SHA256SUMS.sig";

/// What a pack reader accepts at most: a pack over any of them is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the tar after decompression, headers included (default 4 GiB).
    pub max_decompressed: u64,
    /// Entries in the tar, folders included (default 100,000).
    pub max_entries: u64,
    /// Bytes of an entry's path (default 255, what ustar can hold).
    pub max_path: usize,
    /// Bytes of `pack.json`, `SHA256SUMS` and `SHA256SUMS.sig`, which are held whole to be
    /// read (default 16 MiB).
    pub max_held: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_decompressed: 4 << 30,
            max_entries: 100_000,
            max_path: 255,
            max_held: 16 << 20,
        }
    }
}

/// Why a pack cannot be written or read as a pack at all. A pack that reads but differs from
/// what was signed is not an error: see [`Verification`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// The bytes are not an evidence pack: not gzip, not a tar, or a tar with nothing under
    /// `netorigin-evidence/`.
    #[error("not an evidence pack: {0}")]
    NotPack(String),
    /// A path given to the writer cannot be a pack's entry.
    #[error("{path:?} cannot be a file of a pack: {reason}")]
    Path {
        /// The path, relative to the pack's folder.
        path: String,
        /// Why not.
        reason: String,
    },
    /// A file given to the writer did not hold the bytes it said it would (it changed while
    /// it was packed).
    #[error("{path}: {reason}")]
    Changed {
        /// The path in the pack.
        path: String,
        /// What differed.
        reason: String,
    },
    /// Reading or writing failed below the pack (the disk).
    #[error("the pack could not be read or written: {0}")]
    Io(String),
}

pub use crate::wire::hex;

/// The bytes `N` of exactly `2 * N` hexadecimal digits (either case); `None` otherwise.
pub fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    unhex_into(text, &mut out).then_some(out)
}

/// Fills `out` from exactly `2 * out.len()` hexadecimal digits (either case); false, `out`
/// partly filled, otherwise. For secrets, which go straight into a buffer that is wiped.
pub fn unhex_into(text: &str, out: &mut [u8]) -> bool {
    let digits = text.as_bytes();
    if digits.len() != 2 * out.len() {
        return false;
    }
    for (slot, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        match (
            char::from(pair[0]).to_digit(16),
            char::from(pair[1]).to_digit(16),
        ) {
            (Some(hi), Some(lo)) => *slot = (hi * 16 + lo) as u8,
            _ => return false,
        }
    }
    true
}

/// The SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
