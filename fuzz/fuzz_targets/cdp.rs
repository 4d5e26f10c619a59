//! CDP packets heard on a segment.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::wire::cdp::Packet;

fuzz_target!(|data: &[u8]| {
    let _ = Packet::parse(data);
});
