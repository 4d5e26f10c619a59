//! netorigin: finds the network equipment on a carrier's segments, tells whose it is, and
//! flags what a policy forbids. See ARCHITECTURE.md for the layers.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agent;
pub mod bundle;
pub mod central;
pub mod cli;
pub mod cron;
pub mod data_dir;
pub mod date;
pub mod discover;
pub mod evidence;
pub mod identify;
pub mod inventory;
pub mod location;
pub mod net;
pub mod pipeline;
pub mod policy;
pub mod record;
pub mod report;
pub mod server;
pub mod simulate;
pub mod snmp;
pub mod store;
pub mod text;
pub mod usm;
pub mod wire;
pub mod words;
