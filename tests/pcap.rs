//! Every LLDP and CDP frame of the shared captures (lldpd's, tcpdump's and Wireshark's test
//! data, copied into tests/data/pcap) decodes to what `FRAMES.tsv` and tcpdump's expected
//! output (`*.out`) say; malformed frames are typed errors, never panics; and
//! `netorigin listen --pcap` reports the devices heard, identified.

mod common;

use std::path::{Path, PathBuf};

use netorigin::discover::passive::Heard;
use netorigin::discover::passive::decode;
use netorigin::net::pcap::read_capture;
use netorigin::wire::cdp::Packet;
use netorigin::wire::ethernet::{Frame, Payload, mac_string};
use netorigin::wire::lldp::{Id, Lldpdu};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pcap")
}

/// The frames of a file: a raw frame, or each packet of a capture with its link type.
fn frames(path: &Path) -> (u32, Vec<Vec<u8>>) {
    let bytes = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "raw") {
        return (1, vec![bytes]);
    }
    // Classic pcap, either byte order, read here independently of the code under test.
    let le = match bytes[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        _ => panic!("{}: not a classic pcap", path.display()),
    };
    let u32_at = |o: usize| {
        let b: [u8; 4] = bytes[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let linktype = u32_at(20);
    let mut out = Vec::new();
    let mut o = 24;
    while o + 16 <= bytes.len() {
        let caplen = u32_at(o + 8) as usize;
        let end = (o + 16 + caplen).min(bytes.len());
        out.push(bytes[o + 16..end].to_vec());
        o += 16 + caplen;
    }
    (linktype, out)
}

/// `(4, '00:17:d1:a8:35:bf')` → (4, the value, unescaped twice: the TSV's and Python's).
fn expected_id(s: &str) -> Option<(u8, String)> {
    let s = s.strip_prefix('(')?.strip_suffix(')')?;
    let (n, v) = s.split_once(", ")?;
    let v = v.trim_matches(|c| c == '\'' || c == '"');
    Some((n.parse().ok()?, common::unescape(&common::unescape(v))))
}

/// An ID as FRAMES.tsv writes it: MACs as colon hex, anything else as Latin-1 text.
fn id_text(id: &Id) -> String {
    match id.mac() {
        Some(m) => mac_string(&m),
        None => id.value.iter().map(|&b| char::from(b)).collect(),
    }
}

/// The `.out` of tcpdump that decodes a capture, if any.
fn tcpdump_out(file: &str) -> Option<String> {
    let name = match file {
        "tcpdump-tests/3560_CDP.pcap" => "cdp-v.out",
        "tcpdump-tests/LLDP_and_CDP.pcap" => "lldp_cdp-ev.out",
        "tcpdump-tests/lldp_mudurl.pcap" => "lldp_mudurl-v.out",
        "tcpdump-tests/various_gre.pcap" => "various_gre.out",
        _ => return None,
    };
    std::fs::read_to_string(data().join("tcpdump-tests").join(name)).ok()
}

#[test]
fn every_frame_of_frames_tsv_decodes_as_expected() {
    let tsv = std::fs::read_to_string(data().join("FRAMES.tsv")).unwrap();
    let (mut lldp, mut cdp, mut malformed, mut others, mut tcpdump_checks) = (0, 0, 0, 0, 0);
    let mut truncated = 0;
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, n, proto) = (f[0], f[1].parse::<usize>().unwrap(), f[3]);
        let ctx = format!("{file} frame {n}");
        let (linktype, all) = frames(&data().join(file));
        assert_eq!(linktype.to_string(), f[2], "{ctx}: link type");
        let frame = &all[n - 1];
        let out = tcpdump_out(file);
        if linktype == 104 {
            // Cisco HDLC: address, control, protocol 0x2000 (CDP), then the CDP packet.
            assert_eq!(&frame[2..4], [0x20, 0x00], "{ctx}");
            let p = Packet::parse(&frame[4..]).unwrap_or_else(|e| panic!("{ctx}: {e}"));
            check_cdp(&ctx, &f, &p, None);
            cdp += 1;
            continue;
        }
        let decoded = decode(frame);
        match proto {
            "LLDP" => match decoded {
                Err(e) if !f[5].is_empty() => {
                    // Cut short by the capture's snapshot length: what came before the cut.
                    let Payload::Lldp(b) = Frame::parse(frame).unwrap().payload else {
                        panic!("{ctx}: {e}")
                    };
                    let (du, e) = Lldpdu::parse_prefix(b);
                    assert!(e.is_some());
                    let source = Frame::parse(frame).unwrap().source;
                    truncated += 1;
                    check_lldp(&ctx, &f, source, &du, out.as_deref());
                }
                Ok(Some(Heard::Lldp { source, du })) => {
                    lldp += 1;
                    tcpdump_checks += check_lldp(&ctx, &f, source, &du, out.as_deref());
                }
                Err(e) => {
                    // Malformed on purpose (tcpdump's and lldpd's fuzz findings): a typed
                    // error, and FRAMES.tsv could not decode a chassis ID either.
                    assert!(f[5].is_empty(), "{ctx}: {e}");
                    malformed += 1;
                }
                other => panic!("{ctx}: not LLDP: {other:?}"),
            },
            "CDP" => match decoded {
                Ok(Some(Heard::Cdp { source, packet })) => {
                    cdp += 1;
                    assert_eq!(mac_string(&source), f[4], "{ctx}: source");
                    tcpdump_checks += check_cdp(&ctx, &f, &packet, out.as_deref());
                }
                Ok(None) if file.ends_with("various_gre.pcap") => {
                    // Inside a GRE tunnel: not heard on the segment itself.
                    others += 1;
                }
                other => panic!("{ctx}: not CDP: {other:?}"),
            },
            _ => {
                // EDP, SONMP: neither LLDP nor CDP, and no error.
                assert!(matches!(decoded, Ok(None)), "{ctx}: {decoded:?}");
                others += 1;
            }
        }
    }
    eprintln!(
        "LLDP {lldp}, truncated LLDP {truncated}, CDP {cdp}, malformed {malformed}, others {others}, tcpdump checks {tcpdump_checks}"
    );
    assert!(lldp >= 25 && cdp >= 18, "LLDP {lldp}, CDP {cdp}");
    assert!(tcpdump_checks >= 10);
}

