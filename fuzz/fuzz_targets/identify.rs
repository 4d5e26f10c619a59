//! Identification of hostile device values: whatever a device answers, building its record
//! (tables decoded, evidence, the inventory rules' patterns, neighbour rows and the records
//! made of them) and judging it never panic, and the records serialize.
//!
//! An input that starts with a digit, a dot or `#` is a recording, read by the lenient reader (so the seeds
//! are real recordings, and the reader's output is what `identify --snmprec` builds from).
//! Any other input is a list of objects under the subtrees that identification reads, each
//! `[subtree, arcs, arc..., type, length, value...]`, so that the fuzzer reaches the table
//! decoders without having to spell OIDs.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netorigin::record::{DiscoveredVia, Observations};
use netorigin::discover::build::{NeighborCollector, device_record, identify, neighbor_records};
use netorigin::identify::Identifier;
use netorigin::simulate::Recording;
use netorigin::wire::{Oid, Value, VarBind};

fn identifier() -> &'static Identifier {
    static ID: OnceLock<Identifier> = OnceLock::new();
    ID.get_or_init(|| Identifier::bundled().expect("bundled rules load"))
}

/// The subtrees identification and record building read.
const SUBTREES: &[&[u32]] = &[
    // system
    &[1, 3, 6, 1, 2, 1, 1],
    // ENTITY-MIB entPhysicalEntry
    &[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1],
    // IF-MIB ifEntry, ifXEntry
    &[1, 3, 6, 1, 2, 1, 2, 2, 1],
    &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1],
    // LLDP-MIB local system and lldpRemEntry, lldpRemManAddrEntry
    &[1, 0, 8802, 1, 1, 2, 1, 3],
    &[1, 0, 8802, 1, 1, 2, 1, 4, 1, 1],
    &[1, 0, 8802, 1, 1, 2, 1, 4, 2, 1],
    // LLDP-V2-MIB
    &[1, 3, 111, 2, 802, 1, 1, 13, 1, 3],
    &[1, 3, 111, 2, 802, 1, 1, 13, 1, 4, 1, 1],
    &[1, 3, 111, 2, 802, 1, 1, 13, 1, 4, 2, 1],
    // CISCO-CDP-MIB cdpCacheEntry
    &[1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1],
    // private subtrees of the watched groups: Huawei, ZTE, H3C, HP, Hikvision, and Cisco
    &[1, 3, 6, 1, 4, 1, 2011],
    &[1, 3, 6, 1, 4, 1, 3902],
    &[1, 3, 6, 1, 4, 1, 25506],
    &[1, 3, 6, 1, 4, 1, 11],
    &[1, 3, 6, 1, 4, 1, 39165],
    &[1, 3, 6, 1, 4, 1, 9],
    // ARP, bridge FDB, snmpEngineID
    &[1, 3, 6, 1, 2, 1, 4, 22, 1],
    &[1, 3, 6, 1, 2, 1, 17, 4, 3, 1],
    &[1, 3, 6, 1, 6, 3, 10, 2, 1],
];

/// Objects from the structured form; stops at the first incomplete one.
fn objects(mut data: &[u8]) -> Vec<VarBind> {
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, rest) = data.split_at_checked(n)?;
        data = rest;
        Some(head)
    };
    let mut out = Vec::new();
    while let Some(&[subtree, arcs]) = take(2) {
        let mut oid = SUBTREES[usize::from(subtree) % SUBTREES.len()].to_vec();
        let Some(arcs) = take(usize::from(arcs % 8)) else {
            break;
        };
        // Small arcs mostly (columns, indexes), a large one now and then.
        oid.extend(arcs.iter().map(|&a| {
            if a >= 0xf0 {
                u32::MAX - u32::from(a)
            } else {
                u32::from(a)
            }
        }));
        let Some(&[ty, len]) = take(2) else { break };
        let Some(bytes) = take(usize::from(len)) else {
            break;
        };
        let number = bytes
            .iter()
            .take(8)
            .fold(0u64, |a, &b| (a << 8) | u64::from(b));
        let value = match ty % 10 {
            0 => Value::Integer(number as i64),
            1 => Value::ObjectId(Oid::new(
                bytes.iter().map(|&b| u32::from(b)).collect::<Vec<_>>(),
            )),
            2 => Value::IpAddress([bytes.first().copied().unwrap_or(0), 0, 0, 1]),
            3 => Value::Gauge32(number as u32),
            4 => Value::TimeTicks(number as u32),
            5 => Value::Counter64(number),
            6 => Value::Opaque(bytes.to_vec()),
            7 => Value::Unknown(ty, bytes.to_vec()),
            _ => Value::OctetString(bytes.to_vec()),
        };
        out.push(VarBind::new(Oid::new(oid), value));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let objects = if data
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'.' | b'#'))
    {
        Recording::parse(std::path::Path::new("fuzz.snmprec"), data)
            .expect("the lenient reader reads anything")
            .objects
    } else {
        objects(data)
    };
    let mut obs = Observations::default();
    obs.extend(objects);
    let id = identifier();
    let _ = identify(&obs, id);
    let record = device_record(
        "192.0.2.1".into(),
        DiscoveredVia::Recording,
        None,
        &obs,
        Vec::new(),
        id,
    );
    let _ = neighbor_records(&record, id);
    let mut collector = NeighborCollector::default();
    collector.add(&record, id);
    for r in collector.finish().iter().chain(std::iter::once(&record)) {
        serde_json::to_string(r).expect("a record serializes");
        shown_text_is_clean(r);
    }
});

/// What a record shows of device text holds no control character but line breaks and tabs
/// (`netorigin::text::clean`, applied where records are built): the originals are in
/// `cleaned`, escaped.
fn shown_text_is_clean(r: &netorigin::record::Observed) {
    let modules = r.modules.iter().flat_map(|m| {
        [&m.name, &m.description, &m.manufacturer, &m.model, &m.serial, &m.hardware_rev, &m.software_rev]
    });
    let chassis_ids: Vec<Option<String>> =
        r.neighbors.iter().map(|n| n.chassis_id.as_ref().map(ToString::to_string)).collect();
    let neighbours = r.neighbors.iter().flat_map(|n| {
        [&n.port_id, &n.port_descr, &n.sys_name, &n.sys_descr, &n.platform]
    });
    let id = &r.identification;
    let fields = [&r.sys_name, &r.sys_descr, &id.model, &id.os, &id.version, &id.serial];
    let shown = fields.into_iter().chain(modules).chain(neighbours).chain(&chassis_ids);
    for text in shown.flatten() {
        assert!(
            !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
            "a control character is shown: {text:?}"
        );
    }
}
