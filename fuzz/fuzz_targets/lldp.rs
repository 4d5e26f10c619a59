//! LLDPDUs heard on a segment, and the Ethernet frames around them (as `listen` decodes them).
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::discover::passive::decode;
use netorigin::wire::ethernet::Frame;
use netorigin::wire::lldp::Lldpdu;

fuzz_target!(|data: &[u8]| {
    let _ = Lldpdu::parse(data);
    let _ = Lldpdu::parse_prefix(data);
    let _ = Frame::parse(data);
    let _ = decode(data);
});
