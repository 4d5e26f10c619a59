//! Policy: which equipment a carrier's rules forbid or want reviewed, by when, and with which
//! exceptions, turned into a verdict per device and module.
//!
//! Policies are files (`policies/`, parsed by [`document`]); [`judge`] applies every rule of
//! every policy chosen to a device and its modules at a given [`Date`](crate::date::Date). The default policy,
//! `huawei-origin`, is bundled: the Huawei group and ZTE banned; H3C, xFusion and Honor for
//! review. A device identified but matched by no rule is clear; one not identified is
//! `unknown`, never silently clear.

pub mod conditions;
pub mod document;
pub mod judge;
pub mod shares;

pub use document::{Policy, PolicyError};
