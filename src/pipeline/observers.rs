//! The observers every command has: the report writer ([`Reporting`] around
//! [`crate::report::Writer`]), the store's recorder ([`Storing`] around
//! [`crate::store::writer::Recorder`]), the progress bar ([`Progress`]) and the count of
//! devices by verdict and vendor ([`Tally`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use futures::FutureExt;
use futures::future::BoxFuture;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{End, Failure, Flow, Sink, Stopped, other, usage, write_failure};
use crate::record::DeviceRecord;
use crate::report::{Format, Layout, Provenance, Writer};
use crate::store::writer::{Recorder, Status};

/// Where a report goes and how it looks (`--format`, `--output`, `--wide`).
#[derive(Debug, Clone)]
pub struct Report {
    /// The format.
    pub format: Format,
    /// The file, or standard output.
    pub output: Option<PathBuf>,
    /// The table with every column, nothing shortened.
    pub wide: bool,
}

/// Opens the report's file, or standard output; a file that cannot be made is exit code 2.
pub fn open_output(o: &Report) -> Result<Box<dyn Write + Send>, Failure> {
    Ok(match &o.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| usage(format!("--output {}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::stdout()),
    })
}

/// The report writer as an observer: devices are written (or held) as they come, the summary
/// at the end. A reader that went away stops the pipeline; any other write error is said at
/// the end, after the store has what was found.
pub struct Reporting {
    writer: Option<Writer<Box<dyn Write + Send>>>,
    provenance: Provenance,
    write_error: Option<std::io::Error>,
    reader_gone: bool,
}

impl Reporting {
    /// A report as `report` says, naming `provenance` in every row and at the end.
    pub fn open(report: &Report, provenance: Provenance) -> Result<Reporting, Failure> {
        let writer = Writer::new(report.format, open_output(report)?)
            .map_err(write_failure)?
            .layout(Layout::detect(report.wide, report.output.is_none()))
            .data_versions(provenance.line());
        Ok(Reporting {
            writer: Some(writer),
            provenance,
            write_error: None,
            reader_gone: false,
        })
    }

    fn end(&mut self, end: End<'_>) -> Result<Flow, Failure> {
        let End::Done {
            summary,
            stopped,
            shares,
        } = end
        else {
            return Ok(Flow::Go);
        };
        if stopped == Some(Stopped::ReaderGone) || self.reader_gone {
            return Ok(Flow::Stop);
        }
        if let Some(e) = self.write_error.take() {
            return Err(write_failure(e));
        }
        let Some(writer) = self.writer.take() else {
            return Ok(Flow::Go);
        };
        match writer.finish(summary, shares, &self.provenance) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Flow::Stop),
            result => result.map(|()| Flow::Go).map_err(write_failure),
        }
    }
}

impl Sink for Reporting {
    fn device(&mut self, d: &DeviceRecord) -> Flow {
        if self.write_error.is_none()
            && !self.reader_gone
            && let Some(writer) = &mut self.writer
            && let Err(e) = writer.device(d.clone())
        {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                // The reader has gone (`| head`): nobody to report to, so stop.
                self.reader_gone = true;
            } else {
                self.write_error = Some(e);
            }
        }
        if self.reader_gone {
            Flow::Stop
        } else {
            Flow::Go
        }
    }

    fn finish<'a>(&'a mut self, end: End<'a>) -> BoxFuture<'a, Result<Flow, Failure>> {
        std::future::ready(self.end(end)).boxed()
    }
}

/// The store's recorder as an observer: each device handed over as it comes, and at the end
/// the sweep's status (complete, interrupted and why, or failed) once everything is on disk.
pub struct Storing {
    recorder: Option<Recorder>,
    id: i64,
    stored: Option<(i64, u64)>,
}

impl Storing {
    /// Observes for `recorder`.
    pub fn new(recorder: Recorder) -> Storing {
        Storing {
            id: recorder.id(),
            recorder: Some(recorder),
            stored: None,
        }
    }

    /// The sweep's number in the database and how many devices were stored, once finished.
    pub fn stored(&self) -> Option<(i64, u64)> {
        self.stored
    }

    async fn end(&mut self, end: End<'_>) -> Result<Flow, Failure> {
        let Some(r) = self.recorder.take() else {
            return Ok(Flow::Go);
        };
        let (status, summary, note) = match end {
            End::Failed(e) => {
                let note = Some(format!("the sweep failed: {e}"));
                let _ = r.finish(Status::Failed, None, note).await;
                return Ok(Flow::Go);
            }
            End::Done {
                summary, stopped, ..
            } => match stopped {
                Some(Stopped::Signal) => (
                    Status::Interrupted,
                    summary,
                    Some("stopped by a signal".to_string()),
                ),
                Some(Stopped::ReaderGone) => (
                    Status::Interrupted,
                    summary,
                    Some("the report's reader went away".to_string()),
                ),
                None => (Status::Complete, summary, None),
            },
        };
        let n = r
            .finish(status, Some(summary.clone()), note)
            .await
            .map_err(|e| other(format!("cannot store the sweep: {e}")))?;
        self.stored = Some((self.id, n));
        Ok(Flow::Go)
    }
}

impl Sink for Storing {
    fn device(&mut self, d: &DeviceRecord) -> Flow {
        if let Some(r) = &self.recorder {
            r.device(d.clone());
        }
        Flow::Go
    }

    fn finish<'a>(&'a mut self, end: End<'a>) -> BoxFuture<'a, Result<Flow, Failure>> {
        self.end(end).boxed()
    }
}

/// The progress bar on standard error: addresses probed of the targets, responders and
/// devices so far; warnings are printed above it.
pub struct Progress {
    bar: ProgressBar,
    responders: u64,
    devices: u64,
}

impl Progress {
    /// A bar for `total` addresses.
    pub fn new(total: u64) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} probed, {msg} ({per_sec}, eta {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress {
            bar,
            responders: 0,
            devices: 0,
        }
    }

    fn tell(&self) {
        self.bar.set_message(format!(
            "{}, {}",
            crate::words::count(self.responders, "responder", "responders"),
            crate::words::count(self.devices, "device", "devices")
        ));
    }
}

impl Sink for Progress {
    fn probed(&mut self, answered: bool) {
        self.bar.inc(1);
        self.responders += u64::from(answered);
        self.tell();
    }

    fn warning(&mut self, text: &str) {
        self.bar.suspend(|| eprintln!("netorigin: {text}"));
        self.tell();
    }

    fn device(&mut self, _: &DeviceRecord) -> Flow {
        self.devices += 1;
        self.tell();
        Flow::Go
    }

    fn finish<'a>(&'a mut self, _: End<'a>) -> BoxFuture<'a, Result<Flow, Failure>> {
        self.bar.finish_and_clear();
        std::future::ready(Ok(Flow::Go)).boxed()
    }
}

/// Devices by verdict and vendor, as the scheduler's metrics count them.
#[derive(Debug, Default)]
pub struct Tally {
    /// The counts.
    pub counts: BTreeMap<(String, String), u64>,
}

impl Sink for Tally {
    fn device(&mut self, d: &DeviceRecord) -> Flow {
        *self
            .counts
            .entry((
                d.judgement.verdict.to_string(),
                d.identification
                    .vendor
                    .clone()
                    .unwrap_or_else(|| "unidentified".into()),
            ))
            .or_insert(0) += 1;
        Flow::Go
    }

    fn finish<'a>(&'a mut self, _: End<'a>) -> BoxFuture<'a, Result<Flow, Failure>> {
        std::future::ready(Ok(Flow::Go)).boxed()
    }
}
