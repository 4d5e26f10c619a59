//! Sweeps on time, one after another, each stored in the history database; the metrics of
//! the scheduler kept up to date for whoever serves them.
//!
//! - Every DURATION: a sweep at once and then every DURATION from that start (a sweep that
//!   runs long makes the scheduler skip the starts it missed, never run two at once); or at
//!   the times a calendar (a cron expression) names.
//! - Each start waits a random time up to the jitter more, so that many schedulers do not hit
//!   the network together.
//! - One scheduler per database: a second one on the same file refuses to start.
//! - Ctrl-C or SIGTERM: the sweep in progress stops, what it collected is stored and the sweep
//!   marked interrupted, and the scheduler ends.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::plan::{SweepPlan, prepare_sweep};
use super::sweep::SweepRun;
use super::{Failure, Stop, other, store_failure};
use crate::record::LedgerState;
use crate::report::metrics::Metrics;
use crate::store::LedgerFilter;
use crate::store::ledger::ABSENT_AFTER;
use crate::store::{ScheduleLock, Store, now_ms, timestamp};

/// When sweeps start.
pub enum Timing<'a> {
    /// At once, then every this long from that start.
    Every(Duration),
    /// At the times a calendar names: the next start after a time (Unix milliseconds).
    Calendar(&'a (dyn Fn(i64) -> Result<i64, Failure> + Sync)),
}

/// A scheduler that has checked its sweep and holds its database's scheduler lock.
pub struct Scheduler {
    _lock: Option<ScheduleLock>,
    /// The metrics, kept up to date by the scheduler.
    pub metrics: Arc<Mutex<Metrics>>,
}

/// Checks the sweep (everything a person can get wrong, before the first wait: exit code 2)
/// and takes the database's scheduler lock; `None` for a dry run, which has said what it
/// would do.
pub fn begin(plan: &SweepPlan) -> Result<Option<Scheduler>, Failure> {
    if plan.dry_run {
        prepare_sweep(plan)?;
        return Ok(None);
    }
    let db = plan.store.path()?;
    let lock = match &db {
        Some(path) => {
            let store = Store::open(path).map_err(store_failure)?;
            Some(ScheduleLock::take(store.path()).map_err(other)?)
        }
        None => None,
    };
    drop(prepare_sweep(plan)?);
    let metrics = Arc::new(Mutex::new(Metrics::default()));
    if let Some(path) = &db {
        seed_metrics(path, &metrics);
    }
    Ok(Some(Scheduler {
        _lock: lock,
        metrics,
    }))
}

impl Scheduler {
    /// Sweeps as `timing` says, each start up to `jitter` later, until Ctrl-C or SIGTERM.
    pub async fn run(
        self,
        plan: &SweepPlan,
        timing: Timing<'_>,
        jitter: Duration,
    ) -> Result<(), Failure> {
        let metrics = &self.metrics;
        let mut stop = Stop::listen();
        // Unix milliseconds of the next start, before jitter.
        let mut next: i64 = match timing {
            Timing::Calendar(next_start) => next_start(now_ms())?,
            Timing::Every(_) => now_ms(),
        };
        loop {
            let due = next + random_up_to(jitter).as_millis() as i64;
            if let Ok(mut m) = metrics.lock() {
                m.next_sweep = Some(due as f64 / 1000.0);
            }
            eprintln!("netorigin: next sweep at {}", timestamp(due));
            let wait = Duration::from_millis(u64::try_from(due - now_ms()).unwrap_or(0));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.stopped() => break,
            }
            let began = Instant::now();
            let result = match prepare_sweep(plan) {
                Ok(Some(prepared)) => prepared.run(plan, stop.clone()).await,
                Ok(None) => return Ok(()),
                Err(e) => Err(e),
            };
            count(metrics, &result, began.elapsed().as_secs_f64());
            match result {
                Ok(run) if run.interrupted || stop.is_stopped() => {
                    if let Some((id, n)) = run.stored {
                        eprintln!(
                            "netorigin: stopped; the sweep in progress is stored as #{id} (interrupted, {})",
                            crate::words::count(n, "device", "devices")
                        );
                    }
                    break;
                }
                Ok(run) => {
                    if let Ok(Some(db)) = plan.store.path() {
                        ledger_metrics(&db, metrics);
                    }
                    if let Err(f) = run.findings {
                        eprintln!("netorigin: {f}");
                    }
                    if let (Some(upload), Ok(Some(db))) = (&plan.upload, plan.store.path()) {
                        super::upload::after_sweep(&db, upload).await;
                    }
                }
                Err(e) => eprintln!("netorigin: the sweep failed: {e}"),
            }
            if stop.is_stopped() {
                break;
            }
            next = match timing {
                Timing::Calendar(next_start) => next_start(now_ms())?,
                Timing::Every(every) => skip_missed(next, every),
            };
        }
        Ok(())
    }
}

