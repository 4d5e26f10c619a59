//! `export netbox`: a stored sweep of a simulated segment written as NetBox's bulk-import CSV
//! files, every device, module and maker in its place. Simulated agents live on 127.52.0.0/24
//! only.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{Simulator, jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

/// The rows of a CSV file, header first.
fn rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn a_stored_sweep_exports_every_device_module_and_maker_for_netbox() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let sim = Simulator::start(
        "127.52.0.1",
        &[
            rec("huawei/vrp_ce12804-entity"),
            rec("other/ios_c3560"),
            rec("huawei/vrp_ar169sfp"),
        ],
        &[],
    );
    let port = sim.port.to_string();
    let o = run(
        &[
            "sweep",
            "127.52.0.0/29",
            "--port",
            &port,
            "--rate",
            "unlimited",
            "--db",
            s(&db),
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let swept = jsonl(&o.stdout);
    assert_eq!(swept.len(), 3);

    let out = dir.path().join("netbox");
    let o = run(
        &[
            "export",
            "netbox",
            "--db",
            s(&db),
            "--out",
            s(&out),
            "--site",
            "LAB01",
        ],
        LIMIT,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("devices.csv (3)"), "{err}");

    let manufacturers = rows(&out.join("manufacturers.csv"));
    assert_eq!(manufacturers[0], ["name", "slug", "description"]);
    let makers: Vec<&str> = manufacturers[1..].iter().map(|r| r[0].as_str()).collect();
    for v in swept.iter().filter_map(|d| d["vendor"].as_str()) {
        assert!(makers.contains(&v), "{v} not in {makers:?}");
    }

    let devices = rows(&out.join("devices.csv"));
    assert_eq!(devices[0], netorigin::report::netbox::DEVICES);
    assert_eq!(devices.len(), 4);
    for d in &swept {
        let name = d["sys_name"].as_str().or(d["address"].as_str()).unwrap();
        let row = devices[1..]
            .iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("{name} not in {devices:?}"));
        assert_eq!(row[3], d["vendor"].as_str().unwrap_or("Unknown"));
        assert_eq!(row[5], d["serial"].as_str().unwrap_or(""));
        // Nothing said where it stands: the site given, the default role.
        assert_eq!(row[7], "LAB01");
        assert_eq!(row[1], "netorigin-discovered");
        assert!(row[9].contains(&format!("verdict: {}", d["verdict"].as_str().unwrap())));
        // Every device type a device names is in device-types.csv.
        let types = rows(&out.join("device-types.csv"));
        assert!(
            types.iter().any(|t| t[0] == row[3] && t[1] == row[4]),
            "{row:?}"
        );
    }

    // Every card, power supply, fan and optic with a serial of every device is a module.
    let modules = rows(&out.join("modules.csv"));
    let module_types = rows(&out.join("module-types.csv"));
    let expected: usize = swept
        .iter()
        .map(|d| {
            d["modules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| match m["class"].as_str() {
                    Some("module" | "powerSupply" | "fan") => true,
                    Some("port") => !m["serial"].is_null(),
                    _ => false,
                })
                .count()
        })
        .sum();
    assert!(expected > 0, "the recordings have modules");
    assert_eq!(modules.len() - 1, expected);
    for m in &modules[1..] {
        assert!(devices.iter().any(|d| d[0] == m[0]), "{m:?}");
        assert!(module_types.iter().any(|t| t[1] == m[2]), "{m:?}");
    }

    // Read back by the inventory's NetBox importer (as `--inventory` reads them): every
    // device, module and maker kept, and each device's site and role given back to it.
    let files: Vec<PathBuf> = [
        "manufacturers.csv",
        "device-types.csv",
        "devices.csv",
        "module-types.csv",
        "modules.csv",
    ]
    .iter()
    .map(|f| out.join(f))
    .collect();
    let inventory = netorigin::inventory::Inventory::load(&files).unwrap();
    let back = inventory.netbox();
    let column = |table: &[Vec<String>], i: usize| -> Vec<String> {
        table[1..].iter().map(|r| r[i].clone()).collect()
    };
    assert_eq!(back.devices, column(&devices, 0));
    assert_eq!(back.manufacturers, column(&manufacturers, 0));
    let pairs = |table: &[Vec<String>]| -> Vec<(String, String)> {
        table[1..]
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect()
    };
    assert_eq!(
        back.device_types,
        pairs(&rows(&out.join("device-types.csv")))
    );
    assert_eq!(back.module_types, pairs(&module_types));
    let modules_back: Vec<[String; 4]> = back
        .modules
        .iter()
        .map(|m| {
            [
                m.device.clone(),
                m.module_bay.clone(),
                m.module_type.clone(),
                m.serial.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let modules_out: Vec<[String; 4]> = modules[1..]
        .iter()
        .map(|r| [r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()])
        .collect();
    assert_eq!(modules_back, modules_out);
    for d in &swept {
        let mut observed: netorigin::record::Observed = serde_json::from_value(d.clone()).unwrap();
        observed.context = Default::default();
        inventory.apply(&mut observed);
        let site = observed.context.site.expect("a site from devices.csv");
        assert_eq!(site.value, "LAB01");
        assert!(site.source.starts_with("netbox ") && site.source.contains("devices.csv:"));
    }
}

#[test]
fn exporting_from_a_database_with_no_such_sweep_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "export",
            "netbox",
            "7",
            "--db",
            s(&dir.path().join("none.db")),
            "--out",
            s(&dir.path().join("out")),
        ],
        LIMIT,
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
