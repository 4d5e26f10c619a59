//! The day a device was first seen: loaded once per sweep from every stored sweep, then looked
//! up in memory for each device before it is judged (a policy may take it as the latest
//! possible acquisition date).
//!
//! A device is recognised as [`super::identity`] does across sweeps, key by key: serial, chassis
//! MAC, engine ID; a stored device whose keys disagree with the device's is another box. Never
//! by address alone: an address is reused when a box is replaced, and the new box would take
//! the old one's day. A key that two devices of one sweep shared identifies nobody. Where in doubt the answer is none: a first-seen day too early would prove
//! an acquisition date that is not so, one missing only leaves it unsettled.

use std::collections::{HashMap, HashSet};

use super::identity::Identity;
use super::{Store, StoreError};
use crate::date::Date;
use crate::record::Record;

/// The devices of every stored sweep by each key of their identity, with the earliest time
/// each was seen.
#[derive(Debug, Default)]
pub struct FirstSeen {
    /// By key (`serial:...`, `mac:...`, `engine:...`): each identity stored under it and when it
    /// was first seen (Unix milliseconds).
    by_key: HashMap<String, Vec<(Identity, i64)>>,
    /// Keys two devices of one sweep shared.
    shared: HashSet<String>,
}

impl Store {
    /// Every stored device's identity and the earliest time it was seen, for
    /// [`FirstSeen::of`].
    pub fn first_seen(&self) -> Result<FirstSeen, StoreError> {
        let mut q = self
            .conn
            .prepare(
                "SELECT sweep, serial, chassis_mac, engine_id, address, min(seen_ms), count(*)
                 FROM device GROUP BY sweep, serial, chassis_mac, engine_id, address ORDER BY sweep",
            )
            .map_err(|e| self.sqlite(e))?;
        type Row = (
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            i64,
            i64,
        );
        let rows: Vec<Row> = q
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.sqlite(e))?;
        let mut index = FirstSeen::default();
        let mut sweep = None;
        // What told apart the devices of the sweep being read that had each key: their strong
        // keys when they had two or more (the same serial and MAC on two addresses is one box
        // that answered on both), else those and their address (two boxes may report one
        // vendor-default serial); two rows alike in every key at one address with only one
        // strong key cannot be told apart at all.
        let mut in_sweep: HashMap<String, HashSet<Vec<String>>> = HashMap::new();
        for (s, serial, mac, engine, address, seen, n) in rows {
            if sweep != Some(s) {
                index.note_shared(&mut in_sweep);
                sweep = Some(s);
            }
            // Keys that do not read back (written by hand?) are left out, not guessed.
            let mac = mac.and_then(|m| m.parse().ok());
            let engine = engine.and_then(|e| e.parse().ok());
            let id = Identity::new(serial.as_deref(), mac, engine.as_ref(), &address);
            let keys = lookup_keys(&id);
            let mut device = keys.clone();
            if keys.len() < 2 {
                device.push(format!("address:{address}"));
            }
            for key in &keys {
                let devices = in_sweep.entry(key.clone()).or_default();
                devices.insert(device.clone());
                if keys.len() < 2 && n > 1 {
                    devices.insert(vec![format!("{n} alike at {address}")]);
                }
            }
            for key in keys {
                let entry = index.by_key.entry(key).or_default();
                match entry.iter_mut().find(|(other, _)| *other == id) {
                    Some((_, first)) => *first = (*first).min(seen),
                    None => entry.push((id.clone(), seen)),
                }
            }
        }
        index.note_shared(&mut in_sweep);
        Ok(index)
    }
}

/// The keys a device is looked up by: its serial, chassis MAC and engine ID (none for a device
/// with none of these: its address alone is no proof that it is the box seen before).
fn lookup_keys(id: &Identity) -> Vec<String> {
    id.keys()[..3].iter().flatten().cloned().collect()
}

impl FirstSeen {
    /// Marks the keys two different devices of one sweep shared (a box that answered on two
    /// addresses has the same keys twice: that is one box, not a shared key), and starts
    /// reading the next sweep's.
    fn note_shared(&mut self, in_sweep: &mut HashMap<String, HashSet<Vec<String>>>) {
        self.shared.extend(
            in_sweep
                .drain()
                .filter(|(_, devices)| devices.len() > 1)
                .map(|(k, _)| k),
        );
    }

