//! Bundles written and read back, and every way a bundle can be wrong.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;
use crate::record::tests::full;
use crate::record::{DeviceRecord, Evidence};

pub(super) fn header() -> SweepHeader {
    SweepHeader {
        uuid: "0b0f3c1e-5d2a-4c7e-9a51-2f6d8e4b7a10".parse().unwrap(),
        site: "TOR01 Front St.".into(),
        started_ms: 1_767_225_600_000,
        ended_ms: Some(1_767_225_612_000),
        status: "complete".into(),
        parameters: serde_json::json!({"targets": ["192.0.2.0/29"], "credentials": ["v2c community #1"]}),
        data_versions: "netorigin 0.1.0 (test)".into(),
        judged_on: "2026-01-01".into(),
        probed: Some(6),
        responders: Some(2),
        silent: Some(4),
        requests: Some(40),
        timeouts: Some(12),
        note: None,
    }
}

/// Three records: one with every field set, one with a multi-line sysDescr as Cisco's are,
/// and one as small as a record gets.
pub(super) fn records() -> Vec<DeviceRecord> {
    let mut cisco = full();
    cisco.address = "192.0.2.2".into();
    cisco.sys_descr = Some(
        "Cisco IOS Software, C3560 Software (C3560-IPSERVICESK9-M), Version 12.2(55)SE12\r\n\
         Technical Support: http://www.cisco.com/techsupport\r\n\tCopyright (c) 1986-2017"
            .into(),
    );
    let mut small = full();
    small.address = "192.0.2.3".into();
    small.modules.clear();
    small.identification.evidence.clear();
    vec![full(), cisco, small]
}

fn json(d: &DeviceRecord) -> serde_json::Value {
    serde_json::to_value(d).unwrap()
}

fn bundle(devices: &[DeviceRecord]) -> Vec<u8> {
    write(&header(), devices, Vec::new()).unwrap()
}

/// Gzips `text` as a bundle would be.
pub(super) fn gzip(text: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(text).unwrap();
    gz.finish().unwrap()
}

pub(super) fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// Reads a whole bundle: its header and devices, or the first error.
fn read_all(bytes: &[u8], limits: Limits) -> Result<(SweepHeader, Vec<DeviceRecord>), BundleError> {
    let mut reader = Reader::new(bytes, limits)?;
    let mut devices = Vec::new();
    while let Some(d) = reader.next_device()? {
        devices.push(d);
    }
    // Done stays done.
    assert!(reader.next_device()?.is_none());
    Ok((reader.header().clone(), devices))
}

fn read(bytes: &[u8]) -> Result<(SweepHeader, Vec<DeviceRecord>), BundleError> {
    read_all(bytes, Limits::default())
}

/// The lines of a good bundle of `records()`, to be spoiled by a test.
pub(super) fn lines() -> Vec<String> {
    gunzip(&bundle(&records()))
        .lines()
        .map(str::to_string)
        .collect()
}

pub(super) fn joined(lines: &[String]) -> Vec<u8> {
    gzip(format!("{}\n", lines.join("\n")).as_bytes())
}

