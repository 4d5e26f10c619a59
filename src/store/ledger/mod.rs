//! The removal ledger (issue 21): each banned or review device and module the sweeps found, the
//! state of its removal (`record::LedgerState`), the steps people recorded with their day, who,
//! a note and evidence files, and what each later sweep saw of it.
//!
//! Items are made by the sweeps themselves ([`sweeps`]: every banned or review device and
//! module is `found` when first stored) and by a person naming gear the ledger does not hold
//! yet (gear stored before the ledger existed). A person moves an item along with
//! [`Store::ledger_mark`]; the state machine is `LedgerState::step`. The sweeps then confirm
//! or contradict: gear marked off the network that a sweep sees again is `reappeared`, gear
//! still on the network that sweeps of its range no longer see counts its absences (never
//! removed by that alone), and a sweep whose targets did not hold its address says so.

mod query;
mod seen_again;
pub mod sweeps;

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Store, StoreError, now_ms};
use crate::date::Date;
use crate::record::{LedgerState, Refused, Verdict};

pub use query::{LedgerFilter, LedgerSighting};
pub use seen_again::OffNetwork;

/// How many complete sweeps of its range must miss gear still on the network before the
/// ledger calls it `unconfirmed-absent` (unless a command says otherwise).
pub const ABSENT_AFTER: i64 = 3;

/// The largest evidence file the ledger keeps (a scanned certificate, a photo).
pub const MAX_EVIDENCE_BYTES: u64 = 64 << 20;

/// One banned or review device or module in the ledger, with what the sweeps last saw of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerItem {
    /// Its number in this database (`#N` names it on the command line).
    pub id: i64,
    /// Its identity key (`serial:...`, `mac:...`, `engine:...`, `address:...`; a module's is
    /// `module:serial:...`).
    pub identity: String,
    /// `device` or `module`.
    pub kind: String,
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
    /// Site, role and technology, as last judged.
    pub site: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Technologies.
    pub technology: Option<String>,
    /// The day it was acquired, where known.
    pub acquired: Option<String>,
    /// The verdict it was last judged.
    pub verdict: Verdict,
    /// The rule that bans it (`policy/rule`).
    pub rule: Option<String>,
    /// That rule's jurisdiction.
    pub jurisdiction: Option<String>,
    /// That rule's remove-by date.
    pub deadline: Option<String>,
    /// Where its removal stands.
    pub state: LedgerState,
    /// The day it entered that state.
    pub since: String,
    /// The target date of its planned removal.
    pub target: Option<String>,
    /// The approved exception it is kept under (`exempt`).
    pub exception: Option<String>,
    /// The sweep that first stored it, and when.
    pub first_sweep: i64,
    /// Unix milliseconds.
    pub first_seen_ms: i64,
    /// The sweep that last saw it, and when.
    pub last_sweep: i64,
    /// Unix milliseconds.
    pub last_seen_ms: i64,
    /// Complete sweeps of its range in a row that did not see it.
    pub absent_sweeps: i64,
    /// The sweep that saw it again after it was marked off the network, if one did.
    pub reappeared_sweep: Option<i64>,
}

impl LedgerItem {
    /// Whether a sweep saw it after it was marked off the network (and no one marked it since).
    pub fn reappeared(&self) -> bool {
        self.reappeared_sweep.is_some()
    }

    /// Whether it is still on the network in the ledger but `n` or more complete sweeps of its
    /// range in a row did not see it.
    pub fn unconfirmed_absent(&self, n: i64) -> bool {
        self.state.on_network() && self.absent_sweeps >= n.max(1)
    }

    /// Whether it is still on the network as far as anyone can tell: the ledger has it there,
    /// or has it off but a sweep saw it again since (the sweep outweighs the mark).
    pub fn still_there(&self) -> bool {
        self.state.on_network() || (self.state.off_network() && self.reappeared())
    }

    /// Whether it is still there ([`LedgerItem::still_there`]) past the earlier of its deadline
    /// and its planned target, on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.still_there() && self.due().is_some_and(|d| d < today)
    }

    /// The earlier of its policy deadline and its planned target date.
    pub fn due(&self) -> Option<Date> {
        [&self.deadline, &self.target]
            .into_iter()
            .filter_map(|d| d.as_deref().and_then(Date::parse))
            .min()
    }
}

