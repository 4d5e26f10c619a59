//! The devices of a sweep in the CSV layouts NetBox's bulk import accepts, so a carrier's
//! source of truth is fed from the sweep rather than retyped: manufacturers, device types,
//! devices, module types and modules, in the order NetBox needs them (each refers to the ones
//! before it by name).
//!
//! The columns are the import forms' field names (NetBox 4.x, `netbox/dcim/forms/bulk_import.py`:
//! `ManufacturerImportForm`, `DeviceTypeImportForm`, `DeviceImportForm`, `ModuleTypeImportForm`,
//! `ModuleImportForm`). What NetBox requires and a sweep may not know is filled from
//! [`Defaults`]: a device's site and role (NetBox requires both; the device's context gives them
//! where it knows them), its status (`active`: it answered). A module goes in the bay named by
//! the ENTITY-MIB container that holds it (its entPhysicalContainedIn row's name), else by its
//! own name: NetBox takes a module only into a bay its device already has, which the device
//! type's bay templates give.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::{DeviceRecord, EntityClass, Module};

/// What a device's record does not say and NetBox requires.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// The site of devices whose context names none.
    pub site: String,
    /// The role of devices whose context names none.
    pub role: String,
    /// The status every device and module is given.
    pub status: String,
}

impl Default for Defaults {
    fn default() -> Defaults {
        Defaults {
            site: "netorigin-unassigned".into(),
            role: "netorigin-discovered".into(),
            status: "active".into(),
        }
    }
}

/// One CSV table: its header (the import form's field names) and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file name NetBox's import page is fed from (`devices.csv`...).
    pub file: &'static str,
    /// The header.
    pub header: &'static [&'static str],
    /// The rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

/// The manufacturer of what a sweep could not identify: NetBox requires one for every device
/// and module type.
pub const UNKNOWN_MANUFACTURER: &str = "Unknown";

/// `ManufacturerImportForm`.
pub const MANUFACTURERS: &[&str] = &["name", "slug", "description"];
/// `DeviceTypeImportForm` (the fields a sweep knows).
pub const DEVICE_TYPES: &[&str] = &["manufacturer", "model", "slug", "description"];
/// `DeviceImportForm` (the fields a sweep knows).
pub const DEVICES: &[&str] = &[
    "name",
    "role",
    "tenant",
    "manufacturer",
    "device_type",
    "serial",
    "status",
    "site",
    "description",
    "comments",
];
/// `ModuleTypeImportForm` (the fields a sweep knows).
pub const MODULE_TYPES: &[&str] = &["manufacturer", "model", "part_number", "description"];
/// `ModuleImportForm` (the fields a sweep knows).
pub const MODULES: &[&str] = &[
    "device",
    "module_bay",
    "module_type",
    "serial",
    "status",
    "description",
];

