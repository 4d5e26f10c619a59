//! `evidence keygen | pack | verify` (issue 21): a stored sweep's saved walks, the captures
//! given, its reports and the removal ledger packed and signed ([`crate::evidence`]), and a
//! pack checked offline.
//!
//! A pack holds no secret: the saved walks are the devices' answers (the sweep's credentials
//! are never written to them), the sweep's parameters are stored without secrets (credentials
//! by label only), and the reports are what `history show` shows.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::failure::say;
use super::history::{SweepRef, database, stored_sweep};
use super::{Failure, other, store_failure, usage};
use crate::discover::SweepSummary;
use crate::evidence::keys::{self, KeyError};
use crate::evidence::{
    CaptureRef, EvidenceError, Limits, Manifest, PackSweep, PackWriter, TrustedKey, hex, safe_name,
};
use crate::record::{DeviceRecord, DiscoveredVia};
use crate::report::{Format, Writer, terminal_safe};
use crate::store::{Store, SweepRow, now_ms, timestamp};
use crate::words::count;

/// Makes a key and writes `PREFIX.key` and `PREFIX.pub`, saying where and the public key; a
/// file that exists already, or a folder that cannot be written, is exit code 2.
pub fn keygen(prefix: &Path) -> Result<(), Failure> {
    let (key, private, public) = keys::generate(prefix).map_err(key_failure)?;
    eprintln!(
        "wrote {} (the private key: keep it to yourself) and {} (the public key: give it to whoever checks the packs)",
        shown(&private),
        shown(&public)
    );
    say(key.public().file_text().trim_end())
}

/// A path fit for the terminal.
fn shown(path: &Path) -> String {
    terminal_safe(&path.display().to_string())
}

/// A key error as a failure: a file a person named is exit code 2; no random numbers, 1.
fn key_failure(e: KeyError) -> Failure {
    match e {
        KeyError::Random(_) => other(e),
        e => usage(e),
    }
}

/// What `evidence pack` packs.
#[derive(Debug, Clone)]
pub struct PackOptions {
    /// The history database (default: the data folder's).
    pub db: Option<PathBuf>,
    /// The sweep.
    pub sweep: SweepRef,
    /// The pack's file, which must not exist yet.
    pub output: PathBuf,
    /// The private key file.
    pub key: PathBuf,
    /// Captures (pcap or pcapng) to pack as they are.
    pub captures: Vec<PathBuf>,
}

