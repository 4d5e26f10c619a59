//! The helpers every table decoder of a record uses: values as text, the tables' roots, and
//! rows of a table whose columns the agent answered sparsely.

use crate::record::Observations;
use crate::wire::{Oid, Value};

pub(super) fn text(v: Option<&Value>) -> Option<String> {
    v?.trimmed_text()
}

pub(super) fn col(table: &[u32], column: u32) -> Oid {
    let mut arcs = Vec::with_capacity(table.len() + 2);
    arcs.extend_from_slice(table);
    arcs.push(column);
    Oid::new(arcs)
}

pub(super) const ENT_PHYSICAL_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1];

pub(super) const IF_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 2, 2, 1];

pub(super) const LLDP_LOC: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 3];

pub(super) const LLDP_V2_LOC: &[u32] = &[1, 3, 111, 2, 802, 1, 1, 13, 1, 3];

pub(super) const CDP_CACHE_ENTRY: &[u32] = &[1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1];

/// Where one version of the LLDP MIB keeps its remote data.
pub(super) struct LldpMib {
    /// lldpRemEntry / lldpV2RemEntry.
    pub(super) rem_entry: &'static [u32],
    /// lldpRemManAddrEntry / lldpV2RemManAddrEntry.
    pub(super) man_addr_entry: &'static [u32],
    /// Sub-identifiers of the remote-table index: timeMark, localPortNum, remIndex (V1);
    /// timeMark, localIfIndex, localDestMACAddress (a row of lldpV2DestAddressTable, one
    /// sub-identifier), remIndex (V2). The local port is the second in both.
    pub(super) index_len: usize,
    /// The column of lldpRemChassisIdSubtype; the eight after it follow in the same order in
    /// both versions (chassis ID, port ID subtype, port ID, port description, system name,
    /// system description, capabilities supported, capabilities enabled).
    pub(super) first_column: u32,
}

/// LLDP-MIB (IEEE 802.1AB-2005): lldpRemTable and lldpRemManAddrTable.
pub(super) const LLDP_V1: LldpMib = LldpMib {
    rem_entry: &[1, 0, 8802, 1, 1, 2, 1, 4, 1, 1],
    man_addr_entry: &[1, 0, 8802, 1, 1, 2, 1, 4, 2, 1],
    index_len: 3,
    first_column: 4,
};

/// LLDP-V2-MIB (IEEE 802.1AB-2009): lldpV2RemTable and lldpV2RemManAddrTable.
pub(super) const LLDP_V2: LldpMib = LldpMib {
    rem_entry: &[1, 3, 111, 2, 802, 1, 1, 13, 1, 4, 1, 1],
    man_addr_entry: &[1, 3, 111, 2, 802, 1, 1, 13, 1, 4, 2, 1],
    index_len: 4,
    first_column: 5,
};

/// The rows of a table, in index order, with the `N` columns asked for: a merge of the columns'
/// ranges of the observations, as they are already in index order. Nothing is copied or sorted:
/// a sweep builds several tables for every device, some with thousands of rows.
pub(super) struct Table<'a, const N: usize> {
    columns: [u32; N],
    /// Sub-identifiers before a row's index: the entry's and the column's.
    prefix: usize,
    /// One per column, after its head; none when the agent answered nothing under the entry.
    cursors: Option<[std::collections::btree_map::Range<'a, Oid, Value>; N]>,
    /// Each column's next cell not yet given: its index and value.
    heads: [Option<(&'a [u32], &'a Value)>; N],
}

/// One row of a [`Table`]: its index suffix and the values of its columns.
pub(super) struct Row<'a, const N: usize> {
    pub(super) index: &'a [u32],
    columns: [u32; N],
    cells: [Option<&'a Value>; N],
}

impl<'a, const N: usize> Row<'a, N> {
    /// The value in `column`, if the agent answered it.
    pub(super) fn get(&self, column: u32) -> Option<&'a Value> {
        let i = self.columns.iter().position(|&c| c == column)?;
        self.cells[i]
    }
}

impl<'a, const N: usize> Iterator for Table<'a, N> {
    type Item = Row<'a, N>;

    fn next(&mut self) -> Option<Row<'a, N>> {
        let prefix = self.prefix;
        let cursors = self.cursors.as_mut()?;
        let index = self.heads.iter().flatten().map(|(i, _)| *i).min()?;
        let mut cells = [None; N];
        for ((cell, head), cursor) in cells.iter_mut().zip(&mut self.heads).zip(cursors) {
            if let Some((i, v)) = *head
                && i == index
            {
                *cell = Some(v);
                *head = cell_of(prefix, cursor.next());
            }
        }
        Some(Row {
            index,
            columns: self.columns,
            cells,
        })
    }
}

/// A cell of a column's range: its index (the sub-identifiers after `prefix`) and value.
pub(super) fn cell_of<'a>(
    prefix: usize,
    entry: Option<(&'a Oid, &'a Value)>,
) -> Option<(&'a [u32], &'a Value)> {
    let (o, v) = entry?;
    Some((o.arcs().get(prefix..).unwrap_or_default(), v))
}

/// The table under `entry` (an ...Entry OID), with the columns asked for.
pub(super) fn rows<'a, const N: usize>(
    obs: &'a Observations,
    entry: &[u32],
    columns: [u32; N],
) -> Table<'a, N> {
    let entry = Oid::new(entry);
    // Most agents have none of most tables: one look spares a seek per column.
    let answered = obs
        .values
        .range::<Oid, _>(&entry..)
        .next()
        .is_some_and(|(o, _)| o.starts_with(&entry));
    let prefix = entry.arcs().len() + 1;
    let mut heads = [None; N];
    let cursors = answered.then(|| {
        let mut cursors = columns.map(|c| {
            let column = entry.child(c);
            let end = entry.child(c.saturating_add(1));
            obs.values.range(column..end)
        });
        for (head, cursor) in heads.iter_mut().zip(&mut cursors) {
            *head = cell_of(prefix, cursor.next());
        }
        cursors
    });
    Table {
        columns,
        prefix,
        cursors,
        heads,
    }
}

pub(super) fn count_under(obs: &Observations, column: &[u32]) -> usize {
    let c = Oid::new(column);
    obs.column(&c).count()
}

/// The first value under `prefix` (a scalar's instance, a column's first row), with its index:
/// what a GETNEXT of the prefix answers.
pub(super) fn first_under<'a>(
    obs: &'a Observations,
    prefix: &[u32],
) -> Option<(&'a [u32], &'a Value)> {
    use std::ops::Bound::{Excluded, Unbounded};
    let prefix = Oid::new(prefix);
    let (o, v) = obs
        .values
        .range::<Oid, _>((Excluded(&prefix), Unbounded))
        .next()?;
    Some((o.suffix(&prefix)?, v))
}
