//! Bundles: one stored sweep as a site uploads it to the central server (issue 19).
//!
//! A bundle is gzip over JSON Lines, read and written as a stream so that neither side holds a
//! whole sweep in memory:
//!
//! ```text
//! {"netorigin_bundle":2,"sweep":{"uuid":"…","site":"…","started_ms":…,…}}   the header
//! {"device":{…the judged record, as the sweep's JSON report has it…}}        one per device
//! {"ledger_item":{…}}             the site's removal ledger, item by item, as it stands now
//! {"ledger_entry":{…}}            every step recorded in it, oldest first
//! {"end":{"devices":N,"ledger_items":I,"ledger_entries":E}}                  the trailer
//! ```
//!
//! The trailer's counts must equal the lines read, so a truncated bundle is refused rather
//! than stored short. The header's `netorigin_bundle` is the format's version: a bundle from a
//! newer version is refused, never half-read, and one of format 1 (no ledger lines, a trailer
//! that counts its devices only) is still read. The lines come in that order: devices, then
//! ledger items ([`LedgerItemLine`]), then ledger entries ([`LedgerEntryLine`]; evidence files
//! by name, SHA-256 and size, never their bytes). The sweep's options are its stored
//! parameters, which never hold a secret.
//!
//! [`write()`] (or a [`Writer`], one line at a time) writes a bundle; a [`Reader`] reads one
//! back as a stream ([`Reader::next_line`] gives each [`Line`]), total on any input: every way
//! a bundle can be wrong is a [`BundleError`], with a message fit for an HTTP 400 body, and the
//! [`Limits`] bound what a reader holds (a line, a string, the decompressed size, the devices,
//! the ledger's lines). Before a line is decoded into its
//! type it is checked for hostile content: nesting deeper than [`MAX_DEPTH`], strings (and
//! keys) longer than [`Limits::max_string`], control characters other than tab, line feed and
//! carriage return (which real sysDescr values hold). The writer makes what it writes pass
//! those checks (see [`Writer::device`]; the ledger's lines, whose `by` and `note` are
//! people's text, likewise), so a stored sweep always uploads.

mod hostile;
mod ledger;
mod read;
mod write;

#[cfg(test)]
pub(crate) mod ledger_tests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// The bundle format this netorigin writes and the newest it reads.
pub const FORMAT: u32 = 2;

/// The deepest nesting of arrays and objects a line may have (a device line's record is at
/// depth 2; the deepest record field is a few levels below).
pub const MAX_DEPTH: usize = 32;

/// The longest site name, in characters.
pub const MAX_SITE: usize = 200;

/// The statuses a bundled sweep may have: a running sweep is not uploaded.
pub const STATUSES: [&str; 3] = ["complete", "interrupted", "failed"];

/// A stored sweep, as the bundle's header carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepHeader {
    /// The sweep's identity everywhere: a retried or repeated upload is stored once.
    pub uuid: uuid::Uuid,
    /// The site that swept.
    pub site: String,
    /// When it started (Unix milliseconds).
    pub started_ms: i64,
    /// When it ended.
    pub ended_ms: Option<i64>,
    /// `complete`, `interrupted` or `failed` (a running sweep is not uploaded).
    pub status: String,
    /// Its options, as stored: never a secret.
    pub parameters: serde_json::Value,
    /// The data versions its devices were judged with.
    pub data_versions: String,
    /// The date its deadlines were judged at (`YYYY-MM-DD`).
    pub judged_on: String,
    /// Addresses probed.
    pub probed: Option<i64>,
    /// Addresses that answered.
    pub responders: Option<i64>,
    /// Addresses that never answered.
    pub silent: Option<i64>,
    /// Requests sent.
    pub requests: Option<i64>,
    /// Requests that timed out.
    pub timeouts: Option<i64>,
    /// Why it is interrupted or failed.
    pub note: Option<String>,
}

pub use ledger::{EvidenceLine, LedgerEntryLine, LedgerItemLine, LedgerKind};
pub use read::{Line, Reader};
pub use write::{Writer, write};

/// What a reader accepts at most. A bundle over any of them is refused with its own error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes after decompression, lines and line feeds included (default 4 GiB).
    pub max_decompressed: u64,
    /// Bytes of one line, its line feed left out (default 4 MiB).
    pub max_line: usize,
    /// Bytes of one JSON string or key, after its escapes are decoded (default 64 KiB).
    pub max_string: usize,
    /// Devices in one bundle (default 2,000,000).
    pub max_devices: u64,
    /// Ledger lines, items and entries together, in one bundle (default 10,000,000).
    pub max_ledger: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_decompressed: 4 << 30,
            max_line: 4 << 20,
            max_string: 64 << 10,
            max_devices: 2_000_000,
            max_ledger: 10_000_000,
        }
    }
}

