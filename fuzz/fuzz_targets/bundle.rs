//! Bundles as the central server receives them (issue 19): reading one never panics, whatever
//! the bytes, and stops at its limits. The first byte picks the input: even, the bytes are the
//! bundle as sent (gzip); odd, they are the text inside it, gzipped here, so the fuzzer works
//! on the JSON Lines rather than on deflate. A bundle that reads to its end writes back the
//! same header, devices and ledger lines, and reads again.
#![no_main]
#[path = "gzipped.rs"]
mod gzipped;

use libfuzzer_sys::fuzz_target;
use netorigin::bundle::{Limits, Reader, Writer};

/// Small limits, so that each input stays fast and every limit is reached.
const LIMITS: Limits = Limits {
    max_decompressed: 1 << 20,
    max_line: 256 << 10,
    max_string: 4 << 10,
    max_devices: 64,
    max_ledger: 64,
};

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = gzipped::input(data) else {
        return;
    };
    let Ok(mut reader) = Reader::new(&bytes[..], LIMITS) else {
        return;
    };
    let mut lines = Vec::new();
    loop {
        match reader.next_line() {
            Ok(Some(l)) => lines.push(l),
            Ok(None) => break,
            Err(_) => return,
        }
    }
    let header = reader.header().clone();
    let mut writer = Writer::new(&header, Vec::new()).expect("a header read writes back");
    for l in &lines {
        writer.write_line(l).expect("a line read writes back");
    }
    let again = writer.finish().expect("a bundle read writes back");
    let mut reread = Reader::new(&again[..], Limits::default()).expect("its header reads");
    let mut n = 0;
    while reread.next_line().expect("its lines read").is_some() {
        n += 1;
    }
    assert_eq!(n, lines.len());
    assert_eq!(reread.header(), &header);
});
