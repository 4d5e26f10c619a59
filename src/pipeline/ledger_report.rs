//! `ledger report`: the regulator's reports read from the history database's removal ledger
//! ([`crate::report::ledger`]), written in a format, or printed to PDF by headless Chromium.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::history::database;
use super::observers::{Report, open_output};
use super::{Failure, other, store_failure, usage, write_failure};
use crate::date::Date;
use crate::report::ledger::{Kind, LedgerFormat, Pack, Scope, select, sheet, write};
use crate::report::{Format, Layout};
use crate::store::{LedgerFilter, Store};

/// What a ledger report shows, and where.
#[derive(Debug, Clone)]
pub struct LedgerReport {
    /// Which report.
    pub kind: Kind,
    /// Its format.
    pub format: LedgerFormat,
    /// The file, or standard output.
    pub output: Option<PathBuf>,
    /// The day it is judged at (default today).
    pub today: Option<Date>,
    /// Only items seen or changed this year (the annual list).
    pub year: Option<i32>,
    /// Only this site.
    pub site: Option<String>,
    /// The evidence pack whose SHA-256 the report carries.
    pub pack: Option<PathBuf>,
    /// The table with every column, nothing shortened.
    pub wide: bool,
}

/// How long Chromium may take to print a page.
const PRINT_LIMIT: Duration = Duration::from_secs(120);

/// Reads the ledger of database `db` (default: the one in the data folder) and writes the
/// report `args` asks for.
pub fn ledger_report(db: Option<PathBuf>, args: &LedgerReport) -> Result<(), Failure> {
    if args.year.is_some() && args.kind != Kind::Annual {
        return Err(usage(format!(
            "--year limits the annual list; the {} report covers every item",
            args.kind.name()
        )));
    }
    let pdf = args.format == LedgerFormat::Pdf;
    let chromium = if pdf { Some(chromium()?) } else { None };
    if pdf && args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(usage(
            "--format pdf writes a PDF file: give -o FILE (or send standard output to a file)",
        ));
    }
    let pack = args.pack.as_deref().map(digest).transpose()?;
    let store = Store::open_existing(&database(db)?).map_err(store_failure)?;
    let items = store
        .ledger_items(&LedgerFilter::default())
        .map_err(other)?;
    let entries = store.ledger_entries(None).map_err(other)?;
    let sweeps = store.sweeps().map_err(other)?;
    let scope = Scope {
        today: args.today.unwrap_or_else(Date::today),
        site: args.site.clone(),
        year: args.year,
    };
    let (chosen, basis) = select(&items, &entries, &sweeps, &scope, pack);
    let sheet = sheet(args.kind, &chosen, scope.today);
    let report = Report {
        format: Format::Table,
        output: args.output.clone(),
        wide: args.wide,
    };
    let layout = Layout::detect(args.wide, args.output.is_none());
    match chromium {
        None => write(
            &sheet,
            &scope,
            &basis,
            args.format,
            layout,
            open_output(&report)?,
        )
        .map_err(write_failure),
        Some(chromium) => {
            let mut page = Vec::new();
            write(
                &sheet,
                &scope,
                &basis,
                LedgerFormat::Html,
                layout,
                &mut page,
            )
            .map_err(write_failure)?;
            let pdf = print_pdf(&chromium, &page)?;
            let mut out = open_output(&report)?;
            out.write_all(&pdf)
                .and_then(|()| out.flush())
                .map_err(write_failure)
        }
    }
}

/// The evidence pack's name and SHA-256, read as a stream; a file that cannot be read is
/// exit 2.
fn digest(path: &Path) -> Result<Pack, Failure> {
    let fail = |e: std::io::Error| usage(format!("--pack {}: {e}", path.display()));
    let mut file = std::fs::File::open(path).map_err(fail)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(fail)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(Pack {
        file: path.display().to_string(),
        sha256: crate::wire::hex(&hash.finalize()),
    })
}

/// The names headless Chromium goes by, in the order looked for on `PATH`.
pub const CHROMIUM_NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// Chromium on `PATH`; exit 2 saying what to do when there is none.
fn chromium() -> Result<PathBuf, Failure> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    CHROMIUM_NAMES
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| is_executable(p))
        .ok_or_else(|| {
            usage(format!(
                "--format pdf prints the page with headless Chromium, and none is on PATH ({}): install it (Debian: apt-get install chromium), or write the page with --format html and print it from a browser",
                CHROMIUM_NAMES.join(", ")
            ))
        })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `file://` and the path, each segment percent-encoded.
fn file_url(path: &Path) -> String {
    let segments: Vec<String> = path
        .to_string_lossy()
        .split('/')
        .map(crate::server::client::encode)
        .collect();
    format!("file://{}", segments.join("/"))
}

/// The page printed to PDF by headless Chromium, in a folder of its own (the page, the PDF and
/// Chromium's profile), bounded by [`PRINT_LIMIT`].
fn print_pdf(chromium: &Path, page: &[u8]) -> Result<Vec<u8>, Failure> {
    let dir = tempfile::tempdir().map_err(|e| other(format!("a temporary folder: {e}")))?;
    let (html, pdf) = (
        dir.path().join("report.html"),
        dir.path().join("report.pdf"),
    );
    std::fs::write(&html, page).map_err(|e| other(format!("{}: {e}", html.display())))?;
    let log = dir.path().join("chromium.log");
    let log_file =
        std::fs::File::create(&log).map_err(|e| other(format!("{}: {e}", log.display())))?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&html))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .map_err(|e| other(format!("{}: {e}", chromium.display())))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < PRINT_LIMIT => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(other(format!(
                    "{} did not print the page within {} s",
                    chromium.display(),
                    PRINT_LIMIT.as_secs()
                )));
            }
            Err(e) => return Err(other(format!("{}: {e}", chromium.display()))),
        }
    };
    match std::fs::read(&pdf) {
        Ok(bytes) if status.success() && bytes.starts_with(b"%PDF") => Ok(bytes),
        _ => {
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = said.lines().rev().take(5).collect();
            Err(other(format!(
                "{} did not print the page ({status}): {}",
                chromium.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_url_encodes_each_segment() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/report#1.html")),
            "file:///tmp/a%20b/report%231.html"
        );
    }
}
