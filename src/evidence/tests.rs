use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::tar::{self, BLOCK, Kind, TarError};
use super::*;

fn key() -> SigningKey {
    SigningKey::from_seed(Zeroizing::new([7u8; 32]))
}

fn manifest() -> Manifest {
    Manifest {
        format: 0,
        sweep: PackSweep {
            number: 3,
            uuid: uuid::Uuid::nil(),
            site: Some("north".into()),
            status: "complete".into(),
            started_ms: 1_700_000_000_000,
            ended_ms: Some(1_700_000_060_000),
            started: "2023-11-14 22:13:20".into(),
            ended: Some("2023-11-14 22:14:20".into()),
            devices: 1,
            parameters: serde_json::json!({"targets": ["192.0.2.0/28"]}),
        },
        data_versions: "netorigin 0.1.0; rules: test".into(),
        judged_on: "2023-11-14".into(),
        created_ms: 1_700_000_100_000,
        created: "2023-11-14 22:15:00".into(),
        tool: "netorigin 0.1.0".into(),
        signer: String::new(),
        walks_dir: Some("/var/lib/netorigin/walks".into()),
        walks_missing: vec!["192.0.2.9".into()],
        captures: Vec::new(),
        ledger_entries: 0,
    }
}

/// A pack of `files` signed by `key`.
fn pack_of(files: &[(&str, &[u8])], key: &SigningKey) -> Vec<u8> {
    let mut w = PackWriter::new(Vec::new(), key, manifest()).unwrap();
    for (path, bytes) in files {
        w.add(path, bytes).unwrap();
    }
    let packed = w.finish().unwrap();
    assert_eq!(packed.sha256, sha256(&packed.out));
    assert_eq!(packed.files, files.len() + 1);
    packed.out
}

const FILES: [(&str, &[u8]); 3] = [
    ("walks/192.0.2.1.snmprec", b"1.3.6.1.2.1.1.5.0|4|pe-1\n"),
    (
        "captures/lldp.pcap",
        b"\xd4\xc3\xb2\xa1 not much of a capture",
    ),
    ("reports/devices.jsonl", b"{\"address\":\"192.0.2.1\"}\n"),
];

/// The files of a pack: path in the tar and bytes, in order.
fn unpack(pack: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(pack)
        .read_to_end(&mut tar_bytes)
        .unwrap();
    let mut r = tar::Reader::new(&tar_bytes[..], Limits::default());
    let mut out = Vec::new();
    while let Some(e) = r.next_entry().unwrap() {
        let mut data = Vec::new();
        r.data(|c| data.extend_from_slice(c)).unwrap();
        out.push((e.path, data));
    }
    out
}

/// A pack of these files (paths in the tar), unsigned and unchecked: a tampered pack.
fn repack(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut t = tar::Writer::new(Vec::new(), 0);
    for (path, data) in files {
        t.append(path, data.len() as u64, &data[..]).unwrap();
    }
    gzip(&t.finish().unwrap())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn check(pack: &[u8], key: Option<&TrustedKey>) -> Verification {
    verify(pack, Limits::default(), key).unwrap()
}

fn lines(v: &Verification) -> Vec<String> {
    v.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_fresh_pack_verifies_and_sha256sums_is_coreutils_format() {
    let pack = pack_of(&FILES, &key());
    let v = check(&pack, None);
    assert!(v.is_good(), "{:?}", v.problems);
    assert_eq!(v.files, 4);
    assert_eq!(v.signer, Some(key().public()));
    let m = v.manifest.unwrap();
    assert_eq!((m.format, m.signer), (FORMAT, key().public().hex()));
    let files = unpack(&pack);
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            "netorigin-evidence/pack.json",
            "netorigin-evidence/walks/192.0.2.1.snmprec",
            "netorigin-evidence/captures/lldp.pcap",
            "netorigin-evidence/reports/devices.jsonl",
            "netorigin-evidence/SHA256SUMS",
            "netorigin-evidence/SHA256SUMS.sig",
        ]
    );
    let sums = String::from_utf8(files[4].1.clone()).unwrap();
    let want: String = [&files[2], &files[0], &files[3], &files[1]]
        .iter()
        .map(|(p, d)| {
            let rel = p.strip_prefix("netorigin-evidence/").unwrap();
            format!("{}  {rel}\n", hex(&sha256(d)))
        })
        .collect();
    assert_eq!(sums, want);
    let sig = String::from_utf8(files[5].1.clone()).unwrap();
    assert_eq!(sig, format!("{}\n", hex(&key().sign(sums.as_bytes()))));
    // With the signer's own key named, and with another.
    let trusted = TrustedKey {
        key: key().public(),
        named: "the key in k.pub".into(),
    };
    assert!(check(&pack, Some(&trusted)).is_good());
    let other = SigningKey::from_seed(Zeroizing::new([9u8; 32]));
    let v = check(
        &pack,
        Some(&TrustedKey {
            key: other.public(),
            named: "the key in other.pub".into(),
        }),
    );
    assert!(!v.is_good());
    assert_eq!(
        lines(&v),
        [format!(
            "signature: not made by the key in other.pub (pack.json names the key {})",
            key().public().short()
        )]
    );
}

