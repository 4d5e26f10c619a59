//! Walking a subtree, sans-IO: [`Walk`] says which request to send next and takes the
//! answers; [`run`] drives it over a [`Session`].
//!
//! GETBULK in v2c, GETNEXT in v1 (RFC 3416 4.2.3; RFC 1157). A walk ends at the end of the
//! subtree, at endOfMibView (or v1's noSuchName), when an agent returns an OID that does not
//! come after the last one (an OID already walked is a loop; any other, a walk going
//! backwards), at a row cap, at the device's time limit, or on an error; the reason is kept.
//! An OID out of order is caught before the end of the subtree is looked for, so an agent
//! that jumps back out of the table is not taken for one that finished it.

use super::{Session, SnmpError};
pub use crate::record::WalkEnd;
use crate::wire::{Oid, Value, VarBind, Version};

/// Bounds of one walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    /// Stop after this many rows.
    pub max_rows: usize,
    /// max-repetitions of each GETBULK.
    pub max_repetitions: u32,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            max_rows: 20_000,
            max_repetitions: 25,
        }
    }
}

/// The next request of a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// GETNEXT of one OID.
    GetNext(Oid),
    /// GETBULK of one OID, no non-repeaters.
    GetBulk {
        /// Where to continue from.
        oid: Oid,
        /// How many rows to ask for.
        max_repetitions: u32,
    },
}

/// The state of one walk.
#[derive(Debug)]
pub struct Walk {
    root: Oid,
    version: Version,
    limits: WalkLimits,
    cursor: Oid,
    rows: Vec<VarBind>,
    end: Option<WalkEnd>,
}

impl Walk {
    /// A walk of the subtree under `root`.
    pub fn new(root: Oid, version: Version, limits: WalkLimits) -> Self {
        Walk {
            cursor: root.clone(),
            root,
            version,
            limits,
            rows: Vec::new(),
            end: None,
        }
    }

    /// The request to send, or `None` when the walk is over.
    pub fn request(&self) -> Option<Request> {
        if self.end.is_some() {
            return None;
        }
        Some(match self.version {
            Version::V1 => Request::GetNext(self.cursor.clone()),
            Version::V2c | Version::V3 => {
                let left = self.limits.max_rows.saturating_sub(self.rows.len());
                let reps = self
                    .limits
                    .max_repetitions
                    .min(u32::try_from(left).unwrap_or(u32::MAX))
                    .max(1);
                Request::GetBulk {
                    oid: self.cursor.clone(),
                    max_repetitions: reps,
                }
            }
        })
    }

    /// Takes the bindings of a response.
    pub fn on_response(&mut self, varbinds: Vec<VarBind>) {
        if varbinds.is_empty() {
            self.end = Some(WalkEnd::Error {
                reason: "empty response".into(),
            });
            return;
        }
        for vb in varbinds {
            if vb.value == Value::EndOfMibView {
                self.end = Some(WalkEnd::EndOfMibView);
                return;
            }
            if vb.oid <= self.cursor {
                let oid = vb.oid.to_string();
                // The OID asked for again is the classic "not increasing"; one walked before it
                // is a loop.
                let seen = vb.oid < self.cursor
                    && self.rows.binary_search_by(|r| r.oid.cmp(&vb.oid)).is_ok();
                self.end = Some(if seen {
                    WalkEnd::Loop { oid }
                } else {
                    WalkEnd::NonIncreasing { oid }
                });
                return;
            }
            if !vb.oid.starts_with(&self.root) {
                self.end = Some(WalkEnd::EndOfTable);
                return;
            }
            self.cursor = vb.oid.clone();
            self.rows.push(vb);
            if self.rows.len() >= self.limits.max_rows {
                self.end = Some(WalkEnd::RowCap);
                return;
            }
        }
    }

    /// Takes a failed exchange. In v1, noSuchName on GETNEXT is how the end of the MIB looks.
    pub fn on_error(&mut self, error: &SnmpError) {
        self.end = Some(match (self.version, error) {
            (Version::V1, SnmpError::Status { status: 2, .. }) => WalkEnd::EndOfMibView,
            (_, SnmpError::TimeLimit) => WalkEnd::TimeLimit,
            (_, SnmpError::GaveUp) => WalkEnd::GaveUp,
            _ => WalkEnd::Error {
                reason: error.to_string(),
            },
        });
    }

    /// The rows and why the walk ended.
    pub fn finish(self) -> (Vec<VarBind>, WalkEnd) {
        let end = self.end.unwrap_or(WalkEnd::Error {
            reason: "walk not finished".into(),
        });
        (self.rows, end)
    }
}

