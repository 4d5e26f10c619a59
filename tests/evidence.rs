//! Evidence packs through the real binary (issue 21): a sweep of simulated agents stored with
//! its saved walks and a ledger step with an evidence file, a key made, the sweep packed with
//! a capture, and the pack verified; then the pack tampered with in each way an auditor must
//! catch (one byte of a saved walk, a file added, a file removed, another signer), and a
//! private key others can read refused. Simulated agents live on 127.71.0.0/29 only.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::{Simulator, free_port, root, run, s};
use netorigin::evidence::{Limits, tar};

const LIMIT: Duration = Duration::from_secs(120);

/// A community string no file of the pack may hold.
const COMMUNITY: &str = "s3cret-evidence-community";

fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs the binary, which must exit with `code`.
fn expect(args: &[&str], code: i32) -> Output {
    let o = run(args, LIMIT);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?}\nstdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    o
}

/// The files of a pack: each path in the tar and its bytes, in order.
fn unpack(pack: &Path) -> Vec<(String, Vec<u8>)> {
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(pack).unwrap())
        .read_to_end(&mut tar_bytes)
        .unwrap();
    let mut r = tar::Reader::new(&tar_bytes[..], Limits::default());
    let mut files = Vec::new();
    while let Some(e) = r.next_entry().unwrap() {
        let mut data = Vec::new();
        r.data(|c| data.extend_from_slice(c)).unwrap();
        files.push((e.path, data));
    }
    files
}

/// Writes `files` as a pack (a gzip'd tar) to `to`: a pack rewritten by hand.
fn repack(files: &[(String, Vec<u8>)], to: &Path) {
    let mut t = tar::Writer::new(Vec::new(), 0);
    for (path, data) in files {
        t.append(path, data.len() as u64, &data[..]).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&t.finish().unwrap()).unwrap();
    std::fs::write(to, gz.finish().unwrap()).unwrap();
}

/// A sweep of a Huawei AR169 (banned) at .1 and a Catalyst 3560 at .2, stored in `db` with
/// its walks saved in `walks`; a ledger step with an evidence file on the Huawei router
/// (`ledger mark`).
fn swept(db: &Path, walks: &Path) {
    let port = free_port("127.71.0.1");
    let _agents = Simulator::start_on(
        "127.71.0.1",
        port,
        &[rec("huawei/vrp_ar169sfp"), rec("other/ios_c3560")],
        &[],
    );
    let p = port.to_string();
    let o = expect(
        &[
            "sweep",
            "127.71.0.0/29",
            "--port",
            &p,
            "--rate",
            "unlimited",
            "--timeout",
            "300",
            "--retries",
            "0",
            "--community",
            COMMUNITY,
            "--db",
            s(db),
            "--save-walks",
            s(walks),
            "--site",
            "evidence-test",
            "--format",
            "jsonl",
        ],
        0,
    );
    assert!(
        text(&o.stderr).contains("stored as sweep #1"),
        "{}",
        text(&o.stderr)
    );
    let plan = db.with_file_name("removal plan.pdf");
    std::fs::write(&plan, b"%PDF-1.4 the plan").unwrap();
    expect(
        &[
            "ledger",
            "mark",
            "127.71.0.1",
            "planned",
            "--target",
            "2027-06-30",
            "--by",
            "auditor",
            "--evidence",
            s(&plan),
            "--db",
            s(db),
        ],
        0,
    );
}

