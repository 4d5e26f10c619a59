//! `netorigin oui`: lookups answer from the bundled IEEE registries (checked against the rows
//! of `oui-data/*.csv`), bad MAC addresses and malformed CSVs are exit 2, and `oui update`
//! makes later lookups answer from the user's files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary with its data folder at `data_dir` (never the developer's own).
fn netorigin(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netorigin"))
        .args(args)
        .env("NETORIGIN_DATA_DIR", data_dir)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The rows of a bundled registry CSV.
fn rows(file: &str) -> Vec<csv::StringRecord> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("oui-data")
        .join(file);
    csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .records()
        .map(Result::unwrap)
        .collect()
}

/// A MAC address inside the block of `prefix` (hex digits), as 00:11:22:33:44:55.
fn mac_in(prefix: &str) -> String {
    let mut hex = prefix.to_ascii_lowercase();
    while hex.len() < 12 {
        hex.push('5');
    }
    (0..6)
        .map(|i| &hex[2 * i..2 * i + 2])
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn lookup_answers_each_registry_from_its_row() {
    let data = tempfile::tempdir().unwrap();
    let huawei = rows("oui.csv")
        .into_iter()
        .find(|r| &r[1] == "00E0FC")
        .unwrap();
    let ma_m = rows("mam.csv").into_iter().nth(100).unwrap();
    let ma_s = rows("oui36.csv")
        .into_iter()
        .find(|r| r[1].starts_with("70B3D5"))
        .unwrap();
    let iab = rows("iab.csv")
        .into_iter()
        .find(|r| r[1].starts_with("0050C2"))
        .unwrap();
    let picked = [&huawei, &ma_m, &ma_s, &iab];
    let macs: Vec<String> = picked.iter().map(|r| mac_in(&r[1])).collect();
    let mut args = vec!["oui", "lookup"];
    args.extend(macs.iter().map(String::as_str));
    let o = netorigin(data.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), picked.len() + 1, "{out}");
    for ((line, row), mac) in lines.iter().zip(picked).zip(&macs) {
        let want = format!("{mac}\t{}\t{}\t{}", &row[0], &row[1], row[2].trim());
        assert_eq!(*line, want);
    }
    assert!(lines[0].contains("HUAWEI"), "{}", lines[0]);
    let total: usize = ["oui.csv", "mam.csv", "oui36.csv", "iab.csv"]
        .iter()
        .map(|f| rows(f).len())
        .sum();
    assert_eq!(
        lines[picked.len()],
        format!("registry: 2026-06 ({total} assignments)")
    );
}

#[test]
fn other_forms_local_multicast_and_unknown() {
    let data = tempfile::tempdir().unwrap();
    let o = netorigin(
        data.path(),
        &[
            "oui",
            "lookup",
            "00e0.fc00.0001",
            "02:00:00:00:00:01",
            "01-80-C2-00-00-0E",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("00:e0:fc:00:00:01\tMA-L\t00E0FC\t"),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "02:00:00:00:00:01\tlocally administered (not in any registry)"
    );
    assert_eq!(
        lines[2],
        "01:80:c2:00:00:0e\tmulticast (not in any registry)"
    );
}

#[test]
fn bad_mac_is_exit_2_naming_it_and_the_forms() {
    let data = tempfile::tempdir().unwrap();
    let o = netorigin(
        data.path(),
        &["oui", "lookup", "00:e0:fc:00:00:01", "00:e0:fc:00:01"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).starts_with("00:e0:fc:00:00:01\tMA-L\t00E0FC\t"),
        "the good address is answered: {}",
        stdout(&o)
    );
    let err = stderr(&o);
    assert!(err.contains("\"00:e0:fc:00:01\""), "{err}");
    assert!(err.contains("00e0.fc00.0001"), "{err}");
}

const HEADER: &str = "Registry,Assignment,Organization Name,Organization Address\r\n";

#[test]
fn update_makes_lookups_answer_from_the_users_files() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let file = input.path().join("oui.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}MA-L,00E0FC,\"Made-up Networks, Inc.\",\"1 Test Road Testville  ZZ 00000 \"\r\n\
             MA-M,00E0FC7,\"Made-up \"\"Small\"\" Block\",\r\n"
        ),
    )
    .unwrap();
    let o = netorigin(
        data.path(),
        &["oui", "update", "--from", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("read 2 assignments"), "{out}");
    assert!(
        out.contains(&data.path().join("oui").display().to_string()),
        "{out}"
    );
    assert!(data.path().join("oui/oui.csv").exists());
    assert!(data.path().join("oui/SOURCE").exists());

    let o = netorigin(
        data.path(),
        &[
            "oui",
            "lookup",
            "00:e0:fc:00:00:01",
            "00e0fc700001",
            "70:b3:d5:00:00:01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "00:e0:fc:00:00:01\tMA-L\t00E0FC\tMade-up Networks, Inc.",
            "00:e0:fc:70:00:01\tMA-M\t00E0FC7\tMade-up \"Small\" Block",
            "70:b3:d5:00:00:01\tnot found",
        ]
    );
    assert!(lines[3].ends_with(" (2 assignments)"), "{out}");
}

#[test]
fn malformed_csv_given_to_update_is_exit_2_naming_file_and_line() {
    let input = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let file = input.path().join("mam.csv");
    std::fs::write(
        &file,
        format!("{HEADER}MA-M,00E0FC7,Fine,\r\nMA-M,00E0FC,Too short a prefix,\r\n"),
    )
    .unwrap();
    let o = netorigin(
        data.path(),
        &["oui", "update", "--from", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("mam.csv:3: "), "{err}");
    assert!(err.contains("7 hex digits"), "{err}");
    assert!(!data.path().join("oui").exists(), "nothing stored");

    let o = netorigin(
        data.path(),
        &["oui", "update", "--from", "/nonexistent/oui.csv"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/oui.csv"),
        "{}",
        stderr(&o)
    );
}