#[test]
fn each_file_that_differs_is_named() {
    let pack = pack_of(&FILES, &key());
    let mut files = unpack(&pack);
    // One byte of the walk changed, the capture removed, a file added.
    files[1].1[3] ^= 1;
    files.remove(2);
    files.push((
        "netorigin-evidence/walks/extra.snmprec".into(),
        b"x".to_vec(),
    ));
    files.push(("elsewhere.txt".into(), b"y".to_vec()));
    let v = check(&repack(&files), None);
    // A file outside the folder is found as the tar is read; the rest by path.
    assert_eq!(
        lines(&v),
        [
            "added: elsewhere.txt (outside netorigin-evidence/)",
            "removed: captures/lldp.pcap",
            "changed: walks/192.0.2.1.snmprec",
            "added: walks/extra.snmprec",
        ]
    );
    assert_eq!(v.signer, Some(key().public()), "the signature itself holds");
    assert!(!v.is_good());
}

#[test]
fn a_file_twice_a_changed_sums_and_a_missing_signature_are_named() {
    let pack = pack_of(&FILES, &key());
    let files = unpack(&pack);
    let mut twice = files.clone();
    twice.insert(2, files[1].clone());
    assert!(lines(&check(&repack(&twice), None)).contains(
        &"twice: walks/192.0.2.1.snmprec (the pack holds two files of that name)".to_string()
    ));

    // SHA256SUMS edited to match a changed walk: the signature no longer holds.
    let mut forged = files.clone();
    forged[1].1[0] = b'2';
    let sums = String::from_utf8(forged[4].1.clone()).unwrap();
    let old = hex(&sha256(&files[1].1));
    forged[4].1 = sums.replace(&old, &hex(&sha256(&forged[1].1))).into_bytes();
    let v = check(&repack(&forged), None);
    assert_eq!(
        lines(&v),
        [format!(
            "signature: not made by the key pack.json names ({})",
            key().public().short()
        )]
    );

    let mut unsigned = files.clone();
    unsigned.pop();
    assert_eq!(
        lines(&check(&repack(&unsigned), None)),
        ["removed: SHA256SUMS.sig"]
    );
    let mut bad_sig = files.clone();
    bad_sig[5].1 = b"not hex\n".to_vec();
    assert_eq!(
        lines(&check(&repack(&bad_sig), None)),
        ["signature: SHA256SUMS.sig is not 128 hexadecimal digits"]
    );
    let mut no_sums = files;
    no_sums.remove(4);
    assert_eq!(
        lines(&check(&repack(&no_sums), None)),
        ["removed: SHA256SUMS"]
    );
}