/// A file kept as evidence of a step: its name as given, SHA-256 and size; the bytes are kept
/// once in the database ([`Store::evidence_content`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceRef {
    /// The file's name (without its folder).
    pub name: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
}

/// One step recorded in the ledger.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerEntry {
    /// Its number.
    pub id: i64,
    /// The item it is about.
    pub item: i64,
    /// The item's identity key.
    pub identity: String,
    /// The state before (none for the sweep that found it).
    pub from: Option<LedgerState>,
    /// The state after.
    pub state: LedgerState,
    /// The day it happened.
    pub day: String,
    /// When it was recorded (Unix milliseconds).
    pub recorded_ms: i64,
    /// Who recorded it (`netorigin sweep #N` for the sweep that found it).
    pub by: String,
    /// A note.
    pub note: Option<String>,
    /// The target date (`planned`).
    pub target: Option<String>,
    /// The approved exception (`exempt`).
    pub exception: Option<String>,
    /// The sweep that found it (the first entry of an item the sweeps made).
    pub sweep: Option<i64>,
    /// The files kept as evidence.
    pub evidence: Vec<EvidenceRef>,
}

/// A step a person records.
#[derive(Debug, Clone, Default)]
pub struct Mark {
    /// The day it happened (default today).
    pub day: Option<Date>,
    /// Who records it.
    pub by: String,
    /// A note.
    pub note: Option<String>,
    /// The target date (required for `planned`).
    pub target: Option<Date>,
    /// The approved exception (required for `exempt`).
    pub exception: Option<String>,
    /// Evidence files: name and bytes.
    pub evidence: Vec<(String, Vec<u8>)>,
}

/// Why a step cannot be recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Nothing in the ledger or the history answers to the name.
    #[error(
        "{0:?}: no banned or review device or module of that serial, chassis MAC, engine ID, address or ledger number (#N) in the history (see `netorigin ledger list`)"
    )]
    NotFound(String),
    /// Several items answer to the name.
    #[error("{name:?} names {} items of the ledger: {}; name one by its number", .items.len(), .items.join(", "))]
    Ambiguous {
        /// What was given.
        name: String,
        /// `#N identity` of each.
        items: Vec<String>,
    },
    /// The gear is in the history but judged neither banned nor review.
    #[error(
        "{name:?} ({identity}) was judged {verdict} by sweep #{sweep}: the ledger keeps banned and review gear"
    )]
    NotCovered {
        /// What was given.
        name: String,
        /// Its identity key.
        identity: String,
        /// Its verdict.
        verdict: Verdict,
        /// The sweep that judged it.
        sweep: i64,
    },
    /// The state machine refuses the step.
    #[error("#{item} {identity}: {refused}")]
    Refused {
        /// The item.
        item: i64,
        /// Its identity key.
        identity: String,
        /// Which step and why.
        refused: Refused,
    },
    /// A step that needs a value was given without it.
    #[error("{0}")]
    Missing(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LedgerError {
    /// Whether a person's input is at fault (exit 2), not the database.
    pub fn is_usage(&self) -> bool {
        !matches!(self, LedgerError::Store(_))
    }
}

/// SHA-256 of some bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::wire::hex(&Sha256::digest(bytes))
}

