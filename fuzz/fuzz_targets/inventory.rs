//! Inventory files written by people (CSV, NetBox's export, TOML): reading them, and applying
//! what they say to a record, never panics.
#![no_main]
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use netorigin::inventory::Inventory;
use netorigin::record::Observed;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = if kind % 2 == 0 { "fuzz.csv" } else { "fuzz.toml" };
    let mut inventory = Inventory::default();
    if inventory.read(Path::new(name), name, text).is_ok() {
        let mut d = Observed {
            address: "10.0.0.1".into(),
            sys_name: Some("tor01-core-1".into()),
            sys_location: Some("TOR01-R3".into()),
            ..Observed::default()
        };
        inventory.apply(&mut d);
    }
});
