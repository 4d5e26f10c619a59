//! How the walk of each table ended.

use serde::{Deserialize, Serialize};

/// Why a request was not sent: the guard gave up on a device that stopped answering.
pub const GAVE_UP: &str = "not asked: the device stopped answering";

/// Why a walk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "WrittenEnd", from = "WrittenEnd")]
pub enum WalkEnd {
    /// The agent moved past the subtree: the normal end.
    EndOfTable,
    /// The agent has nothing after the last row.
    EndOfMibView,
    /// The agent returned the OID asked for again, or one before it not walked before.
    NonIncreasing {
        /// The offending OID.
        oid: String,
    },
    /// The agent returned an OID walked before the one asked for: the walk would go round
    /// forever.
    Loop {
        /// The OID it came back to.
        oid: String,
    },
    /// The row cap was reached.
    RowCap,
    /// The device's time limit was reached before the walk ended.
    TimeLimit,
    /// A request was not sent: the device had stopped answering, and the guard left it alone
    /// (said once for the device). Written as an `error` whose reason is [`GAVE_UP`]; it reads
    /// back as that error.
    GaveUp,
    /// A request failed.
    Error {
        /// What failed.
        reason: String,
    },
}

/// A walk's end as a record writes it: [`WalkEnd::GaveUp`] is an `error`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "end", rename_all = "kebab-case")]
enum WrittenEnd {
    EndOfTable,
    EndOfMibView,
    NonIncreasing { oid: String },
    Loop { oid: String },
    RowCap,
    TimeLimit,
    Error { reason: String },
}

impl From<WalkEnd> for WrittenEnd {
    fn from(end: WalkEnd) -> WrittenEnd {
        match end {
            WalkEnd::EndOfTable => WrittenEnd::EndOfTable,
            WalkEnd::EndOfMibView => WrittenEnd::EndOfMibView,
            WalkEnd::NonIncreasing { oid } => WrittenEnd::NonIncreasing { oid },
            WalkEnd::Loop { oid } => WrittenEnd::Loop { oid },
            WalkEnd::RowCap => WrittenEnd::RowCap,
            WalkEnd::TimeLimit => WrittenEnd::TimeLimit,
            WalkEnd::GaveUp => WrittenEnd::Error {
                reason: GAVE_UP.into(),
            },
            WalkEnd::Error { reason } => WrittenEnd::Error { reason },
        }
    }
}

impl From<WrittenEnd> for WalkEnd {
    fn from(end: WrittenEnd) -> WalkEnd {
        match end {
            WrittenEnd::EndOfTable => WalkEnd::EndOfTable,
            WrittenEnd::EndOfMibView => WalkEnd::EndOfMibView,
            WrittenEnd::NonIncreasing { oid } => WalkEnd::NonIncreasing { oid },
            WrittenEnd::Loop { oid } => WalkEnd::Loop { oid },
            WrittenEnd::RowCap => WalkEnd::RowCap,
            WrittenEnd::TimeLimit => WalkEnd::TimeLimit,
            WrittenEnd::Error { reason } => WalkEnd::Error { reason },
        }
    }
}

impl WalkEnd {
    /// Whether the walk ended normally (the table is complete).
    pub fn is_complete(&self) -> bool {
        matches!(self, WalkEnd::EndOfTable | WalkEnd::EndOfMibView)
    }
}

/// How one table of the walk plan went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableWalk {
    /// The table's name in the walk plan.
    pub table: String,
    /// The root OID walked.
    pub root: String,
    /// Rows returned.
    pub rows: usize,
    /// How the walk ended.
    #[serde(flatten)]
    pub end: WalkEnd,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_walk_round_trips_with_its_end_inline() {
        let walks = [
            (WalkEnd::EndOfTable, r#""end":"end-of-table""#),
            (
                WalkEnd::Loop {
                    oid: "1.3.6.1.2.1.2".into(),
                },
                r#""end":"loop","oid":"1.3.6.1.2.1.2""#,
            ),
            (
                WalkEnd::Error {
                    reason: "timeout".into(),
                },
                r#""end":"error","reason":"timeout""#,
            ),
            (
                WalkEnd::GaveUp,
                r#""end":"error","reason":"not asked: the device stopped answering""#,
            ),
        ];
        for (end, text) in walks {
            let w = TableWalk {
                table: "ifTable".into(),
                root: "1.3.6.1.2.1.2.2".into(),
                rows: 4,
                end,
            };
            let json = serde_json::to_string(&w).unwrap();
            assert_eq!(
                json,
                format!(r#"{{"table":"ifTable","root":"1.3.6.1.2.1.2.2","rows":4,{text}}}"#)
            );
            let back = serde_json::from_str::<TableWalk>(&json).unwrap();
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
            if w.end != WalkEnd::GaveUp {
                assert_eq!(back, w);
            }
        }
    }
}