#[test]
fn bytes_that_are_no_pack_are_an_error() {
    for (bytes, says) in [
        (b"plain text".to_vec(), "not gzip-compressed"),
        (Vec::new(), "not gzip-compressed"),
        (gzip(b"just some text, not a tar"), "not a tar archive"),
        (
            repack(&[("other/file".into(), b"z".to_vec())]),
            "nothing in it is under netorigin-evidence/",
        ),
    ] {
        let e = verify(&bytes[..], Limits::default(), None).unwrap_err();
        assert!(
            matches!(&e, EvidenceError::NotPack(r) if r.contains(says)),
            "{e}"
        );
    }
}

#[test]
fn a_truncated_pack_is_damaged_and_what_was_read_is_checked() {
    let pack = pack_of(&FILES, &key());
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(&pack[..])
        .read_to_end(&mut tar_bytes)
        .unwrap();
    // Cut inside the capture's data.
    let cut = gzip(&tar_bytes[..5 * BLOCK + 10]);
    let v = check(&cut, None);
    let l = lines(&v);
    assert_eq!(l[0], "damaged: the archive is truncated", "{l:?}");
    assert!(l.contains(&"removed: SHA256SUMS".to_string()), "{l:?}");
    // A gzip stream cut short is damaged too, never a panic.
    for n in [10, pack.len() / 2, pack.len() - 4] {
        let _ = verify(&pack[..n], Limits::default(), None);
    }
}

/// A ustar header block for `path` (written as given), of type `flag` with `size`.
fn raw_header(path: &[u8], flag: u8, size: &[u8]) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    h[..path.len()].copy_from_slice(path);
    h[100..108].copy_from_slice(b"0000644\0");
    h[124..124 + size.len()].copy_from_slice(size);
    h[156] = flag;
    h[257..265].copy_from_slice(b"ustar\x0000");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

/// What reading a tar of `blocks` gives: its entries' paths, or the first error.
fn read_tar(bytes: &[u8], limits: Limits) -> Result<Vec<String>, TarError> {
    let mut r = tar::Reader::new(bytes, limits);
    let mut paths = Vec::new();
    while let Some(e) = r.next_entry()? {
        r.data(|_| {})?;
        paths.push(e.path);
    }
    Ok(paths)
}

fn with_end(blocks: &[[u8; BLOCK]]) -> Vec<u8> {
    let mut out: Vec<u8> = blocks.concat();
    out.extend([0u8; 2 * BLOCK]);
    out
}

#[test]
fn the_tar_reader_refuses_paths_that_leave_the_folder() {
    for (path, says) in [
        (&b"../etc/passwd"[..], "`.` or `..`"),
        (b"netorigin-evidence/../../x", "`.` or `..`"),
        (b"netorigin-evidence/./x", "`.` or `..`"),
        (b"/etc/passwd", "absolute"),
        (b"netorigin-evidence//x", "empty component"),
        (b"a\\..\\b", "backslash"),
        (b"a\x1b[31mred", "control character"),
        (b"\xff\xfe", "not UTF-8"),
    ] {
        let e = read_tar(
            &with_end(&[raw_header(path, b'0', b"00000000000\0")]),
            Limits::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&e, TarError::Path { reason, .. } if reason.contains(says)),
            "{path:?}: {e}"
        );
        assert!(!e.to_string().contains('\x1b'), "{e}");
    }
    // A path over the limit, made of a prefix and a name.
    let mut long = raw_header(b"name", b'0', b"00000000000\0");
    long[345..345 + 150].copy_from_slice(&[b'p'; 150]);
    let sum_fixed = {
        long[148..156].copy_from_slice(b"        ");
        let sum: u32 = long.iter().map(|&b| u32::from(b)).sum();
        long[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        long
    };
    let limits = Limits {
        max_path: 100,
        ..Limits::default()
    };
    let e = read_tar(&with_end(&[sum_fixed]), limits).unwrap_err();
    assert!(
        matches!(&e, TarError::Path { reason, .. } if reason.contains("longer than 100")),
        "{e}"
    );
    assert_eq!(
        read_tar(&with_end(&[sum_fixed]), Limits::default()).unwrap(),
        [format!("{}/name", "p".repeat(150))]
    );
}