/// The five tables of `devices`, in the order NetBox imports them.
pub fn tables(devices: &[DeviceRecord], defaults: &Defaults) -> Vec<Table> {
    let names = device_names(devices);
    let mut manufacturers: BTreeSet<String> = BTreeSet::new();
    let mut device_types: BTreeSet<(String, String)> = BTreeSet::new();
    let mut module_types: BTreeSet<(String, String)> = BTreeSet::new();
    let mut device_rows = Vec::new();
    let mut module_rows = Vec::new();
    for (d, name) in devices.iter().zip(&names) {
        let maker = maker(d.identification.vendor.as_deref());
        let model = d
            .identification
            .model
            .clone()
            .unwrap_or_else(|| format!("{maker} device"));
        manufacturers.insert(maker.clone());
        device_types.insert((maker.clone(), model.clone()));
        device_rows.push(device_row(d, name, &maker, &model, defaults));
        for m in d.modules.iter().filter(|m| field_replaceable(m)) {
            let m_maker = maker_of_module(m, &maker);
            let m_model = module_model(m);
            manufacturers.insert(m_maker.clone());
            module_types.insert((m_maker.clone(), m_model.clone()));
            module_rows.push(vec![
                name.clone(),
                bay(m, d),
                m_model,
                m.serial.clone().unwrap_or_default(),
                defaults.status.clone(),
                format!(
                    "entPhysicalIndex {}{}",
                    m.index,
                    m.verdict
                        .map(|v| format!("; netorigin verdict {v}"))
                        .unwrap_or_default()
                ),
            ]);
        }
    }
    vec![
        Table {
            file: "manufacturers.csv",
            header: MANUFACTURERS,
            rows: manufacturers
                .into_iter()
                .scan(BTreeSet::new(), |slugs, m| {
                    let s = unique(slug(&m), slugs);
                    Some(vec![m, s, "seen by a netorigin sweep".into()])
                })
                .collect(),
        },
        Table {
            file: "device-types.csv",
            header: DEVICE_TYPES,
            rows: {
                let mut slugs = BTreeSet::new();
                device_types
                    .into_iter()
                    .map(|(maker, model)| {
                        let s = unique(slug(&format!("{maker} {model}")), &mut slugs);
                        vec![maker, model, s, "seen by a netorigin sweep".into()]
                    })
                    .collect()
            },
        },
        Table {
            file: "devices.csv",
            header: DEVICES,
            rows: device_rows,
        },
        Table {
            file: "module-types.csv",
            header: MODULE_TYPES,
            rows: module_types
                .into_iter()
                .map(|(maker, model)| {
                    vec![
                        maker,
                        model.clone(),
                        model,
                        "seen by a netorigin sweep".into(),
                    ]
                })
                .collect(),
        },
        Table {
            file: "modules.csv",
            header: MODULES,
            rows: module_rows,
        },
    ]
}

/// One row of `devices.csv`.
fn device_row(
    d: &DeviceRecord,
    name: &str,
    maker: &str,
    model: &str,
    defaults: &Defaults,
) -> Vec<String> {
    let value = |s: &Option<crate::record::Sourced<String>>| s.as_ref().map(|s| s.value.clone());
    let mut comments = vec![format!("verdict: {}", d.judgement.verdict)];
    comments.extend(
        d.judgement
            .findings
            .iter()
            .map(|f| format!("{}/{}: {}", f.policy, f.rule, f.reason)),
    );
    if let Some(t) = &d.context.technology {
        comments.push(format!("technology: {} ({})", t.value, t.source));
    }
    if let Some(a) = &d.context.acquired {
        comments.push(format!("acquired: {} ({})", a.value, a.source));
    }
    vec![
        name.to_string(),
        value(&d.context.role).unwrap_or_else(|| defaults.role.clone()),
        value(&d.context.owner).unwrap_or_default(),
        maker.to_string(),
        model.to_string(),
        d.identification.serial.clone().unwrap_or_default(),
        defaults.status.clone(),
        value(&d.context.site).unwrap_or_else(|| defaults.site.clone()),
        format!("netorigin: {} via {}", d.address, d.discovered_via.as_str()),
        comments.join("\n"),
    ]
}

/// Each device's NetBox name: its sysName, else its address; a name two devices share gets
/// each one's address after it (NetBox keeps names unique within a site, and modules refer to
/// their device by name).
fn device_names(devices: &[DeviceRecord]) -> Vec<String> {
    let plain: Vec<String> = devices
        .iter()
        .map(|d| d.sys_name.clone().unwrap_or_else(|| d.address.clone()))
        .collect();
    // NetBox compares names without regard to case.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for n in &plain {
        *counts.entry(n.to_lowercase()).or_default() += 1;
    }
    plain
        .iter()
        .zip(devices)
        .map(|(n, d)| match counts.get(&n.to_lowercase()) {
            Some(c) if *c > 1 && *n != d.address => format!("{n} ({})", d.address),
            _ => n.clone(),
        })
        .collect()
}

/// A maker's name for NetBox: the identified vendor, else [`UNKNOWN_MANUFACTURER`].
fn maker(vendor: Option<&str>) -> String {
    vendor
        .filter(|v| !v.trim().is_empty())
        .unwrap_or(UNKNOWN_MANUFACTURER)
        .to_string()
}

