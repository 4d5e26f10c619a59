//! Report writers: a table for people, JSON Lines / JSON / CSV that keep every field, and a
//! self-contained HTML page ([`html`]).
//!
//! Device-supplied text is hostile until shown otherwise: the table replaces control
//! characters (terminal escape sequences) with visible escapes, and CSV cells that a
//! spreadsheet would run as a formula are prefixed with `'`.

pub mod action;
mod csv;
#[cfg(test)]
mod every_format;
pub mod fleet;
pub mod history;
pub mod html;
pub mod layout;
pub mod ledger;
pub mod ledger_items;
pub mod metrics;
pub mod netbox;
pub mod order;
pub mod shares;
pub mod topology;

use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::Table;

use crate::discover::SweepSummary;
use crate::record::{DeviceRecord, Share};
use crate::words::count;
pub use layout::Layout;
pub use order::sort_for_people;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people, with a summary line.
    Table,
    /// One JSON object per device per line, streamed as devices complete; when the sweep ends,
    /// one line `{"share": {...}}` per share of a policy's cap.
    Jsonl,
    /// One JSON document: provenance, summary, devices and shares.
    Json,
    /// One CSV row per device, in the table's order (written when the sweep ends), then one row
    /// per share of a policy's cap (`discovered_via` is `share`).
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
    /// How many enterprise numbers the curated rules name a vendor for (`rules/enterprises.tsv`).
    pub enterprise_numbers: usize,
    /// The IANA enterprise registry the rest are read from, with its date and size.
    pub enterprise_registry: String,
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
            "netorigin {}; rules: {} curated enterprise numbers, {}, {} sysDescr fingerprints; OUIs: {}; policy: {}",
            self.netorigin,
            self.enterprise_numbers,
            self.enterprise_registry,
            self.sysdescr_rules,
            self.oui_registry,
            self.policy
        )
    }
}

/// Replaces control characters (ESC, CR, BEL...) and invisible ones (bidirectional overrides,
/// zero-width characters: [`crate::text::is_invisible`]) with visible escapes so that device
/// text cannot drive the terminal or reorder what it shows.
pub fn terminal_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || crate::text::is_invisible(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A field for the table: terminal-safe, `-` when absent.
pub(crate) fn dash(s: &Option<String>) -> String {
    terminal_safe(s.as_deref().unwrap_or("-"))
}

/// A field for a CSV cell: spreadsheet-safe, empty when absent.
pub(crate) fn cell(s: &Option<String>) -> String {
    spreadsheet_safe(s.as_deref().unwrap_or(""))
}

/// A CSV cell that no spreadsheet will run as a formula and no terminal will obey (`cat
/// report.csv`): control and invisible characters escaped as [`terminal_safe`] does (a line
/// break in a sysDescr becomes `\r\n` as text), then a cell that starts with `=`, `+`, `-`
/// or `@`, also after spaces, prefixed with `'` (OWASP's advice on CSV injection).
pub fn spreadsheet_safe(s: &str) -> String {
    let s = terminal_safe(s);
    match s.trim_start_matches(' ').chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{s}"),
        _ => s,
    }
}

