//! `netorigin schedule`: sweeps on time ([`crate::pipeline::schedule`]): `--every 6h` at once
//! and then every six hours from that start, `--cron` at the minutes a five-field cron
//! expression names, in UTC; Prometheus metrics over HTTP (`net::metrics_http`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;

use super::SweepArgs;
use crate::cron::{Cron, parse_duration, parse_interval};
use crate::net::metrics_http;
use crate::pipeline::schedule::{Timing, begin};
use crate::pipeline::{Failure, other, usage};
use crate::report::metrics::Metrics;

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

/// Runs `schedule`.
pub async fn schedule_command(args: ScheduleArgs) -> Result<(), Failure> {
    let plan = args.sweep.plan_with_upload()?;
    let Some(scheduler) = begin(&plan)? else {
        return Ok(());
    };
    let jitter = args.jitter.unwrap_or_else(|| match args.every {
        Some(every) => (every / 10).min(Duration::from_secs(300)),
        None => Duration::ZERO,
    });
    if let Some(addr) = args.metrics_listen {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| usage(format!("--metrics-listen {addr}: {e}")))?;
        let local = listener.local_addr().map_err(other)?;
        eprintln!("netorigin: metrics at http://{local}/metrics");
        tokio::spawn(metrics_http::serve(
            listener,
            text(scheduler.metrics.clone()),
        ));
    }
    let next_start = |now: i64| match &args.cron {
        Some(cron) => next_cron(cron, now),
        None => Err(usage("--every or --cron is needed")),
    };
    let timing = match args.every {
        Some(every) if args.cron.is_none() => Timing::Every(every),
        _ => Timing::Calendar(&next_start),
    };
    scheduler.run(&plan, timing, jitter).await
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

/// The metrics' Prometheus text as the endpoint asks for it.
fn text(metrics: Arc<Mutex<Metrics>>) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    move || metrics.lock().unwrap_or_else(|p| p.into_inner()).render()
}
