use std::path::Path;

use super::Inventory;
use crate::date::Date;
use crate::location::FileError;
use crate::record::{Mac, Observed};

/// An inventory of files given as (name, text), in order.
fn inventory(files: &[(&str, &str)]) -> Result<Inventory, FileError> {
    let mut inv = Inventory::default();
    for (name, text) in files {
        inv.read(Path::new(name), name, text)?;
    }
    Ok(inv)
}

/// One file's inventory, which must read.
fn one(name: &str, text: &str) -> Inventory {
    inventory(&[(name, text)]).unwrap_or_else(|e| panic!("{e}"))
}

/// One file's error, which there must be.
fn error(name: &str, text: &str) -> FileError {
    match inventory(&[(name, text)]) {
        Ok(i) => panic!("{name} read: {i:?}"),
        Err(e) => e,
    }
}

fn device(address: &str, sys_name: &str) -> Observed {
    Observed {
        address: address.into(),
        sys_name: Some(sys_name.into()),
        ..Observed::default()
    }
}

/// A field's value and source, as text.
fn site(d: &Observed) -> Option<(String, String)> {
    d.context
        .site
        .as_ref()
        .map(|s| (s.value.clone(), s.source.clone()))
}

fn applied(inv: &Inventory, mut d: Observed) -> Observed {
    inv.apply(&mut d);
    d
}

const CSV: &str = "address,serial,chassis_mac,sys_name,site,role,technology,owner,acquired
10.20.0.0/16,,,,TOR01,,,,
10.20.3.7,,,,TOR01-R3,,,,
,2102351931P0K3000012,,,MTL02,RAN,LTE,Example Mobile,2019-05-01
,,00-E0-FC-12-34-56,,VAN03,Core,NR,,
,,,edge-.*,EDGE,Access,\"GPON, XGS-PON\",,
";

#[test]
fn every_key_kind_picks_its_device_out() {
    let inv = one("sites.csv", CSV);
    let d = applied(&inv, device("10.20.9.9", "x"));
    assert_eq!(
        site(&d),
        Some(("TOR01".into(), "inventory sites.csv:2".into()))
    );
    let d = applied(&inv, device("10.20.3.7", "x"));
    assert_eq!(
        site(&d),
        Some(("TOR01-R3".into(), "inventory sites.csv:3".into())),
        "a bare address is more specific than its /16"
    );
    let mut d = device("192.0.2.1", "x");
    d.identification.serial = Some(" 2102351931p0k3000012 ".into());
    let d = applied(&inv, d);
    assert_eq!(site(&d).unwrap().0, "MTL02", "serials compare without case");
    let c = &d.context;
    assert_eq!(c.role.as_ref().unwrap().value, "ran");
    assert_eq!(c.technology.as_ref().unwrap().value, "4g");
    assert_eq!(c.owner.as_ref().unwrap().value, "Example Mobile");
    assert_eq!(
        c.acquired.as_ref().unwrap().value,
        Date::new(2019, 5, 1).unwrap()
    );
    assert_eq!(c.acquired.as_ref().unwrap().source, "inventory sites.csv:4");
    let mut d = device("192.0.2.1", "x");
    d.identification.chassis_mac = Some(Mac([0, 0xe0, 0xfc, 0x12, 0x34, 0x56]));
    let d = applied(&inv, d);
    assert_eq!(site(&d).unwrap().0, "VAN03");
    assert_eq!(d.context.role.as_ref().unwrap().value, "core");
    assert_eq!(d.context.technology.as_ref().unwrap().value, "5g");
    let d = applied(&inv, device("192.0.2.1", "edge-7"));
    assert_eq!(site(&d).unwrap().0, "EDGE");
    assert_eq!(d.context.technology.as_ref().unwrap().value, "fibre-access");
    let d = applied(&inv, device("192.0.2.1", "my-edge-7"));
    assert_eq!(site(&d), None, "a sysName pattern matches the whole name");
    let d = applied(&inv, device("lldp:00:11:22:33:44:55", "x"));
    assert_eq!(site(&d), None);
    assert!(d.notes.is_empty());
}

