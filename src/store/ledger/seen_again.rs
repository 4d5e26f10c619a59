//! Gear the ledger has off the network, loaded once per sweep and looked up in memory for each
//! device before it is reported, so that the sweep's own report says at once that a device
//! (or one of its modules) marked removed is on the network again. The sweep's last
//! transaction records the same finding in the ledger ([`super::sweeps`]).

use std::collections::HashMap;

use super::{LedgerFilter, LedgerItem};
use crate::record::Record;
use crate::store::{Identity, Store, StoreError};

/// The ledger's off-network items by each key a device may be recognised by.
#[derive(Debug, Default)]
pub struct OffNetwork {
    /// Device items by `serial:…`, `mac:…`, `engine:…` (and `address:…` for items with no
    /// other key); module items by `module:serial:…`.
    by_key: HashMap<String, LedgerItem>,
}

impl Store {
    /// Every item the ledger has removed, in custody, sanitised or destroyed.
    pub fn ledger_off_network(&self) -> Result<OffNetwork, StoreError> {
        let mut index = OffNetwork::default();
        for item in self.ledger_items(&LedgerFilter::default())? {
            if !item.state.off_network() {
                continue;
            }
            if item.kind == "module" {
                index.by_key.insert(item.identity.clone(), item);
                continue;
            }
            let id = Identity::new(
                item.serial.as_deref(),
                item.chassis_mac.as_deref().and_then(|m| m.parse().ok()),
                item.engine_id
                    .as_deref()
                    .and_then(|e| e.parse().ok())
                    .as_ref(),
                &item.address,
            );
            for key in id.matching_keys() {
                index.by_key.insert(key, item.clone());
            }
        }
        Ok(index)
    }
}

impl OffNetwork {
    /// Whether the ledger has nothing off the network (nothing to look up).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// What the ledger says of a device and its modules that it has off the network: one
    /// note each, for the record's notes.
    pub fn notes<J>(&self, d: &Record<J>) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut notes = Vec::new();
        let device = Identity::of(d)
            .matching_keys()
            .into_iter()
            .find_map(|k| self.by_key.get(&k));
        if let Some(i) = device {
            notes.push(format!(
                "reappeared: the removal ledger has this device {} since {} (ledger #{}); seen again on the network",
                i.state, i.since, i.id
            ));
        }
        for m in &d.modules {
            let Some(serial) = m.serial.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            if let Some(i) = self.by_key.get(&format!("module:serial:{serial}")) {
                notes.push(format!(
                    "reappeared: the removal ledger has module {serial} {} since {} (ledger #{}); seen again in this device",
                    i.state, i.since, i.id
                ));
            }
        }
        notes
    }
}
