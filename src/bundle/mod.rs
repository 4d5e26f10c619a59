//! Bundles: one stored sweep as a site uploads it to the central server (issue 19).
//!
//! A bundle is gzip over JSON Lines, read and written as a stream so that neither side holds a
//! whole sweep in memory:
//!
//! ```text
//! {"netorigin_bundle":1,"sweep":{"uuid":"…","site":"…","started_ms":…,…}}   the header
//! {"device":{…the judged record, as the sweep's JSON report has it…}}        one per device
//! {"end":{"devices":N}}                                                      the trailer
//! ```
//!
//! The trailer's count must equal the devices read, so a truncated bundle is refused rather
//! than stored short. The header's `netorigin_bundle` is the format's version: a bundle from a
//! newer version is refused, never half-read. The sweep's options are its stored parameters,
//! which never hold a secret.

use serde::{Deserialize, Serialize};

/// The bundle format this netorigin writes and the newest it reads.
pub const FORMAT: u32 = 1;

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
