//! `netorigin listen`: identify the devices heard in LLDP and CDP frames of a capture file
//! (pcap or pcapng, Ethernet link type), with no packet sent. Live capture is not here yet.

use std::path::{Path, PathBuf};

use clap::Args;
use pcap_parser::{Block, PcapBlockOwned, PcapError, create_reader};

use super::{Failure, Judging, other, report_offline};
use crate::discover::passive::{Heard, records};
use crate::identify::Identifier;
use crate::wire::cdp::Packet;
use crate::wire::ethernet::{Frame, Payload};
use crate::wire::lldp::Lldpdu;

/// Options of `listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// A capture file (pcap or pcapng) to read LLDP and CDP frames from.
    #[arg(long, value_name = "FILE")]
    pub pcap: PathBuf,
    /// Report options.
    #[command(flatten)]
    pub output: super::OutputArgs,
    /// Policy options.
    #[command(flatten)]
    pub policy: super::PolicyArgs,
}

/// Reads the capture, builds a record per device heard, judges and reports them.
pub fn listen_command(args: ListenArgs) -> Result<(), Failure> {
    let capture = read_capture(&args.pcap)?;
    let identifier = Identifier::bundled().map_err(other)?;
    let judging = Judging::load(&args.policy, &identifier)?;
    let mut heard = Vec::new();
    for (n, frame) in capture.iter().enumerate() {
        match decode(frame) {
            Ok(Some(h)) => heard.push(h),
            Ok(None) => {}
            Err(e) => eprintln!("{}: frame {}: {e}", args.pcap.display(), n + 1),
        }
    }
    let devices = records(&heard, &identifier);
    let n = devices.len() as u64;
    report_offline(devices, n, &identifier, judging, &args.output)
}

/// Decodes one Ethernet frame: `None` when it is neither LLDP nor CDP.
pub fn decode(frame: &[u8]) -> Result<Option<Heard>, crate::wire::WireError> {
    let f = Frame::parse(frame)?;
    Ok(match f.payload {
        Payload::Lldp(b) => Some(Heard::Lldp {
            source: f.source,
            du: Box::new(Lldpdu::parse(b)?),
        }),
        Payload::Cdp(b) => Some(Heard::Cdp {
            source: f.source,
            packet: Packet::parse(b)?,
        }),
        Payload::Unknown(_) => None,
    })
}

/// The Ethernet frames of a pcap or pcapng file. A file that cannot be read, is not a
/// capture, or has a link type other than Ethernet is a usage error naming the file.
pub fn read_capture(path: &Path) -> Result<Vec<Vec<u8>>, Failure> {
    let bad = |what: String| Failure::Usage(format!("{}: {what}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let mut reader =
        create_reader(65536, file).map_err(|e| bad(format!("not a pcap or pcapng file ({e})")))?;
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
