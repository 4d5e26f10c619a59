//! The removal ledger's lines (issue 21, format 2): the site's ledger items as they stand when
//! the bundle is written, then every step recorded, oldest first. The bundle layer's own types,
//! so that it depends on no store: the pipeline converts the store's items and entries to these.
//!
//! Numbers are the site's own (its history database's): an entry names its item by that number
//! and by the item's identity key. Evidence travels as its name, SHA-256 and size only, never
//! the file's bytes. Every string passes the same checks as a device line's (length, control
//! characters) before the line is decoded; dates are `YYYY-MM-DD`, states and verdicts their
//! words, and an unknown field refuses the line.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::record::{LedgerState, Verdict};

/// What a ledger item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LedgerKind {
    /// A device (a chassis, a box).
    Device,
    /// A module of a device (a card, a transceiver), kept by its serial.
    Module,
}

impl LedgerKind {
    /// As written: `device` or `module`.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Device => "device",
            LedgerKind::Module => "module",
        }
    }
}

/// One item of a site's removal ledger: a banned or review device or module, where its
/// removal stands and what the sweeps last saw of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerItemLine {
    /// Its number in the site's history database.
    pub id: i64,
    /// Its identity key (`serial:...`, `mac:...`, `engine:...`, `address:...`; a module's is
    /// `module:serial:...`).
    pub identity: String,
    /// A device or a module.
    pub kind: LedgerKind,
    /// For a module: the identity key of the device it was seen in.
    pub parent: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Chassis MAC.
    pub chassis_mac: Option<String>,
    /// SNMPv3 engine ID, hex.
    pub engine_id: Option<String>,
    /// The address it was last seen at (a module: its device's).
    pub address: String,
    /// Vendor.
    pub vendor: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// sysName (a module: its device's).
    pub sys_name: Option<String>,
    /// The site its context names (as last judged; the bundle's site is the one that swept).
    pub site: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Technologies.
    pub technology: Option<String>,
    /// The day it was acquired, where known.
    pub acquired: Option<Date>,
    /// The verdict it was last judged.
    pub verdict: Verdict,
    /// The rule that bans it (`policy/rule`).
    pub rule: Option<String>,
    /// That rule's jurisdiction.
    pub jurisdiction: Option<String>,
    /// That rule's remove-by date.
    pub deadline: Option<Date>,
    /// Where its removal stands.
    pub state: LedgerState,
    /// The day it entered that state.
    pub since: Date,
    /// The target date of its planned removal.
    pub target: Option<Date>,
    /// The approved exception it is kept under (`exempt`).
    pub exception: Option<String>,
    /// When a sweep first stored it (Unix milliseconds).
    pub first_seen_ms: i64,
    /// When a sweep last saw it (Unix milliseconds).
    pub last_seen_ms: i64,
    /// Complete sweeps of its range in a row that did not see it.
    pub absent_sweeps: i64,
    /// Whether a sweep saw it after it was marked off the network (and no one marked it since).
    pub reappeared: bool,
}

/// A file kept as evidence of a step: its name, SHA-256 and size; never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceLine {
    /// The file's name (without its folder).
    pub name: String,
    /// SHA-256 of its bytes: 64 lower-case hex digits.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One step recorded in a site's removal ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntryLine {
    /// Its number in the site's history database.
    pub id: i64,
    /// The number of the item it is about.
    pub item: i64,
    /// That item's identity key.
    pub identity: String,
    /// The state before (none for the sweep that found it).
    pub from: Option<LedgerState>,
    /// The state after.
    pub state: LedgerState,
    /// The day it happened.
    pub day: Date,
    /// When it was recorded (Unix milliseconds).
    pub recorded_ms: i64,
    /// Who recorded it (`netorigin sweep #N` for the sweep that found it).
    pub by: String,
    /// A note.
    pub note: Option<String>,
    /// The target date (`planned`).
    pub target: Option<Date>,
    /// The approved exception (`exempt`).
    pub exception: Option<String>,
    /// The files kept as evidence.
    pub evidence: Vec<EvidenceLine>,
}

impl LedgerItemLine {
    /// Checks what the types cannot: an identity key to name it by.
    pub fn check(&self) -> Result<(), String> {
        if self.identity.is_empty() {
            return Err("a ledger item has an empty identity".into());
        }
        Ok(())
    }
}

impl LedgerEntryLine {
    /// Checks what the types cannot: an identity key, and each evidence file's SHA-256 as 64
    /// lower-case hex digits.
    pub fn check(&self) -> Result<(), String> {
        if self.identity.is_empty() {
            return Err("a ledger entry has an empty identity".into());
        }
        let hex = |s: &str| {
            s.len() == 64
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        match self.evidence.iter().find(|e| !hex(&e.sha256)) {
            Some(_) => Err("an evidence file's sha256 is not 64 lower-case hex digits".into()),
            None => Ok(()),
        }
    }
}
