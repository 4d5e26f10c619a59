//! Reading the ledger back: items (all, filtered, or the one a person names), their entries with
//! their evidence files, and what a sweep saw of each.

use std::collections::HashMap;

use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, params};

use super::sweeps::{ItemSource, MODULE_NOT_CHASSIS, make_item};
use super::{EvidenceRef, LedgerEntry, LedgerError, LedgerItem};
use crate::date::Date;
use crate::record::{EngineId, LedgerState, Mac};
use crate::store::{Store, StoreError};

/// Which items a listing shows.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    /// Only items in this state.
    pub state: Option<LedgerState>,
    /// Only items still on the network past their deadline or target on this day.
    pub overdue_on: Option<Date>,
    /// Only items a sweep saw again after they were marked off the network.
    pub reappeared: bool,
}

/// What one sweep saw of one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerSighting {
    /// The item's number.
    pub item: i64,
    /// Its identity key.
    pub identity: String,
    /// `seen`, `reappeared`, `absent` (its address was in the sweep's targets) or `uncovered`
    /// (it was not: the sweep could not confirm either way).
    pub outcome: String,
}

const ITEM_COLUMNS: &str = "id, identity, kind, parent, serial, chassis_mac, engine_id, address,
    vendor, model, sys_name, site, role, technology, acquired, verdict, rule, jurisdiction,
    deadline, state, since, target, exception, first_sweep, first_seen_ms, last_sweep,
    last_seen_ms, absent_sweeps, reappeared_sweep";

fn parsed<T: std::str::FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, String>(i)?
        .parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn item(r: &Row<'_>) -> rusqlite::Result<LedgerItem> {
    Ok(LedgerItem {
        id: r.get(0)?,
        identity: r.get(1)?,
        kind: r.get(2)?,
        parent: r.get(3)?,
        serial: r.get(4)?,
        chassis_mac: r.get(5)?,
        engine_id: r.get(6)?,
        address: r.get(7)?,
        vendor: r.get(8)?,
        model: r.get(9)?,
        sys_name: r.get(10)?,
        site: r.get(11)?,
        role: r.get(12)?,
        technology: r.get(13)?,
        acquired: r.get(14)?,
        verdict: parsed(r, 15)?,
        rule: r.get(16)?,
        jurisdiction: r.get(17)?,
        deadline: r.get(18)?,
        state: parsed(r, 19)?,
        since: r.get(20)?,
        target: r.get(21)?,
        exception: r.get(22)?,
        first_sweep: r.get(23)?,
        first_seen_ms: r.get(24)?,
        last_sweep: r.get(25)?,
        last_seen_ms: r.get(26)?,
        absent_sweeps: r.get(27)?,
        reappeared_sweep: r.get(28)?,
    })
}

impl Store {
    /// One item by its number.
    pub fn ledger_item(&self, id: i64) -> Result<Option<LedgerItem>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {ITEM_COLUMNS} FROM ledger_item WHERE id = ?1"),
                [id],
                item,
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// The items `filter` lets through, by number.
    pub fn ledger_items(&self, filter: &LedgerFilter) -> Result<Vec<LedgerItem>, StoreError> {
        let mut q = self
            .conn
            .prepare(&format!(
                "SELECT {ITEM_COLUMNS} FROM ledger_item
                 WHERE (?1 IS NULL OR state = ?1) AND (?2 = 0 OR reappeared_sweep IS NOT NULL)
                 ORDER BY id"
            ))
            .map_err(|e| self.sqlite(e))?;
        let all: Vec<LedgerItem> = q
            .query_map(
                params![filter.state.map(LedgerState::as_str), filter.reappeared],
                item,
            )
            .and_then(Iterator::collect)
            .map_err(|e| self.sqlite(e))?;
        Ok(match filter.overdue_on {
            Some(day) => all.into_iter().filter(|i| i.overdue(day)).collect(),
            None => all,
        })
    }

