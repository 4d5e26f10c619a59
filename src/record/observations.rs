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
        for (oid, value) in values {
            self.values.insert(oid, value);
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
        let mut out: Vec<VarBind> = self
            .values
            .iter()
            .chain(&self.placeholders)
            .map(|(o, v)| VarBind::new(o.clone(), v.clone()))
            .collect();
        if !self.placeholders.is_empty() {
            out.sort_by(|a, b| a.oid.cmp(&b.oid));
            out.dedup_by(|later, first| later.oid == first.oid);
        }
        out
    }
}
