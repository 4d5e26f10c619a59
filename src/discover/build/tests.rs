//! Records built from observations: identification, tables, cleaning.

use super::tables::{CDP_CACHE_ENTRY, ENT_PHYSICAL_ENTRY};
use super::*;
use crate::wire::VarBind;

pub(super) fn identifier() -> Identifier {
    Identifier::bundled().unwrap()
}

pub(super) fn observations(values: &[(&str, Value)]) -> Observations {
    let mut obs = Observations::default();
    obs.extend(
        values
            .iter()
            .map(|(o, v)| VarBind::new(o.parse().unwrap(), v.clone())),
    );
    obs
}

pub(super) fn octets(b: &[u8]) -> Value {
    Value::OctetString(b.to_vec())
}

pub(super) fn string(s: &str) -> Value {
    Value::OctetString(s.as_bytes().to_vec())
}

pub(super) fn record(obs: &Observations) -> Observed {
    device_record(
        "192.0.2.1".into(),
        DiscoveredVia::Snmp,
        None,
        obs,
        Vec::new(),
        &identifier(),
    )
}

pub(super) fn evidence_sources(r: &Observed) -> Vec<&str> {
    r.identification
        .evidence
        .iter()
        .map(|e| e.source.as_str())
        .collect()
}

/// A Huawei UPS behind net-snmp (as /tmp/sd's huawei-gse200m, but without its private
/// subtree): a plain Linux sysDescr, the generic agent's sysObjectID, and UPS-MIB's
/// identity naming the maker and the model.
#[test]
fn a_generic_agent_named_only_by_its_ups_identity_is_identified() {
    let obs = observations(&[
        (
            "1.3.6.1.2.1.1.1.0",
            string("Linux GSE200M 2.6.27 #591 armv5tejl"),
        ),
        (
            "1.3.6.1.2.1.1.2.0",
            Value::ObjectId("1.3.6.1.4.1.8072.3.2.10".parse().unwrap()),
        ),
        ("1.3.6.1.2.1.33.1.1.1.0", string("HUAWEI")),
        ("1.3.6.1.2.1.33.1.1.2.0", string("UPS5000")),
    ]);
    let r = record(&obs);
    assert_eq!(
        (
            r.identification.vendor.as_deref(),
            r.identification.origin.as_deref(),
            r.identification.model.as_deref()
        ),
        (Some("Huawei"), Some("huawei"), Some("UPS5000")),
        "{:?}",
        r.identification.evidence
    );
    assert!(evidence_sources(&r).contains(&"upsIdentManufacturer"));
}

/// The chassis' entPhysicalDescr where its entPhysicalMfgName is empty, and a printer's
/// hrDeviceDescr (the row hrPrinterStatus names) or prtGeneralPrinterName, go through the
/// sysDescr rules.
#[test]
fn a_chassis_description_or_a_printer_name_names_the_maker() {
    let net_snmp = || {
        (
            "1.3.6.1.2.1.1.2.0",
            Value::ObjectId("1.3.6.1.4.1.8072.3.2.10".parse().unwrap()),
        )
    };
    let chassis = observations(&[
        net_snmp(),
        (
            "1.3.6.1.2.1.47.1.1.1.1.2.1",
            string("Huawei S5735-L48T4X-A1 Routing Switch"),
        ),
        ("1.3.6.1.2.1.47.1.1.1.1.5.1", Value::Integer(3)),
    ]);
    let r = record(&chassis);
    assert_eq!(
        r.identification.origin.as_deref(),
        Some("huawei"),
        "{:?}",
        r.identification.evidence
    );
    assert!(
        evidence_sources(&r)
            .iter()
            .any(|s| s.starts_with("entPhysicalDescr of chassis 1 rule ")),
        "{:?}",
        r.identification.evidence
    );
    // With its maker named, the description is not read.
    let mut named = chassis.clone();
    named.extend([VarBind::new(
        "1.3.6.1.2.1.47.1.1.1.1.12.1".parse().unwrap(),
        string("Cisco"),
    )]);
    assert_eq!(
        record(&named).identification.origin.as_deref(),
        Some("cisco")
    );

    let printer = "Dell 5330dn Mono Laser Printer";
    for obs in [
        observations(&[
            net_snmp(),
            (
                "1.3.6.1.2.1.25.3.2.1.3.1",
                string("GenuineIntel: Intel(R) Atom(TM)"),
            ),
            ("1.3.6.1.2.1.25.3.2.1.3.2", string(printer)),
            ("1.3.6.1.2.1.25.3.5.1.1.2", Value::Integer(3)),
        ]),
        observations(&[net_snmp(), ("1.3.6.1.2.1.43.5.1.1.16.1", string(printer))]),
    ] {
        let r = record(&obs);
        assert_eq!(
            (
                r.identification.vendor.as_deref(),
                r.identification.model.as_deref()
            ),
            (Some("Dell"), Some("5330dn")),
            "{:?}",
            r.identification.evidence
        );
    }
    // The processor's row names the chip's maker, not the device's: not read.
    let cpu_only = observations(&[net_snmp(), ("1.3.6.1.2.1.25.3.2.1.3.1", string(printer))]);
    assert_eq!(record(&cpu_only).identification.vendor, None);
}

