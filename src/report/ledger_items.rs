//! The removal ledger's items and steps (`ledger list`, `ledger show`, `ledger mark`), as a
//! table, JSON Lines, JSON or CSV, through the history reports' one renderer.

use std::io::{self, Write};

use super::history::{View, render};
use super::layout::{Column, Layout, fitted, write_wrapped};
use super::{Format, cell, dash, spreadsheet_safe, terminal_safe};
use crate::date::Date;
use crate::store::{LedgerEntry, LedgerItem, timestamp};
use crate::words::count;

/// What the sweeps say of an item beside its state: `reappeared` (seen again after it was
/// marked off the network), `unconfirmed-absent` (`absent_after` sweeps of its range in a row
/// missed it while the ledger has it on the network), `overdue`; empty when none.
pub fn flags(item: &LedgerItem, absent_after: i64, today: Date) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if item.reappeared() {
        flags.push("reappeared");
    }
    if item.unconfirmed_absent(absent_after) {
        flags.push("unconfirmed-absent");
    }
    if item.overdue(today) {
        flags.push("overdue");
    }
    flags
}

/// `ledger list`: items, by number.
pub fn list(
    items: &[LedgerItem],
    absent_after: i64,
    today: Date,
    format: Format,
    layout: Layout,
    out: impl Write,
) -> io::Result<()> {
    let view = Items {
        items,
        absent_after,
        today,
    };
    render(&view, format, layout, out)
}

/// `ledger show` (and what `ledger mark` recorded): one item and its steps, oldest first.
pub fn show(
    item: &LedgerItem,
    entries: &[LedgerEntry],
    absent_after: i64,
    today: Date,
    format: Format,
    layout: Layout,
    out: impl Write,
) -> io::Result<()> {
    let view = Steps {
        item,
        entries,
        absent_after,
        today,
    };
    render(&view, format, layout, out)
}

const LIST_COLUMNS: [Column; 13] = [
    Column::new("#", 5).whole(),
    Column::new("state", 14).whole(),
    Column::new("since", 10).whole(),
    Column::new("flags", 28).at_least(8),
    Column::new("due", 10).whole().from(90),
    Column::new("address", 24).at_least(10),
    Column::new("sys_name", 20).at_least(6).from(100),
    Column::new("vendor", 16).at_least(6),
    Column::new("model", 20).at_least(6).from(100),
    Column::new("serial", 20).at_least(8).from(110),
    Column::new("site", 16).at_least(4).from(120),
    Column::new("kind", 6).whole().from(130),
    Column::new("identity", 36).at_least(10).from(150),
];

struct Items<'a> {
    items: &'a [LedgerItem],
    absent_after: i64,
    today: Date,
}

fn item_json(i: &LedgerItem, absent_after: i64, today: Date) -> io::Result<serde_json::Value> {
    let mut v = serde_json::to_value(i).map_err(io::Error::other)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("flags".into(), flags(i, absent_after, today).into());
        o.insert("due".into(), i.due().map(|d| d.to_string()).into());
    }
    Ok(v)
}

const ITEM_HEADER: &[&str] = &[
    "item",
    "kind",
    "identity",
    "state",
    "since",
    "target",
    "flags",
    "due",
    "address",
    "vendor",
    "model",
    "serial",
    "sys_name",
    "site",
    "role",
    "technology",
    "verdict",
    "rule",
    "deadline",
    "absent_sweeps",
    "last_seen",
    "exception",
];

fn item_row(i: &LedgerItem, absent_after: i64, today: Date) -> Vec<String> {
    vec![
        i.id.to_string(),
        i.kind.clone(),
        spreadsheet_safe(&i.identity),
        i.state.to_string(),
        i.since.clone(),
        cell(&i.target),
        flags(i, absent_after, today).join(" "),
        i.due().map(|d| d.to_string()).unwrap_or_default(),
        spreadsheet_safe(&i.address),
        cell(&i.vendor),
        cell(&i.model),
        cell(&i.serial),
        cell(&i.sys_name),
        cell(&i.site),
        cell(&i.role),
        cell(&i.technology),
        i.verdict.to_string(),
        cell(&i.rule),
        cell(&i.deadline),
        i.absent_sweeps.to_string(),
        timestamp(i.last_seen_ms),
        cell(&i.exception),
    ]
}

