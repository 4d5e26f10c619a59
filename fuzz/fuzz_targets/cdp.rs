//! CDP packets heard on a segment, bare and in their 802.3 + LLC/SNAP frames.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::discover::passive::decode;
use netorigin::wire::cdp::Packet;

fuzz_target!(|data: &[u8]| {
    let _ = Packet::parse(data);
    let _ = decode(data);
});
