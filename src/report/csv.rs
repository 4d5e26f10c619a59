//! The CSV report's columns and cells: one row per device, every field of the record, each
//! cell spreadsheet-safe.

use super::{action, cell, spreadsheet_safe};
use crate::record::DeviceRecord;

pub(super) const HEADER: [&str; 25] = [
    "address",
    "discovered_via",
    "reported_by",
    "credential",
    "sys_name",
    "sys_descr",
    "sys_object_id",
    "vendor",
    "brand",
    "origin",
    "model",
    "os",
    "version",
    "serial",
    "chassis_mac",
    "confidence",
    "verdict",
    "deadline",
    "findings",
    "evidence",
    "modules",
    "neighbors",
    "interfaces",
    "notes",
    "data_versions",
];

/// Nested parts of the record (modules, neighbours, interfaces) as a JSON array in one cell,
/// so the CSV keeps every field; JSON never starts with a formula character, and the cell is
/// checked all the same.
fn json_cell<T: serde::Serialize>(v: &T) -> String {
    spreadsheet_safe(&serde_json::to_string(v).unwrap_or_default())
}

/// The cells of a device's row, in [`HEADER`]'s order but for `data_versions`.
pub(super) fn row(d: &DeviceRecord) -> Vec<String> {
    let findings: Vec<String> = d
        .judgement
        .findings
        .iter()
        .map(|f| format!("{}/{}: {}", f.policy, f.rule, f.reason))
        .collect();
    let evidence: Vec<String> = action::evidence_in_order(d)
        .into_iter()
        .map(|e| {
            format!(
                "{}={} -> {} ({})",
                e.source,
                e.value,
                e.vendor.as_deref().unwrap_or("?"),
                e.weight
            )
        })
        .collect();
    vec![
        spreadsheet_safe(&d.address),
        serde_json::to_value(d.discovered_via)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        cell(&d.reported_by),
        cell(&d.credential),
        cell(&d.sys_name),
        cell(&d.sys_descr),
        cell(&d.sys_object_id),
        cell(&d.identification.vendor),
        cell(&d.identification.brand),
        cell(&d.identification.origin),
        cell(&d.identification.model),
        cell(&d.identification.os),
        cell(&d.identification.version),
        cell(&d.identification.serial),
        cell(&d.identification.chassis_mac.map(|m| m.to_string())),
        format!("{:.2}", d.identification.confidence),
        d.judgement.verdict.to_string(),
        match action::nearest_deadline(d) {
            None if !action::flagged(d.judgement.verdict) => String::new(),
            nearest => action::deadline_words(nearest, true),
        },
        spreadsheet_safe(&findings.join("; ")),
        spreadsheet_safe(&evidence.join("; ")),
        json_cell(&d.modules),
        json_cell(&d.neighbors),
        json_cell(&d.interfaces),
        spreadsheet_safe(&d.notes.join("; ")),
    ]
}
