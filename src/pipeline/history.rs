//! The stored sweeps read back: which sweeps a `history` command names, the devices they hold
//! and the changes between two, rendered by [`crate::report::history`].

use std::path::PathBuf;

use super::observers::{Report, open_output};
use super::{Failure, other, store_failure, usage, write_failure};
use crate::report::Layout;
use crate::report::history::{diff, list, show};
use crate::store::ledger::sweeps::coverage;
use crate::store::{Confirmation, Store, StoredDevice, SweepRow, timestamp};

/// A sweep named by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepRef {
    /// By number.
    Id(i64),
    /// The newest (of any status for `show`; the newest complete one for `diff`).
    Last,
}

/// What a history report shows.
#[derive(Debug, Clone, Copy)]
pub enum Query {
    /// Every stored sweep.
    List,
    /// The devices one sweep stored.
    Show(SweepRef),
    /// What changed from one sweep to another (default: the last two complete sweeps).
    Diff(Option<SweepRef>, Option<SweepRef>),
}

/// Reads the database `db` (default: the one in the data folder) and reports what `query`
/// asks for.
pub fn history(db: Option<PathBuf>, query: Query, output: &Report) -> Result<(), Failure> {
    let store = Store::open_existing(&database(db)?).map_err(store_failure)?;
    let out = open_output(output)?;
    let (format, layout) = (
        output.format,
        Layout::detect(output.wide, output.output.is_none()),
    );
    let written = match query {
        Query::List => list(&store.sweeps().map_err(other)?, format, layout, out),
        Query::Show(sweep) => {
            let row = stored_sweep(&store, sweep)?;
            let devices = store.devices(row.id).map_err(other)?;
            show(&row, &devices, format, layout, out)
        }
        Query::Diff(a, b) => {
            let (a, b) = pair(&store, a, b)?;
            let before = store.devices(a.id).map_err(other)?;
            let after = store.devices(b.id).map_err(other)?;
            let last_seen = |d: &StoredDevice| {
                store
                    .last_seen(&d.identity, b.id.max(a.id))
                    .ok()
                    .flatten()
                    .or(Some(d.seen_ms))
                    .map(timestamp)
            };
            let reappeared = reappeared(&store, b.id)?;
            let targets = coverage(&b.parameters);
            let complete = b.status == "complete";
            let covers = |address: &str| {
                complete
                    && address
                        .parse()
                        .ok()
                        .zip(targets.as_ref())
                        .is_some_and(|(a, t)| t.contains(a))
            };
            let confirm = Confirmation {
                reappeared,
                // A sweep stored without its targets (an older netorigin's) cannot say.
                covers: b
                    .parameters
                    .get("targets")
                    .is_some()
                    .then_some(&covers as &dyn Fn(&str) -> bool),
            };
            let changes = crate::store::diff(&before, &after, &last_seen, &confirm);
            diff(&a, &b, &changes, format, layout, out)
        }
    };
    written.map_err(write_failure)
}

/// The devices sweep `sweep` saw again after the removal ledger had them (or a module of
/// theirs) off the network, by identity key, with what the ledger said.
fn reappeared(
    store: &Store,
    sweep: i64,
) -> Result<std::collections::HashMap<String, String>, Failure> {
    let mut reappeared = std::collections::HashMap::new();
    for s in store.ledger_sightings(sweep).map_err(other)? {
        if s.outcome != "reappeared" {
            continue;
        }
        // A module seen again is a change of the device that holds it.
        let item = store.ledger_item(s.item).map_err(other)?;
        let (device, words) = match item.and_then(|i| i.parent.map(|p| (p, i.serial))) {
            Some((parent, serial)) => (
                parent,
                format!(
                    "module {} marked off the network in the ledger (#{})",
                    serial.unwrap_or_default(),
                    s.item
                ),
            ),
            None => (
                s.identity,
                format!("marked off the network in the ledger (#{})", s.item),
            ),
        };
        reappeared.insert(device, words);
    }
    Ok(reappeared)
}

/// The sweep a person named: by number, or the newest of any status; exit 2 when there is
/// none.
pub(crate) fn stored_sweep(store: &Store, sweep: SweepRef) -> Result<SweepRow, Failure> {
    match sweep {
        SweepRef::Id(id) => store.sweep(id).map_err(other)?,
        SweepRef::Last => store.sweeps().map_err(other)?.pop(),
    }
    .ok_or_else(|| usage(no_such(sweep, store)))
}

/// The database a person named, else the one in the data folder.
pub(crate) fn database(db: Option<PathBuf>) -> Result<PathBuf, Failure> {
    match db {
        Some(p) => Ok(p),
        None => crate::store::default_path().ok_or_else(|| {
            usage("no data folder for the history database (set NETORIGIN_DATA_DIR or HOME, or give --db FILE)")
        }),
    }
}

/// The two sweeps a diff compares: both named, the one named and the last complete one, or
/// the last two complete ones.
fn pair(
    store: &Store,
    a: Option<SweepRef>,
    b: Option<SweepRef>,
) -> Result<(SweepRow, SweepRow), Failure> {
    let complete = store.last_complete(2).map_err(other)?;
    let find = |r: SweepRef| -> Result<SweepRow, Failure> {
        match r {
            SweepRef::Id(id) => store.sweep(id).map_err(other)?,
            SweepRef::Last => complete.last().cloned(),
        }
        .ok_or_else(|| usage(no_such(r, store)))
    };
    Ok(match (a, b) {
        (Some(a), Some(b)) => (find(a)?, find(b)?),
        (Some(a), None) => (find(a)?, find(SweepRef::Last)?),
        _ => match &complete[..] {
            [a, b] => (a.clone(), b.clone()),
            _ => {
                return Err(usage(format!(
                    "{}: a diff needs two complete sweeps and it holds {}; name two with `history diff A B`",
                    store.path().display(),
                    complete.len()
                )));
            }
        },
    })
}

fn no_such(r: SweepRef, store: &Store) -> String {
    match r {
        SweepRef::Id(id) => format!(
            "{}: no sweep #{id} (see `netorigin history list`)",
            store.path().display()
        ),
        SweepRef::Last => format!("{}: no sweep stored yet", store.path().display()),
    }
}
