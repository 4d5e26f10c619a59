//! The removal ledger on the central server (issue 21): each site's items as its newest
//! applied bundle carried them, counted by state for the fleet summary. Ingest stores them
//! ([`super::ingest`]); the schema is v3 of [`super::schema`].

use serde::{Deserialize, Serialize};
use tokio_postgres::types::ToSql;

use super::fleet::count;
use super::{CentralError, query_error};
use crate::record::LedgerState;

/// A site's removal-ledger items (devices and modules) by state (issue 21), as the site's
/// newest applied bundle said they stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LedgerCounts {
    /// Found by a sweep, nothing decided yet.
    pub found: u64,
    /// Removal planned.
    pub planned: u64,
    /// Out of service, still in place.
    pub decommissioned: u64,
    /// Taken off the network.
    pub removed: u64,
    /// Held, with who holds it.
    pub in_custody: u64,
    /// Storage wiped.
    pub sanitised: u64,
    /// Destroyed.
    pub destroyed: u64,
    /// Kept under an approved exception.
    pub exempt: u64,
    /// Marked off the network, then seen again by a sweep.
    pub reappeared: u64,
    /// Still on the network: in a state on it (found, planned, decommissioned), or seen again
    /// after it was marked off it.
    pub remaining: u64,
}

impl LedgerCounts {
    /// The items in `state`.
    pub fn of(&self, state: LedgerState) -> u64 {
        match state {
            LedgerState::Found => self.found,
            LedgerState::Planned => self.planned,
            LedgerState::Decommissioned => self.decommissioned,
            LedgerState::Removed => self.removed,
            LedgerState::InCustody => self.in_custody,
            LedgerState::Sanitised => self.sanitised,
            LedgerState::Destroyed => self.destroyed,
            LedgerState::Exempt => self.exempt,
        }
    }

    fn slot(&mut self, state: LedgerState) -> &mut u64 {
        match state {
            LedgerState::Found => &mut self.found,
            LedgerState::Planned => &mut self.planned,
            LedgerState::Decommissioned => &mut self.decommissioned,
            LedgerState::Removed => &mut self.removed,
            LedgerState::InCustody => &mut self.in_custody,
            LedgerState::Sanitised => &mut self.sanitised,
            LedgerState::Destroyed => &mut self.destroyed,
            LedgerState::Exempt => &mut self.exempt,
        }
    }

    /// Every item, whatever its state.
    pub fn items(&self) -> u64 {
        LedgerState::ALL.iter().map(|&s| self.of(s)).sum()
    }

    pub(super) fn add(&mut self, o: &LedgerCounts) {
        for s in LedgerState::ALL {
            *self.slot(s) += o.of(s);
        }
        self.reappeared += o.reappeared;
        self.remaining += o.remaining;
    }
}

/// Each site's ledger items by state, under the filter's site, vendor, verdict and model.
pub(super) async fn counts(
    client: &deadpool_postgres::Client,
    four: &[&(dyn ToSql + Sync); 4],
) -> Result<Vec<(i64, LedgerCounts)>, CentralError> {
    let by_state: Vec<String> = LedgerState::ALL
        .iter()
        .map(|s| format!("count(*) FILTER (WHERE i.state = '{s}')"))
        .collect();
    let on_network: Vec<String> = LedgerState::ALL
        .iter()
        .filter(|s| s.on_network())
        .map(|s| format!("'{s}'"))
        .collect();
    let rows = client
        .query(
            &format!(
                "SELECT i.site_id, {}, count(*) FILTER (WHERE i.reappeared),
                     count(*) FILTER (WHERE i.reappeared OR i.state IN ({}))
                 FROM ledger_item i
                 WHERE ($1::bigint IS NULL OR i.site_id = $1)
                   AND ($2::text IS NULL OR i.vendor_lc = $2)
                   AND ($3::text IS NULL OR i.verdict = $3)
                   AND ($4::text IS NULL OR i.model_lc = $4)
                 GROUP BY i.site_id",
                by_state.join(", "),
                on_network.join(", ")
            ),
            four,
        )
        .await
        .map_err(query_error)?;
    let n = LedgerState::ALL.len();
    Ok(rows
        .iter()
        .map(|r| {
            let mut c = LedgerCounts {
                reappeared: count(r, n + 1),
                remaining: count(r, n + 2),
                ..LedgerCounts::default()
            };
            for (i, s) in LedgerState::ALL.into_iter().enumerate() {
                *c.slot(s) = count(r, i + 1);
            }
            (r.get(0), c)
        })
        .collect())
}