#[test]
fn the_tar_reader_refuses_links_devices_and_extended_headers() {
    for (flag, kind) in [
        (b'1', "a hard link"),
        (b'2', "a symbolic link"),
        (b'3', "a character device"),
        (b'4', "a block device"),
        (b'6', "a FIFO"),
        (b'x', "a pax extended header"),
        (b'L', "a GNU long name"),
        (b'Z', "of an unknown type"),
    ] {
        let e = read_tar(
            &with_end(&[raw_header(b"netorigin-evidence/x", flag, b"00000000000\0")]),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(
            e,
            TarError::Kind {
                path: "netorigin-evidence/x".into(),
                kind
            }
        );
    }
    // Folders are read (a pack unpacked and packed again by GNU tar has them).
    let folder = raw_header(b"netorigin-evidence/", b'5', b"00000000000\0");
    assert_eq!(
        read_tar(&with_end(&[folder]), Limits::default()).unwrap(),
        ["netorigin-evidence"]
    );
}

#[test]
fn the_tar_reader_refuses_huge_sizes_before_reading_them() {
    // 8 GiB - 1 in octal, and 2^62 in GNU base-256: refused at the header.
    let octal = raw_header(b"a", b'0', b"77777777777\0");
    let mut base256 = [0u8; 12];
    base256[0] = 0x80;
    base256[4] = 0x40;
    let binary = raw_header(b"a", b'0', &base256);
    for h in [octal, binary] {
        let e = read_tar(&with_end(&[h]), Limits::default()).unwrap_err();
        assert_eq!(e, TarError::TooLarge { limit: 4 << 30 });
    }
    // Data past the limit, a size in no number, a checksum that does not match.
    let small = Limits {
        max_decompressed: 4 * BLOCK as u64,
        ..Limits::default()
    };
    let mut many = vec![raw_header(b"a", b'0', b"00000001000\0")];
    many.push([1u8; BLOCK]);
    many.push(raw_header(b"b", b'0', b"00000001000\0"));
    many.push([1u8; BLOCK]);
    assert_eq!(
        read_tar(&with_end(&many), small).unwrap_err(),
        TarError::TooLarge { limit: 2048 }
    );
    let e = read_tar(
        &with_end(&[raw_header(b"a", b'0', b"12x\0")]),
        Limits::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&e, TarError::Header { reason, .. } if reason.contains("size")),
        "{e}"
    );
    let mut bad_sum = raw_header(b"a", b'0', b"00000000000\0");
    bad_sum[0] = b'b';
    let e = read_tar(&with_end(&[bad_sum]), Limits::default()).unwrap_err();
    assert!(
        matches!(&e, TarError::Header { reason, .. } if reason.contains("checksum")),
        "{e}"
    );
}

#[test]
fn the_tar_reader_refuses_truncation_and_too_many_entries() {
    let h = raw_header(b"a", b'0', b"00000001000\0");
    let whole = with_end(&[h, [1u8; BLOCK]]);
    assert_eq!(read_tar(&whole, Limits::default()).unwrap(), ["a"]);
    for cut in [100, BLOCK, BLOCK + 100, 2 * BLOCK] {
        assert_eq!(
            read_tar(&whole[..cut], Limits::default()).unwrap_err(),
            TarError::Truncated,
            "cut at {cut}"
        );
    }
    let few = Limits {
        max_entries: 2,
        ..Limits::default()
    };
    let three = with_end(&[h, [1u8; BLOCK], h, [1u8; BLOCK], h, [1u8; BLOCK]]);
    assert_eq!(
        read_tar(&three, few).unwrap_err(),
        TarError::TooManyEntries { limit: 2 }
    );
}

