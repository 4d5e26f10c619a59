//! Policy files written by people: parsing never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::policy::document::Policy;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let origins = ["huawei", "zte", "h3c"].iter().map(|s| s.to_string()).collect();
        let _ = Policy::parse("fuzz.toml", text, &origins);
    }
});
