//! The sweep as a pipeline: targets → [`crate::discover::sweep()`] → judging → observers (the
//! progress bar, the count by verdict and vendor, the store's recorder, the report writer), with
//! Ctrl-C/SIGTERM or a reader gone stopping it early, keeping what it has.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::observers::{Progress, Report, Reporting, Storing, Tally};
use super::plan::provenance;
use super::{End, Failure, Flow, Judging, Sink, Stop, Stopped, other, store_failure};
use crate::discover::{Event, SweepConfig, SweepSummary, Targets, sweep};
use crate::identify::Identifier;
use crate::report::Format;
use crate::snmp::backend::AsyncSnmp;

/// What a sweep came to.
#[derive(Debug)]
pub struct SweepRun {
    /// Its totals (for an interrupted sweep, as far as it went).
    pub summary: SweepSummary,
    /// Whether it was stopped before the end.
    pub interrupted: bool,
    /// Devices collected.
    pub devices: u64,
    /// Devices by verdict and vendor.
    pub counts: std::collections::BTreeMap<(String, String), u64>,
    /// The sweep's number in the database and how many devices were stored.
    pub stored: Option<(i64, u64)>,
    /// The `--fail-on` outcome.
    pub findings: Result<(), Failure>,
}

/// Where a sweep is stored, and what is stored with it.
pub struct StoreAs {
    /// The database.
    pub store: crate::store::Store,
    /// The sweep's options, without secrets.
    pub parameters: serde_json::Value,
    /// The site that sweeps (`--site`), if named.
    pub site: Option<String>,
}

/// Sweeps, reports, and stores as `store` says if given; stops early, keeping what it has,
/// when `stop` says.
pub async fn run_sweep(
    targets: Targets,
    config: SweepConfig,
    identifier: Identifier,
    mut judging: Judging,
    output: &Report,
    store: Option<StoreAs>,
    stop: Stop,
) -> Result<SweepRun, Failure> {
    let provenance = provenance(&identifier, &judging);
    let data_versions = provenance.line();
    let mut reporting = Reporting::open(output, provenance)?;
    let connector = Arc::new(AsyncSnmp::bind().await.map_err(other)?);
    let mut storing = match store {
        Some(to) => Some(Storing::new({
            judging.with_first_seen(to.store.first_seen().map_err(store_failure)?);
            judging.with_ledger(to.store.ledger_off_network().map_err(store_failure)?);
            to.store
                .begin_sweep(
                    &to.parameters,
                    &data_versions,
                    &judging.today().to_string(),
                    to.site.as_deref(),
                )
                .map_err(store_failure)?
        })),
        None => None,
    };
    let total = u64::try_from(targets.len_hint()).unwrap_or(u64::MAX);
    let mut progress = Progress::new(total);
    let mut tally = Tally::default();
    let mut sinks: Vec<&mut dyn Sink> = vec![&mut progress, &mut tally];
    if let Some(s) = &mut storing {
        sinks.push(s);
    }
    sinks.push(&mut reporting);

    let (tx, rx) = mpsc::channel(1024);
    let (config, identifier) = (Arc::new(config), Arc::new(identifier));
    let task = tokio::spawn(sweep(connector, targets.iter(), config, identifier, tx));
    let run = drive(rx, &mut judging, &mut sinks, stop).await;
    let summary = match run.stopped {
        Some(_) => {
            task.abort();
            SweepSummary {
                probed: run.probed,
                responders: run.responders,
                silent: run.probed - run.responders,
                ..SweepSummary::default()
            }
        }
        None => match task.await {
            Ok(summary) => summary,
            Err(e) => {
                super::finish(&mut sinks, End::Failed(&e.to_string())).await?;
                return Err(other(e));
            }
        },
    };
    let shares = judging.shares();
    let end = End::Done {
        summary: &summary,
        stopped: run.stopped,
        shares: &shares,
    };
    let flow = super::finish(&mut sinks, end).await?;
    drop(sinks);
    let stored = storing.and_then(|s| s.stored());
    let findings = if flow == Flow::Stop {
        Ok(())
    } else {
        tell_summary(output.format, &summary, stored);
        judging.outcome()
    };
    Ok(SweepRun {
        summary,
        interrupted: run.stopped == Some(Stopped::Signal),
        devices: run.devices,
        counts: tally.counts,
        stored,
        findings,
    })
}

/// What [`drive`] saw.
struct Driven {
    probed: u64,
    responders: u64,
    devices: u64,
    stopped: Option<Stopped>,
}

/// Takes the sweep's events until it ends, `stop` says, or an observer's reader goes away:
/// each device judged, then every event to every observer. Stopped early, the events already
/// waiting are taken too, so what was collected is kept.
async fn drive(
    mut rx: mpsc::Receiver<Event>,
    judging: &mut Judging,
    sinks: &mut [&mut dyn Sink],
    mut stop: Stop,
) -> Driven {
    let mut driven = Driven {
        probed: 0,
        responders: 0,
        devices: 0,
        stopped: None,
    };
    let mut take = |event: Event, driven: &mut Driven| match event {
        Event::Probed { answered, .. } => {
            driven.probed += 1;
            driven.responders += u64::from(answered);
            sinks.iter_mut().for_each(|s| s.probed(answered));
        }
        Event::Silent(n) => {
            driven.probed += n;
            for _ in 0..n {
                sinks.iter_mut().for_each(|s| s.probed(false));
            }
        }
        Event::Device(d) => {
            driven.devices += 1;
            let d = judging.judge(*d);
            if super::device(sinks, &d) == Flow::Stop && driven.stopped.is_none() {
                driven.stopped = Some(Stopped::ReaderGone);
            }
        }
        Event::Warning(w) => sinks.iter_mut().for_each(|s| s.warning(&w)),
    };
    loop {
        tokio::select! {
            biased;
            _ = stop.stopped() => {
                driven.stopped = Some(Stopped::Signal);
                break;
            }
            event = rx.recv() => match event {
                Some(event) => take(event, &mut driven),
                None => break,
            },
        }
        if driven.stopped.is_some() {
            break;
        }
    }
    if driven.stopped.is_some() {
        while let Ok(event) = rx.try_recv() {
            take(event, &mut driven);
        }
    }
    driven
}