#[test]
fn a_more_specific_key_wins_and_a_tie_is_noted() {
    let a = "sys_name,address,serial,site\nr1,,,BY-NAME\n,10.0.0.0/8,,BY-NET\n,,S1,BY-SERIAL\n";
    let b = "serial,site,role\nS1,OTHER,core\n";
    let inv = inventory(&[("a.csv", a), ("b.csv", b)]).unwrap();
    let mut d = device("10.1.1.1", "r1");
    d.identification.serial = Some("S1".into());
    let d = applied(&inv, d);
    assert_eq!(
        site(&d),
        Some(("BY-SERIAL".into(), "inventory a.csv:4".into()))
    );
    assert_eq!(
        d.context.role.as_ref().unwrap().source,
        "inventory b.csv:2",
        "each field from the first row that gives it"
    );
    assert_eq!(d.notes.len(), 1, "{:?}", d.notes);
    assert!(
        d.notes[0]
            .contains("\"BY-SERIAL\" (inventory a.csv:4) kept over \"OTHER\" (inventory b.csv:2)"),
        "{}",
        d.notes[0]
    );
    let d = applied(&inv, device("10.1.1.1", "r1"));
    assert_eq!(site(&d).unwrap().0, "BY-NET", "an address before a sysName");
    assert!(d.notes.is_empty(), "lower ranks are not disagreements");
    let same = "serial,site\nS1,BY-SERIAL\n";
    let inv = inventory(&[("a.csv", a), ("c.csv", same)]).unwrap();
    let mut d = device("10.1.1.1", "r1");
    d.identification.serial = Some("S1".into());
    assert!(applied(&inv, d).notes.is_empty(), "rows that agree");
}

const TOML: &str = r#"
[[device]]
serial = "S9"
technology = "4G+5G"
acquired = 2020-01-15

[[pattern]]
field = "sys_name"
pattern = '^(?<site>[a-z]{3}\d{2})-(?<role>core|agg)'
owner = "Example Fibre"

[[pattern]]
field = "sys_location"
pattern = '(?<site>[A-Z]{3}\d{2})-R\d'
"#;

#[test]
fn patterns_on_sys_location_and_sys_name_rank_below_rows() {
    let inv = one("inv.toml", TOML);
    let mut d = device("10.0.0.1", "tor01-core-1");
    d.sys_location = Some("MTL02-R3, 1 Rue X".into());
    let d = applied(&inv, d);
    assert_eq!(
        site(&d),
        Some(("MTL02".into(), "sysLocation pattern inv.toml:12".into())),
        "sysLocation before sysName"
    );
    let role = d.context.role.as_ref().unwrap();
    assert_eq!(
        (role.value.as_str(), role.source.as_str()),
        ("core", "sysName pattern inv.toml:7")
    );
    assert_eq!(d.context.owner.as_ref().unwrap().value, "Example Fibre");
    assert!(
        d.notes.is_empty(),
        "patterns on different fields are different ranks"
    );

    let d = applied(&inv, device("10.0.0.1", "unknown"));
    assert_eq!(d.context, Default::default(), "nothing matched");

    let mut d = device("10.0.0.1", "tor01-agg-1");
    d.identification.serial = Some("S9".into());
    let d = applied(&inv, d);
    assert_eq!(d.context.technology.as_ref().unwrap().value, "4g+5g");
    assert_eq!(
        d.context.technology.as_ref().unwrap().source,
        "inventory inv.toml:2"
    );
    assert_eq!(
        d.context.acquired.as_ref().unwrap().value,
        Date::new(2020, 1, 15).unwrap()
    );
    assert_eq!(d.context.role.as_ref().unwrap().value, "aggregation");

    let rows = "address,site\n10.0.0.0/8,ROW\n";
    let inv = inventory(&[("inv.toml", TOML), ("r.csv", rows)]).unwrap();
    let d = applied(&inv, device("10.0.0.1", "tor01-core-1"));
    assert_eq!(
        site(&d).unwrap().0,
        "ROW",
        "a row before a pattern, whatever the file order"
    );
}

/// NetBox 4.x's export of the device table, as its header names the columns.
const EXPORT: &str = "\u{feff}ID,Name,Status,Tenant,Site,Location,Rack,Role,Manufacturer,Type,IP Address,IPv4 Address,IPv6 Address,OOB IP,Serial number,Asset tag,Technology,Acquired
1,tor01-ran-1,Active,\"Example Mobile, Inc.\",TOR01,,,Radio Access,Huawei,BBU5900,10.9.0.1/24,10.9.0.1/24,,,2102,,LTE,2019-05-01
2,,Planned,,MTL02,,,Core,ZTE,ZXR10,,,2001:db8::7/64,,,,,
3,spare,Inventory,,,,,,Cisco,C9300,,,,,,,,
";

