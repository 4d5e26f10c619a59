//! Engine IDs from agents' Reports.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::wire::engine_id::EngineId;

fuzz_target!(|data: &[u8]| {
    let _ = EngineId::decode(data);
});
