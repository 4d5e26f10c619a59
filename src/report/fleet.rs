//! The fleet views read from the central server (`fleet summary`, `devices`, `overdue`,
//! `diff`), as a table, JSON Lines, JSON or CSV: the history reports' `View`s, over the
//! server's answers. The summary also counts each site's removal ledger (issue 21): a second
//! table under the first when any site has items, `ledger_...` columns in CSV, `ledger` in JSON. Device text is made terminal-safe in the table and spreadsheet-safe in
//! CSV, as in every other report.

use std::io::{self, Write};

use super::history::{View, render};
use super::layout::{Column, Layout, fitted};
use super::{Format, cell, dash, spreadsheet_safe, terminal_safe};
use crate::central::{DevicePage, FleetChange, FleetDevice, SiteCounts, Summary};
use crate::record::LedgerState;
use crate::store::timestamp;
use crate::words::count;

/// `fleet summary`: each site, then the total.
pub fn summary(s: &Summary, format: Format, layout: Layout, out: impl Write) -> io::Result<()> {
    render(&SummaryView(s), format, layout, out)
}

/// `fleet devices` and `fleet overdue`: a page of current devices.
pub fn devices(p: &DevicePage, format: Format, layout: Layout, out: impl Write) -> io::Result<()> {
    render(&Devices(p), format, layout, out)
}

/// `fleet diff`: what changed, oldest first.
pub fn changes(
    c: &[FleetChange],
    format: Format,
    layout: Layout,
    out: impl Write,
) -> io::Result<()> {
    render(&Changes(c), format, layout, out)
}

const SUMMARY_COLUMNS: [Column; 11] = [
    Column::new("site", 30).at_least(11),
    Column::new("devices", 7).whole(),
    Column::new("banned", 6).whole(),
    Column::new("review", 6).whole(),
    Column::new("clear", 6).whole(),
    Column::new("unknown", 7).whole(),
    Column::new("overdue", 7).whole(),
    Column::new("removed", 7).whole(),
    Column::new("moved in", 8).whole(),
    Column::new("sweeps", 6).whole().from(110),
    Column::new("last sweep", 20).whole().from(120),
];

fn counts_row(c: &SiteCounts, name: &str) -> Vec<String> {
    vec![
        name.to_string(),
        c.devices.to_string(),
        c.banned.to_string(),
        c.review.to_string(),
        c.clear.to_string(),
        c.unknown.to_string(),
        c.overdue.to_string(),
        c.removed.to_string(),
        c.moved_in.to_string(),
        c.sweeps.to_string(),
        c.last_sweep_ms.map_or_else(String::new, timestamp),
    ]
}

/// The removal ledger's columns (issue 21): each site's items by state; the states rarely held
/// long (decommissioned, in custody, sanitised) only on wide terminals.
const LEDGER_COLUMNS: [Column; 11] = [
    Column::new("site", 30).at_least(11),
    Column::new("found", 6).whole(),
    Column::new("planned", 7).whole(),
    Column::new("decommissioned", 14).whole().from(140),
    Column::new("removed", 7).whole(),
    Column::new("in custody", 10).whole().from(120),
    Column::new("sanitised", 9).whole().from(130),
    Column::new("destroyed", 9).whole(),
    Column::new("exempt", 6).whole(),
    Column::new("reappeared", 10).whole(),
    Column::new("remaining", 9).whole(),
];

/// A site's ledger counts: by state in the chain's order, reappeared, remaining.
fn ledger_cells(c: &SiteCounts) -> impl Iterator<Item = String> + '_ {
    LedgerState::ALL
        .into_iter()
        .map(|s| c.ledger.of(s))
        .chain([c.ledger.reappeared, c.ledger.remaining])
        .map(|n| n.to_string())
}

fn ledger_row(c: &SiteCounts, name: &str) -> Vec<String> {
    std::iter::once(name.to_string())
        .chain(ledger_cells(c))
        .collect()
}

struct SummaryView<'a>(&'a Summary);

