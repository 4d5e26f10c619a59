//! Live capture of LLDP and CDP frames on an interface, with no packet sent.
//!
//! A Linux packet socket through `pnet_datalink` (no system library), read on a blocking thread
//! whose reads time out every [`READ_TICK`], so that a deadline, the caller's stop flag or what
//! the caller makes of a frame stop it within that tick. Nothing heard is lost on a stop: the
//! frames heard until then are returned.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::pcap::Captured;
use crate::wire::ethernet::{Frame, Payload};

/// How often the capture thread looks at its stop conditions.
pub const READ_TICK: Duration = Duration::from_millis(200);

/// Why an interface cannot be listened on.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// No interface of that name (bad input).
    #[error("--interface {name}: no such interface here (there are: {})", .names.join(", "))]
    NoSuchInterface {
        /// The name asked for.
        name: String,
        /// The interfaces there are.
        names: Vec<String>,
    },
    /// The interface is not Ethernet.
    #[error("{0}: not an Ethernet interface")]
    NotEthernet(String),
    /// Not allowed to capture.
    #[error(
        "cannot capture on {name}: {source}. Listening needs CAP_NET_RAW: run as root, or \
         `sudo setcap cap_net_raw+ep` the netorigin binary"
    )]
    Denied {
        /// The interface.
        name: String,
        /// The error of the socket.
        source: std::io::Error,
    },
    /// The packet socket could not be opened.
    #[error("cannot capture on {name}: {source}")]
    Open {
        /// The interface.
        name: String,
        /// The error of the socket.
        source: std::io::Error,
    },
}

impl CaptureError {
    /// Whether a person named something that is not there (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, CaptureError::NoSuchInterface { .. })
    }
}

/// An interface open for capture.
pub struct Live {
    rx: Box<dyn pnet_datalink::DataLinkReceiver>,
    /// The interface's own MAC address: frames from it are this host's.
    pub own: Option<[u8; 6]>,
}

/// Opens a packet socket on the interface `name` (promiscuous, as tcpdump does); `tell` hears
/// a warning when the interface is down.
pub fn open(name: &str, tell: impl FnOnce(String)) -> Result<Live, CaptureError> {
    let interfaces = pnet_datalink::interfaces();
    let Some(interface) = interfaces.iter().find(|i| i.name == name).cloned() else {
        return Err(CaptureError::NoSuchInterface {
            name: name.to_string(),
            names: interfaces.iter().map(|i| i.name.clone()).collect(),
        });
    };
    if !interface.is_up() {
        tell(format!(
            "warning: interface {name} is down: nothing will be heard until it is up"
        ));
    }
    let config = pnet_datalink::Config {
        read_timeout: Some(READ_TICK),
        read_buffer_size: 65_536,
        ..pnet_datalink::Config::default()
    };
    let rx = match pnet_datalink::channel(&interface, config) {
        Ok(pnet_datalink::Channel::Ethernet(_tx, rx)) => rx,
        Ok(_) => return Err(CaptureError::NotEthernet(name.to_string())),
        Err(source) if source.kind() == std::io::ErrorKind::PermissionDenied => {
            let name = name.to_string();
            return Err(CaptureError::Denied { name, source });
        }
        Err(source) => {
            let name = name.to_string();
            return Err(CaptureError::Open { name, source });
        }
    };
    Ok(Live {
        rx,
        own: interface.mac.map(|m| m.octets()),
    })
}

impl Live {
    /// Captures until `until`, `stop`, or `heard` returns true; returns the LLDP and CDP frames
    /// not sent by this host, each also shown to `heard` as it comes. `tell` hears why a
    /// capture stopped early on an error of the socket.
    pub fn capture(
        mut self,
        until: Instant,
        stop: &AtomicBool,
        mut heard: impl FnMut(Frame<'_>) -> bool,
        tell: impl FnOnce(String),
    ) -> Vec<Captured> {
        let mut frames = Vec::new();
        while !stop.load(Ordering::Relaxed) && Instant::now() < until {
            let bytes = match self.rx.next() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // The interface went down, or the socket failed: keep what was heard.
                Err(e) => {
                    tell(format!("capture stopped: {e}; reporting what was heard"));
                    break;
                }
            };
            let Some(frame) = discovery_frame(bytes, self.own) else {
                continue;
            };
            frames.push(Captured {
                at: SystemTime::now(),
                bytes: bytes.to_vec(),
            });
            if heard(frame) {
                break;
            }
        }
        frames
    }
}

/// The frame, if it is LLDP or CDP and not sent by `own` (this host).
pub fn discovery_frame(bytes: &[u8], own: Option<[u8; 6]>) -> Option<Frame<'_>> {
    let f = Frame::parse(bytes).ok()?;
    if Some(f.source) == own || matches!(f.payload, Payload::Unknown(_)) {
        return None;
    }
    Some(f)
}