/// Checks an LLDPDU against its FRAMES.tsv row and tcpdump's output; returns how many
/// tcpdump lines were checked.
fn check_lldp(ctx: &str, f: &[&str], source: [u8; 6], du: &Lldpdu, out: Option<&str>) -> usize {
    let mut checks = 0;
    assert_eq!(mac_string(&source), f[4], "{ctx}: source");
    match expected_id(f[5]) {
        Some((subtype, value)) => {
            let c = du.chassis_id.as_ref().expect("chassis ID");
            assert_eq!((c.subtype, id_text(c)), (subtype, value), "{ctx}");
        }
        None => assert!(du.chassis_id.is_none(), "{ctx}"),
    }
    match expected_id(f[6]) {
        Some((subtype, value)) => {
            let p = du.port_id.as_ref().expect("port ID");
            assert_eq!((p.subtype, id_text(p)), (subtype, value), "{ctx}");
        }
        None => assert!(du.port_id.is_none(), "{ctx}"),
    }
    let or_empty = |s: &Option<String>| s.clone().unwrap_or_default();
    assert_eq!(
        or_empty(&du.system_name),
        common::unescape(f[7]),
        "{ctx}: name"
    );
    assert_eq!(
        or_empty(&du.system_description),
        common::unescape(f[8]),
        "{ctx}: description"
    );
    let mut ouis: Vec<String> = du.org.iter().map(|o| mac_string(&o.oui)).collect();
    ouis.sort();
    ouis.dedup();
    assert_eq!(ouis.join(","), f[10], "{ctx}: OUIs");
    if let (Some(out), Some(name)) = (out, &du.system_name) {
        let want = format!("System Name TLV (5), length {}: {name}", name.len());
        assert!(out.contains(&want), "{ctx}: tcpdump has no {want:?}");
        checks += 1;
    }
    checks
}