/// Why a bundle cannot be written or read. Each message says what is wrong in words fit for an
/// HTTP 400 JSON body, and never repeats more than a short excerpt of what was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The bytes are not gzip.
    #[error("not a bundle: not gzip-compressed")]
    NotGzip,
    /// The gzip stream is damaged (its deflate data or its CRC).
    #[error("the bundle is corrupt: {0}")]
    Corrupt(String),
    /// The first line is not a bundle's header.
    #[error("not a bundle: {0}")]
    NotBundle(String),
    /// The bundle is of a newer format than this netorigin reads.
    #[error(
        "the bundle is of format {found}, newer than this netorigin reads (up to {FORMAT}): upgrade the server"
    )]
    NewerFormat {
        /// The format it says it is.
        found: u64,
    },
    /// The header's sweep is not one a bundle may carry.
    #[error("the bundle's header: {0}")]
    Header(String),
    /// It decompresses to more than the limit.
    #[error("the bundle decompresses to more than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A line is longer than the limit.
    #[error("line {line} of the bundle is longer than {limit} bytes")]
    LineTooLong {
        /// The line (1 is the header).
        line: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A line is not the JSON it should be.
    #[error("line {line} of the bundle: {reason}")]
    Json {
        /// The line (1 is the header).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A line holds what no netorigin writes: a control character, a string over the limit,
    /// nesting deeper than [`MAX_DEPTH`].
    #[error("line {line} of the bundle is refused: {reason}")]
    Hostile {
        /// The line (1 is the header).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The bundle ends before its trailer: it was cut short.
    #[error("the bundle is truncated: it ends before its end line")]
    Truncated,
    /// A count of the trailer is not the number of lines of its kind read.
    #[error("the bundle's end line says {said} {what} but it holds {read}")]
    Count {
        /// What it counts: `devices`, `ledger items` or `ledger entries`.
        what: &'static str,
        /// What the trailer says.
        said: u64,
        /// Devices read.
        read: u64,
    },
    /// More devices than the limit.
    #[error("the bundle holds more than {limit} devices")]
    TooManyDevices {
        /// The limit.
        limit: u64,
    },
    /// More ledger lines than the limit.
    #[error("the bundle holds more than {limit} ledger lines")]
    TooManyLedgerLines {
        /// The limit.
        limit: u64,
    },
    /// Reading or writing failed below the bundle (the connection, the disk).
    #[error("the bundle could not be read or written: {0}")]
    Io(String),
}

/// Checks a site's name: 1 to [`MAX_SITE`] characters, no control character, not only white
/// space. The error says what is wrong, for a message naming where the name came from.
pub fn check_site(site: &str) -> Result<(), String> {
    if site.trim().is_empty() {
        return Err("a site name cannot be empty".into());
    }
    let chars = site.chars().count();
    if chars > MAX_SITE {
        return Err(format!(
            "a site name has at most {MAX_SITE} characters (this one has {chars})"
        ));
    }
    if site.chars().any(char::is_control) {
        return Err("a site name cannot hold a control character".into());
    }
    Ok(())
}

impl SweepHeader {
    /// Checks what a bundle's header must be: a valid site name and a status of
    /// [`STATUSES`].
    pub fn check(&self) -> Result<(), BundleError> {
        check_site(&self.site).map_err(BundleError::Header)?;
        if !STATUSES.contains(&self.status.as_str()) {
            return Err(BundleError::Header(format!(
                "status {:?} is not one of complete, interrupted, failed",
                hostile::excerpt(&self.status, 40)
            )));
        }
        // A clock far off (or a forged time) would move a site's intervals past every real
        // sweep to come, or past what a database can hold.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let latest = now + 86_400_000;
        for (name, ms) in [
            ("started_ms", Some(self.started_ms)),
            ("ended_ms", self.ended_ms),
        ] {
            if let Some(ms) = ms
                && !(EARLIEST_MS..=latest).contains(&ms)
            {
                return Err(BundleError::Header(format!(
                    "{name} {ms} is not between 2000-01-01 and a day from now: is the site's clock right?"
                )));
            }
        }
        Ok(())
    }
}

/// 2000-01-01T00:00:00Z in Unix milliseconds: no sweep is older.
pub const EARLIEST_MS: i64 = 946_684_800_000;
