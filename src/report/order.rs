//! The order of a work list: banned first, then review, unknown, clear; polled devices before
//! devices seen only as neighbours; each neighbour listed under the polled device that reported
//! it, so that a Huawei box is followed by the gear behind it.

use std::collections::HashMap;

use crate::record::{DeviceRecord, DiscoveredVia, Verdict};

/// Seen only in another device's neighbour table (LLDP or CDP), never polled itself.
pub fn neighbour_only(d: &DeviceRecord) -> bool {
    matches!(
        d.discovered_via,
        DiscoveredVia::LldpNeighbor | DiscoveredVia::CdpNeighbor
    )
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Banned => 0,
        Verdict::Review => 1,
        Verdict::Unknown => 2,
        Verdict::Clear => 3,
    }
}

/// An address in numeric order: IPv4, then IPv6, then anything else as text.
fn address_key(address: &str) -> (u8, u128, &str) {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => (0, u128::from(u32::from(a)), ""),
        Ok(std::net::IpAddr::V6(a)) => (1, u128::from(a), ""),
        Err(_) => (2, 0, address),
    }
}

/// For each device, the index of the device it is listed under: the polled device that
/// reported it, for a neighbour-only device whose reporter is in the list; itself otherwise.
fn heads(devices: &[DeviceRecord]) -> Vec<usize> {
    let mut polled: HashMap<&str, usize> = HashMap::new();
    for (i, d) in devices.iter().enumerate() {
        if !neighbour_only(d) {
            polled.entry(d.address.as_str()).or_insert(i);
        }
    }
    devices
        .iter()
        .enumerate()
        .map(|(i, d)| match (&d.reported_by, neighbour_only(d)) {
            (Some(by), true) => polled.get(by.as_str()).copied().unwrap_or(i),
            _ => i,
        })
        .collect()
}

/// Puts devices in work-list order. A group is a polled device and the neighbours it reported
/// (or a neighbour-only device whose reporter is not in the list, alone); groups go by the
/// worst verdict in them, then polled before neighbour-only, then groups whose head has that
/// verdict before those shown for the gear behind them, then by address. In a group, the head
/// first, then its neighbours by verdict and address.
pub fn sort_for_people(devices: &mut [DeviceRecord]) {
    let head = heads(devices);
    let mut worst = vec![u8::MAX; devices.len()];
    for (i, d) in devices.iter().enumerate() {
        worst[head[i]] = worst[head[i]].min(rank(d.judgement.verdict));
    }
    let mut order: Vec<usize> = (0..devices.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| {
            let (h, d) = (head[i], &devices[i]);
            let hd = &devices[h];
            (
                (
                    worst[h],
                    neighbour_only(hd),
                    rank(hd.judgement.verdict) != worst[h],
                    address_key(&hd.address),
                    h,
                ),
                (
                    i != h,
                    rank(d.judgement.verdict),
                    address_key(&d.address),
                    i,
                ),
            )
        };
        key(a).cmp(&key(b))
    });
    // Position k takes the device at order[k]: swapped into place, following each index to
    // where earlier swaps moved its device.
    for k in 0..order.len() {
        let mut from = order[k];
        while from < k {
            from = order[from];
        }
        devices.swap(k, from);
    }
}

/// For devices in [`sort_for_people`] order: whether each is listed under the device above it
/// (a neighbour-only device following the polled device that reported it).
pub fn nested(devices: &[DeviceRecord]) -> Vec<bool> {
    let mut head: Option<&str> = None;
    devices
        .iter()
        .map(|d| {
            let under = neighbour_only(d) && d.reported_by.is_some() && {
                d.reported_by.as_deref() == head
            };
            if !under {
                head = (!neighbour_only(d)).then_some(d.address.as_str());
            }
            under
        })
        .collect()
}

/// The polled devices with banned neighbour-only devices behind them (reported by them), with
/// how many, in the order of `devices`.
pub fn banned_behind(devices: &[DeviceRecord]) -> Vec<(&DeviceRecord, usize)> {
    let head = heads(devices);
    let mut counts: Vec<usize> = vec![0; devices.len()];
    for (i, d) in devices.iter().enumerate() {
        if head[i] != i && d.judgement.verdict == Verdict::Banned {
            counts[head[i]] += 1;
        }
    }
    devices.iter().zip(counts).filter(|(_, n)| *n > 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Judgement, Observed};

    fn device(address: &str, verdict: Verdict, by: Option<&str>) -> DeviceRecord {
        Observed {
            address: address.into(),
            discovered_via: if by.is_some() {
                DiscoveredVia::LldpNeighbor
            } else {
                DiscoveredVia::Snmp
            },
            reported_by: by.map(str::to_string),
            ..Observed::default()
        }
        .judged(Judgement {
            verdict,
            findings: Vec::new(),
        })
    }

    fn addresses(devices: &[DeviceRecord]) -> Vec<&str> {
        devices.iter().map(|d| d.address.as_str()).collect()
    }

    #[test]
    fn polled_banned_first_and_neighbours_under_their_reporter() {
        use Verdict::*;
        let mut all = vec![
            device("10.0.0.9", Banned, Some("127.0.0.30")),
            device("10.0.0.8", Banned, Some("127.0.0.30")),
            device("lldp:", Unknown, None),
            device("127.0.0.30", Clear, None),
            device("127.0.0.15", Clear, None),
            device("10.0.0.1", Clear, Some("127.0.0.2")),
            device("127.0.0.13", Review, None),
            device("127.0.0.2", Banned, None),
            device("10.0.0.2", Banned, Some("127.0.0.2")),
            device("127.0.0.1", Banned, None),
            device("10.0.0.5", Banned, Some("127.0.0.99")),
        ];
        all[2].discovered_via = DiscoveredVia::LldpNeighbor;
        sort_for_people(&mut all);
        assert_eq!(
            addresses(&all),
            [
                "127.0.0.1",
                "127.0.0.2",
                "10.0.0.2",
                "10.0.0.1",
                "127.0.0.30",
                "10.0.0.8",
                "10.0.0.9",
                "10.0.0.5",
                "127.0.0.13",
                "lldp:",
                "127.0.0.15",
            ]
        );
        assert_eq!(
            nested(&all),
            [
                false, false, true, true, false, true, true, false, false, false, false
            ]
        );
        let behind: Vec<(&str, usize)> = banned_behind(&all)
            .iter()
            .map(|(d, n)| (d.address.as_str(), *n))
            .collect();
        assert_eq!(behind, [("127.0.0.2", 1), ("127.0.0.30", 2)]);
    }
}