/// LLDP-MIB's lldpLocSysDesc is read as sysDescr where sysDescr names nothing.
#[test]
fn the_lldp_local_description_speaks_where_sysdescr_says_nothing() {
    let vrp = "Huawei Versatile Routing Platform Software VRP (R) software, Version 5.170 \
               (S5735 V200R019C10SPC500)";
    let obs = observations(&[
        ("1.3.6.1.2.1.1.1.0", string("switch")),
        ("1.0.8802.1.1.2.1.3.4.0", string(vrp)),
    ]);
    let r = record(&obs);
    assert_eq!(
        r.identification.origin.as_deref(),
        Some("huawei"),
        "{:?}",
        r.identification.evidence
    );
    assert_eq!(
        r.identification.version.as_deref(),
        Some("V200R019C10SPC500")
    );
    assert!(evidence_sources(&r)[0].starts_with("lldpLocSysDesc rule "));
}

/// BRIDGE-MIB's dot1dBaseBridgeAddress gives its OUI, unless the chassis MAC already did.
#[test]
fn the_bridge_address_gives_its_oui_once() {
    let bridge = ("1.3.6.1.2.1.17.1.1.0", octets(&[0x00, 0xe0, 0xfc, 1, 2, 3]));
    let r = record(&observations(std::slice::from_ref(&bridge)));
    assert_eq!(
        r.identification.origin.as_deref(),
        Some("huawei"),
        "{:?}",
        r.identification.evidence
    );
    assert_eq!(evidence_sources(&r), ["OUI of dot1dBaseBridgeAddress"]);
    let r = record(&observations(&[
        bridge,
        ("1.0.8802.1.1.2.1.3.1.0", Value::Integer(4)),
        (
            "1.0.8802.1.1.2.1.3.2.0",
            octets(&[0x00, 0xe0, 0xfc, 1, 2, 4]),
        ),
    ]));
    assert_eq!(evidence_sources(&r), ["OUI of chassis MAC"]);
}