/// Packs the stored sweep `options.sweep` with its saved walks, the captures, its reports and
/// the ledger, signed with the key in `options.key`, into a new file `options.output`
/// (written beside it first, then moved into place, so that a failed pack leaves nothing);
/// says what it packed, and the pack's SHA-256 and path as `sha256sum` writes them.
pub fn pack(options: &PackOptions) -> Result<(), Failure> {
    let key = keys::load_private(&options.key).map_err(key_failure)?;
    if options.output.symlink_metadata().is_ok() {
        return Err(usage(format!(
            "{}: exists already; a pack is not overwritten (choose another -o FILE)",
            shown(&options.output)
        )));
    }
    let captures = captures(&options.captures)?;
    let store = Store::open_existing(&database(options.db.clone())?).map_err(store_failure)?;
    let row = stored_sweep(&store, options.sweep)?;
    if row.status == "running" {
        return Err(usage(format!(
            "sweep #{} is still running: pack it once it has ended",
            row.id
        )));
    }
    let mut devices: Vec<DeviceRecord> = Vec::new();
    store
        .each_record(row.id, |d| {
            devices.push(d);
            Ok::<(), crate::store::StoreError>(())
        })
        .map_err(other)?;
    let (walks_dir, walks, walks_missing) = walks(&row, &devices);
    let ledger = store.ledger_entries(None).map_err(other)?;
    let manifest = manifest(
        &row,
        walks_dir.as_deref(),
        &walks_missing,
        &captures,
        ledger.len(),
    );
    let folder = match options.output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let cannot =
        |e: &dyn std::fmt::Display| usage(format!("{}: cannot write: {e}", shown(&options.output)));
    let temporary = tempfile::Builder::new()
        .prefix(".netorigin-pack-")
        .tempfile_in(&folder)
        .map_err(|e| cannot(&e))?;
    let out = std::io::BufWriter::new(temporary.as_file().try_clone().map_err(|e| cannot(&e))?);
    let mut writer = PackWriter::new(out, &key, manifest).map_err(pack_failure)?;
    for (name, path) in &walks {
        add_file(&mut writer, &format!("walks/{name}"), path)?;
    }
    for (capture, path) in &captures {
        add_file(&mut writer, &capture.path, path)?;
    }
    for (name, bytes) in reports(&row, &devices)? {
        writer
            .add(&format!("reports/{name}"), &bytes)
            .map_err(pack_failure)?;
    }
    add_ledger(&mut writer, &store, &ledger)?;
    let packed = writer.finish().map_err(pack_failure)?;
    packed
        .out
        .into_inner()
        .map_err(|e| cannot(e.error()))?
        .sync_all()
        .map_err(|e| cannot(&e))?;
    temporary
        .persist_noclobber(&options.output)
        .map_err(|e| cannot(&e.error))?;
    eprintln!(
        "packed sweep #{}: {} ({}, {})",
        row.id,
        count(packed.files as u64, "file", "files"),
        count(walks.len() as u64, "saved walk", "saved walks"),
        count(ledger.len() as u64, "ledger entry", "ledger entries"),
    );
    if !walks_missing.is_empty() {
        eprintln!(
            "no saved walk of {} (listed in pack.json as walks_missing)",
            terminal_safe(&walks_missing.join(", "))
        );
    }
    say(format!(
        "{}  {}",
        hex(&packed.sha256),
        shown(&options.output)
    ))
}

fn pack_failure(e: EvidenceError) -> Failure {
    other(e)
}

/// Streams the file at `path` into the pack as `name`.
fn add_file<W: std::io::Write>(
    writer: &mut PackWriter<'_, W>,
    name: &str,
    path: &Path,
) -> Result<(), Failure> {
    let unreadable = |e: &dyn std::fmt::Display| other(format!("{}: {e}", shown(path)));
    let file = File::open(path).map_err(|e| unreadable(&e))?;
    let size = file.metadata().map_err(|e| unreadable(&e))?.len();
    writer
        .add_reader(name, size, std::io::BufReader::new(file))
        .map_err(|e| unreadable(&e))
}

/// The captures named, each checked to be a pcap or pcapng file, with its path in the pack
/// (`captures/NAME`, made safe and unique). A file that cannot be read or is no capture is
/// exit code 2.
fn captures(paths: &[PathBuf]) -> Result<Vec<(CaptureRef, PathBuf)>, Failure> {
    let mut out: Vec<(CaptureRef, PathBuf)> = Vec::new();
    let mut taken = BTreeSet::new();
    for path in paths {
        let bad = |e: &dyn std::fmt::Display| usage(format!("--capture {}: {e}", shown(path)));
        let mut file = File::open(path).map_err(|e| bad(&e))?;
        let meta = file.metadata().map_err(|e| bad(&e))?;
        if !meta.is_file() {
            return Err(bad(&"not a file"));
        }
        let mut magic = [0u8; 4];
        let is_capture = std::io::Read::read_exact(&mut file, &mut magic).is_ok()
            && matches!(
                magic,
                [0xd4, 0xc3, 0xb2, 0xa1]
                    | [0xa1, 0xb2, 0xc3, 0xd4]
                    | [0x4d, 0x3c, 0xb2, 0xa1]
                    | [0xa1, 0xb2, 0x3c, 0x4d]
                    | [0x0a, 0x0d, 0x0d, 0x0a]
            );
        if !is_capture {
            return Err(bad(&"not a pcap or pcapng capture"));
        }
        let given = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = safe_name(&given, 90);
        let mut name = base.clone();
        let mut n = 1;
        while !taken.insert(name.clone()) {
            n += 1;
            name = format!("{n}-{base}");
        }
        let capture = CaptureRef {
            path: format!("captures/{name}"),
            given: crate::report::terminal_safe(&given),
            bytes: meta.len(),
        };
        out.push((capture, path.clone()));
    }
    Ok(out)
}

