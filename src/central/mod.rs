//! The central server's system of record on PostgreSQL (issue 19): sites and their tokens,
//! sweeps as uploaded, devices as intervals, and the fleet views.
