//! TOML inventory files: `[[device]]` tables with the CSV layout's keys and values, and
//! `[[pattern]]` tables on sysLocation or sysName.
//!
//! ```toml
//! [[device]]
//! address = "10.20.0.0/16"           # or serial, chassis_mac, sys_name (any of them)
//! site = "TOR01"                     # any of site, role, technology, owner, acquired
//! acquired = 2019-05-01
//!
//! [[pattern]]
//! field = "sys_location"             # or "sys_name"
//! pattern = '(?<site>[A-Z]{3}\d{2})-'  # named groups among site, role, technology, owner
//! role = "access"                    # fixed values, set whenever it matches
//! ```

use serde::Deserialize;
use toml::Spanned;

use super::{Field, Pattern, Reader, Row, Tier, VALUES, Values};
use crate::location::FileError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    device: Vec<Spanned<RawDevice>>,
    #[serde(default)]
    pattern: Vec<Spanned<RawPattern>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    address: Option<Spanned<String>>,
    serial: Option<Spanned<String>>,
    chassis_mac: Option<Spanned<String>>,
    sys_name: Option<Spanned<String>>,
    site: Option<Spanned<String>>,
    role: Option<Spanned<String>>,
    technology: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
    acquired: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    field: Spanned<String>,
    pattern: Spanned<String>,
    site: Option<Spanned<String>>,
    role: Option<Spanned<String>>,
    technology: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
    acquired: Option<Spanned<toml::Value>>,
}

/// The values a `[[device]]` or `[[pattern]]` gives: site, role, technology and owner, then
/// acquired (a TOML date or a string holding one).
type RawValues<'a> = (
    [&'a Option<Spanned<String>>; 4],
    &'a Option<Spanned<toml::Value>>,
);

/// The named groups a pattern may have.
const GROUPS: [&str; 4] = ["site", "role", "technology", "owner"];

/// The rows and patterns of a TOML inventory file, `file` naming it.
pub(super) fn read(file: &str, text: &str) -> Result<(Vec<Row>, Vec<Pattern>), FileError> {
    let raw: RawFile = crate::location::parse_toml(file, text, |e| e.message().trim().to_string())?;
    let reader = Reader { file, text };
    let rows = raw
        .device
        .into_iter()
        .map(|d| device(&reader, d))
        .collect::<Result<_, _>>()?;
    let patterns = raw
        .pattern
        .into_iter()
        .map(|p| pattern(&reader, p))
        .collect::<Result<_, _>>()?;
    Ok((rows, patterns))
}

/// One `[[device]]`: at least one key and one value.
fn device(reader: &Reader, d: Spanned<RawDevice>) -> Result<Row, FileError> {
    let start = d.span().start;
    let d = d.into_inner();
    let mut keys = Vec::new();
    let given = [
        ("address", &d.address),
        ("serial", &d.serial),
        ("chassis_mac", &d.chassis_mac),
        ("sys_name", &d.sys_name),
    ];
    for (name, cell) in given {
        if let Some(cell) = cell {
            keys.extend(reader.key(name, cell.get_ref(), cell.span().start)?);
        }
    }
    let values = values(
        reader,
        ([&d.site, &d.role, &d.technology, &d.owner], &d.acquired),
    )?;
    let line = crate::location::line_and_column(reader.text, start).0;
    if let Some(missing) = super::lacks(&keys, &values) {
        return Err(reader.at(
            start,
            format!("a [[device]] needs a key and a value: this one has no {missing}"),
        ));
    }
    Ok(Row {
        tier: Tier::Inventory,
        keys,
        values,
        source: format!("inventory {}:{line}", reader.file),
    })
}

/// The values of a `[[device]]` or `[[pattern]]`.
fn values(reader: &Reader, (texts, acquired): RawValues) -> Result<Values, FileError> {
    let mut values = Values::default();
    for (name, cell) in VALUES.iter().zip(texts) {
        if let Some(cell) = cell {
            reader.value(name, cell.get_ref(), cell.span().start, &mut values)?;
        }
    }
    if let Some(acquired) = acquired {
        let text = match acquired.get_ref() {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        reader.value("acquired", &text, acquired.span().start, &mut values)?;
    }
    Ok(values)
}

/// One `[[pattern]]`: a field we read, a pattern whose named groups we know, and something it
/// sets.
fn pattern(reader: &Reader, p: Spanned<RawPattern>) -> Result<Pattern, FileError> {
    let start = p.span().start;
    let p = p.into_inner();
    let (field, words) = match p.field.get_ref().as_str() {
        "sys_location" => (Field::SysLocation, "sysLocation"),
        "sys_name" => (Field::SysName, "sysName"),
        other => {
            return Err(reader.at(
                p.field.span().start,
                format!("field must be \"sys_location\" or \"sys_name\", found {other:?}"),
            ));
        }
    };
    let at = p.pattern.span().start;
    let regex = reader.regex(p.pattern.get_ref(), p.pattern.get_ref(), at)?;
    let groups: Vec<&str> = regex.capture_names().flatten().collect();
    if let Some(unknown) = groups.iter().find(|g| !GROUPS.contains(g)) {
        return Err(reader.at(
            at,
            format!(
                "unknown group name {unknown:?}: expected groups among {}",
                GROUPS.join(", ")
            ),
        ));
    }
    let fixed = values(
        reader,
        ([&p.site, &p.role, &p.technology, &p.owner], &p.acquired),
    )?;
    let fixed_names = [
        ("site", fixed.site.is_some()),
        ("role", fixed.role.is_some()),
        ("technology", fixed.technology.is_some()),
        ("owner", fixed.owner.is_some()),
    ];
    if let Some((both, _)) = fixed_names
        .iter()
        .find(|(name, set)| *set && groups.contains(name))
    {
        return Err(reader.at(
            at,
            format!("{both} is both a group of the pattern and a fixed value"),
        ));
    }
    if groups.is_empty() && fixed.is_empty() {
        return Err(reader.at(
            start,
            format!(
                "a [[pattern]] sets nothing: name a group among {} or give a fixed value",
                GROUPS.join(", ")
            ),
        ));
    }
    let line = crate::location::line_and_column(reader.text, start).0;
    Ok(Pattern {
        field,
        regex,
        fixed,
        source: format!("{words} pattern {}:{line}", reader.file),
    })
}
