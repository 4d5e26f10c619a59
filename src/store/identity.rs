//! Which device is which across sweeps. Addresses change (renumbering, a box moved to another
//! rack), so a device is recognised by what it carries: its serial number first, then its
//! chassis MAC, then its SNMPv3 engine ID, and only when it has none of these, its address.
//!
//! Matching goes key by key: first every pair of devices with the same serial, then, among
//! those left, the same chassis MAC, and so on. A key that two devices of one sweep share
//! (a serial a vendor left blank-ish, a cloned MAC) identifies nobody and is skipped.

use std::collections::HashMap;

use crate::record::{EngineId, Mac, Record};

/// What identifies a device: each key it has, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// Serial number, trimmed; placeholders (`0`, `N/A`, ...) left out.
    pub serial: Option<String>,
    /// Chassis MAC; the all-zero MAC left out.
    pub chassis_mac: Option<Mac>,
    /// SNMPv3 engine ID; an empty one left out.
    pub engine_id: Option<EngineId>,
    /// The address it answered on.
    pub address: String,
}

/// Serials that identify nothing.
const PLACEHOLDER_SERIALS: &[&str] = &[
    "-",
    "0",
    "00000000",
    "n/a",
    "na",
    "none",
    "not available",
    "not specified",
    "unknown",
];

impl Identity {
    /// The identity of a device with these keys.
    pub fn new(
        serial: Option<&str>,
        chassis_mac: Option<Mac>,
        engine_id: Option<&EngineId>,
        address: &str,
    ) -> Identity {
        let serial = serial
            .map(str::trim)
            .filter(|s| !s.is_empty() && !PLACEHOLDER_SERIALS.contains(&s.to_lowercase().as_str()))
            .map(str::to_string);
        let chassis_mac = chassis_mac.filter(|m| m.octets() != [0; 6]);
        let engine_id = engine_id.filter(|e| !e.octets().is_empty()).cloned();
        Identity {
            serial,
            chassis_mac,
            engine_id,
            address: address.to_string(),
        }
    }

    /// The identity of a record: its serial, chassis MAC, engine ID and address.
    pub fn of<J>(d: &Record<J>) -> Identity {
        Identity::new(
            d.identification.serial.as_deref(),
            d.identification.chassis_mac,
            d.engine_id.as_ref(),
            &d.address,
        )
    }

    /// The strongest key, as stored and shown: `serial:...`, `mac:...`, `engine:...` or
    /// `address:...`.
    pub fn key(&self) -> String {
        self.keys()
            .into_iter()
            .flatten()
            .next()
            .unwrap_or_else(|| format!("address:{}", self.address))
    }

    /// Whether two identities may be one device: no key that both have differs (a box at the
    /// same address with another serial is another box).
    pub(super) fn compatible(&self, other: &Identity) -> bool {
        fn agree<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
        }
        agree(&self.serial, &other.serial)
            && agree(&self.chassis_mac, &other.chassis_mac)
            && agree(&self.engine_id, &other.engine_id)
    }

    /// The keys it may be found by, strongest first: its serial, chassis MAC and engine ID,
    /// and its address only when it has none of these (an address is reused when a box is
    /// replaced).
    pub(crate) fn matching_keys(&self) -> Vec<String> {
        let keys = self.keys();
        let strong = keys[..3].iter().any(Option::is_some);
        keys.into_iter()
            .enumerate()
            .filter_map(|(level, key)| key.filter(|_| level < 3 || !strong))
            .collect()
    }

    /// Every key in order of strength (`None` where it has none).
    pub(super) fn keys(&self) -> [Option<String>; 4] {
        [
            self.serial.as_ref().map(|s| format!("serial:{s}")),
            self.chassis_mac.as_ref().map(|m| format!("mac:{m}")),
            self.engine_id.as_ref().map(|e| format!("engine:{e}")),
            Some(format!("address:{}", self.address)),
        ]
    }
}

