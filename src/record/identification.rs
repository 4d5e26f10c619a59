//! What a device is and whose: the evidence behind an identification.

use serde::{Deserialize, Serialize};

use super::Mac;

/// One piece of evidence for an identification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// What a device is and whose, as identification and the inventory rules found it: the
/// fields of a record from `vendor` to `conflicts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Identification {
    /// The maker's display name.
    pub vendor: Option<String>,
    /// The maker's company group key.
    pub origin: Option<String>,
    /// The brand the device shows, where it differs from the maker (an HPE-branded Comware
    /// switch made by H3C).
    pub brand: Option<String>,
    /// Model: from an inventory rule, a sysDescr fingerprint or the ENTITY-MIB chassis row.
    pub model: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// Software version: from an inventory rule, a sysDescr fingerprint or the chassis row.
    pub version: Option<String>,
    /// Serial number: from an inventory rule or the ENTITY-MIB chassis (or main board) row
    /// (identification alone leaves it empty).
    pub serial: Option<String>,
    /// Chassis MAC: lldpLocChassisId (or lldpV2LocChassisId) when it is a MAC, else the MAC in
    /// the v3 engine ID; a neighbour's MAC chassis ID.
    pub chassis_mac: Option<Mac>,
    /// Confidence, 0..1.
    pub confidence: f64,
    /// The evidence behind it: everything that was considered.
    pub evidence: Vec<Evidence>,
    /// Evidence pointing to another company group than the answer.
    pub conflicts: Vec<Evidence>,
}