#[test]
fn netbox_export_rows_give_site_role_owner_with_their_line() {
    let inv = one("devices.csv", EXPORT);
    let d = applied(&inv, device("10.9.0.1", "other"));
    assert_eq!(
        site(&d),
        Some(("TOR01".into(), "netbox devices.csv:2".into()))
    );
    let c = &d.context;
    assert_eq!(c.role.as_ref().unwrap().value, "ran");
    assert_eq!(c.owner.as_ref().unwrap().value, "Example Mobile, Inc.");
    assert_eq!(c.technology.as_ref().unwrap().value, "4g");
    assert_eq!(c.acquired.as_ref().unwrap().source, "netbox devices.csv:2");
    let by_name = applied(&inv, device("192.0.2.1", "TOR01-RAN-1"));
    assert_eq!(site(&by_name).unwrap().0, "TOR01", "the name, but for case");
    let v6 = applied(&inv, device("2001:db8::7", "x"));
    assert_eq!(site(&v6).unwrap().0, "MTL02");
    assert_eq!(v6.context.role.as_ref().unwrap().value, "core");
    let near = applied(&inv, device("10.9.0.2", "x"));
    assert_eq!(
        site(&near),
        None,
        "a primary IP is one address, not its prefix"
    );

    let rows = "address,site\n10.9.0.1,OURS\n";
    let inv = inventory(&[("devices.csv", EXPORT), ("ours.csv", rows)]).unwrap();
    let d = applied(&inv, device("10.9.0.1", "x"));
    assert_eq!(
        site(&d).unwrap().0,
        "OURS",
        "an inventory row before NetBox's"
    );
    assert_eq!(
        d.context.role.as_ref().unwrap().source,
        "netbox devices.csv:2"
    );
}

#[test]
fn netbox_bulk_import_fields_are_read_too() {
    let import =
        "name,role,tenant,manufacturer,device_type,serial,status,site,cf_technology,cf_acquired
olt-1,Access,Example Fibre,Huawei,MA5800-X7,48575443ABCD,active,LON07,GPON,2018-09-01
";
    let inv = one("import.csv", import);
    let mut d = device("192.0.2.1", "x");
    d.identification.serial = Some("48575443ABCD".into());
    let d = applied(&inv, d);
    assert_eq!(
        site(&d),
        Some(("LON07".into(), "netbox import.csv:2".into()))
    );
    let c = &d.context;
    assert_eq!(c.technology.as_ref().unwrap().value, "fibre-access");
    assert_eq!(c.owner.as_ref().unwrap().value, "Example Fibre");
    assert_eq!(
        c.acquired.as_ref().unwrap().value,
        Date::new(2018, 9, 1).unwrap()
    );
    let by_name = applied(&inv, device("192.0.2.1", "olt-1"));
    assert_eq!(by_name.context.role.as_ref().unwrap().value, "access");
}

/// Where an error is and what it says, as its message.
fn says(e: &FileError, place: &str, words: &str) {
    let text = e.to_string();
    assert!(text.starts_with(place) && text.contains(words), "{text}");
}

/// Files with one mistake each: (name, text, where the message starts, words it has).
const CSV_MISTAKES: &[(&str, &str, &str, &str)] = &[
    (
        "a.csv",
        "address,sitee\n10.0.0.1,X\n",
        "a.csv:1:9: unknown column \"sitee\"",
        "expected keys address, serial, chassis_mac, sys_name and values site",
    ),
    (
        "a.csv",
        "address,site\n10.0.0.1,X\n10.0.0.0/33,Y\n",
        "a.csv:3:1: \"10.0.0.0/33\" is not an address or a CIDR",
        "10.1.0.0/16",
    ),
    (
        "a.csv",
        "site,acquired,serial\n\"A, B\",2019-13-01,S\n",
        "a.csv:2:8: \"2019-13-01\" is not a date",
        "YYYY-MM-DD",
    ),
    (
        "a.csv",
        "site,chassis_mac\nX,00:e0:fc:12:34\n",
        "a.csv:2:3: \"00:e0:fc:12:34\" is not a MAC address",
        "00e0.fc12.3456",
    ),
    (
        "a.csv",
        "site,sys_name\nX,edge-(\n",
        "a.csv:2:3: \"edge-(\" is not a regular expression",
        "unclosed group",
    ),
    (
        "a.csv",
        "site,address\nX,\n",
        "a.csv:2: a row needs a key and a value",
        "no key (address",
    ),
    (
        "a.csv",
        "site,address\n,10.0.0.1\n",
        "a.csv:2: a row needs a key and a value",
        "no value (site",
    ),
    (
        "a.csv",
        "site,address\nX,10.0.0.1,extra\n",
        "a.csv:2: 3 cells",
        "header names 2",
    ),
    (
        "a.csv",
        "site,site\n",
        "a.csv:1:6: column \"site\" is named twice",
        "",
    ),
    (
        "a.csv",
        "site,role\n",
        "a.csv:1: the header needs a key",
        "",
    ),
    ("a.csv", "", "a.csv:1: empty", "header row"),
    (
        "d.csv",
        "Name,Site,IPv4 Address\nr1,X,10.0.0.300/24\n",
        "d.csv:2:6: \"10.0.0.300/24\" is not an IP address",
        "",
    ),
    ("a.xlsx", "x", "file a.xlsx: not an inventory file", ".csv"),
];

