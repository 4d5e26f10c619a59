//! Report writers: a table for people, JSON Lines / JSON / CSV that keep every field, and a
//! self-contained HTML page ([`html`]).
//!
//! Device-supplied text is hostile until shown otherwise: the table replaces control
//! characters (terminal escape sequences) with visible escapes, and CSV cells that a
//! spreadsheet would run as a formula are prefixed with `'`.

pub mod html;
pub mod metrics;
pub mod topology;

use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use crate::device::{DeviceRecord, Verdict};
use crate::discover::SweepSummary;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people, with a summary line.
    Table,
    /// One JSON object per device per line, streamed as devices complete.
    Jsonl,
    /// One JSON document: summary and devices.
    Json,
    /// One CSV row per device, streamed.
    Csv,
    /// One self-contained HTML page: summary, chart, topology, sortable and filterable table.
    Html,
    /// The neighbour graph in Graphviz DOT, flagged devices marked.
    Dot,
}

/// Facts about the data a report was made with, printed in every report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Provenance {
    /// netorigin's version.
    pub netorigin: &'static str,
    /// How many enterprise numbers the rules know.
    pub enterprise_numbers: usize,
    /// How many sysDescr fingerprints the rules hold.
    pub sysdescr_rules: usize,
    /// The OUI registry used, with its date.
    pub oui_registry: String,
    /// The policy applied.
    pub policy: String,
}

impl Provenance {
    /// The data versions in one line, as every report names them.
    pub fn line(&self) -> String {
        format!(
            "netorigin {}; rules: {} enterprise numbers, {} sysDescr fingerprints; OUIs: {}; policy: {}",
            self.netorigin,
            self.enterprise_numbers,
            self.sysdescr_rules,
            self.oui_registry,
            self.policy
        )
    }
}

/// Replaces control characters (ESC, CR, BEL...) with visible escapes so that device text
/// cannot drive the terminal.
pub fn terminal_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A CSV cell that no spreadsheet will run as a formula.
pub fn spreadsheet_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Writes devices as they arrive, then the summary.
pub struct Writer<W: Write> {
    format: Format,
    out: Sink<W>,
    held: Vec<DeviceRecord>,
    data_versions: String,
}

/// A streamed JSON line: the device and the data versions it was judged with.
#[derive(serde::Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    device: &'a DeviceRecord,
    data_versions: &'a str,
}

enum Sink<W: Write> {
    Plain(W),
    Csv(Box<csv::Writer<W>>),
}

const CSV_HEADER: [&str; 23] = [
    "address",
    "discovered_via",
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
    "findings",
    "evidence",
    "modules",
    "neighbors",
    "interfaces",
    "notes",
    "data_versions",
];

impl<W: Write> Writer<W> {
    /// A writer of `format` into `out`.
    pub fn new(format: Format, out: W) -> io::Result<Self> {
        let out = if format == Format::Csv {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CSV_HEADER).map_err(io::Error::other)?;
            w.flush()?;
            Sink::Csv(Box::new(w))
        } else {
            Sink::Plain(out)
        };
        Ok(Writer {
            format,
            out,
            held: Vec::new(),
            data_versions: String::new(),
        })
    }

    /// Names the data versions (rules, registry, policies) that streamed rows carry, so each
    /// JSON line and CSV row says what it was judged with.
    pub fn data_versions(mut self, line: String) -> Self {
        self.data_versions = line;
        self
    }

    /// Takes one device: streamed formats write it now.
    pub fn device(&mut self, d: DeviceRecord) -> io::Result<()> {
        match (&mut self.out, self.format) {
            (Sink::Plain(out), Format::Jsonl) => {
                let line = Line {
                    device: &d,
                    data_versions: &self.data_versions,
                };
                serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
                out.write_all(b"\n")?;
                out.flush()
            }
            (Sink::Csv(w), _) => {
                let mut row = csv_row(&d);
                row.push(self.data_versions.clone());
                w.write_record(row).map_err(io::Error::other)?;
                w.flush()
            }
            _ => {
                self.held.push(d);
                Ok(())
            }
        }
    }

    /// Writes what was held and the summary.
    pub fn finish(mut self, summary: &SweepSummary, provenance: &Provenance) -> io::Result<()> {
        sort_for_people(&mut self.held);
        let out = match &mut self.out {
            Sink::Plain(out) => out,
            Sink::Csv(w) => return w.flush(),
        };
        match self.format {
            Format::Table => {
                writeln!(out, "{}", table(&self.held))?;
                writeln!(out, "{}", summary_line(&self.held, summary))?;
                if !summary.silent_examples.is_empty() {
                    let mut silent = summary.silent_examples.clone();
                    silent.sort();
                    let names: Vec<String> = silent.iter().map(|a| a.to_string()).collect();
                    let more = summary.silent.saturating_sub(names.len() as u64);
                    let tail = if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    };
                    writeln!(
                        out,
                        "silent (no answer to any credential): {}{tail}",
                        names.join(", ")
                    )?;
                }
                writeln!(out, "{}", provenance.line())?;
            }
            Format::Json => {
                let doc = serde_json::json!({
                    "provenance": provenance,
                    "summary": summary,
                    "devices": self.held,
                });
                serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            Format::Html => {
                out.write_all(html::page(&self.held, summary, provenance).as_bytes())?;
            }
            Format::Dot => {
                out.write_all(topology::dot(&self.held).as_bytes())?;
            }
            Format::Jsonl | Format::Csv => {}
        }
        out.flush()
    }
}