/// JSON text with what JSON leaves raw and a terminal may obey escaped as `\uXXXX`: DEL and
/// the C1 controls (U+0080 to U+009F: U+009B is a one-character CSI) and the invisible
/// characters of [`crate::text::is_invisible`] (JSON escapes the C0 controls itself). Only
/// strings can hold them, so the result is the same JSON.
pub fn json_safe(text: String) -> String {
    if !text
        .chars()
        .any(|c| ('\u{7f}'..='\u{9f}').contains(&c) || crate::text::is_invisible(c))
    {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) || crate::text::is_invisible(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A value as one line of JSON, made safe by [`json_safe`].
pub fn json_line(v: &impl serde::Serialize) -> io::Result<String> {
    serde_json::to_string(v)
        .map(json_safe)
        .map_err(io::Error::other)
}

/// A value as indented JSON, made safe by [`json_safe`].
pub fn json_pretty(v: &impl serde::Serialize) -> io::Result<String> {
    serde_json::to_string_pretty(v)
        .map(json_safe)
        .map_err(io::Error::other)
}

/// Writes devices as they arrive, then the summary.
pub struct Writer<W: Write> {
    format: Format,
    out: Sink<W>,
    held: Vec<DeviceRecord>,
    data_versions: String,
    layout: Layout,
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
    Csv(Box<::csv::Writer<W>>),
}

impl<W: Write> Writer<W> {
    /// A writer of `format` into `out`.
    pub fn new(format: Format, out: W) -> io::Result<Self> {
        let out = if format == Format::Csv {
            let mut w = ::csv::Writer::from_writer(out);
            w.write_record(csv::HEADER).map_err(io::Error::other)?;
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
            layout: Layout::default(),
        })
    }

    /// How the table is laid out (its width, or `--wide`).
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Names the data versions (rules, registry, policies) that streamed rows carry, so each
    /// JSON line and CSV row says what it was judged with.
    pub fn data_versions(mut self, line: String) -> Self {
        self.data_versions = line;
        self
    }

    /// Takes one device: JSON Lines writes it now; the other formats hold it until
    /// [`Writer::finish`] puts the devices in order.
    pub fn device(&mut self, d: DeviceRecord) -> io::Result<()> {
        match (&mut self.out, self.format) {
            (Sink::Plain(out), Format::Jsonl) => {
                let line = Line {
                    device: &d,
                    data_versions: &self.data_versions,
                };
                writeln!(out, "{}", json_line(&line)?)?;
                out.flush()
            }
            _ => {
                self.held.push(d);
                Ok(())
            }
        }
    }

    /// Writes what was held, in work-list order, the summary and the `shares` of the policies'
    /// caps over the sweep.
    pub fn finish(
        self,
        summary: &SweepSummary,
        shares: &[Share],
        provenance: &Provenance,
    ) -> io::Result<()> {
        self.finish_with(summary, shares, Some(provenance))
    }

    /// [`Writer::finish`] for a stored sweep, whose data versions are the line it was stored
    /// with (given to [`Writer::data_versions`]) rather than this run's.
    pub fn finish_stored(self, summary: &SweepSummary, shares: &[Share]) -> io::Result<()> {
        self.finish_with(summary, shares, None)
    }

    /// Writes the report, with `provenance` if made now, else the stored data versions line.
    fn finish_with(
        mut self,
        summary: &SweepSummary,
        shares: &[Share],
        provenance: Option<&Provenance>,
    ) -> io::Result<()> {
        let line = provenance.map_or_else(|| self.data_versions.clone(), Provenance::line);
        sort_for_people(&mut self.held);
        let out = match &mut self.out {
            Sink::Plain(out) => out,
            Sink::Csv(w) => {
                let devices = self.held.iter().map(csv::row);
                for mut row in devices.chain(shares.iter().map(csv::share_row)) {
                    row.push(spreadsheet_safe(&self.data_versions));
                    w.write_record(row).map_err(io::Error::other)?;
                }
                return w.flush();
            }
        };
        match self.format {
            Format::Table => write_table(out, &self.held, summary, shares, &line, self.layout)?,
            Format::Json => {
                let doc = serde_json::json!({
                    "provenance": match provenance {
                        Some(p) => serde_json::to_value(p).map_err(io::Error::other)?,
                        None => serde_json::json!({ "data_versions": line }),
                    },
                    "summary": summary,
                    "devices": self.held,
                    "shares": shares,
                });
                writeln!(out, "{}", json_pretty(&doc)?)?;
            }
            Format::Jsonl => {
                for share in shares {
                    writeln!(
                        out,
                        "{}",
                        json_line(&serde_json::json!({ "share": share }))?
                    )?;
                }
            }
            Format::Html => {
                let page = match provenance {
                    Some(p) => html::page(&self.held, summary, shares, p),
                    None => html::page_stored(&self.held, summary, shares, &line),
                };
                out.write_all(page.as_bytes())?;
            }
            Format::Dot => {
                out.write_all(topology::dot(&self.held, shares).as_bytes())?;
            }
            Format::Csv => {}
        }
        out.flush()
    }
}

/// The table, its summary lines (a line per share of a policy's cap among them) and the data
/// versions, for devices in work-list order; the lines wrapped to the table's width.
fn write_table(
    out: &mut impl Write,
    devices: &[DeviceRecord],
    summary: &SweepSummary,
    shares: &[Share],
    provenance: &str,
    layout: Layout,
) -> io::Result<()> {
    writeln!(out, "{}", table(devices, layout))?;
    let mut lines = vec![summary_line(devices, summary)];
    lines.extend(shares.iter().map(|s| terminal_safe(&shares::line(s))));
    lines.extend(behind_lines(devices));
    lines.extend(action::deadline_note(devices));
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
        lines.push(format!(
            "silent (no answer to any credential): {}{tail}",
            names.join(", ")
        ));
    }
    if let Some(account) = &summary.first_contact {
        lines.push(account.line());
    }
    lines.push(terminal_safe(provenance));
    lines
        .iter()
        .try_for_each(|line| layout::write_wrapped(out, line, layout))
}

