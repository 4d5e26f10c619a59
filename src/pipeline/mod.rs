//! The application layer: each command that finds devices is one pipeline from its input to
//! its observers. A sweep (targets → [`crate::discover::sweep()`]), an offline identification
//! (recordings → [`crate::discover::build`]) and a passive listen (frames →
//! [`crate::discover::passive`]) each yield device records; [`judging`] judges each by the
//! policies, and every judged record and progress event goes to every [`Sink`]: the report
//! writer, the store's recorder, the progress bar ([`observers`]) and whatever a front end
//! adds. Front ends (the command line today) build the options and the observers and call
//! these.

pub mod export;
pub mod failure;
pub mod fleet;
pub mod history;
pub mod judging;
pub mod ledger;
pub mod listen;
pub mod observers;
pub mod offline;
pub mod plan;
pub mod schedule;
pub mod server;
pub mod signals;
pub mod simulation;
pub mod sweep;
pub mod upload;

use futures::future::BoxFuture;

use crate::discover::SweepSummary;
use crate::record::DeviceRecord;
use crate::simulate::Recording;
pub use failure::{Failure, is_closed_pipe, store_failure, write_failure};
pub(crate) use failure::{other, usage};
pub use judging::{FailOn, Judging, Policies};
pub use signals::{Shutdown, Stop};

/// Whether a pipeline goes on after an observer has taken something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Go,
    /// Stop: the observer's reader went away (`| head`), so there is nobody to report to.
    Stop,
}

/// Why a pipeline stopped before its input ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Ctrl-C or SIGTERM.
    Signal,
    /// An observer's reader went away.
    ReaderGone,
}

/// How a pipeline ended, as its observers hear it.
#[derive(Debug, Clone, Copy)]
pub enum End<'a> {
    /// The input ran out, or the pipeline was stopped early: its totals as far as it went.
    Done {
        /// The totals.
        summary: &'a SweepSummary,
        /// Why it stopped early, if it did.
        stopped: Option<Stopped>,
        /// The policies' share caps over the devices judged.
        shares: &'a [crate::record::Share],
    },
    /// The sweep failed; what went wrong.
    Failed(&'a str),
}

/// An observer of a pipeline (ripgrep's `Sink`): it hears every progress event and every
/// judged record, in order, then how the pipeline ended.
pub trait Sink: Send {
    /// An address was probed; `answered` says whether anything answered.
    fn probed(&mut self, _answered: bool) {}

    /// Something went wrong that is not about one device.
    fn warning(&mut self, _text: &str) {}

    /// A judged device. [`Flow::Stop`] asks the pipeline to stop.
    fn device(&mut self, device: &DeviceRecord) -> Flow;

    /// The pipeline ended. [`Flow::Stop`] says the reader went away: nothing more is said.
    fn finish<'a>(&'a mut self, end: End<'a>) -> BoxFuture<'a, Result<Flow, Failure>>;
}

/// Tells every observer how the pipeline ended, in order, stopping at the first failure;
/// [`Flow::Stop`] if any of them says its reader went away.
pub async fn finish(sinks: &mut [&mut dyn Sink], end: End<'_>) -> Result<Flow, Failure> {
    let mut flow = Flow::Go;
    for sink in sinks.iter_mut() {
        if sink.finish(end).await? == Flow::Stop {
            flow = Flow::Stop;
        }
    }
    Ok(flow)
}

/// Hands a judged device to every observer; [`Flow::Stop`] if any of them asks to stop.
pub fn device(sinks: &mut [&mut dyn Sink], device: &DeviceRecord) -> Flow {
    let mut flow = Flow::Go;
    for sink in sinks.iter_mut() {
        if sink.device(device) == Flow::Stop {
            flow = Flow::Stop;
        }
    }
    flow
}

/// Says on standard error what loading changed in each recording: lines left out (the first
/// few, then their count), repeated OIDs dropped.
pub fn tell_recording_notes(recordings: &[Recording]) {
    for r in recordings {
        for line in r.skipped_summary() {
            eprintln!("netorigin: {line}");
        }
        if r.duplicates_dropped > 0 {
            eprintln!(
                "netorigin: {}: {} dropped",
                r.source.display(),
                crate::words::count(r.duplicates_dropped as u64, "repeated OID", "repeated OIDs")
            );
        }
    }
}
