//! The regulator's reports from the removal ledger (issue 21): the status update (per site,
//! role and technology: how much banned gear was found, planned, removed, destroyed, what
//! remains and what is overdue), the annual list of covered equipment (one row per item, with
//! its acquisition date and removal plan), and the deadlines per jurisdiction. Each is a
//! [`Sheet`] of typed cells, written as a table for people, CSV (formula-safe), JSON, or a
//! printable, self-contained HTML page ([`page`]) that headless Chromium prints to PDF.
//!
//! Every report says what it rests on ([`Basis`]): the sweeps the items were last seen in
//! (number, UUID, start, status, the day judged, their data versions), how many ledger entries
//! are about the items and the newest entry of the ledger then, and the SHA-256 of the
//! evidence pack it came with (`--pack`).

mod page;
mod sheets;
#[cfg(test)]
mod tests;

use std::io::{self, Write};

use super::layout::{Column, Layout, fitted, write_wrapped};
use super::{json_pretty, spreadsheet_safe, terminal_safe};
use crate::date::Date;
use crate::store::{LedgerEntry, LedgerItem, SweepRow, timestamp};
pub use page::page;
pub use sheets::{annual, deadlines, status};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// The status update: one row per site, role and technology, and a total.
    Status,
    /// The annual list of covered equipment: one row per item.
    Annual,
    /// The deadlines: one row per jurisdiction, rule and deadline, and a total.
    Deadlines,
}

impl Kind {
    /// Its title, as the page and the table name it.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Status => "Removal status update",
            Kind::Annual => "Annual list of covered equipment",
            Kind::Deadlines => "Removal deadlines by jurisdiction",
        }
    }

    /// Its name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Status => "status",
            Kind::Annual => "annual",
            Kind::Deadlines => "deadlines",
        }
    }
}

/// The formats of a ledger report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LedgerFormat {
    /// A table for people, with what it rests on under it.
    Table,
    /// CSV: a header, one row per line of the table, each naming what it rests on.
    Csv,
    /// One JSON document.
    Json,
    /// A printable, self-contained HTML page (A4).
    Html,
    /// The HTML page printed to PDF by headless Chromium.
    Pdf,
}

/// A cell of a report, typed so that each format writes it its own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (device text among it): `-` in a table and on the page, empty in CSV, `null` in
    /// JSON when absent.
    Text(Option<String>),
    /// A count.
    Count(u64),
    /// Days, negative in the past.
    Days(Option<i64>),
    /// A percentage in tenths (`429`: 42.9%).
    Tenths(Option<u64>),
    /// `yes` or `no`.
    Flag(bool),
}

impl Cell {
    /// Text that may be absent.
    pub fn text(s: Option<impl ToString>) -> Cell {
        Cell::Text(s.map(|s| s.to_string()))
    }

    /// The cell as a person reads it, `-` when absent; device text as it is (each format
    /// makes it safe).
    fn words(&self) -> String {
        match self {
            Cell::Text(t) => t.clone().unwrap_or_else(|| "-".into()),
            Cell::Count(n) => n.to_string(),
            Cell::Days(d) => d.map_or("-".into(), |d| d.to_string()),
            Cell::Tenths(t) => t.map_or("-".into(), |t| format!("{}.{}", t / 10, t % 10)),
            Cell::Flag(b) => if *b { "yes" } else { "no" }.into(),
        }
    }

    /// For a table: terminal-safe.
    fn for_table(&self) -> String {
        terminal_safe(&self.words())
    }

    /// For a CSV cell: empty when absent, text spreadsheet-safe.
    fn for_csv(&self) -> String {
        match self {
            Cell::Text(t) => spreadsheet_safe(t.as_deref().unwrap_or("")),
            Cell::Days(None) | Cell::Tenths(None) => String::new(),
            c => c.words(),
        }
    }

