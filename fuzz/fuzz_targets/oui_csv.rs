//! IEEE registry CSVs given to `oui update`: parsing never panics, and lookups on what parsed
//! never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::identify::oui::OuiRegistry;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(r) = OuiRegistry::from_csv_texts(&[("fuzz.csv", text)])
    {
        for mac in [[0u8, 0xe0, 0xfc, 1, 2, 3], [0x70, 0xb3, 0xd5, 0xf2, 0xd0, 1], [0, 0x50, 0xc2, 0, 0, 0]] {
            let _ = r.lookup(mac);
        }
    }
});