/// The sweep's saved walks: the folder its parameters name (relative to the current folder
/// when it is relative), each SNMP device's walk found there and written while the sweep ran
/// (`walks/` name and path), and the addresses of those not found (or written over since).
fn walks(
    row: &SweepRow,
    devices: &[DeviceRecord],
) -> (Option<String>, Vec<(String, PathBuf)>, Vec<String>) {
    let dir = row
        .parameters
        .get("save_walks")
        .and_then(serde_json::Value::as_str)
        .map(PathBuf::from)
        .map(|d| std::path::absolute(&d).unwrap_or(d));
    let mut found = Vec::new();
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    for d in devices
        .iter()
        .filter(|d| d.discovered_via == DiscoveredVia::Snmp)
    {
        let name = format!("{}.snmprec", d.address.replace(':', "_"));
        if !seen.insert(name.clone()) {
            continue;
        }
        let path = dir.as_ref().map(|dir| dir.join(&name));
        match path {
            Some(p)
                if d.address.parse::<std::net::IpAddr>().is_ok()
                    && p.is_file()
                    && written_during(&p, row) =>
            {
                found.push((name, p));
            }
            _ => missing.push(d.address.clone()),
        }
    }
    (dir.map(|d| d.display().to_string()), found, missing)
}

/// Whether a saved walk was written while the sweep ran (give or take a second): a later sweep
/// saving to the same folder writes over it, and its walk is no evidence of this sweep.
fn written_during(path: &Path, row: &SweepRow) -> bool {
    let Ok(modified) = std::fs::metadata(path).and_then(|m| m.modified()) else {
        return false;
    };
    let Ok(ms) = modified.duration_since(std::time::UNIX_EPOCH) else {
        return false;
    };
    let ms = i64::try_from(ms.as_millis()).unwrap_or(i64::MAX);
    let end = row.ended_ms.unwrap_or_else(now_ms);
    (row.started_ms - 1_000..=end + 1_000).contains(&ms)
}

/// `pack.json` of a sweep.
fn manifest(
    row: &SweepRow,
    walks_dir: Option<&str>,
    walks_missing: &[String],
    captures: &[(CaptureRef, PathBuf)],
    ledger_entries: usize,
) -> Manifest {
    let created_ms = now_ms();
    Manifest {
        format: crate::evidence::FORMAT,
        sweep: PackSweep {
            number: row.id,
            uuid: row.uuid,
            site: row.site.clone(),
            status: row.status.clone(),
            started_ms: row.started_ms,
            ended_ms: row.ended_ms,
            started: timestamp(row.started_ms),
            ended: row.ended_ms.map(timestamp),
            devices: row.devices,
            parameters: row.parameters.clone(),
        },
        data_versions: row.data_versions.clone(),
        judged_on: row.judged_on.clone(),
        created_ms,
        created: timestamp(created_ms),
        tool: format!("netorigin {}", env!("CARGO_PKG_VERSION")),
        signer: String::new(),
        walks_dir: walks_dir.map(str::to_string),
        walks_missing: walks_missing.to_vec(),
        captures: captures.iter().map(|(c, _)| c.clone()).collect(),
        ledger_entries: ledger_entries as u64,
    }
}