/// Checks a CDP packet against its FRAMES.tsv row and tcpdump's output; returns how many
/// tcpdump lines were checked.
fn check_cdp(ctx: &str, f: &[&str], p: &Packet, out: Option<&str>) -> usize {
    let or_empty = |s: &Option<String>| s.clone().unwrap_or_default();
    assert_eq!(
        or_empty(&p.device_id),
        common::unescape(f[5]),
        "{ctx}: device ID"
    );
    assert_eq!(
        or_empty(&p.port_id),
        common::unescape(f[6]),
        "{ctx}: port ID"
    );
    assert_eq!(
        or_empty(&p.software_version),
        common::unescape(f[8]),
        "{ctx}: version"
    );
    assert_eq!(
        or_empty(&p.platform),
        common::unescape(f[9]),
        "{ctx}: platform"
    );
    // The switches of tcpdump's captures got their checksums right. (Not every capture did:
    // Wireshark's cdp_v2.pcap and lldpd's cdp.2.raw do not match, which is only reported.)
    if ctx.starts_with("tcpdump-tests/") {
        assert!(p.checksum_valid, "{ctx}: checksum");
    }
    let Some(out) = out else { return 0 };
    let mut want = vec![format!(
        "CDPv{}, ttl: {}s, checksum: 0x{:04x}",
        p.version, p.ttl, p.checksum
    )];
    for (name, code, v) in [
        ("Device-ID", 1, &p.device_id),
        ("Port-ID", 3, &p.port_id),
        ("Platform", 6, &p.platform),
    ] {
        if let Some(v) = v {
            want.push(format!(
                "{name} (0x{code:04x}), value length: {} bytes: '{v}'",
                v.len()
            ));
        }
    }
    for a in &p.addresses {
        if a.contains('.') {
            want.push(format!("IPv4 (1) {a}"));
        }
    }
    for w in &want {
        assert!(out.contains(w.as_str()), "{ctx}: tcpdump has no {w:?}");
    }
    want.len()
}

#[test]
fn no_frame_of_any_capture_panics() {
    let mut n = 0;
    for dir in [
        "lldpd-tests/fuzz-seed-raw",
        "lldpd-tests/integration-data",
        "tcpdump-tests",
    ] {
        for e in std::fs::read_dir(data().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if !p.extension().is_some_and(|x| x == "pcap" || x == "raw") {
                continue;
            }
            for frame in frames(&p).1 {
                let _ = decode(&frame);
                // Every prefix too: truncation anywhere is an error, not a panic.
                for cut in 0..frame.len().min(200) {
                    let _ = decode(&frame[..cut]);
                }
                n += 1;
            }
        }
    }
    assert!(n > 100, "{n} frames");
}

#[test]
fn read_capture_reads_pcap_and_refuses_other_link_types() {
    let f = read_capture(&data().join("tcpdump-tests/LLDP_and_CDP.pcap")).unwrap();
    assert_eq!(f.len(), 12);
    let hdlc = data().join("wireshark-samplecaptures-via-assimilation/cdp_v2_hdlc.pcap");
    assert!(read_capture(&hdlc).is_err());
}

#[test]
fn listen_reports_the_cisco_switches_heard() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_netorigin"))
        .args(["listen", "--format", "jsonl", "--pcap"])
        .arg(data().join("tcpdump-tests/LLDP_and_CDP.pcap"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let devices: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("discovered_via").is_some())
        .collect();
    // S1 and S2, each heard in CDP and in LLDP.
    assert_eq!(devices.len(), 4, "{stdout}");
    for d in &devices {
        assert_eq!(d["discovered_via"], "passive", "{d}");
        assert_eq!(d["vendor"], "Cisco", "{d}");
        assert_ne!(d["verdict"], "banned", "{d}");
    }
    let names: Vec<&str> = devices
        .iter()
        .filter_map(|d| d["sys_name"].as_str())
        .collect();
    for n in ["S1", "S2", "S1.cisco.com", "S2.cisco.com"] {
        assert!(names.contains(&n), "{names:?}");
    }
}

#[test]
fn listen_on_a_file_that_is_not_a_capture_is_exit_2_naming_it() {
    let bad = data().join("FRAMES.tsv");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_netorigin"))
        .args(["listen", "--pcap"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FRAMES.tsv"));
}