#[test]
fn what_the_writer_writes_the_reader_reads_back_and_gnu_tar_would() {
    let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
    let mut t = tar::Writer::new(Vec::new(), 1_700_000_000);
    t.append("short", 3, &b"abc"[..]).unwrap();
    t.append(&long, 0, &b""[..]).unwrap();
    assert!(t.append("x", 5, &b"abc"[..]).is_err(), "short data");
    let mut t = tar::Writer::new(Vec::new(), 0);
    assert!(t.append("x", 2, &b"abc"[..]).is_err(), "long data");
    assert!(t.append("../x", 0, &b""[..]).is_err());
    let mut t = tar::Writer::new(Vec::new(), 1_700_000_000);
    t.append("short", 3, &b"abc"[..]).unwrap();
    t.append(&long, 0, &b""[..]).unwrap();
    let bytes = t.finish().unwrap();
    assert_eq!(bytes.len() % (20 * BLOCK), 0);
    let mut r = tar::Reader::new(&bytes[..], Limits::default());
    let e = r.next_entry().unwrap().unwrap();
    assert_eq!((e.path.as_str(), e.kind, e.size), ("short", Kind::File, 3));
    let mut data = Vec::new();
    r.data(|c| data.extend_from_slice(c)).unwrap();
    assert_eq!(data, b"abc");
    assert_eq!(r.next_entry().unwrap().unwrap().path, long);
    assert_eq!(r.next_entry().unwrap(), None);
    // The header as POSIX has it: magic, version, octal size and checksum.
    assert_eq!(&bytes[257..265], b"ustar\x0000");
    assert_eq!(&bytes[124..136], b"00000000003\0");
}

#[test]
fn the_pack_writer_refuses_paths_it_cannot_write() {
    let k = key();
    let mut w = PackWriter::new(Vec::new(), &k, manifest()).unwrap();
    w.add("walks/a.snmprec", b"a").unwrap();
    for path in [
        "walks/a.snmprec",
        "../a",
        "/a",
        "SHA256SUMS",
        "pack.json",
        "a\nb",
        &format!("walks/{}", "n".repeat(101)),
    ] {
        assert!(
            matches!(w.add(path, b"x"), Err(EvidenceError::Path { .. })),
            "{path:?}"
        );
    }
    let e = w.add_reader("walks/b", 10, &b"short"[..]).unwrap_err();
    assert!(
        matches!(&e, EvidenceError::Changed { path, .. } if path == "walks/b"),
        "{e}"
    );
}

#[test]
fn safe_names_keep_what_sha256sum_reads_plainly() {
    assert_eq!(
        safe_name("lldp capture (1).pcapng", 100),
        "lldp_capture__1_.pcapng"
    );
    assert_eq!(safe_name("..", 100), "_.");
    assert_eq!(safe_name("", 100), "file");
    assert_eq!(safe_name("a\\b\nc", 100), "a_b_c");
    assert_eq!(safe_name("ééé", 2), "__");
}

#[test]
fn keys_round_trip_and_never_show_their_seed() {
    let k = key();
    let text = k.file_text();
    assert!(text.starts_with("netorigin-ed25519-private-key\n"));
    let back = SigningKey::parse_file_text(&text).unwrap();
    assert_eq!(back.public(), k.public());
    let seed_hex = hex(&[7u8; 32]);
    assert!(text.contains(&seed_hex));
    let shown = format!("{k:?} {:?} {}", k.public(), k.public());
    assert!(!shown.contains(&seed_hex), "{shown}");
    assert!(shown.contains(&k.public().hex()));
    let public = PublicKey::parse_file_text(&k.public().file_text()).unwrap();
    assert_eq!(public, k.public());
    assert!(public.verifies(b"m", &k.sign(b"m")));
    assert!(!public.verifies(b"n", &k.sign(b"m")));
    // Malformed files: the message never quotes them.
    for bad in [
        String::new(),
        format!("netorigin-ed25519-private-key\n{}", &seed_hex[..63]),
        format!("netorigin-ed25519-private-key\n{seed_hex}\nmore"),
        format!("other\n{seed_hex}"),
    ] {
        let e = SigningKey::parse_file_text(&bad).unwrap_err();
        assert!(!e.contains(&seed_hex[..20]), "{e}");
    }
    assert!(PublicKey::parse_file_text("netorigin-ed25519 zz").is_err());
}

