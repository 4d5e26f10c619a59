//! `--inventory` with the real binary over recordings: a sysLocation pattern sets the site of
//! the devices whose sysLocation matches and of no other, NetBox's device export gives site,
//! role and owner with its file and line as their source, and a bad pattern or a bad row is
//! exit code 2 naming file and line.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn recording(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `identify` over recordings with these inventory files: the records written.
fn identify(recordings: &[&str], inventory: &[PathBuf]) -> Vec<serde_json::Value> {
    let paths: Vec<PathBuf> = recordings.iter().map(|r| recording(r)).collect();
    let mut args = vec!["identify", "--format", "jsonl", "--snmprec"];
    args.extend(paths.iter().map(|p| s(p)));
    for i in inventory {
        args.extend(["--inventory", s(i)]);
    }
    let o = run(&args, LIMIT);
    assert!(o.status.success(), "{}", stderr(&o));
    jsonl(&o.stdout)
}

/// The polled record of a recording (not its neighbours').
fn record<'a>(records: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    let path = recording(name);
    records
        .iter()
        .find(|r| r["address"] == s(&path))
        .unwrap_or_else(|| panic!("no record of {name}"))
}

#[test]
fn a_sys_location_pattern_sets_the_site_of_matching_devices_only() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("sites.toml");
    std::fs::write(
        &inv,
        "# Site codes: three letters and two digits.\n[[pattern]]\nfield = \"sys_location\"\npattern = '^(?<site>[A-Z]{3}\\d{2})$'\nrole = \"access\"\n",
    )
    .unwrap();
    // sysLocation: ASW04 (matches); LOC, Unknown, "Examplestreet," and a location[...] (not).
    let names = [
        "other/eltex-mes23xx_mes2324fb",
        "other/exos",
        "huawei/huawei-smu_11b",
        "other/fs-ruijie_s3410",
        "other/witchos",
    ];
    let records = identify(&names, std::slice::from_ref(&inv));
    let eltex = record(&records, names[0]);
    assert_eq!(eltex["sys_location"], "ASW04");
    assert_eq!(eltex["site"]["value"], "ASW04");
    let source = format!("sysLocation pattern {}:2", inv.display());
    assert_eq!(eltex["site"]["source"], source.as_str());
    assert_eq!(eltex["role"]["value"], "access");
    let mut others = 0;
    for r in &records {
        if r["address"] != eltex["address"] {
            assert!(r.get("site").is_none_or(|x| x.is_null()), "{r}");
            assert!(r.get("role").is_none_or(|x| x.is_null()), "{r}");
            others += 1;
        }
    }
    assert!(
        others >= 4,
        "the other recordings and the Eltex's neighbours"
    );
    for n in &names[1..] {
        assert!(record(&records, n)["sys_location"].is_string(), "{n}");
    }
}

#[test]
fn netbox_device_export_gives_site_role_and_owner_with_its_lines() {
    let netbox = root().join("tests/data/netbox/devices.csv");
    let names = [
        "huawei/vrp_5720",
        "huawei/smartax-mdu",
        "huawei/vrp_ar169sfp",
        "other/arista_eos",
    ];
    let records = identify(&names, std::slice::from_ref(&netbox));
    let source = |line: usize| format!("netbox {}:{line}", netbox.display());
    // By serial number: rows 2, 6 and 5 of the export (the header is line 1).
    let expect = [
        (names[0], "TOR01", "aggregation", "Example Mobile, Inc.", 2),
        (names[1], "MTL02", "access", "Example Fibre Ltd", 6),
        (
            names[2],
            "VAN03",
            "customer-premises",
            "Example Fibre Ltd",
            5,
        ),
    ];
    for (name, site, role, owner, line) in expect {
        let r = record(&records, name);
        assert_eq!(r["site"]["value"], site, "{name}");
        assert_eq!(r["role"]["value"], role, "{name}");
        assert_eq!(r["owner"]["value"], owner, "{name}");
        for field in ["site", "role", "owner"] {
            assert_eq!(r[field]["source"], source(line).as_str(), "{name} {field}");
        }
    }
    let olt = record(&records, names[1]);
    assert_eq!(olt["technology"]["value"], "fibre-access");
    assert_eq!(olt["acquired"]["value"], "2018-07-02");
    let arista = record(&records, names[3]);
    assert!(arista.get("site").is_none_or(|x| x.is_null()), "{arista}");
}

#[test]
fn a_bad_pattern_or_row_is_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("bad.toml");
    std::fs::write(
        &pattern,
        "[[pattern]]\nfield = \"sys_location\"\npattern = '(?<site>[A-Z]{3}'\n",
    )
    .unwrap();
    let row = dir.path().join("bad.csv");
    std::fs::write(
        &row,
        "address,site,acquired\n10.0.0.0/8,TOR01,\n10.1.0.0/16,MTL02,2019-31-12\n",
    )
    .unwrap();
    let cases = [
        (
            &pattern,
            "bad.toml:3:11: \"(?<site>[A-Z]{3}\" is not a regular expression",
        ),
        (&row, "bad.csv:3:19: \"2019-31-12\" is not a date"),
    ];
    for (file, message) in cases {
        let o = run(
            &[
                "identify",
                "--snmprec",
                s(&recording("other/exos")),
                "--inventory",
                s(file),
            ],
            LIMIT,
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
        assert!(
            o.stdout.is_empty(),
            "nothing is judged with a broken inventory"
        );
    }
}
