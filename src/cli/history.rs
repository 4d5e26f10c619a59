//! `netorigin history list | show SWEEP | diff [A] [B]`: what the stored sweeps found and what
//! changed between two of them, as a table, JSON Lines, JSON or CSV.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::pipeline::observers::{Report, open_output};
use crate::pipeline::{Failure, other, store_failure, usage};
use crate::report::action::deadline_words;
use crate::report::layout::{Column, Layout, fitted};
use crate::report::{Format, spreadsheet_safe, terminal_safe};
use crate::store::{Change, ChangeKind, Store, StoredDevice, SweepRow, timestamp};
use crate::words::count;

/// `netorigin history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// What to show.
    #[command(subcommand)]
    pub command: HistoryCommand,
}

/// The history commands.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Every stored sweep, oldest first: when, how it ended, devices and banned gear.
    List(HistoryOptions),
    /// The devices one sweep stored.
    Show {
        /// The sweep: its number, or `last`.
        #[arg(value_name = "SWEEP", value_parser = parse_sweep_ref)]
        sweep: SweepRef,
        /// Database and report options.
        #[command(flatten)]
        options: HistoryOptions,
    },
    /// What changed from sweep A to sweep B (default: the last two complete sweeps).
    ///
    /// Devices new and gone; address, firmware, model and verdict changes; banned gear new and
    /// removed (with when it was last seen); banned gear past its policy deadline. With A
    /// alone, A against the last complete sweep.
    Diff {
        /// The earlier sweep: its number, or `last`.
        #[arg(value_name = "A", value_parser = parse_sweep_ref)]
        a: Option<SweepRef>,
        /// The later sweep: its number, or `last`.
        #[arg(value_name = "B", value_parser = parse_sweep_ref)]
        b: Option<SweepRef>,
        /// Database and report options.
        #[command(flatten)]
        options: HistoryOptions,
    },
}

/// Options of every history command.
#[derive(Debug, Args)]
pub struct HistoryOptions {
    /// The history database. Default: netorigin.db in the data folder ($NETORIGIN_DATA_DIR,
    /// else $XDG_DATA_HOME/netorigin, else ~/.local/share/netorigin).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Report options.
    #[command(flatten)]
    pub output: HistoryOutput,
}

/// The formats history writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    /// A table for people, with a summary line.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// One JSON document.
    Json,
    /// One CSV row per line of the table.
    Csv,
}

/// Report options of the history commands.
#[derive(Debug, Args)]
pub struct HistoryOutput {
    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: HistoryFormat,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The table with every column, nothing shortened (default: fit the terminal's width, else
    /// $COLUMNS, else 100 columns).
    #[arg(long)]
    pub wide: bool,
}

impl HistoryOutput {
    fn format(&self) -> Format {
        match self.format {
            HistoryFormat::Table => Format::Table,
            HistoryFormat::Jsonl => Format::Jsonl,
            HistoryFormat::Json => Format::Json,
            HistoryFormat::Csv => Format::Csv,
        }
    }

    fn layout(&self) -> Layout {
        Layout::detect(self.wide, self.output.is_none())
    }
}

/// A sweep named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepRef {
    /// By number.
    Id(i64),
    /// The newest (of any status for `show`; the newest complete one for `diff`).
    Last,
}

fn parse_sweep_ref(s: &str) -> Result<SweepRef, String> {
    if s == "last" {
        return Ok(SweepRef::Last);
    }
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Ok(SweepRef::Id(n)),
        _ => Err(format!(
            "{s:?} is not a sweep: its number (see `history list`) or `last` expected"
        )),
    }
}