/// The next start `every` after `next` that is still to come, saying how many were missed.
fn skip_missed(next: i64, every: Duration) -> i64 {
    let every = every.as_millis() as i64;
    let mut n = next + every;
    let mut skipped = 0;
    while n <= now_ms() {
        n += every;
        skipped += 1;
    }
    if skipped > 0 {
        eprintln!("netorigin: the sweep ran past {skipped} of its starts; they are skipped");
    }
    n
}

/// Counts a sweep's end in the metrics: when, how long it took, how it ended, its addresses
/// and, for a complete sweep, its devices.
fn count(metrics: &Mutex<Metrics>, result: &Result<SweepRun, Failure>, took: f64) {
    let mut m = metrics.lock().unwrap_or_else(|p| p.into_inner());
    m.last_sweep_end = Some(now_ms() as f64 / 1000.0);
    m.last_sweep_duration = Some(took);
    match result {
        Ok(run) => {
            let status = if run.interrupted {
                "interrupted"
            } else {
                "complete"
            };
            *m.sweeps.entry(status).or_insert(0) += 1;
            m.last_addresses = Some((
                run.summary.probed,
                run.summary.responders,
                run.summary.silent,
            ));
            m.last_timeouts = Some(run.summary.timeouts);
            if !run.interrupted {
                m.devices = run.counts.clone();
            }
        }
        Err(_) => {
            *m.sweeps.entry("failed").or_insert(0) += 1;
            m.errors += 1;
        }
    }
}

/// A random duration in `0..=max`, from the standard library's randomly keyed hasher.
fn random_up_to(max: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    if max.is_zero() {
        return Duration::ZERO;
    }
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let millis = max.as_millis().min(u128::from(u64::MAX)) as u64;
    Duration::from_millis(h.finish() % (millis + 1))
}

/// Starts the device gauges from the last complete sweep already stored, so that a restarted
/// scheduler does not report an empty network until its first sweep ends.
fn seed_metrics(path: &std::path::Path, metrics: &Mutex<Metrics>) {
    let Ok(store) = Store::open(path) else {
        return;
    };
    let Some(last) = store.last_complete(1).ok().and_then(|mut v| v.pop()) else {
        return;
    };
    let Ok(devices) = store.devices(last.id) else {
        return;
    };
    let mut m = metrics.lock().unwrap_or_else(|p| p.into_inner());
    for d in devices {
        *m.devices
            .entry((
                d.verdict.to_string(),
                d.vendor.clone().unwrap_or_else(|| "unidentified".into()),
            ))
            .or_insert(0) += 1;
    }
    m.last_sweep_end = last.ended_ms.map(|e| e as f64 / 1000.0);
    m.last_sweep_duration = last.ended_ms.map(|e| (e - last.started_ms) as f64 / 1000.0);
    drop(m);
    ledger_metrics(path, metrics);
}

/// The removal ledger's gauges from the database: items by state, those a sweep saw again
/// after removal, those sweeps no longer see (after [`ABSENT_AFTER`] sweeps of their range).
fn ledger_metrics(path: &std::path::Path, metrics: &Mutex<Metrics>) {
    let Ok(items) = Store::open(path).and_then(|s| s.ledger_items(&LedgerFilter::default())) else {
        return;
    };
    let mut m = metrics.lock().unwrap_or_else(|p| p.into_inner());
    m.ledger = LedgerState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for i in &items {
        *m.ledger.entry(i.state.as_str()).or_insert(0) += 1;
    }
    m.ledger_reappeared = items.iter().filter(|i| i.reappeared()).count() as u64;
    m.ledger_unconfirmed_absent = items
        .iter()
        .filter(|i| i.unconfirmed_absent(ABSENT_AFTER))
        .count() as u64;
}
