//! Devices seen only in another device's LLDP table or CDP cache, as records of their own.

use std::collections::BTreeMap;

use crate::identify::{Facts, Identification, Identifier};
use crate::record::{
    DiscoveredVia, Mac, Neighbor, NeighborId, NotJudged, Observed, Protocol, Record,
};

/// Devices seen only in another device's LLDP table or CDP cache become records of their own,
/// identified from what the neighbour said of them (system description or CDP software
/// version; and the model text: the LLDP port description where it names a model, as Huawei
/// access nodes do, or the CDP platform), with lower confidence. One record per chassis ID.
pub fn neighbor_records<J>(parent: &Record<J>, identifier: &Identifier) -> Vec<Observed> {
    let mut out: Vec<Observed> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in &parent.neighbors {
        let key = n
            .chassis_id
            .as_ref()
            .map(NeighborId::to_string)
            .or_else(|| n.sys_name.clone());
        if let Some(k) = &key
            && !seen.insert(k.clone())
        {
            continue;
        }
        let id = identify_neighbor(n, &parent.address, identifier);
        out.push(neighbor_record(parent, n, key.as_deref(), id));
    }
    out
}

/// Identifies a neighbour from what the device that lists it says of it, its evidence
/// scaled down and sourced to that device (`parent`).
fn identify_neighbor(n: &Neighbor, parent: &str, identifier: &Identifier) -> Identification {
    let cdp = n.protocol == Protocol::Cdp;
    let chassis_mac = match n.chassis_id_subtype.as_deref() {
        Some("macAddress") => n.chassis_id.as_ref().and_then(NeighborId::mac),
        _ => None,
    };
    let facts = Facts {
        sys_descr: n.sys_descr.as_deref(),
        chassis_mac: chassis_mac.map(Mac::octets),
        ..Facts::default()
    };
    let mut id = identifier.identify(&facts);
    // The CDP platform is the model as the device names itself ("cisco AIR-AP2702I-UXK9"),
    // better than what its software version suggests (the image family, "C2700").
    let version_model = if cdp { id.model.take() } else { None };
    let model_texts = [
        ("LLDP port description", n.port_descr.as_deref()),
        ("CDP platform", n.platform.as_deref()),
    ];
    for (what, value) in model_texts {
        if let Some(value) = value {
            id = with_model_text(id, what, value, identifier);
        }
    }
    if cdp {
        id.model = id.model.or_else(|| n.platform.clone()).or(version_model);
    }
    let protocol = if cdp { "CDP" } else { "LLDP" };
    for e in &mut id.evidence {
        e.source = format!("{protocol} neighbour of {parent}: {}", e.source);
        e.weight *= crate::identify::weight::NEIGHBOR_SCALE;
    }
    id.confidence =
        (id.confidence * crate::identify::weight::NEIGHBOR_SCALE * 100.0).round() / 100.0;
    id.chassis_mac = chassis_mac;
    id
}

/// An identification with a text that names a model (`what`: where it was read) through the
/// sysDescr rules: its model and version where the rule's maker is the one identified (or none
/// is), and its maker as evidence where none is.
fn with_model_text(
    mut id: Identification,
    what: &str,
    value: &str,
    identifier: &Identifier,
) -> Identification {
    let Some(m) = identifier
        .sysdescr_rules()
        .matches(value, identifier.vendors())
    else {
        return id;
    };
    let same = m.vendor.as_ref().map(|v| &v.origin) == id.origin.as_ref();
    if same || id.origin.is_none() {
        id.model = id.model.or(m.model);
        id.version = id.version.or(m.version);
    }
    if id.origin.is_none() {
        let ev = crate::record::Evidence {
            source: format!("{what} rule {}", m.rule),
            value: value.to_string(),
            vendor: m.vendor.as_ref().map(|v| v.vendor.clone()),
            origin: m.vendor.as_ref().map(|v| v.origin.clone()),
            weight: crate::identify::weight::SYSDESCR_NAMED,
        };
        let (model, version) = (id.model.take(), id.version.take());
        id = identifier.combine(id.evidence.into_iter().chain([ev]).collect());
        id.model = model;
        id.version = version;
    }
    id
}