/// Runs a history command.
pub fn history_command(args: HistoryArgs) -> Result<(), Failure> {
    match args.command {
        HistoryCommand::List(o) => {
            let (store, out) = open(&o)?;
            list(&store.sweeps().map_err(other)?, &o.output, out)
        }
        HistoryCommand::Show { sweep, options } => {
            let (store, out) = open(&options)?;
            let row = match sweep {
                SweepRef::Id(id) => store.sweep(id).map_err(other)?,
                SweepRef::Last => store.sweeps().map_err(other)?.pop(),
            }
            .ok_or_else(|| usage(no_such(sweep, &store)))?;
            let devices = store.devices(row.id).map_err(other)?;
            show(&row, &devices, &options.output, out)
        }
        HistoryCommand::Diff { a, b, options } => {
            let (store, out) = open(&options)?;
            let complete = store.last_complete(2).map_err(other)?;
            let find = |r: SweepRef| -> Result<SweepRow, Failure> {
                match r {
                    SweepRef::Id(id) => store.sweep(id).map_err(other)?,
                    SweepRef::Last => complete.last().cloned(),
                }
                .ok_or_else(|| usage(no_such(r, &store)))
            };
            let (a, b) = match (a, b) {
                (Some(a), Some(b)) => (find(a)?, find(b)?),
                (Some(a), None) => (find(a)?, find(SweepRef::Last)?),
                _ => match &complete[..] {
                    [a, b] => (a.clone(), b.clone()),
                    _ => {
                        return Err(usage(format!(
                            "{}: a diff needs two complete sweeps and it holds {}; name two with `history diff A B`",
                            store.path().display(),
                            complete.len()
                        )));
                    }
                },
            };
            let before = store.devices(a.id).map_err(other)?;
            let after = store.devices(b.id).map_err(other)?;
            let last_seen = |d: &StoredDevice| {
                store
                    .last_seen(&d.identity, b.id.max(a.id))
                    .ok()
                    .flatten()
                    .or(Some(d.seen_ms))
                    .map(timestamp)
            };
            let changes = crate::store::diff(&before, &after, &last_seen);
            diff(&a, &b, &changes, &options.output, out)
        }
    }
}

fn no_such(r: SweepRef, store: &Store) -> String {
    match r {
        SweepRef::Id(id) => format!(
            "{}: no sweep #{id} (see `netorigin history list`)",
            store.path().display()
        ),
        SweepRef::Last => format!("{}: no sweep stored yet", store.path().display()),
    }
}

fn open(o: &HistoryOptions) -> Result<(Store, Box<dyn Write + Send>), Failure> {
    let path = match &o.db {
        Some(p) => p.clone(),
        None => crate::store::default_path().ok_or_else(|| {
            usage("no data folder for the history database (set NETORIGIN_DATA_DIR or HOME, or give --db FILE)")
        })?,
    };
    let store = Store::open_existing(&path).map_err(store_failure)?;
    let output = Report {
        format: o.output.format(),
        output: o.output.output.clone(),
        wide: o.output.wide,
    };
    Ok((store, open_output(&output)?))
}

fn written(r: std::io::Result<()>) -> Result<(), Failure> {
    match r {
        Err(e) if crate::pipeline::is_closed_pipe(&e) => Ok(()),
        r => r.map_err(|e| other(format!("cannot write the report: {e}"))),
    }
}

fn opt(s: &Option<String>) -> String {
    terminal_safe(s.as_deref().unwrap_or("-"))
}

/// A sweep as the reports name it.
fn sweep_json(s: &SweepRow) -> serde_json::Value {
    serde_json::json!({
        "sweep": s.id,
        "started": timestamp(s.started_ms),
        "ended": s.ended_ms.map(timestamp),
        "status": s.status,
        "devices": s.devices,
        "banned": s.banned,
        "probed": s.probed,
        "responders": s.responders,
        "silent": s.silent,
        "requests": s.requests,
        "timeouts": s.timeouts,
        "note": s.note,
        "judged_on": s.judged_on,
        "data_versions": s.data_versions,
        "parameters": s.parameters,
        "pid": s.pid,
    })
}