    /// The entries of one item (or of every item), oldest first, each with its evidence files.
    pub fn ledger_entries(&self, item: Option<i64>) -> Result<Vec<LedgerEntry>, StoreError> {
        let mut evidence: HashMap<i64, Vec<EvidenceRef>> = HashMap::new();
        {
            let mut q = self
                .conn
                .prepare(
                    "SELECT v.entry, v.name, v.sha256, v.size FROM ledger_evidence v
                     JOIN ledger_entry e ON e.id = v.entry
                     WHERE ?1 IS NULL OR e.item = ?1 ORDER BY v.rowid",
                )
                .map_err(|e| self.sqlite(e))?;
            let rows = q
                .query_map([item], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        EvidenceRef {
                            name: r.get(1)?,
                            sha256: r.get(2)?,
                            size: r.get(3)?,
                        },
                    ))
                })
                .map_err(|e| self.sqlite(e))?;
            for row in rows {
                let (entry, file) = row.map_err(|e| self.sqlite(e))?;
                evidence.entry(entry).or_default().push(file);
            }
        }
        let mut q = self
            .conn
            .prepare(
                "SELECT e.id, e.item, i.identity, e.from_state, e.state, e.day, e.recorded_ms,
                        e.by, e.note, e.target, e.exception, e.sweep
                 FROM ledger_entry e JOIN ledger_item i ON i.id = e.item
                 WHERE ?1 IS NULL OR e.item = ?1 ORDER BY e.id",
            )
            .map_err(|e| self.sqlite(e))?;
        q.query_map([item], |r| {
            let id: i64 = r.get(0)?;
            Ok(LedgerEntry {
                id,
                item: r.get(1)?,
                identity: r.get(2)?,
                from: match r.get::<_, Option<String>>(3)? {
                    Some(_) => Some(parsed(r, 3)?),
                    None => None,
                },
                state: parsed(r, 4)?,
                day: r.get(5)?,
                recorded_ms: r.get(6)?,
                by: r.get(7)?,
                note: r.get(8)?,
                target: r.get(9)?,
                exception: r.get(10)?,
                sweep: r.get(11)?,
                evidence: evidence.remove(&id).unwrap_or_default(),
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.sqlite(e))
    }

    /// What sweep `sweep` saw of each item it said something of, by item number.
    pub fn ledger_sightings(&self, sweep: i64) -> Result<Vec<LedgerSighting>, StoreError> {
        let mut q = self
            .conn
            .prepare(
                "SELECT s.item, i.identity, s.outcome FROM ledger_sighting s
                 JOIN ledger_item i ON i.id = s.item WHERE s.sweep = ?1 ORDER BY s.item",
            )
            .map_err(|e| self.sqlite(e))?;
        q.query_map([sweep], |r| {
            Ok(LedgerSighting {
                item: r.get(0)?,
                identity: r.get(1)?,
                outcome: r.get(2)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.sqlite(e))
    }

    /// The item a person names: `#N`, else the items whose serial, chassis MAC,
    /// engine ID or address is the name (a module by its serial only) (in that order: the first kind of key that matches
    /// decides); else the newest stored banned or review device or module of that name, made
    /// an item now.
    pub fn ledger_find(&self, name: &str) -> Result<LedgerItem, LedgerError> {
        let name = name.trim();
        if let Some(n) = name.strip_prefix('#') {
            return match n.parse::<i64>() {
                Ok(n) => self.ledger_item(n)?,
                Err(_) => None,
            }
            .ok_or_else(|| LedgerError::NotFound(name.to_string()));
        }
        for (column, value) in keys_of(name) {
            let ids: Vec<i64> = {
                let mut q = self
                    .conn
                    .prepare(&format!(
                        "SELECT id FROM ledger_item WHERE {column} = ?1
                         AND (kind = 'device' OR '{column}' = 'serial') ORDER BY id"
                    ))
                    .map_err(|e| self.sqlite(e))?;
                q.query_map([&value], |r| r.get(0))
                    .and_then(Iterator::collect)
                    .map_err(|e| self.sqlite(e))?
            };
            match ids[..] {
                [] => continue,
                [one] => {
                    return self
                        .ledger_item(one)?
                        .ok_or_else(|| LedgerError::NotFound(name.to_string()));
                }
                _ => {
                    let items = ids
                        .iter()
                        .filter_map(|i| self.ledger_item(*i).ok().flatten())
                        .map(|i| format!("#{} {}", i.id, i.identity))
                        .collect();
                    return Err(LedgerError::Ambiguous {
                        name: name.to_string(),
                        items,
                    });
                }
            }
        }
        self.item_from_history(name)
    }

    /// The newest stored device (or module) of this name made a ledger item, if banned or
    /// review (gear stored before the ledger existed).
    fn item_from_history(&self, name: &str) -> Result<LedgerItem, LedgerError> {
        for (column, value) in keys_of(name) {
            let found: Option<(i64, String, i64, Option<i64>)> = self
                .conn
                .query_row(
                    &format!(
                        "SELECT d.id, COALESCE(m.verdict, d.verdict), d.sweep, m.idx FROM device d
                         LEFT JOIN module m ON m.device = d.id AND ?2 = 'serial' AND m.serial = ?1
                             AND {MODULE_NOT_CHASSIS}
                         WHERE d.{column} = ?1 OR m.serial IS NOT NULL
                         ORDER BY d.sweep DESC, d.id DESC LIMIT 1"
                    ),
                    params![value, column],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
                .map_err(|e| self.sqlite(e))?;
            let Some((device, verdict, sweep, module)) = found else {
                continue;
            };
            if !matches!(verdict.as_str(), "banned" | "review") {
                let identity: String = self
                    .conn
                    .query_row("SELECT identity FROM device WHERE id = ?1", [device], |r| {
                        r.get(0)
                    })
                    .map_err(|e| self.sqlite(e))?;
                return Err(LedgerError::NotCovered {
                    name: name.to_string(),
                    identity,
                    verdict: verdict.parse().unwrap_or(crate::record::Verdict::Unknown),
                    sweep,
                });
            }
            let source = match module {
                Some(idx) => ItemSource::Module { device, idx },
                None => ItemSource::Device(device),
            };
            let id = make_item(&self.conn, source, sweep).map_err(|e| self.sqlite(e))?;
            return self
                .ledger_item(id)?
                .ok_or_else(|| LedgerError::NotFound(name.to_string()));
        }
        Err(LedgerError::NotFound(name.to_string()))
    }
}

/// The columns a name may be, with the name as that column stores it: a chassis MAC and an
/// engine ID in their written form, an address as given, a serial as given.
fn keys_of(name: &str) -> Vec<(&'static str, String)> {
    let mut keys = vec![("serial", name.to_string())];
    if let Ok(mac) = name.parse::<Mac>() {
        keys.push(("chassis_mac", mac.to_string()));
    }
    if let Ok(engine) = name.parse::<EngineId>() {
        keys.push(("engine_id", engine.to_string()));
    }
    if let Ok(addr) = name.parse::<std::net::IpAddr>() {
        keys.push(("address", addr.to_string()));
    }
    keys
}
