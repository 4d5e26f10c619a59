//! What a device is and whose: the evidence behind an identification.

use serde::Serialize;

/// One piece of evidence for an identification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Where it came from (`sysObjectID`, ...), with the OID that carried it.
    pub source: String,
    /// The value seen.
    pub value: String,
    /// The vendor it points to.
    pub vendor: Option<String>,
    /// The company group it points to.
    pub origin: Option<String>,
    /// How much it counts, 0..1.
    pub weight: f64,
}
