//! Serves `.snmprec` recordings as live SNMP v1/v2c/v3 agents, for the demo, tests and replay
//! of field runs (`netorigin simulate`), healthy or with faults.

pub mod files;
pub mod server;
pub mod users;

pub use crate::agent::{Agent, Reply, fault, recording};
pub use crate::agent::{Fault, Faults, Recording, RecordingError};
pub use server::{Arrival, Departure, SimulateError, Simulation, Traffic};