/// The sweep's devices as JSON Lines, CSV and an HTML page, written by the report writers with
/// the data versions the sweep was stored with.
fn reports(
    row: &SweepRow,
    devices: &[DeviceRecord],
) -> Result<Vec<(&'static str, Vec<u8>)>, Failure> {
    let summary = SweepSummary {
        probed: stored_count(row.probed),
        responders: stored_count(row.responders),
        silent: stored_count(row.silent),
        neighbors_only: devices
            .iter()
            .filter(|d| {
                matches!(
                    d.discovered_via,
                    DiscoveredVia::LldpNeighbor | DiscoveredVia::CdpNeighbor
                )
            })
            .count() as u64,
        silent_examples: Vec::new(),
        requests: stored_count(row.requests),
        timeouts: stored_count(row.timeouts),
        first_contact: None,
    };
    let mut out = Vec::new();
    for (name, format) in [
        ("devices.jsonl", Format::Jsonl),
        ("devices.csv", Format::Csv),
        ("report.html", Format::Html),
    ] {
        let mut bytes = Vec::new();
        let written = (|| {
            let mut w = Writer::new(format, &mut bytes)?.data_versions(row.data_versions.clone());
            for d in devices {
                w.device(d.clone())?;
            }
            w.finish_stored(&summary, &[])
        })();
        written.map_err(|e| other(format!("cannot write the {name} report: {e}")))?;
        out.push((name, bytes));
    }
    Ok(out)
}

fn stored_count(n: Option<i64>) -> u64 {
    n.map_or(0, |n| u64::try_from(n).unwrap_or(0))
}

/// The ledger's entries as JSON Lines (`ledger/entries.jsonl`) and each evidence file once
/// (`ledger/evidence/<sha256>-<name>`).
fn add_ledger<W: std::io::Write>(
    writer: &mut PackWriter<'_, W>,
    store: &Store,
    entries: &[crate::store::LedgerEntry],
) -> Result<(), Failure> {
    let mut lines = Vec::new();
    for e in entries {
        serde_json::to_writer(&mut lines, e).map_err(other)?;
        lines.push(b'\n');
    }
    writer
        .add("ledger/entries.jsonl", &lines)
        .map_err(pack_failure)?;
    let mut packed = BTreeSet::new();
    for file in entries.iter().flat_map(|e| &e.evidence) {
        let path = format!(
            "ledger/evidence/{}-{}",
            file.sha256,
            safe_name(&file.name, 100 - 65)
        );
        if !packed.insert(path.clone()) {
            continue;
        }
        let bytes = store
            .evidence_content(&file.sha256)
            .map_err(other)?
            .ok_or_else(|| {
                other(format!(
                    "{}: the ledger names the evidence file {} ({}) but does not hold it",
                    shown(store.path()),
                    crate::report::terminal_safe(&file.name),
                    file.sha256
                ))
            })?;
        writer.add(&path, &bytes).map_err(pack_failure)?;
    }
    Ok(())
}

/// Checks the pack `file` with the public key in `key` when given, else with the key its
/// `pack.json` names: `verified: N files, signed by KEY` when it is as signed; else a line per
/// problem, naming its file, and exit code 1. A file that cannot be read or is no pack, or a
/// key file that cannot be read, is exit code 2.
pub fn verify(file: &Path, key: Option<&Path>) -> Result<(), Failure> {
    let trusted = match key {
        Some(path) => Some(TrustedKey {
            key: keys::load_public(path).map_err(key_failure)?,
            named: format!("the key in {}", path.display()),
        }),
        None => None,
    };
    let reader =
        File::open(file).map_err(|e| usage(format!("{}: cannot read: {e}", shown(file))))?;
    let v = crate::evidence::verify(
        std::io::BufReader::new(reader),
        Limits::default(),
        trusted.as_ref(),
    )
    .map_err(|e| match e {
        EvidenceError::NotPack(_) => usage(format!("{}: {e}", shown(file))),
        e => other(format!("{}: {e}", shown(file))),
    })?;
    if let (true, Some(signer)) = (v.is_good(), v.signer) {
        // Without --key the pack vouches for itself: anyone who edits it can sign it anew.
        let whose = match key {
            Some(_) => String::new(),
            None => " (the key the pack names: give --key FILE.pub to check whose it is)".into(),
        };
        return say(format!(
            "verified: {}, signed by {}{whose}",
            count(v.files as u64, "file", "files"),
            signer.short()
        ));
    }
    for problem in &v.problems {
        say(terminal_safe(&problem.to_string()))?;
    }
    Err(other(format!(
        "{}: the pack is not as it was signed ({})",
        shown(file),
        count(v.problems.len() as u64, "problem", "problems")
    )))
}
