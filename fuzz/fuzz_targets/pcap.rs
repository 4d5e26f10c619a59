//! Capture files given to `listen --pcap` (pcap and pcapng), and every frame in them.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::net::pcap::capture_frames;
use netorigin::discover::passive::decode;

fuzz_target!(|data: &[u8]| {
    if let Ok(frames) = capture_frames("fuzz", data) {
        for f in &frames {
            let _ = decode(f);
        }
    }
});