/// A module's maker: its own identified vendor, else its entPhysicalMfgName, else the
/// device's.
fn maker_of_module(m: &Module, device_maker: &str) -> String {
    m.vendor
        .as_deref()
        .or(m.manufacturer.as_deref())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or(device_maker)
        .to_string()
}

/// A module's type: its model name, else its description, else its class.
fn module_model(m: &Module) -> String {
    m.model
        .as_deref()
        .or(m.description.as_deref())
        .filter(|v| !v.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| match m.class {
            Some(c) => format!("{c} module"),
            None => "unknown module".into(),
        })
}

/// Whether an ENTITY-MIB row is what NetBox calls a module: a card, a power supply or a fan,
/// or a port with a serial number (a pluggable optic).
fn field_replaceable(m: &Module) -> bool {
    match m.class {
        Some(EntityClass::Module | EntityClass::PowerSupply | EntityClass::Fan) => true,
        Some(EntityClass::Port) => m.serial.is_some(),
        _ => false,
    }
}

/// The bay a module goes in: the name of the row that contains it, else its own name, else
/// its index.
fn bay(m: &Module, d: &DeviceRecord) -> String {
    m.contained_in
        .and_then(|parent| d.modules.iter().find(|p| p.index == parent))
        .and_then(|p| p.name.clone())
        .or_else(|| m.name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("entPhysicalIndex {}", m.index))
}

/// NetBox's slug of a name: lower-case letters, digits, `-` and `_`, at most 100 characters.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    out.chars().take(100).collect()
}

/// `slug`, or `slug-2`, `slug-3`... when an earlier name of the table took it (`S5720-28X` and
/// `S5720 28X` have one slug; NetBox requires slugs to be unique).
fn unique(slug: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = slug.clone();
    let mut n = 1;
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate = format!("{slug}-{n}");
    }
    candidate
}