impl View for SummaryView<'_> {
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let mut rows: Vec<Vec<String>> = self
            .0
            .sites
            .iter()
            .map(|c| counts_row(c, &terminal_safe(&c.site)))
            .collect();
        rows.push(counts_row(&self.0.total, "(all sites)"));
        writeln!(out, "{}", fitted(&SUMMARY_COLUMNS, &rows, layout))?;
        writeln!(
            out,
            "{}: {} current, {} banned, {} overdue, {} removed",
            count(self.0.sites.len() as u64, "site", "sites"),
            count(self.0.total.devices, "device", "devices"),
            self.0.total.banned,
            self.0.total.overdue,
            self.0.total.removed
        )?;
        let ledger = &self.0.total.ledger;
        if ledger.items() == 0 {
            return Ok(());
        }
        let mut rows: Vec<Vec<String>> = self
            .0
            .sites
            .iter()
            .map(|c| ledger_row(c, &terminal_safe(&c.site)))
            .collect();
        rows.push(ledger_row(&self.0.total, "(all sites)"));
        writeln!(out, "\nremoval ledger (devices and modules by state):")?;
        writeln!(out, "{}", fitted(&LEDGER_COLUMNS, &rows, layout))?;
        writeln!(
            out,
            "{}: {} still on the network, {} reappeared",
            count(ledger.items(), "ledger item", "ledger items"),
            ledger.remaining,
            ledger.reappeared
        )
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        let mut lines = Vec::with_capacity(self.0.sites.len() + 1);
        for c in &self.0.sites {
            lines.push(serde_json::to_value(c).map_err(io::Error::other)?);
        }
        lines.push(serde_json::json!({ "total": self.0.total }));
        Ok(lines)
    }

    fn document(&self) -> serde_json::Value {
        serde_json::to_value(self.0).unwrap_or_default()
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let header = &[
            "site",
            "devices",
            "banned",
            "review",
            "clear",
            "unknown",
            "overdue",
            "removed",
            "moved_in",
            "sweeps",
            "last_sweep",
            "ledger_found",
            "ledger_planned",
            "ledger_decommissioned",
            "ledger_removed",
            "ledger_in_custody",
            "ledger_sanitised",
            "ledger_destroyed",
            "ledger_exempt",
            "ledger_reappeared",
            "ledger_remaining",
        ];
        let row = |c: &SiteCounts, name: &str| {
            let mut row = counts_row(c, name);
            row.extend(ledger_cells(c));
            row
        };
        let mut rows: Vec<Vec<String>> = self
            .0
            .sites
            .iter()
            .map(|c| row(c, &spreadsheet_safe(&c.site)))
            .collect();
        rows.push(row(&self.0.total, "(all sites)"));
        (header, rows)
    }
}

const DEVICE_COLUMNS: [Column; 10] = [
    Column::new("site", 16).at_least(6),
    Column::new("address", 15).at_least(7),
    Column::new("name", 20).at_least(4).from(110),
    Column::new("vendor", 16).at_least(6),
    Column::new("model", 18).at_least(5),
    Column::new("serial", 16).at_least(6).from(120),
    Column::new("verdict", 7).whole(),
    Column::new("first seen", 20).whole().from(130),
    Column::new("last seen", 20).whole().from(100),
    Column::new("moved from", 14).at_least(5).from(140),
];

fn device_row(d: &FleetDevice, safe: fn(&str) -> String) -> Vec<String> {
    let r = &d.record;
    let opt = |v: &Option<String>| v.as_deref().map(safe).unwrap_or_default();
    vec![
        safe(&d.site),
        safe(&r.address),
        opt(&r.sys_name),
        opt(&r.identification.vendor),
        opt(&r.identification.model),
        opt(&r.identification.serial),
        r.judgement.verdict.as_str().to_string(),
        timestamp(d.first_seen_ms),
        timestamp(d.last_seen_ms),
        opt(&d.moved_from),
    ]
}

struct Devices<'a>(&'a DevicePage);

impl View for Devices<'_> {
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<Vec<String>> = self
            .0
            .devices
            .iter()
            .map(|d| device_row(d, terminal_safe))
            .collect();
        writeln!(out, "{}", fitted(&DEVICE_COLUMNS, &rows, layout))?;
        let last = (self.0.page - 1) * self.0.per_page + self.0.devices.len() as u64;
        writeln!(
            out,
            "{} of {} (page {})",
            if self.0.devices.is_empty() {
                "none".to_string()
            } else {
                format!("{}-{last}", (self.0.page - 1) * self.0.per_page + 1)
            },
            count(self.0.total, "device", "devices"),
            self.0.page
        )
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        self.0
            .devices
            .iter()
            .map(|d| serde_json::to_value(d).map_err(io::Error::other))
            .collect()
    }

    fn document(&self) -> serde_json::Value {
        serde_json::to_value(self.0).unwrap_or_default()
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let header = &[
            "site",
            "address",
            "sys_name",
            "vendor",
            "model",
            "serial",
            "verdict",
            "first_seen",
            "last_seen",
            "moved_from",
        ];
        let rows = self
            .0
            .devices
            .iter()
            .map(|d| device_row(d, spreadsheet_safe))
            .collect();
        (header, rows)
    }
}

const CHANGE_COLUMNS: [Column; 8] = [
    Column::new("at", 20).whole(),
    Column::new("change", 7).whole(),
    Column::new("site", 16).at_least(6),
    Column::new("from", 16).at_least(4),
    Column::new("address", 15).at_least(7),
    Column::new("vendor", 16).at_least(6).from(100),
    Column::new("verdict", 7).whole(),
    Column::new("what", 40).at_least(10),
];