/// The record of a neighbour-only device (`key`: its chassis ID or name).
fn neighbor_record<J>(
    parent: &Record<J>,
    n: &Neighbor,
    key: Option<&str>,
    identification: Identification,
) -> Observed {
    let cdp = n.protocol == Protocol::Cdp;
    let table = if cdp { "CDP cache" } else { "LLDP table" };
    let port = n
        .local_port_descr
        .clone()
        .unwrap_or_else(|| format!("port {}", n.local_port));
    Record {
        address: neighbor_address(n, key),
        discovered_via: if cdp {
            DiscoveredVia::CdpNeighbor
        } else {
            DiscoveredVia::LldpNeighbor
        },
        reported_by: Some(parent.address.clone()),
        credential: None,
        sys_name: n.sys_name.clone(),
        sys_descr: n.sys_descr.clone(),
        sys_object_id: None,
        sys_uptime: None,
        sys_contact: None,
        sys_location: None,
        context: Default::default(),
        engine_id: None,
        identification,
        modules: Vec::new(),
        neighbors: Vec::new(),
        interfaces: Vec::new(),
        arp_entries: 0,
        fdb_entries: 0,
        tables: Vec::new(),
        judgement: NotJudged,
        notes: vec![format!(
            "seen only in the {table} of {} ({}), on {port}, remote port {}",
            parent.address,
            parent.sys_name.as_deref().unwrap_or("?"),
            n.port_id.as_deref().unwrap_or("?")
        )],
        cleaned: BTreeMap::new(),
    }
}

/// The address of a neighbour-only record, in one form: its first management address that is
/// an IP address one could reach (not the unspecified address), else `lldp:` or `cdp:` and its
/// key (the canonical chassis ID or CDP device ID, else the name).
pub(super) fn neighbor_address(n: &Neighbor, key: Option<&str>) -> String {
    n.management_addresses
        .iter()
        .find(|a| {
            a.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| !ip.is_unspecified())
        })
        .cloned()
        .unwrap_or_else(|| format!("{}:{}", n.protocol, key.unwrap_or_default()))
}

/// Gathers the neighbour-only devices of a sweep: every polled device's neighbours, less those
/// that turned out to be polled devices themselves (same address, chassis MAC or name), each
/// reported once.
#[derive(Debug, Default)]
pub struct NeighborCollector {
    known: std::collections::HashSet<String>,
    candidates: Vec<Observed>,
}

impl NeighborCollector {
    /// Takes a polled device: its identity keys, and its neighbours as candidates.
    pub fn add<J>(&mut self, device: &Record<J>, identifier: &Identifier) {
        self.known.extend(keys(device));
        self.candidates.extend(neighbor_records(device, identifier));
    }

    /// Takes in what another collector gathered.
    pub fn merge(&mut self, other: NeighborCollector) {
        self.known.extend(other.known);
        self.candidates.extend(other.candidates);
    }

    /// The neighbour-only devices.
    pub fn finish(self) -> Vec<Observed> {
        let mut known = self.known;
        let mut candidates = self.candidates;
        // Devices complete in any order: sort so the same segment always gives the same report.
        candidates.sort_by(|a, b| {
            a.notes
                .cmp(&b.notes)
                .then_with(|| a.address.cmp(&b.address))
        });
        let mut out = Vec::new();
        for d in candidates {
            let k = keys(&d);
            if k.iter().any(|x| known.contains(x)) {
                continue;
            }
            known.extend(k);
            out.push(d);
        }
        out
    }
}

pub(super) fn keys<J>(d: &Record<J>) -> Vec<String> {
    let mut k = vec![format!("address {}", d.address)];
    k.extend(
        d.identification
            .chassis_mac
            .iter()
            .map(|m| format!("mac {m}")),
    );
    k.extend(
        d.sys_name
            .iter()
            .filter(|n| crate::wire::value::placeholder(n.as_bytes()).is_none())
            .map(|n| format!("name {n}")),
    );
    k
}
