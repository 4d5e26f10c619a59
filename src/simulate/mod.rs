//! Serves `.snmprec` recordings as live SNMP v1/v2c agents, for the demo, tests and replay of
//! field runs (`netorigin simulate`).

pub mod agent;
pub mod recording;
pub mod server;

pub use agent::Agent;
pub use recording::{Recording, RecordingError};
pub use server::{SimulateError, Simulation, Traffic};