#[test]
fn a_pack_verifies_and_each_change_to_it_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (db, walks) = (dir.path().join("h.db"), dir.path().join("walks"));
    swept(&db, &walks);
    // .2's walk lost before packing: listed as missing, never a failure.
    std::fs::remove_file(walks.join("127.71.0.2.snmprec")).unwrap();

    let prefix = dir.path().join("signer");
    let o = expect(&["evidence", "keygen", "-o", s(&prefix)], 0);
    let public = std::fs::read_to_string(dir.path().join("signer.pub")).unwrap();
    assert_eq!(text(&o.stdout), public);
    let key = dir.path().join("signer.key");
    let seed = std::fs::read_to_string(&key).unwrap();
    let seed = seed.lines().nth(1).unwrap();
    assert!(!text(&o.stdout).contains(seed) && !text(&o.stderr).contains(seed));
    // keygen never overwrites.
    let o = expect(&["evidence", "keygen", "-o", s(&prefix)], 2);
    assert!(
        text(&o.stderr).contains("signer.key: exists already"),
        "{}",
        text(&o.stderr)
    );

    let capture = root().join("tests/data/pcap/tcpdump-tests/LLDP_and_CDP.pcap");
    let pack = dir.path().join("sweep-1.tgz");
    let o = expect(
        &[
            "evidence",
            "pack",
            "last",
            "-o",
            s(&pack),
            "--key",
            s(&key),
            "--db",
            s(&db),
            "--capture",
            s(&capture),
        ],
        0,
    );
    let bytes = std::fs::read(&pack).unwrap();
    assert_eq!(
        text(&o.stdout),
        format!(
            "{}  {}\n",
            netorigin::evidence::hex(&netorigin::evidence::sha256(&bytes)),
            s(&pack)
        )
    );
    assert!(
        text(&o.stderr).contains("no saved walk of 127.71.0.2"),
        "{}",
        text(&o.stderr)
    );
    assert!(!text(&o.stdout).contains(seed) && !text(&o.stderr).contains(seed));
    // A pack is not overwritten.
    expect(
        &[
            "evidence",
            "pack",
            "1",
            "-o",
            s(&pack),
            "--key",
            s(&key),
            "--db",
            s(&db),
        ],
        2,
    );

    let files = unpack(&pack);
    check_contents(&files, &capture, &public);

    let o = expect(&["evidence", "verify", s(&pack)], 0);
    let short = &public.trim().split(' ').nth(1).unwrap()[..16];
    assert_eq!(
        text(&o.stdout),
        format!(
            "verified: 8 files, signed by {short} (the key the pack names: give --key FILE.pub to check whose it is)\n"
        )
    );
    let o = expect(
        &[
            "evidence",
            "verify",
            s(&pack),
            "--key",
            s(&dir.path().join("signer.pub")),
        ],
        0,
    );
    assert_eq!(
        text(&o.stdout),
        format!("verified: 8 files, signed by {short}\n")
    );
    auditors_tools_agree(&pack, dir.path());
    tampered(&files, dir.path());

    // Signed by another key than the one given.
    let other = dir.path().join("other");
    expect(&["evidence", "keygen", "-o", s(&other)], 0);
    let o = expect(
        &[
            "evidence",
            "verify",
            s(&pack),
            "--key",
            &format!("{}.pub", s(&other)),
        ],
        1,
    );
    assert_eq!(
        text(&o.stdout),
        format!(
            "signature: not made by the key in {}.pub (pack.json names the key {short})\n",
            s(&other)
        )
    );
}

/// What the pack holds: pack.json first, the walk found, the capture as it was, the reports,
/// the ledger and its evidence file, SHA256SUMS and its signature last; nowhere the
/// sweep's community.
fn check_contents(files: &[(String, Vec<u8>)], capture: &Path, public: &str) {
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let plan = format!(
        "netorigin-evidence/ledger/evidence/{}-removal_plan.pdf",
        netorigin::evidence::hex(&netorigin::evidence::sha256(b"%PDF-1.4 the plan"))
    );
    assert_eq!(
        names,
        [
            "netorigin-evidence/pack.json",
            "netorigin-evidence/walks/127.71.0.1.snmprec",
            "netorigin-evidence/captures/LLDP_and_CDP.pcap",
            "netorigin-evidence/reports/devices.jsonl",
            "netorigin-evidence/reports/devices.csv",
            "netorigin-evidence/reports/report.html",
            "netorigin-evidence/ledger/entries.jsonl",
            &plan,
            "netorigin-evidence/SHA256SUMS",
            "netorigin-evidence/SHA256SUMS.sig",
        ]
    );
    let file = |name: &str| &files.iter().find(|(p, _)| p.ends_with(name)).unwrap().1;
    let manifest: serde_json::Value = serde_json::from_slice(file("pack.json")).unwrap();
    assert_eq!(manifest["format"], 1);
    assert_eq!(manifest["sweep"]["number"], 1);
    assert_eq!(manifest["sweep"]["site"], "evidence-test");
    assert_eq!(manifest["sweep"]["status"], "complete");
    assert_eq!(manifest["walks_missing"], serde_json::json!(["127.71.0.2"]));
    assert_eq!(manifest["signer"], public.trim().split(' ').nth(1).unwrap());
    assert_eq!(manifest["captures"][0]["given"], "LLDP_and_CDP.pcap");
    assert_eq!(file("LLDP_and_CDP.pcap"), &std::fs::read(capture).unwrap());
    assert!(text(file("127.71.0.1.snmprec")).contains("1.3.6.1.2.1.1.1.0|"));
    assert_eq!(file("removal_plan.pdf"), b"%PDF-1.4 the plan");
    let entries = common::jsonl(file("entries.jsonl"));
    assert_eq!(manifest["ledger_entries"], entries.len());
    assert!(
        entries
            .iter()
            .any(|e| e["state"] == "found" && e["sweep"] == 1)
    );
    let planned = entries.iter().find(|e| e["state"] == "planned").unwrap();
    assert_eq!(planned["by"], "auditor");
    assert_eq!(planned["evidence"][0]["name"], "removal plan.pdf");
    let devices = common::jsonl(file("devices.jsonl"));
    assert_eq!(devices.len(), 2);
    assert!(
        devices
            .iter()
            .all(|d| d["data_versions"] == manifest["data_versions"])
    );
    let rows = csv::Reader::from_reader(&file("devices.csv")[..])
        .records()
        .count();
    assert_eq!(rows, 2);
    assert!(text(file("report.html")).contains("127.71.0.1"));
    for (path, data) in files {
        assert!(
            !text(data).contains(COMMUNITY),
            "{path} holds the community"
        );
    }
}

