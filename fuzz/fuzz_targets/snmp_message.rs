//! SNMP v1/v2c messages as the scanner and the simulator receive them: decoding never panics,
//! and whatever decodes encodes to bytes that decode to the same message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::wire::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::decode(data) {
        let again = Message::decode(&m.encode()).expect("re-encoded message decodes");
        assert_eq!(again, m);
    }
});