fn targets(s: &SweepRow) -> String {
    let list = |k: &str| -> Vec<String> {
        s.parameters[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut all = list("targets");
    all.extend(list("seed"));
    all.join(" ")
}

fn one_line(s: &SweepRow) -> String {
    format!(
        "sweep #{} started {} ({}, {}, {} banned)",
        s.id,
        timestamp(s.started_ms),
        s.status,
        count(s.devices.max(0) as u64, "device", "devices"),
        s.banned
    )
}

/// `history list`'s columns.
const LIST_COLUMNS: [Column; 8] = [
    Column::new("sweep", 6).whole(),
    Column::new("started", 20).whole(),
    Column::new("ended", 20).whole().from(120),
    Column::new("status", 12).at_least(6),
    Column::new("devices", 7).whole(),
    Column::new("banned", 6).whole(),
    Column::new("answered", 14).at_least(8).from(100),
    Column::new("targets", 60).at_least(7),
];

fn list(
    sweeps: &[SweepRow],
    output: &HistoryOutput,
    mut out: Box<dyn Write + Send>,
) -> Result<(), Failure> {
    let r = (|| -> std::io::Result<()> {
        match output.format() {
            Format::Table => {
                let rows: Vec<Vec<String>> = sweeps
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.to_string(),
                            timestamp(s.started_ms),
                            s.ended_ms.map_or("-".into(), timestamp),
                            s.status.clone(),
                            s.devices.to_string(),
                            s.banned.to_string(),
                            match (s.responders, s.probed) {
                                (Some(r), Some(p)) => format!("{r} of {p}"),
                                _ => "-".into(),
                            },
                            terminal_safe(&targets(s)),
                        ]
                    })
                    .collect();
                writeln!(out, "{}", fitted(&LIST_COLUMNS, &rows, output.layout()))?;
                writeln!(out, "{}", count(sweeps.len() as u64, "sweep", "sweeps"))?;
            }
            Format::Jsonl => {
                for s in sweeps {
                    writeln!(out, "{}", sweep_json(s))?;
                }
            }
            Format::Json => {
                let all: Vec<_> = sweeps.iter().map(sweep_json).collect();
                serde_json::to_writer_pretty(&mut out, &all).map_err(std::io::Error::other)?;
                writeln!(out)?;
            }
            _ => {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record([
                    "sweep",
                    "started",
                    "ended",
                    "status",
                    "devices",
                    "banned",
                    "probed",
                    "responders",
                    "silent",
                    "targets",
                    "note",
                ])?;
                for s in sweeps {
                    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                    w.write_record([
                        s.id.to_string(),
                        timestamp(s.started_ms),
                        s.ended_ms.map(timestamp).unwrap_or_default(),
                        s.status.clone(),
                        s.devices.to_string(),
                        s.banned.to_string(),
                        n(s.probed),
                        n(s.responders),
                        n(s.silent),
                        spreadsheet_safe(&targets(s)),
                        spreadsheet_safe(s.note.as_deref().unwrap_or("")),
                    ])?;
                }
                w.flush()?;
            }
        }
        out.flush()
    })();
    written(r)
}

/// The nearest deadline of a device's findings that no exception lifts, in words
/// ([`deadline_words`]); `None` where a CSV cell stays empty (no date, not flagged).
fn deadline(d: &StoredDevice) -> Option<String> {
    let nearest = d
        .findings
        .iter()
        .filter(|f| f.exception.is_none())
        .filter_map(|f| Some((f.days_left?, f.deadline.as_deref()?)))
        .min();
    let flagged = matches!(d.verdict.as_str(), "banned" | "review");
    (nearest.is_some() || flagged).then(|| deadline_words(nearest, flagged))
}

/// `history show`'s columns.
const SHOW_COLUMNS: [Column; 9] = [
    Column::new("address", 24).whole(),
    Column::new("verdict", 7).whole(),
    Column::new("deadline", 26).at_least(11).from(80),
    Column::new("vendor", 24).at_least(12),
    Column::new("model", 24).at_least(8).from(80),
    Column::new("version", 24).at_least(8).from(140),
    Column::new("serial", 20).at_least(8).from(120),
    Column::new("sys_name", 24).at_least(8).from(100),
    Column::new("identity", 40).at_least(10).from(160),
];

