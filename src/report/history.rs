//! What the stored sweeps found and what changed between two of them (`history list`, `show`,
//! `diff`), as a table, JSON Lines, JSON or CSV. Each report is a `View`; one `render` writes
//! any view in any of the four formats.

use std::io::{self, Write};

use super::action::deadline_words;
use super::layout::{Column, Layout, fitted, write_wrapped};
use super::{Format, cell, dash, spreadsheet_safe, terminal_safe, without_empty};
use crate::record::Verdict;
use crate::store::{Change, ChangeKind, StoredDevice, SweepRow, timestamp};
use crate::words::count;

/// A history or fleet report, as each format writes it.
pub(super) trait View {
    /// The table for people and the lines under it.
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()>;
    /// One JSON object per line.
    fn lines(&self) -> io::Result<Vec<serde_json::Value>>;
    /// One JSON document.
    fn document(&self) -> serde_json::Value;
    /// The CSV header, and the rows with every cell made safe.
    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>);
}

/// Writes `view` as `format` says (table, JSON Lines, JSON; CSV otherwise).
pub(super) fn render(
    view: &dyn View,
    format: Format,
    layout: Layout,
    mut out: impl Write,
) -> io::Result<()> {
    match format {
        Format::Table => view.table(layout, &mut out)?,
        Format::Jsonl => {
            for line in view.lines()? {
                writeln!(out, "{line}")?;
            }
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &view.document()).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        _ => {
            let (header, rows) = view.csv();
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(header)?;
            for row in rows {
                w.write_record(row)?;
            }
            w.flush()?;
        }
    }
    out.flush()
}

/// `history list`: every stored sweep, oldest first.
pub fn list(
    sweeps: &[SweepRow],
    format: Format,
    layout: Layout,
    out: impl Write,
) -> io::Result<()> {
    render(&List(sweeps), format, layout, out)
}

/// `history show`: the devices one sweep stored.
pub fn show(
    sweep: &SweepRow,
    devices: &[StoredDevice],
    format: Format,
    layout: Layout,
    out: impl Write,
) -> io::Result<()> {
    render(&Show { sweep, devices }, format, layout, out)
}

/// `history diff`: what changed from sweep `a` to sweep `b`.
pub fn diff(
    a: &SweepRow,
    b: &SweepRow,
    changes: &[Change],
    format: Format,
    layout: Layout,
    out: impl Write,
) -> io::Result<()> {
    render(&Diff { a, b, changes }, format, layout, out)
}

/// A sweep as the reports name it.
fn sweep_json(s: &SweepRow) -> serde_json::Value {
    serde_json::json!({
        "sweep": s.id,
        "uuid": s.uuid,
        "site": s.site,
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

/// A JSON object with more fields.
fn with<const N: usize>(
    mut line: serde_json::Value,
    fields: [(&str, serde_json::Value); N],
) -> serde_json::Value {
    if let Some(o) = line.as_object_mut() {
        for (k, v) in fields {
            o.insert(k.into(), v);
        }
    }
    line
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
        "sweep #{}{} started {} ({}, {}, {} banned)",
        s.id,
        s.site
            .as_deref()
            .map(|site| format!(" at {}", terminal_safe(site)))
            .unwrap_or_default(),
        timestamp(s.started_ms),
        s.status,
        count(s.devices.max(0) as u64, "device", "devices"),
        s.banned
    )
}

/// `history list`'s columns.
const LIST_COLUMNS: [Column; 9] = [
    Column::new("sweep", 6).whole(),
    Column::new("site", 20).at_least(4),
    Column::new("started", 20).whole(),
    Column::new("ended", 20).whole().from(120),
    Column::new("status", 12).at_least(6),
    Column::new("devices", 7).whole(),
    Column::new("banned", 6).whole(),
    Column::new("answered", 14).at_least(8).from(100),
    Column::new("targets", 60).at_least(7),
];

struct List<'a>(&'a [SweepRow]);

impl View for List<'_> {
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.site.as_deref().map_or("-".into(), terminal_safe),
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
        // The site's column only when a sweep names one.
        let (columns, rows) = without_empty(&LIST_COLUMNS, rows, &[1]);
        writeln!(out, "{}", fitted(&columns, &rows, layout))?;
        writeln!(out, "{}", count(self.0.len() as u64, "sweep", "sweeps"))
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        Ok(self.0.iter().map(sweep_json).collect())
    }

    fn document(&self) -> serde_json::Value {
        serde_json::Value::Array(self.0.iter().map(sweep_json).collect())
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let header = &[
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
            "site",
            "uuid",
        ];
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let rows = self
            .0
            .iter()
            .map(|s| {
                vec![
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
                    cell(&s.note),
                    cell(&s.site),
                    s.uuid.to_string(),
                ]
            })
            .collect();
        (header, rows)
    }
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
    let flagged = matches!(d.verdict, Verdict::Banned | Verdict::Review);
    (nearest.is_some() || flagged).then(|| deadline_words(nearest, flagged))
}