/// Where the chassis names no maker, the maker most boards, power supplies and fans name
/// counts, weakly; optics (class port) do not vote. Where the chassis names one, modules
/// are their own verdicts only.
#[test]
fn modules_vote_weakly_only_where_the_chassis_names_no_maker() {
    let ent = "1.3.6.1.2.1.47.1.1.1.1";
    let mut rows = vec![(format!("{ent}.5.1"), Value::Integer(3))];
    for i in 2..=3 {
        rows.push((format!("{ent}.5.{i}"), Value::Integer(6)));
        rows.push((format!("{ent}.12.{i}"), string("Huawei")));
    }
    for i in 4..=8 {
        rows.push((format!("{ent}.5.{i}"), Value::Integer(10)));
        rows.push((format!("{ent}.12.{i}"), string("Cisco")));
    }
    let as_refs = |rows: &[(String, Value)]| {
        observations(
            &rows
                .iter()
                .map(|(o, v)| (o.as_str(), v.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let r = record(&as_refs(&rows));
    assert_eq!(
        r.identification.origin.as_deref(),
        Some("huawei"),
        "{:?}",
        r.identification.evidence
    );
    let e = &r.identification.evidence[0];
    assert_eq!(
        (e.source.as_str(), e.weight),
        (
            "entPhysicalMfgName of 2 of 2 modules naming a maker",
            crate::identify::weight::MODULE_MFG
        )
    );
    rows.push((format!("{ent}.12.1"), string("Juniper Networks")));
    let r = record(&as_refs(&rows));
    assert_eq!(
        r.identification.origin.as_deref(),
        Some("juniper"),
        "{:?}",
        r.identification.evidence
    );
    assert!(
        r.identification.conflicts.is_empty(),
        "{:?}",
        r.identification.conflicts
    );
}

/// Rows are merged from their columns in index order (numeric, so 2 before 10), each row
/// with the cells its agent answered, whichever columns those are.
#[test]
fn table_rows_merge_sparse_columns_in_index_order() {
    let obs = observations(&[
        ("1.3.6.1.2.1.47.1.1.1.1.2.10", string("ten")),
        ("1.3.6.1.2.1.47.1.1.1.1.2.2", string("two")),
        ("1.3.6.1.2.1.47.1.1.1.1.7.1", string("one")),
        ("1.3.6.1.2.1.47.1.1.1.1.13.10", string("NE40E")),
        // A column not asked for, and the next table's first column.
        ("1.3.6.1.2.1.47.1.1.1.1.3.2", string("x")),
        ("1.3.6.1.2.1.47.1.1.1.2.1.1", string("y")),
    ]);
    type Cells<'a> = [Option<&'a Value>; 3];
    let got: Vec<(Vec<u32>, Cells)> = rows(&obs, ENT_PHYSICAL_ENTRY, [2, 7, 13])
        .map(|r| (r.index.to_vec(), [r.get(2), r.get(7), r.get(13)]))
        .collect();
    assert_eq!(
        got,
        vec![
            (vec![1], [None, Some(&string("one")), None]),
            (vec![2], [Some(&string("two")), None, None]),
            (
                vec![10],
                [Some(&string("ten")), None, Some(&string("NE40E"))]
            ),
        ]
    );
    assert_eq!(rows(&obs, CDP_CACHE_ENTRY, [6]).count(), 0);
}

#[test]
fn text_trims_white_space_and_nuls_and_falls_back_to_latin1() {
    assert_eq!(
        text(Some(&octets(b" \0 NE40E\r\n\0\0"))),
        Some("NE40E".into())
    );
    assert_eq!(
        text(Some(&octets(b"\xa0Caf\xe9\xa0"))),
        Some("Caf\u{e9}".into())
    );
    assert_eq!(text(Some(&string("\u{3000}x\u{3000}"))), Some("x".into()));
    assert_eq!(text(Some(&octets(b" \0\t"))), None);
    assert_eq!(text(Some(&Value::Integer(3))), None);
}

/// Sanitised values are built as if absent, from sysName to an LLDP neighbour's name, and
/// said once in the notes with their count.
#[test]
fn placeholders_are_absent_from_the_record_and_noted_once() {
    let real = [
        (
            "1.3.6.1.2.1.1.1.0",
            string(
                "Huawei Versatile Routing Platform Software VRP (R) software, Version 8.180 (NE40E V800R011C00SPC200)",
            ),
        ),
        (
            "1.3.6.1.2.1.1.2.0",
            Value::ObjectId("1.3.6.1.4.1.2011.2.62.2.3".parse().unwrap()),
        ),
        ("1.3.6.1.2.1.47.1.1.1.1.5.1", Value::Integer(3)),
        ("1.3.6.1.2.1.47.1.1.1.1.13.1", string("NE40E-X8")),
        ("1.0.8802.1.1.2.1.4.1.1.5.0.7.1", string("00e0fc000001")),
        (
            "1.0.8802.1.1.2.1.4.1.1.10.0.7.1",
            string("ZXR10 ROS Version V4.08.23"),
        ),
    ];
    let sanitised = [
        ("1.3.6.1.2.1.1.5.0", string("<private>")),
        ("1.3.6.1.2.1.1.6.0", string("<private> ")),
        ("1.3.6.1.2.1.47.1.1.1.1.11.1", string("XXXXXXXX")),
        ("1.3.6.1.2.1.47.1.1.1.1.12.1", string("<removed>")),
        ("1.0.8802.1.1.2.1.4.1.1.9.0.7.1", string("removed")),
    ];
    let mut all = real.to_vec();
    all.extend(sanitised.iter().cloned());
    let clean = record(&observations(&real));
    let mut dirty = record(&observations(&all));
    assert_eq!(dirty.sys_name, None);
    assert_eq!(dirty.identification.serial, None);
    assert_eq!(dirty.modules[0].manufacturer, None);
    assert_eq!(dirty.neighbors[0].sys_name, None);
    assert_eq!(
        dirty.notes,
        [
            "5 sanitised values taken as absent, never as the device's: \
          3 a bracketed word such as <private>; 1 a mask such as XXXX; 1 the word removed or redacted"
        ]
    );
    dirty.notes.clear();
    assert_eq!(
        serde_json::to_value(&dirty).unwrap(),
        serde_json::to_value(&clean).unwrap()
    );
    let obs = observations(&all);
    assert_eq!(
        identify(&obs, &identifier()),
        identify(&observations(&real), &identifier())
    );
}

/// Every item once, results in the items' order, whatever thread took which.
#[test]
fn on_every_core_keeps_order() {
    let items: Vec<u64> = (0..1000).collect();
    let out = on_every_core(&items, |&n| {
        // Uneven work, as devices are.
        (0..(n % 7) * 1000).fold(n, |a, b| a.wrapping_add(b % 3))
            - (0..(n % 7) * 1000).map(|b| b % 3).sum::<u64>()
    });
    assert_eq!(out, items);
}

/// An LLDP V1 remote row on local port 5: subtype, chassis ID, name, and the
/// management-address rows given as (subtype, octets).
pub(super) fn lldp_row(
    rem_index: u32,
    subtype: i64,
    chassis: &[u8],
    name: Option<&[u8]>,
    addresses: &[(u32, &[u8])],
) -> Vec<(String, Value)> {
    let row = format!("0.5.{rem_index}");
    let mut v = vec![
        (
            format!("1.0.8802.1.1.2.1.4.1.1.4.{row}"),
            Value::Integer(subtype),
        ),
        (format!("1.0.8802.1.1.2.1.4.1.1.5.{row}"), octets(chassis)),
        (format!("1.0.8802.1.1.2.1.4.1.1.6.{row}"), Value::Integer(5)),
        (format!("1.0.8802.1.1.2.1.4.1.1.7.{row}"), string("ge1")),
    ];
    if let Some(name) = name {
        v.push((format!("1.0.8802.1.1.2.1.4.1.1.9.{row}"), octets(name)));
    }
    for (family, address) in addresses {
        let arcs: Vec<String> = address.iter().map(u8::to_string).collect();
        v.push((
            format!(
                "1.0.8802.1.1.2.1.4.2.1.3.{row}.{family}.{}.{}",
                address.len(),
                arcs.join(".")
            ),
            Value::Integer(2),
        ));
    }
    v
}

pub(super) fn observations_of(rows: Vec<(String, Value)>) -> Observations {
    let mut obs = Observations::default();
    obs.extend(
        rows.into_iter()
            .map(|(o, v)| VarBind::new(o.parse().unwrap(), v)),
    );
    obs
}

/// smartax-mdu's chassis and board rows and routeros_rb760igs's neighbour name, as the
/// recordings hold them: text, then a hex dump of the rest.
#[test]
fn text_with_nuls_and_hex_dump_tails_is_cleaned_and_kept_aside() {
    let dump = "\n00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ";
    let mut name = b"peca-sw02\0\0\0\0\0\0\0".to_vec();
    name.extend(dump.as_bytes());
    let mut nuls = vec![0u8; 16];
    nuls.extend(dump.as_bytes());
    let ent = "1.3.6.1.2.1.47.1.1.1.1";
    let mut rows = vec![
        ("1.3.6.1.2.1.1.5.0".to_string(), octets(&name)),
        (format!("{ent}.5.1"), Value::Integer(3)),
        (format!("{ent}.10.1"), octets(&nuls)),
        (format!("{ent}.11.1"), octets(&nuls)),
        (format!("{ent}.5.2"), Value::Integer(9)),
        (format!("{ent}.4.2"), Value::Integer(1)),
        (
            format!("{ent}.11.2"),
            string("21980302203G1200\n34 32 36 30 00 00 00 00 00 00 00 00 00 00 00 00 "),
        ),
        (format!("{ent}.13.2"), string("H822EPUB\u{1}")),
    ];
    rows.extend(lldp_row(
        1,
        4,
        &[0xc0, 6, 0xc3, 0xa1, 0x3f, 0x46],
        Some(&name),
        &[],
    ));
    let r = record(&observations_of(rows));
    assert_eq!(r.sys_name.as_deref(), Some("peca-sw02"));
    assert_eq!(
        r.identification.serial.as_deref(),
        Some("21980302203G12004260")
    );
    assert_eq!(r.identification.version, None);
    assert_eq!(r.modules[0].serial, None);
    assert_eq!(r.modules[0].software_rev, None);
    assert_eq!(r.modules[1].model.as_deref(), Some("H822EPUB"));
    assert_eq!(r.neighbors[0].sys_name.as_deref(), Some("peca-sw02"));
    assert!(
        r.notes.contains(
            &"sys_name cleaned: a hex dump of 16 octets decoded, 23 trailing NUL bytes dropped"
                .to_string()
        ),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes.contains(
            &"5 values of modules or neighbours cleaned for display (originals in `cleaned`)"
                .to_string()
        ),
        "{:?}",
        r.notes
    );
    let original = "peca-sw02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x0a00 00";
    assert!(
        r.cleaned["sys_name"].starts_with(original),
        "{:?}",
        r.cleaned
    );
    assert!(r.cleaned["neighbors[0].sys_name"].starts_with(original));
    assert_eq!(r.cleaned["modules[2].model"], "H822EPUB\\x01");
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["cleaned"].is_object());
    // A record with nothing to clean has no `cleaned` in its JSON.
    let plain = record(&observations(&[("1.3.6.1.2.1.1.5.0", string("core-1"))]));
    assert!(plain.cleaned.is_empty());
    assert!(
        serde_json::to_value(&plain)
            .unwrap()
            .get("cleaned")
            .is_none()
    );
}

/// ibmc's chassis serial is the word `SerialNumber`; the board's is a serial.
#[test]
fn a_placeholder_is_not_a_serial() {
    let ent = "1.3.6.1.2.1.47.1.1.1.1";
    let obs = observations(&[
        (&format!("{ent}.5.1"), Value::Integer(3)),
        (&format!("{ent}.11.1"), string("SerialNumber")),
        (&format!("{ent}.5.2"), Value::Integer(9)),
        (&format!("{ent}.11.2"), string("2102310YPX10H2000123")),
    ]);
    let r = record(&obs);
    assert_eq!(r.modules[0].serial, None);
    assert_eq!(
        r.identification.serial.as_deref(),
        Some("2102310YPX10H2000123")
    );
    assert_eq!(r.cleaned["modules[1].serial"], "SerialNumber");
    // One value, counted once, though both cleaned and a placeholder.
    let padded = observations(&[
        (&format!("{ent}.5.1"), Value::Integer(3)),
        (&format!("{ent}.11.1"), string("SerialNumber\0\u{1}\0")),
    ]);
    let r = record(&padded);
    assert_eq!(r.cleaned["modules[1].serial"], "SerialNumber\\x00\\x01");
    assert_eq!(
        r.notes,
        ["1 value of modules or neighbours cleaned for display (originals in `cleaned`)"]
    );
    let only = observations(&[
        (&format!("{ent}.5.1"), Value::Integer(3)),
        (&format!("{ent}.11.1"), string("To be filled by O.E.M.")),
    ]);
    let r = record(&only);
    assert_eq!(r.identification.serial, None);
    assert_eq!(r.modules[0].serial, None);
}