#[test]
fn records_read_back_as_written() {
    let records = records();
    let bytes = bundle(&records);
    let (h, back) = read(&bytes).unwrap();
    assert_eq!(h, header());
    assert_eq!(
        back.iter().map(json).collect::<Vec<_>>(),
        records.iter().map(json).collect::<Vec<_>>()
    );
    // The text: a header, a line per device, the trailer.
    let text = gunzip(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(
        lines[0].starts_with(r#"{"netorigin_bundle":2,"sweep":{"uuid":"0b0f3c1e-"#),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(r#"{"device":{"address":"192.0.2.7""#),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[4],
        r#"{"end":{"devices":3,"ledger_items":0,"ledger_entries":0}}"#
    );
}

#[test]
fn an_empty_sweep_is_a_header_and_a_trailer() {
    let bytes = bundle(&[]);
    let (_, back) = read(&bytes).unwrap();
    assert!(back.is_empty());
    let mut writer = Writer::new(&header(), Vec::new()).unwrap();
    writer.device(&full()).unwrap();
    assert_eq!(writer.devices(), 1);
    let (_, back) = read(&writer.finish().unwrap()).unwrap();
    assert_eq!(back.len(), 1);
}

#[test]
fn the_writer_makes_hostile_device_text_fit_and_the_reader_takes_it() {
    let mut d = full();
    d.identification.evidence.push(Evidence {
        source: "sysDescr".into(),
        value: "VRP\u{1b}[2J\u{0}\u{85}\u{7f} end".into(),
        vendor: None,
        origin: None,
        weight: 0.1,
    });
    d.sys_descr = Some("x".repeat(100_000));
    d.cleaned.insert("sys\u{1}name".into(), "a".into());
    let (_, back) = read(&bundle(&[d])).unwrap();
    let back = &back[0];
    assert_eq!(
        back.identification.evidence[1].value,
        r"VRP\x1b[2J\x00\x85\x7f end"
    );
    let descr = back.sys_descr.as_deref().unwrap();
    assert!(
        descr.len() <= Limits::default().max_string,
        "{}",
        descr.len()
    );
    assert!(descr.ends_with("… (cut)"), "{}", &descr[descr.len() - 20..]);
    assert_eq!(
        back.cleaned.get(r"sys\x01name").map(String::as_str),
        Some("a")
    );
}

#[test]
fn the_writer_refuses_a_header_no_reader_would_take() {
    for (site, status) in [
        ("", "complete"),
        (" ", "complete"),
        ("a\u{7}b", "complete"),
        ("TOR01", "running"),
    ] {
        let h = SweepHeader {
            site: site.into(),
            status: status.into(),
            ..header()
        };
        let e = write(&h, &[], Vec::new()).err().unwrap();
        assert!(
            matches!(e, BundleError::Header(_)),
            "{site:?} {status:?}: {e}"
        );
    }
    let long = SweepHeader {
        site: "é".repeat(201),
        ..header()
    };
    let e = write(&long, &[], Vec::new()).err().unwrap().to_string();
    assert!(e.contains("at most 200 characters"), "{e}");
    let fine = SweepHeader {
        site: "é".repeat(200),
        ..header()
    };
    write(&fine, &[], Vec::new()).unwrap();
}

#[test]
fn a_time_before_2000_or_past_tomorrow_is_a_clock_to_check() {
    let day = 86_400_000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for (started, ended) in [
        (EARLIEST_MS - 1, None),
        (now + 2 * day, None),
        (i64::MAX, None),
        (now, Some(now + 3 * day)),
        (now, Some(-5)),
    ] {
        let h = SweepHeader {
            started_ms: started,
            ended_ms: ended,
            ..header()
        };
        let e = write(&h, &[], Vec::new()).err().unwrap().to_string();
        assert!(e.contains("clock"), "{started} {ended:?}: {e}");
    }
    for started in [EARLIEST_MS, now, now + day / 2] {
        let h = SweepHeader {
            started_ms: started,
            ended_ms: None,
            ..header()
        };
        write(&h, &[], Vec::new()).unwrap();
    }
}

#[test]
fn bytes_that_are_not_gzip_are_refused() {
    for bytes in [
        &b""[..],
        b"\x1f",
        b"{\"netorigin_bundle\":1}\n",
        b"PK\x03\x04",
    ] {
        assert_eq!(read(bytes).err(), Some(BundleError::NotGzip), "{bytes:?}");
    }
    // The magic, then no gzip header.
    let e = read(b"\x1f\x8b\x00\x00garbage").err().unwrap();
    assert!(
        matches!(e, BundleError::Corrupt(_) | BundleError::Truncated),
        "{e}"
    );
}

#[test]
fn a_first_line_that_is_not_a_header_is_not_a_bundle() {
    for text in [
        "",
        "hello\n",
        "[1,2]\n",
        "{\"device\":{}}\n",
        "{\"netorigin_bundle\":\"1\"}\n",
        "{\"netorigin_bundle\":0,\"sweep\":{}}\n",
    ] {
        let e = read(&gzip(text.as_bytes())).err().unwrap();
        assert!(matches!(e, BundleError::NotBundle(_)), "{text:?}: {e}");
    }
}

#[test]
fn a_newer_format_is_refused_whatever_follows() {
    let e = read(&gzip(
        b"{\"netorigin_bundle\":3,\"sweep\":{\"something\":\"else\"}}\n",
    ))
    .err()
    .unwrap();
    assert_eq!(e, BundleError::NewerFormat { found: 3 });
    assert!(e.to_string().contains("upgrade"), "{e}");
}

#[test]
fn a_bad_header_is_refused() {
    let mut l = lines();
    l[0] = l[0].replace("\"complete\"", "\"running\"");
    assert!(matches!(read(&joined(&l)), Err(BundleError::Header(_))));
    let mut l = lines();
    l[0] = l[0].replace("\"site\":\"TOR01 Front St.\"", "\"site\":\"\"");
    assert!(matches!(read(&joined(&l)), Err(BundleError::Header(_))));
    let mut l = lines();
    l[0] = l[0].replace("\"judged_on\"", "\"judged\"");
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Json { line: 1, .. })
    ));
    let mut l = lines();
    l[0] = l[0].replacen('{', "{\"extra\":1,", 1);
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Json { line: 1, .. })
    ));
}

