//! Serves `.snmprec` recordings as live SNMP v1/v2c/v3 agents, for the demo, tests and replay
//! of field runs (`netorigin simulate`), healthy or with faults.

pub mod agent;
pub mod fault;
pub mod files;
#[cfg(test)]
pub(crate) mod in_memory;
pub mod recording;
pub mod server;
pub mod users;

pub use agent::{Agent, Reply};
pub use fault::{Fault, Faults};
pub use recording::{Recording, RecordingError};
pub use server::{Arrival, Departure, SimulateError, Simulation, Traffic};