    /// For JSON: numbers as numbers, absent as `null`.
    fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Cell::Text(t) => t.clone().map_or(Value::Null, Value::String),
            Cell::Count(n) => (*n).into(),
            Cell::Days(d) => d.map_or(Value::Null, Value::from),
            Cell::Tenths(t) => t.map_or(Value::Null, |t| Value::from(t as f64 / 10.0)),
            Cell::Flag(b) => (*b).into(),
        }
    }
}

/// A column of a ledger report.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// Its name in the CSV header and the JSON keys.
    pub key: &'static str,
    /// How the table shows it (its header there, the widths it is shown at).
    pub table: Column,
    /// What it means, for the printed page.
    pub means: &'static str,
}

/// A report as rows of cells, before any format.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Which report.
    pub kind: Kind,
    /// Its columns.
    pub columns: &'static [Col],
    /// Its rows.
    pub rows: Vec<Vec<Cell>>,
    /// The total row, where the report has one.
    pub total: Option<Vec<Cell>>,
}

impl Sheet {
    /// The cell of `key` in `row`.
    pub fn cell<'a>(&self, row: &'a [Cell], key: &str) -> Option<&'a Cell> {
        let i = self.columns.iter().position(|c| c.key == key)?;
        row.get(i)
    }
}

/// What a report covers: the day it is judged at, the site and the year it is limited to.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The day (`--today`).
    pub today: Date,
    /// Only this site (`--site`).
    pub site: Option<String>,
    /// Only items seen or changed this year (`--year`, the annual list).
    pub year: Option<i32>,
}

impl Scope {
    /// `as of 2026-03-01; site: TOR01; year: 2025`, the site terminal-safe.
    pub fn line(&self) -> String {
        let site = self.site.as_deref().unwrap_or("all sites");
        let year = self
            .year
            .map(|y| format!("; year: {y}"))
            .unwrap_or_default();
        format!("as of {}; site: {site}{year}", self.today)
    }
}

/// The evidence pack a report came with: its file's name and SHA-256.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pack {
    /// The file as given.
    pub file: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// What a report rests on.
#[derive(Debug, Clone)]
pub struct Basis {
    /// The sweeps the items were last seen in, by number.
    pub sweeps: Vec<SweepRow>,
    /// How many ledger entries are about the items reported.
    pub entries: usize,
    /// The newest entry of the whole ledger when the report was made (the ledger "as of").
    pub last_entry: Option<i64>,
    /// The evidence pack named with `--pack`.
    pub pack: Option<Pack>,
}

impl Basis {
    /// The distinct data versions of the sweeps, in sweep order.
    pub fn data_versions(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        for s in &self.sweeps {
            if !all.contains(&s.data_versions.as_str()) {
                all.push(&s.data_versions);
            }
        }
        all
    }