/// Banned first, then review, unknown, clear; by address within each.
pub fn sort_for_people(devices: &mut [DeviceRecord]) {
    let rank = |v: Verdict| match v {
        Verdict::Banned => 0,
        Verdict::Review => 1,
        Verdict::Unknown => 2,
        Verdict::Clear => 3,
    };
    devices.sort_by(|a, b| {
        rank(a.verdict)
            .cmp(&rank(b.verdict))
            .then_with(|| sort_key(&a.address).cmp(&sort_key(&b.address)))
    });
}

fn sort_key(address: &str) -> (u8, u128, String) {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => (0, u128::from(u32::from(a)), String::new()),
        Ok(std::net::IpAddr::V6(a)) => (1, u128::from(a), String::new()),
        Err(_) => (2, 0, address.to_string()),
    }
}

fn cell(s: &Option<String>, max: usize) -> String {
    let s = terminal_safe(s.as_deref().unwrap_or("-"));
    let first_line = s.split("\\n").next().unwrap_or("").to_string();
    if first_line.chars().count() > max {
        let cut: String = first_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        first_line
    }
}

/// The nearest removal deadline of the findings that are not excepted, with days left or
/// overdue: `2024-06-28 (882 d overdue)`.
fn deadline(d: &DeviceRecord) -> String {
    d.findings
        .iter()
        .filter(|f| f.exception.is_none())
        .filter_map(|f| Some((f.days_left?, f.deadline.as_deref()?)))
        .min()
        .map_or_else(
            || "-".to_string(),
            |(left, date)| match left {
                l if l < 0 => format!("{date} ({} d overdue)", -l),
                l => format!("{date} ({l} d left)"),
            },
        )
}

/// The maker, and the brand shown where it differs: `H3C (HPE brand)`.
fn vendor_with_brand(d: &DeviceRecord) -> Option<String> {
    match (&d.vendor, &d.brand) {
        (Some(v), Some(b)) => Some(format!("{v} ({b} brand)")),
        (v, _) => v.clone(),
    }
}

/// The table of devices.
pub fn table(devices: &[DeviceRecord]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    t.set_header([
        "address", "verdict", "deadline", "vendor", "model", "serial", "sys_name", "evidence",
    ]);
    for d in devices {
        let evidence = d.evidence.first().map(|e| e.source.clone());
        t.add_row([
            terminal_safe(&d.address),
            d.verdict.to_string(),
            deadline(d),
            cell(&vendor_with_brand(d), 24),
            cell(&d.model, 22),
            cell(&d.serial, 20),
            cell(&d.sys_name, 22),
            cell(&evidence, 30),
        ]);
    }
    t
}

/// One line: devices, vendors, Huawei-origin count, verdicts, silent addresses.
pub fn summary_line(devices: &[DeviceRecord], summary: &SweepSummary) -> String {
    let mut vendors: BTreeMap<String, usize> = BTreeMap::new();
    let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
    for d in devices {
        *vendors
            .entry(d.vendor.clone().unwrap_or_else(|| "unidentified".into()))
            .or_default() += 1;
        *verdicts.entry(d.verdict.to_string()).or_default() += 1;
    }
    let mut by_count: Vec<_> = vendors.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let vendors: Vec<String> = by_count
        .iter()
        .map(|(v, n)| format!("{} {n}", terminal_safe(v)))
        .collect();
    let huawei = devices
        .iter()
        .filter(|d| d.origin.as_deref() == Some("huawei"))
        .count();
    let verdicts: Vec<String> = verdicts.iter().map(|(v, n)| format!("{v} {n}")).collect();
    format!(
        "{} devices ({} of {} addresses answered, {} silent); Huawei-origin: {huawei}; verdicts: {}; vendors: {}",
        devices.len(),
        summary.responders,
        summary.probed,
        summary.silent,
        if verdicts.is_empty() {
            "none".into()
        } else {
            verdicts.join(", ")
        },
        if vendors.is_empty() {
            "none".into()
        } else {
            vendors.join(", ")
        },
    )
}

/// Nested parts of the record (modules, neighbours, interfaces) as a JSON array in one cell,
/// so the CSV keeps every field; JSON never starts with a formula character, and the cell is
/// checked all the same.
fn json_cell<T: serde::Serialize>(v: &T) -> String {
    spreadsheet_safe(&serde_json::to_string(v).unwrap_or_default())
}

fn csv_row(d: &DeviceRecord) -> Vec<String> {
    let o = |s: &Option<String>| spreadsheet_safe(s.as_deref().unwrap_or(""));
    let findings: Vec<String> = d
        .findings
        .iter()
        .map(|f| format!("{}/{}: {}", f.policy, f.rule, f.reason))
        .collect();
    let evidence: Vec<String> = d
        .evidence
        .iter()
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
        o(&d.credential),
        o(&d.sys_name),
        o(&d.sys_descr),
        o(&d.sys_object_id),
        o(&d.vendor),
        o(&d.brand),
        o(&d.origin),
        o(&d.model),
        o(&d.os),
        o(&d.version),
        o(&d.serial),
        o(&d.chassis_mac),
        format!("{:.2}", d.confidence),
        d.verdict.to_string(),
        spreadsheet_safe(&findings.join("; ")),
        spreadsheet_safe(&evidence.join("; ")),
        json_cell(&d.modules),
        json_cell(&d.neighbors),
        json_cell(&d.interfaces),
        spreadsheet_safe(&d.notes.join("; ")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cannot_reach_the_terminal() {
        assert_eq!(terminal_safe("a\x1b[2Jb\r"), "a\\u{1b}[2Jb\\r");
    }

    #[test]
    fn formulas_are_not_live() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("Huawei"), "Huawei");
    }
}
