//! SNMPv3 messages (engine discovery Reports from the network): decoding never panics, and
//! re-encoding round-trips.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::wire::v3::V3Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = V3Message::decode(data) {
        let again = V3Message::decode(&m.encode()).expect("re-encoded message decodes");
        assert_eq!(again, m);
    }
});
