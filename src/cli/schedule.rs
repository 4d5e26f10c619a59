//! `netorigin schedule`: sweeps on time, one after another, each stored in the history
//! database; Prometheus metrics over a small HTTP/1.1 responder.
//!
//! - `--every 6h` sweeps at once and then every six hours from that start (a sweep that runs
//!   long makes the scheduler skip the starts it missed, never run two at once); `--cron`
//!   sweeps at the minutes a five-field cron expression names, in UTC.
//! - Each start waits a random time up to `--jitter` more, so that many schedulers do not hit
//!   the network together.
//! - One scheduler per database: a second one on the same file refuses to start.
//! - Ctrl-C or SIGTERM: the sweep in progress stops, what it collected is stored and the sweep
//!   marked interrupted, and the scheduler exits with code 0.
//! - The metrics responder answers `GET /metrics` and nothing else; it reads at most 8 KiB of
//!   a request and gives each connection 5 seconds.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::SweepArgs;
use super::cron::{Cron, parse_duration, parse_interval};
use crate::pipeline::plan::prepare_sweep;
use crate::pipeline::{Failure, Stop, other, store_failure, usage};
use crate::report::metrics::Metrics;
use crate::store::{ScheduleLock, Store, now_ms, timestamp};

/// `netorigin schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// Sweep at once, then every DURATION from that start (e.g. 6h, 30m, 1h30m, 90s).
    #[arg(long, value_name = "DURATION", value_parser = parse_interval, required_unless_present = "cron", conflicts_with = "cron")]
    pub every: Option<Duration>,
    /// Sweep at the minutes this cron expression names, in UTC: five fields (minute hour
    /// day-of-month month day-of-week), each *, N, A-B, */S, A-B/S or a list, e.g. "0 */6 * * *".
    #[arg(long, value_name = "EXPR", value_parser = Cron::parse)]
    pub cron: Option<Cron>,
    /// Wait up to this much longer before each sweep, at random (default: a tenth of --every,
    /// at most 5m; none with --cron).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub jitter: Option<Duration>,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9161).
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// The sweep, as `netorigin sweep` takes it.
    #[command(flatten)]
    pub sweep: SweepArgs,
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

/// Runs `schedule`.
pub async fn schedule_command(args: ScheduleArgs) -> Result<(), Failure> {
    let plan = args.sweep.plan();
    if args.sweep.dry_run {
        prepare_sweep(&plan)?;
        return Ok(());
    }
    let jitter = args.jitter.unwrap_or_else(|| match args.every {
        Some(every) => (every / 10).min(Duration::from_secs(300)),
        None => Duration::ZERO,
    });
    // Everything a person can get wrong is checked now, before the first wait: exit code 2.
    let db = plan.store.path()?;
    let _lock = match &db {
        Some(path) => {
            let store = Store::open(path).map_err(store_failure)?;
            Some(ScheduleLock::take(store.path()).map_err(other)?)
        }
        None => None,
    };
    drop(prepare_sweep(&plan)?);
    let metrics = Arc::new(Mutex::new(Metrics::default()));
    if let Some(path) = &db {
        seed_metrics(path, &metrics);
    }
    if let Some(addr) = args.metrics_listen {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| usage(format!("--metrics-listen {addr}: {e}")))?;
        let local = listener.local_addr().map_err(other)?;
        eprintln!("netorigin: metrics at http://{local}/metrics");
        tokio::spawn(serve_metrics(listener, metrics.clone()));
    }
    let mut stop = Stop::listen();
    // Unix milliseconds of the next start, before jitter.
    let mut next: i64 = match (&args.cron, args.every) {
        (Some(cron), _) => next_cron(cron, now_ms())?,
        (None, _) => now_ms(),
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
        let result = match prepare_sweep(&plan) {
            Ok(Some(prepared)) => prepared.run(&plan, stop.clone()).await,
            Ok(None) => return Ok(()),
            Err(e) => Err(e),
        };
        let took = began.elapsed().as_secs_f64();
        {
            let mut m = metrics.lock().unwrap_or_else(|p| p.into_inner());
            m.last_sweep_end = Some(now_ms() as f64 / 1000.0);
            m.last_sweep_duration = Some(took);
            match &result {
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
                if let Err(f) = run.findings {
                    eprintln!("netorigin: {f}");
                }
            }
            Err(e) => eprintln!("netorigin: the sweep failed: {e}"),
        }
        if stop.is_stopped() {
            break;
        }
        next = match (&args.cron, args.every) {
            (Some(cron), _) => next_cron(cron, now_ms())?,
            (None, Some(every)) => {
                let every = every.as_millis() as i64;
                let mut n = next + every;
                let mut skipped = 0;
                while n <= now_ms() {
                    n += every;
                    skipped += 1;
                }
                if skipped > 0 {
                    eprintln!(
                        "netorigin: the sweep ran past {skipped} of its starts; they are skipped"
                    );
                }
                n
            }
            (None, None) => return Err(usage("--every or --cron is needed")),
        };
    }
    Ok(())
}

fn next_cron(cron: &Cron, now: i64) -> Result<i64, Failure> {
    cron.next_after(now.div_euclid(1000))
        .map(|s| s * 1000)
        .ok_or_else(|| {
            usage(format!(
                "--cron {cron:?} names no time in the next five years"
            ))
        })
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
                d.verdict.clone(),
                d.vendor.clone().unwrap_or_else(|| "unidentified".into()),
            ))
            .or_insert(0) += 1;
    }
    m.last_sweep_end = last.ended_ms.map(|e| e as f64 / 1000.0);
    m.last_sweep_duration = last.ended_ms.map(|e| (e - last.started_ms) as f64 / 1000.0);
}

async fn serve_metrics(listener: tokio::net::TcpListener, metrics: Arc<Mutex<Metrics>>) {
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), answer(conn, &metrics)).await;
        });
    }
}

/// Reads one request and answers it: the metrics for `GET /metrics`, 404 or 405 otherwise.
async fn answer(mut conn: tokio::net::TcpStream, metrics: &Mutex<Metrics>) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut words = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let (status, body, kind) = match (method, path) {
        ("GET" | "HEAD", "/metrics") => {
            let text = metrics.lock().unwrap_or_else(|p| p.into_inner()).render();
            ("200 OK", text, "text/plain; version=0.0.4; charset=utf-8")
        }
        ("GET" | "HEAD", _) => (
            "404 Not Found",
            "netorigin serves /metrics only\n".to_string(),
            "text/plain; charset=utf-8",
        ),
        _ => (
            "405 Method Not Allowed",
            "GET /metrics\n".to_string(),
            "text/plain; charset=utf-8",
        ),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method != "HEAD" {
        response.extend_from_slice(body.as_bytes());
    }
    conn.write_all(&response).await?;
    conn.shutdown().await
}