/// For each polled device with banned gear seen behind it (in its neighbour tables): `127.77.0.30
/// (asw-1): 22 banned neighbours behind it`.
pub fn behind_lines(devices: &[DeviceRecord]) -> Vec<String> {
    order::banned_behind(devices)
        .into_iter()
        .map(|(d, n)| {
            let name = match (
                &d.sys_name,
                &d.identification.vendor,
                &d.identification.model,
            ) {
                (Some(n), _, _) => n.clone(),
                (None, Some(v), Some(m)) => format!("{v} {m}"),
                (None, v, m) => v.clone().or(m.clone()).unwrap_or_default(),
            };
            format!(
                "{}{}: {} behind it",
                terminal_safe(&d.address),
                match name.is_empty() {
                    true => String::new(),
                    false => format!(" ({})", layout::shorten(&terminal_safe(&name), 40)),
                },
                count(n as u64, "banned neighbour", "banned neighbours"),
            )
        })
        .collect()
}

/// The maker, and the brand shown where it differs: `H3C (HPE brand)`.
fn vendor_with_brand(d: &DeviceRecord) -> Option<String> {
    match (&d.identification.vendor, &d.identification.brand) {
        (Some(v), Some(b)) => Some(format!("{v} ({b} brand)")),
        (v, _) => v.clone(),
    }
}

/// The table's columns: address, verdict and vendor at every width; deadline and model from
/// 80 columns, evidence and site from 100, sysName and role from 120, serial and technology
/// from 140. Site, role and technology only when a device has one ([`CONTEXT_COLUMNS`]).
const COLUMNS: [layout::Column; 11] = [
    layout::Column::new("address", 24).whole(),
    layout::Column::new("verdict", 7).whole(),
    layout::Column::new("deadline", 26).at_least(11).from(80),
    layout::Column::new("vendor", 24).at_least(15),
    layout::Column::new("model", 24).at_least(9).from(80),
    layout::Column::new("site", 16).at_least(4).from(100),
    layout::Column::new("role", 12).at_least(4).from(120),
    layout::Column::new("technology", 14).at_least(10).from(140),
    layout::Column::new("serial", 20).at_least(8).from(140),
    layout::Column::new("sys_name", 24).at_least(8).from(120),
    layout::Column::new("evidence", 48).at_least(15).from(100),
];

/// The table of devices, in the order given (see [`sort_for_people`]); a neighbour listed under
/// the device that reported it has its address marked `└ `.
pub fn table(devices: &[DeviceRecord], layout: Layout) -> Table {
    let rows: Vec<Vec<String>> = devices
        .iter()
        .zip(order::nested(devices))
        .map(|(d, under)| {
            let mut address = terminal_safe(&d.address);
            if layout.width().is_some() {
                address = layout::shorten_start(&address, 22);
            }
            vec![
                if under {
                    format!("└ {address}")
                } else {
                    address
                },
                d.judgement.verdict.to_string(),
                action::deadline(d),
                dash(&vendor_with_brand(d)),
                dash(&d.identification.model),
                dash(&d.context.site.as_ref().map(|s| s.value.clone())),
                dash(&d.context.role.as_ref().map(|s| s.value.clone())),
                dash(&d.context.technology.as_ref().map(|s| s.value.clone())),
                dash(&d.identification.serial),
                dash(&d.sys_name),
                terminal_safe(&if under {
                    without_reporter(&action::evidence_summary(d), d)
                } else {
                    action::evidence_summary(d)
                }),
            ]
        })
        .collect();
    let (columns, rows) = without_empty(&COLUMNS, rows, &CONTEXT_COLUMNS);
    layout::fitted(&columns, &rows, layout)
}