#[test]
fn a_bundle_cut_short_is_truncated() {
    // No trailer: the gzip stream is whole but the bundle is not.
    let l = lines();
    assert_eq!(read(&joined(&l[..4])).err(), Some(BundleError::Truncated));
    assert_eq!(read(&joined(&l[..1])).err(), Some(BundleError::Truncated));
    // The gzip stream cut anywhere after its header.
    let bytes = bundle(&records());
    for cut in [12, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
        let e = read(&bytes[..cut]).err().unwrap();
        assert!(
            matches!(e, BundleError::Truncated | BundleError::Corrupt(_)),
            "cut at {cut}: {e}"
        );
    }
    // Cut in its last 8 bytes (CRC and size), every line is there but the stream is not.
    assert_eq!(
        read(&bytes[..bytes.len() - 4]).err(),
        Some(BundleError::Truncated)
    );
}

#[test]
fn a_wrong_trailer_count_is_refused() {
    let mut l = lines();
    l[4] = r#"{"end":{"devices":4,"ledger_items":0,"ledger_entries":0}}"#.into();
    assert_eq!(
        read(&joined(&l)).err(),
        Some(BundleError::Count {
            what: "devices",
            said: 4,
            read: 3
        })
    );
    let mut l = lines();
    l.remove(2);
    assert_eq!(
        read(&joined(&l)).err(),
        Some(BundleError::Count {
            what: "devices",
            said: 3,
            read: 2
        })
    );
    let mut l = lines();
    l[4] = r#"{"end":{"devices":3,"ledger_items":0,"ledger_entries":0,"more":1}}"#.into();
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Json { line: 5, .. })
    ));
}

#[test]
fn anything_after_the_trailer_is_refused() {
    let mut l = lines();
    l.push(l[1].clone());
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Json { line: 6, .. })
    ));
    let mut l = lines();
    l.push(String::new());
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Json { line: 6, .. })
    ));
}

#[test]
fn a_corrupt_crc_or_deflate_stream_is_corrupt() {
    let bytes = bundle(&records());
    // The CRC is the trailer's first four bytes.
    let mut crc = bytes.clone();
    let at = crc.len() - 8;
    crc[at] ^= 0x55;
    assert!(
        matches!(read(&crc), Err(BundleError::Corrupt(_))),
        "{:?}",
        read(&crc).err()
    );
    // A byte of the deflate data flipped: refused, whatever it breaks.
    for at in [20, bytes.len() / 2] {
        let mut bad = bytes.clone();
        bad[at] ^= 0xff;
        assert!(read(&bad).is_err(), "flipped at {at}");
    }
}

#[test]
fn control_characters_anywhere_are_hostile() {
    for (i, spoiled) in [
        r#""sys_name":"sw7\u001b[2J""#,
        r#""sys_name":"sw7\u0000""#,
        r#""sys_name":"sw7\u007f""#,
        r#""sys_name":"sw7\u0085""#,
        r#""sys\u0007name":"sw7""#,
    ]
    .into_iter()
    .enumerate()
    {
        let mut l = lines();
        l[2] = l[2].replacen(r#""sys_name":"sw7""#, spoiled, 1);
        assert_ne!(l[2], lines()[2]);
        let e = read(&joined(&l)).err().unwrap();
        assert!(
            matches!(&e, BundleError::Hostile { line: 3, reason } if reason.contains("control character")),
            "{i}: {e}"
        );
    }
    // In the header too, and in its site even as a tab.
    let mut l = lines();
    l[0] = l[0].replace("TOR01 Front St.", "TOR01\\tFront");
    assert!(matches!(read(&joined(&l)), Err(BundleError::Header(_))));
    let mut l = lines();
    l[0] = l[0].replace("v2c community #1", "v2c\\u009b");
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Hostile { line: 1, .. })
    ));
}

