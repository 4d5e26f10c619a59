//! Discovery: turns targets into observations and device records (probe, walk plan, sweep).

pub mod build;
pub mod passive;
pub mod plan;
pub mod sweep;
pub mod targets;

pub use sweep::{Event, SweepConfig, SweepSummary, sweep};
pub use targets::{TargetError, Targets};
