//! NetBox's device list, read as it is exported: "Export → All data (CSV)" writes the device
//! table's columns under their verbose names (NetBox 4.x `netbox/dcim/tables/devices.py`,
//! `DeviceTable`: "Name", "Status", "Tenant", "Site", "Location", "Rack", "Role",
//! "Manufacturer", "Type", "Platform", "Serial number", "Asset tag", "IP Address", "IPv4
//! Address", "IPv6 Address", "OOB IP"..., custom fields under their labels); the bulk-import
//! layout names the fields instead (`netbox/dcim/forms/bulk_import.py`, `DeviceImportForm`:
//! `name`, `role`, `tenant`, `device_type`, `serial`, `site`, `status`..., custom fields as
//! `cf_NAME`). Either is read: Name is the sysName (exactly, but for case), the primary IPs
//! and the OOB IP are addresses (the `/len` dropped), Serial number the serial; Site, Role
//! and Tenant give site, role and owner, and a custom field Technology or Acquired
//! (`cf_technology`, `cf_acquired`) technology and acquired. Other columns are left alone
//! (NetBox exports many); rows that name no key or give no value are left out.

use std::net::IpAddr;

use serde::Serialize;

use super::{Key, Reader, Row, Tier, Values};
use crate::location::FileError;

/// What a column of NetBox's means to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    /// The device's name: its sysName.
    Name,
    /// A primary IP (IPv4, IPv6 or either) or the out-of-band IP, with its prefix length.
    Address,
    /// The serial number.
    Serial,
    /// A context field, by our name (site, role, owner, technology, acquired).
    Value(&'static str),
}

/// Columns (lower case) only NetBox names, which tell its export from our layout.
const NETBOX_ONLY: [&str; 22] = [
    "name",
    "status",
    "tenant",
    "tenant group",
    "manufacturer",
    "type",
    "device_type",
    "platform",
    "serial number",
    "asset tag",
    "asset_tag",
    "ip address",
    "ipv4 address",
    "ipv6 address",
    "primary ipv4",
    "primary ipv6",
    "primary_ip4",
    "primary_ip6",
    "oob ip",
    "id",
    "location",
    "rack",
];

/// Whether a column (trimmed, lower case) is one only NetBox's layouts name.
pub(super) fn is_netbox(name: &str) -> bool {
    NETBOX_ONLY.contains(&name)
}

/// What each column (trimmed, lower case) means, if anything.
pub(super) fn columns(names: &[String]) -> Vec<Option<Column>> {
    names
        .iter()
        .map(|n| {
            Some(match n.as_str() {
                "name" => Column::Name,
                "ip address" | "ipv4 address" | "ipv6 address" | "primary ipv4"
                | "primary ipv6" | "primary_ip" | "primary_ip4" | "primary_ip6" | "oob ip"
                | "oob_ip" => Column::Address,
                "serial number" | "serial" => Column::Serial,
                "site" => Column::Value("site"),
                "role" | "device role" | "device_role" => Column::Value("role"),
                "tenant" => Column::Value("owner"),
                "technology" | "cf_technology" => Column::Value("technology"),
                "acquired" | "cf_acquired" => Column::Value("acquired"),
                _ => return None,
            })
        })
        .collect()
}

/// One row of a NetBox export, if it names a key and gives a value.
pub(super) fn row<'c>(
    reader: &Reader,
    columns: &[Option<Column>],
    cells: impl Iterator<Item = (&'c str, usize)>,
    line: usize,
) -> Result<Option<Row>, FileError> {
    let (mut keys, mut values) = (Vec::new(), Values::default());
    for (column, (cell, offset)) in columns.iter().zip(cells) {
        let text = cell.trim();
        match column {
            None => {}
            Some(_) if text.is_empty() => {}
            Some(Column::Name) => keys.push(Key::Name(text.to_lowercase())),
            Some(Column::Serial) => keys.push(Key::Serial(text.to_string())),
            Some(Column::Address) => {
                let address = text.split_once('/').map_or(text, |(a, _)| a);
                let address = address.parse::<IpAddr>().map_err(|_| {
                    reader.at(
                        offset,
                        format!("{text:?} is not an IP address (expected e.g. 192.0.2.7/24)"),
                    )
                })?;
                keys.push(Key::Address(address.into()));
            }
            Some(Column::Value(name)) => reader.value(name, text, offset, &mut values)?,
        }
    }
    if keys.is_empty() || values.is_empty() {
        return Ok(None);
    }
    Ok(Some(Row {
        tier: Tier::Netbox,
        keys,
        values,
        source: format!("netbox {}:{line}", reader.file),
    }))
}

/// What NetBox's other bulk-import tables hold (`export netbox` writes them beside
/// `devices.csv`): kept as read so that an export read back keeps every device, module and
/// maker, and so the command can say what an inventory folder held. Only device rows give
/// context; these give none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Objects {
    /// The name of every device row read, in order (with context or without).
    pub devices: Vec<String>,
    /// Manufacturers (`ManufacturerImportForm`: name, slug).
    pub manufacturers: Vec<String>,
    /// Device types as (manufacturer, model) (`DeviceTypeImportForm`: with a slug).
    pub device_types: Vec<(String, String)>,
    /// Module types as (manufacturer, model) (`ModuleTypeImportForm`: no slug).
    pub module_types: Vec<(String, String)>,
    /// Modules (`ModuleImportForm`: device, module_bay, module_type, serial).
    pub modules: Vec<ModuleRow>,
}

/// One row of NetBox's modules table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleRow {
    /// The device it is installed in, by name.
    pub device: String,
    /// The bay it is in.
    pub module_bay: String,
    /// Its type (the module type's model).
    pub module_type: String,
    /// Its serial number, if NetBox has one.
    pub serial: Option<String>,
}

/// A bulk-import table other than devices, told by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Other {
    Manufacturers,
    DeviceTypes,
    ModuleTypes,
    Modules,
}

/// Which other table a header (trimmed, lower case) is, if it is one: modules name their
/// device, bay and type; device and module types their manufacturer and model (device types
/// with a slug, module types without); manufacturers a name and slug and nothing of a device.
pub(super) fn other_table(names: &[String]) -> Option<Other> {
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("device") && has("module_bay") && has("module_type") {
        Some(Other::Modules)
    } else if has("manufacturer") && has("model") && !has("name") {
        Some(if has("slug") {
            Other::DeviceTypes
        } else {
            Other::ModuleTypes
        })
    } else if has("name") && has("slug") && !["site", "role", "device_type"].iter().any(|n| has(n))
    {
        Some(Other::Manufacturers)
    } else {
        None
    }
}

impl Objects {
    /// Keeps one row of an other table; `cell` gives a column's text by name.
    pub(super) fn keep<'a>(&mut self, table: Other, cell: impl Fn(&str) -> &'a str) {
        let owned = |n: &str| cell(n).trim().to_string();
        match table {
            Other::Manufacturers => self.manufacturers.push(owned("name")),
            Other::DeviceTypes => self
                .device_types
                .push((owned("manufacturer"), owned("model"))),
            Other::ModuleTypes => self
                .module_types
                .push((owned("manufacturer"), owned("model"))),
            Other::Modules => self.modules.push(ModuleRow {
                device: owned("device"),
                module_bay: owned("module_bay"),
                module_type: owned("module_type"),
                serial: Some(owned("serial")).filter(|s| !s.is_empty()),
            }),
        }
    }
}