#[test]
fn csv_mistakes_name_line_and_column() {
    for (name, text, place, words) in CSV_MISTAKES {
        says(&error(name, text), place, words);
    }
    let blank = one("a.csv", "site,address\n,\n");
    assert!(blank.is_empty(), "a blank row is left out");
}

/// Files with one mistake each: (name, text, where the message starts, words it has).
const TOML_MISTAKES: &[(&str, &str, &str, &str)] = &[
    (
        "i.toml",
        "[[pattern]]\nfield = \"sys_location\"\npattern = '(?<site>[A-Z'\n",
        "i.toml:3:11: \"(?<site>[A-Z\" is not a regular expression",
        "",
    ),
    (
        "i.toml",
        "[[pattern]]\nfield = \"sys_name\"\npattern = '(?<city>\\w+)'\n",
        "i.toml:3:11: unknown group name \"city\"",
        "site, role, technology, owner",
    ),
    (
        "i.toml",
        "[[pattern]]\nfield = \"sysDescr\"\npattern = 'x'\nsite = \"A\"\n",
        "i.toml:2:9: field must be \"sys_location\" or \"sys_name\"",
        "",
    ),
    (
        "i.toml",
        "[[pattern]]\nfield = \"sys_name\"\npattern = 'x'\n",
        "i.toml:1:",
        "sets nothing",
    ),
    (
        "i.toml",
        "[[pattern]]\nfield = \"sys_name\"\npattern = '(?<site>x)'\nsite = \"A\"\n",
        "i.toml:3:11: site is both a group",
        "",
    ),
    (
        "i.toml",
        "[[device]]\naddress = \"10.0.0.1\"\nsite = \"A\"\nacquired = \"2019-02-30\"\n",
        "i.toml:4:12: \"2019-02-30\" is not a date",
        "",
    ),
    (
        "i.toml",
        "[[device]]\naddress = \"10.0.0.1\"\nsite = \"A\"\nacquired = 2019-02-03T10:00:00\n",
        "i.toml:4:12: \"2019-02-03T10:00:00\" is not a date",
        "",
    ),
    (
        "i.toml",
        "[[device]]\naddress = \"10.0.0.1\"\nsite = \"A\"\nrack = \"R1\"\n",
        "i.toml:4:1:",
        "unknown field `rack`",
    ),
    (
        "i.toml",
        "\n[[device]]\nsite = \"A\"\n",
        "i.toml:",
        "needs a key and a value: this one has no key",
    ),
    (
        "i.toml",
        "[[device]]\nchassis_mac = \"00:e0\"\nsite = \"A\"\n",
        "i.toml:2:15: \"00:e0\" is not a MAC address",
        "",
    ),
];

#[test]
fn toml_mistakes_name_line_and_column() {
    for (name, text, place, words) in TOML_MISTAKES {
        says(&error(name, text), place, words);
    }

    let e = error("i.toml", "\n[[device]]\nsite = \"A\"\n");
    assert!(e.line >= 2, "the table's own line: {e}");
}

#[test]
fn networks_are_found_by_every_prefix_length_of_either_family() {
    let inv = one(
        "nets.csv",
        "address,site
10.1.2.77/24,NET24
10.1.0.0/16,NET16
10.1.2.9,HOST
2001:db8:7::/48,V6
",
    );
    let at = |address: &str| site(&applied(&inv, device(address, "x"))).map(|(s, _)| s);
    // A network written with host bits set is still its network.
    assert_eq!(at("10.1.2.200").as_deref(), Some("NET24"));
    assert_eq!(at("10.1.9.1").as_deref(), Some("NET16"));
    assert_eq!(at("10.1.2.9").as_deref(), Some("HOST"));
    assert_eq!(at("2001:db8:7:1::5").as_deref(), Some("V6"));
    assert_eq!(at("10.2.0.1"), None);
    assert_eq!(at("2001:db8:8::1"), None);
    assert_eq!(at("not-an-address"), None);
}
