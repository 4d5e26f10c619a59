//! How the walk of each table ended.

use serde::Serialize;

/// Why a walk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "end", rename_all = "kebab-case")]
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
    /// A request failed.
    Error {
        /// What failed.
        reason: String,
    },
}

impl WalkEnd {
    /// Whether the walk ended normally (the table is complete).
    pub fn is_complete(&self) -> bool {
        matches!(self, WalkEnd::EndOfTable | WalkEnd::EndOfMibView)
    }
}

/// How one table of the walk plan went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableWalk {
    /// The table's name in the walk plan.
    pub table: &'static str,
    /// The root OID walked.
    pub root: String,
    /// Rows returned.
    pub rows: usize,
    /// How the walk ended.
    #[serde(flatten)]
    pub end: WalkEnd,
}
