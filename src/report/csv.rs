//! The CSV report's columns and cells: one row per device, every field of the record, each
//! cell spreadsheet-safe; then one row per share of a policy's cap.
//!
//! The columns of issue 18 (sysLocation, sysContact, the device's context with the source of
//! each value, and `share`) come after `notes` and before `data_versions`, so every earlier
//! column keeps its place. A share is a fact about the sweep, not a device: its row has
//! `share` in `discovered_via` (no device has), the share in words ([`super::shares::line`])
//! in `share`, and every other cell but `data_versions` empty, so a spreadsheet's filter on
//! `discovered_via` shows the devices alone or the shares alone.

use super::{action, cell, shares, spreadsheet_safe};
use crate::record::{DeviceRecord, Share, Sourced};

/// The columns, in order.
pub(super) const HEADER: [&str; 39] = [
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
    "sys_location",
    "sys_contact",
    "site",
    "site_source",
    "role",
    "role_source",
    "technology",
    "technology_source",
    "owner",
    "owner_source",
    "acquired",
    "acquired_source",
    "first_seen",
    "share",
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
        cell(&d.sys_location),
        cell(&d.sys_contact),
    ]
    .into_iter()
    .chain(sourced(&d.context.site))
    .chain(sourced(&d.context.role))
    .chain(sourced(&d.context.technology))
    .chain(sourced(&d.context.owner))
    .chain(sourced(&d.context.acquired))
    .chain([
        cell(&d.context.first_seen.map(|f| f.to_string())),
        String::new(),
    ])
    .collect()
}

/// A context value and its source, as two cells (both empty when nothing said).
fn sourced<T: ToString>(v: &Option<Sourced<T>>) -> [String; 2] {
    match v {
        Some(v) => [
            spreadsheet_safe(&v.value.to_string()),
            spreadsheet_safe(&v.source),
        ],
        None => [String::new(), String::new()],
    }
}

/// The row of a share, but for `data_versions`: `share` in `discovered_via`, the share in words
/// in `share`, the rest empty.
pub(super) fn share_row(s: &Share) -> Vec<String> {
    let mut row = vec![String::new(); HEADER.len() - 1];
    row[1] = "share".into();
    row[HEADER.len() - 2] = spreadsheet_safe(&shares::line(s));
    row
}