/// The places in [`COLUMNS`] of site, role and technology: shown only when a device has one.
const CONTEXT_COLUMNS: [usize; 3] = [5, 6, 7];

/// The columns and cells but those of `optional` whose every cell is `-`.
pub(crate) fn without_empty(
    columns: &[layout::Column],
    rows: Vec<Vec<String>>,
    optional: &[usize],
) -> (Vec<layout::Column>, Vec<Vec<String>>) {
    let keep: Vec<usize> = (0..columns.len())
        .filter(|i| !optional.contains(i) || rows.iter().any(|r| r[*i] != "-"))
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
        .collect();
    (keep.iter().map(|&i| columns[i]).collect(), rows)
}

/// The evidence of a neighbour listed under the device that reported it, less the
/// `LLDP neighbour of ADDRESS: ` the row's place already says.
fn without_reporter(evidence: &str, d: &DeviceRecord) -> String {
    let Some(reporter) = &d.reported_by else {
        return evidence.to_string();
    };
    ["LLDP", "CDP"]
        .iter()
        .find_map(|p| evidence.strip_prefix(&format!("{p} neighbour of {reporter}: ")))
        .unwrap_or(evidence)
        .to_string()
}

/// One line: devices, vendors, Huawei-origin count, verdicts, silent addresses.
pub fn summary_line(devices: &[DeviceRecord], summary: &SweepSummary) -> String {
    let mut vendors: BTreeMap<String, usize> = BTreeMap::new();
    let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
    for d in devices {
        *vendors
            .entry(
                d.identification
                    .vendor
                    .clone()
                    .unwrap_or_else(|| "unidentified".into()),
            )
            .or_default() += 1;
        *verdicts.entry(d.judgement.verdict.to_string()).or_default() += 1;
    }
    let mut by_count: Vec<_> = vendors.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let vendors: Vec<String> = by_count
        .iter()
        .map(|(v, n)| format!("{} {n}", terminal_safe(v)))
        .collect();
    let huawei = devices
        .iter()
        .filter(|d| d.identification.origin.as_deref() == Some("huawei"))
        .count();
    let verdicts: Vec<String> = verdicts.iter().map(|(v, n)| format!("{v} {n}")).collect();
    format!(
        "{} ({} of {} answered, {} silent); Huawei-origin: {huawei}; verdicts: {}; vendors: {}",
        count(devices.len() as u64, "device", "devices"),
        summary.responders,
        count(summary.probed, "address", "addresses"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Judgement, Observed, Verdict};

    #[test]
    fn escapes_cannot_reach_the_terminal() {
        assert_eq!(terminal_safe("a\x1b[2Jb\r"), "a\\u{1b}[2Jb\\r");
        assert_eq!(terminal_safe("TOR\u{202e}10"), "TOR\\u{202e}10");
    }

    #[test]
    fn formulas_are_not_live() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("Huawei"), "Huawei");
    }

    #[test]
    fn a_nested_neighbours_evidence_does_not_repeat_its_reporter() {
        let d = Observed {
            reported_by: Some("127.77.0.30".into()),
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Unknown,
            findings: Vec::new(),
        });
        assert_eq!(
            without_reporter(
                "LLDP neighbour of 127.77.0.30: sysDescr rule huawei-vrp",
                &d
            ),
            "sysDescr rule huawei-vrp"
        );
        // Another reporter's name stays: the row does not say it.
        assert_eq!(
            without_reporter("CDP neighbour of 10.0.0.1: CDP platform rule x", &d),
            "CDP neighbour of 10.0.0.1: CDP platform rule x"
        );
    }
}
