//! The thin driver between the sweep and the SNMP client: pacing (the global rate cap),
//! per-device concurrency, and retries, so that every datagram sent is counted; and the capture
//! files `listen` reads and writes (`pcap`).

pub mod capture;
pub mod engine_probe;
pub mod first_contact;
pub mod metrics_http;
pub mod pacing;
pub mod pcap;

pub use pacing::{Paced, Pacer};