#[test]
fn key_files_are_written_private_and_refused_when_others_can_read_them() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("signer");
    let (k, private, public) = keys::generate(&prefix).unwrap();
    assert_eq!(private, dir.path().join("signer.key"));
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(keys::load_private(&private).unwrap().public(), k.public());
    assert_eq!(keys::load_public(&public).unwrap(), k.public());
    assert!(matches!(
        keys::generate(&prefix),
        Err(KeyError::Exists { .. })
    ));
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = keys::load_private(&private).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("signer.key: mode 0644: others can read it; chmod 600"),
        "{text}"
    );
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o620)).unwrap();
    let text = keys::load_private(&private).unwrap_err().to_string();
    assert!(
        text.contains("mode 0620: others can write or run it"),
        "{text}"
    );
    let e = keys::load_private(&public).unwrap_err().to_string();
    assert!(
        e.ends_with(
            "signer.pub: this is a public key: sign with the private key beside it (PREFIX.key)"
        ),
        "{e}"
    );
    let e = keys::load_public(&dir.path().join("missing.pub")).unwrap_err();
    assert!(matches!(e, KeyError::Read { .. }), "{e}");
}

#[test]
fn hostile_text_in_the_packs_own_files_is_never_repeated_raw() {
    let files = unpack(&pack_of(&FILES, &key()));
    let mut hostile = files.clone();
    hostile[0].1 = br#"{"format":1,"\u001b[2J":0}"#.to_vec();
    let sums = format!("{}  walks/\x1b[2J\n", "0".repeat(64));
    hostile[4].1 = sums.into_bytes();
    let v = check(&repack(&hostile), None);
    let all = lines(&v).join("\n");
    assert!(!all.contains('\u{1b}'), "{all}");
    assert!(all.contains("SHA256SUMS: line 1 is not"), "{all}");
    assert!(all.contains("pack.json: not a pack's description"), "{all}");
    // A newer format is said as such.
    let mut newer = files;
    newer[0].1 = b"{\"format\":2}".to_vec();
    assert!(lines(&check(&repack(&newer), None)).contains(
        &"pack.json: format 2 is newer than this netorigin reads (up to 1): upgrade it".into()
    ));
}

#[test]
fn no_byte_of_a_pack_changed_or_cut_makes_verify_panic() {
    let pack = pack_of(&FILES, &key());
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(&pack[..])
        .read_to_end(&mut tar_bytes)
        .unwrap();
    // Every byte of the headers and files, and every 7th elsewhere, flipped; the pack's own
    // files held whole or not.
    let small = Limits {
        max_held: 300,
        ..Limits::default()
    };
    for i in (0..tar_bytes.len()).filter(|i| i % 7 == 0 || tar_bytes[*i] != 0) {
        for (flip, limits) in [(0x01, small), (0x80, Limits::default()), (0xff, small)] {
            let mut bad = tar_bytes.clone();
            bad[i] ^= flip;
            let _ = verify(&gzip(&bad)[..], limits, None);
        }
    }
    for n in (0..tar_bytes.len()).step_by(97) {
        let _ = verify(&gzip(&tar_bytes[..n])[..], Limits::default(), None);
    }
}

#[test]
fn entries_appended_after_the_end_are_damage_not_ignored() {
    let pack = pack_of(&FILES, &key());
    assert!(check(&pack, None).is_good());
    // Another gzip member with an entry (gunzip and tar --ignore-zeros would unpack it).
    let extra = repack(&[(
        "netorigin-evidence/walks/192.0.2.9.snmprec".into(),
        b"1.3.6.1.2.1.1.5.0|4|x\n".to_vec(),
    )]);
    let mut appended = pack.clone();
    appended.extend_from_slice(&extra);
    let v = check(&appended, None);
    assert!(!v.is_good());
    assert!(
        lines(&v)
            .iter()
            .any(|l| l.contains("data follows the archive's end")),
        "{:?}",
        lines(&v)
    );
    // Zeros after the end (GNU tar's record padding) are no damage.
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(&pack[..])
        .read_to_end(&mut tar_bytes)
        .unwrap();
    tar_bytes.extend_from_slice(&[0u8; 10 * BLOCK]);
    assert!(check(&gzip(&tar_bytes), None).is_good());
}