impl Store {
    /// Records a step of the item `name` names (`#N`, a serial, a chassis MAC, an engine ID or
    /// an address); an item the ledger lacks is made from the newest stored device or module
    /// of that name first. Returns the item as it is now and the entry recorded.
    pub fn ledger_mark(
        &self,
        name: &str,
        to: LedgerState,
        mark: Mark,
    ) -> Result<(LedgerItem, LedgerEntry), LedgerError> {
        // One write transaction from the read to the write: two marks at once cannot both
        // start from the same state, and an item made for a mark that is refused is not kept.
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(|e| self.sqlite(e))?;
        let item = self.ledger_find(name)?;
        let refused = |why: &str| LedgerError::Refused {
            item: item.id,
            identity: item.identity.clone(),
            refused: Refused {
                from: item.state,
                to,
                why: why.to_string(),
            },
        };
        item.state
            .step(to, item.reappeared())
            .map_err(|refused| LedgerError::Refused {
                item: item.id,
                identity: item.identity.clone(),
                refused,
            })?;
        if to == LedgerState::Planned && mark.target.is_none() {
            return Err(refused(
                "a plan needs its target date (--target YYYY-MM-DD)",
            ));
        }
        if to == LedgerState::Exempt && mark.exception.as_deref().is_none_or(str::is_empty) {
            return Err(refused(
                "an exemption needs the approved exception it rests on (--exception TEXT)",
            ));
        }
        let day = mark.day.unwrap_or_else(Date::today);
        if day.days() < Date::parse(&item.since).map_or(i64::MIN, Date::days) {
            return Err(refused(&format!(
                "the day given ({day}) is before the day it became {} ({})",
                item.state, item.since
            )));
        }
        let entry = insert_entry(
            &tx,
            &NewEntry {
                item: item.id,
                from: Some(item.state),
                state: to,
                day: day.to_string(),
                by: &mark.by,
                note: mark.note.as_deref(),
                target: mark.target.map(|d| d.to_string()),
                exception: mark.exception.as_deref(),
                sweep: None,
            },
            &mark.evidence,
        )
        .map_err(|e| self.sqlite(e))?;
        tx.execute(
            "UPDATE ledger_item SET state = ?2, since = ?3,
                 target = CASE WHEN ?2 = 'planned' THEN ?4 ELSE target END,
                 exception = CASE WHEN ?2 = 'exempt' THEN ?5 ELSE NULL END,
                 reappeared_sweep = CASE WHEN ?2 IN ('found', 'planned') THEN NULL
                     ELSE reappeared_sweep END,
                 absent_sweeps = 0
             WHERE id = ?1",
            params![
                item.id,
                to.as_str(),
                day.to_string(),
                mark.target.map(|d| d.to_string()),
                mark.exception
            ],
        )
        .map_err(|e| self.sqlite(e))?;
        tx.commit().map_err(|e| self.sqlite(e))?;
        let item = self
            .ledger_item(item.id)?
            .ok_or_else(|| LedgerError::NotFound(name.to_string()))?;
        let entry = self
            .ledger_entries(Some(item.id))?
            .into_iter()
            .find(|e| e.id == entry)
            .ok_or_else(|| LedgerError::NotFound(name.to_string()))?;
        Ok((item, entry))
    }

    /// The bytes of an evidence file, by its SHA-256.
    pub fn evidence_content(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT content FROM evidence_file WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }
}

/// An entry to write.
pub(super) struct NewEntry<'a> {
    pub item: i64,
    pub from: Option<LedgerState>,
    pub state: LedgerState,
    pub day: String,
    pub by: &'a str,
    pub note: Option<&'a str>,
    pub target: Option<String>,
    pub exception: Option<&'a str>,
    pub sweep: Option<i64>,
}

/// Writes an entry and its evidence files (each file's bytes once, by SHA-256); returns its
/// number.
pub(super) fn insert_entry(
    conn: &rusqlite::Connection,
    e: &NewEntry<'_>,
    evidence: &[(String, Vec<u8>)],
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO ledger_entry (item, from_state, state, day, recorded_ms, by, note, target,
             exception, sweep)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.item,
            e.from.map(LedgerState::as_str),
            e.state.as_str(),
            e.day,
            now_ms(),
            e.by,
            e.note,
            e.target,
            e.exception,
            e.sweep
        ],
    )?;
    let entry = conn.last_insert_rowid();
    for (name, bytes) in evidence {
        let sha = sha256_hex(bytes);
        conn.execute(
            "INSERT OR IGNORE INTO evidence_file (sha256, content) VALUES (?1, ?2)",
            params![sha, bytes],
        )?;
        conn.execute(
            "INSERT INTO ledger_evidence (entry, name, sha256, size) VALUES (?1, ?2, ?3, ?4)",
            params![entry, name, sha, bytes.len() as i64],
        )?;
    }
    Ok(entry)
}

#[cfg(test)]
mod tests;
