//! Capture files: the Ethernet frames of a pcap or pcapng file or stream, and a classic pcap
//! file written from frames captured live (`listen --save-pcap`).

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use pcap_parser::{Block, PcapBlockOwned, PcapError, create_reader};

/// A capture that cannot be read, is not a capture, or whose link type is not Ethernet; the
/// message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadCapture(pub String);

/// One frame as captured: when, and its bytes.
#[derive(Debug, Clone)]
pub struct Captured {
    /// When it was read.
    pub at: SystemTime,
    /// The Ethernet frame.
    pub bytes: Vec<u8>,
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
/// capture, or has a link type other than Ethernet is an error naming the file.
pub fn read_capture(path: &Path) -> Result<Vec<Vec<u8>>, BadCapture> {
    let file = std::fs::File::open(path)
        .map_err(|e| BadCapture(format!("{}: cannot read: {e}", path.display())))?;
    capture_frames(&path.display().to_string(), file)
}

/// The Ethernet frames of a pcap or pcapng stream; `name` names it in errors.
pub fn capture_frames(
    name: &str,
    input: impl std::io::Read + Send,
) -> Result<Vec<Vec<u8>>, BadCapture> {
    let bad = |what: String| BadCapture(format!("{name}: {what}"));
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
    use std::time::Duration;

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
}