/// Walks `root` over `session`.
pub async fn run<S: Session>(
    session: &S,
    root: &Oid,
    limits: WalkLimits,
) -> (Vec<VarBind>, WalkEnd) {
    let mut walk = Walk::new(root.clone(), session.version(), limits);
    while let Some(req) = walk.request() {
        let result = match &req {
            Request::GetNext(oid) => session.get_next(std::slice::from_ref(oid)).await,
            Request::GetBulk {
                oid,
                max_repetitions,
            } => {
                session
                    .get_bulk(std::slice::from_ref(oid), 0, *max_repetitions)
                    .await
            }
        };
        match result {
            Ok(vbs) => walk.on_response(vbs),
            Err(e) => walk.on_error(&e),
        }
    }
    walk.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{Agent, Recording};
    use crate::snmp::in_memory::InMemory;
    use std::sync::Arc;

    fn session(version: Version, tamper: fn(&mut Vec<VarBind>)) -> InMemory {
        let mut text = String::new();
        for i in 1..=60 {
            text.push_str(&format!("1.3.6.1.2.1.2.2.1.2.{i}|4|port {i}\n"));
        }
        text.push_str("1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n");
        let rec = Recording::parse(std::path::Path::new("t"), text.as_bytes()).unwrap();
        InMemory::new(Agent::new(Arc::new(rec), None), version).tampered(tamper)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn if_descr() -> Oid {
        "1.3.6.1.2.1.2.2.1.2".parse().unwrap()
    }

    #[test]
    fn bulk_walk_gets_every_row_and_stops_at_the_table_end() {
        let (rows, end) = block_on(run(
            &session(Version::V2c, |_| {}),
            &if_descr(),
            WalkLimits::default(),
        ));
        assert_eq!(rows.len(), 60);
        assert_eq!(end, WalkEnd::EndOfTable);
        assert!(rows.windows(2).all(|w| w[0].oid < w[1].oid));
    }

    #[test]
    fn v1_walk_uses_getnext_and_ends_on_no_such_name() {
        let root: Oid = "1.3.6.1.2.1.2.2.1.6".parse().unwrap();
        let (rows, end) = block_on(run(
            &session(Version::V1, |_| {}),
            &root,
            WalkLimits::default(),
        ));
        assert_eq!(rows.len(), 1);
        assert_eq!(end, WalkEnd::EndOfMibView);
    }

    #[test]
    fn row_cap_bounds_the_walk() {
        let limits = WalkLimits {
            max_rows: 7,
            max_repetitions: 5,
        };
        let (rows, end) = block_on(run(&session(Version::V2c, |_| {}), &if_descr(), limits));
        assert_eq!(rows.len(), 7);
        assert_eq!(end, WalkEnd::RowCap);
    }

    #[test]
    fn a_loop_is_told_from_a_walk_going_backwards_and_leaving_backwards_is_no_end() {
        // Back to a row already walked: a loop.
        let looping = |vbs: &mut Vec<VarBind>| {
            if vbs.len() > 3 {
                vbs[3].oid = vbs[1].oid.clone();
            }
        };
        let (rows, end) = block_on(run(
            &session(Version::V2c, looping),
            &if_descr(),
            WalkLimits::default(),
        ));
        assert_eq!(rows.len(), 3);
        assert_eq!(
            end,
            WalkEnd::Loop {
                oid: "1.3.6.1.2.1.2.2.1.2.2".into()
            }
        );
        // Out of the table, but backwards: not the end of the table.
        let leaving_backwards = |vbs: &mut Vec<VarBind>| {
            if vbs.len() > 3 {
                vbs[3].oid = "1.3.6.1.2.1.1.1.0".parse().unwrap();
            }
        };
        let (_, end) = block_on(run(
            &session(Version::V2c, leaving_backwards),
            &if_descr(),
            WalkLimits::default(),
        ));
        assert_eq!(
            end,
            WalkEnd::NonIncreasing {
                oid: "1.3.6.1.2.1.1.1.0".into()
            }
        );
    }

    #[test]
    fn an_agent_that_goes_backwards_is_stopped() {
        // A looping agent: every response starts again from the first row.
        let looping = |vbs: &mut Vec<VarBind>| {
            for vb in vbs.iter_mut() {
                vb.oid = "1.3.6.1.2.1.2.2.1.2.1".parse().unwrap();
            }
        };
        let (rows, end) = block_on(run(
            &session(Version::V2c, looping),
            &if_descr(),
            WalkLimits::default(),
        ));
        assert_eq!(rows.len(), 1);
        assert_eq!(
            end,
            WalkEnd::NonIncreasing {
                oid: "1.3.6.1.2.1.2.2.1.2.1".into()
            }
        );
    }
}