fn show(
    sweep: &SweepRow,
    devices: &[StoredDevice],
    output: &HistoryOutput,
    mut out: Box<dyn Write + Send>,
) -> Result<(), Failure> {
    let r = (|| -> std::io::Result<()> {
        match output.format() {
            Format::Table => {
                let rows: Vec<Vec<String>> = devices
                    .iter()
                    .map(|d| {
                        vec![
                            terminal_safe(&d.address),
                            d.verdict.clone(),
                            deadline(d).unwrap_or_else(|| "-".into()),
                            opt(&d.vendor),
                            opt(&d.model),
                            opt(&d.version),
                            opt(&d.serial),
                            opt(&d.sys_name),
                            terminal_safe(&d.identity),
                        ]
                    })
                    .collect();
                let layout = output.layout();
                writeln!(out, "{}", fitted(&SHOW_COLUMNS, &rows, layout))?;
                for line in [one_line(sweep), terminal_safe(&sweep.data_versions)] {
                    wrapped(&mut out, &line, layout)?;
                }
            }
            Format::Jsonl => {
                for d in devices {
                    let mut line = d.record.clone();
                    if let Some(o) = line.as_object_mut() {
                        o.insert("sweep".into(), sweep.id.into());
                        o.insert("identity".into(), d.identity.clone().into());
                        o.insert("data_versions".into(), sweep.data_versions.clone().into());
                    }
                    writeln!(out, "{line}")?;
                }
            }
            Format::Json => {
                let all: Vec<_> = devices.iter().map(|d| &d.record).collect();
                let doc = serde_json::json!({ "sweep": sweep_json(sweep), "devices": all });
                serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::other)?;
                writeln!(out)?;
            }
            _ => {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record([
                    "sweep",
                    "identity",
                    "address",
                    "discovered_via",
                    "verdict",
                    "deadline",
                    "vendor",
                    "origin",
                    "model",
                    "version",
                    "serial",
                    "chassis_mac",
                    "engine_id",
                    "sys_name",
                ])?;
                let c = |s: &Option<String>| spreadsheet_safe(s.as_deref().unwrap_or(""));
                for d in devices {
                    w.write_record([
                        sweep.id.to_string(),
                        spreadsheet_safe(&d.identity),
                        spreadsheet_safe(&d.address),
                        d.discovered_via.clone(),
                        d.verdict.clone(),
                        deadline(d).unwrap_or_default(),
                        c(&d.vendor),
                        c(&d.origin),
                        c(&d.model),
                        c(&d.version),
                        c(&d.serial),
                        c(&d.chassis_mac),
                        c(&d.engine_id),
                        c(&d.sys_name),
                    ])?;
                }
                w.flush()?;
            }
        }
        out.flush()
    })();
    written(r)
}

/// What a change says beyond its kind, in words.
fn detail(c: &Change) -> String {
    match c.kind {
        ChangeKind::Changed => format!(
            "{}: {} → {}",
            c.field.unwrap_or("?"),
            c.from.as_deref().unwrap_or("-"),
            c.to.as_deref().unwrap_or("-")
        ),
        ChangeKind::Gone | ChangeKind::BannedRemoved => {
            let seen = c
                .last_seen
                .as_deref()
                .map(|s| format!("last seen {s}"))
                .unwrap_or_default();
            match &c.rule {
                Some(r) => format!("{seen} ({r})"),
                None => seen,
            }
        }
        ChangeKind::Overdue => format!(
            "deadline {} passed {} d ago ({})",
            c.deadline.as_deref().unwrap_or("-"),
            c.days_overdue.unwrap_or(0),
            c.rule.as_deref().unwrap_or("-")
        ),
        ChangeKind::New | ChangeKind::BannedNew => c.rule.clone().unwrap_or_default(),
    }
}

