//! Evidence packs as `evidence verify` reads them (issue 21): checking one never panics,
//! whatever the bytes, and stops at its limits. The first byte picks the input: even, the
//! bytes are the pack as given (a gzip'd tar); odd, they are the tar inside it, gzipped here,
//! so the fuzzer works on tar headers and the pack's files rather than on deflate. Each input
//! is checked against the key the pack names and against a key given.
#![no_main]
#[path = "gzipped.rs"]
mod gzipped;

use libfuzzer_sys::fuzz_target;
use netorigin::evidence::{Limits, PublicKey, TrustedKey, verify};

/// Small limits, so that each input stays fast and every limit is reached.
const LIMITS: Limits = Limits {
    max_decompressed: 1 << 20,
    max_entries: 64,
    max_path: 255,
    max_held: 64 << 10,
};

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = gzipped::input(data) else {
        return;
    };
    let Ok(named) = verify(&bytes[..], LIMITS, None) else {
        return;
    };
    // A good pack is good only with the key it names.
    let given = TrustedKey {
        key: PublicKey::from_bytes([7; 32]),
        named: "the key in fuzz.pub".into(),
    };
    let with_key = verify(&bytes[..], LIMITS, Some(&given)).expect("it read once");
    assert_eq!(with_key.files, named.files);
    if named.is_good() && named.signer != Some(given.key) {
        assert!(!with_key.is_good());
    }
    for problem in named.problems.iter().chain(&with_key.problems) {
        assert!(!problem.to_string().contains('\u{1b}'));
    }
});
