//! The simulated agent answering whatever arrives: decoding a request and answering it never
//! panics, whatever the request asks.
#![no_main]
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use netorigin::simulate::{Agent, Recording};
use netorigin::wire::Message;
use netorigin::wire::v3::V3Message;

fn agent() -> &'static Agent {
    static AGENT: OnceLock<Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        let text = b"1.3.6.1.2.1.1.1.0|4|fuzz\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n1.3.6.1.2.1.31.1.1.1.6.1|70|5\n";
        Agent::new(Arc::new(Recording::parse(std::path::Path::new("f"), text).unwrap()), None).with_max_message_size(512)
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::decode(data) {
        let _ = agent().answer(&m);
    } else if let Ok(m) = V3Message::decode(data) {
        let _ = agent().answer_v3(&m);
    }
});