    /// The day of the earliest stored sweep that saw this device, if one did and no doubt
    /// remains about which stored device it is.
    pub fn of<J>(&self, d: &Record<J>) -> Option<Date> {
        let id = Identity::of(d);
        lookup_keys(&id)
            .iter()
            .filter(|k| !self.shared.contains(*k))
            .find_map(|k| {
                self.by_key
                    .get(k)?
                    .iter()
                    .filter(|(other, _)| other.compatible(&id))
                    .map(|(_, first)| *first)
                    .min()
            })
            .map(|ms| Date::from_days(ms.div_euclid(86_400_000)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Identification, Judgement, Observed, Verdict};
    use rusqlite::params;

    fn record(serial: Option<&str>, mac: Option<&str>, address: &str) -> Observed {
        Observed {
            address: address.into(),
            identification: Identification {
                serial: serial.map(str::to_string),
                chassis_mac: mac.map(|m| m.parse().unwrap()),
                ..Identification::default()
            },
            ..Observed::default()
        }
    }

    /// A database with sweep 1 on 2024-01-02 and sweep 2 on 2024-03-01.
    fn stored(sweeps: &[&[Observed]]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("h.db")).unwrap();
        let days = ["2024-01-02", "2024-03-01"];
        for (i, devices) in sweeps.iter().enumerate() {
            let ms = Date::parse(days[i]).unwrap().days() * 86_400_000 + 3_600_000;
            store
                .conn
                .execute(
                    "INSERT INTO sweep (id, started_ms, status, pid, parameters, data_versions, judged_on)
                     VALUES (?1, ?2, 'complete', 1, '{}', 'v', '2026-01-01')",
                    params![i as i64 + 1, ms],
                )
                .unwrap();
            for d in devices.iter() {
                let judged = d.clone().judged(Judgement {
                    verdict: Verdict::Clear,
                    findings: Vec::new(),
                });
                super::super::writer::insert_device(&store.conn, i as i64 + 1, ms, &judged)
                    .unwrap();
            }
        }
        (dir, store)
    }

    fn day(s: &str) -> Option<Date> {
        Date::parse(s)
    }

    #[test]
    fn a_device_is_first_seen_on_the_day_of_its_earliest_sweep_wherever_it_is_now() {
        let mac = "aa:bb:cc:00:00:01";
        let (_dir, store) = stored(&[
            &[record(Some("S1"), Some(mac), "10.0.0.1")],
            &[
                record(Some("S1"), Some(mac), "10.0.0.9"),
                record(Some("S2"), None, "10.0.0.2"),
            ],
        ]);
        let index = store.first_seen().unwrap();
        // Moved again, same serial.
        assert_eq!(
            index.of(&record(Some("S1"), None, "10.0.0.5")),
            day("2024-01-02")
        );
        // Its serial not read this time: known by its chassis MAC.
        assert_eq!(
            index.of(&record(None, Some(mac), "10.0.0.5")),
            day("2024-01-02")
        );
        assert_eq!(
            index.of(&record(Some("S2"), None, "10.0.0.2")),
            day("2024-03-01")
        );
        // Never seen; another serial at a known address is another box.
        assert_eq!(index.of(&record(Some("S3"), None, "10.0.0.3")), None);
        assert_eq!(index.of(&record(Some("S3"), None, "10.0.0.1")), None);
        // The MAC of S1 on a box with another serial: another box.
        assert_eq!(index.of(&record(Some("S4"), Some(mac), "10.0.0.1")), None);
    }

    #[test]
    fn a_box_that_answered_on_two_addresses_is_one_box() {
        let mac = "aa:bb:cc:00:00:02";
        let (_dir, store) = stored(&[&[
            record(Some("R1"), Some(mac), "10.0.0.1"),
            record(Some("R1"), Some(mac), "10.0.1.1"),
        ]]);
        let index = store.first_seen().unwrap();
        assert_eq!(
            index.of(&record(Some("R1"), Some(mac), "10.0.0.1")),
            day("2024-01-02")
        );
    }

    #[test]
    fn never_by_address_alone_and_a_shared_key_says_nothing() {
        let (_dir, store) = stored(&[
            &[
                record(None, None, "10.0.0.7"),
                record(Some("123456"), None, "10.0.0.1"),
                record(Some("123456"), None, "10.0.0.2"),
            ],
            &[record(None, None, "10.0.0.8")],
        ]);
        let index = store.first_seen().unwrap();
        // A box at an address a stored box had, with nothing else to tell them apart, may be its
        // replacement: no day.
        assert_eq!(index.of(&record(None, None, "10.0.0.7")), None);
        assert_eq!(index.of(&record(None, None, "10.0.0.8")), None);
        assert_eq!(index.of(&record(Some("S9"), None, "10.0.0.7")), None);
        // Two boxes reported serial 123456 in one sweep: it identifies neither.
        assert_eq!(index.of(&record(Some("123456"), None, "10.0.0.1")), None);
        // An empty database knows nobody.
        let (_dir, empty) = stored(&[]);
        let index = empty.first_seen().unwrap();
        assert_eq!(index.of(&record(Some("S1"), None, "10.0.0.1")), None);
    }
}