impl View for Items<'_> {
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<Vec<String>> = self
            .items
            .iter()
            .map(|i| {
                vec![
                    format!("#{}", i.id),
                    i.state.to_string(),
                    i.since.clone(),
                    dash(
                        &Some(flags(i, self.absent_after, self.today).join(" "))
                            .filter(|f| !f.is_empty()),
                    ),
                    i.due().map_or("-".into(), |d| d.to_string()),
                    terminal_safe(&i.address),
                    dash(&i.sys_name),
                    dash(&i.vendor),
                    dash(&i.model),
                    dash(&i.serial),
                    dash(&i.site),
                    i.kind.clone(),
                    terminal_safe(&i.identity),
                ]
            })
            .collect();
        writeln!(out, "{}", fitted(&LIST_COLUMNS, &rows, layout))?;
        let on = self.items.iter().filter(|i| i.state.on_network()).count();
        writeln!(
            out,
            "{}, {on} still on the network",
            count(self.items.len() as u64, "item", "items")
        )
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        self.items
            .iter()
            .map(|i| item_json(i, self.absent_after, self.today))
            .collect()
    }

    fn document(&self) -> serde_json::Value {
        serde_json::Value::Array(self.lines().unwrap_or_default())
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let rows = self
            .items
            .iter()
            .map(|i| item_row(i, self.absent_after, self.today))
            .collect();
        (ITEM_HEADER, rows)
    }
}

const STEP_COLUMNS: [Column; 7] = [
    Column::new("day", 10).whole(),
    Column::new("from", 14).whole(),
    Column::new("to", 14).whole(),
    Column::new("by", 20).at_least(6),
    Column::new("note", 40).at_least(8),
    Column::new("evidence", 40).at_least(8),
    Column::new("recorded", 20).whole().from(120),
];

struct Steps<'a> {
    item: &'a LedgerItem,
    entries: &'a [LedgerEntry],
    absent_after: i64,
    today: Date,
}

/// An entry's evidence files as `name (sha256 prefix)`.
fn evidence_words(e: &LedgerEntry) -> String {
    e.evidence
        .iter()
        .map(|f| format!("{} ({})", f.name, &f.sha256[..f.sha256.len().min(12)]))
        .collect::<Vec<_>>()
        .join(", ")
}

impl View for Steps<'_> {
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let i = self.item;
        let flags = flags(i, self.absent_after, self.today).join(", ");
        let head = format!(
            "#{} {} {}: {}{}, {} {} at {}; {} since {}{}",
            i.id,
            i.kind,
            i.identity,
            i.vendor.as_deref().unwrap_or("unknown vendor"),
            i.model
                .as_deref()
                .map(|m| format!(" {m}"))
                .unwrap_or_default(),
            i.verdict,
            i.rule
                .as_deref()
                .map(|r| format!("by {r}"))
                .unwrap_or_default(),
            i.address,
            i.state,
            i.since,
            if flags.is_empty() {
                String::new()
            } else {
                format!(" ({flags})")
            }
        );
        write_wrapped(out, &terminal_safe(&head), layout)?;
        let rows: Vec<Vec<String>> = self
            .entries
            .iter()
            .map(|e| {
                vec![
                    e.day.clone(),
                    e.from.map_or("-".into(), |s| s.to_string()),
                    e.state.to_string(),
                    terminal_safe(&e.by),
                    dash(&e.note),
                    dash(&Some(evidence_words(e)).filter(|w| !w.is_empty())),
                    timestamp(e.recorded_ms),
                ]
            })
            .collect();
        writeln!(out, "{}", fitted(&STEP_COLUMNS, &rows, layout))
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        self.entries
            .iter()
            .map(|e| serde_json::to_value(e).map_err(io::Error::other))
            .collect()
    }

    fn document(&self) -> serde_json::Value {
        serde_json::json!({
            "item": item_json(self.item, self.absent_after, self.today).unwrap_or_default(),
            "entries": self.lines().unwrap_or_default(),
        })
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let header = &[
            "item",
            "identity",
            "entry",
            "day",
            "from",
            "to",
            "by",
            "note",
            "target",
            "exception",
            "evidence",
            "recorded",
        ];
        let rows = self
            .entries
            .iter()
            .map(|e| {
                vec![
                    e.item.to_string(),
                    spreadsheet_safe(&e.identity),
                    e.id.to_string(),
                    e.day.clone(),
                    e.from.map(|s| s.to_string()).unwrap_or_default(),
                    e.state.to_string(),
                    spreadsheet_safe(&e.by),
                    cell(&e.note),
                    cell(&e.target),
                    cell(&e.exception),
                    spreadsheet_safe(&evidence_words(e)),
                    timestamp(e.recorded_ms),
                ]
            })
            .collect();
        (header, rows)
    }
}
