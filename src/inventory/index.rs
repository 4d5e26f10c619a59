//! The rows of an inventory by key, so a device is matched against the rows that name its
//! serial, chassis MAC, address, network or name rather than against every row: the time to
//! place a device stays flat as a carrier's inventory grows to a NetBox export of every box.
//! Rows keyed by a sysName pattern are tried one by one, as they must be.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;

use super::{Key, Row};
use crate::record::{Mac, Record};

/// Row numbers (positions in the inventory's rows) by each kind of key.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    serials: HashMap<String, Vec<usize>>,
    macs: HashMap<Mac, Vec<usize>>,
    names: HashMap<String, Vec<usize>>,
    /// Networks by prefix length, each by its network address.
    networks: Vec<(u8, HashMap<IpAddr, Vec<usize>>)>,
    /// Rows with a sysName pattern.
    patterns: Vec<usize>,
}

impl Index {
    /// The index of `rows`.
    pub(super) fn of(rows: &[Row]) -> Index {
        let mut index = Index::default();
        for (i, row) in rows.iter().enumerate() {
            for key in &row.keys {
                match key {
                    Key::Serial(s) => push(&mut index.serials, s.trim().to_lowercase(), i),
                    Key::ChassisMac(m) => push(&mut index.macs, *m, i),
                    Key::Name(n) => push(&mut index.names, n.clone(), i),
                    Key::Address(net) => index.network(*net, i),
                    Key::SysName(_) => index.patterns.push(i),
                }
            }
        }
        index.patterns.dedup();
        index
    }

    fn network(&mut self, net: IpNet, row: usize) {
        let len = net.prefix_len();
        let at = match self.networks.iter().position(|(l, _)| *l == len) {
            Some(at) => at,
            None => {
                self.networks.push((len, HashMap::new()));
                self.networks.len() - 1
            }
        };
        push(&mut self.networks[at].1, net.network(), row);
    }

    /// The rows that may pick `d` out, in file order: those whose key is its serial, chassis
    /// MAC, name or a network holding its address, and every sysName-pattern row (each still
    /// to be checked with [`Key::matches`]).
    pub(super) fn candidates<J>(&self, d: &Record<J>) -> BTreeSet<usize> {
        let mut rows = BTreeSet::new();
        let mut add = |found: Option<&Vec<usize>>| rows.extend(found.into_iter().flatten());
        let id = &d.identification;
        if let Some(s) = &id.serial {
            add(self.serials.get(&s.trim().to_lowercase()));
        }
        if let Some(m) = &id.chassis_mac {
            add(self.macs.get(m));
        }
        if let Some(n) = &d.sys_name {
            add(self.names.get(&n.trim().to_lowercase()));
        }
        if let Ok(address) = d.address.parse::<IpAddr>() {
            for (len, nets) in &self.networks {
                if let Ok(net) = IpNet::new(address, *len) {
                    add(nets.get(&net.network()));
                }
            }
        }
        rows.extend(self.patterns.iter().copied());
        rows
    }
}

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, key: K, row: usize) {
    let rows = map.entry(key).or_default();
    if rows.last() != Some(&row) {
        rows.push(row);
    }
}
