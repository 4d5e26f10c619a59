//! `netorigin listen`: identify the devices heard in LLDP and CDP frames, from a capture file
//! (pcap or pcapng, Ethernet link type) or live on an interface, with no packet sent.
//!
//! Live capture opens a Linux packet socket through `pnet_datalink` (no system library) on a
//! blocking thread whose reads time out every [`READ_TICK`], so that the duration, a device
//! count, Ctrl-C or SIGTERM stop it within that tick. Nothing heard is lost on a stop: the
//! report is written from every frame heard until then.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use pcap_parser::{Block, PcapBlockOwned, PcapError, create_reader};

use super::{Failure, Judging, Shutdown, other, report_offline};
use crate::discover::passive::{Heard, decode, decode_frame, records};
use crate::identify::Identifier;
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

/// One frame as captured: when, and its bytes.
#[derive(Debug, Clone)]
pub struct Captured {
    /// When it was read.
    pub at: SystemTime,
    /// The Ethernet frame.
    pub bytes: Vec<u8>,
}

/// Listens or reads the capture, builds a record per device heard, judges and reports them.
pub async fn listen_command(args: ListenArgs) -> Result<(), Failure> {
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(&args.policy, &identifier)?;
    let (frames, origin) = match (&args.pcap, &args.interface) {
        (Some(path), _) => (read_capture(path)?, path.display().to_string()),
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
    report_offline(devices, n, &identifier, judging, &args.output)
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

/// Writes the frames as a classic pcap file (microsecond timestamps, Ethernet link type).
pub fn write_pcap(path: &Path, frames: &[Captured]) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(24 + frames.iter().map(|f| 16 + f.bytes.len()).sum::<usize>());
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&262_144u32.to_le_bytes()); // snaplen
    out.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
    for f in frames {
        let t = f.at.duration_since(UNIX_EPOCH).unwrap_or_default();
        let len = u32::try_from(f.bytes.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&u32::try_from(t.as_secs()).unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(&t.subsec_micros().to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&f.bytes);
    }
    std::fs::write(path, out)
}

/// The Ethernet frames of a pcap or pcapng file. A file that cannot be read, is not a
/// capture, or has a link type other than Ethernet is a usage error naming the file.
pub fn read_capture(path: &Path) -> Result<Vec<Vec<u8>>, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Usage(format!("{}: cannot read: {e}", path.display())))?;
    capture_frames(&path.display().to_string(), file)
}

/// The Ethernet frames of a pcap or pcapng stream; `name` names it in errors.
pub fn capture_frames(
    name: &str,
    input: impl std::io::Read + Send,
) -> Result<Vec<Vec<u8>>, Failure> {
    let bad = |what: String| Failure::Usage(format!("{name}: {what}"));
    let mut reader = create_reader(1 << 20, input)
        .map_err(|e| bad(format!("not a pcap or pcapng file ({e})")))?;
    let mut frames = Vec::new();
    // pcapng: the link type of each interface, by interface ID.
    let mut interfaces: Vec<u16> = Vec::new();
    let mut legacy_linktype = None;
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::LegacyHeader(h) => legacy_linktype = Some(h.network.0),
                    PcapBlockOwned::Legacy(b) => {
                        let lt = legacy_linktype.unwrap_or(1);
                        if lt != 1 {
                            return Err(bad(format!("link type {lt} is not Ethernet (1)")));
                        }
                        frames.push(b.data.to_vec());
                    }
                    // A new section starts its own list of interfaces.
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => interfaces.clear(),
                    PcapBlockOwned::NG(Block::InterfaceDescription(i)) => {
                        interfaces.push(i.linktype.0 as u16)
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(p)) => {
                        let lt = interfaces.get(p.if_id as usize).copied().unwrap_or(1);
                        if lt != 1 {
                            return Err(bad(format!("link type {lt} is not Ethernet (1)")));
                        }
                        let len = (p.caplen as usize).min(p.data.len());
                        frames.push(p.data[..len].to_vec());
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(p)) => frames.push(p.data.to_vec()),
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                reader
                    .refill()
                    .map_err(|e| bad(format!("cannot read: {e}")))?;
            }
            Err(e) => return Err(bad(format!("bad capture ({e})"))),
        }
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_capture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/pcap")
            .join(name)
    }

    /// A capture saved by `--save-pcap` reads back frame for frame, with its timestamps.
    #[test]
    fn saved_capture_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let frames = vec![
            Captured {
                at: UNIX_EPOCH + Duration::new(1_790_000_000, 123_456_000),
                bytes: vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xcc, 0],
            },
            Captured {
                at: UNIX_EPOCH + Duration::new(1_790_000_001, 0),
                bytes: (0..=255u8).collect(),
            },
        ];
        let path = dir.path().join("heard.pcap");
        write_pcap(&path, &frames).unwrap();
        let back = read_capture(&path).unwrap();
        assert_eq!(back, vec![frames[0].bytes.clone(), frames[1].bytes.clone()]);
        let raw = std::fs::read(&path).unwrap();
        // The first record's timestamp: seconds, then microseconds.
        assert_eq!(&raw[24..28], &1_790_000_000u32.to_le_bytes());
        assert_eq!(&raw[28..32], &123_456u32.to_le_bytes());
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