#[test]
fn a_huge_string_is_hostile() {
    let limits = Limits::default();
    let mut l = lines();
    let huge = "A".repeat(limits.max_string + 1);
    l[1] = l[1].replacen(r#""sys_name":"sw7""#, &format!(r#""sys_name":"{huge}""#), 1);
    let e = read(&joined(&l)).err().unwrap();
    assert!(
        matches!(&e, BundleError::Hostile { line: 2, reason } if reason.contains("65537 bytes")),
        "{e}"
    );
    // Escapes count as what they decode to: six bytes of text are one byte.
    let mut l = lines();
    let escaped = "\\u0041".repeat(limits.max_string);
    l[1] = l[1].replacen(
        r#""sys_name":"sw7""#,
        &format!(r#""sys_name":"{escaped}""#),
        1,
    );
    read(&joined(&l)).unwrap();
    // A key too.
    let mut l = lines();
    l[1] = l[1].replacen(r#""sys_name":"sw7""#, &format!(r#""{huge}":1"#), 1);
    assert!(matches!(
        read(&joined(&l)),
        Err(BundleError::Hostile { line: 2, .. })
    ));
}

#[test]
fn deep_json_is_hostile_before_it_is_parsed() {
    // Nesting far past serde_json's own recursion limit: refused by depth, not by the parser.
    for depth in [33, 10_000, 1_000_000] {
        let mut l = lines();
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        l[1] = l[1].replacen(r#""sys_name":"sw7""#, &format!(r#""x":{deep}"#), 1);
        let e = read(&joined(&l)).err().unwrap();
        assert!(
            matches!(&e, BundleError::Hostile { line: 2, reason } if reason.contains("deeper than 32")),
            "{depth}: {e}"
        );
    }
    // Brackets in strings are text; and 32 levels are allowed.
    let mut l = lines();
    let ok = format!("{}{}", "[".repeat(29), "]".repeat(29));
    let text = "[".repeat(100);
    l[1] = l[1].replacen(
        r#""sys_name":"sw7""#,
        &format!(r#""x":{ok},"y":"{text}""#),
        1,
    );
    read(&joined(&l)).unwrap();
}

#[test]
fn a_line_too_long_is_refused_without_reading_it_whole() {
    let limits = Limits {
        max_line: 1000,
        ..Limits::default()
    };
    let e = read_all(&bundle(&records()), limits).err().unwrap();
    assert_eq!(
        e,
        BundleError::LineTooLong {
            line: 2,
            limit: 1000
        }
    );
    // A line feed never comes: still refused at the limit.
    let endless = gzip(&vec![b' '; 10 << 20]);
    let e = read(&endless).err().unwrap();
    assert_eq!(
        e,
        BundleError::LineTooLong {
            line: 1,
            limit: 4 << 20
        }
    );
}

#[test]
fn a_decompression_bomb_stops_at_the_limit() {
    // Ten megabytes of spaces inside a device line gzip to a few kilobytes.
    let mut l = lines();
    l[1] = l[1].replacen('{', &format!("{{{}", " ".repeat(10 << 20)), 1);
    let bomb = joined(&l);
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    let limits = Limits {
        max_decompressed: 1 << 20,
        max_line: 64 << 20,
        ..Limits::default()
    };
    let mut reader = Reader::new(&bomb[..], limits).unwrap();
    assert_eq!(
        reader.next_device().err(),
        Some(BundleError::TooLarge { limit: 1 << 20 })
    );
    assert!(reader.decompressed() < 2 << 20, "{}", reader.decompressed());
    // The error stays.
    assert_eq!(
        reader.next_device().err(),
        Some(BundleError::TooLarge { limit: 1 << 20 })
    );
}

#[test]
fn more_devices_than_the_limit_are_refused() {
    let limits = Limits {
        max_devices: 2,
        ..Limits::default()
    };
    let e = read_all(&bundle(&records()), limits).err().unwrap();
    assert_eq!(e, BundleError::TooManyDevices { limit: 2 });
    read_all(&bundle(&records()[..2]), limits).unwrap();
}

#[test]
fn a_line_that_is_not_a_device_nor_the_end_is_refused() {
    for bad in [
        "not json",
        "[]",
        "{}",
        r#"{"device":{},"end":{"devices":0}}"#,
        r#"{"netorigin_bundle":1}"#,
        r#"{"device":[]}"#,
        r#"{"device":{"verdict":"evil"}}"#,
        "\u{fffd}\u{fffd}",
    ] {
        let mut l = lines();
        l[1] = bad.into();
        let e = read(&joined(&l)).err().unwrap();
        assert!(matches!(e, BundleError::Json { line: 2, .. }), "{bad}: {e}");
    }
    // Not UTF-8.
    let mut text = gunzip(&bundle(&records())).into_bytes();
    let at = text.iter().position(|&b| b == b'\n').unwrap() + 5;
    text[at] = 0xff;
    let e = read(&gzip(&text)).err().unwrap();
    assert!(matches!(e, BundleError::Json { line: 2, .. }), "{e}");
}

/// A source that fails after some bytes, as a dropped connection does.
struct Failing<'a>(&'a [u8]);

impl std::io::Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset",
            ));
        }
        let n = self.0.len().min(buf.len()).min(7);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn the_sources_own_error_is_io() {
    let bytes = bundle(&records());
    let mut reader = Reader::new(Failing(&bytes[..bytes.len() / 2]), Limits::default()).unwrap();
    let e = loop {
        match reader.next_device() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("read to the end"),
            Err(e) => break e,
        }
    };
    assert_eq!(e, BundleError::Io("connection reset".into()));
}

