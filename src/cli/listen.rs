//! `netorigin listen`: identify the devices heard in LLDP and CDP frames, from a capture file
//! (pcap or pcapng, Ethernet link type) or live on an interface, with no packet sent.
//!
//! Live capture opens a Linux packet socket through `pnet_datalink` (no system library) on a
//! blocking thread whose reads time out every [`READ_TICK`], so that the duration, a device
//! count, Ctrl-C or SIGTERM stop it within that tick. Nothing heard is lost on a stop: the
//! report is written from every frame heard until then.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use clap::Args;

use crate::discover::passive::{Heard, decode, decode_frame, records};
use crate::identify::Identifier;
use crate::net::pcap::{Captured, read_capture, write_pcap};
use crate::pipeline::offline::report_offline;
use crate::pipeline::{Failure, Judging, Shutdown, other};
use crate::wire::ethernet::{Frame, Payload, mac_string};

/// How often the capture thread looks at its stop conditions.
pub const READ_TICK: Duration = Duration::from_millis(200);

/// Options of `listen`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["pcap", "interface"]))]
pub struct ListenArgs {
    /// A capture file (pcap or pcapng) to read LLDP and CDP frames from.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// A network interface to listen on (Linux; needs CAP_NET_RAW: run as root, or
    /// `setcap cap_net_raw+ep` the binary). The interface is put in promiscuous mode while
    /// listening, as tcpdump does. Nothing is sent.
    #[arg(long, value_name = "IF")]
    pub interface: Option<String>,
    /// How long to listen on --interface, in seconds. LLDP agents send every 30 s and CDP
    /// agents every 60 s by default, so the default hears every neighbour at least once.
    #[arg(long, value_name = "S", default_value_t = 61, requires = "interface",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub duration: u64,
    /// Stop listening as soon as this many distinct devices have been heard.
    #[arg(long, value_name = "N", requires = "interface",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub until_heard: Option<u64>,
    /// Save the LLDP and CDP frames heard on --interface to this pcap file, as evidence that
    /// `listen --pcap` reads again.
    #[arg(long, value_name = "FILE", requires = "interface")]
    pub save_pcap: Option<PathBuf>,
    /// Report options.
    #[command(flatten)]
    pub output: super::OutputArgs,
    /// Policy options.
    #[command(flatten)]
    pub policy: super::PolicyArgs,
}

/// Listens or reads the capture, builds a record per device heard, judges and reports them.
pub async fn listen_command(args: ListenArgs) -> Result<(), Failure> {
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(&args.policy.policies(), &identifier)?;
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
    report_offline(devices, n, &identifier, judging, &args.output.report()).await
}

/// Captures on `name` until the duration ends, `--until-heard` devices have been heard, or
/// Ctrl-C/SIGTERM; returns the LLDP and CDP frames heard (malformed ones included, so that
/// they are reported). Frames sent by this host (source MAC = the interface's) are left out.
async fn listen_live(name: &str, args: &ListenArgs) -> Result<Vec<Captured>, Failure> {
    let interfaces = pnet_datalink::interfaces();
    let Some(interface) = interfaces.iter().find(|i| i.name == name).cloned() else {
        let names: Vec<&str> = interfaces.iter().map(|i| i.name.as_str()).collect();
        return Err(Failure::Usage(format!(
            "--interface {name}: no such interface here (there are: {})",
            names.join(", ")
        )));
    };
    if !interface.is_up() {
        eprintln!("warning: interface {name} is down: nothing will be heard until it is up");
    }
    let config = pnet_datalink::Config {
        read_timeout: Some(READ_TICK),
        read_buffer_size: 65_536,
        ..pnet_datalink::Config::default()
    };
    let rx = match pnet_datalink::channel(&interface, config) {
        Ok(pnet_datalink::Channel::Ethernet(_tx, rx)) => rx,
        Ok(_) => return Err(Failure::Other(format!("{name}: not an Ethernet interface"))),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Failure::Other(format!(
                "cannot capture on {name}: {e}. Listening needs CAP_NET_RAW: run as root, or \
                 `sudo setcap cap_net_raw+ep` the netorigin binary"
            )));
        }
        Err(e) => return Err(Failure::Other(format!("cannot capture on {name}: {e}"))),
    };
    let own = interface.mac.map(|m| m.octets());
    let shutdown = Shutdown::listen();
    let stop = Arc::new(AtomicBool::new(false));
    let limits = Limits {
        until: Instant::now() + Duration::from_secs(args.duration),
        devices: args.until_heard,
        own,
    };
    eprintln!(
        "listening on {name} for up to {} s for LLDP and CDP (nothing is sent; Ctrl-C stops)",
        args.duration
    );
    let thread_stop = stop.clone();
    let mut capture = tokio::task::spawn_blocking(move || capture(rx, limits, &thread_stop));
    let result = tokio::select! {
        r = &mut capture => r,
        () = shutdown.wait() => {
            eprintln!("stopping: reporting what was heard so far");
            stop.store(true, Ordering::Relaxed);
            capture.await
        }
    };
    result.map_err(other)?
}

/// When the capture stops.
struct Limits {
    until: Instant,
    devices: Option<u64>,
    own: Option<[u8; 6]>,
}

fn capture(
    mut rx: Box<dyn pnet_datalink::DataLinkReceiver>,
    limits: Limits,
    stop: &AtomicBool,
) -> Result<Vec<Captured>, Failure> {
    let mut frames = Vec::new();
    let mut keys: HashSet<String> = HashSet::new();
    let mut stderr = std::io::stderr();
    while !stop.load(Ordering::Relaxed) && Instant::now() < limits.until {
        let bytes = match rx.next() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // The interface went down, or the socket failed: keep what was heard.
            Err(e) => {
                let _ = writeln!(stderr, "capture stopped: {e}; reporting what was heard");
                break;
            }
        };
        let Some(heard) = relevant(bytes, limits.own) else {
            continue;
        };
        frames.push(Captured {
            at: SystemTime::now(),
            bytes: bytes.to_vec(),
        });
        if let Some(h) = heard
            && keys.insert(h.key())
        {
            let _ = writeln!(stderr, "heard {} ({} so far)", describe(&h), keys.len());
            if limits.devices.is_some_and(|n| keys.len() as u64 >= n) {
                break;
            }
        }
    }
    Ok(frames)
}

/// `None` for frames that are not LLDP or CDP, or that this host sent; `Some(None)` for an
/// LLDP or CDP frame that does not decode (kept, and reported later); `Some(Some(h))` else.
fn relevant(bytes: &[u8], own: Option<[u8; 6]>) -> Option<Option<Heard>> {
    let f = Frame::parse(bytes).ok()?;
    if Some(f.source) == own || matches!(f.payload, Payload::Unknown(_)) {
        return None;
    }
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
