//! Offline pipelines: records made with no network (recordings identified, frames heard) →
//! judging → the report writer.

use std::path::PathBuf;

use super::observers::Report;
use super::observers::Reporting;
use super::plan::provenance;
use super::{
    End, Failure, Flow, Judging, Policies, Sink, Stopped, other, tell_recording_notes, usage,
};
use crate::discover::SweepSummary;
use crate::discover::build::{NeighborCollector, device_record, on_every_core};
use crate::identify::Identifier;
use crate::record::{DiscoveredVia, Observations, Observed};
use crate::simulate::Recording;
use crate::simulate::files::load_recordings;
use crate::simulate::recording::BadLines;

/// Identifies recordings with no network, judges and reports them (`identify`).
pub async fn identify(
    paths: &[PathBuf],
    bad_lines: BadLines,
    policy: &Policies,
    output: &Report,
) -> Result<(), Failure> {
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(policy, &identifier)?;
    let recordings = load_recordings(paths, bad_lines).map_err(usage)?;
    tell_recording_notes(&recordings);
    let mut records = on_every_core(&recordings, |r| recorded(r, &identifier));
    let mut neighbors = NeighborCollector::default();
    for record in &records {
        neighbors.add(record, &identifier);
    }
    records.extend(neighbors.finish());
    report_offline(
        records,
        recordings.len() as u64,
        &identifier,
        judging,
        output,
    )
    .await
}

/// The record of a recording, as if its device had been swept (not judged yet).
pub(crate) fn recorded(r: &Recording, identifier: &Identifier) -> Observed {
    let mut obs = Observations::default();
    obs.extend(r.objects.iter().cloned());
    device_record(
        r.source.display().to_string(),
        DiscoveredVia::Recording,
        None,
        &obs,
        r.skipped_summary(),
        identifier,
    )
}

/// Judges and reports records made with no network (recordings, captures); `sources` is how
/// many recordings or senders they came from. Exit code 3 as `--fail-on` says.
pub async fn report_offline(
    records: Vec<Observed>,
    sources: u64,
    identifier: &Identifier,
    mut judging: Judging,
    output: &Report,
) -> Result<(), Failure> {
    let mut reporting = Reporting::open(output, provenance(identifier, &judging))?;
    let mut sinks: [&mut dyn Sink; 1] = [&mut reporting];
    let mut stopped = None;
    for record in records {
        if super::device(&mut sinks, &judging.judge(record)) == Flow::Stop {
            stopped = Some(Stopped::ReaderGone);
            break;
        }
    }
    let summary = SweepSummary {
        probed: sources,
        responders: sources,
        ..SweepSummary::default()
    };
    let shares = judging.shares();
    let end = End::Done {
        summary: &summary,
        stopped,
        shares: &shares,
    };
    match super::finish(&mut sinks, end).await? {
        Flow::Stop => Ok(()),
        Flow::Go => judging.outcome(),
    }
}