/// The people's summary on standard error: the totals after a machine format (which keeps
/// standard output clean), and where the sweep was stored.
fn tell_summary(format: Format, summary: &SweepSummary, stored: Option<(i64, u64)>) {
    let stored_line = stored
        .map(|(id, n)| {
            format!(
                "; {} stored as sweep #{id}",
                crate::words::count(n, "device", "devices")
            )
        })
        .unwrap_or_default();
    if format != Format::Table {
        // Machine formats keep standard output clean; the people's summary goes to stderr.
        eprintln!(
            "netorigin: {} probed, {} answered, {} silent{stored_line}",
            crate::words::count(summary.probed, "address", "addresses"),
            summary.responders,
            summary.silent
        );
        if let Some(account) = &summary.first_contact {
            eprintln!("netorigin: {}", account.line());
        }
    } else if !stored_line.is_empty() {
        eprintln!("netorigin: {}", stored_line.trim_start_matches("; "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Policies;
    use crate::record::{Identification, Observed};
    use futures::FutureExt;

    /// An observer that writes down what it hears, and whose reader goes away after `limit`
    /// devices if one is set.
    #[derive(Default)]
    struct Heard {
        lines: Vec<String>,
        limit: Option<usize>,
        devices: usize,
    }

    impl Sink for Heard {
        fn probed(&mut self, answered: bool) {
            self.lines.push(format!("probed {answered}"));
        }
        fn warning(&mut self, text: &str) {
            self.lines.push(format!("warning {text}"));
        }
        fn device(&mut self, d: &crate::record::DeviceRecord) -> Flow {
            self.devices += 1;
            self.lines
                .push(format!("device {} {}", d.address, d.judgement.verdict));
            match self.limit {
                Some(n) if self.devices >= n => Flow::Stop,
                _ => Flow::Go,
            }
        }
        fn finish<'a>(
            &'a mut self,
            _: End<'a>,
        ) -> futures::future::BoxFuture<'a, Result<Flow, Failure>> {
            async { Ok(Flow::Go) }.boxed()
        }
    }

    fn observed(address: &str, origin: &str) -> Event {
        Event::Device(Box::new(Observed {
            address: address.into(),
            identification: Identification {
                origin: Some(origin.into()),
                ..Identification::default()
            },
            ..Observed::default()
        }))
    }

    fn judging() -> Judging {
        let identifier = Identifier::bundled().unwrap();
        Judging::load(&Policies::default(), &identifier).unwrap()
    }

    /// Events waiting in the channel, which is closed: the sweep has ended.
    fn events(events: Vec<Event>) -> mpsc::Receiver<Event> {
        let (tx, rx) = mpsc::channel(events.len().max(1));
        for e in events {
            tx.try_send(e).unwrap();
        }
        rx
    }

    #[tokio::test]
    async fn every_observer_hears_every_event_in_order_with_devices_judged() {
        let rx = events(vec![
            Event::Probed {
                address: "127.0.0.1".parse().unwrap(),
                answered: true,
            },
            observed("127.0.0.1", "huawei"),
            Event::Warning("a walk could not be saved".into()),
            observed("127.0.0.2", "cisco"),
        ]);
        let (mut a, mut b) = (Heard::default(), Heard::default());
        let mut sinks: [&mut dyn Sink; 2] = [&mut a, &mut b];
        let driven = drive(rx, &mut judging(), &mut sinks, Stop::never()).await;
        assert_eq!(
            (
                driven.probed,
                driven.responders,
                driven.devices,
                driven.stopped
            ),
            (1, 1, 2, None)
        );
        let expected = [
            "probed true",
            "device 127.0.0.1 banned",
            "warning a walk could not be saved",
            "device 127.0.0.2 clear",
        ];
        assert_eq!(a.lines, expected);
        assert_eq!(b.lines, expected);
    }

    #[tokio::test]
    async fn a_reader_gone_stops_the_pipeline_but_keeps_what_was_collected() {
        let rx = events(vec![
            observed("127.0.0.1", "huawei"),
            observed("127.0.0.2", "zte"),
            observed("127.0.0.3", "cisco"),
        ]);
        let mut report = Heard {
            limit: Some(1),
            ..Heard::default()
        };
        let mut store = Heard::default();
        let mut sinks: [&mut dyn Sink; 2] = [&mut store, &mut report];
        let driven = drive(rx, &mut judging(), &mut sinks, Stop::never()).await;
        assert_eq!(driven.stopped, Some(Stopped::ReaderGone));
        // The devices already collected still reach the store.
        assert_eq!(driven.devices, 3);
        assert_eq!(
            store.lines,
            [
                "device 127.0.0.1 banned",
                "device 127.0.0.2 banned",
                "device 127.0.0.3 clear"
            ]
        );
    }
}
