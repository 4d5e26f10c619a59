//! CSV inventory files: a header row, then one row a device (or a network, or a sysName
//! pattern). The header tells the two layouts apart: a column NetBox names (`Name`, `Status`,
//! `Tenant`, `IPv4 Address`, `device_type`...: [`super::netbox`]) makes the file NetBox's
//! device export; otherwise every column must be one of ours.
//!
//! ```csv
//! address,serial,chassis_mac,sys_name,site,role,technology,owner,acquired
//! 10.20.0.0/16,,,,TOR01,,,,
//! ,2102351931P0K3000012,,,,ran,LTE,Example Mobile,2019-05-01
//! ```

use super::{KEYS, Reader, Row, Tier, VALUES, Values, netbox};
use crate::location::FileError;

/// The rows of a CSV inventory file or NetBox export, `file` naming it; NetBox's other
/// bulk-import tables (manufacturers, types, modules) and the names of NetBox's devices go to
/// `objects`.
pub(super) fn read(
    file: &str,
    text: &str,
    objects: &mut netbox::Objects,
) -> Result<Vec<Row>, FileError> {
    let reader = Reader { file, text };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = csv.records();
    let Some(header) = records.next() else {
        return Err(FileError::on_line(
            file,
            1,
            format!("empty: expected a header row naming {}", expected()),
        ));
    };
    let header = header.map_err(|e| csv_error(file, &e))?;
    let start = header.position().map_or(0, |p| p.byte() as usize);
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_lowercase()
        })
        .collect();
    let layout = if let Some(table) = netbox::other_table(&names) {
        Layout::Other(table)
    } else if names.iter().any(|n| netbox::is_netbox(n)) {
        Layout::Netbox(netbox::columns(&names))
    } else {
        let offsets = cell_offsets(text, start, names.len());
        Layout::Ours(ours(&reader, &names, &offsets)?)
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| csv_error(file, &e))?;
        let (line, start) = record
            .position()
            .map_or((0, 0), |p| (p.line() as usize, p.byte() as usize));
        let offsets = cell_offsets(text, start, record.len());
        if record.len() != names.len() {
            return Err(FileError::on_line(
                file,
                line,
                format!(
                    "{} cells where the header names {}",
                    record.len(),
                    names.len()
                ),
            ));
        }
        let cell = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
        };
        let cells = record.iter().zip(offsets);
        let row = match &layout {
            Layout::Ours(columns) => our_row(&reader, columns, cells, line)?,
            Layout::Netbox(columns) => {
                objects.devices.push(cell("name").trim().to_string());
                netbox::row(&reader, columns, cells, line)?
            }
            Layout::Other(table) => {
                objects.keep(*table, cell);
                None
            }
        };
        rows.extend(row);
    }
    Ok(rows)
}

/// How a file's columns are read.
enum Layout {
    /// Ours: each column's name, one of [`KEYS`] or [`VALUES`].
    Ours(Vec<&'static str>),
    /// NetBox's device table: each column's meaning, if it has one for us.
    Netbox(Vec<Option<netbox::Column>>),
    /// Another of NetBox's bulk-import tables, kept as read.
    Other(netbox::Other),
}

/// The names our layout takes, for messages.
fn expected() -> String {
    format!("keys {} and values {}", KEYS.join(", "), VALUES.join(", "))
}

/// Our layout's columns, each a known name, none twice, at least one key and one value.
fn ours(
    reader: &Reader,
    names: &[String],
    offsets: &[usize],
) -> Result<Vec<&'static str>, FileError> {
    let mut columns: Vec<&'static str> = Vec::new();
    for (name, offset) in names.iter().zip(offsets.iter().copied()) {
        let Some(known) = KEYS.iter().chain(&VALUES).find(|k| **k == name) else {
            return Err(reader.at(
                offset,
                format!(
                    "unknown column {name:?}: expected {} (or NetBox's device export)",
                    expected()
                ),
            ));
        };
        if columns.contains(known) {
            return Err(reader.at(offset, format!("column {name:?} is named twice")));
        }
        columns.push(known);
    }
    if !columns.iter().any(|c| KEYS.contains(c)) || !columns.iter().any(|c| VALUES.contains(c)) {
        return Err(FileError::on_line(
            reader.file,
            1,
            format!("the header needs a key and a value column: {}", expected()),
        ));
    }
    Ok(columns)
}

/// One row of our layout: its keys (any of them picks the device out) and values.
fn our_row<'c>(
    reader: &Reader,
    columns: &[&'static str],
    cells: impl Iterator<Item = (&'c str, usize)>,
    line: usize,
) -> Result<Option<Row>, FileError> {
    let (mut keys, mut values) = (Vec::new(), Values::default());
    let mut blank = true;
    for (name, (cell, offset)) in columns.iter().zip(cells) {
        blank &= cell.trim().is_empty();
        if KEYS.contains(name) {
            keys.extend(reader.key(name, cell, offset)?);
        } else {
            reader.value(name, cell, offset, &mut values)?;
        }
    }
    if blank {
        return Ok(None);
    }
    if let Some(missing) = super::lacks(&keys, &values) {
        return Err(FileError::on_line(
            reader.file,
            line,
            format!("a row needs a key and a value: this one has no {missing}"),
        ));
    }
    Ok(Some(Row {
        tier: Tier::Inventory,
        keys,
        values,
        source: format!("inventory {}:{line}", reader.file),
    }))
}

/// The byte offset of each of the `cells` cells of the CSV record starting at byte `start` of
/// `text`: a comma outside quotes starts the next cell, a line end outside quotes ends the
/// record (cells past what the scan found are placed at the record's start).
fn cell_offsets(text: &str, start: usize, cells: usize) -> Vec<usize> {
    let mut offsets = vec![start];
    let mut quoted = false;
    for (i, b) in text.as_bytes().iter().enumerate().skip(start) {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => offsets.push(i + 1),
            b'\n' | b'\r' if !quoted => break,
            _ => {}
        }
    }
    offsets.resize(cells.max(offsets.len()), start);
    offsets
}

/// A CSV error (bad UTF-8, a broken record) with its line.
fn csv_error(file: &str, e: &csv::Error) -> FileError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("cell {} is not UTF-8 text", err.field() + 1),
        _ => format!("not CSV: {e}"),
    };
    FileError::on_line(file, line, reason)
}
