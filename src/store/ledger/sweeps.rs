//! What each finished sweep tells the ledger, written in the sweep's last transaction: every
//! banned or review device and module it stored that the ledger lacks becomes an item
//! (`found`); each item it saw is `seen`, or `reappeared` when it had been marked off the
//! network; each item it did not see is `absent` when the sweep's targets held its address
//! (a complete sweep only: an interrupted one proves no absence), else `uncovered`.
//!
//! Gear is recognised as the history recognises it ([`crate::store::identity`]): by serial,
//! chassis MAC or engine ID, the first that one item alone has and that the others do not
//! contradict; by address only when neither side has any of these. A module is recognised by
//! its serial (a module without one cannot be told from its replacement, so the ledger keeps
//! only modules with a serial).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use rusqlite::{Connection, params};

use super::{NewEntry, insert_entry};
use crate::date::Date;
use crate::discover::targets::Targets;
use crate::record::{EngineId, LedgerState, Mac};
use crate::store::Identity;

/// What a new item is made from: a stored device, or one module of it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ItemSource {
    /// A device row.
    Device(i64),
    /// A module (by its index) of a device row.
    Module {
        /// The device row.
        device: i64,
        /// The module's index.
        idx: i64,
    },
}

/// The addresses a sweep's targets held, from its stored parameters: its targets and seeds
/// (not a crawl's scope, which it may not have reached), less its exclusions. `None` where they cannot be read again
/// (an `@file` gone): then the sweep confirms no absence.
pub fn coverage(parameters: &serde_json::Value) -> Option<Targets> {
    let list = |key: &str| -> Vec<String> {
        parameters[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    // A crawl's scope is where it may go, not where it went: only the targets and seeds
    // were surely probed.
    let mut given = list("targets");
    given.extend(list("seed"));
    Targets::parse(&given).ok()?.exclude(&list("exclude")).ok()
}

/// The day of a Unix time in milliseconds.
fn day_of(ms: i64) -> String {
    Date::from_days(ms.div_euclid(86_400_000)).to_string()
}

/// An item as the matcher sees it.
struct Known {
    id: i64,
    identity: Identity,
    state: LedgerState,
    module: bool,
    /// A module's device, by identity key.
    parent: Option<String>,
}

/// Tells the ledger what sweep `sweep` saw; `complete` says whether it finished (only a
/// complete sweep counts absences).
pub(crate) fn after_sweep(conn: &Connection, sweep: i64, complete: bool) -> rusqlite::Result<()> {
    let parameters: String =
        conn.query_row("SELECT parameters FROM sweep WHERE id = ?1", [sweep], |r| {
            r.get(0)
        })?;
    let covered = serde_json::from_str(&parameters)
        .ok()
        .as_ref()
        .and_then(coverage);
    let known = known_items(conn)?;
    let index = Index::new(&known);
    let mut seen: HashSet<i64> = HashSet::new();
    for (source, id) in stored_gear(conn, sweep)? {
        let item = match index.find(&id, matches!(source, ItemSource::Module { .. })) {
            Some(k) => k,
            None if id.banned_or_review => {
                let new = make_item(conn, source, sweep)?;
                conn.execute(
                    "INSERT OR IGNORE INTO ledger_sighting (sweep, item, outcome)
                     VALUES (?1, ?2, 'seen')",
                    params![sweep, new],
                )?;
                seen.insert(new);
                continue;
            }
            None => continue,
        };
        if !seen.insert(item.id) {
            continue;
        }
        let outcome = if item.state.off_network() {
            "reappeared"
        } else {
            "seen"
        };
        refresh(conn, item.id, source, sweep, outcome == "reappeared")?;
        conn.execute(
            "INSERT OR REPLACE INTO ledger_sighting (sweep, item, outcome) VALUES (?1, ?2, ?3)",
            params![sweep, item.id, outcome],
        )?;
    }
    if !complete {
        return Ok(());
    }
    // A module is missed only where its device was seen with its module table (not with
    // `--no-walk`, not a table cut short before any row).
    let listed: HashSet<String> = {
        let mut q = conn.prepare(
            "SELECT DISTINCT d.identity FROM device d JOIN module m ON m.device = d.id
             WHERE d.sweep = ?1",
        )?;
        q.query_map([sweep], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    for k in known.iter().filter(|k| !seen.contains(&k.id)) {
        let held = k
            .identity
            .address
            .parse::<IpAddr>()
            .ok()
            .zip(covered.as_ref())
            .is_some_and(|(a, t)| t.contains(a))
            && k.parent.as_ref().is_none_or(|p| listed.contains(p));
        let outcome = if held { "absent" } else { "uncovered" };
        conn.execute(
            "INSERT OR REPLACE INTO ledger_sighting (sweep, item, outcome) VALUES (?1, ?2, ?3)",
            params![sweep, k.id, outcome],
        )?;
        if held && k.state.on_network() {
            conn.execute(
                "UPDATE ledger_item SET absent_sweeps = absent_sweeps + 1 WHERE id = ?1",
                [k.id],
            )?;
        }
    }
    Ok(())
}

/// Every item with its keys.
fn known_items(conn: &Connection) -> rusqlite::Result<Vec<Known>> {
    let mut q = conn.prepare(
        "SELECT id, serial, chassis_mac, engine_id, address, state, kind, parent FROM ledger_item
         ORDER BY id",
    )?;
    q.query_map([], |r| {
        let mac: Option<String> = r.get(2)?;
        let engine: Option<String> = r.get(3)?;
        let state: String = r.get(5)?;
        Ok(Known {
            id: r.get(0)?,
            identity: Identity::new(
                r.get::<_, Option<String>>(1)?.as_deref(),
                mac.and_then(|m| m.parse::<Mac>().ok()),
                engine.and_then(|e| e.parse::<EngineId>().ok()).as_ref(),
                &r.get::<_, String>(4)?,
            ),
            state: state.parse().unwrap_or(LedgerState::Found),
            module: r.get::<_, String>(6)? == "module",
            parent: r.get(7)?,
        })
    })?
    .collect()
}

/// The gear of a stored sweep, each with its keys and whether it was judged banned or review.
struct Gear {
    identity: Identity,
    banned_or_review: bool,
}

/// A module (`m`) of a device (`d`) that is not the device itself: the chassis entity carries
/// the device's own serial, and is the device's item.
pub(crate) const MODULE_NOT_CHASSIS: &str =
    "COALESCE(m.class, '') <> 'chassis' AND trim(m.serial) IS NOT trim(d.serial)";

/// The devices of a sweep and their modules that carry a serial. A device judged banned or
/// review only for a module it holds (a clear chassis with a banned line card) is not an item
/// itself: the module is, and pulling it settles the matter.
fn stored_gear(conn: &Connection, sweep: i64) -> rusqlite::Result<Vec<(ItemSource, Gear)>> {
    let mut out = Vec::new();
    let mut q = conn.prepare(
        "SELECT id, serial, chassis_mac, engine_id, address,
             CASE WHEN verdict IN ('banned', 'review') AND (EXISTS (SELECT 1 FROM finding f
                 WHERE f.device = device.id AND f.module IS NULL AND f.exception IS NULL
                   AND f.verdict IN ('banned', 'review'))
               OR NOT EXISTS (SELECT 1 FROM finding f WHERE f.device = device.id
                 AND f.module IS NOT NULL AND f.exception IS NULL
                 AND f.verdict IN ('banned', 'review')))
             THEN verdict ELSE 'module-only' END
         FROM device WHERE sweep = ?1 ORDER BY id",
    )?;
    let devices = q.query_map([sweep], |r| {
        let mac: Option<String> = r.get(2)?;
        let engine: Option<String> = r.get(3)?;
        let verdict: String = r.get(5)?;
        Ok((
            ItemSource::Device(r.get(0)?),
            Gear {
                identity: Identity::new(
                    r.get::<_, Option<String>>(1)?.as_deref(),
                    mac.and_then(|m| m.parse::<Mac>().ok()),
                    engine.and_then(|e| e.parse::<EngineId>().ok()).as_ref(),
                    &r.get::<_, String>(4)?,
                ),
                banned_or_review: matches!(verdict.as_str(), "banned" | "review"),
            },
        ))
    })?;
    for d in devices {
        out.push(d?);
    }
    let mut q = conn.prepare(&format!(
        "SELECT m.device, m.idx, m.serial, d.address, m.verdict FROM module m
         JOIN device d ON d.id = m.device
         WHERE d.sweep = ?1 AND m.serial IS NOT NULL AND {MODULE_NOT_CHASSIS} ORDER BY m.rowid"
    ))?;
    let modules = q.query_map([sweep], |r| {
        let verdict: Option<String> = r.get(4)?;
        Ok((
            ItemSource::Module {
                device: r.get(0)?,
                idx: r.get(1)?,
            },
            Gear {
                identity: Identity::new(
                    r.get::<_, Option<String>>(2)?.as_deref(),
                    None,
                    None,
                    &r.get::<_, String>(3)?,
                ),
                banned_or_review: matches!(verdict.as_deref(), Some("banned" | "review")),
            },
        ))
    })?;
    for m in modules {
        let m = m?;
        // A module whose serial is a placeholder identifies nothing.
        if m.1.identity.serial.is_some() {
            out.push(m);
        }
    }
    Ok(out)
}

/// The items by each key, devices and modules apart.
struct Index<'a> {
    by_key: HashMap<(bool, String), Vec<&'a Known>>,
}

impl<'a> Index<'a> {
    fn new(known: &'a [Known]) -> Index<'a> {
        let mut by_key: HashMap<(bool, String), Vec<&Known>> = HashMap::new();
        for k in known {
            for key in k.identity.matching_keys() {
                by_key.entry((k.module, key)).or_default().push(k);
            }
        }
        Index { by_key }
    }

    /// The one item this gear is, if any.
    fn find(&self, id: &Gear, module: bool) -> Option<&'a Known> {
        for key in id.identity.matching_keys() {
            let Some(found) = self.by_key.get(&(module, key)) else {
                continue;
            };
            let fitting: Vec<&&Known> = found
                .iter()
                .filter(|k| k.identity.compatible(&id.identity))
                .collect();
            if let [one] = fitting[..] {
                return Some(one);
            }
        }
        None
    }
}

/// What an item copies from the gear it is: keys, where it stands, how it was judged and
/// the rule that decided (a module's model, else its entPhysicalName).
const SNAPSHOT: &str = "
    SELECT d.identity, d.serial, d.chassis_mac, d.engine_id, d.address, d.vendor, d.model,
           d.sys_name, d.site, d.role, d.technology, d.acquired, d.verdict, d.seen_ms,
           (SELECT f.policy || '/' || f.rule FROM finding f WHERE f.device = d.id
                AND f.exception IS NULL AND f.verdict IN ('banned', 'review')
                AND f.module IS ?2 ORDER BY f.verdict, f.deadline LIMIT 1),
           (SELECT f.jurisdiction FROM finding f WHERE f.device = d.id
                AND f.exception IS NULL AND f.verdict IN ('banned', 'review')
                AND f.module IS ?2 ORDER BY f.verdict, f.deadline LIMIT 1),
           (SELECT min(f.deadline) FROM finding f WHERE f.device = d.id
                AND f.exception IS NULL AND f.verdict = 'banned'
                AND f.module IS ?2),
           m.serial, m.vendor, COALESCE(m.model, m.name), m.verdict
    FROM device d LEFT JOIN module m ON m.device = d.id AND m.idx = ?2
    WHERE d.id = ?1";

/// The columns of an item as its gear has them now.
struct Snapshot {
    identity: String,
    parent: Option<String>,
    kind: &'static str,
    values: [Option<String>; 15],
    seen_ms: i64,
}

fn snapshot(conn: &Connection, source: ItemSource) -> rusqlite::Result<Snapshot> {
    let (device, idx) = match source {
        ItemSource::Device(d) => (d, None),
        ItemSource::Module { device, idx } => (device, Some(idx)),
    };
    conn.query_row(SNAPSHOT, params![device, idx], |r| {
        let g = |i: usize| r.get::<_, Option<String>>(i);
        let device_identity: String = r.get(0)?;
        let seen_ms = r.get(13)?;
        Ok(match idx {
            None => Snapshot {
                identity: device_identity,
                parent: None,
                kind: "device",
                values: [
                    g(1)?,
                    g(2)?,
                    g(3)?,
                    g(4)?,
                    g(5)?,
                    g(6)?,
                    g(7)?,
                    g(8)?,
                    g(9)?,
                    g(10)?,
                    g(11)?,
                    g(12)?,
                    g(14)?,
                    g(15)?,
                    g(16)?,
                ],
                seen_ms,
            },
            Some(_) => {
                let serial = g(17)?;
                Snapshot {
                    identity: format!("module:serial:{}", serial.as_deref().unwrap_or("")),
                    parent: Some(device_identity),
                    kind: "module",
                    values: [
                        serial,
                        None,
                        None,
                        g(4)?,
                        g(18)?.or(g(5)?),
                        g(19)?,
                        g(7)?,
                        g(8)?,
                        g(9)?,
                        g(10)?,
                        g(11)?,
                        g(20)?.or(g(12)?),
                        g(14)?,
                        g(15)?,
                        g(16)?,
                    ],
                    seen_ms,
                }
            }
        })
    })
}

/// Makes an item `found` from stored gear, with its first entry; returns its number. An item
/// of that identity already there is returned as it is.
pub(crate) fn make_item(
    conn: &Connection,
    source: ItemSource,
    sweep: i64,
) -> rusqlite::Result<i64> {
    let s = snapshot(conn, source)?;
    let day = day_of(s.seen_ms);
    let [
        serial,
        mac,
        engine,
        address,
        vendor,
        model,
        sys_name,
        site,
        role,
        tech,
        acquired,
        verdict,
        rule,
        jurisdiction,
        deadline,
    ] = s.values;
    let made = conn.execute(
        "INSERT OR IGNORE INTO ledger_item (identity, kind, parent, serial, chassis_mac,
             engine_id, address, vendor, model, sys_name, site, role, technology, acquired,
             verdict, rule, jurisdiction, deadline, state, since, first_sweep, first_seen_ms,
             last_sweep, last_seen_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             'found', ?19, ?20, ?21, ?20, ?21)",
        params![
            s.identity,
            s.kind,
            s.parent,
            serial,
            mac,
            engine,
            address.unwrap_or_default(),
            vendor,
            model,
            sys_name,
            site,
            role,
            tech,
            acquired,
            verdict.unwrap_or_else(|| "unknown".into()),
            rule,
            jurisdiction,
            deadline,
            day,
            sweep,
            s.seen_ms
        ],
    )?;
    let id: i64 = conn.query_row(
        "SELECT id FROM ledger_item WHERE identity = ?1",
        [&s.identity],
        |r| r.get(0),
    )?;
    if made > 0 {
        insert_entry(
            conn,
            &NewEntry {
                item: id,
                from: None,
                state: LedgerState::Found,
                day,
                by: &format!("netorigin sweep #{sweep}"),
                note: None,
                target: None,
                exception: None,
                sweep: Some(sweep),
            },
            &[],
        )?;
    }
    Ok(id)
}

/// Copies what a sweep saw of an item onto it: where it is now, how it was judged, when.
fn refresh(
    conn: &Connection,
    item: i64,
    source: ItemSource,
    sweep: i64,
    reappeared: bool,
) -> rusqlite::Result<()> {
    let s = snapshot(conn, source)?;
    let [
        _,
        _,
        _,
        address,
        vendor,
        model,
        sys_name,
        site,
        role,
        tech,
        acquired,
        verdict,
        rule,
        jurisdiction,
        deadline,
    ] = s.values;
    conn.execute(
        "UPDATE ledger_item SET address = COALESCE(?2, address), vendor = COALESCE(?3, vendor),
             model = COALESCE(?4, model), sys_name = ?5, site = ?6, role = ?7, technology = ?8,
             acquired = COALESCE(?9, acquired), verdict = COALESCE(?10, verdict),
             rule = COALESCE(?11, rule), jurisdiction = COALESCE(?12, jurisdiction),
             deadline = COALESCE(?13, deadline), last_sweep = ?14, last_seen_ms = ?15,
             absent_sweeps = 0,
             reappeared_sweep = CASE WHEN ?16 THEN COALESCE(reappeared_sweep, ?14)
                 ELSE reappeared_sweep END
         WHERE id = ?1",
        params![
            item,
            address,
            vendor,
            model,
            sys_name,
            site,
            role,
            tech,
            acquired,
            verdict,
            rule,
            jurisdiction,
            deadline,
            sweep,
            s.seen_ms,
            reappeared
        ],
    )?;
    Ok(())
}
