//! Bundles as the central server receives them (issue 19): reading one never panics, whatever
//! the bytes, and stops at its limits. The first byte picks the input: even, the bytes are the
//! bundle as sent (gzip); odd, they are the text inside it, gzipped here, so the fuzzer works
//! on the JSON Lines rather than on deflate. A bundle that reads to its end writes back the
//! same header and devices, and reads again.
#![no_main]
#[path = "gzipped.rs"]
mod gzipped;

use libfuzzer_sys::fuzz_target;
use netorigin::bundle::{Limits, Reader, write};

/// Small limits, so that each input stays fast and every limit is reached.
const LIMITS: Limits = Limits {
    max_decompressed: 1 << 20,
    max_line: 256 << 10,
    max_string: 4 << 10,
    max_devices: 64,
};

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = gzipped::input(data) else {
        return;
    };
    let Ok(mut reader) = Reader::new(&bytes[..], LIMITS) else {
        return;
    };
    let mut devices = Vec::new();
    loop {
        match reader.next_device() {
            Ok(Some(d)) => devices.push(d),
            Ok(None) => break,
            Err(_) => return,
        }
    }
    let header = reader.header().clone();
    let again = write(&header, &devices, Vec::new()).expect("a bundle read writes back");
    let mut reread = Reader::new(&again[..], Limits::default()).expect("its header reads");
    let mut n = 0;
    while reread.next_device().expect("its devices read").is_some() {
        n += 1;
    }
    assert_eq!(n, devices.len());
    assert_eq!(reread.header(), &header);
});