/// coreutils and GNU tar, where installed, check what netorigin checks.
fn auditors_tools_agree(pack: &Path, dir: &Path) {
    let out = dir.join("unpacked");
    std::fs::create_dir(&out).unwrap();
    let untar = std::process::Command::new("tar")
        .args(["xzf", s(pack), "-C", s(&out)])
        .status();
    let Ok(status) = untar else {
        eprintln!("no tar: the pack is not unpacked by it");
        return;
    };
    assert!(status.success());
    let Ok(check) = std::process::Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(out.join("netorigin-evidence"))
        .output()
    else {
        eprintln!("no sha256sum: SHA256SUMS not checked by it");
        return;
    };
    assert!(check.status.success(), "{}", text(&check.stdout));
    assert_eq!(
        text(&check.stdout)
            .lines()
            .filter(|l| l.ends_with(": OK"))
            .count(),
        8
    );
}

/// Each way of changing a pack is named, with exit code 1.
fn tampered(files: &[(String, Vec<u8>)], dir: &Path) {
    let bad = dir.join("tampered.tgz");
    let verify_fails = |files: &[(String, Vec<u8>)]| {
        repack(files, &bad);
        text(&expect(&["evidence", "verify", s(&bad)], 1).stdout)
    };
    // One byte of the saved walk.
    let mut changed = files.to_vec();
    changed[1].1[10] ^= 0x20;
    assert_eq!(
        verify_fails(&changed),
        "changed: walks/127.71.0.1.snmprec\n"
    );
    // A file added.
    let mut added = files.to_vec();
    added.insert(
        2,
        (
            "netorigin-evidence/walks/127.71.0.9.snmprec".into(),
            b"1.3.6.1.2.1.1.5.0|4|x\n".to_vec(),
        ),
    );
    assert_eq!(verify_fails(&added), "added: walks/127.71.0.9.snmprec\n");
    // A file removed.
    let mut removed = files.to_vec();
    removed.remove(4);
    assert_eq!(verify_fails(&removed), "removed: reports/devices.csv\n");
    // The pack rewritten as it was: still verifies.
    repack(files, &bad);
    expect(&["evidence", "verify", s(&bad)], 0);
}

#[test]
fn a_private_key_others_can_read_is_refused_and_no_pack_is_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("k");
    expect(&["evidence", "keygen", "-o", s(&prefix)], 0);
    let key = dir.path().join("k.key");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let pack = dir.path().join("p.tgz");
    let o = expect(
        &[
            "evidence",
            "pack",
            "last",
            "-o",
            s(&pack),
            "--key",
            s(&key),
            "--db",
            s(&dir.path().join("none.db")),
        ],
        2,
    );
    assert_eq!(
        text(&o.stderr),
        format!(
            "netorigin: {}: mode 0644: others can read it; chmod 600 {}\n",
            s(&key),
            s(&key)
        )
    );
    assert!(!pack.exists());
    // Not a pack, a key that is not a key, a file that is not there.
    let o = expect(&["evidence", "verify", s(&key)], 2);
    assert!(
        text(&o.stderr).contains("not an evidence pack: it is not gzip-compressed"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        !text(&o.stderr).contains(
            std::fs::read_to_string(&key)
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
        )
    );
    std::fs::write(&pack, b"\x1f\x8b").unwrap();
    expect(&["evidence", "verify", s(&pack), "--key", s(&key)], 2);
    expect(
        &["evidence", "verify", s(&dir.path().join("missing.tgz"))],
        2,
    );
}

#[test]
fn a_walk_written_over_after_the_sweep_is_no_evidence_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, walks) = (dir.path().join("h.db"), dir.path().join("walks"));
    swept(&db, &walks);
    // A later sweep saving to the same folder writes .1's walk anew.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(walks.join("127.71.0.1.snmprec"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let prefix = dir.path().join("k");
    expect(&["evidence", "keygen", "-o", s(&prefix)], 0);
    let pack = dir.path().join("p.tgz");
    let key = dir.path().join("k.key");
    let o = expect(
        &[
            "evidence",
            "pack",
            "1",
            "-o",
            s(&pack),
            "--key",
            s(&key),
            "--db",
            s(&db),
        ],
        0,
    );
    assert!(
        text(&o.stderr).contains("no saved walk of 127.71.0.1"),
        "{}",
        text(&o.stderr)
    );
    let files = unpack(&pack);
    assert!(
        !files
            .iter()
            .any(|(p, _)| p.ends_with("walks/127.71.0.1.snmprec")),
        "{:?}",
        files.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
}
