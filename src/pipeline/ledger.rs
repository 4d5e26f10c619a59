//! The removal ledger read and written for a person (`ledger mark | show | list`): the steps
//! recorded with their evidence files, the items as the sweeps left them, rendered by
//! [`crate::report::ledger_items`].

use std::path::{Path, PathBuf};

use super::history::database;
use super::observers::{Report, open_output};
use super::{Failure, other, store_failure, usage, write_failure};
use crate::date::Date;
use crate::record::LedgerState;
use crate::report::Layout;
use crate::report::ledger_items::{list, show};
use crate::store::ledger::MAX_EVIDENCE_BYTES;
use crate::store::{LedgerError, LedgerFilter, Mark, Store};

/// What a ledger command does.
#[derive(Debug, Clone)]
pub enum LedgerQuery {
    /// Records a step of the gear `device` names.
    Mark {
        /// `#N`, a serial, a chassis MAC, an engine ID or an address.
        device: String,
        /// The state it is in now.
        state: LedgerState,
        /// Who, when, why; `evidence` is read from `files`.
        mark: Mark,
        /// Evidence files to read and keep.
        files: Vec<PathBuf>,
    },
    /// One item and its steps.
    Show(String),
    /// The items a filter lets through.
    List(LedgerFilter),
}

/// How the sweeps' word is read.
#[derive(Debug, Clone, Copy)]
pub struct LedgerView {
    /// Sweeps of its range in a row that must miss gear still on the network before it is
    /// `unconfirmed-absent`.
    pub absent_after: i64,
    /// The day deadlines are judged at.
    pub today: Date,
}

/// Runs a ledger command on the database `db` (default: the one in the data folder).
pub fn ledger(
    db: Option<PathBuf>,
    query: LedgerQuery,
    view: LedgerView,
    output: &Report,
) -> Result<(), Failure> {
    let store = Store::open_existing(&database(db)?).map_err(store_failure)?;
    let layout = Layout::detect(output.wide, output.output.is_none());
    let (item, entries) = match query {
        LedgerQuery::List(filter) => {
            let items = store.ledger_items(&filter).map_err(other)?;
            let out = open_output(output)?;
            return list(
                &items,
                view.absent_after,
                view.today,
                output.format,
                layout,
                out,
            )
            .map_err(write_failure);
        }
        LedgerQuery::Show(name) => {
            let item = store.ledger_find(&name).map_err(ledger_failure)?;
            let entries = store.ledger_entries(Some(item.id)).map_err(other)?;
            (item, entries)
        }
        LedgerQuery::Mark {
            device,
            state,
            mut mark,
            files,
        } => {
            mark.evidence = files
                .iter()
                .map(|f| read_evidence(f))
                .collect::<Result<_, _>>()?;
            let (item, _) = store
                .ledger_mark(&device, state, mark)
                .map_err(ledger_failure)?;
            let entries = store.ledger_entries(Some(item.id)).map_err(other)?;
            (item, entries)
        }
    };
    let out = open_output(output)?;
    show(
        &item,
        &entries,
        view.absent_after,
        view.today,
        output.format,
        layout,
        out,
    )
    .map_err(write_failure)
}

/// A ledger error as a failure: a person's mistake is exit code 2.
fn ledger_failure(e: LedgerError) -> Failure {
    match e {
        LedgerError::Store(e) => store_failure(e),
        e => usage(e),
    }
}

/// An evidence file's name and bytes; exit 2 naming it when it cannot be read or is too large.
fn read_evidence(path: &Path) -> Result<(String, Vec<u8>), Failure> {
    let refuse = |why: String| usage(format!("--evidence {}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| refuse(e.to_string()))?;
    if !meta.is_file() {
        return Err(refuse("not a file".into()));
    }
    if meta.len() > MAX_EVIDENCE_BYTES {
        return Err(refuse(format!(
            "{} bytes; the ledger keeps files up to {} MiB",
            meta.len(),
            MAX_EVIDENCE_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| refuse(e.to_string()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "evidence".into());
    Ok((name, bytes))
}