/// `history show`'s columns; site and role only when a device has one.
const SHOW_COLUMNS: [Column; 11] = [
    Column::new("address", 24).whole(),
    Column::new("verdict", 7).whole(),
    Column::new("deadline", 26).at_least(11).from(80),
    Column::new("vendor", 24).at_least(12),
    Column::new("model", 24).at_least(8).from(80),
    Column::new("site", 16).at_least(4).from(100),
    Column::new("role", 12).at_least(4).from(120),
    Column::new("version", 24).at_least(8).from(140),
    Column::new("serial", 20).at_least(8).from(120),
    Column::new("sys_name", 24).at_least(8).from(100),
    Column::new("identity", 40).at_least(10).from(160),
];

struct Show<'a> {
    sweep: &'a SweepRow,
    devices: &'a [StoredDevice],
}

impl View for Show<'_> {
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<Vec<String>> = self
            .devices
            .iter()
            .map(|d| {
                vec![
                    terminal_safe(&d.address),
                    d.verdict.to_string(),
                    deadline(d).unwrap_or_else(|| "-".into()),
                    dash(&d.vendor),
                    dash(&d.model),
                    dash(&d.site),
                    dash(&d.role),
                    dash(&d.version),
                    dash(&d.serial),
                    dash(&d.sys_name),
                    terminal_safe(&d.identity),
                ]
            })
            .collect();
        let (columns, rows) = without_empty(&SHOW_COLUMNS, rows, &[5, 6]);
        writeln!(out, "{}", fitted(&columns, &rows, layout))?;
        let sweep = self.sweep;
        for line in [one_line(sweep), terminal_safe(&sweep.data_versions)] {
            write_wrapped(out, &line, layout)?;
        }
        Ok(())
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        let sweep = self.sweep;
        self.devices
            .iter()
            .map(|d| {
                let fields = [
                    ("sweep", sweep.id.into()),
                    ("identity", d.identity.clone().into()),
                    ("data_versions", sweep.data_versions.clone().into()),
                ];
                let record = serde_json::to_value(&d.record).map_err(io::Error::other)?;
                Ok(with(record, fields))
            })
            .collect()
    }

    fn document(&self) -> serde_json::Value {
        let all: Vec<_> = self.devices.iter().map(|d| &d.record).collect();
        serde_json::json!({ "sweep": sweep_json(self.sweep), "devices": all })
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let header = &[
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
            "sys_location",
            "site",
            "role",
            "technology",
            "owner",
        ];
        let rows = self
            .devices
            .iter()
            .map(|d| {
                vec![
                    self.sweep.id.to_string(),
                    spreadsheet_safe(&d.identity),
                    spreadsheet_safe(&d.address),
                    d.discovered_via.clone(),
                    d.verdict.to_string(),
                    deadline(d).unwrap_or_default(),
                    cell(&d.vendor),
                    cell(&d.origin),
                    cell(&d.model),
                    cell(&d.version),
                    cell(&d.serial),
                    cell(&d.chassis_mac),
                    cell(&d.engine_id),
                    cell(&d.sys_name),
                    cell(&d.sys_location),
                    cell(&d.site),
                    cell(&d.role),
                    cell(&d.technology),
                    cell(&d.owner),
                ]
            })
            .collect();
        (header, rows)
    }
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
        ChangeKind::Reappeared => format!(
            "seen again: {}{}",
            c.from
                .as_deref()
                .unwrap_or("marked off the network in the ledger"),
            c.rule
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        ChangeKind::NotCovered => format!(
            "not seen, but its address was outside the sweep's targets: could not confirm{}",
            c.last_seen
                .as_deref()
                .map(|s| format!("; last seen {s}"))
                .unwrap_or_default()
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

/// `history diff`'s columns.
const DIFF_COLUMNS: [Column; 6] = [
    Column::new("change", 14).whole(),
    Column::new("identity", 40).at_least(10).from(120),
    Column::new("address", 24).whole(),
    Column::new("vendor", 24).at_least(8),
    Column::new("model", 24).at_least(8).from(120),
    Column::new("detail", 60).at_least(12).keen(),
];

struct Diff<'a> {
    a: &'a SweepRow,
    b: &'a SweepRow,
    changes: &'a [Change],
}

impl View for Diff<'_> {
    /// The changes as a table for people, then the two sweeps and the counts of each kind.
    fn table(&self, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<Vec<String>> = self
            .changes
            .iter()
            .map(|c| {
                vec![
                    c.kind.to_string(),
                    terminal_safe(&c.identity),
                    terminal_safe(&c.address),
                    dash(&c.vendor),
                    dash(&c.model),
                    terminal_safe(&detail(c)),
                ]
            })
            .collect();
        if !self.changes.is_empty() {
            writeln!(out, "{}", fitted(&DIFF_COLUMNS, &rows, layout))?;
        }
        let mut by_kind = std::collections::BTreeMap::new();
        for c in self.changes {
            *by_kind.entry(c.kind).or_insert(0) += 1;
        }
        let counts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let sweeps = format!("from {} to {}:", one_line(self.a), one_line(self.b));
        write_wrapped(out, &sweeps, layout)?;
        let line = match counts.is_empty() {
            true => "no change".to_string(),
            false => format!("changes: {}", counts.join(", ")),
        };
        write_wrapped(out, &line, layout)
    }

    fn lines(&self) -> io::Result<Vec<serde_json::Value>> {
        self.changes
            .iter()
            .map(|c| {
                let line = serde_json::to_value(c).map_err(io::Error::other)?;
                let fields = [
                    ("from_sweep", self.a.id.into()),
                    ("to_sweep", self.b.id.into()),
                ];
                Ok(with(line, fields))
            })
            .collect()
    }

    fn document(&self) -> serde_json::Value {
        serde_json::json!({
            "from": sweep_json(self.a),
            "to": sweep_json(self.b),
            "changes": self.changes,
        })
    }

    fn csv(&self) -> (&'static [&'static str], Vec<Vec<String>>) {
        let header = &[
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
        ];
        let rows = self
            .changes
            .iter()
            .map(|c| {
                vec![
                    self.a.id.to_string(),
                    self.b.id.to_string(),
                    c.kind.to_string(),
                    spreadsheet_safe(&c.identity),
                    spreadsheet_safe(&c.address),
                    cell(&c.previous_address),
                    cell(&c.vendor),
                    cell(&c.model),
                    c.verdict.to_string(),
                    c.field.unwrap_or("").to_string(),
                    cell(&c.from),
                    cell(&c.to),
                    cell(&c.last_seen),
                    cell(&c.deadline),
                    c.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
                    cell(&c.rule),
                ]
            })
            .collect();
        (header, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Sourced;
    use crate::store::{Store, StoredDevice, diff as changes_between, writer::Status};

    type Fact = (String, String, String, String, String);

    /// A change as [`facts`] gives it.
    fn moved(kind: &str, identity: &str, field: &str, from: &str, to: &str) -> Fact {
        let s = |x: &str| x.to_string();
        (s(kind), s(identity), s(field), s(from), s(to))
    }

    /// `(kind, identity, field, from, to)` of each change.
    fn facts(changes: &[Change]) -> Vec<Fact> {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        changes
            .iter()
            .map(|c| {
                let field = c.field.unwrap_or("").to_string();
                let kind = c.kind.to_string();
                (kind, c.identity.clone(), field, o(&c.from), o(&c.to))
            })
            .collect()
    }

    /// `tests/data/store/v2.db`, two real sweeps stored by schema version 2, migrated: read back
    /// and diffed; then a sweep stored after the migration, with sites and a role known, diffs
    /// against it with the moves reported, and the history views show them.
    #[tokio::test]
    async fn a_database_of_schema_v2_is_migrated_read_back_and_diffed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v2.db");
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/store/v2.db");
        std::fs::copy(fixture, &db).unwrap();
        let store = Store::open(&db).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            crate::store::MIGRATIONS.len()
        );
        let sweeps = store.sweeps().unwrap();
        let counts: Vec<_> = sweeps
            .iter()
            .map(|s| (s.status.as_str(), s.devices))
            .collect();
        assert_eq!(counts, [("complete", 6), ("complete", 7)]);
        let (one, two) = (store.devices(1).unwrap(), store.devices(2).unwrap());
        let c3560 = two
            .iter()
            .find(|d| d.serial.as_deref() == Some("CAT0912N0CU"));
        assert_eq!(c3560.unwrap().sys_location.as_deref(), Some("MTL02 rack 9"));
        let got = facts(&changes_between(&one, &two, &|_| None, &Default::default()));
        let want = vec![
            moved("banned-new", "mac:f4:4c:7f:24:1a:f0", "", "", ""),
            moved("banned-new", "serial:020LGJT0G4020681", "", "", ""),
            moved("banned-removed", "serial:21500101573GK1000299", "", "", ""),
            moved(
                "changed",
                "serial:CAT0912N0CU",
                "address",
                "127.99.18.2",
                "127.99.18.7",
            ),
            moved(
                "changed",
                "serial:CAT0912N0CU",
                "sys_location",
                "TOR01 rack 3",
                "MTL02 rack 9",
            ),
            moved(
                "changed",
                "serial:TA3716123456",
                "version",
                "14.1X53-D40.8",
                "15.1X53-D60.4",
            ),
        ];
        assert_eq!(got, want);

        // A sweep after the migration: the same devices, their sites now known from their
        // sysLocation, the CE12800 a core router.
        let first_seen = store.first_seen().unwrap();
        let day_one = crate::date::Date::from_days(sweeps[0].started_ms / 86_400_000);
        let recorder = Store::open(&db)
            .unwrap()
            .begin_sweep(&serde_json::json!({}), "v", "2026-12-08", None)
            .unwrap();
        for d in &two {
            let mut r = d.record.clone();
            if r.identification.serial.as_deref() == Some("CAT0912N0CU") {
                assert_eq!(first_seen.of(&r), Some(day_one));
            }
            let source = "sysLocation pattern inventory.toml:7";
            r.context.site = r
                .sys_location
                .as_deref()
                .and_then(|l| l.split(' ').next())
                .map(|site| Sourced::new(site.to_string(), source));
            if r.identification.model.as_deref() == Some("CE12800") {
                r.context.role = Some(Sourced::new("core".into(), "inventory sites.csv:3"));
            }
            recorder.device(r);
        }
        recorder.finish(Status::Complete, None, None).await.unwrap();
        let three = store.devices(3).unwrap();
        let got = facts(&changes_between(
            &two,
            &three,
            &|_| None,
            &Default::default(),
        ));
        let site = |identity: &str, to: &str| moved("changed", identity, "site", "", to);
        let mut want = vec![
            site("serial:020LGJT0G4020681", "TOR01"),
            site("serial:CAT0912N0CU", "MTL02"),
            site("serial:TA3716123456", "MTL02"),
        ];
        let ce = two.iter().find(|d| d.model.as_deref() == Some("CE12800"));
        let ce = ce.unwrap().identity.clone();
        want.push(site(&ce, "MTL02"));
        want.push(moved("changed", &ce, "role", "", "core"));
        want.sort();
        let mut got = got;
        got.sort();
        assert_eq!(got, want);

        views_show_the_sites(&store, &two, &three);
    }

    /// `history show` and `history diff` of sweeps 2 and 3 show the sites and the role.
    fn views_show_the_sites(store: &Store, two: &[StoredDevice], three: &[StoredDevice]) {
        let (b, c) = (
            store.sweep(2).unwrap().unwrap(),
            store.sweep(3).unwrap().unwrap(),
        );
        let mut out = Vec::new();
        show(&c, three, Format::Table, Layout::wide(), &mut out).unwrap();
        let table = String::from_utf8(out).unwrap();
        let header = table.lines().nth(1).unwrap();
        assert!(
            header.contains("site") && header.contains("role"),
            "{table}"
        );
        assert!(table.contains("MTL02") && table.contains("core"), "{table}");
        let mut out = Vec::new();
        let changes = changes_between(two, three, &|_| None, &Default::default());
        diff(&b, &c, &changes, Format::Table, Layout::wide(), &mut out).unwrap();
        let table = String::from_utf8(out).unwrap();
        assert!(table.contains("site: - → MTL02"), "{table}");
        let mut out = Vec::new();
        show(&c, three, Format::Csv, Layout::wide(), &mut out).unwrap();
        let mut csv = ::csv::Reader::from_reader(&out[..]);
        let header = csv.headers().unwrap().clone();
        let site = header.iter().position(|h| h == "site").unwrap();
        let sites: Vec<String> = csv
            .records()
            .map(|r| r.unwrap()[site].to_string())
            .collect();
        assert_eq!(
            sites.iter().filter(|s| *s == "MTL02").count(),
            3,
            "{sites:?}"
        );
    }
}
