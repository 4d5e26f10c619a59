//! The removal ledger's words (issue 21): the states a banned or review device or module goes
//! through from the day a sweep found it to the day it was destroyed, and which step may
//! follow which. Kept here, below the store, the bundle and the central server, so that each
//! writes and reads the same words.
//!
//! The chain follows what the US reimbursement programme asks a carrier to document (47 CFR
//! 1.50004: removal, then disposal with a chain of custody, sanitised, transported and
//! destroyed, and by whom): `found` → `planned` (a target date) → `decommissioned` →
//! `removed` → `in-custody` → `sanitised` → `destroyed`, or `exempt` under an approved
//! exception. On the network, steps may be skipped (a box pulled the day it was found is
//! `found` → `removed`); from `removed` on, each custody step is recorded in turn, so the chain
//! has no gap. Nothing goes back, except that gear a later sweep saw again after it was marked
//! off the network (`reappeared`) may be marked `found` or `planned` again: the sweep is the
//! evidence that the earlier mark was wrong.

use serde::{Deserialize, Serialize};

/// Where a device or module stands on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LedgerState {
    /// Seen by a sweep, judged banned or review; nothing decided yet.
    Found,
    /// Its removal is planned, with a target date.
    Planned,
    /// Taken out of service, still in place.
    Decommissioned,
    /// Physically taken off the network.
    Removed,
    /// Held by the carrier or its contractor, with who holds it.
    InCustody,
    /// Its storage wiped.
    Sanitised,
    /// Destroyed (a certificate of destruction, usually).
    Destroyed,
    /// Kept under an approved exception.
    Exempt,
}

/// A step the ledger refuses, in words that name both states.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot mark {from} gear {to}: {why}")]
pub struct Refused {
    /// The state it is in.
    pub from: LedgerState,
    /// The state asked for.
    pub to: LedgerState,
    /// Why not, and what would do.
    pub why: String,
}

/// A word that is not a ledger state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a ledger state (found, planned, decommissioned, removed, in-custody, sanitised, destroyed, exempt)"
)]
pub struct NotAState(pub String);

impl LedgerState {
    /// Every state, in the order of the chain (`exempt` last).
    pub const ALL: [LedgerState; 8] = [
        LedgerState::Found,
        LedgerState::Planned,
        LedgerState::Decommissioned,
        LedgerState::Removed,
        LedgerState::InCustody,
        LedgerState::Sanitised,
        LedgerState::Destroyed,
        LedgerState::Exempt,
    ];

    /// As written in the database, reports and bundles (`in-custody`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerState::Found => "found",
            LedgerState::Planned => "planned",
            LedgerState::Decommissioned => "decommissioned",
            LedgerState::Removed => "removed",
            LedgerState::InCustody => "in-custody",
            LedgerState::Sanitised => "sanitised",
            LedgerState::Destroyed => "destroyed",
            LedgerState::Exempt => "exempt",
        }
    }

    /// Whether gear in this state is still on the network (a sweep should see it).
    pub fn on_network(self) -> bool {
        matches!(
            self,
            LedgerState::Found | LedgerState::Planned | LedgerState::Decommissioned
        )
    }

    /// Whether gear in this state has been taken off the network (a sweep that sees it again
    /// contradicts the ledger).
    pub fn off_network(self) -> bool {
        matches!(
            self,
            LedgerState::Removed
                | LedgerState::InCustody
                | LedgerState::Sanitised
                | LedgerState::Destroyed
        )
    }

    /// Its place in the chain; `None` for `exempt`.
    fn rank(self) -> Option<u8> {
        match self {
            LedgerState::Exempt => None,
            s => Some(s as u8),
        }
    }

    /// Whether gear in state `self` may be marked `to`; `reappeared` says a sweep saw it
    /// again after it was marked off the network.
    pub fn step(self, to: LedgerState, reappeared: bool) -> Result<(), Refused> {
        let refuse = |why: &str| {
            Err(Refused {
                from: self,
                to,
                why: why.to_string(),
            })
        };
        if reappeared && matches!(to, LedgerState::Found | LedgerState::Planned) {
            return Ok(());
        }
        match (self.rank(), to.rank()) {
            _ if self == to && to == LedgerState::Planned => Ok(()),
            _ if self == to => refuse("it is so already"),
            (_, None) if self.on_network() => Ok(()),
            (_, None) => refuse("only gear still on the network can be kept under an exception"),
            (Some(_), Some(_)) | (None, Some(_))
                if to > LedgerState::Removed && !self.off_network() =>
            {
                refuse("mark it removed first: custody starts when it is off the network")
            }
            (None, Some(_)) => Ok(()),
            (Some(a), Some(b)) if b < a => refuse(
                "the ledger never goes back; only gear a later sweep saw again (reappeared) may be marked found or planned again",
            ),
            (Some(a), Some(b)) if self.off_network() && b != a + 1 => refuse(match to {
                LedgerState::Sanitised => {
                    "record in-custody first: the chain of custody has no gap"
                }
                LedgerState::Destroyed => {
                    "record each custody step first (in-custody, sanitised): the chain of custody has no gap"
                }
                _ => "record each custody step in turn: the chain of custody has no gap",
            }),
            _ => Ok(()),
        }
    }
}

impl std::fmt::Display for LedgerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for LedgerState {
    type Err = NotAState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LedgerState::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| NotAState(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::LedgerState::*;
    use super::*;

    #[test]
    fn the_chain_goes_forward_with_custody_in_turn() {
        for (from, to) in [
            (Found, Planned),
            (Planned, Planned),
            (Found, Removed),
            (Planned, Decommissioned),
            (Decommissioned, Removed),
            (Removed, InCustody),
            (InCustody, Sanitised),
            (Sanitised, Destroyed),
            (Found, Exempt),
            (Exempt, Found),
            (Exempt, Removed),
        ] {
            assert_eq!(from.step(to, false), Ok(()), "{from} -> {to}");
        }
    }

    #[test]
    fn impossible_steps_name_both_states() {
        let e = Destroyed.step(Planned, false).unwrap_err();
        assert_eq!((e.from, e.to), (Destroyed, Planned));
        assert!(
            e.to_string()
                .starts_with("cannot mark destroyed gear planned")
        );
        for (from, to) in [
            (Removed, Sanitised),
            (Removed, Destroyed),
            (Found, InCustody),
            (Planned, Destroyed),
            (Removed, Exempt),
            (Found, Found),
            (InCustody, Removed),
            (Exempt, InCustody),
        ] {
            assert!(from.step(to, false).is_err(), "{from} -> {to}");
        }
    }

    #[test]
    fn gear_seen_again_may_be_found_again() {
        assert!(Removed.step(Found, false).is_err());
        assert_eq!(Removed.step(Found, true), Ok(()));
        assert_eq!(Destroyed.step(Planned, true), Ok(()));
        assert!(Destroyed.step(Removed, true).is_err());
    }

    #[test]
    fn every_state_reads_back() {
        for s in LedgerState::ALL {
            assert_eq!(s.as_str().parse::<LedgerState>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert!("gone".parse::<LedgerState>().is_err());
    }
}