/// A line for people, wrapped to the table's width.
fn wrapped(out: &mut impl Write, line: &str, layout: Layout) -> std::io::Result<()> {
    match layout.width() {
        Some(w) => crate::report::layout::wrap(line, usize::from(w))
            .iter()
            .try_for_each(|l| writeln!(out, "{l}")),
        None => writeln!(out, "{line}"),
    }
}

/// `history diff`'s columns.
const DIFF_COLUMNS: [Column; 6] = [
    Column::new("change", 14).whole(),
    Column::new("identity", 40).at_least(10).from(120),
    Column::new("address", 24).whole(),
    Column::new("vendor", 24).at_least(8),
    Column::new("model", 24).at_least(8).from(120),
    Column::new("detail", 60).at_least(12).keen(),
];

/// The changes as a table for people, then the two sweeps and the counts of each kind.
fn diff_table(
    a: &SweepRow,
    b: &SweepRow,
    changes: &[Change],
    layout: Layout,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            vec![
                c.kind.to_string(),
                terminal_safe(&c.identity),
                terminal_safe(&c.address),
                opt(&c.vendor),
                opt(&c.model),
                terminal_safe(&detail(c)),
            ]
        })
        .collect();
    if !changes.is_empty() {
        writeln!(out, "{}", fitted(&DIFF_COLUMNS, &rows, layout))?;
    }
    let mut by_kind = std::collections::BTreeMap::new();
    for c in changes {
        *by_kind.entry(c.kind).or_insert(0) += 1;
    }
    let counts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let sweeps = format!("from {} to {}:", one_line(a), one_line(b));
    wrapped(out, &sweeps, layout)?;
    let line = match counts.is_empty() {
        true => "no change".to_string(),
        false => format!("changes: {}", counts.join(", ")),
    };
    wrapped(out, &line, layout)
}

fn diff(
    a: &SweepRow,
    b: &SweepRow,
    changes: &[Change],
    output: &HistoryOutput,
    mut out: Box<dyn Write + Send>,
) -> Result<(), Failure> {
    let r = (|| -> std::io::Result<()> {
        match output.format() {
            Format::Table => diff_table(a, b, changes, output.layout(), &mut out)?,
            Format::Jsonl => {
                for c in changes {
                    let mut line = serde_json::to_value(c).map_err(std::io::Error::other)?;
                    if let Some(o) = line.as_object_mut() {
                        o.insert("from_sweep".into(), a.id.into());
                        o.insert("to_sweep".into(), b.id.into());
                    }
                    writeln!(out, "{line}")?;
                }
            }
            Format::Json => {
                let doc = serde_json::json!({
                    "from": sweep_json(a),
                    "to": sweep_json(b),
                    "changes": changes,
                });
                serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::other)?;
                writeln!(out)?;
            }
            _ => {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record([
                    "from_sweep",
                    "to_sweep",
                    "kind",
                    "identity",
                    "address",
                    "previous_address",
                    "vendor",
                    "model",
                    "verdict",
                    "field",
                    "from",
                    "to",
                    "last_seen",
                    "deadline",
                    "days_overdue",
                    "rule",
                ])?;
                let c_ = |s: &Option<String>| spreadsheet_safe(s.as_deref().unwrap_or(""));
                for c in changes {
                    w.write_record([
                        a.id.to_string(),
                        b.id.to_string(),
                        c.kind.to_string(),
                        spreadsheet_safe(&c.identity),
                        spreadsheet_safe(&c.address),
                        c_(&c.previous_address),
                        c_(&c.vendor),
                        c_(&c.model),
                        c.verdict.clone(),
                        c.field.unwrap_or("").to_string(),
                        c_(&c.from),
                        c_(&c.to),
                        c_(&c.last_seen),
                        c_(&c.deadline),
                        c.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
                        c_(&c.rule),
                    ])?;
                }
                w.flush()?;
            }
        }
        out.flush()
    })();
    written(r)
}