#[test]
fn every_error_has_a_message_fit_for_a_person() {
    let all = [
        BundleError::NotGzip,
        BundleError::Corrupt("x".into()),
        BundleError::NotBundle("x".into()),
        BundleError::NewerFormat { found: 9 },
        BundleError::Header("x".into()),
        BundleError::TooLarge { limit: 1 },
        BundleError::LineTooLong { line: 1, limit: 1 },
        BundleError::Json {
            line: 1,
            reason: "x".into(),
        },
        BundleError::Hostile {
            line: 1,
            reason: "x".into(),
        },
        BundleError::Truncated,
        BundleError::Count {
            what: "ledger items",
            said: 1,
            read: 0,
        },
        BundleError::TooManyDevices { limit: 1 },
        BundleError::TooManyLedgerLines { limit: 1 },
        BundleError::Io("x".into()),
    ];
    for e in all {
        let m = e.to_string();
        assert!(m.contains("bundle"), "{m}");
        assert!(!m.chars().any(char::is_control), "{m}");
    }
}

#[test]
fn a_serde_message_echoing_a_long_value_is_cut() {
    let mut l = lines();
    let long = "v".repeat(10_000);
    l[1] = format!(r#"{{"device":{{"verdict":"{long}"}}}}"#);
    let e = read(&joined(&l)).err().unwrap().to_string();
    assert!(e.len() < 400, "{}", e.len());
}

/// What the fuzz target checks, over a few thousand damaged bundles: reading never panics,
/// and a bundle that reads writes back and reads again with the same lines.
#[test]
fn damaged_bundles_never_panic_and_what_reads_writes_back() {
    let good = super::ledger_tests::ledger_bundle();
    let text = gunzip(&good).into_bytes();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let limits = Limits {
        max_string: 4 << 10,
        max_devices: 64,
        max_ledger: 64,
        ..Limits::default()
    };
    let mut read_whole = 0;
    for i in 0..3000 {
        let mut bytes = if i % 2 == 0 {
            good.clone()
        } else {
            text.clone()
        };
        for _ in 0..1 + next() % 3 {
            let at = next() % bytes.len();
            match next() % 3 {
                0 => bytes[at] = (next() % 256) as u8,
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at.max(1)),
            }
        }
        let bytes = if i % 2 == 0 { bytes } else { gzip(&bytes) };
        if let Ok((h, lines)) = super::ledger_tests::read_lines(&bytes, limits) {
            read_whole += 1;
            let mut w = Writer::new(&h, Vec::new()).unwrap();
            for l in &lines {
                w.write_line(l).unwrap();
            }
            let (h2, back) =
                super::ledger_tests::read_lines(&w.finish().unwrap(), Limits::default()).unwrap();
            assert_eq!(h2, h);
            assert_eq!(back.len(), lines.len());
        }
    }
    assert!(read_whole > 0);
}