/// Writes one table as CSV, each cell made safe for a spreadsheet.
pub fn write(table: &Table, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(table.header)
        .map_err(std::io::Error::other)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| super::spreadsheet_safe(c)))
            .map_err(std::io::Error::other)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Identification, Judgement, Observed, Sourced, Verdict};

    fn device(address: &str, name: Option<&str>, vendor: Option<&str>) -> DeviceRecord {
        let mut d = Observed {
            address: address.into(),
            sys_name: name.map(str::to_string),
            identification: Identification {
                vendor: vendor.map(str::to_string),
                model: vendor.map(|_| "NE40E-X8".to_string()),
                serial: Some("2102351931P0".into()),
                ..Identification::default()
            },
            ..Observed::default()
        };
        d.modules = vec![
            Module {
                index: 1,
                class: Some(EntityClass::Chassis),
                name: Some("chassis".into()),
                ..Module::default()
            },
            Module {
                index: 2,
                class: Some(EntityClass::Container),
                name: Some("slot 1".into()),
                contained_in: Some(1),
                ..Module::default()
            },
            Module {
                index: 3,
                class: Some(EntityClass::Module),
                model: Some("CR5D00E4XF80".into()),
                serial: Some("030QFK10".into()),
                contained_in: Some(2),
                vendor: Some("Huawei".into()),
                verdict: Some(Verdict::Banned),
                ..Module::default()
            },
            Module {
                index: 4,
                class: Some(EntityClass::Port),
                name: Some("GE0/1/0".into()),
                contained_in: Some(3),
                ..Module::default()
            },
        ];
        d.judged(Judgement {
            verdict: Verdict::Banned,
            findings: Vec::new(),
        })
    }

    #[test]
    fn every_device_module_and_maker_gets_a_row_in_netbox_layout() {
        let mut a = device("127.0.0.1", Some("pe-1"), Some("Huawei"));
        a.context.site = Some(Sourced::new("TOR01".into(), "inventory i.csv:2"));
        a.context.role = Some(Sourced::new("core".into(), "inventory i.csv:2"));
        let b = device("127.0.0.2", None, None);
        let t = tables(&[a, b], &Defaults::default());
        let files: Vec<&str> = t.iter().map(|t| t.file).collect();
        assert_eq!(
            files,
            [
                "manufacturers.csv",
                "device-types.csv",
                "devices.csv",
                "module-types.csv",
                "modules.csv"
            ]
        );
        assert_eq!(
            t[0].rows,
            [
                vec!["Huawei", "huawei", "seen by a netorigin sweep"],
                vec!["Unknown", "unknown", "seen by a netorigin sweep"]
            ]
        );
        let devices = &t[2].rows;
        assert_eq!(
            devices[0][..8],
            [
                "pe-1",
                "core",
                "",
                "Huawei",
                "NE40E-X8",
                "2102351931P0",
                "active",
                "TOR01"
            ]
        );
        // No sysName: the address; no site or role: the defaults.
        assert_eq!(devices[1][0], "127.0.0.2");
        assert_eq!(devices[1][1], "netorigin-discovered");
        assert_eq!(devices[1][7], "netorigin-unassigned");
        assert_eq!(devices[1][4], "Unknown device");
        // The card, in the bay its container names; the port without a serial is no module.
        let modules = &t[4].rows;
        assert_eq!(modules.len(), 2, "{modules:?}");
        assert_eq!(
            modules[0][..4],
            ["pe-1", "slot 1", "CR5D00E4XF80", "030QFK10"]
        );
        assert!(modules[0][5].contains("verdict banned"), "{:?}", modules[0]);
        assert_eq!(modules[1][0], "127.0.0.2");
    }

    #[test]
    fn names_two_devices_share_are_told_apart_by_address() {
        let t = tables(
            &[
                device("127.0.0.1", Some("Switch"), None),
                device("127.0.0.2", Some("Switch"), None),
                device("127.0.0.3", Some("core-1"), None),
            ],
            &Defaults::default(),
        );
        let names: Vec<&str> = t[2].rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            names,
            ["Switch (127.0.0.1)", "Switch (127.0.0.2)", "core-1"]
        );
        // Names that differ only in case are one name to NetBox.
        let t = tables(
            &[
                device("127.0.0.1", Some("PE-1"), None),
                device("127.0.0.2", Some("pe-1"), None),
            ],
            &Defaults::default(),
        );
        let names: Vec<&str> = t[2].rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["PE-1 (127.0.0.1)", "pe-1 (127.0.0.2)"]);
    }

    #[test]
    fn models_whose_slugs_collide_get_slugs_of_their_own() {
        let mut a = device("127.0.0.1", Some("a"), Some("Huawei"));
        a.identification.model = Some("S5720-28X".into());
        let mut b = device("127.0.0.2", Some("b"), Some("Huawei"));
        b.identification.model = Some("S5720 28X".into());
        let t = tables(&[a, b], &Defaults::default());
        let slugs: Vec<&str> = t[1].rows.iter().map(|r| r[2].as_str()).collect();
        assert_eq!(slugs, ["huawei-s5720-28x", "huawei-s5720-28x-2"]);
    }

    #[test]
    fn slugs_are_what_netbox_accepts() {
        assert_eq!(slug("Huawei"), "huawei");
        assert_eq!(
            slug("Hewlett Packard Enterprise (HPE)"),
            "hewlett-packard-enterprise-hpe"
        );
        assert_eq!(slug("--ZTE  Corp.--"), "zte-corp");
        assert_eq!(slug(&"x".repeat(300)).len(), 100);
    }

    #[test]
    fn device_text_cannot_become_a_formula() {
        let d = device("127.0.0.1", Some("=cmd|' /C calc'!A0"), Some("Huawei"));
        let t = tables(&[d], &Defaults::default());
        let mut out = Vec::new();
        write(&t[2], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("'=cmd"), "{text}");
        assert!(text.starts_with("name,role,tenant,manufacturer,device_type,serial,status,site,"));
    }
}