struct Changes<'a>(&'a [FleetChange]);

fn kind(c: &FleetChange) -> String {
    serde_json::to_value(c.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl View for Changes<'_> {
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|c| {
                vec![
                    timestamp(c.at_ms),
                    kind(c),
                    terminal_safe(&c.site),
                    terminal_safe(&dash(&c.from_site)),
                    terminal_safe(&c.address),
                    terminal_safe(&dash(&c.vendor)),
                    c.verdict.as_str().to_string(),
                    terminal_safe(&c.changes.join("; ")),
                ]
            })
            .collect();
        writeln!(out, "{}", fitted(&CHANGE_COLUMNS, &rows, layout))?;
        writeln!(out, "{}", count(self.0.len() as u64, "change", "changes"))
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        self.0
            .iter()
            .map(|c| serde_json::to_value(c).map_err(io::Error::other))
            .collect()
    }

    fn document(&self) -> serde_json::Value {
        serde_json::to_value(self.0).unwrap_or_default()
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let header = &[
            "at",
            "change",
            "site",
            "from_site",
            "identity",
            "address",
            "vendor",
            "model",
            "verdict",
            "changes",
        ];
        let rows = self
            .0
            .iter()
            .map(|c| {
                vec![
                    timestamp(c.at_ms),
                    kind(c),
                    spreadsheet_safe(&c.site),
                    cell(&c.from_site),
                    spreadsheet_safe(&c.identity),
                    spreadsheet_safe(&c.address),
                    cell(&c.vendor),
                    cell(&c.model),
                    c.verdict.as_str().to_string(),
                    spreadsheet_safe(&c.changes.join("; ")),
                ]
            })
            .collect();
        (header, rows)
    }
}

/// Whether the fleet views write `format` (table, JSON Lines, JSON, CSV).
pub fn writes(format: Format) -> bool {
    matches!(
        format,
        Format::Table | Format::Jsonl | Format::Json | Format::Csv
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::central::LedgerCounts;

    fn summary() -> Summary {
        let tor = SiteCounts {
            site: "TOR01".into(),
            devices: 3,
            banned: 1,
            ledger: LedgerCounts {
                found: 1,
                planned: 2,
                removed: 1,
                in_custody: 1,
                reappeared: 1,
                remaining: 4,
                ..LedgerCounts::default()
            },
            ..SiteCounts::default()
        };
        let mtl = SiteCounts {
            site: "MTL02".into(),
            devices: 1,
            ..SiteCounts::default()
        };
        Summary {
            total: SiteCounts {
                site: String::new(),
                devices: 4,
                banned: 1,
                ledger: tor.ledger.clone(),
                ..SiteCounts::default()
            },
            sites: vec![mtl, tor],
        }
    }

    fn written(s: &Summary, format: Format, layout: Layout) -> String {
        let mut out = Vec::new();
        super::summary(s, format, layout, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_summary_counts_each_sites_ledger_by_state() {
        let table = written(&summary(), Format::Table, Layout::wide());
        assert!(table.contains("removal ledger"), "{table}");
        assert!(
            table.contains("5 ledger items: 4 still on the network, 1 reappeared"),
            "{table}"
        );
        assert!(
            table.contains("in custody") && table.contains("remaining"),
            "{table}"
        );
        let csv = written(&summary(), Format::Csv, Layout::wide());
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let tor: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
        let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
        assert_eq!(tor[0], "TOR01");
        assert_eq!(tor[at("ledger_planned")], "2");
        assert_eq!(tor[at("ledger_in_custody")], "1");
        assert_eq!(tor[at("ledger_remaining")], "4");
        let json: serde_json::Value =
            serde_json::from_str(&written(&summary(), Format::Json, Layout::wide())).unwrap();
        assert_eq!(json["sites"][1]["ledger"]["in-custody"], 1);
        assert_eq!(json["total"]["ledger"]["remaining"], 4);
    }

    #[test]
    fn a_fleet_without_a_ledger_shows_no_ledger_table() {
        let mut s = summary();
        s.sites[1].ledger = LedgerCounts::default();
        s.total.ledger = LedgerCounts::default();
        let table = written(&s, Format::Table, Layout::wide());
        assert!(!table.contains("ledger"), "{table}");
        // A server from before the ledger answers without it: zeros.
        let old: SiteCounts = serde_json::from_value(serde_json::json!({
            "site": "TOR01", "devices": 1, "banned": 0, "review": 0, "clear": 1, "unknown": 0,
            "overdue": 0, "removed": 0, "moved_in": 0, "last_sweep_ms": null, "sweeps": 1
        }))
        .unwrap();
        assert_eq!(old.ledger, LedgerCounts::default());
    }
}
