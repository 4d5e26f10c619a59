//! The raw values collected from one device, by OID.

use std::collections::BTreeMap;

use crate::wire::{Oid, Value, VarBind};

use super::TableWalk;

/// Everything collected from one device: the raw values with their OIDs.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// Every value collected, by OID.
    pub values: BTreeMap<Oid, Value>,
    /// How each table walk ended.
    pub tables: Vec<TableWalk>,
    /// The SNMPv3 authoritative engine ID, as the engine-ID probe found it.
    pub engine_id: Option<Vec<u8>>,
    /// Values that only stand where one was removed before a walk was shared (`<private>`,
    /// `XXX`: [`Value::placeholder`]), set aside as they come: never read as the device's,
    /// kept so that a saved walk holds what the agent answered.
    pub placeholders: BTreeMap<Oid, Value>,
}

impl Observations {
    /// Adds values.
    pub fn extend(&mut self, varbinds: impl IntoIterator<Item = VarBind>) {
        let placeholders = &mut self.placeholders;
        let values = varbinds
            .into_iter()
            .filter(|vb| !vb.value.is_exception())
            .filter_map(|vb| {
                if vb.value.placeholder().is_some() {
                    placeholders.insert(vb.oid, vb.value);
                    return None;
                }
                Some((vb.oid, vb.value))
            });
        if self.values.is_empty() {
            // Built in one step (sorted, then bulk-loaded) rather than inserted one by one: a
            // recording of millions of values loads several times faster. Either way the
            // last of an OID's values is kept.
            self.values = values.collect();
            return;
        }
        // Many values (a device's walked tables) are bulk-loaded too and merged in one pass;
        // a few are inserted. Either way a later value of an OID replaces the one held.
        let mut fresh: BTreeMap<Oid, Value> = values.collect();
        if fresh.len() >= self.values.len() {
            self.values.append(&mut fresh);
        } else {
            for (oid, value) in fresh {
                self.values.insert(oid, value);
            }
        }
    }

    /// The value at `oid`.
    pub fn get(&self, oid: &Oid) -> Option<&Value> {
        self.values.get(oid)
    }

    /// Every (index suffix, value) under a column.
    pub fn column<'a, 'c>(
        &'a self,
        column: &'c Oid,
    ) -> impl Iterator<Item = (&'a [u32], &'a Value)> + use<'a, 'c> {
        self.values
            .range::<Oid, _>((
                std::ops::Bound::Included(column),
                std::ops::Bound::Unbounded,
            ))
            .map_while(move |(o, v)| o.suffix(column).map(|s| (s, v)))
    }

    /// The values as bindings in OID order (for `--save-walks`).
    pub fn varbinds(&self) -> Vec<VarBind> {
        self.entries()
            .map(|(o, v)| VarBind::new(o.clone(), v.clone()))
            .collect()
    }

    /// The values and the placeholders set aside, in OID order, borrowed: a value and a
    /// placeholder at one OID give the value.
    pub fn entries(&self) -> impl Iterator<Item = (&Oid, &Value)> {
        let mut values = self.values.iter().peekable();
        let mut placeholders = self.placeholders.iter().peekable();
        std::iter::from_fn(move || match (values.peek(), placeholders.peek()) {
            (Some((a, _)), Some((b, _))) if b < a => placeholders.next(),
            (Some((a, _)), Some((b, _))) if a == b => {
                placeholders.next();
                values.next()
            }
            (Some(_), _) => values.next(),
            (None, _) => placeholders.next(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vb(oid: &str, value: Value) -> VarBind {
        VarBind::new(oid.parse().unwrap(), value)
    }

    #[test]
    fn later_values_win_however_many_come_at_once() {
        let mut obs = Observations::default();
        obs.extend([vb("1.3.6.1.2.1.1.1.0", Value::Integer(1))]);
        // More than held: merged in one pass.
        obs.extend([
            vb("1.3.6.1.2.1.1.1.0", Value::Integer(2)),
            vb("1.3.6.1.2.1.1.2.0", Value::Integer(3)),
            vb("1.3.6.1.2.1.1.2.0", Value::Integer(4)),
        ]);
        // Fewer than held: inserted.
        obs.extend([vb("1.3.6.1.2.1.1.2.0", Value::Integer(5))]);
        let got: Vec<_> = obs.values.values().cloned().collect();
        assert_eq!(got, [Value::Integer(2), Value::Integer(5)]);
    }

    #[test]
    fn entries_merge_placeholders_in_order_values_first() {
        let mut obs = Observations::default();
        obs.extend([
            vb(
                "1.3.6.1.2.1.1.5.0",
                Value::OctetString(b"<private>".to_vec()),
            ),
            vb("1.3.6.1.2.1.1.1.0", Value::Integer(1)),
            vb(
                "1.3.6.1.2.1.1.9.0",
                Value::OctetString(b"<private>".to_vec()),
            ),
        ]);
        obs.extend([vb("1.3.6.1.2.1.1.5.0", Value::Integer(2))]);
        let oids: Vec<String> = obs.entries().map(|(o, _)| o.to_string()).collect();
        assert_eq!(
            oids,
            [
                "1.3.6.1.2.1.1.1.0",
                "1.3.6.1.2.1.1.5.0",
                "1.3.6.1.2.1.1.9.0"
            ]
        );
        assert_eq!(
            obs.entries().nth(1).map(|(_, v)| v),
            Some(&Value::Integer(2))
        );
        let old: Vec<VarBind> = {
            let mut out: Vec<VarBind> = obs
                .values
                .iter()
                .chain(&obs.placeholders)
                .map(|(o, v)| VarBind::new(o.clone(), v.clone()))
                .collect();
            out.sort_by(|a, b| a.oid.cmp(&b.oid));
            out.dedup_by(|later, first| later.oid == first.oid);
            out
        };
        assert_eq!(obs.varbinds(), old);
    }
}