/// Pairs the devices of two sweeps: for each index of `before`, the index in `after` of the
/// same device, if any. Key by key, strongest first; a key shared by two devices on either
/// side is not used, and two devices whose keys disagree are never one.
pub fn match_devices(before: &[Identity], after: &[Identity]) -> Vec<Option<usize>> {
    let mut pairs: Vec<Option<usize>> = vec![None; before.len()];
    let mut taken = vec![false; after.len()];
    for level in 0..4 {
        let unique = |side: &[Identity], used: &dyn Fn(usize) -> bool| {
            let mut seen: HashMap<String, Option<usize>> = HashMap::new();
            for (i, id) in side.iter().enumerate() {
                if used(i) {
                    continue;
                }
                if let Some(k) = id.keys()[level].clone() {
                    seen.entry(k).and_modify(|e| *e = None).or_insert(Some(i));
                }
            }
            seen
        };
        let left = unique(before, &|i| pairs[i].is_some());
        let right = unique(after, &|j| taken[j]);
        let mut found = Vec::new();
        for (k, i) in &left {
            if let (Some(i), Some(Some(j))) = (i, right.get(k))
                && before[*i].compatible(&after[*j])
            {
                found.push((*i, *j));
            }
        }
        for (i, j) in found {
            pairs[i] = Some(j);
            taken[j] = true;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(serial: Option<&str>, mac: Option<&str>, engine: Option<&str>, addr: &str) -> Identity {
        let mac = mac.map(|m| m.parse().unwrap());
        let engine: Option<EngineId> = engine.map(|e| e.parse().unwrap());
        Identity::new(serial, mac, engine.as_ref(), addr)
    }

    #[test]
    fn the_key_is_the_strongest_identifier_present() {
        assert_eq!(
            id(Some(" 21A0 "), Some("AA:BB:CC:00:00:01"), None, "10.0.0.1").key(),
            "serial:21A0"
        );
        assert_eq!(
            id(Some("N/A"), Some("AA:BB:CC:00:00:01"), None, "10.0.0.1").key(),
            "mac:aa:bb:cc:00:00:01"
        );
        assert_eq!(
            id(
                None,
                Some("00:00:00:00:00:00"),
                Some("80001F88"),
                "10.0.0.1"
            )
            .key(),
            "engine:80001f88"
        );
        assert_eq!(
            id(Some(""), None, None, "10.0.0.1").key(),
            "address:10.0.0.1"
        );
    }

    #[test]
    fn a_device_that_moved_keeps_its_identity_by_serial() {
        let before = [
            id(Some("S1"), None, None, "10.0.0.1"),
            id(Some("S2"), None, None, "10.0.0.2"),
        ];
        let after = [
            id(Some("S2"), None, None, "10.0.0.1"),
            id(Some("S1"), None, None, "10.0.0.9"),
        ];
        assert_eq!(match_devices(&before, &after), vec![Some(1), Some(0)]);
    }

    #[test]
    fn a_lost_serial_falls_back_to_the_chassis_mac_then_engine_then_address() {
        let before = [
            id(Some("S1"), Some("aa:00:00:00:00:01"), None, "10.0.0.1"),
            id(None, None, Some("8000"), "10.0.0.2"),
            id(None, None, None, "10.0.0.3"),
        ];
        // The first answered without its serial this time (a walk cut short); the second
        // moved; the third is only its address, and so a new device where the address changed.
        let after = [
            id(None, None, None, "10.0.0.4"),
            id(None, None, Some("8000"), "10.0.0.5"),
            id(None, Some("AA:00:00:00:00:01"), None, "10.0.0.1"),
        ];
        assert_eq!(match_devices(&before, &after), vec![Some(2), Some(1), None]);
    }

    #[test]
    fn another_serial_at_the_same_address_is_another_device() {
        let before = [id(Some("H1"), None, None, "10.0.0.1")];
        let after = [id(Some("H2"), None, None, "10.0.0.1")];
        assert_eq!(match_devices(&before, &after), vec![None]);
    }

    #[test]
    fn a_shared_key_identifies_nobody() {
        // Two boxes reporting the same serial (a vendor's default): matched by address instead.
        let before = [
            id(Some("123456"), None, None, "10.0.0.1"),
            id(Some("123456"), None, None, "10.0.0.2"),
        ];
        let after = [
            id(Some("123456"), None, None, "10.0.0.2"),
            id(Some("123456"), None, None, "10.0.0.1"),
        ];
        assert_eq!(match_devices(&before, &after), vec![Some(1), Some(0)]);
    }
}
