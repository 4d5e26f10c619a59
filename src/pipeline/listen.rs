//! The passive listen as a pipeline: LLDP and CDP frames, from a capture file (pcap or pcapng,
//! Ethernet link type) or heard live on an interface ([`crate::net::capture`]), decoded
//! ([`crate::discover::passive`]) into a record per device heard, judged and reported.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::observers::Report;
use super::offline::report_offline;
use super::{Failure, Judging, Policies, Shutdown, other, usage};
use crate::discover::passive::{Heard, decode, decode_frame, records};
use crate::identify::Identifier;
use crate::net::capture;
use crate::net::pcap::{Captured, read_capture, write_pcap};
use crate::wire::ethernet::mac_string;

/// What `listen` listens to, and how long.
#[derive(Debug, Clone)]
pub struct Listening {
    /// A capture file to read.
    pub pcap: Option<PathBuf>,
    /// An interface to listen on.
    pub interface: Option<String>,
    /// How long to listen on the interface, in seconds.
    pub duration: u64,
    /// Stop as soon as this many distinct devices have been heard.
    pub until_heard: Option<u64>,
    /// Where to save the frames heard live, if anywhere.
    pub save_pcap: Option<PathBuf>,
    /// The report.
    pub output: Report,
    /// The policies.
    pub policy: Policies,
}

/// Listens or reads the capture, builds a record per device heard, judges and reports them.
pub async fn listen(args: Listening) -> Result<(), Failure> {
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(&args.policy, &identifier)?;
    let (frames, origin) = match (&args.pcap, &args.interface) {
        (Some(path), _) => (
            read_capture(path).map_err(|e| Failure::Usage(e.to_string()))?,
            path.display().to_string(),
        ),
        (None, Some(interface)) => {
            let frames = listen_live(interface, &args).await?;
            if let Some(path) = &args.save_pcap {
                write_pcap(path, &frames).map_err(|e| {
                    Failure::Other(format!("{}: cannot write the capture: {e}", path.display()))
                })?;
                eprintln!(
                    "{} saved to {}",
                    crate::words::count(frames.len() as u64, "frame", "frames"),
                    path.display()
                );
            }
            (
                frames.into_iter().map(|c| c.bytes).collect(),
                interface.clone(),
            )
        }
        (None, None) => return Err(Failure::Usage("give --pcap FILE or --interface IF".into())),
    };
    let mut heard = Vec::new();
    for (n, frame) in frames.iter().enumerate() {
        match decode(frame) {
            Ok(Some(h)) => heard.push(h),
            Ok(None) => {}
            Err(e) => eprintln!("{origin}: frame {}: {e}", n + 1),
        }
    }
    let devices = records(&heard, &identifier);
    let n = devices.len() as u64;
    report_offline(devices, n, &identifier, judging, &args.output).await
}

/// Captures on `name` until the duration ends, `--until-heard` devices have been heard, or
/// Ctrl-C/SIGTERM; returns the LLDP and CDP frames heard (malformed ones included, so that
/// they are reported). Frames sent by this host (source MAC = the interface's) are left out.
async fn listen_live(name: &str, args: &Listening) -> Result<Vec<Captured>, Failure> {
    let live = capture::open(name, |w| eprintln!("{w}")).map_err(|e| match e.is_bad_input() {
        true => usage(e),
        false => other(e),
    })?;
    let shutdown = Shutdown::listen();
    let stop = Arc::new(AtomicBool::new(false));
    let until = Instant::now() + Duration::from_secs(args.duration);
    let devices = args.until_heard;
    eprintln!(
        "listening on {name} for up to {} s for LLDP and CDP (nothing is sent; Ctrl-C stops)",
        args.duration
    );
    let thread_stop = stop.clone();
    let mut capture = tokio::task::spawn_blocking(move || {
        let mut keys: HashSet<String> = HashSet::new();
        let heard = |frame: crate::wire::ethernet::Frame<'_>| {
            let Some(h) = decode_frame(frame).ok().flatten() else {
                return false;
            };
            if !keys.insert(h.key()) {
                return false;
            }
            let _ = writeln!(
                std::io::stderr(),
                "heard {} ({} so far)",
                describe(&h),
                keys.len()
            );
            devices.is_some_and(|n| keys.len() as u64 >= n)
        };
        let tell = |line: String| {
            let _ = writeln!(std::io::stderr(), "{line}");
        };
        live.capture(until, &thread_stop, heard, tell)
    });
    let result = tokio::select! {
        r = &mut capture => r,
        () = shutdown.wait() => {
            eprintln!("stopping: reporting what was heard so far");
            stop.store(true, Ordering::Relaxed);
            capture.await
        }
    };
    result.map_err(other)
}

/// `None` for frames that are not LLDP or CDP, or that this host sent; `Some(None)` for an
/// LLDP or CDP frame that does not decode (kept, and reported later); `Some(Some(h))` else.
#[cfg(test)]
fn relevant(bytes: &[u8], own: Option<[u8; 6]>) -> Option<Option<Heard>> {
    let f = capture::discovery_frame(bytes, own)?;
    Some(decode_frame(f).ok().flatten())
}

/// A line about a newly heard device.
fn describe(h: &Heard) -> String {
    match h {
        Heard::Lldp { source, du } => format!(
            "LLDP from {}: chassis {}, system name {}",
            mac_string(source),
            du.chassis_id
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "?".into()),
            crate::report::terminal_safe(du.system_name.as_deref().unwrap_or("?"))
        ),
        Heard::Cdp { source, packet } => format!(
            "CDP from {}: device ID {}, platform {}",
            mac_string(source),
            crate::report::terminal_safe(packet.device_id.as_deref().unwrap_or("?")),
            crate::report::terminal_safe(packet.platform.as_deref().unwrap_or("?"))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn shared_capture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/pcap")
            .join(name)
    }

    /// Live capture keeps LLDP and CDP frames only, and drops the host's own.
    #[test]
    fn only_lldp_and_cdp_from_others_are_kept() {
        let frames = read_capture(&shared_capture("tcpdump-tests/LLDP_and_CDP.pcap")).unwrap();
        let lldp = frames
            .iter()
            .find(|f| matches!(decode(f), Ok(Some(Heard::Lldp { .. }))))
            .expect("an LLDP frame in the capture")
            .clone();
        let source: [u8; 6] = lldp[6..12].try_into().unwrap();
        assert!(matches!(
            relevant(&lldp, None),
            Some(Some(Heard::Lldp { .. }))
        ));
        assert!(
            relevant(&lldp, Some(source)).is_none(),
            "the host's own frame"
        );
        let mut ipv4 = lldp.clone();
        ipv4[12..14].copy_from_slice(&[0x08, 0x00]);
        assert!(relevant(&ipv4, None).is_none(), "not LLDP or CDP");
        let mut broken = lldp[..20].to_vec();
        broken[14] = 0xff;
        assert!(
            matches!(relevant(&broken, None), Some(None)),
            "a malformed LLDP frame is kept, to be reported"
        );
    }
}
