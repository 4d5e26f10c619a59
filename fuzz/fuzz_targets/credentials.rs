//! Credentials files (`sweep --credentials`): TOML with communities and v3 users, secrets
//! inline or named by environment variables and files (looked up in nothing here).
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::snmp::credentials::parse;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse("fuzz.toml", text, |_| None, |_| None);
    }
});
