//! The private enterprise subtrees a device serves, found step by step.

use super::{MAX_PRIVATE_SUBTREES, enterprises_arc};
use crate::record::Observations;
use crate::wire::Oid;

/// The steps from one private enterprise subtree to the next, sans I/O: a GETNEXT at
/// 1.3.6.1.4.1 finds the first subtree a device serves; after an answer under enterprise P the
/// next GETNEXT asks from 1.3.6.1.4.1.(P+1), so that each request finds one more enterprise,
/// however large the subtree before it. CISCO-CDP-MIB is stepped over (every maker's agent may
/// implement it, and the walk plan reads it anyway), and so are exception values. It ends at
/// the first answer outside the enterprises arc, an answer that does not come after the
/// question, no answer, [`MAX_PRIVATE_SUBTREES`] subtrees found, or a few requests more than
/// that. A sweep asks the agent; [`private_oids`] asks the observations of a recording.
#[derive(Debug, Clone)]
pub struct SubtreeSteps {
    next: Option<Oid>,
    found: Vec<Oid>,
    asked: usize,
}

impl Default for SubtreeSteps {
    fn default() -> Self {
        SubtreeSteps {
            next: Some(enterprises_arc()),
            found: Vec::new(),
            asked: 0,
        }
    }
}

impl SubtreeSteps {
    /// The OID to ask GETNEXT from, while the steps go on.
    pub fn request(&self) -> Option<&Oid> {
        self.next.as_ref()
    }

    /// Takes the answer to [`SubtreeSteps::request`]: the OID that came back (`None`: no
    /// answer, an error) and whether its value is usable (not an exception). Returns whether
    /// the answer opened a new subtree (the caller keeps its value).
    pub fn answer(&mut self, oid: Option<&Oid>, usable: bool) -> bool {
        let Some(from) = self.next.take() else {
            return false;
        };
        self.asked += 1;
        let arc = enterprises_arc();
        let Some(oid) = oid.filter(|o| **o > from && o.starts_with(&arc)) else {
            return false;
        };
        if self.asked >= MAX_PRIVATE_SUBTREES + 4 {
            return false;
        }
        let cdp = cdp_subtree();
        if oid.starts_with(&cdp) {
            self.next = Some(subtree_end(&cdp));
            return false;
        }
        if !usable {
            self.next = Some(oid.clone());
            return false;
        }
        self.found.push(oid.clone());
        if self.found.len() < MAX_PRIVATE_SUBTREES {
            let pen = oid.suffix(&arc).and_then(|s| s.first()).copied();
            self.next = pen.and_then(|p| p.checked_add(1)).map(|p| arc.child(p));
        }
        true
    }

    /// The first OID of each subtree found, in OID order.
    pub fn found(self) -> Vec<Oid> {
        self.found
    }
}

/// CISCO-CDP-MIB, 1.3.6.1.4.1.9.9.23: under Cisco's arc, but other makers' agents implement it
/// too (the walk plan asks every agent for its cdpCacheTable): an answer there says nothing of
/// the maker.
fn cdp_subtree() -> Oid {
    crate::oid![1, 3, 6, 1, 4, 1, 9, 9, 23]
}

/// The private subtrees among observations, as a sweep's [`SubtreeSteps`] find them on the
/// agent: the first OID of each of the first [`MAX_PRIVATE_SUBTREES`] enterprise subtrees.
/// Each step seeks, instead of reading every private value: a full recording holds tens of
/// thousands of them under a handful of enterprises.
pub fn private_oids(obs: &Observations) -> Vec<Oid> {
    use std::ops::Bound::{Excluded, Unbounded};
    let mut steps = SubtreeSteps::default();
    while let Some(from) = steps.request() {
        let next = obs
            .values
            .range::<Oid, _>((Excluded(from), Unbounded))
            .next()
            .map(|(o, _)| o.clone());
        steps.answer(next.as_ref(), true);
    }
    steps.found()
}

/// The first OID after every OID under `root` (its last sub-identifier plus one).
fn subtree_end(root: &Oid) -> Oid {
    let mut arcs = root.arcs().to_vec();
    if let Some(last) = arcs.last_mut() {
        *last = last.saturating_add(1);
    }
    Oid::new(arcs)
}
