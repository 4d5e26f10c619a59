//! Values that are values (issue 16): the records built from the demo's recordings, and from
//! the recordings that carry the neighbour addresses of the issue, hold no NUL, control
//! character, hex-dump tail or placeholder serial; neighbour IDs and addresses come in one
//! form; a neighbour with an empty chassis ID is a note, not a device.

mod common;

use std::path::Path;

use netorigin::discover::build::NeighborCollector;
use netorigin::identify::Identifier;
use netorigin::record::{DiscoveredVia, Observed};
use netorigin::simulate::Recording;
use netorigin::text::{serial_placeholder, undo_hex_dump};

fn record(path: &Path, identifier: &Identifier) -> Observed {
    let rec = Recording::load(path).unwrap();
    common::recorded_device(path, rec.objects, identifier)
}

/// The demo's segment: its recordings, in order.
fn demo() -> Vec<std::path::PathBuf> {
    let segment = std::fs::read_to_string(common::root().join("demo/segment.txt")).unwrap();
    segment
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| common::root().join(l))
        .collect()
}

/// The polled records of `paths` and the neighbour-only records they give, as a sweep
/// reports them.
fn records(paths: &[std::path::PathBuf]) -> Vec<Observed> {
    let identifier = Identifier::bundled().unwrap();
    let mut polled: Vec<Observed> = paths.iter().map(|p| record(p, &identifier)).collect();
    let mut collector = NeighborCollector::default();
    for d in &polled {
        collector.add(d, &identifier);
    }
    polled.extend(collector.finish());
    polled
}

/// Every string of a record's JSON but its `cleaned` originals, with where it is.
fn strings(v: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((at.to_string(), s.clone())),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &format!("{at}[{i}]"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if k != "cleaned" {
                    strings(x, &format!("{at}.{k}"), out);
                }
            }
        }
        _ => {}
    }
}

fn path(of: &str) -> std::path::PathBuf {
    common::root().join("tests/data/snmprec").join(of)
}

#[test]
fn the_demo_records_hold_no_junk() {
    let records = records(&demo());
    let mut junk = Vec::new();
    for d in &records {
        let mut all = Vec::new();
        strings(&serde_json::to_value(d).unwrap(), &d.address, &mut all);
        for (at, s) in all {
            let control = s
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
            if control || undo_hex_dump(s.as_bytes()).is_some() {
                junk.push(format!("{at}: {s:?}"));
            }
        }
        let serials = d.modules.iter().filter_map(|m| m.serial.as_deref());
        for s in d
            .identification
            .serial
            .as_deref()
            .into_iter()
            .chain(serials)
        {
            if serial_placeholder(s).is_some() {
                junk.push(format!("{}: serial {s:?}", d.address));
            }
        }
        if d.discovered_via == DiscoveredVia::LldpNeighbor {
            let well_formed = d.address.parse::<std::net::IpAddr>().is_ok()
                || d.address.strip_prefix("lldp:").is_some_and(|id| {
                    !id.is_empty() && !id.chars().any(|c| c.is_ascii_uppercase())
                });
            if !well_formed {
                junk.push(format!("neighbour addressed {:?}", d.address));
            }
        }
    }
    assert!(junk.is_empty(), "{}", junk.join("\n"));

    let by = |a: &str| records.iter().find(|d| d.address == a);
    // smartax-mdu (127.77.0.6 in the demo): the board's serial, its dump decoded.
    let mdu = records
        .iter()
        .find(|d| d.address.ends_with("smartax-mdu.snmprec"))
        .unwrap();
    assert_eq!(
        mdu.identification.serial.as_deref(),
        Some("21980302203G12004260")
    );
    assert_eq!(mdu.identification.version, None);
    assert!(mdu.cleaned.keys().any(|k| k.ends_with(".serial")));
    // ibmc: `SerialNumber` is no serial.
    let ibmc = records
        .iter()
        .find(|d| d.address.ends_with("ibmc.snmprec"))
        .unwrap();
    assert_eq!(ibmc.identification.serial, None);
    assert_eq!(
        ibmc.cleaned.get("serial").map(String::as_str),
        Some("SerialNumber")
    );
    // routeros_rb760igs's neighbour: a name padded with NULs and dumped, a MAC as upper-case
    // text.
    let sw02 = by("lldp:c0:06:c3:a1:3f:46").expect("peca-sw02 by its canonical chassis ID");
    assert_eq!(sw02.sys_name.as_deref(), Some("peca-sw02"));
    assert!(by("lldp:C0:06:C3:A1:3F:46").is_none());
    // ruijie's 18 neighbours with no chassis ID: one note, no device `lldp:`.
    assert!(by("lldp:").is_none());
    let ruijie = records
        .iter()
        .find(|d| d.address.ends_with("ruijie.snmprec"))
        .unwrap();
    let notes: Vec<_> = ruijie
        .notes
        .iter()
        .filter(|n| n.contains("empty chassis ID"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", ruijie.notes);
    assert!(notes[0].starts_with("18 LLDP neighbours with an empty chassis ID"));
    // eltex-mes23xx's MA5801: a MAC for management address, so addressed by its chassis ID.
    assert!(by("lldp:04:fe:8d:9e:7a:49").is_some());
    assert!(by("04:fe:8d:9e:7a:49").is_none());
}

/// The other two neighbour address forms of the issue, from recordings outside the demo.
#[test]
fn management_addresses_take_their_textual_form() {
    let records = records(&[
        path("other/eltex-mes24xx_mes2424bac.snmprec"),
        path("other/edgecos_ecs4610-24f.snmprec"),
    ]);
    let addresses: Vec<&str> = records
        .iter()
        .flat_map(|d| &d.neighbors)
        .flat_map(|n| &n.management_addresses)
        .map(String::as_str)
        .collect();
    assert!(addresses.contains(&"169.254.2.140"), "{addresses:?}");
    assert!(!addresses.contains(&"::a9fe:28c"), "{addresses:?}");
    assert!(
        addresses.contains(&"ac:10:fb:03:00 (5 octets: not an IPv4 address)"),
        "{addresses:?}"
    );
    for d in records
        .iter()
        .filter(|d| d.discovered_via == DiscoveredVia::LldpNeighbor)
    {
        assert!(
            d.address.parse::<std::net::IpAddr>().is_ok() || d.address.starts_with("lldp:"),
            "{}",
            d.address
        );
    }
}