    /// The distinct days the sweeps were judged at.
    fn judged_on(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.sweeps.iter().map(|s| s.judged_on.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// A sweep in one line: `#3 UUID started 2026-03-01 10:00:00Z (complete)`.
    fn sweep_line(s: &SweepRow) -> String {
        format!(
            "#{} {} started {} ({})",
            s.id,
            s.uuid,
            timestamp(s.started_ms),
            s.status
        )
    }

    /// What the ledger says, in words.
    fn ledger_line(&self) -> String {
        let last = self
            .last_entry
            .map(|e| format!(" (the ledger as of entry #{e})"))
            .unwrap_or_else(|| " (the ledger holds no entry)".into());
        format!(
            "{}{last}",
            crate::words::count(
                self.entries as u64,
                "ledger entry about these items",
                "ledger entries about these items"
            )
        )
    }

    /// As JSON.
    fn json(&self) -> serde_json::Value {
        let sweeps: Vec<serde_json::Value> = self
            .sweeps
            .iter()
            .map(|s| {
                serde_json::json!({
                    "sweep": s.id,
                    "uuid": s.uuid,
                    "site": s.site,
                    "started": timestamp(s.started_ms),
                    "status": s.status,
                    "judged_on": s.judged_on,
                    "data_versions": s.data_versions,
                })
            })
            .collect();
        serde_json::json!({
            "sweeps": sweeps,
            "ledger_entries": self.entries,
            "last_entry": self.last_entry,
            "pack": self.pack,
        })
    }
}

/// The columns every CSV row ends with: what it rests on.
const BASIS_COLUMNS: [&str; 6] = [
    "as_of",
    "sweeps",
    "data_versions",
    "judged_on",
    "ledger_entries",
    "pack_sha256",
];

/// The site an item is reported under: its own (the inventory's, as last judged), else that
/// of the sweep that last saw it (`sweep --site`).
pub fn site_of<'a>(item: &'a LedgerItem, sweeps: &'a [SweepRow]) -> Option<&'a str> {
    item.site.as_deref().or_else(|| {
        sweeps
            .iter()
            .find(|s| s.id == item.last_sweep)
            .and_then(|s| s.site.as_deref())
    })
}

/// Whether an item was seen (between its first and last sighting) or changed (an entry
/// recorded) in `year`.
fn in_year(item: &LedgerItem, entries: &[LedgerEntry], year: i32) -> bool {
    let (Some(first), Some(last)) = (Date::new(year, 1, 1), Date::new(year, 12, 31)) else {
        return false;
    };
    let day = |ms: i64| Date::from_days(ms.div_euclid(86_400_000));
    let seen = day(item.first_seen_ms) <= last && day(item.last_seen_ms) >= first;
    seen || entries
        .iter()
        .any(|e| e.item == item.id && Date::parse(&e.day).is_some_and(|d| d >= first && d <= last))
}

/// The items a report covers, each under the site it is reported under ([`site_of`]), and
/// what they rest on.
pub fn select(
    items: &[LedgerItem],
    entries: &[LedgerEntry],
    sweeps: &[SweepRow],
    scope: &Scope,
    pack: Option<Pack>,
) -> (Vec<LedgerItem>, Basis) {
    let chosen: Vec<LedgerItem> = items
        .iter()
        .filter(|i| {
            scope.site.as_deref().is_none_or(|want| {
                site_of(i, sweeps).is_some_and(|s| s.trim().eq_ignore_ascii_case(want.trim()))
            })
        })
        .filter(|i| scope.year.is_none_or(|y| in_year(i, entries, y)))
        .map(|i| LedgerItem {
            site: site_of(i, sweeps).map(str::to_string),
            ..i.clone()
        })
        .collect();
    let basis = Basis {
        sweeps: sweeps
            .iter()
            .filter(|s| chosen.iter().any(|i| i.last_sweep == s.id))
            .cloned()
            .collect(),
        entries: entries
            .iter()
            .filter(|e| chosen.iter().any(|i| i.id == e.item))
            .count(),
        last_entry: entries.iter().map(|e| e.id).max(),
        pack,
    };
    (chosen, basis)
}

/// The sheet of `kind` over `items` on `today`.
pub fn sheet(kind: Kind, items: &[LedgerItem], today: Date) -> Sheet {
    match kind {
        Kind::Status => status(items, today),
        Kind::Annual => annual(items),
        Kind::Deadlines => deadlines(items, today),
    }
}

/// Writes `sheet` as `format` says (`Pdf` is the HTML page, which the pipeline prints).
pub fn write(
    sheet: &Sheet,
    scope: &Scope,
    basis: &Basis,
    format: LedgerFormat,
    layout: Layout,
    mut out: impl Write,
) -> io::Result<()> {
    match format {
        LedgerFormat::Table => table(sheet, scope, basis, layout, &mut out)?,
        LedgerFormat::Csv => csv(sheet, scope, basis, &mut out)?,
        LedgerFormat::Json => writeln!(out, "{}", json_pretty(&json(sheet, scope, basis))?)?,
        LedgerFormat::Html | LedgerFormat::Pdf => {
            out.write_all(page(sheet, scope, basis).as_bytes())?
        }
    }
    out.flush()
}

/// The table's columns, and its rows (the total last) with every cell terminal-safe.
fn table_cells(sheet: &Sheet) -> (Vec<Column>, Vec<Vec<String>>) {
    let columns = sheet.columns.iter().map(|c| c.table).collect();
    let rows = sheet
        .rows
        .iter()
        .chain(&sheet.total)
        .map(|r| r.iter().map(Cell::for_table).collect())
        .collect();
    (columns, rows)
}

/// The table, its title and scope above it, what it rests on under it.
fn table(
    sheet: &Sheet,
    scope: &Scope,
    basis: &Basis,
    layout: Layout,
    out: &mut impl Write,
) -> io::Result<()> {
    let (columns, rows) = table_cells(sheet);
    let title = format!("{}, {}", sheet.kind.title(), scope.line());
    write_wrapped(out, &terminal_safe(&title), layout)?;
    writeln!(out, "{}", fitted(&columns, &rows, layout))?;
    let mut lines: Vec<String> = basis
        .sweeps
        .iter()
        .map(|s| {
            let site = s
                .site
                .as_deref()
                .map(|x| format!(" at {x}"))
                .unwrap_or_default();
            format!(
                "rests on sweep {}{site}, judged on {}",
                Basis::sweep_line(s),
                s.judged_on
            )
        })
        .collect();
    if basis.sweeps.is_empty() {
        lines.push("rests on no sweep: the ledger holds no item here".into());
    }
    lines.extend(
        basis
            .data_versions()
            .iter()
            .map(|v| format!("data versions: {v}")),
    );
    lines.push(basis.ledger_line());
    if let Some(p) = &basis.pack {
        lines.push(format!("evidence pack {}: SHA-256 {}", p.file, p.sha256));
    }
    lines
        .iter()
        .try_for_each(|l| write_wrapped(out, &terminal_safe(l), layout))
}

/// The CSV: a header, the rows (the total last, where there is one), each ending with what it
/// rests on.
fn csv(sheet: &Sheet, scope: &Scope, basis: &Basis, out: &mut impl Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    let header = sheet.columns.iter().map(|c| c.key).chain(BASIS_COLUMNS);
    w.write_record(header)?;
    let sweeps: Vec<String> = basis.sweeps.iter().map(Basis::sweep_line).collect();
    let tail = [
        scope.today.to_string(),
        spreadsheet_safe(&sweeps.join("; ")),
        spreadsheet_safe(&basis.data_versions().join(" | ")),
        basis.judged_on().join(" "),
        basis.entries.to_string(),
        basis
            .pack
            .as_ref()
            .map(|p| p.sha256.clone())
            .unwrap_or_default(),
    ];
    for row in sheet.rows.iter().chain(&sheet.total) {
        let cells = row.iter().map(Cell::for_csv).chain(tail.iter().cloned());
        w.write_record(cells.collect::<Vec<_>>())?;
    }
    w.flush()
}

/// A row as a JSON object keyed by the columns' names.
fn row_json(sheet: &Sheet, row: &[Cell]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = sheet
        .columns
        .iter()
        .zip(row)
        .map(|(c, v)| (c.key.to_string(), v.json()))
        .collect();
    serde_json::Value::Object(map)
}

/// The JSON document: the report, its scope, rows, total and what it rests on.
fn json(sheet: &Sheet, scope: &Scope, basis: &Basis) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = sheet.rows.iter().map(|r| row_json(sheet, r)).collect();
    serde_json::json!({
        "report": sheet.kind.name(),
        "title": sheet.kind.title(),
        "as_of": scope.today,
        "site": scope.site,
        "year": scope.year,
        "rows": rows,
        "total": sheet.total.as_ref().map(|t| row_json(sheet, t)),
        "rests_on": basis.json(),
    })
}
